package admin_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/seeds"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// storeEnv is the admin service on a real store (storetest: SQLite, or
// MariaDB when MYSQL_DSN is set) seeded with the policy, without the rest
// of the application.
type storeEnv struct {
	svc   *admin.Service
	db    *store.DB
	clock *apptest.Clock
}

func mustStoreService(tb testing.TB) storeEnv {
	tb.Helper()
	db := storetest.MustOpenDB(tb)
	p, err := seeds.Load()
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.SeedPolicy(context.Background(), p, false); err != nil {
		tb.Fatal(err)
	}
	clk := apptest.NewClock(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC))
	svc := admin.New(admin.Deps{Log: storetest.Log, Now: clk.Now, PasswordCost: bcrypt.MinCost,
		Accounts: db, Attempts: db, Sessions: db, OpsLog: db, Counties: db, Broadcasts: db, Reports: db, Roster: db, Learning: db})
	return storeEnv{svc: svc, db: db, clock: clk}
}
