package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/suzhou-amr/suzhirong/domain"
	"github.com/suzhou-amr/suzhirong/wechat"
)

// Broadcasts (群发): officers write a draft, preview it on one follower's
// phone, and send it to everyone, a tier or a county; tiers and counties
// are WeChat user tags kept in sync with the follower profiles. A 服务号
// has dialog.MassSendsPerMonth sends a month (Asia/Shanghai months).

// Broadcast is a broadcast as the API and the console show it.
type Broadcast struct {
	ID            uint64     `json:"id"`
	Title         string     `json:"title"`
	Kind          string     `json:"kind"`
	Content       string     `json:"content"`
	AudienceType  string     `json:"audience_type"`
	AudienceValue string     `json:"audience_value,omitempty"`
	AudienceLabel string     `json:"audience_label"`
	Status        string     `json:"status"`
	MsgID         int64      `json:"msg_id,omitempty"`
	MsgDataID     int64      `json:"msg_data_id,omitempty"`
	TotalCount    int64      `json:"total_count"`
	FilterCount   int64      `json:"filter_count"`
	SentCount     int64      `json:"sent_count"`
	ErrorCount    int64      `json:"error_count"`
	Result        string     `json:"result,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedBy     string     `json:"created_by"`
	SentBy        string     `json:"sent_by,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
}

func (s *Service) toBroadcast(r domain.Broadcast) Broadcast {
	return Broadcast{
		ID: r.ID, Title: r.Title, Kind: r.Kind, Content: r.Content, AudienceType: r.AudienceType, AudienceValue: r.AudienceValue,
		AudienceLabel: s.AudienceLabel(domain.Audience{Type: r.AudienceType, Value: r.AudienceValue}),
		Status:        r.Status, MsgID: r.MsgID, MsgDataID: r.MsgDataID, TotalCount: r.TotalCount, FilterCount: r.FilterCount,
		SentCount: r.SentCount, ErrorCount: r.ErrorCount, Result: r.Result, LastError: r.LastError,
		CreatedBy: r.CreatedBy, SentBy: r.SentBy, CreatedAt: r.CreatedAt, SentAt: r.SentAt, FinishedAt: r.FinishedAt,
	}
}

// AudienceLabel names an audience for people: 全部关注者, 质量信誉Ⅱ类, 昆山市.
func (s *Service) AudienceLabel(a domain.Audience) string {
	switch a.Type {
	case domain.AudienceAll:
		return "全部关注者"
	case domain.AudienceTier:
		if n, err := strconv.Atoi(a.Value); err == nil && n >= 1 && n <= 4 {
			return domain.TierTagName(domain.Tier(n))
		}
	case domain.AudienceCounty:
		if c, ok := s.policy().County(a.Value); ok {
			return c.Name
		}
	}
	return a.Type + ":" + a.Value
}

// NewBroadcast is a broadcast to create.
type NewBroadcast struct {
	Title    string
	Kind     string // "text" (default) or "news"
	Content  string
	Audience domain.Audience
}

// CreateBroadcast validates and stores a draft (officers only).
func (s *Service) CreateBroadcast(ctx context.Context, acc domain.Account, n NewBroadcast) (Broadcast, error) {
	if err := acc.Require(domain.PermBroadcastWrite); err != nil {
		return Broadcast{}, err
	}
	if err := s.checkBroadcast(ctx, &n); err != nil {
		return Broadcast{}, err
	}
	r, err := s.broadcasts.CreateBroadcast(ctx, domain.Broadcast{Title: n.Title, Kind: n.Kind, Content: n.Content,
		AudienceType: n.Audience.Type, AudienceValue: n.Audience.Value, CreatedBy: acc.Username})
	if err != nil {
		return Broadcast{}, err
	}
	return s.toBroadcast(r), nil
}

// checkBroadcast tidies and validates a draft as written: the kind
// defaults to text, a 图文 must be in the account's library.
func (s *Service) checkBroadcast(ctx context.Context, n *NewBroadcast) error {
	if n.Kind == "" {
		n.Kind = domain.BroadcastText
	}
	n.Title = strings.TrimSpace(n.Title)
	if n.Kind == domain.BroadcastNews {
		n.Content = strings.TrimSpace(n.Content)
	}
	if err := domain.ValidateBroadcast(s.policy().Counties, n.Title, n.Kind, n.Content, n.Audience); err != nil {
		return err
	}
	return s.checkMaterial(ctx, n.Kind, n.Content)
}

