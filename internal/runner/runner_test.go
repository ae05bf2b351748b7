package runner_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/runner"
	"stepd/internal/tasks"
)

// t0 is the start of every execution on virtual time.
var t0 = time.Date(2024, 11, 15, 16, 16, 35, 0, time.UTC)

const fn = "arn:aws:lambda:us-east-1:123456789012:function:f"

func compile(t *testing.T, def string) *asl.Machine {
	t.Helper()
	m, diags := asl.Compile([]byte(def), asl.Options{})
	if diags.HasErrors() {
		t.Fatalf("definition: %v", diags)
	}
	return m
}

func config(name string) engine.Config {
	return engine.Config{
		ExecutionARN:     "arn:aws:states:us-east-1:123456789012:execution:M:" + name,
		Name:             name,
		StateMachineARN:  "arn:aws:states:us-east-1:123456789012:stateMachine:M",
		StateMachineName: "M",
		Region:           "us-east-1",
	}
}

func mocks(t *testing.T, src string) *tasks.MockConfig {
	t.Helper()
	cfg, err := tasks.ParseMockConfig([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// timeline renders events as "Type@seconds" with seconds since t0.
func timeline(evs []history.Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, fmt.Sprintf("%s@%g", e.Type, e.Timestamp.Sub(t0).Seconds()))
	}
	return strings.Join(s, " ")
}

func types(evs []history.Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, string(e.Type))
	}
	return strings.Join(s, " ")
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// checkEvents checks what every history must satisfy: ids 1, 2, ... and
// timestamps that never go back.
func checkEvents(t *testing.T, evs []history.Event) {
	t.Helper()
	for i, e := range evs {
		if e.ID != int64(i+1) {
			t.Errorf("event %d has id %d", i, e.ID)
		}
		if i > 0 && e.Timestamp.Before(evs[i-1].Timestamp) {
			t.Errorf("event %d (%s) is earlier than the one before", e.ID, e.Type)
		}
	}
}

// run runs def on virtual time from t0 and fails the test on a Go error or
// when it takes more than 5 real seconds.
func run(t *testing.T, r *runner.Runner, def, input string) *runner.Result {
	t.Helper()
	if r.Start.IsZero() {
		r.Start = t0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := r.Run(ctx, compile(t, def), config(t.Name()), input)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if ctx.Err() != nil {
		evs := res.Events
		t.Fatalf("the execution did not end within 5 s: %s after %d events (last: %s)", res.Status, len(evs), types(evs[max(0, len(evs)-3):]))
	}
	checkEvents(t, res.Events)
	return res
}

// noTasks is a dispatcher for machines that have no Task state.
var noTasks = tasks.DispatchFunc(func(_ context.Context, req *engine.TaskRequest, rep tasks.Reporter) {
	rep.Failed("Test.Unexpected", "no task expected: "+req.StateName)
})

// TestRunWaitVirtual: on virtual time a Wait takes no real time and the
// history carries the times the execution would have had.
func TestRunWaitVirtual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, def, input string
		want             string // timeline
		seconds          float64
	}{
		{"one hour", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, `{"a":1}`,
			"ExecutionStarted@0 WaitStateEntered@0 WaitStateExited@3600 ExecutionSucceeded@3600", 3600},
		{"timestamp", `{"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"2024-11-16T16:16:35Z","End":true}}}`, `{}`,
			"ExecutionStarted@0 WaitStateEntered@0 WaitStateExited@86400 ExecutionSucceeded@86400", 86400},
		{"timestamp in the past", `{"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"2001-01-01T00:00:00Z","End":true}}}`, `{}`,
			"ExecutionStarted@0 WaitStateEntered@0 WaitStateExited@0 ExecutionSucceeded@0", 0},
		{"seconds path", `{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}}`, `{"s":90}`,
			"ExecutionStarted@0 WaitStateEntered@0 WaitStateExited@90 ExecutionSucceeded@90", 90},
		{"waits add up", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":3600,"Next":"B"},"B":{"Type":"Wait","Seconds":1800,"End":true}}}`, `{}`,
			"ExecutionStarted@0 WaitStateEntered@0 WaitStateExited@3600 WaitStateEntered@3600 WaitStateExited@5400 ExecutionSucceeded@5400", 5400},
		{"parallel waits overlap", `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
			{"StartAt":"Long","States":{"Long":{"Type":"Wait","Seconds":3600,"End":true}}},
			{"StartAt":"Short","States":{"Short":{"Type":"Wait","Seconds":60,"End":true}}}]}}}`, `{}`,
			"ExecutionStarted@0 ParallelStateEntered@0 ParallelStateStarted@0 WaitStateEntered@0 WaitStateEntered@0 WaitStateExited@60 WaitStateExited@3600 ParallelStateSucceeded@3600 ParallelStateExited@3600 ExecutionSucceeded@3600", 3600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var seen []history.Event
			r := &runner.Runner{Virtual: true, Dispatcher: noTasks, OnEvents: func(evs []history.Event) { seen = append(seen, evs...) }}
			began := time.Now()
			res := run(t, r, tt.def, tt.input)
			if real := time.Since(began); real > 2*time.Second {
				t.Errorf("took %v of real time", real)
			}
			if res.Status != engine.Succeeded {
				t.Fatalf("status %s (%s: %s)", res.Status, deref(res.Error), deref(res.Cause))
			}
			if got := timeline(res.Events); got != tt.want {
				t.Errorf("history\n got %s\nwant %s", got, tt.want)
			}
			if !res.Start.Equal(t0) || res.Stop.Sub(res.Start).Seconds() != tt.seconds {
				t.Errorf("Start %v Stop %v, want %v and %g s later", res.Start, res.Stop, t0, tt.seconds)
			}
			if timeline(seen) != timeline(res.Events) {
				t.Errorf("OnEvents saw\n%s\nResult.Events\n%s", timeline(seen), timeline(res.Events))
			}
		})
	}
}

