package leads_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

var cityOfficer = domain.Account{Username: "admin", Role: domain.RoleOfficer}

// fileLead stores a lead of kind straight through the store, as the chat
// would have.
func fileLead(t *testing.T, e *apptest.Env, kind string, i int) domain.Lead {
	t.Helper()
	in := dialog.SubmitLead{Kind: kind, EnterpriseName: "苏州测试精密机械有限公司", CreditCode: fmt.Sprintf("91320583MA1N2P%04d", i),
		County: "kunshan", Contact: "张三", Phone: "13912345678", Product: "szd", AmountWan: 500, TermMonths: 12,
		Purpose: "采购原材料", ConsentAt: e.Clock.Now(), PolicyVersion: "v"}
	l, err := e.DB.CreateLead(context.Background(), in, fmt.Sprintf("o-ent-%d", i), e.Clock.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// An approved 入库申请 enters the roster as Ⅳ类, dated the day of approval
// in China time: the use case decides it, the store writes it with the move.
func TestApprovalAdmitsToRoster(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	e.Clock.Set(time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC)) // 2026-11-21 01:00 in Shanghai
	lead := fileLead(t, e, domain.LeadApply, 7)
	for _, st := range []string{domain.StatusContacted, domain.StatusApproved} {
		if _, err := e.Leads.Change(ctx, leads.Mover{Account: cityOfficer}, lead.Number, st, ""); err != nil {
			t.Fatalf("move %s: %v", st, err)
		}
	}
	r, err := e.DB.RosterEntry(ctx, lead.CreditCode)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tier != domain.Tier4 || r.ListedOn != "2026-11-21" || r.Source != dialog.RosterFromApplication || r.County != "kunshan" ||
		r.Basis != "自愿申请入库（"+lead.Number+"）" {
		t.Fatalf("roster entry: %+v", r)
	}
	// A rejected application does not.
	other := fileLead(t, e, domain.LeadApply, 8)
	if _, err := e.Leads.Change(ctx, leads.Mover{Account: cityOfficer}, other.Number, domain.StatusRejected, "不符合条件"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.RosterEntry(ctx, other.CreditCode); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("rejected application listed: %v", err)
	}
}

// A deal recorded on a need still 已提交 walks it through every step to
// 已放款, each an event, in one transaction with the deal; a second
// institution's deal adds up without a move; a rejected need takes none.
func TestRecordDealWalksThePath(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	lead := fileLead(t, e, domain.LeadNeed, 8)
	bank, err := e.DB.CreateInstitution(ctx, "测试银行苏州分行", "bank", "admin", e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	day := e.Clock.Now().In(domain.Shanghai).Format("2006-01-02")
	moved, deal, err := e.Leads.RecordDeal(ctx, cityOfficer, lead.Number, leads.DealRequest{Institution: bank.ID, Product: "szd",
		AmountWan: 300, RatePct: 3, TermMonths: 12, DisbursedOn: day})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, ev := range moved.Events {
		statuses = append(statuses, ev.Status)
	}
	want := []string{"submitted", "contacted", "reviewing", "pre_approved", "contracted", "disbursed"}
	if !slices.Equal(statuses, want) || moved.ContactedAt.IsZero() {
		t.Fatalf("events %v, want %v (contacted %v)", statuses, want, moved.ContactedAt)
	}
	if last, _ := moved.Last(); last.Note != "测试银行苏州分行放款300万元" {
		t.Errorf("last event note %q", last.Note)
	}
	if deal.ID == 0 || deal.LeadNumber != lead.Number || deal.County != "kunshan" || deal.CreditCode != lead.CreditCode {
		t.Fatalf("deal %+v", deal)
	}
	lease, err := e.DB.CreateInstitution(ctx, "测试融资租赁公司", "leasing", "admin", e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := e.Leads.RecordDeal(ctx, cityOfficer, lead.Number, leads.DealRequest{Institution: lease.ID, Product: "leasing",
		AmountWan: 200, RatePct: 5, TermMonths: 12, DisbursedOn: day})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Events) != len(want) {
		t.Fatalf("a further deal moved the lead: %d events", len(again.Events))
	}
	if wan, err := e.DB.DisbursedWan(ctx, lead.ID); err != nil || wan != 500 {
		t.Fatalf("disbursed %v %v, want 500", wan, err)
	}
	// Both deals told the enterprise, each once.
	if rows, err := e.DB.OutboxRows(ctx, fmt.Sprintf("lead:%d:event:", lead.ID)); err != nil || len(rows) != 2 {
		t.Fatalf("enterprise told %d times (%v), want once per deal", len(rows), err)
	}
	// Withdrawing the second deal is an event of the lead saying what and
	// why, and the sum follows.
	deals, err := e.Leads.Deals(ctx, cityOfficer, lead.ID)
	if err != nil || len(deals) != 2 {
		t.Fatalf("deals %+v %v", deals, err)
	}
	if _, _, err := e.Leads.ChangeDeal(ctx, cityOfficer, lead.Number, deals[1].ID, leads.DealRequest{}, "录入错误", true); err != nil {
		t.Fatal(err)
	}
	after := e.Lead(lead.Number)
	if last, _ := after.Last(); last.Note != "撤销放款登记（200万元，"+day+"）：录入错误" || last.Status != domain.StatusDisbursed {
		t.Errorf("withdrawal event %+v", last)
	}
	if wan, err := e.DB.DisbursedWan(ctx, lead.ID); err != nil || wan != 300 {
		t.Fatalf("disbursed after the withdrawal %v %v, want 300", wan, err)
	}
	other := fileLead(t, e, domain.LeadNeed, 9)
	if _, err := e.Leads.Change(ctx, leads.Mover{Account: cityOfficer}, other.Number, domain.StatusRejected, "不符合条件"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Leads.RecordDeal(ctx, cityOfficer, other.Number, leads.DealRequest{Institution: bank.ID, Product: "szd",
		AmountWan: 100, RatePct: 3, TermMonths: 12, DisbursedOn: day}); !errors.Is(err, domain.ErrTransition) {
		t.Fatalf("deal on a rejected need: %v", err)
	}
}

// A correction to a status of work stamps the first contact when there
// was none; back to 已提交 clears it, so the SLA applies again; a lead
// brought back to work while its enterprise has another open one of the
// kind is refused.
func TestCorrectionStampsContact(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	lead := fileLead(t, e, domain.LeadNeed, 30)
	if _, err := e.Leads.Change(ctx, leads.Mover{Account: cityOfficer}, lead.Number, domain.StatusRejected, "误操作"); err != nil {
		t.Fatal(err)
	}
	got, err := e.Leads.Correct(ctx, cityOfficer, lead.Number, domain.StatusReviewing, "误驳回")
	if err != nil || got.Status != domain.StatusReviewing || got.ContactedAt.IsZero() {
		t.Fatalf("corrected to reviewing: %+v %v", got, err)
	}
	got, err = e.Leads.Correct(ctx, cityOfficer, lead.Number, domain.StatusSubmitted, "退回待受理")
	if err != nil || got.Status != domain.StatusSubmitted || !got.ContactedAt.IsZero() {
		t.Fatalf("back to submitted: %+v %v", got, err)
	}
	if _, err := e.Leads.Change(ctx, leads.Mover{Account: cityOfficer}, lead.Number, domain.StatusWithdrawn, ""); err != nil {
		t.Fatal(err)
	}
	again := fileLead(t, e, domain.LeadNeed, 30) // the same enterprise files again
	if _, err := e.Leads.Correct(ctx, cityOfficer, lead.Number, domain.StatusContacted, "误撤回"); !errors.Is(err, domain.ErrDuplicate) ||
		domain.Message(err) != "该企业已有一件未办结的同类申请，不能把这件改回办理中" {
		t.Fatalf("reopened beside %s: %v", again.Number, err)
	}
}

// A disbursement recorded with its amount alone is a deal row too: of the
// one institution the need was referred to, dated the day, on the lead's
// product and term.
func TestDisbursementWithAmountIsADeal(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	lead := fileLead(t, e, domain.LeadNeed, 40)
	bank, err := e.DB.CreateInstitution(ctx, "测试银行苏州分行", "bank", "admin", e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.Refer(ctx, lead.ID, bank.ID, "account:admin", e.Clock.Now(), nil); err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{domain.StatusContacted, domain.StatusReviewing, domain.StatusPreApproved, domain.StatusContracted} {
		if _, err := e.Leads.Change(ctx, leads.Mover{Account: cityOfficer}, lead.Number, st, ""); err != nil {
			t.Fatalf("move %s: %v", st, err)
		}
	}
	if _, err := e.Leads.Disburse(ctx, leads.Mover{Account: cityOfficer}, lead.Number, 450, ""); err != nil {
		t.Fatal(err)
	}
	deals, err := e.Leads.Deals(ctx, cityOfficer, lead.ID)
	day := e.Clock.Now().In(domain.Shanghai).Format("2006-01-02")
	if err != nil || len(deals) != 1 || deals[0].AmountWan != 450 || deals[0].Institution != bank.ID || deals[0].DisbursedOn != day ||
		deals[0].Product != "szd" || deals[0].TermMonths != 12 || deals[0].County != "kunshan" {
		t.Fatalf("deals %+v %v", deals, err)
	}
	if wan, err := e.DB.DisbursedWan(ctx, lead.ID); err != nil || wan != 450 {
		t.Fatalf("disbursed %v %v, want 450", wan, err)
	}
}
