package handlers_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var leadNumber = regexp.MustCompile(`SZR-\d{8}-\d{4}`)

// fileNeed files a 融资需求 through the webhook and returns its number.
func (s *leadsSvc) fileNeed(openID, div, serial string) string {
	s.tb.Helper()
	for _, m := range []string{"融资需求", "苏州测试精密机械有限公司", creditCodeIn(s.tb, div, serial), "1", "张三",
		"13912345678", "苏质贷", "500", "12", "采购原材料", "1"} {
		s.say(openID, m)
	}
	n := leadNumber.FindString(s.say(openID, "确认"))
	if n == "" {
		s.tb.Fatal("lead not filed")
	}
	return n
}

func TestAPIRequiresAToken(t *testing.T) {
	s := mustLeadsSvc(t)
	admin := s.login("admin", leadsAdminPass)
	var lead struct{ ID uint64 }
	s.fileNeed("o-ent", "320583", "MA1N2P3Q4")
	var list struct{ Leads []struct{ ID uint64 } }
	s.api(http.MethodGet, "/api/v1/leads", admin, nil, &list)
	lead.ID = list.Leads[0].ID
	endpoints := []struct{ method, path string }{
		{http.MethodGet, "/api/v1/leads"},
		{http.MethodGet, fmt.Sprintf("/api/v1/leads/%d", lead.ID)},
		{http.MethodPatch, fmt.Sprintf("/api/v1/leads/%d", lead.ID)},
		{http.MethodPost, "/api/v1/counties/kunshan/bind-codes"},
		{http.MethodPost, "/api/v1/users"},
		{http.MethodGet, "/api/v1/me"},
		{http.MethodPost, "/api/v1/auth/logout"},
	}
	for _, ep := range endpoints {
		for _, token := range []string{"", "not-a-token", strings.Repeat("0", 64)} {
			var res struct{ Error string }
			if code := s.api(ep.method, ep.path, token, `{"status":"contacted"}`, &res); code != http.StatusUnauthorized || res.Error == "" {
				t.Errorf("%s %s with %q: %d %q, want 401", ep.method, ep.path, token, code, res.Error)
			}
		}
	}
	var res struct{ Error string }
	if code := s.api(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "nope"}, &res); code != http.StatusUnauthorized || res.Error != "用户名或密码错误" {
		t.Errorf("wrong password: %d %q", code, res.Error)
	}
	if code := s.api(http.MethodPost, "/api/v1/auth/login", "", "{", &res); code != http.StatusBadRequest {
		t.Errorf("bad json: %d", code)
	}
	// Logging out revokes the token.
	if code := s.api(http.MethodPost, "/api/v1/auth/logout", admin, nil, nil); code != http.StatusNoContent {
		t.Fatalf("logout: %d", code)
	}
	if code := s.api(http.MethodGet, "/api/v1/leads", admin, nil, nil); code != http.StatusUnauthorized {
		t.Errorf("after logout: %d", code)
	}
}