// TestRunRetryBackoff: retries wait IntervalSeconds × BackoffRate^(n−1),
// capped by MaxDelaySeconds, on virtual time; a mocked response counts
// every attempt (aws-semantics §3.2, §7).
func TestRunRetryBackoff(t *testing.T) {
	t.Parallel()
	const mockCfg = `{"MockedResponses": {
		"FailThrice": {"0-2": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}}, "3": {"Return": {"ok": true}}},
		"FailTwice": {"0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}}, "2": {"Return": {"ok": true}}},
		"AlwaysFail": {"0-9": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}}},
		"Mixed": {"0": {"Throw": {"Error": "A", "Cause": "a"}}, "1": {"Throw": {"Error": "B", "Cause": "b"}}, "2": {"Throw": {"Error": "C", "Cause": "c"}}, "3": {"Throw": {"Error": "B", "Cause": "b2"}}}
	}}`
	cfg := mocks(t, mockCfg)
	// task is a machine of one Task state with the given retriers and,
	// when catch is set, a catcher that goes to a Pass state.
	task := func(retry string, catch string) string {
		handler := ""
		if catch != "" {
			handler = `,"Handler":{"Type":"Pass","End":true}`
		}
		return `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"` + fn + `","Retry":` + retry + catch + `,"End":true}` + handler + `}}`
	}
	const catchAll = `,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Handler"}]`
	tests := []struct {
		name, response, def string
		status              engine.Status
		scheduled           string // seconds of each LambdaFunctionScheduled
		stop                float64
		output, errName     string
	}{
		{"interval 3 backoff 2", "FailThrice", task(`[{"ErrorEquals":["Lambda.TooManyRequestsException"],"IntervalSeconds":3,"BackoffRate":2,"MaxAttempts":3}]`, ""),
			engine.Succeeded, "0 3 9 21", 21, `{"ok":true}`, ""},
		{"capped by MaxDelaySeconds", "FailThrice", task(`[{"ErrorEquals":["States.ALL"],"IntervalSeconds":3,"BackoffRate":2,"MaxAttempts":3,"MaxDelaySeconds":5}]`, ""),
			engine.Succeeded, "0 3 8 13", 13, `{"ok":true}`, ""},
		{"fractional backoff", "FailTwice", task(`[{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":3,"BackoffRate":1.5}]`, ""),
			engine.Succeeded, "0 3 7.5", 7.5, `{"ok":true}`, ""},
		{"defaults: interval 1, backoff 2, 3 attempts", "FailThrice", task(`[{"ErrorEquals":["States.ALL"]}]`, ""),
			engine.Succeeded, "0 1 3 7", 7, `{"ok":true}`, ""},
		{"exhausted", "AlwaysFail", task(`[{"ErrorEquals":["States.ALL"],"MaxAttempts":2}]`, ""),
			engine.Failed, "0 1 3", 3, "", "Lambda.TooManyRequestsException"},
		{"MaxAttempts 0 never retries", "AlwaysFail", task(`[{"ErrorEquals":["States.ALL"],"MaxAttempts":0}]`, ""),
			engine.Failed, "0", 0, "", "Lambda.TooManyRequestsException"},
		{"exhausted then caught", "AlwaysFail", task(`[{"ErrorEquals":["States.ALL"],"IntervalSeconds":10,"MaxAttempts":1}]`, catchAll),
			engine.Succeeded, "0 10", 10, `{"Error":"Lambda.TooManyRequestsException","Cause":"slow down"}`, ""},
		// Retriers [A,B] (MaxAttempts 2) and [C]: errors A, B, C, B wait 1,
		// 2, 5 s, and the second B goes to Catch (aws-semantics §3.2).
		{"each retrier counts its own attempts", "Mixed", task(`[{"ErrorEquals":["A","B"],"MaxAttempts":2},{"ErrorEquals":["C"],"IntervalSeconds":5}]`, catchAll),
			engine.Succeeded, "0 1 3 8", 8, `{"Error":"B","Cause":"b2"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &runner.Runner{Virtual: true, Dispatcher: &tasks.Mocked{Config: cfg, States: map[string]string{"Call": tt.response}}}
			res := run(t, r, tt.def, `{}`)
			if res.Status != tt.status || res.Output != tt.output || (tt.errName != "" && deref(res.Error) != tt.errName) {
				t.Errorf("status %s output %s error %s, want %s %s %s", res.Status, res.Output, deref(res.Error), tt.status, tt.output, tt.errName)
			}
			var scheduled []string
			for _, e := range res.Events {
				if e.Type == history.LambdaFunctionScheduled {
					scheduled = append(scheduled, fmt.Sprintf("%g", e.Timestamp.Sub(t0).Seconds()))
				}
			}
			if got := strings.Join(scheduled, " "); got != tt.scheduled {
				t.Errorf("scheduled at %s, want %s", got, tt.scheduled)
			}
			if got := res.Stop.Sub(t0).Seconds(); got != tt.stop {
				t.Errorf("stopped at %g s, want %g", got, tt.stop)
			}
		})
	}
}

// TestRunRetryJitter: FULL jitter waits a random part of each back-off,
// reproducibly for a given seed.
func TestRunRetryJitter(t *testing.T) {
	t.Parallel()
	cfg := mocks(t, `{"MockedResponses": {"R": {"0-5": {"Throw": {"Error": "E", "Cause": ""}}, "6": {"Return": 1}}}}`)
	m := compile(t, `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"`+fn+`","End":true,
		"Retry":[{"ErrorEquals":["E"],"IntervalSeconds":10,"BackoffRate":2,"MaxAttempts":6,"JitterStrategy":"FULL"}]}}}`)
	delays := func(seed uint64) []time.Duration {
		r := &runner.Runner{Virtual: true, Start: t0, Dispatcher: &tasks.Mocked{Config: cfg, States: map[string]string{"Call": "R"}}}
		c := config("jitter")
		c.Seed = seed
		res, err := r.Run(context.Background(), m, c, `{}`)
		if err != nil || res.Status != engine.Succeeded {
			t.Fatalf("seed %d: %v %v", seed, err, res)
		}
		var at []time.Time
		for _, e := range res.Events {
			if e.Type == history.LambdaFunctionScheduled {
				at = append(at, e.Timestamp)
			}
		}
		var d []time.Duration
		for i := 1; i < len(at); i++ {
			d = append(d, at[i].Sub(at[i-1]))
		}
		return d
	}
	a, b, c := delays(1), delays(1), delays(2)
	if len(a) != 6 {
		t.Fatalf("%d retries, want 6", len(a))
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("the same seed gave %v and %v", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Errorf("seeds 1 and 2 gave the same delays %v", a)
	}
	for _, ds := range [][]time.Duration{a, c} {
		full := 10 * time.Second
		for i, d := range ds {
			if d < 0 || d > full {
				t.Errorf("retry %d waited %v, want within [0, %v]", i+1, d, full)
			}
			full *= 2
		}
	}
}

// hanging is a dispatcher whose tasks never report; it remembers their
// contexts.
type hanging struct {
	mu   sync.Mutex
	ctxs []context.Context
	got  chan struct{} // receives once per dispatch
}

func newHanging() *hanging { return &hanging{got: make(chan struct{}, 100)} }

func (h *hanging) Dispatch(ctx context.Context, _ *engine.TaskRequest, _ tasks.Reporter) {
	h.mu.Lock()
	h.ctxs = append(h.ctxs, ctx)
	h.mu.Unlock()
	h.got <- struct{}{}
}

func (h *hanging) cancelled() (n, of int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.ctxs {
		if c.Err() != nil {
			n++
		}
	}
	return n, len(h.ctxs)
}

// TestRunTaskTimeout: a task that never answers times out after its
// TimeoutSeconds (of real time, since it is in flight) with States.Timeout,
// and its context is cancelled.
func TestRunTaskTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, def string
		status    engine.Status
		want      string // timeline
		output    string
	}{
		{"uncaught", `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"` + fn + `","TimeoutSeconds":1,"End":true}}}`,
			engine.Failed, "ExecutionStarted@0 TaskStateEntered@0 LambdaFunctionScheduled@0 LambdaFunctionStarted@0 LambdaFunctionTimedOut@1 ExecutionFailed@1", ""},
		// The state after the catcher waits on virtual time: by then the
		// timed-out task must have been cancelled.
		{"caught", `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"TimeoutSeconds":1,"Next":"Done",
			"Catch":[{"ErrorEquals":["States.Timeout"],"Next":"Later"}]},"Later":{"Type":"Wait","Seconds":60,"Next":"Done"},"Done":{"Type":"Pass","End":true}}}`,
			engine.Succeeded, "ExecutionStarted@0 TaskStateEntered@0 TaskScheduled@0 TaskStarted@0 TaskTimedOut@1 TaskStateExited@1 WaitStateEntered@1 WaitStateExited@61 PassStateEntered@61 PassStateExited@61 ExecutionSucceeded@61",
			`{"Error":"States.Timeout","Cause":""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHanging()
			var cancelledBeforeEnd bool
			r := &runner.Runner{Virtual: true, Dispatcher: h, OnEvents: func(evs []history.Event) {
				for _, e := range evs {
					if e.Type == history.WaitStateExited {
						n, of := h.cancelled()
						cancelledBeforeEnd = n == 1 && of == 1
					}
				}
			}}
			began := time.Now()
			res := run(t, r, tt.def, `{}`)
			if real := time.Since(began); real < time.Second {
				t.Errorf("timed out after %v of real time, want at least 1 s", real)
			}
			if res.Status != tt.status || res.Output != tt.output {
				t.Errorf("status %s output %s, want %s %s", res.Status, res.Output, tt.status, tt.output)
			}
			if got := timeline(res.Events); got != tt.want {
				t.Errorf("history\n got %s\nwant %s", got, tt.want)
			}
			if tt.status == engine.Failed && (deref(res.Error) != "States.Timeout") {
				t.Errorf("error %s cause %s, want States.Timeout", deref(res.Error), deref(res.Cause))
			}
			if tt.name == "caught" && !cancelledBeforeEnd {
				t.Error("the timed-out task's context was not cancelled when the execution moved on")
			}
			if n, of := h.cancelled(); n != of || of != 1 {
				t.Errorf("%d of %d task contexts cancelled, want 1 of 1", n, of)
			}
		})
	}
}

