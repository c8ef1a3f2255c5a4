package admin

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Accounts returns every console account (officers).
func (s *Service) Accounts(ctx context.Context, acc domain.Account) ([]domain.Account, error) {
	if err := acc.Require(domain.PermAccounts); err != nil {
		return nil, err
	}
	return s.accounts.Accounts(ctx)
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
	if before, err = s.accounts.Account(ctx, id); err != nil {
		return before, after, revoked, err
	}
	if revoked, err = s.accounts.SetAccountDisabled(ctx, id, disabled); err != nil {
		return before, after, revoked, err
	}
	after, err = s.accounts.Account(ctx, id)
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
	target, err := s.accounts.Account(ctx, id)
	if err != nil {
		return domain.Account{}, "", err
	}
	password := generatedPassword(6)
	hash, err := s.hashPassword(password)
	if err != nil {
		return domain.Account{}, "", err
	}
	if err := s.accounts.SetPassword(ctx, id, hash, true, ""); err != nil {
		return domain.Account{}, "", err
	}
	return target, password, nil
}

// SetAccountName records the person's name of an account.
func (s *Service) SetAccountName(ctx context.Context, acc domain.Account, id uint64, name string) (before, after domain.Account, err error) {
	if err := acc.Require(domain.PermAccounts); err != nil {
		return before, after, err
	}
	name = strings.TrimSpace(name)
	if err := checkPersonName(name); err != nil {
		return before, after, err
	}
	if before, err = s.accounts.Account(ctx, id); err != nil {
		return before, after, err
	}
	if err := s.accounts.SetAccountName(ctx, id, name); err != nil {
		return before, after, err
	}
	after, err = s.accounts.Account(ctx, id)
	return before, after, err
}

// EscalationReach is how many WeChat users SLA escalations reach: officer
// accounts that bound their WeChat, and OFFICER_OPENIDS. Zero means an
// application 4 working days untouched tells no one.
func (s *Service) EscalationReach(ctx context.Context) (int, error) {
	ids, err := s.accounts.OfficerOpenIDs(ctx)
	if err != nil {
		return 0, err
	}
	return len(ids) + len(s.leads.Officers()), nil
}

// AdminUsername is the bootstrap officer account.
const AdminUsername = "admin"

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_.@-]{2,64}$`)

// CreateAccount creates an account for acc, who must hold PermAccounts,
// with a bcrypt hash of its password. A taken username is an error
// wrapping domain.ErrDuplicate.
func (s *Service) CreateAccount(ctx context.Context, acc domain.Account, n domain.NewAccount) (domain.Account, error) {
	if err := acc.Require(domain.PermAccounts); err != nil {
		return domain.Account{}, err
	}
	return s.createAccount(ctx, n, acc.Username)
}

// createAccount checks and stores an account made by by: a username of
// usernamePattern, a password CheckPassword accepts, a plain name, a
// mobile if any, and a role with what it needs and nothing else — a county
// account its known county, an institution account its known cooperating
// institution.
func (s *Service) createAccount(ctx context.Context, n domain.NewAccount, by string) (domain.Account, error) {
	if !usernamePattern.MatchString(n.Username) {
		return domain.Account{}, domain.Errorf(domain.ErrInvalid, "用户名应为2–64位字母、数字或 _ . @ -")
	}
	if err := CheckPassword(n.Password, n.Username); err != nil {
		return domain.Account{}, err
	}
	if err := checkPersonName(n.Name); err != nil {
		return domain.Account{}, err
	}
	if n.Mobile != "" && !domain.ValidMobile(n.Mobile) {
		return domain.Account{}, domain.Errorf(domain.ErrInvalid, "手机号应为11位数字，以1开头")
	}
	if n.Role != domain.RoleInstitution && n.Institution != 0 {
		return domain.Account{}, domain.Errorf(domain.ErrInvalid, "只有金融机构账号可以指定 institution")
	}
	switch n.Role {
	case domain.RoleInstitution:
		if n.County != "" {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "金融机构账号不能指定 county")
		}
		if n.Institution == 0 {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "金融机构账号必须指定 institution（合作金融机构编号）")
		}
		if _, err := s.accounts.Institution(ctx, n.Institution); errors.Is(err, domain.ErrNotFound) {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "未知的合作金融机构（编号%d）", n.Institution)
		} else if err != nil {
			return domain.Account{}, err
		}
	case domain.RoleOfficer, domain.RoleViewer:
		if n.County != "" {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "只有县级市（区）账号可以指定 county")
		}
	case domain.RoleCounty:
		if n.County == "" {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "县级市（区）账号必须指定 county")
		}
		if _, err := s.counties.County(ctx, n.County); errors.Is(err, domain.ErrNotFound) {
			return domain.Account{}, domain.Errorf(domain.ErrInvalid, "未知的县级市（区）“%s”", n.County)
		} else if err != nil {
			return domain.Account{}, err
		}
	default:
		return domain.Account{}, domain.Errorf(domain.ErrInvalid, "角色应为 officer、county、viewer 或 institution")
	}
	hash, err := s.hashPassword(n.Password)
	if err != nil {
		return domain.Account{}, err
	}
	return s.accounts.InsertAccount(ctx, n, hash, by)
}

// EnsureAdmin creates the bootstrap officer account admin when no account
// of that name exists. With password empty a random one is generated and
// returned, to be shown once, and must be changed at the first sign-in;
// created is false when admin existed.
func (s *Service) EnsureAdmin(ctx context.Context, password string) (created bool, generated string, err error) {
	_, _, err = s.accounts.Credentials(ctx, AdminUsername)
	if err == nil {
		return false, "", nil
	}
	if !errors.Is(err, domain.ErrNotFound) {
		return false, "", fmt.Errorf("ensure admin: %w", err)
	}
	if password == "" {
		password = generatedPassword(12)
		generated = password
	}
	_, err = s.createAccount(ctx, domain.NewAccount{Username: AdminUsername, Password: password, Role: domain.RoleOfficer,
		MustChangePassword: generated != ""}, "bootstrap")
	if errors.Is(err, domain.ErrDuplicate) {
		return false, "", nil // another instance created it first
	}
	if err != nil {
		return false, "", fmt.Errorf("ensure admin: %w", err)
	}
	return true, generated, nil
}
