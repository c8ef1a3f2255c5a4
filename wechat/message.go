package wechat

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Message is the part of a WeChat push the service reads. silenceper's
// MixMessage has some 80 fields; decoding only these keeps the hot path lean.
type Message struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
	MsgID        int64    `xml:"MsgId"`
	// Recognition is WeChat's transcript of a voice message (when speech
	// recognition is on for the account).
	Recognition string `xml:"Recognition"`
	Event       string `xml:"Event"`
	EventKey    string `xml:"EventKey"`
	// MASSSENDJOBFINISH carries the job id as MsgID, not MsgId.
	JobID       int64  `xml:"MsgID"`
	Status      string `xml:"Status"`
	TotalCount  int64  `xml:"TotalCount"`
	FilterCount int64  `xml:"FilterCount"`
	SentCount   int64  `xml:"SentCount"`
	ErrorCount  int64  `xml:"ErrorCount"`
}

// ParseMessage decodes a plaintext push: with the flat parser when the
// push has WeChat's flat shape, else with encoding/xml.
func ParseMessage(raw []byte) (Message, error) {
	var m Message
	if parseFlat(raw, &m) {
		m.XMLName.Local = "xml"
	} else {
		m = Message{}
		if err := xml.Unmarshal(raw, &m); err != nil {
			return m, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
	}
	if m.FromUserName == "" || m.MsgType == "" {
		return m, fmt.Errorf("%w: FromUserName and MsgType are required", ErrMalformed)
	}
	if len(m.FromUserName) > 64 {
		return m, fmt.Errorf("%w: FromUserName too long", ErrMalformed)
	}
	return m, nil
}

// DedupeKey identifies a delivery across WeChat's retries: the MsgId of a
// message, or sender, time, event and key of an event.
func (m Message) DedupeKey() string {
	if m.MsgType != "event" && m.MsgID != 0 {
		return "m" + strconv.FormatInt(m.MsgID, 10)
	}
	return "e" + strconv.FormatInt(m.CreateTime, 10) + ":" + m.Event + ":" + m.EventKey
}

// TextReply renders a passive text reply.
func TextReply(to, from, content string, at time.Time) []byte {
	// The envelope is 191 bytes with a ten-digit time.
	b := make([]byte, 0, 208+len(to)+len(from)+len(content))
	b = append(b, "<xml><ToUserName>"...)
	b = appendCDATA(b, to)
	b = append(b, "</ToUserName><FromUserName>"...)
	b = appendCDATA(b, from)
	b = append(b, "</FromUserName><CreateTime>"...)
	b = strconv.AppendInt(b, at.Unix(), 10)
	b = append(b, "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>"...)
	b = appendCDATA(b, content)
	return append(b, "</Content></xml>"...)
}

// TransferReply hands the conversation to the customer-service system.
func TransferReply(to, from string, at time.Time) []byte {
	b := make([]byte, 0, 200+len(to)+len(from))
	b = append(b, "<xml><ToUserName>"...)
	b = appendCDATA(b, to)
	b = append(b, "</ToUserName><FromUserName>"...)
	b = appendCDATA(b, from)
	b = append(b, "</FromUserName><CreateTime>"...)
	b = strconv.AppendInt(b, at.Unix(), 10)
	return append(b, "</CreateTime><MsgType><![CDATA[transfer_customer_service]]></MsgType></xml>"...)
}

// appendCDATA writes s as CDATA, splitting any "]]>" inside it.
func appendCDATA(b []byte, s string) []byte {
	b = append(b, "<![CDATA["...)
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			break
		}
		b = append(b, s[:i]...)
		b = append(b, "]]]]><![CDATA[>"...)
		s = s[i+len("]]>"):]
	}
	b = append(b, s...)
	return append(b, "]]>"...)
}

// ReplyText extracts the Content of a text reply.
func ReplyText(reply []byte) (string, bool) {
	i := bytes.Index(reply, []byte("<Content><![CDATA["))
	j := bytes.LastIndex(reply, []byte("]]></Content>"))
	if i < 0 || j < i {
		return "", false
	}
	s := string(reply[i+len("<Content><![CDATA[") : j])
	return strings.ReplaceAll(s, "]]]]><![CDATA[>", "]]>"), true
}
