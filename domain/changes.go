package domain

// Changes and queries the use cases hand the repositories.

// CountyPatch is an officer's change to a county's contact details; nil
// fields stay as they are. Validation is the caller's (bot.UpdateCounty).
type CountyPatch struct {
	Contact  *string
	Post     *string
	Phone    *string
	RobotURL *string
}

// DealFilter selects deals by county, institution, lead and the
// disbursement date in [From, To) (YYYY-MM-DD).
type DealFilter struct {
	County      string
	Institution uint64
	LeadID      uint64
	CreditCode  string
	From, To    string
	// Withdrawn includes the withdrawn deals (history); they are left out
	// otherwise.
	Withdrawn bool
}

// RosterResult counts what an upsert of the roster did (or would do).
type RosterResult struct {
	Inserted  int
	Updated   int
	Unchanged int
}
