//go:build faults

package faults_test

import (
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/store/storetest"
)

// outage runs load against s, calls down after 3 s and up 10 s later, keeps
// loading 12 s more, and checks: every push answered with 200 within 5 s,
// busy answers during the outage (it was real), none once the service has
// had 5 s to recover, /readyz 503 during and 200 after, no panic.
func outage(t *testing.T, s *service, down, up func()) {
	t.Helper()
	stop := make(chan struct{})
	var results []result
	done := make(chan struct{})
	go func() { results = load(s.addr, 16, 40, stop); close(done) }()

	time.Sleep(3 * time.Second)
	downAt := time.Now()
	down()
	time.Sleep(4 * time.Second)
	readyDuring := s.ready()
	time.Sleep(6 * time.Second)
	upAt := time.Now()
	up()
	time.Sleep(12 * time.Second)
	readyAfter := s.ready()
	close(stop)
	<-done

	before := summarize(results, time.Time{}, downAt)
	during := summarize(results, downAt, upAt)
	recovering := summarize(results, upAt, upAt.Add(5*time.Second))
	after := summarize(results, upAt.Add(5*time.Second), time.Now())
	all := summarize(results, time.Time{}, time.Now())
	t.Logf("before:     %v", before)
	t.Logf("during:     %v", during)
	t.Logf("recovering: %v", recovering)
	t.Logf("after:      %v", after)
	if all.errs+all.non200+all.over5s != 0 {
		t.Errorf("every push must be answered with 200 within 5 s: %v", all)
	}
	// Busy is wrong only for a push answered before the outage began: one
	// sent just before it may meet the outage while being handled.
	var answeredBefore []result
	for _, r := range results {
		if r.at.Add(r.latency).Before(downAt) {
			answeredBefore = append(answeredBefore, r)
		}
	}
	if b := summarize(answeredBefore, time.Time{}, downAt); b.busy != 0 {
		t.Errorf("busy before the outage: %v", b)
	}
	if during.busy+during.success == 0 {
		t.Errorf("the outage was not felt: %v", during)
	}
	if after.busy != 0 || after.n == 0 {
		t.Errorf("not recovered 5 s after the outage ended: %v", after)
	}
	if readyDuring || !readyAfter {
		t.Errorf("/readyz during the outage ok=%t (want false), after ok=%t (want true)", readyDuring, readyAfter)
	}
	checkNoPanic(t, s)
}

// TestRedisStopped stops the service's Redis for 10 s under load.
func TestRedisStopped(t *testing.T) {
	r := startRedis(t)
	db := mustDatabase(t)
	s := startService(t, "MYSQL_DSN=root@tcp(127.0.0.1:3306)/"+db, "REDIS_ADDR="+r.addr())
	outage(t, s, r.stop, r.start)
}

// TestRedisFrozen freezes the service's Redis (SIGSTOP) for 10 s: commands
// hang until the client's timeouts instead of failing at once.
func TestRedisFrozen(t *testing.T) {
	r := startRedis(t)
	db := mustDatabase(t)
	s := startService(t, "MYSQL_DSN=root@tcp(127.0.0.1:3306)/"+db, "REDIS_ADDR="+r.addr())
	outage(t, s, func() { r.cmd.Process.Signal(syscall.SIGSTOP) }, func() { r.cmd.Process.Signal(syscall.SIGCONT) })
}

// TestMariaDBCut cuts the service's MariaDB connections for 10 s under load
// (the shared server is never stopped: a proxy in front of it is).
func TestMariaDBCut(t *testing.T) {
	r := startRedis(t)
	db := mustDatabase(t)
	p := storetest.NewProxy(t, "127.0.0.1:3306")
	s := startService(t, "MYSQL_DSN=root@tcp("+p.Addr()+")/"+db, "REDIS_ADDR="+r.addr())
	outage(t, s, func() { p.Cut() }, func() { p.Restore() })
}

// TestMariaDBBlackhole black-holes MariaDB for 10 s: queries hang until the
// driver's timeouts, the harder case for WeChat's 5 s.
func TestMariaDBBlackhole(t *testing.T) {
	r := startRedis(t)
	db := mustDatabase(t)
	p := storetest.NewProxy(t, "127.0.0.1:3306")
	s := startService(t, "MYSQL_DSN=root@tcp("+p.Addr()+")/"+db, "REDIS_ADDR="+r.addr())
	outage(t, s, func() { p.Blackhole() }, func() { p.Restore() })
}

// TestTwoInstances delivers the same push to two instances on one Redis and
// one database at once: it is processed once, and both answer the same.
func TestTwoInstances(t *testing.T) {
	r := startRedis(t)
	db := mustDatabase(t)
	env := []string{"MYSQL_DSN=root@tcp(127.0.0.1:3306)/" + db, "REDIS_ADDR=" + r.addr()}
	a, b := startService(t, env...), startService(t, env...)

	const followers = 100
	// Each follower: "1" starts the self-check; the same "是" goes to both
	// instances at once; the next "是" must then get question 3, which it
	// would not if the duplicate had advanced the state twice.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 10 {
			failures = append(failures, strings.TrimSpace(sprintf(format, args...)))
		}
	}
	walkTo := []string{"1", "是", "是", "是", "没有", "都没有", "都没有", "都没有"}
	wantAfter := []string{"第1/4题", "第2/4题", "第3/4题", "第4/4题", "Ⅰ类企业条件", "Ⅱ类企业条件", "Ⅲ类企业条件", "自检结果已保存"}
	for f := range followers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			openID := sprintf("o-twin-%s-%d", randomHex(3), f)
			for i, text := range walkTo {
				id := msgSeq.Add(1)
				var ra, rb result
				var pair sync.WaitGroup
				pair.Add(2)
				go func() { defer pair.Done(); ra = push(a.addr, openID, text, id) }()
				go func() { defer pair.Done(); rb = push(b.addr, openID, text, id) }()
				pair.Wait()
				for _, r := range []result{ra, rb} {
					if r.err != nil || r.status != http.StatusOK || r.latency > 5*time.Second {
						fail("%s %q: %v status %d in %v", openID, text, r.err, r.status, r.latency)
						return
					}
				}
				if ra.text != rb.text {
					fail("%s %q: the instances answered differently:\n%q\n%q", openID, text, ra.text, rb.text)
					return
				}
				if !strings.Contains(ra.text, wantAfter[i]) {
					fail("%s %q: want %q in %q (processed twice?)", openID, text, wantAfter[i], ra.text)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	// The self-check result was saved once per follower (an upsert either
	// way; the state check above is what proves single processing).
	if n := query(t, db, "SELECT COUNT(*) FROM followers WHERE open_id LIKE 'o-twin-%' AND tier = 4"); n != followers {
		t.Errorf("%d followers with a saved tier Ⅳ, want %d", n, followers)
	}
	t.Logf("%d followers × %d pushes, each delivered to both instances at once: processed once, same answers", followers, len(walkTo))
	checkNoPanic(t, a)
	checkNoPanic(t, b)
}
