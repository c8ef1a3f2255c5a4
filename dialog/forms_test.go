package dialog_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/templates"
)

// formPolicy is the seeded policy the form tests run against. Expectations
// are read from it (product and county positions, caps), so a data change
// does not break them.
func formPolicy(tb testing.TB) *dialog.Policy {
	tb.Helper()
	return MustChatPolicy(tb)
}

// formNo returns the 1-based position of the product or county with the
// given id, as the enterprise would type it.
func formNo(tb testing.TB, p *dialog.Policy, id string) string {
	tb.Helper()
	for i, pr := range p.Products {
		if pr.ID == id {
			return strconv.Itoa(i + 1)
		}
	}
	for i, c := range p.Counties {
		if c.ID == id {
			return strconv.Itoa(i + 1)
		}
	}
	tb.Fatalf("no product or county %q", id)
	return ""
}

// formCode returns a valid credit code first registered in division div.
func formCode(tb testing.TB, div string) string {
	tb.Helper()
	first := "91" + div + "MA1N2P3Q4"
	c, err := dialog.CreditCheckChar(first)
	if err != nil {
		tb.Fatalf("check char for %s: %v", first, err)
	}
	return first + string(c)
}

// formConv is one follower's conversation, rendering every reply through the
// real templates so that a template/data mismatch fails the test.
type formConv struct {
	tb      testing.TB
	p       *dialog.Policy
	tmpl    *template.Template
	s       dialog.State
	at      time.Time
	replies []dialog.Reply // of the last message
	texts   []string       // rendered replies of the last message
	effects []dialog.Effect
}

