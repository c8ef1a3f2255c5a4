// Package seeds holds the 苏质融 policy as data — tiers and their criteria,
// eligibility conditions, products and their terms, the 11 county bureaus
// with contacts and division codes, FAQs and the LPR — in embedded YAML
// files, and loads them into a validated dialog.Policy.
//
// A rate or phone change is a data change in seeds/data (or, once the store
// has seeded the database, an officer's edit there), never a code change.
package seeds

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

//go:embed data/*.yaml
var data embed.FS

// File names inside the seed file system.
const (
	filePolicy      = "policy.yaml"
	fileRates       = "rates.yaml"
	fileEligibility = "eligibility.yaml"
	fileTiers       = "tiers.yaml"
	fileProducts    = "products.yaml"
	fileCounties    = "counties.yaml"
	fileFAQ         = "faq.yaml"
)

// countyIDs are the slugs of the 11 county-level bureaus of 附件2, in the
// notice's order. Leads and contact bindings refer to them, so they never
// change; the loader rejects any other set.
var countyIDs = []string{
	"zhangjiagang", "changshu", "taicang", "kunshan", "wujiang", "wuzhong",
	"xiangcheng", "gusu", "sip", "snd", "zjgftz",
}

// topics are the names a FAQ may give instead of a fixed answer; the bot
// computes those answers from the policy's numbers.
var topics = []string{"rates", "loan", "risk", "futures", "eligibility", "lpr", "tiers"}

var (
	phoneRe    = regexp.MustCompile(`^0512-\d{8}$`)
	divisionRe = regexp.MustCompile(`^3205\d{2}$`)
)

// Load parses the embedded seed files.
func Load() (*dialog.Policy, error) {
	sub, err := fs.Sub(data, "data")
	if err != nil {
		return nil, fmt.Errorf("load seeds: %w", err)
	}
	return Parse(sub)
}

