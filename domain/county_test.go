package domain_test

import (
	"testing"

	"github.com/suzhou-amr/suzhirong/domain"
)

func TestValidRobotURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		url          string
		prod, tested bool // valid in production; valid where tests allow the loopback
	}{
		{"", true, true},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx", true, true},
		{"http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", false, false},
		{"https://qyapi.weixin.qq.com:443/cgi-bin/webhook/send?key=x", false, false},
		{"https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=x", false, false},
		{"https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", false, false},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x#frag", false, false},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=", false, false},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x&key=y", false, false},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/../gettoken?key=x", false, false},
		{"http://127.0.0.1:6379/cgi-bin/webhook/send?key=x", false, true},
		{"http://[::1]:8080/cgi-bin/webhook/send?key=x", false, true},
		{"http://127.0.0.1:6379/", false, false},
		{"http://10.0.0.8/cgi-bin/webhook/send?key=x", false, false},
		{"http://localhost/cgi-bin/webhook/send?key=x", false, false},
		{"gopher://127.0.0.1/cgi-bin/webhook/send?key=x", false, false},
	} {
		if got := domain.ValidRobotURL(tt.url, false); got != tt.prod {
			t.Errorf("%q in production: %v, want %v", tt.url, got, tt.prod)
		}
		if got := domain.ValidRobotURL(tt.url, true); got != tt.tested {
			t.Errorf("%q in tests: %v, want %v", tt.url, got, tt.tested)
		}
	}
}
