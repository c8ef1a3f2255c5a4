package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/dialog"
)

type broadcastForm struct {
	Title, Kind, Content, Audience string
}

type broadcastsData struct {
	bot.BroadcastList
	CurrentMonth bool
	Audiences    []option
	Form         broadcastForm
	PreviewTo    string
}

// audienceOptions are the audiences of the compose form: "all",
// "tier:1".."tier:4" and "county:<slug>".
func (cs *console) audienceOptions() []option {
	out := []option{{dialog.AudienceAll, "全部关注者"}}
	for t := 1; t <= 4; t++ {
		out = append(out, option{dialog.AudienceTier + ":" + strconv.Itoa(t), dialog.TierTagName(dialog.Tier(t))})
	}
	for _, c := range cs.Bot.Policy().Counties {
		out = append(out, option{dialog.AudienceCounty + ":" + c.ID, c.Name + "（县区二维码及申报企业）"})
	}
	return out
}

func parseAudience(v string) dialog.Audience {
	t, val, _ := strings.Cut(v, ":")
	return dialog.Audience{Type: t, Value: val}
}

func (cs *console) broadcastsData(c *gin.Context, month string) (*broadcastsData, error) {
	l, err := cs.Bot.Broadcasts(c.Request.Context(), account(c), month)
	if err != nil {
		return nil, err
	}
	now := cs.Bot.Now().In(bot.Shanghai).Format("2006-01")
	return &broadcastsData{BroadcastList: l, CurrentMonth: l.Month == now, Audiences: cs.audienceOptions(),
		Form: broadcastForm{Kind: dialog.BroadcastText, Audience: dialog.AudienceAll}}, nil
}

// broadcastsPage: GET /console/broadcasts?month=YYYY-MM.
func (cs *console) broadcastsPage(c *gin.Context) {
	d, err := cs.broadcastsData(c, c.Query("month"))
	if err != nil {
		cs.failPage(c, err)
		return
	}
	cs.render(c, http.StatusOK, "broadcasts", "群发", d)
}

// broadcastsError shows this month's broadcasts again with err's message.
func (cs *console) broadcastsError(c *gin.Context, err error, keep func(*broadcastsData)) {
	status, msg := apiStatus(err)
	if status == http.StatusForbidden || status == http.StatusNotFound || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	d, derr := cs.broadcastsData(c, "")
	if derr != nil {
		cs.failPage(c, derr)
		return
	}
	if keep != nil {
		keep(d)
	}
	p := cs.newPage(c, "群发", d)
	p.Error = msg
	cs.renderPage(c, status, "broadcasts", p)
}

// broadcastCreate: POST /console/broadcasts (title, kind, content, audience).
func (cs *console) broadcastCreate(c *gin.Context) {
	f := broadcastForm{Title: c.PostForm("title"), Kind: c.PostForm("kind"), Content: c.PostForm("content"), Audience: c.PostForm("audience")}
	_, err := cs.Bot.CreateBroadcast(c.Request.Context(), account(c), bot.NewBroadcast{
		Title: f.Title, Kind: f.Kind, Content: f.Content, Audience: parseAudience(f.Audience),
	})
	if err != nil {
		cs.broadcastsError(c, err, func(d *broadcastsData) { d.Form = f })
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/broadcasts?ok=bc")
}

func broadcastID(c *gin.Context) (uint64, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		return 0, dialog.ErrNotFound
	}
	return id, nil
}

// broadcastPreview: POST /console/broadcasts/{id}/preview (openid).
func (cs *console) broadcastPreview(c *gin.Context) {
	openID := strings.TrimSpace(c.PostForm("openid"))
	id, err := broadcastID(c)
	if err == nil {
		err = cs.Bot.PreviewBroadcast(c.Request.Context(), account(c), id, openID)
	}
	if err != nil {
		cs.broadcastsError(c, err, func(d *broadcastsData) { d.PreviewTo = openID })
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/broadcasts?ok=preview")
}

// broadcastSend: POST /console/broadcasts/{id}/send — the month's last
// send must be confirmed with the confirm_last box.
func (cs *console) broadcastSend(c *gin.Context) {
	ctx := c.Request.Context()
	acc := account(c)
	id, err := broadcastID(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	l, err := cs.Bot.Broadcasts(ctx, acc, "")
	if err != nil {
		cs.failPage(c, err)
		return
	}
	if l.QuotaRemaining == 1 && c.PostForm("confirm_last") == "" {
		cs.broadcastsError(c, dialog.Errorf(dialog.ErrInvalid, "这是本月最后1次群发额度，请勾选确认后再发送"), nil)
		return
	}
	if _, err := cs.Bot.SendBroadcast(ctx, acc, id); err != nil {
		cs.broadcastsError(c, err, nil)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/broadcasts?ok=send")
}

// tagsSync: POST /console/broadcasts/tags — brings the tier and county
// WeChat tags up to date, as sends to a tier or county need.
func (cs *console) tagsSync(c *gin.Context) {
	res, err := cs.Bot.SyncTags(c.Request.Context(), account(c))
	if err != nil {
		cs.broadcastsError(c, err, nil)
		return
	}
	d, err := cs.broadcastsData(c, "")
	if err != nil {
		cs.failPage(c, err)
		return
	}
	p := cs.newPage(c, "群发", d)
	p.Notice = fmt.Sprintf("标签已同步：共 %d 个标签，新建 %d 个，加标签 %d 人，去标签 %d 人。", res.Tags, len(res.Created), res.Tagged, res.Untagged)
	cs.renderPage(c, http.StatusOK, "broadcasts", p)
}
