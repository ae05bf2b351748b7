package sfn_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"stepd/internal/jsonv"
	"stepd/internal/sfn"
	"stepd/internal/store"
	"stepd/internal/store/memstore"
)

// mapItemsMachine is a distributed Map (its settings spliced in) whose
// children, by item: below 0, fail (States.NoChoiceMatched) in the first
// run and succeed after a redrive (which enters the Choice state again);
// 0 to 99 succeed; 100 to 199 wait an hour; from 200, fail in the first
// run and wait an hour after a redrive.
func mapItemsMachine(settings string) string {
	return `{"StartAt": "M", "States": {"M": {"Type": "Map", "Label": "lbl", "ItemsPath": "$.items", ` + settings + `
		"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "C", "States": {
			"C": {"Type": "Choice", "Choices": [
				{"And": [{"Variable": "$", "NumericGreaterThanEquals": 200}, {"Variable": "$$.Execution.RedriveCount", "NumericGreaterThan": 0}], "Next": "Wait"},
				{"And": [{"Variable": "$", "NumericGreaterThanEquals": 100}, {"Variable": "$", "NumericLessThan": 200}], "Next": "Wait"},
				{"Or": [{"And": [{"Variable": "$", "NumericGreaterThanEquals": 0}, {"Variable": "$", "NumericLessThan": 100}]},
				        {"And": [{"Variable": "$", "NumericLessThan": 0}, {"Variable": "$$.Execution.RedriveCount", "NumericGreaterThan": 0}]}], "Next": "Ok"}]},
			"Wait": {"Type": "Wait", "Seconds": 3600, "Next": "Ok"},
			"Ok": {"Type": "Pass", "End": true}}}, "End": true}}}`
}

// runCounts are DescribeMapRun's counts, as
// pending/running/succeeded/failed/timedOut/aborted/total[/pendingRedrive].
type runCounts string

func itemCounts(c *types.MapRunItemCounts) runCounts {
	return fmtCounts(c.Pending, c.Running, c.Succeeded, c.Failed, c.TimedOut, c.Aborted, c.Total, c.PendingRedrive)
}

func executionCounts(c *types.MapRunExecutionCounts) runCounts {
	return fmtCounts(c.Pending, c.Running, c.Succeeded, c.Failed, c.TimedOut, c.Aborted, c.Total, c.PendingRedrive)
}

func fmtCounts(p, r, s, f, to, a, total int64, redrive *int64) runCounts {
	out := fmt.Sprintf("p%d r%d s%d f%d t%d a%d total%d", p, r, s, f, to, a, total)
	if redrive != nil && *redrive != 0 {
		out += fmt.Sprintf(" pr%d", *redrive)
	}
	return runCounts(out)
}

// mapItemsPhase is what one step of a case does and what the Map Run and
// its children look like after it.
type mapItemsPhase struct {
	action     string // "start", "stop" or "redrive"
	execStatus types.ExecutionStatus
	runStatus  types.MapRunStatus
	items      runCounts
	executions runCounts
	// children gives the item indexes of the children ListExecutions
	// lists for each status filter; absent: every status is checked
	// against it and statuses it does not name list none.
	children map[types.ExecutionStatus][]int
	// none lists item indexes that have no child execution.
	none []int
	// redriven lists the children the REDRIVEN filter gives.
	redriven []int
}

