package dialog_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/templates"
)

func TestFormConfirm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fill func(c *formConv)
		want dialog.SubmitLead
	}{
		{"need", func(c *formConv) { needUntilReview(c, "苏质贷", "0.3亿", "一年") }, dialog.SubmitLead{
			Kind: "need", EnterpriseName: formName, CreditCode: formCode(t, "320583"), County: "kunshan",
			Contact: "张三", Phone: formPhone, Product: "szd", AmountWan: 3000, TermMonths: 12,
			Purpose: formPurpose, PolicyVersion: "苏市监管发〔2023〕132号",
		}},
		{"apply", applyUntilReview, dialog.SubmitLead{
			Kind: "apply", EnterpriseName: formName, CreditCode: formCode(t, "320583"), County: "kunshan",
			Contact: "张三", Phone: formPhone, Note: formNote, PolicyVersion: "苏市监管发〔2023〕132号",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFormConv(t, dialog.Profile{})
			tt.fill(c)
			consentAt := c.at // the consent was the last message
			r, _ := c.reply("form_review")
			if rows := r.Data.(dialog.FormReviewData).Rows; len(rows) != map[string]int{"need": 9, "apply": 6}[tt.name] {
				t.Errorf("review rows %v", rows)
			}
			if !strings.Contains(c.text(), "1. 企业名称："+formName) || !strings.Contains(c.text(), "昆山市") {
				t.Errorf("review text %s", c.text())
			}
			c.send("确认")
			if len(c.replies) != 0 {
				t.Errorf("replies %v on 确认; the caller answers", c.names())
			}
			if !c.s.Idle() {
				t.Errorf("state %+v, want idle", c.s)
			}
			if len(c.effects) != 1 {
				t.Fatalf("effects %#v, want one SubmitLead", c.effects)
			}
			got, ok := c.effects[0].(dialog.SubmitLead)
			if !ok {
				t.Fatalf("effect %#v", c.effects[0])
			}
			if !got.ConsentAt.Equal(consentAt) {
				t.Errorf("consent at %v, want %v", got.ConsentAt, consentAt)
			}
			got.ConsentAt = time.Time{}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("lead\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFormClaims(t *testing.T) {
	t.Parallel()
	tests := []struct {
		input string
		want  string
	}{
		{"苏质贷", "szd"},
		{"租赁", "leasing"},
		{"期货", "futures"},
		{"担保", "guarantee"},
		{"保险", "insurance"},
		{formNo(t, formPolicy(t), "futures"), "futures"},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			c := newFormConv(t, dialog.Profile{})
			c.sendAll("融资需求", formName, formCode(t, "320583"), "1", "张三", formPhone)
			c.at2("need", "product")
			c.sendAll(tt.input)
			c.at2("need", "amount")
			if got := c.s.Fields["product"]; got != tt.want {
				t.Errorf("product %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("entry keywords do not throw a form away", func(t *testing.T) {
		c := newFormConv(t, dialog.Profile{})
		c.sendAll("融资需求", formName)
		c.send("进度")
		if c.s.Flow != "need" || c.s.Step != "code" || len(c.effects) != 0 || c.s.Fields["name"] != formName {
			t.Errorf("进度 at the code step left the form: %+v %#v", c.s, c.effects)
		}
		c = newFormConv(t, dialog.Profile{})
		needUntilReview(c, "苏质贷", "500", "12")
		c.sendAll("改9", "融资")
		if c.s.Flow != "need" || c.s.Fields["purpose"] != "融资" {
			t.Errorf("融资 as the purpose: %+v", c.s)
		}
		c.send("取消")
		if !c.s.Idle() || len(c.effects) != 0 {
			t.Errorf("取消 still leaves the form: %+v", c.s)
		}
	})
	t.Run("review claims 电话 and 产品", func(t *testing.T) {
		c := newFormConv(t, dialog.Profile{})
		needUntilReview(c, "苏质贷", "500", "12")
		c.sendAll("产品")
		c.at2("need", "product")
		c.sendAll("苏质贷")
		c.at2("need", "review")
		c.sendAll("电话")
		c.at2("need", "phone")
	})
}

func TestFormTierGate(t *testing.T) {
	t.Parallel()
	for _, tier := range []domain.Tier{domain.Tier1, domain.Tier2, domain.Tier3} {
		t.Run(tier.String(), func(t *testing.T) {
			c := newFormConv(t, dialog.Profile{Tier: tier})
			c.sendAll("入库")
			c.at2("apply", "gate")
			if !strings.Contains(c.text(), tier.Label()) || !strings.Contains(c.text(), "2. 提交融资需求") {
				t.Errorf("gate text %s", c.text())
			}
			c.sendAll("2")
			c.at2("need", "name")

			c = newFormConv(t, dialog.Profile{Tier: tier})
			c.click(dialog.KeyApply)
			c.at2("apply", "gate")
			c.sendAll("仍要申请")
			c.at2("apply", "name")
			if _, ok := c.reply("forms"); !ok {
				t.Errorf("no intro: %v", c.names())
			}
		})
	}
	for _, tier := range []domain.Tier{domain.TierUnknown, domain.Tier4} {
		c := newFormConv(t, dialog.Profile{Tier: tier})
		c.sendAll("申请入库")
		c.at2("apply", "name")
	}
}

func TestFormHelp(t *testing.T) {
	t.Parallel()
	inputs := []string{"融资需求", formName, formCode(t, "320583"), "2", "昆山", "张三", formPhone, "苏质贷", "500", "12", formPurpose, "1"}
	steps := []string{"name", "code", "county", "county_pick", "contact", "phone", "product", "amount", "term", "purpose", "consent", "review"}
	c := newFormConv(t, dialog.Profile{})
	for i, s := range steps {
		c.sendAll(inputs[i])
		c.at2("need", s)
		c.sendAll("帮助")
		c.at2("need", s)
		if len(c.replies) != 2 || !strings.HasPrefix(c.replies[0].Name, "form_help_") {
			t.Errorf("%s: 帮助 gave %v", s, c.names())
		}
	}
	a := newFormConv(t, dialog.Profile{})
	a.sendAll("入库", formName, formCode(t, "320583"), "1", "张三", formPhone, "帮助")
	a.at2("apply", "note")
	if a.replies[0].Name != "form_help_note" {
		t.Errorf("note help %v", a.names())
	}
}

func TestFormParsing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		product string
		step    string
		input   string
		field   string
		want    string
	}{
		{"term 一年", "苏质贷", "term", "一年", "term", "12"},
		{"term 12个月", "苏质贷", "term", "12个月", "term", "12"},
		{"term 6", "苏质贷", "term", "6", "term", "6"},
		{"term 半年", "苏质贷", "term", "半年", "term", "6"},
		{"term 十二个月", "苏质贷", "term", "十二个月", "term", "12"},
		{"term 1年期", "苏质贷", "term", "1年期", "term", "12"},
		{"term 一年以内", "苏质贷", "term", "一年以内", "term", "12"},
		{"term 两年 for leasing", "融资租赁", "term", "两年", "term", "24"},
		{"term 一年半 for leasing", "融资租赁", "term", "一年半", "term", "18"},
		{"term 1.5年 for leasing", "融资租赁", "term", "1.5年", "term", "18"},
		{"term 三十六个月", "融资租赁", "term", "三十六个月", "term", "36"},
		{"term 360", "融资租赁", "term", "360", "term", "360"},
		{"amount 500万", "苏质贷", "amount", "500万", "amount", "500"},
		{"amount 1,000", "苏质贷", "amount", "1,000", "amount", "1000"},
		{"amount at the cap", "苏质贷", "amount", "3000万元", "amount", "3000"},
		{"amount 0.3亿", "苏质贷", "amount", "0.3亿", "amount", "3000"},
		{"amount 5000 for leasing", "融资租赁", "amount", "5000", "amount", "5000"},
		{"phone dashes", "", "phone", "139-1234-5678", "phone", formPhone},
		{"phone spaces", "", "phone", "139 1234 5678", "phone", formPhone},
		{"phone full width", "", "phone", "１３９１２３４５６７８", "phone", formPhone},
		{"phone +86", "", "phone", "+86 139 1234 5678", "phone", formPhone},
		{"code lower case with spaces", "", "code", "", "code", ""},
		{"name trimmed", "", "name", "  苏州某某有限公司 ", "name", "苏州某某有限公司"},
	}
	code := formCode(t, "320583")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := []string{"融资需求", formName, code, "1", "张三", formPhone, tt.product, "500", "12"}
			upTo := map[string]int{"name": 1, "code": 2, "phone": 5, "amount": 7, "term": 8}[tt.step]
			c := newFormConv(t, dialog.Profile{})
			c.sendAll(all[:upTo]...)
			c.at2("need", tt.step)
			input, want := tt.input, tt.want
			if tt.step == "code" {
				input = strings.ToLower(code[:6]) + " " + code[6:12] + "-" + code[12:]
				want = code
			}
			c.sendAll(input)
			if got := c.s.Fields[tt.field]; got != want {
				t.Errorf("%s = %q, want %q (replies %s)", tt.field, got, want, c.text())
			}
		})
	}
}