// Parse reads the seed files from fsys (policy.yaml, rates.yaml,
// eligibility.yaml, tiers.yaml, products.yaml, counties.yaml, faq.yaml at its
// root), converts them to a dialog.Policy and validates it. The error lists
// every problem found, each naming its file.
func Parse(fsys fs.FS) (*dialog.Policy, error) {
	var (
		pol   policyDoc
		rates ratesDoc
		elig  eligibilityDoc
		tiers tiersDoc
		prods productsDoc
		cties countiesDoc
		faqs  faqDoc
	)
	var errs []error
	for _, f := range []struct {
		name string
		v    any
	}{
		{filePolicy, &pol}, {fileRates, &rates}, {fileEligibility, &elig},
		{fileTiers, &tiers}, {fileProducts, &prods}, {fileCounties, &cties},
		{fileFAQ, &faqs},
	} {
		if err := decode(fsys, f.name, f.v); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	p := &dialog.Policy{
		Version:  strings.TrimSpace(pol.Version),
		Title:    strings.TrimSpace(pol.Title),
		Platform: strings.TrimSpace(pol.Platform),
		LPR:      rates.LPR.OneYear,
		LPRDate:  strings.TrimSpace(rates.LPR.Effective),
	}
	ck := &checker{}
	ck.policy(p)
	ck.rates(p)
	p.Eligibility = ck.eligibility(elig)
	p.Criteria = ck.criteria(tiers)
	p.Loan, p.Futures, p.Products = ck.products(prods)
	p.Counties = ck.counties(cties)
	p.FAQs = ck.faqs(faqs, p.Platform)
	ck.understanding(fsys, p)
	if err := p.Validate(); err != nil {
		ck.errs = append(ck.errs, fmt.Errorf("validate seeds: %w", err))
	}
	if len(ck.errs) > 0 {
		return nil, errors.Join(ck.errs...)
	}
	p.Prepare()
	return p, nil
}

// decode reads one YAML document into v, rejecting unknown fields so that a
// misspelt key fails loudly instead of leaving a zero value.
func decode(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	return nil
}

// YAML shapes. They carry the tags; dialog types carry none.

type policyDoc struct {
	Version  string `yaml:"version"`
	Title    string `yaml:"title"`
	Platform string `yaml:"platform"`
}

type ratesDoc struct {
	LPR struct {
		OneYear   float64 `yaml:"one_year"`
		Effective string  `yaml:"effective"`
	} `yaml:"lpr"`
}

type eligibilityDoc struct {
	Conditions []struct {
		ID       string `yaml:"id"`
		Question string `yaml:"question"`
		Fail     string `yaml:"fail"`
		Clause   string `yaml:"clause"`
		PassOnNo bool   `yaml:"pass_on_no"`
		Explain  string `yaml:"explain"`
		Blocker  string `yaml:"blocker"`
		Advice   string `yaml:"advice"`
	} `yaml:"conditions"`
}

type tiersDoc struct {
	Criteria []struct {
		ID       string   `yaml:"id"`
		Tier     int      `yaml:"tier"`
		Name     string   `yaml:"name"`
		Keywords []string `yaml:"keywords"`
		Clause   string   `yaml:"clause"`
	} `yaml:"criteria"`
}

type productsDoc struct {
	Loan struct {
		MaxWan     float64     `yaml:"max_wan"`
		TermMonths int         `yaml:"term_months"`
		MarginBP   map[int]int `yaml:"margin_bp"`
		Bands      []struct {
			UpToWan float64 `yaml:"up_to_wan"`
			FundPct int     `yaml:"fund_pct"`
			BankPct int     `yaml:"bank_pct"`
		} `yaml:"bands"`
		Clause string `yaml:"clause"`
	} `yaml:"loan"`
	Futures struct {
		OTCCreditWan    map[int]int `yaml:"otc_credit_wan"`
		MarginEquityWan int         `yaml:"margin_equity_wan"`
		Clause          string      `yaml:"clause"`
	} `yaml:"futures"`
	Products []struct {
		ID       string         `yaml:"id"`
		Name     string         `yaml:"name"`
		Keywords []string       `yaml:"keywords"`
		Summary  string         `yaml:"summary"`
		Terms    map[int]string `yaml:"terms"`
		Clause   string         `yaml:"clause"`
		// Materials: what an enterprise prepares; the clause where the
		// notice speaks of the item, none where it is only typical.
		Materials []struct {
			Item   string `yaml:"item"`
			Clause string `yaml:"clause"`
		} `yaml:"materials"`
	} `yaml:"products"`
}

type countiesDoc struct {
	Counties []struct {
		ID        string   `yaml:"id"`
		Name      string   `yaml:"name"`
		Bureau    string   `yaml:"bureau"`
		Contact   string   `yaml:"contact"`
		Post      string   `yaml:"post"`
		Phone     string   `yaml:"phone"`
		Divisions []string `yaml:"divisions"`
	} `yaml:"counties"`
}

type faqDoc struct {
	FAQs []struct {
		ID       string   `yaml:"id"`
		Keywords []string `yaml:"keywords"`
		Question string   `yaml:"question"`
		Answer   string   `yaml:"answer"`
		Topic    string   `yaml:"topic"`
		Clause   string   `yaml:"clause"`
	} `yaml:"faqs"`
}

// checker converts the documents and collects the seeds-specific problems
// that dialog.Policy.Validate does not know about.
type checker struct {
	errs []error
}

func (c *checker) addf(file, format string, a ...any) {
	c.errs = append(c.errs, fmt.Errorf("parse %s: %s", file, fmt.Sprintf(format, a...)))
}

// tier converts a tier number of the files, reporting numbers outside lo..hi.
func (c *checker) tier(file, what string, n, lo, hi int) (domain.Tier, bool) {
	if n < lo || n > hi {
		c.addf(file, "%s: unknown tier %d (want %d–%d)", what, n, lo, hi)
		return domain.TierUnknown, false
	}
	return domain.Tier(n), true
}

func (c *checker) policy(p *dialog.Policy) {
	if p.Title == "" {
		c.addf(filePolicy, "title is empty")
	}
	u, err := url.Parse(p.Platform)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		c.addf(filePolicy, "platform %q is not an https address", p.Platform)
	}
}

func (c *checker) rates(p *dialog.Policy) {
	if _, err := time.Parse(time.DateOnly, p.LPRDate); err != nil {
		c.addf(fileRates, "lpr effective date %q is not YYYY-MM-DD", p.LPRDate)
	}
}

func (c *checker) eligibility(d eligibilityDoc) []dialog.Condition {
	out := make([]dialog.Condition, 0, len(d.Conditions))
	for _, e := range d.Conditions {
		q := strings.TrimSpace(e.Question)
		if !strings.HasSuffix(q, "？") && !strings.HasSuffix(q, "?") {
			c.addf(fileEligibility, "condition %q: question does not end with a question mark", e.ID)
		}
		if strings.TrimSpace(e.Fail) == "" {
			c.addf(fileEligibility, "condition %q: no fail text", e.ID)
		}
		out = append(out, dialog.Condition{
			ID: e.ID, Question: q, Fail: strings.TrimSpace(e.Fail), Clause: e.Clause, PassOnNo: e.PassOnNo,
			Explain: strings.TrimSpace(e.Explain), Blocker: e.Blocker, Advice: strings.TrimSpace(e.Advice),
		})
		if strings.TrimSpace(e.Explain) == "" {
			c.addf(fileEligibility, "condition %q: no explain text", e.ID)
		}
	}
	return out
}

