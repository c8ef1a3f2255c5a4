package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestAccountAdministration(t *testing.T) {
	s := mustAdminSvc(t, false)
	r := s.mustRoles()
	var list struct {
		Items []struct {
			ID       uint64  `json:"id"`
			Username string  `json:"username"`
			Disabled bool    `json:"disabled"`
			Last     *string `json:"last_login_at"`
		}
	}
	if code := s.api("GET", "/api/v1/users", s.admin, nil, &list); code != http.StatusOK || len(list.Items) < 4 {
		t.Fatalf("list: %d %+v", code, list)
	}
	for _, tok := range []string{r.county, r.viewer} {
		if code := s.status("GET", "/api/v1/users", tok, nil); code != http.StatusForbidden {
			t.Errorf("non-officer lists accounts: %d", code)
		}
	}
	var target, admin uint64
	for _, it := range list.Items {
		if strings.HasPrefix(it.Username, "ks-") {
			target = it.ID
		}
		if it.Username == "admin" {
			admin = it.ID
			if it.Last == nil {
				t.Error("admin's last login not recorded")
			}
		}
	}
	path := "/api/v1/users/" + strconv.FormatUint(target, 10)
	// Disabling ends the account's sessions at once and refuses sign-ins.
	if code := s.status("PATCH", path, s.admin, map[string]any{"disabled": true}); code != http.StatusOK {
		t.Fatalf("disable: %d", code)
	}
	if code := s.status("GET", "/api/v1/leads", r.county, nil); code != http.StatusUnauthorized {
		t.Errorf("a disabled account's session still works: %d", code)
	}
	var username string
	for _, it := range list.Items {
		if it.ID == target {
			username = it.Username
		}
	}
	var res struct{ Error string }
	if code := s.api("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": "password-" + username}, &res); code != http.StatusForbidden || !strings.Contains(res.Error, "已停用") {
		t.Errorf("disabled sign-in: %d %q", code, res.Error)
	}
	if code := s.status("PATCH", "/api/v1/users/"+strconv.FormatUint(admin, 10), s.admin, map[string]any{"disabled": true}); code != http.StatusBadRequest {
		t.Errorf("disabling oneself: %d", code)
	}
	if code := s.status("PATCH", path, s.admin, map[string]any{"disabled": false, "name": "张琳"}); code != http.StatusOK {
		t.Fatalf("enable: %d", code)
	}
	s.login(username, "password-"+username)
	// A reset password replaces the old one and must be changed first.
	var reset struct{ Password string }
	if code := s.api("POST", path+"/reset-password", s.admin, nil, &reset); code != http.StatusOK || len(reset.Password) < 10 {
		t.Fatalf("reset: %d %+v", code, reset)
	}
	if code := s.status("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": "password-" + username}); code != http.StatusUnauthorized {
		t.Errorf("the old password after a reset: %d", code)
	}
	tok := s.login(username, reset.Password)
	if code := s.status("GET", "/api/v1/leads", tok, nil); code != http.StatusForbidden {
		t.Errorf("leads before changing the reset password: %d", code)
	}
	// Every change is in the operations log.
	var audit struct {
		Items []struct {
			Route string `json:"route"`
		}
	}
	s.api("GET", "/api/v1/audit", s.admin, nil, &audit)
	n := 0
	for _, it := range audit.Items {
		if strings.HasPrefix(it.Route, "/api/v1/users/") {
			n++
		}
	}
	if n < 3 {
		t.Errorf("%d account changes audited, want 3", n)
	}
}

func TestConsoleAccountsPage(t *testing.T) {
	s := mustAdminSvc(t, false)
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	page := b.mustPage("/console/accounts")
	if !strings.Contains(page, "没有任何市局人员会收到超时督办提醒") {
		t.Error("no warning that escalations reach no one")
	}
	// Create: a weak password is refused and what was typed stays.
	code, _, body := b.post("/console/accounts", url.Values{"username": {"kunshan-zl"}, "name": {"张琳"}, "role": {"county"},
		"county": {"kunshan"}, "password": {"12345678"}, "repeat": {"12345678"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `value="kunshan-zl"`) || !strings.Contains(body, "密码") {
		t.Fatalf("weak password: %d", code)
	}
	code, loc, _ := b.post("/console/accounts", url.Values{"username": {"kunshan-zl"}, "name": {"张琳"}, "role": {"county"},
		"county": {"kunshan"}, "password": {"Kunshan-2026"}, "repeat": {"Kunshan-2026"}})
	if code != http.StatusSeeOther || loc != "/console/accounts?ok=account" {
		t.Fatalf("create: %d %s", code, loc)
	}
	page = b.mustPage("/console/accounts")
	if !strings.Contains(page, "张琳") || !strings.Contains(page, "待改初始密码") {
		t.Fatal("the new account is not listed")
	}
	// Reset shows the new password once: a reload shows nothing.
	var id string
	accs, _ := s.db.Accounts(t.Context())
	for _, a := range accs {
		if a.Username == "kunshan-zl" {
			id = strconv.FormatUint(a.ID, 10)
		}
	}
	b.mustPage("/console/accounts")
	code, loc, _ = b.post("/console/accounts/"+id+"/reset", nil)
	if code != http.StatusSeeOther || loc != "/console/accounts" {
		t.Fatalf("reset: %d %s", code, loc)
	}
	page = b.mustPage("/console/accounts")
	m := regexp.MustCompile(`<b class="mono">(Szr-[0-9a-f]+)</b>`).FindStringSubmatch(page)
	if !strings.Contains(page, `id="reset-password"`) || m == nil {
		t.Fatal("the reset password is not shown")
	}
	resetPassword := m[1]
	if page = b.mustPage("/console/accounts"); strings.Contains(page, `id="reset-password"`) {
		t.Fatal("a reload shows the password again")
	}
	// A disabled account cannot sign in; its console session ends.
	zl := newBrowser(t, s.handler)
	zl.get("/console/login")
	b.mustPage("/console/accounts")
	if code, _, _ := b.post("/console/accounts/"+id+"/disable", nil); code != http.StatusSeeOther {
		t.Fatalf("disable: %d", code)
	}
	if code, _, body := zl.post("/console/login", url.Values{"username": {"kunshan-zl"}, "password": {resetPassword}}); code != http.StatusForbidden || !strings.Contains(body, "已停用") {
		t.Fatalf("disabled account signed in: %d", code)
	}
}
