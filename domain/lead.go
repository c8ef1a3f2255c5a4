package domain

import (
	"math"
	"slices"
	"time"
)

// The lead pipeline: statuses, the transitions between them and the names
// people read. Chat (受理/驳回, 进度) and the JSON API share this table.

// Lead statuses.
const (
	StatusSubmitted   = "submitted"    // 已提交: filed, waiting for the county bureau
	StatusContacted   = "contacted"    // 已受理: the county bureau took it up
	StatusReviewing   = "reviewing"    // 审核中: under review (bureau or bank)
	StatusPreApproved = "pre_approved" // 已预授信: the bank granted pre-approval (need only)
	StatusContracted  = "contracted"   // 已签约: financing agreement signed (need only)
	StatusDisbursed   = "disbursed"    // 已放款: financing disbursed (need only)
	StatusApproved    = "approved"     // 已入库: admitted to the enterprise library (apply only)
	StatusRejected    = "rejected"     // 未通过
	StatusWithdrawn   = "withdrawn"    // 已撤回
)

// Statuses lists every status in pipeline order.
var Statuses = []string{
	StatusSubmitted, StatusContacted, StatusReviewing, StatusPreApproved, StatusContracted,
	StatusDisbursed, StatusApproved, StatusRejected, StatusWithdrawn,
}

var statusLabels = map[string]string{
	StatusSubmitted:   "已提交",
	StatusContacted:   "已受理",
	StatusReviewing:   "审核中",
	StatusPreApproved: "已预授信",
	StatusContracted:  "已签约",
	StatusDisbursed:   "已放款",
	StatusApproved:    "已入库",
	StatusRejected:    "未通过",
	StatusWithdrawn:   "已撤回",
}

// transitions maps a status to the statuses it may move to, for any kind;
// kindOnly restricts some targets to one kind of lead.
var transitions = map[string][]string{
	StatusSubmitted:   {StatusContacted, StatusRejected, StatusWithdrawn},
	StatusContacted:   {StatusReviewing, StatusApproved, StatusRejected, StatusWithdrawn},
	StatusReviewing:   {StatusPreApproved, StatusApproved, StatusRejected, StatusWithdrawn},
	StatusPreApproved: {StatusContracted, StatusRejected, StatusWithdrawn},
	StatusContracted:  {StatusDisbursed},
}

var kindOnly = map[string]string{
	StatusApproved:    LeadApply,
	StatusPreApproved: LeadNeed,
	StatusContracted:  LeadNeed,
	StatusDisbursed:   LeadNeed,
}

// StatusLabel returns the name people read for a status.
func StatusLabel(status string) string {
	if l, ok := statusLabels[status]; ok {
		return l
	}
	return status
}

// ValidStatus reports whether status is one of Statuses.
func ValidStatus(status string) bool {
	_, ok := statusLabels[status]
	return ok
}

// ValidKind reports whether kind is LeadApply or LeadNeed.
func ValidKind(kind string) bool { return kind == LeadApply || kind == LeadNeed }

// Terminal reports whether a lead in status can no longer change.
func Terminal(status string) bool { return ValidStatus(status) && len(transitions[status]) == 0 }

// OpenStatuses lists the statuses of leads still being worked.
func OpenStatuses() []string {
	var out []string
	for _, s := range Statuses {
		if !Terminal(s) {
			out = append(out, s)
		}
	}
	return out
}

// NextStatuses returns the statuses a lead of kind may move to from status.
func NextStatuses(kind, status string) []string {
	var out []string
	for _, to := range transitions[status] {
		if k, ok := kindOnly[to]; ok && k != kind {
			continue
		}
		out = append(out, to)
	}
	return out
}

// CheckMove returns nil when a lead of kind may move from one status to
// another, an ErrUnknownStatus error for a status not in the table, and an
// ErrTransition error otherwise. Messages are for people.
func CheckMove(kind, from, to string) error {
	if !ValidStatus(to) {
		return Errorf(ErrUnknownStatus, "未知的状态“%s”", to)
	}
	if slices.Contains(NextStatuses(kind, from), to) {
		return nil
	}
	if Terminal(from) {
		return Errorf(ErrTransition, "该%s已办结（%s），不能再变更状态", LeadKindLabel(kind), StatusLabel(from))
	}
	if k, ok := kindOnly[to]; ok && k != kind {
		return Errorf(ErrTransition, "%s不适用“%s”状态", LeadKindLabel(kind), StatusLabel(to))
	}
	return Errorf(ErrTransition, "状态不能从“%s”变为“%s”", StatusLabel(from), StatusLabel(to))
}

