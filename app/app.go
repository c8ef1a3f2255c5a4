// Package app wires the service: it reads nothing itself, but builds the
// stores, the WeChat client, the bot, the use cases and the routes from a
// Config. main, the terminal chat and every test harness use Open.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/handlers"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/seeds"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/templates"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// DevToken is the webhook token used when WECHAT_TOKEN is unset.
const DevToken = "suzhirong-dev-token"

// Config is read from the environment; unset values give the embedded mode.
type Config struct {
	Addr           string `env:"ADDR" envDefault:":8080"`
	MySQLDSN       string `env:"MYSQL_DSN"`
	SQLitePath     string `env:"SQLITE_PATH" envDefault:"data/suzhirong.db"`
	RedisAddr      string `env:"REDIS_ADDR"`
	RedisPassword  string `env:"REDIS_PASSWORD"`
	RedisDB        int    `env:"REDIS_DB"`
	Token          string `env:"WECHAT_TOKEN"`
	AppID          string `env:"WECHAT_APP_ID"`
	AppSecret      string `env:"WECHAT_APP_SECRET"`
	EncodingAESKey string `env:"WECHAT_ENCODING_AES_KEY"`
	// Mode is plain, compat or safe; unset: safe with an AES key, else plain.
	Mode    string `env:"WECHAT_MODE"`
	APIBase string `env:"WECHAT_API_BASE" envDefault:"https://api.weixin.qq.com"`
	// WeComBase is where WeCom group-robot posts go instead of
	// https://qyapi.weixin.qq.com (a proxy, or a fake API in tests).
	WeComBase     string `env:"WECOM_API_BASE"`
	AdminPassword string `env:"ADMIN_PASSWORD"`
	LogLevel      string `env:"LOG_LEVEL" envDefault:"info"`
	// Template message ids, per the account's backend; see leads.Field* for
	// the field keys the templates must have.
	TemplateNewLeadApply string `env:"WECHAT_TEMPLATE_NEW_LEAD_APPLY"`
	TemplateNewLeadNeed  string `env:"WECHAT_TEMPLATE_NEW_LEAD_NEED"`
	TemplateStatus       string `env:"WECHAT_TEMPLATE_STATUS"`
	// OfficerOpenIDs receive SLA escalations, besides officer accounts
	// that have an openid.
	OfficerOpenIDs []string `env:"OFFICER_OPENIDS" envSeparator:","`
	// PprofAddr, when set (e.g. 127.0.0.1:6060), serves net/http/pprof on a
	// listener of its own, never on the public one.
	PprofAddr string `env:"PPROF_ADDR"`
	// TrustedProxies are the proxies (addresses or CIDRs) whose
	// X-Forwarded-For is believed; none by default.
	TrustedProxies []string `env:"TRUSTED_PROXIES" envSeparator:","`
	// MetricsToken protects /metrics with a bearer token; MetricsAddr serves
	// it on a listener of its own instead. Without either, /metrics answers
	// only the loopback.
	MetricsToken string `env:"METRICS_TOKEN"`
	MetricsAddr  string `env:"METRICS_ADDR"`
	// PublicURL is the service's public base URL, for the links in
	// notifications and WeChat's web authorisation; unset, it is
	// http://localhost:<port of ADDR>.
	PublicURL string `env:"PUBLIC_URL"`
}

// publicURL returns PUBLIC_URL, or http://localhost:<port> from ADDR.
func (c Config) publicURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	port := "8080"
	if i := strings.LastIndex(c.Addr, ":"); i >= 0 && i < len(c.Addr)-1 {
		port = c.Addr[i+1:]
	}
	return "http://localhost:" + port
}

// LogValue masks the secrets when the configuration is logged.
func (c Config) LogValue() slog.Value {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "***"
	}
	dsn := c.MySQLDSN
	if at := strings.LastIndex(dsn, "@"); at > 0 {
		if colon := strings.Index(dsn[:at], ":"); colon >= 0 {
			dsn = dsn[:colon+1] + "***" + dsn[at:]
		}
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr), slog.String("mysql_dsn", dsn), slog.String("sqlite_path", c.SQLitePath),
		slog.String("redis_addr", c.RedisAddr), slog.String("redis_password", mask(c.RedisPassword)),
		slog.String("wechat_app_id", c.AppID), slog.String("wechat_app_secret", mask(c.AppSecret)),
		slog.String("wechat_token", mask(c.Token)), slog.String("wechat_encoding_aes_key", mask(c.EncodingAESKey)),
		slog.String("wechat_mode", c.Mode),
		slog.String("wechat_api_base", c.APIBase), slog.String("wecom_api_base", c.WeComBase),
		slog.String("wechat_template_new_lead_apply", c.TemplateNewLeadApply),
		slog.String("wechat_template_new_lead_need", c.TemplateNewLeadNeed),
		slog.String("wechat_template_status", c.TemplateStatus),
		slog.Int("officer_openids", len(c.OfficerOpenIDs)), slog.String("pprof_addr", c.PprofAddr),
		slog.Any("trusted_proxies", c.TrustedProxies), slog.String("metrics_token", mask(c.MetricsToken)),
		slog.String("metrics_addr", c.MetricsAddr), slog.String("public_url", c.publicURL()),
	)
}