// TestMapRunItemOutcomes checks that DescribeMapRun, ListExecutions with a
// mapRunArn and DescribeExecution of a child answer with each child's own
// outcome (not the Map Run's), on the memory and SQLite stores.
func TestMapRunItemOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		settings string
		items    string
		phases   []mapItemsPhase
	}{
		{name: "one of four fails within tolerance", settings: `"ToleratedFailurePercentage": 50,`, items: `[1, -2, 3, 4]`,
			phases: []mapItemsPhase{{action: "start", execStatus: types.ExecutionStatusSucceeded, runStatus: types.MapRunStatusSucceeded,
				items: "p0 r0 s3 f1 t0 a0 total4", executions: "p0 r0 s3 f1 t0 a0 total4",
				children: map[types.ExecutionStatus][]int{types.ExecutionStatusSucceeded: {0, 2, 3}, types.ExecutionStatusFailed: {1}}}}},
		{name: "threshold exceeded, then redriven", settings: `"ToleratedFailurePercentage": 25,`, items: `[1, -2, -3, 4]`,
			phases: []mapItemsPhase{
				// Items 0 and 1 are within tolerance, 2 exceeds it; 3 never starts.
				{action: "start", execStatus: types.ExecutionStatusFailed, runStatus: types.MapRunStatusFailed,
					items: "p0 r0 s1 f2 t0 a1 total4", executions: "p0 r0 s1 f2 t0 a0 total3",
					children: map[types.ExecutionStatus][]int{types.ExecutionStatusSucceeded: {0}, types.ExecutionStatusFailed: {1, 2}}, none: []int{3}},
				{action: "redrive", execStatus: types.ExecutionStatusSucceeded, runStatus: types.MapRunStatusSucceeded,
					items: "p0 r0 s4 f0 t0 a0 total4", executions: "p0 r0 s4 f0 t0 a0 total4",
					children: map[types.ExecutionStatus][]int{types.ExecutionStatusSucceeded: {0, 1, 2, 3}}, redriven: []int{1, 2}},
			}},
		{name: "a failure aborts the running children", settings: "", items: `[100, 101, -1, 4]`,
			phases: []mapItemsPhase{{action: "start", execStatus: types.ExecutionStatusFailed, runStatus: types.MapRunStatusFailed,
				items: "p0 r0 s0 f1 t0 a3 total4", executions: "p0 r0 s0 f1 t0 a2 total3",
				children: map[types.ExecutionStatus][]int{types.ExecutionStatusAborted: {0, 1}, types.ExecutionStatusFailed: {2}}, none: []int{3}}}},
		{name: "running, then stopped", settings: `"MaxConcurrency": 2,`, items: `[100, 101, 1]`,
			phases: []mapItemsPhase{
				{action: "start", execStatus: types.ExecutionStatusRunning, runStatus: types.MapRunStatusRunning,
					items: "p1 r2 s0 f0 t0 a0 total3", executions: "p0 r2 s0 f0 t0 a0 total2",
					children: map[types.ExecutionStatus][]int{types.ExecutionStatusRunning: {0, 1}}, none: []int{2}},
				{action: "stop", execStatus: types.ExecutionStatusAborted, runStatus: types.MapRunStatusAborted,
					items: "p0 r0 s0 f0 t0 a3 total3", executions: "p0 r0 s0 f0 t0 a2 total2",
					children: map[types.ExecutionStatus][]int{types.ExecutionStatusAborted: {0, 1}}, none: []int{2}},
			}},
		{name: "redriven one child at a time, then stopped", settings: `"MaxConcurrency": 1, "ToleratedFailureCount": 1,`, items: `[200, -1, 2]`,
			phases: []mapItemsPhase{
				{action: "start", execStatus: types.ExecutionStatusFailed, runStatus: types.MapRunStatusFailed,
					items: "p0 r0 s0 f2 t0 a1 total3", executions: "p0 r0 s0 f2 t0 a0 total2",
					children: map[types.ExecutionStatus][]int{types.ExecutionStatusFailed: {0, 1}}, none: []int{2}},
				// Child 0 runs again (and waits), child 1 waits for its turn,
				// item 2 has not started.
				{action: "redrive", execStatus: types.ExecutionStatusRunning, runStatus: types.MapRunStatusRunning,
					items: "p1 r1 s0 f0 t0 a0 total3 pr1", executions: "p0 r1 s0 f0 t0 a0 total2 pr1",
					children: map[types.ExecutionStatus][]int{types.ExecutionStatusRunning: {0}, types.ExecutionStatusPendingRedrive: {1}},
					none:     []int{2}, redriven: []int{0}},
				{action: "stop", execStatus: types.ExecutionStatusAborted, runStatus: types.MapRunStatusAborted,
					items: "p0 r0 s0 f1 t0 a2 total3", executions: "p0 r0 s0 f1 t0 a1 total2",
					children: map[types.ExecutionStatus][]int{types.ExecutionStatusAborted: {0}, types.ExecutionStatusFailed: {1}},
					none:     []int{2}, redriven: []int{0}},
			}},
	}
	for _, store := range []string{"memory", ""} {
		e := newSDKEnv(t, store)
		for i, tc := range tests {
			name := tc.name
			if store == "" {
				name += " (sqlite)"
			}
			t.Run(name, func(t *testing.T) {
				e := &sdkEnv{t: t, srv: e.srv, c: e.c, ctx: e.ctx}
				sm := e.createMachine("items"+strconv.Itoa(i), mapItemsMachine(tc.settings))
				var arn, runARN string
				for _, ph := range tc.phases {
					switch ph.action {
					case "start":
						arn = e.start(sm, "", `{"items": `+tc.items+`}`)
					case "stop":
						if _, err := e.c.StopExecution(e.ctx, &sdk.StopExecutionInput{ExecutionArn: aws.String(arn)}); err != nil {
							t.Fatal(err)
						}
					case "redrive":
						if _, err := e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(arn)}); err != nil {
							t.Fatal(err)
						}
					}
					if ph.execStatus == types.ExecutionStatusRunning {
						e.waitEvent(arn, types.HistoryEventTypeMapRunStarted)
					} else if d := e.waitDone(arn); d.Status != ph.execStatus {
						t.Fatalf("%s: execution %s, want %s", ph.action, d.Status, ph.execStatus)
					}
					if runARN == "" {
						runs, err := e.c.ListMapRuns(e.ctx, &sdk.ListMapRunsInput{ExecutionArn: aws.String(arn)})
						if err != nil || len(runs.MapRuns) != 1 {
							t.Fatalf("map runs %+v %v", runs, err)
						}
						runARN = *runs.MapRuns[0].MapRunArn
					}
					checkMapItemsPhase(t, e, sm, runARN, ph)
				}
				for _, ev := range e.history(arn) {
					if strings.HasPrefix(string(ev.Type), "MapIteration") {
						t.Errorf("the parent's history has %s", ev.Type)
					}
				}
			})
		}
	}
}

