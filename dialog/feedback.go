package dialog

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Feedback on answers and 好差评.
//
// Every FAQ answer given at the menu ends with its next steps, numbered
// 1–3, and with “回复“有用”或“没用”评价本回答”: the rating is by words, so
// that a number is always a next step. 没用 (or 没帮助, 答非所问, 看不懂…)
// records the question with the answer given for officers (未识别问题) and
// offers a person; 有用 is counted.
//
// A closed application's enterprise is asked to rate the service (reply
// 1–5); the lead pipeline stores it (one rating per application) and sends
// a poor one to the county bureau as a ticket.

// AnswerFeedback asks the caller to record an enterprise's judgement of
// an FAQ answer. For an unhelpful one, Question is the masked question
// and Answer the answer given (re-derived, rendered by the caller).
type AnswerFeedback struct {
	FAQ      string
	Useful   bool
	Question string
	Folded   string
	Answer   []Reply
}

// RateService asks the lead pipeline to store a rating of the service on
// a closed application and answer it.
type RateService struct {
	Lead    string // the application's number
	Level   int    // domain.RatingVerySatisfied … domain.RatingVeryDissatisfied
	Comment string // masked, may be empty
}

func (AnswerFeedback) effect() {}
func (RateService) effect()    {}

// RatingDue is the application the follower may rate: its latest one
// closed within domain.RatingWindow, loaded by the caller before an idle
// message is read.
type RatingDue struct {
	Lead    string    // number; "" when none
	Kind    string    // domain.LeadApply or domain.LeadNeed
	AskedAt time.Time // when the question went out; zero when it could not
	Rated   bool      // already rated
}

// AnswerNextData is the data of "feedback_unhelpful": the next step
// offered.
type AnswerNextData struct {
	Next []Option
}

// answered is what the turn's FAQ answer was, for its next steps.
type answered struct {
	reply int    // index in t.replies
	faq   string // FAQ id, "" when none fits
	topic string // the subject a computed answer set; "" for a fixed one
}

// markAnswer notes that the reply just said is an FAQ answer; topic is
// the subject a computed answer set (State.Topic), "" for a fixed one.
func (t *turn) markAnswer(faq, topic string) {
	if len(t.replies) == 0 {
		return
	}
	t.answer = &answered{reply: len(t.replies) - 1, faq: faq, topic: topic}
}

// faqOfTopic is the FAQ entry of a computed topic: the one asked, else the
// first with that topic.
func (t *turn) faqOfTopic(topic, question string) string {
	first := ""
	for _, f := range t.p.FAQs {
		if f.Topic != topic {
			continue
		}
		if question != "" && f.Question == question {
			return f.ID
		}
		if first == "" {
			first = f.ID
		}
	}
	return first
}

// answerTopicOf is the subject of an FAQ answer's next steps: the topic
// a computed answer set (not one left from an earlier answer), else the product or the library its question names,
// else 苏质贷.
func (t *turn) answerTopicOf(a *answered) string {
	if a.topic != "" {
		return a.topic
	}
	faq := a.faq
	for _, f := range t.p.FAQs {
		if f.ID != faq {
			continue
		}
		n := t.p.Fold(f.Question)
		if named := productNamed(t.p, n); named != "" {
			return named
		}
		if strings.Contains(n, "入库") || strings.Contains(n, "企业库") {
			return topicJoin
		}
	}
	return formLoanProduct
}

// finishAnswer ends an FAQ answer given at the menu with its next steps
// and the rating line, and keeps both for the next message. An answer
// given aside, inside a flow, ends without them: the flow's step reads
// the next message.
func (t *turn) finishAnswer() {
	a := t.answer
	if a == nil || !t.s.Idle() || a.reply >= len(t.replies) {
		return
	}
	topic := t.answerTopicOf(a)
	t.s.Topic = topic
	next := nextChoices(topic)
	switch d := t.replies[a.reply].Data.(type) {
	case FAQData:
		d.Next, d.Rate = next, a.faq != ""
		t.replies[a.reply].Data = d
	case TopicData:
		d.Next, d.Rate = next, a.faq != ""
		t.replies[a.reply].Data = d
	default:
		return
	}
	t.s.Fields = map[string]string{"offer": topic, "rate": a.faq, "q": MaskPII(t.in.Text)}
	if a.faq == "" {
		delete(t.s.Fields, "rate")
	}
}

