package dialog

// StatusFits reports whether a lead of kind can ever be in status: 已入库
// is for applications only, 预授信/签约/放款 for financing needs only.
func StatusFits(kind, status string) bool {
	if !ValidStatus(status) {
		return false
	}
	k, ok := kindOnly[status]
	return !ok || k == kind
}
