package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
)

// monthlyReport: GET /api/v1/reports/monthly?month=YYYY-MM&format=json|csv|xlsx.
func (s *Server) monthlyReport(c *gin.Context) {
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" && format != "xlsx" {
		s.fail(c, domain.Errorf(domain.ErrInvalid, "format 应为 json、csv 或 xlsx"))
		return
	}
	r, err := s.Admin.MonthlyReport(c.Request.Context(), account(c), c.Query("month"))
	if err != nil {
		s.fail(c, err)
		return
	}
	name := "suzhirong-report-" + r.Month
	switch format {
	case "csv":
		b, err := r.CSV()
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		c.Data(http.StatusOK, "text/csv; charset=utf-8", b)
	case "xlsx":
		b, err := r.XLSX()
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
	default:
		c.JSON(http.StatusOK, r)
	}
}

// confirmReport: POST /api/v1/reports/monthly/confirm {"month"} (county accounts, their own county).
func (s *Server) confirmReport(c *gin.Context) {
	var req struct {
		Month string `json:"month"`
	}
	if !s.bind(c, &req) {
		return
	}
	row, err := s.Admin.ConfirmReport(c.Request.Context(), account(c), req.Month)
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, nil, row)
	c.JSON(http.StatusOK, row)
}