var (
	// unhelpfulWords judge an answer unhelpful; read before helpfulWords,
	// which some contain (没有用).
	unhelpfulWords = []string{"没用", "没有用", "无用", "没啥用", "没什么用", "不太有用", "不是很有用", "用处不大", "没帮助", "没有帮助", "没帮上", "帮助不大",
		"答非所问", "不对", "不是这个", "不是我问的", "不是我要问的", "不是我想问的", "看不懂", "没看懂", "不懂", "看不明白", "不明白", "没解决", "没有解决",
		"不准确", "不准", "错了", "回答错", "说的不对", "牛头不对马嘴", "没回答", "差评",
		"不一样", "不是我", "等于没说", "文不对题", "不相关", "无关"}
	helpfulWords = []string{"有用", "有帮助", "很有帮助", "帮助很大", "帮到", "解决了", "好评", "点赞", "明白了", "清楚了", "懂了"}
)

// judgedWords are what a short reply denies of an answer after 没, 不 or
// 无 (没啥帮助, 看不太懂, 没解决我的问题, 不太准确).
var judgedWords = []string{"帮助", "帮上", "用", "懂", "明白", "清楚", "解决", "对", "准", "回答", "说"}

// negatedJudgement reports a negation followed within three characters by
// a judged word; 不用 (no need) is not one.
func negatedJudgement(n string) bool {
	rs := []rune(n)
	for i, r := range rs {
		if r != '没' && r != '不' && r != '无' {
			continue
		}
		for j := i + 1; j <= i+4 && j < len(rs); j++ {
			rest := string(rs[j:])
			for _, w := range judgedWords {
				if strings.HasPrefix(rest, w) && !(r == '不' && w == "用" && j == i+1) {
					return true
				}
			}
		}
	}
	return false
}

// maxFeedbackRunes bounds a message read as feedback: a longer one is a
// question of its own.
const maxFeedbackRunes = 14

// feedbackOf reads a judgement of the last answer: useful, and whether
// text is one at all.
func feedbackOf(text string) (useful, ok bool) {
	n := bare(text)
	if n == "" || utf8.RuneCountInString(n) > maxFeedbackRunes {
		return false, false
	}
	switch {
	case hasAny(n, unhelpfulWords) || negatedJudgement(n):
		return false, true
	case hasAny(n, helpfulWords):
		return true, true
	}
	return false, false
}

// feedback records a judgement of the FAQ answer the last message got.
func (t *turn) feedback(text string) bool {
	if t.rated == "" {
		return false
	}
	useful, ok := feedbackOf(text)
	if !ok {
		return false
	}
	t.end()
	if useful {
		t.emit(AnswerFeedback{FAQ: t.rated, Useful: true})
		t.say("feedback_useful", nil)
		return true
	}
	q := t.ratedQ
	e := AnswerFeedback{FAQ: t.rated, Question: q, Folded: t.p.Fold(q), Answer: t.answerOf(t.rated)}
	if e.Folded == "" {
		// The question was a bare keyword: the FAQ's own words stand in.
		e.Question, e.Folded = t.faqQuestion(t.rated), t.p.Fold(t.faqQuestion(t.rated))
	}
	t.emit(e)
	// 1: a person; anything else is read afresh.
	t.s.Fields = map[string]string{"offer": offerHuman}
	t.say("feedback_unhelpful", AnswerNextData{Next: nextChoices(offerHuman)})
	return true
}

// offerHuman is the offer after an unhelpful answer: a person.
const offerHuman = "human"

func (t *turn) faqQuestion(id string) string {
	for _, f := range t.p.FAQs {
		if f.ID == id {
			return f.Question
		}
	}
	return ""
}

// answerOf is the answer FAQ id gives this follower, as it was given.
func (t *turn) answerOf(id string) []Reply {
	for _, f := range t.p.FAQs {
		if f.ID == id {
			scratch := &turn{p: t.p, in: t.in, s: State{Profile: t.s.Profile}}
			scratch.answerFAQ(f)
			return scratch.replies
		}
	}
	return nil
}

// ratingWords name the levels, the longest first; a level's number is
// its index + 1 in domain.RatingLevels.
var ratingWords = []struct {
	words []string
	level int
}{
	{[]string{"非常不满意", "很不满意", "特别不满意", "十分不满意", "极不满意"}, domain.RatingVeryDissatisfied},
	{[]string{"不满意", "不太满意", "不怎么满意"}, domain.RatingDissatisfied},
	{[]string{"基本满意", "还算满意", "比较满意", "还行", "一般般", "还可以"}, domain.RatingFair},
	{[]string{"非常满意", "很满意", "特别满意", "十分满意", "超级满意", "非常好"}, domain.RatingVerySatisfied},
	{[]string{"满意"}, domain.RatingSatisfied},
}

