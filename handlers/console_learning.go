package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

// The 未识别问题 page: what the bot could not place, for officers to teach.

func init() {
	notices["attached"] = "已归入所选问题类型，公众号半分钟内即按新说法回答。"
	notices["answered"] = "新问答已保存，公众号半分钟内即用它回答。"
	notices["dismissed"] = "已忽略。同样的问题再次出现时会重新列出。"
	notices["faq"] = "问答已修改（已保存为新版本），公众号半分钟内即用新内容回答。"
	notices["removed"] = "已删除，公众号半分钟内不再使用。"
	notices["sent"] = "答复已加入发送队列，问过的企业将在公众号里收到客服消息。"
}

// teachingData is the page's data, with what a failed form had typed.
type teachingData struct {
	admin.TeachingData
	Form    admin.FAQInput
	FormFor uint64 // the unplaced message the form answered
	// Offer proposes to send the answer just taught to those who asked.
	Offer *admin.AskersOffer
}

// unplacedPage: GET /console/unplaced (officers).
func (cs *console) unplacedPage(c *gin.Context) {
	d, err := cs.Admin.Teaching(c.Request.Context(), account(c))
	if err != nil {
		cs.failPage(c, err)
		return
	}
	td := &teachingData{TeachingData: d}
	if id, err := strconv.ParseUint(c.Query("offer"), 10, 64); err == nil {
		if o, err := cs.Admin.TaughtAnswerOffer(c.Request.Context(), account(c), id); err == nil {
			td.Offer = &o
		}
	}
	cs.render(c, http.StatusOK, "unplaced", "未识别问题", td)
}

// teachingError shows the page again with err's message and what was typed.
func (cs *console) teachingError(c *gin.Context, err error, form admin.FAQInput, formFor uint64) {
	status, msg := apiStatus(err)
	if status == http.StatusForbidden || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	d, derr := cs.Admin.Teaching(c.Request.Context(), account(c))
	if derr != nil {
		cs.failPage(c, derr)
		return
	}
	p := cs.newPage(c, "未识别问题", &teachingData{TeachingData: d, Form: form, FormFor: formFor})
	p.Error = msg
	cs.renderPage(c, status, "unplaced", p)
}

func unplacedID(c *gin.Context) (uint64, bool) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	return id, err == nil && id > 0
}

