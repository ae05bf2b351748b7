package sfn

import (
	"context"
	"math/rand/v2"
	"strings"
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
		return nil, validation(nil, "definition", "Member must not be null")
	}
	if len(*in.Definition) > 1024*1024 {
		return nil, validation("...", "definition", "Member must have length less than or equal to 1048576")
	}
	if in.RoleArn != nil && *in.RoleArn != "" && !strings.HasPrefix(*in.RoleArn, "arn:") {
		return nil, apiError(ErrInvalidArn, "Invalid Arn: 'Invalid ARN prefix: %s'", *in.RoleArn)
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
			return apiError(ErrValidation, "State not found in definition")
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
		// With a ResultWriter, a Map's result is an object (the Map Run
		// and where its results went); else the list of results.
		if st.ResultWriter != nil {
			if _, ok := v.(*jsonv.Object); !ok {
				return apiError(ErrValidation, "Mocked result must be a JSON object.")
			}
		} else if _, ok := v.([]any); !ok {
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
	ctx := jsonv.ObjectOf("Execution", exec, "StateMachine", sm, "State", st)
	if res := r.st.Res; r.st.Type == asl.TypeTask && (res.Pattern == asl.WaitForTaskToken || res.Kind == asl.ResourceActivity) {
		// A callback task's token, for $$.Task.Token (no one can answer it:
		// TestState mocks these tasks).
		ctx.Set("Task", jsonv.ObjectOf("Token", uuid.NewString()))
	}
	return ctx
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

// payloadText returns v's JSON text, for the response.
func payloadText(v any) *string {
	t := jsonv.Marshal(v)
	return &t
}
