package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/suzhou-amr/suzhirong/admin"
)

// listCounties: GET /api/v1/counties (county accounts: their own).
func (s *Server) listCounties(c *gin.Context) {
	list, err := s.Admin.Counties(c.Request.Context(), account(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"counties": list})
}

// patchCounty: PATCH /api/v1/counties/{county} {"contact","post","phone","robot_url"} (officers).
func (s *Server) patchCounty(c *gin.Context) {
	var req admin.CountyPatch
	if !s.bind(c, &req) {
		return
	}
	before, after, err := s.Admin.UpdateCounty(c.Request.Context(), account(c), c.Param("county"), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, before, after)
	c.JSON(http.StatusOK, after)
}

// listContacts: GET /api/v1/counties/{county}/contacts.
func (s *Server) listContacts(c *gin.Context) {
	list, err := s.Admin.Contacts(c.Request.Context(), account(c), c.Param("county"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"contacts": list})
}

// deleteContact: DELETE /api/v1/counties/{county}/contacts/{openid} unbinds.
func (s *Server) deleteContact(c *gin.Context) {
	removed, err := s.Admin.Unbind(c.Request.Context(), account(c), c.Param("county"), c.Param("openid"))
	if err != nil {
		s.fail(c, err)
		return
	}
	setAudit(c, removed, nil)
	c.Status(http.StatusNoContent)
}

// createQR: POST /api/v1/counties/{county}/qrcode creates (or returns the
// stored) permanent QR code of the county's scene (officers).
func (s *Server) createQR(c *gin.Context) {
	county, created, err := s.Admin.CountyQR(c.Request.Context(), account(c), c.Param("county"))
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		setAudit(c, nil, gin.H{"county": county.ID, "scene_id": county.SceneID, "ticket": county.QRTicket})
	}
	c.JSON(status, gin.H{"county": county.ID, "scene_id": county.SceneID, "ticket": county.QRTicket, "url": county.QRURL,
		"image": "/api/v1/counties/" + county.ID + "/qrcode.png", "created": created})
}

// qrPNG: GET /api/v1/counties/{county}/qrcode.png.
func (s *Server) qrPNG(c *gin.Context) {
	img, err := s.Admin.CountyQRImage(c.Request.Context(), account(c), c.Param("county"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Data(http.StatusOK, "image/png", img)
}
