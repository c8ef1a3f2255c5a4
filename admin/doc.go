// Package admin holds the console's and the JSON API's use cases besides
// the lead pipeline: accounts, counties and their contacts, settings (LPR,
// working days), broadcasts, monthly reports and returns, the 企业库
// roster, the counties' league table and what officers teach the bot.
// Every method that acts for an account takes it and checks the permission
// table (domain.Perm) itself; handlers only parse and render. Sign-in,
// sessions, the operations log's writes and the chat's roster answers act
// for nobody in particular and take no account. A move of a lead goes
// through leads.Service.Move (SetDisbursed takes the mover for it).
//
// The rules of accounts and sign-in are decided here, not in the store:
// who may create which account (accounts.go), the password rules and
// hashing (passwords.go), the sign-in throttle and lockout of a username
// and address (throttle.go), an officer's own bind code (bindcodes.go) and
// the guard against guessed bind codes, which the chat's bind flow in
// leads calls through leads.Deps.Guard (bindguard.go). Their numbers are
// the domain's (domain/limits.go, domain/bindcode.go).
//
// The Service depends on small repository interfaces it declares by
// concern (repos.go: Accounts, Attempts, Sessions, OpsLog, Counties,
// Broadcasts, Reports, Roster, Learning; BindCounters in bindguard.go);
// app passes the store for each, and tests pass in-memory fakes
// (fake_test.go) as well as the real store. No non-test file imports the
// store (arch_test.go). What the store still guarantees itself is storage:
// a bind code is spent once in the transaction that binds, counters and
// holds expire in Redis, a taken username is a duplicate.
package admin
