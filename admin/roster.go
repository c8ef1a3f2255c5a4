package admin

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The 企业库 roster (二、五（一）): officers import it from xlsx or csv,
// each row checked (credit code with the position of a bad character,
// duplicates, unknown counties and tiers) and upserted by credit code
// with its history kept; enterprises look themselves up in the chat; it
// is exported for the cooperating institutions.

// RosterHeaders are the roster file's columns, in order.
var RosterHeaders = []string{"企业名称", "统一社会信用代码", "质量信誉类型", "依据", "县级市（区）", "入库日期"}

// rosterAliases are other headers accepted for a column.
var rosterAliases = map[string]string{
	"依据/荣誉": "依据", "荣誉": "依据", "依据荣誉": "依据", "县级市(区)": "县级市（区）", "县级市区": "县级市（区）", "所属地区": "县级市（区）",
	"信用代码": "统一社会信用代码", "质量信誉类别": "质量信誉类型", "类别": "质量信誉类型",
}

// MaxRosterRows is the largest roster file accepted, in data rows: the
// reading stops at the next row, whatever the file's size.
const MaxRosterRows = 20000

// The decompressed size an xlsx roster may reach: MaxRosterUnzip in all,
// and rosterXMLInMemory for one part held in memory (a larger worksheet is
// streamed from a temporary file). A roster at MaxRosterRows is a few MB;
// a zip bomb is refused from its headers, before anything is inflated.
const (
	MaxRosterUnzip    = 64 << 20
	rosterXMLInMemory = 16 << 20
)

// errTooManyRows is the reason a file over MaxRosterRows is refused.
var errTooManyRows = domain.Errorf(domain.ErrInvalid, "一次最多导入%d行，请分批导入", MaxRosterRows)

// RosterRejected is a row left out of an import, with why.
type RosterRejected struct {
	Row    int    `json:"row"` // the row in the file, the header being row 1
	Reason string `json:"reason"`
}

// RosterImport is what an import did, or with DryRun would do.
type RosterImport struct {
	DryRun    bool             `json:"dry_run"`
	Inserted  int              `json:"inserted"`
	Updated   int              `json:"updated"`
	Unchanged int              `json:"unchanged"`
	Rejected  []RosterRejected `json:"rejected"`
}

// ImportRoster reads a roster file (csv or xlsx, by name or content),
// checks every row and upserts the valid ones (officers). Rows in error
// are reported and left out; with dryRun nothing is written.
func (s *Service) ImportRoster(ctx context.Context, acc domain.Account, name string, data []byte, dryRun bool) (RosterImport, error) {
	res := RosterImport{DryRun: dryRun, Rejected: []RosterRejected{}}
	if err := acc.Require(domain.PermRosterImport); err != nil {
		return res, err
	}
	rows, err := readTable(name, data)
	if err != nil {
		return res, err
	}
	if len(rows) < 2 {
		return res, domain.Errorf(domain.ErrInvalid, "文件中没有数据行；第一行应为表头：%s", strings.Join(RosterHeaders, "、"))
	}
	cols, err := rosterColumns(rows[0])
	if err != nil {
		return res, err
	}
	p := s.policy()
	today := s.now().In(domain.Shanghai).Format("2006-01-02")
	seen := map[string]int{}
	var good []dialog.RosterEntry
	for i, row := range rows[1:] {
		n := i + 2
		cell := func(h string) string {
			if j := cols[h]; j < len(row) {
				return strings.TrimSpace(row[j])
			}
			return ""
		}
		if strings.Join(row, "") == "" {
			continue
		}
		e, reason := rosterEntry(p, cell, today)
		if reason == "" {
			if first, dup := seen[e.CreditCode]; dup {
				reason = fmt.Sprintf("与第%d行的统一社会信用代码重复", first)
			} else {
				seen[e.CreditCode] = n
			}
		}
		if reason != "" {
			res.Rejected = append(res.Rejected, RosterRejected{Row: n, Reason: reason})
			continue
		}
		good = append(good, e)
	}
	r, err := s.roster.UpsertRoster(ctx, good, "account:"+acc.Username, s.now(), dryRun)
	if err != nil {
		return res, err
	}
	res.Inserted, res.Updated, res.Unchanged = r.Inserted, r.Updated, r.Unchanged
	return res, nil
}

