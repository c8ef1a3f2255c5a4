package store

import "time"

// Persistence shapes of the officers' side: login failures, the audit log,
// broadcasts, WeChat user tags and monthly report confirmations.

// LoginFailure is one failed login, kept to lock an account after
// too many in a row (see Login).
type LoginFailure struct {
	ID       uint64    `gorm:"primaryKey"`
	Username string    `gorm:"size:64;index:idx_login_failures_user_at;not null"`
	At       time.Time `gorm:"index:idx_login_failures_user_at;not null"`
}

// AuditLog is one recorded write through the API or the console.
type AuditLog struct {
	ID       uint64 `gorm:"primaryKey"`
	Actor    string `gorm:"size:64;index;not null"` // username
	Role     string `gorm:"size:16"`
	Method   string `gorm:"size:8;not null"`
	Route    string `gorm:"size:191;not null"`
	Target   string `gorm:"size:191"`
	Status   int
	Before   string    `gorm:"type:text"`
	After    string    `gorm:"type:text"`
	At       time.Time `gorm:"index;not null"`
	RemoteIP string    `gorm:"size:64"`
	// What people read: who (name and unit), the action and its object in
	// Chinese, and the changed fields ("职务 科长→副科长").
	Who     string `gorm:"size:96"`
	Action  string `gorm:"size:64;index"`
	Object  string `gorm:"size:191"`
	Summary string `gorm:"type:text"`
}

// Broadcast is the row of a domain.Broadcast.
type Broadcast struct {
	ID            uint64 `gorm:"primaryKey"`
	Title         string `gorm:"size:128;not null"`
	Kind          string `gorm:"size:8;not null"`
	Content       string `gorm:"type:text"`
	AudienceType  string `gorm:"size:8;not null"`
	AudienceValue string `gorm:"size:32"`
	Status        string `gorm:"size:16;index;not null"`
	MsgID         int64  `gorm:"index"`
	MsgDataID     int64
	TotalCount    int64
	FilterCount   int64
	SentCount     int64
	ErrorCount    int64
	Result        string     `gorm:"size:64"`  // WeChat's Status of MASSSENDJOBFINISH, e.g. "send success"
	LastError     string     `gorm:"size:512"` // why the last send failed
	CreatedBy     string     `gorm:"size:64"`
	SentBy        string     `gorm:"size:64"`
	SentAt        *time.Time `gorm:"index"`
	FinishedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// WechatTag is the row of a domain.WechatTag.
type WechatTag struct {
	ID        uint64 `gorm:"primaryKey"`
	Name      string `gorm:"size:64;uniqueIndex;not null"`
	TagID     int64  `gorm:"not null"`
	Kind      string `gorm:"size:8;uniqueIndex:idx_tags_kind_value;not null"`
	Value     string `gorm:"size:32;uniqueIndex:idx_tags_kind_value;not null"`
	SyncedAt  *time.Time
	CreatedAt time.Time
}

// TableName keeps the table name plain.
func (WechatTag) TableName() string { return "wechat_tags" }

// ReportConfirmation is the row of a domain.ReportConfirmation.
type ReportConfirmation struct {
	ID          uint64    `gorm:"primaryKey"`
	County      string    `gorm:"size:32;uniqueIndex:idx_report_conf;not null"`
	Month       string    `gorm:"size:7;uniqueIndex:idx_report_conf;not null"`
	ConfirmedBy string    `gorm:"size:64;not null"`
	ConfirmedAt time.Time `gorm:"not null"`
	// Figures is a digest of the county's figures when confirmed; the
	// confirmation is stale once they differ.
	Figures string `gorm:"size:64;not null;default:''"`
}
