package dialog

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"github.com/mozillazg/go-pinyin"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Understanding, step one: bring what people type to one form before any
// matching. Normalize (used everywhere, also by the choice readers) folds
// width, traditional characters, case and white space; fold (used by the
// intent matcher and the slot readers) also drops punctuation, emoji and
// fillers, corrects typos of the domain's words by their pinyin, and maps
// synonyms to one canonical word.

// t2s maps a traditional character to its simplified form, one rune to one
// rune, for the BMP's ideographs from U+3400 on (0: unchanged). It is
// derived once from OpenCC's t2s dictionaries: converting whole phrases
// through OpenCC costs tens of microseconds a message, an array lookup
// costs nothing, and character by character is exact enough for matching.
var t2s = sync.OnceValue(func() []uint16 {
	cc, err := opencc.New("t2s")
	if err != nil {
		panic("dialog: opencc t2s dictionaries: " + err.Error())
	}
	table := make([]uint16, 0x10000-t2sBase)
	for r := rune(t2sBase); r < 0x10000; r++ {
		if !unicode.Is(unicode.Han, r) {
			continue
		}
		s, err := cc.Convert(string(r))
		if err != nil {
			continue
		}
		if out, size := utf8.DecodeRuneInString(s); size == len(s) && out != r && out != utf8.RuneError && out < 0x10000 {
			table[r-t2sBase] = uint16(out)
		}
	}
	return table
})

const t2sBase = 0x3400

// toSimplified maps traditional characters to simplified ones.
func toSimplified(r rune) rune {
	if r < t2sBase || r >= 0x10000 {
		return r
	}
	if s := t2s()[r-t2sBase]; s != 0 {
		return rune(s)
	}
	return r
}

// Normalize folds what people type into one comparable form: half-width,
// simplified characters, lower case, no white space.
func Normalize(s string) string {
	s = toHalfWidth(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(toSimplified(r)))
	}
	return b.String()
}

// keepRune reports whether fold keeps r: letters (Chinese included), digits
// and the Roman numerals of the tiers. Punctuation, symbols and emoji go.
func keepRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || (r >= 'Ⅰ' && r <= 'ⅿ')
}

// Lexicon is the vocabulary of understanding, kept as data in the seeds.
type Lexicon struct {
	Fillers    []string     // words dropped before matching: 嗯, 那个, 请问 …
	Synonyms   []Synonym    // variants mapped to one canonical word
	Vocabulary []string     // domain words whose typos are corrected by pinyin
	NoHonours  []string     // phrases that say the enterprise has no honours
	Counties   []Aliases    // other names of each county
	Tiers      []TierWord   // words that name a tier
	Offtopic   []string     // words of topics the account does not serve: 房贷, 公积金 …
	Repair     RepairWords  // how people repair a conversation mid-flow (repair.go)
	Scope      ScopeWords   // what is out of scope before any intent
	Blockers   BlockerWords // facts that decide eligibility (verdict.go)
}

// Synonym maps Variants to Canonical.
type Synonym struct {
	Canonical string
	Variants  []string
}

// Aliases are other names of the county with the given ID.
type Aliases struct {
	ID    string
	Names []string
}

// TierWord is a word that names tier Tier (一类, 二类企业, Ⅲ类 …).
type TierWord struct {
	Word string
	Tier domain.Tier
}

// folder is the prepared normaliser of one policy.
type folder struct {
	fillers  *strings.Replacer
	synonyms *strings.Replacer
	typos    *typoIndex
}

func newFolder(lx Lexicon) *folder {
	f := &folder{}
	var pairs []string
	for _, w := range byLength(lx.Fillers) {
		if w = Normalize(w); w != "" {
			pairs = append(pairs, w, "")
		}
	}
	f.fillers = strings.NewReplacer(pairs...)
	// Longest variant first; a canonical word maps to itself so that a
	// shorter variant inside it (园区 in 工业园区) is not replaced again.
	type pair struct{ from, to string }
	var syn []pair
	for _, s := range lx.Synonyms {
		to := Normalize(s.Canonical)
		syn = append(syn, pair{to, to})
		for _, v := range s.Variants {
			syn = append(syn, pair{Normalize(v), to})
		}
	}
	sortByLen(syn, func(p pair) string { return p.from })
	pairs = nil
	for _, p := range syn {
		if p.from != "" {
			pairs = append(pairs, p.from, p.to)
		}
	}
	f.synonyms = strings.NewReplacer(pairs...)
	f.typos = newTypoIndex(lx.Vocabulary)
	return f
}

