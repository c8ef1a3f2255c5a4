package admin

import (
	"context"
	"strconv"
	"strings"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
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
	if err := s.learning.RecordUnplaced(ctx, folded, masked, s.now()); err != nil {
		return 0, err
	}
	return s.learning.UnplacedIDByFolded(ctx, folded)
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

// Those who asked: 未识别问题 keeps who asked a message (for WeChat's
// 48-hour window only), and once an answer is taught officers are offered
// to send it to them as a 客服 message.

// AskersOffer is the offer to send a taught answer to those who asked.
type AskersOffer struct {
	UnplacedID uint64
	Question   string // masked, as recorded
	Answer     string
	Askers     int // followers who asked within the window
}

// taughtAnswer is the text that answers a taught message: its FAQ
// entry's answer; "" for an intent whose answer the bot computes.
func (s *Service) taughtAnswer(intent string) string {
	in, ok := s.policy().Intent(intent)
	if !ok || in.Action != "faq" {
		return ""
	}
	for _, f := range s.policy().FAQs {
		if f.ID == in.FAQ && f.Topic == "" {
			return f.Answer
		}
	}
	return ""
}

// TaughtAnswerOffer returns who may receive the answer just taught to
// unplaced message id; Askers is 0 when nobody can (no one within the
// window, or an answer the bot computes for each enterprise).
func (s *Service) TaughtAnswerOffer(ctx context.Context, acc domain.Account, id uint64) (AskersOffer, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return AskersOffer{}, err
	}
	m, err := s.learning.UnplacedMessage(ctx, id)
	if err != nil {
		return AskersOffer{}, err
	}
	o := AskersOffer{UnplacedID: id, Question: dialog.MaskPII(m.Text)}
	if m.Status != domain.UnplacedTaught {
		return o, nil
	}
	if o.Answer = s.taughtAnswer(m.Intent); o.Answer == "" {
		return o, nil
	}
	askers, err := s.learning.UnplacedAskers(ctx, id, s.now().Add(-leads.KFWindow))
	if err != nil {
		return o, err
	}
	o.Askers = len(askers)
	return o, nil
}

// SendTaughtAnswer sends the answer taught to unplaced message id to those
// who asked it within WeChat's 48-hour window, as a 客服 message through
// the outbox, and forgets them; it returns how many it sent to.
func (s *Service) SendTaughtAnswer(ctx context.Context, acc domain.Account, id uint64) (int, error) {
	o, err := s.TaughtAnswerOffer(ctx, acc, id)
	if err != nil {
		return 0, err
	}
	if o.Answer == "" {
		return 0, domain.Errorf(domain.ErrInvalid, "该问题没有可发送的答复（未教会，或答复由公众号按企业情况计算）")
	}
	now := s.now()
	askers, err := s.learning.UnplacedAskers(ctx, id, now.Add(-leads.KFWindow))
	if err != nil {
		return 0, err
	}
	if len(askers) == 0 {
		return 0, domain.Errorf(domain.ErrInvalid, "48小时内没有企业问过这个问题，无法发送客服消息")
	}
	content := "您好，您此前在本公众号咨询的“" + o.Question + "”，答复如下：\n" + o.Answer + "\n\n如还有疑问，直接在这里回复即可。（苏州市市场监管局苏质融）"
	msgs := make([]domain.Notification, 0, len(askers))
	for _, openID := range askers {
		m, err := leads.KFTextMessage(openID, content, "taught:"+strconv.FormatUint(id, 10)+":"+openID)
		if err != nil {
			return 0, err
		}
		msgs = append(msgs, m)
	}
	if err := s.learning.SendToAskers(ctx, id, msgs, now); err != nil {
		return 0, err
	}
	return len(msgs), nil
}
