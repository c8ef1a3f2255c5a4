// Package admin holds the console's and the JSON API's use cases besides
// the lead pipeline: accounts, counties and their contacts, settings (LPR,
// working days), broadcasts, monthly reports and returns, the 企业库
// roster, the counties' league table and what officers teach the bot.
// Every method that acts for an account takes it and checks the permission
// table (domain.Perm) itself; handlers only parse and render. Sign-in,
// sessions, the operations log's writes and the chat's roster answers act
// for nobody in particular and take no account. A move of a lead goes
// through leads.Service.Move (SetDisbursed takes the mover for it). The
// service holds a *store.DB: sign-in throttling, password and bind-code
// rules still sit there.
package admin
