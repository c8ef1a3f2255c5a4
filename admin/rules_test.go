package admin_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// The rules of accounts, passwords, sign-in lockout and bind codes, each
// run against an in-memory fake of the repositories and against the real
// store (SQLite and the in-process Redis, or MariaDB and Redis in CI).

// backend is the service under test on one kind of repository.
type backend struct {
	svc   *admin.Service
	guard *admin.BindGuard
	clock *apptest.Clock
	// seed stores an account as a fixture, without the rules.
	seed func(t *testing.T, n domain.NewAccount) domain.Account
	// useCode spends a bind code as the chat's bind flow does.
	useCode func(code string) error
}

func fakeBackend(t *testing.T) backend {
	r := newFakeRepo()
	clk := apptest.NewClock(time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC))
	svc := admin.New(admin.Deps{Log: storetest.Log, Now: clk.Now, PasswordCost: bcrypt.MinCost,
		Accounts: r, Attempts: r, Counties: fakeCounties{r: r}})
	return backend{svc: svc, guard: admin.NewBindGuard(r), clock: clk,
		seed: func(t *testing.T, n domain.NewAccount) domain.Account {
			t.Helper()
			a, err := r.seed(n)
			if err != nil {
				t.Fatal(err)
			}
			return a
		},
		useCode: func(code string) error { return r.useCode(code, clk.Now()) },
	}
}

func storeBackend(t *testing.T) backend {
	e := mustStoreService(t)
	rdb, prefix := storetest.MustOpenRedis(t)
	return backend{svc: e.svc, guard: admin.NewBindGuard(store.NewSessions(rdb, prefix)), clock: e.clock,
		seed: func(t *testing.T, n domain.NewAccount) domain.Account {
			t.Helper()
			a, err := e.db.CreateAccount(context.Background(), n, "test")
			if err != nil {
				t.Fatal(err)
			}
			return a
		},
		useCode: func(code string) error {
			_, err := e.db.UseAccountBindCode(context.Background(), code, "o-officer", e.clock.Now())
			return err
		},
	}
}

// eachBackend runs test on the fake and on the store, in parallel.
func eachBackend(t *testing.T, test func(t *testing.T, b backend)) {
	t.Helper()
	t.Parallel()
	for name, open := range map[string]func(*testing.T) backend{"fake": fakeBackend, "store": storeBackend} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, open(t))
		})
	}
}

var ctx = context.Background()

func officerOf(t *testing.T, b backend, username string) domain.Account {
	t.Helper()
	return b.seed(t, domain.NewAccount{Username: username, Password: "Officer-pass-2026", Role: domain.RoleOfficer})
}

