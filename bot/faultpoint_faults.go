//go:build faults

package bot

import (
	"fmt"
	"os"
	"strings"
)

// faultPoint stops a turn for ever at the moment named by FAULT_STALL
// (before-claim, in-turn, before-finish) when the follower's openid starts
// with FAULT_STALL_OPENID, after saying so on stderr: the fault tests then
// kill the process there. Only in binaries built with -tags faults.
func faultPoint(point, openID string) {
	if os.Getenv("FAULT_STALL") != point || !strings.HasPrefix(openID, os.Getenv("FAULT_STALL_OPENID")) || os.Getenv("FAULT_STALL_OPENID") == "" {
		return
	}
	fmt.Fprintf(os.Stderr, "fault point %s reached\n", point)
	select {}
}
