package sfn

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"stepd/internal/asl"
	"stepd/internal/dataflow"
	"stepd/internal/engine"
	"stepd/internal/jsonv"
)

// TestState runs one state of a definition, in isolation, with an input,
// and reports what it did (API reference, TestState; developer guide,
// "Testing state machines with TestState API").
//
// Most states are evaluated here, step by step, with the data-flow
// functions the engine uses (package dataflow), because TestState reports
// every intermediate value (inspectionData) and replaces pieces of the
// state by mocks: a Task's service call, a Parallel state's branches, a Map
// state's iterations. JSONPath Choice rules and Wait states run in the
// engine itself, on a small machine made of the state, a Pass state that
// assigns the request's variables, and Succeed states standing for its
// targets; a Wait does not wait.

// testStateMaxDuration is how long TestState may run (AWS: 5 minutes, then
// States.Timeout).
const testStateMaxDuration = 5 * time.Minute

// singleStateName is the name a single-state definition's state gets (it
// shows in $$.State.Name and in diagnostics, as on AWS).
const singleStateName = "StateName"

// The statuses of a tested state.
const (
	testSucceeded   = "SUCCEEDED"
	testFailed      = "FAILED"
	testRetriable   = "RETRIABLE"
	testCaughtError = "CAUGHT_ERROR"
)

// The inspection levels.
const (
	levelInfo  = "INFO"
	levelDebug = "DEBUG"
	levelTrace = "TRACE"
)

// TestStateInput is TestState's request.
type TestStateInput struct {
	Definition         *string                 `json:"definition"`
	RoleArn            *string                 `json:"roleArn,omitempty"`
	Input              *string                 `json:"input,omitempty"`
	InspectionLevel    *string                 `json:"inspectionLevel,omitempty"`
	RevealSecrets      *bool                   `json:"revealSecrets,omitempty"`
	Variables          *string                 `json:"variables,omitempty"`
	StateName          *string                 `json:"stateName,omitempty"`
	Mock               *TestStateMock          `json:"mock,omitempty"`
	Context            *string                 `json:"context,omitempty"`
	StateConfiguration *TestStateConfiguration `json:"stateConfiguration,omitempty"`
}

// TestStateMock is a mocked result or error of the tested state.
type TestStateMock struct {
	Result              *string          `json:"result,omitempty"`
	ErrorOutput         *MockErrorOutput `json:"errorOutput,omitempty"`
	FieldValidationMode *string          `json:"fieldValidationMode,omitempty"`
}

// MockErrorOutput is a mocked error.
type MockErrorOutput struct {
	Error *string `json:"error,omitempty"`
	Cause *string `json:"cause,omitempty"`
}

// TestStateConfiguration sets the circumstances the state runs in.
type TestStateConfiguration struct {
	RetrierRetryCount        *int64  `json:"retrierRetryCount,omitempty"`
	ErrorCausedByState       *string `json:"errorCausedByState,omitempty"`
	MapIterationFailureCount *int64  `json:"mapIterationFailureCount,omitempty"`
	MapItemReaderData        *string `json:"mapItemReaderData,omitempty"`
}

// TestStateOutput is TestState's response.
type TestStateOutput struct {
	Output         *string         `json:"output,omitempty"`
	Error          *string         `json:"error,omitempty"`
	Cause          *string         `json:"cause,omitempty"`
	InspectionData *InspectionData `json:"inspectionData,omitempty"`
	NextState      *string         `json:"nextState,omitempty"`
	Status         string          `json:"status"`
}

// InspectionData are the intermediate values of a tested state (DEBUG and
// TRACE). Payloads are JSON text.
type InspectionData struct {
	Input                      *string                 `json:"input,omitempty"`
	AfterArguments             *string                 `json:"afterArguments,omitempty"`
	AfterInputPath             *string                 `json:"afterInputPath,omitempty"`
	AfterParameters            *string                 `json:"afterParameters,omitempty"`
	AfterItemsPath             *string                 `json:"afterItemsPath,omitempty"`
	AfterItemSelector          *string                 `json:"afterItemSelector,omitempty"`
	AfterItemBatcher           *string                 `json:"afterItemBatcher,omitempty"`
	AfterItemsPointer          *string                 `json:"afterItemsPointer,omitempty"`
	Result                     *string                 `json:"result,omitempty"`
	AfterResultSelector        *string                 `json:"afterResultSelector,omitempty"`
	AfterResultPath            *string                 `json:"afterResultPath,omitempty"`
	Variables                  *string                 `json:"variables,omitempty"`
	MaxConcurrency             *int64                  `json:"maxConcurrency,omitempty"`
	ToleratedFailureCount      *int64                  `json:"toleratedFailureCount,omitempty"`
	ToleratedFailurePercentage *float64                `json:"toleratedFailurePercentage,omitempty"`
	ErrorDetails               *InspectionErrorDetails `json:"errorDetails,omitempty"`
}

