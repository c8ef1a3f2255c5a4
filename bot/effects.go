package bot

import (
	"context"
	"log/slog"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// Leads runs a turn's lead effects: a submitted form, a progress question,
// a bind code, a move typed by a county contact, a contact's profile. A
// form that could not be stored is a *leads.SubmitError.
type Leads interface {
	Apply(ctx context.Context, in dialog.Inbound, st *dialog.State, e dialog.Effect) ([]dialog.Reply, error)
}

// Roster answers the chat's questions about the 企业库 roster.
type Roster interface {
	// LookupRoster answers whether the enterprise of a credit code is in
	// the roster.
	LookupRoster(ctx context.Context, creditCode string) ([]dialog.Reply, error)
	// RosterNote tells a follower who finished the self-check when the
	// roster has its enterprise in another tier; nil when not.
	RosterNote(ctx context.Context, openID string, tier domain.Tier) ([]dialog.Reply, error)
}

// apply runs one effect of a turn and returns any replies it produces. st is
// the state about to be saved; an effect may complete it (a county learnt
// from a poster's QR code).
func (b *Bot) apply(ctx context.Context, in dialog.Inbound, st *dialog.State, e dialog.Effect) ([]dialog.Reply, error) {
	switch e := e.(type) {
	case dialog.Follow:
		county, err := b.db.CountyByScene(ctx, e.Scene)
		if err != nil {
			return nil, err
		}
		if err := b.db.Follow(ctx, in.OpenID, e.Scene, county, in.At); err != nil {
			return nil, err
		}
		if county != "" && st.Profile.County == "" {
			st.Profile.County = county
		}
		return nil, nil
	case dialog.Unfollow:
		return nil, b.db.Unfollow(ctx, in.OpenID, in.At)
	case dialog.SaveCheck:
		if err := b.db.SaveCheck(ctx, in.OpenID, e.Tier, e.Criteria, in.At); err != nil {
			return nil, err
		}
		if st.Profile.Applied == dialog.AppliedNone {
			return nil, nil // no application whose enterprise the roster could list
		}
		return b.roster.RosterNote(ctx, in.OpenID, e.Tier)
	case dialog.LookupRoster:
		return b.roster.LookupRoster(ctx, e.CreditCode)
	case dialog.Bind:
		replies, err := b.leads.Apply(ctx, in, st, e)
		for _, r := range replies {
			// A bound contact or specialist is staff from now on: their menu.
			switch r.Name {
			case "bind_ok":
				st.Profile.Staff = domain.RoleCounty
			case "bind_specialist_ok":
				st.Profile.Staff = domain.RoleInstitution
			}
		}
		return replies, err
	case dialog.Unplaced:
		// A lost record must not cost the follower the answer.
		if err := b.db.RecordUnplaced(ctx, e.Folded, e.Text, in.At); err != nil {
			b.log.Warn("unplaced message not recorded", slog.Any("error", err))
		} else if err := b.db.RecordUnplacedAsker(ctx, e.Folded, in.OpenID, in.At); err != nil {
			b.log.Warn("unplaced asker not recorded", slog.String("openid", wechat.MaskOpenID(in.OpenID)), slog.Any("error", err))
		}
		return nil, nil
	case dialog.AnswerFeedback:
		b.answerFeedback(ctx, in, e)
		return nil, nil
	}
	return b.leads.Apply(ctx, in, st, e)
}

// answerFeedback records 有用 or 没用 of an FAQ answer; an unhelpful one
// joins the learning queue with the answer given. A lost record must not
// cost the follower the reply.
func (b *Bot) answerFeedback(ctx context.Context, in dialog.Inbound, e dialog.AnswerFeedback) {
	if err := b.db.RecordAnswerFeedback(ctx, e.FAQ, e.Useful, in.At); err != nil {
		b.log.Warn("answer feedback not recorded", slog.Any("error", err))
	}
	if e.Useful || e.Folded == "" {
		return
	}
	answer, _, err := b.replies.join(e.Answer)
	if err != nil {
		b.log.Warn("unhelpful answer not rendered", slog.String("faq", e.FAQ), slog.Any("error", err))
	}
	if err := b.db.RecordUnhelpful(ctx, e.Folded, e.Question, e.FAQ, answer, in.At); err != nil {
		b.log.Warn("unhelpful answer not recorded", slog.Any("error", err))
	} else if err := b.db.RecordUnplacedAsker(ctx, e.Folded, in.OpenID, in.At); err != nil {
		b.log.Warn("unhelpful asker not recorded", slog.String("openid", wechat.MaskOpenID(in.OpenID)), slog.Any("error", err))
	}
}
