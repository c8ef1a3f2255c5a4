package dialog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// validCode completes 17 characters with their check character.
func validCode(tb testing.TB, first17 string) string {
	tb.Helper()
	c, err := dialog.CreditCheckChar(first17)
	if err != nil {
		tb.Fatal(err)
	}
	return first17 + string(c)
}

func TestCreditCode(t *testing.T) {
	t.Parallel()
	good := validCode(t, "91320594MA1MXXXX0")
	tests := []struct {
		name, in, want string // want: "" for valid, else a fragment of the message
	}{
		{"valid", good, ""},
		{"valid code registered outside Suzhou", "91110000802100433B", ""},
		{"lower case and spaces", strings.ToLower(good[:9]) + " " + good[9:], ""},
		{"full-width", "９１３２０５９４" + good[8:], ""},
		{"too short", good[:17], "18位，您输入的是17位"},
		{"too long", good + "1", "您输入的是19位"},
		{"letter I", good[:10] + "I" + good[11:], "第11位“I”"},
		{"letter O", good[:10] + "O" + good[11:], "不使用字母I、O、Z、S、V"},
		{"chinese character", good[:5] + "苏" + good[6:], "第6位"},
		{"wrong check digit", good[:17] + flip(good[17]), "第18位校验码不符"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := dialog.ValidateCreditCode(dialog.NormalizeCreditCode(tt.in))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var ce *dialog.CreditCodeError
			if !errors.As(err, &ce) || !strings.Contains(ce.Reason, tt.want) {
				t.Fatalf("got %v, want a message containing %q", err, tt.want)
			}
		})
	}
	if d := dialog.Division(good); d != "320594" || !dialog.InSuzhou(d) {
		t.Fatalf("division %q", d)
	}
	if dialog.InSuzhou("320105") {
		t.Fatal("Nanjing is not Suzhou")
	}
}

func flip(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

func FuzzCreditCode(f *testing.F) {
	f.Add("91320594MA1MXXXX0X")
	f.Add("９１３２０５９４")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		n := dialog.NormalizeCreditCode(s)
		err := dialog.ValidateCreditCode(n)
		if err == nil {
			if len(n) != 18 {
				t.Fatalf("accepted %q of length %d", n, len(n))
			}
			c, cerr := dialog.CreditCheckChar(n[:17])
			if cerr != nil || c != n[17] {
				t.Fatalf("accepted %q with a wrong check character", n)
			}
		}
	})
}
