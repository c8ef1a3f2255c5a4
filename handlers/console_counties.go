package handlers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/domain"
)

type countyRow struct {
	admin.County
	Contacts int
}

// countiesPage: GET /console/counties — a county account goes to its own.
func (cs *console) countiesPage(c *gin.Context) {
	ctx := c.Request.Context()
	acc := account(c)
	if acc.Role == domain.RoleCounty {
		c.Redirect(http.StatusSeeOther, "/console/counties/"+acc.County)
		return
	}
	list, err := cs.Admin.Counties(ctx, acc)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	rows := make([]countyRow, 0, len(list))
	for _, county := range list {
		contacts, err := cs.Admin.Contacts(ctx, acc, county.ID)
		if err != nil {
			cs.failPage(c, err)
			return
		}
		rows = append(rows, countyRow{County: county, Contacts: len(contacts)})
	}
	cs.render(c, http.StatusOK, "counties", "县区", rows)
}

type countyData struct {
	County   admin.County
	Contacts []admin.Contact
	Codes    []domain.BindCode // outstanding binding codes, newest first
	Sandbox  bool              // the QR image is rendered locally
	// What the reader may do.
	CanBind, CanEdit, CanUnbind, CanQR bool
}

// countyData loads a county as the account may see it: another county is
// 404 for a county account.
func (cs *console) countyData(c *gin.Context) (*countyData, error) {
	ctx := c.Request.Context()
	acc := account(c)
	county, err := cs.Admin.County(ctx, acc, c.Param("county"))
	if err != nil {
		return nil, err
	}
	contacts, err := cs.Admin.Contacts(ctx, acc, county.ID)
	if err != nil {
		return nil, err
	}
	d := &countyData{
		County: county, Contacts: contacts, Sandbox: cs.Bot.Client().Sandbox(),
		CanBind: acc.Can(domain.PermContactsWrite), CanEdit: acc.Can(domain.PermCountiesWrite),
		CanUnbind: acc.Can(domain.PermContactsWrite), CanQR: acc.Can(domain.PermQRCreate),
	}
	if d.CanBind {
		if d.Codes, err = cs.Leads.BindCodes(ctx, acc, county.ID); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (cs *console) renderCounty(c *gin.Context, status int, d *countyData, errMsg string) {
	p := cs.newPage(c, d.County.Name, d)
	p.Nav, p.Error = "counties", errMsg
	cs.renderPage(c, status, "county", p)
}

// countyPage: GET /console/counties/{county}.
func (cs *console) countyPage(c *gin.Context) {
	d, err := cs.countyData(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	cs.renderCounty(c, http.StatusOK, d, "")
}

// countyFormError shows the county page again with a form's error, or the
// error page when the county itself cannot be shown.
func (cs *console) countyFormError(c *gin.Context, err error) {
	status, msg := apiStatus(err)
	if status == http.StatusNotFound || status == http.StatusForbidden || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	d, derr := cs.countyData(c)
	if derr != nil {
		cs.failPage(c, derr)
		return
	}
	cs.renderCounty(c, status, d, msg)
}

// countyContactSubmit: POST /console/counties/{county}/contact (contact,
// post, phone, robot_url), officers.
func (cs *console) countyContactSubmit(c *gin.Context) {
	field := func(k string) *string { v := c.PostForm(k); return &v }
	before, after, err := cs.Admin.UpdateCounty(c.Request.Context(), account(c), c.Param("county"), admin.CountyPatch{
		Contact: field("contact"), Post: field("post"), Phone: field("phone"), RobotURL: field("robot_url"),
	})
	if err != nil {
		cs.countyFormError(c, err)
		return
	}
	setAudit(c, before, after)
	c.Redirect(http.StatusSeeOther, "/console/counties/"+c.Param("county")+"?ok=contact")
}

// bindCodeSubmit: POST /console/counties/{county}/bind-codes — the code is
// shown once, on the page this answers with.
func (cs *console) bindCodeSubmit(c *gin.Context) {
	if _, err := cs.Admin.County(c.Request.Context(), account(c), c.Param("county")); err != nil {
		cs.failPage(c, err)
		return
	}
	bc, err := cs.Leads.NewBindCode(c.Request.Context(), account(c), c.Param("county"))
	if err != nil {
		cs.countyFormError(c, err)
		return
	}
	setAudit(c, nil, gin.H{"county": bc.County, "expires_at": bc.ExpiresAt})
	// POST-redirect-GET: the page lists the outstanding codes, so a reload
	// shows them again and mints nothing.
	c.Redirect(http.StatusSeeOther, "/console/counties/"+bc.County+"?ok=code#bind-codes")
}

// bindCodeRevoke: POST /console/counties/{county}/bind-codes/{code}/revoke.
func (cs *console) bindCodeRevoke(c *gin.Context) {
	if err := cs.Leads.RevokeBindCode(c.Request.Context(), account(c), c.Param("county"), c.Param("code")); err != nil {
		cs.countyFormError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/counties/"+c.Param("county")+"?ok=revoke#bind-codes")
}

// unbindSubmit: POST /console/counties/{county}/unbind (openid).
func (cs *console) unbindSubmit(c *gin.Context) {
	county := c.Param("county")
	if c.PostForm("confirm") != "1" {
		cs.countyFormError(c, domain.Errorf(domain.ErrInvalid, "请勾选“确认解除”后再解除绑定：解除后该联系人不再收到本县区的申请提醒"))
		return
	}
	removed, err := cs.Admin.Unbind(c.Request.Context(), account(c), county, strings.TrimSpace(c.PostForm("openid")))
	if err != nil {
		cs.countyFormError(c, err)
		return
	}
	setAudit(c, removed, nil)
	c.Redirect(http.StatusSeeOther, "/console/counties/"+county+"?ok=unbind")
}

// qrSubmit: POST /console/counties/{county}/qrcode — creates the county's
// permanent QR code on first use (officers).
func (cs *console) qrSubmit(c *gin.Context) {
	if _, _, err := cs.Admin.CountyQR(c.Request.Context(), account(c), c.Param("county")); err != nil {
		cs.countyFormError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/counties/"+c.Param("county")+"?ok=qr")
}

// qrImage: GET /console/counties/{county}/qrcode.png[?download=1].
func (cs *console) qrImage(c *gin.Context) {
	county := c.Param("county")
	img, err := cs.Admin.CountyQRImage(c.Request.Context(), account(c), county)
	if err != nil {
		status, _ := apiStatus(err)
		if status >= http.StatusInternalServerError {
			cs.failPage(c, err)
			return
		}
		c.Status(status)
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	if c.Query("download") != "" {
		c.Header("Content-Disposition", `attachment; filename="`+county+`-qrcode.png"`)
	}
	c.Data(http.StatusOK, "image/png", img)
}
