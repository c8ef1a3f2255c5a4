package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/templates"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// The web console under /console/ and the simulator under /simulator: HTML
// pages for office users. A console session is an API token (admin.Login)
// kept in an HttpOnly cookie; every POST carries a CSRF token derived from
// the session (a hidden field, or the X-CSRF-Token header for the
// simulator's script), and the login form a double-submit token of its own.

const (
	sessionCookie   = "szr_session"
	loginCSRFCookie = "szr_login_csrf"
	csrfField       = "csrf"
	csrfHeader      = "X-CSRF-Token"
	csrfKey         = "csrf"
)

// console holds the parsed pages and the engine the simulator posts to.
type console struct {
	*Server
	pages  *template.Template
	engine http.Handler
}

// consoleRoutes registers the console's and the simulator's routes.
func (s *Server) consoleRoutes(r *gin.Engine) {
	cs := &console{Server: s, engine: r}
	pages, err := templates.Console(cs.funcs())
	if err != nil {
		// The pages are embedded: a parse error is a defect of the build,
		// caught by the templates tests.
		panic(err)
	}
	cs.pages = pages

	static := http.StripPrefix("/console/static/", http.FileServerFS(templates.Static()))
	r.GET("/console/static/*file", func(c *gin.Context) {
		if strings.HasSuffix(c.Param("file"), "/") {
			// No directory listings.
			c.String(http.StatusNotFound, "404 page not found")
			return
		}
		if c.Query("v") == templates.StaticVersion {
			c.Header("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Header("Cache-Control", "public, max-age=3600")
		}
		static.ServeHTTP(c.Writer, c.Request)
	})
	r.GET("/console", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/console/") })
	r.GET("/console/login", cs.loginPage)
	r.POST("/console/login", cs.loginSubmit)
	cs.wechatRoutes(r)

	// Every form post is checked for its CSRF token, then audited like
	// the API's writes.
	g := r.Group("", cs.session, cs.checkCSRF, s.audited)
	g.POST("/console/logout", cs.logoutSubmit)
	g.GET("/console/", cs.todoPage)
	g.GET("/console/leads", cs.leadsPage)
	g.GET("/console/leads/:id", cs.leadPage)
	g.POST("/console/leads/:id/status", cs.leadStatusSubmit)
	g.GET("/console/leads/:id/status", staleConfirm("/console/leads/:id"))
	g.GET("/console/leads/:id/deals", staleConfirm("/console/leads/:id"))
	g.POST("/console/leads/:id/notes", cs.leadNoteSubmit)
	g.POST("/console/leads/:id/correct", cs.leadCorrectSubmit)
	g.GET("/console/dashboard", cs.dashboardPage)
	g.GET("/console/counties", cs.countiesPage)
	g.GET("/console/counties/:county", cs.countyPage)
	g.POST("/console/counties/:county/contact", cs.countyContactSubmit)
	g.POST("/console/counties/:county/bind-codes", cs.bindCodeSubmit)
	g.POST("/console/counties/:county/bind-codes/:code/revoke", cs.bindCodeRevoke)
	g.POST("/console/counties/:county/unbind", cs.unbindSubmit)
	g.POST("/console/counties/:county/qrcode", cs.qrSubmit)
	g.GET("/console/counties/:county/qrcode.png", cs.qrImage)
	g.GET("/console/broadcasts", cs.broadcastsPage)
	g.POST("/console/broadcasts", cs.broadcastCreate)
	g.POST("/console/broadcasts/tags", cs.tagsSync)
	g.POST("/console/broadcasts/:id/preview", cs.broadcastPreview)
	g.POST("/console/broadcasts/:id/send", cs.broadcastSend)
	g.GET("/console/broadcasts/:id/send", staleConfirm("/console/broadcasts"))
	g.POST("/console/broadcasts/:id/edit", cs.broadcastEdit)
	g.POST("/console/broadcasts/:id/delete", cs.broadcastDelete)
	g.GET("/console/reports", cs.reportsPage)
	g.POST("/console/reports/confirm", cs.reportConfirm)
	g.GET("/console/reports/download", cs.reportDownload)
	g.GET("/console/settings", cs.settingsPage)
	g.POST("/console/settings/lpr", cs.lprSubmit)
	g.POST("/console/settings/workdays", cs.workdaysSubmit)
	g.GET("/console/sandbox", cs.sandboxPage)
	g.GET("/console/audit", cs.auditPage)
	g.GET("/console/audit/export", cs.auditDownload)
	g.GET("/console/accounts", cs.accountsPage)
	g.POST("/console/accounts", cs.accountCreate)
	g.POST("/console/accounts/:id/:action", cs.accountAction)
	g.GET("/console/tickets", cs.ticketsPage)
	g.GET("/console/tickets/:id", cs.ticketPage)
	g.POST("/console/tickets/:id/reply", cs.ticketReplySubmit)
	g.POST("/console/tickets/:id/close", cs.ticketCloseSubmit)
	g.POST("/console/tickets/:id/handover", cs.ticketHandOverSubmit)
	g.POST("/console/tickets/:id/teach", cs.ticketTeachSubmit)
	g.GET("/console/unplaced", cs.unplacedPage)
	g.POST("/console/unplaced/:id/attach", cs.unplacedAttach)
	g.POST("/console/unplaced/:id/answer", cs.unplacedAnswer)
	g.POST("/console/unplaced/:id/dismiss", cs.unplacedDismiss)
	g.POST("/console/unplaced/:id/send", cs.unplacedSend)
	g.POST("/console/taught/faqs/:faq", cs.taughtFAQSubmit)
	g.POST("/console/taught/faqs/:faq/delete", cs.taughtFAQDelete)
	g.POST("/console/taught/paraphrases/:id/delete", cs.taughtParaphraseDelete)
	g.GET("/console/understanding", cs.seedEditingPage)
	g.POST("/console/understanding/faqs/:faq", cs.seedFAQSubmit)
	g.POST("/console/understanding/intents/:intent/disable", cs.seedParaphraseDisable)
	g.POST("/console/understanding/intents/:intent/enable", cs.seedParaphraseEnable)
	g.GET("/console/password", cs.passwordPage)
	g.POST("/console/password", cs.passwordSubmit)
	g.GET("/simulator", cs.simulatorPage)
	g.POST("/simulator/send", cs.simulatorSend)
	g.GET("/simulator/inbox", cs.simulatorInbox)
	cs.programmeRoutes(g)
}

// funcs are the page helpers that need the service.
func (cs *console) funcs() template.FuncMap {
	return template.FuncMap{
		"status":       domain.StatusLabel,
		"kind":         domain.LeadKindLabel,
		"countyName":   cs.countyName,
		"ticketStatus": domain.TicketStatusLabel,
		"roleLabel":    roleLabel,
		"product":      cs.productName,
		"reportRow":    reportRow,
		"person":       personLabel,
	}
}

// personLabel shows a stored author ("account:ks", "seed", "wechat:o…")
// as people read it: a username, 初始设置, 微信联系人 — never a prefix or an
// openid.
func personLabel(by string) string {
	kind, id, found := strings.Cut(by, ":")
	switch {
	case by == "seed" || by == "bootstrap":
		return "初始设置"
	case !found:
		return by
	case kind == "account":
		return id
	case kind == "wechat":
		return "微信联系人"
	case kind == "enterprise":
		return "企业"
	}
	return "系统"
}

func (cs *console) countyName(id string) string {
	if cs.Bot != nil {
		if c, ok := cs.Bot.Policy().County(id); ok {
			return c.Name
		}
	}
	return id
}

func (cs *console) productName(id string) string {
	if cs.Bot != nil {
		if p, ok := cs.Bot.Policy().Product(id); ok {
			return p.Name
		}
	}
	return id
}

// reportLine is a row of the monthly report table with its product cells.
type reportLine struct {
	Row      admin.ReportRow
	Products []string
	Names    []string // the products' names, beside Products
}

func reportRow(r admin.ReportRow, products []admin.ReportProduct) reportLine {
	l := reportLine{Row: r}
	for _, p := range products {
		l.Names = append(l.Names, p.Name)
		t := r.ByProduct[p.ID]
		if t.Count == 0 {
			l.Products = append(l.Products, "0")
			continue
		}
		l.Products = append(l.Products, fmt.Sprintf("%d笔 / %s", t.Count, strconv.FormatFloat(t.Wan, 'f', -1, 64)))
	}
	return l
}

func roleLabel(role string) string {
	switch role {
	case domain.RoleOfficer:
		return "市局管理员"
	case domain.RoleCounty:
		return "县级市（区）"
	case domain.RoleViewer:
		return "只读"
	case domain.RoleInstitution:
		return "合作金融机构"
	}
	return role
}

// page is what every console page renders: the layout's parts and the
// page's own Data.
type page struct {
	Title   string
	Nav     string
	Account domain.Account
	CSRF    string
	Sandbox bool
	Notice  string
	Error   string
	Data    any
	display string // the reader's name when known (a contact signed in from WeChat)
}

// Who is how the header names the reader.
func (p page) Who() string {
	if p.display != "" {
		return p.display
	}
	if p.Account.Name != "" {
		return p.Account.Name
	}
	return p.Account.Username
}

// CanWrite reports whether the page shows forms that change data.
// Specialists write too: on the applications referred to them.
func (p page) CanWrite() bool {
	return p.Account.Can(domain.PermLeadsWrite) || p.Account.Can(domain.PermDealWrite)
}

// Can reports whether the reader holds a permission, for the navigation.
func (p page) Can(perm string) bool { return p.Account.Can(domain.Perm(perm)) }

// Officer reports whether the reader is a city officer.
func (p page) Officer() bool { return p.Account.Role == domain.RoleOfficer }

// render writes a page with status.
func (cs *console) render(c *gin.Context, status int, name, title string, data any) {
	cs.renderPage(c, status, name, cs.newPage(c, title, data))
}

func (cs *console) newPage(c *gin.Context, title string, data any) page {
	p := page{Title: title, Data: data, Notice: notices[c.Query("ok")]}
	if v, ok := c.Get(accountKey); ok {
		p.Account, _ = v.(domain.Account)
	}
	p.CSRF = c.GetString(csrfKey)
	p.display = cs.contactName(c, p.Account)
	p.Sandbox = cs.Bot != nil && cs.Bot.Client() != nil && cs.Bot.Client().Sandbox()
	return p
}

func (cs *console) renderPage(c *gin.Context, status int, name string, p page) {
	if p.Nav == "" {
		p.Nav = name
	}
	refused(c, p.Error)
	var buf strings.Builder
	if err := cs.pages.ExecuteTemplate(&buf, name, p); err != nil {
		cs.Log.Error("console page not rendered", slog.String("page", name), slog.Any("error", err))
		c.String(http.StatusInternalServerError, "页面渲染失败")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("X-Frame-Options", "DENY")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Referrer-Policy", "same-origin")
	c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	c.Data(status, "text/html; charset=utf-8", []byte(buf.String()))
}

// notices are the confirmations shown after a form redirects (?ok=…).
var notices = map[string]string{
	"status":          "状态已更新，相关通知已加入发送队列。",
	"robot":           "群机器人地址已保存。",
	"unbind":          "已解除绑定。",
	"lpr":             "LPR 已登记，自生效日期起用于利率测算和“苏质贷”利率上限核对。",
	"stale":           "该确认页已失效（刷新或从浏览记录打开确认页不会再次提交）。请在本页重新操作。",
	"workdays":        "工作日调整已保存。",
	"qr":              "二维码已生成。",
	"contact":         "联系人信息已保存。",
	"bc":              "群发消息已创建。",
	"preview":         "预览已发送。",
	"send":            "已提交群发。",
	"confirm":         "月报已确认。",
	"password":        "密码已修改，本账号在其他地方的登录已失效。",
	"account":         "账号已创建。请把用户名和初始密码交给本人，首次登录时须修改密码。",
	"disable":         "账号已停用，其所有登录已失效。",
	"enable":          "账号已启用。",
	"bcedit":          "草稿已保存。",
	"code":            "绑定码已生成，见下方“未使用的绑定码”。",
	"revoke":          "绑定码已撤销，不能再使用。",
	"bcdelete":        "草稿已删除。",
	"bindcode":        "绑定码已生成：请在24小时内用本人微信关注公众号并发送“绑定 绑定码”。",
	"note":            "跟进记录已保存。",
	"correct":         "状态已更正，已记入办理记录。",
	"deal":            "放款已登记，计入当月融资成交明细，企业将收到通知。",
	"dealchange":      "放款登记已更正（或撤销），已记入办理记录和操作日志，月报随之更新。",
	"ticket_reply":    "答复已加入发送队列：48小时内发过消息的企业收到客服消息，否则收到模板消息提醒查看。",
	"ticket_closed":   "已关闭该咨询。企业再次要求人工时会生成新的咨询。",
	"ticket_handover": "已转交，对方县级市（区）的联络员已收到通知。",
}

// staleConfirm answers a GET of a form's address (a confirmation page
// reloaded, or opened again from the history) by sending the browser back
// to the page the form is on, which says so: nothing is submitted again.
func staleConfirm(page string) gin.HandlerFunc {
	return func(c *gin.Context) {
		to := strings.ReplaceAll(page, ":id", url.PathEscape(c.Param("id")))
		c.Redirect(http.StatusSeeOther, to+"?ok=stale")
	}
}

// errorData is the data of the error page.
type errorData struct {
	Status  int
	Message string
}

// failPage renders the error page for err with the status apiStatus gives;
// a county account asking for another county's lead gets 404 like any
// unknown lead.
func (cs *console) failPage(c *gin.Context, err error) {
	status, msg := apiStatus(err)
	if status >= http.StatusInternalServerError {
		cs.Log.Error("console request failed", slog.String("method", c.Request.Method), slog.String("path", c.FullPath()),
			slog.String("error", wechat.Mask(err.Error())))
	}
	if status == http.StatusNotFound {
		msg = "未找到该页面或记录，或您无权查看。"
	}
	refused(c, msg)
	cs.render(c, status, "error", "出错了", errorData{Status: status, Message: msg})
	c.Abort()
}

// secure reports whether the browser reached us over TLS, directly or
// through a proxy that says so.
func secure(c *gin.Context) bool {
	return c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https")
}

func (cs *console) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		Secure: secure(c), HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// csrfFor derives a session's CSRF token: an HMAC of a fixed label keyed
// by the session token, so it needs no storage and reveals nothing.
func csrfFor(session string) string {
	m := hmac.New(sha256.New, []byte(session))
	m.Write([]byte("szr console csrf"))
	return hex.EncodeToString(m.Sum(nil))
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// session lets requests with a valid console session through, with the
// account and the CSRF token in the context; others go to the login page
// (pages) or get 401 (the simulator's script).
func (cs *console) session(c *gin.Context) {
	token, _ := c.Cookie(sessionCookie)
	acc, err := cs.Admin.Authenticate(c.Request.Context(), token)
	if err != nil {
		if !errors.Is(err, domain.ErrUnauthorized) {
			cs.failPage(c, err)
			return
		}
		if c.Request.Method == http.MethodGet && inWeChat(c) && strings.HasPrefix(c.Request.URL.Path, "/console/") {
			// Inside WeChat a bound contact is signed in by WeChat itself.
			c.Redirect(http.StatusSeeOther, "/console/wx/start?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		} else if c.Request.Method == http.MethodGet && !strings.HasPrefix(c.Request.URL.Path, "/simulator/") {
			c.Redirect(http.StatusSeeOther, "/console/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		} else if strings.HasPrefix(c.Request.URL.Path, "/simulator/") {
			c.JSON(http.StatusUnauthorized, gin.H{"error": "登录已失效，请重新登录"})
		} else {
			c.Redirect(http.StatusSeeOther, "/console/login")
		}
		c.Abort()
		return
	}
	c.Set(accountKey, acc)
	c.Set(csrfKey, csrfFor(token))
	c.Set(sessionCookie, token)
	if acc.MustChangePassword && c.Request.URL.Path != "/console/password" && c.Request.URL.Path != "/console/logout" {
		// A generated or reset password is changed before anything else.
		if strings.HasPrefix(c.Request.URL.Path, "/simulator/") {
			c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"error": "请先修改初始密码"})
			return
		}
		c.Redirect(http.StatusSeeOther, "/console/password")
		c.Abort()
		return
	}
	c.Next()
}

// checkCSRF answers 403 to a POST whose CSRF token is missing or wrong.
func (cs *console) checkCSRF(c *gin.Context) {
	if c.Request.Method != http.MethodPost {
		c.Next()
		return
	}
	got := c.GetHeader(csrfHeader)
	if got == "" {
		got = c.PostForm(csrfField)
	}
	if !sameToken(got, c.GetString(csrfKey)) {
		cs.Log.Warn("console csrf token refused", slog.String("path", c.Request.URL.Path), slog.String("ip", c.ClientIP()))
		c.Header("Cache-Control", "no-store")
		c.String(http.StatusForbidden, "页面已过期或来源不明，为安全起见本次操作未执行，请刷新页面后重试。")
		c.Abort()
		return
	}
	c.Next()
}

type loginData struct {
	Username string
	Next     string
	Error    string
}

func (cs *console) loginPage(c *gin.Context) {
	// A session already open goes straight in.
	if token, _ := c.Cookie(sessionCookie); token != "" {
		if _, err := cs.Admin.Authenticate(c.Request.Context(), token); err == nil {
			c.Redirect(http.StatusSeeOther, safeNext(c.Query("next")))
			return
		}
	}
	cs.renderLogin(c, http.StatusOK, loginData{Next: c.Query("next")})
}

func (cs *console) renderLogin(c *gin.Context, status int, d loginData) {
	b := make([]byte, 32)
	rand.Read(b)
	token := hex.EncodeToString(b)
	cs.setCookie(c, loginCSRFCookie, token, 3600)
	p := cs.newPage(c, "登录", d)
	p.CSRF = token
	p.Error = d.Error
	cs.renderPage(c, status, "login", p)
}

func (cs *console) loginSubmit(c *gin.Context) {
	want, _ := c.Cookie(loginCSRFCookie)
	if !sameToken(c.PostForm(csrfField), want) {
		c.String(http.StatusForbidden, "页面已过期或来源不明，为安全起见未登录，请刷新登录页后重试。")
		return
	}
	d := loginData{Username: strings.TrimSpace(c.PostForm("username")), Next: c.PostForm("next")}
	token, acc, err := cs.Admin.Login(c.Request.Context(), d.Username, c.PostForm("password"), c.ClientIP())
	cs.auditLogin(c, d.Username, acc, err)
	if err != nil {
		cs.logLoginFailure(c, d.Username, err)
		status, msg := apiStatus(err)
		if status >= http.StatusInternalServerError {
			cs.Log.Error("console login failed", slog.Any("error", err))
		}
		if m := domain.Message(err); m != "" {
			msg = m // the lockout's message says until when
		}
		d.Error = msg
		cs.renderLogin(c, status, d)
		return
	}
	cs.setCookie(c, loginCSRFCookie, "", -1)
	cs.setCookie(c, sessionCookie, token, int(domain.TokenTTL/time.Second))
	if acc.MustChangePassword {
		c.Redirect(http.StatusSeeOther, "/console/password")
		return
	}
	c.Redirect(http.StatusSeeOther, safeNext(d.Next))
}

func (cs *console) logoutSubmit(c *gin.Context) {
	if err := cs.Admin.Logout(c.Request.Context(), c.GetString(sessionCookie)); err != nil {
		cs.failPage(c, err)
		return
	}
	cs.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/console/login")
}
