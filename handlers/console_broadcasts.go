package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

type broadcastForm struct {
	Title, Kind, Content, Audience string
}

type broadcastsData struct {
	admin.BroadcastList
	CurrentMonth bool
	Audiences    []option
	Form         broadcastForm
	PreviewTo    string
	Sizes        map[uint64]int64 // followers each unsent broadcast would reach now
	OwnWeChat    bool             // the officer bound their WeChat: previews go there
	// Confirm is the send waiting for the officer's confirmation.
	Confirm *sendConfirm
	// Materials are the library's articles (图文) to choose from;
	// MaterialsError says why they could not be listed.
	Materials      []wechat.Material
	MaterialsError string
}

// sendConfirm is what the confirmation of a send names: the broadcast, its
// audience and size, and the quota before and after.
type sendConfirm struct {
	ID         uint64
	Title      string
	Audience   string
	Size       int64
	QuotaLeft  int
	QuotaAfter int
	LastOne    bool
}

// audienceOptions are the audiences of the compose form: "all",
// "tier:1".."tier:4" and "county:<slug>".
func (cs *console) audienceOptions() []option {
	out := []option{{domain.AudienceAll, "全部关注者"}}
	for t := 1; t <= 4; t++ {
		out = append(out, option{domain.AudienceTier + ":" + strconv.Itoa(t), domain.TierTagName(domain.Tier(t))})
	}
	for _, c := range cs.Bot.Policy().Counties {
		out = append(out, option{domain.AudienceCounty + ":" + c.ID, c.Name + "（县区二维码及申报企业）"})
	}
	return out
}

func parseAudience(v string) domain.Audience {
	t, val, _ := strings.Cut(v, ":")
	return domain.Audience{Type: t, Value: val}
}

