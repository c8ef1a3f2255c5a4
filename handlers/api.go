package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// The JSON API under /api/v1: errors are {"error": "<message for people>"}
// with the status apiStatus gives.

// apiStatus maps a domain error to its HTTP status and the message shown.
func apiStatus(err error) (int, string) {
	msg := domain.Message(err)
	var status int
	switch {
	case errors.Is(err, domain.ErrUnauthorized):
		status = http.StatusUnauthorized
		if msg == "" {
			msg = "请先登录"
		}
	case errors.Is(err, domain.ErrForbidden):
		status = http.StatusForbidden
		if msg == "" {
			msg = "无权执行该操作"
		}
	case errors.Is(err, domain.ErrNotFound):
		return http.StatusNotFound, "未找到"
	case errors.Is(err, domain.ErrLocked):
		status = http.StatusTooManyRequests
		if msg == "" {
			msg = "登录失败次数过多，请稍后再试"
		}
	case errors.Is(err, domain.ErrTransition), errors.Is(err, domain.ErrDuplicate), errors.Is(err, domain.ErrQuota):
		status = http.StatusConflict
		if msg == "" {
			msg = "与当前状态冲突"
		}
	case errors.Is(err, domain.ErrOutsideNotice):
		status = http.StatusUnprocessableEntity
		if msg == "" {
			msg = "不符合通知规定"
		}
	case errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrUnknownStatus):
		status = http.StatusBadRequest
		if msg == "" {
			msg = "请求内容不正确"
		}
	default:
		return http.StatusInternalServerError, "系统繁忙，请稍后再试"
	}
	return status, msg
}

// fail answers an API request with err; only unexpected errors are logged.
func (s *Server) fail(c *gin.Context, err error) {
	status, msg := apiStatus(err)
	if status >= http.StatusInternalServerError {
		s.Log.Error("api request failed", slog.String("method", c.Request.Method), slog.String("path", c.FullPath()),
			slog.String("error", wechat.Mask(err.Error())))
	}
	refused(c, msg)
	c.AbortWithStatusJSON(status, gin.H{"error": msg})
}

// bind decodes a JSON body into v, answering 400 when it cannot.
func (s *Server) bind(c *gin.Context, v any) bool {
	if err := c.ShouldBindJSON(v); err != nil {
		if tooLarge(err) {
			c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, gin.H{"error": "提交的内容过大"})
			return false
		}
		s.fail(c, domain.Errorf(domain.ErrInvalid, "请求格式不正确，应为 JSON"))
		return false
	}
	return true
}
