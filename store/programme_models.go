package store

import "time"

// Persistence shapes of the programme's own records: the 企业库 roster and
// its history, the cooperating institutions and their specialists,
// referrals and deals.

// RosterRecord is an enterprise of the 企业库 roster as recorded now.
type RosterRecord struct {
	ID         uint64 `gorm:"primaryKey"`
	CreditCode string `gorm:"size:18;uniqueIndex;not null"`
	Name       string `gorm:"size:128;not null"`
	Tier       int    `gorm:"not null"`
	Basis      string `gorm:"size:512"`
	County     string `gorm:"size:32;index;not null"`
	ListedOn   string `gorm:"size:10;not null"`
	Source     string `gorm:"size:16;not null"`
	Version    int    `gorm:"not null"`
	UpdatedBy  string `gorm:"size:64"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName keeps the table name plain.
func (RosterRecord) TableName() string { return "roster_entries" }

// RosterVersion is a replaced version of a roster entry: the history an
// upsert keeps.
type RosterVersion struct {
	ID         uint64 `gorm:"primaryKey"`
	CreditCode string `gorm:"size:18;index;not null"`
	Name       string `gorm:"size:128;not null"`
	Tier       int    `gorm:"not null"`
	Basis      string `gorm:"size:512"`
	County     string `gorm:"size:32;not null"`
	ListedOn   string `gorm:"size:10;not null"`
	Source     string `gorm:"size:16;not null"`
	Version    int    `gorm:"not null"`
	UpdatedBy  string `gorm:"size:64"`
	RecordedAt time.Time
	ReplacedBy string `gorm:"size:64"`
	ReplacedAt time.Time
}

// TableName keeps the table name plain.
func (RosterVersion) TableName() string { return "roster_versions" }

// InstitutionRecord is a cooperating financial institution.
type InstitutionRecord struct {
	ID   uint64 `gorm:"primaryKey"`
	Name string `gorm:"size:128;uniqueIndex;not null"`
	Kind string `gorm:"size:16;not null"`
	// Counties are the county slugs the institution serves, comma
	// separated; "" is all of Suzhou.
	Counties  string `gorm:"size:256;not null;default:''"`
	UpdatedBy string `gorm:"size:64"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName keeps the table name plain.
func (InstitutionRecord) TableName() string { return "institutions" }

// SpecialistRecord is a service specialist of an institution.
type SpecialistRecord struct {
	ID            uint64 `gorm:"primaryKey"`
	InstitutionID uint64 `gorm:"index;not null"`
	Name          string `gorm:"size:64;not null"`
	Phone         string `gorm:"size:20"`
	Products      string `gorm:"size:256"`
	OpenID        string `gorm:"size:64;index"`
	BoundAt       *time.Time
	// ConsentAt is when the specialist's name and phone were agreed to be
	// shown to enterprises; nil: they are not shown.
	ConsentAt *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName keeps the table name plain.
func (SpecialistRecord) TableName() string { return "specialists" }

// SpecialistCode is a one-time code binding a WeChat user to a specialist.
type SpecialistCode struct {
	Code         string `gorm:"primaryKey;size:16"`
	SpecialistID uint64 `gorm:"not null"`
	CreatedBy    string `gorm:"size:64"`
	ExpiresAt    time.Time
	UsedAt       *time.Time
	CreatedAt    time.Time
}

// TableName keeps the table name plain.
func (SpecialistCode) TableName() string { return "specialist_bind_codes" }

// ReferralRecord is a lead referred to an institution.
type ReferralRecord struct {
	ID            uint64 `gorm:"primaryKey"`
	LeadID        uint64 `gorm:"uniqueIndex:idx_referrals_lead_inst;not null"`
	InstitutionID uint64 `gorm:"uniqueIndex:idx_referrals_lead_inst;index;not null"`
	ReferredBy    string `gorm:"size:64"`
	CreatedAt     time.Time
}

// TableName keeps the table name plain.
func (ReferralRecord) TableName() string { return "referrals" }

// DealRecord is one disbursement (融资成交信息).
type DealRecord struct {
	ID             uint64 `gorm:"primaryKey"`
	LeadID         uint64 `gorm:"index;not null"`
	County         string `gorm:"size:32;index:idx_deals_county_day;not null"`
	InstitutionID  uint64 `gorm:"index"`
	EnterpriseName string `gorm:"size:128;not null"`
	CreditCode     string `gorm:"size:18;not null"`
	Product        string `gorm:"size:32;not null"`
	AmountWan      float64
	RatePct        float64
	TermMonths     int
	DisbursedOn    string `gorm:"size:10;index:idx_deals_county_day;not null"`
	Actor          string `gorm:"size:64"`
	CreatedAt      time.Time
	// WithdrawnAt is set when the deal was withdrawn (recorded in error):
	// it stays as history and leaves every sum and the monthly return.
	WithdrawnAt *time.Time
	// Remark is the reason of the last correction or of the withdrawal.
	Remark string `gorm:"size:256"`
}

// TableName keeps the table name plain.
func (DealRecord) TableName() string { return "deals" }
