package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// auditLimit is how many entries the audit page shows.
const auditLimit = 200

type auditRow struct {
	At            string // China time, to the second
	Actor, Role   string
	Method, Route string
	Target        string
	Status        int
	Before, After string // pretty-printed JSON, or the stored text
}

// auditPage: GET /console/audit (officers) — the latest writes of the API
// and the console, newest first.
func (cs *console) auditPage(c *gin.Context) {
	if err := account(c).Require(dialog.PermAuditRead); err != nil {
		cs.failPage(c, err)
		return
	}
	logs, err := cs.DB.AuditLogs(c.Request.Context(), auditLimit)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	rows := make([]auditRow, 0, len(logs))
	for _, l := range logs {
		rows = append(rows, auditRow{
			At: l.At.In(dialog.Shanghai).Format("2006-01-02 15:04:05"), Actor: l.Actor, Role: l.Role,
			Method: l.Method, Route: l.Route, Target: l.Target, Status: l.Status,
			Before: prettyJSON(l.Before), After: prettyJSON(l.After),
		})
	}
	cs.render(c, http.StatusOK, "audit", "审计日志", rows)
}

// prettyJSON indents stored JSON for reading, with <, > and & as they are
// (the page escapes them); anything that is not JSON comes back unchanged.
func prettyJSON(s string) string {
	if s == "" {
		return ""
	}
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return s
	}
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		return s
	}
	return string(bytes.TrimRight(buf.Bytes(), "\n"))
}

// passwordPage: GET /console/password — any account changes its own password.
func (cs *console) passwordPage(c *gin.Context) {
	cs.render(c, http.StatusOK, "password", "修改密码", nil)
}

// passwordSubmit: POST /console/password (current, new, repeat). The
// account's other sessions end; this one stays open.
func (cs *console) passwordSubmit(c *gin.Context) {
	next := c.PostForm("new")
	if next != c.PostForm("repeat") {
		cs.passwordError(c, dialog.Errorf(dialog.ErrInvalid, "两次输入的新密码不一致"))
		return
	}
	err := cs.DB.ChangePassword(c.Request.Context(), account(c).ID, c.PostForm("current"), next, c.GetString(sessionCookie),
		c.ClientIP(), cs.Now())
	if err != nil {
		cs.logLoginFailure(c, account(c).Username, err)
		cs.passwordError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/password?ok=password")
}

// passwordError shows the form again with err's message.
func (cs *console) passwordError(c *gin.Context, err error) {
	status, msg := apiStatus(err)
	if status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	p := cs.newPage(c, "修改密码", nil)
	p.Error = msg
	cs.renderPage(c, status, "password", p)
}
