package dialog_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/dialog"
)

// FuzzStep feeds arbitrary text through dialog.Step from states across the
// flows: nothing may panic, every turn answers (a reply, or an effect whose
// runner answers), every reply renders to non-empty text without missing
// data, and an answer inside a flow never leaves a half-filled form behind
// as a lead.
//
//	go test ./dialog -run '^$' -fuzz FuzzStep -fuzztime 60s
func FuzzStep(f *testing.F) {
	p := MustChatPolicy(f)
	tmpl := MustReplyTemplates(f)
	tier2 := dialog.Profile{Tier: 2, Criteria: []string{"2-5"}, CheckedAt: chatStart, County: "常熟市"}
	type start struct {
		name    string
		profile dialog.Profile
		texts   []string
	}
	starts := []start{
		{"idle", dialog.Profile{}, nil},
		{"selfcheck eligibility", dialog.Profile{}, []string{"1"}},
		{"selfcheck criteria", dialog.Profile{}, []string{"1", "是", "是", "是", "没有"}},
		{"selfcheck saved", tier2, []string{"1"}},
		{"calc tier", dialog.Profile{}, []string{"3"}},
		{"calc amount", dialog.Profile{}, []string{"3", "1"}},
		{"products", dialog.Profile{}, []string{"产品"}},
		{"product tier", dialog.Profile{}, []string{"产品", "1"}},
		{"need form", tier2, []string{"融资需求"}},
		{"need form 2", tier2, []string{"融资需求", "1"}},
		{"apply form", dialog.Profile{}, []string{"入库"}},
		{"apply form 2", dialog.Profile{}, []string{"入库", "1"}},
		{"contacts", dialog.Profile{}, []string{"联系"}},
	}
	states := make([]dialog.State, len(starts))
	for i, s := range starts {
		c := newChat(f, s.profile).sendAll(s.texts...)
		states[i] = c.s
	}
	for _, seed := range []string{
		"", " ", "1", "0", "99", "1 3", "1,3", "1、3", "都没有", "无", "是", "否", "返回", "上一步", "取消", "菜单", "帮助", "人工",
		"自检", "入库", "产品", "苏质贷利率是多少", "绑定 123456", "500", "-1", "1e9", "３０００", "91320594MA1MXXXX0X",
		"我们是江苏质量信用AA级企业，还有CCC认证", "]]>", "<xml>", "\x00", "\u202e", strings.Repeat("是", 2000),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for i, st := range states {
			in := dialog.Inbound{OpenID: "o-fuzz", Kind: dialog.KindText, Text: text, At: chatStart.Add(time.Hour)}
			if !st.UpdatedAt.IsZero() {
				in.At = st.UpdatedAt.Add(time.Minute)
			}
			next, replies, effects := dialog.Step(p, st, in)
			if len(replies) == 0 && len(effects) == 0 {
				t.Fatalf("%s: %q got no reply and no effect", starts[i].name, text)
			}
			for _, r := range replies {
				if r.Transfer {
					continue
				}
				var b strings.Builder
				if err := tmpl.ExecuteTemplate(&b, r.Name, r.Data); err != nil {
					t.Fatalf("%s: %q: render %s: %v", starts[i].name, text, r.Name, err)
				}
				out := b.String()
				if strings.TrimSpace(out) == "" || strings.Contains(out, "<no value>") {
					t.Fatalf("%s: %q: reply %s renders %q", starts[i].name, text, r.Name, out)
				}
				if utf8.ValidString(text) && !utf8.ValidString(out) {
					t.Fatalf("%s: %q: reply %s is not valid UTF-8", starts[i].name, text, r.Name)
				}
			}
			if next.Flow != "" && next.Step == "" {
				t.Fatalf("%s: %q: in flow %q without a step", starts[i].name, text, next.Flow)
			}
		}
	})
}
