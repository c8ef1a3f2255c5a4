package wechat_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"github.com/suzhou-amr/suzhirong/wechat"
)

const benchPush = "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>" +
	"<CreateTime>1409735669</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[都没有]]></Content><MsgId>6054768590064713728</MsgId></xml>"

// BenchmarkOpenPlain checks a plaintext push's signature.
func BenchmarkOpenPlain(b *testing.B) {
	c := sampleCodec()
	c.Mode = wechat.ModeCompat
	q := wechat.Query{Signature: wechat.Sign(sampleToken, sampleTimestamp, sampleNonce), Timestamp: sampleTimestamp, Nonce: sampleNonce}
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
	q := wechat.Query{MsgSignature: wechat.Sign(sampleToken, sampleTimestamp, sampleNonce, string(enc)), Timestamp: sampleTimestamp, Nonce: sampleNonce, EncryptType: "aes"}
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
	reply := wechat.TextReply("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "gh_bench", benchMenu, time.Unix(1409735669, 0))
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
		if _, err := wechat.ParseMessage(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign computes one signature.
func BenchmarkSign(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		wechat.Sign(sampleToken, sampleTimestamp, strconv.Itoa(i))
	}
}

// benchMenu is about the size of the main menu, the commonest reply.
const benchMenu = "请回复数字选择服务：\n1. 质量信誉自检（我是哪一类）\n2. 金融产品与政策问答\n3. 苏质贷利率测算\n4. 申请入库（Ⅳ类企业自愿申请）\n" +
	"5. 提交融资需求\n6. 我的进度\n7. 各县级市（区）市场监管局联系方式\n8. 人工服务\n随时回复“菜单”回到这里，“帮助”查看说明。"

// BenchmarkTextReply renders the passive reply XML around a text.
func BenchmarkTextReply(b *testing.B) {
	at := time.Unix(1409735669, 0)
	b.ReportAllocs()
	for b.Loop() {
		wechat.TextReply("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "gh_bench", benchMenu, at)
	}
}
