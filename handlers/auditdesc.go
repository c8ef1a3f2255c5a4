package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
)

// The operations log (操作日志) is read by officers, not engineers: every
// entry says in Chinese who did what to which object, and what changed.

// auditActions names the action of each audited write route.
var auditActions = map[string]string{
	"POST /api/v1/auth/logout":                                    "退出登录",
	"POST /console/logout":                                        "退出登录",
	"PUT /api/v1/me/password":                                     "修改密码",
	"POST /console/password":                                      "修改密码",
	"POST /api/v1/users":                                          "新建账号",
	"POST /console/accounts":                                      "新建账号",
	"PATCH /api/v1/users/:id":                                     "修改账号",
	"POST /api/v1/users/:id/reset-password":                       "重置密码",
	"PATCH /api/v1/leads/:id":                                     "变更申请状态",
	"POST /console/leads/:id/status":                              "变更申请状态",
	"POST /console/leads/:id/notes":                               "添加跟进记录",
	"POST /console/leads/:id/correct":                             "更正申请状态",
	"POST /api/v1/leads/:id/disburse":                             "登记放款",
	"POST /api/v1/counties/:county/bind-codes":                    "生成绑定码",
	"POST /console/counties/:county/bind-codes":                   "生成绑定码",
	"PATCH /api/v1/counties/:county":                              "修改联系人",
	"POST /console/counties/:county/contact":                      "修改联系人",
	"DELETE /api/v1/counties/:county/contacts/:openid":            "解除绑定",
	"POST /console/counties/:county/unbind":                       "解除绑定",
	"POST /api/v1/counties/:county/qrcode":                        "生成推广二维码",
	"POST /console/counties/:county/qrcode":                       "生成推广二维码",
	"PUT /api/v1/settings":                                        "修改设置",
	"POST /console/settings/lpr":                                  "修改LPR",
	"POST /console/settings/workdays":                             "调整工作日",
	"POST /api/v1/tags/sync":                                      "同步微信标签",
	"POST /console/broadcasts/tags":                               "同步微信标签",
	"POST /api/v1/broadcasts":                                     "新建群发",
	"POST /console/broadcasts":                                    "新建群发",
	"POST /api/v1/broadcasts/:id/preview":                         "预览群发",
	"POST /console/broadcasts/:id/preview":                        "预览群发",
	"POST /api/v1/broadcasts/:id/send":                            "群发",
	"POST /console/broadcasts/:id/send":                           "群发",
	"POST /api/v1/reports/monthly/confirm":                        "确认月报",
	"POST /console/reports/confirm":                               "确认月报",
	"POST /simulator/send":                                        "模拟器发消息",
	"POST /api/v1/roster/import":                                  "导入企业库名录",
	"POST /console/roster/import":                                 "导入企业库名录",
	"POST /api/v1/institutions":                                   "新建金融机构",
	"POST /console/institutions":                                  "新建金融机构",
	"PATCH /api/v1/institutions/:inst":                            "修改金融机构",
	"POST /console/institutions/:inst":                            "修改金融机构",
	"POST /api/v1/institutions/:inst/specialists":                 "新增服务专员",
	"POST /console/institutions/:inst/specialists":                "新增服务专员",
	"DELETE /api/v1/institutions/:inst/specialists/:sid":          "删除服务专员",
	"POST /console/institutions/:inst/specialists/:sid/delete":    "删除服务专员",
	"POST /api/v1/institutions/:inst/specialists/:sid/bind-codes": "生成专员绑定码",
	"POST /console/institutions/:inst/specialists/:sid/bind-code": "生成专员绑定码",
	"POST /console/institutions/:inst/counties":                   "设置机构服务县级市（区）",
	"POST /console/institutions/:inst/specialists/:sid/consent":   "设置专员姓名电话是否向企业公开",
	"POST /api/v1/leads/:id/referrals":                            "推荐金融机构",
	"POST /console/leads/:id/referrals":                           "推荐金融机构",
	"POST /api/v1/leads/:id/deals":                                "登记融资成交",
	"PATCH /api/v1/leads/:id/deals/:deal":                         "更正融资成交",
	"POST /api/v1/leads/:id/deals/:deal/withdraw":                 "撤销融资成交",
	"POST /console/leads/:id/deals/:deal/correct":                 "更正融资成交",
	"POST /console/leads/:id/deals/:deal/withdraw":                "撤销融资成交",
	"POST /console/leads/:id/deals":                               "登记融资成交",
	"POST /console/broadcasts/:id/edit":                           "修改群发草稿",
	"POST /console/broadcasts/:id/delete":                         "删除群发草稿",
	"POST /console/tickets/:id/teach":                             "由咨询新增问答",
	"POST /console/unplaced/:id/attach":                           "归入已有问答",
	"POST /console/unplaced/:id/answer":                           "新增问答",
	"POST /console/unplaced/:id/send":                             "向提问企业发送答复",
	"POST /console/unplaced/:id/dismiss":                          "忽略未识别问题",
	"POST /console/taught/faqs/:faq":                              "修改问答",
	"POST /console/taught/faqs/:faq/delete":                       "删除问答",
	"POST /console/taught/paraphrases/:id/delete":                 "删除问法",
	"POST /console/understanding/faqs/:faq":                       "修改政策问答",
	"POST /console/understanding/intents/:intent/disable":         "停用问法",
	"POST /console/understanding/intents/:intent/enable":          "启用问法",
}

