package admin

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/domain"
)

// The counties' league table (the notice's 通报表扬): per county, for the
// year to date and each month, the followers brought by its poster, the
// self-checks, the applications and needs received, the share handled
// within the SLA (contacted before any reminder), the deals and their
// amount; ranked by amount, then deals, then applications.

// LeagueFigures are one county's figures over a period.
type LeagueFigures struct {
	Month       string  `json:"month,omitempty"` // YYYY-MM; "" for the year to date
	Followers   int64   `json:"followers"`
	SelfChecks  int64   `json:"self_checks"`
	Leads       int64   `json:"leads"`
	InSLA       int64   `json:"in_sla"`
	SLASharePct float64 `json:"sla_share_pct"` // InSLA/Leads in %, one decimal
	Deals       int64   `json:"deals"`
	DealWan     float64 `json:"deal_wan"`
}

func (f *LeagueFigures) add(o LeagueFigures) {
	f.Followers += o.Followers
	f.SelfChecks += o.SelfChecks
	f.Leads += o.Leads
	f.InSLA += o.InSLA
	f.Deals += o.Deals
	f.DealWan += o.DealWan
}

func (f *LeagueFigures) share() {
	if f.Leads > 0 {
		f.SLASharePct = math.Round(float64(f.InSLA)*1000/float64(f.Leads)) / 10
	}
}

// LeagueRow is one county of the league table.
type LeagueRow struct {
	Rank    int             `json:"rank"`
	County  string          `json:"county"`
	Name    string          `json:"name"`
	YTD     LeagueFigures   `json:"ytd"`
	Monthly []LeagueFigures `json:"monthly"`
}

// LeagueTable is the year's league table, ranked.
type LeagueTable struct {
	Year   int         `json:"year"`
	Months []string    `json:"months"`
	Rows   []LeagueRow `json:"rows"`
	AsOf   time.Time   `json:"as_of"`
}

// League builds the league table of year (0: this year) up to this month
// (officers and viewers).
func (s *Service) League(ctx context.Context, acc domain.Account, year int) (LeagueTable, error) {
	if err := acc.Require(domain.PermLeague); err != nil {
		return LeagueTable{}, err
	}
	now := s.now().In(domain.Shanghai)
	if year == 0 {
		year = now.Year()
	}
	if year < 2020 || year > now.Year() {
		return LeagueTable{}, domain.Errorf(domain.ErrInvalid, "年份应在2020年至今年之间")
	}
	last := 12
	if year == now.Year() {
		last = int(now.Month())
	}
	t := LeagueTable{Year: year, AsOf: s.now(), Months: []string{}}
	p := s.policy()
	idx := map[string]int{}
	for _, c := range p.Counties {
		idx[c.ID] = len(t.Rows)
		t.Rows = append(t.Rows, LeagueRow{County: c.ID, Name: c.Name, Monthly: []LeagueFigures{}})
	}
	for m := 1; m <= last; m++ {
		from := time.Date(year, time.Month(m), 1, 0, 0, 0, 0, domain.Shanghai)
		to := from.AddDate(0, 1, 0)
		month := from.Format("2006-01")
		t.Months = append(t.Months, month)
		counts, err := s.reports.League(ctx, from, to)
		if err != nil {
			return t, err
		}
		for i := range t.Rows {
			f := LeagueFigures{Month: month}
			if c := counts[t.Rows[i].County]; c != nil {
				f = LeagueFigures{Month: month, Followers: c.Followers, SelfChecks: c.SelfChecks, Leads: c.Leads,
					InSLA: c.InSLA, Deals: c.Deals, DealWan: c.DealWan}
			}
			f.share()
			t.Rows[i].Monthly = append(t.Rows[i].Monthly, f)
			t.Rows[i].YTD.add(f)
		}
	}
	for i := range t.Rows {
		t.Rows[i].YTD.share()
	}
	sort.SliceStable(t.Rows, func(i, j int) bool {
		a, c := t.Rows[i].YTD, t.Rows[j].YTD
		switch {
		case a.DealWan != c.DealWan:
			return a.DealWan > c.DealWan
		case a.Deals != c.Deals:
			return a.Deals > c.Deals
		case a.Leads != c.Leads:
			return a.Leads > c.Leads
		case a.SLASharePct != c.SLASharePct:
			return a.SLASharePct > c.SLASharePct
		}
		return idx[t.Rows[i].County] < idx[t.Rows[j].County]
	})
	for i := range t.Rows {
		t.Rows[i].Rank = i + 1
	}
	return t, nil
}

// LeagueSheet is the name of the league table's year-to-date sheet.
const LeagueSheet = "年度排名"

var leagueHeader = []string{"排名", "县级市（区）", "海报带来关注", "自检", "申请与需求", "按时受理", "按时受理率（%）", "成交笔数", "成交金额（万元）"}

func leagueRecord(rank, name string, f LeagueFigures) []string {
	return []string{rank, name, itoa(f.Followers), itoa(f.SelfChecks), itoa(f.Leads), itoa(f.InSLA),
		strconv.FormatFloat(f.SLASharePct, 'f', 1, 64), itoa(f.Deals), wan(f.DealWan)}
}

// XLSX renders the table: the ranked year to date, then a sheet per month.
func (t LeagueTable) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", LeagueSheet); err != nil {
		return nil, fmt.Errorf("league xlsx: %w", err)
	}
	widths := []float64{6, 20, 14, 10, 12, 12, 16, 10, 16}
	numeric := map[int]bool{0: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true}
	sub := "统计截至：" + t.AsOf.In(domain.Shanghai).Format("2006-01-02 15:04") + "　按成交金额、成交笔数、申请与需求件数排序"
	var rows [][]string
	for _, r := range t.Rows {
		rows = append(rows, leagueRecord(strconv.Itoa(r.Rank), r.Name, r.YTD))
	}
	if err := writeTitled(f, LeagueSheet, fmt.Sprintf("“苏质融”各县级市（区）工作情况通报（%d年累计）", t.Year), sub,
		leagueHeader, rows, widths, numeric); err != nil {
		return nil, err
	}
	for mi, month := range t.Months {
		sheet := month
		if _, err := f.NewSheet(sheet); err != nil {
			return nil, fmt.Errorf("league xlsx: %w", err)
		}
		rows = rows[:0]
		for _, r := range t.Rows {
			rows = append(rows, leagueRecord(strconv.Itoa(r.Rank), r.Name, r.Monthly[mi]))
		}
		if err := writeTitled(f, sheet, "“苏质融”各县级市（区）工作情况（"+month+"）", "排名为年度累计排名", leagueHeader, rows, widths, numeric); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("league xlsx: %w", err)
	}
	return buf.Bytes(), nil
}
