package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The learning loop through the webhook and the console: an unplaced
// message is recorded masked and counted, an officer answers or attaches
// it, and the bot then answers it.
func TestConsoleTeachesTheBot(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	if got := s.say("o-learn-1", "你们周末上班吗？"); !strings.Contains(got, "无法准确回答") {
		t.Fatalf("first reply: %s", got)
	}
	s.say("o-learn-2", "嗯 你们周末上班吗")
	s.say("o-learn-3", "发票开给谁呀？我电话13912345678")

	admin := newBrowser(t, s.handler)
	admin.login("admin", leadsAdminPass)
	page := html.UnescapeString(admin.mustPage("/console/unplaced"))
	if !strings.Contains(page, "你们周末上班吗") || !strings.Contains(page, "〔号码〕") || strings.Contains(page, "13912345678") {
		t.Fatalf("unplaced page:\n%s", page)
	}
	ids := regexp.MustCompile(`id="unplaced-(\d+)"`).FindAllStringSubmatch(page, -1)
	if len(ids) != 2 {
		t.Fatalf("unplaced rows %v", ids)
	}
	weekend, invoice := ids[0][1], ids[1][1] // most frequent first
	if !regexp.MustCompile(`id="unplaced-` + weekend + `">\s*<td class="msg rf-name">你们周末上班吗[^<]*</td><td data-label="次数">2</td>`).MatchString(page) {
		t.Fatalf("the weekend question is not counted twice first:\n%s", page)
	}

	// The form asks no id and offers the notice's clauses; a clause the
	// notice does not have is refused, and nothing is saved.
	if strings.Contains(page, `name="faq_id"`) || !strings.Contains(page, `<option value="四（二）">通知四（二）</option>`) {
		t.Fatal("the teaching form asks an id or offers no clauses")
	}
	form := url.Values{"faq_id": {"weekend"}, "question": {"周末可以办理吗？"}, "answer": {"线上申请不分工作日，市场监管局在工作日处理。"}, "clause": {"九（九）"}}
	if code, _, body := admin.post("/console/unplaced/"+weekend+"/answer", form); code != http.StatusBadRequest || !strings.Contains(body, "不是通知中的条款") {
		t.Fatalf("answer with an unknown clause: %d", code)
	}
	// Typed as “通知四（二）”, it is read as 四（二）: never “通知通知”.
	form.Set("clause", "通知四（二）")
	if code, loc, _ := admin.post("/console/unplaced/"+weekend+"/answer", form); code != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", code, loc)
	}
	if got := s.say("o-learn-4", "你们周末上班吗"); !strings.Contains(got, "线上申请不分工作日") || !strings.Contains(got, "依据：通知四（二）") || strings.Contains(got, "通知通知") {
		t.Fatalf("taught answer not used: %s", got)
	}
	// Attached to an existing intent, the message gets that intent's answer.
	if code, _, _ := admin.post("/console/unplaced/"+invoice+"/attach", url.Values{"intent": {"nowhere"}}); code != http.StatusBadRequest {
		t.Fatalf("unknown intent: %d", code)
	}
	if code, _, _ := admin.post("/console/unplaced/"+invoice+"/attach", url.Values{"intent": {"banks"}}); code != http.StatusSeeOther {
		t.Fatalf("attach: %d", code)
	}
	if got := s.say("o-learn-5", "发票开给谁呀？我电话13900000000"); !strings.Contains(got, "合作金融机构") {
		t.Fatalf("attached message not answered: %s", got)
	}
	if code, _, _ := admin.post("/console/unplaced/"+invoice+"/attach", url.Values{"intent": {"banks"}}); code != http.StatusConflict {
		t.Fatalf("attach twice: %d", code)
	}
	// The entry is editable, versioned and audited.
	form = url.Values{"question": {"周末可以办理吗？"}, "answer": {"可以在线提交，工作日内处理。"}, "clause": {"四（二）"}}
	if code, _, _ := admin.post("/console/taught/faqs/weekend", form); code != http.StatusSeeOther {
		t.Fatalf("edit: %d", code)
	}
	page = html.UnescapeString(admin.mustPage("/console/unplaced"))
	if !strings.Contains(page, "第2版") || !strings.Contains(page, "可以在线提交") {
		t.Fatalf("edited entry:\n%s", page)
	}
	if got := s.say("o-learn-6", "你们周末上班吗"); !strings.Contains(got, "可以在线提交") {
		t.Fatalf("edited answer not used: %s", got)
	}
	audit := html.UnescapeString(admin.mustPage("/console/audit"))
	for _, action := range []string{"新增问答", "归入已有问答", "修改问答"} {
		if !strings.Contains(audit, `data-label="操作">`+action) {
			t.Errorf("the operations log lacks %s", action)
		}
	}
	// Deleted, the entry is gone and the question is unplaced again.
	if code, _, _ := admin.post("/console/taught/faqs/weekend/delete", nil); code != http.StatusSeeOther {
		t.Fatalf("delete: %d", code)
	}
	if got := s.say("o-learn-7", "你们周末上班吗"); !strings.Contains(got, "无法准确回答") {
		t.Fatalf("after delete: %s", got)
	}

	// Only officers teach.
	for _, user := range [][2]string{{"ks", "password-ks"}, {"view", "password-view"}} {
		b := newBrowser(t, s.handler)
		b.login(user[0], user[1])
		if code, _, _ := b.get("/console/unplaced"); code != http.StatusForbidden {
			t.Errorf("%s sees the page: %d", user[0], code)
		}
		if strings.Contains(b.mustPage("/console/leads"), "/console/unplaced") {
			t.Errorf("%s has the menu link", user[0])
		}
	}
}

