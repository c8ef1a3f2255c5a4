package store

import (
	"context"
	"fmt"
	"log/slog"
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
	// 30–39: the learning loop (issue 11).
	{30, "create unplaced_messages", createTable(&UnplacedMessage{})},
	{31, "create taught_paraphrases", createTable(&TaughtParaphrase{})},
	{32, "create taught_faqs", createTable(&TaughtFAQ{})},
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
		if err := c.QueryRowContext(ctx, "SELECT GET_LOCK('suzhirong_migrate', 30)").Scan(&got); err != nil || got != 1 {
			return fmt.Errorf("migrate: lock not acquired (%d): %w", got, err)
		}
		defer c.ExecContext(context.Background(), "SELECT RELEASE_LOCK('suzhirong_migrate')")
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
