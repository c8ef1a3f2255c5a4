package dialog

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
)

// ConversationTimeout is how long a flow waits for the next answer before it
// is dropped; the next message is then told so.
const ConversationTimeout = 30 * time.Minute

// ErrNoState is returned by a StateStore that holds no state for an openid.
var ErrNoState = errors.New("no dialogue state")

// StateStore keeps each follower's conversation between messages.
type StateStore interface {
	Load(ctx context.Context, openID string) (State, error)
	Save(ctx context.Context, openID string, s State) error
}

// Kind is the kind of an inbound message.
type Kind int

// The inbound kinds the engine understands.
const (
	KindText Kind = iota
	KindClick
	KindSubscribe
	KindScan
	KindUnsubscribe
	KindOther // images, voice, locations: asked to type instead
)

// Inbound is one message or event from a follower.
type Inbound struct {
	OpenID string
	Kind   Kind
	Text   string // the text, or the menu key of a click
	Scene  string // QR scene of a subscribe or scan, without qrscene_
	At     time.Time
	Voice  bool   // Text is WeChat's transcript of a voice message
	Media  string // KindOther: WeChat's message type (image, voice, video, location, link, file…)
}

// Profile is what the service remembers of a follower beyond a conversation:
// loaded from the database when a conversation starts.
type Profile struct {
	Tier      domain.Tier
	Criteria  []string // ids of the criteria that set the tier
	CheckedAt time.Time
	County    string
	Applied   Applied // whether the follower has filed an application or need
	Ticket    uint64  // the follower's question handed to a person, while open
	// Enterprise is what the follower last confirmed of its enterprise on
	// a form it submitted: forms offer to reuse it (沿用上次信息).
	Enterprise Enterprise
	// Staff is the role of a follower bound as staff (domain.RoleCounty for
	// a county contact, domain.RoleInstitution for a specialist), "" for an
	// enterprise: staff get their own menu and help.
	Staff string
	// Rating is the closed application the follower may rate (好差评),
	// loaded afresh before each idle text; not kept with the state.
	Rating RatingDue
}

// Enterprise is an enterprise's particulars as it confirmed them.
type Enterprise struct {
	Name    string
	Code    string // normalised, valid credit code
	County  string // county slug
	Contact string
	Phone   string
}

// Known reports whether enough is known to offer reuse: a name and a code.
func (e Enterprise) Known() bool { return e.Name != "" && e.Code != "" }

// Applied is what is known of a follower's applications and needs. A
// finished self-check is compared with the 企业库 roster through the credit
// codes of the follower's applications: one who never filed any has none
// to compare, and the database is not asked.
type Applied uint8

const (
	AppliedUnknown Applied = iota // a state saved before this was recorded
	AppliedNone
	AppliedSome
)

// State is one follower's conversation. The zero State is idle.
type State struct {
	Flow    string
	Step    string
	History []string          // earlier steps of this flow, for 返回
	Fields  map[string]string // answers collected by the flow
	Picks   []string          // criteria picked so far in the self-check
	Profile Profile
	// Topic is the subject of the last answer (a product id, or "join"),
	// against which a follow-up such as 那怎么申请 is read.
	Topic     string
	UpdatedAt time.Time
	// Unplaced is the last message when the bot could not place it: a
	// second one in a row is handed to a person (tickets.go).
	Unplaced string
}

// Idle reports whether no flow is in progress.
func (s State) Idle() bool { return s.Flow == "" }

// field returns a collected answer.
func (s State) field(k string) string { return s.Fields[k] }

// Reply is one message to send back: a template name and its data. Transfer
// hands the conversation to the customer-service system instead.
type Reply struct {
	Name     string
	Data     any
	Transfer bool
}

// Effect is work the engine asks its caller to do: persistence and
// notifications. Each kind is its own type.
type Effect interface{ effect() }

// Follow records a subscribe or scan, with the QR scene it came through.
type Follow struct{ Scene string }

// Unfollow marks the follower as unsubscribed.
type Unfollow struct{}

// SaveCheck stores a finished self-check on the follower.
type SaveCheck struct {
	Tier     domain.Tier
	Criteria []string
}

// ListLeads asks for the follower's leads, or one lead's history when Number is set.
type ListLeads struct{ Number string }

