package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

func TestAccountValidation(t *testing.T) {
	db := mustSeededDB(t)
	ctx := context.Background()
	tests := []struct {
		name string
		in   store.NewAccount
		msg  string
	}{
		{"short username", store.NewAccount{Username: "a", Password: "password1", Role: "viewer"}, "用户名应为2–64位字母、数字或 _ . @ -"},
		{"short password", store.NewAccount{Username: "bob", Password: "short", Role: "viewer"}, "密码应为8–72个字符"},
		{"bad role", store.NewAccount{Username: "bob", Password: "password1", Role: "root"}, "角色应为 officer、county、viewer 或 institution"},
		{"county without county", store.NewAccount{Username: "bob", Password: "password1", Role: "county"}, "县级市（区）账号必须指定 county"},
		{"unknown county", store.NewAccount{Username: "bob", Password: "password1", Role: "county", County: "atlantis"}, "未知的县级市（区）“atlantis”"},
		{"officer with county", store.NewAccount{Username: "bob", Password: "password1", Role: "officer", County: "kunshan"}, "只有县级市（区）账号可以指定 county"},
	}
	for _, tt := range tests {
		_, err := db.CreateAccount(ctx, tt.in, "admin")
		if !errors.Is(err, dialog.ErrInvalid) || dialog.Message(err) != tt.msg {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.msg)
		}
	}
	if _, err := db.CreateAccount(ctx, store.NewAccount{Username: "ks", Password: "password1", Role: "county", County: "kunshan"}, "admin"); err != nil {
		t.Fatal(err)
	}
	_, err := db.CreateAccount(ctx, store.NewAccount{Username: "ks", Password: "password2", Role: "viewer"}, "admin")
	if !errors.Is(err, dialog.ErrDuplicate) || dialog.Message(err) != "用户名“ks”已存在" {
		t.Errorf("duplicate: %v", err)
	}
}

func TestLoginAndTokens(t *testing.T) {
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
	if _, _, err := db.Login(ctx, "admin", "wrong-password", at); !errors.Is(err, dialog.ErrUnauthorized) {
		t.Errorf("wrong password: %v", err)
	}
	if _, _, err := db.Login(ctx, "nobody", generated, at); !errors.Is(err, dialog.ErrUnauthorized) {
		t.Errorf("unknown user: %v", err)
	}
	token, acc, err := db.Login(ctx, "admin", generated, at)
	if err != nil || acc.Role != dialog.RoleOfficer || len(token) != 64 {
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
	if _, err := db.Authenticate(ctx, token, at.Add(7*24*time.Hour+time.Second)); !errors.Is(err, dialog.ErrUnauthorized) {
		t.Errorf("expired token: %v", err)
	}
	if _, err := db.Authenticate(ctx, "", at); !errors.Is(err, dialog.ErrUnauthorized) {
		t.Errorf("no token: %v", err)
	}
	if err := db.Logout(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, token, at); !errors.Is(err, dialog.ErrUnauthorized) {
		t.Errorf("revoked token: %v", err)
	}
	db.CreateAccount(ctx, store.NewAccount{Username: "boss", Password: "password1", Role: "officer", OpenID: "o-boss"}, "admin")
	db.CreateAccount(ctx, store.NewAccount{Username: "view", Password: "password1", Role: "viewer", OpenID: "o-view"}, "admin")
	if ids, err := db.OfficerOpenIDs(ctx); err != nil || len(ids) != 1 || ids[0] != "o-boss" {
		t.Errorf("officer openids %v %v", ids, err)
	}
}

// A burst of parallel guesses locks the account like sequential ones.
func TestLockoutHoldsUnderParallelGuesses(t *testing.T) {
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.CreateAccount(ctx, store.NewAccount{Username: "target", Password: "right-password", Role: dialog.RoleOfficer}, "test"); err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := db.Login(ctx, "target", "guess", at)
			if !errors.Is(err, dialog.ErrLocked) && !errors.Is(err, dialog.ErrUnauthorized) {
				t.Errorf("login: %v", err)
			}
		}()
	}
	wg.Wait()
	if _, _, err := db.Login(ctx, "target", "right-password", at.Add(time.Minute)); !errors.Is(err, dialog.ErrLocked) {
		t.Fatalf("the right password during the lock: %v", err)
	}
	if _, _, err := db.Login(ctx, "target", "right-password", at.Add(store.LockoutFor+time.Minute)); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
}