// App is the wired service: stores, bot, routes and workers.
type App struct {
	Log      *slog.Logger
	Config   Config
	DB       *store.DB
	Redis    *store.Redis
	Bot      *bot.Bot
	Client   *wechat.Client
	Policy   *dialog.Policy // the seeded policy
	Policies *bot.Policies  // the policy in force
	Leads    *leads.Service
	Admin    *admin.Service
	Outbox   *leads.Outbox
	SLA      *leads.SLA
	Codec    *wechat.Codec
	Handler  http.Handler
	Registry *prometheus.Registry

	ownDB, ownRedis bool // opened by Open, so closed by Close
}

// checkWeChat refuses configurations that would expose the webhook: a real
// account (WECHAT_APP_ID) on the public development token, a malformed
// EncodingAESKey, or a message mode the key cannot serve. It fills in the
// default mode.
func (c *Config) checkWeChat() error {
	if c.AppID != "" && c.Token == "" {
		return errors.New("WECHAT_APP_ID is set but WECHAT_TOKEN is not: refusing to serve a real account on the development token; set WECHAT_TOKEN to the server token of the account's backend")
	}
	if c.EncodingAESKey != "" && len(c.EncodingAESKey) != 43 {
		return errors.New("WECHAT_ENCODING_AES_KEY must be 43 characters")
	}
	if c.Mode == "" {
		c.Mode = wechat.DefaultMode(c.EncodingAESKey)
	}
	if err := wechat.CheckMode(c.Mode, c.EncodingAESKey); err != nil {
		return fmt.Errorf("WECHAT_MODE: %w", err)
	}
	return nil
}

// Deps are the parts a caller may build itself instead of letting Open
// build them: the test harnesses hand in stores of their own, a clock and
// the address of a fake WeChat API. The zero Deps is what main uses.
type Deps struct {
	DB          *store.DB    // nil: opened from MYSQL_DSN or SQLITE_PATH, and closed by Close
	Redis       *store.Redis // nil: opened from REDIS_ADDR, and closed by Close
	RedisPrefix string       // key prefix of sessions and nonces; "szr:" when empty
	// Now is the clock of the bot, the lead pipeline, the workers and the
	// routes; nil is the real clock.
	Now      func() time.Time
	Registry *prometheus.Registry // nil: a new one with the Go and process collectors
	// FakeWeChat is the address of a fake WeChat API on the loopback: QR
	// images are fetched from it and group robots may live on the
	// loopback. Tests only.
	FakeWeChat string
	// PushAppID is the app id pushes are sealed for when it is not
	// WECHAT_APP_ID: a sandbox account (no app id) tested in safe mode.
	PushAppID string
	// Policy is the seed policy, read-only once loaded; nil: loaded from
	// seeds. Test harnesses that wire many instances load it once.
	Policy *dialog.Policy
}

// Open wires the service from cfg.
func Open(ctx context.Context, log *slog.Logger, cfg Config) (*App, error) {
	return OpenWith(ctx, log, cfg, Deps{})
}

