package dialog_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/suzhou-amr/suzhirong/leads"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/seeds"
	"github.com/suzhou-amr/suzhirong/templates"
)

// chat drives one follower's conversation through dialog.Step and renders
// every reply, so that a template that does not fit its data fails the test.
type chat struct {
	tb      testing.TB
	p       *dialog.Policy
	tmpl    *template.Template
	s       dialog.State
	at      time.Time
	replies []dialog.Reply  // of the last message
	effects []dialog.Effect // of the last message
	texts   []string        // the last message's replies, rendered
}

var chatStart = time.Date(2025, 6, 3, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// seedPolicy is the seed policy, loaded once for the package's tests: a
// policy is read-only once loaded (Step, Understand and the With* copies
// never change it), and loading it costs more than most tests' bodies.
var seedPolicy = sync.OnceValues(seeds.Load)

// MustChatPolicy returns the shared seed policy. A test that edits its
// policy loads its own with seeds.Load.
func MustChatPolicy(tb testing.TB) *dialog.Policy {
	tb.Helper()
	p, err := seedPolicy()
	if err != nil {
		tb.Fatalf("load seeds: %v", err)
	}
	return p
}

// MustReplyTemplates parses the reply templates.
func MustReplyTemplates(tb testing.TB) *template.Template {
	tb.Helper()
	t, err := templates.Replies()
	if err != nil {
		tb.Fatalf("parse templates: %v", err)
	}
	return t
}

func newChat(tb testing.TB, profile dialog.Profile) *chat {
	tb.Helper()
	return &chat{
		tb: tb, p: MustChatPolicy(tb), tmpl: MustReplyTemplates(tb),
		s: dialog.State{Profile: profile}, at: chatStart,
	}
}

// send sends one text message, a minute after the last.
func (c *chat) send(text string) *chat {
	c.tb.Helper()
	c.do(dialog.Inbound{OpenID: "o-test", Kind: dialog.KindText, Text: text})
	return c
}

// click sends a custom-menu click.
func (c *chat) click(key string) *chat {
	c.tb.Helper()
	c.do(dialog.Inbound{OpenID: "o-test", Kind: dialog.KindClick, Text: key})
	return c
}

func (c *chat) do(in dialog.Inbound) {
	c.tb.Helper()
	c.at = c.at.Add(time.Minute)
	in.At = c.at
	c.s, c.replies, c.effects = dialog.Step(c.p, c.s, in)
	for _, e := range c.effects {
		if ot, ok := e.(dialog.OpenTicket); ok {
			// The lead pipeline answers a ticket opened; without a database
			// the chat gets the city officers' answer, as a follower whose
			// county has no bound contact does.
			c.replies = append(c.replies, dialog.Reply{Name: "ticket_opened", Data: leads.TicketOpenedData{
				Who: "苏州市市场监管局苏质融工作人员", When: "工作日一般4小时内", AskQuestion: ot.Question == "", InFlow: ot.InFlow,
			}})
		}
	}
	c.texts = nil
	for _, r := range c.replies {
		c.texts = append(c.texts, renderReply(c.tb, c.tmpl, r))
	}
}

// sendAll sends several messages in turn.
func (c *chat) sendAll(texts ...string) *chat {
	c.tb.Helper()
	for _, t := range texts {
		c.send(t)
	}
	return c
}

// renderReply executes a reply's template with its data.
func renderReply(tb testing.TB, tmpl *template.Template, r dialog.Reply) string {
	tb.Helper()
	var b strings.Builder
	if err := tmpl.ExecuteTemplate(&b, r.Name, r.Data); err != nil {
		tb.Fatalf("render %q with %#v: %v", r.Name, r.Data, err)
	}
	if strings.TrimSpace(b.String()) == "" {
		tb.Fatalf("reply %q renders empty", r.Name)
	}
	if strings.Contains(b.String(), "<no value>") {
		tb.Fatalf("reply %q renders <no value>: %s", r.Name, b.String())
	}
	return b.String()
}

func (c *chat) names() []string {
	var out []string
	for _, r := range c.replies {
		out = append(out, r.Name)
	}
	return out
}

// reply returns the last message's reply with the given template name.
func (c *chat) reply(name string) dialog.Reply {
	c.tb.Helper()
	for _, r := range c.replies {
		if r.Name == name {
			return r
		}
	}
	c.tb.Fatalf("no reply %q; got %v\n%s", name, c.names(), c.text())
	return dialog.Reply{}
}

func (c *chat) has(name string) bool { return slices.Contains(c.names(), name) }

func (c *chat) text() string { return strings.Join(c.texts, "\n") }

// at2 asserts where the conversation is.
func (c *chat) at2(flow, step string) {
	c.tb.Helper()
	if c.s.Flow != flow || c.s.Step != step {
		c.tb.Fatalf("at %q.%q, want %q.%q; replies %v\n%s", c.s.Flow, c.s.Step, flow, step, c.names(), c.text())
	}
}

func (c *chat) contains(parts ...string) {
	c.tb.Helper()
	for _, p := range parts {
		if !strings.Contains(c.text(), p) {
			c.tb.Fatalf("reply lacks %q:\n%s", p, c.text())
		}
	}
}

// meets is an answer that meets cond: 是, or 没有 for a question asked the
// natural way round ("受到过处罚吗？").
func meets(cond dialog.Condition) string {
	if cond.PassOnNo {
		return "没有"
	}
	return "是"
}

// toLists starts a self-check and meets every condition.
func (c *chat) toLists() *chat {
	c.tb.Helper()
	c.send("自检")
	for _, cond := range c.p.Eligibility {
		c.send(meets(cond))
	}
	c.at2("selfcheck", "tier1")
	return c
}

func (c *chat) saved() dialog.SaveCheck {
	c.tb.Helper()
	for _, e := range c.effects {
		if s, ok := e.(dialog.SaveCheck); ok {
			return s
		}
	}
	c.tb.Fatalf("no SaveCheck effect; effects %#v", c.effects)
	return dialog.SaveCheck{}
}

func ids(cs []dialog.Criterion) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func indexOf(cs []dialog.Criterion, id string) int {
	return slices.IndexFunc(cs, func(c dialog.Criterion) bool { return c.ID == id })
}

// checkResult asserts a finished self-check: the result, the effect and the
// profile all give tier with the criteria crit.
func (c *chat) checkResult(tier domain.Tier, crit []string) {
	c.tb.Helper()
	d, ok := c.reply("selfcheck_result").Data.(dialog.SelfCheckResultData)
	if !ok {
		c.tb.Fatalf("selfcheck_result data is %T", c.reply("selfcheck_result").Data)
	}
	if d.Tier != tier || !slices.Equal(ids(d.Criteria), crit) {
		c.tb.Fatalf("result %s %v, want %s %v", d.Tier, ids(d.Criteria), tier, crit)
	}
	if sc := c.saved(); sc.Tier != tier || !slices.Equal(sc.Criteria, crit) {
		c.tb.Fatalf("SaveCheck %+v, want %s %v", sc, tier, crit)
	}
	if pr := c.s.Profile; pr.Tier != tier || !slices.Equal(pr.Criteria, crit) || !pr.CheckedAt.Equal(c.at) {
		c.tb.Fatalf("profile %+v, want %s %v at %v", pr, tier, crit, c.at)
	}
	if !c.s.Idle() {
		c.tb.Fatalf("flow %q still open after the result", c.s.Flow)
	}
	for _, cr := range d.Criteria {
		c.contains(cr.Name, cr.Clause)
	}
	c.contains(tier.Label())
	if pct, bp, ok := c.p.RateCap(tier); ok {
		c.contains(fmt.Sprintf("%.2f%%", pct), fmt.Sprintf("LPR+%d个基点", bp),
			fmt.Sprintf("%.2f%%", c.p.LPR), c.p.LPRDate,
			fmt.Sprintf("%d万元", c.p.Futures.OTCCreditWan[tier]), "融资需求")
	} else {
		c.contains("入库")
	}
	if tier == domain.Tier1 {
		c.contains("最高一类")
	} else {
		if len(d.NextSteps) == 0 || d.NextTier != tier-1 {
			c.tb.Fatalf("no step up from %s: %+v", tier, d)
		}
		for _, n := range d.NextSteps {
			if n.Tier != tier-1 {
				c.tb.Fatalf("next step %s is not of tier %s", n.ID, tier-1)
			}
			c.contains(n.Name)
		}
	}
}

func TestSelfCheckEachCriterionByList(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for _, cr := range p.Criteria {
		if cr.Tier == domain.Tier4 {
			continue
		}
		t.Run(cr.ID, func(t *testing.T) {
			c := newChat(t, dialog.Profile{}).toLists()
			for tier := domain.Tier1; tier < cr.Tier; tier++ {
				c.send("都没有")
			}
			c.at2("selfcheck", fmt.Sprintf("tier%d", cr.Tier))
			c.contains(cr.Name)
			c.send(fmt.Sprint(indexOf(p.CriteriaOf(cr.Tier), cr.ID) + 1))
			c.checkResult(cr.Tier, []string{cr.ID})
		})
	}
	t.Run("none-is-IV", func(t *testing.T) {
		c := newChat(t, dialog.Profile{}).toLists()
		c.sendAll("都没有", "无")
		c.at2("selfcheck", "tier3")
		c.send("没有")
		c.checkResult(domain.Tier4, ids(p.CriteriaOf(domain.Tier4)))
	})
}

func TestSelfCheckEachCriterionByFreeText(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for _, cr := range p.Criteria {
		for _, text := range append([]string{cr.Name}, cr.Keywords...) {
			t.Run(cr.ID+"/"+text, func(t *testing.T) {
				c := newChat(t, dialog.Profile{}).toLists()
				c.send(text)
				c.at2("selfcheck", "confirm")
				d := c.reply("selfcheck_confirm").Data.(dialog.SelfCheckConfirmData)
				got := ids(d.Matches)
				if text == cr.Name {
					// A criterion's full name may mention lower ones'
					// keywords (the Ⅲ certificates); it must find itself
					// and set its own tier.
					if !slices.Contains(got, cr.ID) || d.Tier != cr.Tier {
						t.Fatalf("%q read as %v (%s), want %s in tier %s", text, got, d.Tier, cr.ID, cr.Tier)
					}
				} else if !slices.Equal(got, []string{cr.ID}) {
					t.Fatalf("%q read as %v, want only %s", text, got, cr.ID)
				}
				c.contains("我理解为", "对吗")
				c.send("对")
				want := []string{cr.ID}
				if cr.Tier == domain.Tier4 {
					want = ids(p.CriteriaOf(domain.Tier4))
				}
				c.checkResult(cr.Tier, want)
			})
		}
	}
}

func TestSelfCheckHighestTierWins(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	t.Run("list stops at the first tier with a pick", func(t *testing.T) {
		c := newChat(t, dialog.Profile{}).toLists()
		c.send("1 2")
		first := p.CriteriaOf(domain.Tier1)
		c.checkResult(domain.Tier1, []string{first[0].ID, first[1].ID})
	})
	tests := []struct {
		text string
		tier domain.Tier
		set  []string // criteria that set the tier
		all  []string // everything read
	}{
		{"我们是江苏质量信用AA级企业，还有CCC认证", domain.Tier2, []string{"t2-credit-aa", "t2-ccc"}, []string{"t2-credit-aa", "t2-ccc"}},
		{"有ISO9001，也是江苏质量信用AAA级", domain.Tier1, []string{"t1-credit-aaa"}, []string{"t1-credit-aaa", "t3-other-cert"}},
		{"江苏质量信用A级、苏州制造认证", domain.Tier2, []string{"t2-suzhou-made"}, []string{"t2-suzhou-made", "t3-credit-a"}},
		{"获得过苏州市市长质量奖和昆山市长质量奖", domain.Tier1, []string{"t1-mayor-award"}, []string{"t1-mayor-award", "t2-county-award"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			c := newChat(t, dialog.Profile{}).toLists()
			c.send(tt.text)
			d := c.reply("selfcheck_confirm").Data.(dialog.SelfCheckConfirmData)
			if !slices.Equal(ids(d.Matches), tt.all) || d.Tier != tt.tier {
				t.Fatalf("read %v (%s), want %v (%s)", ids(d.Matches), d.Tier, tt.all, tt.tier)
			}
			c.send("1")
			c.checkResult(tt.tier, tt.set)
		})
	}
}

func TestSelfCheckIneligible(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for i, cond := range p.Eligibility {
		fails := []string{"否", "不是", "2", "没有"}
		if cond.PassOnNo {
			fails = []string{"是", "有", "1", "有的"}
		}
		for _, no := range fails {
			t.Run(cond.ID+"/"+no, func(t *testing.T) {
				c := newChat(t, dialog.Profile{})
				c.send("自检")
				c.reply("selfcheck")
				for _, before := range p.Eligibility[:i] {
					c.send(meets(before))
				}
				c.at2("selfcheck", fmt.Sprintf("cond%d", i))
				c.contains(cond.Question)
				c.send(no)
				d := c.reply("selfcheck_failed").Data.(dialog.SelfCheckFailData)
				if d.Condition.ID != cond.ID {
					t.Fatalf("failed on %s, want %s", d.Condition.ID, cond.ID)
				}
				c.contains(cond.Question, cond.Fail, "依据：通知"+cond.Clause)
				if !c.s.Idle() || len(c.effects) != 0 || c.s.Profile.Tier.Valid() {
					t.Fatalf("ineligible check left flow %q, effects %v, profile %+v", c.s.Flow, c.effects, c.s.Profile)
				}
			})
		}
	}
}

func TestSelfCheckUnreadable(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{})
	c.send("自检").send("也许吧")
	c.reply("selfcheck_yesno_invalid")
	c.reply("selfcheck_condition")
	c.at2("selfcheck", "cond0")
	c.send("有")
	c.at2("selfcheck", "cond1")

	c = newChat(t, dialog.Profile{}).toLists()
	for _, bad := range []string{"有", "7", "1 9"} {
		c.send(bad)
		c.reply("selfcheck_tier_invalid")
		c.at2("selfcheck", "tier1")
	}
	c.sendAll("都没有", "99")
	c.reply("selfcheck_tier_invalid")
	c.at2("selfcheck", "tier2")

	c = newChat(t, dialog.Profile{}).toLists()
	c.sendAll("江苏质量信用AA级", "随便")
	c.reply("selfcheck_yesno_invalid")
	c.at2("selfcheck", "confirm")
}

