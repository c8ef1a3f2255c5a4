package domain

import (
	"errors"
	"slices"
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
}

// CanWrite reports whether the account may change data.
func (a Account) CanWrite() bool {
	return a.Role == RoleOfficer || a.Role == RoleCounty
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
