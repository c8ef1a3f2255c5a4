package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/suzhou-amr/suzhirong/domain"
)

// Wrong bind codes (“绑定 XXXXXXXXXXXX” in the chat) are counted in Redis
// per openid and per code prefix, within BindWindow. An openid's first
// BindFreeFailures cost nothing; each further one holds its next attempt
// back for BindSlowDown, doubling; at BindMaxFailures it is refused for
// BindWindow. BindPrefixMaxFailures wrong codes starting alike (from any
// number of openids) refuse that prefix for BindWindow. A held attempt is
// answered without the code being looked at, so a right guess while held
// binds nothing. With 12 characters of a 31-letter alphabet (31^12 ≈ 8e17
// codes) and at most BindPrefixMaxFailures × 31² guesses an hour from
// everyone together, guessing a live code stays hopeless.
const (
	BindWindow            = time.Hour
	BindFreeFailures      = 5
	BindMaxFailures       = 10
	BindPrefixMaxFailures = 30
	BindSlowDown          = time.Minute
)

func (s *Sessions) bindFailKey(openID string) string { return s.prefix + "bindfail:{" + openID + "}" }
func (s *Sessions) bindHoldKey(openID string) string { return s.prefix + "bindhold:{" + openID + "}" }
func (s *Sessions) bindPrefixKey(code string) string {
	return s.prefix + "bindfailp:" + bindCodePrefix(code)
}
func (s *Sessions) bindPrefixHoldKey(code string) string {
	return s.prefix + "bindholdp:" + bindCodePrefix(code)
}

func bindCodePrefix(code string) string { return domain.BindCodePrefix(code) }

// MaskBindCode shows a typed code in logs: its prefix only.
func MaskBindCode(code string) string { return domain.MaskBindCode(code) }

// BindHeld returns until when openID's bind attempts (or those of the
// code's prefix) are held back, zero when the attempt may go ahead.
func (s *Sessions) BindHeld(ctx context.Context, openID, code string, at time.Time) (time.Time, error) {
	// Two keys of different hash slots (Redis Cluster): a pipeline, not MGET.
	p := s.rdb.Pipeline()
	cmds := []*redis.StringCmd{p.Get(ctx, s.bindHoldKey(openID)), p.Get(ctx, s.bindPrefixHoldKey(code))}
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return time.Time{}, fmt.Errorf("bind hold %s: %w", bindCodePrefix(code), err)
	}
	var until time.Time
	for _, c := range cmds {
		str, err := c.Result()
		if err != nil {
			continue
		}
		ms, err := strconv.ParseInt(str, 10, 64)
		if err != nil {
			continue
		}
		if t := time.UnixMilli(ms); t.After(at) && t.After(until) {
			until = t
		}
	}
	return until, nil
}

// BindFailure is what a wrong code cost (domain.BindFailure).
type BindFailure = domain.BindFailure

// BindFailed counts a wrong code of openID and holds its next attempts
// as the rules above say.
func (s *Sessions) BindFailed(ctx context.Context, openID, code string, at time.Time) (BindFailure, error) {
	var f BindFailure
	count := func(key string) (int64, error) {
		n, err := s.rdb.Incr(ctx, key).Result()
		if err == nil && n == 1 {
			err = s.rdb.Expire(ctx, key, BindWindow).Err()
		}
		return n, err
	}
	var err error
	if f.Failures, err = count(s.bindFailKey(openID)); err != nil {
		return f, fmt.Errorf("count bind failure: %w", err)
	}
	if f.PrefixFailures, err = count(s.bindPrefixKey(code)); err != nil {
		return f, fmt.Errorf("count bind failure: %w", err)
	}
	hold := func(key string, d time.Duration) error {
		until := at.Add(d)
		if until.After(f.Until) {
			f.Until = until
		}
		return s.rdb.Set(ctx, key, strconv.FormatInt(until.UnixMilli(), 10), d).Err()
	}
	switch {
	case f.Failures >= BindMaxFailures:
		f.Locked = f.Failures == BindMaxFailures
		err = hold(s.bindHoldKey(openID), BindWindow)
	case f.Failures > BindFreeFailures:
		err = hold(s.bindHoldKey(openID), BindSlowDown<<(f.Failures-BindFreeFailures-1))
	}
	if err == nil && f.PrefixFailures >= BindPrefixMaxFailures {
		f.Locked = f.Locked || f.PrefixFailures == BindPrefixMaxFailures
		err = hold(s.bindPrefixHoldKey(code), BindWindow)
	}
	if err != nil {
		return f, fmt.Errorf("hold bind attempts: %w", err)
	}
	return f, nil
}

// BindSucceeded forgets openID's wrong codes once one was right.
func (s *Sessions) BindSucceeded(ctx context.Context, openID string) error {
	if err := s.rdb.Del(ctx, s.bindFailKey(openID), s.bindHoldKey(openID)).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("bind succeeded: %w", err)
	}
	return nil
}
