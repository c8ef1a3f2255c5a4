package leads

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// BindGuard holds back senders of wrong bind codes (admin.BindGuard has
// the rules).
type BindGuard interface {
	BindHeld(ctx context.Context, openID, code string, at time.Time) (time.Time, error)
	BindFailed(ctx context.Context, openID, code string, at time.Time) (domain.BindFailure, error)
	BindSucceeded(ctx context.Context, openID string) error
}

// wrongCode reports whether err refuses a bind code: unknown, used or
// expired alike, which the sender is not told apart.
func wrongCode(err error) bool {
	return errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrCodeUsed) || errors.Is(err, domain.ErrCodeExpired)
}

// waitMinutes is how many whole minutes from at to until, at least one.
func waitMinutes(at, until time.Time) int {
	return max(1, int((until.Sub(at)+time.Minute-1)/time.Minute))
}

// bindFailed counts a wrong code, logs it (openid and code masked), records
// it in the operations log, and answers with the one reply of a wrong code
// — or, when this failure began a hold, with the wait.
func (l *Service) bindFailed(ctx context.Context, in dialog.Inbound, code string) ([]dialog.Reply, error) {
	f, err := l.guard.BindFailed(ctx, in.OpenID, code, in.At)
	if err != nil {
		return nil, err
	}
	l.log.Warn("wrong bind code", slog.String("openid", wechat.MaskOpenID(in.OpenID)), slog.String("code", domain.MaskBindCode(code)),
		slog.Int64("failures", f.Failures), slog.Int64("prefix_failures", f.PrefixFailures), slog.Bool("held", !f.Until.IsZero()))
	summary := "绑定码不正确或已失效（" + domain.MaskBindCode(code) + "），1小时内第" + strconv.FormatInt(f.Failures, 10) + "次"
	action := "绑定码错误"
	if !f.Until.IsZero() {
		summary += "；暂停绑定" + strconv.Itoa(waitMinutes(in.At, f.Until)) + "分钟"
	}
	if f.Locked {
		action = "绑定受限"
	}
	l.auditChat(ctx, in, "微信用户", action, "绑定码 "+domain.MaskBindCode(code), "", "", summary)
	if !f.Until.IsZero() {
		return []dialog.Reply{{Name: "bind_failed"}, {Name: "bind_held", Data: waitMinutes(in.At, f.Until)}}, nil
	}
	return []dialog.Reply{{Name: "bind_failed"}}, nil
}
