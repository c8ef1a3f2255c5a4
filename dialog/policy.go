// Package dialog is the 苏质融 assistant's conversation: the policy as types
// (criteria, conditions, products, the lexicon, loaded from seeds/), the
// understanding of what people write (normalise, intents, slots) and a pure
// engine that turns (state, inbound message) into (new state, replies,
// effects). The shared types (leads, statuses and their transitions,
// counties, tiers, errors) are in domain, which it imports; besides the
// standard library it imports only the pure-Go OpenCC tables and go-pinyin.
// It never does I/O and never logs; the time of a message arrives as
// Inbound.At.
package dialog

import (
	"fmt"
	"math"
	"strings"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Criterion is one item of 附件1 that places an enterprise in a tier.
type Criterion struct {
	ID       string
	Tier     domain.Tier
	Name     string
	Keywords []string
	Clause   string
}

// Condition is one eligibility condition of 企业库范围; the enterprise must
// meet every one.
type Condition struct {
	ID       string
	Question string
	Fail     string // what failing it means and what to do
	Clause   string
	// PassOnNo marks a question asked the natural way round ("were you
	// penalised?"): 否/没有 meets the condition.
	PassOnNo bool
	Explain  string // the question in plain words: what counts, where to look
	// Blocker is the fact of a message that fails it: outside (registered
	// outside Suzhou), branch (no legal person of its own), penalty (within
	// three years); "" when none is read.
	Blocker string
	Advice  string // what an enterprise that fails it can still do
}

// Met reports whether an answer of yes (true) or no meets the condition.
func (c Condition) Met(yes bool) bool { return yes != c.PassOnNo }

// RiskBand is the split of a principal loss for loans up to UpToWan 万元.
type RiskBand struct {
	UpToWan float64
	FundPct int
	BankPct int
}

// Loan holds the terms of 苏质贷.
type Loan struct {
	MaxWan     float64             // per-enterprise cap, 万元
	TermMonths int                 // longest term
	MarginBP   map[domain.Tier]int // rate cap over LPR, basis points
	Bands      []RiskBand          // ascending by UpToWan
	Clause     string
}

// Futures holds the terms of 期货套期保值服务.
type Futures struct {
	OTCCreditWan    map[domain.Tier]int // 场外期权授信额度上限, 万元
	MarginEquityWan int                 // account equity from which exchange-standard margin applies
	Clause          string
}

// Product is a financing product of 主要内容, with its terms per tier.
type Product struct {
	ID       string
	Name     string
	Keywords []string
	Summary  string
	Terms    map[domain.Tier]string // per-tier terms; empty means the same for every tier
	Clause   string
	// Materials are what an enterprise prepares for the product
	// (practical_materials), in the order shown.
	Materials []Material
}

// Material is one item of a product's materials checklist: Clause is
// where the notice speaks of it; "" marks an item only typically needed
// (一般需要), as the institutions ask for it.
type Material struct {
	Item   string
	Clause string
}

// TermsFor returns the product's terms for tier t, if it has tier-specific terms.
func (p Product) TermsFor(t domain.Tier) string { return p.Terms[t] }

// FAQ answers a free-text question about the policy from the notice itself.
// Topic names a computed answer (rates, caps) instead of a fixed Answer.
type FAQ struct {
	ID       string
	Keywords []string
	Question string
	Answer   string
	Topic    string
	Clause   string
}

// Policy is everything the bot may state, loaded from seeds and the database.
// It is immutable once built: a change produces a new Policy.
type Policy struct {
	Version     string // the notice's number, recorded with every consent
	Title       string
	Eligibility []Condition
	Criteria    []Criterion
	Loan        Loan
	Futures     Futures
	Products    []Product
	Counties    []domain.County
	FAQs        []FAQ
	LPR         float64 // 1-year LPR, percent
	LPRDate     string  // its effective date, YYYY-MM-DD
	Platform    string  // 省综合金融服务平台 address
	Intents     []Intent
	Lexicon     Lexicon
	nlu         *nlu // built by Prepare; shared by copies of the policy
}

// CriteriaOf returns the criteria of tier t in seed order. The slice is
// shared: callers must not change it.
func (p *Policy) CriteriaOf(t domain.Tier) []Criterion {
	if p.nlu != nil && t.Valid() {
		return p.nlu.criteria[t]
	}
	return p.criteriaOf(t)
}

func (p *Policy) criteriaOf(t domain.Tier) []Criterion {
	var out []Criterion
	for _, c := range p.Criteria {
		if c.Tier == t {
			out = append(out, c)
		}
	}
	return out
}

// Criterion returns the criterion with the given id.
func (p *Policy) Criterion(id string) (Criterion, bool) {
	for _, c := range p.Criteria {
		if c.ID == id {
			return c, true
		}
	}
	return Criterion{}, false
}

// County returns the county with the given slug.
func (p *Policy) County(id string) (domain.County, bool) {
	for _, c := range p.Counties {
		if c.ID == id {
			return c, true
		}
	}
	return domain.County{}, false
}

// CountyByDivision returns the county whose administrative division code
// (positions 3–8 of a credit code) is div.
func (p *Policy) CountyByDivision(div string) (domain.County, bool) {
	for _, c := range p.Counties {
		for _, d := range c.Divisions {
			if d == div {
				return c, true
			}
		}
	}
	return domain.County{}, false
}

// Product returns the product with the given id.
func (p *Policy) Product(id string) (Product, bool) {
	for _, pr := range p.Products {
		if pr.ID == id {
			return pr, true
		}
	}
	return Product{}, false
}

// RateCap returns the 苏质贷 rate cap for tier t in percent, and its margin
// in basis points; ok is false for tiers without a cap (Ⅳ, unknown).
func (p *Policy) RateCap(t domain.Tier) (pct float64, bp int, ok bool) {
	bp, ok = p.Loan.MarginBP[t]
	if !ok {
		return 0, 0, false
	}
	return math.Round((p.LPR+float64(bp)/100)*100) / 100, bp, true
}

// Band returns the risk-sharing band for a loan of amountWan 万元.
func (p *Policy) Band(amountWan float64) (RiskBand, bool) {
	for _, b := range p.Loan.Bands {
		if amountWan <= b.UpToWan+1e-9 {
			return b, true
		}
	}
	return RiskBand{}, false
}

// Validate checks the invariants every loaded policy must hold.
func (p *Policy) Validate() error {
	var errs []string
	add := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if p.Version == "" {
		add("policy version is empty")
	}
	if len(p.Eligibility) == 0 {
		add("no eligibility conditions")
	}
	ids := map[string]bool{}
	for _, c := range p.Eligibility {
		if c.ID == "" || c.Question == "" || c.Clause == "" {
			add("eligibility condition %q: id, question and clause are required", c.ID)
		}
		if ids["cond:"+c.ID] {
			add("duplicate eligibility id %q", c.ID)
		}
		ids["cond:"+c.ID] = true
	}
	for t := domain.Tier1; t <= domain.Tier4; t++ {
		if len(p.CriteriaOf(t)) == 0 {
			add("tier %s has no criteria", t)
		}
	}
	for _, c := range p.Criteria {
		if !c.Tier.Valid() {
			add("criterion %q: tier %d out of range", c.ID, c.Tier)
		}
		if c.ID == "" || c.Name == "" || c.Clause == "" {
			add("criterion %q: id, name and clause are required", c.ID)
		}
		if c.Tier != domain.Tier4 && len(c.Keywords) == 0 {
			add("criterion %q: no keywords", c.ID)
		}
		if ids["crit:"+c.ID] {
			add("duplicate criterion id %q", c.ID)
		}
		ids["crit:"+c.ID] = true
	}
	if p.Loan.MaxWan <= 0 || len(p.Loan.Bands) == 0 {
		add("loan: cap and risk bands are required")
	}
	for i, b := range p.Loan.Bands {
		if b.FundPct+b.BankPct != 100 {
			add("loan band %d: shares add up to %d, not 100", i, b.FundPct+b.BankPct)
		}
		if i > 0 && b.UpToWan <= p.Loan.Bands[i-1].UpToWan {
			add("loan bands are not ascending")
		}
	}
	if n := len(p.Loan.Bands); n > 0 && p.Loan.Bands[n-1].UpToWan != p.Loan.MaxWan {
		add("loan: last band ends at %v, cap is %v", p.Loan.Bands[n-1].UpToWan, p.Loan.MaxWan)
	}
	for _, t := range []domain.Tier{domain.Tier1, domain.Tier2, domain.Tier3} {
		if _, ok := p.Loan.MarginBP[t]; !ok {
			add("loan: no rate margin for tier %s", t)
		}
		if _, ok := p.Futures.OTCCreditWan[t]; !ok {
			add("futures: no OTC credit for tier %s", t)
		}
	}
	if len(p.Products) == 0 {
		add("no products")
	}
	for _, pr := range p.Products {
		if pr.ID == "" || pr.Name == "" || pr.Clause == "" {
			add("product %q: id, name and clause are required", pr.ID)
		}
		if ids["prod:"+pr.ID] {
			add("duplicate product id %q", pr.ID)
		}
		ids["prod:"+pr.ID] = true
	}
	div := map[string]string{}
	for _, c := range p.Counties {
		if c.ID == "" || c.Name == "" {
			add("county %q: id and name are required", c.ID)
		}
		if c.Phone == "" {
			add("county %q: no phone", c.ID)
		}
		if ids["county:"+c.ID] {
			add("duplicate county id %q", c.ID)
		}
		ids["county:"+c.ID] = true
		for _, d := range c.Divisions {
			if len(d) != 6 {
				add("county %q: division code %q is not 6 digits", c.ID, d)
			}
			if other, dup := div[d]; dup {
				add("division code %s belongs to both %s and %s", d, other, c.ID)
			}
			div[d] = c.ID
		}
	}
	if len(p.Counties) == 0 {
		add("no counties")
	}
	for _, f := range p.FAQs {
		if f.ID == "" || len(f.Keywords) == 0 || (f.Answer == "" && f.Topic == "") || f.Clause == "" {
			add("faq %q: id, keywords, an answer or topic, and clause are required", f.ID)
		}
		if ids["faq:"+f.ID] {
			add("duplicate faq id %q", f.ID)
		}
		ids["faq:"+f.ID] = true
	}
	validIntents(p, add)
	if p.LPR <= 0 || p.LPR > 20 {
		add("lpr %v out of range", p.LPR)
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid policy: %s", strings.Join(errs, "; "))
	}
	return nil
}
