// Package apptest builds the whole service for the tests of the packages
// behind it (the chat pipeline, the lead pipeline, the administration), the
// way main does: app.OpenWith on fresh stores (embedded, or MariaDB and
// Redis when MYSQL_DSN and REDIS_ADDR are set), with outbound WeChat calls
// caught by a fake API on the loopback and a clock the test moves.
package apptest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/app"
	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/seeds"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/wechat"
	"github.com/suzhou-amr/suzhirong/wechat/wechattest"
)

// Template ids the service under test is configured with.
const (
	TplApply  = "TPL-NEW-APPLY"
	TplNeed   = "TPL-NEW-NEED"
	TplStatus = "TPL-STATUS"
)

// Clock is a fake clock the tests move by hand.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Env is the service under test.
type Env struct {
	T      testing.TB
	App    *app.App
	DB     *store.DB
	Fake   *wechattest.Server
	Bot    *bot.Bot
	Leads  *leads.Service
	Admin  *admin.Service
	Outbox *leads.Outbox
	SLA    *leads.SLA
	Clock  *Clock
	Policy *dialog.Policy // the seeded policy
	msgID  int64
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// seedPolicy is the seed policy, loaded once for every Env: the service
// never changes it, and loading it costs more than most tests' bodies.
var seedPolicy = sync.OnceValues(seeds.Load)

func mustSeedPolicy(t testing.TB) *dialog.Policy {
	t.Helper()
	p, err := seedPolicy()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// New builds the service on fresh stores, with a fake WeChat API and a
// fake clock at Friday 2026-11-27 10:00 in Shanghai; officers are its
// OFFICER_OPENIDS.
func New(t testing.TB, officers ...string) *Env {
	t.Helper()
	db := storetest.MustOpenDB(t)
	rdb, prefix := storetest.MustOpenRedis(t)
	fake := wechattest.New(t)
	t.Cleanup(func() { wechat.SetAPIBase("") })
	clk := &Clock{t: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
	// A random app id keeps the access token cached in a shared Redis apart.
	cfg := app.Config{
		AppID: "wx" + randomHex(8), AppSecret: "secret", Token: "apptest-token", APIBase: fake.URL,
		AdminPassword: "Apptest-harness-2026", OfficerOpenIDs: officers, PublicURL: "https://szr.example.gov.cn/",
		TemplateNewLeadApply: TplApply, TemplateNewLeadNeed: TplNeed, TemplateStatus: TplStatus,
	}
	a, err := app.OpenWith(context.Background(), storetest.Log, cfg, app.Deps{
		DB: db, Redis: rdb, RedisPrefix: prefix, Now: clk.Now, FakeWeChat: fake.URL, Policy: mustSeedPolicy(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{T: t, App: a, DB: db, Fake: fake, Bot: a.Bot, Leads: a.Leads, Admin: a.Admin, Outbox: a.Outbox, SLA: a.SLA, Clock: clk, Policy: a.Policy}
}

// Say sends a text message from openID, a second after the last, and
// returns the reply text.
func (e *Env) Say(openID, text string) string {
	e.T.Helper()
	e.msgID++
	e.Clock.Add(time.Second)
	reply := e.Bot.Handle(context.Background(), wechat.Message{
		ToUserName: "gh_test", FromUserName: openID, CreateTime: e.Clock.Now().Unix(), MsgType: "text",
		Content: text, MsgID: e.msgID,
	})
	got, _ := wechat.ReplyText(reply)
	return got
}

// CreditCode returns a valid credit code first registered in division div.
func CreditCode(t testing.TB, div, serial string) string {
	t.Helper()
	first := "91" + div + serial
	c, err := dialog.CreditCheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}

// Day parses "2006-01-02 15:04" in Shanghai.
func Day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, domain.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// FillNeed fills a 融资需求 up to the review for an enterprise registered
// in div (county proposed from it and confirmed).
func (e *Env) FillNeed(openID, div, serial string) string {
	e.T.Helper()
	var last string
	for _, m := range []string{"融资需求", "苏州测试精密机械有限公司", CreditCode(e.T, div, serial), "1", "张三",
		"13912345678", "苏质贷", "500", "12", "采购原材料", "1"} {
		last = e.Say(openID, m)
	}
	if !strings.Contains(last, "回复“确认”提交") {
		e.T.Fatalf("not at the review: %s", last)
	}
	return last
}

// BindContact binds openID to county with a fresh code, through the chat.
func (e *Env) BindContact(openID, county string) {
	e.T.Helper()
	bc, err := e.Leads.NewBindCode(context.Background(), domain.Account{Username: "admin", Role: domain.RoleOfficer}, county)
	if err != nil {
		e.T.Fatal(err)
	}
	if got := e.Say(openID, "绑定 "+bc.Code); !strings.Contains(got, "绑定成功") {
		e.T.Fatalf("bind %s: %s", county, got)
	}
}

// Drain sends what is due and fails the test on a store error.
func (e *Env) Drain() int {
	e.T.Helper()
	n, err := e.Outbox.Drain(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	return n
}

// TemplatesTo returns the template messages the fake received for openID.
func (e *Env) TemplatesTo(openID string) []wechattest.Call {
	var out []wechattest.Call
	for _, c := range e.Fake.Calls("/cgi-bin/message/template/send") {
		if c.Body["touser"] == openID {
			out = append(out, c)
		}
	}
	return out
}

// TextsTo returns the 客服 messages the fake received for openID.
func (e *Env) TextsTo(openID string) []string {
	var out []string
	for _, c := range e.Fake.Calls("/cgi-bin/message/custom/send") {
		if c.Body["touser"] == openID {
			text, _ := c.Body["text"].(map[string]any)
			out = append(out, text["content"].(string))
		}
	}
	return out
}

// Lead returns the stored lead of a number.
func (e *Env) Lead(number string) domain.Lead {
	e.T.Helper()
	l, err := e.DB.LeadByNumber(context.Background(), number)
	if err != nil {
		e.T.Fatalf("lead %s: %v", number, err)
	}
	return l
}