var formStart = time.Date(2025, 6, 2, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

func newFormConv(tb testing.TB, profile dialog.Profile) *formConv {
	tb.Helper()
	tmpl, err := templates.Replies()
	if err != nil {
		tb.Fatalf("parse templates: %v", err)
	}
	return &formConv{tb: tb, p: formPolicy(tb), tmpl: tmpl, s: dialog.State{Profile: profile}, at: formStart}
}

// send sends one text message; effects accumulate across messages.
func (c *formConv) send(text string) {
	c.tb.Helper()
	c.do(dialog.Inbound{OpenID: "o-test", Kind: dialog.KindText, Text: text})
}

func (c *formConv) click(key string) {
	c.tb.Helper()
	c.do(dialog.Inbound{OpenID: "o-test", Kind: dialog.KindClick, Text: key})
}

func (c *formConv) do(in dialog.Inbound) {
	c.tb.Helper()
	c.at = c.at.Add(time.Minute)
	in.At = c.at
	var effects []dialog.Effect
	c.s, c.replies, effects = dialog.Step(c.p, c.s, in)
	c.effects = append(c.effects, effects...)
	c.texts = c.texts[:0]
	for _, r := range c.replies {
		c.texts = append(c.texts, renderReply(c.tb, c.tmpl, r))
	}
}

// sendAll sends each text, failing if any emits an effect.
func (c *formConv) sendAll(texts ...string) {
	c.tb.Helper()
	for _, t := range texts {
		c.send(t)
		if len(c.effects) > 0 {
			c.tb.Fatalf("after %q: effects %#v before 确认", t, c.effects)
		}
	}
}

func (c *formConv) names() []string {
	var out []string
	for _, r := range c.replies {
		out = append(out, r.Name)
	}
	return out
}

func (c *formConv) reply(name string) (dialog.Reply, bool) {
	for _, r := range c.replies {
		if r.Name == name {
			return r, true
		}
	}
	return dialog.Reply{}, false
}

func (c *formConv) text() string { return strings.Join(c.texts, "\n") }

func (c *formConv) at2(flow, step string) {
	c.tb.Helper()
	if c.s.Flow != flow || c.s.Step != step {
		c.tb.Fatalf("at %s.%s, want %s.%s (replies %v: %s)", c.s.Flow, c.s.Step, flow, step, c.names(), c.text())
	}
}

const (
	formName    = "苏州测试精密机械有限公司"
	formPhone   = "13912345678"
	formPurpose = "采购原材料"
	formNote    = "已建立ISO9001质量管理体系，持续开展质量改进"
)

// needUntilReview fills a 融资需求 for a Kunshan enterprise up to the review.
func needUntilReview(c *formConv, product, amount, term string) {
	c.tb.Helper()
	c.sendAll("融资需求", formName, formCode(c.tb, "320583"), "1", "张三", formPhone, product, amount, term, formPurpose, "1")
	c.at2("need", "review")
}

func applyUntilReview(c *formConv) {
	c.tb.Helper()
	c.sendAll("入库", formName, formCode(c.tb, "320583"), "1", "张三", formPhone, formNote, "同意")
	c.at2("apply", "review")
}

func TestFormValidation(t *testing.T) {
	t.Parallel()
	code := formCode(t, "320583")
	badCheck := code[:17] + map[bool]string{true: "1", false: "0"}[code[17] == '0']
	prefixNeed := func(upTo int, product string) []string {
		all := []string{"融资需求", formName, code, "1", "张三", formPhone, product, "500", "12", formPurpose}
		return all[:upTo]
	}
	prefixApply := []string{"入库", formName, code, "1", "张三", formPhone}
	tests := []struct {
		name   string
		prefix []string
		input  string
		step   string
		want   string
	}{
		{"name too short", prefixNeed(1, ""), "苏", "name", "企业名称应为2–60个字，您输入的是1个字。"},
		{"name too long", prefixNeed(1, ""), strings.Repeat("苏", 61), "name", "企业名称应为2–60个字，您输入的是61个字。"},
		{"name is a code", prefixNeed(1, ""), code, "name", "这看起来是统一社会信用代码"},
		{"name with a link", prefixNeed(1, ""), `某公司<a href="http://ev.il/">点此</a>`, "name", "不能包含 < > [ ] { } * # ` | \\ 等符号"},
		{"name with a heading", prefixNeed(1, ""), "某公司\n# 紧急通知", "name", "企业名称请写在一行内"},
		{"name with a markdown link", prefixNeed(1, ""), "某公司[点此](http://ev.il)", "name", "会被当作链接或格式"},
		{"contact with markup", prefixNeed(4, ""), "张三<b>", "contact", "联系人姓名不能包含"},
		{"contact over two lines", prefixNeed(4, ""), "张三\r\n李四", "contact", "联系人姓名请写在一行内"},
		{"code length", prefixNeed(2, ""), "91320583", "code", "统一社会信用代码应为18位，您输入的是8位。"},
		{"code character", prefixNeed(2, ""), "91320583MA1I2P3Q4X", "code", "第12位“I”不是统一社会信用代码允许的字符（代码中不使用字母I、O、Z、S、V）。"},
		{"code check digit", prefixNeed(2, ""), badCheck, "code", "第18位校验码不符（按前17位计算应为" + code[17:] + "）"},
		{"code outside Suzhou", prefixNeed(2, ""), formCode(t, "110105"), "code", "企业库范围（一）：在苏州市行政区域内注册"},
		{"code of Wuxi", prefixNeed(2, ""), formCode(t, "320211"), "code", "行政区划码为320211，不在苏州市"},
		{"county unreadable", prefixNeed(3, ""), "也许", "county", "请回复 1 确认属于昆山市，或回复 2 选择其他县级市（区）。"},
		{"contact too short", prefixNeed(4, ""), "张", "contact", "联系人姓名应为2–20个字，您输入的是1个字。"},
		{"contact too long", prefixNeed(4, ""), strings.Repeat("张", 21), "contact", "联系人姓名应为2–20个字，您输入的是21个字。"},
		{"phone letters", prefixNeed(5, ""), "1391234567a", "phone", "手机号码只能包含数字"},
		{"phone landline", prefixNeed(5, ""), "0512-57797026", "phone", "暂不支持座机号码"},
		{"phone length", prefixNeed(5, ""), "139 1234 567", "phone", "手机号码应为11位，您输入的是10位。"},
		{"phone prefix", prefixNeed(5, ""), "12912345678", "phone", "手机号码应以13–19开头"},
		{"product unknown", prefixNeed(6, ""), "股票", "product", "请回复列表中的产品序号或名称"},
		{"product out of range", prefixNeed(6, ""), strconv.Itoa(len(formPolicy(t).Products) + 1), "product", "请回复列表中的产品序号或名称"},
		{"amount unreadable", prefixNeed(7, "苏质贷"), "很多", "amount", "请输入大于0的融资金额，单位为万元"},
		{"amount zero", prefixNeed(7, "苏质贷"), "0", "amount", "请输入大于0的融资金额"},
		{"amount over the 苏质贷 cap", prefixNeed(7, "苏质贷"), "3001", "amount", "“苏质贷”单户融资额度不超过3000万元"},
		{"amount over the cap in 亿", prefixNeed(7, "苏质贷"), "0.31亿", "amount", "不超过3000万元"},
		{"term over the 苏质贷 term", prefixNeed(8, "苏质贷"), "13", "term", "“苏质贷”为一年期（含）以内的流动资金贷款，期限不超过12个月"},
		{"term 两年 for 苏质贷", prefixNeed(8, "苏质贷"), "两年", "term", "期限不超过12个月"},
		{"term zero", prefixNeed(8, "融资租赁"), "0", "term", "融资期限应在1–360个月之间。"},
		{"term too long", prefixNeed(8, "融资租赁"), "361", "term", "融资期限应在1–360个月之间。"},
		{"term in days", prefixNeed(8, "融资租赁"), "90天", "term", "请输入融资期限（按月计）"},
		{"purpose too short", prefixNeed(9, "融资租赁"), "买", "purpose", "资金用途应为2–200个字，您输入的是1个字。"},
		{"purpose too long", prefixNeed(9, "融资租赁"), strings.Repeat("买", 201), "purpose", "资金用途应为2–200个字，您输入的是201个字。"},
		{"note too short", prefixApply, "很好", "note", "质量管理情况应为5–300个字，您输入的是2个字。"},
		{"note too long", prefixApply, strings.Repeat("质", 301), "note", "质量管理情况应为5–300个字，您输入的是301个字。"},
		{"consent unreadable", append(prefixApply, formNote), "再想想", "consent", "请回复 1 同意，或回复 2 不同意。"},
		{"review unreadable", append(prefixApply, formNote, "1"), "随便", "review", "请回复“确认”提交"},
		{"review field out of range", append(prefixApply, formNote, "1"), "改9", "review", "请回复“确认”提交"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFormConv(t, dialog.Profile{})
			c.sendAll(tt.prefix...)
			flow := c.s.Flow
			c.at2(flow, tt.step)
			fields := map[string]string{}
			for k, v := range c.s.Fields {
				fields[k] = v
			}
			c.sendAll(tt.input)
			c.at2(flow, tt.step)
			r, ok := c.reply("invalid")
			if !ok {
				t.Fatalf("no invalid reply: %v %s", c.names(), c.text())
			}
			if got, _ := r.Data.(string); !strings.Contains(got, tt.want) {
				t.Errorf("reason %q, want it to contain %q", got, tt.want)
			}
			if len(c.replies) < 2 || c.replies[len(c.replies)-1].Name == "invalid" {
				t.Errorf("the question is not asked again: %v", c.names())
			}
			if !reflect.DeepEqual(fields, c.s.Fields) {
				t.Errorf("fields changed by a refused answer: %v → %v", fields, c.s.Fields)
			}
		})
	}
}

