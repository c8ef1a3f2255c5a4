package domain

import "time"

// Attempt is one sign-in, or one check of the current password on a
// password change, as the throttle records it.
type Attempt struct {
	ID       uint64
	Kind     string // "login" or "password"
	Username string
	Address  string // the client's address
	At       time.Time
}

// FailureCount is how many failed attempts a throttle counted, and when
// the latest was.
type FailureCount struct {
	N    int
	Last time.Time
}

// BindFailure is what a wrong bind code cost: the openid's failures and
// the code prefix's within the window, and until when the next attempt is
// held (zero: not held).
type BindFailure struct {
	Failures, PrefixFailures int64
	Until                    time.Time
	// Locked is set when this failure refused the openid or the prefix
	// for the rest of the window.
	Locked bool
}
