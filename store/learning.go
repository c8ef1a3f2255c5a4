package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The learning loop's records: messages the bot could not place, and what
// officers taught it (paraphrases attached to intents, FAQ entries).

// Statuses of an unplaced message (domain's).
const (
	UnplacedOpen      = domain.UnplacedOpen
	UnplacedTaught    = domain.UnplacedTaught
	UnplacedDismissed = domain.UnplacedDismissed
)

// UnplacedMessage is a message the bot could not place, counted by its
// folded form. Text is the first one seen, PII-masked by the engine.
type UnplacedMessage struct {
	ID         uint64    `gorm:"primaryKey"`
	Folded     string    `gorm:"size:191;uniqueIndex;not null"`
	Text       string    `gorm:"size:800;not null"`
	SeenCount  int       `gorm:"not null;default:1"`
	FirstSeen  time.Time `gorm:"not null"`
	LastSeen   time.Time `gorm:"index;not null"`
	Status     string    `gorm:"size:16;index;not null"`
	Intent     string    `gorm:"size:80"`
	ResolvedBy string    `gorm:"size:64"`
	ResolvedAt *time.Time
	// Answer is the answer given to a question judged unhelpful (没用),
	// FAQ the entry it came from, Unhelpful how many times it was judged so.
	Answer    string `gorm:"type:text"`
	FAQ       string `gorm:"size:80"`
	Unhelpful int    `gorm:"not null;default:0"`
}

// TaughtParaphrase is a message an officer attached to an intent.
type TaughtParaphrase struct {
	ID        uint64 `gorm:"primaryKey"`
	Intent    string `gorm:"size:80;index;not null"`
	Text      string `gorm:"size:800;not null"`
	CreatedBy string `gorm:"size:64;not null"`
	CreatedAt time.Time
}

// TaughtFAQ is an FAQ entry an officer wrote; Version counts its edits.
type TaughtFAQ struct {
	ID        string `gorm:"primaryKey;size:64"`
	Question  string `gorm:"size:400;not null"`
	Answer    string `gorm:"type:text;not null"`
	Clause    string `gorm:"size:64;not null"`
	Version   int    `gorm:"not null"`
	UpdatedBy string `gorm:"size:64;not null"`
	UpdatedAt time.Time
}

// RecordUnplaced counts one unplaced message: a new row the first time its
// folded form is seen, else one more sighting. A dismissed or taught message
// seen again is open again, since what was done did not help.
func (db *DB) RecordUnplaced(ctx context.Context, folded, text string, at time.Time) error {
	at = at.UTC()
	if len(folded) > 191 {
		folded = folded[:191] // bytes: a cut rune is still a stable key
	}
	m := UnplacedMessage{Folded: folded, Text: text, SeenCount: 1, FirstSeen: at, LastSeen: at, Status: UnplacedOpen}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "folded"}},
		DoUpdates: clause.Assignments(map[string]any{
			"seen_count": gorm.Expr("seen_count + 1"), "last_seen": at, "status": UnplacedOpen,
		}),
	}).Create(&m).Error
	if err != nil {
		return fmt.Errorf("record unplaced: %w", err)
	}
	return nil
}

// UnplacedAsker is a follower who asked an unplaced message, so that the
// answer officers teach can be sent to it within WeChat's 48-hour window.
// Askers are kept no longer than that window (AskerWindow), are forgotten
// once the answer is sent, and are erased with the follower's data.
type UnplacedAsker struct {
	ID         uint64    `gorm:"primaryKey"`
	UnplacedID uint64    `gorm:"index;not null"`
	OpenID     string    `gorm:"size:64;index;not null"`
	AskedAt    time.Time `gorm:"index;not null"`
}

// AskerWindow is how long an asker is kept: WeChat's 48-hour window for
// 客服 messages.
const AskerWindow = 48 * time.Hour

