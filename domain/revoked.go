package domain

import (
	"strconv"
	"strings"
)

// Revoked is what removing a person (unbinding a county contact, deleting
// a specialist, disabling an account) ended: the console sessions closed
// and the accounts they were of. The operations log says it.
type Revoked struct {
	Sessions int64    // sessions (tokens) ended
	Accounts []string // usernames of the accounts whose sessions ended
}

// String says what was revoked, for the operations log:
// "结束登录会话2个（账号 wx-3）；其微信不能再登录".
func (r Revoked) String() string {
	var b strings.Builder
	if r.Sessions == 0 {
		b.WriteString("无进行中的登录会话")
	} else {
		b.WriteString("结束登录会话" + strconv.FormatInt(r.Sessions, 10) + "个")
	}
	if len(r.Accounts) > 0 {
		b.WriteString("（账号 " + strings.Join(r.Accounts, "、") + "）")
	}
	b.WriteString("；其微信不能再登录")
	return b.String()
}
