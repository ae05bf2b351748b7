package jsonata

import (
	"context"
	"slices"
	"sync"
)

// pool hands out VMs: the most recently used idle one first (its caches of
// compiled expressions and parsed bindings are the warmest), a new one while
// fewer than maxVMs exist, and otherwise makes callers wait in turn.
type pool struct {
	cfg     *config
	maxVMs  int
	quit    chan struct{} // closed by close
	mu      sync.Mutex
	idle    []*vm // most recently used last
	live    int   // VMs that exist: idle, busy or abandoned
	waiters []chan *vm
	closed  bool

	// abandoned counts workers given up on and not yet finished.
	abandoned sync.WaitGroup
}

// A waiter receives a VM, or nil: the right to create one (a slot freed by a
// retired VM passes straight to it).

func newPool(cfg *config) *pool {
	return &pool{cfg: cfg, maxVMs: max(cfg.maxVMs, cfg.poolSize), quit: make(chan struct{})}
}

// get returns an idle VM or a new one, waiting while maxVMs exist.
func (p *pool) get(ctx context.Context) (*vm, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if n := len(p.idle); n > 0 {
		v := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return v, nil
	}
	if p.live < p.maxVMs {
		p.live++
		p.mu.Unlock()
		return p.create()
	}
	ch := make(chan *vm, 1)
	p.waiters = append(p.waiters, ch)
	p.mu.Unlock()

	var err error
	select {
	case v := <-ch:
		if v != nil {
			return v, nil
		}
		return p.create()
	case <-ctx.Done():
		err = ctx.Err()
	case <-p.quit:
		err = ErrClosed
	}
	p.mu.Lock()
	if i := slices.Index(p.waiters, ch); i >= 0 {
		p.waiters = slices.Delete(p.waiters, i, i+1)
		p.mu.Unlock()
		return nil, err
	}
	p.mu.Unlock()
	// Something was handed over just as we gave up: pass it on.
	if v := <-ch; v != nil {
		p.put(v)
	} else {
		p.releaseSlot()
	}
	return nil, err
}

// create makes a VM for a slot already counted in live.
func (p *pool) create() (*vm, error) {
	v, err := newVM(p.cfg)
	if err != nil {
		p.releaseSlot()
		return nil, err
	}
	return v, nil
}

// put returns a healthy VM: to a waiting caller, to the idle list, or (when
// poolSize are idle or the pool is closed) to retirement.
func (p *pool) put(v *vm) {
	p.mu.Lock()
	if !p.closed {
		if len(p.waiters) > 0 {
			ch := p.waiters[0]
			p.waiters = p.waiters[1:]
			ch <- v
			p.mu.Unlock()
			return
		}
		if len(p.idle) < p.cfg.poolSize {
			p.idle = append(p.idle, v)
			p.mu.Unlock()
			return
		}
	}
	p.mu.Unlock()
	p.retire(v)
}

// retire stops an idle VM's worker and frees its slot.
func (p *pool) retire(v *vm) {
	v.stop()
	p.releaseSlot()
}

// releaseSlot frees a VM's slot, handing it to the first waiter if any.
func (p *pool) releaseSlot() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.waiters) > 0 && !p.closed {
		ch := p.waiters[0]
		p.waiters = p.waiters[1:]
		ch <- nil
		return
	}
	p.live--
}

// abandon gives up on a VM whose worker is still busy; its slot is freed
// only when the worker finishes, so stuck workers cannot pile up past
// maxVMs.
func (p *pool) abandon(v *vm) {
	p.abandoned.Go(func() {
		<-v.done
		p.retire(v)
	})
}

// liveVMs reports how many VMs exist.
func (p *pool) liveVMs() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.live
}

// close retires the idle VMs and makes get fail; busy VMs are retired when
// they are returned.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.quit)
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, v := range idle {
		p.retire(v)
	}
}
