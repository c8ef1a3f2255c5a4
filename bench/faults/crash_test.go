package faults_test

import (
	"database/sql"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/wechat/wechattest"
)

// The crash tests run the real binary on MariaDB and a redis-server of
// their own, with enterprises filing 融资需求 forms and chatting the way
// WeChat delivers them (each push waits 5 s; without an answer the same
// MsgId is sent again, three times in all; "success" ends the retries and
// the reply is then owed as a 客服 message). They run in CI (MYSQL_DSN set).

// numberPattern finds an application's number in a reply.
var numberPattern = regexp.MustCompile(`SZR-\d{8}-\d{4,}`)

// deferredText is how the service answers a push it keeps for a backend.
const deferredText = "消息已收到"

// wechatClient waits for an answer as long as WeChat does.
var wechatClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// attempt is one delivery of a push: its answer's text ("success" for an
// empty answer), or the error of an attempt that got no answer.
type attempt struct {
	text    string
	latency time.Duration
	err     error
}

func deliverOnce(addr, openID, text string, msgID int64) attempt {
	now := time.Now()
	url, body := signedPush(addr, openID, text, msgID, now)
	resp, err := wechatClient.Post(url, "text/xml", strings.NewReader(body))
	if err != nil {
		return attempt{err: err, latency: time.Since(now)}
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	a := attempt{latency: time.Since(now), err: err}
	if resp.StatusCode != http.StatusOK {
		a.err = fmt.Errorf("status %d", resp.StatusCode)
		return a
	}
	if len(raw) == 0 || string(raw) == "success" {
		a.text = "success"
		return a
	}
	var m struct {
		Content string `xml:"Content"`
	}
	if err := xml.Unmarshal(raw, &m); err != nil {
		a.err = err
	}
	a.text = m.Content
	return a
}

// person is an enterprise's clerk on WeChat: they send a message, read
// the reply (in the chat's answer, or as a 客服 message when the answer was
// "success" or a promise to reply), and only then send the next.
type person struct {
	t                *testing.T
	svc              *service
	fake             *wechattest.Server
	openID           string
	code             string
	pause            time.Duration // between reading a reply and sending the next message
	seen             int           // 客服 messages already read
	heard            []string      // every reply read
	unanswered, slow int
	retried          int // deliveries WeChat had to try again
}

// say sends text like WeChat and returns the reply the person reads.
func (p *person) say(text string) string {
	id := msgSeq.Add(1)
	var last attempt
	for n := 0; n < 3; n++ {
		start := time.Now()
		last = deliverOnce(p.svc.addr, p.openID, text, id)
		var ne net.Error
		if errors.As(last.err, &ne) && ne.Timeout() || last.latency > 5*time.Second {
			p.slow++ // WeChat gave up waiting for this answer
		}
		if last.err == nil {
			break
		}
		p.retried++
		time.Sleep(time.Until(start.Add(5 * time.Second))) // WeChat's next try
	}
	switch {
	case last.err != nil:
		p.unanswered++
		p.t.Errorf("%s: %q got no answer in three deliveries: %v", p.openID, text, last.err)
		return ""
	case last.text == "success" || strings.Contains(last.text, deferredText):
		// The real reply is owed as a 客服 message.
		if got, ok := p.customMessage(90 * time.Second); ok {
			p.heard = append(p.heard, got)
			time.Sleep(p.pause)
			return got
		}
		p.unanswered++
		p.t.Errorf("%s: %q was answered %q and no 客服 message followed", p.openID, text, last.text)
		return ""
	case strings.Contains(last.text, "系统繁忙"):
		p.unanswered++
		p.t.Errorf("%s: %q was answered busy, to be sent again", p.openID, text)
		return ""
	}
	p.heard = append(p.heard, last.text)
	time.Sleep(p.pause)
	return last.text
}

// customMessage waits for the next 客服 message to the person.
func (p *person) customMessage(within time.Duration) (string, bool) {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var mine []string
		for _, c := range p.fake.Calls("/cgi-bin/message/custom/send") {
			if c.Body["touser"] == p.openID {
				txt, _ := c.Body["text"].(map[string]any)
				content, _ := txt["content"].(string)
				mine = append(mine, content)
			}
		}
		if len(mine) > p.seen {
			p.seen++
			return mine[p.seen-1], true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", false
}

// fileNeed fills and confirms the 融资需求 form, chatting before it, and
// returns the number the person was told.
func (p *person) fileNeed() string {
	p.say("你好")
	p.say("菜单")
	for _, text := range []string{"融资需求", "苏州测试精密机械有限公司" + p.code[12:], p.code, "1", "张三", "13912345678", "苏质贷", "500", "12", "采购原材料", "1"} {
		p.say(text)
	}
	reply := p.say("确认")
	if num := numberPattern.FindString(reply); num != "" {
		return num
	}
	// A person who was not told a number asks for the progress.
	return numberPattern.FindString(p.say("进度"))
}

// fileAll has every person file a need at once; told[i] is the number
// person i was told, once wg is done.
func fileAll(people []*person) (told []string, wg *sync.WaitGroup) {
	told, wg = make([]string, len(people)), &sync.WaitGroup{}
	for i, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			told[i] = p.fileNeed()
		}()
	}
	return told, wg
}

