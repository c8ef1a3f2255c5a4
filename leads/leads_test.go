package leads_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

var numberPattern = regexp.MustCompile(`SZR-\d{8}-\d{4}`)

func TestSubmitRoutesToEachCounty(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	if len(e.Policy.Counties) != 11 {
		t.Fatalf("%d counties seeded", len(e.Policy.Counties))
	}
	for i, c := range e.Policy.Counties {
		e.BindContact("o-contact-"+c.ID, c.ID)
		if i == 0 {
			// A second contact for the first county; both are told.
			e.BindContact("o-contact2-"+c.ID, c.ID)
			if err := e.DB.SetRobotURL(ctx, c.ID, e.Fake.URL+"/cgi-bin/webhook/send?key="+c.ID, "admin"); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, c := range e.Policy.Counties {
		t.Run(c.ID, func(t *testing.T) {
			ent := "o-ent-" + c.ID
			e.FillNeed(ent, c.Divisions[0], fmt.Sprintf("MA1N2P%03d", i))
			reply := e.Say(ent, "确认")
			number := numberPattern.FindString(reply)
			if number == "" || !strings.Contains(reply, c.Bureau) || !strings.Contains(reply, c.Phone) ||
				!strings.Contains(reply, c.Contact) || !strings.Contains(reply, "接下来") {
				t.Fatalf("reply %s", reply)
			}
			l := e.Lead(number)
			if l.County != c.ID || l.OpenID != ent || l.Status != domain.StatusSubmitted || l.Phone != "13912345678" {
				t.Fatalf("lead %+v", l)
			}
			e.Drain()
			got := e.TemplatesTo("o-contact-" + c.ID)
			if len(got) != 1 {
				t.Fatalf("contact got %d template messages", len(got))
			}
			if got[0].Body["template_id"] != apptest.TplNeed {
				t.Errorf("template id %v", got[0].Body["template_id"])
			}
			data := got[0].Body["data"].(map[string]any)
			for k, v := range data {
				item := v.(map[string]any)
				if s := item["value"].(string); utf8.RuneCountInString(s) > 20 || item["color"] != nil && item["color"] != "" {
					t.Errorf("field %s = %q (over 20 runes or coloured)", k, s)
				}
			}
			if data[leads.FieldNumber].(map[string]any)["value"] != number {
				t.Errorf("number field %v", data[leads.FieldNumber])
			}
			// No other county's contact heard of it.
			for _, other := range e.Policy.Counties {
				if other.ID != c.ID {
					for _, call := range e.TemplatesTo("o-contact-" + other.ID) {
						if strings.Contains(call.Raw, number) {
							t.Errorf("%s was told about %s's lead", other.ID, c.ID)
						}
					}
				}
			}
			if i == 0 {
				if n := len(e.TemplatesTo("o-contact2-" + c.ID)); n != 1 {
					t.Errorf("second contact got %d", n)
				}
				robot := e.Fake.Calls("/cgi-bin/webhook/send")
				if len(robot) != 1 || !strings.Contains(robot[0].Raw, number) || robot[0].Body["msgtype"] != "markdown" {
					t.Errorf("robot %+v", robot)
				}
			}
		})
	}
	// Draining again sends nothing: every row went once.
	before := len(e.Fake.Calls(""))
	if n := e.Drain(); n != 0 || len(e.Fake.Calls("")) != before {
		t.Errorf("second drain sent %d", n)
	}
}

func TestSubmitDuplicateShowsOpenLead(t *testing.T) {
	e := apptest.New(t)
	e.FillNeed("o-ent", "320583", "MA1N2P3Q4")
	first := numberPattern.FindString(e.Say("o-ent", "确认"))
	// Another follower of the same enterprise files the same need.
	e.FillNeed("o-colleague", "320583", "MA1N2P3Q4")
	reply := e.Say("o-colleague", "确认")
	if !strings.Contains(reply, "本次未重复提交") || !strings.Contains(reply, first) || !strings.Contains(reply, "已提交") {
		t.Fatalf("duplicate reply %s", reply)
	}
	var n int64
	e.DB.Table("leads").Count(&n)
	if n != 1 {
		t.Errorf("%d leads stored", n)
	}
}

func TestSubmitFailureKeepsReviewForRetry(t *testing.T) {
	e := apptest.New(t)
	e.FillNeed("o-ent", "320583", "MA1N2P3Q4")
	// The counters table vanishing makes the transaction fail midway.
	if err := e.DB.Migrator().RenameTable("counters", "counters_away"); err != nil {
		t.Fatal(err)
	}
	reply := e.Say("o-ent", "确认")
	if !strings.Contains(reply, "未能提交") || !strings.Contains(reply, "确认") {
		t.Fatalf("failure reply %s", reply)
	}
	var leads, outbox int64
	e.DB.Table("leads").Count(&leads)
	e.DB.Table("outboxes").Count(&outbox)
	if leads != 0 || outbox != 0 {
		t.Fatalf("failed submit left %d leads, %d outbox rows", leads, outbox)
	}
	if err := e.DB.Migrator().RenameTable("counters_away", "counters"); err != nil {
		t.Fatal(err)
	}
	reply = e.Say("o-ent", "确认")
	if numberPattern.FindString(reply) != "SZR-20261127-0001" {
		t.Fatalf("retry reply %s", reply)
	}
}

func TestBindCodesInChat(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	officer := domain.Account{Username: "admin", Role: domain.RoleOfficer}
	bc, _ := e.Leads.NewBindCode(ctx, officer, "kunshan")
	tests := []struct{ openID, text, want string }{
		{"o-a", "绑定 NOPE2345", "绑定码不正确"},
		{"o-a", "绑定 " + strings.ToLower(bc.Code), "绑定成功：您已成为昆山市市场监督管理局的“苏质融”联系人"},
		{"o-b", "绑定 " + bc.Code, "绑定码不正确或已失效"}, // used: told as unknown
	}
	for _, tt := range tests {
		if got := e.Say(tt.openID, tt.text); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %s, want %s", tt.text, got, tt.want)
		}
	}
	old, _ := e.Leads.NewBindCode(ctx, officer, "sip")
	e.Clock.Add(24 * time.Hour)
	if got := e.Say("o-b", "绑定 "+old.Code); !strings.Contains(got, "绑定码不正确或已失效") {
		t.Errorf("expired: %s", got)
	}
	if contacts, _ := e.DB.Contacts(ctx, "kunshan"); len(contacts) != 1 || contacts[0] != "o-a" {
		t.Errorf("contacts %v", contacts)
	}
	// Who may issue codes.
	if _, err := e.Leads.NewBindCode(ctx, domain.Account{Role: domain.RoleViewer}, "kunshan"); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("viewer: %v", err)
	}
	if _, err := e.Leads.NewBindCode(ctx, domain.Account{Role: domain.RoleCounty, County: "sip"}, "kunshan"); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("other county: %v", err)
	}
	if _, err := e.Leads.NewBindCode(ctx, domain.Account{Role: domain.RoleCounty, County: "kunshan"}, "kunshan"); err != nil {
		t.Errorf("own county: %v", err)
	}
	if _, err := e.Leads.NewBindCode(ctx, officer, "atlantis"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown county: %v", err)
	}
}

