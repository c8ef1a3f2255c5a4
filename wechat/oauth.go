package wechat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
)

// WeChat web authorisation (网页授权, scope snsapi_base): a page opened
// inside WeChat learns the openid of its reader without asking anything.
// The console uses it to sign a bound county contact in from a
// notification. Without an app id (sandbox) the authorisation step is
// simulated by the console itself, with codes this process signs.

// SandboxAuthorizePath is the console's page that stands in for WeChat's
// authorisation page in sandbox mode.
const SandboxAuthorizePath = "/console/wx/authorize"

// sandboxCodeTTL is how long a simulated authorisation code is good for
// (WeChat's last 5 minutes).
const sandboxCodeTTL = 5 * time.Minute

// sandboxKey signs simulated authorisation codes.
var sandboxKey = func() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}()

// ErrOAuthCode is the error of an authorisation code WeChat (or the
// sandbox) does not accept: used, expired or made up.
var ErrOAuthCode = domain.Errorf(domain.ErrUnauthorized, "微信授权已失效，请从消息中重新打开")

// OAuthURL returns where to send a browser inside WeChat to learn its
// reader's openid: WeChat's authorisation page, which comes back to
// redirectURI with ?code=…&state=state; in sandbox mode, the console's
// simulated page.
func (c *Client) OAuthURL(redirectURI, state string) (string, error) {
	if c.Sandbox() {
		return SandboxAuthorizePath + "?" + url.Values{"redirect_uri": {redirectURI}, "state": {state}}.Encode(), nil
	}
	return c.oauth.GetRedirectURL(redirectURI, "snsapi_base", state)
}

// OAuthOpenID exchanges an authorisation code for the reader's openid
// (sns/oauth2/access_token); in sandbox mode it checks a simulated code.
func (c *Client) OAuthOpenID(ctx context.Context, code string) (string, error) {
	if code == "" {
		return "", ErrOAuthCode
	}
	if c.Sandbox() {
		openID, err := sandboxOpenID(code, time.Now())
		if err != nil {
			return "", err
		}
		if !c.spendSandboxCode(ctx, code) {
			return "", ErrOAuthCode
		}
		return openID, nil
	}
	res, err := c.oauth.GetUserAccessTokenContext(ctx, code)
	if err != nil {
		switch ErrCode(err) {
		case 40029, 40163, 41008: // invalid, used or missing code
			return "", ErrOAuthCode
		}
		return "", fmt.Errorf("oauth access token: %w", err)
	}
	if res.OpenID == "" {
		return "", ErrOAuthCode
	}
	return res.OpenID, nil
}

// SandboxOAuthCode returns a simulated authorisation code for openID, as
// WeChat would hand one to the page; it is good for sandboxCodeTTL and
// one exchange. A random nonce makes every code distinct.
func SandboxOAuthCode(openID string, now time.Time) string {
	nonce := make([]byte, 8)
	rand.Read(nonce)
	body := base64.RawURLEncoding.EncodeToString([]byte(openID + "|" + strconv.FormatInt(now.Add(sandboxCodeTTL).Unix(), 10) +
		"|" + hex.EncodeToString(nonce)))
	return body + "." + sandboxSign(body)
}

func sandboxSign(body string) string {
	m := hmac.New(sha256.New, sandboxKey)
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

func sandboxOpenID(code string, now time.Time) (string, error) {
	body, sig, ok := strings.Cut(code, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(sandboxSign(body))) {
		return "", ErrOAuthCode
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", ErrOAuthCode
	}
	rest, _, ok := cutLast(string(raw), "|") // the nonce
	openID, exp, ok2 := cutLast(rest, "|")
	ok = ok && ok2
	until, perr := strconv.ParseInt(exp, 10, 64)
	if !ok || perr != nil || openID == "" || now.Unix() > until {
		return "", ErrOAuthCode
	}
	return openID, nil
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// spentCodes are the simulated codes already exchanged, by expiry, when the
// client has no Redis (tests); with Redis every instance shares them.
var spentCodes = struct {
	sync.Mutex
	m map[string]time.Time
}{m: map[string]time.Time{}}

// spendSandboxCode marks a simulated code used and reports whether it was
// still unused: like WeChat's, a code is good for one exchange.
func (c *Client) spendSandboxCode(ctx context.Context, code string) bool {
	_, sig, _ := strings.Cut(code, ".")
	if c.cache.rdb != nil {
		ok, err := c.cache.rdb.SetNX(ctx, "wechat:sandbox-oauth-spent:"+sig, 1, sandboxCodeTTL).Result()
		return err == nil && ok
	}
	now := time.Now()
	spentCodes.Lock()
	defer spentCodes.Unlock()
	for k, until := range spentCodes.m {
		if now.After(until) {
			delete(spentCodes.m, k)
		}
	}
	if _, used := spentCodes.m[sig]; used {
		return false
	}
	spentCodes.m[sig] = now.Add(sandboxCodeTTL)
	return true
}

// IsOAuthCodeError reports whether err is a refused authorisation code.
func IsOAuthCodeError(err error) bool { return errors.Is(err, ErrOAuthCode) }
