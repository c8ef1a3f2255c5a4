package leads_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
)

// 好差评 through the chat pipeline: a lead closed while the enterprise is
// in its 48-hour window asks for a rating right after the status message.
func TestClosedLeadAsksForARating(t *testing.T) {
	e := apptest.New(t)
	e.BindContact("o-ks", "kunshan")
	e.FillNeed("o-ent", "320583", "MA1RA0001")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))
	e.Say("o-ks", "受理 "+number+" 已电话联系")
	e.Drain()
	if texts := e.TextsTo("o-ent"); len(texts) != 1 || strings.Contains(texts[0], "评价") {
		t.Fatalf("an open lead asked for a rating: %q", texts)
	}
	e.Clock.Add(time.Minute)
	e.Say("o-ks", "驳回 "+number+" 不符合条件")
	e.Drain()
	texts := e.TextsTo("o-ent")
	if len(texts) != 3 || !strings.Contains(texts[1], "未通过") || !strings.Contains(texts[2], "请对本次服务作出评价") || !strings.Contains(texts[2], number) {
		t.Fatalf("texts after the close %q", texts)
	}
	e.Clock.Add(time.Minute)
	if got := e.Say("o-ent", "2"); !strings.Contains(got, "感谢您的评价：满意") || strings.Contains(got, "回访") {
		t.Fatalf("2: %s", got)
	}
	if got := e.Say("o-ent", "非常不满意"); !strings.Contains(got, "已对申请"+number+"作出评价") {
		t.Fatalf("second rating: %s", got)
	}
}

// A withdrawal is the enterprise's own act: no rating is asked or taken.
func TestWithdrawalIsNotRated(t *testing.T) {
	e := apptest.New(t)
	e.FillNeed("o-ent", "320583", "MA1RA0002")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))
	e.Say("o-ent", "撤回 "+number+" 不需要了")
	e.Drain()
	for _, text := range e.TextsTo("o-ent") {
		if strings.Contains(text, "评价") {
			t.Fatalf("withdrawal asked for a rating: %q", text)
		}
	}
	if got := e.Say("o-ent", "评价"); strings.Contains(got, "感谢您的评价") || strings.Contains(got, "请对本次服务作出评价") {
		t.Fatalf("评价 after a withdrawal: %s", got)
	}
}

// Outside the 48-hour window no question can reach the enterprise: the
// lead may still be rated with 评价, and a bare number is the menu.
func TestRatingOutsideTheWindow(t *testing.T) {
	e := apptest.New(t)
	e.BindContact("o-ks", "kunshan")
	e.FillNeed("o-ent", "320583", "MA1RA0003")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))
	e.Clock.Add(49 * time.Hour)
	e.Say("o-ks", "驳回 "+number+" 不符合条件")
	e.Drain()
	for _, text := range e.TextsTo("o-ent") {
		if strings.Contains(text, "评价") {
			t.Fatalf("a question sent outside the window: %q", text)
		}
	}
	if got := e.Say("o-ent", "1"); strings.Contains(got, "感谢您的评价") {
		t.Fatalf("1 without the question rated: %s", got)
	}
	e.Say("o-ent", "菜单")
	if got := e.Say("o-ent", "评价"); !strings.Contains(got, "请对本次服务作出评价") {
		t.Fatalf("评价: %s", got)
	}
	if got := e.Say("o-ent", "5 一直没人联系"); !strings.Contains(got, "感谢您的评价：非常不满意") || !strings.Contains(got, "回访整改") {
		t.Fatalf("5: %s", got)
	}
	// The poor rating is a ticket of the county, its contact notified.
	e.Drain()
	found := false
	for _, c := range e.TemplatesTo("o-ks") {
		if strings.Contains(c.Raw, "企业差评") {
			found = true
		}
	}
	if !found {
		t.Fatalf("county contact not told of the poor rating")
	}
}

// A need closed by its first recorded deal asks for a rating like a move
// to 已放款 does; a further institution's deal does not ask again.
func TestFirstDealAsksForARating(t *testing.T) {
	e := apptest.New(t)
	ctx := context.Background()
	e.FillNeed("o-ent", "320583", "MA1RA0009")
	number := numberPattern.FindString(e.Say("o-ent", "确认"))
	day := e.Clock.Now().In(domain.Shanghai).Format("2006-01-02")
	for i, name := range []string{"测试银行苏州分行", "测试农商银行"} {
		bank, err := e.DB.CreateInstitution(ctx, name, "bank", "admin", e.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Add(time.Minute)
		if _, _, err := e.Leads.RecordDeal(ctx, cityOfficer, number, leads.DealRequest{Institution: bank.ID, Product: "szd",
			AmountWan: float64(100 * (i + 1)), RatePct: 3, TermMonths: 12, DisbursedOn: day}); err != nil {
			t.Fatal(err)
		}
		e.Drain()
	}
	asked := 0
	for _, text := range e.TextsTo("o-ent") {
		if strings.Contains(text, "请对本次服务作出评价") {
			asked++
		}
	}
	if asked != 1 {
		t.Fatalf("asked for a rating %d times, want once: %q", asked, e.TextsTo("o-ent"))
	}
	e.Clock.Add(time.Minute)
	if got := e.Say("o-ent", "1"); !strings.Contains(got, "感谢您的评价") {
		t.Fatalf("1 after the question: %s", got)
	}
}
