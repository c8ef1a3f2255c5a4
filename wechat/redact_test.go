package wechat_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// A failed outbound call names its URL without the query: the WeCom robot
// key never reaches an error, a log or the outbox's last_error.
func TestOutboundErrorsCarryNoSecrets(t *testing.T) {
	wechat.SetAPIBase("")
	db := storetest.MustOpenDB(t)
	rdb, _ := storetest.MustOpenRedis(t)
	c := wechat.NewClient(storetest.Log, db, rdb, "wx0123456789abcdef", "secret")
	c.AllowLoopbackRobot = true
	// A closed port: the client's own *url.Error.
	srv := httptest.NewServer(http.NotFoundHandler())
	closed := srv.URL
	srv.Close()
	err := c.PostRobot(context.Background(), closed+"/cgi-bin/webhook/send?key=SECRET-ROBOT-KEY", "x")
	if err == nil {
		t.Fatal("post to a closed port succeeded")
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("not a *url.Error underneath: %T %v", err, err)
	}
	for _, s := range []string{err.Error(), wechat.Mask(err.Error()), ue.Error()} {
		if strings.Contains(s, "SECRET-ROBOT-KEY") {
			t.Fatalf("secret in %q", s)
		}
	}
	if !strings.Contains(err.Error(), "/cgi-bin/webhook/send") {
		t.Fatalf("the error no longer says where: %q", err)
	}
	if got := wechat.Mask(`Post "https://api.weixin.qq.com/cgi-bin/message/custom/send?access_token=AT-123": EOF`); strings.Contains(got, "AT-123") {
		t.Fatalf("access token in %q", got)
	}
}

// Outbound calls do not follow redirects: a robot URL cannot bounce the
// service to another address.
func TestOutboundCallsDoNotFollowRedirects(t *testing.T) {
	wechat.SetAPIBase("")
	var reached atomic.Int32
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	defer inner.Close()
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/internal", http.StatusTemporaryRedirect)
	}))
	defer outer.Close()
	db := storetest.MustOpenDB(t)
	rdb, _ := storetest.MustOpenRedis(t)
	c := wechat.NewClient(storetest.Log, db, rdb, "wx0123456789abcdef", "secret")
	c.AllowLoopbackRobot = true
	if err := c.PostRobot(context.Background(), outer.URL+"/cgi-bin/webhook/send?key=k", "x"); err == nil {
		t.Fatal("a redirect answer was taken for success")
	}
	if reached.Load() != 0 {
		t.Fatal("the redirect was followed")
	}
	// Without the test switch the loopback is refused before any call.
	c.AllowLoopbackRobot = false
	if err := c.PostRobot(context.Background(), outer.URL+"/cgi-bin/webhook/send?key=k", "x"); err == nil || wechat.Transient(err) {
		t.Fatalf("loopback robot in production: %v", err)
	}
}

// WECOM_API_BASE sends robot posts to a proxy (or a fake) while the robot
// URLs stay WeCom's: the check of the URL is not weakened.
func TestRobotPostsGoToTheWeComBase(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.RequestURI())
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	defer srv.Close()
	wechat.SetAPIBase("")
	wechat.SetWeComBase(srv.URL)
	t.Cleanup(func() { wechat.SetWeComBase("") })
	db := storetest.MustOpenDB(t)
	rdb, _ := storetest.MustOpenRedis(t)
	c := wechat.NewClient(storetest.Log, db, rdb, "wx0123456789abcdef", "secret")
	if err := c.PostRobot(context.Background(), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1", "x"); err != nil {
		t.Fatal(err)
	}
	if got.Load() != "/cgi-bin/webhook/send?key=k1" {
		t.Fatalf("posted to %v", got.Load())
	}
	if err := c.PostRobot(context.Background(), srv.URL+"/cgi-bin/webhook/send?key=k1", "x"); err == nil {
		t.Fatal("a loopback robot URL was accepted without the test switch")
	}
}
