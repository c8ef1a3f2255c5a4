package dialog_test

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

func productIndex(p *dialog.Policy, id string) int {
	return slices.IndexFunc(p.Products, func(pr dialog.Product) bool { return pr.ID == id })
}

// checkProduct asserts the details of product pr shown for tier.
func (c *chat) checkProduct(pr dialog.Product, tier domain.Tier, checked bool) {
	c.tb.Helper()
	d := c.reply("products_detail").Data.(dialog.ProductData)
	if d.Product.ID != pr.ID {
		c.tb.Fatalf("shown %s, want %s", d.Product.ID, pr.ID)
	}
	c.contains(pr.Name, pr.Summary, "依据：通知"+pr.Clause)
	if len(pr.Terms) == 0 {
		if d.Tier.Valid() {
			c.tb.Fatalf("%s has no tier terms but was shown for %s", pr.ID, d.Tier)
		}
	} else {
		if d.Tier != tier || d.Checked != checked {
			c.tb.Fatalf("%s shown for %s (checked %v), want %s (%v)", pr.ID, d.Tier, d.Checked, tier, checked)
		}
		if terms := pr.TermsFor(tier); terms != "" {
			c.contains(tier.Label(), terms)
		}
	}
	if pct, bp, ok := c.p.RateCap(tier); ok && pr.ID == "szd" {
		c.contains(fmt.Sprintf("%.2f%%", pct), fmt.Sprintf("LPR+%d个基点", bp), c.p.LPRDate)
	}
	if pr.ID == "futures" {
		c.contains(fmt.Sprintf("%d万元以上", c.p.Futures.MarginEquityWan))
	}
	if !c.s.Idle() {
		c.tb.Fatalf("flow %q.%q open after the details", c.s.Flow, c.s.Step)
	}
}

func TestProductsEveryProductEveryTier(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for i, pr := range p.Products {
		for tier := domain.Tier1; tier <= domain.Tier4; tier++ {
			t.Run(fmt.Sprintf("%s/checked-%s", pr.ID, tier), func(t *testing.T) {
				c := newChat(t, dialog.Profile{Tier: tier})
				c.send("产品")
				c.at2("products", "list")
				for _, x := range p.Products {
					c.contains(x.Name)
				}
				c.send(strconv.Itoa(i + 1))
				c.checkProduct(pr, tier, true)
			})
			t.Run(fmt.Sprintf("%s/asked-%s", pr.ID, tier), func(t *testing.T) {
				c := newChat(t, dialog.Profile{})
				c.click(dialog.KeyProducts).send(pr.Name)
				if len(pr.Terms) == 0 {
					c.checkProduct(pr, domain.TierUnknown, false)
					return
				}
				c.at2("products", "tier")
				c.contains("您的质量信誉类型是？", "不清楚，先做自检", pr.Name)
				c.send(strconv.Itoa(int(tier)))
				c.checkProduct(pr, tier, false)
				if c.s.Profile.Tier.Valid() {
					t.Fatalf("a stated tier was saved as a self-check: %+v", c.s.Profile)
				}
			})
		}
	}
}

func TestProductsEntryKeywords(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	tests := []struct{ word, id string }{
		{"苏质贷", "szd"}, {"期货", "futures"}, {"租赁", "leasing"}, {"融资租赁", "leasing"},
		{"担保", "guarantee"}, {"保险", "insurance"},
	}
	for _, tt := range tests {
		pr, ok := p.Product(tt.id)
		if !ok {
			t.Fatalf("seeds have no product %q", tt.id)
		}
		t.Run(tt.word, func(t *testing.T) {
			c := newChat(t, dialog.Profile{Tier: domain.Tier2})
			c.send(tt.word)
			c.checkProduct(pr, domain.Tier2, true)

			// From inside another flow, without a tier.
			c = newChat(t, dialog.Profile{}).toLists()
			c.send(tt.word)
			if len(pr.Terms) == 0 {
				c.checkProduct(pr, domain.TierUnknown, false)
				return
			}
			c.at2("products", "tier")
			c.send("Ⅲ类")
			c.checkProduct(pr, domain.Tier3, false)
		})
	}
}

