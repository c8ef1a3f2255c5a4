package handlers

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

type broadcastRequest struct {
	Title    string `json:"title"`
	Kind     string `json:"kind"`
	Content  string `json:"content"`
	Audience struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"audience"`
}

// broadcastID parses the :id of a broadcast route; a malformed id is 404.
func (s *Server) broadcastID(c *gin.Context) (uint64, bool) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, domain.ErrNotFound)
		return 0, false
	}
	return id, true
}

// listBroadcasts: GET /api/v1/broadcasts?month= → items, quota_remaining, warning.
func (s *Server) listBroadcasts(c *gin.Context) {
	l, err := s.Admin.Broadcasts(c.Request.Context(), account(c), c.Query("month"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, l)
}

// createBroadcast: POST /api/v1/broadcasts {"title","kind","content","audience":{"type","value"}} → {"id"} (officers).
func (s *Server) createBroadcast(c *gin.Context) {
	var req broadcastRequest
	if !s.bind(c, &req) {
		return
	}
	b, err := s.Admin.CreateBroadcast(c.Request.Context(), account(c), admin.NewBroadcast{
		Title: req.Title, Kind: req.Kind, Content: req.Content,
		Audience: domain.Audience{Type: req.Audience.Type, Value: req.Audience.Value},
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, nil, b)
	c.JSON(http.StatusCreated, gin.H{"id": b.ID, "broadcast": b})
}

// getBroadcast: GET /api/v1/broadcasts/{id}.
func (s *Server) getBroadcast(c *gin.Context) {
	id, ok := s.broadcastID(c)
	if !ok {
		return
	}
	b, err := s.Admin.GetBroadcast(c.Request.Context(), account(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}

// previewBroadcast: POST /api/v1/broadcasts/{id}/preview {"openid"} sends
// to that openid only (officers); no openid is 400.
func (s *Server) previewBroadcast(c *gin.Context) {
	id, ok := s.broadcastID(c)
	if !ok {
		return
	}
	var req struct {
		OpenID string `json:"openid"`
	}
	if !s.bind(c, &req) {
		return
	}
	if err := s.Admin.PreviewBroadcast(c.Request.Context(), account(c), id, req.OpenID); err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, nil, gin.H{"broadcast_id": id, "preview_to": req.OpenID})
	c.JSON(http.StatusOK, gin.H{"id": id, "preview_to": req.OpenID})
}

// sendBroadcast: POST /api/v1/broadcasts/{id}/send (officers); 409 when
// already sent or the month's quota is used.
func (s *Server) sendBroadcast(c *gin.Context) {
	id, ok := s.broadcastID(c)
	if !ok {
		return
	}
	res, err := s.Admin.SendBroadcast(c.Request.Context(), account(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, nil, res.Broadcast)
	c.JSON(http.StatusOK, res)
}

// syncTags: POST /api/v1/tags/sync (officers).
func (s *Server) syncTags(c *gin.Context) {
	res, err := s.Admin.SyncTags(c.Request.Context(), account(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, nil, res)
	c.JSON(http.StatusOK, res)
}
