package domain

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrQuota is the error of a mass send beyond the month's quota.
var ErrQuota = errors.New("monthly quota used up")

// Broadcast kinds and audiences.
const (
	BroadcastText = "text" // Content is the text
	BroadcastNews = "news" // Content is the media_id of an article (图文) in the account's library

	AudienceAll    = "all"
	AudienceTier   = "tier"   // Value "1".."4"
	AudienceCounty = "county" // Value a county slug
)

// Broadcast statuses.
const (
	BroadcastDraft    = "draft"
	BroadcastSending  = "sending"
	BroadcastSent     = "sent"     // WeChat accepted the job
	BroadcastFailed   = "failed"   // WeChat refused it; it may be sent again
	BroadcastFinished = "finished" // MASSSENDJOBFINISH reported the counts
)

// MaxBroadcastRunes is the longest text broadcast accepted.
const MaxBroadcastRunes = 600

// MassSendsPerMonth is a 服务号's mass-send quota.
const MassSendsPerMonth = 4

// Audience is who a broadcast goes to.
type Audience struct {
	Type  string
	Value string
}

// ValidateBroadcast checks a broadcast before it is stored; messages are
// for people.
func ValidateBroadcast(counties []County, title, kind, content string, a Audience) error {
	if strings.TrimSpace(title) == "" || utf8.RuneCountInString(title) > 64 {
		return Errorf(ErrInvalid, "标题不能为空，且不超过64个字")
	}
	switch kind {
	case BroadcastText:
		if strings.TrimSpace(content) == "" {
			return Errorf(ErrInvalid, "群发内容不能为空")
		}
		if n := utf8.RuneCountInString(content); n > MaxBroadcastRunes {
			return Errorf(ErrInvalid, "群发内容不能超过%d字（现为%d字）", MaxBroadcastRunes, n)
		}
	case BroadcastNews:
		if strings.TrimSpace(content) == "" || len(content) > 128 || strings.ContainsAny(content, " \n\t") {
			return Errorf(ErrInvalid, "图文群发的内容应为素材库中图文的 media_id")
		}
	default:
		return Errorf(ErrInvalid, "群发类型应为 text 或 news")
	}
	return ValidateAudience(counties, a)
}

// ValidateAudience checks an audience: everyone, a tier 1–4 or one of
// counties.
func ValidateAudience(counties []County, a Audience) error {
	switch a.Type {
	case AudienceAll:
		if a.Value != "" {
			return Errorf(ErrInvalid, "发送给全部关注者时不应指定 value")
		}
	case AudienceTier:
		n, err := strconv.Atoi(a.Value)
		if err != nil || n < 1 || n > 4 {
			return Errorf(ErrInvalid, "质量信誉类别应为 1–4")
		}
	case AudienceCounty:
		if !slices.ContainsFunc(counties, func(c County) bool { return c.ID == a.Value }) {
			return Errorf(ErrInvalid, "未知的县级市（区）“%s”", a.Value)
		}
	default:
		return Errorf(ErrInvalid, "受众类型应为 all、tier 或 county")
	}
	return nil
}

// UsableTagID reports whether a WeChat user tag id may be a broadcast's
// audience: WeChat reserves 0–2 for its own groups (and a zero value is
// what a missing tag looks like).
func UsableTagID(id int64) bool { return id > 2 }