func TestProductsTierQuestion(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	szd, _ := p.Product("szd")
	for _, answer := range []string{"1", "Ⅰ类", "I类", "一类", "质量信誉Ⅰ类", "ⅰ"} {
		c := newChat(t, dialog.Profile{}).send("苏质贷").send(answer)
		c.checkProduct(szd, domain.Tier1, false)
	}
	for _, answer := range []string{"5", "不清楚，先做自检", "不知道", "自检"} {
		c := newChat(t, dialog.Profile{}).send("苏质贷").send(answer)
		c.reply("selfcheck")
		c.at2("selfcheck", "cond0")
	}
	c := newChat(t, dialog.Profile{}).send("苏质贷").send("六类")
	c.reply("products_tier_invalid")
	c.reply("products_tier")
	c.at2("products", "tier")

	// 返回 from the tier question goes back to the list it came from.
	c = newChat(t, dialog.Profile{}).send("产品")
	c.send(strconv.Itoa(productIndex(p, "szd") + 1))
	c.at2("products", "tier")
	c.send("返回")
	c.at2("products", "list")
	c.reply("products")
	c.send("帮助")
	c.reply("products_help_list")
	c.at2("products", "list")
	c.send(strconv.Itoa(productIndex(p, "szd") + 1)).send("帮助")
	c.reply("products_help_tier")
	c.send("取消")
	c.reply("cancelled")
	if !c.s.Idle() {
		t.Fatalf("取消 left %q", c.s.Flow)
	}

	c = newChat(t, dialog.Profile{}).send("产品").send("第九十九个")
	c.reply("products_invalid")
	c.at2("products", "list")
	c.send("99")
	c.reply("products_invalid")
}

func TestProductsListAnswersQuestions(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	c := newChat(t, dialog.Profile{}).send("产品").send("苏质贷利率是多少？")
	c.reply("faq_rates")
	c.contains("依据：通知" + p.Loan.Clause)
	if !c.s.Idle() {
		t.Fatalf("flow %q open after an answer", c.s.Flow)
	}
	c = newChat(t, dialog.Profile{}).send("产品").send("你们几点下班？")
	c.reply("faq_unknown")
}

// calcCase is one amount for the calculator and what it must answer.
type calcCase struct {
	amount         string
	wan            float64
	fund, bank     int
	refused, wrong bool
}

