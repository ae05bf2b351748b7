package sfn

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"time"

	"stepd/internal/asl"
	"stepd/internal/dataflow"
	"stepd/internal/engine"
	"stepd/internal/jsonv"
)

// The evaluation of a tested state: one function per state type, each
// recording the intermediate values AWS reports in inspectionData.

// succeed ends the test with the state's output and next state.
func (r *testRun) succeed(output any, assigned *jsonv.Object, next string) {
	r.vars.assign(assigned)
	r.out.Status = testSucceeded
	r.out.Output = payloadText(output)
	if next != "" {
		r.out.NextState = &next
	}
	if assigned != nil {
		r.insp.Variables = payloadText(r.vars.vars)
	}
}

// fail ends the test with an error no retrier or catcher handles.
func (r *testRun) fail(errName, cause *string) {
	r.out.Status = testFailed
	r.out.Error, r.out.Cause = errName, cause
}

// details returns the inspection data's error details.
func (r *testRun) details() *InspectionErrorDetails {
	if r.insp.ErrorDetails == nil {
		r.insp.ErrorDetails = &InspectionErrorDetails{}
	}
	return r.insp.ErrorDetails
}

// dataError handles a data-processing error of the state: States.Runtime
// fails it; other errors (States.QueryEvaluationError, intrinsic failures,
// ...) go to its retriers and catchers.
func (r *testRun) dataError(ctx context.Context, raw any, err error) {
	var df *dataflow.Failure
	if !errors.As(err, &df) {
		r.fail(strPtr(asl.ErrRuntime), strPtr(err.Error()))
		return
	}
	if df.Name == asl.ErrRuntime {
		r.fail(strPtr(df.Name), strPtr(df.Cause))
		return
	}
	r.handle(ctx, raw, df.Name, df.Cause)
}

func strPtr(s string) *string { return &s }

// handle applies the state's retriers, then its catchers, to an error
// (ASL, "Error handling"): a retrier that matches and has attempts left
// makes the state RETRIABLE; a catcher that matches makes it CAUGHT_ERROR
// with the catcher's output and Next; otherwise it FAILED.
func (r *testRun) handle(ctx context.Context, raw any, errName, cause string) {
	st := r.st
	r.out.Error, r.out.Cause = &errName, &cause
	for i, rt := range st.Retry {
		if !errorMatches(rt.ErrorEquals, errName) {
			continue
		}
		if r.retries < rt.MaxAttempts {
			r.out.Status = testRetriable
			d := r.details()
			d.RetryIndex = int64Ptr(int64(i))
			d.RetryBackoffIntervalSeconds = int64Ptr(backoffSeconds(rt, r.retries+1))
			return
		}
		break // the first matching retrier decides
	}
	for i, c := range st.Catch {
		if !errorMatches(c.ErrorEquals, errName) {
			continue
		}
		errOut := jsonv.ObjectOf("Error", errName, "Cause", cause)
		env := r.env(ctx, raw)
		var (
			out      any
			assigned *jsonv.Object
			err      error
		)
		if st.QueryLanguage == asl.JSONata {
			env.ErrorOutput, env.HasErrorOutput = errOut, true
			out = any(errOut)
			if c.Output != nil {
				out, err = dataflow.JSONata(c.Output, env)
			}
			if err == nil {
				assigned, err = dataflow.Assign(st, c.Assign, nil, env)
			}
		} else {
			assigned, err = dataflow.Assign(st, c.Assign, errOut, env)
			if err == nil {
				out, err = dataflow.ResultPath(c.ResultPath, c.ResultNull, raw, errOut)
			}
		}
		if err != nil {
			var df *dataflow.Failure
			if errors.As(err, &df) {
				r.fail(&df.Name, &df.Cause)
			} else {
				r.fail(strPtr(asl.ErrRuntime), strPtr(err.Error()))
			}
			return
		}
		r.succeed(out, assigned, c.Next)
		r.out.Status = testCaughtError
		r.details().CatchIndex = int64Ptr(int64(i))
		return
	}
	r.out.Status = testFailed
}

func int64Ptr(n int64) *int64 { return &n }

// errorMatches reports whether an ErrorEquals list matches an error name:
// States.ALL matches all but States.Runtime; States.TaskFailed all but
// States.Timeout and States.Runtime.
func errorMatches(list []string, name string) bool {
	for _, e := range list {
		switch {
		case e == name:
			return true
		case e == asl.ErrAll:
			return name != asl.ErrRuntime
		case e == asl.ErrTaskFailed && name != asl.ErrTimeout && name != asl.ErrRuntime:
			return true
		}
	}
	return false
}