// RecordUnplacedAsker remembers that openID asked the unplaced message
// recorded under folded, and forgets askers older than AskerWindow.
func (db *DB) RecordUnplacedAsker(ctx context.Context, folded, openID string, at time.Time) error {
	if openID == "" {
		return nil
	}
	at = at.UTC()
	id, err := db.UnplacedIDByFolded(ctx, folded)
	if err != nil {
		return fmt.Errorf("record unplaced asker: %w", err)
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("asked_at < ?", at.Add(-AskerWindow)).Delete(&UnplacedAsker{}).Error; err != nil {
			return fmt.Errorf("prune unplaced askers: %w", err)
		}
		if err := tx.Create(&UnplacedAsker{UnplacedID: id, OpenID: openID, AskedAt: at}).Error; err != nil {
			return fmt.Errorf("record unplaced asker: %w", err)
		}
		return nil
	})
}

// UnplacedAskers returns the followers who asked unplaced message id since
// since, each once.
func (db *DB) UnplacedAskers(ctx context.Context, id uint64, since time.Time) ([]string, error) {
	var out []string
	err := db.WithContext(ctx).Model(&UnplacedAsker{}).Where("unplaced_id = ? AND asked_at >= ?", id, since.UTC()).
		Distinct("open_id").Order("open_id").Pluck("open_id", &out).Error
	if err != nil {
		return nil, fmt.Errorf("unplaced askers %d: %w", id, err)
	}
	return out, nil
}

// SendToAskers enqueues msgs (the taught answer to those who asked) and
// forgets the askers of unplaced message id, in one transaction.
func (db *DB) SendToAskers(ctx context.Context, id uint64, msgs []Message, at time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("unplaced_id = ?", id).Delete(&UnplacedAsker{}).Error; err != nil {
			return fmt.Errorf("forget unplaced askers %d: %w", id, err)
		}
		return enqueue(tx, msgs, at)
	})
}

// UnplacedMessages returns messages of a status, the most frequent first.
func (db *DB) UnplacedMessages(ctx context.Context, status string, limit int) ([]domain.UnplacedMessage, error) {
	var out []UnplacedMessage
	err := db.WithContext(ctx).Where("status = ?", status).
		Order("seen_count DESC, last_seen DESC, id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("unplaced messages: %w", err)
	}
	return toUnplacedMessages(out), nil
}

// UnplacedMessage returns one unplaced message.
func (db *DB) UnplacedMessage(ctx context.Context, id uint64) (domain.UnplacedMessage, error) {
	m, err := take[UnplacedMessage](db.WithContext(ctx).Where("id = ?", id), fmt.Sprintf("unplaced message %d", id))
	return domain.UnplacedMessage(m), err
}

// UnplacedIDByFolded returns the id of the unplaced message recorded
// under folded, or domain.ErrNotFound.
func (db *DB) UnplacedIDByFolded(ctx context.Context, folded string) (uint64, error) {
	if len(folded) > 191 {
		folded = folded[:191]
	}
	m, err := take[UnplacedMessage](db.WithContext(ctx).Where("folded = ?", folded), "unplaced message")
	return m.ID, err
}

// resolve marks an open message as taught or dismissed in tx.
func resolve(tx *gorm.DB, id uint64, status, intent, by string, at time.Time) (UnplacedMessage, error) {
	m, err := take[UnplacedMessage](tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id), fmt.Sprintf("unplaced message %d", id))
	if err != nil {
		return m, err
	}
	if m.Status != UnplacedOpen {
		return m, domain.Errorf(domain.ErrTransition, "该问题已处理")
	}
	at = at.UTC()
	res := tx.Model(&UnplacedMessage{}).Where("id = ? AND status = ?", id, UnplacedOpen).
		Updates(map[string]any{"status": status, "intent": intent, "resolved_by": by, "resolved_at": at})
	if res.Error != nil {
		return m, fmt.Errorf("resolve unplaced %d: %w", id, res.Error)
	}
	if res.RowsAffected != 1 {
		return m, domain.Errorf(domain.ErrTransition, "该问题已处理")
	}
	return m, nil
}

