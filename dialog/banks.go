package dialog

import (
	"cmp"
	"strings"
)

// 哪些银行能做苏质贷, 有哪些合作银行, 我们区哪家银行能贷: the cooperating
// institutions serving the enterprise's county, from the service's own
// records (ShowBanks, answered by the leads service). The county is the
// one the message names, else the remembered one, else asked as a
// numbered choice.

// ShowBanks asks for the cooperating institutions serving a county.
type ShowBanks struct {
	County  string // county slug
	Product string // product id named in the question, or ""
	Kind    string // institution kind asked about (bank, leasing…), or "" for any
}

func (ShowBanks) effect() {}

var (
	institutionWords = []string{"银行", "金融机构", "合作机构", "租赁公司", "期货公司", "担保公司", "保险公司", "农商行", "bank"}
	whichWords       = []string{"哪些", "哪家", "哪几家", "哪个", "有哪", "什么银行", "名单", "名录", "能选", "可以选"}
)

// asksForBanks reports whether folded text asks which institutions serve.
func asksForBanks(folded string) bool {
	return containsAny(folded, institutionWords) && containsAny(folded, whichWords)
}

// productKinds is the institution kind that offers a product.
var productKinds = map[string]string{
	"szd": "bank", "leasing": "leasing", "futures": "futures", "guarantee": "guarantee", "insurance": "insurance",
}

// banks answers which institutions serve the enterprise's county.
func (t *turn) banks(text string) {
	n := t.p.Fold(text)
	product := productNamed(t.p, n)
	kind := productKinds[product]
	if kind == "" && strings.Contains(n, "银行") {
		kind = "bank"
	}
	county := ""
	if o, ok := pickCounty(countyOptions(t.p), text); ok && !isDigits(strings.TrimSpace(text)) {
		county = o.Key
	}
	county = cmp.Or(county, t.s.Profile.County, t.s.Profile.Enterprise.County)
	if county != "" {
		t.end()
		t.emit(ShowBanks{County: county, Product: product, Kind: kind})
		return
	}
	// The county is not known: the notice's general answer first, then
	// the list of the county the enterprise names.
	for _, f := range t.p.FAQs {
		if f.ID == "banks" {
			t.say("faq_answer", FAQData{ID: f.ID, Question: f.Question, Answer: f.Answer, Clause: f.Clause})
		}
	}
	t.end()
	t.s.Flow, t.s.Step = "banks", "county"
	t.s.Fields = map[string]string{"product": product, "kind": kind}
	steps[t.key()].ask(t)
}

// BanksCountyData is the data of "banks_county".
type BanksCountyData struct{ Options []Option }

// registerBanks registers this file's steps and entries (flows.go lists it).
func registerBanks() {
	register("banks.county", step{
		ask: func(t *turn) { t.say("banks_county", BanksCountyData{Options: countyOptions(t.p)}) },
		claims: func(t *turn, text string) bool {
			_, ok := pickCounty(countyOptions(t.p), text)
			return ok
		},
		answer: func(t *turn, text string) {
			o, ok := pickCounty(countyOptions(t.p), text)
			if !ok {
				t.reask("请回复县级市（区）前的数字。")
				return
			}
			product, kind := t.s.field("product"), t.s.field("kind")
			t.end()
			t.emit(ShowBanks{County: o.Key, Product: product, Kind: kind})
		},
	})
}
