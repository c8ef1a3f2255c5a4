package handlers

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"
)

// Request body limits. The webhook has its own (MaxBody); a login carries
// two short strings; an upload (the roster) may be a few MiB; everything
// else is a form or a small JSON document.
const (
	LoginBodyLimit  = 16 << 10
	UploadBodyLimit = 16 << 20
	BodyLimit       = 1 << 20
)

// bodyLimit returns the largest body accepted on a path.
func bodyLimit(p string) int64 {
	switch {
	case p == "/wechat":
		return MaxBody
	case p == "/api/v1/auth/login" || p == "/console/login":
		return LoginBodyLimit
	case strings.HasSuffix(p, "/import"):
		return UploadBodyLimit
	}
	return BodyLimit
}

// limitBody caps every request body: a declared length over the limit is
// refused at once with 413, and an undeclared one is cut off by
// http.MaxBytesReader, so no request can make the process buffer more.
func (s *Server) limitBody(c *gin.Context) {
	limit := bodyLimit(c.Request.URL.Path)
	if c.Request.ContentLength > limit {
		c.Header("Connection", "close")
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, gin.H{"error": "提交的内容过大"})
			return
		}
		// A console form's reader sees words, not a JSON document.
		c.String(http.StatusRequestEntityTooLarge, "提交的内容过大，请精简后重试。")
		c.Abort()
		return
	}
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// tooLarge reports whether err comes from a body over its limit.
func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// secureHeaders keeps personal data out of caches and, behind TLS, tells
// browsers to use TLS only.
func (s *Server) secureHeaders(c *gin.Context) {
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		c.Header("Cache-Control", "no-store")
	}
	if c.Request.TLS != nil || (s.behindTLSProxy(c)) {
		c.Header("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// behindTLSProxy reports whether a trusted proxy says the client used
// https. gin resolves the client address only through trusted proxies; the
// header of an untrusted peer is ignored the same way.
func (s *Server) behindTLSProxy(c *gin.Context) bool {
	if c.GetHeader("X-Forwarded-Proto") != "https" {
		return false
	}
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	for _, n := range s.trusted {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// parseProxies turns TRUSTED_PROXIES entries (addresses or CIDRs) into
// networks.
func parseProxies(list []string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, p := range list {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			ip := net.ParseIP(p)
			if ip == nil {
				return nil, errors.New("trusted proxy " + p + " is not an address or CIDR")
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return nil, errors.New("trusted proxy " + p + " is not an address or CIDR")
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// metricsAllowed guards /metrics: with a token, the bearer must match it;
// without one, only the loopback may read it (a scraper on the same host,
// or METRICS_ADDR serving it on a listener of its own).
func (s *Server) metricsAllowed(c *gin.Context) {
	if s.MetricsToken != "" {
		if subtle.ConstantTimeCompare([]byte(bearer(c)), []byte(s.MetricsToken)) != 1 {
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		c.Next()
		return
	}
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		c.AbortWithStatus(http.StatusForbidden)
		return
	}
	c.Next()
}

// consoleHome is where a login lands when it has nowhere safer to go.
const consoleHome = "/console/leads"

// safeNext returns next when it is a clean path of the console or the
// simulator on this site, else the console's home. Backslashes (which
// browsers read as slashes), control characters, encoded slashes, dot
// segments and anything with a scheme or host are refused.
func safeNext(next string) string {
	if next == "" || strings.ContainsRune(next, '\\') || strings.IndexFunc(next, unicode.IsControl) >= 0 {
		return consoleHome
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.RawPath != "" || u.Fragment != "" {
		return consoleHome
	}
	if strings.ContainsRune(u.Path, '\\') || strings.IndexFunc(u.Path, unicode.IsControl) >= 0 {
		return consoleHome
	}
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if clean != u.Path || !(strings.HasPrefix(clean, "/console/") || clean == "/simulator") {
		return consoleHome
	}
	if u.RawQuery != "" {
		return clean + "?" + u.RawQuery
	}
	return clean
}
