package store

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// scriptBatcher sends the hot-path scripts of pushes in flight to Redis
// together: while one pipeline is on the wire, the scripts of the pushes
// that arrive meanwhile queue up, and the next pipeline carries them all in
// one write and one read. Each push still waits for its own result, and a
// lone push goes out at once (nothing waits to fill a batch: go-redis'
// autopipelining does, and did worse here). On the hot path this turns two
// round trips per push into two per batch, which is where the client's
// syscalls and Redis' per-read overhead went.
//
// There is no background goroutine. The caller that finds fewer than
// maxInFlight pipelines running sends one itself; when it is done and more
// calls are queued, it hands the next pipeline to the first queued caller,
// which sends it and so on. So every caller is back as soon as its own
// pipeline is answered.
//
// Failures stay with their pushes: a script error fails its own call only,
// a connection error the calls of that pipeline only (those pushes answer
// busy and WeChat retries them). A script Redis has lost (NOSCRIPT after a
// restart or SCRIPT FLUSH) is sent again in full with EVAL, which loads it.
// On a Redis Cluster, go-redis' ClusterClient pipeline splits the batch per
// node by the hash slot of each script's first key (all keys of a push
// share the follower's hash tag), and a failing node fails only the calls
// routed to it.
type scriptBatcher struct {
	rdb         redis.UniversalClient
	maxInFlight int
	maxBatch    int
	timeout     time.Duration // for one pipeline: the client's 1 s read timeout, retried once
	// maxQueueWait is how long a call waits for a pipeline slot before
	// it sends its own.
	maxQueueWait time.Duration

	mu       sync.Mutex
	queue    []*scriptCall
	inFlight int

	// onSend, when set (tests), is called with each pipeline's size
	// before it is sent.
	onSend func(n int)
}

type scriptCall struct {
	script *redis.Script
	keys   []string
	args   []any
	cmd    *redis.Cmd
	wake   chan bool // true: done; false: send the next pipeline
}

func newScriptBatcher(rdb redis.UniversalClient) *scriptBatcher {
	return &scriptBatcher{rdb: rdb, maxInFlight: 2, maxBatch: 128, timeout: 2 * time.Second, maxQueueWait: 100 * time.Millisecond}
}

// Run runs script like Script.Run, batched with other calls in flight.
// Once queued, a call is not abandoned when ctx ends: its pipeline ends by
// the client's timeouts (and the batcher's), so the caller never waits much
// longer than an unbatched call would.
func (b *scriptBatcher) Run(ctx context.Context, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	if err := ctx.Err(); err != nil {
		cmd := redis.NewCmd(ctx)
		cmd.SetErr(err)
		return cmd
	}
	c := &scriptCall{script: script, keys: keys, args: args, wake: make(chan bool, 1)}
	b.mu.Lock()
	lead := b.inFlight < b.maxInFlight
	if lead {
		b.inFlight++
	} else {
		b.queue = append(b.queue, c)
	}
	b.mu.Unlock()
	if lead {
		b.lead(c)
	} else if b.waitQueued(c) {
		b.lead(c)
	}
	for {
		if done := <-c.wake; done {
			return c.cmd
		}
		b.lead(c) // handed the next pipeline
	}
}

// waitQueued waits up to maxQueueWait for c to leave the queue (into a
// pipeline, or handed the next one). A call still queued then — Redis is
// not answering the pipelines in flight — leaves the queue and reports
// that it must send its own: so when Redis freezes, a push waits for its
// own timeouts, as without batching, not for those of the pipelines ahead.
func (b *scriptBatcher) waitQueued(c *scriptCall) (sendOwn bool) {
	t := time.NewTimer(b.maxQueueWait)
	defer t.Stop()
	select {
	case v := <-c.wake:
		c.wake <- v // Run reads it
		return false
	case <-t.C:
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	i := slices.Index(b.queue, c)
	if i < 0 {
		return false // taken meanwhile: its wake is coming
	}
	b.queue = slices.Delete(b.queue, i, i+1)
	b.inFlight++
	return true
}

// lead sends own call and up to maxBatch-1 queued ones in one pipeline,
// then hands the next pipeline to the first caller still queued, or gives
// its slot up. A call leaves the queue under the lock into exactly one
// batch or one handoff, so each caller is woken once with its result.
func (b *scriptBatcher) lead(own *scriptCall) {
	b.mu.Lock()
	n := min(len(b.queue), b.maxBatch-1)
	batch := make([]*scriptCall, 0, n+1)
	batch = append(batch, own)
	batch = append(batch, b.queue[:n]...)
	b.queue = append(b.queue[:0], b.queue[n:]...)
	b.mu.Unlock()

	b.send(batch)

	b.mu.Lock()
	var next *scriptCall
	if len(b.queue) > 0 {
		next = b.queue[0]
		b.queue = append(b.queue[:0], b.queue[1:]...)
	} else {
		b.inFlight--
	}
	b.mu.Unlock()
	for _, c := range batch {
		c.wake <- true
	}
	if next != nil {
		next.wake <- false
	}
}

func (b *scriptBatcher) send(batch []*scriptCall) {
	if b.onSend != nil {
		b.onSend(len(batch))
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	pipe := b.rdb.Pipeline()
	for _, c := range batch {
		c.cmd = c.script.EvalSha(ctx, pipe, c.keys, c.args...)
	}
	pipe.Exec(ctx) // each command carries its own error
	var lost []*scriptCall
	for _, c := range batch {
		if redis.HasErrorPrefix(c.cmd.Err(), "NOSCRIPT") {
			lost = append(lost, c)
		}
	}
	if len(lost) == 0 {
		return
	}
	pipe = b.rdb.Pipeline()
	for _, c := range lost {
		c.cmd = c.script.Eval(ctx, pipe, c.keys, c.args...)
	}
	pipe.Exec(ctx)
}
