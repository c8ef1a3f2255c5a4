// Command suzhirong serves the 苏质融 WeChat assistant.
//
//	go run .            serve on :8080 (embedded SQLite and Redis without configuration)
//	go run . chat       talk to the bot in the terminal
//	go run . menu sync  push the custom menu to WeChat
//	go run . seed       reload the policy seeds into the database, overwriting edits
//	go run . healthcheck ask a running instance's /healthz (container health checks)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/suzhou-amr/suzhirong/app"
	"github.com/suzhou-amr/suzhirong/handlers"
	"github.com/suzhou-amr/suzhirong/seeds"
	"github.com/suzhou-amr/suzhirong/store"
)

func main() {
	// Times are stored in UTC and shown in China time; SQLite compares
	// stored times as text, so no local zone may leak into a query.
	time.Local = time.UTC
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	cfg, err := env.ParseAs[app.Config]()
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	level := slog.LevelInfo
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return fmt.Errorf("LOG_LEVEL: %w", err)
	}
	logOut := io.Writer(os.Stderr)
	if cmd == "chat" && level < slog.LevelWarn {
		// The terminal is for the conversation; keep start-up logs quiet.
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: level}))

	switch cmd {
	case "serve":
		return serve(ctx, log, cfg)
	case "chat":
		return chat(ctx, log, cfg, args[1:], stdin, stdout)
	case "menu":
		if len(args) < 2 || args[1] != "sync" {
			return errors.New("usage: menu sync")
		}
		return menuSync(ctx, log, cfg)
	case "seed":
		return seed(ctx, log, cfg)
	case "healthcheck":
		return healthcheck(ctx, cfg)
	}
	return fmt.Errorf("unknown command %q (serve, chat, menu sync, seed, healthcheck)", cmd)
}

func serve(ctx context.Context, log *slog.Logger, cfg app.Config) error {
	tuneGC(os.Getenv)
	svc, err := app.Open(ctx, log, cfg)
	if err != nil {
		return err
	}
	defer svc.Close()

	workers, stopWorkers := context.WithCancel(context.Background())
	defer stopWorkers()
	svc.Workers(workers)

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           svc.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	if cfg.PprofAddr != "" {
		go servePprof(workers, log, cfg.PprofAddr)
	}
	if cfg.MetricsAddr != "" {
		go serveMetrics(workers, log, cfg.MetricsAddr, svc.Registry)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", slog.String("addr", cfg.Addr))
	select {
	case err := <-errc:
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	case <-ctx.Done():
	}
	// Drain: stop taking pushes (WeChat's retry of a refused one reaches
	// another instance), finish the turns in flight (each within the
	// budget), then the replies that follow as 客服 messages; the pushes
	// still waiting for a backend then give up and say so.
	log.Info("shutting down: no new requests; finishing the turns in flight")
	shutdown, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	err = srv.Shutdown(shutdown)
	if derr := svc.Bot.Drain(shutdown); derr != nil {
		err = errors.Join(err, derr)
	}
	stopWorkers()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// drainTimeout bounds a graceful stop; docker-compose.yml's
// stop_grace_period leaves it room.
const drainTimeout = 15 * time.Second

// healthcheck asks a running instance's /healthz, for container health
// checks in images without curl.
func healthcheck(ctx context.Context, cfg app.Config) error {
	addr := cfg.Addr
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: status %d", resp.StatusCode)
	}
	return nil
}

// The collector's defaults for serving, each unless its environment
// variable is set: the heap may grow to three times the live data between
// collections (the service's live heap is small, and at Go's default of
// twice the live data the collector took about a tenth of a push's CPU;
// bench/RESULTS.md), with a soft limit that makes it collect sooner before
// the heap could outgrow a small container.
const (
	gcPercent     = 200
	gcMemoryLimit = 256 << 20
)

// tuneGC applies the collector's defaults that GOGC and GOMEMLIMIT leave.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gcMemoryLimit)
	}
}

// servePprof serves the profiling endpoints on addr until ctx ends. They
// are opt-in (PPROF_ADDR) and on their own listener, so that a profile is
// never reachable through the webhook's port.
func servePprof(ctx context.Context, log *slog.Logger, addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	log.Warn("pprof enabled", slog.String("addr", addr))
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("pprof listener", slog.Any("error", err))
	}
}

// serveMetrics serves /metrics on a listener of its own (METRICS_ADDR), for
// a scraper on a private network, until ctx ends.
func serveMetrics(ctx context.Context, log *slog.Logger, addr string, reg *prometheus.Registry) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", handlers.MetricsHandler(reg))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	log.Info("metrics listener", slog.String("addr", addr))
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("metrics listener", slog.Any("error", err))
	}
}

func seed(ctx context.Context, log *slog.Logger, cfg app.Config) error {
	policy, err := seeds.Load()
	if err != nil {
		return err
	}
	db, err := store.OpenDB(ctx, log, cfg.MySQLDSN, cfg.SQLitePath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.SeedPolicy(ctx, policy, true); err != nil {
		return err
	}
	log.Info("seeds reloaded", slog.Int("counties", len(policy.Counties)), slog.Float64("lpr", policy.LPR))
	return nil
}
