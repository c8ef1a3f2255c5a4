package wechat

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// Push is a follower's message or event as WeChat pushes it to the
// webhook. The console's simulator, the terminal chat and the tests build
// their pushes with it, so they all speak the protocol the webhook checks.
type Push struct {
	To    string // the account's original id (gh_…)
	From  string // the follower's openid
	At    time.Time
	Text  string // a text message's content, when Event is ""
	MsgID int64
	Event string // subscribe, unsubscribe, CLICK, SCAN…
	Key   string // the event's key
}

// XML returns the push's plaintext body in WeChat's flat shape.
func (p Push) XML() []byte {
	b := make([]byte, 0, 256+len(p.Text))
	b = append(b, "<xml><ToUserName>"...)
	b = appendCDATA(b, p.To)
	b = append(b, "</ToUserName><FromUserName>"...)
	b = appendCDATA(b, p.From)
	b = append(b, "</FromUserName><CreateTime>"...)
	b = strconv.AppendInt(b, p.At.Unix(), 10)
	if p.Event == "" {
		b = append(b, "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>"...)
		b = appendCDATA(b, p.Text)
		b = append(b, "</Content><MsgId>"...)
		b = strconv.AppendInt(b, p.MsgID, 10)
		return append(b, "</MsgId></xml>"...)
	}
	b = append(b, "</CreateTime><MsgType><![CDATA[event]]></MsgType><Event>"...)
	b = appendCDATA(b, p.Event)
	b = append(b, "</Event><EventKey>"...)
	b = appendCDATA(b, p.Key)
	return append(b, "</EventKey></xml>"...)
}

// SignPush returns the query string and body with which WeChat would post
// p to this account's webhook at sent (a retry keeps p.At and is sent
// later): signed with the token, and in compatible or safe mode sealed
// with the AES key and signed with msg_signature. The nonce and, for
// sealing, 16 random bytes come from the caller.
func (c *Codec) SignPush(p Push, sent time.Time, nonce string, random []byte) (query string, body []byte, err error) {
	ts := strconv.FormatInt(sent.Unix(), 10)
	query = "signature=" + Sign(c.Token, ts, nonce) + "&timestamp=" + ts + "&nonce=" + url.QueryEscape(nonce) +
		"&openid=" + url.QueryEscape(p.From)
	body = p.XML()
	if c.MessageMode() == ModePlain {
		return query, body, nil
	}
	enc, err := util.EncryptMsg(random, body, c.AppID, c.AESKey)
	if err != nil {
		return "", nil, fmt.Errorf("seal push: %w", err)
	}
	sealed := append([]byte("<xml><ToUserName>"), appendCDATA(nil, p.To)...)
	sealed = append(sealed, "</ToUserName><Encrypt>"...)
	sealed = appendCDATA(sealed, string(enc))
	sealed = append(sealed, "</Encrypt></xml>"...)
	query += "&encrypt_type=aes&msg_signature=" + Sign(c.Token, ts, nonce, string(enc))
	return query, sealed, nil
}

// OpenReply returns the plaintext of a passive reply to a push built by
// SignPush: the reply itself in plaintext mode, else the opened envelope,
// whose msg_signature is checked.
func (c *Codec) OpenReply(reply []byte) ([]byte, error) {
	if c.MessageMode() == ModePlain {
		return reply, nil
	}
	var env envelope
	if err := xml.Unmarshal(reply, &env); err != nil {
		return nil, fmt.Errorf("open reply: %w", err)
	}
	return c.Open(reply, Query{MsgSignature: env.MsgSignature, Timestamp: env.TimeStamp, Nonce: env.Nonce, EncryptType: "aes"})
}
