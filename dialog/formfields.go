package dialog

// The fields of the two forms: how each answer is read, checked and
// stored (names, credit codes, counties, phones, amounts, terms).

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/domain"
)

// validator checks an answer and returns the value to store, or the reason
// it was refused.
type validator func(t *turn, text string) (value, reason string)

// commandWaits is the reason an answer was refused, unless it is a command
// of another flow (进度, 撤回…) typed mid-form: then it says why that was
// not done and how to leave the form, instead of judging it as a name or a
// code.
func (t *turn) commandWaits(text, reason string) string {
	target, command := entryWords[strings.TrimRight(Normalize(text), "。.!！")]
	if !command {
		return reason
	}
	if flow, _, _ := strings.Cut(target, ":"); flow == t.s.Flow {
		return "您正在填写" + flowLabels[t.s.Flow][0] + "，接着回答这一项即可；要从头重填，请先回复“取消”。"
	}
	return "您正在填写" + flowLabels[t.s.Flow][0] + "，“" + strings.TrimSpace(text) + "”请在填写完成后再发送，或先回复“取消”退出填写。"
}

// textField answers a field with a validator, then moves on.
func textField(key string, v validator) func(t *turn, text string) {
	return func(t *turn, text string) {
		val, reason := v(t, text)
		if reason != "" {
			t.reask(t.commandWaits(text, reason))
			return
		}
		t.set(key, val)
		t.formNext(key)
	}
}

// lengthRule accepts trimmed text of lo to hi characters.
func lengthRule(what string, lo, hi int, unit string) validator {
	return func(t *turn, text string) (string, string) {
		v := strings.TrimSpace(text)
		n := utf8.RuneCountInString(v)
		if n < lo || n > hi {
			return "", fmt.Sprintf("%s应为%d–%d%s，您输入的是%d%s。", what, lo, hi, unit, n, unit)
		}
		return v, ""
	}
}

var looksLikeCode = regexp.MustCompile(`^[0-9A-Z]{18}$`)

func validateName(t *turn, text string) (string, string) {
	if looksLikeCode.MatchString(NormalizeCreditCode(text)) {
		return "", "这看起来是统一社会信用代码。请先输入企业名称（营业执照上的全称），代码在下一步填写。"
	}
	v, reason := plainRule("企业名称", lengthRule("企业名称", 2, 60, "个字"))(t, text)
	if reason != "" {
		return v, reason
	}
	if !registeredName(v) {
		return "", "请输入营业执照上的企业全称（通常以“有限公司”“厂”等结尾），例如“苏州某某精密机械有限公司”。"
	}
	return v, ""
}

// nameEndings are how the names of registered enterprises end (公司, 厂,
// 合作社 …): a free-text name field takes only what looks like one, so that
// a sentence typed at the name step is never stored as the name.
var nameEndings = []string{"公司", "厂", "集团", "合作社", "联合社", "中心", "事务所", "商行", "经营部", "工作室", "研究院", "研究所", "店", "行", "社", "所", "院", "场", "站", "部", "馆", "企业", "坊", "园", "基地", "楼", "局", "会"}

func registeredName(v string) bool {
	n := strings.TrimRight(Normalize(v), "。.!！)）")
	for _, e := range nameEndings {
		if strings.HasSuffix(n, e) {
			return true
		}
	}
	// A name with a registered form inside (…有限公司苏州分公司 ends in 公司;
	// Latin names such as "ABC Co., Ltd.").
	return strings.Contains(n, "有限") || strings.Contains(n, "ltd") || strings.Contains(n, "inc") || strings.Contains(n, "co.")
}

// personName takes only what looks like a person's name: no digits, no
// company or contact words ("13912345678" or "公司的王经理电话" at the
// contact step are not names).
func personName(v validator) validator {
	return func(t *turn, text string) (string, string) {
		n := Normalize(text)
		if strings.ContainsAny(n, "0123456789") || hasAny(n, []string{"公司", "有限", "联系人", "电话", "手机", "号码"}) {
			return "", "请输入联系人的姓名，例如“张伟”；手机号码在下一步填写。"
		}
		return v(t, text)
	}
}

// MarkupChars are characters no enterprise or person name needs and that
// WeChat, WeCom markdown or the console would read as markup.
const MarkupChars = "<>[]{}*#`|\\"

// MarkupList is MarkupChars as messages to users list them.
const MarkupList = "< > [ ] { } * # ` | \\"

// PlainName reports whether a name is one line without control characters
// or markup, as names that reach staff and enterprises must be.
func PlainName(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) < 0 && !strings.ContainsAny(s, MarkupChars)
}

// plainRule refuses line breaks, control characters and markup in a name
// before v checks it: the name travels to county staff in WeChat messages
// and group-robot markdown, where such characters become links or
// formatting.
func plainRule(what string, v validator) validator {
	return func(t *turn, text string) (string, string) {
		text = strings.TrimSpace(text)
		if strings.IndexFunc(text, unicode.IsControl) >= 0 {
			return "", what + "请写在一行内，不要换行或包含特殊控制字符。"
		}
		if strings.ContainsAny(text, MarkupChars) {
			return "", what + "不能包含 " + MarkupList + " 等符号（这些符号会被当作链接或格式显示给办理人员），请按证照上的写法填写。"
		}
		return v(t, text)
	}
}

