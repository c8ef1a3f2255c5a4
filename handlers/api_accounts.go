package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
)

// accountAdminView is an account as officers manage it.
type accountAdminView struct {
	accountView
	Name        string     `json:"name,omitempty"`
	Mobile      string     `json:"mobile,omitempty"`
	Disabled    bool       `json:"disabled"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

func accountAdminJSON(a domain.Account) accountAdminView {
	v := accountAdminView{accountView: accountJSON(a), Name: a.Name, Mobile: a.Mobile, Disabled: a.Disabled, CreatedAt: a.CreatedAt}
	if !a.LastLoginAt.IsZero() {
		t := a.LastLoginAt
		v.LastLoginAt = &t
	}
	return v
}

// accountID reads the :id of an account route.
func accountID(c *gin.Context) (uint64, error) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil {
		return 0, domain.Errorf(domain.ErrNotFound, "")
	}
	return id, nil
}

// listUsers: GET /api/v1/users (officers).
func (s *Server) listUsers(c *gin.Context) {
	accs, err := s.Admin.Accounts(c.Request.Context(), account(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]accountAdminView, 0, len(accs))
	for _, a := range accs {
		items = append(items, accountAdminJSON(a))
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

type userPatch struct {
	Disabled *bool   `json:"disabled"`
	Name     *string `json:"name"`
}

// patchUser: PATCH /api/v1/users/{id} {"disabled","name"} (officers).
// Disabling ends the account's sessions at once.
func (s *Server) patchUser(c *gin.Context) {
	id, err := accountID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var req userPatch
	if !s.bind(c, &req) {
		return
	}
	if req.Disabled == nil && req.Name == nil {
		s.fail(c, domain.Errorf(domain.ErrInvalid, "请至少修改 disabled、name 中的一项"))
		return
	}
	ctx, acc := c.Request.Context(), account(c)
	var before, after domain.Account
	var revoked domain.Revoked
	if req.Name != nil {
		if before, after, err = s.Admin.SetAccountName(ctx, acc, id, *req.Name); err != nil {
			s.fail(c, err)
			return
		}
	}
	if req.Disabled != nil {
		b, a, r, err := s.Admin.SetAccountDisabled(ctx, acc, id, *req.Disabled)
		if err != nil {
			s.fail(c, err)
			return
		}
		if req.Name == nil {
			before = b
		}
		after, revoked = a, r
	}
	setAudit(c, accountAdminJSON(before), revokedAudit(accountAdminJSON(after), after.Disabled, revoked))
	c.JSON(http.StatusOK, accountAdminJSON(after))
}

// resetUserPassword: POST /api/v1/users/{id}/reset-password (officers) →
// {"password"}: a generated password, to be changed at the next sign-in.
func (s *Server) resetUserPassword(c *gin.Context) {
	id, err := accountID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	target, password, err := s.Admin.ResetAccountPassword(c.Request.Context(), account(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, nil, gin.H{"username": target.Username, "password_reset": true})
	c.JSON(http.StatusOK, gin.H{"password": password, "must_change_password": true})
}
