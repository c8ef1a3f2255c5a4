package leads

import (
	"context"
	"errors"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// WithdrawShowData is the data of "withdraw_show": the application about
// to be withdrawn, then the flow's first question (dialog/withdraw.go).
type WithdrawShowData struct {
	Line LeadLine
	dialog.WithdrawData
}

// showWithdrawal answers 撤回 编号: the application and the question of the
// reason (or, with a reason typed, the confirmation). A number that is not
// the sender's is answered as unknown, one no longer open as refused, and
// either ends the flow: nothing is asked about an application that cannot
// be withdrawn.
func (l *Service) showWithdrawal(ctx context.Context, in dialog.Inbound, st *dialog.State, e dialog.ShowWithdrawal) ([]dialog.Reply, error) {
	if e.Number == "" {
		// 撤回 alone: the one open application, or the choice of them.
		open, err := l.db.Leads(ctx, domain.LeadFilter{OpenID: in.OpenID, OpenOnly: true})
		if err != nil {
			return nil, err
		}
		if len(open) != 1 {
			st.Flow, st.Step, st.History, st.Fields = "", "", nil, nil
			lines := make([]LeadLine, 0, len(open))
			for _, ld := range open {
				lines = append(lines, l.line(ld))
			}
			return []dialog.Reply{{Name: "withdraw_which", Data: lines}}, nil
		}
		e.Number = open[0].Number
		st.Fields["number"] = e.Number
	}
	m, err := l.checkMove(ctx, ChatActor(in), MoveRequest{Ref: e.Number, To: domain.StatusWithdrawn}, true)
	if err != nil {
		st.Flow, st.Step, st.History, st.Fields = "", "", nil, nil
	}
	switch {
	case err == nil:
	case errors.Is(err, domain.ErrNotFound):
		return []dialog.Reply{{Name: "lead_not_found", Data: e.Number}}, nil
	case domain.Message(err) != "" && (errors.Is(err, domain.ErrTransition) || errors.Is(err, domain.ErrInvalid) || errors.Is(err, domain.ErrForbidden)):
		return []dialog.Reply{{Name: "move_invalid", Data: domain.Message(err)}}, nil
	default:
		return nil, err
	}
	return []dialog.Reply{{Name: "withdraw_show", Data: WithdrawShowData{Line: l.line(m.lead), WithdrawData: dialog.WithdrawData{
		Number: m.lead.Number, Reason: e.Reason, Reasons: dialog.WithdrawReasons,
	}}}}, nil
}
