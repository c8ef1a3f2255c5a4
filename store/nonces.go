package store

import (
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// NonceTTL is how long a plaintext push's (timestamp, nonce) stays bound to
// its body: longer than the ±5-minute timestamp window on both sides, so a
// captured URL cannot be reused with another body while its timestamp is
// still accepted.
const NonceTTL = 11 * time.Minute

var nonceTTLms = NonceTTL.Milliseconds()

// ErrReplayed is returned by Sessions.BeginBound when the push's signed
// (timestamp, nonce) was first seen with another body: the push must be
// refused, and nothing of the follower's was changed.
var ErrReplayed = errors.New("signature replayed with another body")

// Nonces binds each plaintext push's (timestamp, nonce) to a hash of its
// body. The plain signature covers only token, timestamp and nonce; without
// this, whoever saw one request URL could post any body under it.
//
// The bind is checked in the claim's round trip (Sessions.BeginBound sends
// it in the same pipeline as the claim script), so it costs no round trip
// of its own.
type Nonces struct {
	prefix string
}

// NewNonces returns a nonce store whose keys start with prefix (the
// Sessions' prefix, in practice). The client is not used: the bind goes to
// Redis with the claim, through the Sessions' client.
func NewNonces(_ redis.UniversalClient, prefix string) *Nonces {
	return &Nonces{prefix: prefix}
}

// NonceBind is a plaintext push's signed (timestamp, nonce) and its body's
// SHA-256, to be checked by Sessions.BeginBound.
type NonceBind struct {
	Key string   // the nonce key: prefix + "nonce:" + timestamp + ":" + nonce
	Sum [32]byte // the body's SHA-256
}

// Binding returns the bind of (timestamp, nonce) to sum. The key name is the
// one the release before used (it bound in a round trip of its own), so
// during a rolling deploy both releases check one another's binds.
func (n *Nonces) Binding(timestamp, nonce string, sum [32]byte) *NonceBind {
	return &NonceBind{Key: n.prefix + "nonce:" + timestamp + ":" + nonce, Sum: sum}
}
