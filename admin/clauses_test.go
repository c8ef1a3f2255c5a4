package admin

import (
	"slices"
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// A taught answer's clause is one of the notice's, typed as officers type
// it; none is needed for a general answer; the id is given, not asked.
func TestTaughtAnswerClauseAndID(t *testing.T) {
	p := &dialog.Policy{Loan: dialog.Loan{Clause: "三（一）"}, FAQs: []dialog.FAQ{{ID: "taught-1", Clause: "四（二）"}}}
	clauses := Clauses(p)
	if !slices.Equal(clauses, []string{"三（一）", "四（二）"}) {
		t.Fatalf("clauses %v", clauses)
	}
	for in, want := range map[string]string{"通知三（一）": "三（一）", "依据：通知三(一)": "三（一）", " 四（二） ": "四（二）", "": ""} {
		f := FAQInput{Question: "问", Answer: "答", Clause: in}
		if err := f.check(p, clauses, true); err != nil || f.Clause != want || f.ID != "taught-2" {
			t.Errorf("clause %q: %q id %q %v", in, f.Clause, f.ID, err)
		}
	}
	f := FAQInput{Question: "问", Answer: "答", Clause: "九（九）"}
	if err := f.check(p, clauses, true); err == nil {
		t.Error("a clause the notice lacks was accepted")
	}
}