func (c *checker) criteria(d tiersDoc) []dialog.Criterion {
	owner := map[string]string{} // normalised keyword -> criterion id
	out := make([]dialog.Criterion, 0, len(d.Criteria))
	for _, cr := range d.Criteria {
		t, _ := c.tier(fileTiers, fmt.Sprintf("criterion %q", cr.ID), cr.Tier, 1, 4)
		kws := make([]string, 0, len(cr.Keywords))
		for i, k := range cr.Keywords {
			k = strings.TrimSpace(k)
			if k == "" {
				c.addf(fileTiers, "criterion %q: keyword %d is empty", cr.ID, i+1)
				continue
			}
			n := dialog.Normalize(k)
			if other, dup := owner[n]; dup {
				c.addf(fileTiers, "keyword %q belongs to both %s and %s", k, other, cr.ID)
			}
			owner[n] = cr.ID
			kws = append(kws, k)
		}
		out = append(out, dialog.Criterion{
			ID: cr.ID, Tier: t, Name: strings.TrimSpace(cr.Name), Keywords: kws, Clause: cr.Clause,
		})
	}
	return out
}

// perTier reads a per-tier number of the notice. Only Ⅰ–Ⅲ have
// tier-specific numbers, and each must be positive.
func (c *checker) perTier(what string, in map[int]int) map[domain.Tier]int {
	out := map[domain.Tier]int{}
	for _, n := range slices.Sorted(maps.Keys(in)) {
		v := in[n]
		if t, ok := c.tier(fileProducts, what, n, 1, 3); ok {
			if v <= 0 {
				c.addf(fileProducts, "%s: tier %s value %d is not positive", what, t, v)
			}
			out[t] = v
		}
	}
	return out
}

func (c *checker) products(d productsDoc) (dialog.Loan, dialog.Futures, []dialog.Product) {
	loan := dialog.Loan{
		MaxWan:     d.Loan.MaxWan,
		TermMonths: d.Loan.TermMonths,
		MarginBP:   c.perTier("loan margin_bp", d.Loan.MarginBP),
		Clause:     d.Loan.Clause,
	}
	if loan.TermMonths <= 0 {
		c.addf(fileProducts, "loan: term_months %d is not positive", loan.TermMonths)
	}
	if loan.Clause == "" {
		c.addf(fileProducts, "loan: no clause")
	}
	for i, b := range d.Loan.Bands {
		if b.FundPct < 0 || b.BankPct < 0 {
			c.addf(fileProducts, "loan band %d: negative share", i)
		}
		loan.Bands = append(loan.Bands, dialog.RiskBand{UpToWan: b.UpToWan, FundPct: b.FundPct, BankPct: b.BankPct})
	}

	fut := dialog.Futures{
		OTCCreditWan:    c.perTier("futures otc_credit_wan", d.Futures.OTCCreditWan),
		MarginEquityWan: d.Futures.MarginEquityWan,
		Clause:          d.Futures.Clause,
	}
	if fut.MarginEquityWan <= 0 {
		c.addf(fileProducts, "futures: margin_equity_wan %d is not positive", fut.MarginEquityWan)
	}
	if fut.Clause == "" {
		c.addf(fileProducts, "futures: no clause")
	}

	var prods []dialog.Product
	for _, pr := range d.Products {
		what := fmt.Sprintf("product %q", pr.ID)
		if len(pr.Keywords) == 0 || slices.ContainsFunc(pr.Keywords, func(k string) bool { return strings.TrimSpace(k) == "" }) {
			c.addf(fileProducts, "%s: keywords are missing or empty", what)
		}
		if hasDigit(pr.Summary) {
			c.addf(fileProducts, "%s: summary contains a number; numbers belong in loan, futures or terms", what)
		}
		var terms map[domain.Tier]string
		if len(pr.Terms) > 0 {
			terms = map[domain.Tier]string{}
		}
		for _, n := range slices.Sorted(maps.Keys(pr.Terms)) {
			text := pr.Terms[n]
			if t, ok := c.tier(fileProducts, what+" terms", n, 1, 4); ok {
				terms[t] = strings.TrimSpace(text)
			}
		}
		if len(pr.Materials) == 0 {
			c.addf(fileProducts, "%s: no materials", what)
		}
		var materials []dialog.Material
		for i, m := range pr.Materials {
			if strings.TrimSpace(m.Item) == "" || hasDigit(m.Item) {
				c.addf(fileProducts, "%s: material %d is empty or contains a number", what, i)
			}
			materials = append(materials, dialog.Material{Item: strings.TrimSpace(m.Item), Clause: strings.TrimSpace(m.Clause)})
		}
		prods = append(prods, dialog.Product{
			ID: pr.ID, Name: pr.Name, Keywords: pr.Keywords,
			Summary: strings.TrimSpace(pr.Summary), Terms: terms, Clause: pr.Clause, Materials: materials,
		})
	}

	// The per-tier texts repeat numbers of loan and futures; they must agree.
	for _, want := range []struct {
		id     string
		byTier map[domain.Tier]int
		format string
	}{
		{"szd", loan.MarginBP, "LPR+%d个基点"},
		{"futures", fut.OTCCreditWan, "%d万元"},
	} {
		i := slices.IndexFunc(prods, func(p dialog.Product) bool { return p.ID == want.id })
		if i < 0 {
			c.addf(fileProducts, "product %q is missing", want.id)
			continue
		}
		pr := prods[i]
		for t := domain.Tier1; t <= domain.Tier3; t++ {
			v, ok := want.byTier[t]
			if !ok {
				continue // reported by Validate
			}
			if s := fmt.Sprintf(want.format, v); !strings.Contains(pr.Terms[t], s) {
				c.addf(fileProducts, "product %q: terms for tier %s do not say %q", pr.ID, t, s)
			}
		}
		if txt := pr.Terms[domain.Tier4]; txt == "" || hasDigit(txt) {
			c.addf(fileProducts, "product %q: terms for tier Ⅳ must be a text without numbers", pr.ID)
		}
	}
	return loan, fut, prods
}