// backoffSeconds is the wait before retry n (1-based), without jitter:
// IntervalSeconds x BackoffRate^(n-1), capped by MaxDelaySeconds.
func backoffSeconds(rt *asl.Retrier, n int64) int64 {
	d := float64(rt.IntervalSeconds) * math.Pow(rt.BackoffRate, float64(n-1))
	if rt.MaxDelaySeconds > 0 && d > float64(rt.MaxDelaySeconds) {
		d = float64(rt.MaxDelaySeconds)
	}
	return int64(math.Round(d))
}

// run evaluates the state.
func (r *testRun) run(ctx context.Context) error {
	r.insp.Input = &r.inputText
	st := r.st
	switch st.Type {
	case asl.TypePass:
		r.runPass(ctx)
	case asl.TypeSucceed:
		r.runSucceed(ctx)
	case asl.TypeFail:
		r.runFail(ctx)
	case asl.TypeChoice:
		if st.QueryLanguage == asl.JSONata {
			r.runChoiceJSONata(ctx)
			return nil
		}
		return r.runInEngine(ctx)
	case asl.TypeWait:
		return r.runInEngine(ctx)
	case asl.TypeTask:
		r.runTask(ctx)
	case asl.TypeParallel:
		r.runParallel(ctx)
	case asl.TypeMap:
		r.runMap(ctx)
	}
	return nil
}

func (r *testRun) runPass(ctx context.Context) {
	st, raw := r.st, r.input
	env := r.env(ctx, raw)
	if st.QueryLanguage == asl.JSONata {
		r.exitJSONata(ctx, raw, env, raw)
		return
	}
	var result any
	if st.HasResult {
		result = st.Result
		r.insp.Result = payloadText(result)
	} else {
		eff, err := dataflow.InputPath(st, raw, env)
		if err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.AfterInputPath = payloadText(eff)
		if result, err = dataflow.Payload(st.Parameters, eff, env); err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.AfterParameters = payloadText(result)
	}
	r.finishJSONPath(ctx, raw, result, false)
}

// finishJSONPath applies ResultSelector (when the state has one),
// Assign, ResultPath and OutputPath to a state's result, and succeeds.
func (r *testRun) finishJSONPath(ctx context.Context, raw, result any, selector bool) {
	st := r.st
	env := r.env(ctx, raw)
	sel := result
	var err error
	if selector && st.ResultSelector != nil {
		if sel, err = dataflow.Payload(st.ResultSelector, result, env); err != nil {
			r.dataError(ctx, raw, err)
			return
		}
	}
	r.insp.AfterResultSelector = payloadText(sel)
	assigned, err := dataflow.Assign(st, st.Assign, sel, env)
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	afterRP, err := dataflow.ResultPath(st.ResultPath, st.ResultPathNull, raw, sel)
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	r.insp.AfterResultPath = payloadText(afterRP)
	out, err := dataflow.OutputPath(st, afterRP, env)
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	r.succeed(out, assigned, st.Next)
}

// finishJSONata evaluates Output (default: the result) and Assign with
// $states.result, and succeeds.
func (r *testRun) finishJSONata(ctx context.Context, raw, result any) {
	env := r.env(ctx, raw)
	env.Result, env.HasResult = result, true
	r.exitJSONata(ctx, raw, env, result)
}

// exitJSONata evaluates Output (default: out) and Assign in env, and
// succeeds.
func (r *testRun) exitJSONata(ctx context.Context, raw any, env *dataflow.Env, out any) {
	st := r.st
	var err error
	if st.Output != nil {
		if out, err = dataflow.JSONata(st.Output, env); err != nil {
			r.dataError(ctx, raw, err)
			return
		}
	}
	assigned, err := dataflow.Assign(st, st.Assign, nil, env)
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	r.succeed(out, assigned, st.Next)
}

func (r *testRun) runSucceed(ctx context.Context) {
	st, raw := r.st, r.input
	env := r.env(ctx, raw)
	out := raw
	var err error
	if st.QueryLanguage == asl.JSONata {
		if st.Output != nil {
			out, err = dataflow.JSONata(st.Output, env)
		}
	} else {
		if out, err = dataflow.InputPath(st, raw, env); err == nil {
			r.insp.AfterInputPath = payloadText(out)
			out, err = dataflow.OutputPath(st, out, env)
		}
	}
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	r.succeed(out, nil, "")
}

func (r *testRun) runFail(ctx context.Context) {
	st, raw := r.st, r.input
	env := r.env(ctx, raw)
	if st.QueryLanguage == asl.JSONPath {
		eff, err := dataflow.InputPath(st, raw, env)
		if err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.AfterInputPath = payloadText(eff)
	}
	errName, err := dataflow.StringField(st.Error, raw, env)
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	cause, err := dataflow.StringField(st.Cause, raw, env)
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	r.fail(errName, cause)
}

