package dialog

import (
	"fmt"
	"strings"
)

// creditAlphabet is the character set of 统一社会信用代码 (GB 32100-2015);
// a character's value is its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCodeError says what is wrong with a credit code, in words an
// enterprise understands.
type CreditCodeError struct {
	Reason string
}

func (e *CreditCodeError) Error() string { return e.Reason }

// NormalizeCreditCode upper-cases a code and removes spaces and full-width
// forms, so that "９１３２ 0594…" is read as typed on a phone.
func NormalizeCreditCode(s string) string {
	s = toHalfWidth(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\t':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidateCreditCode checks a normalised code's length, characters and check
// digit. The error names the first problem found.
func ValidateCreditCode(code string) error {
	n := len([]rune(code))
	if n != 18 {
		return &CreditCodeError{fmt.Sprintf("统一社会信用代码应为18位，您输入的是%d位。", n)}
	}
	sum := 0
	for i, r := range code {
		v := strings.IndexRune(creditAlphabet, r)
		if v < 0 {
			hint := ""
			switch r {
			case 'I', 'O', 'Z', 'S', 'V':
				hint = "（代码中不使用字母I、O、Z、S、V）"
			}
			return &CreditCodeError{fmt.Sprintf("第%d位“%c”不是统一社会信用代码允许的字符%s。", i+1, r, hint)}
		}
		if i < 17 {
			sum += v * creditWeights[i]
		} else {
			check := (31 - sum%31) % 31
			if v != check {
				return &CreditCodeError{fmt.Sprintf("第18位校验码不符（按前17位计算应为%c），请核对代码是否抄错。", creditAlphabet[check])}
			}
		}
	}
	if code[2:8] == "000000" {
		return &CreditCodeError{"第3–8位登记管理机关行政区划码无效。"}
	}
	return nil
}

// CreditCheckChar computes the 18th character for the first 17 characters.
func CreditCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("need 17 characters, got %d", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("character %q at %d not allowed", first17[i], i+1)
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31], nil
}

// Division returns positions 3–8 of a valid credit code: the administrative
// division where the enterprise first registered.
func Division(code string) string {
	if len(code) < 8 {
		return ""
	}
	return code[2:8]
}

// InSuzhou reports whether a division code lies within Suzhou (3205xx).
func InSuzhou(div string) bool { return strings.HasPrefix(div, "3205") }

// AboveCity reports whether a division code names a registration authority
// above any city — Jiangsu province (320000) or the State (100000) — which
// says nothing of where the enterprise is: the county is asked instead.
func AboveCity(div string) bool { return div == "320000" || div == "100000" }
