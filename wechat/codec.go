// Package wechat is WeChat's protocol and API and nothing else: it verifies,
// decrypts and parses pushes, writes and seals passive replies, builds
// pushes as WeChat sends them (for the simulator, the terminal chat and
// the tests), and makes the outbound calls (客服, template messages, mass
// sends, tags, menus, QR codes, web authorisation, WeCom group robots)
// through silenceper/wechat. It imports neither the dialogue nor the store.
package wechat

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// MaxClockSkew is how far a push's timestamp may be from now.
const MaxClockSkew = 5 * time.Minute

// Errors of the protocol layer; the webhook maps them to HTTP statuses.
var (
	ErrSignature = errors.New("signature mismatch")
	ErrTimestamp = errors.New("timestamp outside the allowed window")
	ErrMalformed = errors.New("malformed message")
	ErrMode      = errors.New("push not allowed in this message mode")
)

// Message modes of an account (WECHAT_MODE). In safe mode every push is
// encrypted and checked by msg_signature, which covers the body; in plain
// mode pushes are plaintext and the signature covers only timestamp and
// nonce; compatible mode, for migrating between the two, accepts both.
const (
	ModePlain  = "plain"
	ModeCompat = "compat"
	ModeSafe   = "safe"
)

// DefaultMode is the mode used when none is configured: safe when an
// EncodingAESKey is set, else plain.
func DefaultMode(aesKey string) string {
	if aesKey != "" {
		return ModeSafe
	}
	return ModePlain
}

// CheckMode validates a configured mode against the key.
func CheckMode(mode, aesKey string) error {
	switch mode {
	case ModePlain:
		return nil
	case ModeCompat, ModeSafe:
		if aesKey == "" {
			return fmt.Errorf("mode %s needs an EncodingAESKey", mode)
		}
		return nil
	}
	return fmt.Errorf("unknown mode %q (plain, compat or safe)", mode)
}

// Codec verifies, decrypts and encrypts WeChat pushes for one account.
type Codec struct {
	Token  string
	AppID  string
	AESKey string // 43-character EncodingAESKey; empty: plaintext only
	// Mode is ModePlain, ModeCompat or ModeSafe; empty means
	// DefaultMode(AESKey).
	Mode string
}

// MessageMode returns the effective message mode.
func (c *Codec) MessageMode() string {
	if c.Mode == "" {
		return DefaultMode(c.AESKey)
	}
	return c.Mode
}

// Safe reports whether the account can receive and send encrypted messages.
func (c *Codec) Safe() bool { return c.AESKey != "" }

// Sign computes WeChat's signature: the SHA-1 of the sorted parts joined.
func Sign(parts ...string) string {
	s := append([]string(nil), parts...)
	sort.Strings(s)
	h := sha1.New()
	for _, p := range s {
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// CheckTime returns ErrTimestamp when ts is not a Unix time within
// MaxClockSkew of now.
func CheckTime(ts string, now time.Time) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrTimestamp
	}
	d := now.Sub(time.Unix(sec, 0))
	if d > MaxClockSkew || d < -MaxClockSkew {
		return ErrTimestamp
	}
	return nil
}

// VerifyURL checks the plain signature WeChat puts on every request
// (token, timestamp, nonce), in constant time.
func (c *Codec) VerifyURL(signature, timestamp, nonce string) error {
	if !equal(Sign(c.Token, timestamp, nonce), signature) {
		return ErrSignature
	}
	return nil
}

// envelope is the encrypted form of a push or a reply.
type envelope struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName,omitempty"`
	Encrypt      string   `xml:"Encrypt"`
	MsgSignature string   `xml:"MsgSignature,omitempty"`
	TimeStamp    string   `xml:"TimeStamp,omitempty"`
	Nonce        string   `xml:"Nonce,omitempty"`
}

// Open returns the plaintext XML of a push. An encrypted push (the request
// says encrypt_type=aes) is checked by msg_signature over its Encrypt field
// and decrypted; a plaintext push is checked by the plain signature, which
// does not cover the body, and returned as it is. Which of the two the
// account accepts is its mode's decision: safe mode refuses plaintext, plain
// mode refuses encrypted pushes (ErrMode).
func (c *Codec) Open(body []byte, q Query) ([]byte, error) {
	encrypted := q.Encrypted()
	switch mode := c.MessageMode(); {
	case encrypted && mode == ModePlain:
		return nil, fmt.Errorf("%w: encrypted push in plain mode", ErrMode)
	case !encrypted && mode == ModeSafe:
		return nil, fmt.Errorf("%w: plaintext push in safe mode", ErrMode)
	}
	if !encrypted {
		if err := c.VerifyURL(q.Signature, q.Timestamp, q.Nonce); err != nil {
			return nil, err
		}
		return body, nil
	}
	if !c.Safe() {
		return nil, fmt.Errorf("%w: encrypted push but no EncodingAESKey configured", ErrMode)
	}
	encrypt, ok := parseFlatEnvelope(body)
	if !ok {
		var env envelope
		if err := xml.Unmarshal(body, &env); err != nil {
			return nil, fmt.Errorf("%w: no Encrypt element", ErrMalformed)
		}
		encrypt = env.Encrypt
	}
	if encrypt == "" {
		return nil, fmt.Errorf("%w: no Encrypt element", ErrMalformed)
	}
	if !equal(Sign(c.Token, q.Timestamp, q.Nonce, encrypt), q.MsgSignature) {
		return nil, ErrSignature
	}
	_, plain, err := util.DecryptMsg(c.AppID, encrypt, c.AESKey)
	if err != nil {
		return nil, fmt.Errorf("%w: decrypt: %w", ErrMalformed, err)
	}
	return plain, nil
}

// Seal encrypts a plaintext reply into a signed envelope. random must be
// 16 bytes.
func (c *Codec) Seal(reply []byte, timestamp, nonce string, random []byte) ([]byte, error) {
	enc, err := util.EncryptMsg(random, reply, c.AppID, c.AESKey)
	if err != nil {
		return nil, fmt.Errorf("encrypt reply: %w", err)
	}
	env := envelope{
		Encrypt:      string(enc),
		MsgSignature: Sign(c.Token, timestamp, nonce, string(enc)),
		TimeStamp:    timestamp,
		Nonce:        nonce,
	}
	out, err := xml.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("encode envelope: %w", err)
	}
	return out, nil
}

// Query holds a push's URL parameters.
type Query struct {
	Signature    string
	MsgSignature string
	Timestamp    string
	Nonce        string
	EncryptType  string
	OpenID       string // the sender WeChat names in the URL; may be absent
}

// Encrypted reports whether the push says it is encrypted.
func (q Query) Encrypted() bool { return q.EncryptType == "aes" }
