package admin

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The learning loop's use cases: officers see what the bot could not place
// (未识别问题) and teach it, by attaching a message to an intent or
// answering it with a new FAQ entry. Every instance picks the change up at
// its next policy refresh (30 s); the one that made it, at once.

// IntentChoice is an intent an officer may attach a message to.
type IntentChoice struct {
	ID    string
	Title string
}

// TeachingData is everything the 未识别问题 page shows.
type TeachingData struct {
	Open       []domain.UnplacedMessage
	Dismissed  []domain.UnplacedMessage
	Intents    []IntentChoice
	Paraphrase []domain.TaughtParaphrase
	FAQs       []domain.TaughtFAQ
	IntentName map[string]string
	// Clauses are the notice's clauses an answer may rest on, in order.
	Clauses []string
	// Feedback counts 有用 and 没用 per FAQ answer over FeedbackDays.
	Feedback     []FeedbackLine
	FeedbackDays int
}

// FeedbackLine is one FAQ answer's judgements by enterprises.
type FeedbackLine struct {
	FAQ       string
	Question  string // the FAQ's question; its id when it is gone
	Useful    int
	Unhelpful int
}

// feedbackDays is the period the 未识别问题 page counts judgements over.
const feedbackDays = 90

// Clauses lists the clauses of the notice the policy cites, once each, in
// the notice's order of appearance in the seeds: what an answer may rest on.
func Clauses(p *dialog.Policy) []string {
	var out []string
	add := func(c string) {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, c := range p.Eligibility {
		add(c.Clause)
	}
	for _, c := range p.Criteria {
		add(c.Clause)
	}
	add(p.Loan.Clause)
	add(p.Futures.Clause)
	for _, pr := range p.Products {
		add(pr.Clause)
	}
	for _, f := range p.FAQs {
		add(f.Clause)
	}
	return out
}

// normalClause reads a clause as officers may type it: “通知三（一）”,
// “依据：三（一）” and “三(一)” are all 三（一）.
func normalClause(c string) string {
	c = strings.TrimSpace(c)
	for _, prefix := range []string{"依据：", "依据:", "依据", "通知"} {
		c = strings.TrimSpace(strings.TrimPrefix(c, prefix))
	}
	return strings.NewReplacer("(", "（", ")", "）").Replace(c)
}

// newFAQID is a free id for a taught answer: taught-1, taught-2, …
func newFAQID(p *dialog.Policy) string {
	for n := 1; ; n++ {
		id := "taught-" + strconv.Itoa(n)
		if !slices.ContainsFunc(p.FAQs, func(x dialog.FAQ) bool { return x.ID == id }) {
			return id
		}
	}
}

// Teaching loads the 未识别问题 page's data.
func (s *Service) Teaching(ctx context.Context, acc domain.Account) (TeachingData, error) {
	var d TeachingData
	if err := acc.Require(domain.PermTeach); err != nil {
		return d, err
	}
	d.Clauses = Clauses(s.policies.Base())
	var err error
	if d.Open, err = s.learning.UnplacedMessages(ctx, domain.UnplacedOpen, 200); err != nil {
		return d, err
	}
	if d.Dismissed, err = s.learning.UnplacedMessages(ctx, domain.UnplacedDismissed, 50); err != nil {
		return d, err
	}
	// Messages recorded before the masking knew Chinese numerals and names
	// are masked again as they are shown.
	for _, l := range [][]domain.UnplacedMessage{d.Open, d.Dismissed} {
		for i := range l {
			l[i].Text = dialog.MaskPII(l[i].Text)
		}
	}
	if d.Paraphrase, err = s.learning.TaughtParaphrases(ctx); err != nil {
		return d, err
	}
	if d.FAQs, err = s.learning.TaughtFAQs(ctx); err != nil {
		return d, err
	}
	d.FeedbackDays = feedbackDays
	counts, err := s.learning.AnswerFeedbackCounts(ctx, s.now().AddDate(0, 0, -feedbackDays))
	if err != nil {
		return d, err
	}
	questions := map[string]string{}
	for _, f := range s.policy().FAQs {
		questions[f.ID] = f.Question
	}
	for _, c := range counts {
		q := questions[c.FAQ]
		if q == "" {
			q = c.FAQ
		}
		d.Feedback = append(d.Feedback, FeedbackLine{FAQ: c.FAQ, Question: q, Useful: c.Useful, Unhelpful: c.Unhelpful})
	}
	d.IntentName = map[string]string{}
	for _, in := range s.policy().Intents {
		d.IntentName[in.ID] = in.Title
		if in.Action != "out_of_scope" {
			d.Intents = append(d.Intents, IntentChoice{ID: in.ID, Title: in.Title})
		}
	}
	return d, nil
}

// AttachUnplaced makes an unplaced message a paraphrase of an intent.
func (s *Service) AttachUnplaced(ctx context.Context, acc domain.Account, id uint64, intent string) (domain.TaughtParaphrase, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return domain.TaughtParaphrase{}, err
	}
	if _, ok := s.policy().Intent(intent); !ok {
		return domain.TaughtParaphrase{}, domain.Errorf(domain.ErrInvalid, "请选择要归入的问题类型")
	}
	tp, err := s.learning.AttachUnplaced(ctx, id, intent, acc.Username, s.now())
	if err != nil {
		return tp, err
	}
	s.refreshAfterTeaching(ctx)
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
func (f *FAQInput) check(p *dialog.Policy, clauses []string, isNew bool) error {
	f.ID = strings.ToLower(strings.TrimSpace(f.ID))
	if isNew && f.ID == "" {
		// Officers are not asked for an id: one is given.
		f.ID = newFAQID(p)
	}
	f.Question, f.Answer, f.Clause = strings.TrimSpace(f.Question), strings.TrimSpace(f.Answer), normalClause(f.Clause)
	if f.Clause != "" && !slices.Contains(clauses, f.Clause) {
		return domain.Errorf(domain.ErrInvalid, "“%s”不是通知中的条款，请从列表中选择；没有对应条款的一般性答复请选“不涉及具体条款”", f.Clause)
	}
	switch {
	case !faqIDRe.MatchString(f.ID):
		return domain.Errorf(domain.ErrInvalid, "编号为2–32位小写字母、数字或短横线，例如 weekend-service")
	case f.Question == "" || utf8.RuneCountInString(f.Question) > 100:
		return domain.Errorf(domain.ErrInvalid, "问题不能为空，且不超过100个字")
	case f.Answer == "" || utf8.RuneCountInString(f.Answer) > 600:
		return domain.Errorf(domain.ErrInvalid, "答复不能为空，且不超过600个字")
	case strings.ContainsAny(f.Question+f.Answer+f.Clause, "<>"):
		return domain.Errorf(domain.ErrInvalid, "内容不能包含尖括号")
	}
	if isNew && slices.ContainsFunc(p.FAQs, func(x dialog.FAQ) bool { return x.ID == f.ID }) {
		return domain.Errorf(domain.ErrDuplicate, "编号 %s 已被使用，请换一个", f.ID)
	}
	return nil
}

// AnswerUnplaced answers an unplaced message with a new FAQ entry.
func (s *Service) AnswerUnplaced(ctx context.Context, acc domain.Account, id uint64, f FAQInput) (FAQInput, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return f, err
	}
	if err := f.check(s.policy(), Clauses(s.policies.Base()), true); err != nil {
		return f, err
	}
	err := s.learning.AnswerUnplaced(ctx, id, domain.TaughtFAQ{
		ID: f.ID, Question: f.Question, Answer: f.Answer, Clause: f.Clause, UpdatedBy: acc.Username,
	}, s.now())
	if err != nil {
		return f, err
	}
	s.refreshAfterTeaching(ctx)
	return f, nil
}

