package bot

import (
	"context"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// Leads runs the lead effects: submitting applications, listing progress,
// binding county contacts and their status changes from the chat.
type Leads struct{}

func (l *Leads) apply(ctx context.Context, in dialog.Inbound, st *dialog.State, e dialog.Effect) ([]dialog.Reply, error) {
	return []dialog.Reply{{Name: "not_ready", Data: "leads"}}, nil
}
