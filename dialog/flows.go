package dialog

// flows are every flow's registrations, in one list: each registers its
// steps by "flow.step" key (register), the words and menu keys that start
// it (entryWords, entries) and whether it is a form (forms). They run once,
// in this order, before the package is used; a key registered twice
// panics, and TestEveryReferencedStepExists checks that every step the
// code moves to is registered.
var flows = []func(){
	registerClarify,        // answers.go
	registerBanks,          // banks.go
	registerContactProfile, // contactprofile.go
	registerProgress,       // engine.go
	registerReuse,          // enterprise.go
	registerForms,          // forms.go
	registerProducts,       // products.go
	registerRights,         // rights.go
	registerRoster,         // roster.go
	registerSelfCheck,      // selfcheck.go
	registerTickets,        // tickets.go
	registerWithdraw,       // withdraw.go
}

func init() {
	for _, register := range flows {
		register()
	}
}
