package domain_test

import (
	"errors"
	"testing"

	"github.com/suzhou-amr/suzhirong/domain"
)

// The permission table is the one place that says who may do what; the
// refusals carry the wording people read.
func TestPermissionTable(t *testing.T) {
	t.Parallel()
	officer := domain.Account{Role: domain.RoleOfficer}
	county := domain.Account{Role: domain.RoleCounty, County: "kunshan"}
	viewer := domain.Account{Role: domain.RoleViewer}
	specialist := domain.Account{Role: domain.RoleInstitution, Institution: 1}
	tests := []struct {
		acc  domain.Account
		perm domain.Perm
		msg  string // "" when allowed
	}{
		{officer, domain.PermAccounts, ""},
		{county, domain.PermAccounts, "无权执行该操作"},
		{viewer, domain.PermAccounts, "无权执行该操作"},
		{viewer, domain.PermLeadsWrite, "只读账号不能修改数据"},
		{viewer, domain.PermContactsWrite, "只读账号不能修改数据"},
		{viewer, domain.PermAuditRead, "只读账号不能执行该操作"},
		{county, domain.PermAuditRead, "无权执行该操作"},
		{county, domain.PermLeadsWrite, ""},
		{specialist, domain.PermLeadsWrite, "无权执行该操作"},
		{specialist, domain.PermDealWrite, ""},
		{county, domain.PermSandboxRead, "沙箱消息仅市局账号可以查看"},
		{viewer, domain.PermSandboxRead, ""},
		{viewer, domain.PermSimulate, "只读账号不能用模拟器发送消息"},
		{county, domain.PermSimulate, ""},
		{county, domain.PermLeadsCorrect, "只有市局管理员可以更正状态"},
		{viewer, domain.PermLeadsCorrect, "只有市局管理员可以更正状态"},
		{officer, domain.PermLeadsCorrect, ""},
		{domain.Account{Role: "intruder"}, domain.PermDashboard, "无权执行该操作"},
		{officer, domain.Perm("no.such.permission"), "无权执行该操作"},
	}
	for _, tt := range tests {
		err := tt.acc.Require(tt.perm)
		if tt.msg == "" {
			if err != nil || !tt.acc.Can(tt.perm) {
				t.Errorf("%s %s: refused (%v)", tt.acc.Role, tt.perm, err)
			}
			continue
		}
		if !errors.Is(err, domain.ErrForbidden) || domain.Message(err) != tt.msg || tt.acc.Can(tt.perm) {
			t.Errorf("%s %s: %v, want %q", tt.acc.Role, tt.perm, err, tt.msg)
		}
	}
}

func TestSimulatorPrefixIsTheAccounts(t *testing.T) {
	t.Parallel()
	if got := domain.SimulatorPrefix(domain.Account{ID: 42}); got != "o-sim-42-" {
		t.Fatalf("prefix %q", got)
	}
}
