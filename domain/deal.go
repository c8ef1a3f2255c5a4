package domain

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
