package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Removing a person through the API ends their open sessions, and the
// operations log says what was revoked.
func TestRemovalEndsSessionsAndIsLogged(t *testing.T) {
	s := mustAdminSvc(t, true)
	ctx := t.Context()

	s.mustContact("kunshan", "o-rm-contact")
	token, _, err := s.uc.WeChatSession(ctx, "o-rm-contact")
	if err != nil {
		t.Fatal(err)
	}
	if code := s.status(http.MethodGet, "/api/v1/leads", token, nil); code != http.StatusOK {
		t.Fatalf("contact's session: %d", code)
	}
	if code := s.status(http.MethodDelete, "/api/v1/counties/kunshan/contacts/o-rm-contact", s.admin, nil); code != http.StatusNoContent {
		t.Fatalf("unbind: %d", code)
	}
	if code := s.status(http.MethodGet, "/api/v1/leads", token, nil); code != http.StatusUnauthorized {
		t.Errorf("the unbound contact's session answers %d", code)
	}
	if got := s.oplog("action=" + url.QueryEscape("解除绑定")); len(got) == 0 || !strings.Contains(got[0].Summary, "收回权限：结束登录会话1个") {
		t.Errorf("unbind entry: %+v", got)
	}

	instID, _ := s.mustInstitution("移除测试银行", "o-rm-sp")
	spToken, _, err := s.uc.WeChatSession(ctx, "o-rm-sp")
	if err != nil {
		t.Fatal(err)
	}
	var inst struct {
		Specialists []struct{ ID uint64 } `json:"specialists"`
	}
	s.api(http.MethodGet, fmt.Sprintf("/api/v1/institutions/%d", instID), s.admin, nil, &inst)
	if len(inst.Specialists) != 1 {
		t.Fatalf("specialists: %+v", inst)
	}
	path := fmt.Sprintf("/api/v1/institutions/%d/specialists/%d", instID, inst.Specialists[0].ID)
	if code := s.status(http.MethodDelete, path, s.admin, nil); code != http.StatusNoContent {
		t.Fatalf("delete specialist: %d", code)
	}
	if code := s.status(http.MethodGet, "/api/v1/leads", spToken, nil); code != http.StatusUnauthorized {
		t.Errorf("the deleted specialist's session answers %d", code)
	}
	if got := s.oplog("action=" + url.QueryEscape("删除服务专员")); len(got) == 0 || !strings.Contains(got[0].Summary, "收回权限：结束登录会话1个") {
		t.Errorf("delete specialist entry: %+v", got)
	}
}