// DismissUnplaced sets an unplaced message aside.
func (s *Service) DismissUnplaced(ctx context.Context, acc domain.Account, id uint64) error {
	if err := acc.Require(domain.PermTeach); err != nil {
		return err
	}
	return s.learning.DismissUnplaced(ctx, id, acc.Username, s.now())
}

// UpdateTaughtFAQ edits a taught FAQ entry, one version up.
func (s *Service) UpdateTaughtFAQ(ctx context.Context, acc domain.Account, f FAQInput) (before, after domain.TaughtFAQ, err error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return before, after, err
	}
	if err := f.check(s.policy(), Clauses(s.policies.Base()), false); err != nil {
		return before, after, err
	}
	before, after, err = s.learning.UpdateTaughtFAQ(ctx, domain.TaughtFAQ{
		ID: f.ID, Question: f.Question, Answer: f.Answer, Clause: f.Clause, UpdatedBy: acc.Username,
	}, s.now())
	if err != nil {
		return before, after, err
	}
	s.refreshAfterTeaching(ctx)
	return before, after, nil
}

// DeleteTaughtFAQ removes a taught FAQ entry and its paraphrases.
func (s *Service) DeleteTaughtFAQ(ctx context.Context, acc domain.Account, id string) (domain.TaughtFAQ, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return domain.TaughtFAQ{}, err
	}
	f, err := s.learning.DeleteTaughtFAQ(ctx, id)
	if err != nil {
		return f, err
	}
	s.refreshAfterTeaching(ctx)
	return f, nil
}

