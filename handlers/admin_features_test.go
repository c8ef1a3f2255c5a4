package handlers_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
)

type broadcastView struct {
	ID          uint64
	Status      string
	MsgID       int64 `json:"msg_id"`
	TotalCount  int64 `json:"total_count"`
	FilterCount int64 `json:"filter_count"`
	SentCount   int64 `json:"sent_count"`
	ErrorCount  int64 `json:"error_count"`
	Result      string
}

func TestBroadcastPreviewSendFinishAndQuota(t *testing.T) {
	s := mustAdminSvc(t, false)
	create := func(audience map[string]string, content string) (int, uint64, string) {
		var res struct {
			ID    uint64
			Error string
		}
		code := s.api("POST", "/api/v1/broadcasts", s.admin, map[string]any{"title": "政策通知", "content": content, "audience": audience}, &res)
		return code, res.ID, res.Error
	}
	for _, bad := range []struct {
		audience map[string]string
		content  string
	}{
		{map[string]string{"type": "all"}, "  "},
		{map[string]string{"type": "all"}, strings.Repeat("苏", 601)},
		{map[string]string{"type": "tier", "value": "5"}, "内容"},
		{map[string]string{"type": "tier", "value": "x"}, "内容"},
		{map[string]string{"type": "county", "value": "atlantis"}, "内容"},
		{map[string]string{"type": "everyone"}, "内容"},
	} {
		if code, _, msg := create(bad.audience, bad.content); code != http.StatusBadRequest || msg == "" {
			t.Errorf("create %v %d runes: %d %q, want 400", bad.audience, len([]rune(bad.content)), code, msg)
		}
	}
	if code, _, _ := create(map[string]string{"type": "all"}, strings.Repeat("苏", 600)); code != http.StatusCreated {
		t.Errorf("600 runes: %d", code)
	}
	code, b1, _ := create(map[string]string{"type": "all"}, "苏质贷利率下调通知")
	if code != http.StatusCreated {
		t.Fatalf("create: %d", code)
	}
	p := func(id uint64, what string) string { return fmt.Sprintf("/api/v1/broadcasts/%d/%s", id, what) }

	// Preview: only to the given openid; none is 400 and calls nothing.
	// Without an openid the preview goes to the officer's own WeChat, which
	// admin has not bound; a made-up openid is no follower.
	for _, body := range []any{map[string]string{}, map[string]string{"openid": "  "}, nil, map[string]string{"openid": "o-made-up"}} {
		if code := s.status("POST", p(b1, "preview"), s.admin, body); code != http.StatusBadRequest {
			t.Errorf("preview %v: %d, want 400", body, code)
		}
	}
	if n := len(s.fake.Calls("/cgi-bin/message/mass/preview")); n != 0 {
		t.Fatalf("preview without openid reached WeChat %d times", n)
	}
	s.subscribe("o-officer-phone")
	if code := s.status("POST", p(b1, "preview"), s.admin, map[string]string{"openid": "o-officer-phone"}); code != http.StatusOK {
		t.Fatalf("preview: %d", code)
	}
	pv := s.fake.Calls("/cgi-bin/message/mass/preview")
	if len(pv) != 1 || pv[0].Body["touser"] != "o-officer-phone" || pv[0].Body["msgtype"] != "text" {
		t.Fatalf("preview calls %+v", pv)
	}
	if n := len(s.fake.Calls("/cgi-bin/message/mass/sendall")); n != 0 {
		t.Fatalf("preview sent to all: %d", n)
	}

	// Send: clientmsgid from the broadcast id; a second send is 409.
	var sent struct {
		Broadcast      broadcastView
		QuotaRemaining int `json:"quota_remaining"`
	}
	if code := s.api("POST", p(b1, "send"), s.admin, nil, &sent); code != http.StatusOK {
		t.Fatalf("send: %d", code)
	}
	calls := s.fake.Calls("/cgi-bin/message/mass/sendall")
	if len(calls) != 1 || calls[0].Body["clientmsgid"] != admin.ClientMsgID(b1) || !strings.Contains(calls[0].Raw, `"is_to_all":true`) {
		t.Fatalf("sendall calls %+v", calls)
	}
	if sent.Broadcast.Status != domain.BroadcastSent || sent.Broadcast.MsgID == 0 || sent.QuotaRemaining != 3 {
		t.Errorf("sent %+v", sent)
	}
	var res struct{ Error string }
	if code := s.api("POST", p(b1, "send"), s.admin, nil, &res); code != http.StatusConflict || !strings.Contains(res.Error, "不能重复发送") {
		t.Errorf("second send: %d %q", code, res.Error)
	}
	if n := len(s.fake.Calls("/cgi-bin/message/mass/sendall")); n != 1 {
		t.Errorf("second send reached WeChat: %d calls", n)
	}

	// MASSSENDJOBFINISH fills the counts; a retried report changes nothing.
	for range 2 {
		if reply := s.massFinished(sent.Broadcast.MsgID, "send success", 120, 100, 98, 2); reply != "" {
			t.Errorf("finish event answered %q, want success", reply)
		}
	}
	var got broadcastView
	s.api("GET", fmt.Sprintf("/api/v1/broadcasts/%d", b1), s.admin, nil, &got)
	if got.Status != domain.BroadcastFinished || got.TotalCount != 120 || got.FilterCount != 100 || got.SentCount != 98 ||
		got.ErrorCount != 2 || got.Result != "send success" || got.MsgID != sent.Broadcast.MsgID {
		t.Errorf("after finish %+v", got)
	}
	if reply := s.massFinished(987654321, "send success", 1, 1, 1, 0); reply != "" {
		t.Errorf("unknown job answered %q", reply)
	}
	if code := s.status("POST", p(b1, "send"), s.admin, nil); code != http.StatusConflict {
		t.Errorf("send after finish: %d", code)
	}

	// A tier audience needs its tag: synced from follower profiles in batches of 50.
	code, b2, _ := create(map[string]string{"type": "tier", "value": "2"}, "Ⅱ类企业专项通知")
	if code != http.StatusCreated {
		t.Fatal(code)
	}
	if code := s.api("POST", p(b2, "send"), s.admin, nil, &res); code != http.StatusConflict || !strings.Contains(res.Error, "同步标签") {
		t.Errorf("send without tags: %d %q", code, res.Error)
	}
	ctx := context.Background()
	for i := range 60 {
		id := fmt.Sprintf("o-tier2-%02d", i)
		if err := s.db.Follow(ctx, id, "", "", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := s.db.SaveCheck(ctx, id, 2, nil, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var sync struct {
		Created []string
		Tagged  int
		Tags    int
	}
	if code := s.api("POST", "/api/v1/tags/sync", s.admin, nil, &sync); code != http.StatusOK {
		t.Fatalf("sync: %d", code)
	}
	if len(sync.Created) != 15 || sync.Tagged != 60 || sync.Tags != 15 || sync.Created[1] != "质量信誉Ⅱ类" {
		t.Errorf("sync %+v", sync)
	}
	tier2, err := s.db.Tag(ctx, "tier", "2")
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, c := range s.fake.Calls("/cgi-bin/tags/members/batchtagging") {
		if c.Body["tagid"] == float64(tier2.TagID) {
			sizes = append(sizes, len(c.Body["openid_list"].([]any)))
		}
	}
	if fmt.Sprint(sizes) != "[50 10]" {
		t.Errorf("tier 2 batches %v, want [50 10]", sizes)
	}
	if code := s.api("POST", p(b2, "send"), s.admin, nil, &sent); code != http.StatusOK {
		t.Fatalf("tier send: %d", code)
	}
	last := s.fake.Calls("/cgi-bin/message/mass/sendall")
	if c := last[len(last)-1]; !strings.Contains(c.Raw, fmt.Sprintf(`"tag_id":%d`, tier2.TagID)) || !strings.Contains(c.Raw, `"is_to_all":false`) {
		t.Errorf("tier send body %s", c.Raw)
	}

	// A send WeChat refuses may be sent again, with the same clientmsgid,
	// and does not count against the quota.
	_, b3, _ := create(map[string]string{"type": "all"}, "第三次")
	s.fake.Answer("/cgi-bin/message/mass/sendall", 45028) // no quota left at WeChat's end
	if code := s.status("POST", p(b3, "send"), s.admin, nil); code == http.StatusOK {
		t.Errorf("refused send: %d", code)
	}
	s.api("GET", fmt.Sprintf("/api/v1/broadcasts/%d", b3), s.admin, nil, &got)
	if got.Status != domain.BroadcastFailed {
		t.Errorf("after a refusal: %s", got.Status)
	}
	var list struct {
		Items          []broadcastView
		QuotaRemaining int `json:"quota_remaining"`
		Warning        string
	}
	s.api("GET", "/api/v1/broadcasts", s.admin, nil, &list)
	if list.QuotaRemaining != 2 || list.Warning != "" {
		t.Errorf("quota after a refused send: %d %q", list.QuotaRemaining, list.Warning)
	}
	// A send whose answer was lost (WeChat busy, a timeout) may have gone
	// out: it stays "sending" and counts, and only after StaleSending may
	// it be sent again — with the same clientmsgid, so WeChat sends it once.
	s.fake.FailRate(1)
	if code := s.status("POST", p(b3, "send"), s.admin, nil); code < 500 {
		t.Errorf("send during outage: %d", code)
	}
	s.fake.FailRate(0)
	s.api("GET", fmt.Sprintf("/api/v1/broadcasts/%d", b3), s.admin, nil, &got)
	if got.Status != domain.BroadcastSending {
		t.Errorf("after a lost answer: %s", got.Status)
	}
	if code := s.status("POST", p(b3, "send"), s.admin, nil); code != http.StatusConflict {
		t.Errorf("immediate resend: %d", code)
	}
	s.clock.Add(store.StaleSending + time.Minute)
	if code := s.api("POST", p(b3, "send"), s.admin, nil, &sent); code != http.StatusOK || sent.QuotaRemaining != 1 {
		t.Fatalf("resend: %d %+v", code, sent)
	}
	last = s.fake.Calls("/cgi-bin/message/mass/sendall")
	if last[len(last)-1].Body["clientmsgid"] != admin.ClientMsgID(b3) {
		t.Errorf("resend clientmsgid %v", last[len(last)-1].Body["clientmsgid"])
	}
	s.api("GET", "/api/v1/broadcasts", s.viewerToken(), nil, &list)
	if list.QuotaRemaining != 1 || list.Warning == "" {
		t.Errorf("one left: %d %q", list.QuotaRemaining, list.Warning)
	}
	_, b4, _ := create(map[string]string{"type": "all"}, "第四次")
	if code := s.status("POST", p(b4, "send"), s.admin, nil); code != http.StatusOK {
		t.Fatalf("4th: %d", code)
	}
	_, b5, _ := create(map[string]string{"type": "all"}, "第五次")
	before := len(s.fake.Calls("/cgi-bin/message/mass/sendall"))
	if code := s.api("POST", p(b5, "send"), s.admin, nil, &res); code != http.StatusConflict || !strings.Contains(res.Error, "额度") {
		t.Errorf("5th send: %d %q", code, res.Error)
	}
	if after := len(s.fake.Calls("/cgi-bin/message/mass/sendall")); after != before {
		t.Errorf("5th send reached WeChat")
	}
	s.api("GET", "/api/v1/broadcasts", s.admin, nil, &list)
	if list.QuotaRemaining != 0 || list.Warning == "" {
		t.Errorf("none left: %+v", list)
	}
	// Next month (Asia/Shanghai) the quota is back.
	from, to, _ := domain.ParseMonth("", s.clock.Now())
	s.clock.Add(to.Sub(s.clock.Now()) + time.Hour)
	// Up to a month later the officer signs in again (a session lasts
	// domain.TokenTTL).
	s.admin = s.login("admin", leadsAdminPass)
	if code := s.status("POST", p(b5, "send"), s.admin, nil); code != http.StatusOK {
		t.Errorf("send next month: %d", code)
	}
	s.api("GET", "/api/v1/broadcasts?month="+from.Format("2006-01"), s.admin, nil, &list)
	if len(list.Items) < 5 {
		t.Errorf("last month's list: %d items", len(list.Items))
	}

	// The clientmsgid makes WeChat answer a retried send with the first job.
	id1, _, err := s.client.MassSend(ctx, wechat.MassTarget{All: true}, wechat.MassMessage{Kind: "text", Content: "x"}, "szr-bc-retry")
	if err != nil {
		t.Fatal(err)
	}
	id2, _, err := s.client.MassSend(ctx, wechat.MassTarget{All: true}, wechat.MassMessage{Kind: "text", Content: "x"}, "szr-bc-retry")
	if err != nil || id2 != id1 {
		t.Errorf("retried send: %d %d %v", id1, id2, err)
	}

	// A missing tag (id 0) or one WeChat reserves is never "everyone".
	sendsBefore := len(s.fake.Calls("/cgi-bin/message/mass/sendall"))
	for _, target := range []wechat.MassTarget{{}, {TagID: 1}, {TagID: 2}} {
		if _, _, err := s.client.MassSend(ctx, target, wechat.MassMessage{Kind: "text", Content: "x"}, "szr-bc-tag"); !errors.Is(err, wechat.ErrReservedTag) {
			t.Errorf("mass send to %+v: %v", target, err)
		}
	}
	if after := len(s.fake.Calls("/cgi-bin/message/mass/sendall")); after != sendsBefore {
		t.Errorf("%d sends reached WeChat for reserved tags", after-sendsBefore)
	}
	// Nor does a stored tag of id 0 turn a tier broadcast into one for all.
	if err := s.db.Model(&store.WechatTag{}).Where("kind = ? AND value = ?", "tier", "2").Update("tag_id", 0).Error; err != nil {
		t.Fatal(err)
	}
	var tier struct{ ID uint64 }
	s.clock.Add(24 * time.Hour)
	if code := s.api("POST", "/api/v1/broadcasts", s.admin, map[string]any{"title": "二类企业", "content": "通知",
		"audience": map[string]string{"type": "tier", "value": "2"}}, &tier); code != http.StatusCreated {
		t.Fatalf("create tier broadcast: %d", code)
	}
	sends := len(s.fake.Calls("/cgi-bin/message/mass/sendall"))
	var refusal struct{ Error string }
	if code := s.api("POST", p(tier.ID, "send"), s.admin, nil, &refusal); code != http.StatusConflict || !strings.Contains(refusal.Error, "标签编号无效") {
		t.Errorf("send to a tier whose tag id is 0: %d %q", code, refusal.Error)
	}
	if len(s.fake.Calls("/cgi-bin/message/mass/sendall")) != sends {
		t.Error("the send reached WeChat")
	}
}

func (s *adminSvc) viewerToken() string {
	return s.createUser(s.admin, "v-"+randomSuffix(), "viewer", "")
}

func TestCountyQRCode(t *testing.T) {
	s := mustAdminSvc(t, false)
	var qr struct {
		SceneID int `json:"scene_id"`
		Ticket  string
		Created bool
	}
	if code := s.api("POST", "/api/v1/counties/kunshan/qrcode", s.admin, nil, &qr); code != http.StatusCreated || !qr.Created || qr.Ticket == "" {
		t.Fatalf("create: %d %+v", code, qr)
	}
	calls := s.fake.Calls("/cgi-bin/qrcode/create")
	if len(calls) != 1 || !strings.Contains(calls[0].Raw, fmt.Sprintf(`"scene_id":%d}`, qr.SceneID)) ||
		!strings.Contains(calls[0].Raw, `"action_name":"QR_LIMIT_SCENE"`) {
		t.Fatalf("qrcode/create %+v", calls)
	}
	ticket := qr.Ticket
	if code := s.api("POST", "/api/v1/counties/kunshan/qrcode", s.admin, nil, &qr); code != http.StatusOK || qr.Created || qr.Ticket != ticket {
		t.Errorf("second create: %d %+v", code, qr)
	}
	if n := len(s.fake.Calls("/cgi-bin/qrcode/create")); n != 1 {
		t.Errorf("stored code created again: %d", n)
	}
	rec := s.raw("GET", "/api/v1/counties/kunshan/qrcode.png", s.admin, nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("png: %d %s", rec.Code, rec.Header())
	}
	if _, err := png.Decode(bytes.NewReader(rec.Body.Bytes())); err != nil {
		t.Errorf("png: %v", err)
	}
	if sq := s.fake.Calls("/cgi-bin/showqrcode"); len(sq) != 1 || sq[0].Body["ticket"] != ticket {
		t.Errorf("showqrcode calls %+v", sq)
	}
	if code := s.status("GET", "/api/v1/counties/sip/qrcode.png", s.admin, nil); code != http.StatusNotFound {
		t.Errorf("png before creation: %d", code)
	}

	// Followers through the poster are counted on the dashboard.
	s.push(fmt.Sprintf("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_%d]]></EventKey>", qr.SceneID), "o-poster-1")
	s.push(fmt.Sprintf("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_%d]]></EventKey>", qr.SceneID), "o-poster-2")
	var dash struct {
		Counties []struct {
			County         string
			Followers      int64
			FollowersMonth int64 `json:"followers_month"`
		}
	}
	s.api("GET", "/api/v1/dashboard", s.admin, nil, &dash)
	for _, c := range dash.Counties {
		want := int64(0)
		if c.County == "kunshan" {
			want = 2
		}
		if c.Followers != want || c.FollowersMonth != want {
			t.Errorf("%s followers %d/%d, want %d", c.County, c.Followers, c.FollowersMonth, want)
		}
	}
}

func TestCountyQRCodeSandbox(t *testing.T) {
	s := mustAdminSvc(t, true)
	var qr struct {
		SceneID int `json:"scene_id"`
		Ticket  string
	}
	if code := s.api("POST", "/api/v1/counties/sip/qrcode", s.admin, nil, &qr); code != http.StatusCreated || qr.Ticket != fmt.Sprintf("sandbox-%d", qr.SceneID) {
		t.Fatalf("create: %d %+v", code, qr)
	}
	rec := s.raw("GET", "/api/v1/counties/sip/qrcode.png", s.admin, nil)
	if rec.Code != 200 {
		t.Fatalf("png: %d", rec.Code)
	}
	if _, err := png.Decode(bytes.NewReader(rec.Body.Bytes())); err != nil {
		t.Errorf("png: %v", err)
	}
	msgs, err := s.db.SandboxMessages(context.Background(), "", 10)
	if err != nil || len(msgs) == 0 || msgs[0].API != "qrcode/create" {
		t.Errorf("sandbox record %+v %v", msgs, err)
	}
	if n := len(s.fake.Calls("")); n != 0 {
		t.Errorf("sandbox called WeChat %d times", n)
	}
	// Sandbox broadcasts and tag syncs are recorded, not sent (to a
	// follower: a send that reaches nobody is refused).
	s.subscribe("o-sandbox-follower")
	var b struct{ ID uint64 }
	s.api("POST", "/api/v1/broadcasts", s.admin, map[string]any{"title": "t", "content": "c", "audience": map[string]string{"type": "all"}}, &b)
	if code := s.status("POST", fmt.Sprintf("/api/v1/broadcasts/%d/send", b.ID), s.admin, nil); code != 200 {
		t.Errorf("sandbox send: %d", code)
	}
	if code := s.status("POST", "/api/v1/tags/sync", s.admin, nil); code != 200 {
		t.Errorf("sandbox sync: %d", code)
	}
	msgs, _ = s.db.SandboxMessages(context.Background(), "", 100)
	apis := map[string]int{}
	for _, m := range msgs {
		apis[m.API]++
	}
	if apis["message/mass/sendall"] != 1 || apis["tags/create"] != 15 {
		t.Errorf("sandbox records %v", apis)
	}
	if n := len(s.fake.Calls("")); n != 0 {
		t.Errorf("sandbox called WeChat %d times", n)
	}
}

func TestCountyAndSettingsValidation(t *testing.T) {
	s := mustAdminSvc(t, false)
	for _, tt := range []struct {
		body map[string]string
		want int
	}{
		{map[string]string{"phone": "58799505"}, 400},
		{map[string]string{"phone": "0512-123"}, 400},
		{map[string]string{"phone": "021-12345678"}, 400},
		{map[string]string{"robot_url": "https://evil.example.com/cgi-bin/webhook/send?key=x"}, 400},
		{map[string]string{"robot_url": "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"}, 400},
		{map[string]string{"contact": ""}, 400},
		{map[string]string{"contact": "王五<a href='http://ev.il'>点此</a>"}, 400},
		{map[string]string{"post": "科长\n# 通知"}, 400},
		{map[string]string{}, 400},
		{map[string]string{"robot_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"}, 200},
		{map[string]string{"robot_url": "http://127.0.0.1:8081/robot"}, 400},
		{map[string]string{"robot_url": "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=x"}, 400},
		{map[string]string{"robot_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x&debug=1"}, 400},
		{map[string]string{"robot_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, 400},
		{map[string]string{"robot_url": "https://qyapi.weixin.qq.com/cgi-bin/gettoken?key=x"}, 400},
		{map[string]string{"robot_url": "http://127.0.0.1:8081/cgi-bin/webhook/send?key=x"}, 200}, // tests allow the loopback
		{map[string]string{"robot_url": ""}, 200},
		{map[string]string{"phone": " 0512-87654321 ", "post": "科长", "contact": "王五"}, 200},
	} {
		var res struct{ Error string }
		if code := s.api("PATCH", "/api/v1/counties/taicang", s.admin, tt.body, &res); code != tt.want {
			t.Errorf("patch %v: %d %q, want %d", tt.body, code, res.Error, tt.want)
		}
	}
	if c, ok := s.bot.Policy().County("taicang"); !ok || c.Phone != "0512-87654321" || c.Contact != "王五" {
		t.Errorf("policy not refreshed: %+v", c)
	}

	var st struct {
		LPR      float64           `json:"lpr"`
		LPRDate  string            `json:"lpr_date"`
		Workdays map[string]string `json:"workdays_overrides"`
	}
	if code := s.api("GET", "/api/v1/settings", s.admin, nil, &st); code != 200 || st.LPR <= 0 || st.LPRDate == "" {
		t.Fatalf("settings: %d %+v", code, st)
	}
	for _, bad := range []map[string]any{
		{"lpr": 0, "lpr_date": "2026-11-20"},
		{"lpr": 3.1, "lpr_date": "20261120"},
		{"lpr": 3.1, "lpr_date": "2026-11-20", "workdays_overrides": map[string]string{"2026-12-31": "holiday"}},
		{"lpr": 3.1, "lpr_date": "2026-11-20", "workdays_overrides": map[string]string{"31/12/2026": "off"}},
	} {
		if code := s.status("PUT", "/api/v1/settings", s.admin, bad); code != 400 {
			t.Errorf("put %v: %d", bad, code)
		}
	}
	if code := s.api("PUT", "/api/v1/settings", s.admin, map[string]any{"lpr": 2.95, "lpr_date": "2026-11-20",
		"workdays_overrides": map[string]string{"2026-12-31": "off", "2027-01-09": "work"}}, &st); code != 200 {
		t.Fatalf("put: %d", code)
	}
	if s.bot.Policy().LPR != 2.95 || s.bot.Policy().LPRDate != "2026-11-20" {
		t.Errorf("policy LPR %v %s", s.bot.Policy().LPR, s.bot.Policy().LPRDate)
	}
	days, err := s.lp.Workdays(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if days.IsWorkday(time.Date(2026, 12, 31, 12, 0, 0, 0, domain.Shanghai)) || !days.IsWorkday(time.Date(2027, 1, 9, 12, 0, 0, 0, domain.Shanghai)) {
		t.Errorf("overrides not applied")
	}
	raw, _ := s.db.SettingValue(context.Background(), leads.SettingWorkdays)
	if _, err := leads.NewWorkdays(raw); err != nil || !strings.Contains(raw, `"2026-12-31":"off"`) {
		t.Errorf("stored overrides %q %v", raw, err)
	}
}

// TestMonthlyReportNumbers seeds leads across counties, statuses and
// products and checks the report's counts and sums in JSON, CSV and XLSX.
func TestMonthlyReportNumbers(t *testing.T) {
	s := mustAdminSvc(t, false)
	r := s.mustRoles()
	now := s.clock.Now()
	from, _, _ := domain.ParseMonth("", now)
	month := from.Format("2006-01")
	need, apply := domain.LeadNeed, domain.LeadApply

	// kunshan: two disbursed (苏质贷 300, 融资租赁 120.5), one admitted, one waiting,
	// and one filed last month but contacted this month.
	l1 := s.mustLead(need, "kunshan", "szd", "MA1N2P301", now)
	s.move(l1, "contacted", "reviewing", "pre_approved", "contracted")
	s.disburse(l1, 300)
	l2 := s.mustLead(need, "kunshan", "leasing", "MA1N2P302", now)
	s.move(l2, "contacted", "reviewing", "pre_approved", "contracted")
	s.disburse(l2, 120.5)
	l3 := s.mustLead(apply, "kunshan", "", "MA1N2P303", now)
	s.move(l3, "contacted", "approved")
	s.mustLead(need, "kunshan", "szd", "MA1N2P304", now)
	l9 := s.mustLead(need, "kunshan", "szd", "MA1N2P309", from.Add(-time.Hour))
	s.move(l9, "contacted")
	// sip: one disbursed 苏质贷 1000, one rejected application, one pre-approved 担保.
	l5 := s.mustLead(need, "sip", "szd", "MA1N2P305", now)
	s.move(l5, "contacted", "reviewing", "pre_approved", "contracted")
	s.disburse(l5, 1000)
	l6 := s.mustLead(apply, "sip", "", "MA1N2P306", now)
	s.move(l6, "contacted", "rejected")
	l7 := s.mustLead(need, "sip", "guarantee", "MA1N2P307", now)
	s.move(l7, "contacted", "reviewing", "pre_approved")
	// wuzhong: one application, waiting.
	s.mustLead(apply, "wuzhong", "", "MA1N2P308", now)
	// Correcting an amount replaces it.
	s.disburse(l2, 120.5)

	type row struct {
		County        string
		Received      int64
		ReceivedNeeds int64 `json:"received_needs"`
		ReceivedApply int64 `json:"received_apply"`
		Contacted     int64
		PreApproved   int64 `json:"pre_approved"`
		Contracted    int64
		Disbursed     int64
		DisbursedWan  float64 `json:"disbursed_wan"`
		ByProduct     map[string]struct {
			Count int64
			Wan   float64
		} `json:"by_product"`
		Approved  int64
		Confirmed bool
	}
	var rep struct {
		Month    string
		Counties []row
		Total    *row
	}
	if code := s.api("GET", "/api/v1/reports/monthly?month="+month, s.admin, nil, &rep); code != 200 {
		t.Fatalf("report: %d", code)
	}
	byCounty := map[string]row{}
	for _, c := range rep.Counties {
		byCounty[c.County] = c
	}
	check := func(name string, got row, received, needs, applies, contacted, pre, contracted, disbursed int64, wan float64, products map[string]float64, approved int64) {
		t.Helper()
		if got.Received != received || got.ReceivedNeeds != needs || got.ReceivedApply != applies || got.Contacted != contacted ||
			got.PreApproved != pre || got.Contracted != contracted || got.Disbursed != disbursed || got.DisbursedWan != wan || got.Approved != approved {
			t.Errorf("%s: %+v", name, got)
		}
		for p, w := range products {
			if got.ByProduct[p].Wan != w {
				t.Errorf("%s %s: %v, want %v", name, p, got.ByProduct[p].Wan, w)
			}
		}
	}
	check("kunshan", byCounty["kunshan"], 4, 3, 1, 4, 2, 2, 2, 420.5, map[string]float64{"szd": 300, "leasing": 120.5}, 1)
	check("sip", byCounty["sip"], 3, 2, 1, 3, 2, 1, 1, 1000, map[string]float64{"szd": 1000, "guarantee": 0}, 0)
	check("wuzhong", byCounty["wuzhong"], 1, 0, 1, 0, 0, 0, 0, 0, nil, 0)
	check("gusu", byCounty["gusu"], 0, 0, 0, 0, 0, 0, 0, 0, nil, 0)
	if rep.Total == nil || len(rep.Counties) != 11 {
		t.Fatalf("officer report: %d counties, total %v", len(rep.Counties), rep.Total)
	}
	check("total", *rep.Total, 8, 5, 3, 7, 4, 3, 3, 1420.5, map[string]float64{"szd": 1300, "leasing": 120.5}, 1)

	// Last month holds only the lead filed then.
	prev := from.AddDate(0, -1, 0).Format("2006-01")
	s.api("GET", "/api/v1/reports/monthly?month="+prev, s.admin, nil, &rep)
	if rep.Total.Received != 1 || rep.Total.Contacted != 0 {
		t.Errorf("last month total %+v", rep.Total)
	}
	if code := s.status("GET", "/api/v1/reports/monthly?month=2026-13", s.admin, nil); code != 400 {
		t.Errorf("bad month: %d", code)
	}
	if code := s.status("GET", "/api/v1/reports/monthly?format=pdf", s.admin, nil); code != 400 {
		t.Errorf("bad format: %d", code)
	}

	// A county account sees and confirms its own; officers see who confirmed.
	rep.Total = nil
	s.api("GET", "/api/v1/reports/monthly?month="+month, r.county, nil, &rep)
	if len(rep.Counties) != 1 || rep.Counties[0].County != "kunshan" || rep.Total != nil {
		t.Fatalf("county report %+v", rep)
	}
	check("kunshan (own)", rep.Counties[0], 4, 3, 1, 4, 2, 2, 2, 420.5, nil, 1)
	// Only a finished month can be confirmed.
	if code := s.status("POST", "/api/v1/reports/monthly/confirm", r.county, map[string]string{"month": month}); code != 400 {
		t.Fatalf("confirm this month: %d", code)
	}
	if code := s.status("POST", "/api/v1/reports/monthly/confirm", r.county, map[string]string{"month": prev}); code != 200 {
		t.Fatalf("confirm: %d", code)
	}
	for _, bad := range []map[string]string{{}, {"month": "2026/11"}, {"month": from.AddDate(0, 2, 0).Format("2006-01")}} {
		if code := s.status("POST", "/api/v1/reports/monthly/confirm", r.county, bad); code != 400 {
			t.Errorf("confirm %v: %d", bad, code)
		}
	}
	s.api("GET", "/api/v1/reports/monthly?month="+prev, s.admin, nil, &rep)
	for _, c := range rep.Counties {
		if c.Confirmed != (c.County == "kunshan") {
			t.Errorf("%s confirmed %v", c.County, c.Confirmed)
		}
	}

	// CSV: BOM, Chinese headers, a row per county and the city total.
	rec := s.raw("GET", "/api/v1/reports/monthly?format=csv&month="+month, s.admin, nil)
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(body, "\uFEFF") || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %q", rec.Code, clipBody(body))
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatalf("csv parse: %v", err)
	}
	if len(recs) != 13 || recs[0][0] != "县级市（区）" || recs[12][0] != "全市合计" {
		t.Fatalf("csv rows %d: %v / %v", len(recs), recs[0], recs[len(recs)-1])
	}
	col := func(name string) int {
		for i, h := range recs[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s in %v", name, recs[0])
		return -1
	}
	for _, rec := range recs[1:] {
		switch rec[0] {
		case "昆山市":
			if rec[col("已放款（笔）")] != "2" || rec[col("放款金额合计（万元）")] != "420.5" || rec[col("苏质贷放款（万元）")] != "300" || rec[col("确认状态")] != "未确认" { // this month cannot be confirmed yet
				t.Errorf("csv kunshan %v", rec)
			}
		case "全市合计":
			if rec[col("收到需求/申请（件）")] != "8" || rec[col("放款金额合计（万元）")] != "1420.5" || rec[col("入库企业（家）")] != "1" {
				t.Errorf("csv total %v", rec)
			}
		}
	}

	// XLSX: 汇总, 融资成交明细, a sheet per county and 服务评价.
	rec = s.raw("GET", "/api/v1/reports/monthly?format=xlsx&month="+month, s.admin, nil)
	if rec.Code != 200 {
		t.Fatalf("xlsx: %d", rec.Code)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("xlsx open: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 14 || sheets[0] != admin.SummarySheet || sheets[1] != admin.DealSheet || sheets[13] != admin.RatingSheet {
		t.Fatalf("sheets %v", sheets)
	}
	rows, err := f.GetRows(admin.SummarySheet)
	if err != nil || len(rows) != 13 || rows[0][0] != "县级市（区）" || rows[12][0] != "全市合计" {
		t.Fatalf("summary rows %v %v", rows, err)
	}
	ks, err := f.GetRows("昆山市")
	if err != nil {
		t.Fatal(err)
	}
	kv := map[string]string{}
	for _, r := range ks {
		if len(r) == 2 {
			kv[r[0]] = r[1]
		}
	}
	if kv["放款金额合计（万元）"] != "420.5" || kv["融资租赁放款（万元）"] != "120.5" || kv["已受理"] != "4" {
		t.Errorf("kunshan sheet %v", kv)
	}
	// A county account's workbook holds only its county.
	rec = s.raw("GET", "/api/v1/reports/monthly?format=xlsx&month="+month, r.county, nil)
	f2, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if got := f2.GetSheetList(); len(got) != 4 || got[1] != admin.DealSheet || got[2] != "昆山市" || got[3] != admin.RatingSheet {
		t.Errorf("county workbook sheets %v", got)
	}
}

// TestDashboardCounts checks leads per status, the SLA and self-checks.
func TestDashboardCounts(t *testing.T) {
	s := mustAdminSvc(t, false)
	now := s.clock.Now()
	old := s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P311", now.Add(-10*24*time.Hour))
	s.mustLead(domain.LeadNeed, "kunshan", "szd", "MA1N2P312", now)
	l := s.mustLead(domain.LeadApply, "sip", "", "MA1N2P313", now)
	s.move(l, "contacted")
	ctx := context.Background()
	for i, tier := range []domain.Tier{1, 2, 2, 0} {
		id := fmt.Sprintf("o-check-%d", i)
		s.db.Follow(ctx, id, "", "", now)
		s.db.SetFollowerCounty(ctx, id, []string{"kunshan", "sip", "kunshan", "gusu"}[i])
		if err := s.db.SaveCheck(ctx, id, tier, nil, now); err != nil {
			t.Fatal(err)
		}
	}
	var d struct {
		Counties []struct {
			County     string
			Received   int64
			ByStatus   map[string]int64 `json:"by_status"`
			OverSLA    int64            `json:"over_sla"`
			SelfChecks int64            `json:"self_checks"`
		}
		SelfChecks int64 `json:"self_checks"`
		Tiers      map[string]int64
		OverSLA    []struct{ ID uint64 } `json:"over_sla"`
	}
	if code := s.api("GET", "/api/v1/dashboard", s.admin, nil, &d); code != 200 {
		t.Fatal(code)
	}
	if d.SelfChecks != 4 || d.Tiers["2"] != 2 || d.Tiers["1"] != 1 || d.Tiers["0"] != 1 {
		t.Errorf("self checks %d %v", d.SelfChecks, d.Tiers)
	}
	if len(d.OverSLA) != 1 || d.OverSLA[0].ID != old {
		t.Errorf("over sla %+v", d.OverSLA)
	}
	for _, c := range d.Counties {
		switch c.County {
		case "kunshan":
			// The 10-day-old lead is over the SLA whichever month it was filed in.
			if c.OverSLA != 1 || c.SelfChecks != 2 || c.ByStatus["submitted"] < 1 {
				t.Errorf("kunshan %+v", c)
			}
		case "sip":
			if c.Received != 1 || c.ByStatus["contacted"] != 1 || c.OverSLA != 0 || c.SelfChecks != 1 {
				t.Errorf("sip %+v", c)
			}
		}
	}
	if code := s.status("GET", "/api/v1/dashboard?month=bogus", s.admin, nil); code != 400 {
		t.Errorf("bad month: %d", code)
	}
}

// A future LPR is not quoted until its day; the history is kept and shown.
func TestFutureLPRWaitsForItsDay(t *testing.T) {
	s := mustAdminSvc(t, false)
	ctx := context.Background()
	now := s.clock.Now()
	tomorrow := now.In(domain.Shanghai).AddDate(0, 0, 1).Format("2006-01-02")
	before := s.bot.Policy().LPR
	var st struct {
		LPR      float64 `json:"lpr"`
		LPRDate  string  `json:"lpr_date"`
		Schedule []struct {
			Rate        float64 `json:"rate"`
			EffectiveOn string  `json:"effective_on"`
			State       string  `json:"state"`
		} `json:"lpr_schedule"`
	}
	if code := s.api("PUT", "/api/v1/settings", s.admin, map[string]any{"lpr": 2.75, "lpr_date": tomorrow}, &st); code != http.StatusOK {
		t.Fatalf("schedule: %d", code)
	}
	if st.LPR != before || s.bot.Policy().LPR != before {
		t.Fatalf("tomorrow's LPR applied today: settings %v, policy %v, want %v", st.LPR, s.bot.Policy().LPR, before)
	}
	if len(st.Schedule) != 1 || st.Schedule[0].State != "upcoming" || st.Schedule[0].EffectiveOn != tomorrow {
		t.Fatalf("schedule %+v", st.Schedule)
	}
	openID := randomOpenID()
	if got := s.say(openID, "利率"); strings.Contains(got, "2.75%") || strings.Contains(got, tomorrow) {
		t.Fatalf("the bot quotes tomorrow's LPR today: %s", got)
	}
	// The day comes: the periodic refresh puts it in force.
	s.clock.Add(24 * time.Hour)
	if err := s.bot.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if p := s.bot.Policy(); p.LPR != 2.75 || p.LPRDate != tomorrow {
		t.Fatalf("on its day: %v %s", p.LPR, p.LPRDate)
	}
	s.api("GET", "/api/v1/settings", s.admin, nil, &st)
	if len(st.Schedule) != 1 || st.Schedule[0].State != "in_force" {
		t.Fatalf("schedule on its day %+v", st.Schedule)
	}
	// The console shows the schedule and the history.
	b := newBrowser(t, s.handler)
	b.login("admin", leadsAdminPass)
	page := b.mustPage("/console/settings")
	for _, want := range []string{"2.75", tomorrow, "执行中"} {
		if !strings.Contains(page, want) {
			t.Errorf("settings page lacks %q", want)
		}
	}
}
