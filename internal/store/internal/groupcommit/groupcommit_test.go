package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// recorder is a flush that records its batches and fails odd items.
type recorder struct {
	mu      sync.Mutex
	batches [][]int
	gate    chan struct{} // when set, each flush waits for a value
	entered chan struct{} // when set, each flush signals it started
}

func (r *recorder) flush(items []int) []error {
	if r.entered != nil {
		r.entered <- struct{}{}
	}
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	r.batches = append(r.batches, append([]int(nil), items...))
	r.mu.Unlock()
	errs := make([]error, len(items))
	for i, it := range items {
		if it%2 == 1 {
			errs[i] = fmt.Errorf("item %d: odd", it)
		}
	}
	return errs
}

func TestEachCallerGetsItsOwnOutcome(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{{}, {MaxBatch: 1}, {MaxBatch: 7, Backlog: 3}, {Linger: 1000}} {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			c := New(cfg, rec.flush)
			defer c.Close()
			const n = 200
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { errs[i] = c.Do(context.Background(), i) })
			}
			wg.Wait()
			for i, err := range errs {
				if (i%2 == 1) != (err != nil) {
					t.Errorf("item %d: err %v", i, err)
				}
			}
			seen := map[int]bool{}
			max := cfg.WithDefaults().MaxBatch
			for _, b := range rec.batches {
				if len(b) > max {
					t.Errorf("batch of %d > MaxBatch %d", len(b), max)
				}
				for _, it := range b {
					if seen[it] {
						t.Errorf("item %d flushed twice", it)
					}
					seen[it] = true
				}
			}
			if len(seen) != n {
				t.Errorf("%d items flushed, want %d", len(seen), n)
			}
			batches, items := c.Stats()
			if int(batches) != len(rec.batches) || items != n {
				t.Errorf("Stats = %d, %d; want %d, %d", batches, items, len(rec.batches), n)
			}
		})
	}
}

// TestBatchesFormWhileFlushing holds the first flush until others queue and
// checks that the next flush takes them together.
func TestBatchesFormWhileFlushing(t *testing.T) {
	t.Parallel()
	c, rec, q := newGated(Config{Backlog: 100})
	defer c.Close()
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.Do(context.Background(), 0) })
	<-rec.entered // the loop is flushing item 0
	for i := 1; i <= 10; i++ {
		wg.Go(func() { _ = c.Do(context.Background(), 2*i) })
	}
	wait(q, 11)
	rec.gate <- struct{}{}
	<-rec.entered
	rec.gate <- struct{}{}
	wg.Wait()
	if len(rec.batches) != 2 || len(rec.batches[1]) != 10 {
		t.Fatalf("batches %v, want [0] then the 10 queued items together", rec.batches)
	}
}

// newGated returns a Committer whose flushes wait for the recorder's gate
// and a channel that receives once per queued item.
func newGated(cfg Config) (*Committer[int], *recorder, chan struct{}) {
	rec := &recorder{gate: make(chan struct{}), entered: make(chan struct{})}
	c := New(cfg, rec.flush)
	q := make(chan struct{}, 1000)
	c.enqueued = func() { q <- struct{}{} }
	return c, rec, q
}

func wait(q chan struct{}, n int) {
	for range n {
		<-q
	}
}

func TestCancelledBeforeFlushIsDropped(t *testing.T) {
	t.Parallel()
	c, rec, q := newGated(Config{})
	defer c.Close()
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.Do(context.Background(), 0) })
	<-rec.entered
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.Do(ctx, 42) }()
	wait(q, 2)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Do = %v, want context.Canceled", err)
	}
	rec.gate <- struct{}{}
	wg.Wait()
	// A later item flushes alone: 42 was skipped.
	wg.Go(func() { _ = c.Do(context.Background(), 4) })
	<-rec.entered
	rec.gate <- struct{}{}
	wg.Wait()
	for _, b := range rec.batches {
		for _, it := range b {
			if it == 42 {
				t.Fatalf("cancelled item flushed: %v", rec.batches)
			}
		}
	}
}

func TestCloseFlushesQueuedAndRefusesNew(t *testing.T) {
	t.Parallel()
	c, rec, q := newGated(Config{})
	var wg sync.WaitGroup
	errs := make([]error, 5)
	wg.Go(func() { errs[0] = c.Do(context.Background(), 0) })
	<-rec.entered
	for i := 1; i < 5; i++ {
		wg.Go(func() { errs[i] = c.Do(context.Background(), 2*i) })
	}
	wait(q, 5)
	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	rec.gate <- struct{}{}
	<-rec.entered
	rec.gate <- struct{}{}
	<-closed
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("item %d: %v", i, err)
		}
	}
	if err := c.Do(context.Background(), 8); !errors.Is(err, ErrClosed) {
		t.Fatalf("Do after Close = %v, want ErrClosed", err)
	}
	c.Close() // idempotent
}

// TestBacklogBlocks fills the queue while a flush is held and checks that
// the next Do waits (and honours its context) instead of queueing more.
func TestBacklogBlocks(t *testing.T) {
	t.Parallel()
	c, rec, q := newGated(Config{Backlog: 2})
	var wg sync.WaitGroup
	wg.Go(func() { _ = c.Do(context.Background(), 0) })
	<-rec.entered
	for i := 1; i <= 2; i++ {
		wg.Go(func() { _ = c.Do(context.Background(), 2*i) })
	}
	wait(q, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Do(ctx, 100); !errors.Is(err, context.Canceled) {
		t.Fatalf("Do on a full backlog with a done context = %v, want context.Canceled", err)
	}
	rec.gate <- struct{}{}
	<-rec.entered
	rec.gate <- struct{}{}
	wg.Wait()
	c.Close()
}

func BenchmarkDo(b *testing.B) {
	for _, cfg := range []Config{{MaxBatch: 1}, {}} {
		b.Run(fmt.Sprintf("MaxBatch=%d", cfg.WithDefaults().MaxBatch), func(b *testing.B) {
			b.ReportAllocs()
			c := New(cfg, func(items []int) []error { return make([]error, len(items)) })
			defer c.Close()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := c.Do(context.Background(), 2); err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}
