package domain

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"time"
)

// The officers' and county contacts' side: who may do what in the JSON API
// and the console, and the rules of broadcasts, county contacts and months.

// Account roles of the JSON API and the console.
const (
	RoleOfficer = "officer" // city bureau: everything
	RoleCounty  = "county"  // a county bureau: its own county's leads
	RoleViewer  = "viewer"  // read-only
	// RoleInstitution is a service specialist (服务专员) of a cooperating
	// financial institution: only the applications referred to it.
	RoleInstitution = "institution"
)

// Account is a console/API user.
type Account struct {
	ID       uint64
	Username string
	Role     string
	County   string // for RoleCounty
	OpenID   string // WeChat openid for officer escalations, optional
	// MustChangePassword: the password was generated or reset; nothing
	// but a password change is allowed until it is changed.
	MustChangePassword bool
	Name               string // the person's name, optional
	Disabled           bool
	LastLoginAt        time.Time // zero: never
	CreatedAt          time.Time
	// Institution is the cooperating institution of a RoleInstitution account.
	Institution uint64
	Mobile      string // the person's mobile, optional
}

// ValidMobile reports whether s is a mainland mobile number: 11 digits
// starting with 1.
func ValidMobile(s string) bool {
	if len(s) != 11 || s[0] != '1' {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Sees reports whether the account may see a lead of county.
// An institution account sees no county as a whole: only the leads
// referred to it (checked where leads are read).
func (a Account) Sees(county string) bool {
	switch a.Role {
	case RoleCounty:
		return a.County == county
	case RoleInstitution:
		return false
	}
	return true
}

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
	PermSandboxRead    Perm = "sandbox.read"       // every call a sandbox account recorded
	PermSimulate       Perm = "simulator"          // talk to the bot as a simulated follower of one's own
	PermLeadsCorrect   Perm = "leads.correct"      // set a wrong status right, with a reason
	PermTickets        Perm = "tickets"            // read and answer enterprises' questions (own county for county accounts)
	// PermSpecialistConsent: record whether a specialist's name and phone
	// may be shown to enterprises (own institution for institution accounts).
	PermSpecialistConsent Perm = "specialists.consent"
)

// rule is who holds a permission, and what a read-only account and others
// are told when they try ("" for the general wording).
type rule struct {
	roles    []string
	readOnly string
	refused  string
}

// readOnlyData is what a read-only account is told when it tries to change
// data.
const readOnlyData = "只读账号不能修改数据"

// correctOnly is the refusal of a status correction.
const correctOnly = "只有市局管理员可以更正状态"

var perms = map[Perm]rule{
	PermAuditRead:      {roles: []string{RoleOfficer}},
	PermCountiesRead:   {roles: []string{RoleOfficer, RoleCounty, RoleViewer}},
	PermCountiesWrite:  {roles: []string{RoleOfficer}, readOnly: readOnlyData},
	PermContactsWrite:  {roles: []string{RoleOfficer, RoleCounty}, readOnly: readOnlyData},
	PermQRCreate:       {roles: []string{RoleOfficer}},
	PermSettings:       {roles: []string{RoleOfficer}},
	PermDashboard:      {roles: []string{RoleOfficer, RoleCounty, RoleViewer}},
	PermTagsSync:       {roles: []string{RoleOfficer}},
	PermBroadcastRead:  {roles: []string{RoleOfficer, RoleCounty, RoleViewer}},
	PermBroadcastWrite: {roles: []string{RoleOfficer}},
	PermReportRead:     {roles: []string{RoleOfficer, RoleCounty, RoleViewer}},
	PermReportConfirm:  {roles: []string{RoleCounty}},
	PermLeadsWrite:     {roles: []string{RoleOfficer, RoleCounty}, readOnly: readOnlyData},
	// Administering accounts is not a matter of read-only or not: everyone
	// but officers is simply refused.
	PermAccounts:     {roles: []string{RoleOfficer}, readOnly: "无权执行该操作"},
	PermRosterRead:   {roles: []string{RoleOfficer, RoleCounty, RoleViewer, RoleInstitution}},
	PermRosterImport: {roles: []string{RoleOfficer}},
	PermInstRead:     {roles: []string{RoleOfficer, RoleCounty, RoleViewer}},
	PermInstWrite:    {roles: []string{RoleOfficer}},
	PermReferral:     {roles: []string{RoleOfficer, RoleCounty}},
	PermDealWrite:    {roles: []string{RoleOfficer, RoleCounty, RoleInstitution}, readOnly: readOnlyData},
	PermLeague:       {roles: []string{RoleOfficer, RoleViewer}},
	PermTeach:        {roles: []string{RoleOfficer}},
	PermSandboxRead:  {roles: []string{RoleOfficer, RoleViewer}, refused: "沙箱消息仅市局账号可以查看"},
	PermSimulate:     {roles: []string{RoleOfficer, RoleCounty}, readOnly: "只读账号不能用模拟器发送消息"},
	PermLeadsCorrect: {roles: []string{RoleOfficer}, readOnly: correctOnly, refused: correctOnly},
	PermTickets:      {roles: []string{RoleOfficer, RoleCounty}, readOnly: "只读账号不能回复企业的问题"},
	PermSpecialistConsent: {roles: []string{RoleOfficer, RoleInstitution},
		refused: "只有市局管理员或本机构账号可以设置服务专员信息是否向企业公开"},
}

// Can reports whether the account's role holds p.
func (a Account) Can(p Perm) bool { return slices.Contains(perms[p].roles, a.Role) }

// Require returns nil when the account holds p, else an ErrForbidden error.
func (a Account) Require(p Perm) error {
	if a.Can(p) {
		return nil
	}
	if a.Role == RoleViewer {
		return Errorf(ErrForbidden, "%s", cmp.Or(perms[p].readOnly, "只读账号不能执行该操作"))
	}
	return Errorf(ErrForbidden, "%s", cmp.Or(perms[p].refused, "无权执行该操作"))
}

// ErrLocked is the error of a login to an account locked after too many
// failed attempts.
var ErrLocked = errors.New("account locked")

// SimulatorPrefix is the openid prefix of an account's simulated followers
// in the console's simulator. The simulator signs pushes with the real
// token, so it must never speak as a real follower or as another account's
// simulated ones: every openid it accepts carries the account's id.
func SimulatorPrefix(acc Account) string { return "o-sim-" + strconv.FormatUint(acc.ID, 10) + "-" }

// ContactWithinWorkdays is the county bureau's commitment to an enterprise
// that filed an application or need: contacted within this many working
// days after the day it was filed. Past it the county's contacts are
// reminded (leads.RemindAfter).
const ContactWithinWorkdays = 2
