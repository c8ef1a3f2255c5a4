package dialog_test

import (
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// returning is the profile of an enterprise that filed before.
func returning(tb testing.TB) dialog.Profile {
	return dialog.Profile{Applied: dialog.AppliedSome, County: "kunshan", Enterprise: dialog.Enterprise{
		Name: formName, Code: formCode(tb, "320583"), County: "kunshan", Contact: "张三", Phone: formPhone,
	}}
}

func TestReturningEnterpriseReusesProfile(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, returning(t))
	c.send("融资需求")
	c.at2("need", "reuse")
	if !strings.Contains(c.text(), "沿用上次信息") || !strings.Contains(c.text(), formName) || !strings.Contains(c.text(), "139****5678") {
		t.Fatalf("reuse offer: %s", c.text())
	}
	c.send("1")
	c.at2("need", "product")
	c.sendAll(formNo(t, c.p, "szd"), "500万", "12个月", formPurpose, "1")
	c.at2("need", "review")
	c.send("确认")
	var lead dialog.SubmitLead
	for _, e := range c.effects {
		if l, ok := e.(dialog.SubmitLead); ok {
			lead = l
		}
	}
	if lead.EnterpriseName != formName || lead.CreditCode != formCode(t, "320583") || lead.County != "kunshan" || lead.Phone != formPhone || lead.Contact != "张三" {
		t.Fatalf("lead %+v", lead)
	}
}

func TestReturningEnterpriseDeclinesReuse(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, returning(t))
	c.send("融资需求")
	c.send("2")
	c.at2("need", "name")
}

func TestReuseAsksOnlyWhatIsMissing(t *testing.T) {
	t.Parallel()
	pr := returning(t)
	pr.Enterprise.Contact, pr.Enterprise.Phone = "", ""
	c := newFormConv(t, pr)
	c.send("入库")
	c.at2("apply", "reuse")
	c.send("是的")
	c.at2("apply", "contact")
	c.send("李四")
	c.at2("apply", "phone")
	c.send("13800001111")
	c.at2("apply", "note")
}

func TestSubmittedFormIsRemembered(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, dialog.Profile{Applied: dialog.AppliedNone})
	needUntilReview(c, formNo(t, c.p, "szd"), "500", "12")
	c.send("确认")
	e := c.s.Profile.Enterprise
	if e.Name != formName || e.Code != formCode(t, "320583") || e.County != "kunshan" || e.Contact != "张三" || e.Phone != formPhone {
		t.Fatalf("profile after submit: %+v", e)
	}
}

func TestRosterQueryUsesKnownCode(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, returning(t))
	c.send("我们在企业库里吗")
	var got string
	for _, e := range c.effects {
		if l, ok := e.(dialog.LookupRoster); ok {
			got = l.CreditCode
		}
	}
	if got != formCode(t, "320583") {
		t.Fatalf("lookup %q, replies %v: %s", got, c.names(), c.text())
	}
}

func TestStaffMenu(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, dialog.Profile{Staff: domain.RoleCounty})
	c.send("菜单")
	if !strings.Contains(c.text(), "待办") || strings.Contains(c.text(), "自检") {
		t.Fatalf("staff menu: %s", c.text())
	}
	c.send("帮助")
	if strings.Contains(c.text(), "撤回") {
		t.Fatalf("staff help mentions 撤回: %s", c.text())
	}
}

func TestPracticalAnswerOffersNumberedNextSteps(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, dialog.Profile{County: "kunshan"})
	c.send("什么时候有人联系我")
	if !strings.Contains(c.text(), "2个工作日") || !strings.Contains(c.text(), "1. 提交融资需求") || !strings.Contains(c.text(), "昆山") {
		t.Fatalf("timescale: %s", c.text())
	}
	c.send("1")
	c.at2("need", "name")
	c.send("取消")
	c.send("1") // the offer was good for one message: the main menu's 1
	if c.s.Flow == "need" {
		t.Fatalf("offer outlived its message")
	}
}

func TestTier4RateQuestionIsHonest(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, dialog.Profile{Tier: domain.Tier4, Applied: dialog.AppliedSome})
	for _, q := range []string{"能贷多少利率多少", "我们利率多少"} {
		c.send(q)
		if strings.Contains(c.text(), "Ⅰ类：LPR") || !strings.Contains(c.text(), "Ⅳ类") {
			t.Errorf("%s: %s", q, c.text())
		}
	}
}

func TestEquipmentPurposeHintsLeasing(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, dialog.Profile{})
	c.sendAll("融资需求", formName, formCode(t, "320583"), "1", "张三", formPhone, formNo(t, c.p, "szd"), "500", "12")
	c.send("设备更新")
	if !strings.Contains(c.text(), "融资租赁") {
		t.Fatalf("no leasing hint: %s", c.text())
	}
	c.at2("need", "consent")
}

func TestPurposeHintsOtherProducts(t *testing.T) {
	for purpose, want := range map[string]string{
		"原材料价格波动大，想锁定成本": "期货套期保值",
		"引进投资机构做股权融资":    "直接融资与间接融资",
		"购置检测设备":         "以租代购",
		"采购原材料":          "",
	} {
		c := newFormConv(t, dialog.Profile{})
		c.sendAll("融资需求", formName, formCode(t, "320583"), "1", "张三", formPhone, formNo(t, c.p, "szd"), "500", "12")
		c.send(purpose)
		got := false
		for _, r := range c.replies {
			got = got || r.Name == "product_hint"
		}
		if got != (want != "") || want != "" && !strings.Contains(c.text(), want) {
			t.Errorf("%s: hint %v: %s", purpose, got, c.text())
		}
		c.at2("need", "consent")
	}
}
