package sfn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/jsonv"
	"stepd/internal/store"
)

// Redrive limits (API reference, RedriveExecution).
const (
	// redrivePeriod is how long after it stopped an execution may be
	// redriven.
	redrivePeriod = 14 * 24 * time.Hour
	// maxRedriveEvents: an execution with this many history events or more
	// cannot be redriven (AWS: fewer than 24,999).
	maxRedriveEvents = engine.MaxHistoryEvents - 1
	// maxClientTokenLength bounds RedriveExecution's clientToken.
	maxClientTokenLength = 64
	// snapshotFormat is the engine snapshot format redrive knows how to
	// renumber (see shiftSnapshot).
	snapshotFormat = 1
)

// RedriveExecutionInput is RedriveExecution's request.
type RedriveExecutionInput struct {
	ExecutionArn string  `json:"executionArn"`
	ClientToken  *string `json:"clientToken,omitempty"`
}

// RedriveExecutionOutput is RedriveExecution's response.
type RedriveExecutionOutput struct {
	RedriveDate *Timestamp `json:"redriveDate"`
}

// notRedrivable is ExecutionNotRedrivable with the reason AWS gives in
// DescribeExecution's redriveStatusReason.
func notRedrivable(reason string) *Error {
	return apiError(ErrExecutionNotRedrivable, "%s", reason)
}

// RedriveExecution restarts a FAILED, TIMED_OUT or ABORTED STANDARD
// execution from the state where it stopped: same ARN, same definition and
// input, redriveCount + 1, an ExecutionRedriven event, status RUNNING again.
//
// stepd redrives at the top level: the top-level state the execution was in
// when it stopped runs again, from its StateEntered event's input, and the
// states before it are not re-run. A Parallel or Map state runs again as a
// whole, all its branches or iterations (AWS re-runs only the failed or
// aborted ones). Redrive starts an engine on the same definition made to
// start at that state (restartAt), then renumbers what it produced (events
// and snapshot) to continue the history, and hands the execution to the
// executor like a new one: the engine has no entry point to restart an
// ended execution.
//
// A call with the clientToken of the redrive the execution is running (the
// SDKs fill one in) succeeds again and returns the same redriveDate.
func (s *Service) RedriveExecution(ctx context.Context, in *RedriveExecutionInput) (*RedriveExecutionOutput, error) {
	if in.ExecutionArn == "" {
		return nil, validation("null", "executionArn", "Member must not be null")
	}
	if t := in.ClientToken; t != nil && (len(*t) == 0 || len(*t) > maxClientTokenLength) {
		return nil, validation(*t, "clientToken", "Member must have length between 1 and 64")
	}
	rec, err := s.getExecution(ctx, in.ExecutionArn, store.IncludeDefinition|store.IncludeSnapshot)
	if err != nil {
		return nil, err
	}
	if rec.Type == store.Express {
		return nil, notRedrivable("Express executions cannot be redriven")
	}
	switch rec.Status {
	case store.Running:
		if in.ClientToken != nil && rec.RedriveCount > 0 && s.redroveWith(rec.ARN, rec.RedriveCount, *in.ClientToken) {
			return &RedriveExecutionOutput{RedriveDate: ts(rec.RedriveDate)}, nil
		}
		return nil, notRedrivable("Execution is RUNNING and cannot be redriven")
	case store.Succeeded:
		return nil, notRedrivable("Execution is SUCCEEDED and cannot be redriven")
	}
	now := s.now()
	if now.Sub(rec.StopDate) > redrivePeriod {
		return nil, notRedrivable("Execution redrivable period exceeded.")
	}
	if rec.EventCount >= maxRedriveEvents {
		return nil, notRedrivable("Execution history event limit exceeded.")
	}
	sm, err := s.store.GetStateMachine(ctx, rec.StateMachineARN)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sm.Status == store.Deleting) {
		return nil, notRedrivable("State machine is in DELETING status.")
	}
	if err != nil {
		return nil, storeError("get state machine", err)
	}
	c := s.compile(rec.Definition, string(rec.Type))
	if c.machine == nil {
		return nil, fmt.Errorf("redrive %s: its definition no longer compiles: %s", rec.ARN, c.diags.InvalidDefinitionMessage())
	}
	state, inputText, err := s.redriveFrom(ctx, rec, c.machine)
	if err != nil {
		return nil, err
	}
	input, err := jsonv.ParseString(inputText)
	if err != nil {
		return nil, fmt.Errorf("redrive %s: input of state %q: %w", rec.ARN, state, err)
	}
	start, err := s.restartAt(rec, c.machine, state, input, inputText)
	if err != nil {
		return nil, err
	}

	prev := rec.EventCount
	rec.RedriveCount++
	rec.RedriveDate = now
	rec.Status, rec.StopDate, rec.Error, rec.Cause, rec.Output = store.Running, time.Time{}, nil, nil, nil
	cfg := s.engineConfig(rec, sm.RoleARN)
	// A seed of its own, so the task tokens of the redrive differ from the
	// first attempt's.
	first := cfg
	first.Seed ^= uint64(rec.RedriveCount) * 0x9e3779b97f4a7c15
	x := engine.New(start.machine, first)
	b := x.Start(start.input, start.inputText, now)
	events, renumber, err := continueHistory(b.Events, prev, rec.RedriveCount, now, start.prelude)
	if err != nil {
		return nil, fmt.Errorf("redrive %s: %w", rec.ARN, err)
	}
	snap, err := shiftSnapshot(x.Snapshot(), renumber, rec.Input, rec.StartDate)
	if err != nil {
		return nil, fmt.Errorf("redrive %s: %w", rec.ARN, err)
	}
	// The live execution runs the stored definition, restored from the
	// renumbered snapshot: from here on it is an ordinary execution.
	rx, err := engine.Restore(c.machine, cfg, snap)
	if err != nil {
		return nil, fmt.Errorf("redrive %s: %w", rec.ARN, err)
	}
	e := s.exec
	l := e.newLive(rec, c.machine, cfg, rx)
	batch := &engine.Batch{Events: events, Commands: rx.PendingWork()}
	l.mu.Lock()
	tr := e.transition(l, prev, batch)
	l.mu.Unlock()
	if err := s.store.Commit(ctx, tr); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Another call redrove it (or its owner moved it on) first.
			return nil, notRedrivable("Execution is RUNNING and cannot be redriven")
		}
		return nil, storeError("commit redrive", err)
	}
	l.snapshot = tr.Snapshot
	if in.ClientToken != nil {
		s.rememberRedrive(rec.ARN, rec.RedriveCount, *in.ClientToken)
	}
	out := &RedriveExecutionOutput{RedriveDate: ts(now)}
	if tr.Status.Terminal() {
		l.ended = true
		close(l.done)
		return out, nil
	}
	e.mu.Lock()
	e.live[rec.ARN] = l
	e.mu.Unlock()
	for _, arn := range tr.QueuedActivities() {
		e.wakePolls(arn)
	}
	e.run(l, batch.Commands)
	s.log.Info("redrove execution", "execution", rec.ARN, "redriveCount", rec.RedriveCount, "state", state)
	return out, nil
}