// maxRatingComment bounds the comment kept with a rating, in characters.
const maxRatingComment = 200

// ratingOf reads a rating: a level's number at the start (when digits
// count), or its words, optionally after 评价; the rest is the comment.
func ratingOf(text string, digits bool) (level int, comment string, ok bool) {
	s := strings.TrimSpace(toHalfWidth(text))
	s = strings.TrimSpace(strings.TrimPrefix(s, "评价"))
	if s != "" && digits || strings.HasPrefix(strings.TrimSpace(toHalfWidth(text)), "评价") {
		if r, w := utf8.DecodeRuneInString(s); r >= '1' && r <= '5' {
			rest := s[w:]
			if next, _ := utf8.DecodeRuneInString(rest); rest == "" || !unicode.IsDigit(next) {
				return int(r - '0'), cleanComment(rest), true
			}
		}
	}
	n := Normalize(s)
	if utf8.RuneCountInString(n) > maxRatingRunes || looksLikeQuestion(s) {
		return 0, "", false // 满意度怎么算？ asks, it does not rate
	}
	for _, lw := range ratingWords {
		for _, w := range lw.words {
			if i := strings.Index(n, w); i >= 0 && utf8.RuneCountInString(n[:i]) <= 4 && !strings.HasPrefix(n[i+len(w):], "度") {
				return lw.level, cleanComment(n[i+len(w):]), true
			}
		}
	}
	return 0, "", false
}

// cleanComment trims what follows a level of separators.
func cleanComment(s string) string {
	s = strings.TrimLeftFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '分'
	})
	if strings.Trim(s, particles+"。.!！~") == "" {
		return "" // 基本满意吧
	}
	s = MaskPII(s)
	if utf8.RuneCountInString(s) > maxRatingComment {
		s = string([]rune(s)[:maxRatingComment])
	}
	return s
}

// RatingQuestionData is the data of "rating_question".
type RatingQuestionData struct {
	Number    string
	KindLabel string
	Levels    []Option
}

// RatingQuestion is the question asking for a rating of a closed lead.
func RatingQuestion(number, kind string) RatingQuestionData {
	d := RatingQuestionData{Number: number, KindLabel: domain.LeadKindLabel(kind)}
	for _, l := range domain.RatingLevels {
		d.Levels = append(d.Levels, Option{Key: domain.RatingLabel(l), Label: domain.RatingLabel(l)})
	}
	return d
}

// rateService reads a rating of the follower's closed application: a
// number 1–5 right after the question (nothing else was said since) or
// after 评价, else the level's words; 评价 alone asks the question again.
func (t *turn) rateService(text string) bool {
	due := t.s.Profile.Rating
	if due.Lead == "" {
		return false
	}
	trimmed := strings.TrimSpace(toHalfWidth(text))
	if bare(trimmed) == "评价" || bare(trimmed) == "我要评价" {
		if due.Rated {
			t.say("rating_already", due.Lead)
			return true
		}
		t.end()
		t.say("rating_question", RatingQuestion(due.Lead, due.Kind))
		t.s.Fields = map[string]string{"offer": offerRating}
		return true
	}
	// A number rates right after the question: asked after the last
	// message, and within the 48 hours a 客服 message is read in (a
	// conversation expired since leaves no last message to compare).
	digits := t.offer == offerRating || !due.AskedAt.IsZero() && due.AskedAt.After(t.s.UpdatedAt) &&
		t.in.At.Sub(due.AskedAt) < ratingDigitsWindow
	level, comment, ok := ratingOf(text, digits)
	if !ok {
		return false
	}
	if due.Rated {
		if comment != "" || utf8.RuneCountInString(bare(text)) > 6 {
			// More than a level: read as any message (不满意，还没放款 is
			// a complaint, and is not swallowed by the refusal).
			return false
		}
		t.say("rating_already", due.Lead)
		return true
	}
	t.end()
	t.emit(RateService{Lead: due.Lead, Level: level, Comment: comment})
	return true
}

// ratingDigitsWindow is how long after the question a bare number may
// still answer it.
const ratingDigitsWindow = 48 * time.Hour

// maxRatingRunes bounds a message read as a rating.
const maxRatingRunes = 60

// MayRate reports whether text could be a rating, so that the caller
// loads the rating due only then.
func MayRate(text string) bool {
	n := utf8.RuneCountInString(strings.TrimSpace(text))
	return n > 0 && n <= maxRatingRunes
}

// offerRating is the offer after the rating question was asked again.
const offerRating = "rating"
