package store

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

var echoScript = redis.NewScript(`
if ARGV[1] == 'boom' then return redis.call('INCR', KEYS[1]) end
return ARGV[1]
`)

func mustBatcher(t *testing.T) (*scriptBatcher, *miniredis.Miniredis) {
	t.Helper()
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr(), ReadTimeout: time.Second, WriteTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	return newScriptBatcher(rdb), m
}

// holdFirst makes the batcher's first pipeline wait until n more calls are
// queued behind it, so that the next pipeline's content is known; it
// returns the sizes of the pipelines sent.
func holdFirst(t *testing.T, b *scriptBatcher, n int) func() []int {
	var mu sync.Mutex
	var sizes []int
	b.onSend = func(size int) {
		mu.Lock()
		sizes = append(sizes, size)
		first := len(sizes) == 1
		mu.Unlock()
		if !first {
			return
		}
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			b.mu.Lock()
			q := len(b.queue)
			b.mu.Unlock()
			if q == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Errorf("%d calls never queued", n)
	}
	return func() []int { mu.Lock(); defer mu.Unlock(); return append([]int(nil), sizes...) }
}

// TestBatcherSendsCallsInFlightTogether checks that calls arriving while a
// pipeline is out go in the next one, and each gets its own result.
func TestBatcherSendsCallsInFlightTogether(t *testing.T) {
	t.Parallel()
	b, _ := mustBatcher(t)
	b.maxInFlight = 1
	b.maxQueueWait = time.Minute
	const n = 20
	sizes := holdFirst(t, b, n)
	got := make([]string, n+1)
	errs := make([]error, n+1)
	var wg sync.WaitGroup
	call := func(i int) {
		defer wg.Done()
		got[i], errs[i] = b.Run(context.Background(), echoScript, []string{"k" + strconv.Itoa(i)}, "v"+strconv.Itoa(i)).Text()
	}
	wg.Add(1)
	go call(0)
	for len(sizes()) == 0 {
		time.Sleep(time.Millisecond)
	}
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go call(i)
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != "v"+strconv.Itoa(i) {
			t.Errorf("call %d: %q %v", i, got[i], errs[i])
		}
	}
	if s := sizes(); len(s) != 2 || s[0] != 1 || s[1] != n {
		t.Errorf("pipelines %v, want [1 %d]", s, n)
	}
}

// TestBatcherUnderLoad runs many concurrent callers through two pipelines
// in flight (run with -race): every call gets its own answer.
func TestBatcherUnderLoad(t *testing.T) {
	t.Parallel()
	b, _ := mustBatcher(t)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				want := strconv.Itoa(w) + "-" + strconv.Itoa(i)
				if v, err := b.Run(context.Background(), echoScript, []string{"k" + want}, want).Text(); err != nil || v != want {
					t.Errorf("got %q %v, want %q", v, err, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	if b.inFlight != 0 || len(b.queue) != 0 {
		t.Errorf("batcher left %d in flight, %d queued", b.inFlight, len(b.queue))
	}
}

// TestBatcherFailsOnlyTheFailingCall checks that a script error in a
// pipeline fails that call alone.
func TestBatcherFailsOnlyTheFailingCall(t *testing.T) {
	t.Parallel()
	b, m := mustBatcher(t)
	b.maxInFlight = 1
	b.maxQueueWait = time.Minute
	m.Lpush("list", "x") // INCR on a list: WRONGTYPE inside the script
	sizes := holdFirst(t, b, 3)
	var wg sync.WaitGroup
	res := make([]error, 4)
	args := []string{"a", "b", "boom", "c"}
	wg.Add(1)
	go func() {
		defer wg.Done()
		res[0] = b.Run(context.Background(), echoScript, []string{"list"}, args[0]).Err()
	}()
	for len(sizes()) == 0 {
		time.Sleep(time.Millisecond)
	}
	for i := 1; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = b.Run(context.Background(), echoScript, []string{"list"}, args[i]).Err()
		}()
	}
	wg.Wait()
	for i, err := range res {
		if (err != nil) != (args[i] == "boom") {
			t.Errorf("call %s: %v", args[i], err)
		}
	}
	if s := sizes(); len(s) != 2 || s[1] != 3 {
		t.Errorf("pipelines %v, want the failing call batched with two others", s)
	}
}

