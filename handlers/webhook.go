package handlers

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/bot"
)

func query(c *gin.Context) bot.Query {
	return bot.Query{
		Signature:    c.Query("signature"),
		MsgSignature: c.Query("msg_signature"),
		Timestamp:    c.Query("timestamp"),
		Nonce:        c.Query("nonce"),
		EncryptType:  c.Query("encrypt_type"),
	}
}

// verifyURL answers WeChat's server verification with the echostr.
func (s *Server) verifyURL(c *gin.Context) {
	q := query(c)
	if err := bot.CheckTime(q.Timestamp, s.Now()); err != nil {
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
	if err := bot.CheckTime(q.Timestamp, s.Now()); err != nil {
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
	encrypted := q.EncryptType == "aes"
	plain, err := s.Codec.Open(body, q, encrypted)
	if err != nil {
		if errors.Is(err, bot.ErrSignature) {
			s.Log.Warn("webhook signature refused", slog.String("ip", c.ClientIP()))
			c.String(http.StatusForbidden, "forbidden")
			return
		}
		c.String(http.StatusBadRequest, "bad request")
		return
	}
	m, err := bot.ParseMessage(plain)
	if err != nil {
		c.String(http.StatusBadRequest, "bad request")
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
