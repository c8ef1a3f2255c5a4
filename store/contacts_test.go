package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
)

func TestBindCodes(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	if _, err := db.CreateBindCode(ctx, "atlantis", "admin", at); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown county: %v", err)
	}
	bc, err := db.CreateBindCode(ctx, "kunshan", "admin", at)
	if err != nil {
		t.Fatal(err)
	}
	if len(bc.Code) != store.BindCodeLen || !bc.ExpiresAt.Equal(at.Add(24*time.Hour)) {
		t.Fatalf("code %+v", bc)
	}
	// Typed in lower case with spaces: still the code.
	county, err := db.UseBindCode(ctx, "  "+strings.ToLower(bc.Code)+" ", "o-contact-1", at.Add(time.Hour))
	if err != nil || county != "kunshan" {
		t.Fatalf("use: %q %v", county, err)
	}
	if _, err := db.UseBindCode(ctx, bc.Code, "o-contact-2", at.Add(2*time.Hour)); !errors.Is(err, domain.ErrCodeUsed) {
		t.Errorf("reused: %v", err)
	}
	if _, err := db.UseBindCode(ctx, "WRONG123", "o-contact-2", at); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("wrong: %v", err)
	}
	old, _ := db.CreateBindCode(ctx, "kunshan", "admin", at)
	if _, err := db.UseBindCode(ctx, old.Code, "o-contact-2", at.Add(24*time.Hour)); !errors.Is(err, domain.ErrCodeExpired) {
		t.Errorf("expired: %v", err)
	}
	// Several contacts per county, and one contact in several counties.
	second, _ := db.CreateBindCode(ctx, "kunshan", "admin", at)
	if _, err := db.UseBindCode(ctx, second.Code, "o-contact-2", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	other, _ := db.CreateBindCode(ctx, "sip", "admin", at)
	if _, err := db.UseBindCode(ctx, other.Code, "o-contact-2", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	contacts, err := db.Contacts(ctx, "kunshan")
	if err != nil || !slices.Equal(contacts, []string{"o-contact-1", "o-contact-2"}) {
		t.Errorf("contacts %v %v", contacts, err)
	}
	counties, _ := db.ContactCounties(ctx, "o-contact-2")
	if !slices.Equal(counties, []string{"kunshan", "sip"}) {
		t.Errorf("counties %v", counties)
	}
	// Binding again with a fresh code is harmless.
	again, _ := db.CreateBindCode(ctx, "kunshan", "admin", at)
	if _, err := db.UseBindCode(ctx, again.Code, "o-contact-1", at); err != nil {
		t.Fatal(err)
	}
	if contacts, _ := db.Contacts(ctx, "kunshan"); len(contacts) != 2 {
		t.Errorf("rebinding duplicated a contact: %v", contacts)
	}
	if err := db.Unbind(ctx, "kunshan", "o-contact-1"); err != nil {
		t.Fatal(err)
	}
	if contacts, _ := db.Contacts(ctx, "kunshan"); !slices.Equal(contacts, []string{"o-contact-2"}) {
		t.Errorf("after unbind %v", contacts)
	}
}

func TestSettingsAndRobotURL(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	if v, err := db.SettingValue(ctx, "workdays_overrides"); err != nil || v != "" {
		t.Fatalf("unset: %q %v", v, err)
	}
	if err := db.SetSetting(ctx, "workdays_overrides", `{"2026-12-31":"off"}`, "admin"); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.SettingValue(ctx, "workdays_overrides"); v != `{"2026-12-31":"off"}` {
		t.Errorf("got %q", v)
	}
	if err := db.SetRobotURL(ctx, "kunshan", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "admin"); err != nil {
		t.Fatal(err)
	}
	c, err := db.County(ctx, "kunshan")
	if err != nil || !strings.Contains(c.RobotURL, "key=k") {
		t.Errorf("county %+v %v", c, err)
	}
	if err := db.SetRobotURL(ctx, "atlantis", "x", "admin"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown county: %v", err)
	}
	var _ domain.CountyRecord = c
}