func TestCalculator(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	bands := p.Loan.Bands
	low, high := bands[0], bands[len(bands)-1]
	cases := []calcCase{
		{amount: "1", wan: 1, fund: low.FundPct, bank: low.BankPct},
		{amount: "1000", wan: 1000, fund: low.FundPct, bank: low.BankPct},
		{amount: "1000万", wan: 1000, fund: low.FundPct, bank: low.BankPct},
		{amount: "1000.01", wan: 1000.01, fund: high.FundPct, bank: high.BankPct},
		{amount: "3000", wan: 3000, fund: high.FundPct, bank: high.BankPct},
		{amount: "0.3亿", wan: 3000, fund: high.FundPct, bank: high.BankPct},
		{amount: "３０００万元", wan: 3000, fund: high.FundPct, bank: high.BankPct},
		{amount: "3000.01", refused: true},
		{amount: "5000万", refused: true},
		{amount: "0", wrong: true},
		{amount: "-5", wrong: true},
		{amount: "很多", wrong: true},
		{amount: "", wrong: true},
	}
	if low.UpToWan != 1000 || high.UpToWan != 3000 || p.Loan.MaxWan != 3000 {
		t.Fatalf("seeds changed the bands (%+v, cap %v): update the cases", bands, p.Loan.MaxWan)
	}
	for tier := domain.Tier1; tier <= domain.Tier3; tier++ {
		pct, bp, _ := p.RateCap(tier)
		for _, cc := range cases {
			t.Run(fmt.Sprintf("%s/%s", tier, cc.amount), func(t *testing.T) {
				c := newChat(t, dialog.Profile{Tier: tier})
				c.send("测算")
				c.at2("calc", "amount")
				c.reply("calc_amount")
				c.send(cc.amount)
				c.at2("calc", "amount")
				switch {
				case cc.refused:
					d := c.reply("calc_over_cap").Data.(dialog.CalcOverCapData)
					if d.MaxWan != p.Loan.MaxWan {
						t.Fatalf("cap %v", d.MaxWan)
					}
					c.contains("不超过3000万元", "通知"+p.Loan.Clause)
					c.reply("calc_amount")
				case cc.wrong:
					c.reply("calc_bad_amount")
					c.reply("calc_amount")
				default:
					d := c.reply("calc_result").Data.(dialog.CalcResultData)
					interest := strconv.FormatFloat(math.Round(cc.wan*pct)/100, 'f', 2, 64)
					if d.AmountWan != cc.wan || d.RatePct != pct || d.MarginBP != bp ||
						d.FundPct != cc.fund || d.BankPct != cc.bank || d.InterestWan != interest {
						t.Fatalf("result %+v, want %v万 at %v%% (+%d), %d/%d, interest %s", d, cc.wan, pct, bp, cc.fund, cc.bank, interest)
					}
					c.contains(fmt.Sprintf("%.2f%%", pct), fmt.Sprintf("LPR+%d个基点", bp),
						fmt.Sprintf("%.2f%%", p.LPR), p.LPRDate, interest+"万元",
						fmt.Sprintf("承担%d%%", cc.fund), fmt.Sprintf("承担%d%%", cc.bank),
						"全部利息损失", "依据：通知"+p.Loan.Clause)
				}
			})
		}
	}
	// The results the brief names, spelled out.
	pct1, _, _ := p.RateCap(domain.Tier1)
	interest := func(wan float64) string { return fmt.Sprintf("%.2f万元", wan*pct1/100) }
	c := newChat(t, dialog.Profile{Tier: domain.Tier1}).send("测算").send("1000")
	c.contains("不超过1000万元（含）", "承担80%", "承担20%", interest(1000), fmt.Sprintf("%.2f%%", pct1))
	c.send("1000.01")
	c.contains("1000万元（不含）至3000万元", "承担50%", interest(1000.01))
	c.send("3000")
	c.contains("承担50%", interest(3000))
	c.send("3000.01")
	c.reply("calc_over_cap")
	c.send("菜单")
	c.reply("menu")
}

func TestCalculatorTier(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	c := newChat(t, dialog.Profile{}).click(dialog.KeyCalc)
	c.at2("calc", "tier")
	c.contains("您的质量信誉类型是？")
	c.send("2")
	c.at2("calc", "amount")
	c.send("500")
	d := c.reply("calc_result").Data.(dialog.CalcResultData)
	if pct, _, _ := p.RateCap(domain.Tier2); d.Tier != domain.Tier2 || d.RatePct != pct {
		t.Fatalf("result %+v", d)
	}
	c.send("返回")
	c.at2("calc", "tier")

	for _, four := range []string{"4", "Ⅳ类"} {
		c = newChat(t, dialog.Profile{}).send("测算").send(four)
		c.reply("calc_tier4")
		c.contains("入库", "自检", "通知"+p.Loan.Clause)
		if !c.s.Idle() {
			t.Fatalf("Ⅳ left the calculator open at %q", c.s.Step)
		}
	}
	c = newChat(t, dialog.Profile{Tier: domain.Tier4}).send("测算")
	c.reply("calc_tier4")
	if !c.s.Idle() || c.has("calc_amount") {
		t.Fatalf("Ⅳ was asked for an amount: %v", c.names())
	}

	c = newChat(t, dialog.Profile{}).send("测算").send("5")
	c.reply("selfcheck")
	c = newChat(t, dialog.Profile{}).send("测算").send("七")
	c.reply("products_tier_invalid")
	c.at2("calc", "tier")
	c.send("帮助")
	c.reply("calc_help_tier")
	c.sendAll("1", "帮助")
	c.reply("calc_help_amount")
	c.at2("calc", "amount")
	c.send("取消")
	c.reply("cancelled")
}

func TestFAQEveryEntry(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for _, f := range p.FAQs {
		t.Run(f.ID, func(t *testing.T) {
			// At least one of the FAQ's keywords, asked as a question,
			// must reach it from an idle chat.
			var tried []string
			for _, kw := range f.Keywords {
				c := newChat(t, dialog.Profile{})
				c.send(kw + "？")
				if answered(c, f) {
					c.contains("依据：通知"+f.Clause, f.Question)
					if f.Answer != "" {
						c.contains(f.Answer)
					}
					return
				}
				tried = append(tried, fmt.Sprintf("%s→%v", kw, c.names()))
			}
			t.Fatalf("no keyword reaches %s: %v", f.ID, tried)
		})
	}
}

