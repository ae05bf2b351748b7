package engine

import (
	"fmt"
	"time"

	"stepd/internal/jsonv"
)

// The children of Map Runs. On AWS each iteration of a distributed Map is a
// child execution of its own, with its own status, dates and error; stepd
// runs the iterations inline as silent frames, which record no history in
// the parent. So that DescribeMapRun, ListExecutions with a mapRunArn and
// DescribeExecution of a child can answer per child, the execution keeps,
// for every Map Run whose MapRunStarted is in its history, what became of
// each child: its status, start and stop times, error and cause, and its
// redrives. The record outlives the Map state (a group is dropped when its
// state exits) and is kept in the snapshot.

// ChildStatus is the status of one child execution of a Map Run.
type ChildStatus uint8

// The child statuses. ChildPending: not started (yet).
const (
	ChildPending ChildStatus = iota
	ChildRunning
	ChildSucceeded
	ChildFailed
	ChildTimedOut
	ChildAborted
)

// childStatusCodes are the statuses' one-letter codes in snapshots.
const childStatusCodes = "PRSFTA"

// String returns the status as the API spells an execution status
// ("PENDING" for a child not started).
func (s ChildStatus) String() string {
	switch s {
	case ChildRunning:
		return string(Running)
	case ChildSucceeded:
		return string(Succeeded)
	case ChildFailed:
		return string(Failed)
	case ChildTimedOut:
		return string(TimedOut)
	case ChildAborted:
		return string(Aborted)
	}
	return "PENDING"
}

// Terminal reports whether the child has ended.
func (s ChildStatus) Terminal() bool { return s >= ChildSucceeded }

// MapRunChild is what became of one child execution (one iteration) of a
// Map Run.
type MapRunChild struct {
	Status ChildStatus
	// StartTime is when the child first started; StopTime when it last
	// ended (zero while it runs). Both are zero when unknown (a record
	// rebuilt from a snapshot of an older version).
	StartTime, StopTime time.Time
	// Error and Cause of a failed child; nil means absent.
	Error, Cause *string
	// RedriveCount and RedriveTime: how many times, and when last, the
	// child was run again by a redrive of its Map Run.
	RedriveCount int64
	RedriveTime  time.Time
	// PendingRedrive is set while a redriven Map Run has yet to run the
	// child again.
	PendingRedrive bool
}

// MapRun is the record of one Map Run's children, in item order.
type MapRun struct {
	ARN      string
	Children []MapRunChild
	// BatchSizes gives how many items each child processes when the Map
	// batches its items (ItemBatcher); nil when each child has one item.
	BatchSizes []int
}

// MapRuns returns the records of the Map Runs the execution started (those
// whose MapRunStarted is in its history), keyed by Map Run ARN. They are
// copies. Executions restored from snapshots of older versions may lack
// some or all of them.
func (x *Execution) MapRuns() map[string]*MapRun {
	list := x.mapRunList()
	out := make(map[string]*MapRun, len(list))
	for _, r := range list {
		out[r.ARN] = r.clone()
	}
	return out
}

// mapRunTable holds the records of an execution's Map Runs, in start
// order, and finds them by ARN.
type mapRunTable struct {
	list  []*MapRun
	byARN map[string]*MapRun
}

// mapRunList returns the execution's records, in start order.
func (x *Execution) mapRunList() []*MapRun { return x.mapRuns.list }

// mapRunTable returns the execution's table, its index made on first use.
func (x *Execution) mapRunTable() *mapRunTable {
	if x.mapRuns.byARN == nil {
		x.mapRuns.byARN = map[string]*MapRun{}
	}
	return &x.mapRuns
}

func (t *mapRunTable) add(r *MapRun) {
	t.list = append(t.list, r)
	t.byARN[r.ARN] = r
}

