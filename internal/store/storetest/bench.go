package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"stepd/internal/history"
	"stepd/internal/store"
)

// BatchStats is implemented by stores with a group committer; the Commit
// benchmark reports the mean batch size from it.
type BatchStats interface {
	// GroupCommitStats returns how many batches were written and how many
	// transitions they held.
	GroupCommitStats() (batches, transitions uint64)
}

// Benchmarks runs the store benchmarks, each on a store from open:
//
//   - Commit: 1,000 executions, each committing transitions of 2-3 small
//     events and a 300-byte snapshot from its own goroutine, as the server
//     does; reports transitions/s (and transitions/batch when the store
//     batches).
//   - History: pages of 100 events of a 1,000-event history, forward and
//     reverse.
//   - ListExecutions: the first page of 100 of a machine's 5,000
//     executions, with and without a status filter.
func Benchmarks(b *testing.B, open func(b *testing.B) store.Store) {
	b.Run("Commit", func(b *testing.B) { benchCommit(b, open, 1000) })
	b.Run("History", func(b *testing.B) { benchHistory(b, open) })
	b.Run("ListExecutions", func(b *testing.B) { benchList(b, open) })
}

// snapshot300 stands for an engine snapshot.
var snapshot300 = func() []byte {
	b := make([]byte, 300)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}()

// benchEvents returns n realistic small events after prev.
func benchEvents(prev int64, n int, ts time.Time) []history.Event {
	out := make([]history.Event, n)
	for i := range out {
		id := prev + int64(i) + 1
		switch i % 3 {
		case 0:
			out[i] = history.Event{ID: id, PreviousEventID: id - 1, Timestamp: ts, Type: history.TaskStateExited,
				Details: &history.Details{Name: "Call API", Output: history.Str(`{"statusCode":200,"body":"ok"}`), OutputDetails: history.NotTruncated}}
		case 1:
			out[i] = history.Event{ID: id, PreviousEventID: id - 1, Timestamp: ts, Type: history.TaskStateEntered,
				Details: &history.Details{Name: "Next step", Input: history.Str(`{"statusCode":200,"body":"ok"}`), InputDetails: history.NotTruncated}}
		default:
			out[i] = history.Event{ID: id, PreviousEventID: id - 1, Timestamp: ts, Type: history.LambdaFunctionScheduled,
				Details: &history.Details{Resource: "arn:aws:lambda:us-east-1:123456789012:function:f", Input: history.Str(`{"x":1}`), InputDetails: history.NotTruncated}}
		}
	}
	return out
}

func createBenchExecutions(b *testing.B, s store.Store, sm string, n int, status func(i int) store.ExecutionStatus) []string {
	b.Helper()
	ctx := context.Background()
	arns := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	for i := range n {
		arns[i] = execARN(sm, fmt.Sprintf("e%05d", i))
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			e, first := newExecution(exec{sm: sm, name: fmt.Sprintf("e%05d", i), start: at(time.Duration(i) * time.Millisecond), status: status(i)})
			first.Snapshot = snapshot300
			if err := s.CreateExecution(ctx, e, first); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return arns
}

func running(int) store.ExecutionStatus { return store.Running }

func benchCommit(b *testing.B, open func(b *testing.B) store.Store, execs int) {
	b.ReportAllocs()
	s := open(b)
	defer s.Close()
	arns := createBenchExecutions(b, s, "bench", execs, running)
	ctx := context.Background()
	var b0, t0 uint64
	if st, ok := s.(BatchStats); ok {
		b0, t0 = st.GroupCommitStats()
	}
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i := range execs {
		arn := arns[i]
		wg.Go(func() {
			prev := int64(2)
			for step := 0; left.Add(-1) >= 0; step++ {
				n := 2 + (i+step)%2
				t := &store.Transition{
					ExecutionARN:   arn,
					PrevEventCount: prev,
					Events:         benchEvents(prev, n, start),
					Status:         store.Running,
					Snapshot:       snapshot300,
				}
				if err := s.Commit(ctx, t); err != nil {
					b.Error(err)
					return
				}
				prev += int64(n)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "transitions/s")
	if st, ok := s.(BatchStats); ok {
		b1, t1 := st.GroupCommitStats()
		if b1 > b0 {
			b.ReportMetric(float64(t1-t0)/float64(b1-b0), "transitions/batch")
		}
	}
}

func benchHistory(b *testing.B, open func(b *testing.B) store.Store) {
	s := open(b)
	defer s.Close()
	ctx := context.Background()
	arn := createBenchExecutions(b, s, "bench", 1, running)[0]
	for prev := int64(2); prev < 1000; prev += 100 {
		n := min(100, 1000-int(prev))
		if err := s.Commit(ctx, &store.Transition{ExecutionARN: arn, PrevEventCount: prev, Events: benchEvents(prev, n, t0), Status: store.Running}); err != nil {
			b.Fatal(err)
		}
	}
	for _, reverse := range []bool{false, true} {
		name := "Forward100"
		if reverse {
			name = "Reverse100"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			token := ""
			for b.Loop() {
				p, err := s.History(ctx, store.HistoryParams{ExecutionARN: arn, Reverse: reverse, MaxResults: 100, NextToken: token})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Items) != 100 {
					b.Fatalf("%d events", len(p.Items))
				}
				token = p.NextToken
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func benchList(b *testing.B, open func(b *testing.B) store.Store) {
	s := open(b)
	defer s.Close()
	ctx := context.Background()
	createBenchExecutions(b, s, "bench", 5000, func(i int) store.ExecutionStatus {
		if i%10 == 0 {
			return store.Failed
		}
		return store.Running
	})
	for _, status := range []store.ExecutionStatus{"", store.Failed} {
		name := "All"
		if status != "" {
			name = "Failed"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := s.ListExecutions(ctx, store.ListExecutionsParams{StateMachineARN: smARN("bench"), Status: status, MaxResults: 100})
				if err != nil {
					b.Fatal(err)
				}
				if len(p.Items) != 100 {
					b.Fatalf("%d executions", len(p.Items))
				}
			}
		})
	}
}
