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

// ReadyCheck is a backend /readyz asks: "database" or "redis".
type ReadyCheck struct {
	Name  string
	Check func(context.Context) error
}

// readyz answers 503 while the database or Redis does not answer, so a load
// balancer stops sending traffic to this instance.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), time.Second)
	defer cancel()
	checks := gin.H{}
	status := http.StatusOK
	// Only which backend failed is said; the reason goes to the log.
	for _, rc := range s.Ready {
		checks[rc.Name] = "ok"
		if err := rc.Check(ctx); err != nil {
			checks[rc.Name], status = "unavailable", http.StatusServiceUnavailable
			s.Log.Warn("readiness: "+rc.Name, slog.Any("error", err))
		}
	}
	c.JSON(status, checks)
}
