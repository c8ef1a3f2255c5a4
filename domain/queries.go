package domain

import "time"

// LeadFilter selects leads; empty fields match everything.
type LeadFilter struct {
	County   string
	Status   string
	Kind     string
	OpenID   string
	OpenOnly bool
	Limit    int // default 200
	// Institution selects the leads referred to an institution.
	Institution uint64
}

// LeadQuery is the console's lead search: the filter of Leads plus a date
// range, a search text and a page.
type LeadQuery struct {
	LeadFilter
	From   time.Time // created at or after; zero: no bound
	To     time.Time // created before; zero: no bound
	Search string    // part of the enterprise name, the number or the credit code
	Offset int
}

// RosterFilter selects roster entries; empty fields match everything.
type RosterFilter struct {
	County string
	Tier   Tier
	Query  string // name or credit code contains
	Limit  int    // default 1000
}

// AuditFilter selects operations-log entries; zero fields select all.
type AuditFilter struct {
	Person string    // part of the username or of who
	Action string    // exact action
	Object string    // part of the object
	From   time.Time // inclusive
	To     time.Time // exclusive
	Limit  int       // capped at 5000; 100 when not positive
}

// AuditEntry is one write to record: who, what and, where the handler
// knows them, the record before and after.
type AuditEntry struct {
	Actor    string // username
	Role     string
	Method   string // POST, PATCH, PUT, DELETE
	Route    string // the route pattern, e.g. /api/v1/counties/:county
	Target   string // the ids in the path, e.g. "county=kunshan"
	Status   int    // the HTTP status answered
	Before   any    // nil, a string of JSON, or a value encoded as JSON
	After    any
	RemoteIP string
	At       time.Time
	Who      string // "张琳（昆山市局）"
	Action   string // "修改联系人"
	Object   string // "太仓市", "SZR-20261130-0001"
	Summary  string // "职务 科长→副科长"
}

// NewAccount describes an account to create.
type NewAccount struct {
	Username string
	Password string
	Role     string
	County   string
	OpenID   string
	Name     string
	// MustChangePassword makes the account change its password before
	// anything else (a generated or reset password).
	MustChangePassword bool
	// Institution is the cooperating institution of an institution account.
	Institution uint64
	Mobile      string // optional
}

// TokenTTL is how long an API token stays valid after login.
const TokenTTL = 7 * 24 * time.Hour

// AuditRecord is one entry of the operations log (操作日志).
type AuditRecord struct {
	ID       uint64
	Actor    string // username
	Role     string
	Method   string
	Route    string
	Target   string
	Status   int
	Before   string
	After    string
	At       time.Time
	RemoteIP string
	// What people read: who (name and unit), the action and its object in
	// Chinese, and the changed fields ("职务 科长→副科长").
	Who     string
	Action  string
	Object  string
	Summary string
}

// SandboxMessage is an outbound WeChat call a sandbox account recorded
// instead of making.
type SandboxMessage struct {
	ID        uint64
	API       string
	ToUser    string
	Body      string
	CreatedAt time.Time
}

// Contact is a county bureau's WeChat contact (对接人), bound with a code.
type Contact struct {
	ID        uint64
	County    string
	OpenID    string
	Name      string // the contact's name, asked when binding
	Mobile    string
	BoundAt   time.Time
	CreatedAt time.Time
}

// BindCode is a one-time code that binds a WeChat user as a county's
// contact.
type BindCode struct {
	Code      string
	County    string
	CreatedBy string
	ExpiresAt time.Time
	UsedAt    *time.Time
	UsedBy    string
	CreatedAt time.Time
}
