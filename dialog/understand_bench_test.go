//go:build linux

package dialog_test

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// BenchmarkUnderstand measures the understanding step alone (normalise,
// match, slots) over every labelled utterance, the index built at load. It
// reports the p50 and p99 of single messages, by the wall clock and by the
// thread's CPU time, besides the mean.
func BenchmarkUnderstand(b *testing.B) {
	p := MustChatPolicy(b)
	var texts []string
	for _, part := range []string{"train.yaml", "heldout.yaml", "fresh.yaml"} {
		for _, u := range mustUtterances(b, part) {
			texts = append(texts, u.Text)
		}
	}
	p.Understand(texts[0]) // warm the process-wide tables
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wall := make([]time.Duration, 0, 1<<17)
	cpu := make([]time.Duration, 0, 1<<17)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		c0, w0 := threadCPU(), time.Now()
		p.Understand(texts[i])
		w, c := time.Since(w0), threadCPU()-c0
		if len(wall) < cap(wall) {
			wall, cpu = append(wall, w), append(cpu, c)
		}
		if i++; i == len(texts) {
			i = 0
		}
	}
	b.StopTimer()
	report := func(ds []time.Duration, what string) {
		if n := len(ds); n > 0 {
			slices.Sort(ds)
			b.ReportMetric(float64(ds[n/2].Nanoseconds())/1000, what+"-p50-µs")
			b.ReportMetric(float64(ds[n*99/100].Nanoseconds())/1000, what+"-p99-µs")
		}
	}
	report(wall, "wall")
	report(cpu, "cpu")
}
