package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

func TestSimulatorTalksToTheWebhook(t *testing.T) {
	for _, mode := range []string{"plaintext", "safe"} {
		t.Run(mode, func(t *testing.T) {
			var opts []envOption
			if mode == "safe" {
				opts = append(opts, withAES())
			}
			e := mustEnv(t, opts...)
			b := newBrowser(t, e.handler)
			b.login("admin", leadsAdminPass)
			b.mustPage("/simulator")
			csrf := regexp.MustCompile(`name="csrf-token" content="([0-9a-f]+)"`)
			page := b.mustPage("/simulator")
			token := csrf.FindStringSubmatch(page)[1]
			sim := simOpenIDOf(t, page)
			code, res := b.simulate(map[string]string{"openid": sim, "text": "菜单"}, token)
			if code != http.StatusOK || !strings.Contains(fmt.Sprint(res["reply"]), "请回复数字选择服务") {
				t.Fatalf("菜单: %d %v", code, res)
			}
			code, res = b.simulate(map[string]string{"openid": sim, "event": "CLICK", "key": "CONTACTS"}, token)
			if code != http.StatusOK || !strings.Contains(fmt.Sprint(res["reply"]), "0512") {
				t.Fatalf("联系方式 click: %d %v", code, res)
			}
			code, res = b.simulate(map[string]string{"openid": sim, "event": "subscribe"}, token)
			if code != http.StatusOK || !strings.Contains(fmt.Sprint(res["reply"]), "欢迎") {
				t.Fatalf("subscribe: %d %v", code, res)
			}
			if code, res := b.simulate(map[string]string{"openid": "x", "text": "菜单"}, token); code != http.StatusBadRequest {
				t.Errorf("bad openid: %d %v", code, res)
			}
			if code, _ := b.simulate(map[string]string{"openid": sim, "event": "VIEW"}, token); code != http.StatusBadRequest {
				t.Errorf("unknown event: %d", code)
			}
			// A real follower's openid, or another account's simulated one,
			// is refused: the simulator signs with the real token.
			for _, other := range []string{"oyORnuP8q7ou2gfYjqLzSIWZf0rs", "o-sim-999999-abcdef"} {
				if code, res := b.simulate(map[string]string{"openid": other, "text": "进度"}, token); code != http.StatusForbidden {
					t.Errorf("openid %s: %d %v", other, code, res)
				}
			}
			// The pushes went through the real webhook: the follower exists.
			if _, err := e.db.Follower(context.Background(), sim); err != nil {
				t.Errorf("follower not recorded: %v", err)
			}
		})
	}
}

func TestSimulatorInboxShowsSandboxMessages(t *testing.T) {
	e := mustEnv(t) // no app id: sandbox
	ctx := context.Background()
	b := newBrowser(t, e.handler)
	b.login("admin", leadsAdminPass)
	sim := simOpenIDOf(t, b.mustPage("/simulator"))
	if err := e.bot.Client().SendText(ctx, sim, "您的申请已受理"); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := b.get("/simulator/inbox?openid=o-sim-999999-abcdef"); code != http.StatusForbidden {
		t.Errorf("another account's inbox: %d", code)
	}
	_, _, body := b.get("/simulator/inbox?openid=" + sim)
	var res struct {
		Messages []struct {
			ID   uint64
			Text string
		}
	}
	json.Unmarshal([]byte(body), &res)
	if len(res.Messages) != 1 || res.Messages[0].Text != "您的申请已受理" {
		t.Fatalf("inbox: %s", body)
	}
	_, _, body = b.get("/simulator/inbox?openid=" + sim + "&after=" + strconv.FormatUint(res.Messages[0].ID, 10))
	if strings.Contains(body, "受理") {
		t.Errorf("after: %s", body)
	}
	if page := b.mustPage("/console/sandbox"); !strings.Contains(page, "您的申请已受理") || !strings.Contains(page, "微信用户 "+wechat.MaskOpenID(sim)) || strings.Contains(page, sim) {
		t.Error("the sandbox page does not show the message")
	}
}

// simOpenIDOf reads the simulated follower's openid the simulator page
// offers the logged-in account.
func simOpenIDOf(tb testing.TB, page string) string {
	tb.Helper()
	m := regexp.MustCompile(`id="sim-openid" value="(o-sim-[0-9]+-[0-9a-f]+)"`).FindStringSubmatch(page)
	if m == nil {
		tb.Fatal("no simulated openid on the simulator page")
	}
	return m[1]
}

func TestSimulatorRefusesViewers(t *testing.T) {
	e := mustEnv(t)
	ctx := context.Background()
	if _, err := e.db.CreateAccount(ctx, domain.NewAccount{Username: "watcher", Password: "watcher-pass", Role: "viewer"}, "test"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e.handler)
	b.login("watcher", "watcher-pass")
	page := b.mustPage("/simulator")
	token := regexp.MustCompile(`name="csrf-token" content="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	if code, res := b.simulate(map[string]string{"openid": simOpenIDOf(t, page), "text": "融资需求"}, token); code != http.StatusForbidden {
		t.Fatalf("viewer sent through the simulator: %d %v", code, res)
	}
}
