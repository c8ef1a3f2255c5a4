package store

import (
	"context"
	"errors"
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
// a connection error the calls of that pipeline (those pushes answer busy
// and WeChat retries them) and the calls that queued behind it while Redis
// was not answering — rather than each waiting for a timeout of its own. A
// call never queues behind pipelines sent more than maxQueueWait ago. A script Redis has lost (NOSCRIPT after a
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
	// maxQueueWait: a call does not queue behind pipelines sent longer
	// ago than this; it sends its own.
	maxQueueWait time.Duration

	mu       sync.Mutex
	queue    []*scriptCall
	inFlight int
	lastSend time.Time

	// onSend, when set (tests), is called with each pipeline's size
	// before it is sent.
	onSend func(n int)
}

type scriptCall struct {
	script *redis.Script
	keys   []string
	args   []any
	cmd    *redis.Cmd
	// bind, when set, goes in the same pipeline just after the script:
	// SET NX GET of a plaintext push's nonce key (its result in bindCmd).
	bind    *NonceBind
	bindCmd *redis.StringCmd
	wake    chan bool // true: done; false: send the next pipeline
}

func newScriptBatcher(rdb redis.UniversalClient) *scriptBatcher {
	return &scriptBatcher{rdb: rdb, maxInFlight: 2, maxBatch: 128, timeout: 2 * time.Second, maxQueueWait: 100 * time.Millisecond}
}

// Run runs script like Script.Run, batched with other calls in flight.
// Once queued, a call is not abandoned when ctx ends: its pipeline ends by
// the batcher's timeout, so the caller never waits much longer than an
// unbatched call would.
func (b *scriptBatcher) Run(ctx context.Context, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	cmd, _ := b.RunBound(ctx, nil, script, keys, args...)
	return cmd
}

// RunBound is Run with a nonce bind sent in the same pipeline, just after
// the script: one round trip for both. Without a bind the second result is
// nil; with one, it is never nil (it carries the call's error when the
// pipeline was not sent).
func (b *scriptBatcher) RunBound(ctx context.Context, bind *NonceBind, script *redis.Script, keys []string, args ...any) (*redis.Cmd, *redis.StringCmd) {
	if err := ctx.Err(); err != nil {
		cmd := redis.NewCmd(ctx)
		cmd.SetErr(err)
		return cmd, failedBind(bind, err)
	}
	c := callPool.Get().(*scriptCall)
	c.script, c.keys, c.args, c.bind = script, keys, args, bind
	defer c.recycle()
	now := time.Now()
	b.mu.Lock()
	// A call that would queue behind pipelines sent more than
	// maxQueueWait ago (Redis is not answering them) sends its own, so
	// that it waits for its own timeout only, as without batching.
	lead := b.inFlight < b.maxInFlight || now.Sub(b.lastSend) > b.maxQueueWait
	if lead {
		b.inFlight++
	} else {
		b.queue = append(b.queue, c)
	}
	b.mu.Unlock()
	if lead {
		b.lead(c)
	}
	for {
		if done := <-c.wake; done {
			if c.bind != nil && c.bindCmd == nil {
				c.bindCmd = failedBind(c.bind, c.cmd.Err())
			}
			return c.cmd, c.bindCmd
		}
		b.lead(c) // handed the next pipeline
	}
}

// callPool keeps scriptCalls with their wake channels: two allocations
// less per call. A call goes back once its caller has its results; by then
// no pipeline refers to it (each caller is woken once with its result).
var callPool = sync.Pool{New: func() any { return &scriptCall{wake: make(chan bool, 1)} }}

func (c *scriptCall) recycle() {
	wake := c.wake
	*c = scriptCall{wake: wake}
	callPool.Put(c)
}

// failedBind is the result of a bind that was not sent (nil without one).
func failedBind(bind *NonceBind, err error) *redis.StringCmd {
	if bind == nil {
		return nil
	}
	cmd := redis.NewStringCmd(context.Background())
	cmd.SetErr(err)
	return cmd
}

// lead sends own call and up to maxBatch-1 queued ones in one pipeline,
// then hands the next pipeline to the first caller still queued, or gives
// its slot up. A call leaves the queue under the lock into exactly one
// batch, handoff or failure, so each caller is woken once with its result.
//
// When the pipeline fails for want of Redis (every call failed, none with
// a Redis reply: a timeout, a refused or broken connection), the calls
// queued meanwhile fail with it instead of waiting for a pipeline of their
// own to time out too: they answer busy at once, and WeChat retries.
func (b *scriptBatcher) lead(own *scriptCall) {
	b.mu.Lock()
	n := min(len(b.queue), b.maxBatch-1)
	batch := make([]*scriptCall, 0, n+1)
	batch = append(batch, own)
	batch = append(batch, b.queue[:n]...)
	b.queue = append(b.queue[:0], b.queue[n:]...)
	b.lastSend = time.Now()
	b.mu.Unlock()

	unreachable := b.send(batch)

	b.mu.Lock()
	var next *scriptCall
	var failed []*scriptCall
	switch {
	case unreachable != nil && len(b.queue) > 0:
		failed = append(failed, b.queue...)
		b.queue = b.queue[:0]
		b.inFlight--
	case len(b.queue) > 0:
		next = b.queue[0]
		b.queue = append(b.queue[:0], b.queue[1:]...)
	default:
		b.inFlight--
	}
	b.mu.Unlock()
	for _, c := range batch {
		c.wake <- true
	}
	for _, c := range failed {
		c.cmd = redis.NewCmd(context.Background())
		c.cmd.SetErr(unreachable)
		c.wake <- true
	}
	if next != nil {
		next.wake <- false
	}
}

// send runs batch in one pipeline (and the scripts Redis had lost in a
// second). It returns the error when Redis could not be reached for any of
// the calls, nil otherwise.
func (b *scriptBatcher) send(batch []*scriptCall) (unreachable error) {
	if b.onSend != nil {
		b.onSend(len(batch))
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	pipe := b.rdb.Pipeline()
	for _, c := range batch {
		// The script goes first: go-redis reads the pipeline's first
		// reply for its retry decision, and a bind's nil reply (the usual
		// one) costs a chain of error checks there.
		c.cmd = c.script.EvalSha(ctx, pipe, c.keys, c.args...)
		if c.bind != nil {
			c.bindCmd = redis.NewStringCmd(ctx, "set", c.bind.Key, c.bind.Sum[:], "nx", "get", "px", nonceTTLms)
			_ = pipe.Process(ctx, c.bindCmd)
		}
	}
	pipe.Exec(ctx) // each command carries its own error
	var lost []*scriptCall
	for _, c := range batch {
		// (Err checked first: HasErrorPrefix allocates even for nil.)
		if err := c.cmd.Err(); err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
			lost = append(lost, c)
		}
	}
	if len(lost) > 0 {
		pipe = b.rdb.Pipeline()
		for _, c := range lost {
			c.cmd = c.script.Eval(ctx, pipe, c.keys, c.args...)
		}
		pipe.Exec(ctx)
	}
	for _, c := range batch {
		err := c.cmd.Err()
		if err == nil {
			return nil
		}
		var reply redis.Error
		if errors.As(err, &reply) {
			return nil
		}
	}
	return batch[0].cmd.Err()
}
