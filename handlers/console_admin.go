package handlers

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/domain"
)

// auditLimit is how many entries the page shows; the export takes more.
const (
	auditLimit       = 200
	auditExportLimit = 5000
)

type auditRow struct {
	At            string // China time, to the second
	Who           string
	Actor         string
	Action        string
	Object        string
	Summary       string
	OK            bool
	Address       string
	Before, After string // pretty-printed JSON, or the stored text
}

type auditData struct {
	Rows    []auditRow
	Actions []string
	Filter  struct{ Person, Action, Object, From, To string }
	Query   string // the filter as a query string, for the export link
}

// auditFilter reads the page's filters: 人员, 操作, 对象, 起止日期.
func auditFilter(c *gin.Context, limit int) (domain.AuditFilter, *auditData, error) {
	d := &auditData{}
	d.Filter.Person, d.Filter.Action = strings.TrimSpace(c.Query("person")), strings.TrimSpace(c.Query("action"))
	d.Filter.Object, d.Filter.From, d.Filter.To = strings.TrimSpace(c.Query("object")), c.Query("from"), c.Query("to")
	f := domain.AuditFilter{Person: d.Filter.Person, Action: d.Filter.Action, Object: d.Filter.Object, Limit: limit}
	if d.Filter.From != "" {
		day, err := parseDay(d.Filter.From)
		if err != nil {
			return f, d, domain.Errorf(domain.ErrInvalid, "开始日期格式应为 YYYY-MM-DD")
		}
		f.From = day
	}
	if d.Filter.To != "" {
		day, err := parseDay(d.Filter.To)
		if err != nil {
			return f, d, domain.Errorf(domain.ErrInvalid, "结束日期格式应为 YYYY-MM-DD")
		}
		f.To = day.AddDate(0, 0, 1)
	}
	q := url.Values{}
	for k, v := range map[string]string{"person": d.Filter.Person, "action": d.Filter.Action, "object": d.Filter.Object,
		"from": d.Filter.From, "to": d.Filter.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	d.Query = q.Encode()
	return f, d, nil
}

func toAuditRow(l domain.AuditRecord) auditRow {
	who := l.Who
	if who == "" {
		who = l.Actor
	}
	action := l.Action
	if action == "" {
		action = "其他操作"
	}
	return auditRow{
		At: l.At.In(domain.Shanghai).Format("2006-01-02 15:04:05"), Who: who, Actor: l.Actor, Action: action,
		Object: l.Object, Summary: l.Summary, OK: l.Status < 400, Address: l.RemoteIP,
		Before: prettyJSON(l.Before), After: prettyJSON(l.After),
	}
}

// auditPage: GET /console/audit (officers) — 操作日志: every write from the
// console, the API and the chat, and every sign-in, newest first.
func (cs *console) auditPage(c *gin.Context) {
	f, d, ferr := auditFilter(c, auditLimit)
	var logs []domain.AuditRecord
	var err error
	if ferr == nil {
		if logs, err = cs.Admin.FindAudit(c.Request.Context(), account(c), f); err != nil {
			cs.failPage(c, err)
			return
		}
	}
	if d.Actions, err = cs.Admin.AuditActions(c.Request.Context(), account(c)); err != nil {
		cs.failPage(c, err)
		return
	}
	for _, l := range logs {
		d.Rows = append(d.Rows, toAuditRow(l))
	}
	p := cs.newPage(c, "操作日志", d)
	status := http.StatusOK
	if ferr != nil {
		status, p.Error = apiStatus(ferr)
	}
	cs.renderPage(c, status, "audit", p)
}

// auditDownload: GET /console/audit/export — the filtered log as xlsx.
func (cs *console) auditDownload(c *gin.Context) {
	f, _, err := auditFilter(c, auditExportLimit)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	logs, err := cs.Admin.FindAudit(c.Request.Context(), account(c), f)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "操作日志"
	x.SetSheetName("Sheet1", sheet)
	header := []any{"时间", "人员", "账号", "操作", "对象", "内容", "结果", "地址"}
	x.SetSheetRow(sheet, "A1", &header)
	for i, l := range logs {
		r := toAuditRow(l)
		result := "成功"
		if !r.OK {
			result = "未成功"
		}
		row := []any{r.At, r.Who, r.Actor, r.Action, r.Object, r.Summary, result, r.Address}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		x.SetSheetRow(sheet, cell, &row)
	}
	for col, w := range map[string]float64{"A": 20, "B": 22, "C": 16, "D": 14, "E": 24, "F": 48, "G": 8, "H": 16} {
		x.SetColWidth(sheet, col, col, w)
	}
	x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		cs.failPage(c, err)
		return
	}
	name := "操作日志-" + cs.Now().In(domain.Shanghai).Format("20060102") + ".xlsx"
	c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
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
		cs.passwordError(c, domain.Errorf(domain.ErrInvalid, "两次输入的新密码不一致"))
		return
	}
	err := cs.Admin.ChangePassword(c.Request.Context(), account(c), c.PostForm("current"), next, c.GetString(sessionCookie),
		c.ClientIP())
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
