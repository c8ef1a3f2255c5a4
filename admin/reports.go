package admin

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/domain"
)

// The monthly report of 操作程序（四）: per county and month, the leads
// received, contacted, pre-approved, contracted and disbursed, the amounts
// disbursed by product, and the enterprises admitted to the library;
// counties confirm their own, officers see every county and the city total.

// MonthlyReport is one month's report.
type MonthlyReport struct {
	Month    string          `json:"month"`
	Products []ReportProduct `json:"products"` // the product columns, in policy order
	Counties []ReportRow     `json:"counties"`
	Total    *ReportRow      `json:"total,omitempty"` // the city total; not for county accounts
	// Finished reports whether the month is over: only then may a county confirm it.
	Finished bool `json:"finished"`
	// Unit and PreparedBy head the xlsx return: the bureau and the account.
	Unit       string `json:"unit"`
	PreparedBy string `json:"prepared_by"`
	// PreparedAt is when the report was built.
	PreparedAt time.Time `json:"prepared_at"`
	// Tickets are the questions handed to a person in the month, per
	// county (and those the city answered, county ""), then the city total
	// for officers. Not part of a county's confirmed figures.
	Tickets []TicketFigures `json:"tickets"`
	// Ratings are the 好差评 given in the month per county (ratings.go),
	// then the city total for officers. Not part of the confirmed figures.
	Ratings []RatingFigures `json:"ratings"`
}

// TicketFigures are one county's questions handed to a person in a month.
type TicketFigures struct {
	County   string `json:"county"` // "" : the city officers; "total" : the city total
	Name     string `json:"name"`
	Opened   int64  `json:"opened"`
	Answered int64  `json:"answered"` // of those, answered by staff
	// MedianFirstAnswerMinutes is the median time from the question to the
	// first staff answer, of those answered; null when none was.
	MedianFirstAnswerMinutes *float64 `json:"median_first_answer_minutes"`
}

// MedianHours is the median time to the first answer in hours, one
// decimal, for the page; "—" when none was answered.
func (f TicketFigures) MedianHours() string {
	if f.MedianFirstAnswerMinutes == nil {
		return "—"
	}
	return strconv.FormatFloat(*f.MedianFirstAnswerMinutes/60, 'f', 1, 64)
}

// median of durations in minutes; nil for none.
func medianMinutes(ds []time.Duration) *float64 {
	if len(ds) == 0 {
		return nil
	}
	slices.Sort(ds)
	m := ds[len(ds)/2]
	if len(ds)%2 == 0 {
		m = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
	}
	v := m.Minutes()
	return &v
}

// ticketFigures fills r.Tickets for the counties the account sees.
func (s *Service) ticketFigures(ctx context.Context, acc domain.Account, r *MonthlyReport, from, to time.Time) error {
	timings, err := s.reports.TicketTimings(ctx, from, to)
	if err != nil {
		return err
	}
	type acc2 struct {
		opened int64
		waits  []time.Duration
	}
	by := map[string]*acc2{}
	total := &acc2{}
	for _, t := range timings {
		if acc.Role == domain.RoleCounty && t.County != acc.County {
			continue
		}
		a := by[t.County]
		if a == nil {
			a = &acc2{}
			by[t.County] = a
		}
		a.opened++
		total.opened++
		if t.AnsweredAt != nil {
			a.waits = append(a.waits, t.AnsweredAt.Sub(t.CreatedAt))
			total.waits = append(total.waits, t.AnsweredAt.Sub(t.CreatedAt))
		}
	}
	fig := func(county, name string, a *acc2) TicketFigures {
		f := TicketFigures{County: county, Name: name}
		if a != nil {
			f.Opened, f.Answered = a.opened, int64(len(a.waits))
			f.MedianFirstAnswerMinutes = medianMinutes(a.waits)
		}
		return f
	}
	r.Tickets = []TicketFigures{}
	for _, c := range r.Counties {
		r.Tickets = append(r.Tickets, fig(c.County, c.Name, by[c.County]))
	}
	if acc.Role != domain.RoleCounty {
		r.Tickets = append(r.Tickets, fig("", "市局（县区未知）", by[""]), fig("total", "全市合计", total))
	}
	return nil
}

