// Command loadgen pushes WeChat text messages at a webhook as WeChat does,
// from many followers walking the menus, and validates every reply.
//
// Each of -conns workers owns a share of -openids followers and sends each
// of them the next message of a walk in turn, so a follower's messages are
// sequential (as in WeChat: one person cannot send in parallel) while the
// service sees -conns requests in flight. Pushes are signed (signature) and,
// with -aes, encrypted with silenceper's util.EncryptMsg and signed
// (msg_signature); replies are checked: HTTP 200, a text reply, decryptable
// and correctly signed in safe mode, not the busy text, and (with -expect)
// containing what the walk's step should answer.
//
// The result is one JSON object on stdout. Only loopback targets are allowed.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// step is one message of a walk and a piece of its expected reply.
type step struct{ send, expect string }

// walk is what each follower does first: the main menu, the rate
// calculator for 500万 at tier Ⅰ, the products and 苏质贷's page, the
// contacts (products ask the tier first), then the self-check (four yes answers, no criterion of tiers
// Ⅰ–Ⅲ: tier Ⅳ, saved to the database). again is every later walk: the
// follower now has tier Ⅳ, so the calculator says Ⅳ has no rate cap, and the
// self-check first shows the saved result, where "1" redoes it.
var walk = []step{
	{"菜单", "请回复数字选择服务"},
	{"3", "利率上限按质量信誉类型确定"},
	{"1", "请输入拟申请"},
	{"500", "不高于3.30%"},
	{"产品", "金融产品"},
	{"1", "优惠条件按质量信誉类型确定"},
	{"1", "【苏质贷】"},
	{"联系", "0512-58799505"},
	{"菜单", "请回复数字选择服务"},
	{"1", "第1/4题"},
	{"是", "第2/4题"},
	{"是", "第3/4题"},
	{"是", "第4/4题"},
	{"没有", "质量信誉Ⅰ类企业条件"},
	{"都没有", "质量信誉Ⅱ类企业条件"},
	{"都没有", "质量信誉Ⅲ类企业条件"},
	{"都没有", "自检结果已保存"},
}

var again = []step{
	{"菜单", "您当前自检结果：质量信誉Ⅳ类"},
	{"3", "Ⅳ类企业暂无对应的利率上限"},
	{"产品", "金融产品"},
	{"1", "【苏质贷】"},
	{"联系", "0512-58799505"},
	{"菜单", "请回复数字选择服务"},
	{"1", "您已完成质量信誉自检"},
	{"1", "第1/4题"},
	{"是", "第2/4题"},
	{"是", "第3/4题"},
	{"是", "第4/4题"},
	{"没有", "质量信誉Ⅰ类企业条件"},
	{"都没有", "质量信誉Ⅱ类企业条件"},
	{"都没有", "质量信誉Ⅲ类企业条件"},
	{"都没有", "自检结果已保存"},
}

const busyText = "系统繁忙"

// Result is the JSON the generator prints.
type Result struct {
	Target     string         `json:"target"`
	Mode       string         `json:"mode"`
	Conns      int            `json:"conns"`
	OpenIDs    int            `json:"openids"`
	Seconds    float64        `json:"seconds"`
	Messages   int64          `json:"messages"`
	Rate       float64        `json:"msg_per_s"`
	P50        float64        `json:"p50_ms"`
	P90        float64        `json:"p90_ms"`
	P99        float64        `json:"p99_ms"`
	Max        float64        `json:"max_ms"`
	Over5s     int64          `json:"over_5s"`
	Errors     int64          `json:"errors"`
	ErrorKinds map[string]int `json:"error_kinds,omitempty"`
	Samples    []string       `json:"error_samples,omitempty"`
	Warmup     int64          `json:"warmup_messages"`
	Ramp       float64        `json:"ramp_s"`
	// ByStep is the latency of each step of the walk (with -bystep).
	ByStep []StepLatency `json:"by_step,omitempty"`
}

// StepLatency is the latency of one step of the walk.
type StepLatency struct {
	Send string  `json:"send"`
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P99  float64 `json:"p99_ms"`
}

type sample struct {
	d    time.Duration
	step int
}

type generator struct {
	target, token, appID, aesKey, prefix string
	expect                               bool
	client                               *http.Client
	msgID                                atomic.Int64

	mu      sync.Mutex
	kinds   map[string]int
	samples []string
}

