package domain

import "time"

// The records below leave the store as they are kept: each has the fields
// of its store model, in the same order, without the persistence tags.

// UnplacedMessage is a message the bot could not place, counted by its
// folded form. Text is the first one seen, PII-masked by the engine.
type UnplacedMessage struct {
	ID         uint64
	Folded     string
	Text       string
	SeenCount  int
	FirstSeen  time.Time
	LastSeen   time.Time
	Status     string // open, taught, dismissed
	Intent     string
	ResolvedBy string
	ResolvedAt *time.Time
	// Answer is the answer given when the enterprise judged it unhelpful
	// (没用), FAQ the entry it came from, Unhelpful how often.
	Answer    string
	FAQ       string
	Unhelpful int
}

// FeedbackCount counts the judgements of one FAQ answer.
type FeedbackCount struct {
	FAQ       string
	Useful    int
	Unhelpful int
}

// TaughtParaphrase is a message an officer attached to an intent.
type TaughtParaphrase struct {
	ID        uint64
	Intent    string
	Text      string
	CreatedBy string
	CreatedAt time.Time
}

// TaughtFAQ is an FAQ entry an officer wrote; Version counts its edits.
type TaughtFAQ struct {
	ID        string
	Question  string
	Answer    string
	Clause    string
	Version   int
	UpdatedBy string
	UpdatedAt time.Time
}

// FAQVersion is one version of a seeded FAQ entry's answer and clause as an
// officer saved it; the highest is in force (version 0 is the seed itself).
type FAQVersion struct {
	ID        uint64
	FAQ       string
	Version   int
	Answer    string // empty for an entry computed from the data
	Clause    string
	CreatedBy string
	CreatedAt time.Time
}

// ParaphraseVersion is one change of a seeded paraphrase: disabled or
// enabled again; the highest version says whether it is in use.
type ParaphraseVersion struct {
	ID        uint64
	Intent    string
	Text      string
	Version   int
	Disabled  bool
	CreatedBy string
	CreatedAt time.Time
}

// LeadNote is a follow-up on an application that does not change its
// status: a phone call, a visit, anything else worth keeping.
type LeadNote struct {
	ID        uint64
	LeadID    uint64
	Kind      string // phone, visit, other
	Note      string
	Actor     string
	CreatedAt time.Time
	Sent      bool // sent to the enterprise as a message
}

// SpecialistCode is a one-time code binding a WeChat user to an
// institution's specialist.
type SpecialistCode struct {
	Code         string
	SpecialistID uint64
	CreatedBy    string
	ExpiresAt    time.Time
	UsedAt       *time.Time
	CreatedAt    time.Time
}
