package dialog

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Products and policy questions: the list of financing products with the
// terms for the follower's tier, the 苏质贷 calculator, answers to free-text
// questions from the FAQ, and the county bureaus' contacts.

// Product ids the engine's entry keywords name, with terms computed here.
const (
	loanProductID    = "szd"
	futuresProductID = "futures"
)

// ProductListData is the data of "products".
type ProductListData struct {
	Products []Product
	Profile  Profile
}

// TierQuestionData is the data of "products_tier": the question for a tier
// the follower has not checked yet.
type TierQuestionData struct {
	Product string // the product asked about; "" in the calculator
}

// ProductData is the data of "products_detail".
type ProductData struct {
	Product Product
	Tier    domain.Tier // the tier the terms are for; unknown when not tier-specific
	Terms   string      // the product's terms for Tier
	Checked bool        // Tier comes from the follower's self-check
	// 苏质贷 only: its rate cap at today's LPR.
	IsLoan   bool
	HasRate  bool
	RatePct  float64
	MarginBP int
	LPR      float64
	LPRDate  string
	MaxWan   float64
	// The futures service only.
	IsFutures       bool
	MarginEquityWan int
	// Join is set for Ⅳ: the offer is to apply to join the library.
	Join bool
}

// CalcAmountData is the data of "calc_amount".
type CalcAmountData struct {
	Tier   domain.Tier
	MaxWan float64
}

// CalcOverCapData is the data of "calc_over_cap".
type CalcOverCapData struct {
	AmountWan, MaxWan float64
	Clause            string
}

// CalcTier4Data is the data of "calc_tier4".
type CalcTier4Data struct {
	Clause string
	Own    bool     // the follower's own saved tier is Ⅳ (not one named in the question)
	Next   []Option // numbered next steps
}

// CalcResultData is the data of "calc_result".
type CalcResultData struct {
	Tier        domain.Tier
	AmountWan   float64
	RatePct     float64
	MarginBP    int
	LPR         float64
	LPRDate     string
	InterestWan string // the interest cap for one year, 万元 with 2 decimals
	TermMonths  int
	FromWan     float64 // the risk band: above FromWan (0: from nothing) …
	UpToWan     float64 // … up to and including UpToWan
	FundPct     int
	BankPct     int
	Clause      string
	// Basis is the honour the tier was inferred from, when the message
	// named one and no tier was known: the tier is then provisional.
	Basis string
}

// FAQData is the data of "faq_answer": a fixed answer from the FAQ.
type FAQData struct {
	ID       string
	Question string
	Answer   string
	Clause   string
	// Next and Rate end an answer given at the menu: its numbered next
	// steps and the line asking to rate it (有用/没用).
	Next []Option
	Rate bool
}

// RateLine is one tier's 苏质贷 rate cap.
type RateLine struct {
	Tier     domain.Tier
	MarginBP int
	Pct      float64
}

// BandLine is one band of the principal-loss split.
type BandLine struct {
	FromWan, UpToWan float64
	FundPct, BankPct int
}

// OTCLine is one tier's OTC-option credit limit.
type OTCLine struct {
	Tier domain.Tier
	Wan  int
}

// TierLine is one tier with its criteria.
type TierLine struct {
	Tier     domain.Tier
	Criteria []Criterion
}

// TopicData is the data of the "faq_<topic>" templates: answers computed
// from the policy's numbers.
type TopicData struct {
	Topic           string
	Question        string // the FAQ's question, when one was matched
	Clause          string
	Profile         Profile
	LPR             float64
	LPRDate         string
	Rates           []RateLine
	MaxWan          float64
	TermMonths      int
	Bands           []BandLine
	OTC             []OTCLine
	MarginEquityWan int
	Conditions      []Condition
	Tiers           []TierLine
	Tier            domain.Tier // the tier the message named; Rates and OTC are narrowed to it
	// Next and Rate end an answer given at the menu, as FAQData's do.
	Next []Option
	Rate bool
}

// ContactsData is the data of "contacts" and "faq_unknown": the county
// bureaus, the follower's own first.
type ContactsData struct {
	Counties []domain.County
	Own      string // id of the follower's county, "" when unknown
	Recorded bool   // faq_unknown: the question was recorded for officers
}