// Bind binds the follower as a county contact with a one-time code.
type Bind struct{ Code string }

// MoveLead is a county contact's status change from the chat.
type MoveLead struct {
	Number string
	Status string
	Note   string
}

func (Follow) effect()    {}
func (Unfollow) effect()  {}
func (SaveCheck) effect() {}
func (ListLeads) effect() {}
func (Bind) effect()      {}
func (MoveLead) effect()  {}

// step is one question of a flow.
type step struct {
	ask    func(t *turn)
	answer func(t *turn, text string)
	help   string // template name shown for 帮助; "" uses the generic help
	// claims reports whether text is an answer to this step even though it
	// is also an entry keyword (a product named in a form, say).
	claims func(t *turn, text string) bool
	// questions marks a step that reads policy questions itself; at other
	// steps of a consultation the engine answers them and asks again.
	questions bool
	// fresh marks a step where anything but its answer is a new message
	// (the clarifying question): only a cancel, a correction or a call for
	// a person is repaired there.
	fresh bool
	// yesno marks a yes/no question: a colloquial yes or no is its answer
	// before anything else is read.
	yesno bool
	// factual marks a question about a fact (是否在苏州注册): 好的 or 收到
	// there is chit-chat, not a yes.
	factual bool
	// skip leaves the question open (跳过); nil: it cannot be skipped.
	skip func(t *turn)
	// unsure explains the step to someone who does not know the answer;
	// nil: its help, then the question again.
	unsure func(t *turn)
}

// flows maps "flow.step" to its step; each flow registers its steps in init.
var steps = map[string]step{}

// entries maps a flow name to the function that starts it.
var entries = map[string]func(t *turn){}

// forms are the flows that collect an application: inside them only the
// global commands interrupt, so an answer is never mistaken for a keyword
// and half a form is never lost to one.
var forms = map[string]bool{}

func register(key string, s step) {
	if _, dup := steps[key]; dup {
		panic("dialog: step registered twice: " + key)
	}
	steps[key] = s
}

// turn is the working set of one Step call.
type turn struct {
	p       *Policy
	in      Inbound
	s       State
	replies []Reply
	effects []Effect
	// recorded is set when the message was recorded for officers.
	recorded bool
	// offer is the topic whose next steps the last answer offered as
	// numbered choices (practical.go); they are good for one message.
	offer string
	// answer is the FAQ answer this turn gave, ended with its next steps
	// and the rating line at the end of the turn (feedback.go).
	answer *answered
	// rated and ratedQ are the FAQ answered by the last message and its
	// question, which 有用 or 没用 judges; good for one message.
	rated, ratedQ string
}

func (t *turn) say(name string, data any) {
	t.replies = append(t.replies, Reply{Name: name, Data: data})
}

func (t *turn) emit(e Effect) { t.effects = append(t.effects, e) }

// begin starts flow at its first step.
func (t *turn) begin(flow, first string) {
	t.s.Flow, t.s.Step, t.s.History = flow, first, nil
	t.s.Fields, t.s.Picks = map[string]string{}, nil
	steps[flow+"."+first].ask(t)
}

// next moves to another step of the current flow and asks it.
func (t *turn) next(name string) {
	t.s.History = append(t.s.History, t.s.Step)
	t.s.Step = name
	steps[t.key()].ask(t)
}

// jump moves to a step without recording the current one, for loops such as
// "edit a field, then back to the review".
func (t *turn) jump(name string) {
	t.s.Step = name
	steps[t.key()].ask(t)
}

// reask repeats the current question with the reason the answer was refused.
func (t *turn) reask(reason string) {
	t.say("invalid", reason)
	steps[t.key()].ask(t)
}

// end leaves the current flow.
func (t *turn) end() {
	t.s.Flow, t.s.Step, t.s.History, t.s.Fields, t.s.Picks = "", "", nil, nil, nil
}

func (t *turn) key() string { return t.s.Flow + "." + t.s.Step }

func (t *turn) set(k, v string) {
	if t.s.Fields == nil {
		t.s.Fields = map[string]string{}
	}
	t.s.Fields[k] = v
}

