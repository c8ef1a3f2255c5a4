package leads_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/seeds"
)

// fakeRepo is an in-memory leads.Repo: the methods a move calls, over
// maps. A method it lacks is the embedded nil interface's, and panics:
// a test reaching one learns that the move asked more of the store.
type fakeRepo struct {
	leads.Repo
	mu        sync.Mutex
	leads     map[uint64]domain.Lead
	contacts  map[string][]string // openid → counties
	referrals map[uint64][]dialog.Referral
	roster    map[string]domain.RosterAdmission
	deals     []dialog.Deal
	audits    []domain.AuditEntry
	outbox    map[string]domain.Notification
	ratings   map[uint64]domain.Rating // by lead id: closed leads open to a rating
	seq       uint64
}

func newFakeRepo() *fakeRepo {
	return &fakeRepo{leads: map[uint64]domain.Lead{}, contacts: map[string][]string{}, referrals: map[uint64][]dialog.Referral{},
		roster: map[string]domain.RosterAdmission{}, outbox: map[string]domain.Notification{}, ratings: map[uint64]domain.Rating{}}
}

func (f *fakeRepo) next() uint64 { f.seq++; return f.seq }

// add stores a lead as filed (one event), in status.
func (f *fakeRepo) add(l domain.Lead, status string) domain.Lead {
	f.mu.Lock()
	defer f.mu.Unlock()
	l.ID, l.Status = f.next(), status
	l.Number = fmt.Sprintf("SZR-20261127-%04d", l.ID)
	l.Events = []domain.LeadEvent{{ID: f.next(), Status: domain.StatusSubmitted, Actor: "enterprise", CreatedAt: l.CreatedAt}}
	f.leads[l.ID] = l
	return l
}

func (f *fakeRepo) Lead(_ context.Context, id uint64) (domain.Lead, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.leads[id]
	if !ok {
		return domain.Lead{}, domain.ErrNotFound
	}
	l.Events = slices.Clone(l.Events)
	return l, nil
}

func (f *fakeRepo) LeadByNumber(ctx context.Context, number string) (domain.Lead, error) {
	f.mu.Lock()
	var id uint64
	for _, l := range f.leads {
		if l.Number == number {
			id = l.ID
		}
	}
	f.mu.Unlock()
	return f.Lead(ctx, id)
}

func (f *fakeRepo) ContactCounties(_ context.Context, openID string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.contacts[openID]), nil
}

