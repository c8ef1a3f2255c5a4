package dialog_test

import (
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
)

func lookup(effects []dialog.Effect) (string, bool) {
	for _, e := range effects {
		if l, ok := e.(dialog.LookupRoster); ok {
			return l.CreditCode, true
		}
	}
	return "", false
}

func TestRosterLookupFromIdle(t *testing.T) {
	t.Parallel()
	code := validCode(t, "91320583MA1N2P3Q4")
	tests := []struct {
		name, text string
		direct     bool // looks up at once; else asks for the code
	}{
		{"bare code", code, true},
		{"lower case full-width", strings.ToLower("９１" + code[2:]), true},
		{"question with code", "请问" + code + "在企业库里吗", true},
		{"question", "我们在企业库里吗", false},
		{"is it listed", "我公司是否在企业库中？", false},
		{"keyword", "企业库查询", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t, dialog.Profile{})
			c.send(tt.text)
			got, ok := lookup(c.effects)
			if tt.direct {
				if !ok || got != code || !c.s.Idle() {
					t.Fatalf("lookup %q %v, state %s.%s, replies %v", got, ok, c.s.Flow, c.s.Step, c.names())
				}
				return
			}
			if ok || c.s.Flow != "roster" || !c.has("roster_ask_code") {
				t.Fatalf("flow %s, replies %v, effects %v", c.s.Flow, c.names(), c.effects)
			}
			wrong := code[:17] + "0"
			if wrong == code {
				wrong = code[:17] + "1"
			}
			c.send(wrong) // wrong check character
			if _, ok := lookup(c.effects); ok || !c.has("invalid") || c.s.Flow != "roster" {
				t.Fatalf("bad code: replies %v", c.names())
			}
			if !strings.Contains(c.text(), "第18位") {
				t.Errorf("the reason does not name the position: %q", c.text())
			}
			c.send(code)
			if got, ok := lookup(c.effects); !ok || got != code || !c.s.Idle() {
				t.Fatalf("after the code: %q %v %s", got, ok, c.s.Flow)
			}
		})
	}
}

func TestRosterWordsDoNotStealApplications(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"怎么加入企业库", "如何申请进入企业库"} {
		c := newChat(t, dialog.Profile{})
		c.send(text)
		if _, ok := lookup(c.effects); ok || c.s.Flow == "roster" {
			t.Errorf("%q read as a roster lookup (%v)", text, c.names())
		}
	}
	// A wrong bare code is explained, not looked up.
	c := newChat(t, dialog.Profile{})
	code := validCode(t, "91320583MA1N2P3Q4")
	wrong := code[:17] + "0"
	if wrong == code {
		wrong = code[:17] + "1"
	}
	c.send(wrong)
	if _, ok := lookup(c.effects); ok || !c.has("invalid") {
		t.Errorf("bad bare code: %v", c.names())
	}
}

// Waiting for a credit code, words that carry none are read afresh: the
// enterprise has moved on, and is understood rather than told its “code”
// has the wrong length.
func TestRosterLookupLetsTheEnterpriseMoveOn(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"查一下SZR-20260101-0001", "我们有ISO9001认证属于哪类"} {
		c := newChat(t, dialog.Profile{})
		c.send("企业库查询")
		c.send(text)
		if c.s.Flow == "roster" || c.has("invalid") {
			t.Errorf("%q in the lookup: flow %s, replies %v", text, c.s.Flow, c.names())
		}
	}
	// A question is answered and ends the lookup: there is nothing
	// half-filled to come back to.
	c := newChat(t, dialog.Profile{})
	c.send("企业库查询")
	c.send("贷500万一年利息多少")
	if c.has("invalid") || !c.has("calc_compare") || c.has("roster_ask_code") || c.s.Flow == "roster" {
		t.Errorf("a question in the lookup: flow %s, replies %v", c.s.Flow, c.names())
	}
	// A code with a typo is still a code: the reason is given.
	c = newChat(t, dialog.Profile{})
	c.send("企业库查询")
	c.send("我们的代码是91320583MA1N2P3Q")
	if c.s.Flow != "roster" || !c.has("invalid") {
		t.Errorf("a short code: flow %s, replies %v", c.s.Flow, c.names())
	}
}
