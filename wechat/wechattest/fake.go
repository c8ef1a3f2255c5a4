// Package wechattest is a fake WeChat API server on loopback for tests: it
// issues stable access tokens, accepts the calls the service makes, records
// them, and can fail on demand (transient errors, expired tokens).
package wechattest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Call is one request the fake received.
type Call struct {
	Path  string
	Token string
	Body  map[string]any
	Raw   string
}

// Server is the fake API. Point the service at it with bot.SetAPIBase(s.URL).
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	calls    []Call
	token    int
	failRate float64 // share of calls answered with errcode -1 (system busy)
	expire   bool    // the current token is rejected once with 40001
	rnd      *rand.Rand
	msgID    int64
	massIDs  map[string]int64   // clientmsgid → msg_id of mass sends
	tags     map[string]int64   // user tags created: name → id
	answers  map[string][]int64 // errcodes to answer next on a path, in order
	codes    map[string]string  // web authorisation codes → openid
}

// Materials are the articles (图文) the fake account's library holds:
// media_id → title.
var Materials = map[string]string{"MEDIA-LPR-2026": "LPR调整与苏质贷利率上限", "MEDIA-GUIDE": "苏质融入库申请指南"}

// OAuthCode makes code a web authorisation (snsapi_base) code of openID,
// as WeChat hands one to the page after the user opened it; each code
// works once.
func (s *Server) OAuthCode(code, openID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.codes == nil {
		s.codes = map[string]string{}
	}
	s.codes[code] = openID
}

// Answer makes the next calls on path fail with the given errcodes, one
// call each, as when WeChat refuses a 客服 message outside the 48 h window
// (45015).
func (s *Server) Answer(path string, codes ...int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.answers == nil {
		s.answers = map[string][]int64{}
	}
	s.answers[path] = append(s.answers[path], codes...)
}

// QRPNG is the image the fake serves for every QR ticket: a 1×1 PNG.
var QRPNG = func() []byte {
	var buf bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	png.Encode(&buf, img)
	return buf.Bytes()
}()

// New starts a fake server, closed at cleanup.
func New(tb testing.TB) *Server {
	s := &Server{token: 1, rnd: rand.New(rand.NewPCG(1, 2))}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// FailRate makes a share of API calls (not token calls) fail transiently.
func (s *Server) FailRate(r float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRate = r
}

// ExpireToken makes the current access token be rejected with 40001, as
// when another party refreshed it; a new token is then issued.
func (s *Server) ExpireToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire = true
}