// OpenWith wires the service from cfg, with the parts d provides.
func OpenWith(ctx context.Context, log *slog.Logger, cfg Config, d Deps) (app *App, err error) {
	if err := cfg.checkWeChat(); err != nil {
		return nil, err
	}
	if err := handlers.CheckProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("TRUSTED_PROXIES: %w", err)
	}
	if cfg.Token == "" {
		cfg.Token = DevToken
		log.Warn("WECHAT_TOKEN not set: the public development token is used (sandbox only)")
	}
	if cfg.AppID == "" {
		log.Warn("WECHAT_APP_ID not set: sandbox mode, outbound messages are recorded, not sent")
	}
	log.Info("starting", slog.Any("config", cfg))
	wechat.SetAPIBase(cfg.APIBase)
	wechat.SetWeComBase(cfg.WeComBase)
	if d.RedisPrefix == "" {
		d.RedisPrefix = "szr:"
	}

	policy := d.Policy
	if policy == nil {
		if policy, err = seeds.Load(); err != nil {
			return nil, err
		}
	}
	app = &App{Log: log, Config: cfg, DB: d.DB, Redis: d.Redis, Registry: d.Registry}
	defer func() {
		if err != nil {
			app.Close()
		}
	}()
	if app.DB == nil {
		if app.DB, err = store.OpenDB(ctx, log, cfg.MySQLDSN, cfg.SQLitePath); err != nil {
			return nil, err
		}
		app.ownDB = true
	}
	db := app.DB
	if err := db.SeedPolicy(ctx, policy, false); err != nil {
		return nil, err
	}
	if app.Redis == nil {
		if app.Redis, err = store.OpenRedis(ctx, log, cfg.RedisAddr, cfg.RedisPassword, cfg.RedisDB); err != nil {
			return nil, err
		}
		app.ownRedis = true
	}
	rdb := app.Redis
	replies, err := templates.Replies()
	if err != nil {
		return nil, err
	}
	if app.Registry == nil {
		app.Registry = prometheus.NewRegistry()
		app.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	client := wechat.NewClient(log, db, rdb, cfg.AppID, cfg.AppSecret)
	if d.FakeWeChat != "" {
		client.AllowLoopbackRobot = true // the fake API stands in for WeCom
		client.SetShowQRBase(d.FakeWeChat)
	}
	policies, err := bot.NewPolicies(ctx, log, db, policy, d.Now)
	if err != nil {
		return nil, err
	}
	replyText := bot.NewReplies(replies)
	sessions := store.NewSessions(rdb, d.RedisPrefix)
	leadSvc := leads.New(leads.Deps{Log: log, DB: db, Sessions: sessions, Guard: admin.NewBindGuard(sessions), Policies: policies, Replies: replyText, Now: d.Now}, leads.Config{
		TemplateNewApply: cfg.TemplateNewLeadApply, TemplateNewNeed: cfg.TemplateNewLeadNeed,
		TemplateStatus: cfg.TemplateStatus, Officers: cfg.OfficerOpenIDs, PublicURL: cfg.publicURL(),
	})
	adminSvc := admin.New(admin.Deps{Log: log, Client: client, Policies: policies, Leads: leadSvc, Now: d.Now,
		Accounts: db, Attempts: db, Sessions: db, OpsLog: db, Counties: db, Broadcasts: db, Reports: db, Roster: db, Learning: db,
		PasswordCost: store.PasswordCost})
	b, err := bot.New(ctx, bot.Config{
		Log: log, DB: db, Sessions: sessions, Client: client, Replies: replyText, Policies: policies,
		Leads: leadSvc, Roster: adminSvc, Metrics: bot.NewMetrics(app.Registry), Now: d.Now,
	})
	if err != nil {
		return nil, err
	}
	if cfg.AppID != "" && (cfg.TemplateNewLeadApply == "" || cfg.TemplateNewLeadNeed == "" || cfg.TemplateStatus == "") {
		log.Warn("a WECHAT_TEMPLATE_* id is not set: those template messages will fail")
	}
	created, generated, err := adminSvc.EnsureAdmin(ctx, cfg.AdminPassword)
	if err != nil {
		return nil, err
	}
	if created && generated != "" {
		// Shown once, never in the JSON log: the account exists from now
		// on, is not recreated, and must change the password first.
		where, err := revealAdminPassword(cfg, generated)
		if err != nil {
			return nil, err
		}
		log.Warn("bootstrap officer account created with a generated password; it must be changed at the first login",
			slog.String("username", admin.AdminUsername), slog.String("password_shown_on", where))
	} else if created {
		log.Info("bootstrap officer account created from ADMIN_PASSWORD", slog.String("username", admin.AdminUsername))
	}
	codec := &wechat.Codec{Token: cfg.Token, AppID: cfg.AppID, AESKey: cfg.EncodingAESKey, Mode: cfg.Mode}
	if d.PushAppID != "" {
		codec.AppID = d.PushAppID
	}
	app.Bot, app.Client, app.Policy, app.Policies, app.Codec, app.Leads, app.Admin = b, client, policy, policies, codec, leadSvc, adminSvc
	app.Outbox = leads.NewOutbox(log, db, client, d.Now)
	app.SLA = leads.NewSLA(leadSvc, d.Now)
	app.Handler = handlers.New(handlers.Config{Log: log, Bot: b, Leads: leadSvc, Admin: adminSvc, Codec: codec, Nonces: store.NewNonces(rdb, d.RedisPrefix),
		Ready:    []handlers.ReadyCheck{{Name: "database", Check: db.Ping}, {Name: "redis", Check: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }}},
		Registry: app.Registry, Now: d.Now, TrustedProxies: cfg.TrustedProxies,
		MetricsToken: cfg.MetricsToken, MetricsElsewhere: cfg.MetricsAddr != ""})
	return app, nil
}

// revealAdminPassword shows a generated password once: on the terminal
// when there is one, else in a file readable only by the service's user
// (beside the SQLite file, or in the temporary directory: a container's
// working directory may not be writable). It returns where.
func revealAdminPassword(cfg Config, password string) (string, error) {
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		fmt.Fprintf(os.Stderr, "\n  苏质融 console: user %s, initial password %s (change it at the first login)\n\n", admin.AdminUsername, password)
		return "terminal", nil
	}
	dir := os.TempDir()
	if cfg.MySQLDSN == "" {
		dir = filepath.Dir(cfg.SQLitePath)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("admin password file: %w", err)
	}
	path := filepath.Join(dir, "admin-initial-password")
	if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("admin password file: %w", err)
	}
	return path, nil
}

// Close releases the stores Open opened; those handed in through Deps
// stay open.
func (a *App) Close() {
	if a.ownRedis && a.Redis != nil {
		a.Redis.Close()
	}
	if a.ownDB && a.DB != nil {
		a.DB.Close()
	}
}
