package dialog

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Slots are what a message names besides what it asks: an amount, a tier,
// a county, an application number, honours of 附件1, a product.
type Slots struct {
	AmountWan float64     // 0 when none
	Tier      domain.Tier // TierUnknown when none
	County    string      // county id
	Lead      string      // SZR-YYYYMMDD-NNNN
	Honours   []string    // ids of the criteria named, in policy order
	NoHonours bool        // "我们什么认证都没有"
	Product   string      // product id
	Offtopic  bool        // names a topic the account does not serve
}

// Has reports whether slot name (amount, tier, county, lead, honours,
// product, offtopic) is filled; tier4 and nohonours are narrower: the tier
// named is Ⅳ, the message says it has no honours.
func (s Slots) Has(name string) bool {
	switch name {
	case "amount":
		return s.AmountWan > 0
	case "tier":
		return s.Tier.Valid()
	case "county":
		return s.County != ""
	case "lead":
		return s.Lead != ""
	case "honours":
		return len(s.Honours) > 0 || s.NoHonours
	case "product":
		return s.Product != ""
	case "offtopic":
		return s.Offtopic
	case "tier4":
		return s.Tier == domain.Tier4
	case "nohonours":
		return s.NoHonours
	}
	return false
}

// slotNames are the slots an intent may name as evidence.
var slotNames = []string{"amount", "tier", "county", "lead", "honours", "product", "offtopic", "tier4", "nohonours"}

// alias is one folded name of a county, tier or product.
type alias struct {
	word string
	id   string
	tier domain.Tier
}

// slotReader holds the prepared words of one policy.
type slotReader struct {
	counties  []alias // longest first
	products  []alias
	tiers     []alias
	noHonours []string
	noHonGaps [][2]string // "没有…奖": the first part, then the second a few characters on
	offtopic  []string
	criteria  [][]string // folded keywords per criterion
	crit      []Criterion
	// The same words indexed by their first rune.
	countyIx, productIx, tierIx, criteriaIx, noHonoursIx, offtopicIx *phraseIndex
}

// honourFillers are dropped before honours are read, so that "主导起草过一项
// 国家标准" reads as the keyword 牵头起草国家标准 (主导 → 牵头 is a synonym).
var honourFillers = strings.NewReplacer("过一项", "", "过一个", "", "过多项", "", "过", "", "了一项", "", "了", "", "一项", "", "多项", "")

func newSlotReader(p *Policy, f *folder) *slotReader {
	r := &slotReader{crit: p.Criteria}
	add := func(list *[]alias, word string, a alias) {
		if w := f.fold(word); w != "" {
			a.word = w
			*list = append(*list, a)
		}
	}
	for _, c := range p.Counties {
		add(&r.counties, c.Name, alias{id: c.ID})
		add(&r.counties, c.Bureau, alias{id: c.ID})
	}
	for _, a := range p.Lexicon.Counties {
		for _, n := range a.Names {
			add(&r.counties, n, alias{id: a.ID})
		}
	}
	for _, pr := range p.Products {
		add(&r.products, pr.Name, alias{id: pr.ID})
		for _, k := range pr.Keywords {
			add(&r.products, k, alias{id: pr.ID})
		}
	}
	for _, tw := range p.Lexicon.Tiers {
		add(&r.tiers, tw.Word, alias{tier: tw.Tier})
	}
	for _, l := range [][]alias{r.counties, r.products, r.tiers} {
		sortByLen(l, func(a alias) string { return a.word })
	}
	for _, w := range p.Lexicon.NoHonours {
		if a, b, ok := strings.Cut(w, "…"); ok {
			if a, b = f.fold(a), f.fold(b); a != "" && b != "" {
				r.noHonGaps = append(r.noHonGaps, [2]string{a, b})
			}
			continue
		}
		if w = f.fold(w); w != "" {
			r.noHonours = append(r.noHonours, w)
		}
	}
	for _, w := range p.Lexicon.Offtopic {
		if w = f.fold(w); w != "" {
			r.offtopic = append(r.offtopic, w)
		}
	}
	r.criteria = make([][]string, len(p.Criteria))
	for i, c := range p.Criteria {
		for _, kw := range c.Keywords {
			if kw = f.fold(kw); kw != "" {
				r.criteria[i] = append(r.criteria[i], kw)
			}
		}
	}
	words := func(l []alias) [][]string {
		out := make([][]string, len(l))
		for i, a := range l {
			out[i] = []string{a.word}
		}
		return out
	}
	r.countyIx, r.productIx, r.tierIx = newPhraseIndex(words(r.counties)), newPhraseIndex(words(r.products)), newPhraseIndex(words(r.tiers))
	r.criteriaIx = newPhraseIndex(r.criteria)
	r.noHonoursIx, r.offtopicIx = newPhraseIndex([][]string{r.noHonours}), newPhraseIndex([][]string{r.offtopic})
	return r
}

