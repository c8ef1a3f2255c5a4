package wechat_test

import (
	"bytes"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/wechat"
)

// The official WXBizMsgCrypt sample.
const (
	sampleKey       = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	sampleToken     = "spamtest"
	sampleTimestamp = "1409735669"
	sampleNonce     = "1320562132"
	sampleAppID     = "wx2c2769f8efd9abc2"
	sampleSignature = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
	sampleEncrypt   = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)

func sampleCodec() *wechat.Codec {
	return &wechat.Codec{Token: sampleToken, AppID: sampleAppID, AESKey: sampleKey}
}

func TestOfficialSampleDecrypts(t *testing.T) {
	t.Parallel()
	body := []byte("<xml><ToUserName><![CDATA[toUser]]></ToUserName><Encrypt><![CDATA[" + sampleEncrypt + "]]></Encrypt></xml>")
	q := wechat.Query{MsgSignature: sampleSignature, Timestamp: sampleTimestamp, Nonce: sampleNonce, EncryptType: "aes"}
	plain, err := sampleCodec().Open(body, q)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wechat.ParseMessage(plain)
	if err != nil {
		t.Fatal(err)
	}
	if m.Content != "abcdteT" || m.FromUserName != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" || m.MsgID != 6054768590064713728 {
		t.Fatalf("decrypted %+v", m)
	}
	// One flipped signature character is refused.
	q.MsgSignature = "6" + sampleSignature[1:]
	if _, err := sampleCodec().Open(body, q); !errors.Is(err, wechat.ErrSignature) {
		t.Fatalf("forged msg_signature: %v", err)
	}
	// The sample's signature is over its own timestamp; the same message
	// with another timestamp does not verify.
	q = wechat.Query{MsgSignature: sampleSignature, Timestamp: "1409735670", Nonce: sampleNonce, EncryptType: "aes"}
	if _, err := sampleCodec().Open(body, q); !errors.Is(err, wechat.ErrSignature) {
		t.Fatalf("other timestamp: %v", err)
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	c := sampleCodec()
	reply := wechat.TextReply("oUser", "gh_account", "您好 ]]> <xml> 测试", time.Unix(1700000000, 0))
	sealed, err := c.Seal(reply, "1700000000", "nonce1", []byte("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	// What we seal is what WeChat (our Open, playing WeChat) opens.
	q := wechat.Query{Timestamp: "1700000000", Nonce: "nonce1", EncryptType: "aes"}
	env := struct{ MsgSignature string }{}
	if i := bytes.Index(sealed, []byte("<MsgSignature>")); i >= 0 {
		j := bytes.Index(sealed, []byte("</MsgSignature>"))
		env.MsgSignature = string(sealed[i+len("<MsgSignature>") : j])
	}
	q.MsgSignature = env.MsgSignature
	plain, err := c.Open(sealed, q)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain, reply) {
		t.Fatalf("round trip changed the reply:\n%s\n%s", plain, reply)
	}
	text, ok := wechat.ReplyText(plain)
	if !ok || text != "您好 ]]> <xml> 测试" {
		t.Fatalf("CDATA escaping: %q", text)
	}
	// Another account's key cannot open it.
	other := &wechat.Codec{Token: sampleToken, AppID: "wx0000000000000000", AESKey: sampleKey}
	if _, err := other.Open(sealed, q); err == nil {
		t.Fatal("a reply for another app id was accepted")
	}
}

func TestCheckTime(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		offset time.Duration
		ok     bool
	}{{0, true}, {5 * time.Minute, true}, {-5 * time.Minute, true}, {5*time.Minute + time.Second, false}, {-5*time.Minute - time.Second, false}} {
		err := wechat.CheckTime(strconv.FormatInt(now.Add(tt.offset).Unix(), 10), now)
		if (err == nil) != tt.ok {
			t.Errorf("offset %v: %v", tt.offset, err)
		}
	}
	if wechat.CheckTime("", now) == nil || wechat.CheckTime("1e9", now) == nil {
		t.Fatal("non-numeric timestamps accepted")
	}
}

func TestSignIsOrderIndependent(t *testing.T) {
	t.Parallel()
	if wechat.Sign("a", "b", "c") != wechat.Sign("c", "a", "b") {
		t.Fatal("Sign must sort its parts")
	}
}

func FuzzOpen(f *testing.F) {
	f.Add([]byte("<xml><Encrypt><![CDATA["+sampleEncrypt+"]]></Encrypt></xml>"), sampleSignature)
	f.Add([]byte("<xml><Encrypt>AAAA</Encrypt></xml>"), "")
	f.Add([]byte("<xml"), "x")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		c := sampleCodec()
		c.Mode = wechat.ModeCompat
		q := wechat.Query{MsgSignature: sig, Timestamp: sampleTimestamp, Nonce: sampleNonce, EncryptType: "aes"}
		plain, err := c.Open(body, q)
		if err == nil {
			wechat.ParseMessage(plain)
		}
		if plain, err := c.Open(body, wechat.Query{}); err == nil {
			wechat.ParseMessage(plain)
		}
	})
}

func TestMask(t *testing.T) {
	t.Parallel()
	got := wechat.Mask("手机13912345678 代码91320594MA1MXXXX0X")
	if got != "手机139****5678 代码91320594**********" {
		t.Fatalf("masked %q", got)
	}
}