// InspectionErrorDetails say which retrier or catcher handled an error.
type InspectionErrorDetails struct {
	CatchIndex                  *int64 `json:"catchIndex,omitempty"`
	RetryIndex                  *int64 `json:"retryIndex,omitempty"`
	RetryBackoffIntervalSeconds *int64 `json:"retryBackoffIntervalSeconds,omitempty"`
}

// testRun is one TestState call.
type testRun struct {
	s      *Service
	st     *asl.State
	stJSON *jsonv.Object // the state's definition
	level  string

	input     any
	inputText string
	ctxObj    any // $$
	vars      *testVars

	mock       *TestStateMock
	mockResult any
	retries    int64 // stateConfiguration.retrierRetryCount
	iterFails  *int64

	roleARN, smName, smARN, execName, execARN string
	now                                       time.Time

	out  *TestStateOutput
	insp *InspectionData
}

// TestState runs one state with an input (see the package comment above).
func (s *Service) TestState(ctx context.Context, in *TestStateInput) (*TestStateOutput, error) {
	r, err := s.prepareTest(in)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, testStateMaxDuration)
	defer cancel()
	if err := r.run(ctx); err != nil {
		return nil, err
	}
	if r.level != levelInfo {
		r.out.InspectionData = r.insp
	}
	return r.out, nil
}

// prepareTest checks a TestState request, in the order AWS reports its
// errors, and sets up the run.
func (s *Service) prepareTest(in *TestStateInput) (*testRun, error) {
	if in.Definition == nil {
		return nil, validation("null", "definition", "Member must not be null")
	}
	r := &testRun{s: s, level: levelInfo, out: &TestStateOutput{}, insp: &InspectionData{}, now: s.now()}
	if in.InspectionLevel != nil {
		switch *in.InspectionLevel {
		case levelInfo, levelDebug, levelTrace:
			r.level = *in.InspectionLevel
		default:
			return nil, validation(*in.InspectionLevel, "inspectionLevel", "Member must satisfy enum value set: [INFO, DEBUG, TRACE]")
		}
	}
	if m := in.Mock; m != nil {
		if m.Result != nil && m.ErrorOutput != nil {
			return nil, apiError(ErrValidation, "A test mock should have only one of the following fields: [result, errorOutput].")
		}
		if in.RevealSecrets != nil && *in.RevealSecrets {
			return nil, apiError(ErrValidation, "TestState does not support RevealSecrets when a mock is specified.")
		}
		if mode := m.FieldValidationMode; mode != nil {
			switch *mode {
			case "STRICT", "PRESENT", "NONE":
			default:
				return nil, validation(*mode, "mock.fieldValidationMode", "Member must satisfy enum value set: [STRICT, PRESENT, NONE]")
			}
		}
		r.mock = m
	}
	text, input, err := checkInput(in.Input)
	if err != nil {
		return nil, err
	}
	r.input, r.inputText = input, text
	if r.vars, err = parseTestVars(in.Variables); err != nil {
		return nil, err
	}
	if err := r.selectState(in); err != nil {
		return nil, err
	}
	if err := r.checkState(in); err != nil {
		return nil, err
	}
	if sc := in.StateConfiguration; sc != nil {
		if n := sc.RetrierRetryCount; n != nil {
			if *n < 0 {
				return nil, validation(*n, "stateConfiguration.retrierRetryCount", "Member must have value greater than or equal to 0")
			}
			r.retries = *n
		}
		if n := sc.MapIterationFailureCount; n != nil {
			if *n < 0 {
				return nil, validation(*n, "stateConfiguration.mapIterationFailureCount", "Member must have value greater than or equal to 0")
			}
			r.iterFails = n
		}
	}
	r.smName = "TestStateMachine-" + uuid.NewString()[:8]
	r.execName = uuid.NewString()
	r.smARN = s.resourceARN("stateMachine", r.smName)
	r.execARN = s.resourceARN("express", r.smName+":"+r.execName)
	r.roleARN = "arn:aws:iam::" + s.opts.Account + ":role/stepd-test-state"
	if in.RoleArn != nil && *in.RoleArn != "" {
		r.roleARN = *in.RoleArn
	}
	if in.Context != nil {
		v, err := jsonv.ParseString(*in.Context)
		if err != nil {
			return nil, apiError(ErrValidation, "Invalid Context object provided: %v", err)
		}
		if err := checkTestContext(v, r.st); err != nil {
			return nil, err
		}
		r.ctxObj = v
	} else {
		r.ctxObj = r.defaultContext()
	}
	return r, nil
}