// phraseIndex finds words of items in text: the words indexed by their
// first rune, so that a message is scanned once instead of once a word.
type phraseIndex struct {
	byFirst map[rune][]phrase // longest first
}

type phrase struct {
	word  string
	item  int
	runes int
}

func newPhraseIndex(items [][]string) *phraseIndex {
	x := &phraseIndex{byFirst: map[rune][]phrase{}}
	for i, ws := range items {
		for _, w := range ws {
			if w == "" {
				continue
			}
			r, _ := utf8.DecodeRuneInString(w)
			x.byFirst[r] = append(x.byFirst[r], phrase{word: w, item: i, runes: utf8.RuneCountInString(w)})
		}
	}
	for r := range x.byFirst {
		sortByLen(x.byFirst[r], func(p phrase) string { return p.word })
	}
	return x
}

// hits returns every bounded occurrence of every word in n, as findHits.
func (x *phraseIndex) hits(n string) []hit {
	var out []hit
	for i, r := range n {
		for _, p := range x.byFirst[r] {
			if strings.HasPrefix(n[i:], p.word) && bounded(n, i, i+len(p.word)) {
				out = append(out, hit{index: p.item, start: i, end: i + len(p.word), runes: p.runes})
			}
		}
	}
	return out
}

// longest returns the item of the longest bounded word in n not blocked,
// the earliest among equals.
func (x *phraseIndex) longest(n string, blocked func(before string) bool) (int, bool) {
	best, bestRunes := -1, 0
	for i, r := range n {
		for _, p := range x.byFirst[r] {
			if p.runes <= bestRunes {
				break // the rest are no longer
			}
			if strings.HasPrefix(n[i:], p.word) && bounded(n, i, i+len(p.word)) && (blocked == nil || !blocked(n[:i])) {
				best, bestRunes = p.item, p.runes
				break
			}
		}
	}
	return best, best >= 0
}

// contains reports whether any word is in n (boundaries not checked).
func (x *phraseIndex) contains(n string) bool {
	for i, r := range n {
		for _, p := range x.byFirst[r] {
			if strings.HasPrefix(n[i:], p.word) {
				return true
			}
		}
	}
	return false
}

