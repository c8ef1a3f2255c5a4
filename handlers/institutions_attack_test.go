package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestInstitutionSettingsRefused attacks the institutions' served counties
// and the specialists' consent as other accounts would: a county contact,
// a viewer, another institution's account, a missing CSRF token, ids that
// do not match, markup for a county, an oversize form. Each refusal shows
// a Chinese message and changes nothing; each accepted change is an act in
// the operations log.
func TestInstitutionSettingsRefused(t *testing.T) {
	s := mustAdminSvc(t, true)
	consoleUsers(s.leadsSvc)
	ks, ksSp, ksUser, ksPass := s.institutionWithSpecialist("测试银行昆山支行", "李专员", "13800001111")
	wj, wjSp, _, _ := s.institutionWithSpecialist("测试银行吴江支行", "王专员", "13800002222")
	counties := func(inst uint64) string { return fmt.Sprintf("/console/institutions/%d/counties", inst) }
	consent := func(inst, sp uint64) string {
		return fmt.Sprintf("/console/institutions/%d/specialists/%d/consent", inst, sp)
	}
	officer := newBrowser(t, s.handler)
	officer.login("admin", leadsAdminPass)
	unchanged := func(step string) {
		t.Helper()
		page := officer.mustPage("/console/institutions")
		if strings.Count(page, "服务范围：苏州全市") != 2 || strings.Contains(page, "公开姓名电话</span>") {
			t.Errorf("%s: a refused post changed the records", step)
		}
	}
	chinese := func(step string, code int, body string) {
		t.Helper()
		if code == http.StatusSeeOther || code < 400 {
			t.Errorf("%s: accepted (%d)", step, code)
			return
		}
		if !strings.ContainsFunc(body, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			t.Errorf("%s: %d without a Chinese message: %.200s", step, code, body)
		}
		for _, bad := range []string{"<script>", "Forbidden", "Not Found", "not found", "error"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: the answer shows %q", step, bad)
			}
		}
		unchanged(step)
	}
	before := len(s.oplog(""))

	for _, who := range []struct{ user, pass string }{{"ks", "password-ks"}, {"view", "password-view"}} {
		b := newBrowser(t, s.handler)
		b.login(who.user, who.pass)
		b.mustPage("/console/leads")
		code, _, body := b.post(counties(wj), url.Values{"county": {"kunshan"}})
		chinese(who.user+" counties", code, body)
		code, _, body = b.post(consent(wj, wjSp), url.Values{"consent": {"1"}})
		chinese(who.user+" consent", code, body)
	}

	bank := newBrowser(t, s.handler)
	bank.login(ksUser, ksPass)
	bank.mustPage("/console/institutions")
	for step, path := range map[string]string{
		"another institution's specialist":      consent(wj, wjSp),
		"another's specialist under its own id": consent(ks, wjSp),
		"its own specialist under another's id": consent(wj, ksSp),
		"a specialist that does not exist":      consent(ks, 999999),
		"an institution that does not exist":    consent(999999, ksSp),
		"a malformed id":                        fmt.Sprintf("/console/institutions/%d/specialists/x1/consent", ks),
	} {
		code, _, body := bank.post(path, url.Values{"consent": {"1"}})
		chinese("institution: "+step, code, body)
	}
	code, _, body := bank.post(counties(ks), url.Values{"county": {"kunshan"}})
	chinese("institution: its own counties", code, body)
	code, _, body = bank.post(consent(ks, ksSp), url.Values{"consent": {"yes"}})
	chinese("institution: consent neither 1 nor 0", code, body)
	code, _, body = bank.post(consent(ks, ksSp), url.Values{"consent": {"1"}, "csrf": {""}})
	chinese("institution: no CSRF token", code, body)

	officer.mustPage("/console/institutions")
	for step, form := range map[string]url.Values{
		"markup for a county":          {"county": {`<script>alert(1)</script>`}},
		"a county that does not exist": {"county": {"wujiang", "atlantis"}},
		"a county's name, not its id":  {"county": {"吴江区"}},
	} {
		code, _, body := officer.post(counties(wj), form)
		chinese("officer: "+step, code, body)
		if !strings.Contains(body, "未知的县级市（区）") {
			t.Errorf("officer: %s: no message naming the county", step)
		}
	}
	code, _, body = officer.post(counties(999999), url.Values{"county": {"wujiang"}})
	chinese("officer: an institution that does not exist", code, body)
	code, _, body = officer.post(counties(wj), url.Values{"county": {strings.Repeat("wujiang", 200000)}})
	chinese("officer: an oversize form", code, body)

	if got := s.oplog(""); len(got) < before {
		t.Fatalf("log shrank")
	}
	for _, e := range s.oplog("") {
		if (e.Action == "设置机构服务县级市（区）" || e.Action == "设置专员姓名电话是否向企业公开") && e.Status == http.StatusSeeOther {
			t.Errorf("a refused post is logged as done: %+v", e)
		}
	}

	// Accepted changes are acts in the log, with what changed.
	if code, _, body := officer.post(counties(wj), url.Values{"county": {"wujiang", "wujiang", "wuzhong"}}); code != http.StatusSeeOther {
		t.Fatalf("officer counties: %d %s", code, body)
	}
	bank.mustPage("/console/institutions")
	if code, _, body := bank.post(consent(ks, ksSp), url.Values{"consent": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("consent: %d %s", code, body)
	}
	done := map[string]opEntry{}
	for _, e := range s.oplogAfter("", before+2) {
		if e.Status == http.StatusSeeOther {
			done[e.Action] = e
		}
	}
	if e, ok := done["设置机构服务县级市（区）"]; !ok || !strings.Contains(fmt.Sprint(e.After), "吴江区、吴中区") || !strings.Contains(fmt.Sprint(e.Before), "苏州全市") {
		t.Errorf("counties entry: %+v", e)
	}
	if e, ok := done["设置专员姓名电话是否向企业公开"]; !ok || !strings.Contains(fmt.Sprint(e.After), "李专员") {
		t.Errorf("consent entry: %+v", e)
	}
}