func (r *testRun) runChoiceJSONata(ctx context.Context) {
	st, raw := r.st, r.input
	env := r.env(ctx, raw)
	exit := func(output, assign *asl.Template, next string) {
		out := raw
		var err error
		if output != nil {
			if out, err = dataflow.JSONata(output, env); err != nil {
				r.dataError(ctx, raw, err)
				return
			}
		}
		assigned, err := dataflow.Assign(st, assign, nil, env)
		if err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.succeed(out, assigned, next)
	}
	for _, rule := range st.Choices {
		v, err := dataflow.JSONata(rule.Condition, env)
		if err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		b, ok := v.(bool)
		if !ok {
			r.dataError(ctx, raw, dataflow.TypeError(rule.Condition, "Condition", "boolean", v))
			return
		}
		if b {
			exit(rule.Output, rule.Assign, rule.Next)
			return
		}
	}
	if st.DefaultState == nil {
		r.fail(strPtr(asl.ErrNoChoiceMatched), strPtr("No Matches!"))
		return
	}
	exit(st.Output, st.Assign, st.Default)
}

// runTask runs a Task state with its mock, or calls the service.
func (r *testRun) runTask(ctx context.Context) {
	st, raw := r.st, r.input
	env := r.env(ctx, raw)
	var (
		params any
		err    error
	)
	if st.QueryLanguage == asl.JSONata {
		params = raw
		if st.Arguments != nil {
			if params, err = dataflow.JSONata(st.Arguments, env); err != nil {
				r.dataError(ctx, raw, err)
				return
			}
		}
		r.insp.AfterArguments = payloadText(params)
	} else {
		eff, err := dataflow.InputPath(st, raw, env)
		if err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.AfterInputPath = payloadText(eff)
		if params, err = dataflow.Payload(st.Parameters, eff, env); err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.AfterParameters = payloadText(params)
	}
	result, errName, cause, ok := r.invoke(ctx, params, env)
	if !ok {
		r.handle(ctx, raw, errName, cause)
		return
	}
	r.insp.Result = payloadText(result)
	if st.QueryLanguage == asl.JSONata {
		r.finishJSONata(ctx, raw, result)
		return
	}
	r.finishJSONPath(ctx, raw, result, true)
}

// mocked returns the mock's answer: its result, or its error (ok false).
func (r *testRun) mocked() (result any, errName, cause string, ok bool) {
	if eo := r.mock.ErrorOutput; eo != nil {
		if eo.Error != nil {
			errName = *eo.Error
		}
		if eo.Cause != nil {
			cause = *eo.Cause
		}
		return nil, errName, cause, false
	}
	return r.mockResult, "", "", true
}

