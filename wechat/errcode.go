package wechat

import (
	"errors"
	"regexp"
	"strconv"

	"github.com/silenceper/wechat/v2/util"
)

// permanentError is a failure retrying cannot fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// Permanent marks err as a failure retrying cannot fix.
func Permanent(err error) error { return permanentError{err} }

var errCodePattern = regexp.MustCompile(`errcode=(-?\d+)`)

// ErrCodeOutsideWindow is WeChat's answer to a 客服 message sent more than 48 h
// after the follower's last message.
const ErrCodeOutsideWindow = 45015

// ErrCode returns the WeChat errcode an error carries, or 0.
func ErrCode(err error) int64 {
	if err == nil {
		return 0
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return ce.ErrCode
	}
	if m := errCodePattern.FindStringSubmatch(err.Error()); m != nil {
		code, _ := strconv.ParseInt(m[1], 10, 64)
		return code
	}
	return 0
}

// Transient reports whether a send that failed with err may succeed later.
// WeChat's answers are classified by APIError.Transient; template and 客服
// sends return plain errors carrying "errcode=N", which is read from the
// text. Anything else (network, timeouts) is transient.
func Transient(err error) bool {
	var pe permanentError
	if errors.As(err, &pe) {
		return false
	}
	if code := ErrCode(err); code != 0 {
		return (&APIError{Code: code}).Transient()
	}
	return true
}