// registerProducts registers this file's steps and entries (flows.go lists it).
func registerProducts() {
	entries["products"] = func(t *turn) { t.begin("products", "list") }
	entries["calc"] = startCalc
	entries["contacts"] = func(t *turn) { t.say("contacts", t.contactsData()) }

	register("products.list", step{
		ask:       func(t *turn) { t.say("products", ProductListData{Products: t.p.Products, Profile: t.s.Profile}) },
		answer:    answerProductList,
		help:      "products_help_list",
		questions: true, // a question at the list is answered and ends the list
	})
	register("products.tier", step{
		ask: func(t *turn) {
			pr, _ := t.p.Product(t.s.field("product"))
			t.say("products_tier", TierQuestionData{Product: pr.Name})
		},
		answer: answerProductTier,
		help:   "products_help_tier",
		unsure: func(t *turn) { answerProductTier(t, "5") }, // 不清楚: the self-check
	})
	register("calc.tier", step{
		ask:    func(t *turn) { t.say("products_tier", TierQuestionData{}) },
		answer: answerCalcTier,
		help:   "calc_help_tier",
		unsure: func(t *turn) { answerCalcTier(t, "5") }, // 不清楚: the self-check
	})
	register("calc.amount", step{
		ask:    askCalcAmount,
		answer: answerCalcAmount,
		help:   "calc_help_amount",
	})
}

// productChoices are the products as numbered choices.
func productChoices(p *Policy) []Option {
	opts := make([]Option, len(p.Products))
	for i, pr := range p.Products {
		opts[i] = Option{Key: pr.ID, Label: pr.Name, Words: pr.Keywords}
	}
	return opts
}

func answerProductList(t *turn, text string) {
	o, ok := t.choose(productChoices(t.p), text)
	_, numeric := numberList(text)
	if ok && (numeric || !looksLikeQuestion(text)) {
		t.showProduct(o.Key)
		return
	}
	// A question asked at the list: answer it if the FAQ can.
	if f, found := matchFAQ(t.p, text); found {
		t.end()
		t.answerFAQ(f)
		return
	}
	if ok {
		t.showProduct(o.Key)
		return
	}
	if looksLikeQuestion(text) {
		t.end()
		t.recordUnplaced(text)
		t.cannotAnswer()
		return
	}
	t.say("products_invalid", nil)
	steps[t.key()].ask(t)
}

// showProduct shows one product with the terms for the follower's tier,
// asking the tier first when the product's terms depend on it and the tier
// is unknown. The engine calls it for 苏质贷, 期货, 租赁, 担保 and 保险.
func (t *turn) showProduct(id string) {
	t.s.Topic = id
	pr, ok := t.p.Product(id)
	if !ok { // a product no longer offered: show what is
		t.start("products")
		return
	}
	tier, checked := t.knownTier()
	if len(pr.Terms) > 0 && !tier.Valid() {
		if t.s.Flow == "products" {
			t.set("product", id)
			t.next("tier")
			return
		}
		t.end()
		t.s.Flow, t.s.Step, t.s.Fields = "products", "tier", map[string]string{"product": id}
		steps[t.key()].ask(t)
		return
	}
	d := ProductData{Product: pr, Checked: checked, LPR: t.p.LPR, LPRDate: t.p.LPRDate, MaxWan: t.p.Loan.MaxWan}
	if len(pr.Terms) > 0 {
		d.Tier, d.Terms = tier, pr.TermsFor(tier)
		d.Join = tier == domain.Tier4
	}
	switch pr.ID {
	case loanProductID:
		d.IsLoan = true
		d.RatePct, d.MarginBP, d.HasRate = t.p.RateCap(tier)
	case futuresProductID:
		d.IsFutures = true
		d.MarginEquityWan = t.p.Futures.MarginEquityWan
	}
	t.say("products_detail", d)
	t.end()
}

// knownTier is the follower's tier: the saved self-check, else the answer
// to "您的质量信誉类型是？" in this flow.
func (t *turn) knownTier() (tier domain.Tier, checked bool) {
	if t.s.Profile.Tier.Valid() {
		return t.s.Profile.Tier, true
	}
	if n, err := strconv.Atoi(t.s.field("tier")); err == nil && domain.Tier(n).Valid() {
		return domain.Tier(n), false
	}
	return domain.TierUnknown, false
}

