package domain

import (
	"errors"
	"fmt"
)

// Domain errors of the lead pipeline, tested with errors.Is.
var (
	ErrInvalid       = errors.New("invalid input")
	ErrUnknownStatus = errors.New("unknown status")
	ErrTransition    = errors.New("status transition not allowed")
	ErrDuplicate     = errors.New("duplicate")
	ErrForbidden     = errors.New("forbidden")
	ErrUnauthorized  = errors.New("unauthorized")
	ErrCodeExpired   = errors.New("bind code expired")
	ErrCodeUsed      = errors.New("bind code already used")
)

// Error is a domain error carrying a message for people (Simplified
// Chinese); Kind is one of the sentinel errors above.
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel, so errors.Is(err, ErrTransition) works.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf returns an *Error of kind with a formatted message.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Message returns the message for people carried by err, or "".
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Msg
	}
	return ""
}

// ErrNotFound is returned by repositories for a missing record.
var ErrNotFound = errors.New("not found")

// ErrOutsideNotice is the error of a record the notice does not allow (a
// 苏质贷 deal above its rate cap, amount or term): the request is well
// formed, its content is refused (HTTP 422). The message names the rule.
var ErrOutsideNotice = errors.New("outside the notice")