func (cs *console) broadcastsData(c *gin.Context, month string) (*broadcastsData, error) {
	l, err := cs.Admin.Broadcasts(c.Request.Context(), account(c), month)
	if err != nil {
		return nil, err
	}
	now := cs.Now().In(domain.Shanghai).Format("2006-01")
	d := &broadcastsData{BroadcastList: l, CurrentMonth: l.Month == now, Audiences: cs.audienceOptions(),
		Form: broadcastForm{Kind: domain.BroadcastText, Audience: domain.AudienceAll}, Sizes: map[uint64]int64{},
		OwnWeChat: account(c).OpenID != ""}
	if account(c).Can(domain.PermBroadcastWrite) {
		if d.Materials, err = cs.Admin.Materials(c.Request.Context(), account(c)); err != nil {
			d.MaterialsError = "暂时无法读取公众号素材库，图文群发请稍后再试。"
			cs.Log.Warn("news materials not listed", slog.String("error", wechat.Mask(err.Error())))
		}
	}
	for _, it := range l.Items {
		if it.Status == domain.BroadcastDraft || it.Status == domain.BroadcastFailed {
			n, err := cs.Admin.AudienceSize(c.Request.Context(), account(c), domain.Audience{Type: it.AudienceType, Value: it.AudienceValue})
			if err != nil {
				return nil, err
			}
			d.Sizes[it.ID] = n
		}
	}
	return d, nil
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
	f := broadcastForm{Title: c.PostForm("title"), Kind: c.PostForm("kind"), Content: formContent(c), Audience: c.PostForm("audience")}
	_, err := cs.Admin.CreateBroadcast(c.Request.Context(), account(c), admin.NewBroadcast{
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
		return 0, domain.ErrNotFound
	}
	return id, nil
}

// broadcastPreview: POST /console/broadcasts/{id}/preview — to the
// officer's own bound WeChat (or a following openid given as openid).
func (cs *console) broadcastPreview(c *gin.Context) {
	openID := strings.TrimSpace(c.PostForm("openid"))
	id, err := broadcastID(c)
	if err == nil {
		err = cs.Admin.PreviewBroadcast(c.Request.Context(), account(c), id, openID)
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
	l, err := cs.Admin.Broadcasts(ctx, acc, "")
	if err != nil {
		cs.failPage(c, err)
		return
	}
	r, err := cs.Admin.GetBroadcast(ctx, acc, id)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	c.Set(auditObjectKey, "《"+r.Title+"》")
	if c.PostForm("confirm") != "1" {
		// One click never sends: first the officer reads whom it reaches.
		// Showing the confirmation is no act: nothing is logged.
		notAnAct(c)
		// What would refuse the send refuses it now, before the
		// officer confirms: a missing tag, no quota, nobody to reach.
		size, err := cs.Admin.CheckSend(ctx, acc, id)
		if err != nil {
			cs.broadcastsError(c, err, nil)
			return
		}
		d, err := cs.broadcastsData(c, "")
		if err != nil {
			cs.failPage(c, err)
			return
		}
		d.Confirm = &sendConfirm{ID: id, Title: r.Title, Audience: r.AudienceLabel, Size: size,
			QuotaLeft: l.QuotaRemaining, QuotaAfter: max(0, l.QuotaRemaining-1), LastOne: l.QuotaRemaining == 1}
		cs.render(c, http.StatusOK, "broadcasts", "群发", d)
		return
	}
	if l.QuotaRemaining == 1 && c.PostForm("confirm_last") == "" {
		cs.broadcastsError(c, domain.Errorf(domain.ErrInvalid, "这是本月最后1次群发额度，请勾选确认后再发送"), nil)
		return
	}
	res, err := cs.Admin.SendBroadcast(ctx, acc, id)
	if err != nil {
		cs.broadcastsError(c, err, nil)
		return
	}
	setAudit(c, nil, res.Broadcast)
	c.Redirect(http.StatusSeeOther, "/console/broadcasts?ok=send")
}

// tagsSync: POST /console/broadcasts/tags — brings the tier and county
// WeChat tags up to date, as sends to a tier or county need.
func (cs *console) tagsSync(c *gin.Context) {
	res, err := cs.Admin.SyncTags(c.Request.Context(), account(c))
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

// broadcastEdit: POST /console/broadcasts/{id}/edit (title, kind, content,
// audience) — a draft or a failed send.
func (cs *console) broadcastEdit(c *gin.Context) {
	id, err := broadcastID(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	f := broadcastForm{Title: c.PostForm("title"), Kind: c.PostForm("kind"), Content: formContent(c), Audience: c.PostForm("audience")}
	before, after, err := cs.Admin.UpdateBroadcast(c.Request.Context(), account(c), id, admin.NewBroadcast{
		Title: f.Title, Kind: f.Kind, Content: f.Content, Audience: parseAudience(f.Audience),
	})
	if err != nil {
		cs.broadcastsError(c, err, nil)
		return
	}
	setAudit(c, before, after)
	c.Redirect(http.StatusSeeOther, "/console/broadcasts?ok=bcedit")
}

// broadcastDelete: POST /console/broadcasts/{id}/delete (confirm=1).
func (cs *console) broadcastDelete(c *gin.Context) {
	id, err := broadcastID(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	if c.PostForm("confirm") != "1" {
		cs.broadcastsError(c, domain.Errorf(domain.ErrInvalid, "请勾选“确认删除”后再删除草稿"), nil)
		return
	}
	gone, err := cs.Admin.DeleteBroadcast(c.Request.Context(), account(c), id)
	if err != nil {
		cs.broadcastsError(c, err, nil)
		return
	}
	setAudit(c, gone, nil)
	c.Redirect(http.StatusSeeOther, "/console/broadcasts?ok=bcdelete")
}

// formContent is a broadcast form's content: the text, or for 图文 the
// article chosen from the library.
func formContent(c *gin.Context) string {
	if c.PostForm("kind") == domain.BroadcastNews && c.PostForm("media_id") != "" {
		return c.PostForm("media_id")
	}
	return c.PostForm("content")
}