func TestCreateAccountRules(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		boss := officerOf(t, b, "boss")
		viewer := b.seed(t, domain.NewAccount{Username: "watcher", Password: "Watcher-pass-2026", Role: domain.RoleViewer})
		tests := []struct {
			name string
			by   domain.Account
			in   domain.NewAccount
			err  error
			msg  string
		}{
			{"viewer may not", viewer, domain.NewAccount{Username: "v2", Password: "Sz-pass-2026", Role: "viewer"}, domain.ErrForbidden, ""},
			{"too weak", boss, domain.NewAccount{Username: "v2", Password: "password2026", Role: "viewer"}, domain.ErrInvalid, "密码过于常见，容易被猜中，请换一个"},
			{"one class", boss, domain.NewAccount{Username: "v2", Password: "1357924680", Role: "viewer"}, domain.ErrInvalid, "密码过于简单：请混合使用字母、数字或符号中的至少两类"},
			{"username inside", boss, domain.NewAccount{Username: "zhanglin", Password: "zhanglin-1", Role: "viewer"}, domain.ErrInvalid, "密码不能与用户名相同或只多几个字符"},
			{"too long", boss, domain.NewAccount{Username: "v2", Password: strings.Repeat("密码a", 25), Role: "viewer"}, domain.ErrInvalid, "密码应为10–72个字符"},
			{"bad username", boss, domain.NewAccount{Username: "张琳", Password: "Sz-pass-2026", Role: "viewer"}, domain.ErrInvalid, "用户名应为2–64位字母、数字或 _ . @ -"},
			{"bad mobile", boss, domain.NewAccount{Username: "v2", Password: "Sz-pass-2026", Role: "viewer", Mobile: "12345"}, domain.ErrInvalid, "手机号应为11位数字，以1开头"},
			{"name with markup", boss, domain.NewAccount{Username: "v2", Password: "Sz-pass-2026", Role: "viewer", Name: "<b>张琳</b>"}, domain.ErrInvalid, "姓名应为一行、不超过32个字，且不含特殊符号"},
			{"viewer with institution", boss, domain.NewAccount{Username: "v2", Password: "Sz-pass-2026", Role: "viewer", Institution: 1}, domain.ErrInvalid, "只有金融机构账号可以指定 institution"},
			{"institution without one", boss, domain.NewAccount{Username: "v2", Password: "Sz-pass-2026", Role: "institution"}, domain.ErrInvalid, "金融机构账号必须指定 institution（合作金融机构编号）"},
			{"unknown institution", boss, domain.NewAccount{Username: "v2", Password: "Sz-pass-2026", Role: "institution", Institution: 9999}, domain.ErrInvalid, "未知的合作金融机构（编号9999）"},
			{"institution with county", boss, domain.NewAccount{Username: "v2", Password: "Sz-pass-2026", Role: "institution", County: "kunshan", Institution: 1}, domain.ErrInvalid, "金融机构账号不能指定 county"},
			{"county unknown", boss, domain.NewAccount{Username: "v2", Password: "Sz-pass-2026", Role: "county", County: "atlantis"}, domain.ErrInvalid, "未知的县级市（区）“atlantis”"},
			{"duplicate", boss, domain.NewAccount{Username: "watcher", Password: "Sz-pass-2026", Role: "viewer"}, domain.ErrDuplicate, "用户名“watcher”已存在"},
			{"county account", boss, domain.NewAccount{Username: "ks", Password: "Sz-pass-2026", Role: "county", County: "kunshan", Name: "张琳"}, nil, ""},
		}
		for i, tt := range tests {
			got, err := b.svc.CreateAccount(ctx, tt.by, tt.in)
			if !errors.Is(err, tt.err) || (tt.msg != "" && domain.Message(err) != tt.msg) {
				t.Errorf("%s: %v, want %v %q", tt.name, err, tt.err, tt.msg)
			}
			if tt.err == nil && (got.Username != tt.in.Username || got.County != "kunshan" || got.Name != "张琳") {
				t.Errorf("%s: created %+v", tt.name, got)
			}
			if tt.err != nil && tt.err != domain.ErrDuplicate {
				if _, _, err := b.svc.Login(ctx, tt.in.Username, tt.in.Password, "198.51.100."+strconv.Itoa(i)); !errors.Is(err, domain.ErrUnauthorized) {
					t.Errorf("%s: the refused account signs in: %v", tt.name, err)
				}
			}
		}
		if _, _, err := b.svc.Login(ctx, "ks", "Sz-pass-2026", "192.0.2.51"); err != nil {
			t.Errorf("the created account: %v", err)
		}
	})
}

