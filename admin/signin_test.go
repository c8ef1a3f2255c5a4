package admin_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
)

// These tests were the store's while sign-in, throttling and the account
// rules sat there (store/accounts_test.go); they run on the real store.

// cityOfficer is an account allowed to manage accounts.
var cityOfficer = domain.Account{ID: 1 << 40, Username: "admin", Role: domain.RoleOfficer}

func TestAccountValidation(t *testing.T) {
	t.Parallel()
	e := mustStoreService(t)
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
		_, err := e.svc.CreateAccount(ctx, cityOfficer, tt.in)
		if !errors.Is(err, domain.ErrInvalid) || domain.Message(err) != tt.msg {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.msg)
		}
	}
	if _, err := e.svc.CreateAccount(ctx, cityOfficer, domain.NewAccount{Username: "ks", Password: "Sz-pass-2026", Role: "county", County: "kunshan"}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.CreateAccount(ctx, cityOfficer, domain.NewAccount{Username: "ks", Password: "Sz-pass-2027", Role: "viewer"})
	if !errors.Is(err, domain.ErrDuplicate) || domain.Message(err) != "用户名“ks”已存在" {
		t.Errorf("duplicate: %v", err)
	}
}

func TestLoginAndTokens(t *testing.T) {
	t.Parallel()
	e := mustStoreService(t)
	db := e.db
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	e.clock.Set(at)
	created, generated, err := e.svc.EnsureAdmin(ctx, "")
	if err != nil || !created || len(generated) < 16 {
		t.Fatalf("bootstrap: %v %q %v", created, generated, err)
	}
	if created, _, err := e.svc.EnsureAdmin(ctx, "other-password"); err != nil || created {
		t.Fatalf("second bootstrap: %v %v", created, err)
	}
	if _, _, err := e.svc.Login(ctx, "admin", "wrong-password", "192.0.2.1"); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("wrong password: %v", err)
	}
	if _, _, err := e.svc.Login(ctx, "nobody", generated, "192.0.2.1"); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("unknown user: %v", err)
	}
	token, acc, err := e.svc.Login(ctx, "admin", generated, "192.0.2.1")
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
	e := mustStoreService(t)
	ctx := context.Background()
	if _, err := e.db.CreateAccount(ctx, domain.NewAccount{Username: "target", Password: "right-password", Role: domain.RoleOfficer}, "test"); err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	e.clock.Set(at)
	var wg sync.WaitGroup
	var checked atomic.Int32
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := e.svc.Login(ctx, "target", "guess", "192.0.2.1")
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
	if n := checked.Load(); n > admin.PairFreeFailures+1 {
		t.Fatalf("%d of 30 parallel guesses were checked", n)
	}
	e.clock.Set(at.Add(30 * time.Second))
	if _, _, err := e.svc.Login(ctx, "target", "right-password", "192.0.2.1"); !errors.Is(err, domain.ErrLocked) {
		t.Fatalf("the right password during the lock: %v", err)
	}
	// The guesser's address is held back, not the account: its owner,
	// elsewhere, signs in.
	e.clock.Set(at.Add(time.Minute))
	if _, _, err := e.svc.Login(ctx, "target", "right-password", "198.51.100.7"); err != nil {
		t.Fatalf("the owner from another address: %v", err)
	}
	e.clock.Set(at.Add(admin.LockoutFor + time.Minute))
	if _, _, err := e.svc.Login(ctx, "target", "right-password", "192.0.2.1"); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}

// Password spraying: one address trying many usernames is held back once
// it has used its free failures, whichever username it tries next.
func TestThrottlePerAddress(t *testing.T) {
	t.Parallel()
	e := mustStoreService(t)
	ctx := context.Background()
	if _, err := e.db.CreateAccount(ctx, domain.NewAccount{Username: "victim", Password: "right-password", Role: domain.RoleViewer}, "test"); err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	for i := range admin.AddressFreeFailures + 1 {
		at = at.Add(time.Second)
		e.clock.Set(at)
		if _, _, err := e.svc.Login(ctx, "user"+strconv.Itoa(i), "guess", "203.0.113.5"); !errors.Is(err, domain.ErrUnauthorized) && !errors.Is(err, domain.ErrLocked) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	e.clock.Set(at.Add(time.Second))
	if _, _, err := e.svc.Login(ctx, "victim", "right-password", "203.0.113.5"); !errors.Is(err, domain.ErrLocked) {
		t.Fatalf("sprayer's next attempt: %v", err)
	}
	if _, _, err := e.svc.Login(ctx, "victim", "right-password", "198.51.100.8"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	// Every attempt is kept, failures and successes alike.
	rows, err := e.db.LoginAttempts(ctx, 100)
	if err != nil || len(rows) != admin.AddressFreeFailures+3 || !rows[0].OK || rows[1].OK {
		t.Fatalf("history: %d rows, %v", len(rows), err)
	}
}

// Wrong current passwords on a password change are throttled too.
func TestPasswordChangeGuessesAreThrottled(t *testing.T) {
	t.Parallel()
	e := mustStoreService(t)
	ctx := context.Background()
	acc, err := e.db.CreateAccount(ctx, domain.NewAccount{Username: "clerk", Password: "right-password", Role: domain.RoleViewer}, "test")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	e.clock.Set(at)
	for i := range admin.PairFreeFailures {
		if err := e.svc.ChangePassword(ctx, acc, "guess"+strconv.Itoa(i), "New-pass-2026", "", "192.0.2.9"); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if err := e.svc.ChangePassword(ctx, acc, "guess", "New-pass-2026", "", "192.0.2.9"); !errors.Is(err, domain.ErrLocked) {
		t.Fatalf("guess %d: %v, want held back", admin.PairFreeFailures+1, err)
	}
	e.clock.Set(at.Add(time.Second))
	if err := e.svc.ChangePassword(ctx, acc, "right-password", "New-pass-2026", "", "192.0.2.9"); !errors.Is(err, domain.ErrLocked) {
		t.Fatalf("right password while held back: %v", err)
	}
	e.clock.Set(at.Add(admin.LockoutFor))
	if err := e.svc.ChangePassword(ctx, acc, "right-password", "New-pass-2026", "", "192.0.2.9"); err != nil {
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
		err := admin.CheckPassword(pw, "admin")
		if (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", pw, err, ok)
		}
		if err != nil && domain.Message(err) == "" {
			t.Errorf("%q: no reason for people", pw)
		}
	}
}

// The account the WeChat sign-in makes for a county contact has no usable
// password (was part of the store's TestContactProfileAndSessions).
func TestContactAccountTakesNoPassword(t *testing.T) {
	t.Parallel()
	e := mustStoreService(t)
	ctx := context.Background()
	at := e.clock.Now()
	bc, _ := e.db.CreateBindCode(ctx, "kunshan", "admin", at)
	if _, err := e.db.UseBindCode(ctx, bc.Code, "o-zl", at); err != nil {
		t.Fatal(err)
	}
	cs, err := e.db.ContactsByOpenID(ctx, "o-zl")
	if err != nil || len(cs) != 1 {
		t.Fatalf("contacts %+v %v", cs, err)
	}
	_, acc, err := e.db.ContactSession(ctx, cs[0], at)
	if err != nil {
		t.Fatal(err)
	}
	// It cannot be entered with a password.
	if _, _, err := e.svc.Login(ctx, acc.Username, "", "192.0.2.1"); err == nil {
		t.Error("the contact's account took an empty password")
	}
}
