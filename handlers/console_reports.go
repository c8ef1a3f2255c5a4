package handlers

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

type reportsData struct {
	admin.MonthlyReport
	CanConfirm bool
}

// reportsPage: GET /console/reports?month=YYYY-MM.
func (cs *console) reportsPage(c *gin.Context) {
	acc := account(c)
	r, err := cs.Admin.MonthlyReport(c.Request.Context(), acc, c.Query("month"))
	if err != nil {
		status, msg := apiStatus(err)
		if status != http.StatusBadRequest {
			cs.failPage(c, err)
			return
		}
		// A malformed month: show this month with the reason.
		if r, err = cs.Admin.MonthlyReport(c.Request.Context(), acc, ""); err != nil {
			cs.failPage(c, err)
			return
		}
		p := cs.newPage(c, "月报", reportsData{MonthlyReport: r, CanConfirm: acc.Can(domain.PermReportConfirm) && r.Finished})
		p.Error = msg
		cs.renderPage(c, status, "reports", p)
		return
	}
	cs.render(c, http.StatusOK, "reports", "月报", reportsData{MonthlyReport: r, CanConfirm: acc.Can(domain.PermReportConfirm) && r.Finished})
}

// reportConfirm: POST /console/reports/confirm (month), county accounts.
func (cs *console) reportConfirm(c *gin.Context) {
	month := c.PostForm("month")
	if _, err := cs.Admin.ConfirmReport(c.Request.Context(), account(c), month); err != nil {
		cs.failPage(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/reports?"+url.Values{"month": {month}, "ok": {"confirm"}}.Encode())
}

// reportDownload: GET /console/reports/download?month=&format=csv|xlsx.
func (cs *console) reportDownload(c *gin.Context) {
	r, err := cs.Admin.MonthlyReport(c.Request.Context(), account(c), c.Query("month"))
	if err != nil {
		cs.failPage(c, err)
		return
	}
	var (
		body  []byte
		ctype string
		ext   string
	)
	switch c.Query("format") {
	case "xlsx":
		body, err = r.XLSX()
		ctype, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
	case "csv", "":
		body, err = r.CSV()
		ctype, ext = "text/csv; charset=utf-8", "csv"
	default:
		cs.failPage(c, domain.Errorf(domain.ErrInvalid, "格式应为 csv 或 xlsx"))
		return
	}
	if err != nil {
		cs.failPage(c, err)
		return
	}
	name := "suzhirong-report-" + r.Month + "." + ext
	utf8Name := url.PathEscape("苏质融月报-" + r.Month + "." + ext)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"; filename*=UTF-8''`+utf8Name)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, ctype, body)
}