// selectState compiles the definition and picks the state to test: the
// state stateName names in a complete definition, or the one state the
// definition is.
func (r *testRun) selectState(in *TestStateInput) error {
	def := *in.Definition
	if in.StateName != nil {
		m, diags := asl.Compile([]byte(def), asl.Options{Type: asl.TypeStandard, JSONata: r.s.opts.JSONata})
		if m == nil {
			return apiError(ErrInvalidDefinition, "%s", diags.InvalidDefinitionMessage())
		}
		m.Walk(func(st *asl.State) {
			if st.Name == *in.StateName && r.st == nil {
				r.st = st
			}
		})
		if r.st == nil {
			return apiError(ErrValidation, "State '%s' does not exist in the state machine definition", *in.StateName)
		}
		doc, _ := jsonv.ParseString(def)
		r.stJSON = findStateJSON(doc, *in.StateName)
		return nil
	}
	doc, err := jsonv.ParseString(def)
	obj, isObj := doc.(*jsonv.Object)
	if err != nil || !isObj {
		_, diags := asl.Compile([]byte(def), asl.Options{Type: asl.TypeStandard, JSONata: r.s.opts.JSONata})
		if diags.HasErrors() {
			return apiError(ErrInvalidDefinition, "%s", diags.InvalidDefinitionMessage())
		}
		return apiError(ErrInvalidDefinition, "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The state definition must be a JSON object at /States/%s'", singleStateName)
	}
	text := jsonv.Marshal(oneStateMachine(singleStateName, obj, nil))
	m, diags := asl.Compile([]byte(text), asl.Options{Type: asl.TypeStandard, JSONata: r.s.opts.JSONata})
	if m == nil {
		return apiError(ErrInvalidDefinition, "%s", diags.InvalidDefinitionMessage())
	}
	r.st, r.stJSON = m.State(singleStateName), obj
	return nil
}

// checkState applies TestState's rules on which states it runs, with or
// without a mock.
func (r *testRun) checkState(in *TestStateInput) error {
	st := r.st
	switch st.Type {
	case asl.TypeMap, asl.TypeParallel:
		if r.mock == nil {
			return apiError(ErrInvalidDefinition, "TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]")
		}
	case asl.TypeTask:
		if r.mock == nil {
			if st.Res.Kind == asl.ResourceActivity || st.Res.Pattern != asl.RequestResponse {
				return apiError(ErrValidation, "TestState supports Activity tasks and the '.sync' and '.waitForTaskToken' service integration patterns only when a mock is specified")
			}
			if in.RoleArn == nil || *in.RoleArn == "" {
				return apiError(ErrValidation, "RoleArn must be specified when testing a Task state")
			}
		}
	default:
		if r.mock != nil {
			return apiError(ErrValidation, "State type '%s' is not supported when a mock is specified", st.Type)
		}
	}
	if r.mock == nil || r.mock.Result == nil {
		return nil
	}
	v, err := jsonv.ParseString(*r.mock.Result)
	if err != nil {
		return apiError(ErrValidation, "Mocked result must be valid JSON")
	}
	switch st.Type {
	case asl.TypeParallel:
		list, ok := v.([]any)
		if !ok {
			return apiError(ErrValidation, "Mocked result must be an array.")
		}
		if len(list) != len(st.Branches) {
			return apiError(ErrValidation, "Mocked result must contain the same number of items as number of Parallel branches.")
		}
	case asl.TypeMap:
		if _, ok := v.([]any); !ok {
			return apiError(ErrValidation, "Mocked result must be an array.")
		}
	case asl.TypeTask:
		mode := "STRICT"
		if r.mock.FieldValidationMode != nil {
			mode = *r.mock.FieldValidationMode
		}
		if mode != "NONE" {
			if err := validateMockResult(st.Res, v); err != nil {
				return err
			}
		}
	}
	r.mockResult = v
	return nil
}

