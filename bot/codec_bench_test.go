package bot_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"github.com/suzhou-amr/suzhirong/bot"
)

const benchPush = "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>" +
	"<CreateTime>1409735669</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[都没有]]></Content><MsgId>6054768590064713728</MsgId></xml>"

// BenchmarkOpenPlain checks a plaintext push's signature.
func BenchmarkOpenPlain(b *testing.B) {
	c := sampleCodec()
	c.Mode = bot.ModeCompat
	q := bot.Query{Signature: bot.Sign(sampleToken, sampleTimestamp, sampleNonce), Timestamp: sampleTimestamp, Nonce: sampleNonce}
	body := []byte(benchPush)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Open(body, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenSafe checks msg_signature and decrypts a safe-mode push.
func BenchmarkOpenSafe(b *testing.B) {
	c := sampleCodec()
	enc, err := util.EncryptMsg([]byte("0123456789abcdef"), []byte(benchPush), sampleAppID, sampleKey)
	if err != nil {
		b.Fatal(err)
	}
	body := []byte("<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[" + string(enc) + "]]></Encrypt></xml>")
	q := bot.Query{MsgSignature: bot.Sign(sampleToken, sampleTimestamp, sampleNonce, string(enc)), Timestamp: sampleTimestamp, Nonce: sampleNonce, EncryptType: "aes"}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchPush)))
	for b.Loop() {
		if _, err := c.Open(body, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSeal encrypts and signs a typical reply (the main menu).
func BenchmarkSeal(b *testing.B) {
	c := sampleCodec()
	reply := bot.TextReply("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "gh_bench", benchMenu, time.Unix(1409735669, 0))
	random := []byte("0123456789abcdef")
	b.ReportAllocs()
	b.SetBytes(int64(len(reply)))
	for b.Loop() {
		if _, err := c.Seal(reply, sampleTimestamp, sampleNonce, random); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseMessage decodes a plaintext push.
func BenchmarkParseMessage(b *testing.B) {
	body := []byte(benchPush)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bot.ParseMessage(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign computes one signature.
func BenchmarkSign(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		bot.Sign(sampleToken, sampleTimestamp, strconv.Itoa(i))
	}
}
