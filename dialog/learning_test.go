package dialog_test

import (
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/dialog"
)

func TestMaskPII(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"我电话13912345678找我":        "我电话〔号码〕找我",
		"座机0512-57797026":         "座机〔号码〕",
		"代码91320500MA1XXXXX0X是我们": "代码〔证照号〕是我们",
		"邮箱 a.b@example.com 联系":   "邮箱 〔邮箱〕 联系",
		"贷500万2026年能批吗":           "贷500万2026年能批吗",
		"身份证32050219800101123X":   "身份证〔证照号〕",
	} {
		if got := dialog.MaskPII(in); got != want {
			t.Errorf("MaskPII(%q) = %q, want %q", in, got, want)
		}
	}
	if got := dialog.MaskPII(strings.Repeat("问", 500)); len([]rune(got)) != 200 {
		t.Errorf("long message kept %d runes", len([]rune(got)))
	}
}

func TestUnplacedIsRecorded(t *testing.T) {
	t.Parallel()
	c := newChat(t, dialog.Profile{}).send("你们周末上班吗？我手机13912345678")
	c.reply("faq_unknown")
	if len(c.effects) != 1 {
		t.Fatalf("effects %v", c.effects)
	}
	u, ok := c.effects[0].(dialog.Unplaced)
	if !ok || strings.Contains(u.Text, "13912345678") || !strings.Contains(u.Text, "周末上班") || u.Folded == "" {
		t.Fatalf("effect %#v", c.effects[0])
	}
	// The same question typed another way counts as the same one.
	c2 := newChat(t, dialog.Profile{}).send("嗯 你们周末上班吗？？ 我手机13900000000")
	if u2 := c2.effects[0].(dialog.Unplaced); u2.Folded != u.Folded {
		t.Fatalf("folded %q and %q", u.Folded, u2.Folded)
	}
	// What is understood is not recorded.
	for _, text := range []string{"你好", "苏质贷利率多少", "9"} {
		if c := newChat(t, dialog.Profile{}).send(text); len(c.effects) != 0 {
			t.Fatalf("%q recorded: %v", text, c.effects)
		}
	}
}

func TestWithTaught(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	const q = "你们周末上班吗"
	if p.Understand(q).Verdict == dialog.Confident {
		t.Fatalf("%q already understood; the test proves nothing", q)
	}
	// Attached to an intent, the message is understood as that intent.
	taught := p.WithTaught([]dialog.TaughtParaphrase{{Intent: "contacts", Text: q}}, nil)
	if u := taught.Understand(q); u.Verdict != dialog.Confident || u.Intent != "contacts" {
		t.Fatalf("attached: %+v", u)
	}
	if p.Understand(q).Verdict == dialog.Confident {
		t.Fatal("the base policy changed")
	}
	// Answered with a new FAQ entry, the message gets that answer.
	faq := dialog.FAQ{ID: "weekend", Question: "周末可以办理吗？", Answer: "线上申请不分工作日，县级市（区）市场监管局在工作日处理。", Clause: "四（二）", Keywords: []string{"周末可以办理吗？"}}
	taught = p.WithTaught([]dialog.TaughtParaphrase{{Intent: dialog.TaughtFAQIntent("weekend"), Text: q}}, []dialog.FAQ{faq})
	c := &chat{tb: t, p: taught, tmpl: MustReplyTemplates(t), at: chatStart}
	c.send(q)
	d := c.reply("faq_answer").Data.(dialog.FAQData)
	if d.ID != "weekend" || d.Clause != "四（二）" {
		t.Fatalf("answer %+v", d)
	}
	if len(c.effects) != 0 {
		t.Fatalf("a taught message is still recorded: %v", c.effects)
	}
}

// Numbers are masked however they are written, and names after the words
// that introduce them; amounts, years and ordinary sentences stay.
func TestMaskPIIWrittenAsPeopleWrite(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"我电话一三九一二三四五六七八":          "我电话〔号码〕",
		"手机幺三九 一二三四 五六七八找我":       "手机〔号码〕找我",
		"电话１３９１２３４５６７８":           "电话〔号码〕",
		"电话139 1234 5678":         "电话〔号码〕",
		"电话139-1234-5678":         "电话〔号码〕",
		"电话139.1234.5678":         "电话〔号码〕",
		"座机（0512）57797026":        "座机(〔号码〕",
		"身份证320502 19800101 123X": "身份证〔号码〕",
		"身份证三二〇五〇二一九八〇〇一〇一一二三x":   "身份证〔号码〕",
		"联系人：张琳，想问贷款":             "联系人:〔姓名〕,想问贷款",
		"联系人张琳13912345678":        "联系人〔姓名〕〔号码〕",
		"姓名 李四 问一下利率":             "姓名 〔姓名〕 问一下利率",
		"我叫王小明想申请":                "我叫〔姓名〕想申请",
		"我是张琳，昆山的企业":              "我是〔姓名〕,昆山的企业",
		"我的名字叫欧阳娜娜":               "我的名字叫〔姓名〕",
		"我是昆山的企业想问":               "我是昆山的企业想问",
		"我是苏州一家企业":                "我是苏州一家企业",
		"我是江苏的":                   "我是江苏的",
		"联系人电话怎么填":                "联系人电话怎么填",
		"贷三百五十万两年":                "贷三百五十万两年",
		"贷500万2026年能批吗":           "贷500万2026年能批吗",
		"二〇二六年一月":                 "二〇二六年一月",
	} {
		if got := dialog.MaskPII(in); got != want {
			t.Errorf("MaskPII(%q) = %q, want %q", in, got, want)
		}
	}
	// Linear: a long run of digits and cues costs little.
	long := strings.Repeat("联系人一", 20000)
	if got := dialog.MaskPII(long); len([]rune(got)) > 200 {
		t.Errorf("long message kept %d runes", len([]rune(got)))
	}
}