// oneStateMachine is a machine made of one state, called name, and Succeed
// states standing for the states it may go to. prelude, when set, is a
// first state that runs before it.
func oneStateMachine(name string, state *jsonv.Object, prelude *jsonv.Object) *jsonv.Object {
	states := jsonv.NewObject(4)
	start := name
	if prelude != nil {
		start = testPreludeName
		states.Set(testPreludeName, prelude)
	}
	states.Set(name, state)
	for _, t := range stateTargets(state) {
		if !states.Has(t) {
			states.Set(t, jsonv.ObjectOf("Type", "Succeed"))
		}
	}
	return jsonv.ObjectOf("StartAt", start, "States", states)
}

// testPreludeName names the Pass state that assigns TestState's variables
// before an engine-run state.
const testPreludeName = "stepd TestState variables"

// stateTargets lists the states a state definition may go to: Next,
// Default, its Choices' Next and its Catchers' Next.
func stateTargets(state *jsonv.Object) []string {
	var out []string
	add := func(o *jsonv.Object) {
		if o == nil {
			return
		}
		if n, ok := getString(o, "Next"); ok {
			out = append(out, n)
		}
	}
	add(state)
	if d, ok := getString(state, "Default"); ok {
		out = append(out, d)
	}
	for _, key := range []string{"Choices", "Catch"} {
		v, _ := state.Get(key)
		list, _ := v.([]any)
		for _, it := range list {
			o, _ := it.(*jsonv.Object)
			add(o)
		}
	}
	return out
}

// findStateJSON finds the definition of the state called name in a
// complete definition (state names are unique machine-wide).
func findStateJSON(v any, name string) *jsonv.Object {
	machine, ok := v.(*jsonv.Object)
	if !ok {
		return nil
	}
	sv, _ := machine.Get("States")
	states, _ := sv.(*jsonv.Object)
	if states == nil {
		return nil
	}
	if s, ok := states.Get(name); ok {
		o, _ := s.(*jsonv.Object)
		return o
	}
	for i := 0; i < states.Len(); i++ {
		_, sv := states.At(i)
		st, _ := sv.(*jsonv.Object)
		if st == nil {
			continue
		}
		var subs []any
		if b, ok := st.Get("Branches"); ok {
			subs, _ = b.([]any)
		}
		for _, key := range []string{"ItemProcessor", "Iterator"} {
			if p, ok := st.Get(key); ok {
				subs = append(subs, p)
			}
		}
		for _, sub := range subs {
			if found := findStateJSON(sub, name); found != nil {
				return found
			}
		}
	}
	return nil
}

// defaultContext is $$ when the request gives none: an EXPRESS-like
// execution of a throw-away state machine.
func (r *testRun) defaultContext() any {
	exec := jsonv.ObjectOf("Id", r.execARN, "Input", r.input, "Name", r.execName, "RoleArn", r.roleARN,
		"StartTime", engine.FormatTime(r.now))
	sm := jsonv.ObjectOf("Id", r.smARN, "Name", r.smName)
	st := jsonv.ObjectOf("Name", r.st.Name, "EnteredTime", engine.FormatTime(r.now), "RetryCount", r.retries)
	return jsonv.ObjectOf("Execution", exec, "StateMachine", sm, "State", st)
}

// contextFields are the fields a mocked context object may have, and the
// type each must have ("" for any).
var contextFields = map[string]map[string]string{
	"Execution":    {"Id": "string", "Input": "", "Name": "string", "RoleArn": "string", "StartTime": "string", "RedriveCount": "number", "RedriveTime": "string"},
	"State":        {"EnteredTime": "string", "Name": "string", "RetryCount": "number"},
	"StateMachine": {"Id": "string", "Name": "string"},
	"Task":         {"Token": "string"},
}