// invoke answers a Task: with the mock, or by calling the integration the
// way an execution does (TimeoutSeconds and TestState's 5 minutes apply).
func (r *testRun) invoke(ctx context.Context, params any, env *dataflow.Env) (any, string, string, bool) {
	if r.mock != nil {
		return r.mocked()
	}
	st := r.st
	timeout := testStateMaxDuration
	if n, err := dataflow.Seconds(st.Timeout, r.input, env); err != nil {
		var df *dataflow.Failure
		if errors.As(err, &df) {
			return nil, df.Name, df.Cause, false
		}
		return nil, asl.ErrRuntime, err.Error(), false
	} else if n > 0 {
		timeout = time.Duration(n) * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req := &engine.TaskRequest{
		ID: "test-state", StateName: st.Name, Resource: st.Res, Input: params, InputText: jsonv.Marshal(params),
		TimeoutSeconds: int64(timeout / time.Second), ExecutionARN: r.execARN,
	}
	rep := &testReporter{done: make(chan taskOutcome, 1)}
	r.s.dispatcherFor(nil).Dispatch(ctx, req, rep)
	select {
	case o := <-rep.done:
		return o.result, o.errName, o.cause, o.ok
	case <-ctx.Done():
		return nil, asl.ErrTimeout, "", false
	}
}

// taskOutcome is how a task ended.
type taskOutcome struct {
	result         any
	errName, cause string
	ok             bool
}

// testReporter collects a dispatched task's outcome.
type testReporter struct {
	once sync.Once
	done chan taskOutcome
}

func (t *testReporter) Started(string) {}
func (t *testReporter) Submitted(any)  {}
func (t *testReporter) Heartbeat()     {}
func (t *testReporter) Succeeded(out any) {
	t.once.Do(func() { t.done <- taskOutcome{result: out, ok: true} })
}
func (t *testReporter) Failed(errName, cause string) {
	t.once.Do(func() { t.done <- taskOutcome{errName: errName, cause: cause} })
}

// runParallel runs a Parallel state with its mocked result (the branches'
// outputs) or error.
func (r *testRun) runParallel(ctx context.Context) {
	st, raw := r.st, r.input
	env := r.env(ctx, raw)
	if _, err := dataflow.Effective(st, raw, env); err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	result, errName, cause, ok := r.mocked()
	if !ok {
		r.handle(ctx, raw, errName, cause)
		return
	}
	if st.QueryLanguage == asl.JSONata {
		r.finishJSONata(ctx, raw, result)
		return
	}
	r.finishJSONPath(ctx, raw, result, true)
}

// runMap runs a Map state with its mocked result (the iterations' outputs)
// or error; stateConfiguration.mapIterationFailureCount says how many
// iterations failed.
func (r *testRun) runMap(ctx context.Context) {
	st, raw := r.st, r.input
	env := r.env(ctx, raw)
	var (
		eff   = raw
		items any
		err   error
	)
	if st.QueryLanguage == asl.JSONata {
		items = raw
		if st.Items != nil {
			if items, err = dataflow.JSONata(st.Items, env); err != nil {
				r.dataError(ctx, raw, err)
				return
			}
		}
		if _, ok := items.([]any); !ok {
			r.dataError(ctx, raw, dataflow.TypeError(st.Items, "Items", "array", items))
			return
		}
	} else {
		if eff, err = dataflow.InputPath(st, raw, env); err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.AfterInputPath = payloadText(eff)
		items = eff
		if st.ItemsPath != nil {
			if items, err = dataflow.Get(st.ItemsPath, eff, env); err != nil {
				r.dataError(ctx, raw, err)
				return
			}
		}
		if _, ok := items.([]any); !ok {
			path := "$"
			if st.ItemsPath != nil {
				path = strings.Replace(st.ItemsPath.String(), "$$", "$", 1)
			}
			r.fail(strPtr(asl.ErrRuntime), strPtr(`Reference path "`+path+`" must point to array.`))
			return
		}
		r.insp.AfterItemsPath = payloadText(items)
		if st.ItemSelector != nil {
			selected, err := r.selectItems(ctx, eff, items.([]any))
			if err != nil {
				r.dataError(ctx, raw, err)
				return
			}
			r.insp.AfterItemSelector = payloadText(selected)
		}
	}
	list := items.([]any)
	conc, err := dataflow.MapInt(st.MaxConcurrency, eff, env, "MaxConcurrency")
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	r.insp.MaxConcurrency = int64Ptr(int64(conc))
	var count, pct float64
	if st.ToleratedFailureCount.Set {
		n, err := dataflow.MapInt(st.ToleratedFailureCount, eff, env, "ToleratedFailureCount")
		if err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		count = float64(n)
		r.insp.ToleratedFailureCount = int64Ptr(int64(n))
	}
	if st.ToleratedFailurePercentage.Set {
		if pct, err = dataflow.MapPercent(st.ToleratedFailurePercentage, eff, env); err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.ToleratedFailurePercentage = &pct
	}
	result, errName, cause, ok := r.mocked()
	if !ok {
		r.handle(ctx, raw, errName, cause)
		return
	}
	if r.iterFails != nil && thresholdExceeded(*r.iterFails, len(list), st.ToleratedFailureCount.Set, count, st.ToleratedFailurePercentage.Set, pct) {
		r.handle(ctx, raw, asl.ErrExceedToleratedFailure, "The specified tolerated failure threshold was exceeded")
		return
	}
	if st.QueryLanguage == asl.JSONata {
		r.finishJSONata(ctx, raw, result)
		return
	}
	r.finishJSONPath(ctx, raw, result, true)
}

// selectItems applies a JSONPath ItemSelector to each item, with
// $$.Map.Item set.
func (r *testRun) selectItems(ctx context.Context, eff any, items []any) ([]any, error) {
	out := make([]any, len(items))
	for i, it := range items {
		env := r.env(ctx, eff)
		item := jsonv.ObjectOf("Index", int64(i), "Value", it)
		env.Context = func() any {
			if o, ok := r.ctxObj.(*jsonv.Object); ok {
				return o.With("Map", jsonv.ObjectOf("Item", item))
			}
			return r.ctxObj
		}
		v, err := dataflow.Payload(r.st.ItemSelector, eff, env)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// thresholdExceeded reports whether failed iterations out of total exceed
// a Map state's tolerance: any failure without ToleratedFailureCount or
// ToleratedFailurePercentage, else more than either allows.
func thresholdExceeded(failed int64, total int, countSet bool, count float64, pctSet bool, pct float64) bool {
	if failed <= 0 {
		return false
	}
	if !countSet && !pctSet {
		return true
	}
	if countSet && float64(failed) > count {
		return true
	}
	return pctSet && total > 0 && float64(failed)*100/float64(total) > pct
}
