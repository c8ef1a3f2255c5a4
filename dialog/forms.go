package dialog

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/domain"
)

// The two forms an enterprise fills in chat. Both become leads routed to the
// county bureau the enterprise belongs to; nothing is emitted before the
// enterprise types 确认 on the review screen.

// SubmitLead asks the caller to store a completed form as a lead and tell
// the enterprise its number (lead_submitted, lead_duplicate or lead_failed).
// The flow has ended when it is emitted; on failure the caller keeps the
// previous state so that 确认 can be sent again.
type SubmitLead struct {
	Kind           string // LeadApply or LeadNeed
	EnterpriseName string
	CreditCode     string // normalised, valid, registered in Suzhou
	County         string // county slug the lead is routed to
	Contact        string
	Phone          string  // 11-digit mobile number
	Product        string  // product id (need only)
	AmountWan      float64 // 万元 (need only)
	TermMonths     int     // (need only)
	Purpose        string  // (need only)
	Note           string  // 质量管理情况 (apply only)
	ConsentAt      time.Time
	PolicyVersion  string // the notice the consent was given under
}

func (SubmitLead) effect() {}

// LeadSubmittedData is the data of "lead_submitted", rendered by the caller
// once the lead is stored.
type LeadSubmittedData struct {
	Number    string // lead number, e.g. SZR-20250601-0001
	Kind      string // LeadApply or LeadNeed
	KindLabel string // 入库申请 or 融资需求
	County    string // county name, e.g. 昆山市
	Bureau    string // the county bureau, e.g. 昆山市市场监督管理局
	Contact   string // the bureau's contact person (附件2)
	Post      string // the contact's post
	Phone     string // the bureau's phone, with area code
	Platform  string // 省综合金融服务平台 address
}

// NewLeadSubmittedData fills LeadSubmittedData from the policy for a stored
// lead with the given number.
func NewLeadSubmittedData(p *Policy, lead SubmitLead, number string) LeadSubmittedData {
	d := LeadSubmittedData{
		Number:    number,
		Kind:      lead.Kind,
		KindLabel: domain.LeadKindLabel(lead.Kind),
		Platform:  p.Platform,
	}
	if c, ok := p.County(lead.County); ok {
		d.County, d.Bureau = c.Name, c.Bureau
		d.Contact, d.Post, d.Phone = c.Contact, c.Post, c.Phone
	}
	if d.Bureau == "" && d.County != "" {
		d.Bureau = d.County + "市场监督管理局"
	}
	return d
}

// LeadDuplicateData is the data of "lead_duplicate": the enterprise already
// has an open lead of the same kind under the same credit code, so nothing
// new was stored.
type LeadDuplicateData struct {
	Number      string
	Kind        string // LeadApply or LeadNeed
	KindLabel   string
	Status      string // the status as enterprises read it, e.g. 已受理
	SubmittedAt time.Time
}

// LeadFailedData is the data of "lead_failed": storing the lead failed,
// nothing was submitted, and the review state is kept for a retry.
type LeadFailedData struct {
	Kind      string
	KindLabel string
}

// FormIntroData is the data of "forms", the opening message of a form.
type FormIntroData struct {
	Kind      string
	KindLabel string
	Total     int // number of fields to fill in
}

// FormAskData is the data of every question of a form (form_name,
// form_code, form_county_propose, …).
type FormAskData struct {
	Kind      string
	KindLabel string
	N, Total  int    // position of the field in the form; N is 0 for steps outside the field list
	Editing   bool   // the field is being changed from the review screen
	Current   string // the field's current value, as shown on the review, when editing
	County    string // proposed county name (form_county_propose)
	CityLevel bool   // the credit code names no county (city level, 320500), so none is proposed
	Options   []Option
	Product   string      // chosen product's name (amount, term)
	MaxWan    float64     // cap of the chosen product, 0 when none applies
	MaxMonths int         // longest term of the chosen product, 0 when none applies
	Tier      domain.Tier // the follower's saved tier (form_apply_tier)
}

// FormRow is one numbered line of the review screen.
type FormRow struct {
	Label string
	Value string
}

// FormReviewData is the data of "form_review".
type FormReviewData struct {
	Kind          string
	KindLabel     string
	Rows          []FormRow
	ConsentAt     time.Time
	PolicyVersion string
}

// formField describes one field of a form: its step name (also its key in
// State.Fields), the name shown on the review and the words that select it
// for editing (改手机).
type formField struct {
	label string
	words []string
}