// crashWorld is a service on its own database and Redis, with a bound
// contact in every county: each lead notifies exactly one person.
type crashWorld struct {
	db    string
	conn  *sql.DB
	redis *redisServer
	fake  *wechattest.Server
	svc   *service
}

func newCrashWorld(t *testing.T, mysqlAddr string, extraEnv ...string) *crashWorld {
	t.Helper()
	w := &crashWorld{redis: startRedis(t), db: mustDatabase(t), fake: wechattest.New(t)}
	env := append([]string{
		"MYSQL_DSN=root@tcp(" + mysqlAddr + ")/" + w.db, "REDIS_ADDR=" + w.redis.addr(),
		"WECHAT_APP_ID=wx2c2769f8efd9abc2", "WECHAT_APP_SECRET=secret", "WECHAT_API_BASE=" + w.fake.URL, "WECOM_API_BASE=" + w.fake.URL,
		"WECHAT_TEMPLATE_NEW_LEAD_APPLY=tmpl-apply", "WECHAT_TEMPLATE_NEW_LEAD_NEED=tmpl-need", "WECHAT_TEMPLATE_STATUS=tmpl-status",
	}, extraEnv...)
	w.svc = startService(t, env...)
	conn, err := sql.Open("mysql", strings.TrimSuffix(rootDSN(), "/")+"/"+w.db+"?parseTime=true")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	w.conn = conn
	if _, err := conn.Exec("INSERT INTO county_contacts (county, open_id, bound_at, created_at) SELECT id, CONCAT('o-contact-', id), NOW(), NOW() FROM counties"); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *crashWorld) person(t *testing.T, prefix string, i int) *person {
	first := fmt.Sprintf("91320583MA2C%05d", i)
	c, err := dialog.CreditCheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return &person{t: t, svc: w.svc, fake: w.fake, openID: fmt.Sprintf("%s%s-%02d", prefix, randomHex(3), i), code: first + string(c)}
}

