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
// per openid and per code prefix (its first bindPrefixLen characters), and
// attempts are held back until a time. The store counts and holds; how
// many failures hold what, and for how long, is admin's bind guard
// (admin/bindguard.go).
const bindPrefixLen = 2

// The guard's limits, under the names the tests of the bind flow read
// from the store; admin applies them.
const (
	BindWindow            = domain.BindWindow
	BindFreeFailures      = domain.BindFreeFailures
	BindMaxFailures       = domain.BindMaxFailures
	BindPrefixMaxFailures = domain.BindPrefixMaxFailures
)

func (s *Sessions) bindFailKey(openID string) string { return s.prefix + "bindfail:{" + openID + "}" }
func (s *Sessions) bindHoldKey(openID string) string { return s.prefix + "bindhold:{" + openID + "}" }
func (s *Sessions) bindPrefixKey(code string) string {
	return s.prefix + "bindfailp:" + bindCodePrefix(code)
}
func (s *Sessions) bindPrefixHoldKey(code string) string {
	return s.prefix + "bindholdp:" + bindCodePrefix(code)
}

func bindCodePrefix(code string) string {
	code = NormalizeBindCode(code)
	if len(code) > bindPrefixLen {
		code = code[:bindPrefixLen]
	}
	return code
}

// MaskBindCode shows a typed code in logs: its prefix only.
func MaskBindCode(code string) string { return bindCodePrefix(code) + "***" }

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

// CountBindFailure counts a wrong code of openID, and one of the code's
// prefix, each within window from its first; it returns both counts.
func (s *Sessions) CountBindFailure(ctx context.Context, openID, code string, window time.Duration) (failures, prefixFailures int64, err error) {
	count := func(key string) (int64, error) {
		n, err := s.rdb.Incr(ctx, key).Result()
		if err == nil && n == 1 {
			err = s.rdb.Expire(ctx, key, window).Err()
		}
		return n, err
	}
	if failures, err = count(s.bindFailKey(openID)); err != nil {
		return 0, 0, fmt.Errorf("count bind failure: %w", err)
	}
	if prefixFailures, err = count(s.bindPrefixKey(code)); err != nil {
		return 0, 0, fmt.Errorf("count bind failure: %w", err)
	}
	return failures, prefixFailures, nil
}

// HoldBind holds openID's bind attempts back from at until until.
func (s *Sessions) HoldBind(ctx context.Context, openID string, at, until time.Time) error {
	return s.holdBind(ctx, s.bindHoldKey(openID), at, until)
}

// HoldBindPrefix holds back, from at until until, every bind attempt with
// a code of code's prefix.
func (s *Sessions) HoldBindPrefix(ctx context.Context, code string, at, until time.Time) error {
	return s.holdBind(ctx, s.bindPrefixHoldKey(code), at, until)
}

func (s *Sessions) holdBind(ctx context.Context, key string, at, until time.Time) error {
	if err := s.rdb.Set(ctx, key, strconv.FormatInt(until.UnixMilli(), 10), until.Sub(at)).Err(); err != nil {
		return fmt.Errorf("hold bind attempts: %w", err)
	}
	return nil
}

// BindSucceeded forgets openID's wrong codes once one was right.
func (s *Sessions) BindSucceeded(ctx context.Context, openID string) error {
	if err := s.rdb.Del(ctx, s.bindFailKey(openID), s.bindHoldKey(openID)).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("bind succeeded: %w", err)
	}
	return nil
}