func answerCode(t *turn, text string) {
	code := NormalizeCreditCode(strings.TrimSpace(text))
	if err := ValidateCreditCode(code); err != nil {
		t.reask(t.commandWaits(text, err.Error()))
		return
	}
	if code[:2] == "92" {
		t.reask("该代码第1–2位为92，登记类型为个体工商户。“苏质融”企业库范围（一）要求具有独立法人资格，个体工商户暂不在企业库范围内，可回复“取消”结束或“人工”咨询；如代码有误，请重新输入。")
		return
	}
	if div := Division(code); !InSuzhou(div) && !AboveCity(div) {
		t.reask(fmt.Sprintf("该代码第3–8位登记管理机关行政区划码为%s，不在苏州市。“苏质融”企业库范围（一）：在苏州市行政区域内注册，具有独立法人资格。如代码无误，贵企业暂不在企业库范围内，可回复“取消”结束或“人工”咨询；如有误，请重新输入。", div))
		return
	}
	old := t.s.field("code")
	t.set("code", code)
	if t.formEditing() && old != code {
		// A new code may propose another county: confirm it before the review.
		if c, ok := t.p.CountyByDivision(Division(code)); ok && c.ID != t.s.field("county") {
			t.jump("county")
			return
		}
	}
	t.formNext("code")
}

// proposedCounty returns the county of the first registration, read from
// the credit code; none for city-level codes (320500) and unknown divisions.
func (t *turn) proposedCounty() (domain.County, bool) {
	return t.p.CountyByDivision(Division(t.s.field("code")))
}

func askCounty(t *turn) {
	if c, ok := t.proposedCounty(); ok {
		t.formAsk("form_county_propose", func(d *FormAskData) { d.County = c.Name })
		return
	}
	t.formAsk("form_county_list", func(d *FormAskData) {
		d.Options, d.CityLevel = countyOptions(t.p), true
	})
}

func answerCounty(t *turn, text string) {
	opts := countyOptions(t.p)
	c, proposed := t.proposedCounty()
	if !proposed {
		o, ok := pickCounty(opts, text)
		if !ok {
			t.reask("请回复列表中的序号或县级市（区）名称，例如“5”或“昆山”。")
			return
		}
		t.set("county", o.Key)
		t.formNext("county")
		return
	}
	if yes, ok := t.yesNo(text); ok {
		if !yes {
			t.next("county_pick")
			return
		}
		t.set("county", c.ID)
		t.formNext("county")
		return
	}
	// A county named instead of 是/否 (never a number: 1 and 2 mean 是/否).
	if !isDigits(Normalize(text)) {
		if o, ok := pickCounty(opts, text); ok {
			t.set("county", o.Key)
			t.formNext("county")
			return
		}
	}
	t.reask(fmt.Sprintf("请回复 1 确认属于%s，或回复 2 选择其他县级市（区）。", c.Name))
}

// countyOptions lists the 11 counties in policy order.
func countyOptions(p *Policy) []Option {
	opts := make([]Option, 0, len(p.Counties))
	for _, c := range p.Counties {
		opts = append(opts, Option{Key: c.ID, Label: c.Name, Words: p.CountyWords(c)})
	}
	return opts
}

// pickCounty reads a county by number or name. Names overlap (张家港 and
// 张家港保税区), so an exact name wins, then the longest name contained in
// the text; a tie between two counties is no answer.
func pickCounty(opts []Option, text string) (Option, bool) {
	n := strings.TrimRight(Normalize(text), "。.!！")
	if n == "" {
		return Option{}, false
	}
	if isDigits(n) {
		i, _ := strconv.Atoi(n)
		if i >= 1 && i <= len(opts) {
			return opts[i-1], true
		}
		return Option{}, false
	}
	for _, o := range opts {
		for _, w := range o.Words {
			if Normalize(w) == n {
				return o, true
			}
		}
	}
	best, bestLen, tie := -1, 0, false
	for i, o := range opts {
		for _, w := range o.Words {
			w = Normalize(w)
			l := utf8.RuneCountInString(w)
			if l < 2 || !strings.Contains(n, w) {
				continue
			}
			switch {
			case l > bestLen:
				best, bestLen, tie = i, l, false
			case l == bestLen && i != best:
				tie = true
			}
		}
	}
	if best < 0 || tie {
		return Option{}, false
	}
	return opts[best], true
}

// productOptions lists the policy's products in order.
func productOptions(p *Policy) []Option {
	opts := make([]Option, 0, len(p.Products))
	for _, pr := range p.Products {
		opts = append(opts, Option{Key: pr.ID, Label: pr.Name, Words: pr.Keywords})
	}
	return opts
}

