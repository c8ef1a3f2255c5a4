package leads_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
)

// Unknown, used and expired codes, of every kind, get the same answer.
func TestWrongBindCodesAreNotToldApart(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	officer := domain.Account{Username: "admin", Role: domain.RoleOfficer}
	used, _ := e.Leads.NewBindCode(ctx, officer, "kunshan")
	e.BindContact("o-first", "kunshan")
	if got := e.Say("o-first", "绑定 "+used.Code); !strings.Contains(got, "绑定成功") {
		t.Fatalf("bind: %s", got)
	}
	expired, _ := e.Leads.NewBindCode(ctx, officer, "sip")
	e.Clock.Add(store.BindCodeTTL + time.Minute)
	unknown := e.Say("o-guess-1", "绑定 ZZZZ2222ZZZZ")
	for name, got := range map[string]string{
		"used":    e.Say("o-guess-2", "绑定 "+used.Code),
		"expired": e.Say("o-guess-3", "绑定 "+expired.Code),
	} {
		if got != unknown {
			t.Errorf("%s code: %q, unknown: %q", name, got, unknown)
		}
	}
	if !strings.Contains(unknown, "绑定未成功") {
		t.Errorf("reply: %s", unknown)
	}
	if len(used.Code) != store.BindCodeLen || store.BindCodeLen < 12 {
		t.Errorf("code %q: too short to stay unguessable", used.Code)
	}
}

// Wrong codes from one openid are slowed, then refused for a while, each
// audited; a right code while held binds nothing; the hold ends.
func TestWrongBindCodesAreSlowedThenRefused(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	officer := domain.Account{Username: "admin", Role: domain.RoleOfficer}
	const guesser = "o-guesser-0001"
	guess := func(i int) string { return e.Say(guesser, fmt.Sprintf("绑定 %02dWRONG%05d", i%90+10, i)) }
	for i := range store.BindFreeFailures {
		if got := guess(i); !strings.Contains(got, "绑定未成功") || strings.Contains(got, "分钟后再试") {
			t.Fatalf("free failure %d: %s", i+1, got)
		}
	}
	// The next failure holds the next attempt back a minute.
	if got := guess(5); !strings.Contains(got, "1分钟后再试") {
		t.Fatalf("first slowed failure: %s", got)
	}
	right, _ := e.Leads.NewBindCode(ctx, officer, "kunshan")
	if got := e.Say(guesser, "绑定 "+right.Code); !strings.Contains(got, "分钟后再试") || strings.Contains(got, "绑定成功") {
		t.Fatalf("a right code while held: %s", got)
	}
	if cs, _ := e.DB.ContactCounties(ctx, guesser); len(cs) != 0 {
		t.Fatalf("bound while held: %v", cs)
	}
	// Waiting out each hold, the failures go on to the lock.
	for i := store.BindFreeFailures + 1; i < store.BindMaxFailures; i++ {
		e.Clock.Add(time.Hour)
		guess(i)
	}
	e.Clock.Add(30 * time.Minute)
	if got := e.Say(guesser, "绑定 "+right.Code); !strings.Contains(got, "分钟后再试") {
		t.Fatalf("locked: %s", got)
	}
	e.Clock.Add(store.BindWindow)
	if got := e.Say(guesser, "绑定 "+right.Code); !strings.Contains(got, "绑定成功") {
		t.Fatalf("after the hold: %s", got)
	}
	log, err := e.DB.AuditLogs(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	var wrong, locked int
	for _, r := range log {
		switch r.Action {
		case "绑定码错误":
			wrong++
		case "绑定受限":
			locked++
		}
		if strings.Contains(r.Summary+r.Object+r.Actor, guesser) || strings.Contains(r.Summary+r.Object, "WRONG") {
			t.Errorf("unmasked in the operations log: %+v", r)
		}
	}
	if wrong+locked != store.BindMaxFailures || locked != 1 {
		t.Errorf("operations log: %d wrong, %d locked", wrong, locked)
	}
}

// Wrong codes sharing a prefix, from many openids, refuse that prefix for
// a while: spreading guesses over accounts does not multiply them.
func TestWrongBindCodesPerPrefix(t *testing.T) {
	e := apptest.New(t)
	for i := range store.BindPrefixMaxFailures {
		e.Say(fmt.Sprintf("o-many-%03d", i), fmt.Sprintf("绑定 QQ%010d", i))
	}
	if got := e.Say("o-many-new", "绑定 QQ0000009999"); !strings.Contains(got, "分钟后再试") {
		t.Errorf("prefix after %d failures: %s", store.BindPrefixMaxFailures, got)
	}
	if got := e.Say("o-many-new", "绑定 RR0000009999"); strings.Contains(got, "分钟后再试") {
		t.Errorf("another prefix: %s", got)
	}
}
