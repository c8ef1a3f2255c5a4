package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// TestInstitutionCountiesAndSpecialistConsent: the counties served and the
// specialists' consent are stored and read back; saving the same value
// twice (0 rows affected on MariaDB) is no error; a specialist of another
// institution is not found.
func TestInstitutionCountiesAndSpecialistConsent(t *testing.T) {
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	bank, err := db.CreateInstitution(ctx, "测试银行吴江支行", "bank", "admin", at)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := db.CreateInstitution(ctx, "测试银行昆山支行", "bank", "admin", at)
	if len(bank.Counties) != 0 || !bank.Serves("kunshan") {
		t.Fatalf("a new institution serves all of Suzhou: %+v", bank.Counties)
	}
	for range 2 {
		in, err := db.SetInstitutionCounties(ctx, bank.ID, []string{"wujiang", "wuzhong"}, "admin", at)
		if err != nil || !slices.Equal(in.Counties, []string{"wujiang", "wuzhong"}) || in.Serves("kunshan") || !in.Serves("wuzhong") {
			t.Fatalf("counties %+v, %v", in.Counties, err)
		}
	}
	if in, err := db.SetInstitutionCounties(ctx, bank.ID, nil, "admin", at); err != nil || len(in.Counties) != 0 {
		t.Fatalf("all of Suzhou again: %+v, %v", in.Counties, err)
	}
	if _, err := db.SetInstitutionCounties(ctx, 999999, nil, "admin", at); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown institution: %v", err)
	}

	sp, err := db.AddSpecialist(ctx, dialog.Specialist{Institution: bank.ID, Name: "王专员", Phone: "13800002222"}, at)
	if err != nil || !sp.ConsentAt.IsZero() {
		t.Fatalf("new specialist %+v, %v", sp, err)
	}
	for range 2 {
		got, err := db.SetSpecialistConsent(ctx, bank.ID, sp.ID, true, at)
		if err != nil || !got.ConsentAt.Equal(at) {
			t.Fatalf("consent %+v, %v", got, err)
		}
	}
	in, _ := db.Institution(ctx, bank.ID)
	if len(in.Specialists) != 1 || in.Specialists[0].ConsentAt.IsZero() {
		t.Fatalf("institution's specialists %+v", in.Specialists)
	}
	if got, err := db.SetSpecialistConsent(ctx, bank.ID, sp.ID, false, at); err != nil || !got.ConsentAt.IsZero() {
		t.Fatalf("withdrawn %+v, %v", got, err)
	}
	if _, err := db.SetSpecialistConsent(ctx, other.ID, sp.ID, true, at); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("another institution's specialist: %v", err)
	}
}