// redriveTokens remembers the clientToken of each redrive this process
// made, so that a retried call (same token, execution still running that
// redrive) succeeds again. It is keyed by service and execution, and kept
// in memory only: after a restart a retried call is ExecutionNotRedrivable.
var redriveTokens sync.Map // redriveKey -> redriveToken

type redriveKey struct {
	s   *Service
	arn string
}

type redriveToken struct {
	count int64
	token string
}

// rememberRedrive records the clientToken of a redrive.
func (s *Service) rememberRedrive(arn string, count int64, token string) {
	redriveTokens.Store(redriveKey{s, arn}, redriveToken{count, token})
}

// redroveWith reports whether redrive number count of an execution was made
// with this clientToken.
func (s *Service) redroveWith(arn string, count int64, token string) bool {
	v, ok := redriveTokens.Load(redriveKey{s, arn})
	return ok && v.(redriveToken) == redriveToken{count, token}
}

// redriveFrom finds the top-level state an ended execution was in, and the
// input it entered it with: the last StateEntered event of a top-level state
// (state names are unique machine-wide, so the name tells). An execution
// that never entered a state restarts from StartAt with its input.
func (s *Service) redriveFrom(ctx context.Context, rec *store.Execution, m *asl.Machine) (string, string, error) {
	state, input := m.StartAt, rec.Input
	p := store.HistoryParams{ExecutionARN: rec.ARN, MaxResults: store.MaxMaxResults}
	for {
		page, err := s.store.History(ctx, p)
		if err != nil {
			return "", "", storeError("history", err)
		}
		for _, ev := range page.Items {
			d := ev.Details
			if !strings.HasSuffix(string(ev.Type), "StateEntered") || d == nil || d.Input == nil || m.State(d.Name) == nil {
				continue
			}
			state, input = d.Name, *d.Input
		}
		if page.NextToken == "" {
			return state, input, nil
		}
		p.NextToken = page.NextToken
	}
}

