package domain

import (
	"strconv"
	"strings"
)

// Erased is what erasing a follower's personal data did, for the
// operations log and the follower's confirmation.
type Erased struct {
	Leads    int64 // applications kept for reporting without their personal fields
	Profile  bool  // the follower's self-check record was deleted
	Contacts int   // county contact bindings removed
	Revoked  Revoked
	Messages int64 // messages to the follower kept for sending or in the sandbox, deleted
	Tickets  int64 // questions handed to a person: closed, their texts deleted
}

// String says what was erased, for the operations log.
func (e Erased) String() string {
	parts := []string{"匿名化申请" + strconv.FormatInt(e.Leads, 10) + "件（保留编号、企业名称、统一社会信用代码和办理状态，删除联系人、电话、备注和微信标识）"}
	if e.Profile {
		parts = append(parts, "删除自检记录")
	}
	if e.Contacts > 0 {
		parts = append(parts, "解除县区联系人绑定"+strconv.Itoa(e.Contacts)+"个（"+e.Revoked.String()+"）")
	}
	if e.Messages > 0 {
		parts = append(parts, "删除待发消息"+strconv.FormatInt(e.Messages, 10)+"条")
	}
	if e.Tickets > 0 {
		parts = append(parts, "删除人工咨询内容"+strconv.FormatInt(e.Tickets, 10)+"件")
	}
	return strings.Join(parts, "；")
}
