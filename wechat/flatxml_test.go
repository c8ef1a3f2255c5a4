package wechat

import (
	"encoding/xml"
	"reflect"
	"testing"
)

// flatSeeds are pushes in WeChat's flat shape and near misses the flat
// parser must leave to encoding/xml.
var flatSeeds = []string{
	"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oABC]]></FromUserName><CreateTime>1409735669</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[菜单]]></Content><MsgId>6054768590064713728</MsgId></xml>",
	"<xml>\n  <ToUserName><![CDATA[gh_1]]></ToUserName>\n  <FromUserName><![CDATA[oABC]]></FromUserName>\n  <CreateTime>1409735669</CreateTime>\n  <MsgType><![CDATA[event]]></MsgType>\n  <Event><![CDATA[subscribe]]></Event>\n  <EventKey><![CDATA[qrscene_c320500]]></EventKey>\n  <Ticket><![CDATA[gQH47j]]></Ticket>\n</xml>\n",
	"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oABC]]></FromUserName><CreateTime>1394524295</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event><MsgID>1988</MsgID><Status><![CDATA[sendsuccess]]></Status><TotalCount>100</TotalCount><FilterCount>80</FilterCount><SentCount>75</SentCount><ErrorCount>5</ErrorCount></xml>",
	"<xml><FromUserName>plain</FromUserName><MsgType>text</MsgType><Content> 两端空格 </Content><MsgId></MsgId></xml>",
	"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>",
	"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><MsgId> 12 </MsgId></xml>",
	// Near misses: each must fall back.
	"<?xml version=\"1.0\"?><xml><FromUserName>o</FromUserName><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o&amp;p</FromUserName><MsgType>text</MsgType></xml>",
	"<xml><FromUserName><![CDATA[a]]]]><![CDATA[>b]]></FromUserName><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Content>a\r\nb</Content></xml>",
	"<xml><FromUserName a=\"1\">o</FromUserName><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o</FromUserName><FromUserName>p</FromUserName><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><MsgId>  </MsgId></xml>",
	"<xml><FromUserName>o</FromUserName><!-- c --><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o</FromUserName><Extra><Inner>1</Inner></Extra><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType><Empty/></xml>",
	"<xml><FromUserName>o</FromUserName><MsgType>text</MsgType></xml>trailing",
	"<xml><FromUserName>o\x00</FromUserName><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>\xff</FromUserName><MsgType>text</MsgType></xml>",
	"<x><FromUserName>o</FromUserName><MsgType>text</MsgType></x>",
	"<xml><a:FromUserName>o</a:FromUserName><MsgType>text</MsgType></xml>",
	"<xml><FromUserName>o</fromusername><MsgType>text</MsgType></xml>",
}

// TestFlatParserTakesWeChatShapes pins the fast path: WeChat's own shapes
// must not fall back, the near misses must.
func TestFlatParserTakesWeChatShapes(t *testing.T) {
	t.Parallel()
	for i, s := range flatSeeds {
		var m Message
		got := parseFlat([]byte(s), &m)
		if want := i < 6; got != want {
			t.Errorf("seed %d: flat parser accepted %v, want %v: %q", i, got, want, s)
		}
	}
	if enc, ok := parseFlatEnvelope([]byte(flatSeeds[4])); !ok || enc != "abc+/=" {
		t.Errorf("envelope: %q %v", enc, ok)
	}
	m, err := ParseMessage([]byte(flatSeeds[2]))
	if err != nil || m.JobID != 1988 || m.MsgID != 0 || m.ErrorCount != 5 || m.Status != "sendsuccess" {
		t.Errorf("job report: %+v %v", m, err)
	}
	m, err = ParseMessage([]byte(flatSeeds[1]))
	if err != nil || m.Event != "subscribe" || m.EventKey != "qrscene_c320500" || m.CreateTime != 1409735669 {
		t.Errorf("subscribe: %+v %v", m, err)
	}
}

// FuzzParseMessage is a differential test: whenever the flat parser accepts
// a document, encoding/xml must accept it too and read the same values, and
// ParseMessage must agree with a plain encoding/xml decode either way.
func FuzzParseMessage(f *testing.F) {
	for _, s := range flatSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var flat Message
		if parseFlat(raw, &flat) {
			flat.XMLName.Local = "xml"
			var ref Message
			if err := xml.Unmarshal(raw, &ref); err != nil {
				t.Fatalf("flat parser accepted what encoding/xml refuses (%v): %q", err, raw)
			}
			if !reflect.DeepEqual(flat, ref) {
				t.Fatalf("flat %+v\nxml  %+v\nfor %q", flat, ref, raw)
			}
		}
		if enc, ok := parseFlatEnvelope(raw); ok {
			var env envelope
			if err := xml.Unmarshal(raw, &env); err != nil || env.Encrypt != enc {
				t.Fatalf("envelope: flat %q, xml %q (%v) for %q", enc, env.Encrypt, err, raw)
			}
		}
		got, gerr := ParseMessage(raw)
		var ref Message
		if err := xml.Unmarshal(raw, &ref); err != nil {
			if gerr == nil {
				t.Fatalf("ParseMessage accepted what encoding/xml refuses: %q", raw)
			}
			return
		}
		if gerr == nil && !reflect.DeepEqual(got, ref) {
			t.Fatalf("ParseMessage %+v\nxml %+v\nfor %q", got, ref, raw)
		}
	})
}
