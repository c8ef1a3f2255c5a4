package handlers_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Issue 27, feedback, end to end through the webhook: an FAQ answer offers
// its next steps and asks 有用/没用; 没用 puts the question with the answer
// given in 未识别问题, where officers also see the counts.
func TestUnhelpfulAnswerReachesTheLearningQueue(t *testing.T) {
	s := mustLeadsSvc(t)
	admin := s.login("admin", leadsAdminPass)
	got := s.say("o-fb-1", "苏质贷利率多少")
	for _, w := range []string{"下一步，请回复数字", "2. 苏质贷利率测算", "回复“有用”或“没用”评价本回答"} {
		if !strings.Contains(got, w) {
			t.Fatalf("answer lacks %q:\n%s", w, got)
		}
	}
	got = s.say("o-fb-1", "答非所问")
	if !strings.Contains(got, "转给工作人员") || !strings.Contains(got, "人工") {
		t.Fatalf("没用: %s", got)
	}
	s.say("o-fb-2", "什么样的企业可以入库")
	if got := s.say("o-fb-2", "有用"); !strings.Contains(got, "感谢您的评价") {
		t.Fatalf("有用: %s", got)
	}
	// A next step's number starts it.
	s.say("o-fb-3", "什么样的企业可以入库")
	if got := s.say("o-fb-3", "1"); !strings.Contains(got, "企业名称") {
		t.Fatalf("1 after the answer: %s", got)
	}

	s.createUser(admin, "fb-off", "officer", "")
	b := newBrowser(t, s.handler)
	b.login("fb-off", "password-fb-off")
	page := html.UnescapeString(b.mustPage("/console/unplaced"))
	for _, w := range []string{"苏质贷利率多少", "企业评价“没用” 1次", "当时给出的回答", "LPR+30个基点", "回答评价"} {
		if !strings.Contains(page, w) {
			t.Fatalf("未识别问题 lacks %q:\n%s", w, page)
		}
	}
	i := strings.Index(page, `id="feedback-eligibility"`)
	j := strings.Index(page, `id="feedback-rates"`)
	if i < 0 || j < 0 {
		t.Fatalf("no counts per answer:\n%s", page)
	}
	row := page[i : i+strings.Index(page[i:], "</tr>")]
	if !strings.Contains(row, `data-label="有用">1<`) || !strings.Contains(row, `data-label="没用">0<`) {
		t.Fatalf("eligibility counts: %s", row)
	}
	row = page[j : j+strings.Index(page[j:], "</tr>")]
	if !strings.Contains(row, `data-label="没用">1<`) {
		t.Fatalf("rates counts: %s", row)
	}
}

