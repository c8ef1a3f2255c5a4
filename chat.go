package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/suzhou-amr/suzhirong/app"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// chat is a terminal conversation with the bot as one openid, over the real
// webhook protocol: against a running server with -url, else in-process.
func chat(ctx context.Context, log *slog.Logger, cfg app.Config, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	url := fs.String("url", "", "webhook of a running server, e.g. http://localhost:8080/wechat (default: in-process)")
	openID := fs.String("openid", "o-terminal-user", "the openid to chat as")
	if err := fs.Parse(args); err != nil {
		return err
	}
	token := cfg.Token
	if token == "" {
		token = app.DevToken
	}
	var send func(body []byte, q string) ([]byte, error)
	if *url == "" {
		if cfg.MySQLDSN == "" && cfg.SQLitePath == "data/suzhirong.db" {
			cfg.SQLitePath = "data/chat.db"
		}
		cfg.Token = token
		// The terminal speaks plaintext to its own in-process instance.
		cfg.Mode = wechat.ModePlain
		svc, err := app.Open(ctx, log, cfg)
		if err != nil {
			return err
		}
		defer svc.Close()
		send = func(body []byte, q string) ([]byte, error) {
			req := httptest.NewRequest(http.MethodPost, "/wechat?"+q, strings.NewReader(string(body)))
			rec := httptest.NewRecorder()
			svc.Handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				return nil, fmt.Errorf("webhook answered %d: %s", rec.Code, rec.Body.String())
			}
			return rec.Body.Bytes(), nil
		}
	} else {
		client := &http.Client{Timeout: 10 * time.Second}
		send = func(body []byte, q string) ([]byte, error) {
			resp, err := client.Post(*url+"?"+q, "text/xml", strings.NewReader(string(body)))
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("webhook answered %d: %s", resp.StatusCode, b)
			}
			return b, err
		}
	}

	codec := &wechat.Codec{Token: token, Mode: wechat.ModePlain}
	seq := time.Now().UnixNano()
	push := func(p wechat.Push) error {
		seq++
		p.To, p.From, p.At = "gh_suzhirong", *openID, time.Now()
		q, body, err := codec.SignPush(p, p.At, strconv.FormatInt(seq%1e9, 10), nil)
		if err != nil {
			return err
		}
		out, err := send(body, q)
		if err != nil {
			return err
		}
		if text, ok := wechat.ReplyText(out); ok {
			fmt.Fprintf(stdout, "\n%s\n\n> ", text)
		} else if strings.Contains(string(out), "transfer_customer_service") {
			fmt.Fprint(stdout, "\n（已转接人工客服）\n\n> ")
		} else {
			fmt.Fprint(stdout, "\n> ")
		}
		return nil
	}
	fmt.Fprintf(stdout, "苏质融 terminal chat as %s (Ctrl-D to quit). Type text as in WeChat; /menu KEY clicks a menu item.\n", *openID)
	if err := push(wechat.Push{Event: "subscribe"}); err != nil {
		return err
	}
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			fmt.Fprint(stdout, "> ")
			continue
		}
		p := wechat.Push{Text: line, MsgID: seq}
		if key, ok := strings.CutPrefix(line, "/menu "); ok {
			p = wechat.Push{Event: "CLICK", Key: strings.TrimSpace(key)}
		}
		if err := push(p); err != nil {
			fmt.Fprintln(stdout, "error:", err)
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	fmt.Fprintln(stdout)
	return nil
}