// AttachUnplaced makes an open message a paraphrase of intent.
func (db *DB) AttachUnplaced(ctx context.Context, id uint64, intent, by string, at time.Time) (domain.TaughtParaphrase, error) {
	var tp TaughtParaphrase
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := resolve(tx, id, UnplacedTaught, intent, by, at)
		if err != nil {
			return err
		}
		tp = TaughtParaphrase{Intent: intent, Text: m.Text, CreatedBy: by, CreatedAt: at.UTC()}
		if err := tx.Create(&tp).Error; err != nil {
			return fmt.Errorf("attach unplaced %d: %w", id, err)
		}
		return nil
	})
	return domain.TaughtParaphrase(tp), err
}

// AnswerUnplaced answers an open message with a new FAQ entry; the message
// becomes a paraphrase of the entry's intent.
func (db *DB) AnswerUnplaced(ctx context.Context, id uint64, faq domain.TaughtFAQ, at time.Time) error {
	f := TaughtFAQ(faq)
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		intent := dialog.TaughtFAQIntent(f.ID)
		m, err := resolve(tx, id, UnplacedTaught, intent, f.UpdatedBy, at)
		if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&TaughtFAQ{}).Where("id = ?", f.ID).Count(&n).Error; err != nil {
			return fmt.Errorf("answer unplaced %d: %w", id, err)
		}
		if n > 0 {
			return domain.Errorf(domain.ErrDuplicate, "编号 %s 已被使用，请换一个", f.ID)
		}
		f.Version, f.UpdatedAt = 1, at.UTC()
		if err := tx.Create(&f).Error; err != nil {
			return fmt.Errorf("answer unplaced %d: %w", id, err)
		}
		tp := TaughtParaphrase{Intent: intent, Text: m.Text, CreatedBy: f.UpdatedBy, CreatedAt: at.UTC()}
		if err := tx.Create(&tp).Error; err != nil {
			return fmt.Errorf("answer unplaced %d: %w", id, err)
		}
		return nil
	})
}

// DismissUnplaced sets an open message aside (not a question for this
// account, or not worth an answer).
func (db *DB) DismissUnplaced(ctx context.Context, id uint64, by string, at time.Time) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, err := resolve(tx, id, UnplacedDismissed, "", by, at)
		return err
	})
}

// TaughtParaphrases returns every taught paraphrase, oldest first.
func (db *DB) TaughtParaphrases(ctx context.Context) ([]domain.TaughtParaphrase, error) {
	var out []TaughtParaphrase
	if err := db.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("taught paraphrases: %w", err)
	}
	return toTaughtParaphrases(out), nil
}

// DeleteTaughtParaphrase removes a taught paraphrase.
func (db *DB) DeleteTaughtParaphrase(ctx context.Context, id uint64) (domain.TaughtParaphrase, error) {
	var tp TaughtParaphrase
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if tp, err = take[TaughtParaphrase](tx.Where("id = ?", id), fmt.Sprintf("paraphrase %d", id)); err != nil {
			return err
		}
		return tx.Delete(&TaughtParaphrase{}, id).Error
	})
	return domain.TaughtParaphrase(tp), err
}

// TaughtFAQs returns every taught FAQ entry by id.
func (db *DB) TaughtFAQs(ctx context.Context) ([]domain.TaughtFAQ, error) {
	var out []TaughtFAQ
	if err := db.WithContext(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("taught faqs: %w", err)
	}
	return toTaughtFAQs(out), nil
}

// UpdateTaughtFAQ changes a taught FAQ entry's question, answer and clause,
// one version up. It returns the entry before and after.
func (db *DB) UpdateTaughtFAQ(ctx context.Context, f domain.TaughtFAQ, at time.Time) (before, after domain.TaughtFAQ, err error) {
	var was, is TaughtFAQ
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if was, err = take[TaughtFAQ](tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", f.ID), "faq "+f.ID); err != nil {
			return err
		}
		is = was
		is.Question, is.Answer, is.Clause = f.Question, f.Answer, f.Clause
		is.Version, is.UpdatedBy, is.UpdatedAt = was.Version+1, f.UpdatedBy, at.UTC()
		return tx.Save(&is).Error
	})
	return domain.TaughtFAQ(was), domain.TaughtFAQ(is), err
}

