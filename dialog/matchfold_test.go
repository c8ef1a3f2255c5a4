package dialog

import (
	"testing"
)

// TestFoldMemo checks that the memoised folds serve a policy's copies (as
// Refresh makes them) and follow a policy edited in place.
func TestFoldMemo(t *testing.T) {
	t.Parallel()
	p := &Policy{
		Criteria: []Criterion{{ID: "c1", Keywords: []string{"ＡＡＡ级"}}, {ID: "c2", Keywords: []string{"“江苏精品”"}}},
		FAQs:     []FAQ{{ID: "f1", Keywords: []string{"利率"}, Question: "利率是多少？"}, {ID: "f2", Keywords: []string{"企业库"}, Question: "什么是企业库？"}},
	}
	ids := func(cs []Criterion) (out []string) {
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	if got := ids(matchCriteria(p, "我们是aaa级，还有江苏精品")); len(got) != 2 {
		t.Fatalf("criteria %v, want c1 and c2", got)
	}
	first := foldedCriteria(p)
	cp := *p // Refresh's copy shares the criteria
	if again := foldedCriteria(&cp); &again[0] != &first[0] {
		t.Error("a copy of the policy folded its keywords again")
	}
	if first[0][0] != "aaa级" || first[1][0] != "江苏精品" {
		t.Errorf("folds %q", first)
	}
	// Edited in place: the memo must not answer with the old keywords.
	p.Criteria[0].Keywords[0] = "ISO9001"
	if got := ids(matchCriteria(p, "我们是aaa级")); len(got) != 0 {
		t.Errorf("stale fold: %v matched after the keyword changed", got)
	}
	if got := ids(matchCriteria(p, "有iso9001")); len(got) != 1 || got[0] != "c1" {
		t.Errorf("new keyword not matched: %v", got)
	}
	if f, ok := matchFAQ(p, "企业库怎么进"); !ok || f.ID != "f2" {
		t.Errorf("faq %v %v", f.ID, ok)
	}
	p.FAQs[1].Keywords[0] = "入库"
	if f, ok := matchFAQ(p, "企业库怎么进"); ok {
		t.Errorf("stale FAQ fold: %v", f.ID)
	}
}
