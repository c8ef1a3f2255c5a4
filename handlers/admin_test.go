package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
)

// mustLead stores a lead directly (as the chat would) filed at at.
func (s *adminSvc) mustLead(kind, county, product, serial string, at time.Time) uint64 {
	s.tb.Helper()
	divs := map[string]string{"kunshan": "320583", "sip": "320594", "wuzhong": "320506"}
	in := dialog.SubmitLead{Kind: kind, County: county, EnterpriseName: "测试企业" + serial,
		CreditCode: creditCodeIn(s.tb, divs[county], serial), Contact: "张三", Phone: "13912345678",
		ConsentAt: at, PolicyVersion: "test"}
	if kind == domain.LeadNeed {
		in.Product, in.AmountWan, in.TermMonths, in.Purpose = product, 500, 12, "采购原材料"
	}
	l, err := s.db.CreateLead(context.Background(), in, "o-"+serial, at, nil)
	if err != nil {
		s.tb.Fatal(err)
	}
	return l.ID
}

// move walks a lead through statuses as the officer.
func (s *adminSvc) move(id uint64, statuses ...string) {
	s.tb.Helper()
	for _, st := range statuses {
		var res struct{ Error string }
		body := map[string]string{"status": st}
		if st == "rejected" {
			body["note"] = "不符合条件" // a rejection has a reason, from every entry
		}
		if code := s.api(http.MethodPatch, fmt.Sprintf("/api/v1/leads/%d", id), s.admin, body, &res); code != http.StatusOK {
			s.tb.Fatalf("move %d to %s: %d %s", id, st, code, res.Error)
		}
	}
}

func (s *adminSvc) disburse(id uint64, wan float64) {
	s.tb.Helper()
	var res struct{ Error string }
	if code := s.api(http.MethodPost, fmt.Sprintf("/api/v1/leads/%d/disburse", id), s.admin, map[string]any{"disbursed_wan": wan}, &res); code != http.StatusOK {
		s.tb.Fatalf("disburse %d: %d %s", id, code, res.Error)
	}
}

// mustContact binds openID as a contact of county through a bind code.
func (s *adminSvc) mustContact(county, openID string) {
	s.tb.Helper()
	bc, err := s.db.CreateBindCode(context.Background(), county, "test", time.Now())
	if err != nil {
		s.tb.Fatal(err)
	}
	if _, err := s.db.UseBindCode(context.Background(), bc.Code, openID, time.Now()); err != nil {
		s.tb.Fatal(err)
	}
}

