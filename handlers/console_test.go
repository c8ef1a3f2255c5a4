package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
)

// browser is a cookie-keeping HTTP client of the console that does not
// follow redirects, so tests see each answer.
type browser struct {
	tb   testing.TB
	base string
	c    *http.Client
	csrf string // the CSRF token of the last page read
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func newBrowser(tb testing.TB, h http.Handler) *browser {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return &browser{tb: tb, base: srv.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.tb.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(body)
}

// get reads a page: its status, Location and body.
func (b *browser) get(path string) (int, string, string) {
	b.tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	resp, body := b.do(req)
	return resp.StatusCode, resp.Header.Get("Location"), body
}

// post submits a form; the CSRF token of the last page read is added
// unless form sets "csrf" itself.
func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, body := b.do(req)
	return resp.StatusCode, resp.Header.Get("Location"), body
}

// login signs in through the login form and fails the test unless it works.
func (b *browser) login(username, password string) {
	b.tb.Helper()
	b.get("/console/login")
	code, loc, body := b.post("/console/login", url.Values{"username": {username}, "password": {password}})
	if code != http.StatusSeeOther || loc != "/console/leads" {
		b.tb.Fatalf("login %s: %d %s %s", username, code, loc, body)
	}
}

// mustPage reads a page and fails unless it answers 200.
func (b *browser) mustPage(path string) string {
	b.tb.Helper()
	code, loc, body := b.get(path)
	if code != http.StatusOK {
		b.tb.Fatalf("GET %s: %d %s", path, code, loc)
	}
	return body
}

// simulate posts to the simulator as its script does.
func (b *browser) simulate(payload map[string]string, csrf string) (int, map[string]any) {
	b.tb.Helper()
	raw, _ := json.Marshal(payload)
	req, _ := http.NewRequest(http.MethodPost, b.base+"/simulator/send", strings.NewReader(string(raw)))
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, body := b.do(req)
	var out map[string]any
	json.Unmarshal([]byte(body), &out)
	return resp.StatusCode, out
}

// consoleUsers creates a county account of Kunshan, one of Taicang and a
// viewer, and returns their passwords by username.
func consoleUsers(s *leadsSvc) {
	s.tb.Helper()
	admin := s.login("admin", leadsAdminPass)
	s.createUser(admin, "ks", "county", "kunshan")
	s.createUser(admin, "tc", "county", "taicang")
	s.createUser(admin, "view", "viewer", "")
}

func TestConsoleLoginLogoutAndCookie(t *testing.T) {
	s := mustLeadsSvc(t)
	b := newBrowser(t, s.handler)

	code, loc, _ := b.get("/console/leads?status=submitted")
	if code != http.StatusSeeOther || loc != "/console/login?next=%2Fconsole%2Fleads%3Fstatus%3Dsubmitted" {
		t.Fatalf("anonymous: %d %s", code, loc)
	}
	if code, loc, _ := b.get("/simulator"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/login") {
		t.Fatalf("anonymous simulator: %d %s", code, loc)
	}
	page := b.mustPage("/console/login")
	if !strings.Contains(page, "模拟器") || !strings.Contains(page, "需要登录") {
		t.Error("the login page does not say the simulator needs a login")
	}

	// A wrong password shows the reason, and no session.
	code, _, body := b.post("/console/login", url.Values{"username": {"admin"}, "password": {"wrong-password"}})
	if code != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码错误") {
		t.Fatalf("wrong password: %d", code)
	}

	// The right one opens a session with the cookie flags, and goes to next.
	req, _ := http.NewRequest(http.MethodPost, b.base+"/console/login", strings.NewReader(url.Values{
		"csrf": {b.csrf}, "username": {"admin"}, "password": {leadsAdminPass}, "next": {"/console/dashboard"},
	}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _ := b.do(req)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/dashboard" {
		t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "szr_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure || len(session.Value) != 64 {
		t.Fatalf("session cookie %+v", session)
	}
	// Only the token's hash is stored, not the token.
	var n int64
	s.db.Model(&store.APIToken{}).Where("hash = ?", session.Value).Count(&n)
	if n != 0 {
		t.Error("the session token is stored in clear")
	}
	if body := b.mustPage("/console/leads"); !strings.Contains(body, "admin") || !strings.Contains(body, "退出登录") {
		t.Error("header without the account and logout")
	}

	// An open redirect is refused.
	b2 := newBrowser(t, s.handler)
	b2.get("/console/login")
	if _, loc, _ := b2.post("/console/login", url.Values{"username": {"admin"}, "password": {leadsAdminPass}, "next": {"//evil.example/x"}}); loc != "/console/leads" {
		t.Errorf("next=//evil.example: redirected to %s", loc)
	}

	// Logout revokes the session.
	code, loc, _ = b.post("/console/logout", nil)
	if code != http.StatusSeeOther || loc != "/console/login" {
		t.Fatalf("logout: %d %s", code, loc)
	}
	if code, _, _ := b.get("/console/leads"); code != http.StatusSeeOther {
		t.Errorf("after logout: %d", code)
	}
	stale := newBrowser(t, s.handler)
	u, _ := url.Parse(stale.base)
	stale.c.Jar.SetCookies(u, []*http.Cookie{{Name: "szr_session", Value: session.Value}})
	if code, _, _ := stale.get("/console/leads"); code != http.StatusSeeOther {
		t.Errorf("the revoked token still opens the console: %d", code)
	}
}

func TestConsoleCookieIsSecureBehindTLS(t *testing.T) {
	s := mustLeadsSvc(t)
	b := newBrowser(t, s.handler)
	b.get("/console/login")
	req, _ := http.NewRequest(http.MethodPost, b.base+"/console/login", strings.NewReader(url.Values{
		"csrf": {b.csrf}, "username": {"admin"}, "password": {leadsAdminPass},
	}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, _ := b.do(req)
	var secure bool
	for _, c := range resp.Cookies() {
		if c.Name == "szr_session" {
			secure = c.Secure
		}
	}
	if resp.StatusCode != http.StatusSeeOther || !secure {
		t.Fatalf("behind TLS: %d, Secure %v", resp.StatusCode, secure)
	}
}

func TestConsoleCSRF(t *testing.T) {
	s := mustLeadsSvc(t)
	number := s.fileNeed("o-csrf-ent", "320583", "MA1N2P3Q4")
	lead, _ := s.db.LeadByNumber(context.Background(), number)
	b := newBrowser(t, s.handler)

	// The login form has a token of its own.
	b.get("/console/login")
	if code, _, _ := b.post("/console/login", url.Values{"csrf": {"0"}, "username": {"admin"}, "password": {leadsAdminPass}}); code != http.StatusForbidden {
		t.Fatalf("login with a wrong csrf: %d", code)
	}
	b.login("admin", leadsAdminPass)
	path := fmt.Sprintf("/console/leads/%d/status", lead.ID)
	b.mustPage(path[:strings.LastIndex(path, "/")])
	good := b.csrf
	for name, token := range map[string][]string{"missing": nil, "wrong": {strings.Repeat("0", 64)}, "empty": {""}} {
		form := url.Values{"status": {"contacted"}}
		if token != nil {
			form["csrf"] = token
		} else {
			form["csrf"] = nil
			delete(form, "csrf")
			b.csrf = ""
		}
		if code, _, _ := b.post(path, form); code != http.StatusForbidden {
			t.Errorf("%s csrf: %d, want 403", name, code)
		}
		b.csrf = good
	}
	if code, _ := b.simulate(map[string]string{"openid": "o-sim-csrf01", "text": "菜单"}, ""); code != http.StatusForbidden {
		t.Errorf("simulator without csrf: %d", code)
	}
	if code, _ := b.simulate(map[string]string{"openid": "o-sim-csrf01", "text": "菜单"}, "x"+good[1:]); code != http.StatusForbidden {
		t.Errorf("simulator with a wrong csrf: %d", code)
	}
	// Another session's token does not work either.
	other := newBrowser(t, s.handler)
	other.login("admin", leadsAdminPass)
	other.mustPage("/console/leads")
	b.csrf = other.csrf
	if code, _, _ := b.post(path, url.Values{"status": {"contacted"}}); code != http.StatusForbidden {
		t.Errorf("another session's csrf: %d", code)
	}
	if l, _ := s.db.Lead(context.Background(), lead.ID); l.Status != "submitted" || len(l.Events) != 1 {
		t.Fatalf("a refused post changed the lead: %+v", l)
	}
}

func TestConsolePagesByRole(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	ks := s.fileNeed("o-role-ks", "320583", "MA1N2P3Q4") // Kunshan
	tc := s.fileNeed("o-role-tc", "320585", "MA1N2P3Q5") // Taicang
	ctx := context.Background()
	ksLead, _ := s.db.LeadByNumber(ctx, ks)
	tcLead, _ := s.db.LeadByNumber(ctx, tc)

	type want struct {
		status int
		has    []string
		hasnt  []string
	}
	pages := map[string]map[string]want{
		"admin": {
			"/console/leads": {200, []string{ks, tc, `id="f-county"`}, nil},
			fmt.Sprintf("/console/leads/%d", ksLead.ID): {200, []string{ks, `id="status-form"`, "已受理"}, nil},
			"/console/dashboard":                        {200, []string{"<svg", "昆山市", "太仓市", "全市合计"}, nil},
			"/console/counties":                         {200, []string{"昆山市", "张家港市"}, nil},
			"/console/counties/kunshan":                 {200, []string{`id="bind-create"`, `id="contact-form"`, `id="qr-create"`}, nil},
			"/console/broadcasts":                       {200, []string{`id="broadcast-form"`, "剩余额度"}, nil},
			"/console/reports":                          {200, []string{"全市合计", `id="dl-xlsx"`}, []string{`id="report-confirm"`}},
			"/console/settings":                         {200, []string{`id="lpr-form"`, "3.00"}, nil},
			"/console/sandbox":                          {200, []string{"沙箱消息"}, nil},
			"/simulator":                                {200, []string{"质量信誉自检", "o-sim-", "simulator.js"}, nil},
		},
		"ks": {
			"/console/leads": {200, []string{ks}, []string{tc, `id="f-county"`}},
			fmt.Sprintf("/console/leads/%d", ksLead.ID): {200, []string{`id="status-form"`}, nil},
			fmt.Sprintf("/console/leads/%d", tcLead.ID): {404, []string{"未找到"}, []string{tc}},
			"/console/leads/" + tc:                      {404, nil, []string{"MA1N2P3Q5"}},
			"/console/dashboard":                        {200, []string{"昆山市"}, []string{"太仓市", "全市合计"}},
			"/console/counties/kunshan":                 {200, []string{`id="bind-create"`}, []string{`id="contact-form"`, `id="qr-create"`}},
			"/console/counties/taicang":                 {404, nil, nil},
			"/console/broadcasts":                       {200, []string{"剩余额度"}, []string{`id="broadcast-form"`}},
			"/console/reports":                          {200, []string{"昆山市", "尚未结束"}, []string{"太仓市", "全市合计", `id="report-confirm"`}},
			"/console/reports?month=2026-01":            {200, []string{"昆山市", `id="report-confirm"`}, []string{"太仓市", "全市合计"}},
			"/console/settings":                         {403, nil, []string{`id="lpr-form"`}},
			"/console/sandbox":                          {403, nil, nil},
			"/simulator":                                {200, []string{"o-sim-"}, nil},
		},
		"view": {
			"/console/leads": {200, []string{ks, tc}, nil},
			fmt.Sprintf("/console/leads/%d", ksLead.ID): {200, []string{"只读账号不能变更状态"}, []string{`id="status-form"`}},
			"/console/dashboard":                        {200, []string{"太仓市"}, nil},
			"/console/counties/kunshan":                 {200, []string{"昆山市"}, []string{`id="bind-create"`, `id="contact-form"`, "解除绑定"}},
			"/console/broadcasts":                       {200, nil, []string{`id="broadcast-form"`}},
			"/console/reports":                          {200, []string{"全市合计"}, []string{`id="report-confirm"`}},
			"/console/settings":                         {403, nil, nil},
			"/simulator":                                {200, []string{"o-sim-"}, nil},
		},
	}
	passwords := map[string]string{"admin": leadsAdminPass, "ks": "password-ks", "view": "password-view"}
	for user, list := range pages {
		b := newBrowser(t, s.handler)
		b.login(user, passwords[user])
		for path, w := range list {
			code, _, body := b.get(path)
			if code != w.status {
				t.Errorf("%s GET %s: %d, want %d", user, path, code, w.status)
				continue
			}
			for _, h := range w.has {
				if !strings.Contains(body, h) {
					t.Errorf("%s GET %s: no %q", user, path, h)
				}
			}
			for _, h := range w.hasnt {
				if strings.Contains(body, h) {
					t.Errorf("%s GET %s: shows %q", user, path, h)
				}
			}
			if code == http.StatusOK && user == "view" && strings.Contains(body, `method="post"`) &&
				strings.Count(body, `method="post"`) != 1 { // the logout form only
				t.Errorf("viewer GET %s shows a form", path)
			}
		}
	}

	// Read-only and other-county writes are refused.
	view := newBrowser(t, s.handler)
	view.login("view", "password-view")
	view.mustPage("/console/leads")
	if code, _, _ := view.post(fmt.Sprintf("/console/leads/%d/status", ksLead.ID), url.Values{"status": {"contacted"}}); code != http.StatusForbidden {
		t.Errorf("viewer status change: %d", code)
	}
	if code, _, _ := view.post("/console/counties/kunshan/bind-codes", nil); code != http.StatusForbidden {
		t.Errorf("viewer bind code: %d", code)
	}
	if code, _, _ := view.post("/console/settings/lpr", url.Values{"lpr": {"2.9"}, "date": {"2026-11-20"}}); code != http.StatusForbidden {
		t.Errorf("viewer lpr: %d", code)
	}
	tcb := newBrowser(t, s.handler)
	tcb.login("tc", "password-tc")
	tcb.mustPage("/console/leads")
	if code, _, _ := tcb.post(fmt.Sprintf("/console/leads/%d/status", ksLead.ID), url.Values{"status": {"contacted"}}); code != http.StatusNotFound {
		t.Errorf("other county's status change: %d, want 404", code)
	}
	if code, _, _ := tcb.post("/console/counties/kunshan/bind-codes", nil); code != http.StatusNotFound {
		t.Errorf("other county's bind code: %d, want 404", code)
	}
	if l, _ := s.db.Lead(ctx, ksLead.ID); l.Status != "submitted" {
		t.Errorf("refused posts changed the lead: %s", l.Status)
	}
}

func TestConsoleStatusChangeCreatesEvent(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	ctx := context.Background()
	number := s.fileNeed("o-move-ent", "320583", "MA1N2P3Q4")
	lead, _ := s.db.LeadByNumber(ctx, number)
	b := newBrowser(t, s.handler)
	b.login("ks", "password-ks")
	page := b.mustPage(fmt.Sprintf("/console/leads/%d", lead.ID))
	// Only the allowed next statuses are offered.
	for _, st := range []string{`value="contacted"`, `value="rejected"`, `value="withdrawn"`} {
		if !strings.Contains(page, st) {
			t.Errorf("option %s missing", st)
		}
	}
	if strings.Contains(page, `value="disbursed"`) || strings.Contains(page, `value="approved"`) {
		t.Error("a status not allowed from submitted is offered")
	}
	code, loc, _ := b.post(fmt.Sprintf("/console/leads/%d/status", lead.ID), url.Values{"status": {"contacted"}, "note": {"已电话联系企业"}})
	if code != http.StatusSeeOther || !strings.HasSuffix(loc, "?ok=status") {
		t.Fatalf("status change: %d %s", code, loc)
	}
	got, err := s.db.Lead(ctx, lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "contacted" || len(got.Events) != 2 || got.Events[1].Actor != "account:ks" || got.Events[1].Note != "已电话联系企业" {
		t.Fatalf("lead after the change: %+v", got)
	}
	// The enterprise is notified through the outbox, as from the chat and the API.
	rows, err := s.db.OutboxRows(ctx, fmt.Sprintf("lead:%d:event:%d:", lead.ID, got.Events[1].ID))
	if err != nil || len(rows) != 1 {
		t.Fatalf("notification of the change: %d rows, %v", len(rows), err)
	}
	page = b.mustPage(loc)
	if !strings.Contains(page, "状态已更新") || !strings.Contains(page, "已电话联系企业") {
		t.Error("the lead page does not show the change")
	}
	// A transition the table forbids is refused with the reason.
	code, _, body := b.post(fmt.Sprintf("/console/leads/%d/status", lead.ID), url.Values{"status": {"disbursed"}})
	if code != http.StatusConflict || !strings.Contains(body, "不能从") {
		t.Errorf("forbidden transition: %d", code)
	}
	// The change is in the audit log.
	logs, _ := s.db.AuditLogs(ctx, 10)
	var audited bool
	for _, l := range logs {
		audited = audited || l.Route == "/console/leads/:id/status" && l.Actor == "ks" && l.Status == http.StatusSeeOther
	}
	if !audited {
		t.Errorf("status change not audited: %+v", logs)
	}
}

func TestConsoleLeadFilters(t *testing.T) {
	s := mustLeadsSvc(t)
	ctx := context.Background()
	ks := s.fileNeed("o-filter-1", "320583", "MA1N2P3Q4")
	tc := s.fileNeed("o-filter-2", "320585", "MA1N2P3Q5")
	ksLead, _ := s.db.LeadByNumber(ctx, ks)
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	cases := []struct {
		query    string
		has, not []string
	}{
		{"county=kunshan", []string{ks}, []string{tc}},
		{"county=taicang", []string{tc}, []string{ks}},
		{"q=" + url.QueryEscape(ks[len(ks)-6:]), []string{ks}, []string{tc}},
		{"q=" + ksLead.CreditCode[:12], []string{ks}, []string{tc}},
		{"q=" + url.QueryEscape("精密机械"), []string{ks, tc}, nil},
		{"q=%25", nil, []string{ks, tc}},
		{"status=contacted", nil, []string{ks, tc}},
		{"kind=need&status=submitted", []string{ks, tc}, nil},
		{"kind=apply", nil, []string{ks, tc}},
		{"from=2000-01-01&to=2000-01-31", nil, []string{ks, tc}},
		{"from=" + ksLead.CreatedAt.Format("2006-01-02") + "&to=" + ksLead.CreatedAt.AddDate(0, 0, 1).Format("2006-01-02"), []string{ks, tc}, nil},
	}
	for _, c := range cases {
		body := b.mustPage("/console/leads?" + c.query)
		for _, h := range c.has {
			if !strings.Contains(body, h) {
				t.Errorf("%s: %s missing", c.query, h)
			}
		}
		for _, h := range c.not {
			if strings.Contains(body, h) {
				t.Errorf("%s: %s shown", c.query, h)
			}
		}
	}
	if code, _, body := b.get("/console/leads?status=nope"); code != http.StatusBadRequest || !strings.Contains(body, "未知的状态") {
		t.Errorf("unknown status: %d", code)
	}
}

func TestConsolePagination(t *testing.T) {
	s := mustLeadsSvc(t)
	for i := range 23 {
		s.fileNeed(fmt.Sprintf("o-page-%02d", i), "320583", fmt.Sprintf("MA1N2P%03d", i))
	}
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	first := b.mustPage("/console/leads")
	if n := strings.Count(first, `<tr>`) - 1; n != 20 || !strings.Contains(first, "第 1 / 2 页") || !strings.Contains(first, "共 23 条") {
		t.Fatalf("first page: %d rows", n)
	}
	second := b.mustPage("/console/leads?page=2")
	if n := strings.Count(second, `<tr>`) - 1; n != 3 {
		t.Fatalf("second page: %d rows", n)
	}
}

func TestConsoleCountyBindCodeAndSettings(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	b := newBrowser(t, s.handler)
	b.login("ks", "password-ks")
	b.mustPage("/console/counties/kunshan")
	code, loc, _ := b.post("/console/counties/kunshan/bind-codes", nil)
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/counties/kunshan?ok=code") {
		t.Fatalf("bind code: %d %s", code, loc)
	}
	body := b.mustPage(loc)
	m := regexp.MustCompile(`id="bind-code">([A-Z0-9]{12})<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the new bind code is not listed")
	}
	// Reloading the page mints nothing: one outstanding code.
	if again := b.mustPage(loc); strings.Count(again, `class="code mono"`) != 1 {
		t.Fatalf("%d codes after a reload", strings.Count(again, `class="code mono"`))
	}
	// A second code can be revoked and then no longer binds.
	b.post("/console/counties/kunshan/bind-codes", nil)
	two := regexp.MustCompile(`id="bind-code">([A-Z0-9]{12})<`).FindStringSubmatch(b.mustPage("/console/counties/kunshan"))
	if two == nil || two[1] == m[1] {
		t.Fatal("the second code is not listed first")
	}
	if code, _, _ := b.post("/console/counties/kunshan/bind-codes/"+two[1]+"/revoke", nil); code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if got := s.say("o-revoked-contact", "绑定 "+two[1]); strings.Contains(got, "绑定成功") {
		t.Fatalf("a revoked code bound: %s", got)
	}
	if got := s.say("o-console-contact", "绑定 "+m[1]); !strings.Contains(got, "绑定成功") {
		t.Fatalf("bind with the console's code: %s", got)
	}
	if body := b.mustPage("/console/counties/kunshan"); !strings.Contains(body, "o-console-contact") {
		t.Error("the bound contact is not listed")
	}
	if code, _, _ := b.post("/console/counties/kunshan/unbind", url.Values{"openid": {"o-console-contact"}}); code != http.StatusBadRequest {
		t.Errorf("unbind without the confirmation: %d", code)
	}
	if code, loc, _ := b.post("/console/counties/kunshan/unbind", url.Values{"openid": {"o-console-contact"}, "confirm": {"1"}}); code != http.StatusSeeOther {
		t.Errorf("unbind: %d %s", code, loc)
	}

	admin := newBrowser(t, s.handler)
	admin.login("admin", leadsAdminPass)
	admin.mustPage("/console/settings")
	if code, loc, _ := admin.post("/console/settings/lpr", url.Values{"lpr": {"2.95"}, "date": {"2026-11-20"}}); code != http.StatusSeeOther {
		t.Fatalf("lpr: %d %s", code, loc)
	}
	if body := admin.mustPage("/console/settings?ok=lpr"); !strings.Contains(body, "2.95%") || !strings.Contains(body, "2026-11-20") {
		t.Error("the new LPR is not shown")
	}
	if code, _, body := admin.post("/console/settings/lpr", url.Values{"lpr": {"abc"}, "date": {"2026-11-20"}}); code != http.StatusBadRequest || !strings.Contains(body, "LPR") {
		t.Errorf("bad lpr: %d", code)
	}
	if code, _, _ := admin.post("/console/settings/workdays", url.Values{"date": {"2026-12-31"}, "kind": {"off"}}); code != http.StatusSeeOther {
		t.Errorf("workday: %d", code)
	}
	if body := admin.mustPage("/console/settings"); !strings.Contains(body, "2026-12-31") {
		t.Error("the workday override is not shown")
	}
	admin.mustPage("/console/counties/kunshan")
	if code, _, body := admin.post("/console/counties/kunshan/contact", url.Values{"contact": {"李四"}, "post": {"科员"}, "phone": {"12345"}, "robot_url": {""}}); code != http.StatusBadRequest || !strings.Contains(body, "0512") {
		t.Errorf("bad phone: %d", code)
	}
	if code, _, _ := admin.post("/console/counties/kunshan/contact", url.Values{"contact": {"李四"}, "post": {"科员"}, "phone": {"0512-12345678"}, "robot_url": {""}}); code != http.StatusSeeOther {
		t.Errorf("contact: %d", code)
	}
	if body := admin.mustPage("/console/counties/kunshan"); !strings.Contains(body, "李四") {
		t.Error("the new contact is not shown")
	}
}

func TestConsoleStaticAssetsAreCached(t *testing.T) {
	s := mustLeadsSvc(t)
	b := newBrowser(t, s.handler)
	page := b.mustPage("/console/login")
	m := regexp.MustCompile(`href="(/console/static/console\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no stylesheet link")
	}
	resp, err := b.c.Get(b.base + m[1])
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("static: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = b.c.Get(b.base + "/console/static/nope.css")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing asset: %d", resp.StatusCode)
	}
}

func TestConsoleReportDownloadAndBroadcastPreview(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	s.fileNeed("o-report-ent", "320583", "MA1N2P3Q4")
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	resp, err := b.c.Get(b.base + "/console/reports/download?format=csv")
	if err != nil {
		t.Fatal(err)
	}
	csv := readAll(t, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(csv, "昆山市") || !strings.Contains(csv, "全市合计") {
		t.Fatalf("csv: %d %s", resp.StatusCode, csv)
	}
	resp, _ = b.c.Get(b.base + "/console/reports/download?format=xlsx")
	xlsx := readAll(t, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(xlsx, "PK") {
		t.Fatalf("xlsx: %d", resp.StatusCode)
	}

	// A county confirms its month.
	ks := newBrowser(t, s.handler)
	ks.login("ks", "password-ks")
	// Only a finished month can be confirmed: last month.
	page := ks.mustPage("/console/reports")
	this, _ := time.ParseInLocation("2006-01", regexp.MustCompile(`name="month" value="(\d{4}-\d{2})"`).FindStringSubmatch(page)[1], domain.Shanghai)
	month := this.AddDate(0, -1, 0).Format("2006-01")
	if code, loc, _ := ks.post("/console/reports/confirm", url.Values{"month": {month}}); code != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", code, loc)
	}
	if page := ks.mustPage("/console/reports?month=" + month); !strings.Contains(page, "已确认") {
		t.Error("confirmation not shown")
	}

	// An officer writes a broadcast and previews it on one follower.
	b.mustPage("/console/broadcasts")
	code, loc, body := b.post("/console/broadcasts", url.Values{"title": {"政策通知"}, "kind": {"text"}, "content": {"苏质贷利率下调"}, "audience": {"all"}})
	if code != http.StatusSeeOther {
		t.Fatalf("create broadcast: %d %s %s", code, loc, body)
	}
	page = b.mustPage("/console/broadcasts?ok=bc")
	id := regexp.MustCompile(`action="/console/broadcasts/(\d+)/preview"`).FindStringSubmatch(page)
	if id == nil || !strings.Contains(page, "苏质贷利率下调") {
		t.Fatal("the draft is not listed")
	}
	// The preview goes to the officer's own bound WeChat.
	if code, _, body := b.post("/console/broadcasts/"+id[1]+"/preview", nil); code != http.StatusBadRequest || !strings.Contains(body, "尚未绑定微信") {
		t.Fatalf("preview before binding: %d", code)
	}
	if err := s.db.Model(&store.Account{}).Where("username = ?", "admin").Update("open_id", "o-preview-officer").Error; err != nil {
		t.Fatal(err)
	}
	b.mustPage("/console/broadcasts")
	if code, _, _ := b.post("/console/broadcasts/"+id[1]+"/preview", nil); code != http.StatusSeeOther {
		t.Fatalf("preview: %d", code)
	}
	calls := s.fake.Calls("/cgi-bin/message/mass/preview")
	if len(calls) != 1 || calls[0].Body["touser"] != "o-preview-officer" {
		t.Fatalf("preview calls: %+v", calls)
	}
	if code, _, body := b.post("/console/broadcasts", url.Values{"title": {""}, "content": {"x"}, "audience": {"all"}}); code != http.StatusBadRequest || !strings.Contains(body, "标题") {
		t.Errorf("empty title: %d", code)
	}
}

func TestConsoleLoginLockoutMessage(t *testing.T) {
	s := mustLeadsSvc(t)
	b := newBrowser(t, s.handler)
	b.get("/console/login")
	for range 5 {
		b.post("/console/login", url.Values{"username": {"admin"}, "password": {"wrong-password"}})
	}
	code, _, body := b.post("/console/login", url.Values{"username": {"admin"}, "password": {leadsAdminPass}})
	if code != http.StatusTooManyRequests || !strings.Contains(body, "锁定") {
		t.Fatalf("locked: %d", code)
	}
}

// Authors are shown as people read them, never as "seed" or "account:…".
func TestConsoleShowsAuthorsByName(t *testing.T) {
	s := mustLeadsSvc(t)
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	page := b.mustPage("/console/counties/kunshan")
	if !strings.Contains(page, "更新人：初始设置") || strings.Contains(page, "更新人：seed") {
		t.Error("the county page names the seed as its author")
	}
	b.mustPage("/console/settings")
	if code, _, _ := b.post("/console/settings/lpr", url.Values{"lpr": {"2.95"}, "date": {"2026-11-20"}}); code != http.StatusSeeOther {
		t.Fatalf("lpr: %d", code)
	}
	if page := b.mustPage("/console/settings"); strings.Contains(page, "account:") {
		t.Error("the settings page shows account:")
	}
}
