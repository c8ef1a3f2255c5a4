package store

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// migration is one numbered schema change. Each step is one DDL change where
// the dialect allows, since MySQL commits DDL implicitly.
type migration struct {
	Version int
	Name    string
	Up      func(tx *gorm.DB) error
}

// schemaMigration records an applied migration.
type schemaMigration struct {
	Version   int    `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"size:128"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

func createTable(models ...any) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		for _, m := range models {
			if tx.Migrator().HasTable(m) {
				continue
			}
			if err := tx.Migrator().CreateTable(m); err != nil {
				return err
			}
		}
		return nil
	}
}

// migrations is the schema history, in order. Never edit an applied step:
// append a new one.
var migrations = []migration{
	{1, "create followers", createTable(&Follower{})},
	{2, "create counties", createTable(&CountyRecord{})},
	{3, "create settings", createTable(&Setting{})},
	{4, "create leads", createTable(&Lead{})},
	{5, "create lead_events", createTable(&LeadEvent{})},
	{6, "create counters", createTable(&Counter{})},
	{7, "create outboxes", createTable(&Outbox{})},
	{8, "create county_contacts", createTable(&CountyContact{})},
	{9, "create bind_codes", createTable(&BindCode{})},
	{10, "create sandbox_messages", createTable(&SandboxMessage{})},
	{11, "create accounts", createTable(&Account{})},
	{12, "create api_tokens", createTable(&APIToken{})},
	{13, "add leads.open_key", addColumn(&Lead{}, "OpenKey")},
	{14, "index leads.open_key", createIndex(&Lead{}, "idx_leads_open_key")},
	{15, "create login_failures", createTable(&LoginFailure{})},
	{16, "create audit_logs", createTable(&AuditLog{})},
	{17, "create broadcasts", createTable(&Broadcast{})},
	{18, "create wechat_tags", createTable(&WechatTag{})},
	{19, "create report_confirmations", createTable(&ReportConfirmation{})},
	{20, "create login_attempts", createTable(&LoginAttempt{})},
	{21, "add accounts.must_change_password", addColumn(&Account{}, "MustChangePassword")},
	{22, "create lpr_rates", createTable(&LPRRate{})},
	{23, "move the officers' lpr into lpr_rates", moveLPRSetting},
	{24, "add accounts.name", addColumn(&Account{}, "Name")},
	{25, "add accounts.disabled", addColumn(&Account{}, "Disabled")},
	{26, "add accounts.last_login_at", addColumn(&Account{}, "LastLoginAt")},
	{27, "add audit_logs.who", addColumn(&AuditLog{}, "Who")},
	{28, "add audit_logs.action", addColumn(&AuditLog{}, "Action")},
	{29, "add audit_logs.object", addColumn(&AuditLog{}, "Object")},
	// 30–39: the learning loop (issue 11).
	{30, "create unplaced_messages", createTable(&UnplacedMessage{})},
	{31, "create taught_paraphrases", createTable(&TaughtParaphrase{})},
	{32, "create taught_faqs", createTable(&TaughtFAQ{})},
	// The operations log, continued (its steps took 33–34 after the merge).
	{33, "add audit_logs.summary", addColumn(&AuditLog{}, "Summary")},
	{34, "index audit_logs.action", createIndex(&AuditLog{}, "idx_audit_logs_action")},
	{35, "create account_bind_codes", createTable(&AccountBindCode{})},
	// 40–49: the phone console (issue 12).
	{40, "create lead_notes", createTable(&LeadNote{})},
	{41, "add county_contacts.name", addColumn(&CountyContact{}, "Name")},
	{42, "add county_contacts.mobile", addColumn(&CountyContact{}, "Mobile")},
	// 50–69: the programme's records (roster, institutions, deals).
	{50, "create roster_entries", createTable(&RosterRecord{})},
	{51, "create roster_versions", createTable(&RosterVersion{})},
	{52, "create institutions", createTable(&InstitutionRecord{})},
	{53, "create specialists", createTable(&SpecialistRecord{})},
	{54, "create specialist_bind_codes", createTable(&SpecialistCode{})},
	{55, "create referrals", createTable(&ReferralRecord{})},
	{56, "create deals", createTable(&DealRecord{})},
	{57, "add accounts.institution_id", addColumn(&Account{}, "InstitutionID")},
	{58, "add report_confirmations.figures", addColumn(&ReportConfirmation{}, "Figures")},
	// 60–69: officers' edits of the seeded FAQ entries and paraphrases (issue 11).
	{60, "create faq_versions", createTable(&FAQVersion{})},
	{61, "create paraphrase_versions", createTable(&ParaphraseVersion{})},
	{62, "add deals.withdrawn_at", addColumn(&DealRecord{}, "WithdrawnAt")},
	{63, "add deals.remark", addColumn(&DealRecord{}, "Remark")},
	{64, "add lead_notes.sent_at", addColumn(&LeadNote{}, "SentAt")},
	{65, "add accounts.mobile", addColumn(&Account{}, "Mobile")},
	// 80–89: questions handed to a person (issue 25).
	{80, "create tickets", createTable(&TicketRecord{})},
	{81, "create ticket_messages", createTable(&TicketMessageRecord{})},
	{82, "add tickets.raised_at", addColumn(&TicketRecord{}, "RaisedAt")},
	{83, "add tickets.raise_due", addColumn(&TicketRecord{}, "RaiseDue")},
	{84, "create unplaced_askers", createTable(&UnplacedAsker{})},
	{85, "add tickets.raise_overdue_at", addColumn(&TicketRecord{}, "RaiseOverdueAt")},
	// 100–109: feedback on answers and 好差评 (issue 27).
	{100, "add unplaced_messages.answer", addColumn(&UnplacedMessage{}, "Answer")},
	{101, "add unplaced_messages.faq", addColumn(&UnplacedMessage{}, "FAQ")},
	{102, "add unplaced_messages.unhelpful", addColumn(&UnplacedMessage{}, "Unhelpful")},
	{103, "create answer_feedback", createTable(&AnswerFeedbackRecord{})},
	{104, "create lead_ratings", createTable(&LeadRating{})},
	// 110–119: answers from the service's records (issue 27).
	{110, "add institutions.counties", addColumn(&InstitutionRecord{}, "Counties")},
	{111, "add specialists.consent_at", addColumn(&SpecialistRecord{}, "ConsentAt")},
}

// addColumn adds a model field's column unless the table already has it
// (a table created after the field was added to the model).
func addColumn(model any, field string) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		if tx.Migrator().HasColumn(model, field) {
			return nil
		}
		return tx.Migrator().AddColumn(model, field)
	}
}

// createIndex creates a model's named index unless it exists.
func createIndex(model any, name string) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		if tx.Migrator().HasIndex(model, name) {
			return nil
		}
		return tx.Migrator().CreateIndex(model, name)
	}
}

// migrate applies the pending migrations. On MySQL a named lock keeps two
// instances starting together from racing.
func (db *DB) migrate(ctx context.Context, log *slog.Logger) error {
	gdb := db.WithContext(ctx)
	if db.dialect == "mysql" {
		conn, err := db.DB.DB()
		if err != nil {
			return err
		}
		c, err := conn.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer c.Close()
		var got int
		// The lock is the database's: the server's other databases (a test
		// each) migrate meanwhile.
		if err := c.QueryRowContext(ctx, "SELECT GET_LOCK(CONCAT('suzhirong_migrate:', DATABASE()), 30)").Scan(&got); err != nil || got != 1 {
			return fmt.Errorf("migrate: lock not acquired (%d): %w", got, err)
		}
		defer c.ExecContext(context.Background(), "SELECT RELEASE_LOCK(CONCAT('suzhirong_migrate:', DATABASE()))")
	}
	if err := createTable(&schemaMigration{})(gdb); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var applied []schemaMigration
	if err := gdb.Find(&applied).Error; err != nil {
		return fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	done := make(map[int]bool, len(applied))
	for _, m := range applied {
		done[m.Version] = true
	}
	for _, m := range migrations {
		if done[m.Version] {
			continue
		}
		if err := m.Up(gdb); err != nil {
			return fmt.Errorf("migrate %d %s: %w", m.Version, m.Name, err)
		}
		rec := schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}
		if err := gdb.Create(&rec).Error; err != nil {
			return fmt.Errorf("migrate %d: record: %w", m.Version, err)
		}
		log.Info("migration applied", slog.Int("version", m.Version), slog.String("name", m.Name))
	}
	return nil
}

// moveLPRSetting carries an LPR an officer set before the schedule existed
// (settings lpr/lpr_date updated by someone other than the seed) into
// lpr_rates, so it stays in force.
func moveLPRSetting(tx *gorm.DB) error {
	var rows []Setting
	if err := tx.Where("name IN ?", []string{SettingLPR, SettingLPRDate}).Find(&rows).Error; err != nil {
		return err
	}
	var rate, date, by string
	for _, r := range rows {
		if r.UpdatedBy == "seed" {
			return nil
		}
		if r.Key == SettingLPR {
			rate, by = r.Value, r.UpdatedBy
		} else {
			date = r.Value
		}
	}
	v, err := strconv.ParseFloat(rate, 64)
	if err != nil || date == "" {
		return nil
	}
	return tx.Create(&LPRRate{Rate: v, EffectiveOn: date, CreatedBy: by, CreatedAt: time.Now().UTC()}).Error
}
