package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// The officers' and county contacts' side, shared by the JSON API and the
// console: every function takes the account acting and checks what it may
// do (domain.Account.Require, the one permission table), and a county
// account only ever reaches its own county.

// seesCounty returns domain.ErrNotFound when acc may not see county or it
// does not exist.
func (s *Service) seesCounty(acc domain.Account, county string) error {
	if _, ok := s.policy().County(county); !ok || !acc.Sees(county) {
		return domain.ErrNotFound
	}
	return nil
}

// County is a county bureau as the console shows it.
type County struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Bureau  string `json:"bureau"`
	Contact string `json:"contact"`
	Post    string `json:"post"`
	Phone   string `json:"phone"`
	// RobotURL carries the robot's key: only those who may change it
	// (officers) read it; others see RobotConfigured.
	RobotURL        string    `json:"robot_url,omitempty"`
	RobotConfigured bool      `json:"robot_configured"`
	SceneID         int       `json:"scene_id"`
	QRTicket        string    `json:"qr_ticket,omitempty"`
	QRURL           string    `json:"qr_url,omitempty"`
	UpdatedBy       string    `json:"updated_by"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// toCounty shows a county to acc: the robot's webhook, which carries its
// key, only to those who may change it.
func toCounty(r domain.CountyRecord, acc domain.Account) County {
	c := County{ID: r.ID, Name: r.Name, Bureau: r.Bureau, Contact: r.Contact, Post: r.Post, Phone: r.Phone,
		RobotConfigured: r.RobotURL != "", SceneID: r.SceneID, QRTicket: r.QRTicket, QRURL: r.QRURL,
		UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt}
	if acc.Can(domain.PermCountiesWrite) {
		c.RobotURL = r.RobotURL
	}
	return c
}

// Counties returns the counties acc may see: all, or a county account's own.
func (s *Service) Counties(ctx context.Context, acc domain.Account) ([]County, error) {
	if err := acc.Require(domain.PermCountiesRead); err != nil {
		return nil, err
	}
	recs, err := s.counties.Counties(ctx)
	if err != nil {
		return nil, err
	}
	out := []County{}
	for _, r := range recs {
		if acc.Sees(r.ID) {
			out = append(out, toCounty(r, acc))
		}
	}
	return out, nil
}

// County returns one county acc may see, or domain.ErrNotFound.
func (s *Service) County(ctx context.Context, acc domain.Account, id string) (County, error) {
	if err := acc.Require(domain.PermCountiesRead); err != nil {
		return County{}, err
	}
	if err := s.seesCounty(acc, id); err != nil {
		return County{}, err
	}
	r, err := s.counties.County(ctx, id)
	if err != nil {
		return County{}, err
	}
	return toCounty(r, acc), nil
}

// CountyPatch is a change of a county's contact details; nil fields stay.
type CountyPatch struct {
	Contact  *string `json:"contact"`
	Post     *string `json:"post"`
	Phone    *string `json:"phone"`
	RobotURL *string `json:"robot_url"`
}

// UpdateCounty changes a county's contact, post, phone or robot URL
// (officers) and returns the county before and after. The phone must be
// 0512-xxxxxxxx, the robot URL a WeCom webhook.
func (s *Service) UpdateCounty(ctx context.Context, acc domain.Account, id string, p CountyPatch) (before, after County, err error) {
	if err := acc.Require(domain.PermCountiesWrite); err != nil {
		return before, after, err
	}
	if err := s.seesCounty(acc, id); err != nil {
		return before, after, err
	}
	trim := func(s *string) {
		if s != nil {
			*s = strings.TrimSpace(*s)
		}
	}
	trim(p.Contact)
	trim(p.Post)
	trim(p.Phone)
	trim(p.RobotURL)
	if p.Contact == nil && p.Post == nil && p.Phone == nil && p.RobotURL == nil {
		return before, after, domain.Errorf(domain.ErrInvalid, "请至少修改 contact、post、phone、robot_url 中的一项")
	}
	if p.Contact != nil && (*p.Contact == "" || len([]rune(*p.Contact)) > 32) {
		return before, after, domain.Errorf(domain.ErrInvalid, "联系人不能为空，且不超过32个字")
	}
	if (p.Contact != nil && !dialog.PlainName(*p.Contact)) || (p.Post != nil && !dialog.PlainName(*p.Post)) {
		// Contacts and posts reach enterprises in WeChat replies.
		return before, after, domain.Errorf(domain.ErrInvalid, "联系人和职务不能换行，也不能包含 "+dialog.MarkupList+" 等符号")
	}
	if p.Post != nil && len([]rune(*p.Post)) > 64 {
		return before, after, domain.Errorf(domain.ErrInvalid, "职务不能超过64个字")
	}
	if p.Phone != nil && !domain.ValidCountyPhone(*p.Phone) {
		return before, after, domain.Errorf(domain.ErrInvalid, "电话应为 0512-xxxxxxxx（8位号码）")
	}
	if p.RobotURL != nil && !s.client.RobotURLAllowed(*p.RobotURL) {
		return before, after, domain.Errorf(domain.ErrInvalid, "群机器人地址应为企业微信群机器人的 Webhook 地址：https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")
	}
	rb, ra, err := s.counties.UpdateCounty(ctx, id, domain.CountyPatch{Contact: p.Contact, Post: p.Post, Phone: p.Phone, RobotURL: p.RobotURL}, acc.Username)
	if err != nil {
		return before, after, err
	}
	if err := s.policies.Refresh(ctx); err != nil {
		s.log.Warn("policy not refreshed after county change", slog.Any("error", err))
	}
	return toCounty(rb, acc), toCounty(ra, acc), nil
}

// Contact is a WeChat user bound as a county's contact.
type Contact struct {
	County  string    `json:"county"`
	OpenID  string    `json:"openid"`
	Name    string    `json:"name,omitempty"`   // given when binding
	Mobile  string    `json:"mobile,omitempty"` // given when binding
	BoundAt time.Time `json:"bound_at"`
	// Revoked says, after an unbinding, which sessions ended.
	Revoked string `json:"revoked,omitempty"`
}

// Contacts returns the WeChat contacts bound to a county.
func (s *Service) Contacts(ctx context.Context, acc domain.Account, county string) ([]Contact, error) {
	if err := acc.Require(domain.PermCountiesRead); err != nil {
		return nil, err
	}
	if err := s.seesCounty(acc, county); err != nil {
		return nil, err
	}
	recs, err := s.counties.ContactRecords(ctx, county)
	if err != nil {
		return nil, err
	}
	out := []Contact{}
	for _, r := range recs {
		out = append(out, Contact{County: r.County, OpenID: r.OpenID, Name: r.Name, Mobile: r.Mobile, BoundAt: r.BoundAt})
	}
	return out, nil
}

// Unbind removes a WeChat contact from a county: officers for any county,
// county accounts for their own. Every session the contact's WeChat
// sign-in opened for the county ends with it, and that sign-in refuses
// them from then on. Not bound is domain.ErrNotFound.
func (s *Service) Unbind(ctx context.Context, acc domain.Account, county, openID string) (Contact, error) {
	if err := acc.Require(domain.PermContactsWrite); err != nil {
		return Contact{}, err
	}
	if err := s.seesCounty(acc, county); err != nil {
		return Contact{}, err
	}
	r, revoked, err := s.counties.RemoveContact(ctx, county, openID)
	if err != nil {
		return Contact{}, err
	}
	return Contact{County: r.County, OpenID: r.OpenID, BoundAt: r.BoundAt, Revoked: revoked.String()}, nil
}

// CountyQR returns a county's permanent parametric QR code, creating it
// through qrcode/create with the county's scene id on first use. Followers
// who subscribe or scan through it are attributed to the county.
func (s *Service) CountyQR(ctx context.Context, acc domain.Account, county string) (c County, created bool, err error) {
	if err := acc.Require(domain.PermQRCreate); err != nil {
		return c, false, err
	}
	if err := s.seesCounty(acc, county); err != nil {
		return c, false, err
	}
	r, err := s.counties.County(ctx, county)
	if err != nil {
		return c, false, err
	}
	if r.QRTicket != "" {
		return toCounty(r, acc), false, nil
	}
	if r.SceneID <= 0 {
		return c, false, fmt.Errorf("county %s has no scene id", county)
	}
	ticket, imageURL, err := s.client.CreateQR(ctx, r.SceneID)
	if err != nil {
		return c, false, fmt.Errorf("create qr %s: %w", county, err)
	}
	if err := s.counties.SetCountyQR(ctx, county, ticket, imageURL, acc.Username); err != nil {
		return c, false, err
	}
	r.QRTicket, r.QRURL = ticket, imageURL
	return toCounty(r, acc), true, nil
}

// SandboxQRURL is what a county's QR code encodes in sandbox mode.
func SandboxQRURL(sceneID int) string {
	return "https://sandbox.suzhirong.invalid/qrcode?scene_id=" + strconv.Itoa(sceneID)
}

// CountyQRImage returns the PNG of a county's QR code: WeChat's image of
// the stored ticket, or in sandbox mode a code rendered locally that
// encodes SandboxQRURL. A county without a code yet is domain.ErrNotFound.
func (s *Service) CountyQRImage(ctx context.Context, acc domain.Account, county string) ([]byte, error) {
	if err := acc.Require(domain.PermCountiesRead); err != nil {
		return nil, err
	}
	if err := s.seesCounty(acc, county); err != nil {
		return nil, err
	}
	r, err := s.counties.County(ctx, county)
	if err != nil {
		return nil, err
	}
	if s.client.Sandbox() {
		return qrcode.Encode(SandboxQRURL(r.SceneID), qrcode.Medium, 430)
	}
	if r.QRTicket == "" {
		return nil, domain.Errorf(domain.ErrNotFound, "尚未生成二维码")
	}
	img, err := s.client.QRImage(ctx, r.QRTicket)
	if err != nil {
		return nil, err
	}
	if _, err := png.DecodeConfig(bytes.NewReader(img)); err != nil {
		// WeChat serves JPEG: pass it on only as a PNG.
		return wechat.ToPNG(img)
	}
	return img, nil
}

// Settings are the officer-maintained values.
type Settings struct {
	LPR       float64           `json:"lpr"`      // in force today
	LPRDate   string            `json:"lpr_date"` // since when
	Schedule  []LPREntry        `json:"lpr_schedule"`
	Workdays  map[string]string `json:"workdays_overrides"` // "2006-01-02" → "off" or "work"
	UpdatedBy string            `json:"updated_by,omitempty"`
	UpdatedAt *time.Time        `json:"updated_at,omitempty"`
}

// LPREntry is one announced LPR: in force, waiting for its day, or history.
type LPREntry struct {
	Rate        float64   `json:"rate"`
	EffectiveOn string    `json:"effective_on"`
	State       string    `json:"state"` // "upcoming", "in_force" or "past"
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// StateLabel names the entry's state for people.
func (e LPREntry) StateLabel() string {
	switch e.State {
	case "upcoming":
		return "待生效"
	case "in_force":
		return "执行中"
	}
	return "已停止执行"
}

// Settings returns the LPR in force, its date, the LPR schedule and the
// working-day overrides.
func (s *Service) Settings(ctx context.Context, acc domain.Account) (Settings, error) {
	if err := acc.Require(domain.PermSettings); err != nil {
		return Settings{}, err
	}
	all, err := s.counties.Settings(ctx)
	if err != nil {
		return Settings{}, err
	}
	set := Settings{Workdays: map[string]string{}, LPRDate: all[domain.SettingLPRDate].Value}
	if v := all[domain.SettingLPR].Value; v != "" {
		if set.LPR, err = strconv.ParseFloat(v, 64); err != nil {
			return Settings{}, fmt.Errorf("setting lpr %q: %w", v, err)
		}
	}
	if v := all[leads.SettingWorkdays].Value; v != "" {
		if err := json.Unmarshal([]byte(v), &set.Workdays); err != nil {
			return Settings{}, fmt.Errorf("setting %s: %w", leads.SettingWorkdays, err)
		}
	}
	now := s.now()
	if r, ok, err := s.counties.LPRInForce(ctx, now); err != nil {
		return Settings{}, err
	} else if ok {
		set.LPR, set.LPRDate = r.Rate, r.EffectiveOn
	}
	rows, err := s.counties.LPRSchedule(ctx)
	if err != nil {
		return Settings{}, err
	}
	today := now.In(domain.Shanghai).Format("2006-01-02")
	set.Schedule = []LPREntry{}
	inForce := false
	for _, r := range rows {
		e := LPREntry{Rate: r.Rate, EffectiveOn: r.EffectiveOn, By: r.CreatedBy, At: r.CreatedAt, State: "past"}
		switch {
		case r.EffectiveOn > today:
			e.State = "upcoming"
		case !inForce:
			e.State, inForce = "in_force", true
		}
		set.Schedule = append(set.Schedule, e)
	}
	var latest time.Time
	for _, k := range []string{domain.SettingLPR, domain.SettingLPRDate, leads.SettingWorkdays} {
		if st, ok := all[k]; ok && st.UpdatedAt.After(latest) {
			latest, set.UpdatedBy = st.UpdatedAt, st.UpdatedBy
		}
	}
	if !latest.IsZero() {
		set.UpdatedAt = &latest
	}
	return set, nil
}

// UpdateSettings schedules the LPR from its date (both required; a future
// date waits for its day, the rate in force until then is unchanged) and
// replaces the working-day overrides (nil leaves them), then reloads the
// policy. It returns the settings before and after.
func (s *Service) UpdateSettings(ctx context.Context, acc domain.Account, in Settings) (before, after Settings, err error) {
	if before, err = s.Settings(ctx, acc); err != nil {
		return before, after, err
	}
	if in.LPR <= 0 || in.LPR > 20 {
		return before, after, domain.Errorf(domain.ErrInvalid, "LPR 应为 0–20 之间的百分数，如 3.0")
	}
	if d, perr := time.Parse("2006-01-02", in.LPRDate); perr != nil || d.Year() < 2000 {
		return before, after, domain.Errorf(domain.ErrInvalid, "LPR 日期格式应为 YYYY-MM-DD")
	}
	var workdays string
	if in.Workdays != nil {
		raw, _ := json.Marshal(in.Workdays)
		if _, err := leads.NewWorkdays(string(raw)); err != nil {
			return before, after, domain.Errorf(domain.ErrInvalid, "工作日调整应为 {\"YYYY-MM-DD\": \"off\" 或 \"work\"}")
		}
		workdays = string(raw)
	}
	if err := s.counties.SetLPR(ctx, in.LPR, in.LPRDate, acc.Username); err != nil {
		return before, after, err
	}
	if in.Workdays != nil {
		if err := s.counties.SetSetting(ctx, leads.SettingWorkdays, workdays, acc.Username); err != nil {
			return before, after, err
		}
	}
	if err := s.policies.Refresh(ctx); err != nil {
		return before, after, err
	}
	after, err = s.Settings(ctx, acc)
	return before, after, err
}

// Dashboard is the month at a glance.
type Dashboard struct {
	Month      string            `json:"month"`
	Counties   []DashboardCounty `json:"counties"`
	Total      DashboardCounty   `json:"total"`
	SelfChecks int64             `json:"self_checks"` // followers whose last self-check is this month
	Tiers      map[string]int64  `json:"tiers"`       // of those, by tier "1".."4" ("0": none met)
	OverSLA    []OverdueLead     `json:"over_sla"`    // leads not contacted within RemindAfter working days
}

// DashboardCounty is one county's numbers on the dashboard.
type DashboardCounty struct {
	County         string           `json:"county"`
	Name           string           `json:"name"`
	Received       int64            `json:"received"`  // leads filed this month
	ByStatus       map[string]int64 `json:"by_status"` // of those, by current status
	OverSLA        int64            `json:"over_sla"`  // leads waiting past the deadline now
	SelfChecks     int64            `json:"self_checks"`
	Followers      int64            `json:"followers"`       // followers who came through the county's QR code
	FollowersMonth int64            `json:"followers_month"` // of those, subscribed this month
}

// OverdueLead is a lead waiting past its contact deadline.
type OverdueLead struct {
	ID         uint64    `json:"id"`
	Number     string    `json:"number"`
	County     string    `json:"county"`
	Enterprise string    `json:"enterprise_name"`
	CreatedAt  time.Time `json:"created_at"`
	Deadline   time.Time `json:"deadline"`
}

// Dashboard returns the numbers of month ("YYYY-MM", "" for this month):
// leads per county and status, leads over the SLA, self-checks and tiers,
// and followers per county poster. A county account gets its own county.
func (s *Service) Dashboard(ctx context.Context, acc domain.Account, month string) (Dashboard, error) {
	if err := acc.Require(domain.PermDashboard); err != nil {
		return Dashboard{}, err
	}
	now := s.now()
	from, to, err := domain.ParseMonth(month, now)
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Month: from.Format("2006-01"), Tiers: map[string]int64{}, OverSLA: []OverdueLead{},
		Total: DashboardCounty{County: "total", Name: "全市合计", ByStatus: map[string]int64{}}}
	recs, err := s.counties.Counties(ctx)
	if err != nil {
		return d, err
	}
	idx := map[string]int{}
	scenes := map[string]string{}
	for _, r := range recs {
		if !acc.Sees(r.ID) {
			continue
		}
		idx[r.ID] = len(d.Counties)
		scenes[strconv.Itoa(r.SceneID)] = r.ID
		d.Counties = append(d.Counties, DashboardCounty{County: r.ID, Name: r.Name, ByStatus: map[string]int64{}})
	}
	at := func(county string) *DashboardCounty {
		if i, ok := idx[county]; ok {
			return &d.Counties[i]
		}
		return nil
	}
	counts, err := s.reports.LeadCounts(ctx, from, to)
	if err != nil {
		return d, err
	}
	for _, c := range counts {
		if dc := at(c.County); dc != nil {
			dc.Received += c.Count
			dc.ByStatus[c.Status] += c.Count
		}
	}
	days, err := s.leads.Workdays(ctx)
	if err != nil {
		return d, err
	}
	waiting, err := s.reports.WaitingLeads(ctx)
	if err != nil {
		return d, err
	}
	for _, l := range waiting {
		dl := days.Deadline(l.CreatedAt, leads.RemindAfter)
		if dc := at(l.County); dc != nil && !now.Before(dl) {
			dc.OverSLA++
			d.OverSLA = append(d.OverSLA, OverdueLead{ID: l.ID, Number: l.Number, County: l.County,
				Enterprise: l.EnterpriseName, CreatedAt: l.CreatedAt, Deadline: dl})
		}
	}
	checks, err := s.reports.SelfChecks(ctx, from, to)
	if err != nil {
		return d, err
	}
	for _, c := range checks {
		if acc.Role == domain.RoleCounty && c.County != acc.County {
			continue
		}
		d.SelfChecks += c.Count
		d.Tiers[strconv.Itoa(c.Tier)] += c.Count
		if dc := at(c.County); dc != nil {
			dc.SelfChecks += c.Count
		}
	}
	total, inMonth, err := s.reports.FollowersByScene(ctx, from, to)
	if err != nil {
		return d, err
	}
	for scene, county := range scenes {
		if dc := at(county); dc != nil {
			dc.Followers += total[scene]
			dc.FollowersMonth += inMonth[scene]
		}
	}
	for _, dc := range d.Counties {
		d.Total.Received += dc.Received
		d.Total.OverSLA += dc.OverSLA
		d.Total.SelfChecks += dc.SelfChecks
		d.Total.Followers += dc.Followers
		d.Total.FollowersMonth += dc.FollowersMonth
		for k, v := range dc.ByStatus {
			d.Total.ByStatus[k] += v
		}
	}
	sort.Slice(d.OverSLA, func(i, j int) bool { return d.OverSLA[i].CreatedAt.Before(d.OverSLA[j].CreatedAt) })
	return d, nil
}

// SetDisbursed records the amount (万元) actually disbursed on a need:
// a contracted lead is moved to disbursed with it (note optional), a
// disbursed lead has its amount corrected. Viewers may not; a county
// account reaches only its own county's leads. moved says the lead was
// moved (leads.Service.Move logged it); a correction is not a move.
func (s *Service) SetDisbursed(ctx context.Context, a leads.Mover, ref string, wan float64, note string) (lead domain.Lead, _ float64, moved bool, err error) {
	acc := a.Account
	if err := acc.Require(domain.PermLeadsWrite); err != nil {
		return domain.Lead{}, 0, false, err
	}
	if !domain.ValidWan(wan) {
		return domain.Lead{}, 0, false, domain.Errorf(domain.ErrInvalid, "放款金额应为大于0的万元数")
	}
	lead, err = s.leads.Lead(ctx, acc, ref)
	if err != nil {
		return domain.Lead{}, 0, false, err
	}
	switch lead.Status {
	case domain.StatusContracted:
		moved, err := s.leads.Disburse(ctx, a, strconv.FormatUint(lead.ID, 10), wan, note)
		if err != nil {
			return domain.Lead{}, 0, false, err
		}
		return moved, wan, true, nil
	case domain.StatusDisbursed:
		if err := s.reports.SetDisbursedWan(ctx, lead.ID, wan); err != nil {
			return domain.Lead{}, 0, false, err
		}
		return lead, wan, false, nil
	}
	return domain.Lead{}, 0, false, domain.Errorf(domain.ErrTransition, "只有已签约或已放款的融资需求可以登记放款金额（当前：%s）", domain.StatusLabel(lead.Status))
}
