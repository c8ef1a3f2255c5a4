package leads

import (
	"context"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// BanksData is the data of "banks_list": the cooperating institutions
// serving a county, from the records the bureaus keep.
type BanksData struct {
	County    domain.County
	Product   string // the product asked about, or ""
	KindLabel string // the kind asked about (银行…), or "" for any
	Items     []BankLine
}

// BankLine is one institution as an enterprise reads it: only the
// specialists who agreed to be shown, with name and phone.
type BankLine struct {
	Name        string
	KindLabel   string
	Specialists []dialog.Specialist
}

// banks answers ShowBanks.
func (l *Service) banks(ctx context.Context, e dialog.ShowBanks) ([]dialog.Reply, error) {
	p := l.policy()
	c, ok := p.County(e.County)
	if !ok {
		return nil, domain.Errorf(domain.ErrInvalid, "unknown county %q", e.County)
	}
	list, err := l.db.Institutions(ctx)
	if err != nil {
		return nil, err
	}
	d := BanksData{County: c}
	if pr, ok := p.Product(e.Product); ok {
		d.Product = pr.Name
	}
	if e.Kind != "" {
		d.KindLabel = dialog.InstitutionKindLabel(e.Kind)
	}
	for _, in := range list {
		if !in.Serves(e.County) || e.Kind != "" && in.Kind != e.Kind {
			continue
		}
		line := BankLine{Name: in.Name, KindLabel: dialog.InstitutionKindLabel(in.Kind)}
		for _, sp := range in.Specialists {
			if !sp.ConsentAt.IsZero() {
				line.Specialists = append(line.Specialists, sp)
			}
		}
		d.Items = append(d.Items, line)
	}
	return []dialog.Reply{{Name: "banks_list", Data: d}}, nil
}