// SnapshotMapRuns reads the Map Runs' records from a Snapshot without
// restoring the execution (MapRuns of the restored execution, without the
// compiled machine). A snapshot of an older version gives none.
func SnapshotMapRuns(snapshot []byte) (runs map[string]*MapRun, err error) {
	defer func() {
		if r := recover(); r != nil {
			runs, err = nil, fmt.Errorf("engine: corrupt snapshot: %v", r)
		}
	}()
	o, err := snapshotObject(snapshot)
	if err != nil {
		return nil, err
	}
	list, err := readMapRuns(o)
	if err != nil {
		return nil, err
	}
	runs = make(map[string]*MapRun, len(list))
	for _, r := range list {
		runs[r.ARN] = r
	}
	return runs, nil
}

func (r *MapRun) clone() *MapRun {
	c := &MapRun{ARN: r.ARN, Children: append([]MapRunChild(nil), r.Children...)}
	if r.BatchSizes != nil {
		c.BatchSizes = append([]int(nil), r.BatchSizes...)
	}
	return c
}

// mapRunOf returns the record of g's Map Run, or nil (an inline Map, a
// silent one, or one started before records were kept).
func (x *Execution) mapRunOf(g *group) *MapRun {
	if g == nil || !g.distributed || g.mapRunARN == "" {
		return nil
	}
	return x.mapRuns.byARN[g.mapRunARN]
}

// addMapRun starts the record of g's Map Run, whose MapRunStarted f just
// recorded.
func (x *Execution) addMapRun(f *frame, g *group) *MapRun {
	r := &MapRun{ARN: g.mapRunARN, Children: make([]MapRunChild, len(g.items))}
	if f.state.ItemBatcher != nil {
		r.BatchSizes = make([]int, len(g.items))
		for i, b := range g.items {
			r.BatchSizes[i] = 1
			if o, ok := b.(*jsonv.Object); ok {
				if items, ok := o.Get("Items"); ok {
					if list, ok := items.([]any); ok {
						r.BatchSizes[i] = len(list)
					}
				}
			}
		}
	}
	x.mapRunTable().add(r)
	return r
}

// rebuildMapRun makes a record for the Map Run of g (f's group) from its
// children when there is none: the execution was restored from a snapshot
// of a version that kept no records. Times are unknown.
func (x *Execution) rebuildMapRun(f *frame, g *group) {
	if !g.distributed || g.mapRunARN == "" || f.silent || x.mapRunOf(g) != nil {
		return
	}
	r := x.addMapRun(f, g)
	for i, c := range g.children {
		if c == nil || i >= len(r.Children) {
			continue
		}
		ch := &r.Children[i]
		switch {
		case c.succeeded():
			ch.Status = ChildSucceeded
		case c.phase == phaseDone && c.failure != nil:
			ch.Status = ChildFailed
			ch.Error, ch.Cause = c.failure.err, c.failure.cause
		case c.aborted:
			ch.Status = ChildAborted
		default:
			ch.Status = ChildRunning
		}
	}
}

// childStarted records that iteration i of g's Map Run starts: for the
// first time, or again after a redrive.
func (x *Execution) childStarted(g *group, i int) {
	r := x.mapRunOf(g)
	if r == nil || i >= len(r.Children) {
		return
	}
	ch := &r.Children[i]
	if ch.Status != ChildPending {
		ch.RedriveCount++
		ch.RedriveTime = x.now
	} else {
		ch.StartTime = x.now
	}
	ch.Status, ch.StopTime, ch.Error, ch.Cause, ch.PendingRedrive = ChildRunning, time.Time{}, nil, nil, false
}

// childEnded records the end of iteration i of g's Map Run; fl is the
// failure of a failed one.
func (x *Execution) childEnded(g *group, i int, st ChildStatus, fl *failure) {
	r := x.mapRunOf(g)
	if r == nil || i >= len(r.Children) {
		return
	}
	ch := &r.Children[i]
	ch.Status, ch.StopTime, ch.Error, ch.Cause = st, x.now, nil, nil
	if fl != nil {
		ch.Error, ch.Cause = fl.err, fl.cause
	}
}