// read fills the slots of folded text n.
func (r *slotReader) read(n string) Slots {
	var s Slots
	s.Lead = findLead(n)
	rest := n
	if s.Lead != "" {
		rest = strings.Replace(rest, strings.ToLower(strings.ReplaceAll(s.Lead, "-", "")), "", 1)
	}
	s.AmountWan, _ = findAmount(rest)
	if i, ok := r.countyIx.longest(rest, nil); ok {
		s.County = r.counties[i].id
	}
	if i, ok := r.productIx.longest(rest, nil); ok {
		s.Product = r.products[i].id
	}
	if i, ok := r.tierIx.longest(rest, tierBlocked); ok {
		s.Tier = r.tiers[i].tier
	}
	h := honourFillers.Replace(rest)
	var seen uint64 // criteria are few; a bit each
	var more map[int]bool
	for _, hit := range longestFirst(h, r.criteriaIx.hits(h)) {
		if hit.index < 64 {
			seen |= 1 << hit.index
		} else {
			if more == nil {
				more = map[int]bool{}
			}
			more[hit.index] = true
		}
	}
	for i, c := range r.crit {
		if (i < 64 && seen&(1<<i) != 0 || more[i]) && c.Tier != domain.Tier4 {
			s.Honours = append(s.Honours, c.ID)
		}
	}
	s.Offtopic = r.offtopicIx.contains(n)
	if len(s.Honours) == 0 {
		s.NoHonours = r.noHonoursIx.contains(n) || r.gapped(n)
	}
	return s
}

// noHonoursGap is how many characters may stand between the two parts of
// a gapped no-honours phrase: 什么质量荣誉都没有, 没有拿过任何奖.
const noHonoursGap = 6

// gapped reports whether n holds a gapped no-honours phrase.
func (r *slotReader) gapped(n string) bool {
	for _, g := range r.noHonGaps {
		for from := 0; ; {
			i := strings.Index(n[from:], g[0])
			if i < 0 {
				break
			}
			rest := n[from+i+len(g[0]):]
			// Only the next few characters can hold the second part: a
			// search of the whole rest after every first part would cost
			// the square of the text's length.
			if w := noHonoursGap*utf8.UTFMax + len(g[1]); len(rest) > w {
				rest = rest[:w]
			}
			if j := strings.Index(rest, g[1]); j >= 0 && utf8.RuneCountInString(rest[:j]) <= noHonoursGap {
				return true
			}
			from += i + len(g[0])
		}
	}
	return false
}

// tierBlocked tells "哪一类" and "几类" from "一类": a tier word right after
// a question word or 同/每/第X is no tier.
func tierBlocked(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	return strings.ContainsRune("哪几每同这那另", r)
}

// findLead finds an application number in folded text (punctuation gone):
// szr, 8 digits of the date, 4 of the sequence. It returns it as printed,
// SZR-YYYYMMDD-NNNN.
func findLead(n string) string {
	for from := 0; ; {
		at := strings.Index(n[from:], "szr")
		if at < 0 {
			return ""
		}
		at += from
		d := n[at+3:]
		if len(d) >= 12 && isDigits(d[:12]) && (len(d) == 12 || !isDigitRune(rune(d[12]))) {
			return "SZR-" + d[:8] + "-" + d[8:12]
		}
		from = at + 3
	}
}

// sortedCriteria returns the ids in policy order.
func sortedCriteria(p *Policy, ids []string) []Criterion {
	var out []Criterion
	for _, c := range p.Criteria {
		if slices.Contains(ids, c.ID) {
			out = append(out, c)
		}
	}
	return out
}

// amountsAsNumbers writes every amount of folded text n with a unit
// (五百万, 0.3个亿, 300w, 两千万元) as the number and 万, so that the matcher,
// which takes any number for one token, sees "贷五百万" as "贷500万".
func amountsAsNumbers(n string) string {
	var b strings.Builder
	changed := false
	for i := 0; i < len(n); {
		r, w := utf8.DecodeRuneInString(n[i:])
		_, cn := cnDigits[r]
		if isDigitRune(r) || cn {
			_, size, unit, ok := readAmount(n[i:])
			if ok && unit {
				if !changed {
					b.Grow(len(n))
					b.WriteString(n[:i])
					changed = true
				}
				b.WriteString("1万")
				i += size
				continue
			}
			if size > 0 { // a numeral without a unit, or unreadable: skipped whole
				if changed {
					b.WriteString(n[i : i+size])
				}
				i += size
				continue
			}
		}
		if changed {
			b.WriteString(n[i : i+w])
		}
		i += w
	}
	if !changed {
		return n
	}
	return b.String()
}
