package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/domain"
)

func TestStatusTransitions(t *testing.T) {
	t.Parallel()
	allowed := map[string]map[string][]string{
		domain.LeadApply: {
			"submitted":    {"contacted", "rejected", "withdrawn"},
			"contacted":    {"reviewing", "approved", "rejected", "withdrawn"},
			"reviewing":    {"approved", "rejected", "withdrawn"},
			"pre_approved": {"rejected", "withdrawn"}, // unreachable for apply, but not terminal
		},
		domain.LeadNeed: {
			"submitted":    {"contacted", "rejected", "withdrawn"},
			"contacted":    {"reviewing", "rejected", "withdrawn"},
			"reviewing":    {"pre_approved", "rejected", "withdrawn"},
			"pre_approved": {"contracted", "rejected", "withdrawn"},
			"contracted":   {"disbursed"},
		},
	}
	for kind, table := range allowed {
		for _, from := range domain.Statuses {
			for _, to := range domain.Statuses {
				want := slices.Contains(table[from], to)
				err := domain.CheckMove(kind, from, to)
				if want && err != nil {
					t.Errorf("%s %s→%s: %v, want allowed", kind, from, to, err)
				}
				if !want && !errors.Is(err, domain.ErrTransition) {
					t.Errorf("%s %s→%s: %v, want ErrTransition", kind, from, to, err)
				}
				if !want && domain.Message(err) == "" {
					t.Errorf("%s %s→%s: no message for people", kind, from, to)
				}
			}
		}
	}
}

func TestStatusMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, from, to string
		kindErr        error
		msg            string
	}{
		{"need", "submitted", "bogus", domain.ErrUnknownStatus, "未知的状态“bogus”"},
		{"need", "submitted", "disbursed", domain.ErrTransition, "状态不能从“已提交”变为“已放款”"},
		{"need", "contacted", "approved", domain.ErrTransition, "融资需求不适用“已入库”状态"},
		{"apply", "reviewing", "pre_approved", domain.ErrTransition, "入库申请不适用“已预授信”状态"},
		{"apply", "approved", "rejected", domain.ErrTransition, "该入库申请已办结（已入库），不能再变更状态"},
		{"need", "rejected", "contacted", domain.ErrTransition, "该融资需求已办结（未通过），不能再变更状态"},
	}
	for _, tt := range tests {
		err := domain.CheckMove(tt.kind, tt.from, tt.to)
		if !errors.Is(err, tt.kindErr) || domain.Message(err) != tt.msg {
			t.Errorf("%s %s→%s: %v (%q), want %v %q", tt.kind, tt.from, tt.to, err, domain.Message(err), tt.kindErr, tt.msg)
		}
	}
}

func TestStatusLabelsAndTerminal(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"submitted": "已提交", "contacted": "已受理", "reviewing": "审核中", "pre_approved": "已预授信",
		"contracted": "已签约", "disbursed": "已放款", "approved": "已入库", "rejected": "未通过", "withdrawn": "已撤回",
	}
	for s, l := range want {
		if got := domain.StatusLabel(s); got != l {
			t.Errorf("label %s = %s, want %s", s, got, l)
		}
	}
	var terminal []string
	for _, s := range domain.Statuses {
		if domain.Terminal(s) {
			terminal = append(terminal, s)
		}
	}
	if !slices.Equal(terminal, []string{"disbursed", "approved", "rejected", "withdrawn"}) {
		t.Errorf("terminal %v", terminal)
	}
	if domain.ValidStatus("bogus") || domain.Terminal("bogus") {
		t.Error("bogus status accepted")
	}
}

func TestPathTo(t *testing.T) {
	t.Parallel()
	got, err := domain.PathTo(domain.LeadNeed, domain.StatusContacted, domain.StatusDisbursed)
	if err != nil || strings.Join(got, ",") != "reviewing,pre_approved,contracted,disbursed" {
		t.Fatalf("from contacted: %v %v", got, err)
	}
	if got, err := domain.PathTo(domain.LeadNeed, domain.StatusDisbursed, domain.StatusDisbursed); err != nil || len(got) != 0 {
		t.Fatalf("already disbursed: %v %v", got, err)
	}
	for _, c := range []struct{ kind, from string }{
		{domain.LeadApply, domain.StatusContacted}, {domain.LeadNeed, domain.StatusRejected}, {domain.LeadNeed, domain.StatusWithdrawn},
	} {
		if _, err := domain.PathTo(c.kind, c.from, domain.StatusDisbursed); !errors.Is(err, domain.ErrTransition) || domain.Message(err) == "" {
			t.Errorf("%s from %s: %v", c.kind, c.from, err)
		}
	}
}
