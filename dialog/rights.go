package dialog

import (
	"strings"
)

// Personal-data rights (个人信息保护法 第四十四至四十七条): a follower may
// see what is kept about them (我的信息), correct it (更正我的信息),
// have it deleted (删除我的信息) or withdraw the consent given with an
// application (撤回同意). Deleting and withdrawing are confirmed first. The
// requests are read as people write them, from any state but inside a form
// (where the words may be an answer and 取消 leaves first).

// ShowMyData asks for what is kept about the follower; the caller answers
// "my_data".
type ShowMyData struct{}

// CorrectMyData corrects the contact name and mobile on the follower's
// applications; the caller answers "rights_corrected".
type CorrectMyData struct {
	Name   string
	Mobile string
}

// EraseMyData deletes or anonymises what is kept about the follower: open
// applications are withdrawn, a filed application's record stays for the
// programme's reporting without its personal fields. Withdraw says the
// follower withdrew consent rather than asked for deletion. The engine has
// already forgotten the conversation's state. The caller answers
// "rights_erased".
type EraseMyData struct{ Withdraw bool }

func (ShowMyData) effect()    {}
func (CorrectMyData) effect() {}
func (EraseMyData) effect()   {}

// Rights requests.
const (
	rightsShow     = "show"
	rightsCorrect  = "correct"
	rightsErase    = "erase"
	rightsWithdraw = "withdraw"
)

var (
	// rightsMine names the follower's own data.
	rightsMine = []string{"我的信息", "我的个人信息", "我的数据", "我的个人数据", "我的资料", "我的个人资料", "我的隐私",
		"我的记录", "我的联系方式", "我的电话", "我的手机号"}
	// rightsPersonal names personal data without saying whose.
	rightsPersonal = []string{"个人信息", "个人数据", "个人资料", "个人隐私", "隐私信息", "隐私数据"}
	rightsDelete   = []string{"删除", "删掉", "删了", "清除", "清空", "注销", "销毁", "抹去", "抹掉", "移除", "不要保存", "不要保留", "别保存", "别保留",
		"不想让你们保存", "不要再保存", "不让你们保存", "不想被保存"}
	rightsFix           = []string{"更正", "改正", "纠正", "修改", "更改", "订正", "改一下", "改成", "填错", "写错", "有误", "不对"}
	rightsWithdrawWords = []string{"撤回同意", "撤销同意", "取消同意", "撤回授权", "撤销授权", "取消授权", "收回授权", "不再同意",
		"撤回个人信息授权", "撤回对个人信息", "撤回我的同意", "撤回隐私同意", "撤回隐私授权"}
	rightsLook = []string{"查看", "看看", "看下", "看一下", "查一下", "查询", "有哪些", "哪些", "什么", "多少", "给我看", "显示"}
	// rightsKept are questions about what the service keeps of "me".
	rightsKept = []string{"保存了我", "收集了我", "存了我", "记录了我", "保留了我", "掌握了我", "存储了我"}
)

// rightsRequest tells which personal-data request normalised text n is,
// or "".
func rightsRequest(n string) string {
	if containsWord(n, rightsWithdrawWords) {
		return rightsWithdraw
	}
	mine := containsWord(n, rightsMine)
	personal := mine || containsWord(n, rightsPersonal)
	switch {
	case personal && containsWord(n, rightsDelete):
		return rightsErase
	case mine && containsWord(n, rightsFix):
		return rightsCorrect
	case mine && (isWord(n, rightsMine) || containsWord(n, rightsLook)):
		return rightsShow
	case isWord(n, rightsPersonal) || containsWord(n, rightsKept):
		return rightsShow
	}
	return ""
}

func containsWord(n string, words []string) bool {
	for _, w := range words {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func isWord(n string, words []string) bool {
	for _, w := range words {
		if n == w {
			return true
		}
	}
	return false
}

// rights handles a personal-data request in normalised text n; false when
// n is none.
func (t *turn) rights(n string) bool {
	switch rightsRequest(n) {
	case rightsShow:
		t.end()
		t.emit(ShowMyData{})
	case rightsCorrect:
		t.end()
		t.begin("rights", "correct")
	case rightsErase:
		t.end()
		t.begin("rights", "erase")
	case rightsWithdraw:
		t.end()
		t.begin("rights", "withdraw")
	default:
		return false
	}
	return true
}

// confirmWords confirm a deletion or withdrawal besides a plain yes.
var confirmWords = []string{"确认删除", "确定删除", "确认撤回", "确定撤回", "确认", "确定", "删除", "撤回"}

// eraseAnswer reads the answer to the confirmation of a deletion or a
// withdrawal.
func eraseAnswer(withdraw bool) func(t *turn, text string) {
	return func(t *turn, text string) {
		n := strings.TrimRight(Normalize(text), "。.!！")
		yes, ok := yesNo(text)
		if isWord(n, confirmWords) {
			yes, ok = true, true
		}
		if !ok {
			t.reask("请回复“确认”或“取消”。")
			return
		}
		if !yes {
			t.end()
			t.say("rights_kept", nil)
			return
		}
		// The conversation's state goes with the rest: the profile of the
		// self-check, whatever a form held.
		t.s = State{}
		t.emit(EraseMyData{Withdraw: withdraw})
	}
}

// registerRights registers this file's steps and entries (flows.go lists it).
func registerRights() {
	register("rights.correct", step{
		ask:  func(t *turn) { t.say("rights_correct_ask", nil) },
		help: "rights",
		answer: func(t *turn, text string) {
			name, mobile, reason := ParseContactProfile(text)
			if reason != "" {
				t.reask(reason)
				return
			}
			t.end()
			t.emit(CorrectMyData{Name: name, Mobile: mobile})
		},
	})
	register("rights.erase", step{
		ask:    func(t *turn) { t.say("rights_erase_confirm", false) },
		help:   "rights",
		answer: eraseAnswer(false),
	})
	register("rights.withdraw", step{
		ask:    func(t *turn) { t.say("rights_erase_confirm", true) },
		help:   "rights",
		answer: eraseAnswer(true),
	})
}