// rosterEntry reads one row; reason says what is wrong, "" when nothing.
func rosterEntry(p *dialog.Policy, cell func(string) string, today string) (dialog.RosterEntry, string) {
	e := dialog.RosterEntry{Name: cell("企业名称"), Basis: cell("依据"), Source: dialog.RosterFromImport}
	if e.Name == "" || utf8.RuneCountInString(e.Name) > 100 {
		return e, "企业名称为空或超过100个字"
	}
	if utf8.RuneCountInString(e.Basis) > 200 {
		return e, "依据超过200个字"
	}
	if !dialog.PlainName(e.Name) || !dialog.PlainName(e.Basis) {
		// Both are read back to enterprises in the chat.
		return e, "企业名称和依据不能换行，也不能包含 " + dialog.MarkupList + " 等符号"
	}
	e.CreditCode = dialog.NormalizeCreditCode(cell("统一社会信用代码"))
	if err := dialog.ValidateCreditCode(e.CreditCode); err != nil {
		return e, "统一社会信用代码有误：" + strings.TrimSuffix(err.Error(), "。")
	}
	tier, ok := dialog.ParseTier(cell("质量信誉类型"))
	if !ok {
		return e, fmt.Sprintf("未知的质量信誉类型“%s”，应为Ⅰ类、Ⅱ类、Ⅲ类或Ⅳ类", cell("质量信誉类型"))
	}
	e.Tier = tier
	c, ok := p.CountyByName(cell("县级市（区）"))
	if !ok {
		return e, fmt.Sprintf("未知的县级市（区）“%s”", cell("县级市（区）"))
	}
	e.County = c.ID
	day, ok := parseRosterDate(cell("入库日期"))
	if !ok {
		return e, fmt.Sprintf("入库日期“%s”无法识别，应为 2026-01-15 这样的日期", cell("入库日期"))
	}
	if day > today {
		return e, fmt.Sprintf("入库日期%s晚于今天", day)
	}
	e.ListedOn = day
	return e, ""
}

// parseRosterDate reads 2026-01-15, 2026/1/15, 2026.1.15, 20260115,
// 2026年1月15日 or an Excel date serial.
func parseRosterDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 20000 && n < 80000 {
		t, err := excelize.ExcelDateToTime(n, false)
		if err != nil {
			return "", false
		}
		return t.Format("2006-01-02"), true
	}
	s = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(s)
	if len(s) == 8 && !strings.Contains(s, "-") {
		s = s[:4] + "-" + s[4:6] + "-" + s[6:]
	}
	for _, layout := range []string{"2006-1-2", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// rosterColumns maps each header to its column, refusing a file that lacks one.
func rosterColumns(header []string) (map[string]int, error) {
	cols := map[string]int{}
	for j, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		if a, ok := rosterAliases[h]; ok {
			h = a
		}
		if _, dup := cols[h]; !dup {
			cols[h] = j
		}
	}
	var missing []string
	for _, h := range RosterHeaders {
		if _, ok := cols[h]; !ok {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		return nil, domain.Errorf(domain.ErrInvalid, "表头缺少：%s（第一行应为：%s）", strings.Join(missing, "、"), strings.Join(RosterHeaders, "、"))
	}
	return cols, nil
}

// readTable reads the rows of a csv (UTF-8, BOM allowed) or the first
// sheet of an xlsx file.
func readTable(name string, data []byte) ([][]string, error) {
	isXLSX := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".xls" {
		return nil, domain.Errorf(domain.ErrInvalid, "不支持旧版 .xls 文件，请另存为 .xlsx 或 .csv 后导入")
	}
	if isXLSX {
		return readXLSX(data)
	}
	if !utf8.Valid(data) {
		return nil, domain.Errorf(domain.ErrInvalid, "csv 文件应为 UTF-8 编码（在 Excel 中另存为“CSV UTF-8”）")
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, domain.Errorf(domain.ErrInvalid, "csv 文件格式有误：%s", err.Error())
		}
		if len(rows) > MaxRosterRows { // the header and MaxRosterRows rows read
			return nil, errTooManyRows
		}
		rows = append(rows, rec)
	}
	return rows, nil
}

