package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// Budget is how long a push may be worked on before the webhook answers
// "success" and the reply follows as a 客服 message; WeChat waits 5 s.
const Budget = 4 * time.Second

// Bot runs conversations: one push in, one passive reply out.
type Bot struct {
	log      *slog.Logger
	db       Records
	sessions Sessions
	client   *wechat.Client
	replies  *Replies
	policies *Policies
	metrics  *Metrics
	busy     string
	// deferredText answers a push kept for a backend to come back;
	// givenUpText follows when it never came back.
	deferredText, givenUpText string
	now                       func() time.Time
	// Budget overrides the package Budget (tests shorten it).
	Budget time.Duration
	leads  Leads
	roster Roster
	// later holds the pushes handled in the background: replies that ran
	// past the budget and pushes waiting for a backend to come back.
	later background
}

// Sessions is what the pipeline needs of the dialogue-state store: claim a
// delivery (with a plaintext push's replay guard), read a retry's first
// reply, save the turn, let a failed turn go. store.Sessions implements it.
type Sessions interface {
	BeginBound(ctx context.Context, dedupeKey, openID string, bind *NonceBind) (store.Claim, error)
	Bind(ctx context.Context, bind *NonceBind) error
	Hold(ctx context.Context, c store.Claim) (stop func())
	Finish(ctx context.Context, c store.Claim, st *dialog.State, reply []byte) error
	Release(ctx context.Context, c store.Claim) error
}

// Records is what a turn writes to and reads from the database besides
// the lead pipeline: follows, self-checks, the profile, unplaced messages
// and mass-send reports. store.DB implements it.
type Records interface {
	CountyByScene(ctx context.Context, scene string) (string, error)
	Follow(ctx context.Context, openID, scene, county string, at time.Time) error
	Unfollow(ctx context.Context, openID string, at time.Time) error
	Profile(ctx context.Context, openID string) (dialog.Profile, error)
	SaveCheck(ctx context.Context, openID string, tier domain.Tier, criteria []string, at time.Time) error
	RecordUnplaced(ctx context.Context, folded, text string, at time.Time) error
	RecordUnplacedAsker(ctx context.Context, folded, openID string, at time.Time) error
	RecordUnhelpful(ctx context.Context, folded, text, faq, answer string, at time.Time) error
	RecordAnswerFeedback(ctx context.Context, faq string, useful bool, at time.Time) error
	RatingDue(ctx context.Context, openID string, since time.Time) (dialog.RatingDue, error)
	FinishBroadcast(ctx context.Context, r store.MassResult) (bool, error)
	Ping(ctx context.Context) error
}

// Config holds a Bot's collaborators.
type Config struct {
	Log      *slog.Logger
	DB       Records  // store.DB
	Sessions Sessions // store.Sessions
	Client   *wechat.Client
	Replies  *Replies
	Policies *Policies // the policy in force
	Leads    Leads     // the lead pipeline (leads.Service)
	Roster   Roster    // the 企业库 roster's chat answers (admin.Service)
	Metrics  *Metrics
	Now      func() time.Time
}

// New builds a Bot and loads the current policy from the database.
func New(ctx context.Context, cfg Config) (b *Bot, err error) {
	if cfg.Leads == nil || cfg.Roster == nil || cfg.Policies == nil || cfg.Replies == nil {
		return nil, errors.New("new bot: the lead pipeline, the roster, the policy and the replies are required")
	}
	b = &Bot{
		log: cfg.Log, db: cfg.DB, sessions: cfg.Sessions, client: cfg.Client, replies: cfg.Replies,
		policies: cfg.Policies, leads: cfg.Leads, roster: cfg.Roster, metrics: cfg.Metrics, now: cfg.Now, Budget: Budget,
	}
	if b.now == nil {
		b.now = utcNow
	}
	if b.metrics == nil {
		b.metrics = NewMetrics(nil)
	}
	for name, text := range map[string]*string{"busy": &b.busy, "busy_deferred": &b.deferredText, "busy_given_up": &b.givenUpText} {
		if *text, err = b.replies.Render(dialog.Reply{Name: name}); err != nil {
			return nil, err
		}
	}
	b.later.max = maxDeferred
	return b, nil
}

// Policy returns the policy in force.
func (b *Bot) Policy() *dialog.Policy { return b.policies.Policy() }

// Refresh reloads the officer-maintained parts of the policy.
func (b *Bot) Refresh(ctx context.Context) error { return b.policies.Refresh(ctx) }