func TestDisableAccount(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		boss := officerOf(t, b, "boss")
		clerk := b.seed(t, domain.NewAccount{Username: "clerk", Password: "Clerk-pass-2026", Role: domain.RoleViewer})
		if _, _, err := b.svc.Login(ctx, "clerk", "Clerk-pass-2026", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := b.svc.SetAccountDisabled(ctx, clerk, boss.ID, true); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("a viewer disables an officer: %v", err)
		}
		if _, _, _, err := b.svc.SetAccountDisabled(ctx, boss, boss.ID, true); !errors.Is(err, domain.ErrInvalid) || domain.Message(err) != "不能停用自己正在使用的账号" {
			t.Errorf("disabling oneself: %v", err)
		}
		before, after, revoked, err := b.svc.SetAccountDisabled(ctx, boss, clerk.ID, true)
		if err != nil || before.Disabled || !after.Disabled || revoked.Sessions != 1 {
			t.Fatalf("disable: %+v %+v %+v %v", before, after, revoked, err)
		}
		_, _, err = b.svc.Login(ctx, "clerk", "Clerk-pass-2026", "192.0.2.1")
		if !errors.Is(err, domain.ErrForbidden) || domain.Message(err) != "该账号已停用，请联系市市场监管局管理员" {
			t.Errorf("disabled account signs in: %v", err)
		}
		// The right password of a disabled account is no guess: it locks nothing.
		for range admin.PairFreeFailures + 2 {
			b.svc.Login(ctx, "clerk", "Clerk-pass-2026", "192.0.2.1")
		}
		if _, _, _, err := b.svc.SetAccountDisabled(ctx, boss, clerk.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.svc.Login(ctx, "clerk", "Clerk-pass-2026", "192.0.2.1"); err != nil {
			t.Errorf("enabled again: %v", err)
		}
	})
}

func TestPasswordChangeAndReset(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		boss := officerOf(t, b, "boss")
		clerk := b.seed(t, domain.NewAccount{Username: "clerk", Password: "Clerk-pass-2026", Role: domain.RoleViewer})
		weak := []struct{ pw, msg string }{
			{"short-1", "密码应为10–72个字符"},
			{"abcdefghijk", "密码过于简单：请混合使用字母、数字或符号中的至少两类"},
			{"qwerty123456", "密码过于常见，容易被猜中，请换一个"},
			{"          ", "密码不能为空白或含控制字符"},
		}
		for _, w := range weak {
			err := b.svc.ChangePassword(ctx, clerk, "Clerk-pass-2026", w.pw, "", "192.0.2.2")
			if !errors.Is(err, domain.ErrInvalid) || domain.Message(err) != w.msg {
				t.Errorf("new password %q: %v, want %q", w.pw, err, w.msg)
			}
		}
		if err := b.svc.ChangePassword(ctx, clerk, "not-the-password-1", "Better-pass-2027", "", "192.0.2.2"); !errors.Is(err, domain.ErrInvalid) || domain.Message(err) != "当前密码不正确" {
			t.Errorf("wrong current password: %v", err)
		}
		keep, _, err := b.svc.Login(ctx, "clerk", "Clerk-pass-2026", "192.0.2.2")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.svc.ChangePassword(ctx, clerk, "Clerk-pass-2026", "Better-pass-2027", keep, "192.0.2.2"); err != nil {
			t.Fatalf("change: %v", err)
		}
		if _, _, err := b.svc.Login(ctx, "clerk", "Clerk-pass-2026", "192.0.2.3"); !errors.Is(err, domain.ErrUnauthorized) {
			t.Errorf("the old password: %v", err)
		}
		if _, acc, err := b.svc.Login(ctx, "clerk", "Better-pass-2027", "192.0.2.3"); err != nil || acc.MustChangePassword {
			t.Errorf("the new password: %+v %v", acc, err)
		}
		// Reset: by an officer, for someone else, to be changed at once.
		if _, _, err := b.svc.ResetAccountPassword(ctx, clerk, boss.ID); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("a viewer resets: %v", err)
		}
		if _, _, err := b.svc.ResetAccountPassword(ctx, boss, boss.ID); !errors.Is(err, domain.ErrInvalid) || domain.Message(err) != "请在“修改密码”中修改自己的密码" {
			t.Errorf("resetting one's own: %v", err)
		}
		target, pw, err := b.svc.ResetAccountPassword(ctx, boss, clerk.ID)
		if err != nil || target.ID != clerk.ID || !strings.HasPrefix(pw, "Szr-") || admin.CheckPassword(pw, "clerk") != nil {
			t.Fatalf("reset: %+v %q %v", target, pw, err)
		}
		if _, _, err := b.svc.Login(ctx, "clerk", "Better-pass-2027", "192.0.2.4"); !errors.Is(err, domain.ErrUnauthorized) {
			t.Errorf("the password before the reset: %v", err)
		}
		if _, acc, err := b.svc.Login(ctx, "clerk", pw, "192.0.2.4"); err != nil || !acc.MustChangePassword {
			t.Errorf("the reset password: %+v %v", acc, err)
		}
		if _, _, err := b.svc.ResetAccountPassword(ctx, boss, 1<<40); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("reset of no account: %v", err)
		}
	})
}