// answered reports whether the chat's last replies answer FAQ f.
func answered(c *chat, f dialog.FAQ) bool {
	for _, r := range c.replies {
		switch d := r.Data.(type) {
		case dialog.FAQData:
			if r.Name == "faq_answer" && d.ID == f.ID {
				return true
			}
		case dialog.TopicData:
			if r.Name == "faq_"+f.Topic && d.Question == f.Question {
				return true
			}
		}
	}
	return false
}

func TestFAQQuestions(t *testing.T) {
	t.Parallel()
	tests := []struct{ text, id string }{
		{"苏质融是什么？", "what"},
		{"苏质贷的利率是多少", "rates"},
		{"现在LPR是多少", "lpr"},
		{"最多能贷多少", "loan-cap"},
		{"场外期权授信额度是多少", "futures-otc"},
		{"期货手续费有优惠吗", "futures-fee"},
		{"本金损失怎么分担", "risk"},
		{"质量信誉分几类", "tiers"},
		{"省综合金融服务平台网址", "platform"},
	}
	p := MustChatPolicy(t)
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			i := slices.IndexFunc(p.FAQs, func(f dialog.FAQ) bool { return f.ID == tt.id })
			if i < 0 {
				t.Fatalf("seeds have no FAQ %q", tt.id)
			}
			c := newChat(t, dialog.Profile{}).send(tt.text)
			if !answered(c, p.FAQs[i]) {
				t.Fatalf("%q answered with %v, want %s:\n%s", tt.text, c.names(), tt.id, c.text())
			}
		})
	}
}

func TestFAQTopics(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	var want = map[string]func(c *chat){
		"rates": func(c *chat) {
			for tier := domain.Tier1; tier <= domain.Tier3; tier++ {
				pct, bp, _ := p.RateCap(tier)
				c.contains(tier.Label(), fmt.Sprintf("LPR+%d个基点", bp), fmt.Sprintf("%.2f%%", pct))
			}
			c.contains(p.LPRDate)
		},
		"lpr": func(c *chat) { c.contains(fmt.Sprintf("%.2f%%", p.LPR), p.LPRDate) },
		"loan": func(c *chat) {
			c.contains(strconv.FormatFloat(p.Loan.MaxWan, 'f', -1, 64)+"万元", fmt.Sprintf("%d个月", p.Loan.TermMonths))
		},
		"risk": func(c *chat) {
			for _, b := range p.Loan.Bands {
				c.contains(fmt.Sprintf("承担%d%%", b.FundPct), fmt.Sprintf("承担%d%%", b.BankPct))
			}
			c.contains("全部利息损失")
		},
		"futures": func(c *chat) {
			for tier, wan := range p.Futures.OTCCreditWan {
				c.contains(fmt.Sprintf("%s不超过%d万元", tier.Label(), wan))
			}
			c.contains(fmt.Sprintf("%d万元以上", p.Futures.MarginEquityWan), "最优惠手续费")
		},
		"eligibility": func(c *chat) {
			for _, cond := range p.Eligibility {
				c.contains(cond.Question)
			}
		},
		"tiers": func(c *chat) {
			for _, cr := range p.Criteria {
				c.contains(cr.Name)
			}
		},
	}
	// Questions as people type them; the FAQ's own questions mention 贷款,
	// which the engine reads as the main menu's 融资需求 first.
	asked := map[string]string{
		"rates": "苏质贷利率是多少？", "lpr": "现在LPR是多少", "loan": "最多能贷多少",
		"risk": "风险补偿机制是怎样的", "futures": "场外期权授信额度是多少",
		"eligibility": "什么样的企业可以进入苏质融企业库？", "tiers": "质量信誉分几类",
	}
	seen := map[string]bool{}
	for _, f := range p.FAQs {
		if f.Topic == "" || seen[f.Topic] {
			continue
		}
		seen[f.Topic] = true
		check, ok := want[f.Topic]
		if !ok {
			t.Fatalf("FAQ %s has topic %q the test does not know", f.ID, f.Topic)
		}
		t.Run(f.Topic, func(t *testing.T) {
			c := newChat(t, dialog.Profile{Tier: domain.Tier2})
			c.send(asked[f.Topic])
			d := c.reply("faq_" + f.Topic).Data.(dialog.TopicData)
			check(c)
			c.contains("依据：通知"+d.Clause, d.Question)
			if i := slices.IndexFunc(p.FAQs, func(x dialog.FAQ) bool { return x.Question == d.Question }); i < 0 || p.FAQs[i].Clause != d.Clause {
				t.Fatalf("answered as %q citing %q, not as a FAQ of the seeds", d.Question, d.Clause)
			}
		})
	}
	if len(seen) != len(want) {
		t.Fatalf("seeds cover topics %v, want all of %d", seen, len(want))
	}

	// 利率 on its own is an entry keyword answered by the topic.
	c := newChat(t, dialog.Profile{Tier: domain.Tier3})
	c.send("利率")
	c.reply("faq_rates")
	c.contains("您的自检类型", "依据：通知"+p.Loan.Clause)
}

