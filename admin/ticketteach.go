package admin

import (
	"context"
	"strings"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Teach-back from a ticket: the question an enterprise asked a person, with
// the staff answer, becomes what the bot answers the next enterprise. It
// goes through 未识别问题's teaching: the question is recorded (masked, by
// its folded form) as an unplaced message, then answered with a new FAQ
// entry or attached to an intent, so the taught list, the refresh and the
// reopening of a message that did not help are the same.

// TeachChoices are what the teach-back form of a ticket offers: the
// intents a question may be attached to and the notice's clauses.
type TeachChoices struct {
	Intents  []IntentChoice
	Clauses  []string
	Question string // the enterprise's first message, masked
	Answer   string // the latest staff answer
}

// TicketTeachChoices returns the teach-back form of a ticket, for those
// who may teach: its choices, the enterprise's question and the latest
// staff answer.
func (s *Service) TicketTeachChoices(acc domain.Account, t domain.Ticket) (TeachChoices, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return TeachChoices{}, err
	}
	d := TeachChoices{Clauses: Clauses(s.policies.Base())}
	for _, m := range t.Messages {
		switch {
		case !m.FromStaff && d.Question == "":
			first, _, _ := strings.Cut(m.Text, "\n")
			d.Question = dialog.MaskPII(dialog.WithoutHandoff(first))
		case m.FromStaff && m.Via != domain.TicketViaNote:
			d.Answer = m.Text
		}
	}
	for _, in := range s.policy().Intents {
		if in.Action != "out_of_scope" {
			d.Intents = append(d.Intents, IntentChoice{ID: in.ID, Title: in.Title})
		}
	}
	return d, nil
}

// questionAsUnplaced records a ticket's question as an unplaced message
// and returns its id, for the teaching use cases.
func (s *Service) questionAsUnplaced(ctx context.Context, question string) (uint64, error) {
	masked := dialog.MaskPII(strings.TrimSpace(question))
	folded := s.policy().Fold(masked)
	if folded == "" {
		return 0, domain.Errorf(domain.ErrInvalid, "请填写企业的问题")
	}
	if err := s.db.RecordUnplaced(ctx, folded, masked, s.now()); err != nil {
		return 0, err
	}
	return s.db.UnplacedIDByFolded(ctx, folded)
}

// TeachFAQFromTicket turns a staff answer into an FAQ entry whose question
// is the enterprise's (f.Question, as the officer edited it).
func (s *Service) TeachFAQFromTicket(ctx context.Context, acc domain.Account, f FAQInput) (FAQInput, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return f, err
	}
	if err := f.check(s.policy(), Clauses(s.policies.Base()), true); err != nil {
		return f, err
	}
	id, err := s.questionAsUnplaced(ctx, f.Question)
	if err != nil {
		return f, err
	}
	return s.AnswerUnplaced(ctx, acc, id, f)
}

// AttachTicketQuestion makes a ticket's question (as the officer edited
// it) a paraphrase of an existing intent.
func (s *Service) AttachTicketQuestion(ctx context.Context, acc domain.Account, question, intent string) (domain.TaughtParaphrase, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return domain.TaughtParaphrase{}, err
	}
	if _, ok := s.policy().Intent(intent); !ok {
		return domain.TaughtParaphrase{}, domain.Errorf(domain.ErrInvalid, "请选择要归入的问题类型")
	}
	id, err := s.questionAsUnplaced(ctx, question)
	if err != nil {
		return domain.TaughtParaphrase{}, err
	}
	return s.AttachUnplaced(ctx, acc, id, intent)
}
