package leads_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

// entry is one way into leads.Service.Move, as its adapter calls it: the
// chat (a county contact typing 受理/驳回) and an account (the API's PATCH
// and the console's buttons both call Change). Each returns the refusal as
// the domain error, or nil.
type entry struct {
	name string
	move func(t *testing.T, e *apptest.Env, number, to, note string) error
}

var moveEntries = []entry{
	{"chat", func(t *testing.T, e *apptest.Env, number, to, note string) error {
		cmd := map[string]string{domain.StatusContacted: "受理", domain.StatusRejected: "驳回"}[to]
		got := e.Say("o-contact-ks", strings.TrimSpace(cmd+" "+number+" "+note))
		switch {
		case strings.Contains(got, "驳回需要说明原因"):
			return leads.ErrReasonRequired
		case strings.Contains(got, "未能变更"):
			return domain.ErrInvalid
		case strings.Contains(got, "不能办理"):
			return domain.ErrForbidden
		}
		return nil
	}},
	{"account", func(t *testing.T, e *apptest.Env, number, to, note string) error {
		ks := domain.Account{Username: "ks", Role: domain.RoleCounty, County: "kunshan"}
		_, err := e.Leads.Change(context.Background(), leads.Mover{Account: ks}, number, to, note)
		return err
	}},
}

// Every entry follows the one rule set: a rejection needs a reason, a note
// is at most leads.NoteMax characters, and each move writes one operations
// log line, by the use case.
func TestMoveRulesSameForEveryEntry(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	e.BindContact("o-contact-ks", "kunshan")
	for i, en := range moveEntries {
		t.Run(en.name, func(t *testing.T) {
			file := func(serial string) string {
				e.FillNeed("o-ent-"+en.name, "320583", serial)
				return numberPattern.FindString(e.Say("o-ent-"+en.name, "确认"))
			}
			number := file("MA1N2P3M" + string(rune('1'+i)))
			logged := func() int {
				got, err := e.DB.FindAudit(ctx, domain.AuditFilter{Object: number})
				if err != nil {
					t.Fatal(err)
				}
				return len(got)
			}
			// A rejection without a reason is refused, whatever the entry.
			if err := en.move(t, e, number, domain.StatusRejected, "  "); !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("rejection without a reason: %v", err)
			}
			// A note over the limit is refused.
			if err := en.move(t, e, number, domain.StatusContacted, strings.Repeat("长", leads.NoteMax+1)); !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("note of %d: %v", leads.NoteMax+1, err)
			}
			if n := logged(); n != 0 {
				t.Fatalf("%d log lines before any move", n)
			}
			// A note of the limit is taken, and the move logged once.
			if err := en.move(t, e, number, domain.StatusContacted, strings.Repeat("长", leads.NoteMax)); err != nil {
				t.Fatalf("note of %d: %v", leads.NoteMax, err)
			}
			if l := e.Lead(number); l.Status != domain.StatusContacted {
				t.Fatalf("status %s", l.Status)
			}
			if n := logged(); n != 1 {
				t.Fatalf("%d log lines for one move", n)
			}
			// A rejection with a reason goes through, its reason logged.
			if err := en.move(t, e, number, domain.StatusRejected, "不在本辖区"); err != nil {
				t.Fatalf("rejection with a reason: %v", err)
			}
			got, _ := e.DB.FindAudit(ctx, domain.AuditFilter{Object: number, Action: "驳回"})
			if len(got) != 1 || !strings.Contains(got[0].Summary, "原因：不在本辖区") {
				t.Fatalf("rejection entries %+v", got)
			}
		})
	}
}

// The API used to accept a rejection without a reason, and the enterprise
// was told it was rejected with none.
func TestChangeRefusesRejectionWithoutReason(t *testing.T) {
	e := apptest.New(t)
	e.FillNeed("o-ent", "320583", "MA1N2P3R1")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))
	officer := leads.Mover{Account: domain.Account{Username: "admin", Role: domain.RoleOfficer}}
	_, err := e.Leads.Change(context.Background(), officer, number, domain.StatusRejected, "")
	if !errors.Is(err, leads.ErrReasonRequired) || !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("rejection without a reason: %v", err)
	}
	if l := e.Lead(number); l.Status != domain.StatusSubmitted {
		t.Fatalf("status %s", l.Status)
	}
}

// A mover that is nobody moves nothing.
func TestMoveNeedsAnActor(t *testing.T) {
	e := apptest.New(t)
	e.FillNeed("o-ent", "320583", "MA1N2P3R2")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))
	if _, err := e.Leads.Move(context.Background(), leads.Mover{}, leads.MoveRequest{Ref: number, To: domain.StatusContacted}); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("nobody: %v", err)
	}
}
