package dialog_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

func TestParseTier(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]domain.Tier{
		"Ⅰ类": 1, "I类": 1, "一类": 1, "1": 1, "质量信誉Ⅱ类": 2, "II": 2, "Ⅲ类企业": 3, "３": 3, "Ⅳ": 4, "iv类": 4,
	} {
		if got, ok := dialog.ParseTier(in); !ok || got != want {
			t.Errorf("ParseTier(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "Ⅴ类", "5", "甲类", "A"} {
		if _, ok := dialog.ParseTier(in); ok {
			t.Errorf("ParseTier(%q) accepted", in)
		}
	}
}

func TestCountyByName(t *testing.T) {
	t.Parallel()
	p := MustChatPolicy(t)
	for in, want := range map[string]string{
		"昆山市": "kunshan", "昆山": "kunshan", "kunshan": "kunshan", "苏州工业园区": "sip", "工业园区": "sip", "园区": "sip",
		"苏州高新区（虎丘区）": "snd", "高新区": "snd", "虎丘区": "snd", "苏州市吴中区": "wuzhong", "吴江": "wujiang", "张家港保税区": "zjgftz",
	} {
		if c, ok := p.CountyByName(in); !ok || c.ID != want {
			t.Errorf("CountyByName(%q) = %q %v, want %q", in, c.ID, ok, want)
		}
	}
	for _, in := range []string{"", "上海市", "苏州", "区"} {
		if c, ok := p.CountyByName(in); ok {
			t.Errorf("CountyByName(%q) = %q", in, c.ID)
		}
	}
}

func TestValidateDeal(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	ok := dialog.Deal{Product: "苏质贷", AmountWan: 500, RatePct: 3.2, TermMonths: 12, DisbursedOn: "2026-11-30"}
	if err := dialog.ValidateDeal(ok, now); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		change func(*dialog.Deal)
		want   string
	}{
		"no product":  {func(d *dialog.Deal) { d.Product = " " }, "产品"},
		"zero amount": {func(d *dialog.Deal) { d.AmountWan = 0 }, "放款金额"},
		"huge rate":   {func(d *dialog.Deal) { d.RatePct = 40 }, "利率"},
		"no term":     {func(d *dialog.Deal) { d.TermMonths = 0 }, "期限"},
		"bad date":    {func(d *dialog.Deal) { d.DisbursedOn = "2026/11/30" }, "日期格式"},
		"tomorrow":    {func(d *dialog.Deal) { d.DisbursedOn = "2026-12-01" }, "晚于今天"},
	} {
		d := ok
		c.change(&d)
		err := dialog.ValidateDeal(d, now)
		if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(domain.Message(err), c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
