package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// One tap from a notification: a county contact opens the link of a
// template message inside WeChat; without a session the console asks
// WeChat who the reader is (网页授权, snsapi_base, no prompt), finds the
// county contact bound to that openid and signs them in, no password.
// Outside WeChat the usual login page is shown. In sandbox mode the
// authorisation step is a page of the console (bot.SandboxAuthorizePath).

const (
	wxStateCookie = "szr_wx_state"
	wxCallback    = "/console/wx/callback"
)

// inWeChat reports whether the request comes from WeChat's in-app browser.
func inWeChat(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("User-Agent"), "MicroMessenger")
}

// wechatRoutes registers the sign-in from WeChat; they need no session.
func (cs *console) wechatRoutes(r *gin.Engine) {
	r.GET("/console/wx/start", cs.wxStart)
	r.GET(wechat.SandboxAuthorizePath, cs.wxAuthorize)
	r.GET(wxCallback, cs.wxCallbackPage)
}

// publicBase is the service's public URL, or this request's origin when
// none is configured.
func (cs *console) publicBase(c *gin.Context) string {
	if cs.Leads.PublicURL() != "" {
		return cs.Leads.PublicURL()
	}
	scheme := "http"
	if secure(c) {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

type wxAuthData struct {
	State    string
	Next     string
	Contacts []option
}

func (cs *console) renderWx(c *gin.Context, status int, title, msg string, d wxAuthData) {
	p := cs.newPage(c, title, d)
	p.Error = msg
	cs.renderPage(c, status, "wxauth", p)
}

// wxStart: GET /console/wx/start?next= — off to WeChat's authorisation,
// with a one-time state kept in a cookie (with where to go afterwards).
func (cs *console) wxStart(c *gin.Context) {
	next := safeNext(c.Query("next"))
	b := make([]byte, 16)
	rand.Read(b)
	state := hex.EncodeToString(b)
	cs.setCookie(c, wxStateCookie, state+"|"+next, 600)
	target, err := cs.Bot.Client().OAuthURL(cs.publicBase(c)+wxCallback, state)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusFound, target)
}

// wxAuthorize: GET /console/wx/authorize — sandbox only: the page that
// stands in for WeChat's; choosing a reader goes to the callback with a
// code for that reader's openid.
func (cs *console) wxAuthorize(c *gin.Context) {
	if !cs.Bot.Client().Sandbox() {
		c.Status(http.StatusNotFound)
		return
	}
	if !localReader(c) {
		// Anyone who reaches this page may sign in as any bound contact:
		// it is for trying the service on one's own machine, never for a
		// sandbox instance others can reach.
		cs.renderWx(c, http.StatusForbidden, "模拟微信授权", "模拟微信授权只能在运行本服务的电脑上使用。", wxAuthData{})
		return
	}
	state := c.Query("state")
	ctx := c.Request.Context()
	if pick := c.Query("contact"); pick != "" {
		openID := "o-sandbox-unbound"
		if id, err := strconv.ParseUint(pick, 10, 64); err == nil && id > 0 {
			all, err := cs.Admin.BoundContacts(ctx)
			if err != nil {
				cs.failPage(c, err)
				return
			}
			for _, ct := range all {
				if ct.ID == id {
					openID = ct.OpenID
				}
			}
		}
		q := url.Values{"code": {wechat.SandboxOAuthCode(openID, cs.Now())}, "state": {state}}
		c.Redirect(http.StatusFound, wxCallback+"?"+q.Encode())
		return
	}
	all, err := cs.Admin.BoundContacts(ctx)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	d := wxAuthData{State: state}
	for _, ct := range all {
		d.Contacts = append(d.Contacts, option{strconv.FormatUint(ct.ID, 10), contactLabel(cs, ct)})
	}
	if len(d.Contacts) == 0 {
		cs.renderWx(c, http.StatusOK, "没有已绑定的县区联系人", "沙箱中还没有县区联系人绑定微信：请先在“县区”页生成绑定码，在模拟器中发送“绑定 绑定码”。", d)
		return
	}
	cs.renderWx(c, http.StatusOK, "模拟微信授权", "", d)
}

func contactLabel(cs *console, ct domain.Contact) string {
	name := ct.Name
	if name == "" {
		name = "未登记姓名的联系人"
	}
	return name + "（" + cs.countyName(ct.County) + "局）"
}

// wxCallbackPage: GET /console/wx/callback?code=&state= — WeChat comes
// back with a code; its openid must be a bound county contact.
func (cs *console) wxCallbackPage(c *gin.Context) {
	ctx := c.Request.Context()
	saved, _ := c.Cookie(wxStateCookie)
	state, next, _ := strings.Cut(saved, "|")
	cs.setCookie(c, wxStateCookie, "", -1)
	if state == "" || !sameToken(c.Query("state"), state) {
		cs.renderWx(c, http.StatusBadRequest, "授权已失效", "微信授权已失效，请从公众号消息中重新打开，或用账号密码登录。", wxAuthData{})
		return
	}
	openID, err := cs.Bot.Client().OAuthOpenID(ctx, c.Query("code"))
	if err != nil {
		if !wechat.IsOAuthCodeError(err) {
			cs.Log.Error("wechat web authorisation failed", slog.String("error", wechat.Mask(err.Error())))
		}
		cs.renderWx(c, http.StatusUnauthorized, "授权未成功", "未能通过微信确认您的身份，请从公众号消息中重新打开，或用账号密码登录。", wxAuthData{Next: next})
		return
	}
	token, acc, err := cs.Admin.WeChatSession(ctx, openID)
	if errors.Is(err, admin.ErrNotBound) {
		cs.renderWx(c, http.StatusForbidden, "尚未绑定", "您的微信尚未绑定为县级市（区）联系人。请向市局或本局管理员索取绑定码，在公众号中发送“绑定 绑定码”；也可以用账号密码登录。", wxAuthData{Next: next})
		return
	}
	if err != nil {
		cs.failPage(c, err)
		return
	}
	cs.auditLogin(c, acc.Username, acc, nil)
	cs.setCookie(c, sessionCookie, token, int(domain.TokenTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, safeNext(next))
}

// contactName is the name a county account signed in from WeChat gave when
// binding, or "".
func (cs *console) contactName(c *gin.Context, acc domain.Account) string {
	return cs.Admin.ContactName(c.Request.Context(), acc)
}

// localReader reports whether the request comes from this machine itself,
// not through a proxy.
func localReader(c *gin.Context) bool {
	if c.GetHeader("X-Forwarded-For") != "" || c.GetHeader("X-Real-IP") != "" || c.GetHeader("Forwarded") != "" {
		return false
	}
	ip := net.ParseIP(c.ClientIP())
	return ip != nil && ip.IsLoopback()
}