// Calls returns the successful calls received on path ("" for all).
func (s *Server) Calls(path string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if path == "" || c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// Reset forgets the recorded calls.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/cgi-bin/stable_token", "/cgi-bin/token":
		var req struct {
			ForceRefresh bool `json:"force_refresh"`
		}
		json.Unmarshal(raw, &req)
		if req.ForceRefresh || s.expire {
			s.token++
			s.expire = false
		}
		writeJSON(w, map[string]any{"access_token": s.currentToken(), "expires_in": 7200})
		return
	}
	if r.URL.Path == "/sns/oauth2/access_token" {
		// Web authorisation: the app's id and secret and a one-time code,
		// no access token.
		q := r.URL.Query()
		s.calls = append(s.calls, Call{Path: r.URL.Path, Body: map[string]any{"appid": q.Get("appid"), "code": q.Get("code")}})
		openID, ok := s.codes[q.Get("code")]
		if !ok || q.Get("grant_type") != "authorization_code" || q.Get("secret") == "" {
			writeJSON(w, map[string]any{"errcode": 40029, "errmsg": "invalid code"})
			return
		}
		delete(s.codes, q.Get("code"))
		writeJSON(w, map[string]any{"access_token": "WEB-" + q.Get("code"), "expires_in": 7200,
			"refresh_token": "REFRESH-" + q.Get("code"), "openid": openID, "scope": "snsapi_base"})
		return
	}
	if r.URL.Path == "/cgi-bin/showqrcode" {
		// QR images are served by mp.weixin.qq.com, by ticket, without a token.
		s.calls = append(s.calls, Call{Path: r.URL.Path, Body: map[string]any{"ticket": r.URL.Query().Get("ticket")}})
		w.Header().Set("Content-Type", "image/png")
		w.Write(QRPNG)
		return
	}
	token := r.URL.Query().Get("access_token")
	robot := strings.HasPrefix(r.URL.Path, "/cgi-bin/webhook/") // WeCom group robots take a key, not a token
	if !robot && (token != s.currentToken() || s.expire) {
		writeJSON(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
		return
	}
	if codes := s.answers[r.URL.Path]; len(codes) > 0 {
		s.answers[r.URL.Path] = codes[1:]
		writeJSON(w, map[string]any{"errcode": codes[0], "errmsg": "refused by the test"})
		return
	}
	if s.failRate > 0 && s.rnd.Float64() < s.failRate {
		writeJSON(w, map[string]any{"errcode": -1, "errmsg": "system error"})
		return
	}
	var body map[string]any
	json.Unmarshal(raw, &body)
	s.calls = append(s.calls, Call{Path: r.URL.Path, Token: token, Body: body, Raw: string(raw)})
	s.msgID++
	switch {
	case r.URL.Path == "/cgi-bin/qrcode/create":
		// A real success carries no errcode/errmsg.
		writeJSON(w, map[string]any{"ticket": fmt.Sprintf("TICKET-%d", s.msgID), "expire_seconds": 0,
			"url": fmt.Sprintf("http://weixin.qq.com/q/%d", s.msgID)})
	case r.URL.Path == "/cgi-bin/message/template/send":
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": s.msgID})
	case r.URL.Path == "/cgi-bin/message/mass/sendall" && body["clientmsgid"] != nil:
		// A clientmsgid seen before answers 45065 with the first job's msg_id.
		key, _ := body["clientmsgid"].(string)
		if id, ok := s.massIDs[key]; ok {
			writeJSON(w, map[string]any{"errcode": 45065, "errmsg": "clientmsgid exist", "msg_id": id, "msg_data_id": id})
			return
		}
		if s.massIDs == nil {
			s.massIDs = map[string]int64{}
		}
		s.massIDs[key] = s.msgID
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "send job submission success", "msg_id": s.msgID, "msg_data_id": s.msgID})
	case strings.HasPrefix(r.URL.Path, "/cgi-bin/message/mass/"):
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "send job submission success", "msg_id": s.msgID, "msg_data_id": s.msgID})
	case r.URL.Path == "/cgi-bin/tags/create":
		name := ""
		if t, ok := body["tag"].(map[string]any); ok {
			name, _ = t["name"].(string)
		}
		if s.tags == nil {
			s.tags = map[string]int64{}
		}
		if _, ok := s.tags[name]; ok {
			writeJSON(w, map[string]any{"errcode": 45157, "errmsg": "invalid tag name"})
			return
		}
		s.tags[name] = 100 + s.msgID
		writeJSON(w, map[string]any{"tag": map[string]any{"id": 100 + s.msgID, "name": name}})
	case r.URL.Path == "/cgi-bin/material/batchget_material":
		var items []map[string]any
		for id, title := range Materials {
			items = append(items, map[string]any{"media_id": id, "update_time": 1764460800,
				"content": map[string]any{"news_item": []map[string]any{{"title": title}}}})
		}
		writeJSON(w, map[string]any{"total_count": len(items), "item_count": len(items), "item": items})
	case r.URL.Path == "/cgi-bin/tags/get":
		var tags []map[string]any
		for name, id := range s.tags {
			tags = append(tags, map[string]any{"id": id, "name": name, "count": 0})
		}
		writeJSON(w, map[string]any{"tags": tags})
	default:
		writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok"})
	}
}

func (s *Server) currentToken() string { return fmt.Sprintf("TOKEN-%d", s.token) }
