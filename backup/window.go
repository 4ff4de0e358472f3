package backup

import (
	"context"
	"sync"
)

// window bounds the bytes of file content held in memory between the
// readers and the archive writer. Reservations are granted in ticket order,
// the order in which the writer consumes entries, so a reader can never wait
// for memory that only a later entry holds: that would deadlock, since the
// writer frees memory strictly in order.
type window struct {
	mu   sync.Mutex
	cond *sync.Cond
	free int64
	turn int64
	dead bool
}

func newWindow(ctx context.Context, size int64) *window {
	w := &window{free: size}
	w.cond = sync.NewCond(&w.mu)
	go func() {
		<-ctx.Done()
		w.mu.Lock()
		w.dead = true
		w.mu.Unlock()
		w.cond.Broadcast()
	}()
	return w
}

// take waits for ticket's turn and for n free bytes, takes them and passes
// the turn on. It reports false when the run was cancelled.
func (w *window) take(ticket, n int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for !w.dead && (w.turn != ticket || w.free < n) {
		w.cond.Wait()
	}
	if w.dead {
		return false
	}
	w.free -= n
	w.turn++
	w.cond.Broadcast()
	return true
}

// tryTake takes n bytes if they are free now, out of turn.
func (w *window) tryTake(n int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.free < n {
		return false
	}
	w.free -= n
	return true
}

// give returns n bytes.
func (w *window) give(n int64) {
	if n == 0 {
		return
	}
	w.mu.Lock()
	w.free += n
	w.mu.Unlock()
	w.cond.Broadcast()
}
