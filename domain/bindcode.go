package domain

import (
	"crypto/rand"
	"strings"
	"time"
)

// bindPrefixLen is how much of a bind code is counted (and shown in logs)
// as its prefix.
const bindPrefixLen = 2

// Bind codes: the one-time codes with which a WeChat user binds to a
// county (contact), a specialist or an officer's own account. The three
// kinds share one space of codes.

// BindCodeTTL is how long a bind code stays valid.
const BindCodeTTL = 24 * time.Hour

// bindAlphabet leaves out characters read alike (0/O, 1/I/L).
const bindAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// BindCodeLen is the length of a bind code: 12 letters of bindAlphabet,
// about 8e17 codes, so that guessing a live one stays hopeless at the rate
// the guard (admin/bindguard.go) allows.
const BindCodeLen = 12

// NewBindCode returns a random bind code of BindCodeLen letters of
// bindAlphabet.
func NewBindCode() string {
	b := make([]byte, BindCodeLen)
	for i := range b {
		// Rejection sampling: every letter equally likely.
		var c [1]byte
		for {
			rand.Read(c[:])
			if int(c[0]) < 256/len(bindAlphabet)*len(bindAlphabet) {
				break
			}
		}
		b[i] = bindAlphabet[int(c[0])%len(bindAlphabet)]
	}
	return string(b)
}

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

// AccountBindCode is a one-time code with which a console account (an
// officer) binds its own WeChat, by sending “绑定 <code>” like a county
// contact: escalations and broadcast previews then reach that WeChat.
type AccountBindCode struct {
	Code      string
	AccountID uint64
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}