// ReportProduct is a product column of the report.
type ReportProduct struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ReportRow is one county's month (or the city total).
type ReportRow struct {
	County        string                  `json:"county"`
	Name          string                  `json:"name"`
	Received      int64                   `json:"received"`       // leads filed in the month
	ReceivedNeeds int64                   `json:"received_needs"` // of which financing needs
	ReceivedApply int64                   `json:"received_apply"` // of which library applications
	Contacted     int64                   `json:"contacted"`      // leads moved to each status in the month
	PreApproved   int64                   `json:"pre_approved"`
	Contracted    int64                   `json:"contracted"`
	Disbursed     int64                   `json:"disbursed"`
	DisbursedWan  float64                 `json:"disbursed_wan"` // 万元, all products
	ByProduct     map[string]ProductTotal `json:"by_product"`    // product id → disbursed
	Approved      int64                   `json:"approved"`      // admitted to the library
	Confirmed     bool                    `json:"confirmed"`
	ConfirmedBy   string                  `json:"confirmed_by,omitempty"`
	ConfirmedAt   *time.Time              `json:"confirmed_at"`
	// Stale marks a confirmation whose figures changed since: to be confirmed again.
	Stale bool `json:"stale"`
	// Deals is the deal-by-deal list (融资成交明细) of the month, by
	// disbursement date; DealCount and DealWan sum it.
	Deals     []DealLine `json:"deals"`
	DealCount int64      `json:"deal_count"`
	DealWan   float64    `json:"deal_wan"`
	figures   string     // digest of the figures, for Stale
}

// ProductTotal is what was disbursed for one product.
type ProductTotal struct {
	Count int64   `json:"count"`
	Wan   float64 `json:"wan"`
}