func TestLockout(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		b.seed(t, domain.NewAccount{Username: "clerk", Password: "Clerk-pass-2026", Role: domain.RoleViewer})
		start := b.clock.Now()
		wrong := func(i int) error {
			_, _, err := b.svc.Login(ctx, "clerk", "guess-"+strconv.Itoa(i), "192.0.2.7")
			return err
		}
		// The free failures are answered "wrong password"; the next one
		// locks the pair.
		for i := range admin.PairFreeFailures {
			if err := wrong(i); !errors.Is(err, domain.ErrUnauthorized) || domain.Message(err) != "用户名或密码错误" {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		err := wrong(99)
		if !errors.Is(err, domain.ErrLocked) || !strings.HasPrefix(domain.Message(err), "登录失败次数过多，已暂时锁定，请于") {
			t.Fatalf("failure %d: %v, want locked", admin.PairFreeFailures+1, err)
		}
		want := start.Add(time.Minute).In(domain.Shanghai).Format("15:04:05")
		if !strings.Contains(domain.Message(err), want) {
			t.Errorf("lock message %q, want until %s", domain.Message(err), want)
		}
		// Locked: the right password is refused unchecked.
		b.clock.Add(30 * time.Second)
		if _, _, err := b.svc.Login(ctx, "clerk", "Clerk-pass-2026", "192.0.2.7"); !errors.Is(err, domain.ErrLocked) {
			t.Fatalf("the right password while locked: %v", err)
		}
		// After the hold the right password signs in, and the success
		// resets the count: the free failures are free again.
		b.clock.Set(start.Add(time.Minute))
		if _, _, err := b.svc.Login(ctx, "clerk", "Clerk-pass-2026", "192.0.2.7"); err != nil {
			t.Fatalf("after the hold: %v", err)
		}
		for i := range admin.PairFreeFailures {
			if err := wrong(i); !errors.Is(err, domain.ErrUnauthorized) {
				t.Fatalf("failure %d after a success: %v", i+1, err)
			}
		}
		if _, _, err := b.svc.Login(ctx, "clerk", "Clerk-pass-2026", "192.0.2.7"); err != nil {
			t.Fatalf("the right password within the free failures: %v", err)
		}
		// Without a success, failures age out of the window.
		for i := range admin.PairFreeFailures + 1 {
			wrong(i)
		}
		b.clock.Add(admin.ThrottleWindow + time.Second)
		if err := wrong(0); !errors.Is(err, domain.ErrUnauthorized) {
			t.Fatalf("a failure after the window: %v", err)
		}
	})
}

