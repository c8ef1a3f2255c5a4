// Package admin holds the console's and the JSON API's use cases besides
// the lead pipeline: accounts, counties and their contacts, settings (LPR,
// working days), broadcasts, monthly reports and returns, the 企业库
// roster, the counties' league table and what officers teach the bot.
// Every method takes the acting account and checks the permission table
// (domain.Perm) itself; handlers only parse and render.
package admin