// TestRunHeartbeat: heartbeats keep a callback task alive; when they stop
// it times out after HeartbeatSeconds with States.Timeout.
func TestRunHeartbeat(t *testing.T) {
	t.Parallel()
	d := tasks.DispatchFunc(func(ctx context.Context, _ *engine.TaskRequest, rep tasks.Reporter) {
		rep.Submitted(map[string]any{})
		go func() {
			for range 3 {
				select {
				case <-time.After(400 * time.Millisecond):
					rep.Heartbeat()
				case <-ctx.Done():
					return
				}
			}
		}()
	})
	def := `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token"}},"HeartbeatSeconds":1,"TimeoutSeconds":30,"End":true}}}`
	began := time.Now()
	res := run(t, &runner.Runner{Virtual: true, Dispatcher: d}, def, `{}`)
	// Three heartbeats 0.4 s apart, then one second of silence.
	if real := time.Since(began); real < 2*time.Second {
		t.Errorf("timed out after %v, want at least 2.2 s (heartbeats ignored?)", real)
	}
	if res.Status != engine.Failed || deref(res.Error) != "States.Timeout" {
		t.Errorf("status %s error %s, want FAILED States.Timeout", res.Status, deref(res.Error))
	}
	want := "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskSubmitted TaskTimedOut ExecutionFailed"
	if got := types(res.Events); got != want {
		t.Errorf("events\n got %s\nwant %s", got, want)
	}
}