func TestAPIRoles(t *testing.T) {
	s := mustLeadsSvc(t)
	admin := s.login("admin", leadsAdminPass)
	ks := s.createUser(admin, "kunshan-user", "county", "kunshan")
	sip := s.createUser(admin, "sip-user", "county", "sip")
	viewer := s.createUser(admin, "viewer-user", "viewer", "")
	ksLead := s.fileNeed("o-ent-ks", "320583", "MA1N2P3Q4")
	sipLead := s.fileNeed("o-ent-sip", "320594", "MA1N2P3Q5")

	var errRes struct{ Error string }
	if code := s.api(http.MethodPost, "/api/v1/users", admin, map[string]string{"username": "kunshan-user", "password": "Sz-pass-2026", "role": "viewer"}, &errRes); code != http.StatusConflict || errRes.Error != "用户名“kunshan-user”已存在" {
		t.Errorf("duplicate user: %d %q", code, errRes.Error)
	}
	if code := s.api(http.MethodPost, "/api/v1/users", admin, map[string]string{"username": "x1", "password": "Sz-pass-2026", "role": "root"}, &errRes); code != http.StatusBadRequest || errRes.Error != "角色应为 officer、county、viewer 或 institution" {
		t.Errorf("bad role: %d %q", code, errRes.Error)
	}

	list := func(token, query string) []leadView {
		var res struct{ Leads []leadView }
		if code := s.api(http.MethodGet, "/api/v1/leads"+query, token, nil, &res); code != http.StatusOK {
			t.Fatalf("list %s: %d", query, code)
		}
		return res.Leads
	}
	if got := list(admin, ""); len(got) != 2 {
		t.Errorf("officer sees %d", len(got))
	}
	if got := list(viewer, "?county=sip"); len(got) != 1 || got[0].Number != sipLead {
		t.Errorf("viewer filtered %+v", got)
	}
	if got := list(ks, ""); len(got) != 1 || got[0].Number != ksLead || got[0].County != "kunshan" || got[0].CreditCode == "" || got[0].EnterpriseName == "" {
		t.Errorf("county sees %+v", got)
	}
	if got := list(ks, "?county=sip"); len(got) != 0 {
		t.Errorf("county sees another county's leads: %+v", got)
	}
	if got := list(admin, "?status=submitted&kind=need"); len(got) != 2 {
		t.Errorf("status filter %d", len(got))
	}
	for _, q := range []string{"?county=atlantis", "?status=bogus", "?kind=loan"} {
		if code := s.api(http.MethodGet, "/api/v1/leads"+q, admin, nil, &errRes); code != http.StatusBadRequest || errRes.Error == "" {
			t.Errorf("list %s: %d", q, code)
		}
	}
	ids := map[string]uint64{}
	for _, l := range list(admin, "") {
		ids[l.Number] = l.ID
	}
	path := func(number string) string { return fmt.Sprintf("/api/v1/leads/%d", ids[number]) }

	tests := []struct {
		name, method, path, token string
		body                      any
		want                      int
		msg                       string
	}{
		{"county reads own", http.MethodGet, path(ksLead), ks, nil, http.StatusOK, ""},
		{"county reads other", http.MethodGet, path(sipLead), ks, nil, http.StatusNotFound, "未找到"},
		{"other county reads", http.MethodGet, path(ksLead), sip, nil, http.StatusNotFound, "未找到"},
		{"county patches other", http.MethodPatch, path(sipLead), ks, map[string]string{"status": "contacted"}, http.StatusNotFound, "未找到"},
		{"unknown lead", http.MethodGet, "/api/v1/leads/999999", admin, nil, http.StatusNotFound, "未找到"},
		{"viewer reads", http.MethodGet, path(sipLead), viewer, nil, http.StatusOK, ""},
		{"viewer patches", http.MethodPatch, path(sipLead), viewer, map[string]string{"status": "contacted"}, http.StatusForbidden, "只读账号不能修改数据"},
		{"viewer bind code", http.MethodPost, "/api/v1/counties/sip/bind-codes", viewer, nil, http.StatusForbidden, "只读账号不能修改数据"},
		{"viewer creates user", http.MethodPost, "/api/v1/users", viewer, map[string]string{"username": "v2", "password": "Sz-pass-2026", "role": "viewer"}, http.StatusForbidden, "无权执行该操作"},
		{"county creates user", http.MethodPost, "/api/v1/users", ks, map[string]string{"username": "v2", "password": "Sz-pass-2026", "role": "viewer"}, http.StatusForbidden, "无权执行该操作"},
		{"county bind code other", http.MethodPost, "/api/v1/counties/sip/bind-codes", ks, nil, http.StatusForbidden, "无权为该县级市（区）生成绑定码"},
		{"county bind code own", http.MethodPost, "/api/v1/counties/kunshan/bind-codes", ks, nil, http.StatusCreated, ""},
		{"bind code unknown county", http.MethodPost, "/api/v1/counties/atlantis/bind-codes", admin, nil, http.StatusNotFound, "未找到"},
		{"unknown status", http.MethodPatch, path(ksLead), ks, map[string]string{"status": "done"}, http.StatusBadRequest, "未知的状态“done”"},
		{"empty status", http.MethodPatch, path(ksLead), ks, map[string]string{}, http.StatusBadRequest, "未知的状态“”"},
		{"bad body", http.MethodPatch, path(ksLead), ks, "not json", http.StatusBadRequest, "请求格式不正确，应为 JSON"},
		{"wrong transition", http.MethodPatch, path(ksLead), ks, map[string]string{"status": "disbursed"}, http.StatusConflict, "状态不能从“已提交”变为“已放款”"},
		{"apply-only status", http.MethodPatch, path(ksLead), ks, map[string]string{"status": "approved"}, http.StatusConflict, "融资需求不适用“已入库”状态"},
		{"county moves own", http.MethodPatch, path(ksLead), ks, map[string]string{"status": "contacted", "note": "已电话联系"}, http.StatusOK, ""},
		{"by number", http.MethodGet, "/api/v1/leads/" + strings.ToLower(ksLead), ks, nil, http.StatusOK, ""},
		{"rejection without a reason", http.MethodPatch, path(sipLead), admin, map[string]string{"status": "rejected", "note": " "}, http.StatusBadRequest, "不予通过需要填写原因，企业将看到这个原因"},
		{"note over the limit", http.MethodPatch, path(sipLead), admin, map[string]string{"status": "contacted", "note": strings.Repeat("长", 501)}, http.StatusBadRequest, "说明不能超过500字"},
		{"officer moves any", http.MethodPatch, path(sipLead), admin, map[string]string{"status": "rejected", "note": "不符合条件"}, http.StatusOK, ""},
		{"terminal", http.MethodPatch, path(sipLead), admin, map[string]string{"status": "contacted"}, http.StatusConflict, "该融资需求已办结（未通过），不能再变更状态"},
	}
	for _, tt := range tests {
		var res struct {
			Error string
			Code  string
		}
		code := s.api(tt.method, tt.path, tt.token, tt.body, &res)
		if code != tt.want || res.Error != tt.msg {
			t.Errorf("%s: %d %q, want %d %q", tt.name, code, res.Error, tt.want, tt.msg)
		}
		if tt.name == "county bind code own" && len(res.Code) != 12 {
			t.Errorf("bind code %q", res.Code)
		}
	}
	var got leadView
	s.api(http.MethodGet, path(ksLead), ks, nil, &got)
	if got.Status != "contacted" || len(got.Events) != 2 || got.Events[1].Actor != "account:kunshan-user" || got.Events[1].Note != "已电话联系" {
		t.Errorf("lead after PATCH %+v", got)
	}
}

