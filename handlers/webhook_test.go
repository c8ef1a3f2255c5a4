package handlers_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/util"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/wechat"
)

func TestVerifyURL(t *testing.T) {
	e := mustEnv(t)
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	good := "/wechat?signature=" + wechat.Sign(testToken, ts, "42") + "&timestamp=" + ts + "&nonce=42&echostr=hello123"
	stale := strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10)
	tests := []struct {
		name, url string
		status    int
		body      string
	}{
		{"valid", good, http.StatusOK, "hello123"},
		{"forged signature", strings.Replace(good, "signature=", "signature=0", 1), http.StatusForbidden, "forbidden"},
		{"wrong nonce", strings.Replace(good, "nonce=42", "nonce=43", 1), http.StatusForbidden, "forbidden"},
		{"stale timestamp", "/wechat?signature=" + wechat.Sign(testToken, stale, "42") + "&timestamp=" + stale + "&nonce=42&echostr=x", http.StatusForbidden, "forbidden"},
		{"no timestamp", "/wechat?signature=x&nonce=42&echostr=x", http.StatusForbidden, "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			e.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.url, nil))
			if rec.Code != tt.status || rec.Body.String() != tt.body {
				t.Fatalf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tt.status, tt.body)
			}
		})
	}
}

// stateKeys counts the dialogue-state keys of the env, to prove a refused
// request left nothing behind.
func (e *env) stateKeys(t *testing.T) int {
	t.Helper()
	keys, err := e.redis.Keys(context.Background(), e.prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

func TestWebhookRejectsBadRequests(t *testing.T) {
	// Compatible mode accepts both kinds of push, so each refusal below is
	// for the reason it names.
	e := mustEnv(t, withAES(), withMode(wechat.ModeCompat))
	now := time.Now()
	openID := randomOpenID()
	body := textXML(openID, "自检", 1, now)
	ts := strconv.FormatInt(now.Unix(), 10)
	stale := strconv.FormatInt(now.Add(-5*time.Minute-10*time.Second).Unix(), 10)
	future := strconv.FormatInt(now.Add(5*time.Minute+10*time.Second).Unix(), 10)
	sign := func(ts string) string {
		return "signature=" + wechat.Sign(testToken, ts, "7") + "&timestamp=" + ts + "&nonce=7"
	}

	enc, err := util.EncryptMsg([]byte("0123456789abcdef"), []byte(body), testAppID, testAESKey)
	if err != nil {
		t.Fatal(err)
	}
	envelope := "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[" + string(enc) + "]]></Encrypt></xml>"
	aesQuery := func(sig string) string {
		return "timestamp=" + ts + "&nonce=7&encrypt_type=aes&msg_signature=" + sig + "&signature=" + wechat.Sign(testToken, ts, "7")
	}

	tests := []struct {
		name   string
		query  string
		body   string
		status int
	}{
		{"forged signature", "signature=" + strings.Repeat("0", 40) + "&timestamp=" + ts + "&nonce=7", body, http.StatusForbidden},
		{"signature of another token", "signature=" + wechat.Sign("other", ts, "7") + "&timestamp=" + ts + "&nonce=7", body, http.StatusForbidden},
		{"timestamp too old", sign(stale), body, http.StatusForbidden},
		{"timestamp in the future", sign(future), body, http.StatusForbidden},
		{"timestamp not a number", "signature=x&timestamp=abc&nonce=7", body, http.StatusForbidden},
		{"body over 64 KiB", sign(ts), "<xml>" + strings.Repeat("a", 65<<10) + "</xml>", http.StatusRequestEntityTooLarge},
		{"malformed xml", sign(ts), "<xml><FromUserName>", http.StatusBadRequest},
		{"not xml", sign(ts), "hello", http.StatusBadRequest},
		{"xml without sender", sign(ts), "<xml><MsgType>text</MsgType></xml>", http.StatusBadRequest},
		{"empty body", sign(ts), "", http.StatusBadRequest},
		{"aes with forged msg_signature", aesQuery(strings.Repeat("1", 40)), envelope, http.StatusForbidden},
		{"aes without Encrypt", aesQuery(wechat.Sign(testToken, ts, "7", "")), "<xml><ToUserName>x</ToUserName></xml>", http.StatusBadRequest},
		{"aes with garbage ciphertext", aesQuery(wechat.Sign(testToken, ts, "7", "bm90LWNpcGhlcnRleHQ=")),
			"<xml><Encrypt><![CDATA[bm90LWNpcGhlcnRleHQ=]]></Encrypt></xml>", http.StatusBadRequest},
		{"aes with invalid base64", aesQuery(wechat.Sign(testToken, ts, "7", "%%%")), "<xml><Encrypt>%%%</Encrypt></xml>", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.post(tt.query, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.status, rec.Body)
			}
		})
	}
	if n := e.stateKeys(t); n != 0 {
		t.Fatalf("refused requests left %d keys in Redis", n)
	}
	if _, err := e.db.Follower(context.Background(), openID); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("refused requests created a follower: %v", err)
	}
	// The same body, properly signed, is accepted: the refusals above were
	// for the reasons named, not for the body.
	if got := e.say(openID, "自检"); !strings.Contains(got, "自检") {
		t.Fatalf("valid request after refusals: %q", got)
	}
}