// DeleteTaughtParaphrase removes a taught paraphrase.
func (s *Service) DeleteTaughtParaphrase(ctx context.Context, acc domain.Account, id uint64) (domain.TaughtParaphrase, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return domain.TaughtParaphrase{}, err
	}
	tp, err := s.learning.DeleteTaughtParaphrase(ctx, id)
	if err != nil {
		return tp, err
	}
	s.refreshAfterTeaching(ctx)
	return tp, nil
}

func (s *Service) refreshAfterTeaching(ctx context.Context) {
	if err := s.policies.Refresh(ctx); err != nil {
		s.log.Warn("policy not refreshed after teaching", slog.Any("error", err))
	}
}

// Officers' edits of the seeds: the answer and clause of a seeded FAQ entry,
// and which seeded paraphrases the matcher uses. Every change is a new
// version (the old ones are kept and listed), goes to the operations log
// through the handler, and reaches every instance at its next refresh.

// minParaphrases is how many seeded paraphrases an intent keeps in use: the
// matcher cannot place a topic it has almost no wording for.
const minParaphrases = 5

// SeedFAQView is a seeded FAQ entry as the console shows it: the version in
// force, the seed it started from and the versions saved since.
type SeedFAQView struct {
	ID, Question           string
	Computed               bool // the answer is computed from the data: only the clause is edited
	Answer, Clause         string
	SeedAnswer, SeedClause string
	Version                int // 0: as seeded
	UpdatedBy              string
	UpdatedAt              time.Time
	History                []domain.FAQVersion // newest first
}

// IntentView is an intent with how many of its seeded paraphrases there are
// and how many are disabled.
type IntentView struct {
	ID, Title       string
	Total, Disabled int
}

// ParaphraseView is one seeded paraphrase and its state; Version 0 means
// never changed.
type ParaphraseView struct {
	Text      string
	Disabled  bool
	Version   int
	UpdatedBy string
	UpdatedAt time.Time
}

// SeedEditingData is what the 问答与说法 page shows: every seeded FAQ entry,
// every intent, and the paraphrases of the intent chosen.
type SeedEditingData struct {
	FAQs        []SeedFAQView
	Intents     []IntentView
	Intent      IntentView // the intent chosen (ID empty: none)
	Paraphrases []ParaphraseView
}

// SeedEditing loads the 问答与说法 page's data; intent chooses whose
// paraphrases are listed (empty: none).
func (s *Service) SeedEditing(ctx context.Context, acc domain.Account, intent string) (SeedEditingData, error) {
	var d SeedEditingData
	if err := acc.Require(domain.PermTeach); err != nil {
		return d, err
	}
	versions, err := s.learning.FAQVersions(ctx)
	if err != nil {
		return d, err
	}
	for _, f := range s.policies.Base().FAQs {
		v := SeedFAQView{ID: f.ID, Question: f.Question, Computed: f.Topic != "",
			Answer: f.Answer, Clause: f.Clause, SeedAnswer: f.Answer, SeedClause: f.Clause}
		for _, x := range versions {
			if x.FAQ == f.ID {
				v.History = append(v.History, x)
			}
		}
		if len(v.History) > 0 {
			last := v.History[0]
			v.Version, v.UpdatedBy, v.UpdatedAt, v.Clause = last.Version, last.CreatedBy, last.CreatedAt, last.Clause
			if !v.Computed {
				v.Answer = last.Answer
			}
		}
		d.FAQs = append(d.FAQs, v)
	}
	states, err := s.learning.ParaphraseStates(ctx)
	if err != nil {
		return d, err
	}
	for _, in := range s.policies.Base().Intents {
		iv := IntentView{ID: in.ID, Title: in.Title, Total: len(in.Paraphrases)}
		for _, para := range in.Paraphrases {
			pv := ParaphraseView{Text: para}
			for _, st := range states {
				if st.Intent == in.ID && st.Text == para {
					pv.Disabled, pv.Version, pv.UpdatedBy, pv.UpdatedAt = st.Disabled, st.Version, st.CreatedBy, st.CreatedAt
				}
			}
			if pv.Disabled {
				iv.Disabled++
			}
			if in.ID == intent {
				d.Paraphrases = append(d.Paraphrases, pv)
			}
		}
		if in.ID == intent {
			d.Intent = iv
		}
		d.Intents = append(d.Intents, iv)
	}
	if intent != "" && d.Intent.ID == "" {
		return d, domain.ErrNotFound
	}
	return d, nil
}

