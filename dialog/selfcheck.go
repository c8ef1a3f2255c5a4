package dialog

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
)

// The self-check (质量信誉自检): the eligibility conditions of 企业库范围 as
// yes/no questions, then the criteria of 附件1 tier by tier from Ⅰ down, or
// a free-text description of the enterprise's honours; the highest tier met
// wins. The result is saved on the follower's profile and shown again on the
// next visit.

// maxConditions is how many eligibility conditions the self-check can ask:
// each one is its own step, so that 返回 goes back one question.
const maxConditions = 32

// checkTiers are the tiers asked as lists, highest first; Ⅳ is what remains.
var checkTiers = []domain.Tier{domain.Tier1, domain.Tier2, domain.Tier3}

// SelfCheckIntroData is the data of "selfcheck", shown when a check starts.
type SelfCheckIntroData struct {
	Conditions int // how many yes/no questions come first
}

// SelfCheckSavedData is the data of "selfcheck_saved": a result saved earlier.
type SelfCheckSavedData struct {
	Tier      domain.Tier
	Criteria  []Criterion
	CheckedAt time.Time
}

// SelfCheckConditionData is the data of "selfcheck_condition".
type SelfCheckConditionData struct {
	Number, Total int
	Condition     Condition
}

// SelfCheckFailData is the data of "selfcheck_failed".
type SelfCheckFailData struct {
	Condition Condition
}

// SelfCheckTierData is the data of "selfcheck_tier": one tier's criteria.
type SelfCheckTierData struct {
	Tier     domain.Tier
	Criteria []Criterion
	First    bool // the first list also invites a free-text description
}

// SelfCheckConfirmData is the data of "selfcheck_confirm": what free text
// was understood to say.
type SelfCheckConfirmData struct {
	Matches []Criterion // empty: nothing of Ⅰ–Ⅲ was found
	Tier    domain.Tier // the tier the matches give
}

// SelfCheckResultData is the data of "selfcheck_result".
type SelfCheckResultData struct {
	Tier     domain.Tier
	Criteria []Criterion // the criteria that set the tier
	// Terms of 苏质贷 and futures for Ⅰ–Ⅲ.
	HasRate   bool
	RatePct   float64
	MarginBP  int
	LPR       float64
	LPRDate   string
	MaxWan    float64
	HasOTC    bool
	OTCWan    int
	LoanRef   string // clause of 苏质贷
	FutRef    string // clause of the futures service
	Products  []string
	NextTier  domain.Tier // the tier one up; unknown for Ⅰ
	NextSteps []Criterion // a couple of its criteria
	// Open are the conditions of 二 left open (跳过): the enterprise can
	// join only once they are confirmed.
	Open []Condition
}

// registerSelfCheck registers this file's steps and entries (flows.go lists it).
func registerSelfCheck() {
	entries["selfcheck"] = func(t *turn) {
		if t.s.Profile.Tier.Valid() {
			t.begin("selfcheck", "saved")
			return
		}
		t.startCheck()
	}
	register("selfcheck.saved", step{
		ask:    askSaved,
		answer: answerSaved,
		help:   "selfcheck_help_saved",
		claims: func(t *turn, text string) bool { return isCheckAgain(text) },
	})
	for i := 0; i < maxConditions; i++ {
		register("selfcheck."+condStep(i), step{
			ask:     func(t *turn) { askCondition(t, i) },
			answer:  func(t *turn, text string) { answerCondition(t, i, text) },
			help:    "selfcheck_help_condition",
			yesno:   true,
			factual: true,
			skip:    func(t *turn) { skipCondition(t, i) },
			unsure:  func(t *turn) { unsureCondition(t, i) },
		})
	}
	for _, tier := range checkTiers {
		register("selfcheck."+tierStep(tier), step{
			ask:    func(t *turn) { askTierList(t, tier) },
			answer: func(t *turn, text string) { answerTierList(t, tier, text) },
			help:   "selfcheck_help_tier",
			// A description that names a criterion is an answer here even
			// when it is also an entry keyword.
			claims: func(t *turn, text string) bool { return len(matchCriteria(t.p, text)) > 0 },
			unsure: func(t *turn) {
				t.say("selfcheck_unsure_tier", SelfCheckTierData{Tier: tier})
				askTierList(t, tier)
			},
		})
	}
	register("selfcheck.confirm", step{
		ask:    askConfirm,
		answer: answerConfirm,
		help:   "selfcheck_help_confirm",
		yesno:  true,
	})
}

