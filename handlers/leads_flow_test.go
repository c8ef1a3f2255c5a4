package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestLeadFlowThroughTheWebhook runs the issue end to end: an enterprise
// subscribes and files a 融资需求; the county contact, bound with a code an
// officer created through the API, receives the template message; the
// contact accepts it from the chat; the enterprise's 进度 shows 已受理.
func TestLeadFlowThroughTheWebhook(t *testing.T) {
	s := mustLeadsSvc(t)
	ctx := context.Background()
	const ent, contact = "o-flow-enterprise", "o-flow-contact"

	// An officer creates a bind code for Kunshan; the contact binds.
	admin := s.login("admin", leadsAdminPass)
	var bc struct{ Code string }
	if code := s.api(http.MethodPost, "/api/v1/counties/kunshan/bind-codes", admin, nil, &bc); code != http.StatusCreated || bc.Code == "" {
		t.Fatalf("bind code: %d %+v", code, bc)
	}
	if got := s.say(contact, "绑定 "+bc.Code); !strings.Contains(got, "绑定成功") || !strings.Contains(got, "昆山市") {
		t.Fatalf("bind: %s", got)
	}
	if got := s.say("o-flow-other", "绑定 "+bc.Code); !strings.Contains(got, "绑定未成功") {
		t.Fatalf("reused code: %s", got)
	}

	// The enterprise subscribes and fills the form.
	if got := s.subscribe(ent); !strings.Contains(got, "欢迎") {
		t.Fatalf("subscribe: %s", got)
	}
	steps := []struct{ say, want string }{
		{"融资需求", "企业名称"},
		{"苏州测试精密机械有限公司", "统一社会信用代码"},
		{creditCodeIn(t, "320583", "MA1N2P3Q4"), "昆山市"},
		{"1", "联系人"},
		{"张三", "手机"},
		{"13912345678", "融资产品"},
		{"苏质贷", "金额"},
		{"500", "期限"},
		{"12", "用途"},
		{"采购原材料", "同意"},
		{"1", "回复“确认”提交"},
	}
	for _, st := range steps {
		if got := s.say(ent, st.say); !strings.Contains(got, st.want) {
			t.Fatalf("%q: %s (want %q)", st.say, got, st.want)
		}
	}
	reply := s.say(ent, "确认")
	number := leadNumber.FindString(reply)
	if number == "" || !strings.Contains(reply, "昆山市市场监督管理局") || !strings.Contains(reply, "0512-57797026") {
		t.Fatalf("确认: %s", reply)
	}

	// The outbox delivers the template message to the bound contact.
	if _, err := s.outbox.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range s.fake.Calls("/cgi-bin/message/template/send") {
		if c.Body["touser"] == contact && c.Body["template_id"] == leadsTplNeed && strings.Contains(c.Raw, number) {
			got = append(got, c.Raw)
		}
	}
	if len(got) != 1 {
		t.Fatalf("contact received %d template messages: %v", len(got), s.fake.Calls(""))
	}

	// The contact accepts the lead from the chat.
	if got := s.say(contact, "受理 "+number+" 已电话联系"); !strings.Contains(got, "已受理") {
		t.Fatalf("受理: %s", got)
	}
	// The enterprise hears of it (it wrote within 48 h: a 客服 message) …
	if _, err := s.outbox.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	var told bool
	for _, c := range s.fake.Calls("/cgi-bin/message/custom/send") {
		told = told || c.Body["touser"] == ent && strings.Contains(c.Raw, "已受理")
	}
	if !told {
		t.Errorf("enterprise not told: %v", s.fake.Calls(""))
	}
	// … and its 进度 shows 已受理.
	progress := s.say(ent, "进度")
	if !strings.Contains(progress, number) || !strings.Contains(progress, "状态：已受理") {
		t.Fatalf("进度: %s", progress)
	}
	// The API shows the same history.
	var lead leadView
	if code := s.api(http.MethodGet, "/api/v1/leads/"+number, admin, nil, &lead); code != http.StatusOK {
		t.Fatalf("api: %d", code)
	}
	if lead.Status != "contacted" || len(lead.Events) != 2 || lead.Events[1].Actor != "wechat:"+contact {
		t.Errorf("api lead %+v", lead)
	}
}
