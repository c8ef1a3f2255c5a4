package dialog_test

import (
	"sync"
	"testing"
)

// Understand is called by every webhook request at once: the pooled
// scratch memory and the process-wide tables must hold under concurrency
// (go test -race).
func TestUnderstandConcurrently(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	texts := []string{"贷500万一年利息多少", "崑山市場監管局電話", "你好", "查一下SZR-20260101-0001", "ＣＣＣ认证属于哪类"}
	want := make([]string, len(texts))
	for i, s := range texts {
		want[i] = p.Understand(s).Intent
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				k := (i + g) % len(texts)
				if got := p.Understand(texts[k]).Intent; got != want[k] {
					t.Errorf("%q: %s, want %s", texts[k], got, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}
