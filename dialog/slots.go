package dialog

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Slots are what a message names besides what it asks: an amount, a tier,
// a county, an application number, honours of 附件1, a product.
type Slots struct {
	AmountWan float64  // 0 when none
	Tier      Tier     // TierUnknown when none
	County    string   // county id
	Lead      string   // SZR-YYYYMMDD-NNNN
	Honours   []string // ids of the criteria named, in policy order
	NoHonours bool     // "我们什么认证都没有"
	Product   string   // product id
	Offtopic  bool     // names a topic the account does not serve
}

// Has reports whether slot name (amount, tier, county, lead, honours,
// product) is filled.
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
	}
	return false
}

// slotNames are the slots an intent may name as evidence.
var slotNames = []string{"amount", "tier", "county", "lead", "honours", "product", "offtopic"}

// alias is one folded name of a county, tier or product.
type alias struct {
	word string
	id   string
	tier Tier
}

// slotReader holds the prepared words of one policy.
type slotReader struct {
	counties  []alias // longest first
	products  []alias
	tiers     []alias
	noHonours []string
	offtopic  []string
	criteria  [][]string // folded keywords per criterion
	crit      []Criterion
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
	return r
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
	if a, ok := longestAlias(rest, r.counties, nil); ok {
		s.County = a.id
	}
	if a, ok := longestAlias(rest, r.products, nil); ok {
		s.Product = a.id
	}
	if a, ok := longestAlias(rest, r.tiers, tierBlocked); ok {
		s.Tier = a.tier
	}
	h := honourFillers.Replace(rest)
	seen := map[int]bool{}
	for _, hit := range longestFirst(h, findHits(h, r.criteria)) {
		seen[hit.index] = true
	}
	for i, c := range r.crit {
		if seen[i] && c.Tier != Tier4 {
			s.Honours = append(s.Honours, c.ID)
		}
	}
	for _, w := range r.offtopic {
		if strings.Contains(n, w) {
			s.Offtopic = true
			break
		}
	}
	if len(s.Honours) == 0 {
		for _, w := range r.noHonours {
			if strings.Contains(n, w) {
				s.NoHonours = true
				break
			}
		}
	}
	return s
}

// tierBlocked tells "哪一类" and "几类" from "一类": a tier word right after
// a question word or 同/每/第X is no tier.
func tierBlocked(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	return strings.ContainsRune("哪几每同这那另", r)
}

// longestAlias finds the longest alias in n (the first among equals), not
// preceded by what blocked refuses.
func longestAlias(n string, list []alias, blocked func(before string) bool) (alias, bool) {
	for _, a := range list {
		for from := 0; from < len(n); {
			at := strings.Index(n[from:], a.word)
			if at < 0 {
				break
			}
			at += from
			if bounded(n, at, at+len(a.word)) && (blocked == nil || !blocked(n[:at])) {
				return a, true
			}
			from = at + len(a.word)
		}
	}
	return alias{}, false
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
