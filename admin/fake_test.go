package admin_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// fakeRepo is an in-memory stand-in for the store's accounts, sign-in
// attempts and bind-code counters: the repositories the sign-in, password,
// account and bind-code rules use. It keeps what the store keeps and
// decides nothing.
type fakeRepo struct {
	mu       sync.Mutex
	accounts []fakeAccount
	tokens   map[string]fakeToken // token → session
	attempts []domain.Attempt
	ok, held map[uint64]bool
	codes    []domain.AccountBindCode
	counties map[string]bool
	insts    map[uint64]bool
	// bind-code counters and holds, by openid and by prefix
	bindFails, prefixFails map[string]int64
	bindHolds, prefixHolds map[string]time.Time
}

type fakeAccount struct {
	acc  domain.Account
	hash string
}

type fakeToken struct {
	account uint64
	expires time.Time
}

func newFakeRepo() *fakeRepo {
	return &fakeRepo{tokens: map[string]fakeToken{}, ok: map[uint64]bool{}, held: map[uint64]bool{},
		counties: map[string]bool{"kunshan": true, "wujiang": true}, insts: map[uint64]bool{1: true},
		bindFails: map[string]int64{}, prefixFails: map[string]int64{},
		bindHolds: map[string]time.Time{}, prefixHolds: map[string]time.Time{}}
}

// fakeCounties answers County from the fake; the rest of admin.Counties is
// not used by the rules under test (calling it panics).
type fakeCounties struct {
	countiesRepo
	r *fakeRepo
}

// countiesRepo names admin.Counties apart from its method Counties, so
// that fakeCounties can embed it.
type countiesRepo = admin.Counties

func (c fakeCounties) County(_ context.Context, id string) (domain.CountyRecord, error) {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	if !c.r.counties[id] {
		return domain.CountyRecord{}, fmt.Errorf("county %s: %w", id, domain.ErrNotFound)
	}
	return domain.CountyRecord{ID: id}, nil
}

// --- admin.Accounts ---

func (r *fakeRepo) find(id uint64) *fakeAccount {
	for i := range r.accounts {
		if r.accounts[i].acc.ID == id {
			return &r.accounts[i]
		}
	}
	return nil
}

func (r *fakeRepo) Accounts(context.Context) ([]domain.Account, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []domain.Account
	for _, a := range r.accounts {
		out = append(out, a.acc)
	}
	return out, nil
}

func (r *fakeRepo) Account(_ context.Context, id uint64) (domain.Account, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if a := r.find(id); a != nil {
		return a.acc, nil
	}
	return domain.Account{}, fmt.Errorf("account %d: %w", id, domain.ErrNotFound)
}

func (r *fakeRepo) InsertAccount(_ context.Context, n domain.NewAccount, hash, by string) (domain.Account, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.accounts {
		if a.acc.Username == n.Username {
			return domain.Account{}, domain.Errorf(domain.ErrDuplicate, "用户名“%s”已存在", n.Username)
		}
	}
	acc := domain.Account{ID: uint64(len(r.accounts) + 1), Username: n.Username, Role: n.Role, County: n.County, OpenID: n.OpenID,
		MustChangePassword: n.MustChangePassword, Name: n.Name, Institution: n.Institution, Mobile: n.Mobile}
	r.accounts = append(r.accounts, fakeAccount{acc: acc, hash: hash})
	return acc, nil
}

func (r *fakeRepo) Credentials(_ context.Context, username string) (domain.Account, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.accounts {
		if a.acc.Username == username {
			return a.acc, a.hash, nil
		}
	}
	return domain.Account{}, "", fmt.Errorf("account %s: %w", username, domain.ErrNotFound)
}

func (r *fakeRepo) CredentialsByID(_ context.Context, id uint64) (domain.Account, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if a := r.find(id); a != nil {
		return a.acc, a.hash, nil
	}
	return domain.Account{}, "", fmt.Errorf("account %d: %w", id, domain.ErrNotFound)
}

func (r *fakeRepo) SetPassword(_ context.Context, id uint64, hash string, mustChange bool, keepToken string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.find(id)
	if a == nil {
		return fmt.Errorf("account %d: %w", id, domain.ErrNotFound)
	}
	a.hash, a.acc.MustChangePassword = hash, mustChange
	for tok, s := range r.tokens {
		if s.account == id && tok != keepToken {
			delete(r.tokens, tok)
		}
	}
	return nil
}

func (r *fakeRepo) OpenSession(_ context.Context, accountID uint64, expires, at time.Time) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := make([]byte, 32)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	r.tokens[tok] = fakeToken{account: accountID, expires: expires}
	if a := r.find(accountID); a != nil {
		a.acc.LastLoginAt = at
	}
	return tok, nil
}

