package wechat

import (
	"regexp"
)

var (
	phonePattern  = regexp.MustCompile(`1[3-9]\d{9}`)
	creditPattern = regexp.MustCompile(`[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}`)
)

// Mask hides phone numbers, credit codes and URL query strings (tokens,
// robot keys) in text bound for logs and error columns.
func Mask(s string) string {
	s = RedactURLs(s)
	s = creditPattern.ReplaceAllStringFunc(s, func(c string) string { return c[:8] + "**********" })
	return phonePattern.ReplaceAllStringFunc(s, func(p string) string { return p[:3] + "****" + p[7:] })
}

// MaskOpenID shortens an openid for logs.
func MaskOpenID(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[:4] + "…" + id[len(id)-4:]
}
