package engine_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

// distributedMap is a machine whose distributed Map (settings spliced in)
// runs a task per item; the task fails with "Neg" for a negative item in
// the execution's first run.
func distributedMap(settings string) string {
	return `{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "Label": "lbl", ` + settings + `
		"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I", "States": {
			"I": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:i",
			      "Parameters": {"v.$": "$", "r.$": "$$.Execution.RedriveCount"}, "End": true}}}, "End": true}}}`
}

func negativeFails(req *engine.TaskRequest) (any, string, string) {
	in := req.Input.(*jsonv.Object)
	v, _ := in.Get("v")
	r, _ := in.Get("r")
	if n, ok := v.(int64); ok && n < 0 && r == int64(0) {
		return nil, "Neg", "item " + jsonv.Marshal(v) + " is negative"
	}
	return v, "", ""
}

// childCodes sums a Map Run's children up as one letter per child:
// P(ending), R(unning), S(ucceeded), F(ailed), T(imed out), A(borted).
func childCodes(r *engine.MapRun) string {
	var b strings.Builder
	for _, ch := range r.Children {
		b.WriteByte(ch.Status.String()[0])
	}
	return b.String()
}

// onlyMapRun returns the execution's one Map Run, checking that its
// snapshot gives the same record.
func onlyMapRun(t *testing.T, x *engine.Execution) *engine.MapRun {
	t.Helper()
	runs := x.MapRuns()
	if len(runs) != 1 {
		t.Fatalf("%d map runs, want 1: %+v", len(runs), runs)
	}
	fromSnap, err := engine.SnapshotMapRuns(x.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(runs, fromSnap) {
		t.Errorf("MapRuns %+v, but the snapshot gives %+v", runs, fromSnap)
	}
	for _, r := range runs {
		return r
	}
	return nil
}

// TestMapRunChildren checks the record of a distributed Map's children:
// each child's own status, failures, times and redrives, for an execution
// run without interruption and one snapshotted and restored after every
// transition.
func TestMapRunChildren(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings string
		items    string
		redrives int
		status   engine.Status
		want     string // childCodes
		failed   map[int]string
		redriven []int64 // per child, when the run is redriven
		batches  []int
	}{
		{name: "one failure tolerated", settings: `"ToleratedFailurePercentage": 50,`, items: `[1, -2, 3, 4]`,
			status: engine.Succeeded, want: "SFSS", failed: map[int]string{1: "Neg"}},
		{name: "threshold exceeded aborts the running", settings: `"ToleratedFailurePercentage": 25,`, items: `[1, -2, -3, 4]`,
			status: engine.Failed, want: "SFFA", failed: map[int]string{1: "Neg", 2: "Neg"}},
		{name: "threshold exceeded before some start", settings: `"ToleratedFailureCount": 1, "MaxConcurrency": 1,`, items: `[-1, -2, 3, 4]`,
			status: engine.Failed, want: "FFPP", failed: map[int]string{0: "Neg", 1: "Neg"}},
		{name: "no tolerance", settings: `"MaxConcurrency": 2,`, items: `[1, -2, 3, 4]`,
			status: engine.Failed, want: "SFAP", failed: map[int]string{1: "Neg"}},
		{name: "redriven", settings: `"ToleratedFailureCount": 1, "MaxConcurrency": 1,`, items: `[-1, -2, 3, 4]`, redrives: 1,
			status: engine.Succeeded, want: "SSSS", redriven: []int64{1, 1, 0, 0}},
		{name: "batched", settings: `"ItemBatcher": {"MaxItemsPerBatch": 2},`, items: `[1, 2, 3, 4, 5]`,
			status: engine.Succeeded, want: "SSS", batches: []int{2, 2, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := compileDef(t, distributedMap(tc.settings), "")
			cfg := engine.Config{ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:sm:e", Name: "e", Seed: 3,
				StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:sm", StateMachineName: "sm", Region: "us-east-1"}
			input := `{"items": ` + tc.items + `}`
			answer := negativeFails
			if tc.batches != nil {
				answer = func(*engine.TaskRequest) (any, string, string) { return "ok", "", "" }
			}
			x1, ev1 := (&scriptedDriver{m: m, cfg: cfg, answer: answer, redrives: tc.redrives}).run(t, input)
			x2, _ := (&scriptedDriver{m: m, cfg: cfg, answer: answer, redrives: tc.redrives, restore: true}).run(t, input)
			if x1.Status() != tc.status {
				t.Fatalf("status %s, want %s", x1.Status(), tc.status)
			}
			r := onlyMapRun(t, x1)
			if !reflect.DeepEqual(x1.MapRuns(), x2.MapRuns()) {
				t.Errorf("uninterrupted %+v, restored %+v", x1.MapRuns(), x2.MapRuns())
			}
			if got := childCodes(r); got != tc.want {
				t.Errorf("children %s, want %s", got, tc.want)
			}
			var started string
			for _, ev := range ev1 {
				if ev.Type == history.MapRunStarted {
					started = ev.Details.MapRunArn
				}
				if strings.HasPrefix(string(ev.Type), "MapIteration") {
					t.Errorf("the parent's history has %s", ev.Type)
				}
			}
			if r.ARN != started || !strings.HasPrefix(r.ARN, "arn:aws:states:us-east-1:123456789012:mapRun:sm/lbl:") {
				t.Errorf("map run %s, MapRunStarted names %s", r.ARN, started)
			}
			for i, ch := range r.Children {
				wantErr, failed := tc.failed[i]
				if failed != (ch.Error != nil) || (failed && (*ch.Error != wantErr || ch.Cause == nil || !strings.Contains(*ch.Cause, "negative"))) {
					t.Errorf("child %d: error %v cause %v, want %q", i, deref(ch.Error), deref(ch.Cause), wantErr)
				}
				if (ch.Status != engine.ChildPending) == ch.StartTime.IsZero() || ch.Status.Terminal() == ch.StopTime.IsZero() {
					t.Errorf("child %d (%s): start %v, stop %v", i, ch.Status, ch.StartTime, ch.StopTime)
				}
				if ch.PendingRedrive {
					t.Errorf("child %d still pending redrive", i)
				}
				var redriven int64
				if tc.redriven != nil {
					redriven = tc.redriven[i]
				}
				if ch.RedriveCount != redriven || (redriven > 0) == ch.RedriveTime.IsZero() {
					t.Errorf("child %d: redriven %d times, at %v; want %d", i, ch.RedriveCount, ch.RedriveTime, redriven)
				}
			}
			if !reflect.DeepEqual(r.BatchSizes, tc.batches) {
				t.Errorf("batch sizes %v, want %v", r.BatchSizes, tc.batches)
			}
		})
	}
}

// TestMapRunChildrenStopped checks that stopping the execution aborts the
// children that run, leaves those not started pending, and that a
// redrive marks the ones it will run again until they start.
func TestMapRunChildrenStopped(t *testing.T) {
	t.Parallel()
	m := compileDef(t, distributedMap(`"MaxConcurrency": 2,`), "")
	cfg := engine.Config{ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:sm:e", Name: "e", StateMachineName: "sm"}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	x := engine.New(m, cfg)
	in, _ := jsonv.ParseString(`{"items": [1, 2, 3]}`)
	b := x.Start(in, `{"items": [1, 2, 3]}`, t0)
	var tasks []string
	for _, c := range b.Commands {
		if c.Kind == engine.RunTask {
			tasks = append(tasks, c.ID)
		}
	}
	if len(tasks) != 2 {
		t.Fatalf("tasks %v", tasks)
	}
	x.TaskSucceeded(tasks[0], "one", t0.Add(time.Second))
	if got := childCodes(onlyMapRun(t, x)); got != "SRR" {
		t.Fatalf("running: children %s, want SRR", got)
	}
	x.Stop(nil, nil, t0.Add(2*time.Second))
	r := onlyMapRun(t, x)
	if got := childCodes(r); got != "SAA" {
		t.Fatalf("stopped: children %s, want SAA", got)
	}
	if !r.Children[0].StopTime.Equal(t0.Add(time.Second)) || !r.Children[1].StopTime.Equal(t0.Add(2*time.Second)) ||
		!r.Children[2].StartTime.Equal(t0.Add(time.Second)) {
		t.Errorf("times %+v", r.Children)
	}

	// A redrive with room for one child at a time: the first aborted child
	// runs again, the other waits for its redrive.
	m1 := compileDef(t, distributedMap(`"MaxConcurrency": 1,`), "")
	x = engine.New(m1, cfg)
	b = x.Start(in, `{"items": [1, 2, 3]}`, t0)
	x.Stop(nil, nil, t0.Add(time.Second))
	x, err := engine.Restore(m1, cfg, x.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if got := childCodes(onlyMapRun(t, x)); got != "APP" {
		t.Fatalf("stopped: children %s, want APP", got)
	}
	if _, err := x.Redrive(t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	r = onlyMapRun(t, x)
	if got := childCodes(r); got != "RPP" || r.Children[0].RedriveCount != 1 || !r.Children[0].RedriveTime.Equal(t0.Add(time.Minute)) ||
		!r.Children[0].StartTime.Equal(t0) || r.Children[0].PendingRedrive {
		t.Errorf("redriven: children %s %+v", got, r.Children)
	}
	_ = b
}

// TestMapRunChildrenVersion2Snapshot checks that an execution stored in
// snapshot format 2, which kept no records of Map Run children, gets them
// rebuilt from the Map state's group when it is restored (times unknown).
func TestMapRunChildrenVersion2Snapshot(t *testing.T) {
	t.Parallel()
	m := compileDef(t, distributedMap(`"ToleratedFailureCount": 0,`), "")
	cfg := engine.Config{ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:sm:e", Name: "e", StateMachineName: "sm"}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	x := engine.New(m, cfg)
	in, _ := jsonv.ParseString(`{"items": [1, -2, 3]}`)
	b := x.Start(in, `{"items": [1, -2, 3]}`, now)
	var ids []string
	for _, c := range b.Commands {
		if c.Kind == engine.RunTask {
			ids = append(ids, c.ID)
		}
	}
	x.TaskSucceeded(ids[0], 1, now)
	x.TaskFailed(ids[1], "Neg", "negative", now)
	if x.Status() != engine.Failed {
		t.Fatalf("status %s", x.Status())
	}
	v, err := jsonv.Parse(x.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	o := v.(*jsonv.Object)
	o.Set("v", int64(2))
	o.Delete("mapRuns")
	old := []byte(jsonv.Marshal(o))
	if runs, err := engine.SnapshotMapRuns(old); err != nil || len(runs) != 0 {
		t.Fatalf("map runs of a version 2 snapshot: %v %v", runs, err)
	}
	y, err := engine.Restore(m, cfg, old)
	if err != nil {
		t.Fatal(err)
	}
	r := onlyMapRun(t, y)
	if got := childCodes(r); got != "SFA" || *r.Children[1].Error != "Neg" || !r.Children[0].StartTime.IsZero() {
		t.Errorf("rebuilt children %s %+v", got, r.Children)
	}
	if _, err := y.Redrive(now); err != nil {
		t.Fatal(err)
	}
	if got := childCodes(onlyMapRun(t, y)); got != "SRR" {
		t.Errorf("redriven children %s", got)
	}
}

// TestMapRunChildrenInline checks that an inline Map keeps no record.
func TestMapRunChildrenInline(t *testing.T) {
	t.Parallel()
	m := compileDef(t, `{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
		"ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}}`, "")
	x := engine.New(m, engine.Config{})
	in, _ := jsonv.ParseString(`[1, 2]`)
	x.Start(in, `[1, 2]`, time.Now())
	if x.Status() != engine.Succeeded || len(x.MapRuns()) != 0 {
		t.Errorf("status %s, map runs %+v", x.Status(), x.MapRuns())
	}
	if runs, err := engine.SnapshotMapRuns(x.Snapshot()); err != nil || len(runs) != 0 {
		t.Errorf("map runs of the snapshot: %v %v", runs, err)
	}
}
