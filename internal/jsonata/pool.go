package jsonata

import (
	"context"
	"sync"
)

// pool hands out VMs: idle ones first, new ones while fewer than maxVMs
// exist, and otherwise makes callers wait.
type pool struct {
	cfg   *config
	idle  chan *vm      // capacity poolSize
	slots chan struct{} // capacity maxVMs; one token per live VM
	quit  chan struct{} // closed by close

	mu     sync.Mutex // guards closed and sends to idle
	closed bool

	// abandoned counts workers given up on and not yet finished.
	abandoned sync.WaitGroup
}

func newPool(cfg *config) *pool {
	return &pool{
		cfg:   cfg,
		idle:  make(chan *vm, cfg.poolSize),
		slots: make(chan struct{}, max(cfg.maxVMs, cfg.poolSize)),
		quit:  make(chan struct{}),
	}
}

// get returns an idle VM or a new one, waiting while maxVMs are busy.
func (p *pool) get(ctx context.Context) (*vm, error) {
	select {
	case v := <-p.idle:
		return v, nil
	case <-p.quit:
		return nil, ErrClosed
	default:
	}
	select {
	case v := <-p.idle:
		return v, nil
	case p.slots <- struct{}{}:
		v, err := newVM(p.cfg)
		if err != nil {
			<-p.slots
			return nil, err
		}
		return v, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.quit:
		return nil, ErrClosed
	}
}

// put returns a healthy VM for reuse, or retires it when enough are idle.
func (p *pool) put(v *vm) {
	p.mu.Lock()
	if !p.closed {
		select {
		case p.idle <- v:
			p.mu.Unlock()
			return
		default:
		}
	}
	p.mu.Unlock()
	p.retire(v)
}

// retire stops an idle VM's worker and frees its slot.
func (p *pool) retire(v *vm) {
	v.stop()
	<-p.slots
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

// close retires the idle VMs and makes get fail; busy VMs are retired when
// they are returned.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	close(p.quit)
	for {
		select {
		case v := <-p.idle:
			p.retire(v)
		default:
			return
		}
	}
}