func TestChangePassword(t *testing.T) {
	s := mustLeadsSvc(t)
	first := s.login("admin", leadsAdminPass)
	second := s.login("admin", leadsAdminPass)
	tests := []struct {
		name    string
		body    any
		status  int
		message string
	}{
		{"wrong current password", map[string]string{"current": "nope-nope", "new": "brand-new-pass"}, http.StatusBadRequest, "当前密码不正确"},
		{"too short", map[string]string{"current": leadsAdminPass, "new": "short"}, http.StatusBadRequest, "10–72"},
		{"malformed", "{", http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		var out map[string]string
		if got := s.api(http.MethodPut, "/api/v1/me/password", first, tt.body, &out); got != tt.status || !strings.Contains(out["error"], tt.message) {
			t.Fatalf("%s: %d %v", tt.name, got, out)
		}
	}
	if got := s.api(http.MethodPut, "/api/v1/me/password", first, map[string]string{"current": leadsAdminPass, "new": "brand-new-pass"}, nil); got != http.StatusNoContent {
		t.Fatalf("change: %d", got)
	}
	if got := s.api(http.MethodGet, "/api/v1/me", first, nil, nil); got != http.StatusOK {
		t.Fatalf("the session that changed the password is kept: %d", got)
	}
	if got := s.api(http.MethodGet, "/api/v1/me", second, nil, nil); got != http.StatusUnauthorized {
		t.Fatalf("other sessions end: %d", got)
	}
	if got := s.api(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": leadsAdminPass}, nil); got != http.StatusUnauthorized {
		t.Fatalf("old password still works: %d", got)
	}
	s.login("admin", "brand-new-pass")
	if got := s.api(http.MethodPut, "/api/v1/me/password", "", map[string]string{"current": "x", "new": "y"}, nil); got != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", got)
	}
}
