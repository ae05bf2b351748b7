package engine_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

// scriptedDriver runs an execution on virtual time with tasks answered by a
// script, optionally snapshotting and restoring it after every call, as a
// server that crashes after every transition would.
type scriptedDriver struct {
	m       *asl.Machine
	cfg     engine.Config
	restore bool
	// redrives is how many times to redrive the execution when it ends
	// without succeeding.
	redrives int
	// answer decides a task's outcome from its state name and attempt.
	answer func(req *engine.TaskRequest) (out any, errName, cause string)
}

func (d *scriptedDriver) run(t *testing.T, input string) (*engine.Execution, []history.Event) {
	t.Helper()
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	x := engine.New(d.m, d.cfg)
	in, _ := jsonv.ParseString(input)
	var events []history.Event
	type timer struct {
		id string
		at time.Time
	}
	timers := map[string]time.Time{}
	var tasks []*engine.TaskRequest
	apply := func(b *engine.Batch) {
		events = append(events, b.Events...)
		for _, c := range b.Commands {
			switch c.Kind {
			case engine.RunTask:
				tasks = append(tasks, c.Task)
			case engine.CancelTask:
				for i, tr := range tasks {
					if tr.ID == c.ID {
						tasks = append(tasks[:i], tasks[i+1:]...)
						break
					}
				}
			case engine.SetTimer:
				timers[c.ID] = c.At
			case engine.CancelTimer:
				delete(timers, c.ID)
			}
		}
		if d.restore && x.Status() == engine.Running {
			snap := x.Snapshot()
			y, err := engine.Restore(d.m, d.cfg, snap)
			if err != nil {
				t.Fatalf("restore: %v", err)
			}
			if again := y.Snapshot(); string(again) != string(snap) {
				t.Fatalf("snapshot of the restored execution differs:\n%s\n%s", snap, again)
			}
			x = y
		}
	}
	apply(x.Start(in, input, now))
	for steps, redrives := 0, d.redrives; ; steps++ {
		if x.Status() != engine.Running {
			if redrives == 0 || x.Status() == engine.Succeeded {
				break
			}
			redrives--
			y, err := engine.Restore(d.m, d.cfg, x.Snapshot())
			if err != nil {
				t.Fatalf("restore the ended execution: %v", err)
			}
			b, err := y.Redrive(now)
			if err != nil {
				t.Fatalf("redrive: %v", err)
			}
			x = y
			apply(b)
			continue
		}
		if steps > 10000 {
			t.Fatal("execution does not end")
		}
		if len(tasks) > 0 {
			tr := tasks[0]
			tasks = tasks[1:]
			out, errName, cause := d.answer(tr)
			if errName != "" {
				apply(x.TaskFailed(tr.ID, errName, cause, now))
			} else {
				apply(x.TaskSucceeded(tr.ID, out, now))
			}
			continue
		}
		var next []timer
		for id, at := range timers {
			next = append(next, timer{id, at})
		}
		if len(next) == 0 {
			t.Fatal("stuck: no task and no timer")
		}
		sort.Slice(next, func(i, j int) bool {
			if next[i].at.Equal(next[j].at) {
				return next[i].id < next[j].id
			}
			return next[i].at.Before(next[j].at)
		})
		delete(timers, next[0].id)
		if next[0].at.After(now) {
			now = next[0].at
		}
		apply(x.TimerFired(next[0].id, now))
	}
	return x, events
}

// TestSnapshotRestoreEveryStep checks that an execution snapshotted and
// restored after every transition makes exactly the history of one that was
// never interrupted.
func TestSnapshotRestoreEveryStep(t *testing.T) {
	t.Parallel()
	defs := map[string]string{
		"retries, catch, wait": `{"StartAt": "T", "States": {
			"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
			      "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2, "JitterStrategy": "FULL"}],
			      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "W"}], "Next": "Done"},
			"W": {"Type": "Wait", "Seconds": 5, "Next": "V"},
			"V": {"Type": "Pass", "Assign": {"x.$": "$.err.Error"}, "Next": "T2"},
			"T2": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "g", "Payload.$": "$x"}, "OutputPath": "$.Payload", "Next": "Done"},
			"Done": {"Type": "Succeed"}}}`,
		"parallel and map": `{"StartAt": "P", "States": {
			"P": {"Type": "Parallel", "Next": "M", "Branches": [
				{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:a", "End": true}}},
				{"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 3, "Next": "B2"}, "B2": {"Type": "Pass", "Result": 2, "End": true}}}]},
			"M": {"Type": "Map", "ItemsPath": "$[0].items", "MaxConcurrency": 2, "End": true,
			      "ItemProcessor": {"StartAt": "I", "States": {
			        "I": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:i",
			              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2}], "End": true}}}}}}`,
	}
	answer := func(req *engine.TaskRequest) (any, string, string) {
		switch req.StateName {
		case "T":
			return nil, "E", "boom"
		case "T2":
			return jsonv.ObjectOf("StatusCode", int64(200), "Payload", jsonv.ObjectOf("ok", true)), "", ""
		case "A":
			return jsonv.ObjectOf("items", []any{int64(1), int64(2), int64(3)}), "", ""
		case "I":
			if req.Attempt == 0 {
				return nil, "Flaky", "try again"
			}
			return jsonv.ObjectOf("n", req.Input), "", ""
		}
		return nil, "Unexpected", req.StateName
	}
	for name, def := range defs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, diags := asl.Compile([]byte(def), asl.Options{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			cfg := engine.Config{ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:sm:e", Name: "e", Seed: 42}
			x1, ev1 := (&scriptedDriver{m: m, cfg: cfg, answer: answer}).run(t, `{"in": 1}`)
			x2, ev2 := (&scriptedDriver{m: m, cfg: cfg, answer: answer, restore: true}).run(t, `{"in": 1}`)
			if x1.Status() != engine.Succeeded {
				t.Fatalf("status %s %v", x1.Status(), deref2(x1.Error()))
			}
			if x1.Status() != x2.Status() || x1.Output() != x2.Output() {
				t.Fatalf("uninterrupted %s %s, restored %s %s", x1.Status(), x1.Output(), x2.Status(), x2.Output())
			}
			a, _ := json.Marshal(ev1)
			b, _ := json.Marshal(ev2)
			if string(a) != string(b) {
				t.Fatalf("histories differ:\n%s\n%s", a, b)
			}
		})
	}
}

func deref2(a, b *string) string { return fmt.Sprint(deref(a), " ", deref(b)) }
