package handlers_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/suzhou-amr/suzhirong/admin"
	"github.com/suzhou-amr/suzhirong/app/apptest"
	"github.com/suzhou-amr/suzhirong/bot"
	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/leads"
	"github.com/suzhou-amr/suzhirong/store"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// adminSvc is the whole service as main wires it, with the lead pipeline,
// a test clock, and outbound calls caught by the fake WeChat API (or, with
// sandbox, recorded in the database).
type adminSvc struct {
	*leadsSvc
	clock  *apptest.Clock
	bot    *bot.Bot
	uc     *admin.Service // the administration's use cases
	lp     *leads.Service // the lead pipeline
	client *wechat.Client
	admin  string // officer token
	rdb    *store.Redis
	prefix string // of the sessions' keys
}

func mustAdminSvc(tb testing.TB, sandbox bool) *adminSvc {
	tb.Helper()
	db, rdb, prefix, fake := mustStores(tb, nil, nil)
	appID := ""
	if !sandbox {
		app := make([]byte, 8)
		rand.Read(app)
		appID = "wx" + hex.EncodeToString(app)
	}
	// The tests move this clock by hours and days within one month
	// (quotas and reports are per Shanghai month): in a month's last days
	// it starts three days earlier. Pushes are signed on it.
	start := time.Now()
	if start.In(domain.Shanghai).AddDate(0, 0, 3).Month() != start.In(domain.Shanghai).Month() {
		start = start.AddDate(0, 0, -3)
	}
	clk := apptest.NewClock(start)
	in := mustWire(tb, db, rdb, prefix, fake, wiring{token: leadsToken, appID: appID, now: clk.Now})
	s := &adminSvc{
		leadsSvc: &leadsSvc{tb: tb, handler: in.handler, db: db, fake: fake, outbox: in.outbox, policy: in.policy, now: clk.Now},
		clock:    clk, bot: in.bot, uc: in.admin, lp: in.leads, client: in.client, rdb: rdb, prefix: prefix,
	}
	s.admin = s.login("admin", leadsAdminPass)
	return s
}

// forgetState drops a follower's conversation state, as its expiry does:
// the next message starts from the profile in the database.
func (s *adminSvc) forgetState(openID string) {
	s.tb.Helper()
	if err := s.rdb.Del(context.Background(), s.prefix+"state:{"+openID+"}").Err(); err != nil {
		s.tb.Fatal(err)
	}
}

// roles are the accounts every endpoint is tried with.
type roles struct {
	officer, county, otherCounty, viewer string
}

// mustRoles creates a county account of kunshan, one of sip and a viewer.
func (s *adminSvc) mustRoles() roles {
	s.tb.Helper()
	return roles{
		officer:     s.admin,
		county:      s.createUser(s.admin, "ks-"+randomSuffix(), "county", "kunshan"),
		otherCounty: s.createUser(s.admin, "sip-"+randomSuffix(), "county", "sip"),
		viewer:      s.createUser(s.admin, "viewer-"+randomSuffix(), "viewer", ""),
	}
}

func randomSuffix() string {
	b := make([]byte, 3)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// mass sends a MASSSENDJOBFINISH push and returns the reply ("" = success).
func (s *adminSvc) massFinished(msgID int64, status string, total, filter, sent, errs int64) string {
	s.tb.Helper()
	return s.push(fmt.Sprintf("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event>"+
		"<MsgID>%d</MsgID><Status><![CDATA[%s]]></Status><TotalCount>%d</TotalCount><FilterCount>%d</FilterCount>"+
		"<SentCount>%d</SentCount><ErrorCount>%d</ErrorCount>", msgID, status, total, filter, sent, errs), "gh_sys")
}

// status calls the API and returns only the status.
func (s *adminSvc) status(method, path, token string, body any) int {
	s.tb.Helper()
	return s.api(method, path, token, body, nil)
}