// GetBroadcast returns one broadcast.
func (s *Service) GetBroadcast(ctx context.Context, acc domain.Account, id uint64) (Broadcast, error) {
	if err := acc.Require(domain.PermBroadcastRead); err != nil {
		return Broadcast{}, err
	}
	r, err := s.broadcasts.Broadcast(ctx, id)
	if err != nil {
		return Broadcast{}, err
	}
	return s.toBroadcast(r), nil
}

// BroadcastList is a month's broadcasts with what is left of the quota.
type BroadcastList struct {
	Month          string      `json:"month"`
	Items          []Broadcast `json:"items"`
	Sent           int         `json:"sent"`            // mass sends used this month
	Quota          int         `json:"quota"`           // dialog.MassSendsPerMonth
	QuotaRemaining int         `json:"quota_remaining"` // sends left this month
	Warning        string      `json:"warning,omitempty"`
}

// quotaWarning is shown when one send is left, or none.
func quotaWarning(remaining int) string {
	switch remaining {
	case 1:
		return "本月仅剩最后1次群发额度，发送前请确认内容与对象"
	case 0:
		return "本月群发额度已用完"
	}
	return ""
}

// Broadcasts returns the broadcasts of month ("" for this month) and, for
// the current month, the quota left.
func (s *Service) Broadcasts(ctx context.Context, acc domain.Account, month string) (BroadcastList, error) {
	if err := acc.Require(domain.PermBroadcastRead); err != nil {
		return BroadcastList{}, err
	}
	from, to, err := domain.ParseMonth(month, s.now())
	if err != nil {
		return BroadcastList{}, err
	}
	rows, err := s.broadcasts.Broadcasts(ctx, from, to)
	if err != nil {
		return BroadcastList{}, err
	}
	sent, err := s.broadcasts.MassSendsIn(ctx, from, to)
	if err != nil {
		return BroadcastList{}, err
	}
	l := BroadcastList{Month: from.Format("2006-01"), Items: []Broadcast{}, Sent: sent, Quota: domain.MassSendsPerMonth}
	l.QuotaRemaining = max(0, l.Quota-sent)
	l.Warning = quotaWarning(l.QuotaRemaining)
	for _, r := range rows {
		l.Items = append(l.Items, s.toBroadcast(r))
	}
	return l, nil
}

// PreviewBroadcast sends a broadcast to one follower only
// (message/mass/preview), for the officer to check it on a phone: their own
// bound WeChat when openID is empty, else a follower who follows the
// account now. A preview never goes to anyone else, and a made-up openid
// is refused rather than reported as sent.
func (s *Service) PreviewBroadcast(ctx context.Context, acc domain.Account, id uint64, openID string) error {
	if err := acc.Require(domain.PermBroadcastWrite); err != nil {
		return err
	}
	openID = strings.TrimSpace(openID)
	if openID == "" {
		if acc.OpenID == "" {
			return domain.Errorf(domain.ErrInvalid, "您的账号尚未绑定微信：请先在“账号管理”中获取绑定码，在公众号发送“绑定 绑定码”，预览将发到您的微信")
		}
		openID = acc.OpenID
	}
	if len(openID) > 64 {
		return domain.Errorf(domain.ErrInvalid, "预览接收人的微信标识格式不正确")
	}
	if openID != acc.OpenID {
		following, err := s.broadcasts.Subscribed(ctx, openID)
		if err != nil {
			return err
		}
		if !following {
			return domain.Errorf(domain.ErrInvalid, "预览接收人没有关注本公众号，预览无法送达")
		}
	}
	r, err := s.broadcasts.Broadcast(ctx, id)
	if err != nil {
		return err
	}
	if err := s.client.MassPreview(ctx, openID, wechat.MassMessage{Kind: r.Kind, Content: r.Content}); err != nil {
		return wechatFailure("预览发送失败", err)
	}
	return nil
}

// wechatFailure turns a refusal by WeChat into a conflict people can read;
// other errors pass unchanged.
func wechatFailure(what string, err error) error {
	var ae *wechat.APIError
	if errors.As(err, &ae) && !ae.Transient() {
		return domain.Errorf(domain.ErrTransition, "%s：微信返回 %d %s", what, ae.Code, ae.Msg)
	}
	return err
}

