package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
)

// resetFlashCookie carries a reset password from the form's redirect to
// the page that shows it once (POST-redirect-GET: a reload shows nothing
// and resets nothing).
const resetFlashCookie = "szr_reset"

type accountRow struct {
	domain.Account
	Self bool
}

type accountsData struct {
	Rows     []accountRow
	Counties []option
	Roles    []option
	// Institutions are the cooperating institutions an institution
	// account may belong to.
	Institutions []option
	Reach        int // WeChat users SLA escalations reach
	// Form keeps what was typed after an error.
	Form struct{ Username, Name, Mobile, Role, County, Institution string }
	// Reset is a password just reset, shown once, with its account.
	Reset, ResetUser string
	// OwnCode is the officer's outstanding code to bind their own WeChat.
	OwnCode string
}

func (cs *console) accountsData(c *gin.Context) (*accountsData, error) {
	acc := account(c)
	accs, err := cs.Admin.Accounts(c.Request.Context(), acc)
	if err != nil {
		return nil, err
	}
	d := &accountsData{Counties: cs.countyOptions(acc), Roles: []option{
		{domain.RoleCounty, roleLabel(domain.RoleCounty)}, {domain.RoleOfficer, roleLabel(domain.RoleOfficer)},
		{domain.RoleViewer, roleLabel(domain.RoleViewer)}, {domain.RoleInstitution, roleLabel(domain.RoleInstitution)},
	}}
	if acc.Can(domain.PermInstRead) {
		insts, err := cs.Leads.Institutions(c.Request.Context(), acc)
		if err != nil {
			return nil, err
		}
		for _, in := range insts {
			d.Institutions = append(d.Institutions, option{strconv.FormatUint(in.ID, 10), in.Name})
		}
	}
	for _, a := range accs {
		d.Rows = append(d.Rows, accountRow{Account: a, Self: a.ID == acc.ID})
	}
	if d.Reach, err = cs.Admin.EscalationReach(c.Request.Context()); err != nil {
		return nil, err
	}
	if bc, ok := cs.Admin.PendingOwnBindCode(c.Request.Context(), acc); ok {
		d.OwnCode = bc.Code
	}
	return d, nil
}

// accountsPage: GET /console/accounts (officers) — 账号管理.
func (cs *console) accountsPage(c *gin.Context) {
	d, err := cs.accountsData(c)
	if err != nil {
		cs.failPage(c, err)
		return
	}
	if v, err := c.Cookie(resetFlashCookie); err == nil && v != "" {
		c.SetCookieData(&http.Cookie{Name: resetFlashCookie, Path: "/console/accounts", MaxAge: -1,
			Secure: secure(c), HttpOnly: true, SameSite: http.SameSiteStrictMode})
		if user, pw, ok := strings.Cut(v, ":"); ok {
			d.ResetUser, d.Reset = user, pw
		}
	}
	cs.render(c, http.StatusOK, "accounts", "账号管理", d)
}

// accountsError shows the page again with err's message and what was typed.
func (cs *console) accountsError(c *gin.Context, err error) {
	status, msg := apiStatus(err)
	if status == http.StatusForbidden || status == http.StatusNotFound || status >= http.StatusInternalServerError {
		cs.failPage(c, err)
		return
	}
	d, derr := cs.accountsData(c)
	if derr != nil {
		cs.failPage(c, derr)
		return
	}
	d.Form.Username, d.Form.Name = strings.TrimSpace(c.PostForm("username")), strings.TrimSpace(c.PostForm("name"))
	d.Form.Role, d.Form.County = c.PostForm("role"), c.PostForm("county")
	d.Form.Mobile, d.Form.Institution = strings.TrimSpace(c.PostForm("mobile")), c.PostForm("institution")
	p := cs.newPage(c, "账号管理", d)
	p.Error = msg
	cs.renderPage(c, status, "accounts", p)
}

// accountCreate: POST /console/accounts (username, name, role, county,
// password, repeat).
func (cs *console) accountCreate(c *gin.Context) {
	acc := account(c)
	if c.PostForm("password") != c.PostForm("repeat") {
		cs.accountsError(c, domain.Errorf(domain.ErrInvalid, "两次输入的初始密码不一致"))
		return
	}
	role, county := c.PostForm("role"), c.PostForm("county")
	if role != domain.RoleCounty {
		county = ""
	}
	var inst uint64
	if role == domain.RoleInstitution {
		inst, _ = strconv.ParseUint(c.PostForm("institution"), 10, 64)
		if inst == 0 {
			cs.accountsError(c, domain.Errorf(domain.ErrInvalid, "请选择金融机构账号所属的合作金融机构"))
			return
		}
	}
	created, err := cs.Admin.CreateAccount(c.Request.Context(), acc, domain.NewAccount{
		Username: strings.TrimSpace(c.PostForm("username")), Password: c.PostForm("password"), Role: role, County: county,
		Name: strings.TrimSpace(c.PostForm("name")), Mobile: strings.TrimSpace(c.PostForm("mobile")), MustChangePassword: true,
		Institution: inst,
	})
	if err != nil {
		cs.accountsError(c, err)
		return
	}
	setAudit(c, nil, accountAdminJSON(created))
	c.Redirect(http.StatusSeeOther, "/console/accounts?ok=account")
}

// accountAction: POST /console/accounts/:id/{disable,enable,reset}, and
// /console/accounts/me/bind-code for an officer's own WeChat (POST-redirect-
// GET: the page shows the outstanding code; a reload mints nothing).
func (cs *console) accountAction(c *gin.Context) {
	if c.Param("id") == "me" && c.Param("action") == "bind-code" {
		if _, err := cs.Admin.OwnBindCode(c.Request.Context(), account(c)); err != nil {
			cs.accountsError(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/console/accounts?ok=bindcode")
		return
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		cs.failPage(c, domain.ErrNotFound)
		return
	}
	ctx, acc := c.Request.Context(), account(c)
	switch c.Param("action") {
	case "disable", "enable":
		before, after, revoked, err := cs.Admin.SetAccountDisabled(ctx, acc, id, c.Param("action") == "disable")
		if err != nil {
			cs.accountsError(c, err)
			return
		}
		setAudit(c, accountAdminJSON(before), revokedAudit(accountAdminJSON(after), after.Disabled, revoked))
		c.Redirect(http.StatusSeeOther, "/console/accounts?ok="+c.Param("action"))
	case "reset":
		target, password, err := cs.Admin.ResetAccountPassword(ctx, acc, id)
		if err != nil {
			cs.accountsError(c, err)
			return
		}
		setAudit(c, nil, gin.H{"username": target.Username, "password_reset": true})
		c.SetCookieData(&http.Cookie{Name: resetFlashCookie, Value: target.Username + ":" + password, Path: "/console/accounts",
			MaxAge: 120, Secure: secure(c), HttpOnly: true, SameSite: http.SameSiteStrictMode})
		c.Redirect(http.StatusSeeOther, "/console/accounts")
	default:
		cs.failPage(c, domain.ErrNotFound)
	}
}
