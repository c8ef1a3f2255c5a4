package handlers

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/bot"
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
	var bind *bot.NonceBind
	if !encrypted && s.Nonces != nil {
		// Checked in the claim's round trip: the plain signature does not
		// cover the body, so a captured URL must not carry a body of the
		// captor's choosing; the same body again is WeChat's retry.
		bind = s.Nonces.Binding(q.Timestamp, q.Nonce, sha256.Sum256(body))
	}
	reply, ok, err := s.Bot.Respond(c.Request.Context(), m, bind, func() { answerSuccess(c) })
	if !ok {
		return // the watchdog answered "success"; the reply follows as a 客服 message
	}
	if errors.Is(err, bot.ErrReplayed) {
		s.Log.Warn("webhook push refused: signature replayed with another body", slog.String("ip", c.ClientIP()))
		c.String(http.StatusForbidden, "forbidden")
		return
	}
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
	// The header's value is shared, not made per push (gin's Data would).
	c.Writer.Header()["Content-Type"] = xmlContentType
	c.Status(http.StatusOK)
	c.Writer.Write(reply)
}

var xmlContentType = []string{"application/xml; charset=utf-8"}

// answerSuccess answers "success" while the push is still being handled
// (from the budget's watchdog): with its length set and flushed, WeChat has
// the whole answer although the handler has not returned.
func answerSuccess(c *gin.Context) {
	c.Header("Content-Length", "7")
	c.String(http.StatusOK, "success")
	c.Writer.Flush()
}

// NonceBinder makes the bind of a plaintext push's signed (timestamp,
// nonce) to its body's hash, which the bot checks with the claim;
// store.Nonces implements it.
type NonceBinder interface {
	Binding(timestamp, nonce string, sum [32]byte) *bot.NonceBind
}
