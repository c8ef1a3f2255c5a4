// Package handlers holds the gin routes: the WeChat webhook, health and
// metrics, the JSON API and the console. Handlers parse, call and render:
// the rules, permissions included, live in the use cases (leads, admin),
// the chat pipeline (bot) and the engine (dialog).
package handlers

import (
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// MaxBody is the largest webhook body accepted.
const MaxBody = 64 << 10

// Config holds what the routes need.
type Config struct {
	Log    *slog.Logger
	Bot    *bot.Bot
	Leads  *leads.Service
	Admin  *admin.Service
	Codec  *wechat.Codec
	Nonces NonceBinder // binds plaintext pushes' signatures to their bodies
	// Ready are the backends /readyz checks.
	Ready    []ReadyCheck
	Registry *prometheus.Registry
	Now      func() time.Time
	// TrustedProxies lists the proxies (addresses or CIDRs) whose
	// X-Forwarded-For and X-Forwarded-Proto are believed; none by default.
	TrustedProxies []string
	// MetricsToken, when set, is the bearer token /metrics requires;
	// without it /metrics answers only the loopback.
	MetricsToken string
	// MetricsElsewhere leaves /metrics off this router: main serves it on a
	// listener of its own (METRICS_ADDR).
	MetricsElsewhere bool
}

// Server is the HTTP side of the service.
type Server struct {
	Config
	trusted  []*net.IPNet
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	seriesMu sync.RWMutex
	series   map[routeStatus]routeSeries
}

// New builds the router with every route of the service.
func New(cfg Config) http.Handler {
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	s := &Server{Config: cfg, series: map[routeStatus]routeSeries{}}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "szr_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"route", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "szr_http_request_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 4, 5},
	}, []string{"route"})
	if cfg.Registry != nil {
		cfg.Registry.MustRegister(s.requests, s.latency)
	}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Only the configured proxies may say who the client is; main has
	// checked the list (CheckProxies), so an error here cannot happen.
	s.trusted, _ = parseProxies(cfg.TrustedProxies)
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil || len(cfg.TrustedProxies) == 0 {
		r.SetTrustedProxies(nil)
	}
	r.Use(s.recover, s.observe, s.limitBody, s.secureHeaders)
	r.GET("/wechat", s.verifyURL)
	r.POST("/wechat", s.webhook)
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	{
		api := r.Group("/api/v1")
		api.POST("/auth/login", s.login)
		authed := api.Group("", s.authenticate)
		authed.POST("/auth/logout", s.logout)
		authed.GET("/me", s.me)
		authed.PUT("/me/password", s.changePassword)
		authed.POST("/users", s.createUser)
		authed.GET("/users", s.listUsers)
		authed.PATCH("/users/:id", s.patchUser)
		authed.POST("/users/:id/reset-password", s.resetUserPassword)
		authed.GET("/leads", s.listLeads)
		authed.GET("/leads/:id", s.getLead)
		authed.PATCH("/leads/:id", s.patchLead)
		authed.POST("/counties/:county/bind-codes", s.createBindCode)
		authed.GET("/tickets", s.listTickets)
		authed.POST("/tickets/:id/reply", s.replyTicket)
		s.adminRoutes(authed)
		s.programmeRoutes(authed)
	}
	s.consoleRoutes(r)
	if cfg.Registry != nil && !cfg.MetricsElsewhere {
		r.GET("/metrics", s.metricsAllowed, gin.WrapH(MetricsHandler(cfg.Registry)))
	}
	return r
}

// MetricsHandler serves the registry's metrics in Prometheus' format.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// CheckProxies reports a TRUSTED_PROXIES entry that is neither an address
// nor a CIDR.
func CheckProxies(list []string) error {
	_, err := parseProxies(list)
	return err
}

// observe records each request's route, status and latency.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m := s.routeMetrics(route, c.Writer.Status())
	m.requests.Inc()
	m.latency.Observe(time.Since(start).Seconds())
}

// routeStatus keys the metric series of a route and status.
type routeStatus struct {
	route  string
	status int
}

type routeSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// routeMetrics returns the series of a route and status, looked up once:
// labelling them on every request was about 1% of a push's CPU.
func (s *Server) routeMetrics(route string, status int) routeSeries {
	key := routeStatus{route, status}
	s.seriesMu.RLock()
	m, ok := s.series[key]
	s.seriesMu.RUnlock()
	if ok {
		return m
	}
	m = routeSeries{requests: s.requests.WithLabelValues(route, strconv.Itoa(status)), latency: s.latency.WithLabelValues(route)}
	s.seriesMu.Lock()
	s.series[key] = m
	s.seriesMu.Unlock()
	return m
}

// recover turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.Log.Error("panic in handler", slog.Any("panic", r), slog.String("path", c.Request.URL.Path))
			c.AbortWithStatus(http.StatusInternalServerError)
		}
	}()
	c.Next()
}
