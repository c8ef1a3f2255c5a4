package admin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The monthly return of 操作程序（四）: besides the summary, each county's
// deal-by-deal list (融资成交明细); a confirmation remembers a digest of
// the county's figures and turns stale when they change.

// CityBureau is the reporting unit of the city-wide return.
const CityBureau = "苏州市市场监督管理局"

// DealSheet is the name of the return's deal-by-deal sheet.
const DealSheet = "融资成交明细"

// DealLine is a deal as the API, the console and the return show it.
type DealLine struct {
	ID              uint64  `json:"id"`
	LeadID          uint64  `json:"lead_id"`
	LeadNumber      string  `json:"lead_number"`
	County          string  `json:"county"`
	CountyName      string  `json:"county_name"`
	Institution     uint64  `json:"institution"`
	InstitutionName string  `json:"institution_name"`
	EnterpriseName  string  `json:"enterprise_name"`
	CreditCode      string  `json:"credit_code"`
	Product         string  `json:"product"`
	ProductName     string  `json:"product_name"`
	AmountWan       float64 `json:"amount_wan"`
	RatePct         float64 `json:"rate_pct"`
	TermMonths      int     `json:"term_months"`
	DisbursedOn     string  `json:"disbursed_on"`
	Actor           string  `json:"actor"`
	RecordedAt      string  `json:"recorded_at"`
	Withdrawn       bool    `json:"withdrawn,omitempty"`
	Remark          string  `json:"remark,omitempty"` // why it was corrected or withdrawn
}

// DealLine converts a deal for display.
func (s *Service) DealLine(d dialog.Deal) DealLine {
	c, _ := s.policy().County(d.County)
	return DealLine{ID: d.ID, LeadID: d.LeadID, LeadNumber: d.LeadNumber, County: d.County, CountyName: c.Name,
		Institution: d.Institution, InstitutionName: d.InstitutionName, EnterpriseName: d.EnterpriseName,
		CreditCode: d.CreditCode, Product: d.Product, ProductName: s.leads.ProductName(d.Product), AmountWan: d.AmountWan,
		RatePct: d.RatePct, TermMonths: d.TermMonths, DisbursedOn: d.DisbursedOn, Actor: d.Actor,
		RecordedAt: d.CreatedAt.In(domain.Shanghai).Format("2006-01-02 15:04"), Withdrawn: d.Withdrawn, Remark: d.Remark}
}

// addDeals fills each county's deals disbursed in [from, to) and the
// digest of its figures.
func (s *Service) addDeals(ctx context.Context, r *MonthlyReport, from, to time.Time, row func(string) *ReportRow) error {
	deals, err := s.reports.Deals(ctx, domain.DealFilter{From: from.In(domain.Shanghai).Format("2006-01-02"), To: to.In(domain.Shanghai).Format("2006-01-02")})
	if err != nil {
		return err
	}
	for _, d := range deals {
		if rw := row(d.County); rw != nil {
			rw.Deals = append(rw.Deals, s.DealLine(d))
			rw.DealCount++
			rw.DealWan += d.AmountWan
		}
	}
	for i := range r.Counties {
		r.Counties[i].figures = r.Counties[i].digest()
	}
	return nil
}

// digest is a fingerprint of everything the county confirms: the summary
// figures and every deal.
func (rw ReportRow) digest() string {
	h := sha256.New()
	fmt.Fprintf(h, "%d|%d|%d|%d|%d|%d|%d|%s|%d|", rw.Received, rw.ReceivedNeeds, rw.ReceivedApply, rw.Contacted,
		rw.PreApproved, rw.Contracted, rw.Disbursed, wan(rw.DisbursedWan), rw.Approved)
	keys := make([]string, 0, len(rw.ByProduct))
	for k := range rw.ByProduct {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s:%d:%s|", k, rw.ByProduct[k].Count, wan(rw.ByProduct[k].Wan))
	}
	for _, d := range rw.Deals {
		fmt.Fprintf(h, "%d:%d:%s:%s:%s:%d:%s|", d.ID, d.Institution, d.Product, wan(d.AmountWan), wan(d.RatePct),
			d.TermMonths, d.DisbursedOn)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// dealHeader is the header of the 融资成交明细 sheet.
var dealHeader = []string{"序号", "县级市（区）", "申请编号", "企业名称", "统一社会信用代码", "金融机构", "产品",
	"放款金额（万元）", "年利率（%）", "期限（月）", "放款日期", "登记时间"}

// dealSheet adds the 融资成交明细 sheet: title, 填报单位, 填报人 and date,
// every deal of the month, a total line, column widths and a frozen header.
func (r MonthlyReport) dealSheet(f *excelize.File) error {
	if _, err := f.NewSheet(DealSheet); err != nil {
		return fmt.Errorf("report xlsx: %w", err)
	}
	var rows [][]string
	var total float64
	n := 0
	for _, rw := range r.Counties {
		for _, d := range rw.Deals {
			n++
			total += d.AmountWan
			rows = append(rows, []string{strconv.Itoa(n), rw.Name, d.LeadNumber, d.EnterpriseName, d.CreditCode,
				d.InstitutionName, d.ProductName, wan(d.AmountWan), rateText(d.RatePct), strconv.Itoa(d.TermMonths),
				d.DisbursedOn, d.RecordedAt})
		}
	}
	rows = append(rows, []string{"合计", "", "", fmt.Sprintf("%d笔", n), "", "", "", wan(total), "", "", "", ""})
	month, _ := time.Parse("2006-01", r.Month)
	title := fmt.Sprintf("“苏质融”融资成交信息明细表（%d年%d月）", month.Year(), month.Month())
	sub := fmt.Sprintf("填报单位：%s　　填报人：%s　　填报日期：%s", r.Unit, r.PreparedBy, r.PreparedAt.In(domain.Shanghai).Format("2006-01-02"))
	return writeTitled(f, DealSheet, title, sub, dealHeader, rows,
		[]float64{6, 16, 20, 34, 22, 24, 16, 16, 12, 10, 12, 17}, map[int]bool{0: true, 7: true, 8: true, 9: true})
}

// rateText shows a rate, or nothing when none was recorded (a
// disbursement entered with its amount only).
func rateText(v float64) string {
	if v == 0 {
		return ""
	}
	return wan(v)
}

// DealsOf returns every deal of the month the account may see, for the
// console's return page.
func (r MonthlyReport) DealsOf() []DealLine {
	var out []DealLine
	for _, rw := range r.Counties {
		out = append(out, rw.Deals...)
	}
	return out
}

// StaleText is what the console shows on a stale confirmation.
const StaleText = "数据已变更，请重新确认"