// readXLSX streams the rows of an xlsx file's first sheet, refusing a file
// that would inflate beyond MaxRosterUnzip (judged from the zip's headers;
// archive/zip refuses an entry longer than its header says) or holds more
// than MaxRosterRows rows (the reading stops there).
func readXLSX(data []byte) ([][]string, error) {
	tooBig := domain.Errorf(domain.ErrInvalid, "该 xlsx 文件解压后超过%dMB，不像企业库名录，请确认文件内容或分批导入", MaxRosterUnzip>>20)
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, domain.Errorf(domain.ErrInvalid, "无法读取该 xlsx 文件，请确认文件未损坏")
	}
	var inflated uint64
	for _, zf := range z.File {
		if inflated += zf.UncompressedSize64; inflated > MaxRosterUnzip {
			return nil, tooBig
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxRosterUnzip, UnzipXMLSizeLimit: rosterXMLInMemory})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return nil, tooBig
		}
		return nil, domain.Errorf(domain.ErrInvalid, "无法读取该 xlsx 文件，请确认文件未损坏")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, domain.Errorf(domain.ErrInvalid, "xlsx 文件中没有工作表")
	}
	unreadable := domain.Errorf(domain.ErrInvalid, "无法读取工作表“%s”", sheets[0])
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, unreadable
	}
	defer it.Close()
	// As GetRows reads them: blank rows between kept (row numbers are
	// reported), trailing ones dropped.
	var rows [][]string
	for cur := 1; it.Next(); cur++ {
		row, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, unreadable
		}
		if len(row) == 0 {
			continue
		}
		if cur > MaxRosterRows+1 {
			return nil, errTooManyRows
		}
		for len(rows) < cur-1 {
			rows = append(rows, nil)
		}
		rows = append(rows, row)
	}
	if it.Error() != nil {
		return nil, unreadable
	}
	return rows, nil
}