// ClientMsgID is the clientmsgid of a broadcast's send: the same for every
// attempt, so that WeChat sends a retried broadcast once.
func ClientMsgID(id uint64) string { return "szr-bc-" + strconv.FormatUint(id, 10) }

// SendResult is the outcome of SendBroadcast.
type SendResult struct {
	Broadcast      Broadcast `json:"broadcast"`
	QuotaRemaining int       `json:"quota_remaining"`
	Warning        string    `json:"warning,omitempty"`
}

// SendBroadcast mass-sends a draft (message/mass/sendall) to everyone or
// its audience's tag, with clientmsgid ClientMsgID(id). A broadcast sent or
// being sent is an ErrTransition error (409), the month's fifth send an
// ErrQuota error (409). When WeChat refuses, the broadcast is marked failed
// and may be sent again; the quota is counted by the sends WeChat accepted.
func (s *Service) SendBroadcast(ctx context.Context, acc domain.Account, id uint64) (SendResult, error) {
	if err := acc.Require(domain.PermBroadcastWrite); err != nil {
		return SendResult{}, err
	}
	now := s.now()
	from, to, _ := domain.ParseMonth("", now)
	r, err := s.broadcasts.Broadcast(ctx, id)
	if err != nil {
		return SendResult{}, err
	}
	target, err := s.massTarget(ctx, r)
	if err != nil {
		return SendResult{}, err
	}
	a := domain.Audience{Type: r.AudienceType, Value: r.AudienceValue}
	if size, err := s.broadcasts.AudienceSize(ctx, a); err != nil {
		return SendResult{}, err
	} else if size == 0 {
		// A send that reaches nobody would still spend one of the month's four.
		return SendResult{}, domain.Errorf(domain.ErrInvalid, "“%s”目前没有可送达的关注者，群发不会送达任何人；请更换对象", s.AudienceLabel(a))
	}
	if err := s.checkMaterial(ctx, r.Kind, r.Content); err != nil {
		return SendResult{}, err
	}
	r, err = s.broadcasts.ClaimBroadcast(ctx, id, acc.Username, now, from, to, domain.MassSendsPerMonth)
	if err != nil {
		return SendResult{}, err
	}
	msgID, dataID, err := s.client.MassSend(context.WithoutCancel(ctx), target, wechat.MassMessage{Kind: r.Kind, Content: r.Content}, ClientMsgID(id))
	if err != nil {
		s.log.Error("mass send failed", slog.Uint64("broadcast_id", id), slog.Any("error", err))
		var refused *wechat.APIError
		if errors.As(err, &refused) && !refused.Transient() {
			// WeChat refused the job: nothing went out, the broadcast may
			// be sent again and does not count against the quota.
			if ferr := s.broadcasts.BroadcastFailed(context.WithoutCancel(ctx), id, err.Error()); ferr != nil {
				s.log.Error("broadcast failure not recorded", slog.Uint64("broadcast_id", id), slog.Any("error", ferr))
			}
		}
		// Otherwise (a timeout, a busy WeChat) the job may have been
		// accepted: it stays "sending" and counts, and a send after
		// store.StaleSending retries with the same clientmsgid.
		return SendResult{}, wechatFailure("群发失败", err)
	}
	if err := s.broadcasts.BroadcastSent(context.WithoutCancel(ctx), id, msgID, dataID); err != nil {
		return SendResult{}, err
	}
	r, err = s.broadcasts.Broadcast(ctx, id)
	if err != nil {
		return SendResult{}, err
	}
	sent, err := s.broadcasts.MassSendsIn(ctx, from, to)
	if err != nil {
		return SendResult{}, err
	}
	left := max(0, domain.MassSendsPerMonth-sent)
	return SendResult{Broadcast: s.toBroadcast(r), QuotaRemaining: left, Warning: quotaWarning(left)}, nil
}

