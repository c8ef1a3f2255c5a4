package dialog

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A county contact who has just bound their WeChat (绑定 <code>) is asked
// for their name and mobile, so that their work shows in the console as
// “张琳（昆山市局）” rather than as a WeChat id.

// SaveContactProfile records the bound contact's name and mobile; the
// caller answers contact_profile_ok (ContactProfileData), or
// contact_profile_unbound when the follower is no contact.
type SaveContactProfile struct {
	Name   string
	Mobile string
}

func (SaveContactProfile) effect() {}

// ContactProfileData is the data of "contact_profile_ok".
type ContactProfileData struct {
	Name   string
	Mobile string
}

// AwaitContactProfile puts s at the question of the contact's name and
// mobile; the caller has bound the follower and asked it.
func (s *State) AwaitContactProfile() {
	s.Flow, s.Step, s.History, s.Fields, s.Picks = "contact", "profile", nil, map[string]string{}, nil
}

var mobileIn = regexp.MustCompile(`1[3-9]\d{9}`)

// nameNoise are words people put around their name.
var nameNoise = strings.NewReplacer("姓名", "", "名字", "", "手机号码", "", "手机号", "", "手机", "", "电话", "",
	"我叫", "", "我是", "", "联系人", "", "：", "", ":", "", "，", "", ",", "", "、", "", "。", "", "；", "", ";", "")

// ParseContactProfile reads "张琳 13912345678" (in either order, with
// words around) and returns the name and mobile, or a reason for people.
func ParseContactProfile(text string) (name, mobile, reason string) {
	s := toHalfWidth(strings.TrimSpace(text))
	compact := strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(s)
	mobile = mobileIn.FindString(compact)
	if mobile == "" {
		return "", "", "没有找到11位手机号码。请按“姓名 手机号”回复，如：张琳 13912345678。"
	}
	rest := strings.Replace(compact, mobile, "", 1)
	rest = strings.TrimFunc(nameNoise.Replace(rest), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	n := utf8.RuneCountInString(rest)
	if n < 2 || n > 16 {
		return "", "", "请同时写上您的姓名（2–16个字），如：张琳 13912345678。"
	}
	for _, r := range rest {
		if !unicode.Is(unicode.Han, r) && !unicode.IsLetter(r) && r != '·' && r != '.' {
			return "", "", "姓名只能包含汉字或字母，请按“姓名 手机号”回复，如：张琳 13912345678。"
		}
	}
	return rest, mobile, ""
}

// registerContactProfile registers this file's steps and entries (flows.go lists it).
func registerContactProfile() {
	register("contact.profile", step{
		ask:  func(t *turn) { t.say("contact_profile_ask", nil) },
		help: "contact_profile_help",
		answer: func(t *turn, text string) {
			if s := strings.TrimSpace(text); s == "跳过" || s == "不填" {
				t.end()
				t.say("contact_profile_skipped", nil)
				return
			}
			name, mobile, reason := ParseContactProfile(text)
			if reason != "" {
				t.reask(reason)
				return
			}
			t.end()
			t.emit(SaveContactProfile{Name: name, Mobile: mobile})
		},
	})
}