func checkMapItemsPhase(t *testing.T, e *sdkEnv, sm, runARN string, ph mapItemsPhase) {
	t.Helper()
	d, err := e.c.DescribeMapRun(e.ctx, &sdk.DescribeMapRunInput{MapRunArn: aws.String(runARN)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != ph.runStatus {
		t.Errorf("%s: map run %s, want %s", ph.action, d.Status, ph.runStatus)
	}
	if got := itemCounts(d.ItemCounts); got != ph.items {
		t.Errorf("%s: itemCounts %s, want %s", ph.action, got, ph.items)
	}
	if got := executionCounts(d.ExecutionCounts); got != ph.executions {
		t.Errorf("%s: executionCounts %s, want %s", ph.action, got, ph.executions)
	}
	prefix := strings.Replace(runARN, ":mapRun:", ":execution:", 1)
	childARN := func(i int) string { return prefix + "-" + strconv.Itoa(i) }
	list := func(in sdk.ListExecutionsInput) []int {
		t.Helper()
		in.MapRunArn = aws.String(runARN)
		var out []int
		p := sdk.NewListExecutionsPaginator(e.c, &in, func(o *sdk.ListExecutionsPaginatorOptions) { o.Limit = 2 })
		for p.HasMorePages() {
			page, err := p.NextPage(e.ctx)
			if err != nil {
				t.Fatalf("list the map run's children: %v", err)
			}
			for _, x := range page.Executions {
				i, err := strconv.Atoi((*x.Name)[strings.LastIndexByte(*x.Name, '-')+1:])
				if err != nil || *x.ExecutionArn != childARN(i) || *x.StateMachineArn != sm+"/lbl" || *x.MapRunArn != runARN {
					t.Errorf("child %+v", x)
				}
				if in.StatusFilter != "" && x.Status != in.StatusFilter {
					t.Errorf("child %d is %s, listed for %s", i, x.Status, in.StatusFilter)
				}
				if x.ItemCount == nil || *x.ItemCount != 1 || x.RedriveCount == nil {
					t.Errorf("child %d: itemCount %v, redriveCount %v; want 1 and a count", i, x.ItemCount, x.RedriveCount)
				}
				if x.StartDate == nil || (x.Status == types.ExecutionStatusRunning) != (x.StopDate == nil) {
					t.Errorf("child %d (%s): start %v stop %v", i, x.Status, x.StartDate, x.StopDate)
				}
				out = append(out, i)
			}
		}
		return out
	}
	var all []int
	for _, st := range []types.ExecutionStatus{types.ExecutionStatusRunning, types.ExecutionStatusSucceeded, types.ExecutionStatusFailed,
		types.ExecutionStatusTimedOut, types.ExecutionStatusAborted, types.ExecutionStatusPendingRedrive} {
		got := list(sdk.ListExecutionsInput{StatusFilter: st})
		if want := ph.children[st]; !slices.Equal(got, want) {
			t.Errorf("%s: %s children %v, want %v", ph.action, st, got, want)
		}
		all = append(all, ph.children[st]...)
		for _, i := range ph.children[st] {
			c := e.describe(childARN(i))
			if c.Status != st || *c.MapRunArn != runARN || c.StartDate == nil || (st == types.ExecutionStatusRunning) != (c.StopDate == nil) {
				t.Errorf("%s: describe child %d: %s %v %v", ph.action, i, c.Status, c.StartDate, c.StopDate)
			}
			if st == types.ExecutionStatusFailed && (aws.ToString(c.Error) != "States.NoChoiceMatched" || aws.ToString(c.Cause) != "No Matches!") {
				t.Errorf("%s: failed child %d: error %v cause %v", ph.action, i, aws.ToString(c.Error), aws.ToString(c.Cause))
			}
			if st != types.ExecutionStatusFailed && (c.Error != nil || c.Cause != nil) {
				t.Errorf("%s: %s child %d has error %v cause %v", ph.action, st, i, aws.ToString(c.Error), aws.ToString(c.Cause))
			}
			redriven := slices.Contains(ph.redriven, i)
			if redriven != (aws.ToInt32(c.RedriveCount) == 1) || redriven != (c.RedriveDate != nil) {
				t.Errorf("%s: child %d: redriveCount %v, redriveDate %v", ph.action, i, aws.ToInt32(c.RedriveCount), c.RedriveDate)
			}
		}
	}
	slices.Sort(all)
	if got := list(sdk.ListExecutionsInput{}); !slices.Equal(got, all) {
		t.Errorf("%s: children %v, want %v", ph.action, got, all)
	}
	if got := list(sdk.ListExecutionsInput{RedriveFilter: types.ExecutionRedriveFilterRedriven}); !slices.Equal(got, ph.redriven) {
		t.Errorf("%s: redriven children %v, want %v", ph.action, got, ph.redriven)
	}
	notRedriven := slices.DeleteFunc(slices.Clone(all), func(i int) bool { return slices.Contains(ph.redriven, i) })
	if got := list(sdk.ListExecutionsInput{RedriveFilter: types.ExecutionRedriveFilterNotRedriven}); !slices.Equal(got, notRedriven) {
		t.Errorf("%s: children not redriven %v, want %v", ph.action, got, notRedriven)
	}
	for _, i := range ph.none {
		_, err := e.c.DescribeExecution(e.ctx, &sdk.DescribeExecutionInput{ExecutionArn: aws.String(childARN(i))})
		asError[*types.ExecutionDoesNotExist](t, err, fmt.Sprintf("describe child %d, never started", i))
	}
}

// olderSnapshots is a store whose executions read as if an older version of
// stepd had recorded them: their snapshots have no records of Map Run
// children (format 2).
type olderSnapshots struct{ store.Store }

func (s olderSnapshots) GetExecution(ctx context.Context, arn string, include store.Include) (*store.Execution, error) {
	rec, err := s.Store.GetExecution(ctx, arn, include)
	if err != nil || len(rec.Snapshot) == 0 {
		return rec, err
	}
	v, err := jsonv.Parse(rec.Snapshot)
	if err != nil {
		return nil, err
	}
	o := v.(*jsonv.Object)
	o.Set("v", int64(2))
	o.Delete("mapRuns")
	rec.Snapshot = []byte(jsonv.Marshal(o))
	return rec, nil
}

// TestMapRunItemOutcomesOlderExecution checks that a Map Run of an
// execution recorded without the record of its children is answered as
// before it was kept: every item has the run's status.
func TestMapRunItemOutcomesOlderExecution(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := startService(t, olderSnapshots{memstore.New()}, "n1")
	role, def := "arn:aws:iam::123456789012:role/r", mapItemsMachine(`"ToleratedFailurePercentage": 25,`)
	sm, err := svc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: "older", Definition: &def, RoleArn: &role})
	if err != nil {
		t.Fatal(err)
	}
	input := `{"items": [1, -2, -3, 4]}`
	x, err := svc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: &input})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := svc.WaitForExecution(ctx, x.ExecutionArn); err != nil || d.Status != "FAILED" {
		t.Fatalf("execution %+v %v", d, err)
	}
	runs, err := svc.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: x.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 1 {
		t.Fatalf("map runs %+v %v", runs, err)
	}
	run := runs.MapRuns[0].MapRunArn
	d, err := svc.DescribeMapRun(ctx, &sfn.MapRunInput{MapRunArn: run})
	if err != nil {
		t.Fatal(err)
	}
	if want := (sfn.MapRunCounts{Failed: 4, Total: 4}); d.Status != "FAILED" || d.ItemCounts != want || d.ExecutionCounts != want {
		t.Errorf("describe map run: %s %+v %+v", d.Status, d.ItemCounts, d.ExecutionCounts)
	}
	list, err := svc.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: &run})
	if err != nil || len(list.Executions) != 4 {
		t.Fatalf("children %+v %v", list, err)
	}
	for _, c := range list.Executions {
		if c.Status != "FAILED" {
			t.Errorf("child %s: %s", c.Name, c.Status)
		}
	}
	last := list.Executions[3].ExecutionArn
	if c, err := svc.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: last}); err != nil || c.Status != "FAILED" {
		t.Errorf("describe the child never started: %+v %v", c, err)
	}
}