// TestRunCancel: cancelling ctx stops the execution (ABORTED, with an
// ExecutionAborted event) and Run returns at once with the result; tasks in
// flight are cancelled.
func TestRunCancel(t *testing.T) {
	t.Parallel()
	const hangingTask = `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"` + fn + `","End":true}}}`
	const longWait = `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`
	// A loop of waits that never ends on its own (until the history limit).
	const waitLoop = `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"Done"}],"Default":"W"},"Done":{"Type":"Succeed"}}}`
	tests := []struct {
		name    string
		def     string
		virtual bool
		// cancelWhen returns a channel closed when ctx should be cancelled;
		// nil cancels before Run.
		cancelWhen func(h *hanging, events <-chan int) <-chan struct{}
		want       string // event types
	}{
		{"before start, virtual wait", longWait, true, nil, "ExecutionStarted WaitStateEntered ExecutionAborted"},
		{"before start, real wait", longWait, false, nil, "ExecutionStarted WaitStateEntered ExecutionAborted"},
		{"task in flight", hangingTask, true, func(h *hanging, _ <-chan int) <-chan struct{} { return signal(h.got) },
			"ExecutionStarted TaskStateEntered LambdaFunctionScheduled LambdaFunctionStarted ExecutionAborted"},
		// Cancelled from another goroutine while Run waits for the timer.
		{"real wait", longWait, false, func(_ *hanging, events <-chan int) <-chan struct{} { return after(events, 2) },
			"ExecutionStarted WaitStateEntered ExecutionAborted"},
		// On virtual time nothing waits, so the loop must still notice ctx;
		// cancelled from OnEvents once 100 events exist.
		{"virtual wait loop", waitLoop, true, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHanging()
			events := make(chan int, 100000)
			count := 0
			r := &runner.Runner{Virtual: tt.virtual, Start: t0, Dispatcher: h, OnEvents: func(evs []history.Event) {
				count += len(evs)
				events <- count
			}}
			ctx, cancel := context.WithCancel(context.Background())
			switch {
			case tt.def == waitLoop:
				r.OnEvents = func(evs []history.Event) {
					if count += len(evs); count >= 100 {
						cancel()
					}
				}
			case tt.cancelWhen == nil:
				cancel()
			default:
				go func() {
					<-tt.cancelWhen(h, events)
					cancel()
				}()
			}
			defer cancel()
			var (
				res  *runner.Result
				err  error
				done = make(chan struct{})
			)
			m := compile(t, tt.def)
			go func() {
				defer close(done)
				res, err = r.Run(ctx, m, config("cancel"), `{}`)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not return after ctx was cancelled")
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			checkEvents(t, res.Events)
			if res.Status != engine.Aborted || res.Error != nil || res.Cause != nil || res.Output != "" {
				t.Errorf("status %s error %s cause %s output %q, want ABORTED and nothing else", res.Status, deref(res.Error), deref(res.Cause), res.Output)
			}
			last := res.Events[len(res.Events)-1]
			if last.Type != history.ExecutionAborted || !res.Stop.Equal(last.Timestamp) {
				t.Errorf("last event %s at %v, Stop %v", last.Type, last.Timestamp, res.Stop)
			}
			if tt.want != "" && types(res.Events) != tt.want {
				t.Errorf("events\n got %s\nwant %s", types(res.Events), tt.want)
			}
			if len(res.Events) > 110 {
				t.Errorf("%d events: cancellation was noticed late", len(res.Events))
			}
			if n, of := h.cancelled(); n != of {
				t.Errorf("%d of %d task contexts cancelled", n, of)
			}
		})
	}
}

