package domain

import (
	"strings"
	"time"
)

// bindPrefixLen is how much of a bind code is counted (and shown in logs)
// as its prefix.
const bindPrefixLen = 2

// NormalizeBindCode is how a typed code is compared: trimmed, upper case,
// without the spaces or hyphens people group it with.
func NormalizeBindCode(code string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(strings.TrimSpace(code)))
}

// BindCodePrefix is the part of a typed code its wrong guesses are
// counted under.
func BindCodePrefix(code string) string {
	code = NormalizeBindCode(code)
	if len(code) > bindPrefixLen {
		code = code[:bindPrefixLen]
	}
	return code
}

// MaskBindCode shows a typed code in logs: its prefix only.
func MaskBindCode(code string) string { return BindCodePrefix(code) + "***" }

// BindFailure is what a wrong code cost: the openid's failures and the
// prefix's within the window, and until when the next attempt is held
// (zero: not held).
type BindFailure struct {
	Failures, PrefixFailures int64
	Until                    time.Time
	// Locked is set when this failure refused the openid or the prefix
	// for the rest of the window.
	Locked bool
}
