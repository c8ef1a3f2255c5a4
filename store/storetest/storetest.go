// Package storetest opens the stores for tests: the real MariaDB and Redis
// when MYSQL_DSN and REDIS_ADDR are set (as in CI), else the embedded
// backends. Every call gets its own database or key prefix.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"golang.org/x/crypto/bcrypt"

	"github.com/suzhou-amr/suzhirong/store"
)

func init() {
	// As main does: times are stored in UTC whatever the machine's zone,
	// since SQLite compares stored times as text.
	time.Local = time.UTC
	// Tests create hundreds of accounts; the cost of each hash is not
	// what they test.
	store.PasswordCost = bcrypt.MinCost
}

// Log is a logger that discards everything, for tests.
var Log = slog.New(slog.NewTextHandler(io.Discard, nil))

func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// migratedSQLite is the file of a freshly migrated SQLite database, made
// once per test binary: copying it is a hundred times cheaper than running
// every migration for each test. OpenDB on the copy finds every migration
// applied.
var migratedSQLite = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "szr-storetest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	db, err := store.OpenDB(context.Background(), Log, "", path)
	if err != nil {
		return nil, err
	}
	// Closing checkpoints the write-ahead log into the file.
	if err := db.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

// MustOpenDB returns a migrated, empty database: a fresh MySQL database on
// the server of MYSQL_DSN (dropped at cleanup), or a SQLite file in a
// temporary directory.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	return mustOpenDB(tb, "")
}

// MustOpenMySQLVia opens a fresh MySQL database like MustOpenDB, connected
// through a Proxy the test controls. It skips the test on the embedded
// backend, which has no server to lose.
func MustOpenMySQLVia(tb testing.TB) (*store.DB, *Proxy) {
	tb.Helper()
	dsn := os.Getenv("MYSQL_DSN")
	if dsn == "" {
		tb.Skip("needs MYSQL_DSN: a database outage is simulated with a proxy in front of the server")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("parse MYSQL_DSN: %v", err)
	}
	p := NewProxy(tb, cfg.Addr)
	return mustOpenDB(tb, p.Addr()), p
}

func mustOpenDB(tb testing.TB, via string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	dsn := os.Getenv("MYSQL_DSN")
	if dsn == "" {
		path := filepath.Join(tb.TempDir(), "test.db")
		migrated, err := migratedSQLite()
		if err != nil {
			tb.Fatalf("migrate sqlite: %v", err)
		}
		if err := os.WriteFile(path, migrated, 0o600); err != nil {
			tb.Fatalf("copy migrated sqlite: %v", err)
		}
		db, err := store.OpenDB(ctx, Log, "", path)
		if err != nil {
			tb.Fatalf("open sqlite: %v", err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("parse MYSQL_DSN: %v", err)
	}
	name := randomName("szr_test_")
	admin := *cfg
	admin.DBName = ""
	conn, err := sql.Open("mysql", admin.FormatDSN())
	if err != nil {
		tb.Fatalf("open mysql: %v", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	cfg.DBName = name
	if via != "" {
		cfg.Addr = via
	}
	db, err := store.OpenDB(ctx, Log, cfg.FormatDSN(), "")
	if err != nil {
		tb.Fatalf("open mysql %s: %v", name, err)
	}
	tb.Cleanup(func() {
		db.Close()
		c, err := sql.Open("mysql", admin.FormatDSN())
		if err == nil {
			c.Exec("DROP DATABASE " + name)
			c.Close()
		}
	})
	return db
}

// Backend names the database backend tests run on.
func Backend() string {
	if os.Getenv("MYSQL_DSN") != "" {
		return "mysql"
	}
	return "sqlite"
}

// MustOpenRedis returns a Redis client and a key prefix of its own: the
// server at REDIS_ADDR, or an in-process one.
func MustOpenRedis(tb testing.TB) (*store.Redis, string) {
	tb.Helper()
	r, err := store.OpenRedis(context.Background(), Log, os.Getenv("REDIS_ADDR"), os.Getenv("REDIS_PASSWORD"), 0)
	if err != nil {
		tb.Fatalf("open redis: %v", err)
	}
	prefix := randomName("szrtest:") + ":"
	tb.Cleanup(func() {
		if r.Embedded() == nil {
			ctx := context.Background()
			iter := r.Scan(ctx, 0, prefix+"*", 1000).Iterator()
			var keys []string
			for iter.Next(ctx) {
				keys = append(keys, iter.Val())
			}
			if len(keys) > 0 {
				r.Del(ctx, keys...)
			}
		}
		r.Close()
	})
	return r, prefix
}