// SeedFAQChange is an edit of a seeded FAQ entry: the version replaced
// (Version 0: the seed) and the one saved.
type SeedFAQChange struct {
	ID, Question  string
	Before, After domain.FAQVersion
}

// EditSeedFAQ saves a new version of a seeded FAQ entry's answer and
// clause. An entry computed from the data takes a clause only.
func (s *Service) EditSeedFAQ(ctx context.Context, acc domain.Account, id, answer, clause string) (SeedFAQChange, error) {
	var ch SeedFAQChange
	if err := acc.Require(domain.PermTeach); err != nil {
		return ch, err
	}
	i := slices.IndexFunc(s.policies.Base().FAQs, func(f dialog.FAQ) bool { return f.ID == id })
	if i < 0 {
		return ch, domain.ErrNotFound
	}
	seed := s.policies.Base().FAQs[i]
	ch.ID, ch.Question = seed.ID, seed.Question
	clause = normalClause(clause)
	answer, clause = strings.TrimSpace(answer), strings.TrimSpace(clause)
	if seed.Topic != "" {
		answer = "" // computed from the data, which officers keep in 设置
	}
	switch {
	case seed.Topic == "" && (answer == "" || utf8.RuneCountInString(answer) > 1000):
		return ch, domain.Errorf(domain.ErrInvalid, "答复不能为空，且不超过1000个字")
	case clause == "" || utf8.RuneCountInString(clause) > 30:
		return ch, domain.Errorf(domain.ErrInvalid, "请填写答复依据的通知条款，例如“三（一）”")
	case strings.ContainsAny(answer+clause, "<>"):
		return ch, domain.Errorf(domain.ErrInvalid, "内容不能包含尖括号")
	}
	cur := s.policy().FAQs
	if j := slices.IndexFunc(cur, func(f dialog.FAQ) bool { return f.ID == id }); j >= 0 &&
		cur[j].Clause == clause && (seed.Topic != "" || cur[j].Answer == answer) {
		return ch, domain.Errorf(domain.ErrInvalid, "内容与现行版本相同，未保存")
	}
	before, after, err := s.learning.AddFAQVersion(ctx, domain.FAQVersion{FAQ: id, Answer: answer, Clause: clause, CreatedBy: acc.Username}, s.now())
	if err != nil {
		return ch, err
	}
	if before.Version == 0 {
		before.Answer, before.Clause = seed.Answer, seed.Clause
		if seed.Topic != "" {
			before.Answer = ""
		}
	}
	ch.Before, ch.After = before, after
	s.refreshAfterTeaching(ctx)
	return ch, nil
}

// SetSeedParaphrase disables a seeded paraphrase of an intent, or enables
// it again. An intent keeps at least minParaphrases in use.
func (s *Service) SetSeedParaphrase(ctx context.Context, acc domain.Account, intent, text string, disabled bool) (domain.ParaphraseVersion, error) {
	if err := acc.Require(domain.PermTeach); err != nil {
		return domain.ParaphraseVersion{}, err
	}
	i := slices.IndexFunc(s.policies.Base().Intents, func(in dialog.Intent) bool { return in.ID == intent })
	if i < 0 {
		return domain.ParaphraseVersion{}, domain.ErrNotFound
	}
	in := s.policies.Base().Intents[i]
	if !slices.Contains(in.Paraphrases, text) {
		return domain.ParaphraseVersion{}, domain.Errorf(domain.ErrInvalid, "该问题类型没有这个说法")
	}
	if disabled {
		states, err := s.learning.ParaphraseStates(ctx)
		if err != nil {
			return domain.ParaphraseVersion{}, err
		}
		inUse := len(in.Paraphrases)
		for _, st := range states {
			if st.Intent == intent && st.Disabled && slices.Contains(in.Paraphrases, st.Text) {
				inUse--
			}
		}
		if inUse <= minParaphrases {
			return domain.ParaphraseVersion{}, domain.Errorf(domain.ErrTransition, "每个问题类型至少保留%d个在用的说法", minParaphrases)
		}
	}
	v, err := s.learning.SetParaphraseDisabled(ctx, intent, text, disabled, acc.Username, s.now())
	if err != nil {
		return v, err
	}
	s.refreshAfterTeaching(ctx)
	return v, nil
}