func TestMoveFromChatAndNotifications(t *testing.T) {
	e := apptest.New(t)
	e.BindContact("o-ks", "kunshan")
	e.BindContact("o-sip", "sip")
	e.FillNeed("o-ent", "320583", "MA1N2P3Q4")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))

	refusals := []struct{ openID, text, want string }{
		{"o-stranger", "受理 " + number, "没有找到编号为“" + number + "”"},
		{"o-sip", "受理 " + number, "您不是编号“" + number + "”所属县级市（区）的联系人"},
		{"o-ent", "受理 " + number, "您不是编号“" + number + "”所属县级市（区）的联系人"},
		{"o-ks", "受理 SZR-20200101-0001", "没有找到编号为“SZR-20200101-0001”"},
		{"o-ks", "驳回 " + number, "驳回需要说明原因"},
	}
	for _, tt := range refusals {
		if got := e.Say(tt.openID, tt.text); !strings.Contains(got, tt.want) {
			t.Errorf("%s %s: %s, want %s", tt.openID, tt.text, got, tt.want)
		}
	}
	if l := e.Lead(number); l.Status != domain.StatusSubmitted {
		t.Fatalf("refused moves changed the lead: %s", l.Status)
	}

	// The enterprise wrote a moment ago: the change reaches it by 客服 message.
	if got := e.Say("o-ks", "受理 "+strings.ToLower(number)+" 已电话联系"); !strings.Contains(got, "变更为：已受理") {
		t.Fatalf("受理: %s", got)
	}
	l := e.Lead(number)
	if l.Status != domain.StatusContacted || l.ContactedAt.IsZero() {
		t.Fatalf("lead %+v", l)
	}
	last, _ := l.Last()
	if last.Actor != "wechat:o-ks" || last.Note != "已电话联系" {
		t.Errorf("event %+v", last)
	}
	e.Drain()
	texts := e.TextsTo("o-ent")
	if len(texts) != 1 || !strings.Contains(texts[0], "状态已更新为：已受理") || !strings.Contains(texts[0], "已电话联系") {
		t.Fatalf("enterprise texts %q", texts)
	}
	if got := e.Say("o-ks", "受理 "+number); !strings.Contains(got, "状态不能从“已受理”变为“已受理”") {
		t.Errorf("second 受理: %s", got)
	}

	// Two days later the enterprise is outside the 48 h window: a template message.
	e.Clock.Add(49 * time.Hour)
	if got := e.Say("o-ks", "驳回 "+number+" 不符合条件"); !strings.Contains(got, "变更为：未通过") {
		t.Fatalf("驳回: %s", got)
	}
	e.Drain()
	tpl := e.TemplatesTo("o-ent")
	if len(tpl) != 1 || tpl[0].Body["template_id"] != apptest.TplStatus {
		t.Fatalf("enterprise templates %+v", tpl)
	}
	data := tpl[0].Body["data"].(map[string]any)
	if data[leads.FieldStatus].(map[string]any)["value"] != "未通过" || data[leads.FieldNote].(map[string]any)["value"] != "不符合条件" {
		t.Errorf("status template data %v", data)
	}
	if n := len(e.TextsTo("o-ent")); n != 1 {
		t.Errorf("texts %d after the window closed", n)
	}
}

