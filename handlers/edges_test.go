package handlers_test

import (
	"bytes"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/suzhou-amr/suzhirong/handlers"
	"github.com/suzhou-amr/suzhirong/store/storetest"
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
	in := mustWire(t, db, rdb, prefix, fake, wiring{token: testToken})
	h := handlers.New(handlers.Config{Log: storetest.Log, Bot: in.bot, Codec: in.codec, DB: db, Redis: rdb,
		Registry: prometheus.NewRegistry(), MetricsToken: "m3trics"})
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
