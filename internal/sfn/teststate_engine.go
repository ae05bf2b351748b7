package sfn

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"stepd/internal/asl"
	"stepd/internal/dataflow"
	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

// maxEngineSteps bounds the inputs runInEngine feeds the engine (a Wait
// fires its one timer; nothing else should need any).
const maxEngineSteps = 16

// runtimePrefix matches the prefix the engine puts on runtime error causes,
// which names an event id of the throw-away execution.
var runtimePrefix = regexp.MustCompile(`^An error occurred while executing the state '.*?' \(entered at the event id #\d+\)\. `)

// runInEngine runs a JSONPath Choice state or a Wait state in the engine:
// on a machine made of a Pass state assigning the request's variables, the
// state, and Succeed states standing for its targets. Its timers fire at
// once (TestState does not wait). The state's exit event gives its output
// and assigned variables, the next state entered gives nextState, and a
// failed execution the error.
//
// The engine builds $$ itself, from the throw-away execution TestState
// describes by default; a context object given in the request is not seen
// by the rules of a JSONPath Choice or by a Wait's SecondsPath.
func (r *testRun) runInEngine(ctx context.Context) error {
	st, raw := r.st, r.input
	if st.QueryLanguage == asl.JSONPath {
		eff, err := dataflow.InputPath(st, raw, r.env(ctx, raw))
		if err != nil {
			r.dataError(ctx, raw, err)
			return nil
		}
		r.insp.AfterInputPath = payloadText(eff)
	}
	if r.stJSON == nil {
		return fmt.Errorf("test state %q: its definition was not found", st.Name)
	}
	var prelude *jsonv.Object
	if r.vars.vars.Len() > 0 {
		prelude = jsonv.ObjectOf("Type", "Pass", "Assign", r.vars.vars, "Next", st.Name)
	}
	def := jsonv.Marshal(oneStateMachine(st.Name, r.stJSON, prelude))
	m, diags := asl.Compile([]byte(def), asl.Options{Type: asl.TypeStandard, JSONata: r.s.opts.JSONata})
	if m == nil {
		return fmt.Errorf("test state %q: %s", st.Name, diags.InvalidDefinitionMessage())
	}
	x := engine.New(m, engine.Config{
		ExecutionARN: r.execARN, Name: r.execName, StateMachineARN: r.smARN, StateMachineName: r.smName,
		RoleARN: r.roleARN, Region: r.s.opts.Region, Type: asl.TypeStandard, MaxEvents: -1,
		Seed: uint64(r.now.UnixNano()),
	})
	b := x.Start(r.input, r.inputText, r.now)
	events := b.Events
	for step := 0; x.Status() == engine.Running && step < maxEngineSteps; step++ {
		fired := false
		for _, c := range b.Commands {
			if c.Kind == engine.SetTimer {
				b = x.TimerFired(c.ID, r.now)
				events = append(events, b.Events...)
				fired = true
				break
			}
		}
		if !fired {
			break
		}
	}
	return r.engineOutcome(x, events)
}

// engineOutcome reads the tested state's outcome from the events of an
// engine run.
func (r *testRun) engineOutcome(x *engine.Execution, events []history.Event) error {
	name := r.st.Name
	exited := -1
	for i, ev := range events {
		if ev.Details != nil && ev.Details.Name == name && strings.HasSuffix(string(ev.Type), "StateExited") {
			exited = i
			break
		}
	}
	if exited < 0 {
		errName, cause := x.Error()
		if cause != nil {
			c := runtimePrefix.ReplaceAllString(*cause, "")
			cause = &c
		}
		if x.Status() == engine.Running {
			return fmt.Errorf("test state %q: the engine did not finish the state", name)
		}
		r.fail(errName, cause)
		return nil
	}
	d := events[exited].Details
	var output any
	if d.Output != nil {
		v, err := jsonv.ParseString(*d.Output)
		if err != nil {
			return fmt.Errorf("test state %q: output: %w", name, err)
		}
		output = v
	}
	var assigned *jsonv.Object
	if a := d.AssignedVariables; a != nil {
		assigned = jsonv.NewObject(len(a.Names))
		for i, n := range a.Names {
			v, err := jsonv.ParseString(a.Values[i])
			if err != nil {
				return fmt.Errorf("test state %q: variable %s: %w", name, n, err)
			}
			assigned.Set(n, v)
		}
	}
	next := ""
	for _, ev := range events[exited+1:] {
		if ev.Details != nil && strings.HasSuffix(string(ev.Type), "StateEntered") {
			next = ev.Details.Name
			break
		}
	}
	if r.st.End {
		next = ""
	}
	r.succeed(output, assigned, next)
	return nil
}