func TestFormCountyProposal(t *testing.T) {
	t.Parallel()
	p := formPolicy(t)
	for _, county := range p.Counties {
		for _, div := range county.Divisions {
			t.Run(county.ID+"/"+div, func(t *testing.T) {
				c := newFormConv(t, dialog.Profile{})
				c.sendAll("融资需求", formName, formCode(t, div))
				c.at2("need", "county")
				r, ok := c.reply("form_county_propose")
				if !ok {
					t.Fatalf("no proposal: %v", c.names())
				}
				if got := r.Data.(dialog.FormAskData).County; got != county.Name {
					t.Errorf("proposed %q, want %q", got, county.Name)
				}
				want := "根据信用代码，贵企业首次登记在" + county.Name + "，是否属于" + county.Name + "？"
				if !strings.Contains(c.text(), want) {
					t.Errorf("proposal text %q lacks %q", c.text(), want)
				}
				c.sendAll("1")
				c.at2("need", "contact")
				if got := c.s.Fields["county"]; got != county.ID {
					t.Errorf("county %q, want %q", got, county.ID)
				}
			})
		}
	}
	t.Run("city level code lists the counties", func(t *testing.T) {
		c := newFormConv(t, dialog.Profile{})
		c.sendAll("融资需求", formName, formCode(t, "320500"))
		c.at2("need", "county")
		if _, ok := c.reply("form_county_propose"); ok {
			t.Fatal("proposed a county for a city-level code")
		}
		r, ok := c.reply("form_county_list")
		if !ok || len(r.Data.(dialog.FormAskData).Options) != 11 {
			t.Fatalf("want the list of 11 counties, got %v", c.names())
		}
		c.sendAll("园区")
		c.at2("need", "contact")
		if got := c.s.Fields["county"]; got != "sip" {
			t.Errorf("county %q, want sip", got)
		}
	})
}

