package dialog

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// toHalfWidth maps full-width ASCII forms (０-９, Ａ-Ｚ, ，, 　) to their
// half-width equivalents, as enterprises type them on Chinese keyboards.
func toHalfWidth(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\u3000':
			b.WriteRune(' ')
		case r >= '\uFF01' && r <= '\uFF5E':
			b.WriteRune(r - 0xFEE0)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Option is one numbered choice offered to the user.
type Option struct {
	Key   string // stable id of the choice
	Label string // the words shown after the number
	Words []string
}

// chooseOne reads a single choice: the option's number, its label or one of
// its words, or free text containing exactly one of them.
func chooseOne(opts []Option, text string) (Option, bool) {
	n := Normalize(text)
	if n == "" {
		return Option{}, false
	}
	if i, err := strconv.Atoi(strings.TrimRight(n, ".、。")); err == nil {
		if i >= 1 && i <= len(opts) {
			return opts[i-1], true
		}
		return Option{}, false
	}
	for _, o := range opts {
		if Normalize(o.Label) == n {
			return o, true
		}
	}
	var found []Option
	for _, o := range opts {
		if containsAny(n, append([]string{o.Label}, o.Words...)) {
			found = append(found, o)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return Option{}, false
}

// exactChoice reads a choice given as the option's number, label or one of
// its words, and nothing else.
func exactChoice(opts []Option, text string) (Option, bool) {
	n := strings.TrimRight(Normalize(text), ".、。")
	if i, err := strconv.Atoi(n); err == nil {
		if i >= 1 && i <= len(opts) {
			return opts[i-1], true
		}
		return Option{}, false
	}
	for _, o := range opts {
		if Normalize(o.Label) == n {
			return o, true
		}
		for _, w := range o.Words {
			if Normalize(w) == n {
				return o, true
			}
		}
	}
	return Option{}, false
}

// noneWords answer a multi-select with "none of these".
var noneWords = []string{"都没有", "都不是", "没有", "无", "都不符合", "0"}

// chooseMany reads several choices: "1 3", "1,3", "1、3", words, or none.
// none is true when the user said none apply; ok is false on an unreadable
// answer or a number out of range.
func chooseMany(opts []Option, text string) (picked []Option, none, ok bool) {
	n := Normalize(text)
	for _, w := range noneWords {
		if n == w {
			return nil, true, true
		}
	}
	fields := strings.FieldsFunc(toHalfWidth(text), func(r rune) bool {
		return r == ',' || r == '、' || r == '，' || r == ';' || r == '；' || r == '/' || unicode.IsSpace(r)
	})
	allNum := len(fields) > 0
	for _, f := range fields {
		if _, err := strconv.Atoi(f); err != nil {
			allNum = false
			break
		}
	}
	seen := map[int]bool{}
	pick := func(i int) bool {
		if i < 1 || i > len(opts) {
			return false
		}
		if !seen[i] {
			seen[i] = true
			picked = append(picked, opts[i-1])
		}
		return true
	}
	if allNum {
		// "13" typed without a separator means options 1 and 3 when there
		// are at most nine options; with more it is option 13.
		if len(fields) == 1 && len(fields[0]) > 1 && len(opts) <= 9 {
			for _, r := range fields[0] {
				if !pick(int(r - '0')) {
					return nil, false, false
				}
			}
			return picked, false, true
		}
		for _, f := range fields {
			i, _ := strconv.Atoi(f)
			if !pick(i) {
				return nil, false, false
			}
		}
		return picked, false, true
	}
	for i, o := range opts {
		if containsAny(n, append([]string{o.Label}, o.Words...)) && !seen[i+1] {
			seen[i+1] = true
			picked = append(picked, o)
		}
	}
	return picked, false, len(picked) > 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// containsAny reports whether normalised text n contains any of words.
func containsAny(n string, words []string) bool {
	for _, w := range words {
		if w = Normalize(w); w != "" && strings.Contains(n, w) {
			return true
		}
	}
	return false
}

var (
	yesWords = []string{"是", "有", "对", "是的", "对的", "有的", "符合", "确认", "好", "好的", "可以", "同意", "yes", "y", "ok", "嗯"}
	noWords  = []string{"否", "没有", "不是", "无", "不对", "不", "不符合", "不同意", "no", "n"}
)

// yesNo reads a yes/no answer: 是/否, 有/没有, 对/不是, 1/2.
func yesNo(text string) (yes, ok bool) {
	n := strings.TrimRight(Normalize(text), "。.!！")
	switch n {
	case "1":
		return true, true
	case "2":
		return false, true
	}
	for _, w := range noWords {
		if n == w {
			return false, true
		}
	}
	for _, w := range yesWords {
		if n == w {
			return true, true
		}
	}
	// Longer sentences: a negation wins over an affirmation.
	for _, w := range []string{"没有", "不是", "不符合", "不同意", "否"} {
		if strings.Contains(n, w) {
			return false, true
		}
	}
	for _, w := range []string{"是的", "有的", "符合", "同意", "对"} {
		if strings.Contains(n, w) {
			return true, true
		}
	}
	return false, false
}

// amountUnits are the units of an amount, longest first, as multiples of
// 万元. kw is how people type 千万 on a phone (2kw = 2000万).
var amountUnits = []struct {
	suffix string
	wan    float64
}{
	{"个亿元", 10000}, {"个亿", 10000}, {"亿元", 10000}, {"亿", 10000},
	{"千万元", 1000}, {"千万", 1000}, {"kw", 1000}, {"百万元", 100}, {"百万", 100},
	{"万元", 1}, {"万块", 1}, {"万", 1}, {"w", 1}, {"元", 0.0001}, {"块钱", 0.0001},
}

// approximations stand between a number and its unit: 两百来万, 1000多万,
// 五百余万. The number is read as said.
var approximations = []string{"来", "多", "余", "把"}

// parseWan reads an amount in 万元: "500", "500万", "500.5万元", "1,000",
// "0.3亿", "2千万", "2kw", "5000000元", "一千万", "三百五十万", "两百来万",
// "1千2百万", "零点五个亿". ok is false when no amount can be read. A bare
// number is 万元. It is the one amount reader of the calculator, the forms
// and the questions (findAmount).
func parseWan(text string) (float64, bool) {
	n := strings.ReplaceAll(Normalize(text), ",", "")
	n = strings.TrimRight(n, "。.!！")
	n = strings.TrimPrefix(strings.TrimPrefix(n, "大约"), "约")
	for _, suf := range []string{"左右", "上下", "以内", "以下", "的样子", "吧"} {
		n = strings.TrimSuffix(n, suf)
	}
	v, size, _, ok := readAmount(n)
	if !ok || size != len(n) || !amountInRange(v) {
		// A sentence with an amount in it ("那3kw呢", "大概500万吧"): the
		// amount written with its unit.
		return findAmount(n)
	}
	return v, true
}

// findAmount returns the first amount written with its unit in a sentence
// ("贷500万一年利息多少", "借一千万", "0.5亿"), in 万元. A number without a
// unit is no amount here: it may be a year, a phone or an option.
func findAmount(n string) (float64, bool) {
	for i := 0; i < len(n); {
		v, size, unit, ok := readAmount(n[i:])
		if ok && unit && amountInRange(v) {
			return v, true
		}
		if size > 0 {
			// A numeral that is no amount (or overflows) is skipped whole:
			// retrying inside it would cost the square of its length.
			i += size
			continue
		}
		_, w := utf8.DecodeRuneInString(n[i:])
		i += w
	}
	return 0, false
}

func amountInRange(v float64) bool { return v > 0 && v <= 1e9 && !math.IsNaN(v) }

// readAmount reads a number and an optional unit at the start of normalised
// text: the amount in 万元, the bytes read, and whether a unit was there.
// When the numeral cannot be read (it overflows, say) ok is false and size
// still covers it, so that callers skip it in one step.
func readAmount(n string) (wan float64, size int, unit, ok bool) {
	v, size, ok := readNumber(n)
	if !ok {
		return 0, size, false, false
	}
	rest := n[size:]
	skip := 0
	for _, a := range approximations {
		if strings.HasPrefix(rest, a) {
			skip = len(a)
			break
		}
	}
	for _, u := range amountUnits {
		if strings.HasPrefix(rest[skip:], u.suffix) {
			return v * u.wan, size + skip + len(u.suffix), true, true
		}
	}
	return v, size, false, true
}

// readNumber reads the numeral at the start of s: Arabic digits with an
// optional decimal part, Chinese numerals below ten thousand, or both mixed
// as people type them ("1千2百", "5百", "零点五"). Two digits in a row give a
// range (七八百): the larger is read. It is the one numeral reader of the
// package. The size is the numeral's length in bytes even when its value
// cannot be read (ok false), so that a scan moves past it once: every
// reader of user text stays linear in it.
func readNumber(s string) (float64, int, bool) {
	total, cur := 0.0, -1.0
	i, seen, lastDigit := 0, false, false
	for i < len(s) {
		c := s[i]
		if c >= '0' && c <= '9' {
			j := i
			for j < len(s) && (isDigitRune(rune(s[j])) || s[j] == '.' && j > i && j+1 < len(s) && isDigitRune(rune(s[j+1]))) {
				j++
			}
			v, err := strconv.ParseFloat(s[i:j], 64)
			if err != nil && !seen {
				return 0, j, false // unreadable (too long): skipped whole
			}
			if err != nil || lastDigit {
				break
			}
			cur, seen, lastDigit, i = v, true, true, j
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if d, ok := cnDigits[r]; ok {
			if lastDigit && cur >= 0 {
				cur = max(cur, float64(d)) // 七八百: a range, the larger
			} else {
				cur = float64(d)
			}
			seen, lastDigit, i = true, true, i+w
			continue
		}
		if r == '点' && lastDigit && cur >= 0 {
			// 零点五, 一点二: Chinese decimals, digit by digit.
			j, scale, frac := i+w, 0.1, 0.0
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				d, ok := cnDigits[r2]
				if !ok {
					break
				}
				frac += float64(d) * scale
				scale /= 10
				j += w2
			}
			if j == i+w {
				break
			}
			cur += frac
			i = j
			continue
		}
		if u, ok := cnUnits[r]; ok && seen {
			// 千万, 百万 are units of the amount, not of the number, when
			// nothing follows them but 万/元.
			if cur < 0 {
				cur = 1 // 十二 is 12
			}
			if u >= 100 && total == 0 && strings.HasPrefix(s[i+w:], "万") {
				break // 2千万, 5百万: the amount's unit reads them
			}
			total += cur * float64(u)
			cur, lastDigit, i = -1, false, i+w
			continue
		}
		if u, ok := cnUnits[r]; ok && !seen && u == 10 {
			// 十二: a leading 十 is 10.
			total, seen, lastDigit, i = 10, true, false, i+w
			continue
		}
		break
	}
	if !seen {
		return 0, 0, false
	}
	if cur > 0 {
		total += cur
	}
	return total, i, true
}

var (
	cnDigits = map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	cnUnits  = map[rune]int{'十': 10, '百': 100, '千': 1000}
)
