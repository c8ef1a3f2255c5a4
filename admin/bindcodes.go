package admin

import (
	"context"
	"errors"
	"fmt"

	"github.com/suzhou-amr/suzhirong/domain"
)

// OwnBindCode returns the one-time code with which an officer binds their
// own WeChat (“绑定 <code>” in the chat): the outstanding one, so asking
// again (a reload) gives the same code until it is used or expires, else a
// new random code (domain.NewBindCode) valid for domain.BindCodeTTL. That
// a code binds once is the store's (it spends the code in the transaction
// that binds).
func (s *Service) OwnBindCode(ctx context.Context, acc domain.Account) (domain.AccountBindCode, error) {
	if err := acc.Require(domain.PermAccounts); err != nil {
		return domain.AccountBindCode{}, err
	}
	at := s.now()
	bc, err := s.accounts.PendingAccountBindCode(ctx, acc.ID, at)
	if err == nil {
		return bc, nil
	}
	if !errors.Is(err, domain.ErrNotFound) {
		return domain.AccountBindCode{}, err
	}
	for range 5 {
		bc = domain.AccountBindCode{Code: domain.NewBindCode(), AccountID: acc.ID, ExpiresAt: at.Add(domain.BindCodeTTL), CreatedAt: at}
		err := s.accounts.InsertAccountBindCode(ctx, bc)
		if err == nil {
			return bc, nil
		}
		if !errors.Is(err, domain.ErrDuplicate) {
			return domain.AccountBindCode{}, err
		}
	}
	return domain.AccountBindCode{}, fmt.Errorf("account bind code %d: no free code", acc.ID)
}

// PendingOwnBindCode returns an officer's outstanding code, if any.
func (s *Service) PendingOwnBindCode(ctx context.Context, acc domain.Account) (domain.AccountBindCode, bool) {
	bc, err := s.accounts.PendingAccountBindCode(ctx, acc.ID, s.now())
	return bc, err == nil
}