// TestAdminEndpointsByRole tries every endpoint of the officers' side and
// of the lead pipeline with every kind of account: the officer, a county
// account of the lead's county (kunshan), one of another county (sip), a
// viewer, and no token.
func TestAdminEndpointsByRole(t *testing.T) {
	s := mustAdminSvc(t, false)
	r := s.mustRoles()
	now := s.clock.Now()
	lead := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P3Q1", now)
	contracted := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P3Q2", now)
	s.move(contracted, "contacted", "reviewing", "pre_approved", "contracted")
	s.mustContact("kunshan", "o-contact-1")
	s.mustContact("kunshan", "o-contact-2")
	s.subscribe("o-preview") // previews reach followers only
	if code := s.status(http.MethodPost, "/api/v1/counties/kunshan/qrcode", s.admin, nil); code != http.StatusCreated {
		t.Fatalf("qr setup: %d", code)
	}
	var bc struct{ ID uint64 }
	if code := s.api(http.MethodPost, "/api/v1/broadcasts", s.admin, map[string]any{"title": "通知", "content": "苏质贷新政",
		"audience": map[string]string{"type": "all"}}, &bc); code != http.StatusCreated {
		t.Fatalf("broadcast setup: %d", code)
	}
	month := now.In(domain.Shanghai).Format("2006-01")
	// Only a finished month can be confirmed.
	lastMonth := time.Date(now.In(domain.Shanghai).Year(), now.In(domain.Shanghai).Month(), 1, 0, 0, 0, 0, domain.Shanghai).AddDate(0, -1, 0).Format("2006-01")
	leadPath := fmt.Sprintf("/api/v1/leads/%d", lead)
	bcPath := fmt.Sprintf("/api/v1/broadcasts/%d", bc.ID)
	newBroadcast := map[string]any{"title": "通知2", "content": "内容", "audience": map[string]string{"type": "tier", "value": "2"}}

	const (
		none    = "none"
		viewer  = "viewer"
		other   = "other county"
		county  = "county"
		officer = "officer"
	)
	order := []string{none, viewer, other, county, officer}
	tokens := map[string]string{none: "", viewer: r.viewer, other: r.otherCounty, county: r.county, officer: r.officer}
	all := func(code int) map[string]int {
		return map[string]int{none: 401, viewer: code, other: code, county: code, officer: code}
	}
	officerOnly := func(code int) map[string]int {
		return map[string]int{none: 401, viewer: 403, other: 403, county: 403, officer: code}
	}
	ownCounty := func(code int) map[string]int {
		return map[string]int{none: 401, viewer: code, other: 404, county: code, officer: code}
	}
	tests := []struct {
		method, path string
		body         any
		bodies       map[string]any // per role, overriding body
		want         map[string]int
	}{
		{"GET", "/api/v1/audit?limit=5", nil, nil, officerOnly(200)},
		{"GET", "/api/v1/counties", nil, nil, all(200)},
		{"PATCH", "/api/v1/counties/kunshan", map[string]string{"phone": "0512-12345678"}, nil, officerOnly(200)},
		{"PATCH", "/api/v1/counties/atlantis", map[string]string{"phone": "0512-12345678"}, nil, officerOnly(404)},
		{"GET", "/api/v1/counties/kunshan/contacts", nil, nil, ownCounty(200)},
		{"DELETE", "/api/v1/counties/kunshan/contacts/o-contact-1", nil, nil,
			map[string]int{none: 401, viewer: 403, other: 404, county: 204, officer: 404}},
		{"DELETE", "/api/v1/counties/kunshan/contacts/o-contact-2", nil, nil,
			map[string]int{none: 401, viewer: 403, other: 404, officer: 204}},
		{"POST", "/api/v1/counties/kunshan/qrcode", nil, nil, officerOnly(200)},
		{"GET", "/api/v1/counties/kunshan/qrcode.png", nil, nil, ownCounty(200)},
		{"GET", "/api/v1/settings", nil, nil, officerOnly(200)},
		{"PUT", "/api/v1/settings", map[string]any{"lpr": 3.1, "lpr_date": "2026-11-20", "workdays_overrides": map[string]string{"2026-12-31": "off"}}, nil, officerOnly(200)},
		{"GET", "/api/v1/dashboard?month=" + month, nil, nil, all(200)},
		{"POST", "/api/v1/tags/sync", nil, nil, officerOnly(200)},
		{"GET", "/api/v1/broadcasts?month=" + month, nil, nil, all(200)},
		{"POST", "/api/v1/broadcasts", newBroadcast, nil, officerOnly(201)},
		{"GET", bcPath, nil, nil, all(200)},
		{"GET", "/api/v1/broadcasts/999999", nil, nil, all(404)},
		{"POST", bcPath + "/preview", map[string]string{"openid": "o-preview"}, nil, officerOnly(200)},
		{"POST", bcPath + "/send", nil, nil, officerOnly(200)},
		{"GET", "/api/v1/reports/monthly?month=" + month, nil, nil, all(200)},
		{"GET", "/api/v1/reports/monthly?month=" + month + "&format=csv", nil, nil, all(200)},
		{"POST", "/api/v1/reports/monthly/confirm", map[string]string{"month": lastMonth}, nil,
			map[string]int{none: 401, viewer: 403, other: 200, county: 200, officer: 403}},
		// The lead pipeline's endpoints.
		{"GET", "/api/v1/leads", nil, nil, all(200)},
		{"GET", leadPath, nil, nil, ownCounty(200)},
		{"PATCH", leadPath, nil, map[string]any{viewer: map[string]string{"status": "contacted"}, other: map[string]string{"status": "contacted"},
			county: map[string]string{"status": "contacted"}, officer: map[string]string{"status": "reviewing"}, none: map[string]string{"status": "contacted"}},
			map[string]int{none: 401, viewer: 403, other: 404, county: 200, officer: 200}},
		{"POST", "/api/v1/counties/kunshan/bind-codes", nil, nil, map[string]int{none: 401, viewer: 403, other: 403, county: 201, officer: 201}},
		{"POST", fmt.Sprintf("/api/v1/leads/%d/disburse", contracted), map[string]any{"disbursed_wan": 300}, nil,
			map[string]int{none: 401, viewer: 403, other: 404, county: 200, officer: 200}},
		{"POST", leadPath + "/disburse", map[string]any{"disbursed_wan": 300}, nil,
			map[string]int{none: 401, viewer: 403, other: 404, county: 409, officer: 409}},
	}
	for _, tt := range tests {
		for _, role := range order {
			want, ok := tt.want[role]
			if !ok {
				continue
			}
			body := tt.body
			if b, ok := tt.bodies[role]; ok {
				body = b
			}
			rec := s.raw(tt.method, tt.path, tokens[role], body)
			if rec.Code != want {
				t.Errorf("%s %s as %s: %d %s, want %d", tt.method, tt.path, role, rec.Code, clipBody(rec.Body.String()), want)
			}
			if rec.Code >= 400 && !strings.Contains(rec.Body.String(), `"error"`) {
				t.Errorf("%s %s as %s: no error message: %s", tt.method, tt.path, role, rec.Body)
			}
		}
	}

	// A county account reads only its own county everywhere.
	var counties struct{ Counties []struct{ ID string } }
	s.api("GET", "/api/v1/counties", r.county, nil, &counties)
	if len(counties.Counties) != 1 || counties.Counties[0].ID != "kunshan" {
		t.Errorf("county sees counties %+v", counties.Counties)
	}
	var dash struct {
		Counties []struct{ County string }
		Total    struct{ Received int64 }
	}
	s.api("GET", "/api/v1/dashboard", r.otherCounty, nil, &dash)
	if len(dash.Counties) != 1 || dash.Counties[0].County != "sip" || dash.Total.Received != 0 {
		t.Errorf("other county's dashboard %+v", dash)
	}
}