func TestFormCountyChange(t *testing.T) {
	t.Parallel()
	p := formPolicy(t)
	tests := []struct {
		answer string
		want   string // county slug; "" means refused
	}{
		{formNo(t, p, "zhangjiagang"), "zhangjiagang"},
		{formNo(t, p, "sip"), "sip"},
		{formNo(t, p, "snd") + ".", "snd"},
		{"１１", p.Counties[10].ID}, // full-width digits
		{"园区", "sip"},
		{"工业园区", "sip"},
		{"苏州工业园区", "sip"},
		{"高新区", "snd"},
		{"虎丘", "snd"},
		{"虎丘区", "snd"},
		{"张家港", "zhangjiagang"},
		{"张家港保税区", "zjgftz"},
		{"保税区", "zjgftz"},
		{"吴中", "wuzhong"},
		{"吴江区", "wujiang"},
		{"相城", "xiangcheng"},
		{"姑苏区", "gusu"},
		{"常熟市", "changshu"},
		{"太仓", "taicang"},
		{"kunshan", "kunshan"},
		{"我们在工业园区", "sip"},
		{"12", ""},
		{"苏州", ""},
		{"无锡", ""},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			c := newFormConv(t, dialog.Profile{})
			c.sendAll("融资需求", formName, formCode(t, "320583"), "2")
			c.at2("need", "county_pick")
			if _, ok := c.reply("form_county_list"); !ok {
				t.Fatalf("否 does not list the counties: %v", c.names())
			}
			c.sendAll(tt.answer)
			if tt.want == "" {
				c.at2("need", "county_pick")
				if _, ok := c.reply("invalid"); !ok {
					t.Errorf("%q accepted", tt.answer)
				}
				return
			}
			c.at2("need", "contact")
			if got := c.s.Fields["county"]; got != tt.want {
				t.Errorf("county %q, want %q", got, tt.want)
			}
			// 返回 from the next field goes back to the proposal.
			c.sendAll("返回")
			c.at2("need", "county")
		})
	}
	t.Run("county named instead of 是/否", func(t *testing.T) {
		c := newFormConv(t, dialog.Profile{})
		c.sendAll("融资需求", formName, formCode(t, "320583"), "高新区")
		c.at2("need", "contact")
		if got := c.s.Fields["county"]; got != "snd" {
			t.Errorf("county %q, want snd", got)
		}
	})
}

