package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

func rosterEntry(code, name string, tier domain.Tier) dialog.RosterEntry {
	return dialog.RosterEntry{CreditCode: code, Name: name, Tier: tier, Basis: "省长质量奖", County: "kunshan",
		ListedOn: "2026-03-01", Source: dialog.RosterFromImport}
}

func TestUpsertRosterKeepsHistoryAndIsIdempotent(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	entries := []dialog.RosterEntry{rosterEntry(code(1), "甲公司", domain.Tier1), rosterEntry(code(2), "乙公司", domain.Tier3)}

	dry, err := db.UpsertRoster(ctx, entries, "account:admin", at, true)
	if err != nil || dry.Inserted != 2 || dry.Updated != 0 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if n := count(t, db, "roster_entries"); n != 0 {
		t.Fatalf("a dry run wrote %d rows", n)
	}
	res, err := db.UpsertRoster(ctx, entries, "account:admin", at, false)
	if err != nil || res.Inserted != 2 || res.Updated != 0 {
		t.Fatalf("first import: %+v %v", res, err)
	}
	res, err = db.UpsertRoster(ctx, entries, "account:admin", at.Add(time.Hour), false)
	if err != nil || res.Inserted != 0 || res.Updated != 0 || res.Unchanged != 2 {
		t.Fatalf("rerun: %+v %v", res, err)
	}
	if n := count(t, db, "roster_versions"); n != 0 {
		t.Fatalf("an unchanged rerun kept %d versions", n)
	}

	changed := entries[1]
	changed.Tier, changed.ListedOn = domain.Tier2, "2026-10-01"
	res, err = db.UpsertRoster(ctx, []dialog.RosterEntry{changed}, "account:officer2", at.Add(2*time.Hour), false)
	if err != nil || res.Updated != 1 {
		t.Fatalf("change: %+v %v", res, err)
	}
	cur, err := db.RosterEntry(ctx, code(2))
	if err != nil || cur.Tier != domain.Tier2 || cur.Version != 2 || cur.ListedOn != "2026-10-01" {
		t.Fatalf("current: %+v %v", cur, err)
	}
	hist, err := db.RosterHistory(ctx, code(2))
	if err != nil || len(hist) != 1 || hist[0].Tier != domain.Tier3 || hist[0].Version != 1 || hist[0].ListedOn != "2026-03-01" {
		t.Fatalf("history: %+v %v", hist, err)
	}
	if _, err := db.RosterEntry(ctx, code(3)); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
	list, err := db.Roster(ctx, domain.RosterFilter{Tier: domain.Tier1})
	if err != nil || len(list) != 1 || list[0].CreditCode != code(1) {
		t.Fatalf("filter by tier: %+v %v", list, err)
	}
}

func TestApprovedApplicationEntersRosterAsIV(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC) // 2026-11-21 01:00 in Shanghai
	lead, err := db.CreateLead(ctx, sampleLead(domain.LeadApply, code(7), "kunshan"), "o-ent", at, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := moveLead(db, ctx, lead.ID, domain.StatusContacted, "account:ks", "", at, nil); err != nil {
		t.Fatal(err)
	}
	// The lead use cases decide the admission (leads.TestApprovalAdmitsToRoster);
	// the store writes it with the move, once per credit code.
	adm := &domain.RosterAdmission{CreditCode: code(7), Name: lead.EnterpriseName, Tier: domain.Tier4, Basis: "自愿申请入库（" + lead.Number + "）",
		County: "kunshan", ListedOn: "2026-11-21", Source: dialog.RosterFromApplication}
	m := domain.LeadMove{LeadID: lead.ID, From: domain.StatusContacted, Steps: []domain.LeadStep{{Status: domain.StatusApproved}},
		Actor: "account:ks", At: at, Admit: adm}
	if _, err := db.RecordMove(ctx, m, nil); err != nil {
		t.Fatal(err)
	}
	e, err := db.RosterEntry(ctx, code(7))
	if err != nil {
		t.Fatal(err)
	}
	if e.Tier != domain.Tier4 || e.ListedOn != "2026-11-21" || e.Source != dialog.RosterFromApplication || e.County != "kunshan" {
		t.Fatalf("roster entry: %+v", e)
	}
}