var formFields = map[string]formField{
	"name":    {"企业名称", []string{"名称", "企业名称", "企业名", "公司名称", "公司名", "企业", "公司"}},
	"code":    {"统一社会信用代码", []string{"信用代码", "社会信用代码", "代码", "统一代码"}},
	"county":  {"所属县级市（区）", []string{"县级市", "县级市区", "所属地区", "地区", "属地", "区县", "县市区", "所在地", "所属区"}},
	"contact": {"联系人", []string{"联系人姓名", "姓名", "联系人"}},
	"phone":   {"手机号码", []string{"手机", "手机号", "电话", "号码", "联系电话", "电话号码"}},
	"product": {"融资产品", []string{"产品", "融资产品"}},
	"amount":  {"融资金额", []string{"金额", "额度", "融资额度"}},
	"term":    {"融资期限", []string{"期限", "贷款期限"}},
	"purpose": {"资金用途", []string{"用途", "资金用途"}},
	"note":    {"质量管理情况", []string{"质量管理", "质量情况", "情况说明", "说明", "备注"}},
}

// formOrder lists each form's fields in the order they are asked; the
// consent and the review follow.
var formOrder = map[string][]string{
	domain.LeadApply: {"name", "code", "county", "contact", "phone", "note"},
	domain.LeadNeed:  {"name", "code", "county", "contact", "phone", "product", "amount", "term", "purpose"},
}

// formLoanProduct is the id of 苏质贷, whose amount and term are capped by
// Policy.Loan.
const formLoanProduct = "szd"

// registerForms registers this file's steps and entries (flows.go lists it).
func registerForms() {
	for _, flow := range []string{domain.LeadApply, domain.LeadNeed} {
		for _, key := range formOrder[flow] {
			register(flow+"."+key, formSteps[key])
		}
		register(flow+".county_pick", formSteps["county_pick"])
		register(flow+".consent", formSteps["consent"])
		register(flow+".review", formSteps["review"])
	}
	register(domain.LeadApply+".gate", step{
		ask: func(t *turn) {
			t.say("form_apply_tier", FormAskData{Kind: domain.LeadApply, KindLabel: domain.LeadKindLabel(domain.LeadApply), Tier: t.s.Profile.Tier, Options: gateOptions})
		},
		answer: func(t *turn, text string) {
			o, ok := t.choose(gateOptions, text)
			if !ok {
				t.reask("请回复 1 继续申请入库，或回复 2 提交融资需求。")
				return
			}
			if o.Key == domain.LeadNeed {
				t.start(domain.LeadNeed)
				return
			}
			t.openForm(domain.LeadApply)
		},
		claims: func(t *turn, text string) bool { _, ok := t.choose(gateOptions, text); return ok },
		help:   "form_help_gate",
	})
	entries[domain.LeadApply] = func(t *turn) {
		if tier := t.s.Profile.Tier; tier >= domain.Tier1 && tier <= domain.Tier3 {
			t.begin(domain.LeadApply, "gate")
			return
		}
		t.openForm(domain.LeadApply)
	}
	entries[domain.LeadNeed] = func(t *turn) { t.openForm(domain.LeadNeed) }
	forms[domain.LeadApply], forms[domain.LeadNeed] = true, true
}

var gateOptions = []Option{
	{Key: domain.LeadApply, Label: "仍要申请入库", Words: []string{"仍要申请", "继续申请", "申请入库", "继续"}},
	{Key: domain.LeadNeed, Label: "提交融资需求", Words: []string{"融资需求", "融资"}},
}

// formIntro opens a form: what it asks and that nothing is kept before 确认.
func (t *turn) formIntro(kind string) {
	t.say("forms", FormIntroData{Kind: kind, KindLabel: domain.LeadKindLabel(kind), Total: len(formOrder[kind])})
}