// Client returns the outbound client.
func (b *Bot) Client() *wechat.Client { return b.client }

// BusyText is the reply when Redis or the database cannot be reached.
func (b *Bot) BusyText() string { return b.busy }

// NonceBind binds a plaintext push's signed (timestamp, nonce) to its
// body's hash (store.Nonces makes it); Respond checks it in the claim's
// round trip.
type NonceBind = store.NonceBind

// ErrReplayed is returned by Respond when the push's signed (timestamp,
// nonce) came first with another body: the webhook refuses it, and nothing
// of the follower's has changed.
var ErrReplayed = store.ErrReplayed

// Respond handles a push within the budget, in the caller's goroutine. A
// watchdog calls late, once and from its own goroutine, when the budget
// runs out first: the webhook then answers "success" at once, and the
// reply follows as a 客服 message when handling ends. Respond returns the
// plaintext reply XML, or nil for "success" (no reply); ok is false when
// the watchdog answered, and the caller must then not write at all. bind,
// when not nil, is checked with the claim; a push replayed under another
// body returns ErrReplayed and no reply.
func (b *Bot) Respond(ctx context.Context, m wechat.Message, bind *NonceBind, late func()) (reply []byte, ok bool, err error) {
	w := &watchdog{late: late, log: b.log, metrics: b.metrics, openID: m.FromUserName}
	w.timer = time.AfterFunc(b.Budget, w.fire)
	work := context.WithoutCancel(ctx)
	reply, err = b.safeHandle(work, m, bind)
	if !w.claim() {
		if err == nil {
			late := reply // the named result is cleared by the return below
			b.later.run(func() { b.followUp(work, m, late, "late") })
		}
		return nil, false, nil
	}
	return reply, true, err
}

// watchdog answers "success" for a push that runs past the budget. Exactly
// one of fire and claim wins; the loser does nothing, so the response is
// written once, by one goroutine.
type watchdog struct {
	mu       sync.Mutex
	answered bool
	timer    *time.Timer
	late     func()
	log      *slog.Logger
	metrics  *Metrics
	openID   string
}

func (w *watchdog) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.answered {
		return
	}
	w.answered = true
	w.late()
	w.metrics.Late.Inc()
	w.log.Warn("push ran past the budget; replying by 客服 message", slog.String("openid", wechat.MaskOpenID(w.openID)))
}

// claim takes the answer for the request goroutine; false when the
// watchdog has already answered (it has then finished writing).
func (w *watchdog) claim() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.answered {
		return false
	}
	w.answered = true
	w.timer.Stop()
	return true
}

// safeHandle is handle with a panic answered busy.
func (b *Bot) safeHandle(ctx context.Context, m wechat.Message, bind *NonceBind) (reply []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("panic handling push", slog.Any("panic", r), slog.String("openid", wechat.MaskOpenID(m.FromUserName)))
			reply, err = wechat.TextReply(m.FromUserName, m.ToUserName, b.busy, b.now()), nil
		}
	}()
	return b.handle(ctx, m, bind)
}

// followUp sends a reply the webhook could not carry as a 客服 message;
// cause ("late", "deferred", "given_up") labels the metric.
func (b *Bot) followUp(ctx context.Context, m wechat.Message, reply []byte, cause string) {
	text, ok := wechat.ReplyText(reply)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := b.client.SendText(ctx, m.FromUserName, text); err != nil {
		b.metrics.FollowUp(cause, "failed")
		b.log.Error("reply not delivered as a 客服 message", slog.String("cause", cause),
			slog.String("openid", wechat.MaskOpenID(m.FromUserName)), slog.Any("error", err))
		return
	}
	b.metrics.FollowUp(cause, "sent")
}

// Handle processes one push: dedupe, state, engine, effects, reply. It
// returns the plaintext reply XML, or nil for "success".
func (b *Bot) Handle(ctx context.Context, m wechat.Message) []byte {
	reply, _ := b.handle(ctx, m, nil)
	return reply
}

