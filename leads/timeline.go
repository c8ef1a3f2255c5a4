package leads

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The enterprise's 办理记录 in its own words: one line per thing that
// happened (提交, 受理, 转介给某银行, 放款 with the amount, 办结), without the
// back office's bookkeeping. The steps a specialist or a deal record filled
// in on the way (随放款登记补记) are not events the enterprise lived through
// and are left out; the same line twice in a row is shown once.

// TimelineEntry is one line of an enterprise's 办理记录.
type TimelineEntry struct {
	At   time.Time
	Text string
	rank int // orders entries of the same time: the steps' own order
}

// stepRank is where a status comes among the steps of an application; a
// referral comes after 受理 and before the bank's steps.
var stepRank = map[string]int{
	domain.StatusSubmitted: 0, domain.StatusContacted: 1, domain.StatusReviewing: 3, domain.StatusPreApproved: 4,
	domain.StatusContracted: 5, domain.StatusDisbursed: 6, domain.StatusApproved: 6, domain.StatusRejected: 7, domain.StatusWithdrawn: 7,
}

const referralRank = 2

// systemNote reports whether note is the back office's own record of a
// step filled in with a later one ("随放款登记补记", "随已签约补记").
func systemNote(note string) bool {
	return strings.HasPrefix(note, "随") && strings.HasSuffix(note, "补记")
}

// timeline builds the enterprise's 办理记录 of lead.
func (l *Service) timeline(ctx context.Context, lead domain.Lead) ([]TimelineEntry, error) {
	refs, err := l.db.Referrals(ctx, lead.ID)
	if err != nil {
		return nil, err
	}
	var deals []dialog.Deal
	if lead.Status == domain.StatusDisbursed {
		if deals, err = l.db.Deals(ctx, domain.DealFilter{LeadID: lead.ID}); err != nil {
			return nil, err
		}
	}
	line := l.line(lead)
	var out []TimelineEntry
	for _, ev := range lead.Events {
		if systemNote(ev.Note) {
			continue
		}
		out = append(out, TimelineEntry{At: ev.CreatedAt, Text: eventText(lead, line, ev, deals), rank: stepRank[ev.Status]})
	}
	for _, r := range refs {
		who := "由其服务专员与您联系"
		if names, err := l.shownSpecialists(ctx, r.Institution); err != nil {
			return nil, err
		} else if names != "" {
			who = "服务专员" + names + "将与您联系"
		}
		text := line.Bureau + "已将您的" + line.KindLabel + "转介给" + r.InstitutionName + "，" + who
		out = append(out, TimelineEntry{At: r.At, Text: text, rank: referralRank})
	}
	slices.SortStableFunc(out, func(a, b TimelineEntry) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return a.rank - b.rank
	})
	return slices.CompactFunc(out, func(a, b TimelineEntry) bool { return a.Text == b.Text }), nil
}

// eventText says what a status change meant for the enterprise.
func eventText(lead domain.Lead, line LeadLine, ev domain.LeadEvent, deals []dialog.Deal) string {
	var s string
	// The note is followed by "。已办结" or ends the line: its own full
	// stop would double it.
	note := strings.TrimRight(strings.TrimSpace(ev.Note), "。.！!；;，, ")
	switch ev.Status {
	case domain.StatusSubmitted:
		s, note = "已提交"+line.KindLabel, ""
	case domain.StatusContacted:
		s = line.Bureau + "已受理"
	case domain.StatusReviewing:
		s = "进入审核"
	case domain.StatusPreApproved:
		s = "金融机构已给予预授信"
	case domain.StatusContracted:
		s = "已与金融机构签订融资合同"
	case domain.StatusDisbursed:
		s, note = disbursedText(lead, deals), ""
	case domain.StatusApproved:
		s = "审核通过，已列入企业库"
	case domain.StatusRejected:
		s = "未通过"
	case domain.StatusWithdrawn:
		s = "您已撤回"
		if note != "" {
			s, note = s+"，原因："+note, ""
		}
	default:
		s = domain.StatusLabel(ev.Status)
	}
	if note != "" {
		s += "：" + note
	}
	if domain.Terminal(ev.Status) {
		s += "。已办结"
	}
	return s
}

// disbursedText is the disbursement with the amount: the deals recorded
// (by institution), else the amount registered with the move.
func disbursedText(lead domain.Lead, deals []dialog.Deal) string {
	var parts []string
	for _, d := range deals {
		who := d.InstitutionName
		if who == "" {
			who = "金融机构"
		}
		parts = append(parts, who+"放款"+dialog.FormatWan(d.AmountWan)+"万元")
	}
	switch {
	case len(parts) > 0:
		return strings.Join(parts, "，")
	case lead.DisbursedWan > 0:
		return "已放款" + dialog.FormatWan(lead.DisbursedWan) + "万元"
	}
	return "已放款"
}

// shownSpecialists names the specialists of an institution who agreed to
// be shown to enterprises, with their phones: "李专员（电话138…）"; "" when
// none did.
func (l *Service) shownSpecialists(ctx context.Context, inst uint64) (string, error) {
	in, err := l.db.Institution(ctx, inst)
	if errors.Is(err, domain.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var names []string
	for _, sp := range in.Specialists {
		if !sp.ConsentAt.IsZero() {
			names = append(names, sp.Name+"（电话"+sp.Phone+"）")
		}
	}
	return strings.Join(names, "、"), nil
}
