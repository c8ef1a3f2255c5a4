package dialog_test

import (
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
)

func TestBanksFromTheRecords(t *testing.T) {
	for _, tt := range []struct {
		name    string
		profile dialog.Profile
		text    string
		want    dialog.ShowBanks
	}{
		{"remembered county", dialog.Profile{County: "kunshan"}, "哪些银行能做苏质贷", dialog.ShowBanks{County: "kunshan", Product: "szd", Kind: "bank"}},
		{"the enterprise's county", dialog.Profile{Enterprise: dialog.Enterprise{County: "sip"}}, "我们区哪家银行能贷", dialog.ShowBanks{County: "sip", Kind: "bank"}},
		{"county named", dialog.Profile{County: "sip"}, "昆山有哪些合作银行", dialog.ShowBanks{County: "kunshan", Kind: "bank"}},
		{"any institution", dialog.Profile{County: "wujiang"}, "合作的金融机构有哪些", dialog.ShowBanks{County: "wujiang"}},
		{"leasing", dialog.Profile{County: "wujiang"}, "融资租赁有哪些合作机构", dialog.ShowBanks{County: "wujiang", Product: "leasing", Kind: "leasing"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t, tt.profile).send(tt.text)
			if len(c.effects) != 1 || c.effects[0] != tt.want || !c.s.Idle() {
				t.Fatalf("effects %#v, state %s.%s, replies %v", c.effects, c.s.Flow, c.s.Step, c.names())
			}
		})
	}
}

func TestBanksAskTheCountyAsANumberedChoice(t *testing.T) {
	c := newChat(t, dialog.Profile{}).send("有哪些合作银行")
	c.at2("banks", "county")
	c.contains("1. ", "请回复数字")
	if len(c.effects) != 0 {
		t.Fatalf("effects before the county: %#v", c.effects)
	}
	c.send("99")
	c.at2("banks", "county")
	opt := c.p.Counties[2]
	c.send("3")
	if len(c.effects) != 1 || c.effects[0] != (dialog.ShowBanks{County: opt.ID, Kind: "bank"}) || !c.s.Idle() {
		t.Fatalf("3: effects %#v", c.effects)
	}
	c = newChat(t, dialog.Profile{}).sendAll("哪些银行能做苏质贷", "昆山")
	if len(c.effects) != 1 || c.effects[0] != (dialog.ShowBanks{County: "kunshan", Product: "szd", Kind: "bank"}) {
		t.Fatalf("昆山: effects %#v", c.effects)
	}
	c = newChat(t, dialog.Profile{}).sendAll("哪些银行能做苏质贷", "取消")
	if len(c.effects) != 0 || !c.s.Idle() {
		t.Fatalf("取消: effects %#v", c.effects)
	}
}