// handle is Handle with a nonce bind checked in the claim's round trip;
// its only error is ErrReplayed.
func (b *Bot) handle(ctx context.Context, m wechat.Message, bind *NonceBind) ([]byte, error) {
	at := b.now()
	if m.MsgType == "event" && strings.EqualFold(m.Event, "MASSSENDJOBFINISH") {
		// A mass send's result, not a follower's message: recorded
		// idempotently and answered "success"; its bind is checked alone.
		if b.replayed(ctx, bind) {
			return nil, ErrReplayed
		}
		b.massFinished(ctx, m)
		return nil, nil
	}
	in, ok := inbound(m, at)
	if !ok {
		if b.replayed(ctx, bind) {
			return nil, ErrReplayed
		}
		b.metrics.Event("other")
		return nil, nil
	}
	faultPoint("before-claim", m)
	key := m.DedupeKey()
	claim, err := b.begin(ctx, key, m.FromUserName, bind)
	if errors.Is(err, ErrReplayed) {
		return nil, ErrReplayed
	}
	if err != nil {
		b.log.Error("delivery not claimed", slog.Any("error", err))
		return b.deferReply(ctx, m, at), nil
	}
	if !claim.First {
		b.metrics.DedupeHits.Inc()
		var reply []byte
		if claim, reply = b.awaitFirst(ctx, m, key, claim.Reply); !claim.First {
			return reply, nil
		}
	}
	if claim.TakeOver {
		b.metrics.TakeOvers.Inc()
		b.log.Warn("delivery taken over from a turn that died", slog.String("openid", wechat.MaskOpenID(m.FromUserName)))
	}
	reply, err := b.turn(ctx, m, in, claim, false)
	if err != nil {
		return b.deferReply(ctx, m, at), nil
	}
	return reply, nil
}

// turn handles a claimed delivery and saves it, keeping the claim alive
// while it runs. A failure releases the claim, so that the delivery can be
// handled afresh; deferred says the reply goes as a 客服 message, and a
// retry of the push then answers "success".
func (b *Bot) turn(ctx context.Context, m wechat.Message, in dialog.Inbound, claim store.Claim, deferred bool) ([]byte, error) {
	stop := b.sessions.Hold(ctx, claim)
	defer stop()
	defer func() {
		if r := recover(); r != nil {
			// Let WeChat's retry be handled afresh, and the follower's next
			// message not wait for the lease; Respond reports the panic.
			b.sessions.Release(context.WithoutCancel(ctx), claim)
			panic(r)
		}
	}()
	faultPoint("in-turn", m)
	reply, err := b.process(ctx, m, in, claim, deferred)
	if err != nil {
		b.log.Error("push not handled", slog.String("openid", wechat.MaskOpenID(m.FromUserName)), slog.Any("error", err))
		if rerr := b.sessions.Release(context.WithoutCancel(ctx), claim); rerr != nil {
			b.log.Warn("dedupe claim not released", slog.Any("error", rerr))
		}
		return nil, err
	}
	return reply, nil
}

// replayed checks the bind of a push that makes no claim to carry it (a
// job report, an event the dialogue ignores). A Redis that does not
// answer lets it pass: what such a push does is idempotent.
func (b *Bot) replayed(ctx context.Context, bind *NonceBind) bool {
	return bind != nil && errors.Is(b.sessions.Bind(ctx, bind), ErrReplayed)
}