func main() {
	var (
		g        generator
		conns    = flag.Int("conns", 64, "concurrent connections")
		openIDs  = flag.Int("openids", 5000, "distinct followers")
		duration = flag.Duration("duration", 20*time.Second, "measured duration")
		warmup   = flag.Duration("warmup", 2*time.Second, "unmeasured warm-up before it (errors still count)")
		timeout  = flag.Duration("timeout", 10*time.Second, "per-request timeout")
		byStep   = flag.Bool("bystep", false, "also report the latency of each step of the walk")
		ramp     = flag.Duration("ramp", -1, "followers arrive evenly over this time from the start (default: half the duration; 0: all at once, in lockstep)")
	)
	flag.StringVar(&g.target, "url", "http://127.0.0.1:8080/wechat", "webhook URL (loopback only)")
	flag.StringVar(&g.token, "token", "", "WECHAT_TOKEN of the target")
	flag.StringVar(&g.appID, "appid", "", "WECHAT_APP_ID (safe mode)")
	flag.StringVar(&g.aesKey, "aes", "", "WECHAT_ENCODING_AES_KEY: send encrypted pushes (safe mode)")
	flag.StringVar(&g.prefix, "prefix", "o-bench-", "openid prefix; use a fresh one per run")
	flag.BoolVar(&g.expect, "expect", true, "check each reply against the walk (off for the floor's fixed reply)")
	flag.Parse()
	if err := checkLoopback(g.target); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	if *ramp < 0 {
		*ramp = *duration / 2
	}
	if *duration <= 0 || *duration > 10*time.Minute || *conns < 1 || *conns > 1024 || *openIDs < *conns {
		fmt.Fprintln(os.Stderr, "loadgen: need 0 < duration ≤ 10m, 1 ≤ conns ≤ 1024, openids ≥ conns")
		os.Exit(2)
	}
	g.kinds = map[string]int{}
	g.msgID.Store(time.Now().UnixNano() / 1000)
	g.client = &http.Client{Timeout: *timeout, Transport: &http.Transport{
		MaxIdleConns: *conns, MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true,
	}}

	start := time.Now()
	measureFrom := start.Add(*warmup)
	stop := measureFrom.Add(*duration)
	lat := make([][]sample, *conns)
	var warm atomic.Int64
	var wg sync.WaitGroup
	for w := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The followers of worker w and where each is in its walk.
			var mine []int
			for i := w; i < *openIDs; i += *conns {
				mine = append(mine, i)
			}
			pos := make([]int, len(mine))
			loops := make([]int, len(mine))
			// Arrivals: follower k joins at k/len(mine) of the ramp, so that
			// followers are spread over the walk as after a broadcast, not
			// all at its database steps together (-ramp 0 does that).
			joins := func(k int) time.Time {
				return start.Add(time.Duration(float64(*ramp) * float64(k) / float64(len(mine))))
			}
			out := make([]sample, 0, 1<<14)
			active := 1
			for k := 0; ; k = (k + 1) % active {
				t0 := time.Now()
				if !t0.Before(stop) {
					break
				}
				for active < len(mine) && !t0.Before(joins(active)) {
					active++
				}
				openID := fmt.Sprintf("%s%06d", g.prefix, mine[k])
				w, label := walk, 0
				if loops[k] > 0 {
					w, label = again, len(walk)
				}
				n := pos[k]
				g.push(openID, w[n])
				if pos[k] = n + 1; pos[k] == len(w) {
					pos[k], loops[k] = 0, loops[k]+1
				}
				n += label
				if t0.Before(measureFrom) {
					warm.Add(1)
					continue
				}
				out = append(out, sample{time.Since(t0), n})
			}
			lat[w] = out
		}()
	}
	wg.Wait()

	var all []time.Duration
	steps := make([][]time.Duration, len(walk)+len(again))
	for _, l := range lat {
		for _, s := range l {
			all = append(all, s.d)
			steps[s.step] = append(steps[s.step], s.d)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	secs := duration.Seconds()
	mode := "plaintext"
	if g.aesKey != "" {
		mode = "safe"
	}
	r := Result{
		Target: g.target, Mode: mode, Conns: *conns, OpenIDs: *openIDs, Seconds: secs,
		Messages: int64(len(all)), Rate: float64(len(all)) / secs, Warmup: warm.Load(), Ramp: ramp.Seconds(),
		P50: pct(all, 50), P90: pct(all, 90), P99: pct(all, 99), ErrorKinds: g.kinds, Samples: g.samples,
	}
	if *byStep {
		for i, d := range steps {
			sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
			if len(d) == 0 {
				continue
			}
			var name string
			if i < len(walk) {
				name = fmt.Sprintf("walk %d:%s", i, walk[i].send)
			} else {
				name = fmt.Sprintf("again %d:%s", i-len(walk), again[i-len(walk)].send)
			}
			r.ByStep = append(r.ByStep, StepLatency{Send: name, N: len(d), P50: pct(d, 50), P99: pct(d, 99)})
		}
	}
	if len(all) > 0 {
		r.Max = ms(all[len(all)-1])
	}
	for _, d := range all {
		if d > 5*time.Second {
			r.Over5s++
		}
	}
	for _, n := range g.kinds {
		r.Errors += int64(n)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(r)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	if i > 0 {
		i--
	}
	return ms(sorted[i])
}

func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return nil
	}
	return fmt.Errorf("target %s is not loopback", u.Host)
}

