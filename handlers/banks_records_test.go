package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// institutionWithSpecialist creates an institution with one specialist
// and an institution account, returning the ids and the account's name
// and password for the console.
func (s *adminSvc) institutionWithSpecialist(name, specialist, phone string) (inst, sp uint64, user, pass string) {
	s.tb.Helper()
	var in struct{ ID uint64 }
	if code := s.api(http.MethodPost, "/api/v1/institutions", s.admin, map[string]string{"name": name, "kind": "bank"}, &in); code != http.StatusCreated {
		s.tb.Fatalf("institution: %d", code)
	}
	var spec struct{ ID uint64 }
	if code := s.api(http.MethodPost, fmt.Sprintf("/api/v1/institutions/%d/specialists", in.ID), s.admin,
		map[string]string{"name": specialist, "phone": phone, "products": "苏质贷"}, &spec); code != http.StatusCreated {
		s.tb.Fatalf("specialist: %d", code)
	}
	user = "bank-" + randomSuffix()
	pass = "Bank-pass-2026-" + user // letters, digits and a symbol, whatever the suffix
	body := map[string]any{"username": user, "password": pass, "role": "institution", "institution": in.ID}
	if code := s.api(http.MethodPost, "/api/v1/users", s.admin, body, nil); code != http.StatusCreated {
		s.tb.Fatalf("account: %d", code)
	}
	return in.ID, spec.ID, user, pass
}

// TestBanksFromTheRecordsThroughTheWebhook: 哪些银行能做苏质贷 lists the
// institutions serving the enterprise's remembered county, the
// specialist's name and phone only once the institution's account agreed
// in the console (an act in the operations log), the county bureau's
// phone otherwise, and says who keeps the list.
func TestBanksFromTheRecordsThroughTheWebhook(t *testing.T) {
	s := mustAdminSvc(t, true)
	ks, ksSp, ksUser, ksPass := s.institutionWithSpecialist("测试银行昆山支行", "李专员", "13800001111")
	wj, wjSp, _, _ := s.institutionWithSpecialist("测试银行吴江支行", "王专员", "13800002222")
	officer := newBrowser(t, s.handler)
	officer.login("admin", leadsAdminPass)
	officer.mustPage("/console/institutions")
	if code, _, body := officer.post(fmt.Sprintf("/console/institutions/%d/counties", wj), url.Values{"county": {"wujiang"}}); code != http.StatusSeeOther {
		t.Fatalf("counties: %d %s", code, body)
	}
	if code, _, _ := officer.post(fmt.Sprintf("/console/institutions/%d/counties", wj), url.Values{"county": {"nowhere"}}); code == http.StatusSeeOther {
		t.Fatal("an unknown county was accepted")
	}
	if page := officer.mustPage("/console/institutions"); !strings.Contains(page, "服务范围：苏州全市") || !strings.Contains(page, `<span class="badge">吴江区</span>`) {
		t.Errorf("served counties not shown")
	}

	const ent = "o-banks-ent"
	s.fileNeed(ent, "320583", "MA1BK0001") // Kunshan, remembered
	got := s.say(ent, "哪些银行能做苏质贷")
	for _, want := range []string{"昆山市可办理苏质贷的合作银行", "测试银行昆山支行", "联系方式请咨询昆山市市场监督管理局，电话0512-57797026",
		"由各县级市（区）市场监管局维护", "适时调整"} {
		if !strings.Contains(got, want) {
			t.Errorf("list lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"测试银行吴江支行", "李专员", "13800001111"} {
		if strings.Contains(got, not) {
			t.Errorf("list shows %q before consent:\n%s", not, got)
		}
	}

	// The institution's own account agrees for its specialist, and may
	// not for another institution's.
	bank := newBrowser(t, s.handler)
	bank.login(ksUser, ksPass)
	page := bank.mustPage("/console/institutions")
	if !strings.Contains(page, "测试银行昆山支行") || strings.Contains(page, "测试银行吴江支行") {
		t.Fatalf("an institution sees others on its page")
	}
	if code, _, _ := bank.post(fmt.Sprintf("/console/institutions/%d/specialists/%d/consent", wj, wjSp), url.Values{"consent": {"1"}}); code == http.StatusSeeOther {
		t.Fatal("an institution set another's consent")
	}
	if code, _, _ := bank.post(fmt.Sprintf("/console/institutions/%d/counties", ks), url.Values{"county": {"kunshan"}}); code == http.StatusSeeOther {
		t.Fatal("an institution set its own counties")
	}
	if code, _, body := bank.post(fmt.Sprintf("/console/institutions/%d/specialists/%d/consent", ks, ksSp), url.Values{"consent": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("consent: %d %s", code, body)
	}
	got = s.say(ent, "有哪些合作银行")
	if !strings.Contains(got, "服务专员李专员，电话13800001111") || strings.Contains(got, "王专员") {
		t.Errorf("after consent:\n%s", got)
	}

	// A follower with no county is asked for it as a numbered choice.
	got = s.say("o-banks-new", "我们区哪家银行能贷")
	if !strings.Contains(got, "请问贵企业在哪个县级市（区）") {
		t.Fatalf("county question: %s", got)
	}
	if got = s.say("o-banks-new", "吴江"); !strings.Contains(got, "测试银行吴江支行") || !strings.Contains(got, "测试银行昆山支行") {
		t.Errorf("吴江's list:\n%s", got)
	}

	// Both settings are acts in the operations log.
	acts := map[string]bool{}
	for _, e := range s.oplogAfter("", 2) {
		acts[e.Action] = acts[e.Action] || e.Status < 300 || e.Status == http.StatusSeeOther
		if e.Action == "设置专员姓名电话是否向企业公开" && e.Status == http.StatusSeeOther && !strings.Contains(e.Summary+fmt.Sprint(e.After), "true") {
			t.Errorf("consent entry %+v", e)
		}
	}
	for _, a := range []string{"设置机构服务县级市（区）", "设置专员姓名电话是否向企业公开"} {
		if !acts[a] {
			t.Errorf("operations log lacks %q", a)
		}
	}
	// Withdrawing the consent hides the specialist again.
	bank.mustPage("/console/institutions")
	bank.post(fmt.Sprintf("/console/institutions/%d/specialists/%d/consent", ks, ksSp), url.Values{"consent": {"0"}})
	if got = s.say(ent, "哪些银行能做苏质贷"); strings.Contains(got, "李专员") {
		t.Errorf("after the consent was withdrawn:\n%s", got)
	}
}
