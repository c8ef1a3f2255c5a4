package admin_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Removing a person removes their access: each way a county contact, a
// specialist or an account holder can be removed ends every session they
// hold at once, and the WeChat sign-in refuses them from then on.

func mustOfficer(t *testing.T, e *apptest.Env) domain.Account {
	t.Helper()
	a, err := e.DB.AccountByUsername(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// mustSignIn signs openID in from WeChat and checks the session works.
func mustSignIn(t *testing.T, e *apptest.Env, openID string) (string, domain.Account) {
	t.Helper()
	ctx := context.Background()
	token, acc, err := e.Admin.WeChatSession(ctx, openID)
	if err != nil {
		t.Fatalf("wechat sign-in of %s: %v", openID, err)
	}
	if _, err := e.Admin.Authenticate(ctx, token); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	return token, acc
}

// mustBeLockedOut checks that token no longer works and that the WeChat
// sign-in refuses openID.
func mustBeLockedOut(t *testing.T, e *apptest.Env, token, openID string) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.Admin.Authenticate(ctx, token); !errors.Is(err, domain.ErrUnauthorized) {
		t.Errorf("the open session still works: %v", err)
	}
	if _, acc, err := e.Admin.WeChatSession(ctx, openID); err == nil {
		t.Errorf("signed in again from WeChat as %s (%s)", acc.Username, acc.Role)
	}
}

func TestUnbindingAContactEndsTheirAccess(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	e.BindContact("o-left-bureau", "kunshan")
	token, acc := mustSignIn(t, e, "o-left-bureau")
	if acc.Role != domain.RoleCounty || acc.County != "kunshan" {
		t.Fatalf("signed in as %+v", acc)
	}
	mustSignIn(t, e, "o-left-bureau") // a second device
	removed, err := e.Admin.Unbind(ctx, mustOfficer(t, e), "kunshan", "o-left-bureau")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(removed.Revoked, "结束登录会话2个") || !strings.Contains(removed.Revoked, acc.Username) {
		t.Errorf("revoked: %q", removed.Revoked)
	}
	mustBeLockedOut(t, e, token, "o-left-bureau")
	if _, _, err := e.Admin.WeChatSession(ctx, "o-left-bureau"); !errors.Is(err, admin.ErrNotBound) {
		t.Errorf("sign-in after unbinding: %v", err)
	}
	// Bound again with a new code, the same person signs in again.
	e.BindContact("o-left-bureau", "kunshan")
	mustSignIn(t, e, "o-left-bureau")
}

// A contact of two counties removed from one keeps the other.
func TestUnbindingOneCountyKeepsTheOther(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	e.BindContact("o-two", "kunshan")
	e.BindContact("o-two", "taicang")
	token, _ := mustSignIn(t, e, "o-two")
	if _, err := e.Admin.Unbind(ctx, mustOfficer(t, e), "taicang", "o-two"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Admin.Authenticate(ctx, token); err != nil {
		t.Errorf("the kunshan session ended with taicang's binding: %v", err)
	}
	if _, err := e.Admin.Unbind(ctx, mustOfficer(t, e), "kunshan", "o-two"); err != nil {
		t.Fatal(err)
	}
	mustBeLockedOut(t, e, token, "o-two")
}

func mustSpecialist(t *testing.T, e *apptest.Env) (dialog.Institution, dialog.Specialist) {
	t.Helper()
	ctx := context.Background()
	off := mustOfficer(t, e)
	inst, err := e.Leads.CreateInstitution(ctx, off, "测试银行苏州分行", "bank")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := e.Leads.AddSpecialist(ctx, off, inst.ID, dialog.Specialist{Name: "李四", Phone: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	return inst, sp
}

func bindSpecialist(t *testing.T, e *apptest.Env, inst dialog.Institution, sp dialog.Specialist, openID string) {
	t.Helper()
	sc, err := e.Leads.NewSpecialistCode(context.Background(), mustOfficer(t, e), inst.ID, sp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Say(openID, "绑定 "+sc.Code); !strings.Contains(got, "绑定成功") {
		t.Fatalf("bind specialist: %s", got)
	}
}

func TestDeletingASpecialistEndsTheirAccess(t *testing.T) {
	e := apptest.New(t)
	inst, sp := mustSpecialist(t, e)
	bindSpecialist(t, e, inst, sp, "o-banker")
	token, acc := mustSignIn(t, e, "o-banker")
	if acc.Role != domain.RoleInstitution || acc.Institution != inst.ID {
		t.Fatalf("signed in as %+v", acc)
	}
	revoked, err := e.Leads.DeleteSpecialist(context.Background(), mustOfficer(t, e), inst.ID, sp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if revoked.Sessions != 1 || !strings.Contains(revoked.String(), acc.Username) {
		t.Errorf("revoked: %+v", revoked)
	}
	mustBeLockedOut(t, e, token, "o-banker")
}

// A specialist's WeChat replaced by a new binding (the phone changed
// hands) loses its sessions; the new one signs in.
func TestRebindingASpecialistEndsTheOldWeChat(t *testing.T) {
	e := apptest.New(t)
	inst, sp := mustSpecialist(t, e)
	bindSpecialist(t, e, inst, sp, "o-old-phone")
	token, _ := mustSignIn(t, e, "o-old-phone")
	bindSpecialist(t, e, inst, sp, "o-new-phone")
	mustBeLockedOut(t, e, token, "o-old-phone")
	mustSignIn(t, e, "o-new-phone")
	log, err := e.DB.AuditLogs(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || log[0].Action != "绑定服务专员微信" || !strings.Contains(log[0].Summary, "结束登录会话1个") {
		t.Errorf("operations log: %+v", log)
	}
}

func TestDisablingAnAccountEndsTheWeChatSignIn(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	off := mustOfficer(t, e)
	// A contact's WeChat-made account, disabled from the accounts page.
	e.BindContact("o-ks", "kunshan")
	token, acc := mustSignIn(t, e, "o-ks")
	_, _, revoked, err := e.Admin.SetAccountDisabled(ctx, off, acc.ID, true)
	if err != nil || revoked.Sessions != 1 {
		t.Fatalf("disable: %+v %v", revoked, err)
	}
	mustBeLockedOut(t, e, token, "o-ks")
	if _, _, _, err := e.Admin.SetAccountDisabled(ctx, off, acc.ID, false); err != nil {
		t.Fatal(err)
	}
	mustSignIn(t, e, "o-ks")

	// An officer who bound their own WeChat: disabling the account ends
	// the sessions of every account of that WeChat, password or not.
	zl, err := e.Admin.CreateAccount(ctx, off, domain.NewAccount{Username: "zhanglin", Password: "Zhanglin-2026-pw", Role: domain.RoleOfficer})
	if err != nil {
		t.Fatal(err)
	}
	bc, err := e.Admin.OwnBindCode(ctx, zl)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Say("o-zl", "绑定 "+bc.Code); !strings.Contains(got, "绑定成功") {
		t.Fatalf("own binding: %s", got)
	}
	e.BindContact("o-zl", "taicang") // the same person, also a county contact
	officerToken, got := mustSignIn(t, e, "o-zl")
	if got.Role != domain.RoleCounty { // the contact's binding comes first
		t.Fatalf("signed in as %+v", got)
	}
	password, _, err := e.Admin.Login(ctx, "zhanglin", "Zhanglin-2026-pw", "10.0.0.9")
	if err != nil {
		t.Fatal(err)
	}
	_, _, revoked, err = e.Admin.SetAccountDisabled(ctx, off, zl.ID, true)
	if err != nil || revoked.Sessions != 2 {
		t.Fatalf("disable officer: %+v %v", revoked, err)
	}
	mustBeLockedOut(t, e, officerToken, "o-zl")
	if _, err := e.Admin.Authenticate(ctx, password); err == nil {
		t.Error("the password session of a disabled account still works")
	}
	if _, _, err := e.Admin.WeChatSession(ctx, "o-zl"); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("wechat sign-in of a disabled account's WeChat: %v", err)
	}
}

// The WeChat sign-in takes an account by openid only for an officer who
// bound it: the account it once made for a contact or a specialist is not
// entered by openid alone.
func TestWeChatSignInNeedsACurrentBinding(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	e.BindContact("o-once", "kunshan")
	mustSignIn(t, e, "o-once")
	// The binding row goes by any route (here the store's own unbind).
	if err := e.DB.Unbind(ctx, "kunshan", "o-once"); err != nil {
		t.Fatal(err)
	}
	if _, acc, err := e.Admin.WeChatSession(ctx, "o-once"); !errors.Is(err, admin.ErrNotBound) {
		t.Errorf("signed in by openid alone: %+v %v", acc, err)
	}
}
