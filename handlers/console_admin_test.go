package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestConsoleAuditPage(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)

	admin := newBrowser(t, s.handler)
	admin.login("admin", leadsAdminPass)
	admin.mustPage("/console/settings")
	if code, _, _ := admin.post("/console/settings/lpr", url.Values{"lpr": {"2.95"}, "date": {"2026-11-20"}}); code != http.StatusSeeOther {
		t.Fatalf("lpr: %d", code)
	}
	// An API write with a before and an after, and a back-office value with
	// markup in it (names refuse markup; a broadcast's title does not).
	token := s.login("admin", leadsAdminPass)
	if code := s.api(http.MethodPatch, "/api/v1/counties/kunshan", token, map[string]string{"contact": "王五"}, nil); code != http.StatusOK {
		t.Fatalf("county patch: %d", code)
	}
	if code := s.api(http.MethodPost, "/api/v1/broadcasts", token, map[string]any{"title": "<b>王五</b>", "content": "x",
		"audience": map[string]string{"type": "all"}}, nil); code != http.StatusCreated {
		t.Fatalf("broadcast: %d", code)
	}

	if body := admin.mustPage("/console/leads"); !strings.Contains(body, `href="/console/audit"`) {
		t.Error("no 审计 in the officer's nav")
	}
	body := admin.mustPage("/console/audit")
	for _, want := range []string{
		`id="audit-table"`, `data-label="操作">修改LPR`, `data-label="操作">修改联系人`, `data-label="对象">昆山市`, "admin（市局）",
		"LPR生效日期", `<div class="small muted">变更前</div>`, `<div class="small muted">变更后</div>`,
		// pretty-printed and escaped by the page, not by the JSON encoder
		"  &#34;title&#34;: &#34;&lt;b&gt;王五&lt;/b&gt;&#34;",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("audit page: no %q", want)
		}
	}
	if strings.Contains(body, "<b>王五") || strings.Contains(body, `\u003c`) {
		t.Error("audit page: before/after not escaped as text")
	}
	// Newest first: the county patch came after the LPR change.
	if strings.Index(body, `data-label="操作">修改联系人`) > strings.Index(body, `data-label="操作">修改LPR`) {
		t.Error("audit page not newest first")
	}

	for user, message := range map[string]string{"ks": "无权执行该操作", "view": "只读账号不能执行该操作"} {
		b := newBrowser(t, s.handler)
		b.login(user, "password-"+user)
		if body := b.mustPage("/console/leads"); strings.Contains(body, `href="/console/audit"`) {
			t.Errorf("%s: 审计 in the nav", user)
		}
		code, _, body := b.get("/console/audit")
		if code != http.StatusForbidden || !strings.Contains(body, message) || strings.Contains(body, `id="audit-table"`) {
			t.Errorf("%s GET /console/audit: %d, want 403", user, code)
		}
	}
}

func TestConsoleChangePassword(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	const old, next = "password-ks", "brand-new-pass"

	b := newBrowser(t, s.handler)
	b.login("ks", old)
	other := newBrowser(t, s.handler) // another session of the same account
	other.login("ks", old)

	if body := b.mustPage("/console/leads"); !strings.Contains(body, `href="/console/password"`) {
		t.Error("no 修改密码 link in the header")
	}
	if body := b.mustPage("/console/password"); !strings.Contains(body, `id="password-form"`) {
		t.Fatal("no password form")
	}

	tries := []struct {
		name    string
		form    url.Values
		status  int
		message string
	}{
		{"wrong current", url.Values{"current": {"not-my-password"}, "new": {next}, "repeat": {next}}, http.StatusBadRequest, "当前密码不正确"},
		{"mismatched repeat", url.Values{"current": {old}, "new": {next}, "repeat": {next + "x"}}, http.StatusBadRequest, "两次输入的新密码不一致"},
		{"too short", url.Values{"current": {old}, "new": {"short"}, "repeat": {"short"}}, http.StatusBadRequest, "密码应为10–72个字符"},
		{"no csrf", url.Values{"csrf": {""}, "current": {old}, "new": {next}, "repeat": {next}}, http.StatusForbidden, "本次操作未执行"},
	}
	for _, tt := range tries {
		code, _, body := b.post("/console/password", tt.form)
		if code != tt.status || !strings.Contains(body, tt.message) {
			t.Errorf("%s: %d, want %d with %q", tt.name, code, tt.status, tt.message)
		}
		if tt.status == http.StatusBadRequest && !strings.Contains(body, `id="password-form"`) {
			t.Errorf("%s: the form is not shown again", tt.name)
		}
	}
	// Nothing changed: the old password still signs in, the other session is open.
	newBrowser(t, s.handler).login("ks", old)
	other.mustPage("/console/leads")

	code, loc, _ := b.post("/console/password", url.Values{"current": {old}, "new": {next}, "repeat": {next}})
	if code != http.StatusSeeOther || loc != "/console/password?ok=password" {
		t.Fatalf("change: %d %s", code, loc)
	}
	if body := b.mustPage(loc); !strings.Contains(body, "密码已修改") {
		t.Error("no notice after the change")
	}
	// This session stays; the other one ends.
	b.mustPage("/console/leads")
	if code, loc, _ := other.get("/console/leads"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/login") {
		t.Errorf("the other session survived the change: %d %s", code, loc)
	}
	// The old password no longer signs in; the new one does.
	stale := newBrowser(t, s.handler)
	stale.get("/console/login")
	if code, _, body := stale.post("/console/login", url.Values{"username": {"ks"}, "password": {old}}); code != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码错误") {
		t.Errorf("old password: %d", code)
	}
	newBrowser(t, s.handler).login("ks", next)

	// The audit log has the change, and no password.
	admin := newBrowser(t, s.handler)
	admin.login("admin", leadsAdminPass)
	body := admin.mustPage("/console/audit")
	if !strings.Contains(body, `data-label="操作">修改密码`) {
		t.Error("password change not audited")
	}
	if strings.Contains(body, next) || strings.Contains(body, old) {
		t.Error("the audit log shows a password")
	}
}
