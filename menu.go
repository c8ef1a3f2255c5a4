package main

import (
	"context"
	"log/slog"

	"github.com/suzhou-amr/suzhirong/bot"
)

// menuSync pushes the custom menu to WeChat (recorded in sandbox mode).
func menuSync(ctx context.Context, log *slog.Logger, cfg Config) error {
	app, err := open(ctx, log, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	if err := app.Bot.Client().SyncMenu(ctx, bot.Menu()); err != nil {
		return err
	}
	if app.Bot.Client().Sandbox() {
		log.Warn("sandbox mode: the menu was recorded, not sent (set WECHAT_APP_ID)")
	}
	log.Info("menu synced")
	return nil
}
