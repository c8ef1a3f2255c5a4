package dialog

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// What MaskPII hides besides e-mail addresses and credit codes: numbers
// written as people write them — Arabic or Chinese digits (一三九…, 幺 for
// one), full width (folded before), grouped with spaces, hyphens, dots or
// brackets — and the names people give after 联系人, 姓名, 我叫 or 我是.
// Each scan is linear in the text.

// piiMinDigits is how many digits make a run a number to hide: phones,
// ID cards and accounts have more; amounts and years fewer.
const piiMinDigits = 7

// cnDigitRunes are the Chinese digits of numbers read out digit by digit.
var cnDigitRunes = map[rune]bool{'零': true, '〇': true, '一': true, '二': true, '两': true, '三': true, '四': true,
	'五': true, '六': true, '七': true, '八': true, '九': true, '幺': true}

func isPIIDigit(r rune) bool { return r >= '0' && r <= '9' || cnDigitRunes[r] }

// isPIISeparator reports whether r may stand between the digits of one
// number: 139 1234 5678, 0512-6666-8888, (0512)66668888, 139.1234.5678.
func isPIISeparator(r rune) bool {
	switch r {
	case ' ', '-', '.', '·', '—', '_', '/', '(', ')', '（', '）', '－', '\u3000':
		return true
	}
	return false
}

// maskNumbers replaces every run of piiMinDigits digits or more (separators
// between them allowed, a trailing X of an ID card included) with 〔号码〕.
func maskNumbers(s string) string {
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if !isPIIDigit(r) {
			if changed {
				b.WriteString(s[i : i+w])
			}
			i += w
			continue
		}
		// A run: digits, with at most two separators in a row between them.
		end, digits, seps := i, 0, 0
		for j := i; j < len(s); {
			r, w := utf8.DecodeRuneInString(s[j:])
			switch {
			case isPIIDigit(r):
				digits++
				seps = 0
				j += w
				end = j
			case isPIISeparator(r) && seps < 2:
				seps++
				j += w
				continue
			default:
				j = len(s)
				continue
			}
		}
		if digits >= piiMinDigits && end < len(s) && (s[end] == 'X' || s[end] == 'x') {
			end++
		}
		if digits >= piiMinDigits {
			if !changed {
				b.Grow(len(s))
				b.WriteString(s[:i])
				changed = true
			}
			b.WriteString("〔号码〕")
		} else if changed {
			b.WriteString(s[i:end])
		}
		i = end
	}
	if !changed {
		return s
	}
	return b.String()
}

// nameCues are the words a person's name follows; after 我是 only a name
// that begins with a common surname counts (我是昆山的企业 stays).
var nameCues = []struct {
	word        string
	needSurname bool
}{
	{"联系人", false}, {"姓名", false}, {"名字", false}, {"我叫", false}, {"我是", true}, {"本人", true},
}

// nameLinks may stand between a cue and the name: 联系人：张琳, 名字叫张琳.
var nameLinks = []string{"是", "叫", "为", ":", "：", " ", "\u3000"}

// nameStops end a name: words that follow a name in a sentence.
const nameStops = "的想要请问在是和与跟及也就还说从找打电话手机联系公司企业，,。.！!？?、；;：: \n"

// surnames are common Chinese surnames, compound ones first.
var surnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "慕容", "夏侯", "皇甫", "令狐", "宇文", "长孙", "端木",
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
	"余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
	"石", "廖", "贾", "夏", "韦", "付", "傅", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷",
	"侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤",
	"常", "温", "康", "施", "文", "牛", "樊", "葛", "邢", "安", "齐", "易", "乔", "伍", "庞", "颜", "倪", "庄", "聂", "章",
	"鲁", "岳", "翟", "殷", "詹", "申", "耿", "关", "兰", "焦", "俞", "左", "柳", "甘", "祝", "包", "宁", "尚", "符", "舒",
	"阮", "柯", "纪", "梅", "童", "凌", "毕", "单", "季", "裴", "霍", "涂", "成", "苗", "谷", "盛", "曲", "翁", "冉", "骆",
	"蓝", "路", "游", "辛", "靳", "管", "柴", "蒙", "鲍", "华", "喻", "祁", "蒲", "房", "滕", "屈", "饶", "解", "牟", "艾",
	"尤", "阳", "时", "穆", "农", "司", "卓", "古", "吉", "缪", "简", "车", "项", "连", "芦", "麦", "褚", "娄", "窦", "戚",
	"岑", "景", "党", "宫", "费", "卜", "冷", "晏", "席", "卫", "米", "柏", "宗", "瞿", "桂", "全", "佟", "应", "臧", "闵",
	"苟", "邬", "边", "卞", "姬", "师", "和", "仇", "栾", "隋", "商", "刁", "沙", "荣", "巫", "寇", "桑", "郎", "甄", "丛",
	"仲", "虞", "敖", "巩", "明", "佘", "池", "查", "麻", "苑", "迟", "邝", "封"}

// placeStarts begin what follows 我是 when it is a place, not a name.
var placeStarts = []string{"江苏", "苏州", "张家港", "吴江", "吴中", "常熟", "太仓", "昆山", "相城", "姑苏", "高新", "园区", "工业园"}

// notNames begin what follows a cue when it is no name: 联系人电话, 姓名怎么填.
var notNames = []string{"电话", "手机", "方式", "信息", "是谁", "谁", "怎么", "如何", "需要", "要求", "必须", "可以", "填", "写",
	"一栏", "栏", "和", "及", "与", "的", "都", "不", "没", "应该", "要"}

func notAName(s string) bool {
	for _, w := range notNames {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

func surnameAt(s string) int {
	for _, p := range placeStarts {
		if strings.HasPrefix(s, p) {
			return 0
		}
	}
	for _, sn := range surnames {
		if strings.HasPrefix(s, sn) {
			return len(sn)
		}
	}
	return 0
}

// maskNames replaces the name after each cue with 〔姓名〕: two or three Han
// characters (four after a compound surname), up to a word that follows
// names.
func maskNames(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		cue := -1
		for k, c := range nameCues {
			if strings.HasPrefix(s[i:], c.word) {
				cue = k
				break
			}
		}
		if cue < 0 {
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
			continue
		}
		at := i + len(nameCues[cue].word)
		for moved := true; moved; {
			moved = false
			for _, l := range nameLinks {
				if strings.HasPrefix(s[at:], l) {
					at += len(l)
					moved = true
				}
			}
		}
		sn := surnameAt(s[at:])
		if nameCues[cue].needSurname && sn == 0 || notAName(s[at:]) {
			i = at
			continue
		}
		most := 3
		if sn > 3 { // a compound surname: up to four characters
			most = 4
		}
		end, n := at, 0
		for end < len(s) && n < most {
			r, w := utf8.DecodeRuneInString(s[end:])
			if !unicode.Is(unicode.Han, r) || n >= 1 && strings.ContainsRune(nameStops, r) {
				break
			}
			end += w
			n++
		}
		if n < 2 {
			i = at
			continue
		}
		b.WriteString(s[last:at])
		b.WriteString("〔姓名〕")
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