// checkTestContext validates a mocked context object as AWS does.
func checkTestContext(v any, st *asl.State) error {
	bad := func(format string, args ...any) error {
		return apiError(ErrValidation, "Invalid Context object provided: "+format, args...)
	}
	o, ok := v.(*jsonv.Object)
	if !ok {
		return bad("The Context object must be a JSON object")
	}
	for i := 0; i < o.Len(); i++ {
		k, sv := o.At(i)
		if k == "Map" {
			return bad("'Map' field is not supported when mocking a Context object")
		}
		fields, known := contextFields[k]
		if !known {
			return bad("Field '%s' is not allowed", k)
		}
		if k == "Task" && (st.Type != asl.TypeTask || st.Res.Pattern == asl.RequestResponse) {
			return bad("Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern")
		}
		sub, ok := sv.(*jsonv.Object)
		if !ok {
			return bad("%s must be an object", k)
		}
		for j := 0; j < sub.Len(); j++ {
			f, fv := sub.At(j)
			want, known := fields[f]
			if !known {
				return bad("Field '%s' is not allowed", f)
			}
			switch want {
			case "string":
				if _, ok := fv.(string); !ok {
					return bad("%s.%s must be a string", k, f)
				}
			case "number":
				if _, ok := jsonv.AsFloat(fv); !ok {
					return bad("%s.%s must be a number", k, f)
				}
			}
		}
	}
	return nil
}

// testVars are the variables the tested state sees and assigns.
type testVars struct {
	vars *jsonv.Object
}

// parseTestVars reads the request's variables: a JSON object.
func parseTestVars(text *string) (*testVars, error) {
	tv := &testVars{vars: jsonv.NewObject(0)}
	if text == nil {
		return tv, nil
	}
	v, err := jsonv.ParseString(*text)
	o, ok := v.(*jsonv.Object)
	if err != nil || !ok {
		return nil, apiError(ErrValidation, "Variables must be a JSON object: '%s'", *text)
	}
	tv.vars = o
	return tv, nil
}

// Lookup implements dataflow.Scope.
func (t *testVars) Lookup(name string) (any, bool) { return t.vars.Get(name) }

// Each implements dataflow.Scope.
func (t *testVars) Each(fn func(string, any)) {
	for i := 0; i < t.vars.Len(); i++ {
		fn(t.vars.At(i))
	}
}

// assign records assigned variables.
func (t *testVars) assign(o *jsonv.Object) {
	if o == nil || o.Len() == 0 {
		return
	}
	vars := t.vars.Clone()
	for i := 0; i < o.Len(); i++ {
		vars.Set(o.At(i))
	}
	t.vars = vars
}

// env is the data-flow environment of the tested state with raw input.
func (r *testRun) env(ctx context.Context, raw any) *dataflow.Env {
	return &dataflow.Env{
		Ctx:        ctx,
		StateInput: raw,
		Context:    func() any { return r.ctxObj },
		Vars:       r.vars,
		Rand:       rand.New(rand.NewPCG(uint64(r.now.UnixNano()), 0x9e3779b97f4a7c15)),
		NewUUID:    uuid.NewString,
	}
}

// text returns v's JSON text, for the response.
func text(v any) *string {
	t := jsonv.Marshal(v)
	return &t
}

// succeed ends the test with the state's output and next state.
func (r *testRun) succeed(output any, assigned *jsonv.Object, next string) {
	r.vars.assign(assigned)
	r.out.Status = testSucceeded
	r.out.Output = text(output)
	if next != "" {
		r.out.NextState = &next
	}
	if assigned != nil {
		r.insp.Variables = text(r.vars.vars)
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
		out := raw
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
		return
	}
	var result any
	if st.HasResult {
		result = st.Result
		r.insp.Result = text(result)
	} else {
		eff, err := dataflow.InputPath(st, raw, env)
		if err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.AfterInputPath = text(eff)
		if result, err = dataflow.Payload(st.Parameters, eff, env); err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.AfterParameters = text(result)
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
	r.insp.AfterResultSelector = text(sel)
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
	r.insp.AfterResultPath = text(afterRP)
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
	st := r.st
	env := r.env(ctx, raw)
	env.Result, env.HasResult = result, true
	out := result
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
			r.insp.AfterInputPath = text(out)
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
		r.insp.AfterInputPath = text(eff)
	}
	errName, err := failField(st.Error, raw, env)
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	cause, err := failField(st.Cause, raw, env)
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	r.fail(errName, cause)
}