func clipBody(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// Wrong passwords hold back the address they come from, with growing
// delays; the account's owner, elsewhere, is never locked out.
func TestLoginLockout(t *testing.T) {
	s := mustAdminSvc(t, false)
	s.createUser(s.admin, "locky", "viewer", "")
	loginFrom := func(addr, password string) (int, string) {
		body, _ := json.Marshal(map[string]string{"username": "locky", "password": password})
		req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = addr + ":40000"
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		var res struct{ Error string }
		json.Unmarshal(rec.Body.Bytes(), &res)
		return rec.Code, res.Error
	}
	const guesser, owner = "203.0.113.66", "198.51.100.20"
	login := func(password string) (int, string) { return loginFrom(guesser, password) }
	for i := 1; i <= 4; i++ {
		if code, _ := login("wrong-password"); code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, code)
		}
		s.clock.Add(time.Minute)
	}
	if code, msg := login("wrong-password"); code != http.StatusTooManyRequests || !strings.Contains(msg, "锁定") {
		t.Fatalf("5th failure: %d %q, want 429", code, msg)
	}
	// Held back: even the right password is refused from that address...
	if code, msg := login("password-locky"); code != http.StatusTooManyRequests || !strings.Contains(msg, "登录失败次数过多") {
		t.Errorf("held back, right password: %d %q", code, msg)
	}
	// ...but not from the owner's.
	if code, msg := loginFrom(owner, "password-locky"); code != http.StatusOK {
		t.Fatalf("owner from another address during the hold: %d %q", code, msg)
	}
	// The delay grows with each further failure: 1 min after the 5th,
	// 2 min after the 6th.
	s.clock.Add(time.Minute + time.Second)
	if code, _ := login("wrong-password"); code != http.StatusTooManyRequests {
		t.Fatalf("6th failure: %d", code)
	}
	s.clock.Add(time.Minute + time.Second)
	if code, _ := login("password-locky"); code != http.StatusTooManyRequests {
		t.Errorf("1 min after the 6th failure: %d, want still held", code)
	}
	s.clock.Add(time.Minute)
	if code, msg := login("password-locky"); code != http.StatusOK {
		t.Fatalf("after the hold: %d %q", code, msg)
	}
	// A successful login clears the failures: 4 more do not hold back.
	for i := 1; i <= 4; i++ {
		if code, _ := login("wrong"); code != http.StatusUnauthorized {
			t.Errorf("failure %d after success: %d", i, code)
		}
	}
	if code, _ := login("password-locky"); code != http.StatusOK {
		t.Errorf("4 failures after a success held back the account: %d", code)
	}
	// Unknown names are held back alike; other accounts are not affected.
	for range 5 {
		s.api("POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "x"}, nil)
	}
	if code := s.status("POST", "/api/v1/auth/login", "", map[string]string{"username": "nobody", "password": "x"}); code != http.StatusTooManyRequests {
		t.Errorf("unknown user after 5 failures: %d", code)
	}
	if code := s.status("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": leadsAdminPass}); code != http.StatusOK {
		t.Errorf("admin: %d", code)
	}
}

// The client address comes from X-Forwarded-For only through a configured
// proxy; by default the header is ignored.
func TestClientAddressIsNotForgeable(t *testing.T) {
	s := mustAdminSvc(t, false)
	s.createUser(s.admin, "proxied", "viewer", "")
	for i := 0; i < 8; i++ {
		// Each attempt claims another address; all are the same peer.
		body, _ := json.Marshal(map[string]string{"username": "proxied", "password": "wrong"})
		req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "203.0.113."+strconv.Itoa(i))
		rec := httptest.NewRecorder()
		s.handler.ServeHTTP(rec, req)
		if i >= 5 && rec.Code != http.StatusTooManyRequests {
			t.Fatalf("attempt %d with a forged X-Forwarded-For: %d", i, rec.Code)
		}
	}
	var rows []store.LoginAttempt
	s.db.Where("username = ?", "proxied").Find(&rows)
	for _, r := range rows {
		if strings.HasPrefix(r.Address, "203.0.113.") {
			t.Fatalf("recorded the forged address %s", r.Address)
		}
	}
}