// formSteps are the steps shared by both forms, by step name.
var formSteps = map[string]step{
	"name": {
		ask:    func(t *turn) { t.formAsk("form_name", nil) },
		answer: textField("name", validateName),
		help:   "form_help_name",
	},
	"code": {
		ask:    func(t *turn) { t.formAsk("form_code", nil) },
		answer: answerCode,
		help:   "form_help_code",
	},
	"county": {
		ask:    askCounty,
		answer: answerCounty,
		help:   "form_help_county",
		yesno:  true,
	},
	"county_pick": {
		ask: func(t *turn) {
			t.formAsk("form_county_list", func(d *FormAskData) { d.Options = countyOptions(t.p) })
		},
		answer: func(t *turn, text string) {
			c, ok := pickCounty(countyOptions(t.p), text)
			if !ok {
				t.reask("请回复列表中的序号或县级市（区）名称，例如“5”或“昆山”。")
				return
			}
			t.set("county", c.Key)
			// Back from the next field returns to the proposal, not the list.
			t.s.Step = "county"
			t.formNext("county")
		},
		help: "form_help_county",
	},
	"contact": {
		ask:    func(t *turn) { t.formAsk("form_contact", nil) },
		answer: textField("contact", plainRule("联系人姓名", personName(lengthRule("联系人姓名", 2, 20, "个字")))),
		help:   "form_help_contact",
	},
	"phone": {
		ask:    func(t *turn) { t.formAsk("form_phone", nil) },
		answer: textField("phone", validatePhone),
		help:   "form_help_phone",
	},
	"product": {
		ask: func(t *turn) {
			t.formAsk("form_product", func(d *FormAskData) { d.Options = productOptions(t.p) })
		},
		answer: func(t *turn, text string) {
			o, ok := t.choose(productOptions(t.p), text)
			if !ok {
				t.reask("请回复列表中的产品序号或名称，例如“1”或“苏质贷”。")
				return
			}
			t.set("product", o.Key)
			t.formNext("product")
		},
		claims: func(t *turn, text string) bool { _, ok := t.choose(productOptions(t.p), text); return ok },
		help:   "form_help_product",
	},
	"amount": {
		ask:    func(t *turn) { t.formAsk("form_amount", nil) },
		answer: textField("amount", validateAmount),
		help:   "form_help_amount",
	},
	"term": {
		ask:    func(t *turn) { t.formAsk("form_term", nil) },
		answer: textField("term", validateTerm),
		help:   "form_help_term",
	},
	"purpose": {
		ask: func(t *turn) { t.formAsk("form_purpose", nil) },
		answer: func(t *turn, text string) {
			// A purpose another product serves better gets a hint first;
			// the enterprise keeps its choice (改6 at the review changes it).
			if hint := productHint(t.p, t.s.field("product"), text); hint != nil {
				t.say("product_hint", hint)
			}
			textField("purpose", lengthRule("资金用途", 2, 200, "个字"))(t, text)
		},
		help: "form_help_purpose",
	},
	"note": {
		ask:    func(t *turn) { t.formAsk("form_note", nil) },
		answer: textField("note", lengthRule("质量管理情况", 5, 300, "个字")),
		help:   "form_help_note",
	},
	"consent": {
		ask: func(t *turn) { t.formAsk("form_consent", nil) },
		answer: func(t *turn, text string) {
			yes, ok := t.yesNo(text)
			if !ok {
				t.reask("请回复 1 同意，或回复 2 不同意。")
				return
			}
			if !yes {
				t.end()
				t.say("form_declined", nil)
				t.menu()
				return
			}
			t.set("consent_at", t.in.At.Format(time.RFC3339Nano))
			t.set("policy_version", t.p.Version)
			t.formReview()
		},
		help:  "form_help_consent",
		yesno: true,
	},
	"review": {
		ask: askReview,
		answer: func(t *turn, text string) {
			confirm, field, ok := reviewCommand(t.s.Flow, text)
			switch {
			case !ok:
				t.reask("请回复“确认”提交；如需修改，回复“改”加序号，例如“改3”。")
			case confirm:
				t.submit()
			default:
				t.next(field)
			}
		},
		claims: func(t *turn, text string) bool { _, _, ok := reviewCommand(t.s.Flow, text); return ok },
		help:   "form_help_review",
	},
}

// formAsk asks the current field with its position; more fills in
// step-specific data.
func (t *turn) formAsk(name string, more func(d *FormAskData)) {
	d := FormAskData{Kind: t.s.Flow, KindLabel: domain.LeadKindLabel(t.s.Flow), Total: len(formOrder[t.s.Flow])}
	key := t.s.Step
	if key == "county_pick" {
		key = "county"
	}
	for i, k := range formOrder[t.s.Flow] {
		if k == key {
			d.N = i + 1
		}
	}
	if t.formEditing() {
		d.Editing = true
		d.Current = t.displayValue(key)
	}
	if pr, ok := t.p.Product(t.s.field("product")); ok {
		d.Product = pr.Name
		if pr.ID == formLoanProduct {
			d.MaxWan, d.MaxMonths = t.p.Loan.MaxWan, t.p.Loan.TermMonths
		}
	}
	if more != nil {
		more(&d)
	}
	t.say(name, d)
}

// formEditing reports whether the current field is being changed from the
// review screen: the review is then among the steps to go back to.
func (t *turn) formEditing() bool {
	for _, h := range t.s.History {
		if h == "review" {
			return true
		}
	}
	return false
}

// formNext moves on from field cur: back to the review when editing, else to
// the next field, or to the consent after the last one.
func (t *turn) formNext(cur string) {
	if t.formEditing() {
		t.formReview()
		return
	}
	// A correction of an earlier field goes back to where the form was.
	if back := t.s.field("resume"); back != "" {
		delete(t.s.Fields, "resume")
		if back == "consent" || back == "review" || t.s.field(back) == "" {
			if back == "review" {
				t.formReview()
				return
			}
			t.next(back)
			return
		}
	}
	order := formOrder[t.s.Flow]
	for i, k := range order {
		if k != cur {
			continue
		}
		for _, n := range order[i+1:] {
			// After 沿用上次信息 the fields taken over are not asked again.
			if t.s.field("reused") == "" || t.s.field(n) == "" {
				t.next(n)
				return
			}
		}
	}
	t.next("consent")
}

