// Package faults_test runs the real binary through outages: Redis stopped,
// MariaDB cut or black-holed behind a proxy, two instances receiving the
// same push, and kill -9 during submissions. Normal `go test ./...` runs the
// crash tests (crash_test.go) when MYSQL_DSN is set, as in CI; the longer
// outage and load tests need the faults tag:
//
//	go test -tags faults -v -timeout 15m ./bench/faults
//
// It needs MariaDB on 127.0.0.1:3306 (root, no password; MYSQL_ROOT_DSN
// overrides) and redis-server on PATH; it starts its own redis-server on a
// free port and never touches the shared one on 6379.
package faults_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

const (
	token    = "faulttoken"
	busyText = "系统繁忙"
)

var (
	binary      string
	binaryOnce  sync.Once
	binaryErr   error
	binaryBuilt string // the temporary folder holding it
)

// mustBinary builds the service once per test run, with the fault points
// compiled in (bot/faultpoint_faults.go).
func mustBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryBuilt, binaryErr = os.MkdirTemp("", "szr-faults-")
		if binaryErr != nil {
			return
		}
		binary = filepath.Join(binaryBuilt, "suzhirong")
		build := exec.Command("go", "build", "-tags", "faults", "-o", binary, ".")
		build.Dir = "../.."
		out, err := build.CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryBuilt != "" {
		os.RemoveAll(binaryBuilt)
	}
	os.Exit(code)
}

// needBackends skips a test outside CI: the tests of this package that run
// without the faults tag need MariaDB (MYSQL_DSN set, as .ci/run does) and
// redis-server on PATH.
func needBackends(t *testing.T) {
	t.Helper()
	if os.Getenv("MYSQL_DSN") == "" {
		t.Skip("needs MariaDB: set MYSQL_DSN as .ci/run does")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("needs redis-server on PATH")
	}
}

func rootDSN() string {
	if d := os.Getenv("MYSQL_ROOT_DSN"); d != "" {
		return d
	}
	return "root@tcp(127.0.0.1:3306)/"
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// mustDatabase creates a fresh database and returns its name.
func mustDatabase(t *testing.T) string {
	t.Helper()
	name := "szr_faults_" + randomHex(4)
	db, err := sql.Open("mysql", rootDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("mysql", rootDSN())
		if err == nil {
			db.Exec("DROP DATABASE " + name)
			db.Close()
		}
	})
	return name
}