// MonthlyReport builds the report of month ("YYYY-MM", "" for this month;
// Asia/Shanghai). A county account gets only its own county and no total.
func (s *Service) MonthlyReport(ctx context.Context, acc domain.Account, month string) (MonthlyReport, error) {
	if err := acc.Require(domain.PermReportRead); err != nil {
		return MonthlyReport{}, err
	}
	from, to, err := domain.ParseMonth(month, s.now())
	if err != nil {
		return MonthlyReport{}, err
	}
	p := s.policy()
	now := s.now()
	r := MonthlyReport{Month: from.Format("2006-01"), Products: []ReportProduct{}, Counties: []ReportRow{},
		Finished: !to.After(now), Unit: CityBureau, PreparedBy: acc.Username, PreparedAt: now}
	for _, pr := range p.Products {
		r.Products = append(r.Products, ReportProduct{ID: pr.ID, Name: pr.Name})
	}
	idx := map[string]int{}
	for _, c := range p.Counties {
		if acc.Sees(c.ID) {
			idx[c.ID] = len(r.Counties)
			r.Counties = append(r.Counties, ReportRow{County: c.ID, Name: c.Name, ByProduct: map[string]ProductTotal{}, Deals: []DealLine{}})
			if acc.Role == domain.RoleCounty {
				r.Unit = c.Bureau
			}
		}
	}
	row := func(county string) *ReportRow {
		if i, ok := idx[county]; ok {
			return &r.Counties[i]
		}
		return nil
	}
	received, err := s.reports.ReceivedCounts(ctx, from, to)
	if err != nil {
		return r, err
	}
	for _, c := range received {
		if rw := row(c.County); rw != nil {
			rw.Received += c.Count
			if c.Kind == domain.LeadApply {
				rw.ReceivedApply += c.Count
			} else {
				rw.ReceivedNeeds += c.Count
			}
		}
	}
	events, err := s.reports.EventCounts(ctx, from, to)
	if err != nil {
		return r, err
	}
	for _, e := range events {
		rw := row(e.County)
		if rw == nil {
			continue
		}
		switch e.Status {
		case domain.StatusContacted:
			rw.Contacted += e.Count
		case domain.StatusPreApproved:
			rw.PreApproved += e.Count
		case domain.StatusContracted:
			rw.Contracted += e.Count
		case domain.StatusDisbursed:
			rw.Disbursed += e.Count
		case domain.StatusApproved:
			rw.Approved += e.Count
		}
	}
	sums, err := s.reports.DisbursedSums(ctx, from, to)
	if err != nil {
		return r, err
	}
	for _, s := range sums {
		if rw := row(s.County); rw != nil {
			t := rw.ByProduct[s.Product]
			t.Count += s.Count
			t.Wan += s.Wan
			rw.ByProduct[s.Product] = t
			rw.DisbursedWan += s.Wan
		}
	}
	if err := s.addDeals(ctx, &r, from, to, row); err != nil {
		return r, err
	}
	confs, err := s.reports.ReportConfirmations(ctx, r.Month)
	if err != nil {
		return r, err
	}
	for county, c := range confs {
		if rw := row(county); rw != nil {
			at := c.ConfirmedAt
			rw.Confirmed, rw.ConfirmedBy, rw.ConfirmedAt = true, c.ConfirmedBy, &at
			rw.Stale = c.Figures != "" && c.Figures != rw.figures
		}
	}
	if acc.Role != domain.RoleCounty {
		t := ReportRow{County: "total", Name: "全市合计", ByProduct: map[string]ProductTotal{}, Deals: []DealLine{}}
		for _, rw := range r.Counties {
			t.Received += rw.Received
			t.ReceivedNeeds += rw.ReceivedNeeds
			t.ReceivedApply += rw.ReceivedApply
			t.Contacted += rw.Contacted
			t.PreApproved += rw.PreApproved
			t.Contracted += rw.Contracted
			t.Disbursed += rw.Disbursed
			t.DisbursedWan += rw.DisbursedWan
			t.Approved += rw.Approved
			t.DealCount += rw.DealCount
			t.DealWan += rw.DealWan
			for k, v := range rw.ByProduct {
				s := t.ByProduct[k]
				s.Count += v.Count
				s.Wan += v.Wan
				t.ByProduct[k] = s
			}
		}
		r.Total = &t
	}
	if err := s.ticketFigures(ctx, acc, &r, from, to); err != nil {
		return r, err
	}
	if err := s.addRatings(ctx, acc, &r, from, to); err != nil {
		return r, err
	}
	return r, nil
}

// ConfirmReport records that a county account confirmed its county's
// report of month; only county accounts confirm.
func (s *Service) ConfirmReport(ctx context.Context, acc domain.Account, month string) (ReportRow, error) {
	if err := acc.Require(domain.PermReportConfirm); err != nil {
		return ReportRow{}, err
	}
	_, to, err := domain.ParseMonth(month, s.now())
	if err != nil {
		return ReportRow{}, err
	}
	if month == "" {
		return ReportRow{}, domain.Errorf(domain.ErrInvalid, "请指定要确认的月份（YYYY-MM）")
	}
	if to.After(s.now()) {
		return ReportRow{}, domain.Errorf(domain.ErrInvalid, "只能确认已结束的月份；本月数据请于下月初确认")
	}
	r, err := s.MonthlyReport(ctx, acc, month)
	if err != nil {
		return ReportRow{}, err
	}
	if len(r.Counties) != 1 {
		return ReportRow{}, fmt.Errorf("confirm report: county %s not in report", acc.County)
	}
	rw := r.Counties[0]
	c, err := s.reports.ConfirmReportFigures(ctx, acc.County, r.Month, acc.Username, rw.figures, s.now())
	if err != nil {
		return ReportRow{}, err
	}
	at := c.ConfirmedAt
	rw.Confirmed, rw.ConfirmedBy, rw.ConfirmedAt, rw.Stale = true, c.ConfirmedBy, &at, false
	return rw, nil
}