// tierAnswer reads the answer to "您的质量信誉类型是？ 1.Ⅰ类 … 5.不清楚":
// a tier, or unsure when the follower wants a self-check first.
func tierAnswer(text string) (tier domain.Tier, unsure, ok bool) {
	n := strings.TrimRight(Normalize(text), "。.!！")
	if strings.Contains(n, "不清楚") || strings.Contains(n, "不知道") || strings.Contains(n, "自检") || n == "5" {
		return domain.TierUnknown, true, true
	}
	n = strings.TrimPrefix(n, "质量信誉")
	n = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "企业"), "类"), "级")
	tiers := map[string]domain.Tier{
		"1": domain.Tier1, "ⅰ": domain.Tier1, "i": domain.Tier1, "一": domain.Tier1,
		"2": domain.Tier2, "ⅱ": domain.Tier2, "ii": domain.Tier2, "二": domain.Tier2,
		"3": domain.Tier3, "ⅲ": domain.Tier3, "iii": domain.Tier3, "三": domain.Tier3,
		"4": domain.Tier4, "ⅳ": domain.Tier4, "iv": domain.Tier4, "四": domain.Tier4,
	}
	if v, found := tiers[n]; found {
		return v, false, true
	}
	return domain.TierUnknown, false, false
}

func answerProductTier(t *turn, text string) {
	tier, unsure, ok := tierAnswer(text)
	switch {
	case !ok:
		t.say("products_tier_invalid", nil)
		steps[t.key()].ask(t)
	case unsure:
		t.start("selfcheck")
	default:
		t.set("tier", strconv.Itoa(int(tier)))
		t.showProduct(t.s.field("product"))
	}
}

// startCalc starts the 苏质贷 calculator: the tier first when unknown.
func startCalc(t *turn) {
	t.s.Topic = formLoanProduct
	switch tier := t.s.Profile.Tier; {
	case tier == domain.Tier4:
		t.say("calc_tier4", t.tier4Data(true))
	case tier.Valid():
		t.begin("calc", "amount")
	default:
		t.begin("calc", "tier")
	}
}

// tier4Data is the honest answer to a Ⅳ类 enterprise's rate question,
// with next steps it can act on.
func (t *turn) tier4Data(own bool) CalcTier4Data {
	d := CalcTier4Data{Clause: t.p.Loan.Clause, Own: own}
	if own {
		d.Next = nextChoices(formLoanProduct)
		t.s.Fields = map[string]string{"offer": formLoanProduct}
	}
	return d
}

func answerCalcTier(t *turn, text string) {
	tier, unsure, ok := tierAnswer(text)
	_, _, hasCap := t.p.RateCap(tier)
	switch {
	case !ok:
		t.say("products_tier_invalid", nil)
		steps[t.key()].ask(t)
	case unsure:
		t.start("selfcheck")
	case !hasCap:
		t.say("calc_tier4", CalcTier4Data{Clause: t.p.Loan.Clause})
		t.end()
	default:
		t.set("tier", strconv.Itoa(int(tier)))
		t.next("amount")
	}
}

func askCalcAmount(t *turn) {
	tier, _ := t.knownTier()
	t.say("calc_amount", CalcAmountData{Tier: tier, MaxWan: t.p.Loan.MaxWan})
}

func answerCalcAmount(t *turn, text string) {
	amount, ok := parseWan(text)
	if !ok && hasHan(text) && (looksLikeQuestion(text) || containsAny(t.p.Fold(text), practicalWords)) {
		// A question the calculator cannot place (questions about the
		// calculation were answered before, keeping it): the enterprise
		// has moved on (多久能放款); the calculator is left and the
		// message answered.
		t.end()
		t.text(text)
		return
	}
	if !ok {
		t.say("calc_bad_amount", nil)
		askCalcAmount(t)
		return
	}
	band, inBand := t.p.Band(amount)
	if amount > t.p.Loan.MaxWan || !inBand {
		t.say("calc_over_cap", CalcOverCapData{AmountWan: amount, MaxWan: t.p.Loan.MaxWan, Clause: t.p.Loan.Clause})
		askCalcAmount(t)
		return
	}
	tier, _ := t.knownTier()
	pct, bp, _ := t.p.RateCap(tier)
	d := CalcResultData{
		Tier: tier, AmountWan: amount, RatePct: pct, MarginBP: bp, LPR: t.p.LPR, LPRDate: t.p.LPRDate,
		InterestWan: strconv.FormatFloat(math.Round(amount*pct)/100, 'f', 2, 64),
		TermMonths:  t.p.Loan.TermMonths,
		UpToWan:     band.UpToWan, FundPct: band.FundPct, BankPct: band.BankPct, Clause: t.p.Loan.Clause,
	}
	for _, b := range t.p.Loan.Bands {
		if b.UpToWan < band.UpToWan {
			d.FromWan = b.UpToWan
		}
	}
	// The flow stays at the amount: the next number is another calculation.
	t.say("calc_result", d)
}

