package domain

// TierTagName is the WeChat user tag of a tier: 质量信誉Ⅰ类 … Ⅳ类.
func TierTagName(t Tier) string {
	return "质量信誉" + []string{"", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"}[t] + "类"
}

// Tier is a 质量信誉 class: 1 is Ⅰ (the highest), 4 is Ⅳ. Zero means unknown.
type Tier int

// The four tiers of 附件1, highest first.
const (
	TierUnknown Tier = 0
	Tier1       Tier = 1
	Tier2       Tier = 2
	Tier3       Tier = 3
	Tier4       Tier = 4
)

var tierNumerals = [...]string{"未知", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"}

// String returns the Roman numeral used in the policy text.
func (t Tier) String() string {
	if t < 0 || int(t) >= len(tierNumerals) {
		return tierNumerals[0]
	}
	return tierNumerals[t]
}

// Label returns the tier's full name, e.g. 质量信誉Ⅱ类.
func (t Tier) Label() string {
	if !t.Valid() {
		return "未评定"
	}
	return "质量信誉" + t.String() + "类"
}

// Valid reports whether t is one of the four tiers.
func (t Tier) Valid() bool { return t >= Tier1 && t <= Tier4 }