func TestSelfCheckConfirmWrongGoesBackToLists(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for _, no := range []string{"不对", "2", "不对，重新选择"} {
		c := newChat(t, dialog.Profile{}).toLists()
		c.send("我们是江苏质量信用AA级企业")
		c.at2("selfcheck", "confirm")
		c.send(no)
		c.at2("selfcheck", "tier1")
		c.reply("selfcheck_tier")
		if len(c.effects) != 0 {
			t.Fatalf("effects on 不对: %v", c.effects)
		}
		c.sendAll("都没有", "都没有", "1")
		c.checkResult(domain.Tier3, []string{p.CriteriaOf(domain.Tier3)[0].ID})
		// 返回 from the first list goes to the last condition, not to confirm.
		c = newChat(t, dialog.Profile{}).toLists()
		c.sendAll("AA级", no, "返回")
		c.at2("selfcheck", fmt.Sprintf("cond%d", len(p.Eligibility)-1))
	}
}

func TestSelfCheckNothingRecognisedIsIV(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for _, text := range []string{"我们公司做精密零件，暂时没拿过什么奖", "纳税信用A级", "我们没有AAA"} {
		c := newChat(t, dialog.Profile{}).toLists()
		c.send(text)
		d := c.reply("selfcheck_confirm").Data.(dialog.SelfCheckConfirmData)
		if len(d.Matches) != 0 || d.Tier != domain.Tier4 {
			t.Fatalf("%q read as %v (%s), want nothing (Ⅳ)", text, ids(d.Matches), d.Tier)
		}
		c.send("对")
		c.checkResult(domain.Tier4, ids(p.CriteriaOf(domain.Tier4)))
	}
}

