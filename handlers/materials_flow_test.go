package handlers_test

import (
	"strings"
	"testing"
)

// TestMaterialsThroughTheWebhook: 要准备哪些材料 about a product answers
// that product's checklist from the seeds, cited or marked 一般需要, with
// the numbered next steps.
func TestMaterialsThroughTheWebhook(t *testing.T) {
	s := mustLeadsSvc(t)
	for _, tt := range []struct {
		say      string
		want     []string
		notShown string
	}{
		{"融资租赁要准备哪些材料", []string{"办理融资租赁", "拟租赁设备清单及购置合同或报价（一般需要）", "（通知二（二）、附件1）", "1. 提交融资需求"}, "用款计划"},
		{"苏质贷需要什么材料", []string{"办理苏质贷", "用款计划", "（通知四（二））"}, "拟租赁设备清单"},
		{"期货套期保值要带什么资料", []string{"期货账户资料", "（通知三（二）2）"}, "用款计划"},
	} {
		got := s.say("o-materials", tt.say)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %q:\n%s", tt.say, w, got)
			}
		}
		if strings.Contains(got, tt.notShown) {
			t.Errorf("%s: shows %q:\n%s", tt.say, tt.notShown, got)
		}
	}
}
