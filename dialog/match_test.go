package dialog_test

import (
	"slices"
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// TestFreeTextMatching checks how a description of honours is read at the
// self-check's first list: longest keyword first, white space and
// full-width forms folded, negations and other ratings left out.
func TestFreeTextMatching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want []string // criteria ids read, in policy order; none means Ⅳ
	}{
		// A, AA and AAA are three different tiers.
		{"江苏质量信用AAA级", []string{"t1-credit-aaa"}},
		{"江苏质量信用AA级", []string{"t2-credit-aa"}},
		{"江苏质量信用A级", []string{"t3-credit-a"}},
		{"AAA", []string{"t1-credit-aaa"}},
		{"AA", []string{"t2-credit-aa"}},
		{"我们是A级", []string{"t3-credit-a"}},
		{"质量信用3A级企业", []string{"t1-credit-aaa"}},
		{"2A", []string{"t2-credit-aa"}},
		{"aaa级", []string{"t1-credit-aaa"}},
		// Stray spaces and full-width letters and digits.
		{"江苏质量信用 A A 级", []string{"t2-credit-aa"}},
		{"江苏质量信用 A A A 级", []string{"t1-credit-aaa"}},
		{"江苏质量信用　Ａ级", []string{"t3-credit-a"}},
		{"江苏质量信用ＡＡＡ级", []string{"t1-credit-aaa"}},
		{"ＣＣＣ", []string{"t2-ccc"}},
		{"有ＣＣＣ认证", []string{"t2-ccc"}},
		{"3C认证", []string{"t2-ccc"}},
		{"ISO 9001", []string{"t3-other-cert"}},
		{"ＩＳＯ９００１质量管理体系", []string{"t3-other-cert"}},
		{"GB/T 23331", []string{"t2-energy-ms"}},
		{"23331", []string{"t2-energy-ms"}},
		// The example of the first list.
		{"我们是江苏质量信用AA级企业，还有CCC认证", []string{"t2-credit-aa", "t2-ccc"}},
		// Longer names beat the shorter ones inside them.
		{"昆山市市长质量奖", []string{"t2-county-award"}},
		{"苏州市市长质量奖", []string{"t1-mayor-award"}},
		{"能源管理体系认证", []string{"t2-energy-ms"}},
		{"“江苏精品”认证", []string{"t2-jiangsu-boutique"}},
		{"《苏州制造》", []string{"t2-suzhou-made"}},
		// The notice's wording with its parentheses.
		{"承担全国标准化技术组织秘书处", []string{"t1-intl-secretariat"}},
		{"承担国际（全国）标准化技术组织秘书处", []string{"t1-intl-secretariat"}},
		{"县级市（区）长质量奖", []string{"t2-county-award"}},
		// What the enterprise does not have, or another rating.
		{"我们没有AAA，只有A级", []string{"t3-credit-a"}},
		{"没有苏州市市长质量奖", nil},
		{"纳税信用A级", nil},
		{"无CCC认证", nil},
		{"公司做精密零件，成立五年", nil},
		// Latin letters inside other words are not ratings.
		{"BAAAB", nil},
		{"ISO19001", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			c := newChat(t, dialog.Profile{}).toLists()
			c.send(tt.text)
			c.at2("selfcheck", "confirm")
			d := c.reply("selfcheck_confirm").Data.(dialog.SelfCheckConfirmData)
			if got := ids(d.Matches); !slices.Equal(got, tt.want) {
				t.Fatalf("%q read as %v, want %v", tt.text, got, tt.want)
			}
			if len(tt.want) == 0 {
				if d.Tier != domain.Tier4 {
					t.Fatalf("nothing read but tier %s", d.Tier)
				}
				c.contains("没有从您的描述中识别出", domain.Tier4.Label())
			}
			for _, m := range d.Matches {
				c.contains(m.Name)
			}
		})
	}
}

// TestFreeTextAtLaterLists: a description is read across all tiers at any
// list, not only the one on screen.
func TestFreeTextAtLaterLists(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{}).toLists()
	c.sendAll("都没有", "都没有")
	c.at2("selfcheck", "tier3")
	c.send("其实我们是江苏质量信用AAA级")
	d := c.reply("selfcheck_confirm").Data.(dialog.SelfCheckConfirmData)
	if d.Tier != domain.Tier1 {
		t.Fatalf("tier %s, want Ⅰ", d.Tier)
	}
	c.send("对")
	c.checkResult(domain.Tier1, []string{"t1-credit-aaa"})
}

// TestEntryWordsAtLists: an entry keyword that names no criterion still
// leaves the self-check from a list.
func TestEntryWordsAtLists(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{}).toLists()
	c.send("担保")
	if c.s.Flow == "selfcheck" {
		t.Fatalf("担保 kept the self-check at %q", c.s.Step)
	}
	c.reply("products_detail")
}
