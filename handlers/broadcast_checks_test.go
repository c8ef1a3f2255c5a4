package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A broadcast is checked before the officer confirms it: a county audience
// without its WeChat tag, or an audience of nobody, is refused on the
// confirmation step with the reason; reloading the confirmation's address
// leads back to the broadcasts page with a notice, not a bare 404.
func TestBroadcastCheckedBeforeConfirmation(t *testing.T) {
	s := mustAdminSvc(t, true)
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	s.subscribe("o-ent-bc")
	s.fileNeed("o-ent-bc", "320583", "MA1BC0A01")
	create := func(title, audType, value string) uint64 {
		var bc struct{ ID uint64 }
		if code := s.api(http.MethodPost, "/api/v1/broadcasts", s.admin, map[string]any{"title": title, "kind": "text",
			"content": "苏质融政策解读", "audience": map[string]string{"type": audType, "value": value}}, &bc); code != http.StatusCreated {
			t.Fatalf("create broadcast: %d", code)
		}
		return bc.ID
	}
	county := create("昆山专场", "county", "kunshan")
	b.mustPage("/console/broadcasts")
	code, _, body := b.post(fmt.Sprintf("/console/broadcasts/%d/send", county), nil)
	if code != http.StatusConflict || !strings.Contains(body, "尚未建立“昆山市") || !strings.Contains(body, "请先同步标签") || strings.Contains(body, `id="send-confirm"`) {
		t.Fatalf("confirmation without the tag: %d %v", code, strings.Contains(body, `id="send-confirm"`))
	}
	if code, _, _ := b.post("/console/broadcasts/tags", nil); code != http.StatusOK {
		t.Fatalf("sync tags: %d", code)
	}
	if code, _, body := b.post(fmt.Sprintf("/console/broadcasts/%d/send", county), nil); code != http.StatusOK || !strings.Contains(body, "确认") {
		t.Fatalf("confirmation after the sync: %d", code)
	}
	// Nobody of tier Ⅰ follows: refused before confirmation.
	tier := create("Ⅰ类企业专场", "tier", "1")
	if code, _, body := b.post(fmt.Sprintf("/console/broadcasts/%d/send", tier), nil); code != http.StatusBadRequest || !strings.Contains(body, "没有可送达的关注者") {
		t.Fatalf("confirmation of an empty audience: %d", code)
	}
	// The confirmation's address reloaded: back to the list with a notice.
	code, loc, _ := b.get(fmt.Sprintf("/console/broadcasts/%d/send", county))
	if code != http.StatusSeeOther || loc != "/console/broadcasts?ok=stale" {
		t.Fatalf("reloaded confirmation: %d %s", code, loc)
	}
	if page := b.mustPage(loc); !strings.Contains(page, "该确认页已失效") {
		t.Error("no notice on the stale confirmation")
	}
	// Nothing of this is an act in the log.
	if got := s.oplogAfter("action="+url.QueryEscape("群发"), 0); len(got) != 0 {
		t.Errorf("confirmation steps logged: %+v", got)
	}
}

// The API refuses a send that would reach nobody: it would still spend
// one of the month's four.
func TestBroadcastToNobodyRefused(t *testing.T) {
	s := mustAdminSvc(t, true)
	var bc struct{ ID uint64 }
	if code := s.api(http.MethodPost, "/api/v1/broadcasts", s.admin, map[string]any{"title": "无人", "kind": "text",
		"content": "苏质融", "audience": map[string]string{"type": "all"}}, &bc); code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	var res struct{ Error string }
	if code := s.api(http.MethodPost, fmt.Sprintf("/api/v1/broadcasts/%d/send", bc.ID), s.admin, nil, &res); code != http.StatusBadRequest || !strings.Contains(res.Error, "没有可送达的关注者") {
		t.Fatalf("send to nobody: %d %q", code, res.Error)
	}
	var list struct {
		QuotaRemaining int `json:"quota_remaining"`
	}
	s.api(http.MethodGet, "/api/v1/broadcasts", s.admin, nil, &list)
	if list.QuotaRemaining != 4 {
		t.Errorf("quota after a refused send: %d", list.QuotaRemaining)
	}
}
