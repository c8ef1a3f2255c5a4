package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
)

// leadsPerPage is the size of a page of the leads table.
const leadsPerPage = 20

// option is one choice of a select.
type option struct {
	Value, Label string
}

type leadsFilter struct {
	County, Status, Kind, From, To, Search string
}

type leadsData struct {
	Filter   leadsFilter
	Counties []option
	Statuses []option
	Kinds    []option
	Leads    []leadRow
	Total    int64
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
}

func statusOptions() []option {
	out := make([]option, 0, len(domain.Statuses))
	for _, st := range domain.Statuses {
		out = append(out, option{st, domain.StatusLabel(st)})
	}
	return out
}

func kindOptions() []option {
	return []option{{domain.LeadApply, domain.LeadKindLabel(domain.LeadApply)}, {domain.LeadNeed, domain.LeadKindLabel(domain.LeadNeed)}}
}

// countyOptions lists the counties the account may choose: all for the
// city, its own for a county account.
func (cs *console) countyOptions(acc domain.Account) []option {
	var out []option
	for _, c := range cs.Bot.Policy().Counties {
		if acc.Sees(c.ID) {
			out = append(out, option{c.ID, c.Name})
		}
	}
	return out
}

// parseDay reads a yyyy-mm-dd date as the start of that day in Shanghai.
func parseDay(s string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02", s, domain.Shanghai)
}

// leadQuery turns the filter form into a store query scoped to what acc may
// see, the same scope as leads.Service.List: a county account only ever gets
// its own county.
func (cs *console) leadQuery(acc domain.Account, f leadsFilter, pageNo int) (domain.LeadQuery, error) {
	q := domain.LeadQuery{LeadFilter: domain.LeadFilter{County: f.County, Status: f.Status, Kind: f.Kind, Limit: leadsPerPage},
		Search: f.Search, Offset: (pageNo - 1) * leadsPerPage}
	if f.County != "" {
		if _, ok := cs.Bot.Policy().County(f.County); !ok {
			return q, domain.Errorf(domain.ErrInvalid, "未知的县级市（区）“%s”", f.County)
		}
	}
	if f.Status != "" && !domain.ValidStatus(f.Status) {
		return q, domain.Errorf(domain.ErrInvalid, "未知的状态“%s”", f.Status)
	}
	if f.Kind != "" && !domain.ValidKind(f.Kind) {
		return q, domain.Errorf(domain.ErrInvalid, "未知的类型“%s”", f.Kind)
	}
	if f.From != "" {
		t, err := parseDay(f.From)
		if err != nil {
			return q, domain.Errorf(domain.ErrInvalid, "起始日期应为 年-月-日")
		}
		q.From = t
	}
	if f.To != "" {
		t, err := parseDay(f.To)
		if err != nil {
			return q, domain.Errorf(domain.ErrInvalid, "截止日期应为 年-月-日")
		}
		q.To = t.AddDate(0, 0, 1)
	}
	return q, nil
}

// leadsPage: GET /console/leads?county=&status=&kind=&from=&to=&q=&page=.
func (cs *console) leadsPage(c *gin.Context) {
	acc := account(c)
	f := leadsFilter{County: c.Query("county"), Status: c.Query("status"), Kind: c.Query("kind"),
		From: c.Query("from"), To: c.Query("to"), Search: strings.TrimSpace(c.Query("q"))}
	pageNo, _ := strconv.Atoi(c.Query("page"))
	pageNo = max(pageNo, 1)
	d := leadsData{Filter: f, Counties: cs.countyOptions(acc), Statuses: statusOptions(), Kinds: kindOptions(), Page: pageNo}
	p := cs.newPage(c, "申请", &d)
	q, err := cs.leadQuery(acc, f, pageNo)
	if err == nil {
		var found []domain.Lead
		found, d.Total, err = cs.Leads.Search(c.Request.Context(), acc, q)
		if err == nil {
			d.Leads, err = cs.rows(c.Request.Context(), found)
		}
	}
	if err != nil {
		status, msg := apiStatus(err)
		if status >= http.StatusInternalServerError {
			cs.failPage(c, err)
			return
		}
		p.Error = msg
		cs.renderPage(c, status, "leads", p)
		return
	}
	d.Pages = max(int((d.Total+leadsPerPage-1)/leadsPerPage), 1)
	link := func(n int) string {
		v := url.Values{}
		for k, x := range map[string]string{"county": f.County, "status": f.Status, "kind": f.Kind, "from": f.From, "to": f.To, "q": f.Search} {
			if x != "" {
				v.Set(k, x)
			}
		}
		v.Set("page", strconv.Itoa(n))
		return "/console/leads?" + v.Encode()
	}
	if pageNo > 1 {
		d.PrevURL = link(pageNo - 1)
	}
	if pageNo < d.Pages {
		d.NextURL = link(pageNo + 1)
	}
	cs.renderPage(c, http.StatusOK, "leads", p)
}
