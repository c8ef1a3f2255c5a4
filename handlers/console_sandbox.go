package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// sandboxLimit is how many recorded calls the sandbox page shows.
const sandboxLimit = 200

type sandboxRow struct {
	domain.SandboxMessage
	Kind string // 客服消息, 模板消息, …
	To   string // the recipient as people may read it
	Text string
}

type sandboxData struct {
	Active bool // running without an app id
	Rows   []sandboxRow
	ToUser string
}

// sandboxPage: GET /console/sandbox?to= — every outbound call the service
// recorded instead of sending, newest first.
func (cs *console) sandboxPage(c *gin.Context) {
	// Recorded calls span every county; county accounts see their own
	// leads' notifications on the lead pages.
	d := sandboxData{Active: cs.Bot.Client().Sandbox(), ToUser: c.Query("to")}
	msgs, err := cs.Admin.SandboxMessages(c.Request.Context(), account(c), d.ToUser, sandboxLimit)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	for _, m := range msgs {
		to := "—"
		switch {
		case m.API == "wecom/robot":
			to = "县级市（区）工作群"
		case m.ToUser != "":
			to = "微信用户 " + wechat.MaskOpenID(m.ToUser)
		}
		d.Rows = append(d.Rows, sandboxRow{SandboxMessage: m, Kind: sandboxKind(m.API), To: to, Text: sandboxText(m)})
	}
	cs.render(c, http.StatusOK, "sandbox", "沙箱消息", d)
}