// formReview shows the review screen, unless a field is missing or no
// longer fits another (an amount over the cap of a newly chosen product):
// that field is asked first.
func (t *turn) formReview() {
	if key, reason := t.formProblem(); key != "" {
		if reason != "" {
			t.say("invalid", reason)
		}
		t.jump(key)
		return
	}
	for i := len(t.s.History) - 1; i >= 0; i-- {
		if t.s.History[i] == "review" {
			t.s.History = t.s.History[:i]
			t.jump("review")
			return
		}
	}
	t.next("review")
}

func (t *turn) formProblem() (key, reason string) {
	for _, k := range formOrder[t.s.Flow] {
		if t.s.field(k) == "" {
			return k, ""
		}
	}
	if t.s.Flow == domain.LeadNeed {
		if _, r := validateAmount(t, t.s.field("amount")); r != "" {
			return "amount", r
		}
		if _, r := validateTerm(t, t.s.field("term")); r != "" {
			return "term", r
		}
	}
	if t.s.field("consent_at") == "" {
		return "consent", ""
	}
	return "", ""
}

func askReview(t *turn) {
	d := FormReviewData{
		Kind:          t.s.Flow,
		KindLabel:     domain.LeadKindLabel(t.s.Flow),
		PolicyVersion: t.s.field("policy_version"),
	}
	d.ConsentAt, _ = time.Parse(time.RFC3339Nano, t.s.field("consent_at"))
	for _, k := range formOrder[t.s.Flow] {
		d.Rows = append(d.Rows, FormRow{Label: formFields[k].label, Value: t.displayValue(k)})
	}
	t.say("form_review", d)
}

// displayValue shows a stored field as the enterprise reads it.
func (t *turn) displayValue(key string) string {
	v := t.s.field(key)
	if v == "" {
		return ""
	}
	switch key {
	case "county":
		if c, ok := t.p.County(v); ok {
			return c.Name
		}
	case "product":
		if pr, ok := t.p.Product(v); ok {
			return pr.Name
		}
	case "amount":
		return v + "万元"
	case "term":
		return v + "个月"
	}
	return v
}

// reviewCommand reads an answer on the review screen: 确认, or a field to
// change by number or name (改3, 改 3, 修改3, 手机, 改手机).
func reviewCommand(flow, text string) (confirm bool, field string, ok bool) {
	n := strings.TrimRight(Normalize(text), "。.!！")
	switch n {
	case "确认", "确认提交", "提交", "确定", "确认无误", "无误", "确认无误提交":
		return true, "", true
	}
	order := formOrder[flow]
	edit := false
	if i := strings.LastIndex(n, "改"); i >= 0 {
		n, edit = n[i+len("改"):], true
	}
	n = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(n, "第"), "项"), "条")
	n = strings.TrimRight(n, ".、:：")
	if isDigits(n) {
		i, _ := strconv.Atoi(n)
		if i >= 1 && i <= len(order) {
			return false, order[i-1], true
		}
		return false, "", false
	}
	if n == "" {
		return false, "", false
	}
	for _, k := range order {
		f := formFields[k]
		if Normalize(f.label) == n {
			return false, k, true
		}
		for _, w := range f.words {
			if w == n {
				return false, k, true
			}
		}
	}
	if !edit {
		return false, "", false
	}
	best, bestLen := "", 0
	for _, k := range order {
		f := formFields[k]
		for _, w := range append([]string{Normalize(f.label)}, f.words...) {
			if strings.Contains(n, w) && utf8.RuneCountInString(w) > bestLen {
				best, bestLen = k, utf8.RuneCountInString(w)
			}
		}
	}
	return false, best, best != ""
}

// submit emits the lead and ends the flow. The caller answers with
// lead_submitted, lead_duplicate or lead_failed.
func (t *turn) submit() {
	if key, reason := t.formProblem(); key != "" {
		if reason != "" {
			t.say("invalid", reason)
		}
		t.jump(key)
		return
	}
	f := t.s.Fields
	lead := SubmitLead{
		Kind:           t.s.Flow,
		EnterpriseName: f["name"],
		CreditCode:     f["code"],
		County:         f["county"],
		Contact:        f["contact"],
		Phone:          f["phone"],
		Product:        f["product"],
		Purpose:        f["purpose"],
		Note:           f["note"],
		PolicyVersion:  f["policy_version"],
	}
	lead.AmountWan, _ = strconv.ParseFloat(f["amount"], 64)
	lead.TermMonths, _ = strconv.Atoi(f["term"])
	lead.ConsentAt, _ = time.Parse(time.RFC3339Nano, f["consent_at"])
	t.emit(lead)
	t.remember(lead)
	t.end()
}
