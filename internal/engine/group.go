package engine

import (
	"strings"

	"stepd/internal/asl"
	"stepd/internal/dataflow"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

// group is a Parallel or Map state in progress: its child frames and their
// results.
type group struct {
	children []*frame
	results  []any
	items    []any // Map: the items (or batches)
	next     int   // Map: the next item to start
	running  int
	finished int
	failures int // Map: tolerated iteration failures

	maxConcurrency int     // Map: 0 = unlimited
	toleratedCount int64   // Map: -1 = none set
	toleratedPct   float64 // Map: -1 = none set

	launching   bool  // children are being started synchronously
	lastEvent   int64 // Parallel: the last event of any branch; Map: of the last finished iteration
	lastIterOK  int64 // Map: the last MapIterationSucceeded
	distributed bool
	mapRunARN   string

	// After a redrive: the children to run again before any not started
	// yet (Map, in index order), and how many times a distributed Map's
	// Map Run was redriven.
	redo     []int
	redrives int64
}

func (x *Execution) runParallel(f *frame) {
	s := f.state
	env := x.env(f)
	eff, err := dataflow.Effective(s, f.raw, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	f.effective = eff
	x.startParallel(f, &group{})
}

func (x *Execution) runMap(f *frame) {
	s := f.state
	env := x.env(f)
	var (
		eff   any = f.raw
		items any
		err   error
	)
	if s.QueryLanguage == asl.JSONata {
		items = f.raw
		if s.Items != nil {
			if items, err = dataflow.JSONata(s.Items, env); err != nil {
				x.raise(f, err)
				return
			}
			if _, ok := items.([]any); !ok {
				x.raise(f, dataflow.TypeError(s.Items, "Items", "array", items))
				return
			}
		}
	} else {
		if eff, err = dataflow.InputPath(s, f.raw, env); err != nil {
			x.raise(f, err)
			return
		}
		items = eff
		if s.ItemsPath != nil {
			if items, err = dataflow.Get(s.ItemsPath, eff, env); err != nil {
				x.raise(f, err)
				return
			}
		}
	}
	if _, ok := items.([]any); !ok {
		if s.QueryLanguage == asl.JSONata {
			x.raise(f, &dataflow.Failure{Name: asl.ErrQueryEvaluationError, Location: "Items",
				Cause: "Map state input must be an array but was: " + encode(items)})
		} else {
			x.raise(f, runtimeFailure("Map state input must be an array but was: "+encode(items)))
		}
		return
	}
	f.effective = eff
	list := items.([]any)
	if s.ItemBatcher != nil {
		// Items, then ItemSelector on each item, then ItemBatcher: the
		// iterations get batches of selected items.
		if s.ItemSelector != nil {
			selected := make([]any, len(list))
			for i, it := range list {
				if selected[i], err = x.selectItem(f, &mapItem{index: i, value: it}); err != nil {
					x.raise(f, err)
					return
				}
			}
			list = selected
		}
		if list, err = x.batch(f, list, eff, env); err != nil {
			x.raise(f, err)
			return
		}
	}
	g := &group{items: list, toleratedCount: -1, toleratedPct: -1, distributed: s.ProcessorMode == asl.ModeDistributed}
	f.group = g
	f.phase = phaseWait
	// AWS records MapStateStarted before it reads the concurrency and
	// tolerated-failure settings (observed: a bad ToleratedFailureCountPath
	// fails after MapStateStarted).
	x.mapStarted(f, g)
	if g.maxConcurrency, err = dataflow.MapInt(s.MaxConcurrency, eff, env, "MaxConcurrency"); err != nil {
		x.raise(f, err)
		return
	}
	if s.ToleratedFailureCount.Set {
		n, err := dataflow.MapInt(s.ToleratedFailureCount, eff, env, "ToleratedFailureCount")
		if err != nil {
			x.raise(f, err)
			return
		}
		g.toleratedCount = int64(n)
	}
	if s.ToleratedFailurePercentage.Set {
		p, err := dataflow.MapPercent(s.ToleratedFailurePercentage, eff, env)
		if err != nil {
			x.raise(f, err)
			return
		}
		g.toleratedPct = p
	}
	x.launchMap(f, g)
}

// batch groups Map items as an ItemBatcher says: {"Items": [...]} plus
// BatchInput.
func (x *Execution) batch(f *frame, items []any, input any, env *dataflow.Env) ([]any, error) {
	b := f.state.ItemBatcher
	maxItems, err := dataflow.MapInt(b.MaxItemsPerBatch, input, env, "MaxItemsPerBatch")
	if err != nil {
		return nil, err
	}
	maxBytes, err := dataflow.MapInt(b.MaxInputBytesPerBatch, input, env, "MaxInputBytesPerBatch")
	if err != nil {
		return nil, err
	}
	var batchInput any
	if b.BatchInput != nil {
		if f.state.QueryLanguage == asl.JSONata {
			batchInput, err = dataflow.JSONata(b.BatchInput, env)
		} else {
			batchInput, err = dataflow.Payload(b.BatchInput, input, env)
		}
		if err != nil {
			return nil, err
		}
	}
	mk := func(list []any) any {
		o := jsonv.NewObject(2)
		if bi, ok := batchInput.(*jsonv.Object); ok {
			o.Set("BatchInput", bi)
		}
		o.Set("Items", list)
		return o
	}
	var out []any
	var cur []any
	size := 0
	for _, it := range items {
		n := len(encode(it))
		if len(cur) > 0 && ((maxItems > 0 && len(cur) >= maxItems) || (maxBytes > 0 && size+n > maxBytes)) {
			out = append(out, mk(cur))
			cur, size = nil, 0
		}
		cur = append(cur, it)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, mk(cur))
	}
	return out, nil
}

// startGroup (re)starts f's Parallel branches or Map iterations.
func (x *Execution) startGroup(f *frame) {
	if f.state.Type == asl.TypeMap {
		if f.group == nil {
			x.runMap(f)
			return
		}
		g := f.group
		fresh := &group{items: g.items, maxConcurrency: g.maxConcurrency, toleratedCount: g.toleratedCount,
			toleratedPct: g.toleratedPct, distributed: g.distributed}
		f.group = fresh
		f.phase = phaseWait
		x.mapStarted(f, fresh)
		x.launchMap(f, fresh)
		return
	}
	x.startParallel(f, &group{})
}

// startParallel starts every branch of f's Parallel state.
func (x *Execution) startParallel(f *frame, g *group) {
	s := f.state
	f.group = g
	f.phase = phaseWait
	{
		n := len(s.Branches)
		g.children, g.results = make([]*frame, n), make([]any, n)
		started := x.emit(f, history.ParallelStateStarted, nil)
		g.lastEvent = started
		g.launching = true
		for i := range s.Branches {
			if !x.startBranch(f, g, i, started) {
				return
			}
		}
		g.launching = false
		x.groupProgress(f)
	}
}

// startBranch runs branch i of f's Parallel state: from its start, or,
// after a redrive, from where it stopped. prev is the previousEventId of
// the branch's first event. It reports whether f still waits for its
// branches (false once the execution ended or the Parallel failed).
func (x *Execution) startBranch(f *frame, g *group, i int, prev int64) bool {
	s := f.state
	g.running++
	if c := g.children[i]; c != nil {
		x.resume(c, prev)
	} else {
		b := s.Branches[i]
		c = x.newFrame(f, s, b, i, newScope(f.scope))
		c.last = prev
		c.state, c.raw = b.Start, f.effective
		g.children[i] = c
		x.advance(c)
	}
	return x.status == Running && f.group == g
}

// mapStarted records a Map state's (re)start.
func (x *Execution) mapStarted(f *frame, g *group) {
	n := len(g.items)
	g.children, g.results = make([]*frame, n), make([]any, n)
	started := x.emit(f, history.MapStateStarted, &history.Details{Length: history.Int(int64(n))})
	g.lastEvent, g.lastIterOK = started, started
}

// launchMap starts the iterations of a Map state that mapStarted recorded;
// a distributed Map first starts its Map Run.
func (x *Execution) launchMap(f *frame, g *group) {
	if g.distributed {
		g.mapRunARN = x.mapRunARN(f.state)
		if id := x.emit(f, history.MapRunStarted, &history.Details{MapRunArn: g.mapRunARN}); id != 0 {
			g.lastEvent, g.lastIterOK = id, id
			x.addMapRun(f, g)
		}
	}
	x.pumpMap(f)
	x.groupProgress(f)
}

// pumpMap starts Map iterations while the concurrency limit allows: after
// a redrive the ones to run again first, then those not started yet.
func (x *Execution) pumpMap(f *frame) {
	g := f.group
	if g.distributed && len(g.redo) > 0 {
		x.pendingRedrive(g)
	}
	g.launching = true
	defer func() { g.launching = false }()
	for g.maxConcurrency == 0 || g.running < g.maxConcurrency {
		var i int
		switch {
		case len(g.redo) > 0:
			i, g.redo = g.redo[0], g.redo[1:]
		case g.next < len(g.items):
			i = g.next
			g.next++
		default:
			return
		}
		if !x.startIteration(f, g, i) {
			return
		}
	}
}

// startIteration runs iteration i of f's Map state: from its start, or,
// after a redrive, from where it stopped. It reports whether f still waits
// for its iterations.
func (x *Execution) startIteration(f *frame, g *group, i int) bool {
	s := f.state
	c := g.children[i]
	resumed := c != nil
	if !resumed {
		c = x.newFrame(f, s, s.Processor, i, newScope(f.scope))
		c.silent = g.distributed || f.silent
		c.item = &mapItem{index: i, value: g.items[i]}
		input := g.items[i]
		if s.ItemSelector != nil && s.ItemBatcher == nil { // batches hold selected items
			var err error
			if input, err = x.selectItem(f, c.item); err != nil {
				g.launching = false
				x.abortGroup(f, nil)
				x.raise(f, err)
				return false
			}
		}
		c.state, c.raw = s.Processor.Start, input
	}
	c.last = g.lastEvent
	started := x.emit(c, history.MapIterationStarted, &history.Details{Name: s.Name, Index: history.Int(int64(i))})
	g.children[i] = c
	g.running++
	if g.distributed {
		x.childStarted(g, i)
	}
	if resumed {
		x.resume(c, started)
	} else {
		c.last = started
		x.advance(c)
	}
	return x.status == Running && f.group == g
}

// selectItem applies f's ItemSelector to one Map item.
func (x *Execution) selectItem(f *frame, item *mapItem) (any, error) {
	env := x.env(f)
	env.Context = func() any { return x.contextObjectItem(f, item) }
	if f.state.QueryLanguage == asl.JSONata {
		return dataflow.JSONata(f.state.ItemSelector, env)
	}
	return dataflow.Payload(f.state.ItemSelector, f.effective, env)
}

// childDone records a finished branch or iteration.
func (x *Execution) childDone(f *frame, c *frame) {
	g := f.group
	if g == nil || c.aborted || g.children[c.index] != c {
		return
	}
	g.running--
	g.finished++
	s := f.state
	if c.failure != nil {
		if s.Type == asl.TypeMap {
			if g.distributed {
				x.childEnded(g, c.index, ChildFailed, c.failure)
			}
			x.emitFrom(c, c.last, history.MapIterationFailed, &history.Details{Name: s.Name, Index: history.Int(int64(c.index))})
			g.failures++
			if x.tolerated(g) {
				errOut := jsonv.NewObject(2)
				errOut.Set("Error", c.failure.name())
				errOut.Set("Cause", c.failure.causeText())
				g.results[c.index] = errOut
				if !c.silent {
					g.lastEvent = c.last
				}
				if !g.launching {
					x.pumpMap(f)
					x.groupProgress(f)
					x.advance(f)
				}
				return
			}
		}
		x.groupFailed(f, c)
		if !g.launching {
			x.advance(f)
		}
		return
	}
	g.results[c.index] = c.output
	if s.Type == asl.TypeMap {
		if g.distributed {
			x.childEnded(g, c.index, ChildSucceeded, nil)
		}
		if !c.silent {
			g.lastEvent = c.last
			g.lastIterOK = x.emitFrom(c, c.last, history.MapIterationSucceeded, &history.Details{Name: s.Name, Index: history.Int(int64(c.index))})
		}
	} else {
		g.lastEvent = x.nextID
	}
	if g.launching {
		return
	}
	if s.Type == asl.TypeMap {
		x.pumpMap(f)
	}
	x.groupProgress(f)
	x.advance(f)
}

// tolerated reports whether a Map's failures are within its tolerance.
func (x *Execution) tolerated(g *group) bool {
	if g.toleratedCount < 0 && g.toleratedPct < 0 {
		return false
	}
	if g.toleratedCount >= 0 && int64(g.failures) <= g.toleratedCount {
		return true
	}
	if g.toleratedPct >= 0 && len(g.items) > 0 && float64(g.failures)*100/float64(len(g.items)) <= g.toleratedPct {
		return true
	}
	return false
}

// groupProgress finishes a Parallel or Map state whose children are all
// done.
func (x *Execution) groupProgress(f *frame) {
	g := f.group
	if x.status != Running || g == nil || g.launching || f.phase != phaseWait {
		return
	}
	total := len(g.children)
	if g.finished < total {
		return
	}
	s := f.state
	results := make([]any, len(g.results))
	copy(results, g.results)
	// Kept until the state exits: should its result processing fail, a
	// redrive reuses the children's results.
	f.group, f.ended = nil, g
	var prev int64
	if s.Type == asl.TypeParallel {
		x.emitFrom(f, g.lastEvent, history.ParallelStateSucceeded, nil)
		prev = g.lastEvent
	} else {
		if g.distributed {
			if id := x.emitFrom(f, g.lastEvent, history.MapRunSucceeded, nil); id != 0 {
				g.lastIterOK = id
			}
		}
		x.emitFrom(f, g.lastIterOK, history.MapStateSucceeded, nil)
		prev = g.lastIterOK
	}
	x.stateResultPrev(f, results, prev)
}

// groupFailed fails a Parallel or Map state because child c failed: the
// other children are aborted first.
func (x *Execution) groupFailed(f *frame, c *frame) {
	g := f.group
	s := f.state
	x.abortGroup(f, c)
	f.group, f.ended = nil, g
	fl := c.failure
	if !c.silent {
		f.last = c.last
	}
	// The state's Failed event is recorded only if no retrier runs it again
	// (see handleError).
	if s.Type == asl.TypeParallel {
		f.failedEvent = history.ParallelStateFailed
	} else {
		if g.distributed {
			x.emit(f, history.MapRunFailed, &history.Details{Error: fl.err, Cause: fl.cause})
		}
		f.failedEvent = history.MapStateFailed
		if g.toleratedCount >= 0 || g.toleratedPct >= 0 {
			fl = &failure{err: history.Str(asl.ErrExceedToleratedFailure), cause: history.Str("The specified tolerated failure threshold was exceeded")}
		}
	}
	f.phase = phaseRun // handleError needs a state in progress
	x.handleError(f, fl)
}

// abortGroup aborts every running child of f except skip.
func (x *Execution) abortGroup(f *frame, skip *frame) {
	g := f.group
	if g == nil {
		return
	}
	x.redriveDropped(g)
	for _, c := range g.children {
		if c == nil || c == skip || c.phase == phaseDone || c.aborted {
			continue
		}
		x.abortFrame(c)
		x.abortEvents(c)
		if f.state.Type == asl.TypeMap && !c.silent {
			x.emit(c, history.MapIterationAborted, &history.Details{Name: f.state.Name, Index: history.Int(int64(c.index))})
		}
	}
}

// abortEvents records that c's state in progress was aborted.
func (x *Execution) abortEvents(c *frame) {
	if c.state == nil || c.phase != phaseWait {
		return
	}
	if t, ok := abortedType[c.state.Type]; ok {
		x.emit(c, t, nil)
	}
}

// abortFrame stops f and everything under it: tasks are cancelled and
// timers disarmed. It records no events.
func (x *Execution) abortFrame(f *frame) {
	if f == nil {
		return
	}
	x.stopTask(f, true)
	x.cancelTimer(f.timer)
	f.timer = ""
	x.childAborted(f)
	if g := f.group; g != nil {
		x.redriveDropped(g)
		for _, c := range g.children {
			if c != nil && c.phase != phaseDone && !c.aborted {
				x.abortFrame(c)
			}
		}
	}
	f.aborted = true
}

// mapRunARN names a distributed Map's Map Run.
func (x *Execution) mapRunARN(s *asl.State) string {
	label := s.Label
	if label == "" {
		label = s.Name
	}
	return "arn:aws:states:" + x.cfg.Region + ":" + accountOf(x.cfg.StateMachineARN) + ":mapRun:" + x.cfg.StateMachineName + "/" + label + ":" + x.uuid()
}

func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) >= 5 {
		return parts[4]
	}
	return ""
}