// reportHeader is the header row of the report's tables.
func (r MonthlyReport) header() []string {
	h := []string{"县级市（区）", "月份", "收到需求/申请（件）", "其中融资需求", "其中入库申请", "已受理", "已预授信", "已签约", "已放款（笔）", "放款金额合计（万元）"}
	for _, p := range r.Products {
		h = append(h, p.Name+"放款（万元）")
	}
	return append(h, "入库企业（家）", "确认状态", "确认人", "确认时间")
}

func wan(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (r MonthlyReport) record(rw ReportRow, total bool) []string {
	rec := []string{rw.Name, r.Month, itoa(rw.Received), itoa(rw.ReceivedNeeds), itoa(rw.ReceivedApply), itoa(rw.Contacted),
		itoa(rw.PreApproved), itoa(rw.Contracted), itoa(rw.Disbursed), wan(rw.DisbursedWan)}
	for _, p := range r.Products {
		rec = append(rec, wan(rw.ByProduct[p.ID].Wan))
	}
	rec = append(rec, itoa(rw.Approved))
	switch {
	case total:
		rec = append(rec, "", "", "")
	case rw.Confirmed && rw.Stale:
		rec = append(rec, "数据已变更，请重新确认", rw.ConfirmedBy, rw.ConfirmedAt.In(domain.Shanghai).Format("2006-01-02 15:04"))
	case rw.Confirmed:
		rec = append(rec, "已确认", rw.ConfirmedBy, rw.ConfirmedAt.In(domain.Shanghai).Format("2006-01-02 15:04"))
	default:
		rec = append(rec, "未确认", "", "")
	}
	return rec
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// CSV renders the report as CSV with a UTF-8 BOM (so that Excel reads the
// Chinese headers), one row per county and the city total last.
func (r MonthlyReport) CSV() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.Write(r.header())
	for _, rw := range r.Counties {
		w.Write(r.record(rw, false))
	}
	if r.Total != nil {
		w.Write(r.record(*r.Total, true))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("report csv: %w", err)
	}
	return buf.Bytes(), nil
}

// SummarySheet is the name of the XLSX report's summary sheet.
const SummarySheet = "汇总"

// XLSX renders the report as a workbook: the summary sheet 汇总 (every
// county and the city total), 融资成交明细, one sheet per county named
// after it, and 服务评价 (ratings.go).
func (r MonthlyReport) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SummarySheet); err != nil {
		return nil, fmt.Errorf("report xlsx: %w", err)
	}
	rows := [][]string{r.header()}
	for _, rw := range r.Counties {
		rows = append(rows, r.record(rw, false))
	}
	if r.Total != nil {
		rows = append(rows, r.record(*r.Total, true))
	}
	if err := writeRows(f, SummarySheet, rows); err != nil {
		return nil, err
	}
	if err := r.dealSheet(f); err != nil {
		return nil, err
	}
	h := r.header()
	for _, rw := range r.Counties {
		if _, err := f.NewSheet(rw.Name); err != nil {
			return nil, fmt.Errorf("report xlsx: sheet %s: %w", rw.Name, err)
		}
		rec := r.record(rw, false)
		sheet := [][]string{{"项目", "数值"}}
		for i := 1; i < len(h); i++ {
			sheet = append(sheet, []string{h[i], rec[i]})
		}
		if err := writeRows(f, rw.Name, sheet); err != nil {
			return nil, err
		}
	}
	// 好差评 last: the return's own sheets keep their places.
	if err := r.ratingSheet(f); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("report xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// writeRows writes rows into sheet from A1; numeric cells are stored as
// numbers.
func writeRows(f *excelize.File, sheet string, rows [][]string) error {
	for i, row := range rows {
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
			if i > 0 {
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					vals[j] = n
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return fmt.Errorf("report xlsx: %s: %w", sheet, err)
		}
	}
	return nil
}