// DeleteTaughtFAQ removes a taught FAQ entry and the paraphrases of its
// intent.
func (db *DB) DeleteTaughtFAQ(ctx context.Context, id string) (domain.TaughtFAQ, error) {
	var f TaughtFAQ
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if f, err = take[TaughtFAQ](tx.Where("id = ?", id), "faq "+id); err != nil {
			return err
		}
		if err := tx.Where("intent = ?", dialog.TaughtFAQIntent(id)).Delete(&TaughtParaphrase{}).Error; err != nil {
			return fmt.Errorf("delete faq %s: %w", id, err)
		}
		return tx.Delete(&TaughtFAQ{}, "id = ?", id).Error
	})
	return domain.TaughtFAQ(f), err
}

// Taught returns what officers taught, in the engine's types.
func (db *DB) Taught(ctx context.Context) ([]dialog.TaughtParaphrase, []dialog.FAQ, error) {
	paras, err := db.TaughtParaphrases(ctx)
	if err != nil {
		return nil, nil, err
	}
	faqs, err := db.TaughtFAQs(ctx)
	if err != nil {
		return nil, nil, err
	}
	outP := make([]dialog.TaughtParaphrase, len(paras))
	for i, p := range paras {
		outP[i] = dialog.TaughtParaphrase{ID: p.ID, Intent: p.Intent, Text: p.Text}
	}
	outF := make([]dialog.FAQ, len(faqs))
	for i, f := range faqs {
		outF[i] = dialog.FAQ{ID: f.ID, Question: f.Question, Answer: f.Answer, Clause: f.Clause, Keywords: []string{f.Question}}
	}
	return outP, outF, nil
}

// FAQVersion is one version of a seeded FAQ entry's answer and clause as an
// officer saved it. Versions are only added: the highest is in force, the
// older ones stay as its history (version 0 is the seed itself, not stored).
type FAQVersion struct {
	ID        uint64 `gorm:"primaryKey"`
	FAQ       string `gorm:"size:64;not null;uniqueIndex:idx_faq_versions_faq_version,priority:1"`
	Version   int    `gorm:"not null;uniqueIndex:idx_faq_versions_faq_version,priority:2"`
	Answer    string `gorm:"type:text;not null"` // empty for an entry computed from the data
	Clause    string `gorm:"size:64;not null"`
	CreatedBy string `gorm:"size:64;not null"`
	CreatedAt time.Time
}

// ParaphraseVersion is one change of a seeded paraphrase: disabled or
// enabled again. Versions are only added; the highest says whether the
// paraphrase is in use.
type ParaphraseVersion struct {
	ID        uint64 `gorm:"primaryKey"`
	Intent    string `gorm:"size:80;not null;uniqueIndex:idx_paraphrase_versions_key,priority:1"`
	Text      string `gorm:"size:191;not null;uniqueIndex:idx_paraphrase_versions_key,priority:2"`
	Version   int    `gorm:"not null;uniqueIndex:idx_paraphrase_versions_key,priority:3"`
	Disabled  bool   `gorm:"not null"`
	CreatedBy string `gorm:"size:64;not null"`
	CreatedAt time.Time
}

// errEditRace is what two officers saving the same entry at once get: the
// unique version index lets one of them through.
var errEditRace = domain.Errorf(domain.ErrDuplicate, "他人刚刚修改了同一内容，请刷新页面后再试")

