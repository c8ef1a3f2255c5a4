package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/domain"
)

const accountKey = "account"

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate lets a request with a valid token through, with its account
// in the context; anything else is 401.
func (s *Server) authenticate(c *gin.Context) {
	acc, err := s.Admin.Authenticate(c.Request.Context(), bearer(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(accountKey, acc)
	if acc.MustChangePassword {
		switch c.FullPath() {
		case "/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout":
		default:
			s.fail(c, domain.Errorf(domain.ErrForbidden, "请先修改初始密码（PUT /api/v1/me/password）"))
			return
		}
	}
	s.audited(c)
}

// logLoginFailure logs a failed or held-back sign-in or password check
// with the client's address and the username masked.
func (s *Server) logLoginFailure(c *gin.Context, username string, err error) {
	msg := "login failed"
	if errors.Is(err, domain.ErrLocked) {
		msg = "login held back by the throttle"
	} else if !errors.Is(err, domain.ErrUnauthorized) && !errors.Is(err, domain.ErrInvalid) {
		return
	}
	s.Log.Warn(msg, slog.String("ip", c.ClientIP()), slog.String("user", maskUser(username)), slog.String("path", c.FullPath()))
}

// maskUser keeps the first and last character of a username.
func maskUser(u string) string {
	r := []rune(u)
	switch {
	case len(r) == 0:
		return ""
	case len(r) <= 2:
		return string(r[0]) + "***"
	}
	return string(r[0]) + "***" + string(r[len(r)-1])
}

// account returns the authenticated account.
func account(c *gin.Context) domain.Account {
	acc, _ := c.MustGet(accountKey).(domain.Account)
	return acc
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// login: POST /api/v1/auth/login {"username","password"} → {"token"}.
func (s *Server) login(c *gin.Context) {
	var req loginRequest
	if !s.bind(c, &req) {
		return
	}
	token, acc, err := s.Admin.Login(c.Request.Context(), req.Username, req.Password, c.ClientIP())
	s.auditLogin(c, req.Username, acc, err)
	if err != nil {
		s.logLoginFailure(c, req.Username, err)
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"token": token, "expires_in": int(domain.TokenTTL.Seconds()), "account": accountJSON(acc)})
}

// logout: POST /api/v1/auth/logout revokes the token used.
func (s *Server) logout(c *gin.Context) {
	if err := s.Admin.Logout(c.Request.Context(), bearer(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type accountView struct {
	ID       uint64 `json:"id"`
	Username string `json:"username"`
	Role     string `json:"role"`
	County   string `json:"county,omitempty"`
	OpenID   string `json:"openid,omitempty"`
	// MustChangePassword: only a password change is allowed until done.
	MustChangePassword bool `json:"must_change_password,omitempty"`
	// Institution is the cooperating institution of an institution account.
	Institution uint64 `json:"institution,omitempty"`
}

func accountJSON(a domain.Account) accountView {
	return accountView{ID: a.ID, Username: a.Username, Role: a.Role, County: a.County, OpenID: a.OpenID,
		MustChangePassword: a.MustChangePassword, Institution: a.Institution}
}

// me: GET /api/v1/me.
func (s *Server) me(c *gin.Context) {
	c.JSON(http.StatusOK, accountJSON(account(c)))
}

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// changePassword: PUT /api/v1/me/password {"current","new"}; the account's
// other sessions end.
func (s *Server) changePassword(c *gin.Context) {
	var req passwordRequest
	if !s.bind(c, &req) {
		return
	}
	if err := s.Admin.ChangePassword(c.Request.Context(), account(c), req.Current, req.New, bearer(c), c.ClientIP()); err != nil {
		s.logLoginFailure(c, account(c).Username, err)
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type userRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Role     string `json:"role"`
	County   string `json:"county"`
	OpenID   string `json:"openid"`
	Name     string `json:"name"`
	// Institution is the cooperating institution of an institution account.
	Institution uint64 `json:"institution"`
	Mobile      string `json:"mobile"`
}

// createUser: POST /api/v1/users (officers only).
func (s *Server) createUser(c *gin.Context) {
	var req userRequest
	if !s.bind(c, &req) {
		return
	}
	acc, err := s.Admin.CreateAccount(c.Request.Context(), account(c), domain.NewAccount{
		Username: req.Username, Password: req.Password, Role: req.Role, County: req.County, OpenID: req.OpenID,
		Name: req.Name, Institution: req.Institution, Mobile: req.Mobile,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, nil, accountAdminJSON(acc))
	c.JSON(http.StatusCreated, accountJSON(acc))
}
