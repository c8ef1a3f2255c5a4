package bot

import "time"

// workerIdle is how long a finished push's goroutine waits for the next one
// before it exits.
const workerIdle = 10 * time.Second

// idle hands work to goroutines parked after finishing a push. Respond runs
// every push on a goroutine of its own (to answer within the budget while
// the work goes on); a fresh goroutine starts with a small stack that each
// push then grows and copies again (runtime.newstack was 7% of the CPU under
// load). Parked goroutines keep their grown stacks; there are as many as
// pushes were ever in flight at once, and they exit after workerIdle.
var idle = make(chan func())

// spawn runs f on a parked goroutine, or on a new one when none is parked.
// It never blocks.
func spawn(f func()) {
	select {
	case idle <- f:
	default:
		go work(f)
	}
}

func work(f func()) {
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		f()
		t.Reset(workerIdle)
		select {
		case f = <-idle:
		case <-t.C:
			return
		}
	}
}