// The seeded FAQ entries and paraphrases are edited in the console: each
// change a new version, kept and listed, recorded in the operations log,
// and used by the bot; county and read-only accounts cannot.
func TestConsoleEditsTheSeeds(t *testing.T) {
	s := mustLeadsSvc(t)
	consoleUsers(s)
	if got := s.say("o-seed-1", "苏质融是什么"); !strings.Contains(got, "质量数据要素") {
		t.Fatalf("seeded answer: %s", got)
	}
	admin := newBrowser(t, s.handler)
	admin.login("admin", leadsAdminPass)
	if !strings.Contains(admin.mustPage("/console/unplaced"), `href="/console/understanding"`) {
		t.Fatal("the 未识别问题 page does not link the seeds' page")
	}
	page := html.UnescapeString(admin.mustPage("/console/understanding"))
	if !strings.Contains(page, `id="faq-what"`) || !strings.Contains(page, "什么是“苏质融”") {
		t.Fatalf("seeds page:\n%s", page)
	}

	// An answer without its clause, or unchanged, is not saved.
	form := url.Values{"answer": {"“苏质融”是为质量信誉企业提供融资服务的业务（修订）。"}}
	if code, _, body := admin.post("/console/understanding/faqs/what", form); code != http.StatusBadRequest || !strings.Contains(body, "条款") {
		t.Fatalf("without clause: %d", code)
	}
	form.Set("clause", "一")
	for i := 1; i <= 2; i++ {
		form.Set("answer", fmt.Sprintf("“苏质融”是为质量信誉企业提供融资服务的业务（修订%d）。", i))
		if code, loc, _ := admin.post("/console/understanding/faqs/what", form); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/understanding?ok=seedfaq") {
			t.Fatalf("edit %d: %d %s", i, code, loc)
		}
	}
	if code, _, body := admin.post("/console/understanding/faqs/what", form); code != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "相同") {
		t.Fatalf("unchanged: %d", code)
	}
	if code, _, _ := admin.post("/console/understanding/faqs/nowhere", form); code != http.StatusNotFound {
		t.Fatalf("unknown entry: %d", code)
	}
	if got := s.say("o-seed-2", "苏质融是什么"); !strings.Contains(got, "（修订2）") {
		t.Fatalf("edited answer not used: %s", got)
	}
	page = html.UnescapeString(admin.mustPage("/console/understanding"))
	faq := page[strings.Index(page, `id="faq-what"`):]
	faq = faq[:strings.Index(faq, "</details>")]
	for _, want := range []string{"第2版", "（修订1）", "（修订2）", "质量数据要素", "初始设置"} {
		if !strings.Contains(faq, want) {
			t.Errorf("the entry's history lacks %s:\n%s", want, faq)
		}
	}

	// A paraphrase is disabled and enabled again.
	page = html.UnescapeString(admin.mustPage("/console/understanding?intent=platform"))
	if !strings.Contains(page, `<td class="msg">是哪个平台</td><td>在用</td>`) {
		t.Fatalf("paraphrases:\n%s", page)
	}
	text := url.Values{"text": {"是哪个平台"}}
	if code, loc, _ := admin.post("/console/understanding/intents/platform/disable", text); code != http.StatusSeeOther || !strings.Contains(loc, "intent=platform") {
		t.Fatalf("disable: %d %s", code, loc)
	}
	if code, _, _ := admin.post("/console/understanding/intents/platform/disable", text); code != http.StatusConflict {
		t.Fatalf("disable twice: %d", code)
	}
	if code, _, _ := admin.post("/console/understanding/intents/platform/disable", url.Values{"text": {"没有的说法"}}); code != http.StatusBadRequest {
		t.Fatalf("unknown paraphrase: %d", code)
	}
	if code, _, _ := admin.post("/console/understanding/intents/nowhere/disable", text); code != http.StatusNotFound {
		t.Fatalf("unknown intent: %d", code)
	}
	page = html.UnescapeString(admin.mustPage("/console/understanding?intent=platform"))
	if !regexp.MustCompile(`<tr class="off"><td class="msg">是哪个平台</td><td>已停用</td>\s*<td>第1版`).MatchString(page) {
		t.Fatalf("disabled paraphrase:\n%s", page)
	}
	if code, _, _ := admin.post("/console/understanding/intents/platform/enable", text); code != http.StatusSeeOther {
		t.Fatalf("enable: %d", code)
	}
	if !strings.Contains(html.UnescapeString(admin.mustPage("/console/understanding?intent=platform")), "<td>在用</td>\n      <td>第2版") {
		t.Fatal("enabled paraphrase not at version 2")
	}

	audit := html.UnescapeString(admin.mustPage("/console/audit"))
	for _, want := range []string{`data-label="操作">修改政策问答`, `data-label="操作">停用问法`, `data-label="操作">启用问法`,
		`data-label="对象">什么是“苏质融”？`, `data-label="对象">“省综合金融服务平台”的说法`, "在用 是→否", "在用 否→是", "版本 1→2", "（修订1）。→“"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the operations log lacks %s", want)
		}
	}

	// Only officers edit the seeds.
	for _, user := range [][2]string{{"ks", "password-ks"}, {"view", "password-view"}} {
		b := newBrowser(t, s.handler)
		b.login(user[0], user[1])
		if code, _, _ := b.get("/console/understanding"); code != http.StatusForbidden {
			t.Errorf("%s sees the page: %d", user[0], code)
		}
		if code, _, _ := b.post("/console/understanding/faqs/what", form); code != http.StatusForbidden {
			t.Errorf("%s edits an answer: %d", user[0], code)
		}
		if code, _, _ := b.post("/console/understanding/intents/platform/disable", text); code != http.StatusForbidden {
			t.Errorf("%s disables a paraphrase: %d", user[0], code)
		}
	}
}
