package store

import "time"

// The records below are the persistence shapes; domain code never sees them.

// Follower is one WeChat user of the account.
type Follower struct {
	ID             uint64 `gorm:"primaryKey"`
	OpenID         string `gorm:"size:64;uniqueIndex;not null"`
	Scene          string `gorm:"size:64"`
	County         string `gorm:"size:32;index"`
	Subscribed     bool
	Tier           int
	Criteria       string `gorm:"size:1024"`
	CheckedAt      *time.Time
	SubscribedAt   *time.Time
	UnsubscribedAt *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// CountyRecord is the row of a domain.CountyRecord.
type CountyRecord struct {
	ID        string `gorm:"primaryKey;size:32"`
	Name      string `gorm:"size:64;not null"`
	Bureau    string `gorm:"size:128"`
	Contact   string `gorm:"size:64"`
	Post      string `gorm:"size:128"`
	Phone     string `gorm:"size:32"`
	Divisions string `gorm:"size:256"`
	Sort      int
	RobotURL  string `gorm:"size:512"`
	SceneID   int
	QRTicket  string `gorm:"size:256"`
	QRURL     string `gorm:"size:512"`
	UpdatedBy string `gorm:"size:64"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TableName keeps the table name short.
func (CountyRecord) TableName() string { return "counties" }

// Setting is the row of a domain.Setting.
type Setting struct {
	Key       string `gorm:"column:name;primaryKey;size:64"`
	Value     string `gorm:"type:text"`
	UpdatedBy string `gorm:"size:64"`
	UpdatedAt time.Time
}

// Lead is an application (入库申请) or a financing need (融资需求).
type Lead struct {
	ID             uint64 `gorm:"primaryKey"`
	Number         string `gorm:"size:32;uniqueIndex;not null"`
	Kind           string `gorm:"size:16;index:idx_leads_code_kind;not null"`
	County         string `gorm:"size:32;index:idx_leads_county_status;not null"`
	Status         string `gorm:"size:16;index:idx_leads_county_status;not null"`
	EnterpriseName string `gorm:"size:128;not null"`
	CreditCode     string `gorm:"size:18;index:idx_leads_code_kind;not null"`
	Contact        string `gorm:"size:64"`
	Phone          string `gorm:"size:20"`
	Product        string `gorm:"size:32"`
	AmountWan      float64
	TermMonths     int
	Purpose        string `gorm:"size:512"`
	Note           string `gorm:"size:1024"`
	OpenID         string `gorm:"size:64;index"`
	ConsentAt      time.Time
	PolicyVersion  string `gorm:"size:64"`
	DisbursedWan   float64
	ContactedAt    *time.Time
	RemindedAt     *time.Time
	EscalatedAt    *time.Time
	// OpenKey is kind+credit code while the lead is open and NULL once it
	// is terminal: a unique index then allows one open lead per enterprise
	// and kind, even with two submissions racing.
	OpenKey   *string   `gorm:"size:64;uniqueIndex:idx_leads_open_key"`
	CreatedAt time.Time `gorm:"index"`
	UpdatedAt time.Time
}

// LeadEvent is one status change of a lead.
type LeadEvent struct {
	ID        uint64 `gorm:"primaryKey"`
	LeadID    uint64 `gorm:"index;not null"`
	Status    string `gorm:"size:16;not null"`
	Actor     string `gorm:"size:64"`
	Note      string `gorm:"size:512"`
	CreatedAt time.Time
}

// Counter hands out sequence numbers (application numbers per day).
type Counter struct {
	Name  string `gorm:"primaryKey;size:64"`
	Value int64
}

// Outbox is one notification to deliver: a WeChat template or customer-service
// message, or a WeCom robot post. DedupeKey makes enqueueing idempotent.
type Outbox struct {
	ID          uint64 `gorm:"primaryKey"`
	Channel     string `gorm:"size:16;not null"`
	Recipient   string `gorm:"size:512;not null"`
	DedupeKey   string `gorm:"size:191;uniqueIndex;not null"`
	Payload     string `gorm:"type:text"`
	Status      string `gorm:"size:16;index:idx_outbox_due;not null"`
	Attempts    int
	NextAt      time.Time `gorm:"index:idx_outbox_due"`
	LockedBy    string    `gorm:"size:64"`
	LockedUntil *time.Time
	LastError   string `gorm:"size:512"`
	SentAt      *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CountyContact is a WeChat user bound as a contact of a county bureau.
type CountyContact struct {
	ID        uint64 `gorm:"primaryKey"`
	County    string `gorm:"size:32;uniqueIndex:idx_contact_county_openid;not null"`
	OpenID    string `gorm:"size:64;uniqueIndex:idx_contact_county_openid;index;not null"`
	Name      string `gorm:"size:32"` // the contact's name, asked when binding
	Mobile    string `gorm:"size:20"`
	BoundAt   time.Time
	CreatedAt time.Time
}

// BindCode is a one-time code that binds a WeChat user to a county.
type BindCode struct {
	Code      string `gorm:"primaryKey;size:16"`
	County    string `gorm:"size:32;not null"`
	CreatedBy string `gorm:"size:64"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	UsedBy    string `gorm:"size:64"`
	CreatedAt time.Time
}

// SandboxMessage is an outbound WeChat call recorded instead of sent, when the
// service runs without an app id.
type SandboxMessage struct {
	ID        uint64    `gorm:"primaryKey"`
	API       string    `gorm:"size:64;not null"`
	ToUser    string    `gorm:"size:64;index"`
	Body      string    `gorm:"type:text"`
	CreatedAt time.Time `gorm:"index"`
}

// Account is a user of the JSON API and the console.
type Account struct {
	ID           uint64 `gorm:"primaryKey"`
	Username     string `gorm:"size:64;uniqueIndex;not null"`
	PasswordHash string `gorm:"size:100;not null"`
	Role         string `gorm:"size:16;not null"`
	County       string `gorm:"size:32"`
	OpenID       string `gorm:"size:64;index"`
	// InstitutionID is the cooperating institution of an institution account.
	InstitutionID uint64 `gorm:"not null;default:0"`
	CreatedBy     string `gorm:"size:64"`
	// MustChangePassword is set for a generated or reset password.
	MustChangePassword bool `gorm:"not null;default:false"`
	// Name is the person's name, shown in the operations log and on
	// actions ("张琳（昆山市局）").
	Name string `gorm:"size:32"`
	// Mobile is the person's mobile, for the city to reach them.
	Mobile string `gorm:"size:20"`
	// Disabled accounts cannot sign in and have no sessions.
	Disabled    bool `gorm:"not null;default:false"`
	LastLoginAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// APIToken is a bearer token of an account, stored as its SHA-256.
type APIToken struct {
	ID        uint64    `gorm:"primaryKey"`
	Hash      string    `gorm:"size:64;uniqueIndex;not null"`
	AccountID uint64    `gorm:"index;not null"`
	ExpiresAt time.Time `gorm:"index"`
	CreatedAt time.Time
}