// accountActions names the console's account actions (/console/accounts/:id/:action).
var accountActions = map[string]string{"disable": "停用账号", "enable": "启用账号", "reset": "重置密码", "bind-code": "获取本人微信绑定码"}

// auditAction names a request's action.
func auditAction(c *gin.Context, route string) string {
	if a := c.GetString(auditActionKey); a != "" {
		return a
	}
	if route == "/console/accounts/:id/:action" {
		if a, ok := accountActions[c.Param("action")]; ok {
			return a
		}
	}
	if a, ok := auditActions[c.Request.Method+" "+route]; ok {
		return a
	}
	return "其他操作"
}

// unitOf names an account's unit: 市局, 昆山市局, 只读账号.
func (s *Server) unitOf(acc domain.Account) string {
	switch acc.Role {
	case domain.RoleOfficer:
		return "市局"
	case domain.RoleCounty:
		if c, ok := s.Bot.Policy().County(acc.County); ok {
			return c.Name + "局"
		}
		return acc.County
	case domain.RoleViewer:
		return "只读账号"
	case domain.RoleInstitution:
		return "合作金融机构"
	}
	return acc.Role
}

// whoIs names a person as the log shows them: "张琳（昆山市局）".
func (s *Server) whoIs(acc domain.Account) string {
	name := acc.Name
	if name == "" {
		name = acc.Username
	}
	return name + "（" + s.unitOf(acc) + "）"
}

// auditFields are the fields the summary shows, in order, with their labels.
var auditFields = []struct{ key, label string }{
	{"status", "状态"}, {"contact", "联系人"}, {"post", "职务"}, {"phone", "电话"}, {"robot_url", "群机器人"},
	{"lpr", "LPR"}, {"lpr_date", "LPR生效日期"}, {"workdays_overrides", "工作日调整"},
	{"username", "用户名"}, {"name", "姓名"}, {"mobile", "手机号"}, {"role", "角色"}, {"county", "县级市（区）"}, {"disabled", "停用"},
	{"password_reset", "重置密码"}, {"disbursed_wan", "放款金额（万元）"}, {"title", "标题"}, {"audience", "对象"},
	{"month", "月份"}, {"code", "绑定码"}, {"note", "说明"}, {"reason", "原因"},
	{"product_name", "产品"}, {"amount_wan", "金额（万元）"}, {"rate_pct", "年利率（%）"}, {"term_months", "期限（月）"},
	{"disbursed_on", "放款日期"}, {"withdrawn", "已撤销"}, {"remark", "原因"}, {"text", "跟进情况"}, {"sent", "已发给企业"},
	{"version", "版本"}, {"answer", "答复"}, {"clause", "依据条款"}, {"paraphrase", "说法"}, {"in_use", "在用"},
	{"revoked", "收回权限"}, {"counties", "服务县级市（区）"}, {"consent", "向企业公开姓名电话"},
}

// auditAlways are the fields the summary shows whenever a handler gives
// them, changed or not: what removing a person revoked.
var auditAlways = map[string]bool{"revoked": true}

// revokedAudit adds to an account's after-image what disabling it revoked.
func revokedAudit(after any, disabled bool, r domain.Revoked) any {
	if !disabled {
		return after
	}
	m := decodeAudit(after)
	if m == nil {
		m = map[string]any{}
	}
	m["revoked"] = r.String()
	return m
}

