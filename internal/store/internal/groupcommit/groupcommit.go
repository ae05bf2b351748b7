// Package groupcommit batches concurrent writes into one flush: callers
// submit items and wait; a single loop takes everything queued (up to a
// batch size), flushes it in one go (one database transaction), and hands
// each caller its own outcome.
//
// Batches form by themselves: while one flush runs, new items queue up and
// the next flush takes them all. An optional linger makes the loop wait a
// little for more items before flushing a batch that is not full. The
// queue is bounded (Backlog): when it is full, callers wait to enqueue,
// which pushes back on producers instead of growing memory.
//
// The shape follows river's batch job completer
// (internal/jobcompleter/job_completer.go).
package groupcommit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Config.
const (
	MaxBatchDefault = 512
	BacklogDefault  = 4096
)

// ErrClosed is returned by Do after Close.
var ErrClosed = errors.New("group commit closed")

// Config tunes a Committer.
type Config struct {
	// MaxBatch is the most items one flush takes. Default MaxBatchDefault;
	// 1 disables batching (each item is flushed alone, in order).
	MaxBatch int
	// Linger is how long the loop waits for more items before flushing a
	// batch that is not full. Default 0: flush as soon as the loop is free.
	Linger time.Duration
	// Backlog is how many items may wait for a flush; Do blocks while the
	// queue is full. Default BacklogDefault.
	Backlog int
}

// WithDefaults returns c with zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.MaxBatch <= 0 {
		c.MaxBatch = MaxBatchDefault
	}
	if c.Backlog <= 0 {
		c.Backlog = BacklogDefault
	}
	return c
}

// Flush writes items and returns one error per item (nil for success), in
// the same order. It must not retain items.
type Flush[T any] func(items []T) []error

const (
	queued int32 = iota
	taken
	cancelled
)

type request[T any] struct {
	item   T
	state  atomic.Int32
	result chan error
}

// Committer runs the flush loop. Create it with New.
type Committer[T any] struct {
	cfg   Config
	flush Flush[T]
	queue chan *request[T]
	done  chan struct{}

	mu       sync.RWMutex
	closed   bool
	inflight sync.WaitGroup

	// enqueued, when set (by tests), is called after each item is queued.
	enqueued func()

	pool    sync.Pool
	batches atomic.Uint64
	items   atomic.Uint64
}

// New starts a Committer that flushes with flush.
func New[T any](cfg Config, flush Flush[T]) *Committer[T] {
	cfg = cfg.WithDefaults()
	c := &Committer[T]{
		cfg:   cfg,
		flush: flush,
		queue: make(chan *request[T], cfg.Backlog),
		done:  make(chan struct{}),
	}
	c.pool.New = func() any { return &request[T]{result: make(chan error, 1)} }
	go c.loop()
	return c
}

// Do submits item and waits for its flush, returning the item's own error.
// If ctx ends before the loop takes the item, the item is dropped and Do
// returns ctx's error; once taken, Do waits for the outcome regardless, so
// that the caller always knows whether the item was written.
func (c *Committer[T]) Do(ctx context.Context, item T) error {
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return ErrClosed
	}
	c.inflight.Add(1)
	c.mu.RUnlock()

	r := c.pool.Get().(*request[T])
	r.item = item
	r.state.Store(queued)
	select {
	case c.queue <- r:
		c.inflight.Done()
		if c.enqueued != nil {
			c.enqueued()
		}
	case <-ctx.Done():
		c.inflight.Done()
		var zero T
		r.item = zero
		c.pool.Put(r)
		return ctx.Err()
	}
	select {
	case err := <-r.result:
		c.release(r)
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(queued, cancelled) {
			// The loop will skip r; it is not reused.
			return ctx.Err()
		}
		err := <-r.result
		c.release(r)
		return err
	}
}

func (c *Committer[T]) release(r *request[T]) {
	var zero T
	r.item = zero
	c.pool.Put(r)
}

// Stats returns how many flushes ran and how many items they wrote.
func (c *Committer[T]) Stats() (batches, items uint64) {
	return c.batches.Load(), c.items.Load()
}

// Close stops accepting items, flushes those queued and returns when the
// loop has finished. It is safe to call more than once.
func (c *Committer[T]) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		<-c.done
		return
	}
	c.closed = true
	c.mu.Unlock()
	c.inflight.Wait()
	close(c.queue)
	<-c.done
}

func (c *Committer[T]) loop() {
	defer close(c.done)
	batch := make([]*request[T], 0, c.cfg.MaxBatch)
	items := make([]T, 0, c.cfg.MaxBatch)
	var timer *time.Timer
	for {
		r, ok := <-c.queue
		if !ok {
			return
		}
		batch = append(batch[:0], r)
		open := true
		if c.cfg.Linger > 0 && c.cfg.MaxBatch > 1 {
			if timer == nil {
				timer = time.NewTimer(c.cfg.Linger)
			} else {
				timer.Reset(c.cfg.Linger)
			}
		linger:
			for len(batch) < c.cfg.MaxBatch {
				select {
				case r, ok := <-c.queue:
					if !ok {
						open = false
						break linger
					}
					batch = append(batch, r)
				case <-timer.C:
					break linger
				}
			}
			timer.Stop()
		}
	drain:
		for open && len(batch) < c.cfg.MaxBatch {
			select {
			case r, ok := <-c.queue:
				if !ok {
					open = false
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		// Take the items whose callers still wait.
		n := 0
		for _, r := range batch {
			if r.state.CompareAndSwap(queued, taken) {
				batch[n] = r
				n++
			}
		}
		clear(batch[n:])
		batch = batch[:n]
		if n > 0 {
			items = items[:0]
			for _, r := range batch {
				items = append(items, r.item)
			}
			errs := c.flush(items)
			clear(items)
			c.batches.Add(1)
			c.items.Add(uint64(n))
			for i, r := range batch {
				var err error
				if i < len(errs) {
					err = errs[i]
				} else {
					err = errors.New("group commit: flush returned too few results")
				}
				r.result <- err
			}
			clear(batch)
		}
	}
}
