package handlers_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// A login's next parameter only ever leads to a clean console or simulator
// path on this site.
func TestLoginRedirectStaysOnTheConsole(t *testing.T) {
	s := mustLeadsSvc(t)
	for next, want := range map[string]string{
		"/./\\evil.com":                 "/console/leads",
		"/x/..//\\evil.com":             "/console/leads",
		"//evil.com":                    "/console/leads",
		"/\\evil.com":                   "/console/leads",
		"https://evil.com/":             "/console/leads",
		"/console/../\\evil.com":        "/console/leads",
		"/console/%2F%2Fevil.com":       "/console/leads",
		"/console/leads\r\nX: y":        "/console/leads",
		"/console/leads\t":              "/console/leads",
		"/healthz":                      "/console/leads",
		"javascript:alert(1)":           "/console/leads",
		"/console/leads/42":             "/console/leads/42",
		"/console/leads?county=kunshan": "/console/leads?county=kunshan",
		"/simulator":                    "/simulator",
	} {
		b := newBrowser(t, s.handler)
		b.get("/console/login")
		_, loc, _ := b.post("/console/login", url.Values{"username": {"admin"}, "password": {leadsAdminPass}, "next": {next}})
		if loc != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, loc, want)
		}
	}
}

func TestRequestBodiesAreCapped(t *testing.T) {
	s := mustLeadsSvc(t)
	token := s.login("admin", leadsAdminPass)
	huge := `{"username":"admin","password":"` + strings.Repeat("a", 64<<10) + `"}`
	if rec := s.raw(http.MethodPost, "/api/v1/auth/login", "", huge); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("64 KiB login: %d", rec.Code)
	}
	big := `{"title":"` + strings.Repeat("很", 1<<19) + `","content":"x","audience":{"type":"all"}}`
	if rec := s.raw(http.MethodPost, "/api/v1/broadcasts", token, big); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("1.5 MiB JSON: %d", rec.Code)
	}
	// A body without a declared length is cut off as it is read.
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", struct{ *bytes.Reader }{bytes.NewReader([]byte(huge))})
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked 64 KiB login: %d", rec.Code)
	}
	// A form to the console login is capped the same way.
	form := url.Values{"username": {"admin"}, "password": {strings.Repeat("a", 64<<10)}}.Encode()
	req = httptest.NewRequest(http.MethodPost, "/console/login", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("64 KiB console login: %d", rec.Code)
	}
}

func TestLeakyEdgesAreClosed(t *testing.T) {
	s := mustLeadsSvc(t)
	get := func(path, remote string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if remote != "" {
			req.RemoteAddr = remote
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		return rec
	}
	if rec := get("/metrics", "203.0.113.9:5000", nil); rec.Code != http.StatusForbidden {
		t.Errorf("/metrics from afar: %d", rec.Code)
	}
	if rec := get("/metrics", "203.0.113.9:5000", map[string]string{"X-Forwarded-For": "127.0.0.1"}); rec.Code != http.StatusForbidden {
		t.Errorf("/metrics with a forged X-Forwarded-For: %d", rec.Code)
	}
	if rec := get("/metrics", "[::1]:5000", nil); rec.Code != http.StatusOK {
		t.Errorf("/metrics from the loopback: %d", rec.Code)
	}
	if rec := get("/console/static/", "", nil); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "console.css") {
		t.Errorf("static directory listed: %d %s", rec.Code, rec.Body)
	}
	token := s.login("admin", leadsAdminPass)
	rec := get("/api/v1/leads", "", map[string]string{"Authorization": "Bearer " + token})
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("API answer cacheable: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if rec.Header().Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.TLS = &tls.ConnectionState{}
	secure := httptest.NewRecorder()
	s.handler.ServeHTTP(secure, req)
	if !strings.Contains(secure.Header().Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS over TLS")
	}
}

func TestMetricsToken(t *testing.T) {
	db, rdb, prefix, fake := mustStores(t, nil, nil)
	h := mustWire(t, db, rdb, prefix, fake, wiring{token: testToken, metricsToken: "m3trics"}).handler
	for auth, want := range map[string]int{"": http.StatusUnauthorized, "Bearer wrong": http.StatusUnauthorized, "Bearer m3trics": http.StatusOK} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = "127.0.0.1:1"
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("/metrics with %q: %d, want %d", auth, rec.Code, want)
		}
	}
}

