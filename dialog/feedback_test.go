package dialog_test

import (
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Issue 27, feedback: every FAQ answer given at the menu ends with numbered
// next steps and the rating line; 有用/没用 judge it; closed applications
// are rated 1–5.

func feedbackOf(c *chat) (dialog.AnswerFeedback, bool) {
	for _, e := range c.effects {
		if f, ok := e.(dialog.AnswerFeedback); ok {
			return f, true
		}
	}
	return dialog.AnswerFeedback{}, false
}

func TestFAQAnswersOfferNextStepsAndRating(t *testing.T) {
	for text, want := range map[string][]string{
		"苏质贷利率多少":          {"1. 提交融资需求", "2. 苏质贷利率测算", "3. 人工服务"},
		"什么样的企业可以入库":       {"1. 申请入库", "2. 质量信誉自检", "3. 人工服务"},
		"期货套期保值有什么优惠":      {"1. 提交融资需求", "2. 质量信誉自检（看适用哪一类优惠）", "3. 人工服务"},
		"可以直接在微信里申请吗":      {"1. 提交融资需求", "3. 人工服务"},
		"没有质量荣誉或认证的企业能入库吗": {"1. 申请入库"},
	} {
		c := newChat(t, dialog.Profile{}).send(text)
		for _, w := range append(want, "下一步，请回复数字", "回复“有用”或“没用”评价本回答") {
			if !strings.Contains(c.text(), w) {
				t.Errorf("%q: no %q in\n%s", text, w, c.text())
			}
		}
	}
}

func TestNextStepsFollowTheAnswerNotTheTopicBefore(t *testing.T) {
	// After a joining answer, a fixed answer about 融资租赁 offers a need.
	c := newChat(t, dialog.Profile{}).send("什么样的企业可以入库").send("“苏质融”的融资租赁能做什么？")
	if !strings.Contains(c.text(), "1. 提交融资需求") || strings.Contains(c.text(), "1. 申请入库") {
		t.Fatalf("next steps of the earlier topic:\n%s", c.text())
	}
}

func TestNextStepNumberStartsIt(t *testing.T) {
	c := newChat(t, dialog.Profile{}).send("什么样的企业可以入库").send("1")
	if c.s.Flow != "apply" {
		t.Fatalf("1 after a joining answer: %s.%s %v", c.s.Flow, c.s.Step, c.names())
	}
	c = newChat(t, dialog.Profile{}).send("苏质贷的风险补偿机制是怎样的").send("2")
	if c.s.Flow != "calc" {
		t.Fatalf("2 after a loan answer: %s.%s %v", c.s.Flow, c.s.Step, c.names())
	}
	c = newChat(t, dialog.Profile{}).send("苏质贷利率多少").send("3")
	if !c.has("ticket_opened") {
		t.Fatalf("3: %v", c.names())
	}
}

func TestAnswerAsideHasNoNextSteps(t *testing.T) {
	c := newChat(t, dialog.Profile{}).send("测算").send("苏质贷风险补偿比例是多少")
	if strings.Contains(c.text(), "下一步，请回复数字") || strings.Contains(c.text(), "评价本回答") {
		t.Fatalf("numbered next steps inside the calculator:\n%s", c.text())
	}
}

func TestUsefulIsCounted(t *testing.T) {
	c := newChat(t, dialog.Profile{}).send("苏质贷利率多少").send("有用")
	f, ok := feedbackOf(c)
	if !ok || !f.Useful || f.FAQ != "rates" {
		t.Fatalf("有用: %+v %v", c.effects, c.names())
	}
	c.reply("feedback_useful")
	if !c.s.Idle() {
		t.Fatal("not idle")
	}
}

func TestUnhelpfulRecordsQuestionWithAnswer(t *testing.T) {
	for _, say := range []string{"没用", "没帮助", "答非所问", "不对", "看不懂", "没有用啊", "这回答没啥用"} {
		c := newChat(t, dialog.Profile{}).send("可以直接在微信里申请吗 我电话13912345678").send(say)
		f, ok := feedbackOf(c)
		if !ok || f.Useful || f.FAQ != "wechat" {
			t.Fatalf("%q: %+v %v", say, c.effects, c.names())
		}
		if strings.Contains(f.Question, "13912345678") || !strings.Contains(f.Question, "微信里申请") {
			t.Fatalf("%q: question %q", say, f.Question)
		}
		if len(f.Answer) != 1 || f.Answer[0].Name != "faq_answer" {
			t.Fatalf("%q: answer %+v", say, f.Answer)
		}
		c.reply("feedback_unhelpful")
		c.contains("人工")
		// The person is the numbered choice offered.
		c.send("1")
		if !c.has("ticket_opened") {
			t.Fatalf("1 after 没用: %v", c.names())
		}
	}
}

func TestFeedbackIsGoodForOneMessage(t *testing.T) {
	c := newChat(t, dialog.Profile{}).send("苏质贷利率多少").send("你好").send("有用")
	if _, ok := feedbackOf(c); ok {
		t.Fatalf("有用 two messages after the answer was taken as feedback")
	}
	// 没用 with nothing answered is not feedback either.
	c = newChat(t, dialog.Profile{}).send("没用")
	if _, ok := feedbackOf(c); ok {
		t.Fatal("没用 out of the blue taken as feedback")
	}
	// A long message after an answer is a question of its own.
	c = newChat(t, dialog.Profile{}).send("苏质贷利率多少").send("不对吧，我听说期货套期保值的保证金怎么收的")
	if _, ok := feedbackOf(c); ok {
		t.Fatalf("a question taken as feedback: %v", c.names())
	}
}

func rateOf(c *chat) (dialog.RateService, bool) {
	for _, e := range c.effects {
		if r, ok := e.(dialog.RateService); ok {
			return r, true
		}
	}
	return dialog.RateService{}, false
}

// askedRating is a follower whose application SZR-1 closed and was asked
// to rate it after its last message.
func askedRating(t *testing.T) *chat {
	c := newChat(t, dialog.Profile{}).send("你好")
	c.s.Profile.Rating = dialog.RatingDue{Lead: "SZR-20261201-0001", Kind: domain.LeadNeed, AskedAt: c.at.Add(30 * time.Second)}
	return c
}

func TestRatingByNumberAfterTheQuestion(t *testing.T) {
	for say, want := range map[string][2]any{
		"1": {1, ""}, "5": {5, ""}, "4 审核时间较长": {4, "审核时间较长"}, "2、挺快的": {2, "挺快的"},
		"非常满意": {1, ""}, "满意": {2, ""}, "基本满意吧": {3, ""}, "不满意，没人联系我": {4, "没人联系我"},
		"非常不满意": {5, ""}, "评价 3": {3, ""},
	} {
		c := askedRating(t).send(say)
		r, ok := rateOf(c)
		if !ok || r.Level != want[0].(int) || r.Comment != want[1].(string) || r.Lead != "SZR-20261201-0001" {
			t.Errorf("%q: %+v %v", say, c.effects, c.names())
		}
	}
}

func TestQuestionsAreNotRatings(t *testing.T) {
	for _, say := range []string{"满意度调查是什么", "你们满意吗？", "不满意可以投诉吗"} {
		if r, ok := rateOf(askedRating(t).send(say)); ok {
			t.Errorf("%q rated %+v", say, r)
		}
	}
}

func TestRatingDigitsOnlyRightAfterTheQuestion(t *testing.T) {
	c := askedRating(t).send("苏质贷利率多少").send("1")
	if _, ok := rateOf(c); ok {
		t.Fatal("a next-step number taken as a rating")
	}
	if c.s.Flow != "need" {
		t.Fatalf("1 after the answer: %s %v", c.s.Flow, c.names())
	}
	// Words still rate; 评价 asks again, and then a number rates.
	c = askedRating(t).send("你好").send("满意")
	if r, ok := rateOf(c); !ok || r.Level != 2 {
		t.Fatalf("满意 later: %v", c.effects)
	}
	c = askedRating(t).send("你好").send("评价")
	c.reply("rating_question")
	c.contains("1. 非常满意", "5. 非常不满意")
	c.send("3")
	if r, ok := rateOf(c); !ok || r.Level != 3 {
		t.Fatalf("3 after 评价: %v %v", c.effects, c.names())
	}
}

func TestRatingDigitsExpire(t *testing.T) {
	c := askedRating(t)
	c.s.UpdatedAt = time.Time{} // the conversation expired since
	c.s.Profile.Rating.AskedAt = c.at.Add(-72 * time.Hour)
	c.send("1")
	if _, ok := rateOf(c); ok {
		t.Fatal("a number rated three days after the question")
	}
	c = askedRating(t)
	c.s.Profile.Rating.AskedAt = c.at.Add(-72 * time.Hour)
	c.s.UpdatedAt = time.Time{}
	c.send("满意")
	if _, ok := rateOf(c); !ok {
		t.Fatal("words no longer rate")
	}
}

func TestRatingRefusedTwice(t *testing.T) {
	c := askedRating(t)
	c.s.Profile.Rating.Rated = true
	c.send("非常满意")
	if _, ok := rateOf(c); ok {
		t.Fatal("rated twice")
	}
	c.reply("rating_already")
	// More than a level is read as any message: a complaint stays one.
	c.send("不满意，到现在还没放款")
	if _, ok := rateOf(c); ok || !c.has("ticket_opened") {
		t.Fatalf("complaint after rating: %v %v", c.effects, c.names())
	}
	// Without an application to rate, 不满意 is still a complaint.
	c = newChat(t, dialog.Profile{}).send("不满意")
	if _, ok := rateOf(c); ok || !c.has("ticket_opened") {
		t.Fatalf("不满意 with nothing to rate: %v %v", c.effects, c.names())
	}
}