func (t *turn) answerFAQ(f FAQ) {
	if f.ID == "banks" && t.s.Idle() {
		t.banks(t.in.Text) // banks.go: from the service's records
		return
	}
	if f.Topic != "" {
		t.topic(f.Topic, f.Question, f.Clause)
		return
	}
	t.say("faq_answer", FAQData{ID: f.ID, Question: f.Question, Answer: f.Answer, Clause: f.Clause})
	t.markAnswer(f.ID, "")
}

// topics are the answers computed from the policy, by FAQ topic name.
var topics = []string{"rates", "loan", "risk", "futures", "eligibility", "lpr", "tiers"}

// answerTopic answers a topic directly (利率 → rates), citing the clause
// of the FAQ entry with that topic, or the clause the numbers come from.
func (t *turn) answerTopic(topic string) {
	for _, f := range t.p.FAQs {
		if f.Topic == topic {
			t.topic(topic, "", f.Clause)
			return
		}
	}
	t.topic(topic, "", "")
}

func (t *turn) topic(topic, question, clause string) {
	switch topic {
	case "rates", "loan", "risk", "lpr":
		t.s.Topic = formLoanProduct
	case "futures":
		t.s.Topic = "futures"
	case "eligibility", "tiers":
		t.s.Topic = topicJoin
	}
	if !slices.Contains(topics, topic) {
		t.cannotAnswer()
		return
	}
	p := t.p
	d := TopicData{
		Topic: topic, Question: question, Clause: clause, Profile: t.s.Profile,
		LPR: p.LPR, LPRDate: p.LPRDate, MaxWan: p.Loan.MaxWan, TermMonths: p.Loan.TermMonths,
		MarginEquityWan: p.Futures.MarginEquityWan, Conditions: p.Eligibility,
	}
	for _, tier := range checkTiers {
		if pct, bp, ok := p.RateCap(tier); ok {
			d.Rates = append(d.Rates, RateLine{Tier: tier, MarginBP: bp, Pct: pct})
		}
		if wan, ok := p.Futures.OTCCreditWan[tier]; ok {
			d.OTC = append(d.OTC, OTCLine{Tier: tier, Wan: wan})
		}
	}
	from := 0.0
	for _, b := range p.Loan.Bands {
		d.Bands = append(d.Bands, BandLine{FromWan: from, UpToWan: b.UpToWan, FundPct: b.FundPct, BankPct: b.BankPct})
		from = b.UpToWan
	}
	for tier := domain.Tier1; tier <= domain.Tier4; tier++ {
		d.Tiers = append(d.Tiers, TierLine{Tier: tier, Criteria: p.CriteriaOf(tier)})
	}
	if d.Clause == "" {
		d.Clause = topicClause(p, topic)
	}
	t.say("faq_"+topic, d)
	t.markAnswer(t.faqOfTopic(topic, question), t.s.Topic)
}

// topicClause is the clause a computed answer's numbers come from.
func topicClause(p *Policy, topic string) string {
	var clauses []string
	add := func(c string) {
		if c != "" && !slices.Contains(clauses, c) {
			clauses = append(clauses, c)
		}
	}
	switch topic {
	case "futures":
		add(p.Futures.Clause)
	case "eligibility":
		for _, c := range p.Eligibility {
			add(c.Clause)
		}
	case "tiers":
		for _, c := range p.Criteria {
			add(c.Clause)
		}
	default:
		add(p.Loan.Clause)
	}
	return strings.Join(clauses, "、")
}

// cannotAnswer says that a question has no reliable answer here, what the
// bot can do, and who can answer: 人工, and the follower's own county when
// known (never every county's phone).
func (t *turn) cannotAnswer() {
	if t.s.Profile.Ticket != 0 {
		// The message went to the person answering the open ticket.
		t.say("ticket_appended", nil)
		return
	}
	d := ContactsData{Recorded: t.recorded}
	if c, ok := t.p.County(t.s.Profile.County); ok {
		d.Counties, d.Own = []domain.County{c}, c.ID
	}
	t.say("faq_unknown", d)
}

// contactsData lists the county bureaus, the follower's own first.
func (t *turn) contactsData() ContactsData {
	d := ContactsData{Own: t.s.Profile.County}
	own, ok := t.p.County(d.Own)
	if !ok {
		d.Own = ""
		return ContactsData{Counties: t.p.Counties}
	}
	d.Counties = append(d.Counties, own)
	for _, c := range t.p.Counties {
		if c.ID != own.ID {
			d.Counties = append(d.Counties, c)
		}
	}
	return d
}
