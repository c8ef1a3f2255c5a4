package domain

import "time"

// What the console keeps in the database besides accounts and leads: the
// counties' records, settings, LPR rates, broadcasts and their WeChat tags,
// the counties' confirmations of monthly reports. The store's rows carry
// the same fields with their column tags.

// Setting keys officers may change without a release.
const (
	SettingLPR     = "lpr"
	SettingLPRDate = "lpr_date"
)

// Statuses of an unplaced message.
const (
	UnplacedOpen      = "open"
	UnplacedTaught    = "taught"
	UnplacedDismissed = "dismissed"
)

// CountyRecord is a county bureau as seeded and as officers keep it.
type CountyRecord struct {
	ID        string
	Name      string
	Bureau    string
	Contact   string
	Post      string
	Phone     string
	Divisions string
	Sort      int
	RobotURL  string
	SceneID   int
	QRTicket  string
	QRURL     string
	UpdatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Setting is an officer-editable value: the LPR, working-day overrides.
type Setting struct {
	Key       string
	Value     string
	UpdatedBy string
	UpdatedAt time.Time
}

// LPRRate is one announced 1-year LPR with the day it takes effect. The
// rows are the rate's history and its schedule: the one in force on a day
// is the latest entry effective on or before it; a correction of a day's
// rate is a newer row of the same day.
type LPRRate struct {
	ID          uint64
	Rate        float64
	EffectiveOn string // 2006-01-02, China time
	CreatedBy   string
	CreatedAt   time.Time
}

// Broadcast is a mass message (群发) to all followers or a WeChat tag.
type Broadcast struct {
	ID            uint64
	Title         string
	Kind          string
	Content       string
	AudienceType  string
	AudienceValue string
	Status        string
	MsgID         int64
	MsgDataID     int64
	TotalCount    int64
	FilterCount   int64
	SentCount     int64
	ErrorCount    int64
	Result        string // WeChat's Status of MASSSENDJOBFINISH, e.g. "send success"
	LastError     string // why the last send failed
	CreatedBy     string
	SentBy        string
	SentAt        *time.Time
	FinishedAt    *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// WechatTag is a WeChat user tag the service created for an audience:
// a tier (Value "1".."4") or a county (Value its slug).
type WechatTag struct {
	ID        uint64
	Name      string
	TagID     int64
	Kind      string
	Value     string
	SyncedAt  *time.Time
	CreatedAt time.Time
}

// ReportConfirmation records that a county confirmed its monthly report.
type ReportConfirmation struct {
	ID          uint64
	County      string
	Month       string
	ConfirmedBy string
	ConfirmedAt time.Time
	// Figures is a digest of the county's figures when confirmed; the
	// confirmation is stale once they differ.
	Figures string
}
