package handlers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/wechat"
)

func query(c *gin.Context) wechat.Query {
	return wechat.Query{
		Signature:    c.Query("signature"),
		MsgSignature: c.Query("msg_signature"),
		Timestamp:    c.Query("timestamp"),
		Nonce:        c.Query("nonce"),
		EncryptType:  c.Query("encrypt_type"),
		OpenID:       c.Query("openid"),
	}
}

// verifyURL answers WeChat's server verification with the echostr.
func (s *Server) verifyURL(c *gin.Context) {
	q := query(c)
	if err := wechat.CheckTime(q.Timestamp, s.Now()); err != nil {
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	if err := s.Codec.VerifyURL(q.Signature, q.Timestamp, q.Nonce); err != nil {
		s.Log.Warn("webhook verification refused", slog.String("ip", c.ClientIP()))
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	c.String(http.StatusOK, c.Query("echostr"))
}

// webhook receives a push. Everything is checked before anything is
// processed: the timestamp window, the body size, the signature, the XML.
func (s *Server) webhook(c *gin.Context) {
	q := query(c)
	if err := wechat.CheckTime(q.Timestamp, s.Now()); err != nil {
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			c.String(http.StatusRequestEntityTooLarge, "too large")
			return
		}
		c.String(http.StatusBadRequest, "bad request")
		return
	}
	encrypted := q.Encrypted()
	plain, err := s.Codec.Open(body, q)
	if err != nil {
		if errors.Is(err, wechat.ErrSignature) || errors.Is(err, wechat.ErrMode) {
			s.Log.Warn("webhook push refused", slog.String("ip", c.ClientIP()), slog.Any("error", err))
			c.String(http.StatusForbidden, "forbidden")
			return
		}
		c.String(http.StatusBadRequest, "bad request")
		return
	}
	m, err := wechat.ParseMessage(plain)
	if err != nil {
		c.String(http.StatusBadRequest, "bad request")
		return
	}
	if q.OpenID != "" && q.OpenID != m.FromUserName {
		s.Log.Warn("webhook push refused: openid does not match the sender", slog.String("ip", c.ClientIP()))
		c.String(http.StatusForbidden, "forbidden")
		return
	}
	if !encrypted && !s.bindNonce(c, q, body) {
		return
	}
	reply := s.Bot.Respond(c.Request.Context(), m)
	if reply == nil {
		c.String(http.StatusOK, "success")
		return
	}
	if encrypted {
		random := make([]byte, 16)
		rand.Read(random)
		sealed, err := s.Codec.Seal(reply, q.Timestamp, q.Nonce, random)
		if err != nil {
			s.Log.Error("reply not encrypted", slog.Any("error", err))
			c.String(http.StatusOK, "success")
			return
		}
		reply = sealed
	}
	c.Data(http.StatusOK, "application/xml; charset=utf-8", reply)
}

// NonceBinder remembers which body a plaintext push's (timestamp, nonce)
// signed; store.Nonces implements it.
type NonceBinder interface {
	Bind(ctx context.Context, timestamp, nonce string, sum []byte) (bool, error)
}

// bindNonce refuses a plaintext push whose signed (timestamp, nonce) came
// before with another body: the plain signature does not cover the body, so
// a captured URL must not carry a body of the captor's choosing. The same
// body again is WeChat's retry and passes (dedupe answers it). When Redis
// does not answer the push passes on: the pipeline itself then answers busy
// without handling it.
func (s *Server) bindNonce(c *gin.Context, q wechat.Query, body []byte) bool {
	if s.Nonces == nil {
		return true
	}
	sum := sha256.Sum256(body)
	same, err := s.Nonces.Bind(c.Request.Context(), q.Timestamp, q.Nonce, sum[:])
	if err != nil {
		s.Log.Warn("webhook nonce not checked", slog.Any("error", err))
		return true
	}
	if !same {
		s.Log.Warn("webhook push refused: signature replayed with another body", slog.String("ip", c.ClientIP()))
		c.String(http.StatusForbidden, "forbidden")
		return false
	}
	return true
}
