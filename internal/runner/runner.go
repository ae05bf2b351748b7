// Package runner drives executions in process, without persistence: the
// driver behind `stepd run`, the engine's tests and EXPRESS executions. It
// owns an engine.Execution, carries out its commands (dispatching tasks,
// arming timers) and feeds results back, on a real clock (optionally scaled)
// or a virtual one that jumps to the next timer whenever nothing else can
// happen, so tests never sleep.
package runner

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/jsonv"
	"stepd/internal/tasks"
)

// Runner runs executions to completion.
type Runner struct {
	// Dispatcher runs the tasks.
	Dispatcher tasks.Dispatcher
	// Virtual makes time virtual: waits and back-offs take no real time.
	Virtual bool
	// TimeScale multiplies the real time spent waiting while nothing is in
	// flight: Wait states, retry back-offs (1, the default when zero, is
	// real time; 0.01 makes a 10 s Wait take 100 ms). The execution's clock
	// skips what the scale saves, so the history still shows the full
	// waits; tasks, and the timeouts of tasks in flight, run in real time.
	// Ignored when Virtual.
	TimeScale float64
	// Start is the execution's start time (default: now).
	Start time.Time
	// OnEvents, when set, sees each batch of history events as it is made.
	OnEvents func([]history.Event)
}

// Result is a finished execution.
type Result struct {
	Status engine.Status
	Output string  // JSON text, when SUCCEEDED
	Error  *string // when FAILED (nil when TIMED_OUT or ABORTED, as DescribeExecution shows them)
	Cause  *string
	Events []history.Event
	Start  time.Time
	Stop   time.Time
}

type message struct {
	id      string
	kind    int
	output  any
	errName string
	cause   string
	worker  string
}

const (
	msgStarted = iota
	msgSubmitted
	msgHeartbeat
	msgSucceeded
	msgFailed
)

// mailbox queues task reports for the runner's loop. Putting never blocks:
// a dispatcher may report from inside Dispatch, on the loop's own goroutine
// (tasks.Mocked does), and a batch may start any number of tasks.
type mailbox struct {
	mu    sync.Mutex
	queue []message
	ready chan struct{} // holds a token while queue may be non-empty
}

func newMailbox() *mailbox { return &mailbox{ready: make(chan struct{}, 1)} }

func (b *mailbox) put(m message) {
	b.mu.Lock()
	b.queue = append(b.queue, m)
	b.mu.Unlock()
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

// take returns the queued reports in the order they were put.
func (b *mailbox) take() []message {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.queue
	b.queue = nil
	return q
}

// reporter sends a task's reports to the runner's loop; reports made after
// the task was cancelled are dropped.
type reporter struct {
	id  string
	box *mailbox
	ctx context.Context
}

func (r *reporter) send(m message) {
	if r.ctx.Err() != nil {
		return
	}
	m.id = r.id
	r.box.put(m)
}

func (r *reporter) Started(w string)  { r.send(message{kind: msgStarted, worker: w}) }
func (r *reporter) Submitted(out any) { r.send(message{kind: msgSubmitted, output: out}) }
func (r *reporter) Heartbeat()        { r.send(message{kind: msgHeartbeat}) }
func (r *reporter) Succeeded(out any) { r.send(message{kind: msgSucceeded, output: out}) }
func (r *reporter) Failed(e, cause string) {
	r.send(message{kind: msgFailed, errName: e, cause: cause})
}

// timer is an armed engine timer.
type timer struct {
	id    string
	at    time.Time
	index int
}

type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].id < h[j].id
	}
	return h[i].at.Before(h[j].at)
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *timerHeap) Push(x any)   { t := x.(*timer); t.index = len(*h); *h = append(*h, t) }
func (h *timerHeap) Pop() any     { old := *h; t := old[len(old)-1]; *h = old[:len(old)-1]; return t }

