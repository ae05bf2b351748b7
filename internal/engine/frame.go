package engine

import (
	"time"

	"stepd/internal/asl"
	"stepd/internal/dataflow"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

type phase uint8

const (
	phaseEnter phase = iota // enter f.state with f.raw as input
	phaseRun                // entered; run the state
	phaseWait               // waiting for a task, a timer or child frames
	phaseDone               // finished: output or failure is set
)

// frame is one thread of execution: the top-level machine, a Parallel
// branch or a Map iteration.
type frame struct {
	x       *Execution
	parent  *frame // the frame running the Parallel or Map state
	machine *asl.Machine
	index   int // branch or iteration index
	scope   *scope

	phase     phase
	state     *asl.State
	raw       any    // the current state's raw input
	rawText   string // its JSON text, when known
	entered   int64  // id of the state's StateEntered event
	enteredAt time.Time
	last      int64 // the thread's last event: previousEventId of the next

	// Per visit to a state.
	retries    []int64
	retryCount int
	effective  any
	task       *pendingTask
	token      string // the task token of the current attempt, if any
	timer      string
	heartbeat  bool // the last failure was a heartbeat timeout
	// failedEvent is a Parallel or Map state's Failed event, recorded only
	// once no retrier will run the state again.
	failedEvent history.Type
	group       *group
	// ended is the group of a Parallel or Map state whose children are
	// over but which has not exited: it failed for good (no retrier runs
	// it again), or its result is being processed. It is kept so that a
	// redrive re-runs only the branches or iterations that did not succeed.
	ended *group
	item  *mapItem // iteration frames: $$.Map.Item

	// silent frames record no history: the iterations of a distributed Map
	// run as child executions whose events are not in the parent's history.
	silent  bool
	aborted bool

	// Result.
	output  any
	failure *failure
}

// mapItem is the context of one Map iteration.
type mapItem struct {
	index int
	value any
}

// failure is a Step Functions error travelling up the frames.
type failure struct {
	err, cause *string
	runtime    bool // States.Runtime: not retried, not caught; fails the execution
	location   string
}

func (fl *failure) name() string {
	if fl.err == nil {
		return ""
	}
	return *fl.err
}

func (fl *failure) causeText() string {
	if fl.cause == nil {
		return ""
	}
	return *fl.cause
}

func (x *Execution) newFrame(parent *frame, owner *asl.State, m *asl.Machine, index int, sc *scope) *frame {
	return &frame{x: x, parent: parent, machine: m, index: index, scope: sc}
}

// scope holds the variables assigned in one States block.
type scope struct {
	parent *scope
	vars   *jsonv.Object
	// sizes holds each variable's serialised size in bytes; it is rebuilt
	// from vars when nil (after a Restore).
	sizes map[string]int
	bytes int
}

// byteSize returns the serialised size of the variables of this scope and
// every enclosing one: the variables a state of this scope can see.
func (s *scope) byteSize() int {
	n := 0
	for ; s != nil; s = s.parent {
		s.measure()
		n += s.bytes
	}
	return n
}

// measure fills sizes from vars when they are not known yet.
func (s *scope) measure() {
	if s.sizes != nil {
		return
	}
	s.sizes, s.bytes = map[string]int{}, 0
	if s.vars == nil {
		return
	}
	for i := 0; i < s.vars.Len(); i++ {
		k, v := s.vars.At(i)
		n := len(encode(v))
		s.sizes[k] = n
		s.bytes += n
	}
}

func newScope(parent *scope) *scope { return &scope{parent: parent} }

func (s *scope) Lookup(name string) (any, bool) {
	for ; s != nil; s = s.parent {
		if s.vars != nil {
			if v, ok := s.vars.Get(name); ok {
				return v, true
			}
		}
	}
	return nil, false
}

func (s *scope) Each(fn func(string, any)) {
	seen := map[string]bool{}
	for ; s != nil; s = s.parent {
		if s.vars == nil {
			continue
		}
		for i := 0; i < s.vars.Len(); i++ {
			k, v := s.vars.At(i)
			if !seen[k] {
				seen[k] = true
				fn(k, v)
			}
		}
	}
}

// set assigns variables in this scope; values are immutable so the object
// is copied, not shared with a snapshot someone else holds. sizes holds the
// serialised size of each assigned value, in order.
func (s *scope) set(assigned *jsonv.Object, sizes []int) {
	if assigned == nil || assigned.Len() == 0 {
		return
	}
	s.measure()
	for i := 0; i < assigned.Len(); i++ {
		k, _ := assigned.At(i)
		s.bytes += sizes[i] - s.sizes[k]
		s.sizes[k] = sizes[i]
	}
	var vars *jsonv.Object
	if s.vars == nil {
		vars = jsonv.NewObject(assigned.Len())
	} else {
		vars = s.vars.Clone()
	}
	for i := 0; i < assigned.Len(); i++ {
		k, v := assigned.At(i)
		vars.Set(k, v)
	}
	s.vars = vars
}

// advance runs f until it blocks or finishes, then lets its parent react.
func (x *Execution) advance(f *frame) {
	for x.status == Running {
		switch f.phase {
		case phaseEnter:
			x.enterState(f)
		case phaseRun:
			x.runState(f)
		case phaseWait:
			return
		case phaseDone:
			x.frameDone(f)
			return
		}
	}
}

// enterState records the StateEntered event and resets the per-visit data.
func (x *Execution) enterState(f *frame) {
	s := f.state
	f.retries, f.retryCount, f.effective, f.task, f.timer, f.group, f.ended, f.heartbeat = nil, 0, nil, nil, "", nil, nil, false
	f.enteredAt = x.now
	text := f.rawText
	if text == "" {
		text = encode(f.raw)
	}
	f.rawText = ""
	f.entered = x.emit(f, enteredType[s.Type], &history.Details{Name: s.Name, Input: history.Str(text), InputDetails: history.NotTruncated})
	if len(text) > MaxPayloadBytes {
		x.failRuntime(f, asl.ErrDataLimitExceeded, "The state/task '"+s.Name+"' returned a result with a size exceeding the maximum number of bytes service limit.", true)
		return
	}
	if len(s.Retry) > 0 {
		f.retries = make([]int64, len(s.Retry))
	}
	f.phase = phaseRun
}

var enteredType = map[asl.StateType]history.Type{
	asl.TypePass: history.PassStateEntered, asl.TypeTask: history.TaskStateEntered,
	asl.TypeChoice: history.ChoiceStateEntered, asl.TypeWait: history.WaitStateEntered,
	asl.TypeSucceed: history.SucceedStateEntered, asl.TypeFail: history.FailStateEntered,
	asl.TypeParallel: history.ParallelStateEntered, asl.TypeMap: history.MapStateEntered,
}

var exitedType = map[asl.StateType]history.Type{
	asl.TypePass: history.PassStateExited, asl.TypeTask: history.TaskStateExited,
	asl.TypeChoice: history.ChoiceStateExited, asl.TypeWait: history.WaitStateExited,
	asl.TypeSucceed:  history.SucceedStateExited,
	asl.TypeParallel: history.ParallelStateExited, asl.TypeMap: history.MapStateExited,
}

var abortedType = map[asl.StateType]history.Type{
	asl.TypeTask: history.TaskStateAborted, asl.TypeWait: history.WaitStateAborted,
	asl.TypeParallel: history.ParallelStateAborted, asl.TypeMap: history.MapStateAborted,
}

// exitState records the StateExited event with the state's output and
// assigned variables, and moves f to the next state (or finishes it).
// prev, when non-zero, overrides the event's previousEventId.
func (x *Execution) exitStateTo(f *frame, output any, assigned *jsonv.Object, next *asl.State, end bool, prev int64) {
	s := f.state
	text := encode(output)
	d := &history.Details{Name: s.Name, Output: history.Str(text), OutputDetails: history.NotTruncated}
	var sizes []int
	if assigned != nil {
		d.AssignedVariables = assignedDetails(assigned)
		d.AssignedVariablesDetails = history.NotTruncated
		sizes = valueSizes(d.AssignedVariables)
	}
	if prev != 0 {
		f.last = prev
	}
	if len(text) > MaxPayloadBytes {
		x.failRuntime(f, asl.ErrDataLimitExceeded, "The state/task '"+s.Name+"' returned a result with a size exceeding the maximum number of bytes service limit.", true)
		return
	}
	if cause := x.checkVariableSizes(f, d.AssignedVariables, sizes); cause != "" {
		x.failRuntime(f, asl.ErrDataLimitExceeded, cause, false)
		return
	}
	x.emit(f, exitedType[s.Type], d)
	f.ended = nil
	f.scope.set(assigned, sizes)
	if end || next == nil {
		f.output = output
		f.phase = phaseDone
		return
	}
	f.state, f.raw, f.rawText = next, output, text
	f.phase = phaseEnter
}

// exitState exits to the state's own Next (or ends the frame).
func (x *Execution) exitState(f *frame, output any, assigned *jsonv.Object) {
	x.exitStateTo(f, output, assigned, f.state.NextState, f.state.End, 0)
}

func assignedDetails(o *jsonv.Object) *history.Assigned {
	a := &history.Assigned{Names: make([]string, 0, o.Len()), Values: make([]string, 0, o.Len())}
	for i := 0; i < o.Len(); i++ {
		k, v := o.At(i)
		a.Names = append(a.Names, k)
		a.Values = append(a.Values, encode(v))
	}
	return a
}

func valueSizes(a *history.Assigned) []int {
	sizes := make([]int, len(a.Values))
	for i, v := range a.Values {
		sizes[i] = len(v)
	}
	return sizes
}

// checkVariableSizes applies the documented variable quotas: one variable
// and one Assign at most MaxPayloadBytes, all variables in view at most
// MaxVariablesBytes. It returns the failure's cause, or "" when within them.
func (x *Execution) checkVariableSizes(f *frame, a *history.Assigned, sizes []int) string {
	if a == nil {
		return ""
	}
	total := 0
	for i, n := range sizes {
		if n > MaxPayloadBytes {
			return "The variable '" + a.Names[i] + "' is " + itoa(int64(n)) + " bytes, over the limit of " + itoa(MaxPayloadBytes) + " bytes for one variable."
		}
		total += n
	}
	if total > MaxPayloadBytes {
		return "The Assign field assigns " + itoa(int64(total)) + " bytes, over the limit of " + itoa(MaxPayloadBytes) + " bytes for one Assign."
	}
	f.scope.measure()
	after := f.scope.byteSize()
	for i, k := range a.Names {
		after += sizes[i] - f.scope.sizes[k]
	}
	if after > MaxVariablesBytes {
		return "The variables of the execution would total " + itoa(int64(after)) + " bytes, over the limit of " + itoa(MaxVariablesBytes) + " bytes."
	}
	return ""
}

// frameDone hands a finished frame's result to whoever waits for it.
func (x *Execution) frameDone(f *frame) {
	if f.parent == nil {
		if f.failure != nil {
			x.endExecution(Failed, history.ExecutionFailed, f.last, f.failure.err, f.failure.cause)
			return
		}
		x.output = encode(f.output)
		x.endExecution(Succeeded, history.ExecutionSucceeded, f.last, nil, nil)
		return
	}
	x.childDone(f.parent, f)
}

// fail ends the current state of f with a catchable error: retriers and
// catchers of the state get a chance first.
func (x *Execution) fail(f *frame, fl *failure) {
	if fl.runtime {
		x.failExecutionRuntime(f, fl)
		return
	}
	x.handleError(f, fl)
}

// failRuntime fails the whole execution with an error no retrier or catcher
// sees. The cause gets AWS's prefix naming the state.
func (x *Execution) failRuntime(f *frame, name, detail string, prefixed bool) {
	cause := detail
	if !prefixed {
		cause = runtimePrefix(f) + detail
	}
	x.failExecutionRuntime(f, &failure{err: history.Str(name), cause: history.Str(cause), runtime: true})
}

func runtimePrefix(f *frame) string {
	return "An error occurred while executing the state '" + f.state.Name + "' (entered at the event id #" + itoa(f.entered) + "). "
}

// failExecutionRuntime aborts everything and fails the execution. In a
// child execution of a distributed Map, the error fails that child only,
// which counts against the Map's tolerated failures like any other.
func (x *Execution) failExecutionRuntime(f *frame, fl *failure) {
	if f.item != nil && f.parent != nil && f.parent.group != nil && f.parent.group.distributed &&
		f.index < len(f.parent.group.children) && f.parent.group.children[f.index] == f {
		x.stopTask(f, true)
		x.cancelTimer(f.timer)
		f.timer = ""
		x.abortGroup(f, nil)
		child := *fl
		child.runtime = false // for the parent, the child failed
		f.failure, f.phase = &child, phaseDone
		return
	}
	x.abortFrame(x.root)
	x.childFailedRuntime(f, fl)
	x.endExecution(Failed, history.ExecutionFailed, f.last, fl.err, fl.cause)
}

// env builds the data-processing environment of f's current state.
func (x *Execution) env(f *frame) *dataflow.Env {
	return &dataflow.Env{
		StateInput: f.raw,
		Context:    func() any { return x.contextObject(f) },
		Vars:       f.scope,
		Rand:       x.rng,
		NewUUID:    x.uuid,
	}
}

// dataFailure turns a data-processing error into a failure of f's state.
func (x *Execution) dataFailure(f *frame, err error) *failure {
	if df, ok := err.(*dataflow.Failure); ok {
		fl := &failure{err: history.Str(df.Name), cause: history.Str(df.Cause), location: df.Location}
		switch df.Name {
		case asl.ErrRuntime:
			fl.runtime = true
			fl.cause = history.Str(runtimePrefix(f) + df.Cause)
		case asl.ErrQueryEvaluationError:
			// Observed: JSONata failures carry the same prefix.
			fl.cause = history.Str(runtimePrefix(f) + df.Cause)
		}
		return fl
	}
	return &failure{err: history.Str(asl.ErrRuntime), cause: history.Str(runtimePrefix(f) + err.Error()), runtime: true}
}

// raise reports a data-processing error of f's state: runtime errors fail
// the execution, JSONata evaluation errors are recorded with an
// EvaluationFailed event and then handled like any state error.
func (x *Execution) raise(f *frame, err error) {
	fl := x.dataFailure(f, err)
	if fl.runtime {
		x.failExecutionRuntime(f, fl)
		return
	}
	if fl.name() == asl.ErrQueryEvaluationError {
		prev := f.last
		x.emitPrev(prevOfEntered(f), history.EvaluationFailed, &history.Details{
			Error: fl.err, Cause: fl.cause, Location: fl.location, State: f.state.Name,
		})
		_ = prev
		f.last = x.nextID
	}
	x.handleError(f, fl)
}

// prevOfEntered is the previousEventId of f's StateEntered event.
func prevOfEntered(f *frame) int64 {
	for i := len(f.x.out.Events) - 1; i >= 0; i-- {
		if f.x.out.Events[i].ID == f.entered {
			return f.x.out.Events[i].PreviousEventID
		}
	}
	return f.entered - 1
}

func itoa(n int64) string {
	return string(appendInt(nil, n))
}

func appendInt(b []byte, n int64) []byte {
	if n == 0 {
		return append(b, '0')
	}
	var tmp [20]byte
	i := len(tmp)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		tmp[i] = '-'
	}
	return append(b, tmp[i:]...)
}