// Step advances a conversation by one inbound message, in this order: a
// text over MaxTextBytes is answered without being read (tooLong);
// otherwise a text joins the follower's open ticket (appendToTicket), a
// flow idle for longer than ConversationTimeout is ended before a text or
// a menu click is read afresh, and anything else is dispatched by kind to
// the current step or the entries. It is pure: no I/O, and the same
// arguments always give the same results; what must happen outside comes
// back as effects.
func Step(p *Policy, s State, in Inbound) (State, []Reply, []Effect) {
	t := &turn{p: p, in: in, s: s}
	if s.Idle() && (s.Fields["offer"] != "" || s.Fields["rate"] != "") {
		t.offer, t.rated, t.ratedQ, t.s.Fields = s.Fields["offer"], s.Fields["rate"], s.Fields["q"], nil
	}
	long := t.tooLong()
	if !long {
		t.appendToTicket()
	}
	if long {
		// Answered without being read.
	} else if !s.Idle() && !s.UpdatedAt.IsZero() && in.At.Sub(s.UpdatedAt) > ConversationTimeout &&
		(in.Kind == KindText || in.Kind == KindClick) {
		t.end()
		t.say("expired", nil)
		if in.Kind == KindText && !t.entry(in.Text) {
			t.menu()
		}
		if in.Kind == KindClick {
			t.click(in.Text)
		}
	} else {
		t.dispatch()
	}
	t.finishAnswer() // feedback.go
	t.unplacedInARow(s.Unplaced)
	if in.Kind != KindUnsubscribe {
		t.s.UpdatedAt = in.At
	}
	return t.s, t.replies, t.effects
}

func (t *turn) dispatch() {
	switch t.in.Kind {
	case KindSubscribe:
		t.emit(Follow{Scene: t.in.Scene})
		t.end()
		t.say("welcome", nil)
		t.menu()
	case KindScan:
		t.emit(Follow{Scene: t.in.Scene})
		t.say("welcome_back", nil)
		if t.s.Idle() {
			t.menu()
		}
	case KindUnsubscribe:
		t.emit(Unfollow{})
		t.end()
	case KindClick:
		t.click(t.in.Text)
	case KindOther:
		t.say("please_type", t.in.Media)
		if t.s.Idle() {
			t.menu()
		} else {
			steps[t.key()].ask(t)
		}
	default:
		t.text(t.in.Text)
	}
}

// Menu keys of the custom menu (go run . menu sync).
const (
	KeySelfCheck = "SELFCHECK"
	KeyProducts  = "PRODUCTS"
	KeyCalc      = "CALC"
	KeyApply     = "APPLY"
	KeyNeed      = "NEED"
	KeyProgress  = "PROGRESS"
	KeyContacts  = "CONTACTS"
	KeyHelp      = "HELP"
	KeyHuman     = "HUMAN"
	KeyMenu      = "MENU"
)

// mainMenu is the main menu; Key is the flow it starts.
var mainMenu = []Option{
	{Key: "selfcheck", Label: "质量信誉自检（我是哪一类）", Words: []string{"自检", "自测", "哪一类", "类别", "分类"}},
	{Key: "products", Label: "金融产品与政策问答", Words: []string{"产品", "政策", "问答"}},
	{Key: "calc", Label: "苏质贷利率测算", Words: []string{"测算", "计算", "算一算"}},
	{Key: "apply", Label: "申请入库（Ⅳ类企业自愿申请）", Words: []string{"入库", "申请入库"}},
	{Key: "need", Label: "提交融资需求", Words: []string{"融资需求", "融资", "贷款", "借款"}},
	{Key: "progress", Label: "我的进度", Words: []string{"进度", "查询"}},
	{Key: "contacts", Label: "各县级市（区）市场监管局联系方式", Words: []string{"联系", "电话"}},
	{Key: "human", Label: "人工服务", Words: []string{"人工", "客服"}},
}

// MenuData is the data of the "menu" template.
type MenuData struct {
	Options []Option
	Profile Profile
}

func (t *turn) menu() {
	if t.s.Profile.Staff != "" {
		t.say("staff_menu", StaffMenuData{Options: staffMenu, Role: t.s.Profile.Staff})
		return
	}
	t.say("menu", MenuData{Options: mainMenu, Profile: t.s.Profile})
}