// Run executes m with the given input text until the execution ends or ctx
// is cancelled, which stops the execution: Run then returns the ABORTED
// result and a nil error.
func (r *Runner) Run(ctx context.Context, m *asl.Machine, cfg engine.Config, input string) (*Result, error) {
	inputVal, err := jsonv.ParseString(input)
	if err != nil {
		return nil, fmt.Errorf("execution input: %w", err)
	}
	scale := r.TimeScale
	if scale <= 0 {
		scale = 1
	}
	realStart := time.Now()
	start := r.Start
	if start.IsZero() {
		start = realStart
	}
	virtualNow := start
	var skipped time.Duration // wait time the scale saved (real clock)
	now := func() time.Time {
		if r.Virtual {
			return virtualNow
		}
		return start.Add(time.Since(realStart) + skipped)
	}
	x := engine.New(m, cfg)
	res := &Result{Start: start}
	box := newMailbox()
	runCtx, cancelAll := context.WithCancel(ctx)
	defer cancelAll()
	inflight := map[string]context.CancelFunc{}
	timers := &timerHeap{}
	byID := map[string]*timer{}

	apply := func(b *engine.Batch) {
		if len(b.Events) > 0 {
			res.Events = append(res.Events, b.Events...)
			if r.OnEvents != nil {
				r.OnEvents(b.Events)
			}
		}
		for _, c := range b.Commands {
			switch c.Kind {
			case engine.RunTask:
				tctx, cancel := context.WithCancel(runCtx)
				inflight[c.ID] = cancel
				r.Dispatcher.Dispatch(tctx, c.Task, &reporter{id: c.ID, box: box, ctx: tctx})
			case engine.CancelTask:
				if cancel, ok := inflight[c.ID]; ok {
					cancel()
					delete(inflight, c.ID)
				}
			case engine.SetTimer:
				t := &timer{id: c.ID, at: c.At}
				byID[c.ID] = t
				heap.Push(timers, t)
			case engine.CancelTimer:
				if t, ok := byID[c.ID]; ok {
					heap.Remove(timers, t.index)
					delete(byID, c.ID)
				}
			}
		}
	}

	apply(x.Start(inputVal, input, now()))
	for x.Status() == engine.Running {
		if ctx.Err() != nil {
			// Checked first: on virtual time with nothing in flight the
			// loop below never waits, so it would not see ctx end.
			apply(x.Stop(nil, nil, now()))
			break
		}
		if r.Virtual && len(inflight) == 0 {
			if timers.Len() == 0 {
				return nil, fmt.Errorf("runner: execution is stuck: nothing in flight and no timer armed")
			}
			t := heap.Pop(timers).(*timer)
			delete(byID, t.id)
			if t.at.After(virtualNow) {
				virtualNow = t.at
			}
			apply(x.TimerFired(t.id, now()))
			continue
		}
		var (
			fire <-chan time.Time
			next *timer
			tm   *time.Timer
		)
		// Idle, only timers can move the execution on: its wait is
		// scaled. With tasks in flight, a timer fires after the same real
		// time (on a virtual clock too), so a task that runs longer than
		// its TimeoutSeconds still times out; task results themselves take
		// no virtual time.
		idle := len(inflight) == 0
		if timers.Len() > 0 {
			next = (*timers)[0]
			d := next.at.Sub(now())
			if idle && !r.Virtual {
				d = time.Duration(float64(d) * scale)
			}
			tm = time.NewTimer(max(d, 0))
			fire = tm.C
		}
		select {
		case <-ctx.Done():
			apply(x.Stop(nil, nil, now()))
		case <-fire:
			if r.Virtual && next.at.After(virtualNow) {
				virtualNow = next.at
			}
			if !r.Virtual && idle {
				if early := next.at.Sub(now()); early > 0 {
					skipped += early
				}
			}
			heap.Remove(timers, next.index)
			delete(byID, next.id)
			apply(x.TimerFired(next.id, now()))
		case <-box.ready:
			for _, msg := range box.take() {
				if _, ok := inflight[msg.id]; !ok {
					continue
				}
				switch msg.kind {
				case msgStarted:
					apply(x.TaskStarted(msg.id, msg.worker, now()))
				case msgSubmitted:
					apply(x.TaskSubmitted(msg.id, msg.output, now()))
				case msgHeartbeat:
					apply(x.TaskHeartbeat(msg.id, now()))
				case msgSucceeded:
					delete(inflight, msg.id)
					apply(x.TaskSucceeded(msg.id, msg.output, now()))
				case msgFailed:
					delete(inflight, msg.id)
					apply(x.TaskFailed(msg.id, msg.errName, msg.cause, now()))
				}
			}
		}
		if tm != nil {
			tm.Stop()
		}
	}
	res.Status = x.Status()
	res.Output = x.Output()
	res.Error, res.Cause = x.Error()
	res.Stop = x.StopTime()
	return res, nil
}
