package admin

import (
	"context"
	"log/slog"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
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
	Log      *slog.Logger
	DB       *store.DB
	Client   *wechat.Client
	Policies Policies
	Leads    *leads.Service
	Now      func() time.Time // nil: the real clock
}

// Service runs the administration's use cases.
type Service struct {
	log      *slog.Logger
	db       *store.DB
	client   *wechat.Client
	policies Policies
	leads    *leads.Service
	now      func() time.Time
}

// New returns the administration's use cases.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = func() time.Time { return time.Now().UTC() }
	}
	return &Service{log: d.Log, db: d.DB, client: d.Client, policies: d.Policies, leads: d.Leads, now: d.Now}
}

func (s *Service) policy() *dialog.Policy { return s.policies.Policy() }
