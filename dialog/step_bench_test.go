package dialog_test

import (
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// benchWalk is the load generator's walk (bench/loadgen): menu, calculator,
// products, contacts and the self-check to tier Ⅳ.
var benchWalk = []string{"菜单", "3", "1", "500", "产品", "1", "1", "联系", "菜单", "1", "是", "是", "是", "没有", "都没有", "都没有", "都没有"}

// BenchmarkStep measures dialog.Step alone, per message, over the walk.
func BenchmarkStep(b *testing.B) {
	p := MustChatPolicy(b)
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var s dialog.State
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		at = at.Add(time.Second)
		next, replies, _ := dialog.Step(p, s, dialog.Inbound{OpenID: "o-bench", Kind: dialog.KindText, Text: benchWalk[i], At: at})
		if len(replies) == 0 {
			b.Fatalf("%q: no reply", benchWalk[i])
		}
		s = next
		if i++; i == len(benchWalk) {
			i, s = 0, dialog.State{}
		}
	}
}

// BenchmarkStepFreeText measures the costliest input: free text in the
// self-check's criteria step, matched against every criterion.
func BenchmarkStepFreeText(b *testing.B) {
	p := MustChatPolicy(b)
	c := newChat(b, dialog.Profile{}).sendAll("1", "是", "是", "是", "没有")
	s, at := c.s, c.at
	in := dialog.Inbound{OpenID: "o-bench", Kind: dialog.KindText, Text: "我们是江苏质量信用AA级企业，还有CCC认证和ISO9001", At: at.Add(time.Minute)}
	b.ReportAllocs()
	for b.Loop() {
		if _, replies, _ := dialog.Step(p, s, in); len(replies) == 0 {
			b.Fatal("no reply")
		}
	}
}
