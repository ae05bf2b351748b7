package engine_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

func compileDef(t *testing.T, def string, typ string) *asl.Machine {
	t.Helper()
	m, diags := asl.Compile([]byte(def), asl.Options{Type: typ})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return m
}

// failingTask is a machine whose one Task fails once the task is answered.
const failingTask = `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "End": true}}}`

// runToFailure starts an execution of failingTask and fails its task.
func runToFailure(t *testing.T, m *asl.Machine, cfg engine.Config) *engine.Execution {
	t.Helper()
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	x := engine.New(m, cfg)
	b := x.Start(jsonv.NewObject(0), "{}", now)
	// An Express execution also sets its five-minute timer.
	i := slices.IndexFunc(b.Commands, func(c engine.Command) bool { return c.Kind == engine.RunTask })
	if i < 0 {
		t.Fatalf("commands %+v", b.Commands)
	}
	x.TaskFailed(b.Commands[i].ID, "E", "c", now)
	if x.Status() != engine.Failed {
		t.Fatalf("status %s", x.Status())
	}
	return x
}

// TestRedriveNotRedrivable checks the cases RedriveExecution answers with
// ExecutionNotRedrivable (API reference, RedriveExecution), and that a
// refused redrive changes nothing.
func TestRedriveNotRedrivable(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	m := compileDef(t, failingTask, "")
	cases := map[string]struct {
		x      func() *engine.Execution
		reason string
	}{
		"running": {func() *engine.Execution {
			x := engine.New(m, engine.Config{})
			x.Start(jsonv.NewObject(0), "{}", now)
			return x
		}, "Execution is RUNNING and cannot be redriven"},
		"succeeded": {func() *engine.Execution {
			x := engine.New(compileDef(t, `{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`, ""), engine.Config{})
			x.Start(jsonv.NewObject(0), "{}", now)
			return x
		}, "Execution is SUCCEEDED and cannot be redriven"},
		"express": {func() *engine.Execution {
			return runToFailure(t, compileDef(t, failingTask, asl.TypeExpress), engine.Config{Type: asl.TypeExpress, MaxEvents: -1})
		}, "Express executions cannot be redriven"},
		// AWS: with its cap of 25,000 events, the history must have fewer
		// than 24,999; here the cap is 7 and the history has 6 events.
		"history limit": {func() *engine.Execution {
			return runToFailure(t, m, engine.Config{MaxEvents: 7})
		}, "Execution history event limit exceeded."},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			x := tc.x()
			before := x.Snapshot()
			b, err := x.Redrive(now)
			var nr *engine.NotRedrivableError
			if !errors.Is(err, engine.ErrNotRedrivable) || !errors.As(err, &nr) || nr.Reason != tc.reason || b != nil {
				t.Fatalf("Redrive = %v, %v; want reason %q", b, err, tc.reason)
			}
			if after := x.Snapshot(); string(after) != string(before) {
				t.Errorf("a refused redrive changed the execution:\n%s\n%s", before, after)
			}
		})
	}

	// A cap one higher leaves room for the redrive.
	x := runToFailure(t, m, engine.Config{MaxEvents: 8})
	if _, err := x.Redrive(now); err != nil {
		t.Errorf("redrive with room for it: %v", err)
	}
}

