package wechat

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/suzhou-amr/suzhirong/domain"
)

// queryPattern finds a URL's query string: access tokens and WeCom robot
// keys travel there, and must reach no log and no database column.
var queryPattern = regexp.MustCompile(`(https?://[^\s"'?]*)\?[^\s"']*`)

// RedactURLs replaces the query string of every URL in s with "…".
func RedactURLs(s string) string { return queryPattern.ReplaceAllString(s, "$1?…") }

// redactedError is an error whose message has its URLs' queries removed;
// the chain underneath stays, for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact strips the query strings of the URLs err carries: a *url.Error's
// URL in place (its Error() then prints the clean one), and any URL that
// a library formatted into its message.
func redact(err error) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.RawQuery != "" {
			u.RawQuery = "…"
			ue.URL = u.Scheme + "://" + u.Host + u.Path + "?…"
		}
	}
	msg := err.Error()
	if clean := RedactURLs(msg); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

// noRedirects keeps outbound calls where they were sent: a redirect is
// answered as it is, never followed (a robot URL must not bounce the
// service to an internal address).
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// RobotURLAllowed reports whether the client may post to u: a WeCom group
// robot webhook, or the loopback when a test allows it.
func (c *Client) RobotURLAllowed(u string) bool {
	return domain.ValidRobotURL(u, c.AllowLoopbackRobot)
}

// weComBase, when set, is where calls to WeCom's robot API go instead of
// https://qyapi.weixin.qq.com (WECOM_API_BASE): a proxy, or a fake API in
// tests of the whole binary. The robot URLs themselves stay WeCom's.
var weComBase string

// SetWeComBase points robot posts at base; "" sends them to WeCom. Call it
// once at start-up.
func SetWeComBase(base string) { weComBase = strings.TrimRight(base, "/") }

// robotTarget is the URL a robot webhook is posted to.
func robotTarget(webhook string) string {
	if weComBase == "" {
		return webhook
	}
	if rest, ok := strings.CutPrefix(webhook, "https://"+domain.RobotHost); ok {
		return weComBase + rest
	}
	return webhook
}