// check says whether every person's application was stored once, the
// number each was told is theirs, and each lead notified its county's
// contact exactly once.
func (w *crashWorld) check(t *testing.T, people []*person, told []string) {
	t.Helper()
	for i, p := range people {
		var n int
		var number string
		w.conn.QueryRow("SELECT COUNT(*), COALESCE(MAX(number), '') FROM leads WHERE credit_code = ?", p.code).Scan(&n, &number)
		if n != 1 {
			t.Errorf("%s: %d applications stored, want 1", p.openID, n)
		}
		if told[i] == "" || told[i] != number {
			t.Errorf("%s was told %q; its application is %q", p.openID, told[i], number)
		}
	}
	// Notifications: each lead's template to its county's contact, once.
	// A notification claimed by the killed instance is retaken when its
	// claim expires (2 minutes).
	deadline := time.Now().Add(150 * time.Second)
	for time.Now().Before(deadline) && query(t, w.db, "SELECT COUNT(*) FROM outboxes WHERE status <> 'sent'") > 0 {
		time.Sleep(500 * time.Millisecond)
	}
	sent := map[string]int{}
	for _, c := range w.fake.Calls("/cgi-bin/message/template/send") {
		data, _ := c.Body["data"].(map[string]any)
		item, _ := data["character_string1"].(map[string]any)
		sent[fmt.Sprintf("%v %v", c.Body["touser"], item["value"])]++
	}
	for k, v := range sent {
		if v != 1 {
			t.Errorf("notification %s sent %d times", k, v)
		}
	}
	if leads := query(t, w.db, "SELECT COUNT(*) FROM leads"); len(sent) != leads {
		t.Errorf("%d leads, %d distinct notifications sent", leads, len(sent))
	}
}

// TestCrashMidTurnLosesNoMessage kills the service with SIGKILL while
// enterprises file and chat, at three moments of one enterprise's 确认,
// restarts it, and lets WeChat retry every unanswered push with the same
// MsgId: every message gets its reply (in the retry or as a 客服 message),
// no application is lost or duplicated, each notification goes once.
func TestCrashMidTurnLosesNoMessage(t *testing.T) {
	needBackends(t)
	for _, moment := range []struct{ point, covers string }{
		// Nothing of the push is in Redis yet: the retry is a plain first delivery.
		{"before-claim", "the push dies before it is claimed"},
		// Claimed (pending mark, turn lock) and dead: the retry must not find
		// the claim pending for the dedupe TTL, it takes the delivery over.
		{"in-turn", "the push dies claimed, before the engine runs"},
		// The lead and its notifications are committed; the reply and the
		// state are not: the retry runs 确认 again and must find the lead
		// filed, not file a second one, and tell the same number.
		{"before-finish", "the push dies after the lead is stored, before the reply is stored"},
	} {
		t.Run(moment.point, func(t *testing.T) {
			w := newCrashWorld(t, "127.0.0.1:3306", "FAULT_STALL="+moment.point, "FAULT_STALL_OPENID=o-stall-", "FAULT_STALL_TEXT=确认")
			const others = 5
			people := []*person{w.person(t, "o-stall-", 0)}
			for i := 1; i <= others; i++ {
				people = append(people, w.person(t, "o-crash-", i))
			}
			told, wg := fileAll(people)
			// Kill when the stalled 确认 reaches its moment.
			for i := 0; !strings.Contains(w.svc.logs(), "fault point "+moment.point+" reached"); i++ {
				if i > 600 {
					t.Fatalf("the fault point was not reached:\n%s", w.svc.logs())
				}
				time.Sleep(20 * time.Millisecond)
			}
			w.svc.kill(syscall.SIGKILL)
			t.Logf("%s: killed with SIGKILL (%s)", moment.point, moment.covers)
			time.Sleep(300 * time.Millisecond)
			w.svc.env = withoutFaults(w.svc.env)
			w.svc.start()
			wg.Wait()
			w.check(t, people, told)
			for _, p := range people {
				if p.slow > 0 {
					t.Errorf("%s: %d answers took longer than WeChat waits", p.openID, p.slow)
				}
			}
			checkNoPanic(t, w.svc)
		})
	}
}

