package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Sign-in, sessions and the operations log. A session is an API token; the
// console keeps it in a cookie.

// ErrNotBound is the error of a WeChat sign-in by a user bound to nothing:
// no county contact, officer or institution specialist.
var ErrNotBound = errors.New("wechat user not bound")

// Login checks a username and password from address and opens a session
// valid for domain.TokenTTL. Wrong credentials are an error wrapping
// domain.ErrUnauthorized; an attempt held back by the throttle
// (throttle.go) wraps domain.ErrLocked and is refused before the password
// is checked. Unknown usernames are counted alike, so a hold does not tell
// which usernames exist.
func (s *Service) Login(ctx context.Context, username, password, address string) (token string, acc domain.Account, err error) {
	at := s.now()
	att, until, err := s.beginAttempt(ctx, AttemptLogin, username, address, at)
	if err != nil {
		return "", domain.Account{}, fmt.Errorf("login: %w", err)
	}
	if !until.IsZero() {
		att.hold(ctx)
		return "", domain.Account{}, throttledError(until)
	}
	wrong := domain.Errorf(domain.ErrUnauthorized, "用户名或密码错误")
	acc, hash, err := s.accounts.Credentials(ctx, username)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return "", domain.Account{}, fmt.Errorf("login: %w", err)
	}
	if err != nil {
		// Spend the same time as a wrong password, so usernames cannot be probed.
		passwordMatches(s.dummyHash(), password)
		return "", domain.Account{}, att.failed(ctx, wrong)
	}
	if !passwordMatches(hash, password) {
		return "", domain.Account{}, att.failed(ctx, wrong)
	}
	if acc.Disabled {
		// The password was right: no guess to count, and no session.
		att.hold(ctx)
		return "", domain.Account{}, domain.Errorf(domain.ErrForbidden, "该账号已停用，请联系市市场监管局管理员")
	}
	if err := att.succeed(ctx); err != nil {
		return "", domain.Account{}, fmt.Errorf("login: %w", err)
	}
	token, err = s.accounts.OpenSession(ctx, acc.ID, at.Add(domain.TokenTTL), at)
	if err != nil {
		return "", domain.Account{}, fmt.Errorf("login: %w", err)
	}
	return token, acc, nil
}

// Authenticate returns the account of a session token.
func (s *Service) Authenticate(ctx context.Context, token string) (domain.Account, error) {
	return s.sessions.Authenticate(ctx, token, s.now())
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.sessions.Logout(ctx, token)
}

// ChangePassword replaces acc's own password after checking the current
// one, and ends the account's other sessions: whoever knew the old password
// is signed out; the session keepToken stays open. Wrong current passwords
// are throttled like logins (a stolen session must not become a way to
// guess the password), per account and address.
func (s *Service) ChangePassword(ctx context.Context, acc domain.Account, current, next, keepToken, address string) error {
	at := s.now()
	a, hash, err := s.accounts.CredentialsByID(ctx, acc.ID)
	if err != nil {
		return fmt.Errorf("change password %d: %w", acc.ID, err)
	}
	if err := CheckPassword(next, a.Username); err != nil {
		return err
	}
	att, until, err := s.beginAttempt(ctx, AttemptPassword, a.Username, address, at)
	if err != nil {
		return fmt.Errorf("change password %d: %w", acc.ID, err)
	}
	if !until.IsZero() {
		att.hold(ctx)
		return throttledError(until)
	}
	if !passwordMatches(hash, current) {
		return att.failed(ctx, domain.Errorf(domain.ErrInvalid, "当前密码不正确"))
	}
	if err := att.succeed(ctx); err != nil {
		return fmt.Errorf("change password %d: %w", acc.ID, err)
	}
	newHash, err := s.hashPassword(next)
	if err != nil {
		return err
	}
	return s.accounts.SetPassword(ctx, acc.ID, newHash, false, keepToken)
}