// clickFlows maps custom-menu keys to flows.
var clickFlows = map[string]string{
	KeySelfCheck: "selfcheck", KeyProducts: "products", KeyCalc: "calc",
	KeyApply: "apply", KeyNeed: "need", KeyProgress: "progress",
	KeyContacts: "contacts", KeyHuman: "human",
}

func (t *turn) click(key string) {
	switch key {
	case KeyMenu:
		t.end()
		t.menu()
	case KeyHelp:
		t.say("help", nil)
	default:
		flow, ok := clickFlows[key]
		if !ok {
			t.say("unknown_click", nil)
			t.menu()
			return
		}
		t.start(flow)
	}
}

// start enters a flow from the menu or an entry keyword, leaving any other.
func (t *turn) start(flow string) {
	t.end()
	if flow == "human" {
		t.handoff()
		return
	}
	begin, ok := entries[flow]
	if !ok {
		t.say("not_ready", flow)
		t.menu()
		return
	}
	begin(t)
}

// globalCommands work in every state.
var globalCommands = map[string]string{
	"菜单": "menu", "主菜单": "menu", "menu": "menu", "首页": "menu",
	"取消": "cancel", "退出": "cancel", "不办了": "cancel",
	"返回": "back", "上一步": "back",
	"帮助": "help", "help": "help", "?": "help", "？": "help",
	"人工": "human", "人工服务": "human", "转人工": "human", "客服": "human",
}

// entryWords start a flow from any state when typed on their own.
var entryWords = map[string]string{
	"自检": "selfcheck", "自测": "selfcheck", "质量信誉自检": "selfcheck",
	"入库": "apply", "申请": "apply", "申请入库": "apply", "入库申请": "apply",
	"产品": "products", "金融产品": "products", "苏质贷": "products:szd", "利率": "faq:rates",
	"期货": "products:futures", "租赁": "products:leasing", "融资租赁": "products:leasing",
	"担保": "products:guarantee", "保险": "products:insurance",
	"测算": "calc", "计算": "calc",
	"融资需求": "need", "融资": "need",
	"进度": "progress", "查询": "progress", "我的进度": "progress",
	"我的问题": "tickets", "我的咨询": "tickets", "人工回复": "tickets",
	"联系": "contacts", "电话": "contacts", "联系方式": "contacts",
}

// entry handles a global command or entry keyword; false when text is neither.
func (t *turn) entry(text string) bool {
	n := strings.TrimRight(Normalize(text), "。.!！")
	if cmd, ok := globalCommands[n]; ok {
		t.command(cmd)
		return true
	}
	if asksForPerson(text) {
		t.handoff()
		return true
	}
	if t.complaintOrChase(text) { // tickets.go
		return true
	}
	if !t.s.Idle() {
		if st, ok := steps[t.key()]; ok && st.claims != nil && st.claims(t, text) {
			return false
		}
		// A form keeps what was typed: words that start other flows are
		// answers here ("融资" as the purpose); 取消 and 菜单 leave it.
		if forms[t.s.Flow] {
			return false
		}
	}
	if t.rights(n) { // rights.go: 我的信息, 删除我的信息, 撤回同意
		return true
	}
	if target, ok := entryWords[n]; ok {
		flow, arg, _ := strings.Cut(target, ":")
		switch {
		case flow == "products" && arg != "":
			t.end()
			t.showProduct(arg)
		case flow == "faq":
			t.end()
			t.answerTopic(arg)
		default:
			t.start(flow)
		}
		return true
	}
	return t.prefixCommand(text)
}

func (t *turn) command(cmd string) {
	switch cmd {
	case "menu":
		t.end()
		t.menu()
	case "cancel":
		t.cancelFlow()
	case "back":
		if t.s.Idle() || len(t.s.History) == 0 {
			t.end()
			t.menu()
			return
		}
		last := t.s.History[len(t.s.History)-1]
		t.s.History = t.s.History[:len(t.s.History)-1]
		t.jump(last)
	case "help":
		if t.s.Idle() && t.s.Profile.Staff != "" {
			t.say("staff_help", t.s.Profile.Staff)
			return
		}
		if t.s.Idle() {
			t.say("help", nil)
			return
		}
		if h := steps[t.key()].help; h != "" {
			t.say(h, t.s)
		} else {
			t.say("help_step", nil)
		}
		steps[t.key()].ask(t)
	case "human":
		t.handoff()
	}
}

