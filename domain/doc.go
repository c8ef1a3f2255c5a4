// Package domain holds what every layer of the service shares: leads and
// their statuses, accounts, roles and the one permission table, counties,
// tiers, broadcast rules, the domain errors and the time zone. It imports
// only the standard library.
package domain
