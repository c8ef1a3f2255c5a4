package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// maxDeferred bounds the pushes one instance keeps for a backend to come
// back; beyond it a push is answered busy and the person sends it again.
const maxDeferred = 2000

// DeferFor is how long a push whose backend failed is tried again in the
// background before the person is told to send it again.
const DeferFor = 5 * time.Minute

// background runs the work a push leaves behind its webhook answer, and
// lets a stopping instance wait for it.
type background struct {
	mu       sync.Mutex
	wg       sync.WaitGroup
	deferred int // pushes waiting for a backend
	max      int
	stopping chan struct{} // closed by Drain: deferred pushes give up
	once     sync.Once
}

func (g *background) stopCh() chan struct{} {
	g.once.Do(func() { g.stopping = make(chan struct{}) })
	return g.stopping
}

// run runs f in its own goroutine, counted for Drain.
func (g *background) run(f func()) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		f()
	}()
}

// reserve counts a deferred push; false when the instance keeps as many as
// it may, or is stopping.
func (g *background) reserve() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.stopCh():
		return false
	default:
	}
	if g.deferred >= g.max {
		return false
	}
	g.deferred++
	return true
}

func (g *background) done() {
	g.mu.Lock()
	g.deferred--
	g.mu.Unlock()
}

// Deferred returns how many pushes wait for a backend to come back.
func (b *Bot) Deferred() int {
	b.later.mu.Lock()
	defer b.later.mu.Unlock()
	return b.later.deferred
}

// Drain waits for the background work of the pushes already answered: the
// replies that follow as 客服 messages, and the pushes waiting for a
// backend, which give up (and say so) when ctx ends first. The webhook
// must have stopped taking pushes.
func (b *Bot) Drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		b.later.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	b.later.mu.Lock()
	select {
	case <-b.later.stopCh():
	default:
		close(b.later.stopCh())
	}
	b.later.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("drain: background replies still running")
	}
}

// deferReply answers a push whose backend failed: it is kept and tried
// again in the background, and the reply follows as a 客服 message once
// the backend is back. The person is told so at once. When the instance
// already keeps as many as it may, the person is asked to send it again.
func (b *Bot) deferReply(ctx context.Context, m wechat.Message, at time.Time) []byte {
	b.metrics.Busy.Inc()
	if !b.later.reserve() {
		return b.busyReply(m, at)
	}
	b.metrics.Deferred.Inc()
	b.later.run(func() {
		defer b.later.done()
		b.retry(context.WithoutCancel(ctx), m)
	})
	if quiet(m) {
		return nil
	}
	return wechat.TextReply(m.FromUserName, m.ToUserName, b.deferredText, at)
}

// retry handles a deferred push until it is handled, another instance
// handled it, or DeferFor runs out.
func (b *Bot) retry(ctx context.Context, m wechat.Message) {
	give := time.Now().Add(DeferFor)
	wait := 500 * time.Millisecond
	for {
		select {
		case <-b.later.stopCh():
			b.giveUp(ctx, m, "instance stopping")
			return
		case <-time.After(wait):
		}
		reply, handled := b.handleDeferred(ctx, m)
		if handled {
			if reply != nil {
				b.followUp(ctx, m, reply, "deferred")
			}
			return
		}
		if time.Now().After(give) {
			b.giveUp(ctx, m, "backend still failing")
			return
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// handleDeferred tries a deferred push once: it returns the reply to send
// and true once the push is handled (by this instance, or by another one
// that WeChat's retry reached: then there is nothing to send), false to
// try again.
func (b *Bot) handleDeferred(ctx context.Context, m wechat.Message) ([]byte, bool) {
	in, _ := inbound(m, b.now())
	key := m.DedupeKey()
	claim, err := b.sessions.BeginBound(ctx, key, m.FromUserName, nil)
	if err != nil {
		return nil, false
	}
	if !claim.First {
		if claim.Reply == nil || string(claim.Reply) == store.Pending {
			return nil, false // still being handled elsewhere: look again
		}
		return nil, true
	}
	reply, err := b.turn(ctx, m, in, claim, true)
	if err != nil {
		return nil, false
	}
	return reply, true
}

// giveUp tells the person a deferred push was not handled.
func (b *Bot) giveUp(ctx context.Context, m wechat.Message, why string) {
	b.log.Error("deferred push given up", slog.String("openid", wechat.MaskOpenID(m.FromUserName)), slog.String("why", why))
	if quiet(m) {
		b.metrics.FollowUp("given_up", "silent")
		return
	}
	b.followUp(ctx, m, wechat.TextReply(m.FromUserName, m.ToUserName, b.givenUpText, b.now()), "given_up")
}

// quiet reports a push that is never answered (an unfollow).
func quiet(m wechat.Message) bool {
	return m.MsgType == "event" && strings.EqualFold(m.Event, "unsubscribe")
}
