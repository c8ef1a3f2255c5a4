package bot

import (
	"context"
	"log/slog"

	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// massFinished records a MASSSENDJOBFINISH report on its broadcast. The
// update is idempotent, so WeChat's retries change nothing.
func (b *Bot) massFinished(ctx context.Context, m wechat.Message) {
	found, err := b.db.FinishBroadcast(ctx, store.MassResult{
		MsgID: m.JobID, Status: m.Status, TotalCount: m.TotalCount, FilterCount: m.FilterCount,
		SentCount: m.SentCount, ErrorCount: m.ErrorCount, At: b.now(),
	})
	if err != nil {
		b.log.Error("mass send result not recorded", slog.Int64("msg_id", m.JobID), slog.Any("error", err))
		return
	}
	if !found {
		b.log.Warn("mass send result for an unknown job", slog.Int64("msg_id", m.JobID))
	}
}
