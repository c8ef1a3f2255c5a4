package leads

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// Deals are checked against the notice before they are recorded: a deal
// outside it must not enter the monthly 融资成交明细.
//
// 苏质贷 (三（一）): a liquidity loan of at most one year, at most 3000万
// per enterprise (its 苏质贷 deals still running on the day, together), at
// a rate not above LPR + the tier's margin, with the LPR in force on the
// disbursement day. 期货套期保值 (三（二）2): the OTC-option credit at most
// the tier's amount.
//
// The tier is the one the 企业库 roster records for the credit code. An
// enterprise without a tier on file, or of tier Ⅳ, for which the notice
// sets no terms, is held to the terms of Ⅲ类, the lowest tier the notice
// gives terms for: a rate up to LPR+80bp and an OTC credit up to 50万.

// DealTerms are the facts a deal is checked with.
type DealTerms struct {
	Tier       domain.Tier // from the roster; TierUnknown when not on file
	LPR        float64     // in force on the disbursement day
	LPRDate    string
	RunningWan float64 // the enterprise's other 苏质贷 deals running on the day
}

// termsTier is the tier whose terms apply, and how the message names it.
func termsTier(t domain.Tier) (domain.Tier, string) {
	switch t {
	case domain.Tier1, domain.Tier2, domain.Tier3:
		return t, t.Label() + "企业"
	case domain.Tier4:
		return domain.Tier3, "质量信誉Ⅳ类企业（通知未单列，按Ⅲ类）"
	}
	return domain.Tier3, "企业库中无质量信誉类型的企业（按Ⅲ类）"
}

// FitsNotice refuses a deal the notice does not allow, naming the rule.
func FitsNotice(p *dialog.Policy, d dialog.Deal, t DealTerms) error {
	switch d.Product {
	case "szd":
		loan := p.Loan
		if d.TermMonths > loan.TermMonths {
			return domain.Errorf(domain.ErrOutsideNotice, "“苏质贷”为一年期（含）内的流动资金贷款（通知%s），期限不能超过%d个月；其他期限请按其他产品登记",
				loan.Clause, loan.TermMonths)
		}
		if total := t.RunningWan + d.AmountWan; total > loan.MaxWan+1e-9 {
			msg := fmt.Sprintf("“苏质贷”单户融资额度不超过%s万元（通知%s）", dialog.FormatWan(loan.MaxWan), loan.Clause)
			if t.RunningWan > 0 {
				msg += fmt.Sprintf("；该企业另有未到期的“苏质贷”%s万元，本笔最多%s万元", dialog.FormatWan(t.RunningWan),
					dialog.FormatWan(math.Max(0, loan.MaxWan-t.RunningWan)))
			}
			return domain.Errorf(domain.ErrOutsideNotice, "%s", msg)
		}
		tier, who := termsTier(t.Tier)
		bp, ok := loan.MarginBP[tier]
		if !ok || t.LPR <= 0 {
			return nil
		}
		limit := math.Round((t.LPR+float64(bp)/100)*100) / 100
		if d.RatePct > limit+1e-9 {
			return domain.Errorf(domain.ErrOutsideNotice, "%s的“苏质贷”利率不高于LPR+%d个基点（通知%s），放款日%s的LPR为%s%%，上限%s%%；本笔%s%%超出上限",
				who, bp, loan.Clause, t.LPRDate, pct(t.LPR), pct(limit), pct(d.RatePct))
		}
	case "futures":
		tier, who := termsTier(t.Tier)
		limit, ok := p.Futures.OTCCreditWan[tier]
		if ok && d.AmountWan > float64(limit)+1e-9 {
			return domain.Errorf(domain.ErrOutsideNotice, "%s的场外期权授信额度不超过%d万元（通知%s）；本笔%s万元超出上限",
				who, limit, p.Futures.Clause, dialog.FormatWan(d.AmountWan))
		}
	}
	return nil
}

func pct(v float64) string { return dialog.FormatWan(math.Round(v*100) / 100) }

// dealTerms gathers what a deal is checked with: the roster's tier, the
// LPR in force on the day, the enterprise's other running 苏质贷 deals
// (except the deal being corrected, skip).
func (l *Service) dealTerms(ctx context.Context, lead domain.Lead, d dialog.Deal, skip uint64) (DealTerms, error) {
	var t DealTerms
	if lead.CreditCode != "" {
		e, err := l.db.RosterEntry(ctx, lead.CreditCode)
		switch {
		case err == nil:
			t.Tier = e.Tier
		case !errors.Is(err, domain.ErrNotFound):
			return t, err
		}
	}
	day, err := time.ParseInLocation("2006-01-02", d.DisbursedOn, domain.Shanghai)
	if err != nil {
		return t, domain.Errorf(domain.ErrInvalid, "放款日期格式应为 YYYY-MM-DD，如 2026-11-20")
	}
	t.LPR, t.LPRDate = l.policy().LPR, d.DisbursedOn
	if r, ok, err := l.db.LPR(ctx, day.Add(12*time.Hour)); err != nil {
		return t, err
	} else if ok {
		t.LPR = r
	}
	if d.Product != "szd" || lead.CreditCode == "" {
		return t, nil
	}
	others, err := l.db.Deals(ctx, domain.DealFilter{CreditCode: lead.CreditCode})
	if err != nil {
		return t, err
	}
	for _, o := range others {
		if o.ID == skip || o.Product != "szd" {
			continue
		}
		start, err := time.ParseInLocation("2006-01-02", o.DisbursedOn, domain.Shanghai)
		if err != nil {
			continue
		}
		if !start.After(day) && start.AddDate(0, o.TermMonths, 0).After(day) {
			t.RunningWan += o.AmountWan
		}
	}
	return t, nil
}