// begin claims a delivery, waiting while another message of the same
// follower is being handled (people type faster than a turn takes, and
// WeChat may deliver two messages at once).
func (b *Bot) begin(ctx context.Context, key, openID string, bind *NonceBind) (store.Claim, error) {
	deadline := time.Now().Add(b.Budget / 2)
	for {
		c, err := b.sessions.BeginBound(ctx, key, openID, bind)
		if !errors.Is(err, store.ErrBusyTurn) || time.Now().After(deadline) {
			return c, err
		}
		select {
		case <-ctx.Done():
			return c, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (b *Bot) busyReply(m wechat.Message, at time.Time) []byte {
	if quiet(m) {
		return nil
	}
	return wechat.TextReply(m.FromUserName, m.ToUserName, b.busy, at)
}

// awaitFirst answers a retried push with the first delivery's reply,
// waiting while the first is still being handled. When the first's turn
// ends without a reply (its instance died, or it failed and let the claim
// go), this retry claims the delivery and returns the claim to be handled
// as a first delivery.
func (b *Bot) awaitFirst(ctx context.Context, m wechat.Message, key string, reply []byte) (store.Claim, []byte) {
	deadline := time.Now().Add(b.Budget - 500*time.Millisecond)
	for string(reply) == store.Pending && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return store.Claim{}, nil
		case <-time.After(50 * time.Millisecond):
		}
		c, err := b.sessions.BeginBound(ctx, key, m.FromUserName, nil)
		switch {
		case errors.Is(err, store.ErrBusyTurn):
			continue // another message of the follower holds the turn
		case err != nil:
			return store.Claim{}, nil
		case c.First:
			return c, nil
		}
		reply = c.Reply
	}
	if string(reply) == store.Pending || len(reply) == 0 {
		return store.Claim{}, nil
	}
	return store.Claim{}, reply
}

// process runs the engine and the effects of a claimed delivery and
// finishes the turn. deferred keeps an empty reply for WeChat's retries:
// the reply goes as a 客服 message instead.
func (b *Bot) process(ctx context.Context, m wechat.Message, in dialog.Inbound, claim store.Claim, deferred bool) ([]byte, error) {
	st := claim.State
	if !claim.HasState {
		prof, err := b.db.Profile(ctx, m.FromUserName)
		if err != nil {
			return nil, err
		}
		st = dialog.State{Profile: prof}
	}
	if st.Idle() && in.Kind == dialog.KindText && st.Profile.Staff == "" && dialog.MayRate(in.Text) {
		// A closed application the enterprise may rate (好差评) is read
		// afresh: it closed in the console, not in this conversation.
		// The database down must not cost a follower mid-conversation its
		// answer (the menu needs only Redis): no rating is read then.
		due, err := b.db.RatingDue(ctx, m.FromUserName, in.At.Add(-domain.RatingWindow))
		if err != nil {
			b.log.Warn("rating due not read", slog.String("openid", wechat.MaskOpenID(m.FromUserName)), slog.Any("error", err))
		}
		st.Profile.Rating = due
	}
	p := b.Policy()
	next, replies, effects := dialog.Step(p, st, in)
	b.metrics.Event(flowLabel(st, next))
	for _, e := range effects {
		more, err := b.apply(ctx, in, &next, e)
		var failed *leads.SubmitError
		if errors.As(err, &failed) && b.db.Ping(ctx) != nil {
			// The database is down: the turn is kept and handled again once
			// it is back, so that nothing the person confirmed is lost.
			return nil, err
		}
		if errors.As(err, &failed) {
			// Nothing was stored: answer lead_failed and keep the review
			// state, so that 确认 can be sent again.
			b.log.Error("lead not submitted", slog.String("openid", wechat.MaskOpenID(m.FromUserName)), slog.String("error", wechat.Mask(err.Error())))
			next = st
			next.UpdatedAt = in.At
			replies = append(replies, dialog.Reply{Name: "lead_failed", Data: dialog.LeadFailedData{
				Kind: failed.Kind, KindLabel: domain.LeadKindLabel(failed.Kind),
			}})
			continue
		}
		if err != nil {
			return nil, err
		}
		replies = append(replies, more...)
	}
	var reply []byte
	text, transfer, err := b.replies.join(replies)
	if err != nil {
		return nil, err
	}
	switch {
	case transfer:
		reply = wechat.TransferReply(m.FromUserName, m.ToUserName, in.At)
	case text != "":
		reply = wechat.TextReply(m.FromUserName, m.ToUserName, text, in.At)
	}
	var save *dialog.State
	if in.Kind != dialog.KindUnsubscribe {
		save = &next
	}
	faultPoint("before-finish", m)
	kept := reply
	if deferred {
		kept = nil
	}
	if err := b.sessions.Finish(ctx, claim, save, kept); err != nil {
		// The effects are done; the reply still goes out. A lost state
		// means the next message starts afresh, and a repeated 确认 finds
		// the lead already filed.
		b.log.Warn("state not saved", slog.String("openid", wechat.MaskOpenID(m.FromUserName)), slog.Any("error", err))
	}
	return reply, nil
}

func flowLabel(before, after dialog.State) string {
	switch {
	case after.Flow != "":
		return after.Flow
	case before.Flow != "":
		return before.Flow
	}
	return "menu"
}

// Render renders replies the way a passive reply carries them, for the
// terminal chat and tests.
func (b *Bot) Render(rs []dialog.Reply) (string, error) {
	text, transfer, err := b.replies.join(rs)
	if transfer {
		return "（已转接人工客服）", err
	}
	return text, err
}

// utcNow is the default clock. Times are kept in UTC everywhere they are
// stored (SQLite compares them as text) and shown in China time.
func utcNow() time.Time { return time.Now().UTC() }