// Behind a configured proxy, the address it forwards is the client's.
func TestTrustedProxyForwardsTheClientAddress(t *testing.T) {
	db, rdb, prefix, fake := mustStores(t, nil, nil)
	h := mustWire(t, db, rdb, prefix, fake, wiring{token: testToken, trustedProxies: []string{"192.0.2.0/24"}}).handler
	for _, peer := range []string{"192.0.2.1:1000", "198.51.100.1:1000"} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(`{"username":"fwd","password":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "203.0.113.77")
		req.RemoteAddr = peer
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	var got []string
	db.Model(&store.LoginAttempt{}).Where("username = ?", "fwd").Order("id").Pluck("address", &got)
	if len(got) != 2 || got[0] != "203.0.113.77" || got[1] != "198.51.100.1" {
		t.Fatalf("addresses recorded %v, want the forwarded one only through the proxy", got)
	}
}

// A generated or reset password is changed before anything else, in the
// API and in the console.
func TestInitialPasswordMustBeChanged(t *testing.T) {
	s := mustLeadsSvc(t)
	if _, err := s.db.CreateAccount(context.Background(), domain.NewAccount{Username: "fresh", Password: "Initial-pass-1",
		Role: "officer", MustChangePassword: true}, "test"); err != nil {
		t.Fatal(err)
	}
	token := s.login("fresh", "Initial-pass-1")
	if code := s.api(http.MethodGet, "/api/v1/leads", token, nil, nil); code != http.StatusForbidden {
		t.Fatalf("leads before the change: %d", code)
	}
	var me struct {
		MustChange bool `json:"must_change_password"`
	}
	if code := s.api(http.MethodGet, "/api/v1/me", token, nil, &me); code != http.StatusOK || !me.MustChange {
		t.Fatalf("me: %d %+v", code, me)
	}
	b := newBrowser(t, s.handler)
	b.get("/console/login")
	if _, loc, _ := b.post("/console/login", url.Values{"username": {"fresh"}, "password": {"Initial-pass-1"}}); loc != "/console/password" {
		t.Fatalf("console login went to %s", loc)
	}
	if _, loc, _ := b.get("/console/leads"); loc != "/console/password" {
		t.Fatalf("console page before the change went to %s", loc)
	}
	if page := b.mustPage("/console/password"); !strings.Contains(page, "初始密码") {
		t.Fatal("password page does not say why")
	}
	if code := s.api(http.MethodPut, "/api/v1/me/password", token, map[string]string{"current": "Initial-pass-1", "new": "Chosen-pass-2"}, nil); code != http.StatusNoContent {
		t.Fatalf("change: %d", code)
	}
	if code := s.api(http.MethodGet, "/api/v1/leads", token, nil, nil); code != http.StatusOK {
		t.Fatalf("leads after the change: %d", code)
	}
	// The change ended the console's session; signed in anew, it works.
	b.login("fresh", "Chosen-pass-2")
	b.mustPage("/console/leads")
}

// The robot's webhook carries its key: only officers, who may change it,
// read it; county and read-only accounts learn that one is configured.
func TestRobotKeyOnlyForThoseWhoMayEditIt(t *testing.T) {
	s := mustAdminSvc(t, false)
	r := s.mustRoles()
	const hook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ROBOT-KEY-42"
	if code := s.api("PATCH", "/api/v1/counties/kunshan", s.admin, map[string]string{"robot_url": hook}, nil); code != http.StatusOK {
		t.Fatalf("set robot: %d", code)
	}
	for name, token := range map[string]string{"county": r.county, "viewer": r.viewer, "officer": r.officer} {
		for _, path := range []string{"/api/v1/counties"} {
			rec := s.raw(http.MethodGet, path, token, nil)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, `"robot_configured":true`) {
				t.Fatalf("%s %s: %d %s", name, path, rec.Code, body)
			}
			if leaked := strings.Contains(body, "ROBOT-KEY-42"); leaked != (name == "officer") {
				t.Errorf("%s %s: key shown %v", name, path, leaked)
			}
		}
	}
}

// A disbursed amount is a finite number: "NaN" and "Inf", which every
// comparison lets through, are refused and change nothing.
func TestDisbursedAmountMustBeFinite(t *testing.T) {
	s := mustAdminSvc(t, false)
	id := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P3Q7", s.clock.Now())
	s.move(id, "contacted", "reviewing", "pre_approved", "contracted")
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	page := fmt.Sprintf("/console/leads/%d", id)
	b.mustPage(page)
	for _, amount := range []string{"NaN", "nan", "+Inf", "-Inf", "1e400", "0", "-5"} {
		code, _, _ := b.post(page+"/status", url.Values{"status": {"disbursed"}, "disbursed_wan": {amount}, "confirm": {"1"}})
		if code != http.StatusBadRequest && code != http.StatusConflict && code != http.StatusUnprocessableEntity {
			t.Errorf("disbursed_wan=%s: %d", amount, code)
		}
	}
	l, err := s.db.Lead(context.Background(), id)
	if err != nil || l.Status != domain.StatusContracted {
		t.Fatalf("lead after refused amounts: %+v %v", l.Status, err)
	}
}

// The simulated WeChat sign-in of sandbox mode signs anyone in as any
// bound contact: it answers only on the machine running the service.
func TestSandboxSignInOnlyFromThisMachine(t *testing.T) {
	s := mustAdminSvc(t, true)
	for _, tt := range []struct {
		remote, forwarded string
		want              int
	}{
		{"203.0.113.9:4000", "", http.StatusForbidden},
		{"127.0.0.1:4000", "203.0.113.9", http.StatusForbidden},
		{"127.0.0.1:4000", "", http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodGet, wechat.SandboxAuthorizePath+"?state=x", nil)
		req.RemoteAddr = tt.remote
		if tt.forwarded != "" {
			req.Header.Set("X-Forwarded-For", tt.forwarded)
		}
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("from %s (forwarded %q): %d, want %d", tt.remote, tt.forwarded, rec.Code, tt.want)
		}
	}
}