// massTarget is whom a broadcast goes to: everyone, or its audience's
// WeChat tag, which must exist.
func (s *Service) massTarget(ctx context.Context, r domain.Broadcast) (wechat.MassTarget, error) {
	target := wechat.MassTarget{All: r.AudienceType == domain.AudienceAll}
	if target.All {
		return target, nil
	}
	label := s.AudienceLabel(domain.Audience{Type: r.AudienceType, Value: r.AudienceValue})
	t, err := s.broadcasts.Tag(ctx, r.AudienceType, r.AudienceValue)
	if errors.Is(err, domain.ErrNotFound) {
		return target, domain.Errorf(domain.ErrTransition, "尚未建立“%s”的微信标签，请先同步标签", label)
	}
	if err != nil {
		return target, err
	}
	if !domain.UsableTagID(t.TagID) {
		return target, domain.Errorf(domain.ErrTransition, "“%s”的微信标签编号无效，请重新同步标签", label)
	}
	target.TagID = t.TagID
	return target, nil
}

// CheckSend says whether a broadcast could be sent now, before the officer
// is asked to confirm it: a draft (or a failed send), a send left in the
// month's quota, its audience's WeChat tag in place and someone to reach.
// It returns the audience's size.
func (s *Service) CheckSend(ctx context.Context, acc domain.Account, id uint64) (int64, error) {
	if err := acc.Require(domain.PermBroadcastWrite); err != nil {
		return 0, err
	}
	r, err := s.broadcasts.Broadcast(ctx, id)
	if err != nil {
		return 0, err
	}
	if r.Status != domain.BroadcastDraft && r.Status != domain.BroadcastFailed {
		return 0, domain.Errorf(domain.ErrTransition, "该群发已发送或正在发送，不能再次发送")
	}
	from, to, _ := domain.ParseMonth("", s.now())
	sent, err := s.broadcasts.MassSendsIn(ctx, from, to)
	if err != nil {
		return 0, err
	}
	if sent >= domain.MassSendsPerMonth {
		return 0, domain.Errorf(domain.ErrQuota, "本月%d次群发额度已用完，请下月再发送", domain.MassSendsPerMonth)
	}
	if _, err := s.massTarget(ctx, r); err != nil {
		return 0, err
	}
	a := domain.Audience{Type: r.AudienceType, Value: r.AudienceValue}
	size, err := s.broadcasts.AudienceSize(ctx, a)
	if err != nil {
		return 0, err
	}
	if size == 0 {
		return 0, domain.Errorf(domain.ErrInvalid, "“%s”目前没有可送达的关注者，群发不会送达任何人；请更换对象", s.AudienceLabel(a))
	}
	return size, nil
}

// TagSync is what SyncTags did.
type TagSync struct {
	Created  []string `json:"created"` // tags created
	Tagged   int      `json:"tagged"`  // followers given a tag
	Untagged int      `json:"untagged"`
	Tags     int      `json:"tags"`
}

// SyncTags creates the WeChat user tags of the tiers (质量信誉Ⅰ类…Ⅳ类) and
// counties when missing, then makes each tag's members the subscribed
// followers of that tier or county: missing ones are tagged and stale ones
// untagged, in batches of TagBatchSize. In sandbox mode the calls are
// recorded.
func (s *Service) SyncTags(ctx context.Context, acc domain.Account) (TagSync, error) {
	var res TagSync
	if err := acc.Require(domain.PermTagsSync); err != nil {
		return res, err
	}
	res.Created = []string{}
	type want struct{ kind, value, name string }
	var wants []want
	for t := 1; t <= 4; t++ {
		wants = append(wants, want{domain.AudienceTier, strconv.Itoa(t), domain.TierTagName(domain.Tier(t))})
	}
	for _, c := range s.policy().Counties {
		wants = append(wants, want{domain.AudienceCounty, c.ID, c.Name})
	}
	for _, w := range wants {
		t, err := s.broadcasts.Tag(ctx, w.kind, w.value)
		if errors.Is(err, domain.ErrNotFound) {
			id, cerr := s.client.CreateTag(ctx, w.name)
			if cerr != nil {
				return res, fmt.Errorf("sync tags: %w", cerr)
			}
			if !domain.UsableTagID(id) {
				return res, fmt.Errorf("sync tags: %s got id %d: %w", w.name, id, wechat.ErrReservedTag)
			}
			t = domain.WechatTag{Name: w.name, TagID: id, Kind: w.kind, Value: w.value, CreatedAt: s.now()}
			if err := s.broadcasts.SaveTag(ctx, t); err != nil {
				return res, err
			}
			if t, err = s.broadcasts.Tag(ctx, w.kind, w.value); err != nil {
				return res, err
			}
			res.Created = append(res.Created, w.name)
		} else if err != nil {
			return res, err
		}
		desired, err := s.broadcasts.AudienceOpenIDs(ctx, w.kind, w.value)
		if err != nil {
			return res, err
		}
		current, err := s.client.TagMembers(ctx, t.TagID)
		if err != nil {
			return res, fmt.Errorf("sync tags: %w", err)
		}
		add, remove := diff(desired, current)
		if err := s.client.TagUsers(ctx, t.TagID, add, false); err != nil {
			return res, fmt.Errorf("sync tags: %w", err)
		}
		if err := s.client.TagUsers(ctx, t.TagID, remove, true); err != nil {
			return res, fmt.Errorf("sync tags: %w", err)
		}
		if err := s.broadcasts.TagSynced(ctx, t.ID, s.now()); err != nil {
			return res, err
		}
		res.Tagged += len(add)
		res.Untagged += len(remove)
		res.Tags++
	}
	return res, nil
}

