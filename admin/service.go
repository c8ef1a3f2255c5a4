package admin

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// Policies gives the policy in force and reloads it after a change.
type Policies interface {
	Policy() *dialog.Policy
	Base() *dialog.Policy // the seeded policy, before officers' changes
	Refresh(ctx context.Context) error
}

// Deps are the Service's collaborators.
type Deps struct {
	Log *slog.Logger
	// The repositories (app gives the store for each).
	Accounts   Accounts
	Attempts   Attempts
	Sessions   Sessions
	OpsLog     OpsLog
	Counties   Counties
	Broadcasts Broadcasts
	Reports    Reports
	Roster     Roster
	Learning   Learning

	Client   *wechat.Client
	Policies Policies
	Leads    *leads.Service
	Now      func() time.Time // nil: the real clock
	// PasswordCost is the bcrypt cost of stored passwords (0: bcrypt's
	// default). Tests lower it; production leaves it.
	PasswordCost int
}

// Service runs the administration's use cases.
type Service struct {
	log      *slog.Logger
	client   *wechat.Client
	policies Policies
	leads    *leads.Service
	now      func() time.Time

	accounts   Accounts
	attempts   Attempts
	sessions   Sessions
	ops        OpsLog
	counties   Counties
	broadcasts Broadcasts
	reports    Reports
	roster     Roster
	learning   Learning

	passwordCost int
	dummyOnce    sync.Once
	dummy        string
}

// New returns the administration's use cases.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = func() time.Time { return time.Now().UTC() }
	}
	if d.PasswordCost == 0 {
		d.PasswordCost = bcrypt.DefaultCost
	}
	return &Service{log: d.Log, client: d.Client, policies: d.Policies, leads: d.Leads, now: d.Now,
		accounts: d.Accounts, attempts: d.Attempts, sessions: d.Sessions, ops: d.OpsLog, counties: d.Counties,
		broadcasts: d.Broadcasts, reports: d.Reports, roster: d.Roster, learning: d.Learning,
		passwordCost: d.PasswordCost}
}

func (s *Service) policy() *dialog.Policy { return s.policies.Policy() }
