package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// bindOfficer binds the admin's own WeChat to openID through the console
// and the chat.
func (s *adminSvc) bindOfficer(b *browser, openID string) {
	s.tb.Helper()
	b.mustPage("/console/accounts")
	if code, _, _ := b.post("/console/accounts/me/bind-code", nil); code != http.StatusSeeOther {
		s.tb.Fatalf("bind code: %d", code)
	}
	m := regexp.MustCompile(`id="own-code">([A-Z0-9]+)<`).FindStringSubmatch(b.mustPage("/console/accounts"))
	if m == nil {
		s.tb.Fatal("no own bind code shown")
	}
	s.subscribe(openID)
	if got := s.say(openID, "绑定 "+m[1]); !strings.Contains(got, "已绑定本微信") {
		s.tb.Fatalf("bind reply: %s", got)
	}
}

// No lead reaches nobody: filed in a county without a bound contact, the
// city officers are told at once and their 待办 and dashboard name the
// county; the contact who binds later is handed the waiting applications.
func TestLeadWithoutReceiverReachesOfficers(t *testing.T) {
	s := mustAdminSvc(t, true)
	ctx := context.Background()
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	s.bindOfficer(b, "o-officer-self")
	s.mustContact("kunshan", "o-contact-ks")

	// 太仓 has no contact: the officer gets the template at once.
	num := s.fileNeed("o-ent-tc", "320585", "MA1TC0A01")
	lead := s.leadByNumber(s.admin, num)
	rows, _ := s.db.OutboxRows(ctx, fmt.Sprintf("lead:%d:unrouted:o-officer-self", lead.ID))
	if len(rows) != 1 || !strings.Contains(rows[0].Payload, "太仓市无联系人，请市局转办") ||
		!strings.Contains(rows[0].Payload, fmt.Sprintf("/console/leads/%d", lead.ID)) {
		t.Fatalf("officer not told of the unreceived lead: %+v", rows)
	}
	// A county with a contact: the contact alone, and the free field
	// carries the amount and term for triage.
	ks := s.leadByNumber(s.admin, s.fileNeed("o-ent-ks", "320583", "MA1KL0A01"))
	if rows, _ := s.db.OutboxRows(ctx, fmt.Sprintf("lead:%d:unrouted:", ks.ID)); len(rows) != 0 {
		t.Errorf("officers told of a lead that has a receiver: %+v", rows)
	}
	rows, _ = s.db.OutboxRows(ctx, fmt.Sprintf("lead:%d:new:o-contact-ks", ks.ID))
	if len(rows) != 1 || !strings.Contains(rows[0].Payload, `"thing5":"500万元·12个月·昆山市"`) {
		t.Fatalf("contact's notification: %+v", rows)
	}

	// The officers' 待办 and dashboard name the county and its waiting lead.
	for _, p := range []string{"/console/", "/console/dashboard"} {
		page := b.mustPage(p)
		i := strings.Index(page, `id="unreceived"`)
		if i < 0 || !strings.Contains(page[i:], "太仓市") || !strings.Contains(page[i:], "1件待受理") || strings.Contains(page[i:i+600], "昆山市") {
			t.Errorf("%s does not warn of 太仓市: %q", p, page[max(0, i):min(len(page), i+600)])
		}
	}

	// A contact binds: the waiting application is handed over in the reply.
	bc, err := s.db.CreateBindCode(ctx, "taicang", "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.subscribe("o-contact-tc")
	got := s.say("o-contact-tc", "绑定 "+bc.Code)
	if !strings.Contains(got, "绑定成功") || !strings.Contains(got, "已有1件申请等待受理") || !strings.Contains(got, num) {
		t.Fatalf("bind reply does not hand over the waiting lead: %s", got)
	}
	page := b.mustPage("/console/")
	i := strings.Index(page, `id="unreceived"`)
	if i < 0 || strings.Contains(page[i:i+strings.Index(page[i:], "</div>")], "太仓市") {
		t.Errorf("太仓市 still shown without a contact")
	}
}