func TestRecordDealMovesToDisbursedAndSums(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	lead, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(8), "kunshan"), "o-ent", at, nil)
	if err != nil {
		t.Fatal(err)
	}
	bank, err := db.CreateInstitution(ctx, "测试银行苏州分行", "bank", "admin", at)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateInstitution(ctx, "测试银行苏州分行", "bank", "admin", at); !errors.Is(err, domain.ErrDuplicate) {
		t.Fatalf("duplicate institution: %v", err)
	}
	if _, err := db.Refer(ctx, lead.ID, bank.ID, "account:ks", at, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Refer(ctx, lead.ID, bank.ID, "account:ks", at, nil); !errors.Is(err, domain.ErrDuplicate) {
		t.Fatalf("second referral: %v", err)
	}
	refs, err := db.Leads(ctx, domain.LeadFilter{Institution: bank.ID})
	if err != nil || len(refs) != 1 || refs[0].ID != lead.ID {
		t.Fatalf("leads of the institution: %+v %v", refs, err)
	}
	// The lead use cases give the steps (leads.TestRecordDealWalksThePath);
	// the store writes them, the deal and the sum in one transaction.
	var steps []domain.LeadStep
	for _, st := range []string{"contacted", "reviewing", "pre_approved", "contracted", "disbursed"} {
		steps = append(steps, domain.LeadStep{Status: st, Note: "随放款登记补记"})
	}
	row := &domain.DealRow{Institution: bank.ID, Product: "szd", AmountWan: 300, RatePct: 3.2, TermMonths: 12, DisbursedOn: "2026-11-19"}
	m := domain.LeadMove{LeadID: lead.ID, From: domain.StatusSubmitted, Steps: steps, Actor: "account:bank", At: at, Contacted: true, Deal: row}
	sent := 0
	mv, err := db.RecordMove(ctx, m, func(mv domain.Moved) ([]store.Message, error) {
		sent++
		if mv.Event.Status != domain.StatusDisbursed || mv.DealID == 0 {
			t.Errorf("notified of %s, deal %d", mv.Event.Status, mv.DealID)
		}
		return []store.Message{{Channel: "template", Recipient: "o-ent", DedupeKey: "deal-test-1", Payload: "{}"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	moved := mv.Lead
	if moved.Status != domain.StatusDisbursed || mv.DealID == 0 || sent != 1 || moved.ContactedAt.IsZero() {
		t.Fatalf("moved %+v deal %d sent %d", moved.Status, mv.DealID, sent)
	}
	var statuses []string
	for _, e := range moved.Events {
		statuses = append(statuses, e.Status)
	}
	want := []string{"submitted", "contacted", "reviewing", "pre_approved", "contracted", "disbursed"}
	if len(statuses) != len(want) {
		t.Fatalf("events %v, want %v", statuses, want)
	}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("events %v, want %v", statuses, want)
		}
	}
	// A second institution's deal on the disbursed need adds up.
	lease, _ := db.CreateInstitution(ctx, "测试融资租赁公司", "leasing", "admin", at)
	row2 := *row
	row2.Institution, row2.AmountWan, row2.Product = lease.ID, 200, "leasing"
	if _, err := db.RecordMove(ctx, domain.LeadMove{LeadID: lead.ID, From: domain.StatusDisbursed, Actor: "account:lease", At: at, Deal: &row2}, nil); err != nil {
		t.Fatal(err)
	}
	wan, err := db.DisbursedWan(ctx, lead.ID)
	if err != nil || wan != 500 {
		t.Fatalf("disbursed %v %v, want 500", wan, err)
	}
	deals, err := db.Deals(ctx, store.DealFilter{From: "2026-11-01", To: "2026-12-01"})
	if err != nil || len(deals) != 2 || deals[0].InstitutionName == "" || deals[1].CreditCode != code(8) {
		t.Fatalf("deals: %+v %v", deals, err)
	}
	if n := count(t, db, "outboxes"); n != 1 {
		t.Fatalf("outbox rows %d, want 1", n)
	}
}

func TestDisbursementIsADealRow(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	lead, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(10), "sip"), "o-ent", at, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{"contacted", "reviewing", "pre_approved", "contracted"} {
		if _, err := moveLead(db, ctx, lead.ID, st, "account:sip", "", at, nil); err != nil {
			t.Fatal(err)
		}
	}
	m := domain.LeadMove{LeadID: lead.ID, From: domain.StatusContracted, Steps: []domain.LeadStep{{Status: domain.StatusDisbursed}},
		Actor: "account:sip", At: at, Deal: &domain.DealRow{Product: lead.Product, AmountWan: 450, TermMonths: lead.TermMonths, DisbursedOn: "2026-11-20"}}
	if _, err := db.RecordMove(ctx, m, nil); err != nil {
		t.Fatal(err)
	}
	deals, err := db.Deals(ctx, store.DealFilter{LeadID: lead.ID})
	if err != nil || len(deals) != 1 || deals[0].AmountWan != 450 || deals[0].DisbursedOn != "2026-11-20" || deals[0].County != "sip" {
		t.Fatalf("deals: %+v %v", deals, err)
	}
	if err := db.SetDisbursedWan(ctx, lead.ID, 480); err != nil {
		t.Fatal(err)
	}
	deals, _ = db.Deals(ctx, store.DealFilter{LeadID: lead.ID})
	if deals[0].AmountWan != 480 {
		t.Fatalf("corrected amount: %v", deals[0].AmountWan)
	}
}

func TestSpecialistBindCode(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	bank, _ := db.CreateInstitution(ctx, "测试银行", "bank", "admin", at)
	sp, err := db.AddSpecialist(ctx, dialog.Specialist{Institution: bank.ID, Name: "李四", Phone: "13800000000"}, at)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := db.CreateSpecialistCode(ctx, bank.ID, sp.ID, "account:admin", at)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.UseSpecialistCode(ctx, "nope", "o-sp", at); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
	got, _, err := db.UseSpecialistCode(ctx, sc.Code, "o-sp", at)
	if err != nil || got.OpenID != "o-sp" {
		t.Fatalf("bind: %+v %v", got, err)
	}
	if _, _, err := db.UseSpecialistCode(ctx, sc.Code, "o-other", at); !errors.Is(err, domain.ErrCodeUsed) {
		t.Fatalf("reuse: %v", err)
	}
	ids, err := db.SpecialistOpenIDs(ctx, bank.ID)
	if err != nil || len(ids) != 1 || ids[0] != "o-sp" {
		t.Fatalf("openids: %v %v", ids, err)
	}
	late, _ := db.CreateSpecialistCode(ctx, bank.ID, sp.ID, "account:admin", at)
	if _, _, err := db.UseSpecialistCode(ctx, late.Code, "o-sp", at.Add(store.BindCodeTTL+time.Minute)); !errors.Is(err, domain.ErrCodeExpired) {
		t.Fatalf("expired: %v", err)
	}
}

// TestMigrationAddsInstitutionToExistingAccounts upgrades a database
// whose accounts and confirmations predate migrations 57 and 58: the old
// rows read as before.
func TestMigrationAddsInstitutionToExistingAccounts(t *testing.T) {
	t.Parallel()
	if storetest.Backend() != "sqlite" {
		t.Skip("rewinds the schema with SQLite's DROP COLUMN")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := store.OpenDB(ctx, storetest.Log, "", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"ALTER TABLE accounts DROP COLUMN institution_id",
		"ALTER TABLE report_confirmations DROP COLUMN figures",
		"DELETE FROM schema_migrations WHERE version IN (57, 58)",
	} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := db.CreateAccount(ctx, domain.NewAccount{Username: "old-officer", Password: "password-1", Role: domain.RoleOfficer}, "t"); err == nil {
		t.Fatal("the rewound schema still has institution_id")
	}
	if err := db.Exec("INSERT INTO accounts (username, password_hash, role, county, created_at, updated_at) VALUES ('old', 'x', 'viewer', '', ?, ?)", time.Now(), time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO report_confirmations (county, month, confirmed_by, confirmed_at) VALUES ('kunshan', '2026-10', 'ks', ?)", time.Now()).Error; err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = store.OpenDB(ctx, storetest.Log, "", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var accs []store.Account
	if err := db.Find(&accs).Error; err != nil {
		t.Fatal(err)
	}
	if len(accs) != 1 || accs[0].Username != "old" || accs[0].InstitutionID != 0 {
		t.Fatalf("accounts after the upgrade: %+v", accs)
	}
	confs, err := db.ReportConfirmations(ctx, "2026-10")
	if err != nil || confs["kunshan"].Figures != "" {
		t.Fatalf("confirmations after the upgrade: %+v %v", confs, err)
	}
}

func TestFollowerRosterEntryIsTheLatestListedApplication(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	if _, err := db.FollowerRosterEntry(ctx, "o-none"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("no application: %v", err)
	}
	if _, err := db.UpsertRoster(ctx, []dialog.RosterEntry{rosterEntry(code(11), "甲公司", domain.Tier1),
		rosterEntry(code(12), "乙公司", domain.Tier3)}, "account:admin", at, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, code(13), "kunshan"), "o-ent", at, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FollowerRosterEntry(ctx, "o-ent"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("an unlisted enterprise: %v", err)
	}
	for i, c := range []string{code(11), code(12), code(14)} {
		if _, err := db.CreateLead(ctx, sampleLead(domain.LeadNeed, c, "kunshan"), "o-ent", at.Add(time.Duration(i+1)*time.Hour), nil); err != nil {
			t.Fatal(err)
		}
	}
	e, err := db.FollowerRosterEntry(ctx, "o-ent")
	if err != nil || e.CreditCode != code(12) || e.Tier != domain.Tier3 {
		t.Fatalf("latest listed application: %+v %v", e, err)
	}
	if _, err := db.FollowerRosterEntry(ctx, "o-other"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("another follower: %v", err)
	}
}
