package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

func TestAccountValidation(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	tests := []struct {
		name string
		in   domain.NewAccount
		msg  string
	}{
		{"short username", domain.NewAccount{Username: "a", Password: "Sz-pass-2026", Role: "viewer"}, "用户名应为2–64位字母、数字或 _ . @ -"},
		{"short password", domain.NewAccount{Username: "bob", Password: "short", Role: "viewer"}, "密码应为10–72个字符"},
		{"bad role", domain.NewAccount{Username: "bob", Password: "Sz-pass-2026", Role: "root"}, "角色应为 officer、county、viewer 或 institution"},
		{"county without county", domain.NewAccount{Username: "bob", Password: "Sz-pass-2026", Role: "county"}, "县级市（区）账号必须指定 county"},
		{"unknown county", domain.NewAccount{Username: "bob", Password: "Sz-pass-2026", Role: "county", County: "atlantis"}, "未知的县级市（区）“atlantis”"},
		{"officer with county", domain.NewAccount{Username: "bob", Password: "Sz-pass-2026", Role: "officer", County: "kunshan"}, "只有县级市（区）账号可以指定 county"},
	}
	for _, tt := range tests {
		_, err := db.CreateAccount(ctx, tt.in, "admin")
		if !errors.Is(err, domain.ErrInvalid) || domain.Message(err) != tt.msg {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.msg)
		}
	}
	if _, err := db.CreateAccount(ctx, domain.NewAccount{Username: "ks", Password: "Sz-pass-2026", Role: "county", County: "kunshan"}, "admin"); err != nil {
		t.Fatal(err)
	}
	_, err := db.CreateAccount(ctx, domain.NewAccount{Username: "ks", Password: "Sz-pass-2027", Role: "viewer"}, "admin")
	if !errors.Is(err, domain.ErrDuplicate) || domain.Message(err) != "用户名“ks”已存在" {
		t.Errorf("duplicate: %v", err)
	}
}

func TestLoginAndTokens(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	created, generated, err := db.EnsureAdmin(ctx, "")
	if err != nil || !created || len(generated) < 16 {
		t.Fatalf("bootstrap: %v %q %v", created, generated, err)
	}
	if created, _, err := db.EnsureAdmin(ctx, "other-password"); err != nil || created {
		t.Fatalf("second bootstrap: %v %v", created, err)
	}
	if _, _, err := db.Login(ctx, "admin", "wrong-password", "192.0.2.1", at); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("wrong password: %v", err)
	}
	if _, _, err := db.Login(ctx, "nobody", generated, "192.0.2.1", at); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("unknown user: %v", err)
	}
	token, acc, err := db.Login(ctx, "admin", generated, "192.0.2.1", at)
	if err != nil || acc.Role != domain.RoleOfficer || len(token) != 64 {
		t.Fatalf("login: %q %+v %v", token, acc, err)
	}
	var stored store.APIToken
	db.Take(&stored)
	if stored.Hash == token || len(stored.Hash) != 64 {
		t.Errorf("token stored in clear: %+v", stored)
	}
	got, err := db.Authenticate(ctx, token, at.Add(6*24*time.Hour))
	if err != nil || got.Username != "admin" || got.ID != acc.ID {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	if _, err := db.Authenticate(ctx, token, at.Add(7*24*time.Hour+time.Second)); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("expired token: %v", err)
	}
	if _, err := db.Authenticate(ctx, "", at); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("no token: %v", err)
	}
	if err := db.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, token, at); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("revoked token: %v", err)
	}
	db.CreateAccount(ctx, domain.NewAccount{Username: "boss", Password: "Sz-pass-2026", Role: "officer", OpenID: "o-boss"}, "admin")
	db.CreateAccount(ctx, domain.NewAccount{Username: "view", Password: "Sz-pass-2026", Role: "viewer", OpenID: "o-view"}, "admin")
	if ids, err := db.OfficerOpenIDs(ctx); err != nil || len(ids) != 1 || ids[0] != "o-boss" {
		t.Errorf("officer openids %v %v", ids, err)
	}
}

