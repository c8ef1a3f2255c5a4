package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 503 while the database or Redis does not answer, so a load
// balancer stops sending traffic to this instance.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), time.Second)
	defer cancel()
	checks := gin.H{"database": "ok", "redis": "ok"}
	status := http.StatusOK
	// Only which backend failed is said; the reason goes to the log.
	if err := s.DB.Ping(ctx); err != nil {
		checks["database"], status = "unavailable", http.StatusServiceUnavailable
		s.Log.Warn("readiness: database", slog.Any("error", err))
	}
	if err := s.Redis.Ping(ctx).Err(); err != nil {
		checks["redis"], status = "unavailable", http.StatusServiceUnavailable
		s.Log.Warn("readiness: redis", slog.Any("error", err))
	}
	c.JSON(status, checks)
}
