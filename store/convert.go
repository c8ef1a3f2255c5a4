package store

import "github.com/suzhou-amr/suzhirong/domain"

// The store's models carry persistence tags; what leaves the store is the
// domain's shape of the same fields. Go converts between struct types that
// differ only in tags, so each conversion is a plain type conversion.

func toAuditRecords(rows []AuditLog) []domain.AuditRecord {
	return convertAll(rows, func(r AuditLog) domain.AuditRecord { return domain.AuditRecord(r) })
}

func toContacts(rows []CountyContact) []domain.Contact {
	return convertAll(rows, func(r CountyContact) domain.Contact { return domain.Contact(r) })
}

func toBindCodes(rows []BindCode) []domain.BindCode {
	return convertAll(rows, func(r BindCode) domain.BindCode { return domain.BindCode(r) })
}

func toSandboxMessages(rows []SandboxMessage) []domain.SandboxMessage {
	return convertAll(rows, func(r SandboxMessage) domain.SandboxMessage { return domain.SandboxMessage(r) })
}

func toUnplacedMessages(rows []UnplacedMessage) []domain.UnplacedMessage {
	return convertAll(rows, func(r UnplacedMessage) domain.UnplacedMessage { return domain.UnplacedMessage(r) })
}

func toTaughtParaphrases(rows []TaughtParaphrase) []domain.TaughtParaphrase {
	return convertAll(rows, func(r TaughtParaphrase) domain.TaughtParaphrase { return domain.TaughtParaphrase(r) })
}

func toTaughtFAQs(rows []TaughtFAQ) []domain.TaughtFAQ {
	return convertAll(rows, func(r TaughtFAQ) domain.TaughtFAQ { return domain.TaughtFAQ(r) })
}

func toFAQVersions(rows []FAQVersion) []domain.FAQVersion {
	return convertAll(rows, func(r FAQVersion) domain.FAQVersion { return domain.FAQVersion(r) })
}

func toParaphraseVersions(rows []ParaphraseVersion) []domain.ParaphraseVersion {
	return convertAll(rows, func(r ParaphraseVersion) domain.ParaphraseVersion { return domain.ParaphraseVersion(r) })
}

func toLeadNotes(rows []LeadNote) []domain.LeadNote {
	return convertAll(rows, func(r LeadNote) domain.LeadNote {
		return domain.LeadNote{ID: r.ID, LeadID: r.LeadID, Kind: r.Kind, Note: r.Note, Actor: r.Actor, CreatedAt: r.CreatedAt,
			Sent: r.SentAt != nil}
	})
}

// convertAll converts every row with f.
func convertAll[M, D any](rows []M, f func(M) D) []D {
	out := make([]D, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// convert maps rows to the domain's values.
func convert[R, D any](rows []R, to func(R) D) []D {
	out := make([]D, len(rows))
	for i, r := range rows {
		out[i] = to(r)
	}
	return out
}