func condStep(i int) string         { return "cond" + strconv.Itoa(i) }
func tierStep(t domain.Tier) string { return "tier" + strconv.Itoa(int(t)) }

// startCheck begins a fresh self-check.
func (t *turn) startCheck() {
	t.say("selfcheck", SelfCheckIntroData{Conditions: min(len(t.p.Eligibility), maxConditions)})
	if len(t.p.Eligibility) == 0 {
		t.begin("selfcheck", tierStep(checkTiers[0]))
		return
	}
	t.begin("selfcheck", condStep(0))
}

// criteriaByID looks up criteria ids, skipping any no longer in the policy.
func criteriaByID(p *Policy, ids []string) []Criterion {
	var out []Criterion
	for _, id := range ids {
		if c, ok := p.Criterion(id); ok {
			out = append(out, c)
		}
	}
	return out
}

func askSaved(t *turn) {
	pr := t.s.Profile
	t.say("selfcheck_saved", SelfCheckSavedData{Tier: pr.Tier, Criteria: criteriaByID(t.p, pr.Criteria), CheckedAt: pr.CheckedAt})
}

// isCheckAgain reads "check again" on the saved result.
func isCheckAgain(text string) bool {
	n := strings.TrimRight(Normalize(text), "。.!！")
	return n == "1" || strings.Contains(n, "重新") || strings.Contains(n, "再测") ||
		strings.Contains(n, "再检") || n == "自检" || n == "自测" || n == "质量信誉自检"
}

func answerSaved(t *turn, text string) {
	n := strings.TrimRight(Normalize(text), "。.!！")
	switch {
	case isCheckAgain(text):
		t.end()
		t.startCheck()
	case n == "2" || strings.Contains(n, "菜单") || strings.Contains(n, "返回"):
		t.end()
		t.menu()
	default:
		t.say("selfcheck_saved_invalid", nil)
		askSaved(t)
	}
}

func askCondition(t *turn, i int) {
	if i >= len(t.p.Eligibility) || i >= maxConditions {
		t.jump(tierStep(checkTiers[0]))
		return
	}
	t.say("selfcheck_condition", SelfCheckConditionData{
		Number: i + 1, Total: min(len(t.p.Eligibility), maxConditions), Condition: t.p.Eligibility[i],
	})
}

func answerCondition(t *turn, i int, text string) {
	// A free answer that states a fact of 二 (前年环保罚过一次, 我们在常州注册的)
	// decides the condition it is about, whichever question was asked.
	if c, blocked, met := t.blockedCondition(i, text); blocked {
		t.say("selfcheck_failed", SelfCheckFailData{Condition: c})
		t.end()
		return
	} else if met {
		advanceCondition(t, i)
		return
	}
	yes, ok := t.yesNo(text)
	if !ok {
		t.say("selfcheck_yesno_invalid", nil)
		askCondition(t, i)
		return
	}
	if !t.p.Eligibility[i].Met(yes) {
		t.say("selfcheck_failed", SelfCheckFailData{Condition: t.p.Eligibility[i]})
		t.end()
		return
	}
	advanceCondition(t, i)
}

// skipCondition leaves condition i open: the result says it is still to be
// confirmed.
func skipCondition(t *turn, i int) {
	if i >= len(t.p.Eligibility) {
		return
	}
	open := t.s.field("open")
	if open != "" {
		open += ","
	}
	t.set("open", open+t.p.Eligibility[i].ID)
	t.say("selfcheck_skipped", SelfCheckConditionData{Condition: t.p.Eligibility[i]})
	advanceCondition(t, i)
}

// unsureCondition explains condition i in plain words and offers to skip it.
func unsureCondition(t *turn, i int) {
	if i >= len(t.p.Eligibility) {
		return
	}
	t.say("selfcheck_unsure", SelfCheckConditionData{Number: i + 1, Condition: t.p.Eligibility[i]})
	askCondition(t, i)
}