// signal is closed when ch receives.
func signal(ch <-chan struct{}) <-chan struct{} {
	out := make(chan struct{})
	go func() { <-ch; close(out) }()
	return out
}

// after is closed once the event count reaches n.
func after(events <-chan int, n int) <-chan struct{} {
	out := make(chan struct{})
	go func() {
		for c := range events {
			if c >= n {
				close(out)
				return
			}
		}
	}()
	return out
}

// TestRunResult checks the Result of each way an execution ends.
func TestRunResult(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, def, input       string
		status                 engine.Status
		output, errName, cause string
		stop                   float64
		last                   history.Type
	}{
		{"succeeded", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"x":[1,2.5,"s"]},"ResultPath":"$.r","End":true}}}`, `{"in":true}`,
			engine.Succeeded, `{"in":true,"r":{"x":[1,2.5,"s"]}}`, "<nil>", "<nil>", 0, history.ExecutionSucceeded},
		{"succeeded with a string", `{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}`, `"text"`,
			engine.Succeeded, `"text"`, "<nil>", "<nil>", 0, history.ExecutionSucceeded},
		{"failed", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Custom.Error","Cause":"it broke"}}}`, `{}`,
			engine.Failed, "", "Custom.Error", "it broke", 0, history.ExecutionFailed},
		{"failed without a cause", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Custom.Error"}}}`, `{}`,
			engine.Failed, "", "Custom.Error", "<nil>", 0, history.ExecutionFailed},
		{"runtime error", `{"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.missing","End":true}}}`, `{}`,
			engine.Failed, "", "States.Runtime", "", 0, history.ExecutionFailed},
		// DescribeExecution shows no error or cause for a timed-out
		// execution (aws-semantics §4).
		{"timed out", `{"TimeoutSeconds":10,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`, `{}`,
			engine.TimedOut, "", "<nil>", "<nil>", 10, history.ExecutionTimedOut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, &runner.Runner{Virtual: true, Dispatcher: noTasks}, tt.def, tt.input)
			cause := deref(res.Cause)
			if tt.name == "runtime error" && cause != "<nil>" {
				cause = "" // worded by the engine; only its presence matters here
			}
			if res.Status != tt.status || res.Output != tt.output || deref(res.Error) != tt.errName || cause != tt.cause {
				t.Errorf("got  %s %q %s %q\nwant %s %q %s %q", res.Status, res.Output, deref(res.Error), deref(res.Cause), tt.status, tt.output, tt.errName, tt.cause)
			}
			if !res.Start.Equal(t0) || res.Stop.Sub(t0).Seconds() != tt.stop {
				t.Errorf("Start %v Stop %v, want t0 and t0+%gs", res.Start, res.Stop, tt.stop)
			}
			if last := res.Events[len(res.Events)-1]; last.Type != tt.last {
				t.Errorf("last event %s, want %s", last.Type, tt.last)
			}
			if first := res.Events[0]; first.Type != history.ExecutionStarted || deref(first.Details.Input) != tt.input {
				t.Errorf("first event %s with input %s, want ExecutionStarted with %s", first.Type, deref(first.Details.Input), tt.input)
			}
		})
	}
}