// WeChatSession signs in the WeChat user openID (from web authorisation):
// a bound county contact as their county's account, else an officer whose
// account carries the openid, else an institution's bound specialist.
// Each is accepted only while currently bound, with the role of that
// binding; anyone else gets ErrNotBound, and the WeChat of a disabled
// account is refused (domain.ErrForbidden) whatever else it is bound to.
func (s *Service) WeChatSession(ctx context.Context, openID string) (string, domain.Account, error) {
	refused, err := s.sessions.WeChatRefused(ctx, openID)
	if err != nil {
		return "", domain.Account{}, err
	}
	if refused {
		return "", domain.Account{}, domain.Errorf(domain.ErrForbidden, "该账号已停用，请联系市市场监管局管理员")
	}
	contacts, err := s.sessions.ContactsByOpenID(ctx, openID)
	if err != nil {
		return "", domain.Account{}, err
	}
	if len(contacts) > 0 {
		token, acc, err := s.sessions.ContactSession(ctx, contacts[0], s.now())
		if errors.Is(err, domain.ErrNotFound) { // unbound meanwhile
			return "", domain.Account{}, ErrNotBound
		}
		return token, acc, err
	}
	// An officer whose account carries the openid (escalations).
	token, acc, err := s.sessions.OpenIDSession(ctx, openID, s.now())
	if !errors.Is(err, domain.ErrNotFound) {
		return token, acc, err
	}
	// A cooperating institution's service specialist, bound with a
	// specialist's code: signed in to their institution's applications.
	token, acc, err = s.sessions.SpecialistSession(ctx, openID, s.now())
	if errors.Is(err, domain.ErrNotFound) {
		return "", domain.Account{}, ErrNotBound
	}
	return token, acc, err
}

// BoundContacts lists every county contact bound to a WeChat user, for
// the sandbox's stand-in of WeChat's authorisation page.
func (s *Service) BoundContacts(ctx context.Context) ([]domain.Contact, error) {
	return s.sessions.AllContacts(ctx)
}

// ContactName is the name a county account signed in from WeChat gave
// when binding, or "".
func (s *Service) ContactName(ctx context.Context, acc domain.Account) string {
	if acc.OpenID == "" || acc.Role != domain.RoleCounty {
		return ""
	}
	contacts, err := s.sessions.ContactsByOpenID(ctx, acc.OpenID)
	if err != nil {
		return ""
	}
	for _, ct := range contacts {
		if ct.County == acc.County && ct.Name != "" {
			return ct.Name
		}
	}
	return ""
}

// Audit records an entry of the operations log.
func (s *Service) Audit(ctx context.Context, e domain.AuditEntry) error { return s.ops.Audit(ctx, e) }

// FindAudit returns the operations log's entries f selects, newest first.
func (s *Service) FindAudit(ctx context.Context, acc domain.Account, f domain.AuditFilter) ([]domain.AuditRecord, error) {
	if err := acc.Require(domain.PermAuditRead); err != nil {
		return nil, err
	}
	return s.ops.FindAudit(ctx, f)
}

// AuditActions lists the actions the log holds, for its filter.
func (s *Service) AuditActions(ctx context.Context, acc domain.Account) ([]string, error) {
	if err := acc.Require(domain.PermAuditRead); err != nil {
		return nil, err
	}
	return s.ops.AuditActions(ctx)
}

// SandboxMessages returns the latest outbound calls a sandbox account
// recorded (to toUser, or all), newest first.
func (s *Service) SandboxMessages(ctx context.Context, acc domain.Account, toUser string, limit int) ([]domain.SandboxMessage, error) {
	if err := acc.Require(domain.PermSandboxRead); err != nil {
		return nil, err
	}
	return s.ops.SandboxMessages(ctx, toUser, limit)
}

// Simulate checks that acc may talk to the bot in the console's simulator
// as openID: one of its own simulated followers (domain.SimulatorPrefix).
func (s *Service) Simulate(acc domain.Account, openID string) error {
	if err := acc.Require(domain.PermSimulate); err != nil {
		return err
	}
	if prefix := domain.SimulatorPrefix(acc); !strings.HasPrefix(openID, prefix) {
		return domain.Errorf(domain.ErrForbidden, "模拟器只能以本账号的模拟用户发送（openid 以 %s 开头）", prefix)
	}
	return nil
}

// SimulatorInbox returns what the service sent one of acc's simulated
// followers (客服 and template messages, recorded in sandbox mode), newest
// first.
func (s *Service) SimulatorInbox(ctx context.Context, acc domain.Account, openID string, limit int) ([]domain.SandboxMessage, error) {
	if err := s.Simulate(acc, openID); err != nil {
		return nil, err
	}
	return s.ops.SandboxMessages(ctx, openID, limit)
}

// Ping reports whether the database answers.
func (s *Service) Ping(ctx context.Context) error { return s.ops.Ping(ctx) }
