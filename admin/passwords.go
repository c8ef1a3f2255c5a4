package admin

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Password rules: at least MinPasswordLen characters (bcrypt reads at most
// 72 bytes), not of one character class only, not one character repeated,
// not the username, and not one of the passwords every guessing list tries
// first.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 72
)

// commonPasswords are the most common passwords of public breach lists
// (and their Chinese favourites), compared case-insensitively and with
// trailing digits and punctuation removed.
var commonPasswords = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`password passw0rd p@ssword p@ssw0rd qwerty qwertyuiop asdfghjkl
		zxcvbnm abc abcd abcdef abcdefg abcdefgh iloveyou admin administrator root welcome letmein
		monkey dragon football baseball sunshine princess master shadow superman michael trustno1
		woaini woaiwojia aini1314 wodemima mima zhongguo china suzhou suzhirong changeme default
		test tester guest user login qazwsx qazwsxedc 1qaz2wsx zaq12wsx 1q2w3e4r 1q2w3e 123qwe
		qwe123 abc123 a123456 aa123456 q1w2e3r4 asdf asdfgh 1234qwer qwer1234 admin123 password1
		secret computer internet whatever freedom starwars`) {
		commonPasswords[p] = true
	}
}

// CheckPassword returns an error, with the reason for people, when pw may
// not be used as a password of username.
func CheckPassword(pw, username string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen || len(pw) > MaxPasswordLen {
		return domain.Errorf(domain.ErrInvalid, "密码应为%d–%d个字符", MinPasswordLen, MaxPasswordLen)
	}
	if strings.TrimSpace(pw) == "" || strings.IndexFunc(pw, unicode.IsControl) >= 0 {
		return domain.Errorf(domain.ErrInvalid, "密码不能为空白或含控制字符")
	}
	if oneClass(pw) {
		return domain.Errorf(domain.ErrInvalid, "密码过于简单：请混合使用字母、数字或符号中的至少两类")
	}
	lower := strings.ToLower(pw)
	if username != "" && strings.Contains(lower, strings.ToLower(username)) && n-utf8.RuneCountInString(username) < 4 {
		return domain.Errorf(domain.ErrInvalid, "密码不能与用户名相同或只多几个字符")
	}
	core := strings.TrimRightFunc(lower, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	core = strings.TrimLeftFunc(core, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if commonPasswords[lower] || commonPasswords[core] || sequential(lower) {
		return domain.Errorf(domain.ErrInvalid, "密码过于常见，容易被猜中，请换一个")
	}
	return nil
}

// oneClass reports whether every character is a digit, or every one a
// letter, or one character repeated.
func oneClass(pw string) bool {
	var digit, letter, other bool
	first, _ := utf8.DecodeRuneInString(pw)
	same := true
	for _, r := range pw {
		switch {
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLetter(r):
			letter = true
		default:
			other = true
		}
		if r != first {
			same = false
		}
	}
	classes := 0
	for _, b := range []bool{digit, letter, other} {
		if b {
			classes++
		}
	}
	return same || classes < 2
}

// sequential reports runs like 1234567890abc or qwertyuiop1 that keyboards
// and counting produce: every character one after the previous.
func sequential(pw string) bool {
	runs := 0
	prev := rune(-1)
	for _, r := range pw {
		if r == prev+1 || r == prev-1 {
			runs++
		}
		prev = r
	}
	return runs >= utf8.RuneCountInString(pw)-2
}

// Stored passwords are bcrypt hashes at the service's cost (Deps.PasswordCost).
func (s *Service) hashPassword(pw string) (string, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), s.passwordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(hash), nil
}

// passwordMatches reports whether pw is the password of hash.
func passwordMatches(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash is checked against for unknown usernames, at the cost of real
// hashes, so that a wrong username takes as long as a wrong password.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		h, _ := bcrypt.GenerateFromPassword([]byte("dummy-password"), s.passwordCost)
		s.dummy = string(h)
	})
	return s.dummy
}

// generatedPassword is a password made for an account to be handed over
// once: "Szr-" and n random bytes in hex.
func generatedPassword(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return "Szr-" + hex.EncodeToString(b)
}

// checkPersonName accepts an empty name or one line of at most 32
// characters without markup.
func checkPersonName(name string) error {
	if name == "" {
		return nil
	}
	if utf8.RuneCountInString(name) > 32 || !dialog.PlainName(name) {
		return domain.Errorf(domain.ErrInvalid, "姓名应为一行、不超过32个字，且不含特殊符号")
	}
	return nil
}