// diff returns what is in want but not in have, and in have but not in want.
func diff(want, have []string) (add, remove []string) {
	h := make(map[string]bool, len(have))
	for _, id := range have {
		h[id] = true
	}
	w := make(map[string]bool, len(want))
	for _, id := range want {
		w[id] = true
		if !h[id] {
			add = append(add, id)
		}
	}
	for _, id := range have {
		if !w[id] {
			remove = append(remove, id)
		}
	}
	return add, remove
}

// UpdateBroadcast changes a draft (or a failed send) as CreateBroadcast
// validates a new one; what has gone out cannot change.
func (s *Service) UpdateBroadcast(ctx context.Context, acc domain.Account, id uint64, n NewBroadcast) (before, after Broadcast, err error) {
	if err := acc.Require(domain.PermBroadcastWrite); err != nil {
		return before, after, err
	}
	old, err := s.broadcasts.Broadcast(ctx, id)
	if err != nil {
		return before, after, err
	}
	if err := s.checkBroadcast(ctx, &n); err != nil {
		return before, after, err
	}
	r, err := s.broadcasts.UpdateBroadcast(ctx, domain.Broadcast{ID: id, Title: n.Title, Kind: n.Kind, Content: n.Content,
		AudienceType: n.Audience.Type, AudienceValue: n.Audience.Value})
	if err != nil {
		return before, after, err
	}
	return s.toBroadcast(old), s.toBroadcast(r), nil
}

// DeleteBroadcast deletes a draft (or a failed send) and returns it.
func (s *Service) DeleteBroadcast(ctx context.Context, acc domain.Account, id uint64) (Broadcast, error) {
	if err := acc.Require(domain.PermBroadcastWrite); err != nil {
		return Broadcast{}, err
	}
	r, err := s.broadcasts.DeleteBroadcast(ctx, id)
	if err != nil {
		return Broadcast{}, err
	}
	return s.toBroadcast(r), nil
}

// AudienceSize is how many followers a broadcast to a would reach now, as
// the service knows them (WeChat's own count arrives with the job report).
func (s *Service) AudienceSize(ctx context.Context, acc domain.Account, a domain.Audience) (int64, error) {
	if err := acc.Require(domain.PermBroadcastRead); err != nil {
		return 0, err
	}
	return s.broadcasts.AudienceSize(ctx, a)
}

// Materials lists the articles (图文) a broadcast may send.
func (s *Service) Materials(ctx context.Context, acc domain.Account) ([]wechat.Material, error) {
	if err := acc.Require(domain.PermBroadcastWrite); err != nil {
		return nil, err
	}
	return s.client.NewsMaterials(ctx)
}

// checkMaterial refuses an article that is not in the account's library,
// before it is saved and again before it is sent: WeChat would refuse it
// only after the month's quota was spent on it. In sandbox mode there is
// no library to check.
func (s *Service) checkMaterial(ctx context.Context, kind, mediaID string) error {
	if kind != domain.BroadcastNews || s.client.Sandbox() {
		return nil
	}
	ms, err := s.client.NewsMaterials(ctx)
	if err != nil {
		return wechatFailure("读取素材库失败", err)
	}
	for _, m := range ms {
		if m.MediaID == mediaID {
			return nil
		}
	}
	return domain.Errorf(domain.ErrInvalid, "公众号素材库中没有这篇图文，请从素材列表中重新选择")
}
