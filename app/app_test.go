package app

import (
	"strings"
	"testing"
)

func TestWeChatConfigurationIsChecked(t *testing.T) {
	const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	tests := []struct {
		name    string
		cfg     Config
		mode    string // the mode chosen, when accepted
		refused string // part of the refusal, when refused
	}{
		{"sandbox on the development token", Config{}, "plain", ""},
		{"real account without a token", Config{AppID: "wx123"}, "", "WECHAT_TOKEN"},
		{"real account with its token", Config{AppID: "wx123", Token: "t0ken"}, "plain", ""},
		{"key means safe mode", Config{Token: "t", EncodingAESKey: key}, "safe", ""},
		{"compat by choice", Config{Token: "t", EncodingAESKey: key, Mode: "compat"}, "compat", ""},
		{"safe without a key", Config{Token: "t", Mode: "safe"}, "", "EncodingAESKey"},
		{"unknown mode", Config{Token: "t", Mode: "secure"}, "", "WECHAT_MODE"},
		{"short key", Config{Token: "t", EncodingAESKey: "abc"}, "", "43"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			err := cfg.checkWeChat()
			if tt.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tt.refused) {
					t.Fatalf("want a refusal naming %s, got %v", tt.refused, err)
				}
				return
			}
			if err != nil || cfg.Mode != tt.mode {
				t.Fatalf("mode %q, err %v; want %q", cfg.Mode, err, tt.mode)
			}
		})
	}
}

// The token never reaches the log, not even the public development one.
func TestConfigLogMasksSecrets(t *testing.T) {
	cfg := Config{Token: "s3cret-token", AppSecret: "app-s3cret", EncodingAESKey: "k3y", RedisPassword: "r3dis",
		MySQLDSN: "user:dbpa55@tcp(db:3306)/x"}
	got := cfg.LogValue().String()
	for _, secret := range []string{"s3cret-token", "app-s3cret", "k3y", "r3dis", "dbpa55"} {
		if strings.Contains(got, secret) {
			t.Fatalf("log value carries %q: %s", secret, got)
		}
	}
}
