package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/wechat"
)

// BenchmarkWebhookPush runs plaintext pushes through the whole webhook
// (signature, replay guard, claim, engine, effects, finish, reply) the way
// the load benchmark's walk does, one at a time: 64 followers each walk the
// menu, the calculator, products, contacts and the self-check. ns/op and
// allocs/op are per push and include the Redis and database clients (run
// with REDIS_ADDR and MYSQL_DSN to leave the embedded servers' own
// allocations out).
func BenchmarkWebhookPush(b *testing.B) {
	e := mustEnv(b)
	walk := []string{"菜单", "3", "1", "500", "产品", "1", "1", "联系", "菜单", "1", "是", "是", "是", "没有", "都没有", "都没有", "都没有"}
	const followers = 64
	ids := make([]string, followers)
	for i := range ids {
		ids[i] = randomOpenID()
	}
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	push := func(i int) {
		f, step := i%followers, i/followers
		nonce := "b" + strconv.Itoa(i)
		req := httptest.NewRequest(http.MethodPost, "/wechat?signature="+wechat.Sign(testToken, ts, nonce)+"&timestamp="+ts+"&nonce="+nonce,
			strings.NewReader(textXML(ids[f], walk[step%len(walk)], int64(9_000_000+i), now)))
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "系统繁忙") {
			b.Fatalf("push %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	for i := range followers * len(walk) { // every follower once through the walk: state and profiles exist
		push(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		push(followers*len(walk) + i)
	}
}
