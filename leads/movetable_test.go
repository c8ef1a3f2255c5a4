package leads_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

// moveActors are the kinds of actor that move a lead: the enterprise and
// a county contact from the chat, and four kinds of account.
var moveActors = []string{"enterprise", "contact", "officer", "specialist", "viewer"}

// movePlace is one backend the table runs against: a Service, and how to
// put a lead of kind in status, refer it, and count its log lines.
type movePlace struct {
	svc    *leads.Service
	file   func(t *testing.T, kind, status string) domain.Lead
	refer  func(t *testing.T, lead domain.Lead)
	logged func(t *testing.T, number string) int
	inst   uint64 // the specialist's institution
}

const contactKS = "o-contact-ks"

// wantMove is the outcome the rules give a move: the transition table of
// domain (CheckMove, PathTo, SpecialistMove) under who may move what. nil
// is allowed; otherwise the kind of error.
func wantMove(actor, kind, from, to string) error {
	kindOf := func(err error) error {
		for _, k := range []error{domain.ErrTransition, domain.ErrUnknownStatus, domain.ErrForbidden, domain.ErrInvalid} {
			if errors.Is(err, k) {
				return k
			}
		}
		return err
	}
	switch actor {
	case "viewer":
		return domain.ErrForbidden // reads only
	case "enterprise":
		if to != domain.StatusWithdrawn {
			return domain.ErrForbidden // withdraws its own, nothing else
		}
	case "contact":
		if to == domain.StatusWithdrawn {
			return domain.ErrNotFound // only the enterprise withdraws, from the chat
		}
	case "specialist":
		if !domain.SpecialistMove(to) {
			return domain.ErrForbidden
		}
		if to != domain.StatusRejected {
			// A specialist's step may skip the steps before it.
			path, err := domain.PathTo(kind, from, to)
			if err != nil {
				return kindOf(err)
			}
			if len(path) > 0 {
				return nil
			}
		}
	}
	return kindOf(domain.CheckMove(kind, from, to))
}

func (p movePlace) mover(actor string, lead domain.Lead) leads.Mover {
	switch actor {
	case "enterprise":
		return leads.Mover{OpenID: lead.OpenID}
	case "contact":
		return leads.Mover{OpenID: contactKS}
	case "officer":
		return leads.Mover{Account: domain.Account{Username: "admin", Role: domain.RoleOfficer}}
	case "specialist":
		return leads.Mover{Account: domain.Account{Username: "bank", Role: domain.RoleInstitution, Institution: p.inst}}
	}
	return leads.Mover{Account: domain.Account{Username: "viewer", Role: domain.RoleViewer}}
}

// Every (actor, kind, from, to) is allowed or refused as the transition
// table and the actor's rights say, with the error's kind; an allowed move
// lands and writes one log line, a refused one changes and logs nothing.
// It runs against the in-memory fake and the real store. Not in parallel:
// the harness points the process-wide WeChat client at its fake server.
func TestMoveTable(t *testing.T) {
	places := map[string]func(t *testing.T) movePlace{"fake": fakePlace, "store": storePlace}
	for name, open := range places {
		t.Run(name, func(t *testing.T) {
			p := open(t)
			ctx := context.Background()
			for _, actor := range moveActors {
				for _, kind := range []string{domain.LeadApply, domain.LeadNeed} {
					for _, from := range domain.Statuses {
						if !domain.StatusFits(kind, from) {
							continue // no lead is ever there
						}
						for _, to := range domain.Statuses {
							lead := p.file(t, kind, from)
							if actor == "specialist" {
								p.refer(t, lead)
							}
							r := leads.MoveRequest{Ref: lead.Number, To: to, Note: "测试说明"}
							if to == domain.StatusDisbursed {
								r.DisbursedWan = 100
							}
							_, err := p.svc.Move(ctx, p.mover(actor, lead), r)
							want := wantMove(actor, kind, from, to)
							label := fmt.Sprintf("%s %s %s→%s", actor, kind, from, to)
							got, gerr := p.svc.Lead(ctx, domain.Account{Username: "admin", Role: domain.RoleOfficer}, lead.Number)
							if gerr != nil {
								t.Fatalf("%s: reread: %v", label, gerr)
							}
							n := p.logged(t, lead.Number)
							switch {
							case want == nil && err != nil:
								t.Errorf("%s: refused (%v), want allowed", label, err)
							case want == nil && (got.Status != to || n != 1):
								t.Errorf("%s: allowed, but the lead is %s with %d log lines", label, got.Status, n)
							case want != nil && !errors.Is(err, want):
								t.Errorf("%s: %v, want %v", label, err, want)
							case want != nil && (got.Status != from || n != 0):
								t.Errorf("%s: refused, but the lead is %s with %d log lines", label, got.Status, n)
							}
						}
					}
				}
			}
		})
	}
}