func TestProgressInChat(t *testing.T) {
	e := apptest.New(t)
	if got := e.Say("o-ent", "进度"); !strings.Contains(got, "您还没有提交过") {
		t.Fatalf("empty progress: %s", got)
	}
	e.BindContact("o-ks", "kunshan")
	e.FillNeed("o-ent", "320583", "MA1N2P3Q4")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))
	e.Say("o-ks", "受理 "+number+" 已电话联系")

	got := e.Say("o-ent", "进度")
	for _, want := range []string{number, "状态：已受理", "已电话联系", "昆山市市场监督管理局", "57797026"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress lacks %q: %s", want, got)
		}
	}
	hist := e.Say("o-ent", "进度 "+number)
	if !strings.Contains(hist, "已提交") || !strings.Contains(hist, "已受理：已电话联系") || strings.Contains(hist, "13912345678") {
		t.Errorf("history %s", hist)
	}
	// The county's contact sees the enterprise's details and what is next.
	hist = e.Say("o-ks", "进度 "+number)
	if !strings.Contains(hist, "13912345678") || !strings.Contains(hist, "可变更为：审核中、未通过。") {
		t.Errorf("contact history %s", hist)
	}
	if got := e.Say("o-ks", "进度"); !strings.Contains(got, "本县级市（区）待办理的事项") || !strings.Contains(got, number) {
		t.Errorf("contact progress %s", got)
	}
	// Anyone else: as if it did not exist.
	if got := e.Say("o-other", "进度 "+number); !strings.Contains(got, "没有找到") {
		t.Errorf("stranger history %s", got)
	}
}

func TestLeadsForAccounts(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	e.FillNeed("o-ent", "320583", "MA1N2P3Q4")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))
	officer := domain.Account{Username: "admin", Role: domain.RoleOfficer}
	ks := domain.Account{Username: "ks", Role: domain.RoleCounty, County: "kunshan"}
	sip := domain.Account{Username: "sip", Role: domain.RoleCounty, County: "sip"}
	viewer := domain.Account{Username: "v", Role: domain.RoleViewer}

	if l, err := e.Leads.Lead(ctx, ks, number); err != nil || l.Number != number {
		t.Errorf("own county: %v", err)
	}
	if _, err := e.Leads.Lead(ctx, sip, number); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("other county: %v", err)
	}
	if list, _ := e.Leads.List(ctx, sip, domain.LeadFilter{}); len(list) != 0 {
		t.Errorf("other county lists %d", len(list))
	}
	if list, _ := e.Leads.List(ctx, sip, domain.LeadFilter{County: "kunshan"}); len(list) != 0 {
		t.Errorf("other county lists %d by filter", len(list))
	}
	for _, f := range []domain.LeadFilter{{County: "atlantis"}, {Status: "bogus"}, {Kind: "loan"}} {
		if _, err := e.Leads.List(ctx, officer, f); !errors.Is(err, domain.ErrInvalid) || domain.Message(err) == "" {
			t.Errorf("%+v: %v", f, err)
		}
	}
	if _, err := e.Leads.Change(ctx, leads.Mover{Account: viewer}, number, "contacted", ""); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("viewer: %v", err)
	}
	if _, err := e.Leads.Change(ctx, leads.Mover{Account: sip}, number, "contacted", ""); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("other county change: %v", err)
	}
	if _, err := e.Leads.Change(ctx, leads.Mover{Account: officer}, number, "bogus", ""); !errors.Is(err, domain.ErrUnknownStatus) {
		t.Errorf("unknown status: %v", err)
	}
	if _, err := e.Leads.Change(ctx, leads.Mover{Account: officer}, number, "approved", ""); !errors.Is(err, domain.ErrTransition) {
		t.Errorf("approved for a need: %v", err)
	}
	l, err := e.Leads.Change(ctx, leads.Mover{Account: ks}, number, "contacted", "已联系")
	if err != nil || l.Status != "contacted" {
		t.Fatalf("change: %+v %v", l, err)
	}
	if last, _ := l.Last(); last.Actor != "account:ks" {
		t.Errorf("actor %q", last.Actor)
	}
	rows, _ := e.DB.OutboxRows(ctx, fmt.Sprintf("lead:%d:event:", l.ID))
	if len(rows) != 1 || rows[0].Recipient != "o-ent" {
		t.Fatalf("enterprise notification rows %+v", rows)
	}
	var payload map[string]any
	json.Unmarshal([]byte(rows[0].Payload), &payload)
	if rows[0].Channel != leads.ChannelText {
		t.Errorf("channel %s (the enterprise wrote just now)", rows[0].Channel)
	}
}

