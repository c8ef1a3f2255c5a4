package wechat_test

import (
	"context"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/store/storetest"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// A simulated authorisation code is good for one exchange, as WeChat's
// are, across every instance sharing Redis.
func TestSandboxCodesAreSingleUse(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	rdb, _ := storetest.MustOpenRedis(t)
	one := wechat.NewClient(storetest.Log, db, rdb, "", "")
	other := wechat.NewClient(storetest.Log, db, rdb, "", "")
	code := wechat.SandboxOAuthCode("o-sim-once", time.Now())
	if got, err := one.OAuthOpenID(context.Background(), code); err != nil || got != "o-sim-once" {
		t.Fatalf("first use: %q %v", got, err)
	}
	for _, c := range []*wechat.Client{one, other} {
		if got, err := c.OAuthOpenID(context.Background(), code); !wechat.IsOAuthCodeError(err) {
			t.Errorf("second use: %q %v", got, err)
		}
	}
	fresh := wechat.SandboxOAuthCode("o-sim-once", time.Now()) // the same second: another code
	if got, err := other.OAuthOpenID(context.Background(), fresh); err != nil || got != "o-sim-once" {
		t.Errorf("a fresh code: %q %v", got, err)
	}
}