// query runs a single-value query on database name.
func query(t *testing.T, name, q string, args ...any) int {
	t.Helper()
	db, err := sql.Open("mysql", strings.TrimSuffix(rootDSN(), "/")+"/"+name+"?parseTime=true")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// redisServer is a redis-server of the test's own, with an append-only file
// so that a restart keeps the data, as a production Redis would.
type redisServer struct {
	t    *testing.T
	port int
	dir  string
	cmd  *exec.Cmd
}

func startRedis(t *testing.T) *redisServer {
	t.Helper()
	r := &redisServer{t: t, port: freePort(t), dir: t.TempDir()}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--appendonly", "yes", "--save", "")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	for range 100 {
		if c, err := net.DialTimeout("tcp", r.addr(), 100*time.Millisecond); err == nil {
			c.Write([]byte("PING\r\n"))
			buf := make([]byte, 16)
			c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n, _ := c.Read(buf)
			c.Close()
			if strings.HasPrefix(string(buf[:n]), "+PONG") {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatal("redis-server did not start")
}

func (r *redisServer) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Signal(syscall.SIGTERM)
		r.cmd.Wait()
		r.cmd = nil
	}
}

// service is the binary under test.
type service struct {
	t    *testing.T
	addr string
	env  []string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	mu   sync.Mutex
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// startService runs the binary with env (KEY=value) on a free port.
func startService(t *testing.T, env ...string) *service {
	t.Helper()
	s := &service{t: t, addr: "127.0.0.1:" + strconv.Itoa(freePort(t)), log: &bytes.Buffer{}}
	s.env = append([]string{"ADDR=" + s.addr, "WECHAT_TOKEN=" + token, "ADMIN_PASSWORD=faults-admin-pw", "LOG_LEVEL=info",
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	s.start()
	t.Cleanup(func() { s.kill(syscall.SIGTERM) })
	return s
}

func (s *service) start() {
	s.t.Helper()
	s.cmd = exec.Command(mustBinary(s.t))
	s.cmd.Env = s.env
	w := lockedWriter{&s.mu, s.log}
	s.cmd.Stdout, s.cmd.Stderr = w, w
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	for range 200 {
		if resp, err := http.Get("http://" + s.addr + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("service did not start:\n%s", s.logs())
}

// kill stops the process with sig and waits for it.
func (s *service) kill(sig syscall.Signal) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

func (s *service) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// ready reports whether /readyz answers 200.
func (s *service) ready() bool {
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get("http://" + s.addr + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func sign(parts ...string) string {
	sort.Strings(parts)
	h := sha1.New()
	for _, p := range parts {
		io.WriteString(h, p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

var msgSeq atomic.Int64

func init() { msgSeq.Store(time.Now().UnixNano() / 1000) }

// result is one push and its answer.
type result struct {
	at      time.Time
	latency time.Duration
	status  int
	text    string // the reply's text; "success" for an empty answer
	err     error
}

func (r result) busy() bool { return strings.Contains(r.text, busyText) }

var client = &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// push sends a plaintext text message with msgID (0: a fresh one) to addr.
func push(addr, openID, text string, msgID int64) result {
	if msgID == 0 {
		msgID = msgSeq.Add(1)
	}
	now := time.Now()
	url, body := signedPush(addr, openID, text, msgID, now)
	r := result{at: now}
	resp, err := client.Post(url, "text/xml", strings.NewReader(body))
	if err != nil {
		r.err, r.latency = err, time.Since(now)
		return r
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.latency, r.status, r.err = time.Since(now), resp.StatusCode, err
	if string(raw) == "success" {
		r.text = "success"
		return r
	}
	var m struct {
		MsgType string `xml:"MsgType"`
		Content string `xml:"Content"`
	}
	if xml.Unmarshal(raw, &m) == nil {
		r.text = m.Content
		if m.MsgType != "text" {
			r.text = m.MsgType
		}
	}
	return r
}

// signedPush is a plaintext text push as WeChat signs it: the webhook's
// URL and the body.
func signedPush(addr, openID, text string, msgID int64, now time.Time) (url, body string) {
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := strconv.FormatInt(msgID%1_000_000_007, 10)
	body = "<xml><ToUserName><![CDATA[gh_faults]]></ToUserName><FromUserName><![CDATA[" + openID +
		"]]></FromUserName><CreateTime>" + ts + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" +
		text + "]]></Content><MsgId>" + strconv.FormatInt(msgID, 10) + "</MsgId></xml>"
	return "http://" + addr + "/wechat?signature=" + sign(token, ts, nonce) + "&timestamp=" + ts + "&nonce=" + nonce, body
}

// walk is the load generator's walk (bench/loadgen), without its checks: an
// outage makes a follower repeat a step.
var walk = []string{"菜单", "3", "1", "500", "产品", "1", "1", "联系", "菜单", "1", "是", "是", "是", "没有", "都没有", "都没有", "都没有"}

// load runs workers pushing the walk until stop, each with new followers
// arriving every `every` pushes (first contact reads the database), and
// returns every result.
func load(addr string, workers, every int, stop <-chan struct{}) []result {
	var mu sync.Mutex
	var all []result
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []result
			openID, step := "", 0
			for i := 0; i < 1_000_000; i++ {
				select {
				case <-stop:
					mu.Lock()
					all = append(all, mine...)
					mu.Unlock()
					return
				default:
				}
				if i%every == 0 {
					openID, step = fmt.Sprintf("o-fault-%s-%d-%d", randomHex(3), w, i), 0
				}
				mine = append(mine, push(addr, openID, walk[step%len(walk)], 0))
				step++
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	return all
}

// summary describes results in a window.
type summary struct {
	n, errs, non200, busy, success, over5s int
	max                                    time.Duration
}

func summarize(rs []result, from, to time.Time) summary {
	var s summary
	for _, r := range rs {
		if r.at.Before(from) || !r.at.Before(to) {
			continue
		}
		s.n++
		switch {
		case r.err != nil:
			s.errs++
		case r.status != http.StatusOK:
			s.non200++
		case r.busy():
			s.busy++
		case r.text == "success":
			s.success++
		}
		if r.latency > 5*time.Second {
			s.over5s++
		}
		s.max = max(s.max, r.latency)
	}
	return s
}

func (s summary) String() string {
	return fmt.Sprintf("%d pushes: %d transport errors, %d non-200, %d busy, %d success (no reply), %d over 5 s, max %v",
		s.n, s.errs, s.non200, s.busy, s.success, s.over5s, s.max.Round(time.Millisecond))
}

// checkNoPanic fails when the service logged a panic.
func checkNoPanic(t *testing.T, s *service) {
	t.Helper()
	if l := s.logs(); strings.Contains(l, "panic") {
		i := strings.Index(l, "panic")
		t.Errorf("service panicked: %s", l[max(0, i-200):min(len(l), i+800)])
	}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