// fakePlace is the table's fake backend.
func fakePlace(t *testing.T) movePlace {
	clock := apptest.NewClock(apptest.Day("2026-11-27 10:00"))
	svc, repo := newFakeService(t, clock.Now)
	repo.contacts[contactKS] = []string{"kunshan"}
	i := 0
	return movePlace{svc: svc, inst: 1,
		file: func(t *testing.T, kind, status string) domain.Lead {
			i++
			return repo.add(domain.Lead{Kind: kind, County: "kunshan", EnterpriseName: "苏州测试精密机械有限公司",
				CreditCode: fmt.Sprintf("91320583MA1N2P%04d", i), Product: "szd", AmountWan: 500, TermMonths: 12,
				OpenID: fmt.Sprintf("o-ent-%d", i), CreatedAt: clock.Now()}, status)
		},
		refer: func(t *testing.T, lead domain.Lead) { repo.refer(lead.ID, 1) },
		logged: func(t *testing.T, number string) int {
			repo.mu.Lock()
			defer repo.mu.Unlock()
			n := 0
			for _, e := range repo.audits {
				if e.Object == number {
					n++
				}
			}
			return n
		},
	}
}

// storePlace is the table's real backend: the store of the test harness.
func storePlace(t *testing.T) movePlace {
	e := apptest.New(t)
	ctx := context.Background()
	e.BindContact(contactKS, "kunshan")
	bank, err := e.DB.CreateInstitution(ctx, "测试银行苏州分行", "bank", "admin", e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	return movePlace{svc: e.Leads, inst: bank.ID,
		file: func(t *testing.T, kind, status string) domain.Lead {
			i++
			in := dialog.SubmitLead{Kind: kind, EnterpriseName: "苏州测试精密机械有限公司", CreditCode: fmt.Sprintf("91320583MA1N2P%04d", i),
				County: "kunshan", Contact: "张三", Phone: "13912345678", Product: "szd", AmountWan: 500, TermMonths: 12,
				Purpose: "采购原材料", ConsentAt: e.Clock.Now(), PolicyVersion: "v"}
			l, err := e.DB.CreateLead(ctx, in, fmt.Sprintf("o-ent-%d", i), e.Clock.Now(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if status == l.Status {
				return l
			}
			// Put it there as a given: the store writes what it is handed.
			mv, err := e.DB.RecordMove(ctx, domain.LeadMove{LeadID: l.ID, From: l.Status,
				Steps: []domain.LeadStep{{Status: status}}, Actor: "system:test", At: e.Clock.Now()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return mv.Lead
		},
		refer: func(t *testing.T, lead domain.Lead) {
			if _, err := e.DB.Refer(ctx, lead.ID, bank.ID, "account:admin", e.Clock.Now(), nil); err != nil {
				t.Fatal(err)
			}
		},
		logged: func(t *testing.T, number string) int {
			got, err := e.DB.FindAudit(ctx, domain.AuditFilter{Object: number})
			if err != nil {
				t.Fatal(err)
			}
			return len(got)
		},
	}
}