// fail counts an error of kind, keeping a few samples.
func (g *generator) fail(kind, detail string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.kinds[kind]++
	if len(g.samples) < 10 {
		if len(detail) > 300 {
			detail = detail[:300]
		}
		g.samples = append(g.samples, kind+": "+detail)
	}
}

// sign is WeChat's signature, written here independently of the service's.
func sign(parts ...string) string {
	sort.Strings(parts)
	h := sha1.New()
	for _, p := range parts {
		io.WriteString(h, p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

type envelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      string   `xml:"Encrypt"`
	MsgSignature string   `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        string   `xml:"Nonce"`
}

func (g *generator) push(openID string, st step) {
	id := g.msgID.Add(1)
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := strconv.FormatInt(id%1_000_000_007, 10)
	plain := "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[" + openID +
		"]]></FromUserName><CreateTime>" + ts + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[" +
		st.send + "]]></Content><MsgId>" + strconv.FormatInt(id, 10) + "</MsgId></xml>"
	q := "signature=" + sign(g.token, ts, nonce) + "&timestamp=" + ts + "&nonce=" + nonce + "&openid=" + openID
	body := plain
	if g.aesKey != "" {
		random := make([]byte, 16)
		rand.Read(random)
		enc, err := util.EncryptMsg(random, []byte(plain), g.appID, g.aesKey)
		if err != nil {
			g.fail("encrypt", err.Error())
			return
		}
		body = "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[" + string(enc) + "]]></Encrypt></xml>"
		q += "&encrypt_type=aes&msg_signature=" + sign(g.token, ts, nonce, string(enc))
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.client.Timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, g.target+"?"+q, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/xml")
	resp, err := g.client.Do(req)
	if err != nil {
		g.fail("transport", err.Error())
		return
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		g.fail("transport", err.Error())
		return
	}
	if resp.StatusCode != http.StatusOK {
		g.fail("status_"+strconv.Itoa(resp.StatusCode), string(raw))
		return
	}
	if g.aesKey != "" {
		var env envelope
		if err := xml.Unmarshal(raw, &env); err != nil || env.Encrypt == "" {
			g.fail("not_encrypted", string(raw))
			return
		}
		if env.MsgSignature != sign(g.token, env.TimeStamp, env.Nonce, env.Encrypt) {
			g.fail("reply_signature", string(raw))
			return
		}
		// DecryptMsg also checks that the reply names our AppID.
		_, dec, err := util.DecryptMsg(g.appID, env.Encrypt, g.aesKey)
		if err != nil {
			g.fail("decrypt", err.Error())
			return
		}
		raw = dec
	}
	text, ok := replyText(raw)
	switch {
	case !ok || text == "":
		g.fail("no_text", string(raw))
	case !bytes.Contains(raw, []byte("<ToUserName><![CDATA["+openID+"]]>")):
		g.fail("wrong_recipient", string(raw))
	case strings.Contains(text, busyText):
		g.fail("busy", text)
	case g.expect && !strings.Contains(text, st.expect):
		g.fail("unexpected", fmt.Sprintf("%s sent %q, want %q in %q", openID, st.send, st.expect, text))
	}
}

func replyText(raw []byte) (string, bool) {
	var m struct {
		MsgType string `xml:"MsgType"`
		Content string `xml:"Content"`
	}
	if err := xml.Unmarshal(raw, &m); err != nil || m.MsgType != "text" {
		return "", false
	}
	return m.Content, true
}