func TestLeadTemplates(t *testing.T) {
	t.Parallel()
	p := formPolicy(t)
	tmpl, err := templates.Replies()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)
	for _, kind := range []string{domain.LeadApply, domain.LeadNeed} {
		sip, _ := p.County("sip")
		lead := dialog.SubmitLead{Kind: kind, County: sip.ID}
		d := dialog.NewLeadSubmittedData(p, lead, "SZR-20250602-0001")
		got := renderReply(t, tmpl, dialog.Reply{Name: "lead_submitted", Data: d})
		for _, want := range []string{"SZR-20250602-0001", sip.Bureau, sip.Contact, sip.Post, sip.Phone, p.Platform, domain.LeadKindLabel(kind), "预授信"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: lead_submitted lacks %q:\n%s", kind, want, got)
			}
		}
		got = renderReply(t, tmpl, dialog.Reply{Name: "lead_duplicate", Data: dialog.LeadDuplicateData{
			Number: "SZR-20250601-0007", Kind: kind, KindLabel: domain.LeadKindLabel(kind), Status: "已受理", SubmittedAt: at,
		}})
		for _, want := range []string{"SZR-20250601-0007", "已受理", "2025-06-02"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: lead_duplicate lacks %q:\n%s", kind, want, got)
			}
		}
		got = renderReply(t, tmpl, dialog.Reply{Name: "lead_failed", Data: dialog.LeadFailedData{Kind: kind, KindLabel: domain.LeadKindLabel(kind)}})
		if !strings.Contains(got, "确认") || !strings.Contains(got, "未能提交") {
			t.Errorf("lead_failed: %s", got)
		}
	}
}

