package admin

import (
	"context"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Accounts returns every console account (officers).
func (s *Service) Accounts(ctx context.Context, acc domain.Account) ([]domain.Account, error) {
	if err := acc.Require(domain.PermAccounts); err != nil {
		return nil, err
	}
	return s.db.Accounts(ctx)
}

// SetAccountDisabled disables or enables an account, and returns it before
// and after, and what disabling revoked: its sessions and those of every
// account of the same WeChat end at once, and the WeChat sign-in refuses
// that WeChat while the account stays disabled. Nobody disables themselves.
func (s *Service) SetAccountDisabled(ctx context.Context, acc domain.Account, id uint64, disabled bool) (before, after domain.Account, revoked domain.Revoked, err error) {
	if err := acc.Require(domain.PermAccounts); err != nil {
		return before, after, revoked, err
	}
	if id == acc.ID && disabled {
		return before, after, revoked, domain.Errorf(domain.ErrInvalid, "不能停用自己正在使用的账号")
	}
	if before, err = s.db.Account(ctx, id); err != nil {
		return before, after, revoked, err
	}
	if revoked, err = s.db.SetAccountDisabled(ctx, id, disabled); err != nil {
		return before, after, revoked, err
	}
	after, err = s.db.Account(ctx, id)
	return before, after, revoked, err
}

// ResetAccountPassword gives another account a generated password, to be
// changed at its next sign-in, and ends its sessions. The password is
// returned to be handed over once; it is stored only as a hash.
func (s *Service) ResetAccountPassword(ctx context.Context, acc domain.Account, id uint64) (domain.Account, string, error) {
	if err := acc.Require(domain.PermAccounts); err != nil {
		return domain.Account{}, "", err
	}
	if id == acc.ID {
		return domain.Account{}, "", domain.Errorf(domain.ErrInvalid, "请在“修改密码”中修改自己的密码")
	}
	target, err := s.db.Account(ctx, id)
	if err != nil {
		return domain.Account{}, "", err
	}
	password, err := s.db.ResetPassword(ctx, id)
	return target, password, err
}

// SetAccountName records the person's name of an account.
func (s *Service) SetAccountName(ctx context.Context, acc domain.Account, id uint64, name string) (before, after domain.Account, err error) {
	if err := acc.Require(domain.PermAccounts); err != nil {
		return before, after, err
	}
	if before, err = s.db.Account(ctx, id); err != nil {
		return before, after, err
	}
	if err := s.db.SetAccountName(ctx, id, name); err != nil {
		return before, after, err
	}
	after, err = s.db.Account(ctx, id)
	return before, after, err
}

// EscalationReach is how many WeChat users SLA escalations reach: officer
// accounts that bound their WeChat, and OFFICER_OPENIDS. Zero means an
// application 4 working days untouched tells no one.
func (s *Service) EscalationReach(ctx context.Context) (int, error) {
	ids, err := s.db.OfficerOpenIDs(ctx)
	if err != nil {
		return 0, err
	}
	return len(ids) + len(s.leads.Officers()), nil
}