func TestPlaintextConversation(t *testing.T) {
	e := mustEnv(t)
	openID := randomOpenID()
	welcome := e.event(openID, "subscribe", "")
	text, ok := wechat.ReplyText([]byte(welcome))
	if !ok || !strings.Contains(text, "欢迎关注") || !strings.Contains(text, "1. 质量信誉自检") {
		t.Fatalf("welcome: %q", welcome)
	}
	f, err := e.db.Follower(context.Background(), openID)
	if err != nil || !f.Subscribed {
		t.Fatalf("follower after subscribe: %+v %v", f, err)
	}
	if got := e.say(openID, "帮助"); !strings.Contains(got, "使用说明") {
		t.Fatalf("help: %q", got)
	}
	if got := e.say(openID, "随便看看"); !strings.Contains(got, "请回复数字选择服务") {
		t.Fatalf("free text should fall back to the menu: %q", got)
	}
	// 人工 opens a question for a person, and says who answers and when:
	// never WeChat's silent transfer to a 客服 desk nobody works.
	rec := e.post(e.signedQuery(time.Now()), textXML(openID, "人工", 99, time.Now()))
	if got, _ := wechat.ReplyText(rec.Body.Bytes()); !strings.Contains(got, "已为您转人工") || !strings.Contains(got, "在本公众号里回复您") ||
		!strings.Contains(got, "市场监管局") {
		t.Fatalf("人工 should say who answers: %s", rec.Body)
	}
	img := strings.Replace(textXML(openID, "", 100, time.Now()), "<![CDATA[text]]>", "<![CDATA[image]]>", 1)
	rec = e.post(e.signedQuery(time.Now()), img)
	if got, _ := wechat.ReplyText(rec.Body.Bytes()); !strings.Contains(got, "文字") {
		t.Fatalf("image should be asked to type: %q", got)
	}
	if body := e.event(openID, "unsubscribe", ""); body != "success" {
		t.Fatalf("unsubscribe reply: %q", body)
	}
	f, _ = e.db.Follower(context.Background(), openID)
	if f.Subscribed || f.UnsubscribedAt == nil {
		t.Fatalf("follower after unsubscribe: %+v", f)
	}
}

