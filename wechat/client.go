package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	oaconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/officialaccount/oauth"
	"github.com/silenceper/wechat/v2/util"
)

// APITimeout bounds every outbound WeChat call.
const APITimeout = 10 * time.Second

// DefaultAPIBase is WeChat's API host.
const DefaultAPIBase = "https://api.weixin.qq.com"

// SetAPIBase points every outbound WeChat call at base (a fake server in
// tests, a proxy in production). It sets silenceper's process-wide modifier,
// so call it once at start-up.
//
// It also gives silenceper's process-wide HTTP client a timeout: its
// template and 客服 sends ignore the context, and a hung connection must not
// stall the outbox past its lease (another instance would send again).
func SetAPIBase(base string) {
	util.DefaultHTTPClient = &http.Client{Timeout: APITimeout, CheckRedirect: noRedirects}
	base = strings.TrimRight(base, "/")
	if base == "" || base == DefaultAPIBase {
		util.SetURIModifier(nil)
		return
	}
	util.SetURIModifier(func(uri string) string {
		if rest, ok := strings.CutPrefix(uri, DefaultAPIBase); ok {
			return base + rest
		}
		return uri
	})
}

// redisCache adapts go-redis v9 to silenceper's cache.Cache: Get returns an
// untyped nil on a miss and a string on a hit, as the token code expects.
type redisCache struct {
	rdb redis.UniversalClient
}

var _ cache.Cache = redisCache{}

func (c redisCache) Get(key string) any {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	v, err := c.rdb.Get(ctx, key).Result()
	if err != nil {
		return nil
	}
	return v
}

func (c redisCache) Set(key string, val any, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return c.rdb.Set(ctx, key, fmt.Sprint(val), timeout).Err()
}

func (c redisCache) IsExist(key string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := c.rdb.Exists(ctx, key).Result()
	return err == nil && n > 0
}

func (c redisCache) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return c.rdb.Del(ctx, key).Err()
}

// Client makes every outbound WeChat call. Without an app id it runs as a
// sandbox: calls are recorded in the database instead of sent.
type Client struct {
	log      *slog.Logger
	sandbox  SandboxRecorder
	appID    string
	token    *credential.StableAccessToken
	tokenKey string
	cache    redisCache
	template *message.Template
	kf       *message.Manager
	menu     *menu.Menu
	oauth    *oauth.Oauth
	// showQRBase serves QR images (DefaultShowQRBase unless a test sets it).
	showQRBase string
	// AllowLoopbackRobot admits robot webhooks on the loopback, for tests
	// whose fake API stands in for WeCom. Never set in production.
	AllowLoopbackRobot bool
}

// SandboxRecorder keeps the calls a sandbox client would have made.
type SandboxRecorder interface {
	RecordSandbox(ctx context.Context, api, toUser, body string) error
}

// NewClient builds the outbound client. The official account is built from
// the officialaccount package directly (the root package's init turns on
// debug logging of every message), with the stable access token shared
// through Redis. Its lazy getters are called here once, since they are not
// safe for concurrent first use.
func NewClient(log *slog.Logger, sandbox SandboxRecorder, rdb redis.UniversalClient, appID, appSecret string) *Client {
	c := &Client{log: log, sandbox: sandbox, appID: appID, cache: redisCache{rdb: rdb}}
	if appID == "" {
		return c
	}
	const prefix = "szr:wechat"
	c.token = credential.NewStableAccessToken(appID, appSecret, prefix, c.cache).(*credential.StableAccessToken)
	c.tokenKey = fmt.Sprintf("%s_stable_access_token_%s", prefix, appID)
	oa := officialaccount.NewOfficialAccount(&oaconfig.Config{AppID: appID, AppSecret: appSecret, Cache: c.cache, UseStableAK: true})
	oa.SetAccessTokenHandle(c.token)
	c.template = oa.GetTemplate()
	c.kf = oa.GetCustomerMessageManager()
	c.menu = oa.GetMenu()
	c.oauth = oa.GetOauth()
	return c
}

// Sandbox reports whether outbound calls are recorded instead of sent.
func (c *Client) Sandbox() bool { return c.appID == "" }

// APIError is an error code returned by the WeChat API.
type APIError struct {
	Code int64
	Msg  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wechat errcode=%d errmsg=%s", e.Code, e.Msg)
}

// Transient reports whether retrying later may succeed: system busy, rate
// limits and token problems, as opposed to a user who cannot be reached.
func (e *APIError) Transient() bool {
	switch e.Code {
	case -1, 40001, 42001, 40014, 45009, 45011, 45047:
		return true
	}
	return false
}

// tokenExpired reports whether err says the access token is invalid or
// expired (40001, 42001), however the library carried the code.
func tokenExpired(err error) bool {
	code := ErrCode(err)
	return code == 40001 || code == 42001
}