// TestRedriveRestoreEveryStep checks that a redriven execution snapshotted
// and restored after every transition makes the history of one that was
// never interrupted, for Parallel and Map states whose children fail on the
// first run or the first redrive.
func TestRedriveRestoreEveryStep(t *testing.T) {
	t.Parallel()
	m := compileDef(t, `{"StartAt": "P", "States": {
		"P": {"Type": "Parallel", "Next": "M", "Branches": [
			{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:a",
				"Parameters": {"r.$": "$$.Execution.RedriveCount"}, "End": true}}},
			{"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 3, "Next": "B2"}, "B2": {"Type": "Pass", "Result": [1, 2, 3], "End": true}}}]},
		"M": {"Type": "Map", "ItemsPath": "$[1]", "MaxConcurrency": 2, "End": true,
		      "ItemSelector": {"v.$": "$$.Map.Item.Value"},
		      "ItemProcessor": {"StartAt": "I", "States": {
		        "I": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:i",
		              "Parameters": {"v.$": "$.v", "r.$": "$$.Execution.RedriveCount"},
		              "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "MaxAttempts": 1}], "End": true}}}}}}`, "")
	answer := func(req *engine.TaskRequest) (any, string, string) {
		in := req.Input.(*jsonv.Object)
		r, _ := in.Get("r")
		v, _ := in.Get("v")
		switch {
		case req.StateName == "A" && r == int64(0):
			return nil, "Down", "a is down"
		case req.StateName == "A":
			return "a", "", ""
		case r == int64(1) && v == int64(2):
			return nil, "Flaky", "item 2 fails in the first redrive"
		case r == int64(0) && v != int64(1):
			return nil, "Never", "only item 1 succeeds before the redrives"
		}
		return jsonv.ObjectOf("v", v, "r", r), "", ""
	}
	cfg := engine.Config{ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:sm:e", Name: "e", Seed: 7}
	x1, ev1 := (&scriptedDriver{m: m, cfg: cfg, answer: answer, redrives: 2}).run(t, `{}`)
	x2, ev2 := (&scriptedDriver{m: m, cfg: cfg, answer: answer, redrives: 2, restore: true}).run(t, `{}`)
	if x1.Status() != engine.Succeeded {
		t.Fatalf("status %s %v", x1.Status(), deref2(x1.Error()))
	}
	if want := `[{"v":1,"r":1},{"v":2,"r":2},{"v":3,"r":1}]`; x1.Output() != want {
		t.Errorf("output %s, want %s (results of earlier runs are kept)", x1.Output(), want)
	}
	if x1.Status() != x2.Status() || x1.Output() != x2.Output() || x1.RedriveCount() != x2.RedriveCount() {
		t.Fatalf("uninterrupted %s %s, restored %s %s", x1.Status(), x1.Output(), x2.Status(), x2.Output())
	}
	a, _ := json.Marshal(ev1)
	b, _ := json.Marshal(ev2)
	if string(a) != string(b) {
		t.Fatalf("histories differ:\n%s\n%s", a, b)
	}
	var redriven []int64
	entered := map[string]int{}
	for i, ev := range ev1 {
		if ev.ID != int64(i+1) || ev.PreviousEventID >= ev.ID {
			t.Errorf("event %d: id %d, previous %d", i, ev.ID, ev.PreviousEventID)
		}
		switch ev.Type {
		case history.ExecutionRedriven:
			redriven = append(redriven, *ev.Details.RedriveCount)
		case history.ParallelStateEntered, history.MapStateEntered, history.WaitStateEntered:
			entered[ev.Details.Name]++
		}
	}
	// First run: A fails, which aborts B's Wait. Redrive 1: A succeeds, B
	// waits again; the Map's items 1 and 3 succeed, item 2 fails after its
	// retry. Redrive 2: only item 2 runs again, and succeeds.
	if !slices.Equal(redriven, []int64{1, 2}) {
		t.Errorf("redrive counts %v", redriven)
	}
	if entered["P"] != 1 || entered["M"] != 1 || entered["B"] != 2 {
		t.Errorf("states entered again: %v", entered)
	}
}

// TestRedriveVersion1Snapshot checks that an execution stored in snapshot
// format 1 can be redriven; a Parallel state that failed in it lacks its
// branches' results there, so it is entered and run again whole.
func TestRedriveVersion1Snapshot(t *testing.T) {
	t.Parallel()
	m := compileDef(t, `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
		{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": true}}},
		{"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:b", "End": true}}}]}}}`, "")
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	x := engine.New(m, engine.Config{RedriveCount: 2})
	b := x.Start(jsonv.NewObject(0), "{}", now)
	x.TaskFailed(b.Commands[0].ID, "E", "c", now)
	// Format 1 had no "ended" group (nor redrive fields): drop them.
	v, err := jsonv.Parse(x.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	o := v.(*jsonv.Object)
	o.Set("v", int64(1))
	o.Delete("redriveCount")
	root, _ := o.Get("root")
	root.(*jsonv.Object).Delete("ended")
	y, err := engine.Restore(m, engine.Config{RedriveCount: 2}, []byte(jsonv.Marshal(o)))
	if err != nil {
		t.Fatal(err)
	}
	rb, err := y.Redrive(now)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range rb.Events {
		types = append(types, string(ev.Type))
	}
	want := "ExecutionRedriven ParallelStateEntered ParallelStateStarted PassStateEntered PassStateExited TaskStateEntered LambdaFunctionScheduled LambdaFunctionStarted"
	if got := strings.Join(types, " "); got != want {
		t.Errorf("events %s\nwant   %s", got, want)
	}
	if n := rb.Events[0].Details.RedriveCount; *n != 3 || y.RedriveCount() != 3 {
		t.Errorf("redrive count %d, want 3 (the configured count, plus one)", *n)
	}
}
