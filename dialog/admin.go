package dialog

import (
	"errors"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The officers' and county contacts' side: who may do what in the JSON API
// and the console, and the rules of broadcasts, county contacts and months.

// Perm is something an account may be allowed to do.
type Perm string

// Permissions of the API and the console. The table in perms is the one
// place that says which role holds which; county accounts are further
// limited to their own county by Account.Sees.
const (
	PermAuditRead      Perm = "audit.read"
	PermCountiesRead   Perm = "counties.read"
	PermCountiesWrite  Perm = "counties.write"   // contact, post, phone, robot url
	PermContactsWrite  Perm = "contacts.write"   // unbind a WeChat contact (own county for county accounts)
	PermQRCreate       Perm = "qrcode.create"    // create a county's poster QR code
	PermSettings       Perm = "settings"         // read and change LPR and working days
	PermDashboard      Perm = "dashboard"        // own county for county accounts
	PermTagsSync       Perm = "tags.sync"        // sync WeChat user tags
	PermBroadcastRead  Perm = "broadcasts.read"  // list and read broadcasts
	PermBroadcastWrite Perm = "broadcasts.write" // create, preview and send broadcasts
	PermReportRead     Perm = "reports.read"     // own county for county accounts
	PermReportConfirm  Perm = "reports.confirm"  // a county confirms its own month
	PermLeadsWrite     Perm = "leads.write"      // change leads (own county for county accounts)
	PermAccounts       Perm = "accounts"         // list, create, disable and reset accounts
	PermRosterRead     Perm = "roster.read"      // read and export the 企业库 roster
	PermRosterImport   Perm = "roster.import"    // import the roster
	PermInstRead       Perm = "institutions.read"
	PermInstWrite      Perm = "institutions.write" // institutions, specialists and their bind codes
	PermReferral       Perm = "referrals.write"    // refer a lead to institutions (own county for county accounts)
	PermDealWrite      Perm = "deals.write"        // record pre-approval, contract, disbursement and deals
	PermLeague         Perm = "league.read"        // the counties' league table
	PermTeach          Perm = "understanding"      // read unplaced messages and teach the bot
)

var perms = map[Perm][]string{
	PermAuditRead:      {RoleOfficer},
	PermCountiesRead:   {RoleOfficer, RoleCounty, RoleViewer},
	PermCountiesWrite:  {RoleOfficer},
	PermContactsWrite:  {RoleOfficer, RoleCounty},
	PermQRCreate:       {RoleOfficer},
	PermSettings:       {RoleOfficer},
	PermDashboard:      {RoleOfficer, RoleCounty, RoleViewer},
	PermTagsSync:       {RoleOfficer},
	PermBroadcastRead:  {RoleOfficer, RoleCounty, RoleViewer},
	PermBroadcastWrite: {RoleOfficer},
	PermReportRead:     {RoleOfficer, RoleCounty, RoleViewer},
	PermReportConfirm:  {RoleCounty},
	PermLeadsWrite:     {RoleOfficer, RoleCounty},
	PermAccounts:       {RoleOfficer},
	PermRosterRead:     {RoleOfficer, RoleCounty, RoleViewer, RoleInstitution},
	PermRosterImport:   {RoleOfficer},
	PermInstRead:       {RoleOfficer, RoleCounty, RoleViewer},
	PermInstWrite:      {RoleOfficer},
	PermReferral:       {RoleOfficer, RoleCounty},
	PermDealWrite:      {RoleOfficer, RoleCounty, RoleInstitution},
	PermLeague:         {RoleOfficer, RoleViewer},
	PermTeach:          {RoleOfficer},
}

// Can reports whether the account's role holds p.
func (a Account) Can(p Perm) bool { return slices.Contains(perms[p], a.Role) }

// Require returns nil when the account holds p, else an ErrForbidden error.
func (a Account) Require(p Perm) error {
	if a.Can(p) {
		return nil
	}
	if a.Role == RoleViewer {
		return Errorf(ErrForbidden, "只读账号不能执行该操作")
	}
	return Errorf(ErrForbidden, "无权执行该操作")
}

// ErrLocked is the error of a login to an account locked after too many
// failed attempts.
var ErrLocked = errors.New("account locked")

// ErrQuota is the error of a mass send beyond the month's quota.
var ErrQuota = errors.New("monthly quota used up")

// Broadcast kinds and audiences.
const (
	BroadcastText = "text" // Content is the text
	BroadcastNews = "news" // Content is the media_id of an article (图文) in the account's library

	AudienceAll    = "all"
	AudienceTier   = "tier"   // Value "1".."4"
	AudienceCounty = "county" // Value a county slug
)

// Broadcast statuses.
const (
	BroadcastDraft    = "draft"
	BroadcastSending  = "sending"
	BroadcastSent     = "sent"     // WeChat accepted the job
	BroadcastFailed   = "failed"   // WeChat refused it; it may be sent again
	BroadcastFinished = "finished" // MASSSENDJOBFINISH reported the counts
)

// MaxBroadcastRunes is the longest text broadcast accepted.
const MaxBroadcastRunes = 600

// MassSendsPerMonth is a 服务号's mass-send quota.
const MassSendsPerMonth = 4

// Audience is who a broadcast goes to.
type Audience struct {
	Type  string
	Value string
}

// ValidateBroadcast checks a broadcast before it is stored; messages are
// for people.
func ValidateBroadcast(counties []County, title, kind, content string, a Audience) error {
	if strings.TrimSpace(title) == "" || utf8.RuneCountInString(title) > 64 {
		return Errorf(ErrInvalid, "标题不能为空，且不超过64个字")
	}
	switch kind {
	case BroadcastText:
		if strings.TrimSpace(content) == "" {
			return Errorf(ErrInvalid, "群发内容不能为空")
		}
		if n := utf8.RuneCountInString(content); n > MaxBroadcastRunes {
			return Errorf(ErrInvalid, "群发内容不能超过%d字（现为%d字）", MaxBroadcastRunes, n)
		}
	case BroadcastNews:
		if strings.TrimSpace(content) == "" || len(content) > 128 || strings.ContainsAny(content, " \n\t") {
			return Errorf(ErrInvalid, "图文群发的内容应为素材库中图文的 media_id")
		}
	default:
		return Errorf(ErrInvalid, "群发类型应为 text 或 news")
	}
	return ValidateAudience(counties, a)
}

// ValidateAudience checks an audience: everyone, a tier 1–4 or one of
// counties.
func ValidateAudience(counties []County, a Audience) error {
	switch a.Type {
	case AudienceAll:
		if a.Value != "" {
			return Errorf(ErrInvalid, "发送给全部关注者时不应指定 value")
		}
	case AudienceTier:
		n, err := strconv.Atoi(a.Value)
		if err != nil || n < 1 || n > 4 {
			return Errorf(ErrInvalid, "质量信誉类别应为 1–4")
		}
	case AudienceCounty:
		if !slices.ContainsFunc(counties, func(c County) bool { return c.ID == a.Value }) {
			return Errorf(ErrInvalid, "未知的县级市（区）“%s”", a.Value)
		}
	default:
		return Errorf(ErrInvalid, "受众类型应为 all、tier 或 county")
	}
	return nil
}

// TierTagName is the WeChat user tag of a tier: 质量信誉Ⅰ类 … Ⅳ类.
func TierTagName(t Tier) string {
	return "质量信誉" + []string{"", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"}[t] + "类"
}

var localPhone = regexp.MustCompile(`^0512-\d{8}$`)

// ValidCountyPhone reports whether phone is a Suzhou landline as 附件2
// lists them: 0512-xxxxxxxx.
func ValidCountyPhone(phone string) bool { return localPhone.MatchString(phone) }

// MaxDisbursedWan bounds a disbursed amount (万元): far above the 3000万
// cap of 苏质贷, so leasing and other products fit, and below what a typo
// of several zeros gives.
const MaxDisbursedWan = 100000

// ValidWan reports whether wan is a disbursed amount in 万元: a finite
// number above zero and at most MaxDisbursedWan. NaN and the infinities,
// which every comparison lets through, are refused.
func ValidWan(wan float64) bool {
	return !math.IsNaN(wan) && !math.IsInf(wan, 0) && wan > 0 && wan <= MaxDisbursedWan
}

// UsableTagID reports whether a WeChat user tag id may be a broadcast's
// audience: WeChat reserves 0–2 for its own groups (and a zero value is
// what a missing tag looks like).
func UsableTagID(id int64) bool { return id > 2 }

// RobotHost and RobotPath are where every WeCom group robot webhook lives.
const (
	RobotHost = "qyapi.weixin.qq.com"
	RobotPath = "/cgi-bin/webhook/send"
)

// ValidRobotURL reports whether u is a WeCom group robot webhook,
// https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…, and nothing else:
// no other host, port, path, credentials or parameters, so an officer's
// typo or a stolen session cannot point the service at an internal
// address. allowLoopback admits plain http on the loopback, for tests
// whose fake API stands in for WeCom. "" (no robot) is valid.
func ValidRobotURL(u string, allowLoopback bool) bool {
	if u == "" {
		return true
	}
	p, err := url.Parse(u)
	if err != nil || p.User != nil || p.Fragment != "" || p.Opaque != "" || p.RawPath != "" {
		return false
	}
	q, err := url.ParseQuery(p.RawQuery)
	if err != nil || len(q) != 1 || len(q["key"]) != 1 || q.Get("key") == "" || p.Path != RobotPath {
		return false
	}
	if p.Scheme == "https" && p.Host == RobotHost {
		return true
	}
	if allowLoopback && (p.Scheme == "http" || p.Scheme == "https") {
		ip := net.ParseIP(p.Hostname())
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// Shanghai is the time zone of months, report periods and quotas.
var Shanghai = time.FixedZone("CST", 8*3600)

// ParseMonth parses "YYYY-MM" into the first instant of that month in
// Asia/Shanghai and the first instant of the next; "" is the month of now.
func ParseMonth(month string, now time.Time) (from, to time.Time, err error) {
	if month == "" {
		month = now.In(Shanghai).Format("2006-01")
	}
	t, perr := time.ParseInLocation("2006-01", month, Shanghai)
	if perr != nil {
		return time.Time{}, time.Time{}, Errorf(ErrInvalid, "月份格式应为 YYYY-MM，如 2026-11")
	}
	return t, t.AddDate(0, 1, 0), nil
}