// The prelude states a redrive starts with (fresh names, if the machine
// already has states with these).
const (
	redriveReach = "stepd redrive"
	redriveInput = "stepd redrive input"
)

// restart is how a redrive starts an engine: on machine, with input, the
// events of the prelude states to be dropped.
type restart struct {
	machine   *asl.Machine
	prelude   map[string]bool
	input     any
	inputText string
}

// restartAt prepares a start of the execution's definition at state, with
// the input the state had. When state is StartAt and its input the
// execution's, that is the definition itself. Otherwise the machine starts
// with two prelude states: a Choice state whose rules, never true, name
// every top-level state (moving StartAt alone would leave the states before
// it unreachable, which the compiler rejects), then a Pass state whose
// result is the state's input, so that the engine itself starts with the
// execution's input ($$.Execution.Input). In a JSONata machine whose state
// input holds "{% %}" strings (which a Pass Output would evaluate) the Pass
// state is left out and the engine starts with the state's input instead.
func (s *Service) restartAt(rec *store.Execution, m *asl.Machine, state string, input any, inputText string) (*restart, error) {
	execInput, err := jsonv.ParseString(rec.Input)
	if err != nil {
		return nil, fmt.Errorf("redrive %s: execution input: %w", rec.ARN, err)
	}
	if state == m.StartAt && jsonv.Equal(input, execInput) {
		return &restart{machine: m, input: execInput, inputText: rec.Input}, nil
	}
	doc, err := jsonv.ParseString(rec.Definition)
	obj, ok := doc.(*jsonv.Object)
	if err != nil || !ok {
		return nil, fmt.Errorf("redrive %s: definition is not a JSON object", rec.ARN)
	}
	sv, _ := obj.Get("States")
	states, ok := sv.(*jsonv.Object)
	if !ok {
		return nil, fmt.Errorf("redrive %s: definition has no States", rec.ARN)
	}
	fresh := func(name string) string {
		for states.Has(name) {
			name += "_"
		}
		return name
	}
	r := &restart{prelude: map[string]bool{}, input: execInput, inputText: rec.Input}
	reach, pass := fresh(redriveReach), fresh(redriveInput)
	target := pass
	if m.QueryLanguage == asl.JSONata && hasTemplate(input) {
		target, r.input, r.inputText = state, input, inputText
	}
	var rules []any
	for _, st := range m.States {
		if m.QueryLanguage == asl.JSONata {
			rules = append(rules, jsonv.ObjectOf("Condition", "{% false %}", "Next", st.Name))
		} else {
			rules = append(rules, jsonv.ObjectOf("Not", jsonv.ObjectOf("Variable", "$", "IsPresent", true), "Next", st.Name))
		}
	}
	with := jsonv.NewObject(states.Len() + 2)
	with.Set(reach, jsonv.ObjectOf("Type", "Choice", "Choices", rules, "Default", target))
	r.prelude[reach] = true
	if target == pass {
		field := "Result"
		if m.QueryLanguage == asl.JSONata {
			field = "Output"
		}
		with.Set(pass, jsonv.ObjectOf("Type", "Pass", field, input, "Next", state))
		r.prelude[pass] = true
	}
	for i := 0; i < states.Len(); i++ {
		with.Set(states.At(i))
	}
	text := jsonv.Marshal(obj.With("StartAt", reach).With("States", with))
	derived, diags := asl.Compile([]byte(text), asl.Options{Type: string(rec.Type), JSONata: s.opts.JSONata})
	if derived == nil {
		return nil, fmt.Errorf("redrive %s: definition starting at %q does not compile: %s", rec.ARN, state, diags.InvalidDefinitionMessage())
	}
	r.machine = derived
	return r, nil
}

