package dialog

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Conversation repair: what people do in the middle of a flow besides
// answering — cancel, correct an earlier answer, ask something back, say
// they do not know, chat, ask for a person. It is one layer every flow
// passes through (Step → text → repair), the way Rasa CALM's repair patterns
// or Dialogflow CX's route groups sit above the flows: a step sees only what
// is meant as its answer. The words are data (seeds/data/conversation.yaml).

// RepairWords are the words of conversation repair, kept in the seeds.
type RepairWords struct {
	Yes, No  []string // whole answers to a yes/no question
	Unsure   []string // the person does not know
	Cancel   []string // leave the flow
	Correct  []string // a correction follows or precedes
	Wrong    []string // after a field's name: it is wrong (联系人不对)
	Human    []string // ask for a person
	Greeting []string
	Thanks   []string
	Wait     []string // 稍等, 我问下老板
	Ack      []string // 好的, 收到: chit-chat where a fact is asked
	Skip     []string // leave a self-check question open
}

// ScopeWords decide what is out of scope before any intent is scored.
type ScopeWords struct {
	Always   []string // out of scope whatever else is said: 公积金, 房贷 …
	Personal []string // a person speaks, not an enterprise: 我个人, 我自己 …
	Money    []string // … and asks about money
}

// repairLexicon is RepairWords normalised once per policy.
type repairLexicon struct {
	yes, no, unsure, cancel, correct, wrong, human []string
	greeting, thanks, wait, ack, skip              []string
	scopeAlways, scopePersonal, scopeMoney         []string
	penalty, outside, branch, soleTrader           []string
	kinds                                          []PenaltyKind
}

func newRepairLexicon(lx Lexicon) *repairLexicon {
	norm := func(ws []string) []string {
		out := make([]string, 0, len(ws))
		for _, w := range ws {
			if w = bare(w); w != "" {
				out = append(out, w)
			}
		}
		// Longest first, so that the longest phrase is found first.
		slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
		return out
	}
	r, s, b := lx.Repair, lx.Scope, lx.Blockers
	x := &repairLexicon{
		yes: norm(r.Yes), no: norm(r.No), unsure: norm(r.Unsure), cancel: norm(r.Cancel),
		correct: norm(r.Correct), wrong: norm(r.Wrong), human: norm(r.Human),
		greeting: norm(r.Greeting), thanks: norm(r.Thanks), wait: norm(r.Wait), ack: norm(r.Ack), skip: norm(r.Skip),
		scopeAlways: norm(s.Always), scopePersonal: norm(s.Personal), scopeMoney: norm(s.Money),
		penalty: norm(b.Penalty), outside: norm(b.Outside), branch: norm(b.Branch), soleTrader: norm(b.SoleTrader),
	}
	for _, k := range b.Kinds {
		x.kinds = append(x.kinds, PenaltyKind{Name: k.Name, Words: norm(k.Words)})
	}
	return x
}

func (p *Policy) repairWords() *repairLexicon { return p.understanding().repair }

// idleCancel answers a cancel said when nothing is in progress ("算了不查了"
// after a lookup ended): a short yes and the menu, not "not understood".
func (t *turn) idleCancel(text string) bool {
	n := bare(text)
	if utf8.RuneCountInString(n) > shortMessage || !hasAny(n, t.p.repairWords().cancel) || looksLikeQuestion(text) {
		return false
	}
	t.say("aside_chat", "ack")
	t.menu()
	return true
}

