package store

import (
	"bytes"
	"context"
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
	rdb    redis.UniversalClient
	prefix string
}

// NewNonces returns a nonce store whose keys start with prefix.
func NewNonces(rdb redis.UniversalClient, prefix string) *Nonces {
	return &Nonces{rdb: rdb, prefix: prefix}
}

// bindScript stores the body hash unless one is stored, and returns the
// stored one (or nil when this call stored it), in one round trip.
var bindScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`)

// Bind records sum as the body of (timestamp, nonce) unless another is
// recorded, and reports whether the recorded body is sum: true for the first
// delivery and WeChat's retries of it, false for another body.
func (n *Nonces) Bind(ctx context.Context, timestamp, nonce string, sum []byte) (bool, error) {
	key := n.prefix + "nonce:" + timestamp + ":" + nonce
	got, err := bindScript.Run(ctx, n.rdb, []string{key}, sum, NonceTTL.Milliseconds()).Text()
	if err == redis.Nil {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("bind nonce %s: %w", timestamp, err)
	}
	return bytes.Equal([]byte(got), sum), nil
}
