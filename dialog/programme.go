package dialog

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/domain"
)

// The programme's own records (五（一）, 操作程序（三）（四）): the 企业库
// roster, the cooperating financial institutions with their service
// specialists, referrals and the deals they report.

// RosterEntry is one enterprise of the 企业库 roster as recorded now.
type RosterEntry struct {
	CreditCode string
	Name       string
	Tier       domain.Tier
	Basis      string // 依据/荣誉
	County     string // county slug
	ListedOn   string // 入库日期, YYYY-MM-DD
	Source     string // "import" or "application"
	Version    int    // 1 for the first record, +1 for each change
	UpdatedBy  string
	UpdatedAt  time.Time
}

// Roster sources.
const (
	RosterFromImport      = "import"
	RosterFromApplication = "application"
)

// Same reports whether e records the same facts as o (who and when aside).
func (e RosterEntry) Same(o RosterEntry) bool {
	return e.CreditCode == o.CreditCode && e.Name == o.Name && e.Tier == o.Tier && e.Basis == o.Basis &&
		e.County == o.County && e.ListedOn == o.ListedOn
}

// Institution kinds (五（一）): banks, leasing, futures, guarantee and
// insurance institutions.
var institutionKinds = []struct{ ID, Label string }{
	{"bank", "银行"}, {"leasing", "融资租赁"}, {"futures", "期货"}, {"guarantee", "担保"}, {"insurance", "保险"},
}

// InstitutionKinds lists the kinds' ids in the notice's order.
func InstitutionKinds() []string {
	out := make([]string, len(institutionKinds))
	for i, k := range institutionKinds {
		out[i] = k.ID
	}
	return out
}

// InstitutionKind reads a kind given by id or by its Chinese name.
func InstitutionKind(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, k := range institutionKinds {
		if s == k.ID || s == k.Label || s == k.Label+"机构" {
			return k.ID, true
		}
	}
	return "", false
}

// InstitutionKindLabel is the Chinese name of a kind.
func InstitutionKindLabel(id string) string {
	for _, k := range institutionKinds {
		if k.ID == id {
			return k.Label
		}
	}
	return id
}

// Institution is a cooperating financial institution.
type Institution struct {
	ID          uint64
	Name        string
	Kind        string
	Counties    []string // county slugs served; none: all of Suzhou
	Specialists []Specialist
	UpdatedBy   string
	UpdatedAt   time.Time
}

// Specialist is a service specialist (服务专员) of an institution.
type Specialist struct {
	ID          uint64
	Institution uint64
	Name        string
	Phone       string
	Products    string
	OpenID      string // bound WeChat user; "" until bound
	BoundAt     time.Time
	// ConsentAt is when showing the specialist's name and phone to
	// enterprises was agreed; zero: they are not shown.
	ConsentAt time.Time
}

// Serves reports whether the institution serves county (a slug).
func (in Institution) Serves(county string) bool {
	return len(in.Counties) == 0 || slices.Contains(in.Counties, county)
}

// Referral is a lead referred (推荐) by its county to an institution.
type Referral struct {
	ID              uint64
	LeadID          uint64
	Institution     uint64
	InstitutionName string
	By              string
	At              time.Time
}

// Deal is one disbursement (融资成交信息): every disbursed loan, lease or
// guarantee is a row.
type Deal struct {
	ID              uint64
	LeadID          uint64
	LeadNumber      string
	County          string
	Institution     uint64 // 0 when recorded without an institution
	InstitutionName string
	EnterpriseName  string
	CreditCode      string
	Product         string
	AmountWan       float64
	RatePct         float64
	TermMonths      int
	DisbursedOn     string // YYYY-MM-DD, Asia/Shanghai
	Actor           string
	CreatedAt       time.Time
	Withdrawn       bool   // withdrawn as recorded in error: history only
	Remark          string // the reason of the last correction or the withdrawal
}

// DealChange is a correction or the withdrawal of a recorded deal.
type DealChange struct {
	Deal   Deal   // the corrected fields (ignored for a withdrawal)
	Remark string // the reason
	Actor  string
	Note   string // the note of the lead's event recording the change
	// Withdraw withdraws the deal instead of correcting it.
	Withdraw bool
}

