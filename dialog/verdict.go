package dialog

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Eligibility as a verdict. The notice admits an enterprise to the library
// only if all of 二 holds: （一）registered in Suzhou as an independent legal
// person in good standing, （二）an honour of 附件1, （三）no safety-
// production, environmental or tax penalty in the last three years. Facts
// that fail （一） or （三） are read from any message as slots — in a first
// message, a free question or a self-check answer — and the answer says
// plainly that it is a blocker, under which clause, and what can still be
// done.

// BlockerWords are the words of the facts that decide eligibility.
type BlockerWords struct {
	Penalty    []string      // 罚, 处罚 …
	Kinds      []PenaltyKind // the kinds 二（三） names
	Outside    []string      // places outside Suzhou
	Branch     []string      // 分公司, 不是独立法人 …
	SoleTrader []string      // 个体户 …
}

// PenaltyKind is one kind of penalty 二（三） names, with its words.
type PenaltyKind struct {
	Name  string
	Words []string
}

// Facts are the eligibility facts a message states.
type Facts struct {
	Penalty     bool
	PenaltyKind string // 环保, 纳税, 安全生产; "" when not said
	// PenaltyYears is how long ago: 0 this year, 1 last year …; -1 unknown.
	PenaltyYears int
	Outside      string // the place outside Suzhou named as where it is registered
	Branch       bool   // a branch, no legal person of its own
	SoleTrader   bool   // 个体工商户
}

// Any reports whether a fact was read.
func (f Facts) Any() bool { return f.Penalty || f.Outside != "" || f.Branch || f.SoleTrader }

var (
	yearsAgo  = regexp.MustCompile(`([0-9]+|[一二两三四五六七八九十]+)年(前|以前|之前)`)
	yearsIn   = regexp.MustCompile(`(近|最近|这|过去)([0-9]+|[一二两三四五六七八九十]+)年`)
	fullYear  = regexp.MustCompile(`(19|20)([0-9]{2})年`)
	shortYear = regexp.MustCompile(`(^|[^0-9])([0-9]{2})年`)
)

// negations before a penalty word say there was none: 没有环保处罚.
var penaltyNegations = []string{"没有", "没", "无", "未", "不曾", "从未"}

// facts reads the eligibility facts of a message.
func (t *turn) facts(text string) Facts {
	x := t.p.repairWords()
	n := bare(text)
	f := Facts{PenaltyYears: -1}
	if at, w := firstOf(n, x.penalty); at >= 0 && w != "" {
		before := n[:at]
		if r := []rune(before); len(r) > 4 {
			before = string(r[len(r)-4:])
		}
		if !hasAny(before, penaltyNegations) {
			f.Penalty = true
		}
	}
	if f.Penalty {
		for _, k := range x.kinds {
			if hasAny(n, k.Words) {
				f.PenaltyKind = k.Name
				break
			}
		}
		f.PenaltyYears = t.yearsAgo(n)
	}
	f.Branch = hasAny(n, x.branch)
	f.SoleTrader = hasAny(n, x.soleTrader)
	if at, w := firstOf(n, x.outside); at >= 0 {
		before := n[:at]
		// 总部在南京: where the head office is says nothing of the branch.
		if !strings.HasSuffix(before, "总部在") && !strings.HasSuffix(before, "总公司在") && !strings.HasSuffix(before, "不在") {
			f.Outside = w
		}
	}
	if f.Branch || f.SoleTrader {
		f.Outside = ""
	}
	return f
}