// TestBatcherReloadsLostScripts checks that a script Redis has forgotten
// (restart, SCRIPT FLUSH) is sent again in full.
func TestBatcherReloadsLostScripts(t *testing.T) {
	t.Parallel()
	b, _ := mustBatcher(t)
	ctx := context.Background()
	if v, err := b.Run(ctx, echoScript, []string{"k"}, "one").Text(); err != nil || v != "one" {
		t.Fatalf("first: %q %v", v, err)
	}
	if err := b.rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if ok, _ := b.rdb.ScriptExists(ctx, echoScript.Hash()).Result(); ok[0] {
		t.Fatal("script still loaded")
	}
	if v, err := b.Run(ctx, echoScript, []string{"k"}, "two").Text(); err != nil || v != "two" {
		t.Fatalf("after SCRIPT FLUSH: %q %v", v, err)
	}
}

// TestBatcherConnectionFailure checks that a Redis that is gone fails the
// calls promptly, and the batcher serves again when it is back.
func TestBatcherConnectionFailure(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer rdb.Close()
	b := newScriptBatcher(rdb)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.Run(context.Background(), echoScript, []string{"k"}, "x").Err(); err == nil {
				t.Error("a call succeeded with Redis down")
			}
		}()
	}
	wg.Wait()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("calls took %v with Redis down", d)
	}
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr(addr); err != nil {
		t.Skipf("port taken again: %v", err)
	}
	defer m.Close()
	if v, err := b.Run(context.Background(), echoScript, []string{"k"}, "back").Text(); err != nil || v != "back" {
		t.Fatalf("after Redis is back: %q %v", v, err)
	}
	if b.inFlight != 0 || len(b.queue) != 0 {
		t.Errorf("batcher left %d in flight, %d queued", b.inFlight, len(b.queue))
	}
}

// TestBatcherDoesNotQueueBehindAStall checks that a call does not queue
// behind a pipeline sent more than maxQueueWait ago: it sends its own.
func TestBatcherDoesNotQueueBehindAStall(t *testing.T) {
	t.Parallel()
	b, _ := mustBatcher(t)
	b.maxInFlight = 1
	release := make(chan struct{})
	var once sync.Once
	started := make(chan struct{})
	b.onSend = func(int) {
		first := false
		once.Do(func() { first = true })
		if first {
			close(started)
			<-release // the first pipeline hangs
		}
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(context.Background(), echoScript, []string{"k"}, "stuck").Err() }()
	<-started
	time.Sleep(b.maxQueueWait + 20*time.Millisecond)
	start := time.Now()
	v, err := b.Run(context.Background(), echoScript, []string{"k"}, "next").Text()
	if err != nil || v != "next" {
		t.Fatalf("call behind a stall: %q %v", v, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("call behind a stall took %v", d)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if b.inFlight != 0 || len(b.queue) != 0 {
		t.Errorf("batcher left %d in flight, %d queued", b.inFlight, len(b.queue))
	}
}

// TestBatcherFailsQueuedCallsWithAnUnreachableRedis: calls queued behind a
// pipeline that timed out (a frozen Redis) fail with it, at once, instead
// of waiting for a timeout of their own.
func TestBatcherFailsQueuedCallsWithAnUnreachableRedis(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() { // accepts and never answers
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	const timeout = 300 * time.Millisecond
	rdb := redis.NewClient(&redis.Options{Addr: l.Addr().String(), ReadTimeout: timeout, WriteTimeout: timeout, MaxRetries: -1, Protocol: 2, DisableIdentity: true})
	defer rdb.Close()
	b := newScriptBatcher(rdb)
	b.maxInFlight = 1
	b.maxQueueWait = time.Minute // every later call queues
	sent := make(chan struct{})
	var once sync.Once
	b.onSend = func(int) { once.Do(func() { close(sent) }) }
	first := make(chan error, 1)
	var firstDone time.Time
	go func() {
		err := b.Run(context.Background(), echoScript, []string{"k"}, "a").Err()
		firstDone = time.Now()
		first <- err
	}()
	<-sent
	err = b.Run(context.Background(), echoScript, []string{"k"}, "b").Err()
	secondDone := time.Now()
	if err == nil {
		t.Fatal("a queued call succeeded against a Redis that does not answer")
	}
	if err := <-first; err == nil {
		t.Fatal("the first call succeeded")
	}
	if d := secondDone.Sub(firstDone); d > timeout/2 {
		t.Errorf("the queued call failed %v after the pipeline ahead: it waited for a timeout of its own", d)
	}
	if b.inFlight != 0 || len(b.queue) != 0 {
		t.Errorf("batcher left %d in flight, %d queued", b.inFlight, len(b.queue))
	}
}