func TestSelfCheckSavedResultOnNextVisit(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	c := newChat(t, dialog.Profile{}).toLists()
	c.send("都没有").send("1")
	want := p.CriteriaOf(domain.Tier2)[0]
	c.checkResult(domain.Tier2, []string{want.ID})
	checked := c.at

	c.send("菜单")
	c.contains("您当前自检结果：" + domain.Tier2.Label())

	// A later visit, typed or clicked, shows the saved result.
	for _, open := range []func(){func() { c.send("自检") }, func() { c.click(dialog.KeySelfCheck) }} {
		open()
		c.at2("selfcheck", "saved")
		d := c.reply("selfcheck_saved").Data.(dialog.SelfCheckSavedData)
		if d.Tier != domain.Tier2 || !d.CheckedAt.Equal(checked) || len(d.Criteria) != 1 || d.Criteria[0].ID != want.ID {
			t.Fatalf("saved view %+v", d)
		}
		c.contains(domain.Tier2.Label(), want.Name, checked.Format("2006-01-02"), "重新自检", "返回菜单")
		if len(c.effects) != 0 {
			t.Fatalf("viewing the result has effects %v", c.effects)
		}
		c.send("2")
		c.reply("menu")
		if !c.s.Idle() {
			t.Fatalf("still in %q", c.s.Flow)
		}
	}

	// 1, 重新自检 and 自检 itself start over.
	for _, again := range []string{"1", "重新自检", "自检"} {
		c.send("自检").send(again)
		c.reply("selfcheck")
		c.at2("selfcheck", "cond0")
		c.send("取消")
	}
	c.send("自检").send("什么")
	c.reply("selfcheck_saved_invalid")
	c.at2("selfcheck", "saved")
	if c.s.Profile.Tier != domain.Tier2 {
		t.Fatalf("profile lost: %+v", c.s.Profile)
	}
}