// bare is text normalised and without punctuation, symbols or spaces: the
// form repair words are matched in.
func bare(s string) string {
	n := Normalize(s)
	var b strings.Builder
	b.Grow(len(n))
	for _, r := range n {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// particles are dropped from the end of a short message before it is
// compared with whole phrases: 是的呀 is 是的, 好的哈 is 好的.
const particles = "呀啊哈哦噢吧呢嘛啦喔哇滴咯嘞"

func trimParticles(n string) string {
	for n != "" {
		r, w := utf8.DecodeLastRuneInString(n)
		if !strings.ContainsRune(particles, r) || len(n) == w {
			break
		}
		n = n[:len(n)-w]
	}
	return n
}

func hasAny(n string, words []string) bool {
	for _, w := range words {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func isOneOf(n string, words []string) bool {
	return slices.Contains(words, n) || slices.Contains(words, trimParticles(n))
}

// firstOf returns the earliest occurrence of any word in n: its byte offset
// and the word; -1 when none.
func firstOf(n string, words []string) (int, string) {
	at, word := -1, ""
	for _, w := range words {
		if i := strings.Index(n, w); i >= 0 && (at < 0 || i < at || i == at && len(w) > len(word)) {
			at, word = i, w
		}
	}
	return at, word
}

// repairKind is what a message in the middle of a flow does.
type repairKind int

const (
	repAnswer   repairKind = iota // an answer to the step
	repCancel                     // leave the flow
	repHuman                      // ask for a person
	repCorrect                    // change an earlier answer
	repUnsure                     // does not know: explain the step
	repSkip                       // leave the question open
	repChat                       // greeting, thanks, wait, acknowledgement
	repQuestion                   // asks something back
)

// repairMsg is a message as the repair layer reads it.
type repairMsg struct {
	kind  repairKind
	chat  string // greeting, thanks, wait or ack
	field string // the field a correction names, if any
	value string // the value a correction gives, if any
}

// shortMessage is how many characters a message may have to be read as a
// cancel, an unsure answer or chit-chat: longer ones say more than that.
const shortMessage = 14

// classify reads a message in the middle of a flow at step st.
func (t *turn) classify(st step, text string) repairMsg {
	x := t.p.repairWords()
	n := bare(text)
	if n == "" {
		return repairMsg{kind: repAnswer}
	}
	runes := utf8.RuneCountInString(n)
	if st.yesno && (isOneOf(n, x.yes) || isOneOf(n, x.no)) {
		return repairMsg{kind: repAnswer}
	}
	if (hasAny(n, x.human) || runes <= 10 && strings.Contains(n, "人工") && !strings.Contains(n, "人工智能")) &&
		!strings.Contains(n, "是真人") && !strings.HasSuffix(n, "真人吗") {
		return repairMsg{kind: repHuman}
	}
	if runes <= shortMessage && hasAny(n, x.cancel) && !looksLikeQuestion(text) {
		return repairMsg{kind: repCancel}
	}
	if m, ok := t.correction(text, n); ok {
		return m
	}
	if isOneOf(n, x.skip) {
		return repairMsg{kind: repSkip}
	}
	if runes <= shortMessage && (hasAny(n, x.unsure) || notKnowing.MatchString(n)) {
		return repairMsg{kind: repUnsure}
	}
	if st.factual && isOneOf(n, x.ack) {
		return repairMsg{kind: repChat, chat: "ack"}
	}
	if runes <= 8 && (isOneOf(n, x.greeting) || startsWithAny(n, x.greeting) && runes <= 4) {
		return repairMsg{kind: repChat, chat: "greeting"}
	}
	if runes <= 8 && hasAny(n, x.thanks) {
		return repairMsg{kind: repChat, chat: "thanks"}
	}
	if runes <= shortMessage && hasAny(n, x.wait) && !looksLikeQuestion(text) {
		return repairMsg{kind: repChat, chat: "wait"}
	}
	// The word lists miss phrasings; the intent matcher, which knows
	// hundreds of ways to greet, thank, leave or ask for a person, reads a
	// short message too.
	if runes <= 12 {
		if u := t.p.Understand(text); u.Verdict == Confident {
			in, _ := t.p.Intent(u.Intent)
			switch in.Action {
			case "greeting", "thanks":
				return repairMsg{kind: repChat, chat: in.Action}
			case "bye":
				return repairMsg{kind: repCancel}
			case "human":
				return repairMsg{kind: repHuman}
			}
		}
	}
	if looksLikeQuestion(text) {
		return repairMsg{kind: repQuestion}
	}
	return repairMsg{kind: repAnswer}
}

func startsWithAny(n string, words []string) bool {
	for _, w := range words {
		if strings.HasPrefix(n, w) {
			return true
		}
	}
	return false
}

// notKnowing reads "don't know" with a word between: 不太知道, 不是很清楚,
// 不怎么了解.
var notKnowing = regexp.MustCompile(`不(太|大|是很|是太|怎么|很)(知道|清楚|确定|记得|了解|懂|明白)`)

// backWords say which answer a correction is about when no field is named.
var backWords = []string{"刚才", "上一个", "上一题", "上一步", "上一项", "前面", "之前"}

// correction reads a correction: the phrase that marks it (填错了, 改成,
// 联系人不对 …), the field named before it and the value after it.
func (t *turn) correction(text, n string) (repairMsg, bool) {
	x := t.p.repairWords()
	// Positions are found in the normalised text, which keeps punctuation
	// and maps the original rune for rune once spaces are gone.
	nn := Normalize(text)
	at, word := firstOf(nn, x.correct)
	if at < 0 {
		// 联系人不对, 不对，刚才… : "wrong" counts after a field or with a
		// word pointing back.
		wat, wword := firstOf(nn, x.wrong)
		if wat < 0 {
			return repairMsg{}, false
		}
		if f := fieldNamed(t.s.Flow, nn[:wat]); f == "" && !hasAny(n, backWords) {
			return repairMsg{}, false
		}
		at, word = wat, wword
	}
	m := repairMsg{kind: repCorrect}
	m.field = fieldNamed(t.s.Flow, nn[:at])
	orig := []rune(strings.Join(strings.Fields(toHalfWidth(text)), ""))
	value := nn[at+len(word):]
	if len(orig) == utf8.RuneCountInString(nn) {
		value = string(orig[utf8.RuneCountInString(nn[:at+len(word)]):])
	}
	m.value = trimValue(value)
	if m.field == "" && m.value != "" {
		// 改成手机13…: the field may be named after the phrase too.
		b := bare(m.value)
		if f := fieldNamed(t.s.Flow, b); f != "" && fieldWord(f, b) != "" {
			m.field = f
			m.value = trimValue(strings.TrimPrefix(b, fieldWord(f, b)))
		}
	}
	return m, true
}

// valueLeads introduce the value of a correction: 应该是X, 改成X, 是X.
var valueLeads = []string{"应该是", "应该为", "应是", "应为", "正确的是", "正确是", "改成", "改为", "换成", "是", "为", "成"}

func trimValue(v string) string {
	for {
		before := v
		v = strings.TrimLeftFunc(v, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || r == '了' || r == '啦'
		})
		v = strings.TrimPrefix(v, "一下")
		for _, l := range valueLeads {
			v = strings.TrimPrefix(v, l)
		}
		if v == before {
			break
		}
	}
	return strings.TrimRightFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == '。' || r == '.' || r == '！' || r == '!' })
}

// fieldExtra are words for the forms' fields besides those of the review
// (formFields), as people name a field when they correct it.
var fieldExtra = map[string][]string{
	"name":    {"名字", "企业名字", "公司名字", "厂名", "单位名称", "全称"},
	"code":    {"统一社会信用代码", "信用码", "社会代码", "税号"},
	"contact": {"联系人名字", "联系人姓名", "对接人", "负责人"},
	"phone":   {"手机号码", "电话号码", "联系方式", "手机号"},
	"amount":  {"钱数", "贷款金额", "借款金额", "融资额"},
	"term":    {"时间", "期限", "几个月"},
	"purpose": {"用途", "用处"},
	"county":  {"区", "县"},
}

// fieldNamed returns the form field a text names, the longest word first;
// "" outside a form or when none is named. The generic 企业/公司 count only
// when nothing more specific is named.
func fieldNamed(flow, n string) string {
	order, ok := formOrder[flow]
	if !ok || n == "" {
		return ""
	}
	best, bestLen := "", 0
	for _, k := range order {
		for _, w := range fieldWordsOf(k) {
			l := utf8.RuneCountInString(w)
			if w == "企业" || w == "公司" {
				l = 1
			}
			if strings.Contains(n, w) && l > bestLen {
				best, bestLen = k, l
			}
		}
	}
	return best
}

func fieldWordsOf(k string) []string {
	f := formFields[k]
	out := append([]string{Normalize(f.label)}, f.words...)
	return append(out, fieldExtra[k]...)
}

// fieldWord is the word of field k that n starts with.
func fieldWord(k, n string) string {
	best := ""
	for _, w := range fieldWordsOf(k) {
		if strings.HasPrefix(n, w) && len(w) > len(best) {
			best = w
		}
	}
	return best
}

// repair handles a message in the middle of a flow that is not an answer
// to the step; false when it is one.
func (t *turn) repair(st step, text string) bool {
	if st.claims != nil && st.claims(t, text) {
		return false // the step's own answer (改3, 联系人 at the review)
	}
	m := t.classify(st, text)
	if _, known := flowLabels[t.s.Flow]; !known && m.kind != repCancel && m.kind != repHuman {
		// A flow the repair layer does not name (personal-data rights)
		// answers the rest itself.
		return false
	}
	if st.fresh && m.kind >= repUnsure || st.questions && m.kind == repQuestion {
		// A step that reads any message afresh (the clarifying question)
		// keeps everything but a cancel, a correction and a call for a
		// person; one that reads questions itself keeps them.
		return false
	}
	switch m.kind {
	case repCancel:
		t.cancelFlow()
	case repHuman:
		t.handoff()
	case repCorrect:
		t.correct(m)
	case repUnsure:
		t.explain(st)
	case repSkip:
		if st.skip == nil {
			return false // the step reads 跳过 itself, or refuses it
		}
		st.skip(t)
	case repChat:
		t.say("aside_chat", m.chat)
		st.ask(t)
	case repQuestion:
		return t.digress(st, text)
	default:
		return false
	}
	return true
}

// CancelData is the data of "cancelled": what was left and how to resume.
type CancelData struct {
	Flow    string // the flow left
	Label   string // its name as people read it
	Resume  string // the word that starts it again
	Checked bool   // a self-check result saved earlier is kept
	Filled  bool   // answers were being collected (a form, the self-check)
}

var flowLabels = map[string][2]string{
	"selfcheck": {"质量信誉自检", "自检"},
	"apply":     {"入库申请", "入库"},
	"need":      {"融资需求", "融资需求"},
	"calc":      {"苏质贷利率测算", "测算"},
	"roster":    {"企业库查询", "企业库查询"},
	"products":  {"产品查询", "产品"},
	"banks":     {"合作金融机构查询", "有哪些合作银行"},
}

// cancelFlow leaves the current flow, saying what was kept and how to come
// back: the one cancel of every flow, whatever words asked for it.
func (t *turn) cancelFlow() {
	if t.s.Flow == "withdraw" {
		t.end()
		t.say("withdraw_kept", nil)
		return
	}
	if !t.s.Idle() {
		l := flowLabels[t.s.Flow]
		t.say("cancelled", CancelData{Flow: t.s.Flow, Label: l[0], Resume: l[1], Checked: t.s.Profile.Tier.Valid(),
			Filled: forms[t.s.Flow] || t.s.Flow == "selfcheck"})
	}
	t.end()
	t.menu()
}

// correct changes an earlier answer: the field named or, failing that, the
// last answer; with a value it is taken at once, else the question is
// asked again.
func (t *turn) correct(m repairMsg) {
	if forms[t.s.Flow] {
		t.formCorrect(m.field, m.value)
		return
	}
	if len(t.s.History) == 0 {
		t.say("correct_nothing", nil)
		steps[t.key()].ask(t)
		return
	}
	last := t.s.History[len(t.s.History)-1]
	t.s.History = t.s.History[:len(t.s.History)-1]
	if m.value != "" {
		t.s.Step = last
		steps[t.key()].answer(t, m.value)
		return
	}
	t.say("correct_again", t.s.Flow)
	t.jump(last)
}

// explain answers "I don't know" at a step: its explanation in plain words
// with an example, what can be done instead, and the question again.
func (t *turn) explain(st step) {
	if st.unsure != nil {
		st.unsure(t)
		return
	}
	if st.help != "" {
		t.say(st.help, t.s)
	} else {
		t.say("help_step", nil)
	}
	t.say("unsure_later", CancelData{Flow: t.s.Flow, Label: flowLabels[t.s.Flow][0], Resume: flowLabels[t.s.Flow][1]})
	st.ask(t)
}

// privacyWords ask who sees what is filled in.
var privacyWords = []string{"银行", "泄露", "泄漏", "保密", "隐私", "给谁", "谁看", "谁能看", "安全吗", "外传", "打广告", "骚扰", "推销"}

// digress answers a question asked instead of an answer, then asks the step
// again. In a form a question is never a field's value; elsewhere a
// question the bot cannot place goes on to the step (a calculator's amount
// may come as "贷500万利息多少").
func (t *turn) digress(st step, text string) bool {
	if st.questions {
		return false
	}
	if t.s.Flow == "selfcheck" && len(matchCriteria(t.p, text)) > 0 {
		return false // honours described as a question still answer the lists
	}
	if f := t.facts(text); f.Any() && t.asksAboutJoining(bare(text)) {
		if t.s.Flow == "selfcheck" && strings.HasPrefix(t.s.Step, "cond") {
			return false // the condition reads the fact (前年环保罚过还能入库吗)
		}
		// A fact that decides eligibility asked in a form: the verdict,
		// then the step again — the enterprise decides whether to go on.
		s := t.s
		t.verdict(text, f)
		t.s = s
		st.ask(t)
		return true
	}
	n := bare(text)
	form := forms[t.s.Flow]
	if form {
		field := t.s.Step
		if field == "county_pick" {
			field = "county"
		}
		switch {
		case hasAny(n, privacyWords) && !hasAny(n, []string{"利率", "利息", "额度", "贷多少"}):
			t.say("form_privacy", nil)
			st.ask(t)
			return true
		case fieldNamed(t.s.Flow, n) == field || hasAny(n, []string{"哪里看", "哪里找", "在哪", "去哪", "怎么填", "要写", "全称", "可以吗", "行吗", "行不行"}):
			if st.help != "" {
				t.say(st.help, t.s)
				st.ask(t)
				return true
			}
		}
	}
	if t.s.Flow == "calc" && containsAny(t.p.Fold(text), practicalWords) {
		return false // a practical question leaves the calculator (answerCalcAmount)
	}
	if t.aside(text) {
		st.ask(t)
		return true
	}
	if f, ok := matchFAQ(t.p, text); ok {
		if t.s.Flow == "calc" && !calcTopic(f.Topic) {
			// Not about the calculation: the calculator is left.
			t.end()
			t.answerFAQ(f)
			return true
		}
		t.answerFAQ(f)
		st.ask(t)
		return true
	}
	if !form {
		return false
	}
	t.recordUnplaced(text)
	t.say("aside_unknown", t.recorded)
	st.ask(t)
	return true
}

// calcTopic reports whether an FAQ topic is about what the calculator
// computes (rates, caps, risk shares): asked there, the calculator stays.
func calcTopic(topic string) bool {
	switch topic {
	case "rates", "loan", "risk", "lpr", "tiers":
		return true
	}
	return false
}

// yesNo reads a yes/no answer, the lexicon's colloquial words (是滴, 没得,
// 应该有吧) first.
func (t *turn) yesNo(text string) (yes, ok bool) {
	x := t.p.repairWords()
	n := bare(text)
	if isOneOf(n, x.no) {
		return false, true
	}
	if isOneOf(n, x.yes) {
		return true, true
	}
	return yesNo(text)
}

// formCorrect changes a field of a form: the one named, else the last one
// answered. With a value the field's own step reads it (validated as if
// typed there) and the form goes on where it was; without, the field is
// asked again. Nothing is filed before the review's 确认, so no lead can
// carry the old value.
func (t *turn) formCorrect(field, value string) {
	here := t.s.Step
	if field == "" {
		for i := len(t.s.History) - 1; i >= 0 && field == ""; i-- {
			h := t.s.History[i]
			if h == "county_pick" {
				h = "county"
			}
			if slices.Contains(formOrder[t.s.Flow], h) {
				field = h
			}
		}
		if here == "review" || here == "consent" {
			field = "" // at the end "the last answer" says nothing: ask which
		}
	}
	if field == "" || !slices.Contains(formOrder[t.s.Flow], field) {
		t.say("correct_which", nil)
		steps[t.key()].ask(t)
		return
	}
	switch {
	case here == "review":
		t.s.History = append(t.s.History, "review")
	case here != field:
		t.set("resume", here)
	}
	if value == "" {
		t.say("correct_again", t.s.Flow)
		t.jump(field)
		return
	}
	before, at := t.s.field(field), len(t.replies)
	t.s.Step = field
	steps[t.key()].answer(t, value)
	if t.s.Step != field && t.s.field(field) != before {
		// Taken: say what changed before the question that follows.
		ack := Reply{Name: "corrected", Data: CorrectedData{Label: formFields[field].label, Value: t.displayValue(field)}}
		t.replies = slices.Insert(t.replies, at, ack)
	}
}

// CorrectedData is the data of "corrected": the answer a correction
// changed, as the review shows it.
type CorrectedData struct {
	Label, Value string
}