func TestAuditLogRecordsWrites(t *testing.T) {
	s := mustAdminSvc(t, false)
	r := s.mustRoles()
	var before struct{ Phone string }
	var counties struct {
		Counties []struct {
			ID    string
			Phone string
		}
	}
	s.api("GET", "/api/v1/counties", s.admin, nil, &counties)
	for _, c := range counties.Counties {
		if c.ID == "kunshan" {
			before.Phone = c.Phone
		}
	}
	if code := s.status("PATCH", "/api/v1/counties/kunshan", s.admin, map[string]string{"phone": "0512-11112222", "contact": "李四"}); code != 200 {
		t.Fatalf("patch: %d", code)
	}
	if code := s.status("PATCH", "/api/v1/counties/kunshan", r.viewer, map[string]string{"phone": "0512-33334444"}); code != 403 {
		t.Fatalf("viewer patch: %d", code)
	}
	lead := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P3Q7", s.clock.Now())
	if code := s.status("PATCH", fmt.Sprintf("/api/v1/leads/%d", lead), r.county, map[string]string{"status": "contacted"}); code != 200 {
		t.Fatalf("lead patch: %d", code)
	}
	s.status("GET", "/api/v1/counties", s.admin, nil)

	type entry struct {
		Actor, Method, Route, Target string
		Status                       int
		Before, After                map[string]any
	}
	var res struct{ Items []entry }
	if code := s.api("GET", "/api/v1/audit?limit=50", s.admin, nil, &res); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	find := func(actor, method, route string, status int) *entry {
		for i, e := range res.Items {
			if e.Actor == actor && e.Method == method && e.Route == route && e.Status == status {
				return &res.Items[i]
			}
		}
		return nil
	}
	e := find("admin", "PATCH", "/api/v1/counties/:county", 200)
	if e == nil {
		t.Fatalf("county patch not audited: %+v", res.Items)
	}
	if e.Target != "county=kunshan" || e.Before["phone"] != before.Phone || e.After["phone"] != "0512-11112222" || e.After["contact"] != "李四" {
		t.Errorf("county patch entry %+v", e)
	}
	var viewerName string
	var me struct{ Username string }
	s.api("GET", "/api/v1/me", r.viewer, nil, &me)
	viewerName = me.Username
	if find(viewerName, "PATCH", "/api/v1/counties/:county", 403) == nil {
		t.Errorf("refused write not audited")
	}
	s.api("GET", "/api/v1/me", r.county, nil, &me)
	if e := find(me.Username, "PATCH", "/api/v1/leads/:id", 200); e == nil || e.Target != fmt.Sprintf("id=%d", lead) {
		t.Errorf("lead patch not audited: %+v", e)
	}
	if find("admin", "POST", "/api/v1/users", 201) == nil {
		t.Errorf("user creation not audited")
	}
	for _, e := range res.Items {
		if e.Method == "GET" {
			t.Errorf("read audited: %+v", e)
		}
	}
	// Audit entries can be written directly (the console's form posts).
	if err := s.db.Audit(context.Background(), domain.AuditEntry{Actor: "admin", Method: "POST", Route: "/console/x", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.db.AuditLogs(context.Background(), 1)
	if err != nil || len(rows) != 1 || rows[0].Route != "/console/x" {
		t.Errorf("AuditLogs: %+v %v", rows, err)
	}
}

// A lead is only disbursed with its amount: a plain status change to
// 已放款 is refused, the disbursement records both in one step.
func TestDisbursedNeedsItsAmount(t *testing.T) {
	s := mustAdminSvc(t, false)
	id := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P3Q9", s.clock.Now())
	s.move(id, "contacted", "reviewing", "pre_approved", "contracted")
	var res struct{ Error string }
	if code := s.api(http.MethodPatch, fmt.Sprintf("/api/v1/leads/%d", id), s.admin, map[string]string{"status": "disbursed"}, &res); code != http.StatusBadRequest || !strings.Contains(res.Error, "放款金额") {
		t.Fatalf("PATCH to disbursed: %d %s", code, res.Error)
	}
	if l, _ := s.db.Lead(context.Background(), id); l.Status != domain.StatusContracted {
		t.Fatalf("refused change moved the lead to %s", l.Status)
	}
	s.disburse(id, 250)
	l, err := s.db.Lead(context.Background(), id)
	if err != nil || l.Status != domain.StatusDisbursed {
		t.Fatalf("after disburse: %+v %v", l, err)
	}
	if wan, err := s.db.DisbursedWan(context.Background(), id); err != nil || wan != 250 {
		t.Fatalf("amount %v %v", wan, err)
	}
}