// childAborted records that f, an iteration being aborted, did not finish.
func (x *Execution) childAborted(f *frame) {
	p := f.parent
	if p == nil || p.group == nil || f.item == nil || f.index >= len(p.group.children) || p.group.children[f.index] != f {
		return
	}
	x.childEnded(p.group, f.index, ChildAborted, nil)
}

// childFailedRuntime records, for a States.Runtime failure of f that fails
// the whole execution, that the Map Run iterations f runs in failed.
func (x *Execution) childFailedRuntime(f *frame, fl *failure) {
	for c := f; c != nil && c.parent != nil; c = c.parent {
		p := c.parent
		if c.item != nil && p.group != nil && c.index < len(p.group.children) && p.group.children[c.index] == c {
			x.childEnded(p.group, c.index, ChildFailed, fl)
		}
	}
}

// pendingRedrive marks the children of g's Map Run that a redrive will run
// again.
func (x *Execution) pendingRedrive(g *group) {
	r := x.mapRunOf(g)
	if r == nil {
		return
	}
	for _, i := range g.redo {
		if i < len(r.Children) && r.Children[i].Status != ChildPending {
			r.Children[i].PendingRedrive = true
		}
	}
}

// redriveDropped records that g's Map Run ends before running again the
// children its redrive was to run: they keep their earlier outcome.
func (x *Execution) redriveDropped(g *group) {
	if r := x.mapRunOf(g); r != nil {
		for i := range r.Children {
			r.Children[i].PendingRedrive = false
		}
	}
}

// Snapshot form: "mapRuns" is a list of
//
//	{"arn", "t0": the earliest time (Unix ms), "status": a letter per child,
//	 "start", "stop": per child, 0 for none or else ms after t0 plus one,
//	 "failures": [[index, error|null, cause|null], ...],
//	 "redrives": [[index, count, ms after t0 plus one], ...],
//	 "pendingRedrive": [index, ...], "batchSizes": [n, ...]}
//
// with the last four present only when not empty.

func writeMapRuns(runs []*MapRun) []any {
	out := make([]any, 0, len(runs))
	for _, r := range runs {
		var t0 int64 // the earliest time recorded
		for _, ch := range r.Children {
			for _, t := range [...]time.Time{ch.StartTime, ch.StopTime, ch.RedriveTime} {
				if !t.IsZero() && (t0 == 0 || t.UnixMilli() < t0) {
					t0 = t.UnixMilli()
				}
			}
		}
		rel := func(t time.Time) int64 {
			if t.IsZero() {
				return 0
			}
			return t.UnixMilli() - t0 + 1
		}
		status := make([]byte, len(r.Children))
		start, stop := make([]any, len(r.Children)), make([]any, len(r.Children))
		var failures, redrives, pending []any
		for i, ch := range r.Children {
			status[i] = childStatusCodes[ch.Status]
			start[i], stop[i] = rel(ch.StartTime), rel(ch.StopTime)
			if ch.Error != nil || ch.Cause != nil {
				failures = append(failures, []any{int64(i), strOrNil(ch.Error), strOrNil(ch.Cause)})
			}
			if ch.RedriveCount > 0 {
				redrives = append(redrives, []any{int64(i), ch.RedriveCount, rel(ch.RedriveTime)})
			}
			if ch.PendingRedrive {
				pending = append(pending, int64(i))
			}
		}
		o := jsonv.ObjectOf("arn", r.ARN, "t0", t0, "status", string(status), "start", start, "stop", stop)
		if failures != nil {
			o.Set("failures", failures)
		}
		if redrives != nil {
			o.Set("redrives", redrives)
		}
		if pending != nil {
			o.Set("pendingRedrive", pending)
		}
		if r.BatchSizes != nil {
			sizes := make([]any, len(r.BatchSizes))
			for i, n := range r.BatchSizes {
				sizes[i] = int64(n)
			}
			o.Set("batchSizes", sizes)
		}
		out = append(out, o)
	}
	return out
}