// RosterLine is a roster entry as the API and the console show it.
type RosterLine struct {
	CreditCode string    `json:"credit_code"`
	Name       string    `json:"name"`
	Tier       int       `json:"tier"`
	TierLabel  string    `json:"tier_label"`
	Basis      string    `json:"basis"`
	County     string    `json:"county"`
	CountyName string    `json:"county_name"`
	ListedOn   string    `json:"listed_on"`
	Source     string    `json:"source"`
	Version    int       `json:"version"`
	UpdatedBy  string    `json:"updated_by"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func (s *Service) rosterLine(e dialog.RosterEntry) RosterLine {
	c, _ := s.policy().County(e.County)
	return RosterLine{CreditCode: e.CreditCode, Name: e.Name, Tier: int(e.Tier), TierLabel: e.Tier.Label(), Basis: e.Basis,
		County: e.County, CountyName: c.Name, ListedOn: e.ListedOn, Source: e.Source, Version: e.Version,
		UpdatedBy: e.UpdatedBy, UpdatedAt: e.UpdatedAt}
}

// Roster returns the roster entries f selects: a county account only its
// own county's.
func (s *Service) Roster(ctx context.Context, acc domain.Account, f domain.RosterFilter) ([]RosterLine, error) {
	if err := acc.Require(domain.PermRosterRead); err != nil {
		return nil, err
	}
	if f.County != "" {
		if _, ok := s.policy().County(f.County); !ok {
			return nil, domain.Errorf(domain.ErrInvalid, "未知的县级市（区）“%s”", f.County)
		}
	}
	if acc.Role == domain.RoleCounty {
		if f.County != "" && f.County != acc.County {
			return []RosterLine{}, nil
		}
		f.County = acc.County
	}
	es, err := s.roster.Roster(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]RosterLine, len(es))
	for i, e := range es {
		out[i] = s.rosterLine(e)
	}
	return out, nil
}

// RosterHistory returns a credit code's current record and its replaced
// versions, newest first.
func (s *Service) RosterHistory(ctx context.Context, acc domain.Account, code string) ([]RosterLine, error) {
	if err := acc.Require(domain.PermRosterRead); err != nil {
		return nil, err
	}
	code = dialog.NormalizeCreditCode(code)
	cur, err := s.roster.RosterEntry(ctx, code)
	if err != nil {
		return nil, err
	}
	if acc.Role == domain.RoleCounty && cur.County != acc.County {
		return nil, domain.ErrNotFound
	}
	old, err := s.roster.RosterHistory(ctx, code)
	if err != nil {
		return nil, err
	}
	out := []RosterLine{s.rosterLine(cur)}
	for i := len(old) - 1; i >= 0; i-- {
		out = append(out, s.rosterLine(old[i]))
	}
	return out, nil
}

// RosterSheet is the name of the roster export's sheet.
const RosterSheet = "企业库名录"

// RosterXLSX exports the roster f selects as a workbook for the
// cooperating institutions: a title, who exported it and when, the
// header frozen.
func (s *Service) RosterXLSX(ctx context.Context, acc domain.Account, f domain.RosterFilter) ([]byte, int, error) {
	lines, err := s.Roster(ctx, acc, f)
	if err != nil {
		return nil, 0, err
	}
	header := []string{"序号", "企业名称", "统一社会信用代码", "质量信誉类型", "依据", "县级市（区）", "入库日期"}
	rows := make([][]string, 0, len(lines))
	for i, l := range lines {
		rows = append(rows, []string{strconv.Itoa(i + 1), l.Name, l.CreditCode, l.Tier4Label(), l.Basis, l.CountyName, l.ListedOn})
	}
	sub := fmt.Sprintf("导出人：%s　导出时间：%s　共%d家", acc.Username, s.now().In(domain.Shanghai).Format("2006-01-02 15:04"), len(lines))
	data, err := titledSheet(RosterSheet, "“苏质融”企业库名录", sub, header, rows, []float64{6, 36, 22, 14, 40, 18, 12}, nil)
	return data, len(lines), err
}

// Tier4Label is the tier as the roster writes it: Ⅰ类 … Ⅳ类.
func (l RosterLine) Tier4Label() string { return domain.Tier(l.Tier).String() + "类" }

// titledSheet renders one sheet: a title row, a sub-title row, the header
// (frozen, bold) and the rows, with column widths. Numeric columns (by
// index in numeric) are stored as numbers.
func titledSheet(sheet, title, sub string, header []string, rows [][]string, widths []float64, numeric map[int]bool) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("xlsx %s: %w", sheet, err)
	}
	if err := writeTitled(f, sheet, title, sub, header, rows, widths, numeric); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("xlsx %s: %w", sheet, err)
	}
	return buf.Bytes(), nil
}

// writeTitled writes a titled table into an existing sheet of f.
func writeTitled(f *excelize.File, sheet, title, sub string, header []string, rows [][]string, widths []float64, numeric map[int]bool) error {
	last, _ := excelize.ColumnNumberToName(len(header))
	f.SetCellValue(sheet, "A1", title)
	f.MergeCell(sheet, "A1", last+"1")
	f.SetCellValue(sheet, "A2", sub)
	f.MergeCell(sheet, "A2", last+"2")
	if st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Horizontal: "center"}}); err == nil {
		f.SetCellStyle(sheet, "A1", "A1", st)
	}
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = h
	}
	if err := f.SetSheetRow(sheet, "A3", &hdr); err != nil {
		return fmt.Errorf("xlsx %s: %w", sheet, err)
	}
	if st, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border: []excelize.Border{{Type: "bottom", Style: 1, Color: "999999"}}}); err == nil {
		f.SetCellStyle(sheet, "A3", last+"3", st)
	}
	for i, row := range rows {
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
			if numeric[j] {
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					vals[j] = n
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+4)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return fmt.Errorf("xlsx %s: %w", sheet, err)
		}
	}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(sheet, col, col, w)
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"})
}

// RosterReplyData is the data of "roster_found" and "roster_missing".
type RosterReplyData struct {
	CreditCode string
	Entry      RosterLine
	Tier       domain.Tier
	Since      string // 2026年1月15日
	County     domain.County
}

// LookupRoster answers an enterprise asking in the chat whether it is in
// the roster.
func (s *Service) LookupRoster(ctx context.Context, code string) ([]dialog.Reply, error) {
	e, err := s.roster.RosterEntry(ctx, code)
	if errors.Is(err, domain.ErrNotFound) {
		d := RosterReplyData{CreditCode: code}
		if c, ok := s.policy().CountyByDivision(dialog.Division(code)); ok {
			d.County = c
		}
		return []dialog.Reply{{Name: "roster_missing", Data: d}}, nil
	}
	if err != nil {
		return nil, err
	}
	c, _ := s.policy().County(e.County)
	return []dialog.Reply{{Name: "roster_found", Data: RosterReplyData{CreditCode: code, Entry: s.rosterLine(e), Tier: e.Tier,
		Since: chineseDate(e.ListedOn), County: c}}}, nil
}

// RosterNote tells a follower who just finished the self-check when the
// roster records its enterprise (by the credit codes of its applications)
// in another tier.
func (s *Service) RosterNote(ctx context.Context, openID string, tier domain.Tier) ([]dialog.Reply, error) {
	e, err := s.roster.FollowerRosterEntry(ctx, openID)
	if errors.Is(err, domain.ErrNotFound) || err == nil && e.Tier == tier {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []dialog.Reply{{Name: "roster_tier_differs", Data: RosterReplyData{CreditCode: e.CreditCode,
		Entry: s.rosterLine(e), Tier: e.Tier, Since: chineseDate(e.ListedOn)}}}, nil
}

// chineseDate writes 2026-01-15 as 2026年1月15日.
func chineseDate(day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}
