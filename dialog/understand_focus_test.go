package dialog

import "testing"

// TestFocus checks that the question of a message of several clauses is
// found: after the word that opens it, else the last clause that asks.
func TestFocus(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ text, want string }{
		{"你好我们是做零件的小公司在昆山，想问下最多能贷多少", "最多能贷多少"},
		{"hi 想了解下 loan 的 interest rate", "loan 的 interest rate"},
		{"我们在吴中区，做机械的，想融资五百万，怎么申请", "怎么申请"},
		{"贷款利率多少？我们是二类", "贷款利率多少?"},
		{"蘇質貸，額度多少", "额度多少"},
		{"贷0.3个亿，利息多少", "利息多少"},
		{"贷0.3个亿利息多少", ""}, // one clause
		{"请问苏质贷利率多少", ""},  // nothing before the question
		{"我们在昆山，做零件的", ""}, // no clause asks
		{"请问一下，我们在昆山，最多能贷多少？", "最多能贷多少?"},
	} {
		if got := focus(c.text); got != c.want {
			t.Errorf("focus(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestAmountsAsNumbers checks that amounts with a unit, however written,
// reach the matcher as one number with 万, and that other numerals stay.
func TestAmountsAsNumbers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, want string }{
		{"贷五百万利息多少", "贷1万利息多少"},
		{"贷0.3个亿利息多少", "贷1万利息多少"},
		{"借300w", "借1万"},
		{"两千万元够不够", "1万够不够"},
		{"一类企业贷1000万", "一类企业贷1万"},
		{"贷款一年", "贷款一年"},
		{"贷500", "贷500"}, // no unit: an option or a bare answer
		{"万一不行呢", "万一不行呢"},
	} {
		if got := amountsAsNumbers(c.n); got != c.want {
			t.Errorf("amountsAsNumbers(%q) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestNoHonoursGapped checks the gapped no-honours phrases of the lexicon:
// the second part a few characters after the first, not further.
func TestNoHonoursGapped(t *testing.T) {
	t.Parallel()
	p := &Policy{Lexicon: Lexicon{NoHonours: []string{"没有…奖", "什么…都没有"}, Synonyms: []Synonym{{Canonical: "没有", Variants: []string{"没"}}}}}
	for _, c := range []struct {
		text string
		want bool
	}{
		{"小公司没拿过质量奖可以入库不", true},
		{"我们什么荣誉认证奖项统统都没有", false}, // more than six characters between
		{"我们什么荣誉都没有", true},
		{"没有问题，我们去年拿了苏州市质量奖", false}, // too far apart
		{"我们拿过市长质量奖", false},
	} {
		if got := p.Understand(c.text).Slots.NoHonours; got != c.want {
			t.Errorf("%q: no honours %v, want %v", c.text, got, c.want)
		}
	}
}