// 好差评 end to end: a need closed in the console asks its enterprise for
// a rating through the outbox; 4 with a comment is stored, goes to the
// county as a 回访 ticket and is counted in the monthly return; a second
// rating is refused.
func TestPoorRatingGoesToTheCounty(t *testing.T) {
	s := mustAdminSvc(t, false)
	ctx := context.Background()
	const ent, contact = "o-rt-ent", "o-rt-contact"
	s.bindContact(s.admin, "kunshan", contact)
	number := s.fileNeed(ent, "320583", "MA1RT0001")
	s.outbox.Drain(ctx)
	s.fake.Reset()
	s.clock.Add(time.Hour)
	if c := s.api(http.MethodPatch, "/api/v1/leads/"+number, s.admin, map[string]string{"status": "rejected", "note": "材料不全"}, nil); c != http.StatusOK {
		t.Fatalf("reject: %d", c)
	}
	if _, err := s.outbox.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	var question string
	for _, c := range s.fake.Calls("/cgi-bin/message/custom/send") {
		if text, _ := c.Body["text"].(map[string]any); c.Body["touser"] == ent && strings.Contains(text["content"].(string), "评价") {
			question = text["content"].(string)
		}
	}
	if !strings.Contains(question, number) || !strings.Contains(question, "5. 非常不满意") {
		t.Fatalf("rating question: %q; calls %v", question, s.fake.Calls(""))
	}
	s.fake.Reset()
	s.clock.Add(time.Minute)
	got := s.say(ent, "4 等了很久才有人联系。")
	if strings.Contains(got, "。。") || !strings.Contains(got, "您的意见已记录：等了很久才有人联系。") {
		t.Errorf("the comment's full stop is doubled or the comment lost: %s", got)
	}
	if !strings.Contains(got, "感谢您的评价：不满意") || !strings.Contains(got, "昆山市市场监督管理局") || !strings.Contains(got, "回访整改") {
		t.Fatalf("rating reply: %s", got)
	}
	if got := s.say(ent, "非常满意"); !strings.Contains(got, "已对申请"+number+"作出评价") {
		t.Fatalf("second rating: %s", got)
	}
	// The county's contact is notified of a ticket that carries the rating.
	var tickets struct{ Tickets []ticketJSON }
	if c := s.api(http.MethodGet, "/api/v1/tickets", s.admin, nil, &tickets); c != http.StatusOK {
		t.Fatalf("tickets: %d", c)
	}
	found := false
	for _, tk := range tickets.Tickets {
		if tk.County == "kunshan" && strings.Contains(tk.Question, "不满意") && strings.Contains(tk.Question, "等了很久") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no 回访 ticket: %+v", tickets)
	}
	if _, err := s.outbox.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	notified := false
	for _, c := range s.fake.Calls("/cgi-bin/message/template/send") {
		if c.Body["touser"] == contact && strings.Contains(c.Raw, "企业差评") {
			notified = true
		}
	}
	if !notified {
		t.Fatalf("contact not notified: %v", s.fake.Calls(""))
	}
	var rep struct {
		Ratings []struct {
			County                   string
			Dissatisfied, Rated      int
			SatisfiedPct             *float64 `json:"satisfied_pct"`
			VerySatisfied, Satisfied int
		}
	}
	month := s.clock.Now().In(domain.Shanghai).Format("2006-01")
	if c := s.api(http.MethodGet, "/api/v1/reports/monthly?month="+month, s.admin, nil, &rep); c != http.StatusOK {
		t.Fatalf("report: %d", c)
	}
	ok := false
	for _, r := range rep.Ratings {
		if r.County == "kunshan" {
			ok = r.Dissatisfied == 1 && r.Rated == 1 && r.SatisfiedPct != nil && *r.SatisfiedPct == 0
		}
	}
	if !ok {
		t.Fatalf("monthly ratings: %+v", rep.Ratings)
	}
	// The workbook's 服务评价 sheet and the 月报 page count it too.
	rec := s.raw(http.MethodGet, "/api/v1/reports/monthly?format=xlsx&month="+month, s.admin, nil)
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(admin.RatingSheet)
	if err != nil {
		t.Fatal(err)
	}
	var ksRow []string
	for _, r := range rows {
		if len(r) > 0 && r[0] == "昆山市" {
			ksRow = r
		}
	}
	if len(ksRow) != 8 || ksRow[4] != "1" || ksRow[6] != "1" || ksRow[7] != "0" {
		t.Fatalf("服务评价 rows %v", rows)
	}
	b := newBrowser(t, s.handler)
	s.createUser(s.admin, "rt-off", "officer", "")
	b.login("rt-off", "password-rt-off")
	page := b.mustPage("/console/reports?month=" + month)
	i := strings.Index(page, `id="ratings-kunshan"`)
	if i < 0 {
		t.Fatalf("月报 page lacks the ratings:\n%s", page)
	}
	if row := page[i : i+strings.Index(page[i:], "</tr>")]; !strings.Contains(row, `data-label="不满意">1<`) || !strings.Contains(row, "0.0%") {
		t.Fatalf("kunshan ratings row: %s", row)
	}
}