// failField evaluates a Fail state's Error or Cause; absent gives nil.
func failField(d asl.Dyn, raw any, env *dataflow.Env) (*string, error) {
	if !d.Set {
		return nil, nil
	}
	var (
		v   any
		err error
	)
	switch {
	case d.Expr != nil:
		v, err = dataflow.JSONata(d.Expr, env)
	case d.Call != nil:
		v, err = dataflow.Intrinsic(d.Call, raw, env)
	case d.Path != nil:
		v, err = dataflow.Get(d.Path, raw, env)
	default:
		v = d.Literal
	}
	if err != nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		if d.Expr != nil {
			return nil, dataflow.TypeError(d.Expr, d.Field, "string", v)
		}
		return nil, &dataflow.Failure{Name: asl.ErrRuntime, Cause: "The " + d.Field + " field must reference a string: " + jsonv.Marshal(v)}
	}
	return &s, nil
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
		r.insp.AfterArguments = text(params)
	} else {
		eff, err := dataflow.InputPath(st, raw, env)
		if err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.AfterInputPath = text(eff)
		if params, err = dataflow.Payload(st.Parameters, eff, env); err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.AfterParameters = text(params)
	}
	result, errName, cause, ok := r.invoke(ctx, params, env)
	if !ok {
		r.handle(ctx, raw, errName, cause)
		return
	}
	r.insp.Result = text(result)
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
	if n, err := taskSeconds(st.Timeout, r.input, env); err != nil {
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

// taskSeconds evaluates TimeoutSeconds / TimeoutSecondsPath (0: none).
func taskSeconds(d asl.Dyn, input any, env *dataflow.Env) (int64, error) {
	if !d.Set {
		return 0, nil
	}
	var (
		v   any
		err error
	)
	switch {
	case d.Expr != nil:
		v, err = dataflow.JSONata(d.Expr, env)
	case d.Path != nil:
		v, err = dataflow.Get(d.Path, input, env)
	default:
		v = d.Literal
	}
	if err != nil {
		return 0, err
	}
	n, ok := jsonv.AsInt(v)
	if !ok || n <= 0 {
		return 0, &dataflow.Failure{Name: asl.ErrRuntime, Cause: "The " + d.Field + " parameter does not reference a positive integer: " + jsonv.Marshal(v)}
	}
	return n, nil
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
	var err error
	if st.QueryLanguage == asl.JSONata {
		if st.Arguments != nil {
			_, err = dataflow.JSONata(st.Arguments, env)
		}
	} else {
		_, err = dataflow.Effective(st, raw, env)
	}
	if err != nil {
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
		r.insp.AfterInputPath = text(eff)
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
		r.insp.AfterItemsPath = text(items)
		if st.ItemSelector != nil {
			selected, err := r.selectItems(ctx, eff, items.([]any))
			if err != nil {
				r.dataError(ctx, raw, err)
				return
			}
			r.insp.AfterItemSelector = text(selected)
		}
	}
	list := items.([]any)
	conc, err := mapNumber(st.MaxConcurrency, eff, env)
	if err != nil {
		r.dataError(ctx, raw, err)
		return
	}
	r.insp.MaxConcurrency = int64Ptr(int64(conc))
	var count, pct float64
	if st.ToleratedFailureCount.Set {
		if count, err = mapNumber(st.ToleratedFailureCount, eff, env); err != nil {
			r.dataError(ctx, raw, err)
			return
		}
		r.insp.ToleratedFailureCount = int64Ptr(int64(count))
	}
	if st.ToleratedFailurePercentage.Set {
		if pct, err = mapNumber(st.ToleratedFailurePercentage, eff, env); err != nil {
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

// mapNumber evaluates MaxConcurrency, ToleratedFailureCount or
// ToleratedFailurePercentage (or their Path forms); 0 when absent.
func mapNumber(d asl.Dyn, input any, env *dataflow.Env) (float64, error) {
	if !d.Set {
		return 0, nil
	}
	var (
		v   any
		err error
	)
	switch {
	case d.Expr != nil:
		v, err = dataflow.JSONata(d.Expr, env)
	case d.Path != nil:
		v, err = dataflow.Get(d.Path, input, env)
	default:
		v = d.Literal
	}
	if err != nil {
		return 0, err
	}
	f, ok := jsonv.AsFloat(v)
	if !ok || f < 0 {
		if d.Expr != nil {
			return 0, dataflow.TypeError(d.Expr, d.Field, "number", v)
		}
		return 0, &dataflow.Failure{Name: asl.ErrRuntime, Cause: "The " + d.Field + " field must be a non-negative number: " + jsonv.Marshal(v)}
	}
	return f, nil
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