func TestFAQCannotAnswer(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for _, q := range []string{"你们周末上班吗", "外地分公司的账怎么做？", "可以开发票"} {
		c := newChat(t, dialog.Profile{})
		c.send(q)
		d := c.reply("faq_unknown").Data.(dialog.ContactsData)
		// An honest answer: what the bot can do and 人工, never a wall of
		// every county's phone.
		if len(d.Counties) != 0 {
			t.Fatalf("%q: %d contacts", q, len(d.Counties))
		}
		c.contains("无法准确回答", "人工", "自检")
		if strings.Contains(c.text(), p.Counties[0].Phone) {
			t.Fatalf("%q: phone numbers listed:\n%s", q, c.text())
		}
		if c.has("menu") {
			t.Fatalf("%q: a made-up path: %v", q, c.names())
		}
	}
	// The follower's own county is offered, and only it.
	c := newChat(t, dialog.Profile{County: "kunshan"})
	c.send("你们周末上班吗")
	d := c.reply("faq_unknown").Data.(dialog.ContactsData)
	if len(d.Counties) != 1 || d.Counties[0].ID != "kunshan" {
		t.Fatalf("own county: %+v", d.Counties)
	}
	// Text that is no question is not understood, and gets the menu.
	c = newChat(t, dialog.Profile{}).send("zzzz")
	c.reply("not_understood")
	c.reply("menu")
}

func TestContacts(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	if len(p.Counties) != 11 {
		t.Fatalf("%d counties in the seeds, want the 11 of 附件2", len(p.Counties))
	}
	c := newChat(t, dialog.Profile{}).send("联系")
	d := c.reply("contacts").Data.(dialog.ContactsData)
	if d.Own != "" || len(d.Counties) != len(p.Counties) {
		t.Fatalf("contacts %+v", d)
	}
	for _, co := range p.Counties {
		c.contains(co.Name, co.Contact, co.Post, co.Phone)
	}
	if strings.Contains(c.text(), "您所在地区") {
		t.Fatalf("a county marked own without one:\n%s", c.text())
	}
	for _, co := range p.Counties {
		c := newChat(t, dialog.Profile{County: co.ID}).click(dialog.KeyContacts)
		d := c.reply("contacts").Data.(dialog.ContactsData)
		if d.Counties[0].ID != co.ID || len(d.Counties) != len(p.Counties) || d.Own != co.ID {
			t.Fatalf("%s: first %s of %d", co.ID, d.Counties[0].ID, len(d.Counties))
		}
		first := strings.SplitN(c.text(), "\n", 3)[1]
		if !strings.Contains(first, co.Phone) || !strings.Contains(first, "您所在地区") {
			t.Fatalf("%s: first line %q", co.ID, first)
		}
	}
	c = newChat(t, dialog.Profile{County: "nowhere"}).send("电话")
	if d := c.reply("contacts").Data.(dialog.ContactsData); d.Own != "" || len(d.Counties) != len(p.Counties) {
		t.Fatalf("unknown county: %+v", d)
	}
}
