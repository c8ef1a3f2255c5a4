package handlers_test

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/app"
	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/seeds"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/wechat"
	"github.com/suzhou-amr/suzhirong/wechat/wechattest"
)

const (
	testToken  = "spamtest"
	testAppID  = "wx2c2769f8efd9abc2"
	testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
)

// env is one service under test, on both store backends, with its outbound
// calls caught by a fake WeChat API.
type env struct {
	tb      testing.TB
	handler http.Handler
	bot     *bot.Bot
	codec   *wechat.Codec
	db      *store.DB
	redis   *store.Redis
	fake    *wechattest.Server
	prefix  string
	cfg     envConfig
	msgID   atomic.Int64
}

type envOption func(*envConfig)

type envConfig struct {
	appID  string
	aesKey string
	mode   string
	redis  *store.Redis
	db     *store.DB
}

// withDB runs the service on a database the test controls.
func withDB(db *store.DB) envOption { return func(c *envConfig) { c.db = db } }

// withRedis runs the service on a Redis the test controls (to stop it).
func withRedis(r *store.Redis) envOption { return func(c *envConfig) { c.redis = r } }

// withAppID gives the service credentials, so outbound calls reach the fake API.
func withAppID() envOption { return func(c *envConfig) { c.appID = testAppID } }

// withAES turns on safe mode with the official sample key.
func withAES() envOption { return func(c *envConfig) { c.aesKey = testAESKey } }

// withMode sets the message mode (WECHAT_MODE) explicitly.
func withMode(mode string) envOption { return func(c *envConfig) { c.mode = mode } }

// seedPolicy is the seed policy, loaded once: stores are seeded from it
// and never change it.
var seedPolicy = sync.OnceValues(seeds.Load)