// hasTemplate reports whether a value holds a string a JSONata template
// would evaluate ("{% ... %}").
func hasTemplate(v any) bool {
	switch x := v.(type) {
	case string:
		return asl.IsJSONataExpression(x)
	case []any:
		for _, it := range x {
			if hasTemplate(it) {
				return true
			}
		}
	case *jsonv.Object:
		for i := 0; i < x.Len(); i++ {
			if _, it := x.At(i); hasTemplate(it) {
				return true
			}
		}
	}
	return false
}

// continueHistory turns the events of a fresh start into the continuation
// of a history of prev events: its ExecutionStarted becomes
// ExecutionRedriven, the prelude states' events are dropped, and ids are
// renumbered to follow prev. It returns the events and the renumbering
// (which maps a dropped event to the event it pointed to).
func continueHistory(events []history.Event, prev, redriveCount int64, now time.Time, prelude map[string]bool) ([]history.Event, func(int64) int64, error) {
	if len(events) == 0 || events[0].Type != history.ExecutionStarted {
		return nil, nil, errors.New("the restarted engine did not begin with ExecutionStarted")
	}
	ids := make(map[int64]int64, len(events))
	last := events[len(events)-1].ID
	renumber := func(id int64) int64 {
		if id == 0 {
			return 0
		}
		if n, ok := ids[id]; ok {
			return n
		}
		return ids[last] + id - last // ids past the batch keep their distance
	}
	out := make([]history.Event, 0, len(events))
	next := prev
	for i, ev := range events {
		if i > 0 && ev.Details != nil && prelude[ev.Details.Name] {
			// Events after the prelude's point where it pointed: the first
			// state entered keeps previousEventId 0, as in a new start.
			ids[ev.ID] = renumber(ev.PreviousEventID)
			continue
		}
		next++
		ids[ev.ID] = next
		ev.ID, ev.PreviousEventID = next, renumber(ev.PreviousEventID)
		out = append(out, ev)
	}
	out[0] = history.Event{ID: prev + 1, PreviousEventID: prev, Timestamp: now, Type: history.ExecutionRedriven,
		Details: &history.Details{RedriveCount: history.Int(redriveCount)}}
	return out, renumber, nil
}

// shiftSnapshot adapts the snapshot of a fresh start to the execution it
// redrives: the execution's own input and start time, and every event id it
// holds renumbered. It knows snapshot format 1 of package engine: the
// fields nextID, root, and in each frame entered, last, group.lastEvent,
// group.lastIterOK and group.children.
func shiftSnapshot(snap []byte, renumber func(int64) int64, input string, start time.Time) ([]byte, error) {
	v, err := jsonv.Parse(snap)
	if err != nil {
		return nil, fmt.Errorf("engine snapshot: %w", err)
	}
	o, ok := v.(*jsonv.Object)
	if !ok {
		return nil, errors.New("engine snapshot is not a JSON object")
	}
	if f, _ := o.Get("v"); !equalsInt(f, snapshotFormat) {
		return nil, fmt.Errorf("engine snapshot format %v is not one redrive knows (%d)", f, snapshotFormat)
	}
	o.Set("input", input)
	o.Set("start", start.UnixMilli())
	shiftID(o, "nextID", renumber)
	if root, ok := o.Get("root"); ok {
		shiftFrame(root, renumber)
	}
	return []byte(jsonv.Marshal(o)), nil
}

func equalsInt(v any, n int64) bool {
	i, ok := jsonv.AsInt(v)
	return ok && i == n
}

// shiftID renumbers a non-zero event id field.
func shiftID(o *jsonv.Object, key string, renumber func(int64) int64) {
	v, _ := o.Get(key)
	if n, ok := jsonv.AsInt(v); ok && n != 0 {
		o.Set(key, renumber(n))
	}
}

// shiftFrame renumbers the event ids of a snapshot frame and its children.
func shiftFrame(v any, renumber func(int64) int64) {
	f, ok := v.(*jsonv.Object)
	if !ok {
		return
	}
	shiftID(f, "entered", renumber)
	shiftID(f, "last", renumber)
	gv, _ := f.Get("group")
	g, ok := gv.(*jsonv.Object)
	if !ok {
		return
	}
	shiftID(g, "lastEvent", renumber)
	shiftID(g, "lastIterOK", renumber)
	children, _ := g.Get("children")
	list, _ := children.([]any)
	for _, c := range list {
		shiftFrame(c, renumber)
	}
}
