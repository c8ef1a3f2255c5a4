package dialog

import (
	"math"
	"strconv"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Understanding, step three: answers that use what the message named.

// ChatData is the data of the small-talk replies (chat_greeting, chat_thanks,
// chat_bye, chat_robot, chat_about) and of out_of_scope.
type ChatData struct {
	Profile Profile
}

// ClarifyData is the data of "clarify": which of two topics was meant.
type ClarifyData struct {
	Options []Option
}

// HonourData is the data of "honour_tier": the provisional tier of the
// honours an enterprise named in a question.
type HonourData struct {
	Criteria []Criterion // what was named, in policy order
	Tier     domain.Tier // the highest tier among them
	Clause   string
	None     bool // the enterprise said it has none: Ⅳ
	// The 苏质贷 rate cap of that tier, when the message asks about rates.
	HasRate    bool
	RatePct    float64
	MarginBP   int
	LPR        float64
	LPRDate    string
	LoanClause string
}

// rateWords ask about the cost of a loan.
var rateWords = []string{"利率", "利息", "利钱", "几个点", "多少点", "贷款成本"}

// AmountLine is one tier's cost of a 苏质贷 loan of a given amount.
type AmountLine struct {
	Tier        domain.Tier
	RatePct     float64
	MarginBP    int
	InterestWan string
}

// AmountData is the data of "calc_compare": a loan amount asked about
// without a known tier, costed for Ⅰ–Ⅲ side by side.
type AmountData struct {
	AmountWan   float64
	Lines       []AmountLine
	LPR         float64
	LPRDate     string
	TermMonths  int
	FromWan     float64
	UpToWan     float64
	FundPct     int
	BankPct     int
	Clause      string
	CheckedTier domain.Tier
}

// ContactData is the data of "contact_one": one county's bureau.
type ContactData struct {
	County domain.County
	Own    bool // it is the follower's own county
}

// act answers an understood message.
func (t *turn) act(in Intent, u Understanding, text string) {
	switch in.Action {
	case "faq":
		t.end()
		t.faqWithSlots(t.specificFAQ(in.FAQ, text), u.Slots)
	case "greeting", "thanks", "bye", "robot", "about":
		t.say("chat_"+in.Action, ChatData{Profile: t.s.Profile})
	case "out_of_scope":
		t.say("out_of_scope", ChatData{Profile: t.s.Profile})
	case "contacts":
		t.end()
		t.contactsFor(u.Slots.County)
	case "honour":
		t.honour(text, u.Slots)
	case "progress":
		t.end()
		t.emit(ListLeads{Number: u.Slots.Lead})
	case "calc":
		if u.Slots.AmountWan > 0 {
			t.end()
			t.amountAnswer(u.Slots)
			return
		}
		tier := u.Slots.Tier
		if !tier.Valid() || t.s.Profile.Tier.Valid() {
			t.start("calc") // asks the tier unless the self-check gave it
			return
		}
		t.end()
		if _, _, ok := t.p.RateCap(tier); !ok {
			t.say("calc_tier4", CalcTier4Data{Clause: t.p.Loan.Clause})
			return
		}
		// The tier named: straight to the amount.
		t.s.Flow, t.s.Step = "calc", "amount"
		t.s.Fields = map[string]string{"tier": strconv.Itoa(int(tier))}
		steps[t.key()].ask(t)
	case "selfcheck", "apply", "need", "products":
		t.start(in.Action)
	case "human":
		t.handoff()
	default:
		t.cannotAnswer()
	}
}

// faqWithSlots answers FAQ id; an amount turns the loan topics into the
// cost of that amount, a tier narrows rates and futures to it.
func (t *turn) faqWithSlots(id string, sl Slots) {
	var f FAQ
	for _, x := range t.p.FAQs {
		if x.ID == id {
			f = x
		}
	}
	switch f.Topic {
	case "rates", "loan", "risk", "lpr":
		if sl.AmountWan > 0 {
			t.amountAnswer(sl)
			return
		}
	}
	own := !sl.Tier.Valid() && t.s.Profile.Tier == domain.Tier4
	if (sl.Tier == domain.Tier4 || own) && (f.Topic == "rates" || f.Topic == "loan") {
		t.end()
		t.say("calc_tier4", t.tier4Data(own)) // Ⅳ has no rate cap
		return
	}
	if f.Topic != "" && sl.Tier.Valid() {
		t.topicFor(f.Topic, f.Question, f.Clause, sl.Tier)
		return
	}
	t.answerFAQ(f)
}

// amountAnswer gives the rate and interest caps and the risk split of a 苏质贷
// loan of the amount named: for the tier named or checked, else for the
// tier the honours named in the same message give (provisionally), else
// for Ⅰ–Ⅲ side by side. An amount over the cap says so.
func (t *turn) amountAnswer(sl Slots) {
	p := t.p
	amount := sl.AmountWan
	band, inBand := p.Band(amount)
	if amount > p.Loan.MaxWan || !inBand {
		t.say("amount_over_cap", CalcOverCapData{AmountWan: amount, MaxWan: p.Loan.MaxWan, Clause: p.Loan.Clause})
		return
	}
	from := 0.0
	for _, b := range p.Loan.Bands {
		if b.UpToWan < band.UpToWan {
			from = b.UpToWan
		}
	}
	tier := sl.Tier
	if !tier.Valid() {
		tier = t.s.Profile.Tier
	}
	var basis string
	if !tier.Valid() && len(sl.Honours) > 0 {
		best := bestCriterion(sortedCriteria(p, sl.Honours))
		tier, basis = best.Tier, best.Name
	}
	if tier == domain.Tier4 {
		t.say("calc_tier4", CalcTier4Data{Clause: p.Loan.Clause})
		return
	}
	if pct, bp, ok := p.RateCap(tier); ok {
		// The calculator's own answer; the flow waits at the amount so that
		// the next number is costed too.
		t.s.Flow, t.s.Step, t.s.History = "calc", "amount", nil
		t.s.Fields, t.s.Picks = map[string]string{"tier": strconv.Itoa(int(tier))}, nil
		t.say("calc_result", CalcResultData{
			Tier: tier, AmountWan: amount, RatePct: pct, MarginBP: bp, LPR: p.LPR, LPRDate: p.LPRDate,
			InterestWan: interestWan(amount, pct), TermMonths: p.Loan.TermMonths,
			FromWan: from, UpToWan: band.UpToWan, FundPct: band.FundPct, BankPct: band.BankPct, Clause: p.Loan.Clause,
			Basis: basis,
		})
		return
	}
	d := AmountData{
		AmountWan: amount, LPR: p.LPR, LPRDate: p.LPRDate, TermMonths: p.Loan.TermMonths,
		FromWan: from, UpToWan: band.UpToWan, FundPct: band.FundPct, BankPct: band.BankPct, Clause: p.Loan.Clause,
	}
	for _, tr := range checkTiers {
		if pct, bp, ok := p.RateCap(tr); ok {
			d.Lines = append(d.Lines, AmountLine{Tier: tr, RatePct: pct, MarginBP: bp, InterestWan: interestWan(amount, pct)})
		}
	}
	t.say("calc_compare", d)
}

// bestCriterion is the criterion of the highest tier among cs (not empty).
func bestCriterion(cs []Criterion) Criterion {
	best := cs[0]
	for _, c := range cs {
		if c.Tier < best.Tier {
			best = c
		}
	}
	return best
}

func interestWan(amount, pct float64) string {
	return strconv.FormatFloat(math.Round(amount*pct)/100, 'f', 2, 64)
}

// topicFor answers a computed topic for one tier only.
func (t *turn) topicFor(topic, question, clause string, tier domain.Tier) {
	n := len(t.replies)
	t.topic(topic, question, clause)
	if len(t.replies) != n+1 {
		return
	}
	d, ok := t.replies[n].Data.(TopicData)
	if !ok {
		return
	}
	var rates []RateLine
	for _, r := range d.Rates {
		if r.Tier == tier {
			rates = append(rates, r)
		}
	}
	var otc []OTCLine
	for _, o := range d.OTC {
		if o.Tier == tier {
			otc = append(otc, o)
		}
	}
	if len(rates) > 0 || topic != "rates" && topic != "loan" && topic != "lpr" {
		d.Rates = rates
	}
	if len(otc) > 0 {
		d.OTC = otc
	}
	d.Tier = tier
	t.replies[n].Data = d
}

// contactsFor answers "whom do I contact": the county named, else the
// follower's own, else every county.
func (t *turn) contactsFor(id string) {
	own := t.s.Profile.County
	if id == "" {
		id = own
	}
	if c, ok := t.p.County(id); ok {
		t.say("contact_one", ContactData{County: c, Own: c.ID == own})
		return
	}
	t.say("contacts", t.contactsData())
}

// honour places honours named in a question in their tier, provisionally:
// the conditions of the library still have to be met, which the self-check
// confirms. Honours described in a statement start the self-check.
func (t *turn) honour(text string, sl Slots) {
	t.end()
	t.s.Topic = topicJoin
	switch {
	case len(sl.Honours) > 0:
		cs := sortedCriteria(t.p, sl.Honours)
		rate := hasAny(bare(text), rateWords)
		if !looksLikeQuestion(text) && !rate {
			t.describedCheck(text, cs)
			return
		}
		best := bestCriterion(cs)
		d := HonourData{Criteria: cs, Tier: best.Tier, Clause: best.Clause}
		if rate {
			d.RatePct, d.MarginBP, d.HasRate = t.p.RateCap(best.Tier)
			d.LPR, d.LPRDate, d.LoanClause = t.p.LPR, t.p.LPRDate, t.p.Loan.Clause
		}
		t.say("honour_tier", d)
	case sl.NoHonours:
		d := HonourData{Tier: domain.Tier4, None: true}
		if cs := t.p.CriteriaOf(domain.Tier4); len(cs) > 0 {
			d.Clause = cs[0].Clause
		}
		t.say("honour_tier", d)
	default:
		t.start("selfcheck")
	}
}

// clarifyOptions are the two intents a message may have meant.
func (t *turn) clarify(u Understanding, text string) {
	a, okA := t.p.Intent(u.Intent)
	b, okB := t.p.Intent(u.Second)
	if !okA || !okB {
		t.cannotAnswer()
		return
	}
	if t.s.Profile.Tier == domain.Tier4 && t.loanFAQ(a) && t.loanFAQ(b) {
		// Rates or caps: for a Ⅳ类 enterprise both have one honest answer.
		t.end()
		t.say("calc_tier4", t.tier4Data(true))
		return
	}
	t.end()
	t.s.Flow, t.s.Step = "clarify", "pick"
	t.s.Fields = map[string]string{"a": a.ID, "b": b.ID, "text": text}
	steps[t.key()].ask(t)
}

// loanFAQ reports whether an intent answers the 苏质贷 rates or caps.
func (t *turn) loanFAQ(in Intent) bool {
	if in.Action != "faq" {
		return false
	}
	for _, f := range t.p.FAQs {
		if f.ID == in.FAQ {
			return f.Topic == "rates" || f.Topic == "loan"
		}
	}
	return false
}

func clarifyChoices(t *turn) []Option {
	var opts []Option
	for _, k := range []string{"a", "b"} {
		if in, ok := t.p.Intent(t.s.field(k)); ok {
			opts = append(opts, Option{Key: in.ID, Label: in.Title})
		}
	}
	return opts
}

// registerClarify registers this file's steps and entries (flows.go lists it).
func registerClarify() {
	register("clarify.pick", step{
		ask: func(t *turn) { t.say("clarify", ClarifyData{Options: clarifyChoices(t)}) },
		answer: func(t *turn, text string) {
			text0 := t.s.field("text")
			if o, ok := exactChoice(clarifyChoices(t), text); ok {
				in, _ := t.p.Intent(o.Key)
				t.end()
				t.act(in, t.p.Understand(text0), text0)
				return
			}
			// Anything else is a new message.
			t.end()
			t.text(text)
		},
		questions: true,
		fresh:     true,
	})
}

// understood answers free text at the menu by the intent matcher; false
// when nothing fits well enough.
func (t *turn) understood(text string) bool {
	u := t.p.Understand(text)
	// An honour and a rate in one question ("有CCC认证，利率多少"): the
	// tier and its rate, whichever of the two topics scored higher.
	if len(u.Slots.Honours) > 0 && u.Slots.AmountWan == 0 && hasAny(bare(text), rateWords) {
		t.honour(text, u.Slots)
		return true
	}
	switch u.Verdict {
	case Confident:
		in, _ := t.p.Intent(u.Intent)
		t.act(in, u, text)
		return true
	case Unsure:
		t.clarify(u, text)
		return true
	}
	if u.Slots.Offtopic {
		// Not placed, but it names a topic this account does not serve:
		// say so rather than let a keyword give a policy answer.
		t.say("out_of_scope", ChatData{Profile: t.s.Profile})
		return true
	}
	return false
}

// answersAside reports whether an intent's answer may be given in the middle
// of a consultation, the step then asked again: answers, not flows.
func answersAside(action string) bool {
	switch action {
	case "faq", "contacts", "greeting", "thanks", "robot", "about", "out_of_scope":
		return true
	}
	return false
}

// aside answers a question asked in the middle of a consultation, when the
// matcher is sure of it; the caller asks the step again.
func (t *turn) aside(text string) bool {
	u := t.p.Understand(text)
	if u.Verdict != Confident {
		return false
	}
	in, _ := t.p.Intent(u.Intent)
	if !answersAside(in.Action) {
		return false
	}
	// In a self-check, saying what honours the enterprise has (or that it
	// has none: "暂时没拿过什么奖") answers the step.
	if t.s.Flow == "selfcheck" && (len(u.Slots.Honours) > 0 || u.Slots.NoHonours) {
		return false
	}
	s := t.s
	switch in.Action {
	case "faq":
		t.faqWithSlots(t.specificFAQ(in.FAQ, text), u.Slots)
	case "contacts":
		t.contactsFor(u.Slots.County)
	case "out_of_scope":
		t.say("out_of_scope", ChatData{Profile: t.s.Profile})
	default:
		t.say("chat_"+in.Action, ChatData{Profile: t.s.Profile})
	}
	// An aside never moves the conversation.
	t.s = s
	return true
}

// specificFAQ narrows an intent's FAQ to the entry whose keywords the text
// names, when both are answered by the same computed topic: 场外期权 asks
// the futures question of the OTC credit, not of the fees.
func (t *turn) specificFAQ(id, text string) string {
	f, ok := matchFAQ(t.p, text)
	if !ok || f.ID == id || f.Topic == "" {
		return id
	}
	for _, x := range t.p.FAQs {
		if x.ID == id && x.Topic == f.Topic {
			return f.ID
		}
	}
	return id
}

// choose reads a single choice like chooseOne and, failing that, through the
// same folding as the intent matcher, options and text alike: 繁體, typos of
// the domain's words, synonyms and fillers ("嗯那个期货套宝吧" picks
// 期货套期保值服务).
func (t *turn) choose(opts []Option, text string) (Option, bool) {
	if o, ok := chooseOne(opts, text); ok {
		return o, true
	}
	f := t.p.understanding().fold
	folded := make([]Option, len(opts))
	for i, o := range opts {
		folded[i] = Option{Key: o.Key, Label: f.fold(o.Label)}
		for _, w := range o.Words {
			folded[i].Words = append(folded[i].Words, f.fold(w))
		}
	}
	n := f.fold(text)
	if n == "" || isDigits(n) {
		return Option{}, false
	}
	o, ok := chooseOne(folded, n)
	if !ok {
		return Option{}, false
	}
	for _, orig := range opts {
		if orig.Key == o.Key {
			return orig, true
		}
	}
	return Option{}, false
}
