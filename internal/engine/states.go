package engine

import (
	"math"
	"strings"
	"time"

	"stepd/internal/asl"
	"stepd/internal/dataflow"
	"stepd/internal/history"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// runState runs f's entered state: simple states complete here; Task,
// Parallel, Map and Wait usually leave f waiting.
func (x *Execution) runState(f *frame) {
	switch f.state.Type {
	case asl.TypePass:
		x.runPass(f)
	case asl.TypeChoice:
		x.runChoice(f)
	case asl.TypeWait:
		x.runWait(f)
	case asl.TypeSucceed:
		x.runSucceed(f)
	case asl.TypeFail:
		x.runFail(f)
	case asl.TypeTask:
		x.runTask(f)
	case asl.TypeParallel:
		x.runParallel(f)
	case asl.TypeMap:
		x.runMap(f)
	}
}

func (x *Execution) runPass(f *frame) {
	s := f.state
	env := x.env(f)
	if s.QueryLanguage == asl.JSONata {
		out, assigned, err := jsonataExit(s, s.Output, s.Assign, f.raw, env)
		if err != nil {
			x.raise(f, err)
			return
		}
		x.exitState(f, out, assigned)
		return
	}
	eff, err := dataflow.InputPath(s, f.raw, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	result := eff
	switch {
	case s.HasResult:
		result = s.Result
	case s.Parameters != nil:
		if result, err = dataflow.Payload(s.Parameters, eff, env); err != nil {
			x.raise(f, err)
			return
		}
	}
	assigned, err := dataflow.Assign(s, s.Assign, result, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	out, err := dataflow.ResultPath(s.ResultPath, s.ResultPathNull, f.raw, result)
	if err == nil {
		out, err = dataflow.OutputPath(s, out, env)
	}
	if err != nil {
		x.raise(f, err)
		return
	}
	x.exitState(f, out, assigned)
}

// jsonataExit evaluates what a JSONata state (or catcher) leaves with: its
// Output (def when it has none), then its Assign.
func jsonataExit(s *asl.State, output, assign *asl.Template, def any, env *dataflow.Env) (any, *jsonv.Object, error) {
	out := def
	if output != nil {
		var err error
		if out, err = dataflow.JSONata(output, env); err != nil {
			return nil, nil, err
		}
	}
	assigned, err := dataflow.Assign(s, assign, nil, env)
	return out, assigned, err
}

func (x *Execution) runSucceed(f *frame) {
	s := f.state
	env := x.env(f)
	out := f.raw
	var err error
	if s.QueryLanguage == asl.JSONata {
		if s.Output != nil {
			out, err = dataflow.JSONata(s.Output, env)
		}
	} else {
		out, err = dataflow.InputPath(s, f.raw, env)
		if err == nil {
			out, err = dataflow.OutputPath(s, out, env)
		}
	}
	if err != nil {
		x.raise(f, err)
		return
	}
	x.exitStateTo(f, out, nil, nil, true, 0)
}

func (x *Execution) runFail(f *frame) {
	s := f.state
	env := x.env(f)
	errName, err := dataflow.StringField(s.Error, f.raw, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	cause, err := dataflow.StringField(s.Cause, f.raw, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	f.failure = &failure{err: errName, cause: cause}
	f.phase = phaseDone
}

func (x *Execution) runChoice(f *frame) {
	s := f.state
	env := x.env(f)
	if s.QueryLanguage == asl.JSONata {
		for _, r := range s.Choices {
			v, err := dataflow.JSONata(r.Condition, env)
			if err != nil {
				x.raise(f, err)
				return
			}
			b, ok := v.(bool)
			if !ok {
				x.raise(f, dataflow.TypeError(r.Condition, "Condition", "boolean", v))
				return
			}
			if b {
				x.choiceExit(f, r.Output, r.Assign, r.NextState, env, f.raw)
				return
			}
		}
		if s.DefaultState == nil {
			x.fail(f, &failure{err: history.Str(asl.ErrNoChoiceMatched), cause: history.Str("No Matches!")})
			return
		}
		x.choiceExit(f, s.Output, s.Assign, s.DefaultState, env, f.raw)
		return
	}
	eff, err := dataflow.InputPath(s, f.raw, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	for _, r := range s.Choices {
		ok, err := evalRule(r, eff, env)
		if err != nil {
			x.raise(f, err)
			return
		}
		if ok {
			x.choiceExit(f, nil, r.Assign, r.NextState, env, eff)
			return
		}
	}
	if s.DefaultState == nil {
		x.fail(f, &failure{err: history.Str(asl.ErrNoChoiceMatched), cause: history.Str("No Matches!")})
		return
	}
	x.choiceExit(f, nil, s.Assign, s.DefaultState, env, eff)
}

// choiceExit leaves a Choice state for next. JSONPath output is the
// effective input through OutputPath; JSONata output is Output or the input.
func (x *Execution) choiceExit(f *frame, output, assign *asl.Template, next *asl.State, env *dataflow.Env, eff any) {
	s := f.state
	assigned, err := dataflow.Assign(s, assign, eff, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	var out any
	if s.QueryLanguage == asl.JSONata {
		out = f.raw
		if output != nil {
			if out, err = dataflow.JSONata(output, env); err != nil {
				x.raise(f, err)
				return
			}
		}
	} else if out, err = dataflow.OutputPath(s, eff, env); err != nil {
		x.raise(f, err)
		return
	}
	x.exitStateTo(f, out, assigned, next, false, 0)
}

func (x *Execution) runWait(f *frame) {
	s := f.state
	env := x.env(f)
	var (
		input = f.raw
		err   error
	)
	if s.QueryLanguage == asl.JSONPath {
		if input, err = dataflow.InputPath(s, f.raw, env); err != nil {
			x.raise(f, err)
			return
		}
	}
	due, err := x.waitUntil(f, input, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	if due.Sub(x.now) > maxWaitSeconds*time.Second {
		x.failRuntime(f, asl.ErrRuntime, "Wait state delay is too long.", false)
		return
	}
	f.effective = input
	if !due.After(x.now) {
		x.waitDone(f)
		return
	}
	f.timer = x.setTimer(&timerRef{frame: f, kind: timerWait, at: due})
	f.phase = phaseWait
}

// waitDone leaves a Wait state.
func (x *Execution) waitDone(f *frame) {
	s := f.state
	env := x.env(f)
	assigned, err := dataflow.Assign(s, s.Assign, f.effective, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	var out any
	if s.QueryLanguage == asl.JSONata {
		out = f.raw
		if s.Output != nil {
			if out, err = dataflow.JSONata(s.Output, env); err != nil {
				x.raise(f, err)
				return
			}
		}
	} else if out, err = dataflow.OutputPath(s, f.effective, env); err != nil {
		x.raise(f, err)
		return
	}
	x.exitState(f, out, assigned)
}

// waitUntil computes when a Wait state ends, with AWS's runtime errors for
// bad SecondsPath and TimestampPath values (aws-semantics.md §1.4).
func (x *Execution) waitUntil(f *frame, input any, env *dataflow.Env) (time.Time, error) {
	s := f.state
	switch {
	case s.Seconds.Set:
		d := s.Seconds
		var v any
		switch {
		case d.Expr != nil:
			r, err := dataflow.JSONata(d.Expr, env)
			if err != nil {
				return time.Time{}, err
			}
			n, ok := jsonv.AsInt(r)
			if !ok || n < 0 {
				return time.Time{}, dataflow.TypeError(d.Expr, "Seconds", "integer", r)
			}
			v = n
		case d.Path != nil:
			r, err := d.Path.Get(pathRootValue(d, input, env))
			if err != nil {
				return time.Time{}, runtimeFailure("The SecondsPath parameter does not reference an input value: " + d.Path.String())
			}
			n, ok := r.(int64)
			if fv, isF := r.(float64); isF && fv == math.Trunc(fv) && !strings.Contains(encode(r), ".") {
				n, ok = int64(fv), true
			}
			if !ok {
				return time.Time{}, runtimeFailure("The SecondsPath parameter cannot be parsed as a long value: " + d.Path.String() + " == " + encode(r))
			}
			if n < 0 {
				return time.Time{}, runtimeFailure("The SecondsPath parameter references a negative value: " + d.Path.String() + " == " + encode(r))
			}
			v = n
		default:
			v = d.Literal
		}
		n, _ := jsonv.AsInt(v)
		return x.now.Add(time.Duration(n) * time.Second), nil
	case s.Timestamp.Set:
		d := s.Timestamp
		switch {
		case d.Expr != nil:
			r, err := dataflow.JSONata(d.Expr, env)
			if err != nil {
				return time.Time{}, err
			}
			str, ok := r.(string)
			if !ok {
				return time.Time{}, dataflow.TypeError(d.Expr, "Timestamp", "string", r)
			}
			t, ok := asl.ParseTimestamp(str)
			if !ok {
				return time.Time{}, &dataflow.Failure{Name: asl.ErrQueryEvaluationError, Location: "Timestamp",
					Cause: "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + str}
			}
			return t, nil
		case d.Path != nil:
			r, err := d.Path.Get(pathRootValue(d, input, env))
			if err != nil {
				return time.Time{}, runtimeFailure("The TimestampPath parameter does not reference an input value: " + d.Path.String())
			}
			str, ok := r.(string)
			t, valid := asl.ParseTimestamp(str)
			if !valid {
				if !ok {
					str = encode(r)
				}
				return time.Time{}, runtimeFailure("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: " + d.Path.String() + " == " + str)
			}
			return t, nil
		default:
			t, _ := asl.ParseTimestamp(d.Literal.(string))
			return t, nil
		}
	}
	return x.now, nil
}

func runtimeFailure(cause string) error {
	return &dataflow.Failure{Name: asl.ErrRuntime, Cause: cause}
}

// pathRootValue picks the root a *Path field is evaluated against.
func pathRootValue(d asl.Dyn, input any, env *dataflow.Env) any {
	switch d.Path.Root() {
	case jsonpath.RootContext:
		return env.Context()
	case jsonpath.RootVariable:
		v, _ := env.Vars.Lookup(d.Path.Variable())
		return v
	}
	return input
}
