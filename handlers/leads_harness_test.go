package handlers_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
	"github.com/suzhou-amr/suzhirong/wechat/wechattest"
)

const (
	testPublicURL  = "https://szr.example.gov.cn"
	leadsToken     = "leads-test-token"
	leadsAdminPass = "admin-password-1"
	leadsTplNeed   = "TPL-NEW-NEED"
	leadsTplStatus = "TPL-STATUS"
)

// leadsSvc is the whole service with the lead pipeline wired as main.go
// does, on both store backends, its outbound calls caught by a fake WeChat
// API (not the sandbox).
type leadsSvc struct {
	tb      testing.TB
	handler http.Handler
	db      *store.DB
	rdb     *store.Redis
	prefix  string // the Redis key prefix
	fake    *wechattest.Server
	outbox  *leads.Outbox
	policy  *dialog.Policy
	seq     int64
	now     func() time.Time // the service's clock; nil: the real one
}

// clockNow is the time on the service's clock, on which pushes are signed.
func (s *leadsSvc) clockNow() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

func mustLeadsSvc(tb testing.TB) *leadsSvc {
	tb.Helper()
	db, rdb, prefix, fake := mustStores(tb, nil, nil)
	app := make([]byte, 8)
	rand.Read(app)
	in := mustWire(tb, db, rdb, prefix, fake, wiring{token: leadsToken, appID: "wx" + hex.EncodeToString(app), publicURL: testPublicURL})
	return &leadsSvc{tb: tb, handler: in.handler, db: db, rdb: rdb, prefix: prefix, fake: fake, outbox: in.outbox, policy: in.policy}
}

// push posts a signed plaintext push of the given inner XML (after
// CreateTime) and returns the reply text ("" for success).
func (s *leadsSvc) push(inner, openID string) string {
	s.tb.Helper()
	s.seq++
	now := s.clockNow()
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := strconv.FormatInt(s.seq, 10)
	q := "signature=" + wechat.Sign(leadsToken, ts, nonce) + "&timestamp=" + ts + "&nonce=" + nonce
	body := fmt.Sprintf("<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
		"<CreateTime>%d</CreateTime>%s</xml>", openID, now.Unix()+s.seq, inner)
	return s.post(q, []byte(body))
}

// send posts p signed as WeChat does and returns the reply text.
func (s *leadsSvc) send(p wechat.Push) string {
	s.tb.Helper()
	s.seq++
	p.To, p.At = "gh_test", s.clockNow().Add(time.Duration(s.seq)*time.Second)
	codec := &wechat.Codec{Token: leadsToken, Mode: wechat.ModePlain}
	q, body, err := codec.SignPush(p, s.clockNow(), strconv.FormatInt(s.seq, 10), nil)
	if err != nil {
		s.tb.Fatal(err)
	}
	return s.post(q, body)
}

func (s *leadsSvc) post(q string, body []byte) string {
	s.tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/wechat?"+q, bytes.NewReader(body))
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		s.tb.Fatalf("push: %d %s", rec.Code, rec.Body)
	}
	text, _ := wechat.ReplyText(rec.Body.Bytes())
	return text
}

func (s *leadsSvc) say(openID, text string) string {
	s.tb.Helper()
	return s.send(wechat.Push{From: openID, Text: text, MsgID: 7_000_000 + s.seq + 1})
}

func (s *leadsSvc) subscribe(openID string) string {
	s.tb.Helper()
	return s.send(wechat.Push{From: openID, Event: "subscribe"})
}

// raw calls the API (body: nil, a raw string, or a value sent as JSON)
// and returns the recorder.
func (s *leadsSvc) raw(method, path, token string, body any) *httptest.ResponseRecorder {
	s.tb.Helper()
	var rd *strings.Reader
	switch b := body.(type) {
	case nil:
		rd = strings.NewReader("")
	case string:
		rd = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = strings.NewReader(string(raw))
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	return rec
}

// api calls the JSON API and decodes the answer into out (when not nil).
func (s *leadsSvc) api(method, path, token string, body any, out any) int {
	s.tb.Helper()
	rec := s.raw(method, path, token, body)
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			s.tb.Fatalf("%s %s: decode %q: %v", method, path, rec.Body, err)
		}
	}
	return rec.Code
}

func (s *leadsSvc) login(username, password string) string {
	s.tb.Helper()
	var res struct{ Token string }
	if code := s.api(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, &res); code != http.StatusOK {
		s.tb.Fatalf("login %s: %d", username, code)
	}
	return res.Token
}

func (s *leadsSvc) createUser(admin, username, role, county string) string {
	s.tb.Helper()
	body := map[string]string{"username": username, "password": "password-" + username, "role": role, "county": county}
	if code := s.api(http.MethodPost, "/api/v1/users", admin, body, nil); code != http.StatusCreated {
		s.tb.Fatalf("create %s: %d", username, code)
	}
	return s.login(username, "password-"+username)
}

// creditCodeIn returns a valid credit code first registered in division div.
func creditCodeIn(tb testing.TB, div, serial string) string {
	tb.Helper()
	first := "91" + div + serial
	c, err := dialog.CreditCheckChar(first)
	if err != nil {
		tb.Fatal(err)
	}
	return first + string(c)
}

// leadView is the part of the API's lead the tests read.
type leadView struct {
	ID             uint64 `json:"id"`
	Number         string `json:"number"`
	Kind           string `json:"kind"`
	County         string `json:"county"`
	Status         string `json:"status"`
	EnterpriseName string `json:"enterprise_name"`
	CreditCode     string `json:"credit_code"`
	Events         []struct {
		Status string `json:"status"`
		Actor  string `json:"actor"`
		Note   string `json:"note"`
	} `json:"events"`
}
