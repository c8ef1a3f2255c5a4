package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Feedback on answers (有用/没用) and ratings of closed applications (好差评).

// AnswerFeedbackRecord is one enterprise's judgement of an FAQ answer.
type AnswerFeedbackRecord struct {
	ID     uint64    `gorm:"primaryKey"`
	FAQ    string    `gorm:"size:80;index;not null"`
	Useful bool      `gorm:"not null"`
	At     time.Time `gorm:"index;not null"`
}

// TableName keeps the table's name short and plain.
func (AnswerFeedbackRecord) TableName() string { return "answer_feedback" }

// LeadRating is an enterprise's rating of the service on one closed lead:
// a row once the lead closed, rated (Level 1–5) at most once.
type LeadRating struct {
	ID         uint64     `gorm:"primaryKey"`
	LeadID     uint64     `gorm:"uniqueIndex;not null"`
	LeadNumber string     `gorm:"size:40;index;not null"`
	Kind       string     `gorm:"size:16;not null"`
	County     string     `gorm:"size:40;index;not null"`
	OpenID     string     `gorm:"size:64;index;not null"`
	Level      int        `gorm:"not null;default:0"`
	Comment    string     `gorm:"size:800;not null;default:''"`
	CreatedAt  time.Time  `gorm:"index;not null"`
	AskedAt    *time.Time // nil: the question could not be sent (outside 48 h)
	RatedAt    *time.Time `gorm:"index"`
	TicketID   uint64     `gorm:"not null;default:0"`
}

// RecordAnswerFeedback counts one 有用 or 没用 of FAQ answer faq.
func (db *DB) RecordAnswerFeedback(ctx context.Context, faq string, useful bool, at time.Time) error {
	if err := db.WithContext(ctx).Create(&AnswerFeedbackRecord{FAQ: faq, Useful: useful, At: at.UTC()}).Error; err != nil {
		return fmt.Errorf("record answer feedback %s: %w", faq, err)
	}
	return nil
}

// RecordUnhelpful puts a question whose answer was judged unhelpful in
// the learning queue (未识别问题) with the answer given: a new open row,
// or one more sighting of the same question, open again.
func (db *DB) RecordUnhelpful(ctx context.Context, folded, text, faq, answer string, at time.Time) error {
	at = at.UTC()
	if len(folded) > 191 {
		folded = folded[:191]
	}
	m := UnplacedMessage{Folded: folded, Text: text, SeenCount: 1, FirstSeen: at, LastSeen: at, Status: UnplacedOpen,
		Answer: answer, FAQ: faq, Unhelpful: 1}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "folded"}},
		DoUpdates: clause.Assignments(map[string]any{
			"seen_count": gorm.Expr("seen_count + 1"), "unhelpful": gorm.Expr("unhelpful + 1"),
			"last_seen": at, "status": UnplacedOpen, "answer": answer, "faq": faq,
		}),
	}).Create(&m).Error
	if err != nil {
		return fmt.Errorf("record unhelpful: %w", err)
	}
	return nil
}

// AnswerFeedbackCounts counts 有用 and 没用 per FAQ answer since since,
// the most judged unhelpful first.
func (db *DB) AnswerFeedbackCounts(ctx context.Context, since time.Time) ([]domain.FeedbackCount, error) {
	var rows []struct {
		FAQ       string
		Useful    int
		Unhelpful int
	}
	err := db.WithContext(ctx).Model(&AnswerFeedbackRecord{}).
		Select("faq, SUM(CASE WHEN useful THEN 1 ELSE 0 END) AS useful, SUM(CASE WHEN useful THEN 0 ELSE 1 END) AS unhelpful").
		Where("at >= ?", since.UTC()).Group("faq").Order("unhelpful DESC, useful DESC, faq").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("answer feedback counts: %w", err)
	}
	out := make([]domain.FeedbackCount, len(rows))
	for i, r := range rows {
		out[i] = domain.FeedbackCount{FAQ: r.FAQ, Useful: r.Useful, Unhelpful: r.Unhelpful}
	}
	return out, nil
}

