package admin

import (
	"context"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The repositories the use cases call, grouped by concern; the store
// implements them (wired in app) and tests may give in-memory fakes.

// Accounts stores console accounts, their passwords' hashes, sessions
// opened with a password and the codes with which officers bind their own
// WeChat.
type Accounts interface {
	Accounts(ctx context.Context) ([]domain.Account, error)
	Account(ctx context.Context, id uint64) (domain.Account, error)
	InsertAccount(ctx context.Context, n domain.NewAccount, hash, by string) (domain.Account, error)
	Credentials(ctx context.Context, username string) (domain.Account, string, error)
	CredentialsByID(ctx context.Context, id uint64) (domain.Account, string, error)
	SetPassword(ctx context.Context, id uint64, hash string, mustChange bool, keepToken string) error
	OpenSession(ctx context.Context, accountID uint64, expires, at time.Time) (string, error)
	SetAccountDisabled(ctx context.Context, id uint64, disabled bool) (domain.Revoked, error)
	SetAccountName(ctx context.Context, id uint64, name string) error
	OfficerOpenIDs(ctx context.Context) ([]string, error)
	InsertAccountBindCode(ctx context.Context, bc domain.AccountBindCode) error
	PendingAccountBindCode(ctx context.Context, accountID uint64, at time.Time) (domain.AccountBindCode, error)
	Institution(ctx context.Context, id uint64) (dialog.Institution, error)
}

// Sessions checks session tokens and opens the WeChat sign-in's sessions.
type Sessions interface {
	Authenticate(ctx context.Context, token string, at time.Time) (domain.Account, error)
	Logout(ctx context.Context, token string) error
	WeChatRefused(ctx context.Context, openID string) (bool, error)
	ContactsByOpenID(ctx context.Context, openID string) ([]domain.Contact, error)
	ContactSession(ctx context.Context, c domain.Contact, at time.Time) (string, domain.Account, error)
	OpenIDSession(ctx context.Context, openID string, at time.Time) (string, domain.Account, error)
	SpecialistSession(ctx context.Context, openID string, at time.Time) (string, domain.Account, error)
	AllContacts(ctx context.Context) ([]domain.Contact, error)
}

// OpsLog keeps the operations log and the sandbox's record of outbound
// calls, and answers health checks.
type OpsLog interface {
	Audit(ctx context.Context, e domain.AuditEntry) error
	FindAudit(ctx context.Context, f domain.AuditFilter) ([]domain.AuditRecord, error)
	AuditActions(ctx context.Context) ([]string, error)
	SandboxMessages(ctx context.Context, toUser string, limit int) ([]domain.SandboxMessage, error)
	Ping(ctx context.Context) error
}

// Counties stores the counties, their contacts and the settings officers
// change (LPR, working days).
type Counties interface {
	Counties(ctx context.Context) ([]domain.CountyRecord, error)
	County(ctx context.Context, id string) (domain.CountyRecord, error)
	UpdateCounty(ctx context.Context, county string, p domain.CountyPatch, by string) (before, after domain.CountyRecord, err error)
	SetCountyQR(ctx context.Context, county, ticket, imageURL, by string) error
	ContactRecords(ctx context.Context, county string) ([]domain.Contact, error)
	RemoveContact(ctx context.Context, county, openID string) (domain.Contact, domain.Revoked, error)
	Settings(ctx context.Context) (map[string]domain.Setting, error)
	SetSetting(ctx context.Context, key, value, by string) error
	SetLPR(ctx context.Context, rate float64, date, by string) error
	LPRSchedule(ctx context.Context) ([]domain.LPRRate, error)
	LPRInForce(ctx context.Context, at time.Time) (domain.LPRRate, bool, error)
}

// Broadcasts stores broadcasts, the WeChat tags of their audiences and who
// follows.
type Broadcasts interface {
	Broadcast(ctx context.Context, id uint64) (domain.Broadcast, error)
	Broadcasts(ctx context.Context, from, to time.Time) ([]domain.Broadcast, error)
	CreateBroadcast(ctx context.Context, b domain.Broadcast) (domain.Broadcast, error)
	UpdateBroadcast(ctx context.Context, b domain.Broadcast) (domain.Broadcast, error)
	DeleteBroadcast(ctx context.Context, id uint64) (domain.Broadcast, error)
	ClaimBroadcast(ctx context.Context, id uint64, by string, at, from, to time.Time, quota int) (domain.Broadcast, error)
	BroadcastSent(ctx context.Context, id uint64, msgID, msgDataID int64) error
	BroadcastFailed(ctx context.Context, id uint64, reason string) error
	MassSendsIn(ctx context.Context, from, to time.Time) (int, error)
	AudienceSize(ctx context.Context, a domain.Audience) (int64, error)
	AudienceOpenIDs(ctx context.Context, kind, value string) ([]string, error)
	Tag(ctx context.Context, kind, value string) (domain.WechatTag, error)
	SaveTag(ctx context.Context, t domain.WechatTag) error
	TagSynced(ctx context.Context, id uint64, at time.Time) error
	Subscribed(ctx context.Context, openID string) (bool, error)
}

// Reports counts what the monthly reports, the home page and the league
// table show, and records the counties' confirmations.
type Reports interface {
	LeadCounts(ctx context.Context, from, to time.Time) ([]domain.StatusCount, error)
	WaitingLeads(ctx context.Context) ([]domain.Lead, error)
	SelfChecks(ctx context.Context, from, to time.Time) ([]domain.CheckCount, error)
	FollowersByScene(ctx context.Context, from, to time.Time) (total, inPeriod map[string]int64, err error)
	EventCounts(ctx context.Context, from, to time.Time) ([]domain.EventCount, error)
	DisbursedSums(ctx context.Context, from, to time.Time) ([]domain.DisbursedSum, error)
	ReceivedCounts(ctx context.Context, from, to time.Time) ([]domain.ReceivedCount, error)
	TicketTimings(ctx context.Context, from, to time.Time) ([]domain.TicketTiming, error)
	ReportConfirmations(ctx context.Context, month string) (map[string]domain.ReportConfirmation, error)
	ConfirmReportFigures(ctx context.Context, county, month, by, figures string, at time.Time) (domain.ReportConfirmation, error)
	League(ctx context.Context, from, to time.Time) (map[string]*domain.LeagueCounts, error)
	Deals(ctx context.Context, f domain.DealFilter) ([]dialog.Deal, error)
	SetDisbursedWan(ctx context.Context, id uint64, wan float64) error
	RatingCounts(ctx context.Context, from, to time.Time) ([]domain.RatingCount, error)
}

// Roster stores the 企业库 roster and its history.
type Roster interface {
	Roster(ctx context.Context, f domain.RosterFilter) ([]dialog.RosterEntry, error)
	RosterEntry(ctx context.Context, code string) (dialog.RosterEntry, error)
	RosterHistory(ctx context.Context, code string) ([]dialog.RosterEntry, error)
	UpsertRoster(ctx context.Context, entries []dialog.RosterEntry, by string, at time.Time, dryRun bool) (domain.RosterResult, error)
	FollowerRosterEntry(ctx context.Context, openID string) (dialog.RosterEntry, error)
}

// Learning stores what officers teach the bot (FAQs, paraphrases) and the
// questions it could not place.
type Learning interface {
	TaughtFAQs(ctx context.Context) ([]domain.TaughtFAQ, error)
	UpdateTaughtFAQ(ctx context.Context, f domain.TaughtFAQ, at time.Time) (before, after domain.TaughtFAQ, err error)
	DeleteTaughtFAQ(ctx context.Context, id string) (domain.TaughtFAQ, error)
	AddFAQVersion(ctx context.Context, v domain.FAQVersion, at time.Time) (before, after domain.FAQVersion, err error)
	FAQVersions(ctx context.Context) ([]domain.FAQVersion, error)
	TaughtParaphrases(ctx context.Context) ([]domain.TaughtParaphrase, error)
	DeleteTaughtParaphrase(ctx context.Context, id uint64) (domain.TaughtParaphrase, error)
	SetParaphraseDisabled(ctx context.Context, intent, text string, disabled bool, by string, at time.Time) (domain.ParaphraseVersion, error)
	ParaphraseStates(ctx context.Context) ([]domain.ParaphraseVersion, error)
	UnplacedMessages(ctx context.Context, status string, limit int) ([]domain.UnplacedMessage, error)
	UnplacedMessage(ctx context.Context, id uint64) (domain.UnplacedMessage, error)
	UnplacedIDByFolded(ctx context.Context, folded string) (uint64, error)
	RecordUnplaced(ctx context.Context, folded, text string, at time.Time) error
	AttachUnplaced(ctx context.Context, id uint64, intent, by string, at time.Time) (domain.TaughtParaphrase, error)
	AnswerUnplaced(ctx context.Context, id uint64, faq domain.TaughtFAQ, at time.Time) error
	DismissUnplaced(ctx context.Context, id uint64, by string, at time.Time) error
	UnplacedAskers(ctx context.Context, id uint64, since time.Time) ([]string, error)
	SendToAskers(ctx context.Context, id uint64, msgs []domain.Notification, at time.Time) error
	AnswerFeedbackCounts(ctx context.Context, since time.Time) ([]domain.FeedbackCount, error)
}

// Attempts records sign-in attempts and counts their failures for the
// throttle.
type Attempts interface {
	RecordAttempt(ctx context.Context, a domain.Attempt) (domain.Attempt, error)
	AttemptFailures(ctx context.Context, a domain.Attempt, since time.Time) (pair, address domain.FailureCount, err error)
	HoldAttempt(ctx context.Context, id uint64) error
	SucceedAttempt(ctx context.Context, id uint64) error
}