func (f *fakeRepo) Contacts(_ context.Context, county string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id, cs := range f.contacts {
		if slices.Contains(cs, county) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (f *fakeRepo) RobotURL(context.Context, string) (string, error) { return "", nil }

func (f *fakeRepo) refer(leadID, inst uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.referrals[leadID] = append(f.referrals[leadID], dialog.Referral{ID: f.next(), LeadID: leadID, Institution: inst})
}

func (f *fakeRepo) Referrals(_ context.Context, leadID uint64) ([]dialog.Referral, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.referrals[leadID]), nil
}

func (f *fakeRepo) Referred(_ context.Context, leadID, inst uint64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.ContainsFunc(f.referrals[leadID], func(r dialog.Referral) bool { return r.Institution == inst }), nil
}

func (f *fakeRepo) RosterEntry(_ context.Context, code string) (dialog.RosterEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.roster[code]
	if !ok {
		return dialog.RosterEntry{}, domain.ErrNotFound
	}
	return dialog.RosterEntry{CreditCode: a.CreditCode, Name: a.Name, Tier: a.Tier, Basis: a.Basis, County: a.County,
		ListedOn: a.ListedOn, Source: a.Source}, nil
}

func (f *fakeRepo) Deals(_ context.Context, flt domain.DealFilter) ([]dialog.Deal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []dialog.Deal
	for _, d := range f.deals {
		if (flt.LeadID == 0 || d.LeadID == flt.LeadID) && (flt.CreditCode == "" || d.CreditCode == flt.CreditCode) {
			out = append(out, d)
		}
	}
	return out, nil
}

// OpenRating records that a closed lead may be rated, once.
func (f *fakeRepo) OpenRating(_ context.Context, l domain.Lead, _ *time.Time, _ time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.ratings[l.ID]; !ok {
		f.ratings[l.ID] = domain.Rating{LeadID: l.ID, LeadNumber: l.Number, Kind: l.Kind, County: l.County}
	}
	return nil
}

func (f *fakeRepo) LPR(context.Context, time.Time) (float64, bool, error) { return 0, false, nil }

func (f *fakeRepo) Audit(_ context.Context, e domain.AuditEntry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.audits = append(f.audits, e)
	return nil
}

// RecordMove does what the store's does, in memory and all or nothing.
func (f *fakeRepo) RecordMove(_ context.Context, m domain.LeadMove, notify domain.MoveNotifyFunc) (domain.Moved, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.leads[m.LeadID]
	if !ok {
		return domain.Moved{}, domain.ErrNotFound
	}
	if l.Status != m.From {
		return domain.Moved{}, domain.Errorf(domain.ErrTransition, "该记录刚被他人更新，请刷新后重试")
	}
	l.Events = slices.Clone(l.Events)
	var out domain.Moved
	for _, s := range m.Steps {
		l.Status, l.UpdatedAt = s.Status, m.At
		if m.Contacted && l.ContactedAt.IsZero() {
			l.ContactedAt = m.At
		}
		out.Event = domain.LeadEvent{ID: f.next(), Status: s.Status, Actor: m.Actor, Note: s.Note, CreatedAt: m.At}
		l.Events = append(l.Events, out.Event)
	}
	roster := f.roster
	if a := m.Admit; a != nil {
		if _, ok := roster[a.CreditCode]; !ok {
			roster = maps.Clone(roster)
			roster[a.CreditCode] = *a
		}
	}
	deals := f.deals
	if d := m.Deal; d != nil {
		out.DealID = f.next()
		deals = append(slices.Clone(deals), dialog.Deal{ID: out.DealID, LeadID: l.ID, County: l.County, Institution: d.Institution,
			EnterpriseName: l.EnterpriseName, CreditCode: l.CreditCode, Product: d.Product, AmountWan: d.AmountWan,
			RatePct: d.RatePct, TermMonths: d.TermMonths, DisbursedOn: d.DisbursedOn, Actor: m.Actor, CreatedAt: m.At})
	}
	out.Lead = l
	if notify != nil {
		msgs, err := notify(out)
		if err != nil {
			return domain.Moved{}, err
		}
		for _, msg := range msgs {
			if _, ok := f.outbox[msg.DedupeKey]; !ok {
				f.outbox[msg.DedupeKey] = msg
			}
		}
	}
	f.leads[l.ID], f.roster, f.deals = l, roster, deals
	return out, nil
}

// fakeSessions has never seen anyone write: every enterprise is told by
// template message.
type fakeSessions struct{ leads.SessionStore }

func (fakeSessions) LastSeen(context.Context, string) (time.Time, error) { return time.Time{}, nil }

type fixedPolicy struct{ p *dialog.Policy }

func (f fixedPolicy) Policy() *dialog.Policy { return f.p }

type plainRenderer struct{}

func (plainRenderer) Render(r dialog.Reply) (string, error) { return r.Name, nil }

// newFakeService is a leads.Service over a fakeRepo, with the seeded
// policy, at clock.
func newFakeService(t *testing.T, clock func() time.Time) (*leads.Service, *fakeRepo) {
	t.Helper()
	p, err := seeds.Load()
	if err != nil {
		t.Fatal(err)
	}
	repo := newFakeRepo()
	svc := leads.New(leads.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DB: repo, Sessions: fakeSessions{},
		Policies: fixedPolicy{p}, Replies: plainRenderer{}, Now: clock}, leads.Config{TemplateStatus: "TPL-STATUS"})
	return svc, repo
}