func TestSelfCheckCommands(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	c := newChat(t, dialog.Profile{})
	c.sendAll("自检", "是")
	c.at2("selfcheck", "cond1")
	c.send("返回")
	c.at2("selfcheck", "cond0")
	c.contains(p.Eligibility[0].Question)
	c.send("返回")
	c.reply("menu")

	c = newChat(t, dialog.Profile{}).toLists()
	c.send("都没有")
	c.at2("selfcheck", "tier2")
	c.send("上一步")
	c.at2("selfcheck", "tier1")
	c.send("返回")
	c.at2("selfcheck", fmt.Sprintf("cond%d", len(p.Eligibility)-1))

	helps := map[string][]string{}
	c = newChat(t, dialog.Profile{})
	c.send("自检")
	c.send("帮助")
	helps["cond0"] = c.names()
	c.at2("selfcheck", "cond0")
	c = newChat(t, dialog.Profile{}).toLists()
	c.send("帮助")
	helps["tier1"] = c.names()
	c.at2("selfcheck", "tier1")
	c.sendAll("AA级", "帮助")
	helps["confirm"] = c.names()
	c.at2("selfcheck", "confirm")
	c = newChat(t, dialog.Profile{Tier: domain.Tier3, CheckedAt: chatStart})
	c.sendAll("自检", "帮助")
	helps["saved"] = c.names()
	c.at2("selfcheck", "saved")
	for step, names := range helps {
		if len(names) != 2 || !strings.HasPrefix(names[0], "selfcheck_help_") {
			t.Errorf("帮助 at %s: %v, want a help and the question again", step, names)
		}
	}

	c = newChat(t, dialog.Profile{}).toLists()
	c.send("取消")
	c.reply("cancelled")
	c.reply("menu")
	if !c.s.Idle() || len(c.effects) != 0 {
		t.Fatalf("取消 left %q, effects %v", c.s.Flow, c.effects)
	}
	c = newChat(t, dialog.Profile{}).toLists()
	c.send("人工")
	if len(c.effects) != 1 || c.effects[0] != (dialog.OpenTicket{InFlow: true}) {
		t.Fatalf("人工: %v, effects %v", c.names(), c.effects)
	}
}