// AddFAQVersion saves a new version of a seeded FAQ entry, one above the
// latest, and returns it with the one it replaces (Version 0 and empty
// texts when it is the first edit).
func (db *DB) AddFAQVersion(ctx context.Context, v domain.FAQVersion, at time.Time) (before, after domain.FAQVersion, err error) {
	var was, is FAQVersion
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var last []FAQVersion
		if err := tx.Where("faq = ?", v.FAQ).Order("version DESC").Limit(1).Find(&last).Error; err != nil {
			return fmt.Errorf("faq %s versions: %w", v.FAQ, err)
		}
		if len(last) == 1 {
			was = last[0]
		}
		is = FAQVersion{FAQ: v.FAQ, Version: was.Version + 1, Answer: v.Answer, Clause: v.Clause, CreatedBy: v.CreatedBy, CreatedAt: at.UTC()}
		if err := tx.Create(&is).Error; err != nil {
			if IsDuplicate(err) {
				return errEditRace
			}
			return fmt.Errorf("add faq %s version: %w", v.FAQ, err)
		}
		return nil
	})
	return domain.FAQVersion(was), domain.FAQVersion(is), err
}

// FAQVersions returns every saved version of the seeded FAQ entries, by
// entry, the newest first.
func (db *DB) FAQVersions(ctx context.Context) ([]domain.FAQVersion, error) {
	var out []FAQVersion
	if err := db.WithContext(ctx).Order("faq, version DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("faq versions: %w", err)
	}
	return toFAQVersions(out), nil
}

// SetParaphraseDisabled records that a seeded paraphrase is disabled (or
// enabled again), one version above its latest. Asking for the state it is
// already in is an ErrTransition.
func (db *DB) SetParaphraseDisabled(ctx context.Context, intent, text string, disabled bool, by string, at time.Time) (domain.ParaphraseVersion, error) {
	var v ParaphraseVersion
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var last []ParaphraseVersion
		if err := tx.Where("intent = ? AND text = ?", intent, text).Order("version DESC").Limit(1).Find(&last).Error; err != nil {
			return fmt.Errorf("paraphrase versions: %w", err)
		}
		was := ParaphraseVersion{}
		if len(last) == 1 {
			was = last[0]
		}
		if was.Disabled == disabled {
			if disabled {
				return domain.Errorf(domain.ErrTransition, "该说法已停用")
			}
			return domain.Errorf(domain.ErrTransition, "该说法已在使用")
		}
		v = ParaphraseVersion{Intent: intent, Text: text, Version: was.Version + 1, Disabled: disabled, CreatedBy: by, CreatedAt: at.UTC()}
		if err := tx.Create(&v).Error; err != nil {
			if IsDuplicate(err) {
				return errEditRace
			}
			return fmt.Errorf("set paraphrase %s: %w", intent, err)
		}
		return nil
	})
	return domain.ParaphraseVersion(v), err
}

// ParaphraseStates returns the latest version of every seeded paraphrase
// an officer changed.
func (db *DB) ParaphraseStates(ctx context.Context) ([]domain.ParaphraseVersion, error) {
	var all []ParaphraseVersion
	if err := db.WithContext(ctx).Order("intent, text, version DESC").Find(&all).Error; err != nil {
		return nil, fmt.Errorf("paraphrase versions: %w", err)
	}
	out := all[:0]
	for i, v := range all {
		if i == 0 || v.Intent != all[i-1].Intent || v.Text != all[i-1].Text {
			out = append(out, v)
		}
	}
	return toParaphraseVersions(out), nil
}

// SeedEdits returns officers' edits of the seeds in force, in the engine's
// types: the latest version of each edited FAQ entry, and the seeded
// paraphrases disabled.
func (db *DB) SeedEdits(ctx context.Context) ([]dialog.FAQEdit, []dialog.ParaphraseRef, error) {
	versions, err := db.FAQVersions(ctx)
	if err != nil {
		return nil, nil, err
	}
	var edits []dialog.FAQEdit
	for i, v := range versions {
		if i == 0 || v.FAQ != versions[i-1].FAQ { // the newest of each entry
			edits = append(edits, dialog.FAQEdit{FAQ: v.FAQ, Answer: v.Answer, Clause: v.Clause, Version: v.Version})
		}
	}
	states, err := db.ParaphraseStates(ctx)
	if err != nil {
		return nil, nil, err
	}
	var off []dialog.ParaphraseRef
	for _, s := range states {
		if s.Disabled {
			off = append(off, dialog.ParaphraseRef{Intent: s.Intent, Text: s.Text})
		}
	}
	return edits, off, nil
}