// fold is Normalize, then without punctuation, emoji and fillers, with
// domain words' typos corrected and synonyms made canonical. A '.' between
// digits stays (1.5亿).
func (f *folder) fold(s string) string {
	n := Normalize(s)
	var b strings.Builder
	b.Grow(len(n))
	var prev rune
	for i, r := range n {
		if keepRune(r) {
			b.WriteRune(r)
			prev = r
			continue
		}
		if r == '.' && isDigitRune(prev) {
			if next, _ := utf8.DecodeRuneInString(n[i+1:]); isDigitRune(next) {
				b.WriteRune(r)
			}
		}
	}
	out := f.fillers.Replace(b.String())
	out = f.typos.correct(out)
	return f.synonyms.Replace(out)
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

// byLength returns words longest first.
func byLength(words []string) []string {
	out := append([]string{}, words...)
	sortByLen(out, func(s string) string { return s })
	return out
}

func sortByLen[T any](xs []T, key func(T) string) {
	// Stable insertion sort: lists are short and built once.
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && utf8.RuneCountInString(key(xs[j])) > utf8.RuneCountInString(key(xs[j-1])); j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

// typoIndex corrects misspellings of domain words that sound the same: a
// window of the text with the pinyin of a vocabulary word (tones ignored,
// any reading of a character) that shares at least half its characters
// becomes that word: 苏质熔 → 苏质融, 套宝 → 套保, 补尝 → 补偿.
type typoIndex struct {
	syllables map[rune][]uint16 // readings of every character (pinyinTable)
	words     [][]rune
	wordSyl   [][][]uint16 // per word, per character, its readings
	byFirst   map[uint16][]int
}

// pinyinTable maps every character of go-pinyin's dictionary to the ids of
// its readings (tones ignored), built once per process.
var pinyinTable = sync.OnceValues(func() (map[rune][]uint16, map[string]uint16) {
	ids := map[string]uint16{}
	table := make(map[rune][]uint16, len(pinyin.PinyinDict))
	args := pinyin.Args{Style: pinyin.Normal, Heteronym: true}
	for r := range pinyin.PinyinDict {
		var out []uint16
		for _, py := range pinyin.SinglePinyin(rune(r), args) {
			id, ok := ids[py]
			if !ok {
				id = uint16(len(ids) + 1)
				ids[py] = id
			}
			out = append(out, id)
		}
		table[rune(r)] = out
	}
	return table, ids
})

func newTypoIndex(vocab []string) *typoIndex {
	table, _ := pinyinTable()
	x := &typoIndex{syllables: table, byFirst: map[uint16][]int{}}
	seen := map[string]bool{}
	for _, w := range byLength(vocab) {
		w = Normalize(w)
		rs := []rune(w)
		if len(rs) < 2 || seen[w] {
			continue
		}
		seen[w] = true
		syl := make([][]uint16, len(rs))
		ok := true
		for i, r := range rs {
			if syl[i] = table[r]; len(syl[i]) == 0 {
				ok = false
			}
		}
		if !ok {
			continue
		}
		x.words = append(x.words, rs)
		x.wordSyl = append(x.wordSyl, syl)
	}
	for i, syl := range x.wordSyl {
		for _, s := range syl[0] {
			x.byFirst[s] = append(x.byFirst[s], i)
		}
	}
	return x
}

func intersects(a, b []uint16) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// correct replaces the misspelt domain words of folded text s.
func (x *typoIndex) correct(s string) string {
	if len(x.words) == 0 {
		return s
	}
	rs := []rune(s)
	changed := false
	for i := 0; i < len(rs); {
		best := -1
		for _, first := range x.syllables[rs[i]] {
			for _, w := range x.byFirst[first] {
				if best >= 0 && len(x.words[w]) <= len(x.words[best]) {
					continue
				}
				if x.soundsLike(rs[i:], w) {
					best = w
				}
			}
		}
		if best < 0 {
			i++
			continue
		}
		word := x.words[best]
		for j, r := range word {
			if rs[i+j] != r {
				rs[i+j] = r
				changed = true
			}
		}
		i += len(word)
	}
	if !changed {
		return s
	}
	return string(rs)
}

// soundsLike reports whether text starts with a spelling of word w: the
// same readings, and at least half of the characters identical.
func (x *typoIndex) soundsLike(text []rune, w int) bool {
	word := x.words[w]
	if len(text) < len(word) {
		return false
	}
	same := 0
	for j, r := range word {
		if text[j] == r {
			same++
			continue
		}
		if !intersects(x.syllables[text[j]], x.wordSyl[w][j]) {
			return false
		}
	}
	return same > 0 && 2*same >= len(word)
}

// askMarkers open the question of a message that first says who is asking
// ("我们在昆山做零件的，想问下最多能贷多少"); questionCues mark a clause as
// a question.
var (
	askMarkers   = []string{"想问一下", "想问下", "想问问", "我想问", "请问", "问一下", "问下", "想了解一下", "想了解下", "了解一下", "咨询一下", "想咨询"}
	questionCues = []string{"吗", "么", "呢", "多少", "几", "怎么", "如何", "什么", "啥", "哪", "谁", "是否", "能否", "可否", "不", "没", "咋", "多久", "多长", "?"}
)

// focus returns the question of a message of several clauses (split at
// punctuation, white space and the words that open a question): what
// follows the last word that opens a question when something comes before
// it, else the last clause that reads as a question. It returns "" when
// the message is one clause or none reads as a question. The result is not
// folded.
func focus(text string) string {
	var clauses []string
	marked := -1 // the first clause after the last word that opens a question
	var b strings.Builder
	cut := func() {
		c := b.String()
		b.Reset()
		for c != "" {
			at, size := len(c), 0
			for _, m := range askMarkers {
				if i := strings.Index(c, m); i >= 0 && i < at {
					at, size = i, len(m)
				}
			}
			if at > 0 {
				clauses = append(clauses, c[:at])
			}
			if size == 0 {
				break
			}
			c = c[at+size:]
			marked = len(clauses)
		}
	}
	t := toHalfWidth(text)
	for i, r := range t {
		if r == '.' && i > 0 && isDigitRune(rune(t[i-1])) && i+1 < len(t) && isDigitRune(rune(t[i+1])) {
			b.WriteRune(r) // 0.3亿
			continue
		}
		if unicode.IsSpace(r) || strings.ContainsRune(",.;!?、。，；！？~～…:：", r) {
			if r == '?' && b.Len() > 0 {
				b.WriteRune('?')
			}
			cut()
			continue
		}
		b.WriteRune(toSimplified(r))
	}
	cut()
	if marked > 0 && marked < len(clauses) {
		return strings.Join(clauses[marked:], " ")
	}
	if len(clauses) < 2 {
		return ""
	}
	for i := len(clauses) - 1; i >= 0; i-- {
		for _, q := range questionCues {
			if strings.Contains(clauses[i], q) {
				return clauses[i]
			}
		}
	}
	return ""
}
