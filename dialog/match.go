package dialog

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Free-text matching: an enterprise describes its honours in a sentence
// ("我们是江苏质量信用AA级企业，还有CCC认证") and the self-check reads the
// criteria of 附件1 out of it; the FAQ reads which question was asked.

// matchFold brings text and keywords to one comparable form: Normalize
// (half-width, lower case, no white space) without the quotation and
// title marks people put around names (“江苏精品”, 《…》).
func matchFold(s string) string {
	return quoteStripper.Replace(Normalize(s))
}

var quoteStripper = strings.NewReplacer(
	"“", "", "”", "", "‘", "", "’", "", "\"", "", "'", "",
	"《", "", "》", "", "「", "", "」", "", "『", "", "』", "", "<", "", ">", "",
)

// blockers are what, written right before a keyword, turns it into
// something the enterprise does not have: a negation (没有AAA) or another
// rating (纳税信用A级 is a tax rating, not 江苏质量信用). A blocked keyword
// still occupies its place, so that no shorter keyword inside it
// (市长质量奖 inside 苏州市市长质量奖) is read instead.
var blockers = []string{"没有", "没", "无", "未", "不是", "并非", "暂无", "尚未", "尚无", "纳税信用", "纳税"}

// hit is one keyword found in folded text, at byte offsets [start, end).
type hit struct {
	index      int // of the criterion or FAQ in policy order
	start, end int
	runes      int
}

// findHits returns every occurrence of every keyword in folded text n.
// keywords[i] are the keywords of item i, already folded.
func findHits(n string, keywords [][]string) []hit {
	var hits []hit
	for i, kws := range keywords {
		for _, kw := range kws {
			if kw == "" {
				continue
			}
			for from := 0; from < len(n); {
				at := strings.Index(n[from:], kw)
				if at < 0 {
					break
				}
				start := from + at
				end := start + len(kw)
				if bounded(n, start, end) {
					hits = append(hits, hit{index: i, start: start, end: end, runes: utf8.RuneCountInString(kw)})
				}
				_, size := utf8.DecodeRuneInString(n[start:])
				from = start + size
			}
		}
	}
	return hits
}

// bounded reports whether n[start:end] stands on its own where it meets
// Latin letters or digits: "aa" inside "aaa" or "9001" inside "19001" is not
// the keyword, while "9001" after "iso" is. Chinese text has no word
// boundaries, so only runs of the same class are checked.
func bounded(n string, start, end int) bool {
	first, _ := utf8.DecodeRuneInString(n[start:end])
	last, _ := utf8.DecodeLastRuneInString(n[start:end])
	if start > 0 {
		prev, _ := utf8.DecodeLastRuneInString(n[:start])
		if sameClass(prev, first) {
			return false
		}
	}
	if end < len(n) {
		next, _ := utf8.DecodeRuneInString(n[end:])
		if sameClass(last, next) {
			return false
		}
	}
	return true
}

func sameClass(a, b rune) bool {
	letter := func(r rune) bool { return r >= 'a' && r <= 'z' }
	digit := func(r rune) bool { return r >= '0' && r <= '9' }
	return letter(a) && letter(b) || digit(a) && digit(b)
}

// longestFirst keeps, among overlapping hits, the one with the longest
// keyword (then the earliest, then the first item), so that "aaa级" is not
// also read as "aa级" and "a级". It drops hits preceded by a blocker, after
// they have taken their place.
func longestFirst(n string, hits []hit) []hit {
	slices.SortStableFunc(hits, func(a, b hit) int {
		if a.runes != b.runes {
			return b.runes - a.runes
		}
		if a.start != b.start {
			return a.start - b.start
		}
		return a.index - b.index
	})
	var taken, kept []hit
	for _, h := range hits {
		overlaps := false
		for _, k := range taken {
			if h.start < k.end && k.start < h.end {
				overlaps = true
				break
			}
		}
		if overlaps {
			continue
		}
		taken = append(taken, h)
		if !blocked(n[:h.start]) {
			kept = append(kept, h)
		}
	}
	return kept
}

