package leads

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// 好差评: a lead that closes (已入库, 已放款, 未通过; not a withdrawal,
// the enterprise's own act) asks its enterprise to rate the service, in a
// 客服 message queued right after the status notification in the same
// transaction. Outside WeChat's 48-hour window a 客服 message cannot
// reach the enterprise and a template cannot ask a question: the lead may
// still be rated for domain.RatingWindow by writing 评价 (or the level's
// words). One rating per lead: a second is politely refused, since the
// first may already have started a county's 回访. A poor rating (不满意,
// 非常不满意) becomes a ticket of the lead's county for 回访整改.

// RatingThanksData is the data of "rating_thanks".
type RatingThanksData struct {
	Number  string
	Label   string
	Comment string
	Poor    bool
	Bureau  string // the county bureau that calls back on a poor rating
}

// ratingNotify wraps notify with the rating question of a lead that closes
// in a rated status, when the enterprise wrote within the 48-hour window.
func (l *Service) ratingNotify(notify domain.NotifyFunc, inWindow bool) domain.NotifyFunc {
	return func(lead domain.Lead, ev domain.LeadEvent) ([]domain.Notification, error) {
		msgs, err := notify(lead, ev)
		if err != nil || lead.OpenID == "" || !inWindow || !domain.RatedStatus(ev.Status) {
			return msgs, err
		}
		content, err := l.replies.Render(dialog.Reply{Name: "rating_question", Data: dialog.RatingQuestion(lead.Number, lead.Kind)})
		if err != nil {
			return nil, err
		}
		m, err := KFTextMessage(lead.OpenID, content, fmt.Sprintf("lead:%d:rating", lead.ID))
		if err != nil {
			return nil, err
		}
		return append(msgs, m), nil
	}
}

// inWindow reports whether openID wrote within WeChat's 48-hour window.
func (l *Service) inWindow(ctx context.Context, openID string, now time.Time) bool {
	if openID == "" {
		return false
	}
	seen, err := l.sessions.LastSeen(ctx, openID)
	return err == nil && !seen.IsZero() && now.Sub(seen) < KFWindow
}

// openRating records that a lead closed and may be rated. A failure is
// logged: the move stands, only its rating is lost.
func (l *Service) openRating(ctx context.Context, lead domain.Lead, asked bool, now time.Time) {
	if lead.OpenID == "" || !domain.RatedStatus(lead.Status) {
		return
	}
	var at *time.Time
	if asked {
		at = &now
	}
	if err := l.db.OpenRating(ctx, lead, at, now); err != nil {
		l.log.Warn("rating not opened", slog.String("lead", lead.Number), slog.Any("error", err))
	}
}

// rate stores a rating typed in the chat and answers it; a poor one
// opens a 回访 ticket of the lead's county.
func (l *Service) rate(ctx context.Context, in dialog.Inbound, st *dialog.State, e dialog.RateService) ([]dialog.Reply, error) {
	if !domain.ValidRating(e.Level) {
		return nil, fmt.Errorf("rate %s: level %d", e.Lead, e.Level)
	}
	r, err := l.db.RateLead(ctx, e.Lead, in.OpenID, e.Level, e.Comment, in.At)
	switch {
	case errors.Is(err, domain.ErrRated):
		st.Profile.Rating.Rated = true
		return []dialog.Reply{{Name: "rating_already", Data: e.Lead}}, nil
	case errors.Is(err, domain.ErrNotFound):
		st.Profile.Rating = dialog.RatingDue{}
		return []dialog.Reply{{Name: "rating_unknown", Data: e.Lead}}, nil
	case err != nil:
		return nil, err
	}
	st.Profile.Rating.Rated = true
	// The reply ends the comment with its own full stop.
	comment := strings.TrimRight(strings.TrimSpace(r.Comment), "。.！!；;，, ")
	d := RatingThanksData{Number: r.LeadNumber, Label: domain.RatingLabel(r.Level), Comment: comment, Poor: domain.PoorRating(r.Level)}
	if c, ok := l.policy().County(r.County); ok {
		d.Bureau = c.Bureau
	}
	if d.Poor {
		if err := l.ratingTicket(ctx, in, st, r); err != nil {
			// The rating is kept; the call back is the officers' to arrange
			// from the monthly return.
			l.log.Error("poor rating ticket not opened", slog.String("lead", r.LeadNumber),
				slog.String("openid", wechat.MaskOpenID(in.OpenID)), slog.Any("error", err))
		}
	}
	return []dialog.Reply{{Name: "rating_thanks", Data: d}}, nil
}

// ratingTicket hands a poor rating to the lead's county as a ticket, its
// contacts notified; the enterprise's next messages join it.
func (l *Service) ratingTicket(ctx context.Context, in dialog.Inbound, st *dialog.State, r domain.Rating) error {
	lead, err := l.db.LeadByNumber(ctx, r.LeadNumber)
	if err != nil {
		return err
	}
	contacts, err := l.db.Contacts(ctx, r.County)
	if err != nil {
		return err
	}
	robot, err := l.db.RobotURL(ctx, r.County)
	if err != nil {
		return err
	}
	if len(contacts) == 0 {
		if contacts, err = l.OfficerOpenIDs(ctx); err != nil {
			return err
		}
		robot = ""
	}
	q := fmt.Sprintf("服务评价“%s”（%s %s），请回访整改。", domain.RatingLabel(r.Level), domain.LeadKindLabel(r.Kind), r.LeadNumber)
	if r.Comment != "" {
		q += "企业意见：" + r.Comment
	}
	t, err := l.db.CreateTicket(ctx, domain.Ticket{OpenID: in.OpenID, County: r.County, Question: truncateRunes(q, maxTicketText),
		EnterpriseName: lead.EnterpriseName, CreatedAt: in.At}, func(t domain.Ticket) ([]domain.Notification, error) {
		return l.ticketMessagesFor(t, "rating", contacts, robot)
	})
	if err != nil {
		return err
	}
	if st.Profile.Ticket == 0 {
		st.Profile.Ticket = t.ID
	}
	return l.db.SetRatingTicket(ctx, r.LeadID, t.ID)
}