func TestRunBadInput(t *testing.T) {
	t.Parallel()
	r := &runner.Runner{Virtual: true, Dispatcher: noTasks}
	m := compile(t, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	for _, input := range []string{``, `{`, `{"a":1} x`, `{'a': 1}`} {
		res, err := r.Run(context.Background(), m, config("bad"), input)
		if err == nil || res != nil || !strings.HasPrefix(err.Error(), "execution input: ") {
			t.Errorf("input %q: result %v error %v, want an execution input error", input, res, err)
		}
	}
}

// TestRunStartDefault: without Start, an execution starts now.
func TestRunStartDefault(t *testing.T) {
	t.Parallel()
	before := time.Now()
	res, err := (&runner.Runner{Virtual: true, Dispatcher: noTasks}).Run(context.Background(),
		compile(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`), config("now"), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	if res.Start.Before(before.Add(-time.Millisecond)) || res.Start.After(time.Now()) {
		t.Errorf("Start %v, want between %v and now", res.Start, before)
	}
	if res.Stop.Sub(res.Start) != time.Minute {
		t.Errorf("Stop − Start = %v, want 1m", res.Stop.Sub(res.Start))
	}
}

// TestRunTimeScale: on a scaled real clock a 10 s Wait at 0.01 takes at
// least 100 ms and the history shows at least 10 s.
func TestRunTimeScale(t *testing.T) {
	t.Parallel()
	r := &runner.Runner{TimeScale: 0.01, Start: t0, Dispatcher: noTasks}
	began := time.Now()
	res, err := r.Run(context.Background(), compile(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":10,"End":true}}}`), config("scaled"), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	real := time.Since(began)
	if real < 100*time.Millisecond || real > 3*time.Second {
		t.Errorf("took %v of real time, want about 100 ms", real)
	}
	if d := res.Stop.Sub(res.Start); d < 10*time.Second || d > 10*time.Second+time.Duration(float64(real)/0.01) {
		t.Errorf("the history spans %v, want 10 s and a little more", d)
	}
	if res.Status != engine.Succeeded {
		t.Errorf("status %s", res.Status)
	}
}

// TestRunTimeScaleRealTasks: the scale shortens waits, not tasks. A task
// that takes 300 ms of real time, with TimeoutSeconds 5, then a 10 s Wait, at
// 0.001: the task does not time out (its 5 s run in real time) and the
// history spans 10 s plus the task's real time, not 300 ms / 0.001.
func TestRunTimeScaleRealTasks(t *testing.T) {
	t.Parallel()
	const work = 300 * time.Millisecond
	d := tasks.DispatchFunc(func(ctx context.Context, _ *engine.TaskRequest, rep tasks.Reporter) {
		go func() {
			select {
			case <-time.After(work):
				rep.Succeeded("done")
			case <-ctx.Done():
			}
		}()
	})
	def := `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"` + fn + `","TimeoutSeconds":5,"Next":"W"},
		"W":{"Type":"Wait","Seconds":10,"End":true}}}`
	r := &runner.Runner{TimeScale: 0.001, Start: t0, Dispatcher: d}
	began := time.Now()
	res, err := r.Run(context.Background(), compile(t, def), config("scaled-tasks"), `{}`)
	if err != nil {
		t.Fatal(err)
	}
	real := time.Since(began)
	if res.Status != engine.Succeeded {
		t.Fatalf("status %s, error %s", res.Status, str(res.Error))
	}
	if span := res.Stop.Sub(res.Start); span < 10*time.Second+work || span > 10*time.Second+real {
		t.Errorf("the history spans %v, want 10 s plus the task's %v (at most 10 s + %v)", span, work, real)
	}
}

// TestRunManySynchronousTasks: a dispatcher may report from inside
// Dispatch (tasks.Mocked does) for any number of tasks started at once.
func TestRunManySynchronousTasks(t *testing.T) {
	t.Parallel()
	const n = 300
	cfg := mocks(t, fmt.Sprintf(`{"MockedResponses": {"R": {"0-%d": {"Return": "ok"}}}}`, n-1))
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprint(i)
	}
	input := "[" + strings.Join(items, ",") + "]"
	for _, resource := range []string{fn, "arn:aws:states:::lambda:invoke.waitForTaskToken"} {
		t.Run(resource, func(t *testing.T) {
			t.Parallel()
			def := `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + resource + `",
				"Parameters":{"FunctionName":"f","Payload.$":"$"},"End":true}}}}}}`
			if resource == fn {
				def = strings.Replace(def, `"Parameters":{"FunctionName":"f","Payload.$":"$"},`, "", 1)
			}
			res := run(t, &runner.Runner{Virtual: true, Dispatcher: &tasks.Mocked{Config: cfg, States: map[string]string{"T": "R"}}}, def, input)
			if res.Status != engine.Succeeded {
				t.Fatalf("status %s (%s: %s)", res.Status, deref(res.Error), deref(res.Cause))
			}
			if want := "[" + strings.Repeat(`"ok",`, n-1) + `"ok"]`; res.Output != want {
				t.Errorf("output %.80s..., want %d \"ok\"", res.Output, n)
			}
		})
	}
}

// TestRunVirtualTimeWithTaskInFlight: task results take no virtual time,
// and the clock jumps to the next timer once nothing is in flight.
func TestRunVirtualTimeWithTaskInFlight(t *testing.T) {
	t.Parallel()
	d := tasks.DispatchFunc(func(ctx context.Context, _ *engine.TaskRequest, rep tasks.Reporter) {
		go func() {
			select {
			case <-time.After(50 * time.Millisecond):
				rep.Succeeded("late")
			case <-ctx.Done():
			}
		}()
	})
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}},
		{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + fn + `","End":true}}}]}}}`
	began := time.Now()
	res := run(t, &runner.Runner{Virtual: true, Dispatcher: d}, def, `{}`)
	if real := time.Since(began); real > 2*time.Second {
		t.Errorf("took %v of real time", real)
	}
	if res.Status != engine.Succeeded || res.Output != `[{},"late"]` {
		t.Errorf("status %s output %s", res.Status, res.Output)
	}
	for _, e := range res.Events {
		if e.Type == history.LambdaFunctionSucceeded && !e.Timestamp.Equal(t0) {
			t.Errorf("the task succeeded at %v, want t0", e.Timestamp)
		}
	}
	if res.Stop.Sub(t0) != time.Hour {
		t.Errorf("stopped %v after start, want 1h", res.Stop.Sub(t0))
	}
}

// TestRunIgnoresLateReports: only a task's first ending counts; reports
// after it are ignored.
func TestRunIgnoresLateReports(t *testing.T) {
	t.Parallel()
	d := tasks.DispatchFunc(func(_ context.Context, _ *engine.TaskRequest, rep tasks.Reporter) {
		rep.Succeeded("first")
		rep.Failed("Late.Error", "ignored")
		rep.Succeeded("second")
		rep.Heartbeat()
	})
	res := run(t, &runner.Runner{Virtual: true, Dispatcher: d}, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"`+fn+`","End":true}}}`, `{}`)
	want := "ExecutionStarted TaskStateEntered LambdaFunctionScheduled LambdaFunctionStarted LambdaFunctionSucceeded TaskStateExited ExecutionSucceeded"
	if res.Status != engine.Succeeded || res.Output != `"first"` || types(res.Events) != want {
		t.Errorf("status %s output %s events %s", res.Status, res.Output, types(res.Events))
	}
}

// str is *p, or "<nil>".
func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}