// OpenRating records that lead closed and may be rated; asked is when the
// question went out, nil when it could not. A lead has one row: a second
// call changes nothing.
func (db *DB) OpenRating(ctx context.Context, lead domain.Lead, asked *time.Time, at time.Time) error {
	r := LeadRating{LeadID: lead.ID, LeadNumber: lead.Number, Kind: lead.Kind, County: lead.County, OpenID: lead.OpenID,
		CreatedAt: at.UTC(), AskedAt: utcPtr(asked)}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "lead_id"}}, DoNothing: true}).Create(&r).Error
	if err != nil {
		return fmt.Errorf("open rating %s: %w", lead.Number, err)
	}
	return nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// RatingDue is the follower's latest lead closed since since, which it may
// rate (or has rated).
func (db *DB) RatingDue(ctx context.Context, openID string, since time.Time) (dialog.RatingDue, error) {
	var r LeadRating
	err := db.WithContext(ctx).Where("open_id = ? AND created_at >= ?", openID, since.UTC()).
		Order("created_at DESC, id DESC").Limit(1).Find(&r).Error
	if err != nil {
		return dialog.RatingDue{}, fmt.Errorf("rating due: %w", err)
	}
	if r.ID == 0 {
		return dialog.RatingDue{}, nil
	}
	d := dialog.RatingDue{Lead: r.LeadNumber, Kind: r.Kind, Rated: r.Level != 0}
	if r.AskedAt != nil {
		d.AskedAt = r.AskedAt.UTC()
	}
	return d, nil
}

// ErrRated is returned by RateLead for a lead already rated
// (domain.ErrRated).
var ErrRated = domain.ErrRated

// RateLead stores the follower's rating of its lead number: ErrRated when
// it was rated before, domain.ErrNotFound when the follower has no closed
// lead of that number.
func (db *DB) RateLead(ctx context.Context, number, openID string, level int, comment string, at time.Time) (domain.Rating, error) {
	var r LeadRating
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("lead_number = ? AND open_id = ?", number, openID).
			Take(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return domain.ErrNotFound
			}
			return err
		}
		if r.Level != 0 {
			return ErrRated
		}
		rated := at.UTC()
		r.Level, r.Comment, r.RatedAt = level, comment, &rated
		return tx.Model(&LeadRating{}).Where("id = ? AND level = 0", r.ID).
			Updates(map[string]any{"level": level, "comment": comment, "rated_at": rated}).Error
	})
	if err != nil {
		return domain.Rating{}, fmt.Errorf("rate lead %s: %w", number, err)
	}
	return toRating(r), nil
}

// SetRatingTicket links a poor rating to its 回访 ticket.
func (db *DB) SetRatingTicket(ctx context.Context, leadID, ticketID uint64) error {
	if err := db.WithContext(ctx).Model(&LeadRating{}).Where("lead_id = ?", leadID).Update("ticket_id", ticketID).Error; err != nil {
		return fmt.Errorf("rating ticket %d: %w", leadID, err)
	}
	return nil
}

// RatingCounts counts the ratings given in [from, to) per county and level.
func (db *DB) RatingCounts(ctx context.Context, from, to time.Time) ([]domain.RatingCount, error) {
	var rows []struct {
		County string
		Level  int
		N      int
	}
	err := db.WithContext(ctx).Model(&LeadRating{}).Select("county, level, COUNT(*) AS n").
		Where("level > 0 AND rated_at >= ? AND rated_at < ?", from.UTC(), to.UTC()).
		Group("county, level").Order("county").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("rating counts: %w", err)
	}
	var out []domain.RatingCount
	for _, r := range rows {
		if !domain.ValidRating(r.Level) {
			continue
		}
		if len(out) == 0 || out[len(out)-1].County != r.County {
			out = append(out, domain.RatingCount{County: r.County})
		}
		out[len(out)-1].ByLevel[r.Level] += r.N
	}
	return out, nil
}

func toRating(r LeadRating) domain.Rating {
	return domain.Rating{LeadID: r.LeadID, LeadNumber: r.LeadNumber, Kind: r.Kind, County: r.County, OpenID: r.OpenID,
		Level: r.Level, Comment: r.Comment, CreatedAt: r.CreatedAt, AskedAt: r.AskedAt, RatedAt: r.RatedAt, TicketID: r.TicketID}
}
