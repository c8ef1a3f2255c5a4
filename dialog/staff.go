package dialog

import "strings"

// Staff who bound their WeChat (county contacts, specialists) are not
// enterprises: their menu is their work, and an enterprise's hints
// (申请, 撤回) are not offered to them.

// StaffMenuData is the data of "staff_menu".
type StaffMenuData struct {
	Options []Option
	Role    string // domain.RoleCounty or domain.RoleInstitution
}

var staffMenu = []Option{
	{Key: "todo", Label: "待办事项", Words: []string{"待办", "待办事项", "待办理"}},
	{Key: "binding", Label: "绑定信息", Words: []string{"绑定信息", "我的绑定"}},
	{Key: "help", Label: "帮助", Words: []string{"帮助", "使用说明"}},
}

// staffChoice answers a staff member's menu choice; false when text is
// not one (questions are then answered as for anyone).
func (t *turn) staffChoice(text string) bool {
	if t.s.Profile.Staff == "" {
		return false
	}
	n := strings.TrimSpace(toHalfWidth(text))
	var o Option
	ok := false
	for i, opt := range staffMenu {
		if n == string(rune('1'+i)) || isOneOf(bare(text), opt.Words) {
			o, ok = opt, true
		}
	}
	if !ok {
		return false
	}
	switch o.Key {
	case "todo":
		t.end()
		t.emit(ListLeads{})
	case "binding":
		t.say("staff_binding", t.s.Profile.Staff)
	default:
		t.say("staff_help", t.s.Profile.Staff)
	}
	return true
}
