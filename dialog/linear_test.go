package dialog_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// longUnits are the shapes of long text that once cost the square of
// their length: digit runs that overflow an amount (retried a byte
// further each time), numbers between separators, and the first halves of
// gapped no-honours phrases (each searched the whole rest for its second
// half).
var longUnits = []string{"9", "139", "1.", "1 ", "九", "九千", "没有", "什么", "荣誉", "szr2026", "5万a", "苏质贷500万"}

// fastest runs f a few times and returns its shortest run, by the CPU
// time of the thread that runs it: the time it waited for a core on a
// shared machine (other test binaries, other builds) is not counted.
func fastest(f func()) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ds []time.Duration
	for range 5 {
		runtime.GC()
		t0 := threadCPU()
		f()
		ds = append(ds, threadCPU()-t0)
	}
	return slices.Min(ds)
}

// TestUnderstandingIsLinear holds every reader of user text linear in its
// input: 32 times the text may cost about 32 times the time, not a
// thousand. The bound, 150 times, leaves room for a busy machine's noise.
// Understanding is measured without the engine's cap, which only hides a
// quadratic reader (a 44 KB run of digits took 3.6 s).
func TestUnderstandingIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("times long inputs")
	}
	p := MustChatPolicy(t)
	p.Understand("预热") // build the index once
	for _, u := range longUnits {
		short, long := strings.Repeat(u, 2<<10/len(u)), strings.Repeat(u, 64<<10/len(u))
		ds, dl := fastest(func() { p.Understand(short) }), fastest(func() { p.Understand(long) })
		// Linear is ×32; quadratic ×1000. Sub-millisecond runs are noise.
		if dl > time.Millisecond && dl > 150*ds {
			t.Errorf("%q: 2 KB %v, 64 KB %v: grows faster than the text", u, ds, dl)
		}
		if dl > time.Second {
			t.Errorf("%q: 64 KB took %v", u, dl)
		}
	}
}

// TestTooLongTextIsAnsweredWithoutReading: text beyond WeChat's limit for a
// text message gets a polite answer, a form keeps its step, and text at the
// limit is read as usual.
func TestTooLongTextIsAnsweredWithoutReading(t *testing.T) {
	c := newChat(t, dialog.Profile{}).sendAll("融资需求")
	step := c.s.Step
	c.send(strings.Repeat("9", dialog.MaxTextBytes+1))
	if len(c.replies) == 0 || c.replies[0].Name != "text_too_long" {
		t.Fatalf("too long: %+v", c.replies)
	}
	if c.s.Step != step || len(c.replies) < 2 {
		t.Errorf("the form moved or the step was not asked again: %s → %s, %+v", step, c.s.Step, c.replies)
	}
	if !strings.Contains(c.texts[0], "人工") {
		t.Errorf("reply: %s", c.texts[0])
	}
	idle := newChat(t, dialog.Profile{})
	idle.send(strings.Repeat("贷", dialog.MaxTextBytes/3) + "款")
	if len(idle.replies) == 0 || idle.replies[0].Name != "text_too_long" {
		t.Errorf("idle, too long: %+v", idle.replies)
	}
	idle.send("苏质贷" + strings.Repeat(" ", dialog.MaxTextBytes-len("苏质贷")))
	if len(idle.replies) == 0 || idle.replies[0].Name == "text_too_long" {
		t.Errorf("at the limit: %+v", idle.replies)
	}
}

// FuzzLongText repeats the fuzzer's text to 64 KB and reads it: nothing
// panics and no reader takes more than a fraction of a second (a quadratic
// one takes many).
//
//	go test ./dialog -run '^$' -fuzz FuzzLongText -fuzztime 60s
func FuzzLongText(f *testing.F) {
	p := MustChatPolicy(f)
	for _, u := range longUnits {
		f.Add(u)
	}
	f.Add("没有拿过任何奖")
	f.Add("１３９ ０５１２")
	f.Fuzz(func(t *testing.T, u string) {
		if u == "" {
			return
		}
		text := strings.Repeat(u, 64<<10/len(u)+1)
		t0 := time.Now()
		p.Understand(text)
		s, replies, _ := dialog.Step(p, dialog.State{}, dialog.Inbound{OpenID: "o-fuzz", Kind: dialog.KindText, Text: text, At: chatStart})
		if d := time.Since(t0); d > 2*time.Second {
			t.Errorf("%q ×%d took %v", u, len(text)/len(u), d)
		}
		if len(replies) == 0 || replies[0].Name != "text_too_long" || !s.Idle() {
			t.Errorf("64 KB answered %+v", replies)
		}
	})
}

// BenchmarkUnderstandLong shows the cost of understanding growing with the
// text's length, linearly: compare ns/op of 1 KB and 44 KB.
func BenchmarkUnderstandLong(b *testing.B) {
	p := MustChatPolicy(b)
	p.Understand("预热")
	for _, u := range []string{"9", "1 ", "没有"} {
		for _, size := range []int{1 << 10, 4 << 10, 44 << 10} {
			text := strings.Repeat(u, size/len(u))
			b.Run(fmt.Sprintf("%q/%dKB", u, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					p.Understand(text)
				}
			})
		}
	}
}
