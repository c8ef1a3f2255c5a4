package handlers

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

type workdayRow struct {
	Date string
	Work bool
}

type settingsData struct {
	admin.Settings
	LPRText  string // the LPR as the form shows it, or as it was typed
	DateText string
	Days     []workdayRow // newest first
	Reach    int          // WeChat users SLA escalations reach
}

func newSettingsData(s admin.Settings) *settingsData {
	d := &settingsData{Settings: s, LPRText: strconv.FormatFloat(s.LPR, 'f', 2, 64), DateText: s.LPRDate}
	for _, day := range slices.Sorted(maps.Keys(s.Workdays)) {
		d.Days = append(d.Days, workdayRow{Date: day, Work: s.Workdays[day] == "work"})
	}
	slices.Reverse(d.Days)
	return d
}

// settingsPage: GET /console/settings (officers).
func (cs *console) settingsPage(c *gin.Context) {
	s, err := cs.Admin.Settings(c.Request.Context(), account(c))
	if err != nil {
		cs.failPage(c, err)
		return
	}
	d := newSettingsData(s)
	if d.Reach, err = cs.Admin.EscalationReach(c.Request.Context()); err != nil {
		cs.failPage(c, err)
		return
	}
	cs.render(c, http.StatusOK, "settings", "设置", d)
}

// settingsError shows the settings again with err's message; keep puts
// back what was typed.
func (cs *console) settingsError(c *gin.Context, err error, keep func(*settingsData)) {
	status, msg := apiStatus(err)
	if status == http.StatusForbidden || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	s, serr := cs.Admin.Settings(c.Request.Context(), account(c))
	if serr != nil {
		cs.failPage(c, serr)
		return
	}
	d := newSettingsData(s)
	d.Reach, _ = cs.Admin.EscalationReach(c.Request.Context())
	if keep != nil {
		keep(d)
	}
	p := cs.newPage(c, "设置", d)
	p.Error = msg
	cs.renderPage(c, status, "settings", p)
}

// lprSubmit: POST /console/settings/lpr (lpr in percent, date).
func (cs *console) lprSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	raw, date := strings.TrimSpace(c.PostForm("lpr")), strings.TrimSpace(c.PostForm("date"))
	keep := func(d *settingsData) { d.LPRText, d.DateText = raw, date }
	rate, err := strconv.ParseFloat(strings.TrimSuffix(raw, "%"), 64)
	if err != nil {
		cs.settingsError(c, domain.Errorf(domain.ErrInvalid, "LPR 应为百分数，如 3.00"), keep)
		return
	}
	// Workdays nil: the overrides stay as they are.
	before, _, err := cs.Admin.UpdateSettings(ctx, account(c), admin.Settings{LPR: rate, LPRDate: date})
	if err == nil {
		if date > cs.Now().In(domain.Shanghai).Format("2006-01-02") {
			// A rate for a later day is a new entry of the schedule; the
			// rate in force is unchanged.
			actionIs(c, "安排LPR")
			setAudit(c, nil, gin.H{"lpr": rate, "lpr_date": date})
		} else {
			setAudit(c, gin.H{"lpr": before.LPR, "lpr_date": before.LPRDate}, gin.H{"lpr": rate, "lpr_date": date})
		}
	}
	if err != nil {
		cs.settingsError(c, err, keep)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/settings?ok=lpr")
}

// workdaysSubmit: POST /console/settings/workdays — add one override (date,
// kind off|work) or remove one (remove=date).
func (cs *console) workdaysSubmit(c *gin.Context) {
	ctx := c.Request.Context()
	acc := account(c)
	s, err := cs.Admin.Settings(ctx, acc)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	if day := c.PostForm("remove"); day != "" {
		delete(s.Workdays, day)
	} else {
		day := strings.TrimSpace(c.PostForm("date"))
		if _, err := parseDay(day); err != nil {
			cs.settingsError(c, domain.Errorf(domain.ErrInvalid, "请选择要调整的日期"), nil)
			return
		}
		s.Workdays[day] = c.PostForm("kind")
	}
	before, after, err := cs.Admin.UpdateSettings(ctx, acc, s)
	if err == nil {
		setAudit(c, gin.H{"workdays_overrides": before.Workdays}, gin.H{"workdays_overrides": after.Workdays})
	}
	if err != nil {
		cs.settingsError(c, err, nil)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/settings?ok=workdays")
}
