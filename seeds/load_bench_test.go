package seeds

import "testing"

// BenchmarkLoad measures loading the seeds, the understanding index
// included (the process-wide pinyin and 繁→简 tables are built on the first
// iteration only).
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
