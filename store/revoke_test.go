package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
)

// A sign-in that read the binding just before it was removed gets no
// session: the binding is checked again once the token is issued.
func TestSignInRacingARemovalGetsNoSession(t *testing.T) {
	t.Parallel()
	db := mustSeededDB(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
	bc, _ := db.CreateBindCode(ctx, "kunshan", "admin", at)
	if _, err := db.UseBindCode(ctx, bc.Code, "o-racing", at); err != nil {
		t.Fatal(err)
	}
	cs, err := db.ContactsByOpenID(ctx, "o-racing")
	if err != nil || len(cs) != 1 {
		t.Fatalf("contacts %+v %v", cs, err)
	}
	if _, _, err := db.RemoveContact(ctx, "kunshan", "o-racing"); err != nil {
		t.Fatal(err)
	}
	// The sign-in goes on with what it read before the removal.
	if token, acc, err := db.ContactSession(ctx, cs[0], at); !errors.Is(err, domain.ErrNotFound) || token != "" {
		t.Fatalf("session after the removal: %q %+v %v", token, acc, err)
	}
	if _, _, err := db.OpenIDSession(ctx, "o-racing", at); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("signed in by openid alone: %v", err)
	}
}