// yearsAgo reads how long ago a penalty was; -1 when the message does not
// say.
func (t *turn) yearsAgo(n string) int {
	switch {
	case strings.Contains(n, "大前年"):
		return 3
	case strings.Contains(n, "前年"), strings.Contains(n, "前两年"):
		return 2
	case strings.Contains(n, "去年"), strings.Contains(n, "上一年"):
		return 1
	case hasAny(n, []string{"今年", "本月", "上个月", "上月", "最近", "上半年", "下半年", "前几天", "前几个月", "刚刚", "刚被", "这个月"}):
		return 0
	}
	if m := yearsAgo.FindStringSubmatch(n); m != nil {
		if v, ok := parseCount(m[1]); ok {
			return int(v)
		}
	}
	if m := yearsIn.FindStringSubmatch(n); m != nil {
		if v, ok := parseCount(m[2]); ok && v <= 3 {
			return 0 // within the last N ≤ 3 years
		}
	}
	year := 0
	if m := fullYear.FindStringSubmatch(n); m != nil {
		year, _ = strconv.Atoi(m[1] + m[2])
	} else if m := shortYear.FindStringSubmatch(n); m != nil {
		y, _ := strconv.Atoi(m[2])
		year = 2000 + y
	}
	if year > 1990 && !t.in.At.IsZero() && year <= t.in.At.Year() {
		return t.in.At.Year() - year
	}
	return -1
}

// penaltyWindow is 二（三）'s three years.
const penaltyWindow = 3

// VerdictLine is one condition of 二 a fact fails.
type VerdictLine struct {
	Fact      string // the fact as the person said it, in the bureau's words
	Condition Condition
}

// VerdictData is the data of "eligibility_verdict".
type VerdictData struct {
	Blocked []VerdictLine
	// A penalty whose date decides: Old (three years have passed), Edge
	// (about three years ago: the date of the decision counts), Undated
	// (the message does not say when).
	Old, Edge, Undated bool
	OtherKind          bool // a penalty of a kind 二（三） does not name
	Years              int
	PenaltyKind        string
	Penalty            Condition // 二（三）, for the wording
}

// verdict answers the eligibility facts of a message; false when it states
// none.
func (t *turn) verdict(text string, f Facts) bool {
	if !f.Any() {
		return false
	}
	t.s.Topic = topicJoin
	cond := func(blocker string) (Condition, bool) {
		for _, c := range t.p.Eligibility {
			if c.Blocker == blocker {
				return c, true
			}
		}
		return Condition{}, false
	}
	var d VerdictData
	d.Years, d.PenaltyKind = f.PenaltyYears, f.PenaltyKind
	d.Penalty, _ = cond("penalty")
	switch {
	case f.SoleTrader:
		if c, ok := cond("branch"); ok {
			d.Blocked = append(d.Blocked, VerdictLine{Fact: "个体工商户不具有独立法人资格", Condition: c})
		}
	case f.Branch:
		if c, ok := cond("branch"); ok {
			d.Blocked = append(d.Blocked, VerdictLine{Fact: "分公司、分支机构不具有独立法人资格", Condition: c})
		}
	case f.Outside != "":
		if c, ok := cond("outside"); ok {
			d.Blocked = append(d.Blocked, VerdictLine{Fact: "注册地在" + f.Outside + "，不在苏州市行政区域内", Condition: c})
		}
	}
	if f.Penalty {
		d.OtherKind = f.PenaltyKind == ""
		switch {
		case f.PenaltyYears < 0:
			d.Undated = true
		case f.PenaltyYears > penaltyWindow:
			d.Old = true
		case f.PenaltyYears == penaltyWindow:
			d.Edge = true
		case !d.OtherKind:
			fact := "近三年内受到过" + f.PenaltyKind + "方面的处罚"
			d.Blocked = append(d.Blocked, VerdictLine{Fact: fact, Condition: d.Penalty})
		}
	}
	t.end()
	t.say("eligibility_verdict", d)
	return true
}

// asksAboutJoining reports whether a message with an eligibility fact asks
// about joining or financing, so that the fact decides the answer.
func (t *turn) asksAboutJoining(n string) bool {
	return hasAny(n, []string{"入库", "进库", "企业库", "申请", "贷", "借", "苏质", "融资", "能", "可以", "影响", "资格", "符合", "参加", "办", "行不行", "行吗", "有机会", "还能", "条件"})
}