// ValidateDeal checks what a specialist or a county records as a deal;
// messages are for people. now bounds the disbursement date.
func ValidateDeal(d Deal, now time.Time) error {
	if strings.TrimSpace(d.Product) == "" || utf8.RuneCountInString(d.Product) > 32 {
		return domain.Errorf(domain.ErrInvalid, "请填写产品名称（不超过32个字）")
	}
	if !(d.AmountWan > 0 && d.AmountWan <= 100000) {
		return domain.Errorf(domain.ErrInvalid, "放款金额应为大于0、不超过100000的万元数")
	}
	if !(d.RatePct > 0 && d.RatePct <= 36) {
		return domain.Errorf(domain.ErrInvalid, "利率应为大于0、不超过36的年利率百分数，如 3.5")
	}
	if d.TermMonths < 1 || d.TermMonths > 360 {
		return domain.Errorf(domain.ErrInvalid, "期限应为1–360个月")
	}
	day, err := time.ParseInLocation("2006-01-02", d.DisbursedOn, domain.Shanghai)
	if err != nil {
		return domain.Errorf(domain.ErrInvalid, "放款日期格式应为 YYYY-MM-DD，如 2026-11-20")
	}
	if day.After(now.In(domain.Shanghai)) {
		return domain.Errorf(domain.ErrInvalid, "放款日期不能晚于今天")
	}
	return nil
}

// ParseTier reads a tier as rosters write it: Ⅰ类, I类, 一类, 1, 质量信誉Ⅱ类.
func ParseTier(s string) (domain.Tier, bool) {
	s = strings.TrimSpace(toHalfWidth(s))
	s = strings.TrimPrefix(s, "质量信誉")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "企业"), "类")
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "Ⅰ", "I", "一", "1":
		return domain.Tier1, true
	case "Ⅱ", "II", "二", "2":
		return domain.Tier2, true
	case "Ⅲ", "III", "三", "3":
		return domain.Tier3, true
	case "Ⅳ", "IV", "四", "4":
		return domain.Tier4, true
	}
	return domain.TierUnknown, false
}

// CountyByName finds a county by its slug or any of its names
// (CountyWords), with or without 苏州 before it: 昆山市, 昆山, 苏州工业园区,
// 工业园区, 园区, 高新区, 虎丘区.
func (p *Policy) CountyByName(s string) (domain.County, bool) {
	s = strings.TrimSpace(toHalfWidth(s))
	if s == "" {
		return domain.County{}, false
	}
	if c, ok := p.County(s); ok {
		return c, true
	}
	for _, c := range p.Counties {
		for _, n := range p.CountyWords(c) {
			n = toHalfWidth(n)
			if s == n || strings.TrimPrefix(s, "苏州") == n || strings.TrimPrefix(s, "苏州市") == n {
				return c, true
			}
		}
	}
	return domain.County{}, false
}

// countyNames returns the names a county is known by: the full name, the
// name without 苏州 and the trailing 市/区, and a bracketed alias.
func countyNames(name string) []string {
	out := []string{name}
	base, alias, _ := strings.Cut(strings.NewReplacer("(", "（", ")", "）").Replace(name), "（")
	alias = strings.TrimSuffix(alias, "）")
	for _, n := range []string{base, alias} {
		n = strings.TrimPrefix(n, "苏州")
		if n == "" {
			continue
		}
		out = append(out, n)
		if t := strings.TrimRight(n, "市区"); utf8.RuneCountInString(t) >= 2 {
			out = append(out, t)
		}
	}
	if strings.Contains(name, "工业园区") {
		out = append(out, "园区")
	}
	return out
}

// Within reports whether a date "YYYY-MM-DD" falls in [from, to).
func Within(day string, from, to time.Time) bool {
	t, err := time.ParseInLocation("2006-01-02", day, domain.Shanghai)
	return err == nil && !t.Before(from) && t.Before(to)
}

// FormatWan formats an amount in 万元 without trailing zeros.
func FormatWan(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