func TestFormReviewEdit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		command string
		step    string
		value   string
		field   string
		want    string
	}{
		{"改5", "phone", "138 0000 1111", "phone", "13800001111"},
		{"改 5", "phone", "13800001111", "phone", "13800001111"},
		{"修改5", "phone", "13800001111", "phone", "13800001111"},
		{"改第5项", "phone", "13800001111", "phone", "13800001111"},
		{"5", "phone", "13800001111", "phone", "13800001111"},
		{"手机", "phone", "13800001111", "phone", "13800001111"},
		{"改手机", "phone", "13800001111", "phone", "13800001111"},
		{"我要修改手机号码", "phone", "13800001111", "phone", "13800001111"},
		{"电话", "phone", "13800001111", "phone", "13800001111"},
		{"改1", "name", "苏州另一家有限公司", "name", "苏州另一家有限公司"},
		{"联系人", "contact", "李四", "contact", "李四"},
		{"改3", "county", "2", "", ""}, // leads to the list, checked below
		{"产品", "product", "融资租赁", "product", "leasing"},
		{"金额", "amount", "800万", "amount", "800"},
		{"改期限", "term", "半年", "term", "6"},
		{"改9", "purpose", "购置检测设备", "purpose", "购置检测设备"},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			c := newFormConv(t, dialog.Profile{})
			needUntilReview(c, "苏质贷", "500", "12")
			history := append([]string(nil), c.s.History...)
			c.sendAll(tt.command)
			c.at2("need", tt.step)
			if len(c.replies) == 0 {
				t.Fatal("no question")
			}
			if d, ok := c.replies[len(c.replies)-1].Data.(dialog.FormAskData); !ok || !d.Editing || d.Current == "" {
				t.Errorf("question data %#v: want Editing with the current value", c.replies[len(c.replies)-1].Data)
			}
			c.sendAll(tt.value)
			if tt.step == "county" {
				c.at2("need", "county_pick")
				c.sendAll(formNo(t, c.p, "sip"))
				tt.field, tt.want = "county", "sip"
			}
			c.at2("need", "review")
			if got := c.s.Fields[tt.field]; got != tt.want {
				t.Errorf("%s = %q, want %q", tt.field, got, tt.want)
			}
			if _, ok := c.reply("form_review"); !ok {
				t.Errorf("review not shown: %v", c.names())
			}
			if !reflect.DeepEqual(c.s.History, history) {
				t.Errorf("history %v after the edit, want %v", c.s.History, history)
			}
			c.send("确认")
			if len(c.effects) != 1 {
				t.Fatalf("effects %#v", c.effects)
			}
		})
	}
}

func TestFormEditCodeProposesCounty(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, dialog.Profile{})
	needUntilReview(c, "苏质贷", "500", "12")
	c.sendAll("改2", formCode(t, "320506"))
	c.at2("need", "county")
	r, ok := c.reply("form_county_propose")
	if !ok || r.Data.(dialog.FormAskData).County != "吴中区" {
		t.Fatalf("want 吴中区 proposed, got %v", c.names())
	}
	c.sendAll("是")
	c.at2("need", "review")
	if c.s.Fields["county"] != "wuzhong" || c.s.Fields["code"] != formCode(t, "320506") {
		t.Errorf("fields %v", c.s.Fields)
	}

	// A refused code keeps the field; a new code of the same county goes
	// straight back to the review.
	c.sendAll("改2", formCode(t, "320506")[:17])
	c.at2("need", "code")
	c.sendAll(strings.ToLower(formCode(t, "320506")))
	c.at2("need", "review")
}

