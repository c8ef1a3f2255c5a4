package dialog_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The issue's messages, as enterprises type them, answered through Step.

func TestSmallTalkIsFriendly(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"你好": "chat_greeting", "早上好": "chat_greeting", "hello": "chat_greeting", "在吗": "chat_greeting",
		"谢谢": "chat_thanks", "再见": "chat_bye", "你是机器人吗": "chat_robot", "这是什么公众号": "chat_about",
	} {
		c := newChat(t, dialog.Profile{}).send(text)
		if strings.Join(c.names(), ",") != want {
			t.Errorf("%q: replies %v, want %s", text, c.names(), want)
			continue
		}
		c.contains("菜单")
		if strings.Contains(c.text(), "0512-") || strings.Contains(c.text(), "没有理解") {
			t.Errorf("%q: %s", text, c.text())
		}
	}
}

func TestOutOfScopeIsPolite(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for _, text := range []string{"个人信用卡怎么申请", "今天天气怎么样", "公积金怎么提取", "基金定投好不好"} {
		c := newChat(t, dialog.Profile{County: "kunshan"}).send(text)
		if strings.Join(c.names(), ",") != "out_of_scope" {
			t.Fatalf("%q: replies %v", text, c.names())
		}
		c.contains("苏质融")
		for _, co := range p.Counties {
			if strings.Contains(c.text(), co.Phone) {
				t.Fatalf("%q: referred to a county officer:\n%s", text, c.text())
			}
		}
	}
}

func TestAmountsAreCosted(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	// No tier known: Ⅰ–Ⅲ side by side, with the band of the amount.
	c := newChat(t, dialog.Profile{}).send("贷５００万一年利息多少")
	d := c.reply("calc_compare").Data.(dialog.AmountData)
	if d.AmountWan != 500 || len(d.Lines) != 3 || d.FundPct != 80 {
		t.Fatalf("compare %+v", d)
	}
	pct1, _, _ := p.RateCap(domain.Tier1)
	if want := strconv.FormatFloat(math.Round(500*pct1)/100, 'f', 2, 64); d.Lines[0].InterestWan != want {
		t.Fatalf("Ⅰ interest %s, want %s", d.Lines[0].InterestWan, want)
	}
	if !c.s.Idle() {
		t.Fatalf("flow %q left open", c.s.Flow)
	}
	// The tier named wins; the calculator waits for another amount.
	c = newChat(t, dialog.Profile{}).send("我们是二类企业借1000万一年利息多少钱")
	r := c.reply("calc_result").Data.(dialog.CalcResultData)
	if r.Tier != domain.Tier2 || r.AmountWan != 1000 || r.FundPct != 80 {
		t.Fatalf("result %+v", r)
	}
	c.at2("calc", "amount")
	c.send("1500")
	if r := c.reply("calc_result").Data.(dialog.CalcResultData); r.Tier != domain.Tier2 || r.FundPct != 50 {
		t.Fatalf("next amount %+v", r)
	}
	// The follower's checked tier is used when the message names none.
	c = newChat(t, dialog.Profile{Tier: domain.Tier3}).send("借两千万利息多少")
	if r := c.reply("calc_result").Data.(dialog.CalcResultData); r.Tier != domain.Tier3 || r.AmountWan != 2000 {
		t.Fatalf("checked tier %+v", r)
	}
	// An honour named in the same message gives the tier, provisionally
	// and said to be; a checked tier still wins over it.
	c = newChat(t, dialog.Profile{}).send("我们在吴江，去年拿了苏州市长质量奖，想贷款800万，利息大概多少")
	if r := c.reply("calc_result").Data.(dialog.CalcResultData); r.Tier != domain.Tier1 || r.AmountWan != 800 || r.Basis == "" {
		t.Fatalf("honour tier %+v", r)
	}
	c = newChat(t, dialog.Profile{Tier: domain.Tier2}).send("我们拿了苏州市长质量奖，贷800万利息多少")
	if r := c.reply("calc_result").Data.(dialog.CalcResultData); r.Tier != domain.Tier2 || r.Basis != "" {
		t.Fatalf("checked tier over honour %+v", r)
	}
	// Over the cap: said so, nothing asked again.
	c = newChat(t, dialog.Profile{}).send("贷5000万可以吗")
	c.reply("amount_over_cap")
	c.contains("3000万元")
	if !c.s.Idle() {
		t.Fatalf("flow %q left open", c.s.Flow)
	}
}

func TestCalcWithTheTierNamed(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{}).send("我们是二类企业，想算一下利息")
	if d := c.reply("calc_amount").Data.(dialog.CalcAmountData); d.Tier != domain.Tier2 {
		t.Fatalf("amount question for %s", d.Tier)
	}
	if c.has("products_tier") {
		t.Fatalf("the tier was asked again: %v", c.names())
	}
	c.at2("calc", "amount")
	c.send("300")
	if r := c.reply("calc_result").Data.(dialog.CalcResultData); r.Tier != domain.Tier2 || r.AmountWan != 300 {
		t.Fatalf("result %+v", r)
	}
}

func TestRatesNarrowToTheTierNamed(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{}).send("三类企业利率是多少")
	d := c.reply("faq_rates").Data.(dialog.TopicData)
	if len(d.Rates) != 1 || d.Rates[0].Tier != domain.Tier3 {
		t.Fatalf("rates %+v", d.Rates)
	}
	// Ⅳ has no rate cap, and says so.
	c = newChat(t, dialog.Profile{}).send("四类企业利率多少")
	c.reply("calc_tier4")
}

