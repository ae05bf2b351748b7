package lambda

import (
	"context"
	"time"
)

// pool holds one function's execution environments and admits invokes up
// to the function's concurrency limit, queueing the rest in arrival order.
type pool struct {
	svc *Service
	fn  *function

	// The fields below are guarded by fn.mu, so that pools of different
	// functions don't contend.
	limit   int
	active  int         // slots held by running or starting invokes
	waiters []chan bool // FIFO; receives true when granted a slot
	idle    []*env      // warm environments, most recently used last
	envs    map[*env]struct{}
	closed  bool

	// queued, when a test sets it, receives a value each time an invoke
	// starts waiting for a slot.
	queued chan struct{}
}

func newPool(s *Service, fn *function, limit int) *pool {
	return &pool{svc: s, fn: fn, limit: limit, envs: map[*env]struct{}{}}
}

// acquire waits for a concurrency slot. It fails at once with
// TooManyRequestsException when the function's reserved concurrency is 0,
// and with ctx's error when ctx ends first.
func (p *pool) acquire(ctx context.Context) error {
	p.fn.mu.Lock()
	if p.closed {
		p.fn.mu.Unlock()
		return errNotFound(p.svc.functionARN(p.fn.name, ""))
	}
	if p.limit == 0 {
		p.fn.mu.Unlock()
		return errThrottled("ReservedFunctionConcurrentInvocationLimitExceeded")
	}
	if p.active < p.limit && len(p.waiters) == 0 {
		p.active++
		p.fn.mu.Unlock()
		return nil
	}
	ch := make(chan bool, 1)
	p.waiters = append(p.waiters, ch)
	queued := p.queued
	p.fn.mu.Unlock()
	if queued != nil {
		queued <- struct{}{}
	}
	select {
	case ok := <-ch:
		if !ok {
			return errNotFound(p.svc.functionARN(p.fn.name, ""))
		}
		return nil
	case <-ctx.Done():
		p.fn.mu.Lock()
		for i, w := range p.waiters {
			if w == ch {
				p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
				p.fn.mu.Unlock()
				return ctx.Err()
			}
		}
		p.fn.mu.Unlock()
		// Granted while we gave up: pass the slot on.
		if <-ch {
			p.release()
		}
		return ctx.Err()
	}
}

// release frees a slot, handing it to the longest waiter if any.
func (p *pool) release() {
	p.fn.mu.Lock()
	defer p.fn.mu.Unlock()
	p.releaseLocked()
}

func (p *pool) releaseLocked() {
	if len(p.waiters) > 0 && p.active <= p.limit && !p.closed {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		w <- true
		return
	}
	p.active--
}

// setLimit changes the concurrency limit and admits waiters that now fit.
func (p *pool) setLimit(n int) {
	p.fn.mu.Lock()
	defer p.fn.mu.Unlock()
	p.limit = n
	for len(p.waiters) > 0 && p.active < p.limit {
		w := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.active++
		w <- true
	}
	// Keep no more warm environments than may run at once.
	for len(p.idle) > 0 && len(p.idle) > p.limit {
		e := p.idle[0]
		p.idle = p.idle[1:]
		delete(p.envs, e)
		go e.close()
	}
}

// takeIdle returns a warm environment of def (the most recently used
// one), closing stale ones it meets: dead, of a definition that is no
// longer current, or started on local code that has changed since.
// Environments of other current versions stay.
func (p *pool) takeIdle(def *definition) *env {
	var code codeStamp
	if def.rec.LocalCode {
		code = stampCode(def.rec.CodeDir) // before the lock: it reads the disk
	}
	p.fn.mu.Lock()
	defer p.fn.mu.Unlock()
	for i := len(p.idle) - 1; i >= 0; i-- {
		e := p.idle[i]
		switch {
		case e.def == def && e.alive() && e.code == code:
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			return e
		case !e.alive() || !p.fn.isCurrent(e.def) || (e.def == def && e.code != code):
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			delete(p.envs, e)
			go e.close()
		}
	}
	return nil
}

func (p *pool) track(e *env) bool {
	p.fn.mu.Lock()
	defer p.fn.mu.Unlock()
	if p.closed {
		return false
	}
	p.envs[e] = struct{}{}
	return true
}

// putBack returns an environment after an invoke: warm and current ones
// wait for the next invoke, others are discarded.
func (p *pool) putBack(e *env, healthy bool) {
	p.fn.mu.Lock()
	keep := healthy && !p.closed && p.fn.isCurrent(e.def) && e.alive()
	if keep {
		e.lastUsed = time.Now()
		p.idle = append(p.idle, e)
	} else {
		delete(p.envs, e)
	}
	p.fn.mu.Unlock()
	if !keep {
		e.close()
	}
}

// retire closes idle environments of older definitions (after an update)
// and of deleted versions.
func (p *pool) retire() {
	p.fn.mu.Lock()
	var stale []*env
	kept := p.idle[:0]
	for _, e := range p.idle {
		if !p.fn.isCurrent(e.def) {
			stale = append(stale, e)
			delete(p.envs, e)
		} else {
			kept = append(kept, e)
		}
	}
	clear(p.idle[len(kept):])
	p.idle = kept
	p.fn.mu.Unlock()
	for _, e := range stale {
		e.close()
	}
}

// reclaimIdle closes environments idle since before cutoff.
func (p *pool) reclaimIdle(cutoff time.Time) int {
	p.fn.mu.Lock()
	var old []*env
	kept := p.idle[:0]
	for _, e := range p.idle {
		if e.lastUsed.Before(cutoff) {
			old = append(old, e)
			delete(p.envs, e)
		} else {
			kept = append(kept, e)
		}
	}
	clear(p.idle[len(kept):])
	p.idle = kept
	p.fn.mu.Unlock()
	for _, e := range old {
		e.close()
	}
	return len(old)
}

// close shuts the pool: waiters are refused, every environment is closed
// (busy ones too: their invokes fail).
func (p *pool) close() {
	p.fn.mu.Lock()
	p.closed = true
	for _, w := range p.waiters {
		w <- false
	}
	p.waiters = nil
	envs := make([]*env, 0, len(p.envs))
	for e := range p.envs {
		envs = append(envs, e)
	}
	p.envs = map[*env]struct{}{}
	p.idle = nil
	p.fn.mu.Unlock()
	for _, e := range envs {
		e.close()
	}
}

// counts reports the number of environments and how many are idle.
func (p *pool) counts() (total, idle int) {
	p.fn.mu.Lock()
	defer p.fn.mu.Unlock()
	return len(p.envs), len(p.idle)
}

// codeDirsInUse returns the code directories of the environments that are
// running or warm, so that pruning old code revisions spares them: an
// invoke that is running keeps its code until it ends (the directory goes
// at the next pruning).
func (p *pool) codeDirsInUse() []string {
	p.fn.mu.Lock()
	defer p.fn.mu.Unlock()
	var dirs []string
	for e := range p.envs {
		if e.def != nil && !e.def.rec.LocalCode {
			dirs = append(dirs, e.def.rec.CodeDir)
		}
	}
	return dirs
}
