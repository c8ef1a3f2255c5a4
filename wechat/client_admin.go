package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"github.com/suzhou-amr/suzhirong/domain"
)

// The outbound calls of the officers' side: mass sends, user tags and QR
// images. Mass sends are made here with the access token rather than
// through silenceper's broadcast package, whose Preview mutates the shared
// Broadcast (the next send becomes a preview, and a preview to a nil user
// goes to everyone) and which sends no clientmsgid.

// DefaultShowQRBase is where WeChat serves the image of a QR ticket.
const DefaultShowQRBase = "https://mp.weixin.qq.com"

// ErrCodeClientMsgIDExists is WeChat's answer to a mass send whose
// clientmsgid was used before: the earlier job's msg_id comes with it.
const ErrCodeClientMsgIDExists = 45065

// ErrCodeTagExists is WeChat's answer to creating a tag name that exists.
const ErrCodeTagExists = 45157

var sandboxSeq atomic.Int64

// SetShowQRBase points QR image fetches at base (a fake server in tests).
func (c *Client) SetShowQRBase(base string) { c.showQRBase = strings.TrimRight(base, "/") }

// do calls a WeChat API path with the access token: POST with body as JSON,
// or GET when body is nil. The answer is decoded into out even when it
// carries an errcode, which is returned as *APIError.
func (c *Client) do(ctx context.Context, path string, body, out any) error {
	return c.withToken(ctx, func() error {
		token, err := c.token.GetAccessTokenContext(ctx)
		if err != nil {
			return fmt.Errorf("access token: %w", err)
		}
		uri := DefaultAPIBase + path + "?access_token=" + url.QueryEscape(token)
		var b []byte
		if body == nil {
			b, err = util.HTTPGetContext(ctx, uri)
		} else {
			b, err = util.PostJSONContext(ctx, uri, body)
		}
		if err != nil {
			return fmt.Errorf("call %s: %w", path, err)
		}
		var res struct {
			ErrCode int64  `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			return fmt.Errorf("call %s: decode: %w", path, err)
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				return fmt.Errorf("call %s: decode: %w", path, err)
			}
		}
		if res.ErrCode != 0 {
			return &APIError{Code: res.ErrCode, Msg: res.ErrMsg}
		}
		return nil
	})
}

// MassMessage is the content of a mass send: a text, or an article (图文)
// of the account's library by media_id.
type MassMessage struct {
	Kind    string // "text" or "news"
	Content string // the text, or the media_id
}

func (m MassMessage) body() map[string]any {
	if m.Kind == "news" {
		return map[string]any{"msgtype": "mpnews", "mpnews": map[string]string{"media_id": m.Content}, "send_ignore_reprint": 0}
	}
	return map[string]any{"msgtype": "text", "text": map[string]string{"content": m.Content}}
}

// MassPreview sends m to one follower as a preview (message/mass/preview).
// An empty openid is refused here: WeChat's API needs a touser, and a
// preview must never reach anyone else.
func (c *Client) MassPreview(ctx context.Context, openID string, m MassMessage) error {
	if strings.TrimSpace(openID) == "" {
		return errors.New("mass preview: no openid")
	}
	body := m.body()
	body["touser"] = openID
	if c.Sandbox() {
		return c.record(ctx, "message/mass/preview", openID, body)
	}
	return c.do(ctx, "/cgi-bin/message/mass/preview", body, nil)
}

// MassTarget is who a mass send reaches: every follower, said explicitly,
// or the followers of one tag. The zero value reaches nobody (it is
// refused), so a forgotten tag can never become "everyone".
type MassTarget struct {
	All   bool
	TagID int64
}

// ErrReservedTag is the error of a tag id WeChat reserves for itself.
var ErrReservedTag = errors.New("tag id reserved by WeChat")

// MassSend sends m to target (message/mass/sendall). clientMsgID makes the
// send idempotent at WeChat: a retry with the same id returns the first
// job's msg_id instead of sending again.
func (c *Client) MassSend(ctx context.Context, target MassTarget, m MassMessage, clientMsgID string) (msgID, msgDataID int64, err error) {
	body := m.body()
	filter := map[string]any{"is_to_all": target.All}
	if !target.All {
		if !domain.UsableTagID(target.TagID) {
			return 0, 0, Permanent(fmt.Errorf("mass send to tag %d: %w", target.TagID, ErrReservedTag))
		}
		filter["tag_id"] = target.TagID
	}
	body["filter"] = filter
	body["clientmsgid"] = clientMsgID
	if c.Sandbox() {
		id := time.Now().UnixNano()/1000 + sandboxSeq.Add(1)
		return id, id, c.record(ctx, "message/mass/sendall", "", body)
	}
	var res struct {
		MsgID     int64 `json:"msg_id"`
		MsgDataID int64 `json:"msg_data_id"`
	}
	err = c.do(ctx, "/cgi-bin/message/mass/sendall", body, &res)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == ErrCodeClientMsgIDExists && res.MsgID != 0 {
		return res.MsgID, res.MsgDataID, nil
	}
	return res.MsgID, res.MsgDataID, err
}

// CreateTag creates a user tag and returns its id; a name that exists
// already is looked up instead.
func (c *Client) CreateTag(ctx context.Context, name string) (int64, error) {
	if c.Sandbox() {
		id := 100 + sandboxSeq.Add(1)
		return id, c.record(ctx, "tags/create", "", map[string]any{"tag": map[string]string{"name": name}})
	}
	var res struct {
		Tag struct {
			ID int64 `json:"id"`
		} `json:"tag"`
	}
	err := c.do(ctx, "/cgi-bin/tags/create", map[string]any{"tag": map[string]string{"name": name}}, &res)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == ErrCodeTagExists {
		var all struct {
			Tags []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"tags"`
		}
		if err := c.do(ctx, "/cgi-bin/tags/get", nil, &all); err != nil {
			return 0, fmt.Errorf("tag %s exists: %w", name, err)
		}
		for _, t := range all.Tags {
			if t.Name == name {
				return t.ID, nil
			}
		}
		return 0, fmt.Errorf("tag %s exists but is not listed: %w", name, err)
	}
	if err != nil {
		return 0, fmt.Errorf("create tag %s: %w", name, err)
	}
	return res.Tag.ID, nil
}

// TagMembers returns the openids carrying a tag (user/tag/get, paged).
func (c *Client) TagMembers(ctx context.Context, tagID int64) ([]string, error) {
	if c.Sandbox() {
		return nil, nil
	}
	var out []string
	next := ""
	for range 1000 {
		var res struct {
			Count int `json:"count"`
			Data  struct {
				OpenID []string `json:"openid"`
			} `json:"data"`
			NextOpenID string `json:"next_openid"`
		}
		if err := c.do(ctx, "/cgi-bin/user/tag/get", map[string]any{"tagid": tagID, "next_openid": next}, &res); err != nil {
			return nil, fmt.Errorf("tag %d members: %w", tagID, err)
		}
		out = append(out, res.Data.OpenID...)
		if res.Count == 0 || res.NextOpenID == "" || res.NextOpenID == next {
			break
		}
		next = res.NextOpenID
	}
	return out, nil
}

// TagBatchSize is the most openids WeChat takes in one (un)tagging call;
// the service sends batches of 50.
const TagBatchSize = 50

// TagUsers adds (or with untag removes) a tag on openIDs, in batches of
// TagBatchSize (tags/members/batchtagging, batchuntagging).
func (c *Client) TagUsers(ctx context.Context, tagID int64, openIDs []string, untag bool) error {
	path := "/cgi-bin/tags/members/batchtagging"
	if untag {
		path = "/cgi-bin/tags/members/batchuntagging"
	}
	for start := 0; start < len(openIDs); start += TagBatchSize {
		batch := openIDs[start:min(start+TagBatchSize, len(openIDs))]
		body := map[string]any{"openid_list": batch, "tagid": tagID}
		var err error
		if c.Sandbox() {
			err = c.record(ctx, strings.TrimPrefix(path, "/cgi-bin/"), "", body)
		} else {
			err = c.do(ctx, path, body, nil)
		}
		if err != nil {
			return fmt.Errorf("tag %d users: %w", tagID, err)
		}
	}
	return nil
}

// QRImage fetches the image of a QR ticket from WeChat's showqrcode.
func (c *Client) QRImage(ctx context.Context, ticket string) ([]byte, error) {
	base := c.showQRBase
	if base == "" {
		base = DefaultShowQRBase
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/cgi-bin/showqrcode?ticket="+url.QueryEscape(ticket), nil)
	if err != nil {
		return nil, err
	}
	resp, err := util.DefaultHTTPClient.Do(req)
	if err != nil {
		return nil, redact(fmt.Errorf("fetch qr image: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch qr image: status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 2<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch qr image: %w", err)
	}
	return b, nil
}

// Material is an article (图文) of the account's library.
type Material struct {
	MediaID   string    `json:"media_id"`
	Title     string    `json:"title"`
	UpdatedAt time.Time `json:"updated_at"`
}

// NewsMaterials lists the articles of the account's library, newest
// first (material/batchget_material, up to 100). In sandbox mode there is
// no library: nil.
func (c *Client) NewsMaterials(ctx context.Context) ([]Material, error) {
	if c.Sandbox() {
		return nil, nil
	}
	var out []Material
	for offset := 0; offset < 100; offset += 20 {
		var res struct {
			Total int `json:"total_count"`
			Count int `json:"item_count"`
			Item  []struct {
				MediaID string `json:"media_id"`
				Updated int64  `json:"update_time"`
				Content struct {
					News []struct {
						Title string `json:"title"`
					} `json:"news_item"`
				} `json:"content"`
			} `json:"item"`
		}
		if err := c.do(ctx, "/cgi-bin/material/batchget_material", map[string]any{"type": "news", "offset": offset, "count": 20}, &res); err != nil {
			return nil, fmt.Errorf("news materials: %w", err)
		}
		for _, it := range res.Item {
			m := Material{MediaID: it.MediaID, UpdatedAt: time.Unix(it.Updated, 0).UTC()}
			if len(it.Content.News) > 0 {
				m.Title = it.Content.News[0].Title
			}
			out = append(out, m)
		}
		if res.Count < 20 || offset+res.Count >= res.Total {
			break
		}
	}
	slices.SortFunc(out, func(a, b Material) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	return out, nil
}