func TestHonourQuestionsGetATier(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]domain.Tier{
		"我们有ISO9001认证属于哪类":  domain.Tier3,
		"ＣＣＣ认证属于哪类":         domain.Tier2,
		"我们什么认证都没有属于哪类":     domain.Tier4,
		"我们是江苏质量信用AAA级属于哪类": domain.Tier1,
	} {
		c := newChat(t, dialog.Profile{}).send(text)
		d := c.reply("honour_tier").Data.(dialog.HonourData)
		if d.Tier != want || d.Clause == "" {
			t.Errorf("%q: %+v, want %s", text, d, want)
		}
		c.contains("自检")
		if !c.s.Idle() {
			t.Errorf("%q: flow %q started", text, c.s.Flow)
		}
	}
	// A statement still starts the self-check, remembering what it said.
	c := newChat(t, dialog.Profile{}).send("我们主导起草过一项国家标准")
	c.reply("selfcheck_described")
	if c.s.Flow != "selfcheck" {
		t.Fatalf("flow %q", c.s.Flow)
	}
}

func TestCountyContactOnly(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"园区市场监管局找谁": "sip", "我们在太仓，找谁办": "taicang", "姑苏区对接人是谁": "gusu",
		"崑山市場監管局電話": "kunshan", "那个那个我们在昆山嗯就是想问问找谁申请": "kunshan",
	} {
		c := newChat(t, dialog.Profile{}).send(text)
		d := c.reply("contact_one").Data.(dialog.ContactData)
		if d.County.ID != want {
			t.Errorf("%q: county %s, want %s", text, d.County.ID, want)
		}
		if strings.Count(c.text(), "0512-") != 1 {
			t.Errorf("%q: more than one phone:\n%s", text, c.text())
		}
	}
}

func TestProgressQuestions(t *testing.T) {
	t.Parallel()
	for text, number := range map[string]string{
		"我的申请到哪一步了": "", "有人联系了吗": "", "审批结果出来没有": "", "查一下SZR-20260101-0001": "SZR-20260101-0001",
	} {
		c := newChat(t, dialog.Profile{}).send(text)
		if len(c.effects) != 1 {
			t.Fatalf("%q: effects %v, replies %v", text, c.effects, c.names())
		}
		if l, ok := c.effects[0].(dialog.ListLeads); !ok || l.Number != number {
			t.Fatalf("%q: effect %#v, want number %q", text, c.effects[0], number)
		}
	}
}

func TestIssueExamplesAreAnswered(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"苏质贷是什么": "faq_loan", "能借多少钱": "faq_loan", "期货套期保值有什么优惠": "faq_futures",
		"什么样的企业可以入库": "faq_eligibility", "在哪里申请苏质贷": "faq_answer", "可以直接在微信里申请吗": "faq_answer",
		"蘇質貸額度多少": "faq_loan", "苏质熔是什么": "faq_answer", "期货套宝": "faq_futures", "风险补尝比例": "faq_risk",
	} {
		c := newChat(t, dialog.Profile{}).send(text)
		if strings.Join(c.names(), ",") != want {
			t.Errorf("%q: replies %v, want %s", text, c.names(), want)
		}
	}
}

func TestUnplacedIsHonest(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{}).send("你们周末上班吗")
	c.reply("faq_unknown")
	c.contains("人工", "自检")
	if strings.Contains(c.text(), "0512-") {
		t.Fatalf("phones listed:\n%s", c.text())
	}
}

func TestClarifyingQuestion(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	var text string
	for _, u := range append(mustUtterances(t, "train.yaml"), mustUtterances(t, "heldout.yaml")...) {
		// The first ambiguous one that no rule before the matcher answers
		// (an eligibility fact, a status question, 苏质贷's 优惠).
		if p.Understand(u.Text).Verdict == dialog.Unsure && newChat(t, dialog.Profile{}).send(u.Text).has("clarify") {
			text = u.Text
			break
		}
	}
	if text == "" {
		t.Skip("no labelled utterance is ambiguous")
	}
	u := p.Understand(text)
	c := newChat(t, dialog.Profile{}).send(text)
	d := c.reply("clarify").Data.(dialog.ClarifyData)
	if len(d.Options) != 2 {
		t.Fatalf("options %+v", d.Options)
	}
	c.at2("clarify", "pick")
	c.send("2")
	if c.s.Flow == "clarify" || len(c.replies) == 0 {
		t.Fatalf("choice not taken: %v", c.names())
	}
	second, _ := p.Intent(u.Second)
	if d.Options[1].Key != second.ID {
		t.Fatalf("second option %s, want %s", d.Options[1].Key, second.ID)
	}
	// Anything but a choice is a new message.
	c = newChat(t, dialog.Profile{}).send(text).send("你好")
	c.reply("chat_greeting")
}

func TestQuestionMidConsultationIsAnsweredAside(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{}).send("测算")
	c.at2("calc", "tier")
	c.send("园区市场监管局电话多少？")
	c.reply("contact_one")
	c.reply("products_tier")
	c.at2("calc", "tier")
}

func TestFreeTextChoiceUsesTheMatcher(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{Tier: domain.Tier1}).send("产品").send("套宝")
	d := c.reply("products_detail").Data.(dialog.ProductData)
	if d.Product.ID != "futures" {
		t.Fatalf("picked %s", d.Product.ID)
	}
}
