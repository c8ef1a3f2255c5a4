package dialog_test

import (
	"fmt"
	"os"
	"testing"
)

// TestTuneGrid (TUNE=1 go test ./dialog -run TuneGrid -v) prints, for
// variants of the scorer's thresholds, how many train utterances would be
// answered right and how many answered wrongly. It reads train.yaml only:
// the held-out part is never used to choose.
func TestTuneGrid(t *testing.T) {
	t.Parallel()
	if os.Getenv("TUNE") == "" {
		t.Skip()
	}
	p := MustChatPolicy(t)
	all := mustUtterances(t, "train.yaml")
	type res struct {
		s, s2   float64
		in, sec string
	}
	var rs []res
	for _, u := range all {
		x := p.Understand(u.Text)
		rs = append(rs, res{x.Score, x.Score2, x.Intent, x.Second})
	}
	for _, cs := range []float64{0.3, 0.35, 0.42} {
		for _, gap := range []float64{0.04, 0.06, 0.08} {
			for _, low := range []float64{0.12, 0.15, 0.18, 0.22} {
				for _, ratio := range []float64{1.3, 1.5, 2, 3} {
					right, wrongConf := 0, 0
					for i, u := range all {
						r := rs[i]
						conf := r.s >= cs && r.s-r.s2 >= gap || r.s >= low && r.s >= ratio*r.s2
						if conf && r.in == u.Intent {
							right++
						} else if conf {
							wrongConf++
						}
					}
					fmt.Printf("%d %d cs=%.2f gap=%.2f low=%.2f ratio=%.1f\n", right, wrongConf, cs, gap, low, ratio)
				}
			}
		}
	}
}