func TestTruncate(t *testing.T) {
	if got := leads.Truncate("苏州测试精密机械有限公司苏州测试精密机械有限公司", 20); utf8.RuneCountInString(got) != 20 {
		t.Errorf("got %q", got)
	}
	if got := leads.Truncate("短", 20); got != "短" {
		t.Errorf("got %q", got)
	}
}

func TestEnterpriseWithdrawsFromChat(t *testing.T) {
	e := apptest.New(t)
	e.BindContact("o-ks", "kunshan")
	e.FillNeed("o-ent", "320583", "MA1N2P3Q5")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))
	e.Drain()
	before := len(e.TemplatesTo("o-ks"))

	for _, tt := range []struct{ openID, want string }{
		{"o-stranger", "没有找到编号为“" + number + "”"}, // only its enterprise withdraws a lead
		{"o-ks", "没有找到编号为“" + number + "”"},       // nor can a county contact
	} {
		if got := e.Say(tt.openID, "撤回 "+number); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %s", tt.openID, got)
		}
	}
	// Rule change (issue 27): 撤回 shows the application and asks for the
	// confirmation first; only 确认 withdraws.
	if got := e.Say("o-ent", "撤回 "+number+" 已从其他渠道获得贷款"); !strings.Contains(got, "您要撤回的是") || !strings.Contains(got, number) {
		t.Fatalf("撤回: %s", got)
	}
	if l := e.Lead(number); l.Status == domain.StatusWithdrawn {
		t.Fatal("withdrawn before the confirmation")
	}
	if got := e.Say("o-ent", "确认"); !strings.Contains(got, "已撤回") {
		t.Fatalf("确认: %s", got)
	}
	l := e.Lead(number)
	last, _ := l.Last()
	if l.Status != domain.StatusWithdrawn || last.Actor != "enterprise:o-ent" || last.Note != "已从其他渠道获得贷款" {
		t.Fatalf("lead %s, event %+v", l.Status, last)
	}
	e.Drain()
	tpl := e.TemplatesTo("o-ks")
	if len(tpl) != before+1 {
		t.Fatalf("county contact got %d new templates, want 1", len(tpl)-before)
	}
	data := tpl[len(tpl)-1].Body["data"].(map[string]any)
	if v := data[leads.FieldCounty].(map[string]any)["value"]; v != "企业已撤回，无需跟进" {
		t.Errorf("withdrawal template %v", data)
	}
	if got := e.Say("o-ent", "撤回 "+number); !strings.Contains(got, "未能变更") {
		t.Errorf("second withdrawal: %s", got)
	}
	// A withdrawn need no longer blocks a new one for the same code.
	e.FillNeed("o-ent", "320583", "MA1N2P3Q5")
	if got := e.Say("o-ent", "确认"); !strings.Contains(got, "已提交") {
		t.Fatalf("new need after withdrawal: %s", got)
	}
}

func TestStatusTextFallsBackToTemplateOutsideWindow(t *testing.T) {
	e := apptest.New(t)
	e.BindContact("o-ks", "kunshan")
	e.FillNeed("o-ent", "320583", "MA1N2P3Q6")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))
	e.Drain()
	// The enterprise wrote a moment ago, so a 客服 text is queued; by the
	// time it goes out WeChat says the 48 h window has closed.
	if got := e.Say("o-ks", "受理 "+number); !strings.Contains(got, "已受理") {
		t.Fatalf("受理: %s", got)
	}
	e.Fake.Answer("/cgi-bin/message/custom/send", 45015)
	if n := e.Drain(); n != 1 {
		t.Fatalf("drained %d, want the one notification", n)
	}
	if texts := e.TextsTo("o-ent"); len(texts) != 0 {
		t.Fatalf("texts delivered: %q", texts)
	}
	tpl := e.TemplatesTo("o-ent")
	if len(tpl) != 1 || tpl[0].Body["template_id"] != apptest.TplStatus {
		t.Fatalf("fallback templates %+v", tpl)
	}
	if e.Drain() != 0 || len(e.TemplatesTo("o-ent")) != 1 {
		t.Fatal("the notification went out twice")
	}
}
