package wechat_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/wechat"
)

// A push built by SignPush is what the webhook's codec accepts, in every
// mode, and parses back to what was built, markup and all.
func TestSignPushIsWhatTheCodecOpens(t *testing.T) {
	t.Parallel()
	at := time.Now().Truncate(time.Second)
	pushes := []wechat.Push{
		{To: "gh_1", From: "o-sim-1-abc", At: at, Text: "贷款 ]]> <b>&amp; 500万", MsgID: 42},
		{To: "gh_1", From: "o-sim-1-abc", At: at, Event: "CLICK", Key: "MENU_CALC"},
	}
	for _, mode := range []string{wechat.ModePlain, wechat.ModeCompat, wechat.ModeSafe} {
		c := &wechat.Codec{Token: sampleToken, AppID: sampleAppID, AESKey: sampleKey, Mode: mode}
		for _, p := range pushes {
			query, body, err := c.SignPush(p, at, "n0nce", []byte("0123456789abcdef"))
			if err != nil {
				t.Fatal(err)
			}
			v, err := url.ParseQuery(query)
			if err != nil {
				t.Fatal(err)
			}
			q := wechat.Query{Signature: v.Get("signature"), MsgSignature: v.Get("msg_signature"), Timestamp: v.Get("timestamp"),
				Nonce: v.Get("nonce"), EncryptType: v.Get("encrypt_type"), OpenID: v.Get("openid")}
			plain, err := c.Open(body, q)
			if err != nil {
				t.Fatalf("%s: the codec refused a built push: %v", mode, err)
			}
			m, err := wechat.ParseMessage(plain)
			if err != nil {
				t.Fatal(err)
			}
			if m.FromUserName != p.From || m.Content != p.Text || m.MsgID != p.MsgID || m.EventKey != p.Key || m.CreateTime != at.Unix() || q.OpenID != p.From {
				t.Fatalf("%s: built %+v, opened %+v", mode, p, m)
			}
			// The reply to it opens the same way.
			reply := wechat.TextReply(p.From, p.To, "收到 ]]>", at)
			sealed := reply
			if mode != wechat.ModePlain {
				if sealed, err = c.Seal(reply, q.Timestamp, q.Nonce, []byte("fedcba9876543210")); err != nil {
					t.Fatal(err)
				}
			}
			opened, err := c.OpenReply(sealed)
			if text, ok := wechat.ReplyText(opened); err != nil || !ok || text != "收到 ]]>" {
				t.Fatalf("%s: reply opened as %q, %v", mode, opened, err)
			}
			// Another token's signature is refused.
			other := &wechat.Codec{Token: "other", AppID: sampleAppID, AESKey: sampleKey, Mode: mode}
			if _, err := other.Open(body, q); err == nil {
				t.Fatalf("%s: a push signed for another token was accepted", mode)
			}
		}
	}
}
