package dialog

import "testing"

// TestAmountReader pins the one amount reader of the calculator, the forms
// and the questions: every way of writing an amount reads the same.
func TestAmountReader(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text string
		wan  float64
	}{
		{"500", 500}, {"500万", 500}, {"500万元", 500}, {"五百万", 500}, {"5百万", 500},
		{"2kw", 2000}, {"2KW", 2000}, {"两kw", 2000}, {"2千万", 2000}, {"两千万", 2000}, {"2000W", 2000},
		{"八百w", 800}, {"1.2个亿", 12000}, {"零点五个亿", 5000}, {"0.3亿", 3000},
		{"两百来万", 200}, {"1000多万", 1000}, {"三百余万", 300}, {"七八百万", 800},
		{"1千2百万", 1200}, {"一千五百万", 1500}, {"三百五十万", 350}, {"两千零五万", 2005},
		{"5000000元", 500}, {"1,000", 1000}, {"大约500万左右", 500}, {"那3kw呢", 3000},
	} {
		got, ok := parseWan(tt.text)
		if !ok || got != tt.wan {
			t.Errorf("parseWan(%q) = %v, %v; want %v", tt.text, got, ok, tt.wan)
		}
		if n := Normalize("贷" + tt.text + "利息多少"); tt.text != "500" && tt.text != "1,000" {
			if got, ok := findAmount(n); !ok || got != tt.wan {
				t.Errorf("findAmount(%q) = %v, %v; want %v", n, got, ok, tt.wan)
			}
		}
	}
	for _, text := range []string{"", "好的", "2025年", "第一类", "12个月"} {
		if v, ok := parseWan(text); ok {
			t.Errorf("parseWan(%q) = %v, want no amount", text, v)
		}
	}
}