// TestOutagesLoseNoMessage stops Redis (its append-only file keeps the
// data) and then cuts MariaDB for 10 s while enterprises file and chat:
// every push is answered within WeChat's 5 s, and every message gets its
// real reply once the backend is back.
func TestOutagesLoseNoMessage(t *testing.T) {
	needBackends(t)
	for _, outage := range []string{"redis restart", "mariadb unreachable 10s"} {
		t.Run(strings.ReplaceAll(outage, " ", "_"), func(t *testing.T) {
			p := storetest.NewProxy(t, "127.0.0.1:3306")
			w := newCrashWorld(t, p.Addr())
			people := make([]*person, 6)
			for i := range people {
				people[i] = w.person(t, "o-outage-", i)
				people[i].pause = 400 * time.Millisecond // the outage finds them mid-form
			}
			told := make([]string, len(people))
			var wg sync.WaitGroup
			for i, pp := range people {
				wg.Add(1)
				go func() {
					defer wg.Done()
					time.Sleep(time.Duration(i) * 150 * time.Millisecond)
					told[i] = pp.fileNeed()
				}()
			}
			time.Sleep(700 * time.Millisecond)
			if outage == "redis restart" {
				w.redis.stop()
				time.Sleep(3 * time.Second)
				w.redis.start()
			} else {
				p.Cut()
				time.Sleep(10 * time.Second)
				p.Restore()
			}
			wg.Wait()
			w.check(t, people, told)
			for _, pp := range people {
				if pp.slow > 0 {
					t.Errorf("%s: %d answers took longer than WeChat waits", pp.openID, pp.slow)
				}
			}
			deferred := metric(w.svc, "szr_deferred_pushes_total")
			if !strings.Contains(deferred, "szr_deferred_pushes_total ") || strings.HasSuffix(deferred, " 0") {
				t.Errorf("the outage deferred no push (%q): it did not test anything", deferred)
			}
			t.Logf("%s: %s; %s", outage, deferred, metric(w.svc, "szr_followup_replies_total"))
			checkNoPanic(t, w.svc)
		})
	}
}

// withoutFaults drops the fault points from a service's environment.
func withoutFaults(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "FAULT_") {
			out = append(out, kv)
		}
	}
	return out
}

// metric returns the lines of a series from the service's /metrics.
func metric(s *service, name string) string {
	resp, err := http.Get("http://" + s.addr + "/metrics")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var lines []string
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, name) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

// TestSIGTERMDrains stops the service with SIGTERM while a 确认 is being
// handled (a turn made to take 2 s) and enterprises chat: the turn in
// flight is finished and answered on its own connection, the process exits
// cleanly, the pushes it refused meanwhile are retried by WeChat and
// answered by the restarted service, and nothing is lost.
func TestSIGTERMDrains(t *testing.T) {
	needBackends(t)
	w := newCrashWorld(t, "127.0.0.1:3306", "FAULT_STALL=in-turn", "FAULT_STALL_OPENID=o-drain-", "FAULT_STALL_TEXT=确认", "FAULT_STALL_FOR=2s")
	people := []*person{w.person(t, "o-drain-", 0)}
	for i := 1; i <= 4; i++ {
		people = append(people, w.person(t, "o-chat-", i))
	}
	told, wg := fileAll(people)
	for i := 0; !strings.Contains(w.svc.logs(), "fault point in-turn reached"); i++ {
		if i > 600 {
			t.Fatalf("the slow turn did not start:\n%s", w.svc.logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd := w.svc.cmd
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	w.svc.cmd = nil
	took := time.Since(start)
	if err != nil || !strings.Contains(w.svc.logs(), `"msg":"stopped"`) {
		t.Fatalf("SIGTERM: exit %v after %v, want a clean stop:\n%s", err, took, w.svc.logs())
	}
	if took < time.Second {
		t.Errorf("the process exited %v after SIGTERM, before its slow turn (2 s) could finish", took)
	}
	t.Logf("drained and exited %v after SIGTERM", took.Round(time.Millisecond))
	w.svc.env = withoutFaults(w.svc.env)
	w.svc.start()
	wg.Wait()
	w.check(t, people, told)
	if people[0].unanswered > 0 || people[0].retried > 0 || told[0] == "" {
		t.Errorf("the 确认 in flight at SIGTERM was not answered on its own delivery (%d retried)", people[0].retried)
	}
	checkNoPanic(t, w.svc)
}