func (r *fakeRepo) SetAccountDisabled(_ context.Context, id uint64, disabled bool) (domain.Revoked, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.find(id)
	if a == nil {
		return domain.Revoked{}, fmt.Errorf("account %d: %w", id, domain.ErrNotFound)
	}
	a.acc.Disabled = disabled
	var rv domain.Revoked
	if disabled {
		for tok, s := range r.tokens {
			if s.account == id {
				delete(r.tokens, tok)
				rv.Sessions++
			}
		}
	}
	return rv, nil
}

func (r *fakeRepo) SetAccountName(_ context.Context, id uint64, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if a := r.find(id); a != nil {
		a.acc.Name = name
	}
	return nil
}

func (r *fakeRepo) OfficerOpenIDs(context.Context) ([]string, error) { return nil, nil }

func (r *fakeRepo) InsertAccountBindCode(_ context.Context, bc domain.AccountBindCode) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.codes {
		if c.Code == bc.Code {
			return domain.ErrDuplicate
		}
	}
	r.codes = append(r.codes, bc)
	return nil
}

func (r *fakeRepo) PendingAccountBindCode(_ context.Context, accountID uint64, at time.Time) (domain.AccountBindCode, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.codes) - 1; i >= 0; i-- {
		c := r.codes[i]
		if c.AccountID == accountID && c.UsedAt == nil && c.ExpiresAt.After(at) {
			return c, nil
		}
	}
	return domain.AccountBindCode{}, domain.ErrNotFound
}

// useCode spends a code as the store's UseAccountBindCode does.
func (r *fakeRepo) useCode(code string, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.codes {
		c := &r.codes[i]
		if c.Code != domain.NormalizeBindCode(code) {
			continue
		}
		switch {
		case c.UsedAt != nil:
			return domain.ErrCodeUsed
		case !c.ExpiresAt.After(at):
			return domain.ErrCodeExpired
		}
		c.UsedAt = &at
		return nil
	}
	return domain.ErrNotFound
}

func (r *fakeRepo) Institution(_ context.Context, id uint64) (dialog.Institution, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.insts[id] {
		return dialog.Institution{}, domain.ErrNotFound
	}
	return dialog.Institution{ID: id}, nil
}

// --- admin.Attempts ---

func (r *fakeRepo) RecordAttempt(_ context.Context, a domain.Attempt) (domain.Attempt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a.ID = uint64(len(r.attempts) + 1)
	r.attempts = append(r.attempts, a)
	return a, nil
}

func (r *fakeRepo) AttemptFailures(_ context.Context, a domain.Attempt, since time.Time) (pair, address domain.FailureCount, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var lastOK uint64
	for _, b := range r.attempts {
		if b.ID < a.ID && r.ok[b.ID] && b.Username == a.Username && b.Address == a.Address && b.Kind == a.Kind {
			lastOK = b.ID
		}
	}
	for _, b := range r.attempts {
		if b.ID >= a.ID || r.ok[b.ID] || r.held[b.ID] || !b.At.After(since) || b.Address != a.Address {
			continue
		}
		address = domain.FailureCount{N: address.N + 1, Last: b.At}
		if b.Username == a.Username && b.Kind == a.Kind && b.ID > lastOK {
			pair = domain.FailureCount{N: pair.N + 1, Last: b.At}
		}
	}
	return pair, address, nil
}

func (r *fakeRepo) HoldAttempt(_ context.Context, id uint64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.held[id] = true
	return nil
}

func (r *fakeRepo) SucceedAttempt(_ context.Context, id uint64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ok[id] = true
	return nil
}

// --- admin.BindCounters ---

func bindPrefix(code string) string {
	code = domain.NormalizeBindCode(code)
	return code[:min(2, len(code))]
}

func (r *fakeRepo) BindHeld(_ context.Context, openID, code string, at time.Time) (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var until time.Time
	for _, t := range []time.Time{r.bindHolds[openID], r.prefixHolds[bindPrefix(code)]} {
		if t.After(at) && t.After(until) {
			until = t
		}
	}
	return until, nil
}

func (r *fakeRepo) CountBindFailure(_ context.Context, openID, code string, _ time.Duration) (int64, int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bindFails[openID]++
	r.prefixFails[bindPrefix(code)]++
	return r.bindFails[openID], r.prefixFails[bindPrefix(code)], nil
}

func (r *fakeRepo) HoldBind(_ context.Context, openID string, _, until time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bindHolds[openID] = until
	return nil
}

func (r *fakeRepo) HoldBindPrefix(_ context.Context, code string, _, until time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prefixHolds[bindPrefix(code)] = until
	return nil
}

func (r *fakeRepo) BindSucceeded(_ context.Context, openID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.bindFails, openID)
	delete(r.bindHolds, openID)
	return nil
}

// seed stores an account as a fixture, without the rules.
func (r *fakeRepo) seed(n domain.NewAccount) (domain.Account, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(n.Password), bcrypt.MinCost)
	if err != nil {
		return domain.Account{}, err
	}
	return r.InsertAccount(context.Background(), n, string(h), "test")
}
