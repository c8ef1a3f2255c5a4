package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

// statusColors are the dashboard's colours of the lead statuses, in the
// order of dialog.Statuses.
var statusColors = map[string]string{
	domain.StatusSubmitted:   "#f0b429",
	domain.StatusContacted:   "#4c8ee6",
	domain.StatusReviewing:   "#1d5fbf",
	domain.StatusPreApproved: "#8b6fd6",
	domain.StatusContracted:  "#5b3aa8",
	domain.StatusDisbursed:   "#1e8e5a",
	domain.StatusApproved:    "#38b27a",
	domain.StatusRejected:    "#d9534f",
	domain.StatusWithdrawn:   "#aab2bd",
}

type dashboardData struct {
	admin.Dashboard
	Leads, Checks, Followers barChart
	TierRows                 []tierRow
	// Unreceived are the counties without a bound contact.
	Unreceived []leads.Unreceived
	// LPRStale is the date of the LPR in force when it is more than 12
	// months old: rate caps are computed from it.
	LPRStale string
	LPR      float64
}

type tierRow struct {
	Label string
	Count int64
}

var tierLabels = []struct{ key, label string }{
	{"1", "Ⅰ类"}, {"2", "Ⅱ类"}, {"3", "Ⅲ类"}, {"4", "Ⅳ类"}, {"0", "暂未达标"},
}

func dashboardCharts(d admin.Dashboard) dashboardData {
	out := dashboardData{Dashboard: d}
	rows := make([]string, len(d.Counties))
	for i, c := range d.Counties {
		rows[i] = c.Name
	}
	out.Leads = barChart{Width: 1100, Title: d.Month + " 申请（按县区、当前状态）", Rows: rows, Unit: "件"}
	for _, st := range domain.Statuses {
		s := series{Key: st, Name: domain.StatusLabel(st), Color: statusColors[st], Values: make([]float64, len(rows))}
		seen := false
		for i, c := range d.Counties {
			s.Values[i] = float64(c.ByStatus[st])
			seen = seen || c.ByStatus[st] > 0
		}
		if seen {
			out.Leads.Series = append(out.Leads.Series, s)
		}
	}
	checks := series{Name: "自检", Color: "#1d5fbf"}
	for _, t := range tierLabels {
		out.TierRows = append(out.TierRows, tierRow{Label: t.label, Count: d.Tiers[t.key]})
		checks.Values = append(checks.Values, float64(d.Tiers[t.key]))
	}
	tierNames := make([]string, len(tierLabels))
	for i, t := range tierLabels {
		tierNames[i] = t.label
	}
	out.Checks = barChart{Title: d.Month + " 自检结果（按类别）", Rows: tierNames, Series: []series{checks}, Unit: "家"}
	earlier := series{Name: "此前关注", Color: "#9bbbe8", Values: make([]float64, len(rows))}
	month := series{Name: "本月新增", Color: "#1d5fbf", Values: make([]float64, len(rows))}
	for i, c := range d.Counties {
		month.Values[i] = float64(c.FollowersMonth)
		earlier.Values[i] = float64(c.Followers - c.FollowersMonth)
	}
	out.Followers = barChart{Title: "县区海报二维码带来的关注", Rows: rows, Series: []series{earlier, month}, Unit: "人"}
	return out
}

// dashboardPage: GET /console/dashboard?month=YYYY-MM.
func (cs *console) dashboardPage(c *gin.Context) {
	d, err := cs.Admin.Dashboard(c.Request.Context(), account(c), c.Query("month"))
	if err != nil {
		cs.failPage(c, err)
		return
	}
	out := dashboardCharts(d)
	ctx, acc := c.Request.Context(), account(c)
	if out.Unreceived, err = cs.Leads.Unreceived(ctx, acc); err != nil {
		cs.failPage(c, err)
		return
	}
	if acc.Can(domain.PermSettings) {
		set, err := cs.Admin.Settings(ctx, acc)
		if err != nil {
			cs.failPage(c, err)
			return
		}
		if lprStale(set.LPRDate, cs.Now()) {
			out.LPRStale, out.LPR = set.LPRDate, set.LPR
		}
	}
	cs.render(c, http.StatusOK, "dashboard", "数据概览", out)
}

// lprStale reports whether the LPR dated date (YYYY-MM-DD) is more than
// 12 months old at now: the LPR is announced monthly, so a rate that old
// was not kept current.
func lprStale(date string, now time.Time) bool {
	day, err := time.ParseInLocation("2006-01-02", date, domain.Shanghai)
	return err == nil && day.AddDate(1, 0, 0).Before(now)
}
