package bot

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/store"
)

// The learning loop's use cases: officers see what the bot could not place
// (未识别问题) and teach it, by attaching a message to an intent or
// answering it with a new FAQ entry. Every instance picks the change up at
// its next policy refresh (30 s); the one that made it, at once.

// withTaught merges what officers taught into p; the understanding index is
// then rebuilt (a few milliseconds, at each refresh).
func (b *Bot) withTaught(ctx context.Context, p *dialog.Policy) (*dialog.Policy, error) {
	paras, faqs, err := b.db.Taught(ctx)
	if err != nil {
		return nil, err
	}
	if len(paras) == 0 && len(faqs) == 0 {
		return p, nil
	}
	return p.WithTaught(paras, faqs), nil
}

// UnplacedView is an unplaced message as the console shows it.
type UnplacedView = store.UnplacedMessage

// IntentChoice is an intent an officer may attach a message to.
type IntentChoice struct {
	ID    string
	Title string
}

// TeachingData is everything the 未识别问题 page shows.
type TeachingData struct {
	Open       []store.UnplacedMessage
	Dismissed  []store.UnplacedMessage
	Intents    []IntentChoice
	Paraphrase []store.TaughtParaphrase
	FAQs       []store.TaughtFAQ
	IntentName map[string]string
}

// Teaching loads the 未识别问题 page's data.
func (b *Bot) Teaching(ctx context.Context, acc domain.Account) (TeachingData, error) {
	var d TeachingData
	if err := acc.Require(domain.PermTeach); err != nil {
		return d, err
	}
	var err error
	if d.Open, err = b.db.UnplacedMessages(ctx, store.UnplacedOpen, 200); err != nil {
		return d, err
	}
	if d.Dismissed, err = b.db.UnplacedMessages(ctx, store.UnplacedDismissed, 50); err != nil {
		return d, err
	}
	if d.Paraphrase, err = b.db.TaughtParaphrases(ctx); err != nil {
		return d, err
	}
	if d.FAQs, err = b.db.TaughtFAQs(ctx); err != nil {
		return d, err
	}
	d.IntentName = map[string]string{}
	for _, in := range b.Policy().Intents {
		d.IntentName[in.ID] = in.Title
		if in.Action != "out_of_scope" {
			d.Intents = append(d.Intents, IntentChoice{ID: in.ID, Title: in.Title})
		}
	}
	return d, nil
}

// AttachUnplaced makes an unplaced message a paraphrase of an intent.
func (b *Bot) AttachUnplaced(ctx context.Context, acc domain.Account, id uint64, intent string) (store.TaughtParaphrase, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return store.TaughtParaphrase{}, err
	}
	if _, ok := b.Policy().Intent(intent); !ok {
		return store.TaughtParaphrase{}, domain.Errorf(domain.ErrInvalid, "请选择要归入的问题类型")
	}
	tp, err := b.db.AttachUnplaced(ctx, id, intent, acc.Username, b.now())
	if err != nil {
		return tp, err
	}
	b.refreshAfterTeaching(ctx)
	return tp, nil
}

// FAQInput is an officer's FAQ entry.
type FAQInput struct {
	ID       string
	Question string
	Answer   string
	Clause   string
}

var faqIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

// check validates an entry; a new one also needs a free id.
func (f *FAQInput) check(p *dialog.Policy, isNew bool) error {
	f.ID = strings.ToLower(strings.TrimSpace(f.ID))
	f.Question, f.Answer, f.Clause = strings.TrimSpace(f.Question), strings.TrimSpace(f.Answer), strings.TrimSpace(f.Clause)
	switch {
	case !faqIDRe.MatchString(f.ID):
		return domain.Errorf(domain.ErrInvalid, "编号为2–32位小写字母、数字或短横线，例如 weekend-service")
	case f.Question == "" || utf8.RuneCountInString(f.Question) > 100:
		return domain.Errorf(domain.ErrInvalid, "问题不能为空，且不超过100个字")
	case f.Answer == "" || utf8.RuneCountInString(f.Answer) > 600:
		return domain.Errorf(domain.ErrInvalid, "答复不能为空，且不超过600个字")
	case f.Clause == "" || utf8.RuneCountInString(f.Clause) > 30:
		return domain.Errorf(domain.ErrInvalid, "请填写答复依据的通知条款，例如“四（二）”")
	case strings.ContainsAny(f.Question+f.Answer+f.Clause, "<>"):
		return domain.Errorf(domain.ErrInvalid, "内容不能包含尖括号")
	}
	if isNew && slices.ContainsFunc(p.FAQs, func(x dialog.FAQ) bool { return x.ID == f.ID }) {
		return domain.Errorf(domain.ErrDuplicate, "编号 %s 已被使用，请换一个", f.ID)
	}
	return nil
}

// AnswerUnplaced answers an unplaced message with a new FAQ entry.
func (b *Bot) AnswerUnplaced(ctx context.Context, acc domain.Account, id uint64, f FAQInput) (FAQInput, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return f, err
	}
	if err := f.check(b.Policy(), true); err != nil {
		return f, err
	}
	err := b.db.AnswerUnplaced(ctx, id, store.TaughtFAQ{
		ID: f.ID, Question: f.Question, Answer: f.Answer, Clause: f.Clause, UpdatedBy: acc.Username,
	}, b.now())
	if err != nil {
		return f, err
	}
	b.refreshAfterTeaching(ctx)
	return f, nil
}

// DismissUnplaced sets an unplaced message aside.
func (b *Bot) DismissUnplaced(ctx context.Context, acc domain.Account, id uint64) error {
	if err := acc.Require(domain.PermTeach); err != nil {
		return err
	}
	return b.db.DismissUnplaced(ctx, id, acc.Username, b.now())
}

// UpdateTaughtFAQ edits a taught FAQ entry, one version up.
func (b *Bot) UpdateTaughtFAQ(ctx context.Context, acc domain.Account, f FAQInput) (before, after store.TaughtFAQ, err error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return before, after, err
	}
	if err := f.check(b.Policy(), false); err != nil {
		return before, after, err
	}
	before, after, err = b.db.UpdateTaughtFAQ(ctx, store.TaughtFAQ{
		ID: f.ID, Question: f.Question, Answer: f.Answer, Clause: f.Clause, UpdatedBy: acc.Username,
	}, b.now())
	if err != nil {
		return before, after, err
	}
	b.refreshAfterTeaching(ctx)
	return before, after, nil
}

// DeleteTaughtFAQ removes a taught FAQ entry and its paraphrases.
func (b *Bot) DeleteTaughtFAQ(ctx context.Context, acc domain.Account, id string) (store.TaughtFAQ, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return store.TaughtFAQ{}, err
	}
	f, err := b.db.DeleteTaughtFAQ(ctx, id)
	if err != nil {
		return f, err
	}
	b.refreshAfterTeaching(ctx)
	return f, nil
}

// DeleteTaughtParaphrase removes a taught paraphrase.
func (b *Bot) DeleteTaughtParaphrase(ctx context.Context, acc domain.Account, id uint64) (store.TaughtParaphrase, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return store.TaughtParaphrase{}, err
	}
	tp, err := b.db.DeleteTaughtParaphrase(ctx, id)
	if err != nil {
		return tp, err
	}
	b.refreshAfterTeaching(ctx)
	return tp, nil
}

func (b *Bot) refreshAfterTeaching(ctx context.Context) {
	if err := b.Refresh(ctx); err != nil {
		b.log.Warn("policy not refreshed after teaching", slog.Any("error", err))
	}
}
