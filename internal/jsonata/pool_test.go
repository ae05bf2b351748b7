package jsonata

import (
	"context"
	"errors"
	"testing"
)

func TestPoolReusesWarmestVM(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, WithPoolSize(2), WithMaxVMs(2))
	p := eng.pool
	ctx := context.Background()
	a, err := p.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.put(a)
	p.put(b)
	if got, _ := p.get(ctx); got != b {
		t.Errorf("get returned a VM other than the one returned last")
	} else {
		p.put(got)
	}
	if n := p.liveVMs(); n != 2 {
		t.Errorf("%d live VMs, want 2", n)
	}
}

// TestPoolWaiters: with every VM busy, callers wait; a returned VM or a
// freed slot goes to them, and closing the pool releases them.
func TestPoolWaiters(t *testing.T) {
	t.Parallel()
	eng := New(WithPoolSize(1), WithMaxVMs(1))
	p := eng.pool
	ctx := context.Background()
	held, err := p.get(ctx)
	if err != nil {
		t.Fatal(err)
	}

	type result struct {
		v   *vm
		err error
	}
	wait := func() chan result {
		ch := make(chan result, 1)
		go func() {
			v, err := p.get(ctx)
			ch <- result{v, err}
		}()
		return ch
	}

	// A returned VM goes to the waiter.
	w := wait()
	p.put(held)
	r := <-w
	if r.err != nil || r.v != held {
		t.Fatalf("waiter got %v, %v; want the returned VM", r.v, r.err)
	}

	// A retired VM's slot lets the waiter create a new one.
	w = wait()
	p.retire(r.v)
	r = <-w
	if r.err != nil || r.v == nil || r.v == held {
		t.Fatalf("waiter got %v, %v; want a new VM", r.v, r.err)
	}
	if n := p.liveVMs(); n != 1 {
		t.Errorf("%d live VMs, want 1", n)
	}

	// Closing releases waiters with ErrClosed; the busy VM is retired when
	// it comes back.
	w = wait()
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if late := <-w; !errors.Is(late.err, ErrClosed) {
		t.Fatalf("waiter after Close: %v, want ErrClosed", late.err)
	}
	p.put(r.v) // the VM held since the previous step
	if n := p.liveVMs(); n != 0 {
		t.Errorf("%d live VMs after Close, want 0", n)
	}
}