func TestOwnBindCode(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		boss := officerOf(t, b, "boss")
		viewer := b.seed(t, domain.NewAccount{Username: "watcher", Password: "Watcher-pass-2026", Role: domain.RoleViewer})
		if _, err := b.svc.OwnBindCode(ctx, viewer); !errors.Is(err, domain.ErrForbidden) {
			t.Errorf("a viewer's code: %v", err)
		}
		if _, ok := b.svc.PendingOwnBindCode(ctx, boss); ok {
			t.Error("a code before any was asked for")
		}
		bc, err := b.svc.OwnBindCode(ctx, boss)
		if err != nil || len(bc.Code) != domain.BindCodeLen || bc.AccountID != boss.ID || !bc.ExpiresAt.Equal(b.clock.Now().Add(domain.BindCodeTTL)) {
			t.Fatalf("code %+v %v", bc, err)
		}
		again, err := b.svc.OwnBindCode(ctx, boss)
		if err != nil || again.Code != bc.Code {
			t.Errorf("asked again: %+v %v, want %s", again, err, bc.Code)
		}
		if p, ok := b.svc.PendingOwnBindCode(ctx, boss); !ok || p.Code != bc.Code {
			t.Errorf("pending %+v %v", p, ok)
		}
		// Used once, then spent; the next code is a new one.
		if err := b.useCode(strings.ToLower(bc.Code[:4]) + " " + bc.Code[4:]); err != nil {
			t.Fatalf("use: %v", err)
		}
		if err := b.useCode(bc.Code); !errors.Is(err, domain.ErrCodeUsed) {
			t.Errorf("used twice: %v", err)
		}
		if _, ok := b.svc.PendingOwnBindCode(ctx, boss); ok {
			t.Error("a used code is still pending")
		}
		next, err := b.svc.OwnBindCode(ctx, boss)
		if err != nil || next.Code == bc.Code {
			t.Fatalf("after use: %+v %v", next, err)
		}
		// Expired: no longer pending, refused, and replaced when asked.
		b.clock.Add(domain.BindCodeTTL)
		if _, ok := b.svc.PendingOwnBindCode(ctx, boss); ok {
			t.Error("an expired code is still pending")
		}
		if err := b.useCode(next.Code); !errors.Is(err, domain.ErrCodeExpired) {
			t.Errorf("expired code: %v", err)
		}
		if third, err := b.svc.OwnBindCode(ctx, boss); err != nil || third.Code == next.Code {
			t.Errorf("after expiry: %+v %v", third, err)
		}
	})
}

func TestBindGuard(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		at := b.clock.Now()
		const who = "o-guesser"
		for i := int64(1); i <= admin.BindFreeFailures; i++ {
			f, err := b.guard.BindFailed(ctx, who, "AB"+strconv.FormatInt(i, 10), at)
			if err != nil || f.Failures != i || !f.Until.IsZero() || f.Locked {
				t.Fatalf("free failure %d: %+v %v", i, f, err)
			}
		}
		// Past the free ones each failure holds the next attempt back,
		// doubling from BindSlowDown.
		for i := int64(admin.BindFreeFailures + 1); i < admin.BindMaxFailures; i++ {
			f, err := b.guard.BindFailed(ctx, who, "C"+strconv.FormatInt(i, 10), at)
			want := at.Add(admin.BindSlowDown << (i - admin.BindFreeFailures - 1))
			if err != nil || !f.Until.Equal(want) || f.Locked {
				t.Fatalf("failure %d: %+v %v, want held until %v", i, f, err, want)
			}
			if until, err := b.guard.BindHeld(ctx, who, "ZZ", at.Add(time.Second)); err != nil || !until.Equal(want) {
				t.Fatalf("held after failure %d: %v %v", i, until, err)
			}
		}
		f, err := b.guard.BindFailed(ctx, who, "DD", at)
		if err != nil || !f.Locked || !f.Until.Equal(at.Add(admin.BindWindow)) {
			t.Fatalf("failure %d: %+v %v, want locked for the window", admin.BindMaxFailures, f, err)
		}
		if until, _ := b.guard.BindHeld(ctx, "o-other", "ZZ", at); !until.IsZero() {
			t.Errorf("another openid is held: %v", until)
		}
		// A right code forgets the failures.
		if err := b.guard.BindSucceeded(ctx, who); err != nil {
			t.Fatal(err)
		}
		if until, _ := b.guard.BindHeld(ctx, who, "ZZ", at); !until.IsZero() {
			t.Errorf("held after a success: %v", until)
		}
		// Wrong codes starting alike, from many openids, hold the prefix.
		for i := 1; i <= admin.BindPrefixMaxFailures; i++ {
			f, err := b.guard.BindFailed(ctx, "o-"+strconv.Itoa(i), "QQ"+strconv.Itoa(i), at)
			if err != nil || f.Locked != (i == admin.BindPrefixMaxFailures) {
				t.Fatalf("prefix failure %d: %+v %v", i, f, err)
			}
		}
		if until, _ := b.guard.BindHeld(ctx, "o-new", "qq-anything", at.Add(time.Minute)); !until.Equal(at.Add(admin.BindWindow)) {
			t.Errorf("the prefix is not held: %v", until)
		}
	})
}
