package leads

import (
	"context"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Unreceived is a county without a bound WeChat contact: its new
// applications reach the city officers only, and wait there.
type Unreceived struct {
	County  string `json:"county"`
	Name    string `json:"name"`
	Waiting int64  `json:"waiting"` // applications not yet taken up (已提交)
}

// Unreceived lists the counties without a bound contact, as the account
// may see them: officers and viewers every county, a county account its
// own; specialists none.
func (l *Service) Unreceived(ctx context.Context, acc domain.Account) ([]Unreceived, error) {
	if acc.Role == domain.RoleInstitution {
		return nil, nil
	}
	if err := acc.Require(domain.PermCountiesRead); err != nil {
		return nil, err
	}
	bound, err := l.db.BoundCounties(ctx)
	if err != nil {
		return nil, err
	}
	waiting, err := l.db.WaitingByCounty(ctx)
	if err != nil {
		return nil, err
	}
	var out []Unreceived
	for _, c := range l.policy().Counties {
		if bound[c.ID] || !acc.Sees(c.ID) {
			continue
		}
		out = append(out, Unreceived{County: c.ID, Name: c.Name, Waiting: waiting[c.ID]})
	}
	return out, nil
}