func TestFormCodeRegistrationKinds(t *testing.T) {
	t.Parallel()
	p := formPolicy(t)
	sole, err := dialog.CreditCheckChar("92320583MA1N2P3Q4")
	if err != nil {
		t.Fatal(err)
	}
	c := newFormConv(t, dialog.Profile{})
	c.sendAll("融资需求", formName, "92320583MA1N2P3Q4"+string(sole))
	c.at2("need", "code")
	if !strings.Contains(c.text(), "个体工商户") || !strings.Contains(c.text(), "独立法人资格") {
		t.Fatalf("a sole proprietorship's code: %s", c.text())
	}
	// Registered with the province or the State: where the enterprise is
	// is asked, not refused.
	for _, div := range []string{"320000", "100000"} {
		c := newFormConv(t, dialog.Profile{})
		c.sendAll("融资需求", formName, formCode(t, div))
		c.at2("need", "county")
		if !strings.Contains(c.text(), "信用代码未显示") {
			t.Fatalf("division %s: %s", div, c.text())
		}
		c.send(p.Counties[0].Name)
		if c.s.Fields["county"] != p.Counties[0].ID {
			t.Fatalf("division %s: county %q", div, c.s.Fields["county"])
		}
	}
	// Another city's code is still refused.
	c = newFormConv(t, dialog.Profile{})
	c.sendAll("融资需求", formName, formCode(t, "320105"))
	c.at2("need", "code")
	if !strings.Contains(c.text(), "不在苏州市") {
		t.Fatalf("a Nanjing code: %s", c.text())
	}
}

// TestFormSaysWhyACommandWaits: 进度 or 撤回 typed where a name or a code
// is asked is not judged as one: the form says it is being filled and how
// to leave it, and asks the same question again.
func TestFormSaysWhyACommandWaits(t *testing.T) {
	t.Parallel()
	for _, typed := range []string{"进度", "我要撤回"} {
		c := newFormConv(t, dialog.Profile{})
		c.sendAll("融资需求", "苏州恒达精密机械有限公司")
		step := c.s.Step
		c.send(typed)
		if got := c.text(); !strings.Contains(got, "您正在填写融资需求") || !strings.Contains(got, "“"+typed+"”") || !strings.Contains(got, "取消") {
			t.Errorf("%s at the code step: %s", typed, got)
		}
		if c.s.Step != step {
			t.Errorf("%s moved the form from %s to %s", typed, step, c.s.Step)
		}
	}
	// The form's own command typed again: it is already being filled.
	c := newFormConv(t, dialog.Profile{})
	c.sendAll("融资需求", "融资需求")
	if got := c.text(); !strings.Contains(got, "接着回答这一项即可") || c.s.Step != "name" {
		t.Errorf("融资需求 inside 融资需求 (step %s): %s", c.s.Step, got)
	}
}

// TestFormCorrectionSaysWhatChanged: a correction with its value ("上一个
// 说错了，手机是…") says what it changed before the question that
// follows; the review shows the new value.
func TestFormCorrectionSaysWhatChanged(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, dialog.Profile{})
	c.sendAll("融资需求", "苏州恒达精密机械有限公司", formCode(t, "320583"), "1", "王芳", "13912345678")
	step := c.s.Step
	c.send("上一个说错了，手机是13812345678")
	names := c.names()
	if len(names) < 2 || names[0] != "corrected" || !strings.Contains(c.texts[0], "手机") || !strings.Contains(c.texts[0], "13812345678") {
		t.Fatalf("correction replies %v: %s", names, c.text())
	}
	if c.s.Step != step || c.s.Fields["phone"] != "13812345678" {
		t.Errorf("after the correction: step %s (want %s), phone %q", c.s.Step, step, c.s.Fields["phone"])
	}
	// A correction refused says why and changes nothing.
	c.send("上一个说错了，手机是12345")
	if slices.Contains(c.names(), "corrected") || c.s.Fields["phone"] != "13812345678" {
		t.Errorf("refused correction: %v %q", c.names(), c.s.Fields["phone"])
	}
}
