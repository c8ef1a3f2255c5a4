package handlers_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/wechat"
)

// mediaXML is a push of msgType with extra fields, as WeChat sends voice,
// images, locations and links.
func mediaXML(openID, msgType, extra string, msgID int64) string {
	return "<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[" + openID + "]]></FromUserName>" +
		"<CreateTime>" + strconv.FormatInt(time.Now().Unix(), 10) + "</CreateTime><MsgType><![CDATA[" + msgType + "]]></MsgType>" +
		extra + "<MsgId>" + strconv.FormatInt(msgID, 10) + "</MsgId></xml>"
}

func (e *env) sayMedia(openID, msgType, extra string) string {
	e.tb.Helper()
	rec := e.post(e.signedQuery(time.Now()), mediaXML(openID, msgType, extra, e.msgID.Add(1)+2_000_000))
	got, ok := wechat.ReplyText(rec.Body.Bytes())
	if !ok {
		e.tb.Fatalf("%s: no text reply in %s", msgType, rec.Body)
	}
	return got
}

// A voice message with WeChat's transcript is understood as the same words
// typed, inside forms too; without one, and for images, locations and
// links, the person is told what the account can do.
func TestVoiceIsUnderstoodAsTypedText(t *testing.T) {
	e := mustEnv(t)
	openID := randomOpenID()
	voice := func(words string) string {
		return e.sayMedia(openID, "voice", "<MediaId><![CDATA[m1]]></MediaId><Format><![CDATA[amr]]></Format><Recognition><![CDATA["+words+"]]></Recognition>")
	}
	typed := e.say(randomOpenID(), "融资需求")
	if got := voice("融资需求"); got != typed {
		t.Fatalf("voice 融资需求: %q, typed: %q", got, typed)
	}
	// Inside the form the transcript is the answer.
	if got := voice("苏州语音精密机械有限公司"); !strings.Contains(got, "统一社会信用代码") {
		t.Fatalf("voice answer to the name step: %q", got)
	}
	for _, c := range []struct{ kind, extra, want string }{
		{"voice", "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format>", "没能转成文字"},
		{"image", "<PicUrl><![CDATA[http://x/y.jpg]]></PicUrl><MediaId><![CDATA[m3]]></MediaId>", "收到您的图片"},
		{"location", "<Location_X>31.3</Location_X><Location_Y>120.6</Location_Y><Scale>15</Scale><Label><![CDATA[苏州]]></Label>", "收到您的位置"},
		{"link", "<Title><![CDATA[t]]></Title><Description><![CDATA[d]]></Description><Url><![CDATA[http://x]]></Url>", "收到您分享的链接"},
	} {
		if got := e.sayMedia(openID, c.kind, c.extra); !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.kind, got, c.want)
		}
	}
}