func (c *checker) counties(d countiesDoc) []domain.County {
	seen := map[string]bool{}
	out := make([]domain.County, 0, len(d.Counties))
	for _, ct := range d.Counties {
		if !slices.Contains(countyIDs, ct.ID) {
			c.addf(fileCounties, "unknown county id %q", ct.ID)
		}
		seen[ct.ID] = true
		phone := strings.TrimSpace(ct.Phone)
		if !phoneRe.MatchString(phone) {
			c.addf(fileCounties, "county %q: phone %q is not 0512-dddddddd", ct.ID, phone)
		}
		if ct.Bureau == "" || ct.Contact == "" || ct.Post == "" {
			c.addf(fileCounties, "county %q: bureau, contact and post are required", ct.ID)
		}
		if strings.ContainsFunc(ct.Contact, unicode.IsSpace) {
			c.addf(fileCounties, "county %q: contact %q contains spaces", ct.ID, ct.Contact)
		}
		if len(ct.Divisions) == 0 {
			c.addf(fileCounties, "county %q: no division codes", ct.ID)
		}
		for _, dv := range ct.Divisions {
			if !divisionRe.MatchString(dv) {
				c.addf(fileCounties, "county %q: division code %q is not a Suzhou code 3205dd", ct.ID, dv)
			}
		}
		out = append(out, domain.County{
			ID: ct.ID, Name: ct.Name, Bureau: ct.Bureau, Contact: ct.Contact,
			Post: ct.Post, Phone: phone, Divisions: ct.Divisions,
		})
	}
	for _, id := range countyIDs {
		if !seen[id] {
			c.addf(fileCounties, "county %q is missing", id)
		}
	}
	return out
}

func (c *checker) faqs(d faqDoc, platform string) []dialog.FAQ {
	out := make([]dialog.FAQ, 0, len(d.FAQs))
	for _, f := range d.FAQs {
		answer := strings.TrimSpace(f.Answer)
		switch {
		case answer != "" && f.Topic != "":
			c.addf(fileFAQ, "faq %q: has both an answer and a topic", f.ID)
		case f.Topic != "" && !slices.Contains(topics, f.Topic):
			c.addf(fileFAQ, "faq %q: unknown topic %q (want one of %s)", f.ID, f.Topic, strings.Join(topics, ", "))
		}
		if strings.TrimSpace(f.Question) == "" {
			c.addf(fileFAQ, "faq %q: no question", f.ID)
		}
		if slices.ContainsFunc(f.Keywords, func(k string) bool { return strings.TrimSpace(k) == "" }) {
			c.addf(fileFAQ, "faq %q: empty keyword", f.ID)
		}
		rest := answer
		if platform != "" {
			rest = strings.ReplaceAll(rest, platform, "")
		}
		if strings.Contains(rest, "http") {
			c.addf(fileFAQ, "faq %q: answer names an address other than the platform of %s", f.ID, filePolicy)
		}
		if hasDigit(rest) {
			c.addf(fileFAQ, "faq %q: answer contains a number; use a topic so numbers come from one place", f.ID)
		}
		out = append(out, dialog.FAQ{
			ID: f.ID, Keywords: f.Keywords, Question: strings.TrimSpace(f.Question),
			Answer: answer, Topic: f.Topic, Clause: f.Clause,
		})
	}
	return out
}

// hasDigit reports whether s contains a digit, ASCII or full-width.
func hasDigit(s string) bool { return strings.ContainsFunc(s, unicode.IsDigit) }
