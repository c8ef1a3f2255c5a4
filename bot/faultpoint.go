//go:build !faults

package bot

import "github.com/suzhou-amr/suzhirong/wechat"

// faultPoint marks a moment of a turn at which the fault tests kill the
// process (built with -tags faults); it does nothing in a normal build.
func faultPoint(string, wechat.Message) {}