// decodeAudit turns a before/after value into a map of its JSON fields.
func decodeAudit(v any) map[string]any {
	if v == nil {
		return nil
	}
	var raw []byte
	switch v := v.(type) {
	case string:
		raw = []byte(v)
	default:
		raw, _ = json.Marshal(v)
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// auditValue shows one field's value for people.
func auditValue(key string, v any) string {
	switch x := v.(type) {
	case nil:
		return "（空）"
	case bool:
		if x {
			return "是"
		}
		return "否"
	case string:
		switch key {
		case "status":
			return domain.StatusLabel(x)
		case "role":
			return roleLabel(x)
		case "robot_url":
			if x == "" {
				return "（未配置）"
			}
			return "（已配置）"
		}
		if x == "" {
			return "（空）"
		}
		return x
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", x), "0"), ".")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// auditSummary says what changed between before and after: "职务 科长→副
// 科长；电话 …", or for a creation the fields given.
func auditSummary(before, after any) string {
	b, a := decodeAudit(before), decodeAudit(after)
	var parts []string
	for _, f := range auditFields {
		av, inA := a[f.key]
		bv, inB := b[f.key]
		switch {
		case inA && inB:
			if old, now := auditValue(f.key, bv), auditValue(f.key, av); old != now {
				parts = append(parts, f.label+" "+old+"→"+now)
			}
		case inA && (b == nil || !inB):
			if s := auditValue(f.key, av); s != "（空）" {
				parts = append(parts, f.label+"："+s)
			}
		case inB && a == nil:
			parts = append(parts, f.label+"："+auditValue(f.key, bv))
		case inA && auditAlways[f.key]:
			parts = append(parts, f.label+"："+auditValue(f.key, av))
		}
	}
	return strings.Join(parts, "；")
}

// auditObject names what a request acted on: a county, an application, an
// account, a broadcast, a month.
func (s *Server) auditObject(c *gin.Context, before, after any) string {
	if county := c.Param("county"); county != "" {
		if cc, ok := s.Bot.Policy().County(county); ok {
			return cc.Name
		}
		return county
	}
	for _, m := range []map[string]any{decodeAudit(after), decodeAudit(before)} {
		for _, k := range []string{"number", "lead_number", "username", "month"} {
			if v, ok := m[k].(string); ok && v != "" {
				return v
			}
		}
		if v, ok := m["title"].(string); ok && v != "" {
			return "《" + v + "》"
		}
	}
	if v, ok := c.Get(auditObjectKey); ok {
		if s, ok := v.(string); ok {
			return s
		}
	}
	if id := c.Param("id"); id != "" {
		return "编号 " + id
	}
	return ""
}

// auditObjectKey lets a handler name its object when before/after do not.
const auditObjectKey = "audit_object"

// setLeadAudit gives the operations log an application's change: the
// status before is the one of the event before the last, which the moved
// lead carries, so nothing is read again for the log.
func setLeadAudit(c *gin.Context, l domain.Lead, note string) {
	after := gin.H{"number": l.Number, "status": l.Status}
	if note != "" {
		after["note"] = note
	}
	var before gin.H
	if n := len(l.Events); n >= 2 {
		before = gin.H{"number": l.Number, "status": l.Events[n-2].Status}
	}
	setAudit(c, before, after)
}

// auditLogin records a sign-in, failed or not, in the operations log. A
// failed attempt's username is masked: people type passwords into it.
func (s *Server) auditLogin(c *gin.Context, username string, acc domain.Account, err error) {
	e := domain.AuditEntry{Method: c.Request.Method, Route: c.FullPath(), RemoteIP: c.ClientIP(), At: s.Now(), Status: http.StatusOK}
	switch {
	case err == nil:
		e.Actor, e.Role, e.Who, e.Action, e.Object = acc.Username, acc.Role, s.whoIs(acc), "登录", acc.Username
	case errors.Is(err, domain.ErrLocked):
		e.Actor, e.Who, e.Action, e.Object, e.Status = maskUser(username), "（未登录）", "登录受限", maskUser(username), http.StatusTooManyRequests
		e.Summary = "失败次数过多，暂时不允许从该地址登录"
	default:
		status, msg := apiStatus(err)
		if status >= http.StatusInternalServerError {
			return
		}
		e.Actor, e.Who, e.Action, e.Object, e.Status, e.Summary = maskUser(username), "（未登录）", "登录失败", maskUser(username), status, msg
	}
	if aerr := s.Admin.Audit(c.Request.Context(), e); aerr != nil {
		s.Log.Error("audit entry not recorded", slog.String("route", e.Route), slog.Any("error", aerr))
	}
}