func strOrNil(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// readMapRuns reads the "mapRuns" of a snapshot (none before version 3).
func readMapRuns(o *jsonv.Object) ([]*MapRun, error) {
	lv, ok := o.Get("mapRuns")
	if !ok {
		return nil, nil
	}
	list, ok := lv.([]any)
	if !ok {
		return nil, fmt.Errorf("engine: snapshot: mapRuns is not a list")
	}
	runs := make([]*MapRun, 0, len(list))
	for _, v := range list {
		ro := v.(*jsonv.Object)
		t0 := getInt(ro, "t0")
		abs := func(n any) time.Time {
			ms, _ := jsonv.AsInt(n)
			if ms == 0 {
				return time.Time{}
			}
			return time.UnixMilli(t0 + ms - 1).UTC()
		}
		status := getStr(ro, "status")
		sv, _ := ro.Get("start")
		ev, _ := ro.Get("stop")
		start, stop := sv.([]any), ev.([]any)
		if len(start) != len(status) || len(stop) != len(status) {
			return nil, fmt.Errorf("engine: snapshot: Map Run %s: %d statuses, %d start and %d stop times", getStr(ro, "arn"), len(status), len(start), len(stop))
		}
		r := &MapRun{ARN: getStr(ro, "arn"), Children: make([]MapRunChild, len(status))}
		for i := range status {
			st := ChildStatus(0)
			for st < ChildStatus(len(childStatusCodes)) && childStatusCodes[st] != status[i] {
				st++
			}
			if int(st) == len(childStatusCodes) {
				return nil, fmt.Errorf("engine: snapshot: Map Run %s: unknown status %q", r.ARN, status[i])
			}
			r.Children[i] = MapRunChild{Status: st, StartTime: abs(start[i]), StopTime: abs(stop[i])}
		}
		child := func(n any) *MapRunChild {
			i, _ := jsonv.AsInt(n)
			if i < 0 || int(i) >= len(r.Children) {
				panic(fmt.Sprintf("Map Run %s has no child %d", r.ARN, i))
			}
			return &r.Children[i]
		}
		if fv, ok := ro.Get("failures"); ok {
			for _, f := range fv.([]any) {
				t := f.([]any)
				ch := child(t[0])
				if s, ok := t[1].(string); ok {
					ch.Error = &s
				}
				if s, ok := t[2].(string); ok {
					ch.Cause = &s
				}
			}
		}
		if dv, ok := ro.Get("redrives"); ok {
			for _, d := range dv.([]any) {
				t := d.([]any)
				ch := child(t[0])
				ch.RedriveCount, _ = jsonv.AsInt(t[1])
				ch.RedriveTime = abs(t[2])
			}
		}
		if pv, ok := ro.Get("pendingRedrive"); ok {
			for _, i := range pv.([]any) {
				child(i).PendingRedrive = true
			}
		}
		if bv, ok := ro.Get("batchSizes"); ok {
			for _, n := range bv.([]any) {
				k, _ := jsonv.AsInt(n)
				r.BatchSizes = append(r.BatchSizes, int(k))
			}
			if len(r.BatchSizes) != len(r.Children) {
				return nil, fmt.Errorf("engine: snapshot: Map Run %s: %d batch sizes for %d children", r.ARN, len(r.BatchSizes), len(r.Children))
			}
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// rebuildMapRuns makes the missing records of the Map Runs under f whose
// groups a restored snapshot holds (see rebuildMapRun).
func (x *Execution) rebuildMapRuns(f *frame) {
	if f == nil {
		return
	}
	for _, g := range [...]*group{f.group, f.ended} {
		if g == nil {
			continue
		}
		x.rebuildMapRun(f, g)
		for _, c := range g.children {
			x.rebuildMapRuns(c)
		}
	}
}
