package admin

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/domain"
)

// 好差评 in the monthly return: the ratings enterprises gave in the month
// to their closed applications, per county, by level, with 满意率 (非常满意,
// 满意 and 基本满意 among all ratings). Like the tickets' figures they are
// not part of a county's confirmed figures.

// RatingFigures are one county's ratings of a month.
type RatingFigures struct {
	County           string `json:"county"` // "total": the city total
	Name             string `json:"name"`
	VerySatisfied    int    `json:"very_satisfied"`
	Satisfied        int    `json:"satisfied"`
	Fair             int    `json:"fair"`
	Dissatisfied     int    `json:"dissatisfied"`
	VeryDissatisfied int    `json:"very_dissatisfied"`
	Rated            int    `json:"rated"`
	// SatisfiedPct is 满意率 in percent, one decimal; null when none rated.
	SatisfiedPct *float64 `json:"satisfied_pct"`
}

// SatisfiedText is 满意率 for the page: "96.0%", or "—" when none rated.
func (f RatingFigures) SatisfiedText() string {
	if f.SatisfiedPct == nil {
		return "—"
	}
	return strconv.FormatFloat(*f.SatisfiedPct, 'f', 1, 64) + "%"
}

func ratingFigures(county, name string, c domain.RatingCount) RatingFigures {
	f := RatingFigures{County: county, Name: name,
		VerySatisfied: c.ByLevel[domain.RatingVerySatisfied], Satisfied: c.ByLevel[domain.RatingSatisfied],
		Fair: c.ByLevel[domain.RatingFair], Dissatisfied: c.ByLevel[domain.RatingDissatisfied],
		VeryDissatisfied: c.ByLevel[domain.RatingVeryDissatisfied], Rated: c.Rated()}
	if f.Rated > 0 {
		v, _ := strconv.ParseFloat(strconv.FormatFloat(c.SatisfiedPct(), 'f', 1, 64), 64)
		f.SatisfiedPct = &v
	}
	return f
}

// addRatings fills r.Ratings for the counties the account sees, and the
// city total for the others.
func (s *Service) addRatings(ctx context.Context, acc domain.Account, r *MonthlyReport, from, to time.Time) error {
	counts, err := s.reports.RatingCounts(ctx, from, to)
	if err != nil {
		return err
	}
	by := map[string]domain.RatingCount{}
	var total domain.RatingCount
	for _, c := range counts {
		by[c.County] = c
		for _, l := range domain.RatingLevels {
			total.ByLevel[l] += c.ByLevel[l]
		}
	}
	r.Ratings = []RatingFigures{}
	for _, c := range r.Counties {
		r.Ratings = append(r.Ratings, ratingFigures(c.County, c.Name, by[c.County]))
	}
	if acc.Role != domain.RoleCounty {
		r.Ratings = append(r.Ratings, ratingFigures("total", "全市合计", total))
	}
	return nil
}

// RatingSheet is the name of the XLSX report's sheet of ratings.
const RatingSheet = "服务评价"

var ratingHeader = []string{"县级市（区）", "非常满意", "满意", "基本满意", "不满意", "非常不满意", "评价数", "满意率（%）"}

// ratingSheet adds the 服务评价 sheet.
func (r MonthlyReport) ratingSheet(f *excelize.File) error {
	if _, err := f.NewSheet(RatingSheet); err != nil {
		return fmt.Errorf("report xlsx: %w", err)
	}
	rows := [][]string{ratingHeader}
	for _, g := range r.Ratings {
		pct := ""
		if g.SatisfiedPct != nil {
			pct = strconv.FormatFloat(*g.SatisfiedPct, 'f', 1, 64)
		}
		rows = append(rows, []string{g.Name, strconv.Itoa(g.VerySatisfied), strconv.Itoa(g.Satisfied), strconv.Itoa(g.Fair),
			strconv.Itoa(g.Dissatisfied), strconv.Itoa(g.VeryDissatisfied), strconv.Itoa(g.Rated), pct})
	}
	return writeRows(f, RatingSheet, rows)
}