func TestFormEditProductRechecksAmountAndTerm(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, dialog.Profile{})
	needUntilReview(c, "融资租赁", "5000", "36")
	c.sendAll("改6", "苏质贷")
	c.at2("need", "amount")
	if r, ok := c.reply("invalid"); !ok || !strings.Contains(r.Data.(string), "不超过3000万元") {
		t.Fatalf("want the cap reason, got %v %s", c.names(), c.text())
	}
	c.sendAll("2000")
	c.at2("need", "term")
	if r, ok := c.reply("invalid"); !ok || !strings.Contains(r.Data.(string), "不超过12个月") {
		t.Fatalf("want the term reason, got %v %s", c.names(), c.text())
	}
	c.sendAll("一年")
	c.at2("need", "review")
	c.send("确认")
	lead := c.effects[0].(dialog.SubmitLead)
	if lead.Product != "szd" || lead.AmountWan != 2000 || lead.TermMonths != 12 {
		t.Errorf("lead %+v", lead)
	}
}

func TestFormBack(t *testing.T) {
	t.Parallel()
	c := newFormConv(t, dialog.Profile{})
	c.sendAll("融资需求", formName, formCode(t, "320583"), "1", "张三")
	c.at2("need", "phone")
	c.sendAll("返回")
	c.at2("need", "contact")
	c.sendAll("上一步")
	c.at2("need", "county")
	if _, ok := c.reply("form_county_propose"); !ok {
		t.Errorf("返回 to the county does not propose it again: %v", c.names())
	}
	c.sendAll("1", "王五")
	c.at2("need", "phone") // forward again, not to the review
	if c.s.Fields["contact"] != "王五" {
		t.Errorf("contact %q", c.s.Fields["contact"])
	}
	c.sendAll(formPhone, "融资租赁", "100", "24", formPurpose, "1")
	c.at2("need", "review")
	c.sendAll("返回")
	c.at2("need", "consent")
	c.sendAll("1")
	c.at2("need", "review")

	// 返回 while editing goes back to the review, unchanged.
	c.sendAll("改4", "返回")
	c.at2("need", "review")
	if c.s.Fields["contact"] != "王五" {
		t.Errorf("contact %q", c.s.Fields["contact"])
	}

	// 返回 on the first question leaves the form.
	d := newFormConv(t, dialog.Profile{})
	d.sendAll("融资需求", "返回")
	if !d.s.Idle() {
		t.Errorf("still in %s.%s", d.s.Flow, d.s.Step)
	}
}

func TestFormCancelAndDecline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		run   func(c *formConv)
		reply string
	}{
		{"cancel at review", func(c *formConv) { needUntilReview(c, "苏质贷", "500", "12"); c.send("取消") }, "cancelled"},
		{"cancel mid-form", func(c *formConv) { c.sendAll("入库", formName); c.send("取消") }, "cancelled"},
		{"cancel while editing", func(c *formConv) { applyUntilReview(c); c.sendAll("改5"); c.send("退出") }, "cancelled"},
		{"decline by number", func(c *formConv) {
			c.sendAll("入库", formName, formCode(c.tb, "320594"), "1", "张三", formPhone, formNote)
			c.send("2")
		}, "form_declined"},
		{"decline in words", func(c *formConv) {
			c.sendAll("融资需求", formName, formCode(c.tb, "320594"), "1", "张三", formPhone, "保险", "50", "12", formPurpose)
			c.send("不同意")
		}, "form_declined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFormConv(t, dialog.Profile{})
			tt.run(c)
			if len(c.effects) != 0 {
				t.Errorf("effects %#v", c.effects)
			}
			if !c.s.Idle() || c.s.Fields != nil {
				t.Errorf("state %+v, want idle", c.s)
			}
			if _, ok := c.reply(tt.reply); !ok {
				t.Errorf("replies %v, want %s", c.names(), tt.reply)
			}
			if _, ok := c.reply("menu"); !ok {
				t.Errorf("replies %v, want the menu", c.names())
			}
		})
	}
}
