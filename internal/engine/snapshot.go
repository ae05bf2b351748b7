package engine

import (
	"encoding/base64"
	"fmt"
	"sort"
	"time"

	"stepd/internal/asl"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

// snapshotVersion is the format version of Snapshot's output. Version 2
// added what a redrive needs: the redrive count and time, the group of a
// Parallel or Map state that failed for good (frame "ended"), and a
// group's pending re-runs ("redo") and Map Run redrives. Version 3 added
// the records of the Map Runs' children ("mapRuns", see maprun.go).
// Restore reads versions 1 to 3; for an older one it rebuilds the records
// of the Map Runs still in progress or failed from their groups, and has
// none for the others.
const snapshotVersion = 3

// Snapshot serialises the execution's whole state: restoring it with
// Restore gives an execution that behaves exactly as this one would. The
// format is JSON and versioned. The snapshot of an ended execution keeps
// its frames, which is what Redrive resumes from.
func (x *Execution) Snapshot() []byte {
	w := &snapWriter{frameIDs: map[*frame]int64{}}
	o := jsonv.NewObject(16)
	o.Set("v", int64(snapshotVersion))
	o.Set("status", string(x.status))
	o.Set("input", x.inputText)
	o.Set("start", x.startTime.UnixMilli())
	if !x.stopTime.IsZero() {
		o.Set("stop", x.stopTime.UnixMilli())
	}
	o.Set("output", x.output)
	if x.errName != nil {
		o.Set("error", *x.errName)
	}
	if x.cause != nil {
		o.Set("cause", *x.cause)
	}
	o.Set("nextID", x.nextID)
	o.Set("seq", x.seq)
	o.Set("redriveCount", x.cfg.RedriveCount)
	if x.cfg.Label != "" {
		o.Set("label", x.cfg.Label)
	}
	if !x.redriveTime.IsZero() {
		o.Set("redriveTime", x.redriveTime.UnixMilli())
	}
	pcg, _ := x.pcg.MarshalBinary()
	o.Set("rng", base64.StdEncoding.EncodeToString(pcg))
	if x.root != nil {
		o.Set("root", w.frame(x.root))
	}
	timers := make([]any, 0, len(x.timers))
	for _, id := range sortedKeys(x.timers) {
		t := x.timers[id]
		to := jsonv.ObjectOf("id", id, "kind", int64(t.kind), "at", t.at.UnixMilli())
		if t.frame != nil {
			to.Set("frame", w.frameIDs[t.frame])
		}
		timers = append(timers, to)
	}
	o.Set("timers", timers)
	if list := x.mapRunList(); len(list) > 0 {
		o.Set("mapRuns", writeMapRuns(list))
	}
	return []byte(jsonv.Marshal(o))
}

type snapWriter struct {
	frameIDs map[*frame]int64
}

func (w *snapWriter) frame(f *frame) any {
	if f == nil {
		return nil
	}
	id := int64(len(w.frameIDs) + 1)
	w.frameIDs[f] = id
	o := jsonv.NewObject(24)
	o.Set("id", id)
	o.Set("index", int64(f.index))
	o.Set("phase", int64(f.phase))
	if f.state != nil {
		o.Set("state", f.state.Name)
	}
	o.Set("raw", f.raw)
	if f.rawText != "" {
		o.Set("rawText", f.rawText)
	}
	o.Set("entered", f.entered)
	o.Set("enteredAt", f.enteredAt.UnixMilli())
	o.Set("last", f.last)
	if f.retries != nil {
		r := make([]any, len(f.retries))
		for i, n := range f.retries {
			r[i] = n
		}
		o.Set("retries", r)
	}
	o.Set("retryCount", int64(f.retryCount))
	o.Set("effective", f.effective)
	if f.task != nil {
		req := f.task.req
		o.Set("task", jsonv.ObjectOf(
			"id", f.task.id, "started", f.task.started,
			"timeoutTimer", f.task.timeoutTimer, "heartbeatTimer", f.task.heartbeatTimer,
			"input", req.Input, "inputText", req.InputText, "token", req.TaskToken,
			"timeout", req.TimeoutSeconds, "heartbeat", req.HeartbeatSeconds,
			"attempt", int64(req.Attempt), "credentials", req.Credentials,
		))
	}
	o.Set("token", f.token)
	o.Set("timer", f.timer)
	o.Set("heartbeat", f.heartbeat)
	o.Set("failedEvent", string(f.failedEvent))
	if f.item != nil {
		o.Set("item", jsonv.ObjectOf("index", int64(f.item.index), "value", f.item.value))
	}
	o.Set("silent", f.silent)
	o.Set("aborted", f.aborted)
	o.Set("output", f.output)
	if fl := f.failure; fl != nil {
		fo := jsonv.ObjectOf("runtime", fl.runtime, "location", fl.location)
		if fl.err != nil {
			fo.Set("error", *fl.err)
		}
		if fl.cause != nil {
			fo.Set("cause", *fl.cause)
		}
		o.Set("failure", fo)
	}
	if f.scope != nil && f.scope.vars != nil {
		o.Set("vars", f.scope.vars)
	}
	if g := f.group; g != nil {
		o.Set("group", w.group(g))
	}
	if g := f.ended; g != nil {
		o.Set("ended", w.group(g))
	}
	return o
}

func (w *snapWriter) group(g *group) any {
	children := make([]any, len(g.children))
	for i, c := range g.children {
		children[i] = w.frame(c)
	}
	o := jsonv.ObjectOf(
		"children", children, "results", nonNil(g.results), "items", nonNil(g.items),
		"next", int64(g.next), "running", int64(g.running), "finished", int64(g.finished),
		"failures", int64(g.failures), "maxConcurrency", int64(g.maxConcurrency),
		"toleratedCount", g.toleratedCount, "toleratedPct", g.toleratedPct,
		"lastEvent", g.lastEvent, "lastIterOK", g.lastIterOK,
		"distributed", g.distributed, "mapRunARN", g.mapRunARN,
	)
	if len(g.redo) > 0 {
		redo := make([]any, len(g.redo))
		for i, n := range g.redo {
			redo[i] = int64(n)
		}
		o.Set("redo", redo)
	}
	if g.redrives > 0 {
		o.Set("redrives", g.redrives)
	}
	return o
}

func nonNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

// snapshotObject parses a snapshot of a format version this package reads.
func snapshotObject(snapshot []byte) (*jsonv.Object, error) {
	v, err := jsonv.Parse(snapshot)
	if err != nil {
		return nil, fmt.Errorf("engine: snapshot: %w", err)
	}
	o, ok := v.(*jsonv.Object)
	if !ok {
		return nil, fmt.Errorf("engine: snapshot: unknown format")
	}
	if v := getInt(o, "v"); v < 1 || v > snapshotVersion {
		return nil, fmt.Errorf("engine: snapshot: unknown format version %d", v)
	}
	return o, nil
}

// Restore rebuilds an execution from a Snapshot of it, for the same
// compiled machine and configuration. It reads the current format and
// version 1; a version 1 snapshot of a Parallel or Map state that failed
// lacks its branches' results, so a redrive runs that state again whole.
func Restore(m *asl.Machine, cfg Config, snapshot []byte) (x *Execution, err error) {
	defer func() {
		if r := recover(); r != nil {
			x, err = nil, fmt.Errorf("engine: corrupt snapshot: %v", r)
		}
	}()
	o, err := snapshotObject(snapshot)
	if err != nil {
		return nil, err
	}
	if cfg.Label == "" {
		cfg.Label = getStr(o, "label")
	}
	x = New(m, cfg)
	x.status = Status(getStr(o, "status"))
	x.inputText = getStr(o, "input")
	x.input, _ = jsonv.ParseString(x.inputText)
	x.startTime = time.UnixMilli(getInt(o, "start")).UTC()
	if o.Has("stop") {
		x.stopTime = time.UnixMilli(getInt(o, "stop")).UTC()
	}
	x.output = getStr(o, "output")
	if o.Has("error") {
		x.errName = history.Str(getStr(o, "error"))
	}
	if o.Has("cause") {
		x.cause = history.Str(getStr(o, "cause"))
	}
	x.nextID = getInt(o, "nextID")
	x.seq = getInt(o, "seq")
	if o.Has("redriveCount") {
		x.cfg.RedriveCount = getInt(o, "redriveCount")
	}
	if o.Has("redriveTime") {
		x.redriveTime = time.UnixMilli(getInt(o, "redriveTime")).UTC()
	}
	pcg, err := base64.StdEncoding.DecodeString(getStr(o, "rng"))
	if err != nil {
		return nil, fmt.Errorf("engine: snapshot rng: %w", err)
	}
	if err := x.pcg.UnmarshalBinary(pcg); err != nil {
		return nil, fmt.Errorf("engine: snapshot rng: %w", err)
	}
	r := &snapReader{x: x, frames: map[int64]*frame{}}
	if rv, ok := o.Get("root"); ok && rv != nil {
		if x.root, err = r.frame(rv.(*jsonv.Object), nil, m, nil); err != nil {
			return nil, err
		}
	}
	runs, err := readMapRuns(o)
	if err != nil {
		return nil, err
	}
	if len(runs) > 0 {
		t := x.mapRunTable()
		for _, mr := range runs {
			t.add(mr)
		}
	}
	x.rebuildMapRuns(x.root)
	tv, _ := o.Get("timers")
	for _, t := range tv.([]any) {
		to := t.(*jsonv.Object)
		ref := &timerRef{kind: timerKind(getInt(to, "kind")), at: time.UnixMilli(getInt(to, "at")).UTC()}
		if to.Has("frame") {
			ref.frame = r.frames[getInt(to, "frame")]
			if ref.frame == nil {
				return nil, fmt.Errorf("engine: snapshot: timer %s refers to an unknown frame", getStr(to, "id"))
			}
		}
		x.timers[getStr(to, "id")] = ref
	}
	return x, nil
}

type snapReader struct {
	x      *Execution
	frames map[int64]*frame
}

func (r *snapReader) frame(o *jsonv.Object, parent *frame, m *asl.Machine, outer *scope) (*frame, error) {
	f := r.x.newFrame(parent, nil, m, int(getInt(o, "index")), newScope(outer))
	r.frames[getInt(o, "id")] = f
	f.phase = phase(getInt(o, "phase"))
	if o.Has("state") {
		f.state = m.State(getStr(o, "state"))
		if f.state == nil {
			return nil, fmt.Errorf("engine: snapshot names state %q, which the machine does not have", getStr(o, "state"))
		}
	}
	f.raw, _ = o.Get("raw")
	f.rawText = getStr(o, "rawText")
	f.entered = getInt(o, "entered")
	f.enteredAt = time.UnixMilli(getInt(o, "enteredAt")).UTC()
	f.last = getInt(o, "last")
	if rv, ok := o.Get("retries"); ok {
		for _, n := range rv.([]any) {
			f.retries = append(f.retries, n.(int64))
		}
	}
	f.retryCount = int(getInt(o, "retryCount"))
	f.effective, _ = o.Get("effective")
	f.token = getStr(o, "token")
	f.timer = getStr(o, "timer")
	f.heartbeat = getBool(o, "heartbeat")
	f.failedEvent = history.Type(getStr(o, "failedEvent"))
	f.silent = getBool(o, "silent")
	f.aborted = getBool(o, "aborted")
	f.output, _ = o.Get("output")
	if iv, ok := o.Get("item"); ok {
		io := iv.(*jsonv.Object)
		val, _ := io.Get("value")
		f.item = &mapItem{index: int(getInt(io, "index")), value: val}
	}
	if fv, ok := o.Get("failure"); ok {
		fo := fv.(*jsonv.Object)
		fl := &failure{runtime: getBool(fo, "runtime"), location: getStr(fo, "location")}
		if fo.Has("error") {
			fl.err = history.Str(getStr(fo, "error"))
		}
		if fo.Has("cause") {
			fl.cause = history.Str(getStr(fo, "cause"))
		}
		f.failure = fl
	}
	if vv, ok := o.Get("vars"); ok {
		f.scope.vars = vv.(*jsonv.Object)
	}
	if tv, ok := o.Get("task"); ok {
		to := tv.(*jsonv.Object)
		in, _ := to.Get("input")
		creds, _ := to.Get("credentials")
		req := &TaskRequest{
			ID: getStr(to, "id"), StateName: f.state.Name, Resource: f.state.Res, Input: in,
			InputText: getStr(to, "inputText"), TaskToken: getStr(to, "token"),
			TimeoutSeconds: getInt(to, "timeout"), HeartbeatSeconds: getInt(to, "heartbeat"),
			Attempt: int(getInt(to, "attempt")), Credentials: creds, ExecutionARN: r.x.cfg.ExecutionARN,
		}
		f.task = &pendingTask{id: req.ID, req: req, started: getBool(to, "started"),
			timeoutTimer: getStr(to, "timeoutTimer"), heartbeatTimer: getStr(to, "heartbeatTimer")}
		r.x.tasks[req.ID] = f
	}
	var err error
	if gv, ok := o.Get("group"); ok {
		if f.group, err = r.group(gv.(*jsonv.Object), f); err != nil {
			return nil, err
		}
	}
	if gv, ok := o.Get("ended"); ok {
		if f.ended, err = r.group(gv.(*jsonv.Object), f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// group reads the group of f's Parallel or Map state.
func (r *snapReader) group(o *jsonv.Object, f *frame) (*group, error) {
	g := &group{
		next: int(getInt(o, "next")), running: int(getInt(o, "running")), finished: int(getInt(o, "finished")),
		failures: int(getInt(o, "failures")), maxConcurrency: int(getInt(o, "maxConcurrency")),
		toleratedCount: getInt(o, "toleratedCount"), toleratedPct: getFloat(o, "toleratedPct"),
		lastEvent: getInt(o, "lastEvent"), lastIterOK: getInt(o, "lastIterOK"),
		distributed: getBool(o, "distributed"), mapRunARN: getStr(o, "mapRunARN"),
		redrives: getInt(o, "redrives"),
	}
	rv, _ := o.Get("results")
	g.results = rv.([]any)
	iv, _ := o.Get("items")
	g.items = iv.([]any)
	if dv, ok := o.Get("redo"); ok {
		for _, n := range dv.([]any) {
			i, _ := jsonv.AsInt(n)
			g.redo = append(g.redo, int(i))
		}
	}
	cv, _ := o.Get("children")
	children := cv.([]any)
	g.children = make([]*frame, len(children))
	for i, c := range children {
		if c == nil {
			continue
		}
		var cm *asl.Machine
		if f.state.Type == asl.TypeParallel {
			cm = f.state.Branches[i]
		} else {
			cm = f.state.Processor
		}
		child, err := r.frame(c.(*jsonv.Object), f, cm, f.scope)
		if err != nil {
			return nil, err
		}
		g.children[i] = child
	}
	return g, nil
}

func getInt(o *jsonv.Object, k string) int64 {
	v, _ := o.Get(k)
	n, _ := jsonv.AsInt(v)
	return n
}

func getFloat(o *jsonv.Object, k string) float64 {
	v, _ := o.Get(k)
	f, _ := jsonv.AsFloat(v)
	return f
}

func getStr(o *jsonv.Object, k string) string {
	v, _ := o.Get(k)
	s, _ := v.(string)
	return s
}

func getBool(o *jsonv.Object, k string) bool {
	v, _ := o.Get(k)
	b, _ := v.(bool)
	return b
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PendingWork lists what a restored execution's driver must redo: dispatch
// its pending tasks again and re-arm its timers (firing overdue ones at once).
func (x *Execution) PendingWork() []Command {
	var cmds []Command
	for _, id := range sortedKeys(x.timers) {
		cmds = append(cmds, Command{Kind: SetTimer, ID: id, At: x.timers[id].at})
	}
	for _, id := range sortedKeys(x.tasks) {
		cmds = append(cmds, Command{Kind: RunTask, ID: id, Task: x.tasks[id].task.req})
	}
	return cmds
}
