package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// 账号管理 creates an institution account, with the person's mobile, as
// the API does.
func TestConsoleCreatesInstitutionAccount(t *testing.T) {
	s := mustAdminSvc(t, true)
	var inst struct{ ID uint64 }
	if code := s.api(http.MethodPost, "/api/v1/institutions", s.admin, map[string]string{"name": "账号测试银行", "kind": "bank"}, &inst); code != http.StatusCreated {
		t.Fatalf("institution: %d", code)
	}
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	page := b.mustPage("/console/accounts")
	if !strings.Contains(page, `id="account-mobile"`) || !strings.Contains(page, `<option value="institution"`) ||
		!strings.Contains(page, fmt.Sprintf(`<option value="%d">账号测试银行</option>`, inst.ID)) {
		t.Fatal("the account form has no institution role, institution or mobile")
	}
	form := url.Values{"username": {"bank-li"}, "name": {"李专员"}, "mobile": {"1391234567"}, "role": {"institution"},
		"institution": {fmt.Sprint(inst.ID)}, "password": {"initial-pass-123"}, "repeat": {"initial-pass-123"}}
	if code, _, body := b.post("/console/accounts", form); code != http.StatusBadRequest || !strings.Contains(body, "手机号应为11位") {
		t.Fatalf("a bad mobile: %d", code)
	}
	form.Set("mobile", "13912345678")
	form.Set("institution", "")
	if code, _, body := b.post("/console/accounts", form); code != http.StatusBadRequest || !strings.Contains(body, "请选择金融机构账号所属的合作金融机构") {
		t.Fatalf("no institution: %d", code)
	}
	form.Set("institution", fmt.Sprint(inst.ID))
	if code, loc, _ := b.post("/console/accounts", form); code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", code, loc)
	}
	var users struct {
		Items []struct {
			Username, Role, Mobile string
			Institution            uint64
		}
	}
	s.api(http.MethodGet, "/api/v1/users", s.admin, nil, &users)
	found := false
	for _, u := range users.Items {
		found = found || u.Username == "bank-li" && u.Role == "institution" && u.Institution == inst.ID && u.Mobile == "13912345678"
	}
	if !found {
		t.Fatalf("institution account not created: %+v", users.Items)
	}
	if page := b.mustPage("/console/accounts"); !strings.Contains(page, `href="tel:13912345678"`) {
		t.Error("the list does not show the mobile")
	}
}
