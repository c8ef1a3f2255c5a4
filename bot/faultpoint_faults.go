//go:build faults

package bot

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/suzhou-amr/suzhirong/wechat"
)

// faultPoint stops a turn at the moment named by FAULT_STALL (before-claim,
// in-turn, before-finish) for a push from an openid that starts with
// FAULT_STALL_OPENID and, when FAULT_STALL_TEXT is set, says exactly that,
// after saying so on stderr: for ever (the fault tests then kill the
// process there), or for FAULT_STALL_FOR (a slow turn). Only in binaries
// built with -tags faults.
func faultPoint(point string, m wechat.Message) {
	prefix, text := os.Getenv("FAULT_STALL_OPENID"), os.Getenv("FAULT_STALL_TEXT")
	if os.Getenv("FAULT_STALL") != point || prefix == "" || !strings.HasPrefix(m.FromUserName, prefix) ||
		text != "" && m.Content != text {
		return
	}
	fmt.Fprintf(os.Stderr, "fault point %s reached\n", point)
	if d, err := time.ParseDuration(os.Getenv("FAULT_STALL_FOR")); err == nil {
		time.Sleep(d)
		return
	}
	select {}
}