func blocked(before string) bool {
	for _, b := range blockers {
		if strings.HasSuffix(before, b) {
			return true
		}
	}
	return false
}

// matchCriteria returns the criteria of every tier that free text names, in
// policy order, each once.
func matchCriteria(p *Policy, text string) []Criterion {
	n := matchFold(text)
	if n == "" {
		return nil
	}
	keywords := foldedCriteria(p)
	// People paste the notice's own wording, whose parentheses hold
	// alternatives: "承担国际（全国）标准化…" names both 国际标准化… and
	// 全国标准化…. Read the text as written, without the parenthesised
	// parts, and with each of them in place of the word before it.
	seen := map[int]bool{}
	for _, v := range readings(n, maxReadings) {
		for _, h := range longestFirst(v, findHits(v, keywords)) {
			seen[h.index] = true
		}
	}
	var out []Criterion
	for i, c := range p.Criteria {
		if seen[i] {
			out = append(out, c)
		}
	}
	return out
}

// matchFAQ returns the FAQ a free-text question is about: the one with the
// most keyword hits, then the longest hits in all, then the most specific
// hits, then the first in order. A keyword is the less specific the more
// FAQ questions mention it: "苏质融" is in many, "企业库" in one.
func matchFAQ(p *Policy, text string) (FAQ, bool) {
	n := matchFold(text)
	keywords, questions := foldedFAQs(p)
	type score struct {
		hits, length int
		specific     float64
	}
	better := func(a, b score) bool {
		if a.hits != b.hits {
			return a.hits > b.hits
		}
		if a.length != b.length {
			return a.length > b.length
		}
		return a.specific > b.specific+1e-9
	}
	best, bestScore := -1, score{}
	for i := range p.FAQs {
		var sc score
		for _, kw := range keywords[i] {
			if kw == "" || !strings.Contains(n, kw) {
				continue
			}
			sc.hits++
			sc.length += utf8.RuneCountInString(kw)
			df := 0
			for _, q := range questions {
				if strings.Contains(q, kw) {
					df++
				}
			}
			sc.specific += 1 / float64(max(df, 1))
		}
		if sc.hits > 0 && (best < 0 || better(sc, bestScore)) {
			best, bestScore = i, sc
		}
	}
	if best < 0 {
		return FAQ{}, false
	}
	return p.FAQs[best], true
}

// questionMarks are what makes a text read as a question.
var questionMarks = []string{"吗", "?", "怎么", "多少", "如何", "是否", "能不能", "可以", "什么", "哪", "呢", "能否", "有没有", "几", "多久", "为什么", "为啥", "会不会", "是不是", "要不要"}

// looksLikeQuestion reports whether text asks something.
func looksLikeQuestion(text string) bool {
	n := Normalize(text)
	for _, q := range questionMarks {
		if strings.Contains(n, q) {
			return true
		}
	}
	return false
}

// maxReadings bounds how many parentheses readings unfolds: each one
// triples the readings.
const maxReadings = 4

// readings returns folded text n as written and, when it holds
// parentheses, without them: once dropping what they enclose, once putting
// it in place of as many runes before ("国际(全国)标准" → "国际标准",
// "全国标准"). Only the first depth parentheses are unfolded.
func readings(n string, depth int) []string {
	open := strings.Index(n, "(")
	if open < 0 || depth == 0 {
		return []string{n}
	}
	end := strings.Index(n[open:], ")")
	if end < 0 {
		return []string{n}
	}
	end += open
	before, inner, after := n[:open], n[open+1:end], n[end+1:]
	out := []string{n}
	out = append(out, readings(before+after, depth-1)...)
	head := []rune(before)
	if k := len([]rune(inner)); k > 0 && k <= len(head) {
		out = append(out, readings(string(head[:len(head)-k])+inner+after, depth-1)...)
	}
	return out
}
