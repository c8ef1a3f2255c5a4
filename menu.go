package main

import (
	"context"
	"log/slog"

	"github.com/suzhou-amr/suzhirong/app"
	"github.com/suzhou-amr/suzhirong/bot"
)

// menuSync pushes the custom menu to WeChat (recorded in sandbox mode).
func menuSync(ctx context.Context, log *slog.Logger, cfg app.Config) error {
	svc, err := app.Open(ctx, log, cfg)
	if err != nil {
		return err
	}
	defer svc.Close()
	if err := svc.Bot.Client().SyncMenu(ctx, bot.Menu()); err != nil {
		return err
	}
	if svc.Bot.Client().Sandbox() {
		log.Warn("sandbox mode: the menu was recorded, not sent (set WECHAT_APP_ID)")
	}
	log.Info("menu synced")
	return nil
}