// validatePhone accepts an 11-digit mainland mobile number, typed with
// spaces, dashes, full-width digits or +86.
func validatePhone(t *turn, text string) (string, string) {
	s := toHalfWidth(strings.TrimSpace(text))
	s = strings.NewReplacer(" ", "", "-", "", "—", "", "–", "", "\u3000", "").Replace(s)
	s = strings.TrimPrefix(s, "+86")
	if len(s) == 13 && strings.HasPrefix(s, "86") {
		s = s[2:]
	}
	switch {
	case !isDigits(s):
		return "", "手机号码只能包含数字，请输入11位手机号码。"
	case strings.HasPrefix(s, "0"):
		return "", "请填写联系人的手机号码（11位，以1开头），暂不支持座机号码。"
	case len(s) != 11:
		return "", fmt.Sprintf("手机号码应为11位，您输入的是%d位。", len(s))
	case s[0] != '1' || s[1] < '3':
		return "", "手机号码应以13–19开头，请核对后重新输入。"
	}
	return s, ""
}

// validateAmount accepts a positive amount in 万元, within the 苏质贷 cap
// when 苏质贷 is the product.
func validateAmount(t *turn, text string) (string, string) {
	v, ok := parseWan(text)
	if !ok {
		return "", "请输入大于0的融资金额，单位为万元，例如“500”或“500万”。"
	}
	if pr, ok := t.p.Product(t.s.field("product")); ok && pr.ID == formLoanProduct && v > t.p.Loan.MaxWan+1e-9 {
		limit := strconv.FormatFloat(t.p.Loan.MaxWan, 'f', -1, 64)
		return "", fmt.Sprintf("“%s”单户融资额度不超过%s万元，请输入不超过%s万元的金额；如需更高额度，可回复“返回”选择其他融资产品。", pr.Name, limit, limit)
	}
	return strconv.FormatFloat(v, 'f', -1, 64), ""
}

// validateTerm accepts a term of 1–360 months, within the 苏质贷 term when
// 苏质贷 is the product.
func validateTerm(t *turn, text string) (string, string) {
	m, ok := parseMonths(text)
	if !ok {
		return "", "请输入融资期限（按月计），例如“12”“12个月”或“一年”。"
	}
	if m < 1 || m > 360 {
		return "", "融资期限应在1–360个月之间。"
	}
	if pr, ok := t.p.Product(t.s.field("product")); ok && pr.ID == formLoanProduct && m > t.p.Loan.TermMonths {
		return "", fmt.Sprintf("“%s”为一年期（含）以内的流动资金贷款，期限不超过%d个月；如需更长期限，可回复“返回”选择其他融资产品。", pr.Name, t.p.Loan.TermMonths)
	}
	return strconv.Itoa(m), ""
}

// parseMonths reads a term: "6", "12个月", "一年", "1年", "半年", "一年半",
// "两年", "1.5年". Days are not read.
func parseMonths(text string) (int, bool) {
	n := strings.TrimRight(Normalize(text), "。.!！")
	for _, suf := range []string{"以内", "之内", "内", "左右", "期"} {
		n = strings.TrimSuffix(n, suf)
	}
	if n == "半年" {
		return 6, true
	}
	half := 0.0
	if strings.HasSuffix(n, "年半") {
		n, half = strings.TrimSuffix(n, "半"), 0.5
	}
	switch {
	case strings.HasSuffix(n, "个月"), strings.HasSuffix(n, "月"):
		n = strings.TrimSuffix(strings.TrimSuffix(n, "月"), "个")
		if half != 0 {
			return 0, false
		}
		v, ok := parseCount(n)
		if !ok || v != float64(int(v)) {
			return 0, false
		}
		return int(v), true
	case strings.HasSuffix(n, "年"):
		v, ok := parseCount(strings.TrimSuffix(n, "年"))
		if !ok {
			return 0, false
		}
		m := (v + half) * 12
		if m != float64(int(m)) {
			return 0, false
		}
		return int(m), true
	}
	if half != 0 {
		return 0, false
	}
	if !isDigits(n) {
		v, ok := parseCount(n)
		if !ok || v != float64(int(v)) {
			return 0, false
		}
		return int(v), true
	}
	v, err := strconv.Atoi(n)
	return v, err == nil
}

// parseCount reads a non-negative number in digits ("12", "1.5") or Chinese
// numerals below one hundred ("十二", "二十四", "两").
func parseCount(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v, v >= 0
	}
	digit := map[rune]int{'零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 1:
		d, ok := digit[rs[0]]
		return float64(d), ok
	case len(rs) == 2 && rs[0] == '十':
		d, ok := digit[rs[1]]
		return float64(10 + d), ok
	case len(rs) == 2 && rs[1] == '十':
		d, ok := digit[rs[0]]
		return float64(d * 10), ok
	case len(rs) == 3 && rs[1] == '十':
		a, ok1 := digit[rs[0]]
		b, ok2 := digit[rs[2]]
		return float64(a*10 + b), ok1 && ok2
	}
	return 0, false
}
