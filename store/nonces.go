package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// NonceTTL is how long a plaintext push's (timestamp, nonce) stays bound to
// its body: longer than the ±5-minute timestamp window on both sides, so a
// captured URL cannot be reused with another body while its timestamp is
// still accepted.
const NonceTTL = 11 * time.Minute

// Nonces binds each plaintext push's (timestamp, nonce) to a hash of its
// body. The plain signature covers only token, timestamp and nonce; without
// this, whoever saw one request URL could post any body under it.
type Nonces struct {
	prefix string
	batch  *scriptBatcher // binds of pushes in flight go to Redis together
}

// NewNonces returns a nonce store whose keys start with prefix.
func NewNonces(rdb redis.UniversalClient, prefix string) *Nonces {
	return &Nonces{prefix: prefix, batch: newScriptBatcher(rdb)}
}

// bindScript stores the body hash unless one is stored and returns the
// stored one (nil when this call stored it): one SET NX GET (Redis 7), as a
// script so that concurrent pushes' binds share the hot path's batching.
var bindScript = redis.NewScript(`return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'GET', 'PX', ARGV[2])`)

// Bind records sum as the body of (timestamp, nonce) unless another is
// recorded, and reports whether the recorded body is sum: true for the first
// delivery and WeChat's retries of it, false for another body.
func (n *Nonces) Bind(ctx context.Context, timestamp, nonce string, sum []byte) (bool, error) {
	key := n.prefix + "nonce:" + timestamp + ":" + nonce
	got, err := n.batch.Run(ctx, bindScript, []string{key}, sum, NonceTTL.Milliseconds()).Text()
	if errors.Is(err, redis.Nil) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("bind nonce %s: %w", timestamp, err)
	}
	return bytes.Equal([]byte(got), sum), nil
}