// unplacedAttach: POST /console/unplaced/{id}/attach (intent).
func (cs *console) unplacedAttach(c *gin.Context) {
	id, ok := unplacedID(c)
	if !ok {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	tp, err := cs.Admin.AttachUnplaced(c.Request.Context(), account(c), id, c.PostForm("intent"))
	if err != nil {
		cs.teachingError(c, err, admin.FAQInput{}, 0)
		return
	}
	setAudit(c, nil, gin.H{"paraphrase": tp.ID, "intent": tp.Intent, "text": tp.Text})
	c.Redirect(http.StatusSeeOther, "/console/unplaced?ok=attached&offer="+c.Param("id"))
}

func faqForm(c *gin.Context, id string) admin.FAQInput {
	return admin.FAQInput{ID: id, Question: c.PostForm("question"), Answer: c.PostForm("answer"), Clause: c.PostForm("clause")}
}

// unplacedAnswer: POST /console/unplaced/{id}/answer (faq_id, question,
// answer, clause).
func (cs *console) unplacedAnswer(c *gin.Context) {
	id, ok := unplacedID(c)
	if !ok {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	f, err := cs.Admin.AnswerUnplaced(c.Request.Context(), account(c), id, faqForm(c, c.PostForm("faq_id")))
	if err != nil {
		cs.teachingError(c, err, f, id)
		return
	}
	setAudit(c, nil, f)
	c.Redirect(http.StatusSeeOther, "/console/unplaced?ok=answered&offer="+c.Param("id"))
}

// unplacedSend: POST /console/unplaced/{id}/send: the answer taught is sent
// to those who asked within WeChat's 48-hour window.
func (cs *console) unplacedSend(c *gin.Context) {
	id, ok := unplacedID(c)
	if !ok {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	n, err := cs.Admin.SendTaughtAnswer(c.Request.Context(), account(c), id)
	if err != nil {
		_, msg := apiStatus(err)
		refused(c, msg)
		cs.teachingError(c, err, admin.FAQInput{}, 0)
		return
	}
	setAudit(c, nil, gin.H{"unplaced": id, "sent": n})
	c.Redirect(http.StatusSeeOther, "/console/unplaced?ok=sent")
}

// unplacedDismiss: POST /console/unplaced/{id}/dismiss.
func (cs *console) unplacedDismiss(c *gin.Context) {
	id, ok := unplacedID(c)
	if !ok {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	if err := cs.Admin.DismissUnplaced(c.Request.Context(), account(c), id); err != nil {
		cs.teachingError(c, err, admin.FAQInput{}, 0)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/unplaced?ok=dismissed")
}

// taughtFAQSubmit: POST /console/taught/faqs/{faq} (question, answer, clause).
func (cs *console) taughtFAQSubmit(c *gin.Context) {
	before, after, err := cs.Admin.UpdateTaughtFAQ(c.Request.Context(), account(c), faqForm(c, c.Param("faq")))
	if err != nil {
		cs.teachingError(c, err, admin.FAQInput{}, 0)
		return
	}
	setAudit(c, before, after)
	c.Redirect(http.StatusSeeOther, "/console/unplaced?ok=faq")
}

// taughtFAQDelete: POST /console/taught/faqs/{faq}/delete.
func (cs *console) taughtFAQDelete(c *gin.Context) {
	f, err := cs.Admin.DeleteTaughtFAQ(c.Request.Context(), account(c), c.Param("faq"))
	if err != nil {
		cs.teachingError(c, err, admin.FAQInput{}, 0)
		return
	}
	setAudit(c, f, nil)
	c.Redirect(http.StatusSeeOther, "/console/unplaced?ok=removed")
}

// taughtParaphraseDelete: POST /console/taught/paraphrases/{id}/delete.
func (cs *console) taughtParaphraseDelete(c *gin.Context) {
	id, ok := unplacedID(c)
	if !ok {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	tp, err := cs.Admin.DeleteTaughtParaphrase(c.Request.Context(), account(c), id)
	if err != nil {
		cs.teachingError(c, err, admin.FAQInput{}, 0)
		return
	}
	setAudit(c, tp, nil)
	c.Redirect(http.StatusSeeOther, "/console/unplaced?ok=removed")
}

func init() {
	notices["seedfaq"] = "问答已保存为新版本，公众号半分钟内即用新内容回答。"
	notices["disabled"] = "该说法已停用，公众号半分钟内不再按它识别。"
	notices["enabled"] = "该说法已恢复使用，公众号半分钟内即按它识别。"
}

// seedEditingPage: GET /console/understanding[?intent=] (officers): the
// seeded FAQ entries and paraphrases, editable.
func (cs *console) seedEditingPage(c *gin.Context) {
	d, err := cs.Admin.SeedEditing(c.Request.Context(), account(c), c.Query("intent"))
	if err != nil {
		cs.failPage(c, err)
		return
	}
	p := cs.newPage(c, "问答与说法", &d)
	p.Nav = "unplaced"
	cs.renderPage(c, http.StatusOK, "understanding", p)
}

// seedEditingError shows the page again with err's message.
func (cs *console) seedEditingError(c *gin.Context, err error, intent string) {
	status, msg := apiStatus(err)
	if status == http.StatusForbidden || status == http.StatusNotFound || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	d, derr := cs.Admin.SeedEditing(c.Request.Context(), account(c), intent)
	if derr != nil {
		cs.failPage(c, derr)
		return
	}
	p := cs.newPage(c, "问答与说法", &d)
	p.Nav, p.Error = "unplaced", msg
	cs.renderPage(c, status, "understanding", p)
}

// seedFAQSubmit: POST /console/understanding/faqs/{faq} (answer, clause).
func (cs *console) seedFAQSubmit(c *gin.Context) {
	ch, err := cs.Admin.EditSeedFAQ(c.Request.Context(), account(c), c.Param("faq"), c.PostForm("answer"), c.PostForm("clause"))
	if err != nil {
		cs.seedEditingError(c, err, "")
		return
	}
	c.Set(auditObjectKey, ch.Question)
	setAudit(c,
		gin.H{"version": ch.Before.Version, "answer": ch.Before.Answer, "clause": ch.Before.Clause},
		gin.H{"version": ch.After.Version, "answer": ch.After.Answer, "clause": ch.After.Clause})
	c.Redirect(http.StatusSeeOther, "/console/understanding?ok=seedfaq#faq-"+ch.ID)
}

// seedParaphraseDisable: POST /console/understanding/intents/{intent}/disable (text).
func (cs *console) seedParaphraseDisable(c *gin.Context) { cs.seedParaphraseSet(c, true) }

// seedParaphraseEnable: POST /console/understanding/intents/{intent}/enable (text).
func (cs *console) seedParaphraseEnable(c *gin.Context) { cs.seedParaphraseSet(c, false) }

func (cs *console) seedParaphraseSet(c *gin.Context, disabled bool) {
	intent := c.Param("intent")
	v, err := cs.Admin.SetSeedParaphrase(c.Request.Context(), account(c), intent, c.PostForm("text"), disabled)
	if err != nil {
		cs.seedEditingError(c, err, intent)
		return
	}
	title := intent
	if in, ok := cs.Bot.Policy().Intent(intent); ok {
		title = in.Title
	}
	c.Set(auditObjectKey, "“"+title+"”的说法")
	setAudit(c,
		gin.H{"paraphrase": v.Text, "in_use": disabled, "version": v.Version - 1},
		gin.H{"paraphrase": v.Text, "in_use": !disabled, "version": v.Version})
	ok := "enabled"
	if disabled {
		ok = "disabled"
	}
	c.Redirect(http.StatusSeeOther, "/console/understanding?intent="+url.QueryEscape(intent)+"&ok="+ok)
}