func TestSubscribeThroughCountyPosterRecordsSource(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	for i, county := range e.bot.Policy().Counties {
		openID := randomOpenID()
		scene := strconv.Itoa(1000 + i + 1)
		e.event(openID, "subscribe", "qrscene_"+scene)
		f, err := e.db.Follower(ctx, openID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Scene != scene || f.County != county.ID {
			t.Errorf("scene %s: follower scene %q county %q, want county %s", scene, f.Scene, f.County, county.ID)
		}
	}
	// A later scan of another poster keeps the first source.
	openID := randomOpenID()
	e.event(openID, "subscribe", "qrscene_1001")
	e.event(openID, "SCAN", "1004")
	if f, _ := e.db.Follower(ctx, openID); f.Scene != "1001" {
		t.Fatalf("scene after scan: %q", f.Scene)
	}
}

// envelopeReply is the encrypted reply WeChat receives in safe mode.
type envelopeReply struct {
	Encrypt      string `xml:"Encrypt"`
	MsgSignature string `xml:"MsgSignature"`
	TimeStamp    string `xml:"TimeStamp"`
	Nonce        string `xml:"Nonce"`
}

func TestSafeAndCompatibleModeRoundTrip(t *testing.T) {
	e := mustEnv(t, withAES())
	openID := randomOpenID()
	for i, mode := range []string{"safe", "compatible"} {
		t.Run(mode, func(t *testing.T) {
			now := time.Now()
			plain := textXML(openID, "菜单", int64(500+i), now)
			enc, err := util.EncryptMsg([]byte("fedcba9876543210"), []byte(plain), testAppID, testAESKey)
			if err != nil {
				t.Fatal(err)
			}
			body := "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[" + string(enc) + "]]></Encrypt></xml>"
			if mode == "compatible" {
				// Compatible mode carries the plaintext fields beside Encrypt.
				body = strings.Replace(plain, "</xml>", "<Encrypt><![CDATA["+string(enc)+"]]></Encrypt></xml>", 1)
			}
			ts := strconv.FormatInt(now.Unix(), 10)
			q := "timestamp=" + ts + "&nonce=99&encrypt_type=aes&msg_signature=" + wechat.Sign(testToken, ts, "99", string(enc)) +
				"&signature=" + wechat.Sign(testToken, ts, "99")
			rec := e.post(q, body)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var env envelopeReply
			if err := xml.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Encrypt == "" {
				t.Fatalf("reply is not an encrypted envelope: %s", rec.Body)
			}
			if strings.Contains(rec.Body.String(), "请回复数字") {
				t.Fatal("reply leaks plaintext")
			}
			if env.MsgSignature != wechat.Sign(testToken, env.TimeStamp, env.Nonce, env.Encrypt) {
				t.Fatal("reply signature does not verify")
			}
			_, replyXML, err := util.DecryptMsg(testAppID, env.Encrypt, testAESKey)
			if err != nil {
				t.Fatal(err)
			}
			text, ok := wechat.ReplyText(replyXML)
			if !ok || !strings.Contains(text, "请回复数字选择服务") {
				t.Fatalf("decrypted reply: %s", replyXML)
			}
			if !strings.Contains(string(replyXML), "<ToUserName><![CDATA["+openID+"]]>") {
				t.Fatalf("reply addressed wrongly: %s", replyXML)
			}
		})
	}
}

func TestRetryIsProcessedOnceAndAnsweredIdentically(t *testing.T) {
	e := mustEnv(t)
	other := e.twin()
	openID := randomOpenID()
	now := time.Now()
	e.say(openID, "菜单")

	// "1" starts the self-check; processed twice it would also answer the
	// first question.
	push := textXML(openID, "1", 777001, now)
	first := e.post(e.signedQuery(now), push)
	again := e.post(e.signedQuery(now), push)
	elsewhere := other.post(other.signedQuery(now), push)
	for _, rec := range []*httptest.ResponseRecorder{first, again, elsewhere} {
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if again.Body.String() != first.Body.String() || elsewhere.Body.String() != first.Body.String() {
		t.Fatalf("retries answered differently:\n%s\n%s\n%s", first.Body, again.Body, elsewhere.Body)
	}
	st, err := store.NewSessions(e.redis, e.prefix).Load(context.Background(), openID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Flow != "selfcheck" || len(st.History) != 0 {
		t.Fatalf("state after retries: flow %q step %q history %v", st.Flow, st.Step, st.History)
	}

	// Events are deduplicated by sender, time, event and key.
	sub := eventXML(openID, "CLICK", dialog.KeyContacts, now.Add(time.Second))
	a := e.post(e.signedQuery(now), sub)
	b := other.post(other.signedQuery(now), sub)
	if a.Body.String() != b.Body.String() || !strings.Contains(a.Body.String(), "0512") {
		t.Fatalf("event retry: %s / %s", a.Body, b.Body)
	}
}

func TestConcurrentRetriesAcrossInstances(t *testing.T) {
	e := mustEnv(t)
	other := e.twin()
	openID := randomOpenID()
	now := time.Now()
	push := textXML(openID, "自检", 888001, now)
	var wg sync.WaitGroup
	bodies := make([]string, 8)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst := e
			if i%2 == 1 {
				inst = other
			}
			bodies[i] = inst.post(inst.signedQuery(now), push).Body.String()
		}()
	}
	wg.Wait()
	for _, b := range bodies {
		if b != bodies[0] {
			t.Fatalf("concurrent deliveries answered differently:\n%s\n%s", bodies[0], b)
		}
	}
	if !strings.Contains(bodies[0], "第1/") {
		t.Fatalf("reply: %s", bodies[0])
	}
}

func TestSlowHandlingRepliesSuccessThenCustomerServiceMessage(t *testing.T) {
	e := mustEnv(t, withAppID())
	e.bot.Budget = time.Nanosecond
	openID := randomOpenID()
	rec := e.post(e.signedQuery(time.Now()), textXML(openID, "联系", 4242, time.Now()))
	if rec.Body.String() != "success" {
		t.Fatalf("over budget should answer success, got %q", rec.Body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if calls := e.fake.Calls("/cgi-bin/message/custom/send"); len(calls) > 0 {
			if calls[0].Body["touser"] != openID || !strings.Contains(calls[0].Raw, "0512") {
				t.Fatalf("客服 message: %s", calls[0].Raw)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the late reply was not sent as a 客服 message")
}

func TestRedisDownAnswersBusyAndRecovers(t *testing.T) {
	// This test stops Redis, so it runs on an in-process one of its own.
	r, err := store.OpenRedis(context.Background(), storetest.Log, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	e := mustEnv(t, withRedis(r), withAppID())
	openID := randomOpenID()
	if got := e.say(openID, "菜单"); !strings.Contains(got, "请回复数字") {
		t.Fatalf("before outage: %q", got)
	}
	mr := r.Embedded()
	addr := mr.Addr()
	mr.Close()

	start := time.Now()
	got := e.say(openID, "自检")
	if !strings.Contains(got, "系统繁忙") {
		t.Fatalf("during outage: %q", got)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("busy answer took %v", d)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz during outage: %d", rec.Code)
	}

	if err := mr.StartAddr(addr); err != nil {
		t.Fatal(err)
	}
	// The message sent during the outage is handled once Redis is back,
	// and its reply follows as a 客服 message.
	if !e.customMessage(openID, "第1/", 15*time.Second) {
		t.Fatal("the message sent during the outage got no reply after recovery")
	}
	if got := e.say(openID, "自检"); !strings.Contains(got, "第1/") {
		t.Fatalf("after recovery: %q", got)
	}
	rec = httptest.NewRecorder()
	e.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("readyz after recovery: %d %s", rec.Code, rec.Body)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	e := mustEnv(t)
	e.say(randomOpenID(), "菜单")
	for path, want := range map[string]string{
		"/healthz": `"ok"`,
		"/readyz":  `"database":"ok"`,
		"/metrics": `szr_http_requests_total{route="/wechat",status="200"}`,
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = "127.0.0.1:40000" // a scraper on the same host
		e.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d, want %q in %s", path, rec.Code, want, rec.Body)
		}
	}
}

func TestDatabaseDownAnswersBusyAndRecovers(t *testing.T) {
	db, proxy := storetest.MustOpenMySQLVia(t)
	e := mustEnv(t, withDB(db), withAppID())
	known := randomOpenID()
	e.event(known, "subscribe", "")

	proxy.Cut()
	start := time.Now()
	// A new follower needs the database (subscribe records it).
	fresh := randomOpenID()
	if got, _ := wechat.ReplyText([]byte(e.event(fresh, "subscribe", ""))); !strings.Contains(got, "系统繁忙") {
		t.Fatalf("subscribe during outage: %q", got)
	}
	// A follower mid-conversation needs only Redis for the menu.
	if got := e.say(known, "菜单"); !strings.Contains(got, "请回复数字") {
		t.Fatalf("menu during outage: %q", got)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Fatalf("outage answers took %v", d)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz during outage: %d", rec.Code)
	}

	proxy.Restore()
	// The follow recorded during the outage is handled once the database
	// is back, and the welcome follows as a 客服 message.
	if !e.customMessage(fresh, "欢迎关注", 15*time.Second) {
		t.Fatal("the follow during the outage got no welcome after recovery")
	}
	if _, err := db.Follower(context.Background(), fresh); err != nil {
		t.Fatalf("the follow during the outage was not recorded: %v", err)
	}
	other := randomOpenID()
	if got, _ := wechat.ReplyText([]byte(e.event(other, "subscribe", ""))); !strings.Contains(got, "欢迎关注") {
		t.Fatalf("after recovery: %q", got)
	}
	if _, err := db.Follower(context.Background(), other); err != nil {
		t.Fatalf("follower after recovery: %v", err)
	}
}

func TestMessagesOfOneFollowerAreHandledInTurn(t *testing.T) {
	e := mustEnv(t)
	other := e.twin()
	openID := randomOpenID()
	e.say(openID, "自检")
	// Three answers sent at once, to two instances: each must see the state
	// the one before left, so all three questions are answered.
	var wg sync.WaitGroup
	now := time.Now()
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst := e
			if i == 1 {
				inst = other
			}
			rec := inst.post(inst.signedQuery(now), textXML(openID, "是", int64(990001+i), now))
			if got, _ := wechat.ReplyText(rec.Body.Bytes()); !strings.Contains(got, "题") {
				t.Errorf("answer %d: %q", i, got)
			}
		}()
	}
	wg.Wait()
	st, err := store.NewSessions(e.redis, e.prefix).Load(context.Background(), openID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.History) != 3 {
		t.Fatalf("after three concurrent answers the flow advanced %d steps (%s)", len(st.History), st.Step)
	}
}

// slowRedis delays every pipeline while on, as a Redis under strain would.
type slowRedis struct {
	on    atomic.Bool
	delay time.Duration
}

func (s *slowRedis) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (s *slowRedis) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (s *slowRedis) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if s.on.Load() {
			time.Sleep(s.delay)
		}
		return next(ctx, cmds)
	}
}

// The push is handled in the request's goroutine; when the budget runs
// out first, WeChat gets "success" at that moment, over the wire, while
// the handling goes on, and the reply follows as a 客服 message.
func TestWatchdogAnswersSuccessWhileTheTurnGoesOn(t *testing.T) {
	r, err := store.OpenRedis(context.Background(), storetest.Log, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	slow := &slowRedis{delay: 600 * time.Millisecond}
	r.AddHook(slow)
	e := mustEnv(t, withRedis(r), withAppID())
	openID := randomOpenID()
	e.say(openID, "菜单")
	srv := httptest.NewServer(e.handler)
	t.Cleanup(srv.Close)
	e.bot.Budget = 150 * time.Millisecond
	slow.on.Store(true)
	now := time.Now()
	start := time.Now()
	resp, err := http.Post(srv.URL+"/wechat?"+e.signedQuery(now), "text/xml", strings.NewReader(textXML(openID, "联系", 4343, now)))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	answered := time.Since(start)
	if err != nil || resp.StatusCode != http.StatusOK || string(body) != "success" {
		t.Fatalf("answer: %d %q %v", resp.StatusCode, body, err)
	}
	if answered > 500*time.Millisecond {
		t.Fatalf("success came after %v: not at the budget (%v) but when the turn ended", answered, e.bot.Budget)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if calls := e.fake.Calls("/cgi-bin/message/custom/send"); len(calls) > 0 {
			if calls[0].Body["touser"] != openID || !strings.Contains(calls[0].Raw, "0512") {
				t.Fatalf("客服 message: %s", calls[0].Raw)
			}
			if d := time.Since(start); d < 2*slow.delay {
				t.Fatalf("客服 message after %v, before the turn could end", d)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the late reply was not sent as a 客服 message")
}