// A burst of parallel guesses locks the account like sequential ones.
func TestLockoutHoldsUnderParallelGuesses(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.CreateAccount(ctx, domain.NewAccount{Username: "target", Password: "right-password", Role: domain.RoleOfficer}, "test"); err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	var wg sync.WaitGroup
	var checked atomic.Int32
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := db.Login(ctx, "target", "guess", "192.0.2.1", at)
			if errors.Is(err, domain.ErrUnauthorized) {
				checked.Add(1)
			}
			if !errors.Is(err, domain.ErrLocked) && !errors.Is(err, domain.ErrUnauthorized) {
				t.Errorf("login: %v", err)
			}
		}()
	}
	wg.Wait()
	// Only the free failures had their password checked; the burst's
	// others were held back.
	if n := checked.Load(); n > store.PairFreeFailures+1 {
		t.Fatalf("%d of 30 parallel guesses were checked", n)
	}
	if _, _, err := db.Login(ctx, "target", "right-password", "192.0.2.1", at.Add(30*time.Second)); !errors.Is(err, domain.ErrLocked) {
		t.Fatalf("the right password during the lock: %v", err)
	}
	// The guesser's address is held back, not the account: its owner,
	// elsewhere, signs in.
	if _, _, err := db.Login(ctx, "target", "right-password", "198.51.100.7", at.Add(time.Minute)); err != nil {
		t.Fatalf("the owner from another address: %v", err)
	}
	if _, _, err := db.Login(ctx, "target", "right-password", "192.0.2.1", at.Add(store.LockoutFor+time.Minute)); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}

// Password spraying: one address trying many usernames is held back once
// it has used its free failures, whichever username it tries next.
func TestThrottlePerAddress(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.CreateAccount(ctx, domain.NewAccount{Username: "victim", Password: "right-password", Role: domain.RoleViewer}, "test"); err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	for i := range store.AddressFreeFailures + 1 {
		at = at.Add(time.Second)
		if _, _, err := db.Login(ctx, "user"+strconv.Itoa(i), "guess", "203.0.113.5", at); !errors.Is(err, domain.ErrUnauthorized) && !errors.Is(err, domain.ErrLocked) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, _, err := db.Login(ctx, "victim", "right-password", "203.0.113.5", at.Add(time.Second)); !errors.Is(err, domain.ErrLocked) {
		t.Fatalf("sprayer's next attempt: %v", err)
	}
	if _, _, err := db.Login(ctx, "victim", "right-password", "198.51.100.8", at.Add(time.Second)); err != nil {
		t.Fatalf("another address: %v", err)
	}
	// Every attempt is kept, failures and successes alike.
	rows, err := db.LoginAttempts(ctx, 100)
	if err != nil || len(rows) != store.AddressFreeFailures+3 || !rows[0].OK || rows[1].OK {
		t.Fatalf("history: %d rows, %v", len(rows), err)
	}
}

// Wrong current passwords on a password change are throttled too.
func TestPasswordChangeGuessesAreThrottled(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	acc, err := db.CreateAccount(ctx, domain.NewAccount{Username: "clerk", Password: "right-password", Role: domain.RoleViewer}, "test")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	for i := range store.PairFreeFailures {
		if err := db.ChangePassword(ctx, acc.ID, "guess"+strconv.Itoa(i), "New-pass-2026", "", "192.0.2.9", at); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if err := db.ChangePassword(ctx, acc.ID, "guess", "New-pass-2026", "", "192.0.2.9", at); !errors.Is(err, domain.ErrLocked) {
		t.Fatalf("guess %d: %v, want held back", store.PairFreeFailures+1, err)
	}
	if err := db.ChangePassword(ctx, acc.ID, "right-password", "New-pass-2026", "", "192.0.2.9", at.Add(time.Second)); !errors.Is(err, domain.ErrLocked) {
		t.Fatalf("right password while held back: %v", err)
	}
	if err := db.ChangePassword(ctx, acc.ID, "right-password", "New-pass-2026", "", "192.0.2.9", at.Add(store.LockoutFor)); err != nil {
		t.Fatalf("after the hold: %v", err)
	}
}

func TestPasswordRules(t *testing.T) {
	t.Parallel()
	for pw, ok := range map[string]bool{
		"12345678":         false,
		"password":         false,
		"        ":         false,
		"          ":       false,
		"1234567890":       false,
		"abcdefghijkl":     false,
		"Password123":      false,
		"qwerty123456":     false,
		"P@ssw0rd!!":       false,
		"aaaaaaaaaaaa":     false,
		"admin12345":       false,
		"woaini1314!":      false,
		"kunshan-2026":     true,
		"Szr-7f3a9c2e1b":   true,
		"苏州质量融资2026":       true,
		"correct horse 9":  true,
		"tab\tinside-2026": false,
	} {
		err := store.CheckPassword(pw, "admin")
		if (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", pw, err, ok)
		}
		if err != nil && domain.Message(err) == "" {
			t.Errorf("%q: no reason for people", pw)
		}
	}
}
