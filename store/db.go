// Package store keeps everything that outlives a request: gorm models and
// repositories on MySQL/MariaDB or embedded SQLite, versioned migrations, and
// the Redis dialogue-state and dedupe store (real Redis or in-process).
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/suzhou-amr/suzhirong/domain"
)

// DB is the relational store.
type DB struct {
	*gorm.DB
	dialect string
}

// OpenDB connects to MySQL when dsn is set, else to the SQLite file at
// sqlitePath (":memory:" or a file), and runs the migrations.
func OpenDB(ctx context.Context, log *slog.Logger, dsn, sqlitePath string) (*DB, error) {
	routeDriverLogs(log)
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		PrepareStmt:            false,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var (
		gdb     *gorm.DB
		err     error
		dialect string
	)
	if dsn != "" {
		dialect = "mysql"
		gdb, err = gorm.Open(mysql.Open(withMySQLDefaults(dsn)), cfg)
	} else {
		dialect = "sqlite"
		if sqlitePath != ":memory:" && !strings.HasPrefix(sqlitePath, "file:") {
			if err := os.MkdirAll(filepath.Dir(sqlitePath), 0o755); err != nil {
				return nil, fmt.Errorf("create sqlite dir: %w", err)
			}
		}
		// WAL and a busy timeout let concurrent requests share one file.
		gdb, err = gorm.Open(sqlite.Open(sqlitePath+sqliteParams(sqlitePath)), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	if dialect == "sqlite" {
		// One writer at a time is what SQLite allows; a single connection
		// avoids "database is locked" under concurrent writes.
		sqlDB.SetMaxOpenConns(1)
	} else {
		// As many idle as open: a smaller idle pool closes and reopens
		// connections in bursts under load (measured in bench/RESULTS.md).
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(32)
		sqlDB.SetConnMaxLifetime(5 * time.Minute)
	}
	db := &DB{DB: gdb, dialect: dialect}
	if err := db.migrate(ctx, log); err != nil {
		return nil, err
	}
	return db, nil
}

// Dialect is "mysql" or "sqlite".
func (db *DB) Dialect() string { return db.dialect }

// Ping checks the database answers, for readiness.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close closes the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

func withMySQLDefaults(dsn string) string {
	add := func(k, v string) {
		if !strings.Contains(dsn, k+"=") {
			if strings.Contains(dsn, "?") {
				dsn += "&"
			} else {
				dsn += "?"
			}
			dsn += k + "=" + v
		}
	}
	add("parseTime", "true")
	// Client-side interpolation: one round trip per statement instead of
	// prepare, execute and close.
	add("interpolateParams", "true")
	add("charset", "utf8mb4")
	add("loc", "UTC")
	add("timeout", "2s")
	add("readTimeout", "3s")
	add("writeTimeout", "3s")
	return dsn
}

func sqliteParams(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return sep + "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"
}

// IsDuplicate reports whether err is a unique-constraint violation on either backend.
func IsDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "Duplicate entry") || strings.Contains(s, "UNIQUE constraint failed") ||
		strings.Contains(s, "Error 1062")
}

// take reads the one record q selects. A missing record is
// domain.ErrNotFound, as the domain expects; other errors are wrapped with
// what was read.
func take[T any](q *gorm.DB, what string) (T, error) {
	var r T
	err := q.Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, domain.ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("%s: %w", what, err)
	}
	return r, nil
}