// openConditions are the conditions skipped in this check.
func (t *turn) openConditions() []Condition {
	var out []Condition
	for _, id := range strings.Split(t.s.field("open"), ",") {
		for _, c := range t.p.Eligibility {
			if c.ID == id && id != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// advanceCondition moves on from condition i, met or left open.
func advanceCondition(t *turn, i int) {
	if i+1 < len(t.p.Eligibility) && i+1 < maxConditions {
		t.next(condStep(i + 1))
		return
	}
	t.s.Picks = nil
	if described := t.s.field("described"); described != "" {
		// Honours described before the check began: confirm them instead
		// of asking the lists.
		if m := matchCriteria(t.p, described); len(m) > 0 {
			for _, c := range m {
				t.s.Picks = append(t.s.Picks, c.ID)
			}
			t.next("confirm")
			return
		}
	}
	t.next(tierStep(checkTiers[0]))
}

// describedCheck starts a self-check for an enterprise that described its
// honours before asking for one ("我们是江苏质量信用AA级企业"): the
// conditions come first, then what it described is confirmed.
func (t *turn) describedCheck(text string, matches []Criterion) {
	t.end()
	names := make([]string, len(matches))
	for i, c := range matches {
		names[i] = c.Name
	}
	t.say("selfcheck_described", names)
	t.startCheck()
	t.set("described", text)
}

func askTierList(t *turn, tier domain.Tier) {
	t.say("selfcheck_tier", SelfCheckTierData{
		Tier: tier, Criteria: t.p.CriteriaOf(tier), First: tier == checkTiers[0],
	})
}

// numberList reports whether text is only option numbers and separators
// ("1 3", "1、3", "第1和第3项"), and returns it in the form chooseMany reads.
func numberList(text string) (string, bool) {
	n := numberFillers.Replace(Normalize(text))
	n = strings.Trim(n, ",")
	if n == "" {
		return "", false
	}
	digits := false
	for _, r := range n {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case r == ',' || r == '、' || r == ';' || r == '；' || r == '/':
		default:
			return "", false
		}
	}
	return n, digits
}

var numberFillers = strings.NewReplacer(
	"以及", ",", "还有", ",", "和", ",", "及", ",", "与", ",", "跟", ",",
	"第", "", "条", ",", "项", ",", "个", ",", "号", ",", ".", ",", "。", ",", "，", ",",
)

func answerTierList(t *turn, tier domain.Tier, text string) {
	opts := criterionOptions(t.p.CriteriaOf(tier))
	picked, none, ok := chooseMany(opts, text)
	if ok && none {
		t.s.Picks = nil
		if i := slices.Index(checkTiers, tier); i+1 < len(checkTiers) {
			t.next(tierStep(checkTiers[i+1]))
			return
		}
		t.finishCheck(nil)
		return
	}
	list, isList := numberList(text)
	// A glued run of four or more digits that names a standard (23331,
	// 9001) is a description, not options 2, 3 and 1.
	if isList && len(list) >= 4 && isDigits(list) && len(matchCriteria(t.p, text)) > 0 {
		isList = false
	}
	if isList {
		picked, _, ok = chooseMany(opts, list)
		if ok {
			ids := make([]string, len(picked))
			for i, o := range picked {
				ids[i] = o.Key
			}
			t.finishCheck(ids)
			return
		}
	}
	// Not a list of numbers: read the description across all tiers.
	matches := matchCriteria(t.p, text)
	if len(matches) == 0 {
		// A bare 有/是/对 or a stray character says nothing to confirm.
		_, yn := yesNo(text)
		if short := len([]rune(Normalize(text))); isList || short < 2 || yn && short <= 3 {
			t.say("selfcheck_tier_invalid", SelfCheckTierData{Tier: tier, Criteria: t.p.CriteriaOf(tier)})
			askTierList(t, tier)
			return
		}
	}
	t.s.Picks = nil
	for _, c := range matches {
		t.s.Picks = append(t.s.Picks, c.ID)
	}
	t.next("confirm")
}

// criterionOptions are a tier's criteria as numbered choices. Only the
// numbers are read here; descriptions go through matchCriteria.
func criterionOptions(cs []Criterion) []Option {
	opts := make([]Option, len(cs))
	for i, c := range cs {
		opts[i] = Option{Key: c.ID, Label: c.Name}
	}
	return opts
}

// tierOf returns the highest tier among criteria, and the criteria of that
// tier; Ⅳ with its own criteria when none of Ⅰ–Ⅲ is among them.
func tierOf(p *Policy, cs []Criterion) (domain.Tier, []Criterion) {
	best := domain.Tier4
	for _, c := range cs {
		if c.Tier.Valid() && c.Tier < best {
			best = c.Tier
		}
	}
	var set []Criterion
	for _, c := range cs {
		if c.Tier == best {
			set = append(set, c)
		}
	}
	if best == domain.Tier4 {
		set = p.CriteriaOf(domain.Tier4)
	}
	return best, set
}

func askConfirm(t *turn) {
	matches := criteriaByID(t.p, t.s.Picks)
	tier, _ := tierOf(t.p, matches)
	t.say("selfcheck_confirm", SelfCheckConfirmData{Matches: matches, Tier: tier})
}

func answerConfirm(t *turn, text string) {
	n := Normalize(text)
	yes, ok := t.yesNo(text)
	if strings.Contains(n, "重新") || strings.Contains(n, "重选") {
		yes, ok = false, true
	}
	switch {
	case !ok:
		t.say("selfcheck_yesno_invalid", nil)
		askConfirm(t)
	case yes:
		t.finishCheck(t.s.Picks)
	default:
		// Back to the lists, from the top.
		first := tierStep(checkTiers[0])
		if i := slices.Index(t.s.History, first); i >= 0 {
			t.s.History = t.s.History[:i]
		}
		t.s.Picks = nil
		t.jump(first)
	}
}

// finishCheck ends the self-check with the criteria picked (ids) and saves
// the tier they give.
func (t *turn) finishCheck(ids []string) {
	tier, set := tierOf(t.p, criteriaByID(t.p, ids))
	setIDs := make([]string, len(set))
	for i, c := range set {
		setIDs[i] = c.ID
	}
	t.emit(SaveCheck{Tier: tier, Criteria: setIDs})
	t.s.Profile.Tier, t.s.Profile.Criteria, t.s.Profile.CheckedAt = tier, setIDs, t.in.At
	d := t.resultData(tier, set)
	d.Open = t.openConditions()
	t.say("selfcheck_result", d)
	t.end()
}

func (t *turn) resultData(tier domain.Tier, set []Criterion) SelfCheckResultData {
	p := t.p
	d := SelfCheckResultData{
		Tier: tier, Criteria: set, LPR: p.LPR, LPRDate: p.LPRDate, MaxWan: p.Loan.MaxWan,
		LoanRef: p.Loan.Clause, FutRef: p.Futures.Clause,
	}
	d.RatePct, d.MarginBP, d.HasRate = p.RateCap(tier)
	d.OTCWan, d.HasOTC = p.Futures.OTCCreditWan[tier]
	for _, pr := range p.Products {
		d.Products = append(d.Products, pr.Name)
	}
	if tier > domain.Tier1 {
		d.NextTier = tier - 1
		d.NextSteps = nextSteps(p.CriteriaOf(tier-1), set, 2)
	}
	return d
}

// nextSteps picks n criteria of the tier one up, those closest to what the
// enterprise already has first (江苏质量信用A级 → AA级), then in policy order.
func nextSteps(up, have []Criterion, n int) []Criterion {
	score := func(c Criterion) int {
		best := 0
		for _, h := range have {
			best = max(best, commonPrefix(c.Name, h.Name))
		}
		return best
	}
	out := slices.Clone(up)
	slices.SortStableFunc(out, func(a, b Criterion) int { return score(b) - score(a) })
	return out[:min(n, len(out))]
}

func commonPrefix(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	i := 0
	for i < len(ra) && i < len(rb) && ra[i] == rb[i] {
		i++
	}
	return i
}
