package domain

import (
	"net"
	"net/url"
	"regexp"
)

var localPhone = regexp.MustCompile(`^0512-\d{8}$`)

// ValidCountyPhone reports whether phone is a Suzhou landline as 附件2
// lists them: 0512-xxxxxxxx.
func ValidCountyPhone(phone string) bool { return localPhone.MatchString(phone) }

// RobotHost and RobotPath are where every WeCom group robot webhook lives.
const (
	RobotHost = "qyapi.weixin.qq.com"
	RobotPath = "/cgi-bin/webhook/send"
)

// ValidRobotURL reports whether u is a WeCom group robot webhook,
// https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…, and nothing else:
// no other host, port, path, credentials or parameters, so an officer's
// typo or a stolen session cannot point the service at an internal
// address. allowLoopback admits plain http on the loopback, for tests
// whose fake API stands in for WeCom. "" (no robot) is valid.
func ValidRobotURL(u string, allowLoopback bool) bool {
	if u == "" {
		return true
	}
	p, err := url.Parse(u)
	if err != nil || p.User != nil || p.Fragment != "" || p.Opaque != "" || p.RawPath != "" {
		return false
	}
	q, err := url.ParseQuery(p.RawQuery)
	if err != nil || len(q) != 1 || len(q["key"]) != 1 || q.Get("key") == "" || p.Path != RobotPath {
		return false
	}
	if p.Scheme == "https" && p.Host == RobotHost {
		return true
	}
	if allowLoopback && (p.Scheme == "http" || p.Scheme == "https") {
		ip := net.ParseIP(p.Hostname())
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// County is a county-level market-supervision bureau of 附件2.
type County struct {
	ID        string // short slug: kunshan, sip, …
	Name      string // 昆山市
	Bureau    string // 昆山市市场监督管理局
	Contact   string
	Post      string
	Phone     string // with the area code: 0512-57797026
	Divisions []string
}