// prefixCommand reads commands with an argument: 绑定 <code>, 进度 SZR-…,
// 受理 SZR-…, 驳回 SZR-… 原因 (county contacts), 撤回 SZR-… (the enterprise,
// confirmed first: withdraw.go).
func (t *turn) prefixCommand(text string) bool {
	fields := strings.Fields(toHalfWidth(strings.TrimSpace(text)))
	if len(fields) < 2 {
		return false
	}
	arg := strings.ToUpper(fields[1])
	switch fields[0] {
	case "绑定":
		t.end()
		t.emit(Bind{Code: fields[1]})
		return true
	case "登记":
		// 登记 <name> <mobile>: a bound contact's name and mobile, later.
		name, mobile, reason := ParseContactProfile(strings.Join(fields[1:], " "))
		if reason != "" {
			return false
		}
		t.end()
		t.emit(SaveContactProfile{Name: name, Mobile: mobile})
		return true
	case "进度", "查询":
		t.end()
		t.emit(ListLeads{Number: arg})
		return true
	case "受理":
		t.end()
		t.emit(MoveLead{Number: arg, Status: "contacted", Note: strings.Join(fields[2:], " ")})
		return true
	case "驳回":
		t.end()
		t.emit(MoveLead{Number: arg, Status: "rejected", Note: strings.Join(fields[2:], " ")})
		return true
	case "撤回":
		t.beginWithdraw(arg, strings.Join(fields[2:], " ")) // withdraw.go: shown, a reason, confirmed
		return true
	}
	return false
}

func (t *turn) text(text string) {
	// A rating of a closed application, or a judgement of the answer just
	// given, before anything else: 不满意 is a rating here, not a complaint.
	if t.s.Idle() && (t.rateService(text) || t.feedback(text)) { // feedback.go
		return
	}
	if t.entry(text) {
		return
	}
	if t.s.Idle() && t.staffChoice(text) {
		return
	}
	if t.s.Idle() && (t.offered(text) || t.practical(text)) { // practical.go
		return
	}
	if t.s.Idle() {
		// A number or a menu item's own words choose from the menu; a
		// sentence is a question first ("苏质贷的贷款利率是多少" names
		// 贷款 but asks about rates), and a menu item only if no answer fits.
		// Facts that decide eligibility (二（一）（三）) decide the answer;
		// personal and other matters get one polite sentence.
		if f := t.facts(text); f.Any() && t.asksAboutJoining(bare(text)) && t.verdict(text, f) {
			return
		}
		if t.outOfScope(text) || t.idleCancel(text) {
			return
		}
		folded := t.p.Fold(text)
		if bankOrBureau(folded) && t.whereToApply() {
			return
		}
		if asksStatus(folded) {
			t.end()
			t.emit(ListLeads{})
			return
		}
		if perksOfLoan(folded) {
			t.end()
			t.answerTopic("rates")
			return
		}
		if t.rosterQuery(text) { // roster.go
			return
		}
		if o, ok := exactChoice(mainMenu, text); ok {
			t.start(o.Key)
			return
		}
		if t.understood(text) {
			return
		}
		if f, ok := matchFAQ(t.p, text); ok {
			t.answerFAQ(f)
			return
		}
		if looksLikeQuestion(text) {
			t.recordUnplaced(text)
			t.cannotAnswer()
			return
		}
		if m := matchCriteria(t.p, text); len(m) > 0 {
			t.describedCheck(text, m)
			return
		}
		if o, ok := chooseOne(mainMenu, text); ok {
			t.start(o.Key)
			return
		}
		t.recordUnplaced(text)
		t.say("not_understood", t.recorded)
		t.menu()
		return
	}
	st, ok := steps[t.key()]
	if !ok { // a step that no longer exists after a release
		t.end()
		t.say("expired", nil)
		t.menu()
		return
	}
	// Cancel, correction, a question asked back, "I don't know", chit-chat
	// and a call for a person are handled once for every flow (repair.go);
	// the step gets only what is meant as its answer.
	if t.repair(st, text) {
		return
	}
	st.answer(t, text)
}

// registerProgress registers this file's steps and entries (flows.go lists it).
func registerProgress() {
	entries["progress"] = func(t *turn) { t.emit(ListLeads{}) }
}
