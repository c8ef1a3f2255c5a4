package domain

import "time"

// The limits of the sign-in throttle and of the bind-code guard. admin
// applies them (admin/throttle.go, admin/bindguard.go, which say what they
// mean); they sit here, beside TokenTTL, so that every package reads the
// same numbers.
const (
	// ThrottleWindow is how far back a sign-in throttle counts failures.
	ThrottleWindow = time.Hour
	// PairFreeFailures are the failures of a (username, address) pair
	// within the window that hold nothing back.
	PairFreeFailures = 4
	// AddressFreeFailures are an address's free failures within the window.
	AddressFreeFailures = 30
	// MaxThrottle is the longest a sign-in attempt is held back.
	MaxThrottle = 15 * time.Minute

	// BindWindow is how far back wrong bind codes are counted.
	BindWindow = time.Hour
	// BindFreeFailures are an openid's wrong codes that cost nothing.
	BindFreeFailures = 5
	// BindMaxFailures wrong codes refuse an openid for the window.
	BindMaxFailures = 10
	// BindPrefixMaxFailures wrong codes starting alike refuse the prefix.
	BindPrefixMaxFailures = 30
	// BindSlowDown is the first hold after the free failures, doubling.
	BindSlowDown = time.Minute
)