// blockedCondition returns the self-check condition a free answer fails
// (前年环保罚过一次, 我们在常州注册的), and whether it meets condition i
// instead (五年前罚过: 二（三） holds).
func (t *turn) blockedCondition(i int, text string) (failed Condition, blocked, met bool) {
	f := t.facts(text)
	if !f.Any() {
		return Condition{}, false, false
	}
	want := ""
	switch {
	case f.SoleTrader, f.Branch:
		want = "branch"
	case f.Outside != "":
		want = "outside"
	case f.Penalty && f.PenaltyYears > penaltyWindow:
		return Condition{}, false, t.p.Eligibility[i].Blocker == "penalty"
	case f.Penalty && f.PenaltyKind != "" && f.PenaltyYears >= 0 && f.PenaltyYears < penaltyWindow:
		want = "penalty"
	case f.Penalty && f.PenaltyKind != "" && f.PenaltyYears < 0 && utf8.RuneCountInString(bare(text)) > 2:
		want = "penalty" // "有过一次安全生产处罚": said as having happened
	}
	for _, c := range t.p.Eligibility {
		if want != "" && c.Blocker == want {
			return c, true, false
		}
	}
	return Condition{}, false, false
}

// enterpriseWords say an enterprise speaks ("企业法人个人担保"): personal
// words then do not make the message out of scope.
var enterpriseWords = []string{"企业", "公司", "厂", "单位", "法人", "我司", "集团"}

// outOfScope answers a matter this account does not serve — personal loans,
// housing fund, social insurance, tax filing — with one polite sentence and
// the menu hint, before any intent can start a form; false otherwise.
func (t *turn) outOfScope(text string) bool {
	x := t.p.repairWords()
	n := bare(text)
	personal := hasAny(n, x.scopePersonal) && hasAny(n, x.scopeMoney) && !hasAny(n, enterpriseWords)
	if !hasAny(n, x.scopeAlways) && !personal {
		return false
	}
	t.end()
	t.say("out_of_scope", ChatData{Profile: t.s.Profile})
	return true
}

// bankOrBureau reports whether a message asks which of the two to go to,
// a bank or the bureau ("是去银行申请还是找市场监管局"): the choice itself is
// the question, whatever topic its words lean to.
func bankOrBureau(n string) bool {
	return strings.Contains(n, "银行") && hasAny(n, []string{"还是", "或者", "要不要"}) &&
		hasAny(n, []string{"市场监管局", "监管局", "你们", "这里", "这边", "局里", "政府"})
}

// whereToApply answers bankOrBureau with its FAQ; false when the policy has
// none.
func (t *turn) whereToApply() bool {
	for _, f := range t.p.FAQs {
		if f.ID == "where-apply" {
			t.end()
			t.answerFAQ(f)
			return true
		}
	}
	return false
}

// asksStatus reports whether a message asks how the follower's own filing
// stands ("查一下我的入库申请", "提交的融资需求怎么样了"): the words of a form
// in it are then no request to fill one in.
func asksStatus(n string) bool {
	filed := hasAny(n, []string{"申请", "需求", "提交", "材料", "交的"})
	status := hasAny(n, []string{"状态", "进度", "进展", "结果", "怎么样了", "到哪", "审到", "批了没", "有消息", "办好了没", "处理了没"})
	mine := hasAny(n, []string{"查一下我", "查下我", "查查我", "看看我", "看下我", "我的", "我们的", "我提交", "我交", "提交的", "交的"})
	return filed && (status || mine && hasAny(n, []string{"查", "看"}))
}

// perksOfLoan reports whether a message asks what 苏质贷 offers (优惠): its
// preferential terms are the rate caps of 三（一）.
func perksOfLoan(folded string) bool {
	return strings.Contains(folded, "苏质贷") && strings.Contains(folded, "优惠") && !strings.ContainsAny(folded, "0123456789")
}
