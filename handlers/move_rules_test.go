package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The console and the API move a lead under leads.Service.Move's one rule
// set: the same note limit, a reason for a rejection, and one operations
// log line for a move, written by the use case.
func TestConsoleAndAPIMoveUnderOneRuleSet(t *testing.T) {
	s := mustAdminSvc(t, true)
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)

	// The console: a note over 500 characters is refused, and nothing moves.
	num := s.fileNeed("o-ent-rules", "320583", "MA1RU1E01")
	lead := s.leadByNumber(s.admin, num)
	page := fmt.Sprintf("/console/leads/%d", lead.ID)
	b.mustPage(page)
	if code, _, body := b.post(page+"/status", url.Values{"status": {"contacted"}, "note": {strings.Repeat("长", 501)}}); code != http.StatusBadRequest || !strings.Contains(body, "说明不能超过500字") {
		t.Fatalf("console note over the limit: %d", code)
	}
	// A rejection with a reason: one log line, by the use case, with the reason.
	if code, _, _ := b.post(page+"/status", url.Values{"status": {"rejected"}, "confirm": {"1"}, "reason_text": {"不在本辖区"}}); code != http.StatusSeeOther {
		t.Fatalf("console rejection with a reason: %d", code)
	}
	got := s.oplogAfter("object="+num, 2)
	var moves []opEntry
	for _, e := range got {
		if e.Status < 400 {
			moves = append(moves, e)
		}
	}
	if len(moves) != 1 || moves[0].Action != "驳回" || moves[0].Who != "admin（市局）" || !strings.Contains(moves[0].Summary, "原因：不在本辖区") {
		t.Fatalf("console move entries %+v", got)
	}

	// The API: the same limit, the same reason rule, one line a move.
	num2 := s.fileNeed("o-ent-rules2", "320583", "MA1RU1E02")
	l2 := s.leadByNumber(s.admin, num2)
	path := fmt.Sprintf("/api/v1/leads/%d", l2.ID)
	if code := s.status(http.MethodPatch, path, s.admin, map[string]string{"status": "contacted", "note": strings.Repeat("长", 501)}); code != http.StatusBadRequest {
		t.Fatalf("API note over the limit: %d", code)
	}
	if code := s.status(http.MethodPatch, path, s.admin, map[string]string{"status": "rejected"}); code != http.StatusBadRequest {
		t.Fatalf("API rejection without a reason: %d", code)
	}
	if code := s.status(http.MethodPatch, path, s.admin, map[string]string{"status": "rejected", "note": "不在本辖区"}); code != http.StatusOK {
		t.Fatalf("API rejection with a reason: %d", code)
	}
	moves = nil
	for _, e := range s.oplogAfter("object="+num2, 3) {
		if e.Status < 400 {
			moves = append(moves, e)
		}
	}
	if len(moves) != 1 || moves[0].Action != "驳回" || !strings.Contains(moves[0].Summary, "原因：不在本辖区") {
		t.Fatalf("API move entries %+v", moves)
	}
}
