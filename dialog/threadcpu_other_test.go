//go:build !linux

package dialog_test

import "time"

var processStart = time.Now()

// threadCPU falls back to the wall clock where the thread's CPU time is
// not at hand.
func threadCPU() time.Duration { return time.Since(processStart) }