// Lead is a stored application or financing need.
type Lead struct {
	ID             uint64
	Number         string // SZR-20261127-0001
	Kind           string // LeadApply or LeadNeed
	County         string // county slug
	Status         string
	EnterpriseName string
	CreditCode     string
	Contact        string
	Phone          string
	Product        string
	AmountWan      float64
	TermMonths     int
	Purpose        string
	Note           string
	DisbursedWan   float64 // the amount lent, once disbursed (万元); 0 before
	OpenID         string  // the enterprise's follower
	ConsentAt      time.Time
	PolicyVersion  string
	ContactedAt    time.Time // zero until contacted
	RemindedAt     time.Time // zero until the SLA reminder
	EscalatedAt    time.Time // zero until the SLA escalation
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Events         []LeadEvent // oldest first; may be only the last one in lists
}

// LeadEvent is one status change: who, when and why.
type LeadEvent struct {
	ID        uint64
	Status    string
	Actor     string // "enterprise", "wechat:<openid>", "account:<username>", "system"
	Note      string
	CreatedAt time.Time
}

// Last returns the lead's latest event, if any.
func (l Lead) Last() (LeadEvent, bool) {
	if len(l.Events) == 0 {
		return LeadEvent{}, false
	}
	return l.Events[len(l.Events)-1], true
}

// Open reports whether the lead is still being worked.
func (l Lead) Open() bool { return !Terminal(l.Status) }

// StatusFits reports whether a lead of kind can ever be in status: 已入库
// is for applications only, 预授信/签约/放款 for financing needs only.
func StatusFits(kind, status string) bool {
	if !ValidStatus(status) {
		return false
	}
	k, ok := kindOnly[status]
	return !ok || k == kind
}

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

// Lead kinds, the Kind of a SubmitLead.
const (
	LeadApply = "apply" // 入库申请: a Ⅳ-class enterprise applies to join the library
	LeadNeed  = "need"  // 融资需求: an enterprise of any tier files a financing need
)

// LeadKindLabel returns the name enterprises read for a lead kind.
func LeadKindLabel(kind string) string {
	switch kind {
	case LeadApply:
		return "入库申请"
	case LeadNeed:
		return "融资需求"
	}
	return kind
}

// needPath is the pipeline of a financing need, in order.
var needPath = []string{StatusSubmitted, StatusContacted, StatusReviewing, StatusPreApproved, StatusContracted, StatusDisbursed}

// PathTo returns the statuses a need moves through from status from to
// to (a later step of the need pipeline), each allowed by the transition
// table: a deal recorded on a need still 已受理 records the steps between.
// A need already at to gives an empty path; anything else is an
// ErrTransition error for people.
func PathTo(kind, from, to string) ([]string, error) {
	if kind != LeadNeed {
		return nil, Errorf(ErrTransition, "只有融资需求可以登记放款")
	}
	if from == to {
		return nil, nil
	}
	i, j := slices.Index(needPath, from), slices.Index(needPath, to)
	if i < 0 || j < 0 || j < i {
		return nil, Errorf(ErrTransition, "该申请当前为“%s”，不能登记为“%s”", StatusLabel(from), StatusLabel(to))
	}
	path := needPath[i+1 : j+1]
	prev := from
	for _, s := range path {
		if err := CheckMove(kind, prev, s); err != nil {
			return nil, err
		}
		prev = s
	}
	return path, nil
}

// SpecialistMove reports whether a specialist may move a referred
// application to status: review, pre-approval, contract or refusal; the
// disbursement is recorded as a deal.
func SpecialistMove(status string) bool {
	switch status {
	case StatusReviewing, StatusPreApproved, StatusContracted, StatusRejected:
		return true
	}
	return false
}