// withToken runs call, and after a 40001/42001 refreshes the stable token
// once and runs it again.
// Every error it returns has the query strings of its URLs (the access
// token) removed.
func (c *Client) withToken(ctx context.Context, call func() error) error {
	err := redact(call())
	if err == nil || !tokenExpired(err) {
		return err
	}
	c.log.Warn("wechat access token rejected; refreshing", slog.Any("error", err))
	res, rerr := c.token.GetAccessTokenDirectly(ctx, true)
	if rerr != nil {
		return redact(fmt.Errorf("refresh access token: %w (after %w)", rerr, err))
	}
	if serr := c.cache.Set(c.tokenKey, res.AccessToken, time.Duration(res.ExpiresIn-300)*time.Second); serr != nil {
		return fmt.Errorf("store access token: %w", serr)
	}
	return redact(call())
}

func (c *Client) record(ctx context.Context, api, toUser string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.sandbox.RecordSandbox(ctx, api, toUser, string(b))
}

// SendText sends a customer-service (客服) text message; WeChat accepts it
// within 48 h of the user's last message.
func (c *Client) SendText(ctx context.Context, openID, text string) error {
	if c.Sandbox() {
		return c.record(ctx, "message/custom/send", openID, map[string]string{"touser": openID, "msgtype": "text", "content": text})
	}
	return c.withToken(ctx, func() error { return c.kf.Send(message.NewCustomerTextMessage(openID, text)) })
}

// TemplateMessage is a template message; field values are cut to WeChat's
// 20-character limit for thing/phrase fields by the caller's template data.
type TemplateMessage struct {
	ToUser     string            `json:"touser"`
	TemplateID string            `json:"template_id"`
	URL        string            `json:"url,omitempty"`
	Data       map[string]string `json:"data"`
}

// SendTemplate sends a template message and returns WeChat's msgid.
func (c *Client) SendTemplate(ctx context.Context, m TemplateMessage) (int64, error) {
	if c.Sandbox() {
		return 0, c.record(ctx, "message/template/send", m.ToUser, m)
	}
	data := make(map[string]*message.TemplateDataItem, len(m.Data))
	for k, v := range m.Data {
		data[k] = &message.TemplateDataItem{Value: v}
	}
	var id int64
	err := c.withToken(ctx, func() (err error) {
		id, err = c.template.Send(&message.TemplateMessage{ToUser: m.ToUser, TemplateID: m.TemplateID, URL: m.URL, Data: data})
		return err
	})
	return id, err
}

// PostRobot posts a markdown message to a WeCom group robot webhook. WeCom
// answers 200 with an errcode, which is checked here.
func (c *Client) PostRobot(ctx context.Context, webhook, markdown string) error {
	body := map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": markdown}}
	if c.Sandbox() {
		return c.record(ctx, "wecom/robot", webhook, body)
	}
	if !c.RobotURLAllowed(webhook) {
		return Permanent(errors.New("post robot: not a WeCom robot webhook"))
	}
	b, err := util.PostJSONContext(ctx, robotTarget(webhook), body)
	if err != nil {
		return redact(fmt.Errorf("post robot: %w", err))
	}
	var res struct {
		ErrCode int64  `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("post robot: decode: %w", err)
	}
	if res.ErrCode != 0 {
		return &APIError{Code: res.ErrCode, Msg: res.ErrMsg}
	}
	return nil
}

// SyncMenu replaces the account's custom menu.
func (c *Client) SyncMenu(ctx context.Context, buttons []*menu.Button) error {
	if c.Sandbox() {
		return c.record(ctx, "menu/create", "", map[string]any{"button": buttons})
	}
	return c.withToken(ctx, func() error { return c.menu.SetMenu(buttons) })
}

// CreateQR creates a permanent parametric QR code for scene id and returns
// its ticket and the URL of the image.
func (c *Client) CreateQR(ctx context.Context, sceneID int) (ticket, imageURL string, err error) {
	if c.Sandbox() {
		ticket = fmt.Sprintf("sandbox-%d", sceneID)
		return ticket, "", c.record(ctx, "qrcode/create", "", map[string]any{"action_name": "QR_LIMIT_SCENE", "scene_id": sceneID})
	}
	var res struct {
		Ticket string `json:"ticket"`
		URL    string `json:"url"`
	}
	body := map[string]any{"action_name": "QR_LIMIT_SCENE", "action_info": map[string]any{"scene": map[string]int{"scene_id": sceneID}}}
	if err := c.do(ctx, "/cgi-bin/qrcode/create", body, &res); err != nil {
		return "", "", err
	}
	return res.Ticket, "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=" + url.QueryEscape(res.Ticket), nil
}
