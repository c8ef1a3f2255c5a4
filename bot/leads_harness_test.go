package bot_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/app"
	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/wechat"
	"github.com/suzhou-amr/suzhirong/wechat/wechattest"
)

// clock is a fake clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Template ids the lead tests configure.
const (
	tplApply  = "TPL-NEW-APPLY"
	tplNeed   = "TPL-NEW-NEED"
	tplStatus = "TPL-STATUS"
)

// leadsEnv is the bot with the lead pipeline on both store backends, its
// outbound calls caught by a fake WeChat API, on a fake clock.
type leadsEnv struct {
	t      *testing.T
	db     *store.DB
	fake   *wechattest.Server
	bot    *bot.Bot
	leads  *bot.Leads
	outbox *bot.Outbox
	sla    *bot.SLA
	clock  *clock
	policy *dialog.Policy
	msgID  int64
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func mustLeadsEnv(t *testing.T, officers ...string) *leadsEnv {
	t.Helper()
	db := storetest.MustOpenDB(t)
	rdb, prefix := storetest.MustOpenRedis(t)
	fake := wechattest.New(t)
	t.Cleanup(func() { wechat.SetAPIBase("") })
	clk := &clock{t: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)} // Friday 10:00 in Shanghai
	// A random app id keeps the access token cached in a shared Redis apart.
	cfg := app.Config{
		AppID: "wx" + randomHex(8), AppSecret: "secret", Token: "leads-test-token", APIBase: fake.URL,
		AdminPassword: "Leads-harness-2026", OfficerOpenIDs: officers, PublicURL: "https://szr.example.gov.cn/",
		TemplateNewLeadApply: tplApply, TemplateNewLeadNeed: tplNeed, TemplateStatus: tplStatus,
	}
	a, err := app.OpenWith(context.Background(), storetest.Log, cfg, app.Deps{
		DB: db, Redis: rdb, RedisPrefix: prefix, Now: clk.Now, FakeWeChat: fake.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &leadsEnv{t: t, db: db, fake: fake, bot: a.Bot, leads: a.Leads, outbox: a.Outbox, sla: a.SLA, clock: clk, policy: a.Policy}
}

// say sends a text message from openID and returns the reply text.
func (e *leadsEnv) say(openID, text string) string {
	e.t.Helper()
	e.msgID++
	e.clock.Add(time.Second)
	reply := e.bot.Handle(context.Background(), wechat.Message{
		ToUserName: "gh_test", FromUserName: openID, CreateTime: e.clock.Now().Unix(), MsgType: "text",
		Content: text, MsgID: e.msgID,
	})
	got, _ := wechat.ReplyText(reply)
	return got
}

// creditCode returns a valid credit code first registered in division div.
func creditCode(t testing.TB, div, serial string) string {
	t.Helper()
	first := "91" + div + serial
	c, err := dialog.CreditCheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}

// fillNeed fills a 融资需求 up to the review for an enterprise registered
// in div (county proposed from it and confirmed).
func (e *leadsEnv) fillNeed(openID, div, serial string) string {
	e.t.Helper()
	var last string
	for _, m := range []string{"融资需求", "苏州测试精密机械有限公司", creditCode(e.t, div, serial), "1", "张三",
		"13912345678", "苏质贷", "500", "12", "采购原材料", "1"} {
		last = e.say(openID, m)
	}
	if !strings.Contains(last, "回复“确认”提交") {
		e.t.Fatalf("not at the review: %s", last)
	}
	return last
}

// bindContact binds openID to county with a fresh code, through the chat.
func (e *leadsEnv) bindContact(openID, county string) {
	e.t.Helper()
	bc, err := e.leads.NewBindCode(context.Background(), domain.Account{Username: "admin", Role: domain.RoleOfficer}, county)
	if err != nil {
		e.t.Fatal(err)
	}
	if got := e.say(openID, "绑定 "+bc.Code); !strings.Contains(got, "绑定成功") {
		e.t.Fatalf("bind %s: %s", county, got)
	}
}

// drain sends what is due and fails the test on a store error.
func (e *leadsEnv) drain() int {
	e.t.Helper()
	n, err := e.outbox.Drain(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// templatesTo returns the template messages the fake received for openID.
func (e *leadsEnv) templatesTo(openID string) []wechattest.Call {
	var out []wechattest.Call
	for _, c := range e.fake.Calls("/cgi-bin/message/template/send") {
		if c.Body["touser"] == openID {
			out = append(out, c)
		}
	}
	return out
}

// textsTo returns the 客服 messages the fake received for openID.
func (e *leadsEnv) textsTo(openID string) []string {
	var out []string
	for _, c := range e.fake.Calls("/cgi-bin/message/custom/send") {
		if c.Body["touser"] == openID {
			text, _ := c.Body["text"].(map[string]any)
			out = append(out, text["content"].(string))
		}
	}
	return out
}

func (e *leadsEnv) lead(number string) domain.Lead {
	e.t.Helper()
	l, err := e.db.LeadByNumber(context.Background(), number)
	if err != nil {
		e.t.Fatalf("lead %s: %v", number, err)
	}
	return l
}
