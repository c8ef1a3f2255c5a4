package bot

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/wechat"
)

// TestTextReplyBytes pins the passive reply's bytes against the plain
// construction (every "]]>" split across two CDATA sections).
func TestTextReplyBytes(t *testing.T) {
	t.Parallel()
	cd := func(s string) string { return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>" }
	at := time.Unix(1700000000, 0)
	for _, content := range []string{"", "菜单", "a]]>b]]>]]>c", "]]>", "]]]>>", "<xml>&amp;"} {
		want := "<xml><ToUserName>" + cd("o]]>1") + "</ToUserName><FromUserName>" + cd("gh") + "</FromUserName><CreateTime>" +
			strconv.FormatInt(at.Unix(), 10) + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>" + cd(content) + "</Content></xml>"
		if got := string(wechat.TextReply("o]]>1", "gh", content, at)); got != want {
			t.Errorf("%q:\n got %s\nwant %s", content, got, want)
		}
		if text, ok := wechat.ReplyText(wechat.TextReply("o", "gh", content, at)); !ok || text != content {
			t.Errorf("%q read back as %q %v", content, text, ok)
		}
	}
	want := "<xml><ToUserName>" + cd("o") + "</ToUserName><FromUserName>" + cd("gh") + "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[transfer_customer_service]]></MsgType></xml>"
	if got := string(wechat.TransferReply("o", "gh", at)); got != want {
		t.Errorf("transfer:\n got %s\nwant %s", got, want)
	}
}
