package bot

import (
	"strings"
	"time"

	"github.com/suzhou-amr/suzhirong/dialog"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// inbound converts a push into a dialogue event; ok is false for pushes
// that are not a follower's message (job reports, location reports…).
func inbound(m wechat.Message, at time.Time) (in dialog.Inbound, ok bool) {
	in = dialog.Inbound{OpenID: m.FromUserName, At: at}
	switch m.MsgType {
	case "text":
		in.Kind, in.Text = dialog.KindText, m.Content
	case "voice":
		// A voice message is understood as the same words typed, forms
		// included; without WeChat's transcript the person is asked to type.
		if t := strings.TrimSpace(m.Recognition); t != "" {
			in.Kind, in.Text, in.Voice = dialog.KindText, t, true
		} else {
			in.Kind, in.Media = dialog.KindOther, "voice"
		}
	case "event":
		switch strings.ToLower(m.Event) {
		case "subscribe":
			in.Kind, in.Scene = dialog.KindSubscribe, strings.TrimPrefix(m.EventKey, "qrscene_")
		case "scan":
			in.Kind, in.Scene = dialog.KindScan, m.EventKey
		case "unsubscribe":
			in.Kind = dialog.KindUnsubscribe
		case "click":
			in.Kind, in.Text = dialog.KindClick, m.EventKey
		default:
			return in, false
		}
	default:
		in.Kind, in.Media = dialog.KindOther, m.MsgType
	}
	return in, true
}
