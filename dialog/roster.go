package dialog

import (
	"regexp"
	"strings"
	"unicode"
)

// hasHan reports whether text has a Chinese character.
func hasHan(text string) bool {
	return strings.IndexFunc(text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// The 企业库 lookup in the chat: an enterprise asks whether it is in the
// roster (“我们在企业库里吗”, “企业库查询”) or sends just its credit code,
// and learns its recorded tier and since when, or that it is not listed
// and what to do. The lookup itself is the LookupRoster effect.

// LookupRoster asks for the roster's record of a credit code.
type LookupRoster struct{ CreditCode string }

func (LookupRoster) effect() {}

// rosterWords name the roster; rosterAsks make a sentence about it a
// lookup rather than an application question (“怎么加入企业库”).
var (
	rosterWords = []string{"企业库", "企业名录", "名录"}
	rosterAsks  = []string{"在", "查", "是否", "有没有", "了吗", "里吗", "中吗"}
	rosterApply = []string{"申请", "加入", "怎么", "如何", "条件"}
)

// codeLike is an 18-character run that is meant as a credit code.
var codeLike = regexp.MustCompile(`[0-9A-Z]{18}`)

// registerRoster registers this file's steps and entries (flows.go lists it).
func registerRoster() {
	entryWords["企业库查询"] = "roster"
	entryWords["查询企业库"] = "roster"
	entryWords["名录查询"] = "roster"
	entries["roster"] = func(t *turn) {
		if code := t.s.Profile.Enterprise.Code; code != "" {
			// The code the enterprise confirmed on its last form: not asked again.
			t.end()
			t.emit(LookupRoster{CreditCode: code})
			return
		}
		t.s.Flow, t.s.Step, t.s.History = "roster", "code", nil
		t.s.Fields, t.s.Picks = map[string]string{}, nil
		steps["roster.code"].ask(t)
	}
	register("roster.code", step{
		ask:    func(t *turn) { t.say("roster_ask_code", nil) },
		answer: answerRosterCode,
		// A question ends the lookup (answerRosterCode reads it afresh):
		// nothing is half-filled, so asking for the code again after every
		// answer would only be in the way.
		questions: true,
	})
}

// codeAttempt is a run long enough to be meant as a credit code, typos
// included.
var codeAttempt = regexp.MustCompile(`[0-9A-Za-z]{15,}`)

func answerRosterCode(t *turn, text string) {
	if hasHan(text) && !codeAttempt.MatchString(strings.ReplaceAll(Normalize(text), " ", "")) {
		// Words, not a code: the enterprise has moved on (“查一下SZR-…”,
		// a question). The lookup ends and the message is read afresh.
		t.end()
		t.text(text)
		return
	}
	code := NormalizeCreditCode(text)
	if m := codeLike.FindString(code); m != "" {
		code = m
	}
	if err := ValidateCreditCode(code); err != nil {
		t.reask(err.Error())
		return
	}
	t.end()
	t.emit(LookupRoster{CreditCode: code})
}

// rosterQuery handles a message of an idle conversation that asks about
// the roster or is just a credit code; false when it is neither.
func (t *turn) rosterQuery(text string) bool {
	n := Normalize(text)
	code := NormalizeCreditCode(text)
	if len(code) == 18 && codeLike.MatchString(code) {
		if err := ValidateCreditCode(code); err != nil {
			t.say("invalid", err.Error()+"如需查询是否在企业库中，请发送正确的18位统一社会信用代码。")
			return true
		}
		t.emit(LookupRoster{CreditCode: code})
		return true
	}
	if !containsAny(n, rosterWords) || !containsAny(n, rosterAsks) || containsAny(n, rosterApply) {
		return false
	}
	if m := codeLike.FindString(NormalizeCreditCode(text)); m != "" && ValidateCreditCode(m) == nil {
		t.emit(LookupRoster{CreditCode: m})
		return true
	}
	t.start("roster")
	return true
}