func mustSeedPolicy(tb testing.TB) *dialog.Policy {
	tb.Helper()
	p, err := seedPolicy()
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// mustStores opens fresh stores for a service under test: a seeded
// database with the bootstrap officer, a Redis key prefix of its own, and a
// fake WeChat API that every outbound call goes to. db and rdb, when given,
// are used instead of fresh ones.
func mustStores(tb testing.TB, db *store.DB, rdb *store.Redis) (*store.DB, *store.Redis, string, *wechattest.Server) {
	tb.Helper()
	ctx := context.Background()
	policy := mustSeedPolicy(tb)
	if db == nil {
		db = storetest.MustOpenDB(tb)
	}
	if err := db.SeedPolicy(ctx, policy, false); err != nil {
		tb.Fatal(err)
	}
	prefix := "szr:"
	if rdb == nil {
		rdb, prefix = storetest.MustOpenRedis(tb)
	}
	fake := wechattest.New(tb)
	wechat.SetAPIBase(fake.URL)
	tb.Cleanup(func() { wechat.SetAPIBase("") })
	return db, rdb, prefix, fake
}

// wiring is what distinguishes one service instance under test.
type wiring struct {
	token, appID, aesKey, mode string
	now                        func() time.Time // nil: the real clock
	publicURL                  string           // PUBLIC_URL of notification links
	metricsToken               string           // METRICS_TOKEN
	trustedProxies             []string         // TRUSTED_PROXIES
}

// instance is one service instance wired as main.go does: bot, lead
// pipeline, routes.
type instance struct {
	bot     *bot.Bot
	admin   *admin.Service
	leads   *leads.Service
	client  *wechat.Client
	codec   *wechat.Codec
	handler http.Handler
	outbox  *leads.Outbox
	policy  *dialog.Policy
}

// mustWire wires an instance on the given stores with app.OpenWith, as
// main does; several instances on the same stores behave as replicas
// behind a load balancer.
func mustWire(tb testing.TB, db *store.DB, rdb *store.Redis, prefix string, fake *wechattest.Server, w wiring) instance {
	tb.Helper()
	cfg := app.Config{
		Token: w.token, AppID: w.appID, AppSecret: "secret", EncodingAESKey: w.aesKey, Mode: w.mode,
		APIBase: fake.URL, AdminPassword: leadsAdminPass, PublicURL: w.publicURL,
		MetricsToken: w.metricsToken, TrustedProxies: w.trustedProxies,
		TemplateNewLeadApply: "TPL-NEW-APPLY", TemplateNewLeadNeed: leadsTplNeed, TemplateStatus: leadsTplStatus,
	}
	a, err := app.OpenWith(context.Background(), storetest.Log, cfg, app.Deps{
		DB: db, Redis: rdb, RedisPrefix: prefix, Now: w.now, Registry: prometheus.NewRegistry(),
		FakeWeChat: fake.URL, PushAppID: cmp.Or(w.appID, testAppID), Policy: mustSeedPolicy(tb),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return instance{bot: a.Bot, admin: a.Admin, leads: a.Leads, client: a.Client, codec: a.Codec, handler: a.Handler, outbox: a.Outbox, policy: a.Policy}
}

// mustEnv builds the service as main does, on fresh stores.
func mustEnv(tb testing.TB, opts ...envOption) *env {
	tb.Helper()
	var cfg envConfig
	for _, o := range opts {
		o(&cfg)
	}
	db, rdb, prefix, fake := mustStores(tb, cfg.db, cfg.redis)
	e := &env{tb: tb, db: db, redis: rdb, fake: fake, prefix: prefix, cfg: cfg}
	e.start()
	return e
}

// start wires a service instance on e's stores.
func (e *env) start() {
	e.tb.Helper()
	in := mustWire(e.tb, e.db, e.redis, e.prefix, e.fake, wiring{token: testToken, appID: e.cfg.appID, aesKey: e.cfg.aesKey, mode: e.cfg.mode})
	e.bot, e.codec, e.handler = in.bot, in.codec, in.handler
}

// twin returns a second instance on the same stores.
func (e *env) twin() *env {
	t := &env{tb: e.tb, db: e.db, redis: e.redis, fake: e.fake, prefix: e.prefix, cfg: e.cfg}
	t.msgID.Store(e.msgID.Load() + 1_000_000_000)
	t.start()
	return t
}

// signedQuery signs a plaintext push as WeChat does.
func (e *env) signedQuery(ts time.Time) string {
	t := strconv.FormatInt(ts.Unix(), 10)
	nonce := strconv.FormatInt(e.msgID.Add(1), 10)
	return "signature=" + wechat.Sign(testToken, t, nonce) + "&timestamp=" + t + "&nonce=" + nonce
}

// post sends a raw request to the webhook.
func (e *env) post(query, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/wechat?"+query, strings.NewReader(body))
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return rec
}

func textXML(openID, content string, msgID int64, at time.Time) string {
	return string(wechat.Push{To: "gh_test", From: openID, At: at, Text: content, MsgID: msgID}.XML())
}

func eventXML(openID, event, key string, at time.Time) string {
	return string(wechat.Push{To: "gh_test", From: openID, At: at, Event: event, Key: key}.XML())
}

// say sends a text as openID in plaintext mode and returns the reply text.
func (e *env) say(openID, text string) string {
	e.tb.Helper()
	rec := e.post(e.signedQuery(time.Now()), textXML(openID, text, e.msgID.Add(1)+1_000_000, time.Now()))
	if rec.Code != http.StatusOK {
		e.tb.Fatalf("say %q: status %d: %s", text, rec.Code, rec.Body)
	}
	got, ok := wechat.ReplyText(rec.Body.Bytes())
	if !ok {
		e.tb.Fatalf("say %q: no text reply in %s", text, rec.Body)
	}
	return got
}

// event sends an event as openID and returns the raw response body.
func (e *env) event(openID, event, key string) string {
	e.tb.Helper()
	rec := e.post(e.signedQuery(time.Now()), eventXML(openID, event, key, time.Now().Add(time.Duration(e.msgID.Add(1))*time.Second)))
	if rec.Code != http.StatusOK {
		e.tb.Fatalf("event %s: status %d: %s", event, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func randomOpenID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return fmt.Sprintf("o-test-%x", b)
}

func readAll(tb testing.TB, r io.Reader) string {
	tb.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
