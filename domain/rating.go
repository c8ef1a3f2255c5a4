package domain

import (
	"errors"
	"time"
)

// 好差评: when an application is closed the enterprise is asked to rate
// the service on the five levels government services use; a poor rating
// (不满意, 非常不满意) goes to the county bureau for 回访整改.

// The rating levels, in the order the question numbers them (reply 1–5).
const (
	RatingVerySatisfied    = 1 // 非常满意
	RatingSatisfied        = 2 // 满意
	RatingFair             = 3 // 基本满意
	RatingDissatisfied     = 4 // 不满意
	RatingVeryDissatisfied = 5 // 非常不满意
)

// RatingLevels lists the levels in question order.
var RatingLevels = []int{RatingVerySatisfied, RatingSatisfied, RatingFair, RatingDissatisfied, RatingVeryDissatisfied}

var ratingLabels = map[int]string{
	RatingVerySatisfied: "非常满意", RatingSatisfied: "满意", RatingFair: "基本满意",
	RatingDissatisfied: "不满意", RatingVeryDissatisfied: "非常不满意",
}

// RatingLabel is the name people read for a level, "" for none.
func RatingLabel(level int) string { return ratingLabels[level] }

// ValidRating reports whether level is one of RatingLevels.
func ValidRating(level int) bool { _, ok := ratingLabels[level]; return ok }

// PoorRating reports a 差评: 不满意 or 非常不满意.
func PoorRating(level int) bool {
	return level == RatingDissatisfied || level == RatingVeryDissatisfied
}

// Satisfied reports a level counted in 满意率: 非常满意, 满意 or 基本满意.
func Satisfied(level int) bool { return ValidRating(level) && !PoorRating(level) }

// RatedStatus reports whether a lead closing in status asks the enterprise
// for a rating: approved, rejected or disbursed. A withdrawal is the
// enterprise's own act, not a service delivered, and is not rated.
func RatedStatus(status string) bool {
	return Terminal(status) && status != StatusWithdrawn
}

// RatingWindow is how long after the question a closed application may
// still be rated.
const RatingWindow = 30 * 24 * time.Hour

// Rating is an enterprise's rating of the service on one closed lead.
type Rating struct {
	LeadID     uint64
	LeadNumber string
	Kind       string
	County     string
	OpenID     string
	Level      int // 0 until rated
	Comment    string
	CreatedAt  time.Time  // when the lead closed
	AskedAt    *time.Time // when the question went out; nil when it could not (outside 48 h)
	RatedAt    *time.Time
	TicketID   uint64 // the 回访 ticket of a poor rating
}

// RatingCount counts one county's ratings of a period by level.
type RatingCount struct {
	County  string
	ByLevel [6]int // index = level; 0 unused
}

// Rated is the number of ratings counted.
func (c RatingCount) Rated() int {
	n := 0
	for _, l := range RatingLevels {
		n += c.ByLevel[l]
	}
	return n
}

// SatisfiedPct is 满意率: the share of 非常满意, 满意 and 基本满意 among
// the ratings, in percent; 0 when none.
func (c RatingCount) SatisfiedPct() float64 {
	n := c.Rated()
	if n == 0 {
		return 0
	}
	ok := c.ByLevel[RatingVerySatisfied] + c.ByLevel[RatingSatisfied] + c.ByLevel[RatingFair]
	return float64(ok) * 100 / float64(n)
}

// ErrRated refuses a second rating of a lead.
var ErrRated = errors.New("already rated")
