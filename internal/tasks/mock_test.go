package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/jsonv"
	"stepd/internal/tasks"
)

// awsExampleMockConfig is the example of the developer guide's page
// "Configuration File for Mocked Service Integrations"
// (sfn-local-mock-cfg-file), verbatim.
const awsExampleMockConfig = `{
  "StateMachines":{
    "LambdaSQSIntegration":{
      "TestCases":{
        "HappyPath":{
          "LambdaState":"MockedLambdaSuccess",
          "SQSState":"MockedSQSSuccess"
        },
        "RetryPath":{
          "LambdaState":"MockedLambdaRetry",
          "SQSState":"MockedSQSSuccess"
        },
        "HybridPath":{
          "LambdaState":"MockedLambdaSuccess"
        }
      }
    }
  },
  "MockedResponses":{
    "MockedLambdaSuccess":{
      "0":{
        "Return":{
          "StatusCode":200,
          "Payload":{
            "StatusCode":200,
            "body":"Hello from Lambda!"
          }
        }
      }
    },
    "LambdaMockedResourceNotReady":{
      "0":{
        "Throw":{
          "Error":"Lambda.ResourceNotReadyException",
          "Cause":"Lambda resource is not ready."
        }
      }
    },
    "MockedSQSSuccess":{
      "0":{
        "Return":{
          "MD5OfMessageBody":"3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
          "MessageId":"3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"
        }
      }
    },
    "MockedLambdaRetry":{
      "0":{
        "Throw":{
          "Error":"Lambda.ResourceNotReadyException",
          "Cause":"Lambda resource is not ready."
        }
      },
      "1-2":{
        "Throw":{
          "Error":"Lambda.TimeoutException",
          "Cause":"Lambda timed out."
        }
      },
      "3":{
        "Return":{
          "StatusCode":200,
          "Payload":{
            "StatusCode":200,
            "body":"Hello from Lambda!"
          }
        }
      }
    }
  }
}`

// result is what MockedResponse.At answers for one invocation, with the
// Return value as JSON text.
type result struct {
	ret, errName, cause string
	ok                  bool
}

func at(r *tasks.MockedResponse, n int) result {
	ret, errName, cause, ok := r.At(n)
	res := result{errName: errName, cause: cause, ok: ok}
	if ok && errName == "" {
		res.ret = jsonv.Marshal(ret)
	}
	return res
}

func mustParse(t *testing.T, src string) *tasks.MockConfig {
	t.Helper()
	cfg, err := tasks.ParseMockConfig([]byte(src))
	if err != nil {
		t.Fatalf("ParseMockConfig: %v", err)
	}
	return cfg
}

// TestParseMockConfigAWSExample reads the developer guide's example and
// checks every test case and every invocation of every mocked response.
func TestParseMockConfigAWSExample(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, awsExampleMockConfig)

	wantCases := map[string]map[string]string{
		"HappyPath":  {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess"},
		"RetryPath":  {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess"},
		"HybridPath": {"LambdaState": "MockedLambdaSuccess"},
	}
	if got := len(cfg.StateMachines["LambdaSQSIntegration"]); got != len(wantCases) {
		t.Errorf("LambdaSQSIntegration has %d test cases, want %d", got, len(wantCases))
	}
	for name, want := range wantCases {
		got, err := cfg.TestCase("LambdaSQSIntegration", name)
		if err != nil {
			t.Fatalf("TestCase(%s): %v", name, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("TestCase(%s) = %v, want %v", name, got, want)
		}
	}
	if got := len(cfg.Responses); got != 4 {
		t.Errorf("%d mocked responses, want 4", got)
	}

	const lambdaOK = `{"StatusCode":200,"Payload":{"StatusCode":200,"body":"Hello from Lambda!"}}`
	notReady := result{errName: "Lambda.ResourceNotReadyException", cause: "Lambda resource is not ready.", ok: true}
	timedOut := result{errName: "Lambda.TimeoutException", cause: "Lambda timed out.", ok: true}
	none := result{}
	tests := []struct {
		response string
		want     []result // by invocation number, from 0
	}{
		{"MockedLambdaSuccess", []result{{ret: lambdaOK, ok: true}, none}},
		{"LambdaMockedResourceNotReady", []result{notReady, none}},
		{"MockedSQSSuccess", []result{{ret: `{"MD5OfMessageBody":"3bcb6e8e-7h85-4375-b0bc-1a59812c6e51","MessageId":"3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}`, ok: true}, none}},
		// "0" throws, "1-2" (inclusive) throws another error, "3" returns,
		// and a fifth invocation has no response.
		{"MockedLambdaRetry", []result{notReady, timedOut, timedOut, {ret: lambdaOK, ok: true}, none}},
	}
	for _, tt := range tests {
		r := cfg.Responses[tt.response]
		if r == nil {
			t.Fatalf("no mocked response %s", tt.response)
		}
		for n, want := range tt.want {
			if got := at(r, n); got != want {
				t.Errorf("%s.At(%d) = %+v, want %+v", tt.response, n, got, want)
			}
		}
		if got := at(r, -1); got != none {
			t.Errorf("%s.At(-1) = %+v, want no result", tt.response, got)
		}
	}
}

// TestMockedResponseAt pins how invocation keys select results.
func TestMockedResponseAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		responses string // the body of one mocked response
		want      map[int]result
	}{
		{
			name:      "any JSON value can be returned, null included",
			responses: `{"0": {"Return": "200 OK"}, "1": {"Return": 1.5}, "2": {"Return": null}, "3": {"Return": [true, {}]}}`,
			want: map[int]result{
				0: {ret: `"200 OK"`, ok: true}, 1: {ret: `1.5`, ok: true},
				2: {ret: `null`, ok: true}, 3: {ret: `[true,{}]`, ok: true}, 4: {},
			},
		},
		{
			name:      "a range is inclusive at both ends",
			responses: `{"0-2": {"Throw": {"Error": "E", "Cause": "c"}}, "3": {"Return": {"a": 1}}}`,
			want: map[int]result{
				0: {errName: "E", cause: "c", ok: true}, 1: {errName: "E", cause: "c", ok: true},
				2: {errName: "E", cause: "c", ok: true}, 3: {ret: `{"a":1}`, ok: true}, 4: {},
			},
		},
		{
			name:      "keys in any order",
			responses: `{"2": {"Return": "third"}, "0": {"Return": "first"}, "1": {"Return": "second"}}`,
			want:      map[int]result{0: {ret: `"first"`, ok: true}, 1: {ret: `"second"`, ok: true}, 2: {ret: `"third"`, ok: true}, 3: {}},
		},
		{
			name:      "a range of one",
			responses: `{"5-5": {"Return": 5}}`,
			want:      map[int]result{4: {}, 5: {ret: `5`, ok: true}, 6: {}},
		},
		{
			name:      "a gap has no result",
			responses: `{"0": {"Return": 0}, "2-3": {"Return": 2}}`,
			want:      map[int]result{0: {ret: `0`, ok: true}, 1: {}, 2: {ret: `2`, ok: true}, 3: {ret: `2`, ok: true}, 4: {}},
		},
		{
			name:      "an empty Cause is kept",
			responses: `{"0": {"Throw": {"Error": "States.TaskFailed", "Cause": ""}}}`,
			want:      map[int]result{0: {errName: "States.TaskFailed", ok: true}},
		},
		{
			name:      "large invocation numbers",
			responses: `{"0-99999": {"Return": true}}`,
			want:      map[int]result{99999: {ret: `true`, ok: true}, 100000: {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := mustParse(t, `{"MockedResponses": {"R": `+tt.responses+`}}`)
			for n, want := range tt.want {
				if got := at(cfg.Responses["R"], n); got != want {
					t.Errorf("At(%d) = %+v, want %+v", n, got, want)
				}
			}
		})
	}
}

// TestParseMockConfigMinimal: both top-level fields are optional, and a
// config may define responses no test case uses.
func TestParseMockConfigMinimal(t *testing.T) {
	t.Parallel()
	for _, src := range []string{`{}`, `{"StateMachines": {}}`, `{"MockedResponses": {"Unused": {"0": {"Return": 1}}}}`, `{"StateMachines": {"M": {"TestCases": {}}}}`} {
		cfg := mustParse(t, src)
		if cfg.StateMachines == nil || cfg.Responses == nil {
			t.Errorf("%s: nil maps in %+v", src, cfg)
		}
	}
}

// TestParseMockConfigErrors: each mistake is reported with the path of the
// field at fault.
func TestParseMockConfigErrors(t *testing.T) {
	t.Parallel()
	// wrap builds a config whose one mocked response R has the given body,
	// used by test case M/T for state S.
	wrap := func(body string) string {
		return `{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}}, "MockedResponses": {"R": ` + body + `}}`
	}
	tests := []struct {
		name, src, want string
	}{
		{"not JSON", `{"StateMachines": `, "invalid JSON"},
		{"empty", ``, "invalid JSON"},
		{"trailing garbage", `{} {}`, "invalid JSON"},
		{"top level array", `[]`, "a mock config must be a JSON object"},
		{"top level string", `"x"`, "a mock config must be a JSON object"},
		{"StateMachines array", `{"StateMachines": []}`, "StateMachines must be an object"},
		{"state machine not an object", `{"StateMachines": {"M": 1}}`, "StateMachines.M.TestCases must be an object"},
		{"TestCases missing", `{"StateMachines": {"M": {}}}`, "StateMachines.M.TestCases must be an object"},
		{"TestCases array", `{"StateMachines": {"M": {"TestCases": []}}}`, "StateMachines.M.TestCases must be an object"},
		{"test case not an object", `{"StateMachines": {"M": {"TestCases": {"T": "R"}}}}`, "StateMachines.M.TestCases.T must be an object"},
		{"state mapped to a number", `{"StateMachines": {"M": {"TestCases": {"T": {"S": 1}}}}}`, "StateMachines.M.TestCases.T.S must name a mocked response"},
		{"state mapped to an object", `{"StateMachines": {"M": {"TestCases": {"T": {"S": {"0": {"Return": 1}}}}}}}`, "StateMachines.M.TestCases.T.S must name a mocked response"},
		{"undefined response", `{"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}, "MockedResponses": {}}`,
			`StateMachines.M.TestCases.T.S names the mocked response "Nope", which MockedResponses does not define`},
		{"undefined response, no MockedResponses", `{"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}}`,
			`names the mocked response "Nope"`},
		{"MockedResponses array", `{"MockedResponses": []}`, "MockedResponses must be an object"},
		{"response not an object", wrap(`[]`), "MockedResponses.R must be an object"},
		{"response null", wrap(`null`), "MockedResponses.R must be an object"},
		{"key not a number", wrap(`{"first": {"Return": 1}}`), `MockedResponses.R: "first" is not an invocation number or range`},
		// There is no Repeat field in the format: repetition is a range key.
		{"Repeat is not a field", wrap(`{"0": {"Return": 1}, "Repeat": 3}`), `MockedResponses.R: "Repeat" is not an invocation number or range`},
		{"empty key", wrap(`{"": {"Return": 1}}`), `"" is not an invocation number`},
		{"negative", wrap(`{"-1": {"Return": 1}}`), `"-1" is not an invocation number`},
		{"descending range", wrap(`{"2-1": {"Return": 1}}`), `"2-1" is not an invocation number`},
		{"open range", wrap(`{"1-": {"Return": 1}}`), `"1-" is not an invocation number`},
		{"three parts", wrap(`{"1-2-3": {"Return": 1}}`), `"1-2-3" is not an invocation number`},
		{"comma list", wrap(`{"0,1": {"Return": 1}}`), `"0,1" is not an invocation number`},
		{"spaces", wrap(`{" 0": {"Return": 1}}`), `" 0" is not an invocation number`},
		{"fraction", wrap(`{"1.5": {"Return": 1}}`), `"1.5" is not an invocation number`},
		{"step not an object", wrap(`{"0": "ok"}`), "MockedResponses.R.0 must hold exactly one of Return or Throw"},
		{"neither Return nor Throw", wrap(`{"0": {}}`), "MockedResponses.R.0 must hold exactly one of Return or Throw"},
		{"both Return and Throw", wrap(`{"0": {"Return": 1, "Throw": {"Error": "E", "Cause": "c"}}}`), "MockedResponses.R.0 must hold exactly one of Return or Throw"},
		{"misspelt Return", wrap(`{"0": {"Returns": 1}}`), "MockedResponses.R.0 must hold exactly one of Return or Throw"},
		{"Throw not an object", wrap(`{"0-1": {"Throw": "E"}}`), "MockedResponses.R.0-1.Throw must have"},
		{"Throw without Cause", wrap(`{"0": {"Throw": {"Error": "E"}}}`), "MockedResponses.R.0.Throw must have"},
		{"Throw without Error", wrap(`{"0": {"Throw": {"Cause": "c"}}}`), "MockedResponses.R.0.Throw must have"},
		{"Throw with a number Error", wrap(`{"0": {"Throw": {"Error": 500, "Cause": "c"}}}`), "MockedResponses.R.0.Throw must have"},
		{"Throw with an object Cause", wrap(`{"0": {"Throw": {"Error": "E", "Cause": {"a": 1}}}}`), "MockedResponses.R.0.Throw must have"},
		// An empty error name would make At report a success.
		{"Throw with an empty Error", wrap(`{"0": {"Throw": {"Error": "", "Cause": "c"}}}`), "MockedResponses.R.0.Throw must have"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := tasks.ParseMockConfig([]byte(tt.src))
			if err == nil {
				t.Fatalf("no error; config %+v", cfg)
			}
			if cfg != nil {
				t.Errorf("a config came back with the error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadMockConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "MockConfigFile.json")
	if err := os.WriteFile(good, []byte(awsExampleMockConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"MockedResponses": {"R": {"x": {"Return": 1}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}

	cfg, err := tasks.LoadMockConfig(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.TestCase("LambdaSQSIntegration", "RetryPath"); err != nil {
		t.Error(err)
	}

	_, err = tasks.LoadMockConfig(bad)
	if err == nil || !strings.HasPrefix(err.Error(), bad+": ") || !strings.Contains(err.Error(), `"x" is not an invocation number`) {
		t.Errorf("bad file: error %v, want it to start with the path and say what is wrong", err)
	}

	_, err = tasks.LoadMockConfig(filepath.Join(dir, "missing.json"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "read mock config") {
		t.Errorf("missing file: error %v, want a wrapped fs.ErrNotExist", err)
	}
}

func TestMockConfigTestCase(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, awsExampleMockConfig)
	tests := []struct {
		sm, tc string
		want   string // error text; "" for success
	}{
		{"LambdaSQSIntegration", "HybridPath", ""},
		{"Nope", "HappyPath", `the mock config has no state machine named "Nope"`},
		{"LambdaSQSIntegration", "SadPath", `the mock config has no test case "SadPath" for state machine "LambdaSQSIntegration"`},
		// Names are case-sensitive.
		{"lambdasqsintegration", "HappyPath", `no state machine named "lambdasqsintegration"`},
		{"LambdaSQSIntegration", "happypath", `no test case "happypath"`},
		{"", "", `no state machine named ""`},
	}
	for _, tt := range tests {
		states, err := cfg.TestCase(tt.sm, tt.tc)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("TestCase(%q, %q): %v", tt.sm, tt.tc, err)
		case tt.want == "" && states["LambdaState"] != "MockedLambdaSuccess":
			t.Errorf("TestCase(%q, %q) = %v", tt.sm, tt.tc, states)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("TestCase(%q, %q): error %v, want %q", tt.sm, tt.tc, err, tt.want)
		case tt.want != "" && states != nil:
			t.Errorf("TestCase(%q, %q) returned states with its error", tt.sm, tt.tc)
		}
	}
}

// report is one call a task made to its Reporter.
type report struct {
	kind    string // started, submitted, heartbeat, succeeded, failed
	value   string // output as JSON, or worker name
	errName string
	cause   string
}

func (r report) String() string {
	switch r.kind {
	case "failed":
		return fmt.Sprintf("failed(%s, %q)", r.errName, r.cause)
	case "heartbeat":
		return "heartbeat"
	}
	return r.kind + "(" + r.value + ")"
}

// recorder is a Reporter that keeps what it is told and signals when the
// task ends.
type recorder struct {
	mu      sync.Mutex
	reports []report
	done    chan struct{}
	once    sync.Once
	// submitEnds makes Submitted the last report, as it is for a real
	// .waitForTaskToken task (its result comes with the token).
	submitEnds bool
}

func newRecorder() *recorder { return &recorder{done: make(chan struct{})} }

func (r *recorder) add(rep report) {
	r.mu.Lock()
	r.reports = append(r.reports, rep)
	r.mu.Unlock()
	if rep.kind == "succeeded" || rep.kind == "failed" || (rep.kind == "submitted" && r.submitEnds) {
		r.once.Do(func() { close(r.done) })
	}
}

func (r *recorder) Started(w string)       { r.add(report{kind: "started", value: w}) }
func (r *recorder) Submitted(out any)      { r.add(report{kind: "submitted", value: jsonv.Marshal(out)}) }
func (r *recorder) Heartbeat()             { r.add(report{kind: "heartbeat"}) }
func (r *recorder) Succeeded(out any)      { r.add(report{kind: "succeeded", value: jsonv.Marshal(out)}) }
func (r *recorder) Failed(e, cause string) { r.add(report{kind: "failed", errName: e, cause: cause}) }
func (r *recorder) all() []report {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]report(nil), r.reports...)
}
func (r *recorder) String() string { return fmt.Sprint(r.all()) }
func (r *recorder) ended() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

func request(state, resource, execution string) *engine.TaskRequest {
	return &engine.TaskRequest{ID: "task-1", StateName: state, Resource: asl.ParseResource(resource), ExecutionARN: execution,
		Input: jsonv.NewObject(0), InputText: "{}"}
}

const (
	execA      = "arn:aws:states:us-east-1:123456789012:execution:M:a"
	execB      = "arn:aws:states:us-east-1:123456789012:execution:M:b"
	invokeARN  = "arn:aws:states:::lambda:invoke"
	functionID = "arn:aws:lambda:us-east-1:123456789012:function:f"
)

// TestMockedDispatch drives a Mocked dispatcher call by call: the
// invocation count is per execution and per state and counts retries;
// states the test case does not mock go to Next.
func TestMockedDispatch(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, awsExampleMockConfig)
	states, err := cfg.TestCase("LambdaSQSIntegration", "RetryPath")
	if err != nil {
		t.Fatal(err)
	}
	var nextCalls []string
	m := &tasks.Mocked{Config: cfg, States: states, Next: tasks.DispatchFunc(func(_ context.Context, req *engine.TaskRequest, rep tasks.Reporter) {
		nextCalls = append(nextCalls, req.StateName)
		rep.Succeeded("real")
	})}

	const lambdaOK = `{"StatusCode":200,"Payload":{"StatusCode":200,"body":"Hello from Lambda!"}}`
	steps := []struct {
		state, resource, exec string
		want                  string
	}{
		{"LambdaState", invokeARN, execA, `[failed(Lambda.ResourceNotReadyException, "Lambda resource is not ready.")]`},
		{"LambdaState", invokeARN, execA, `[failed(Lambda.TimeoutException, "Lambda timed out.")]`},
		// Another execution counts from 0.
		{"LambdaState", invokeARN, execB, `[failed(Lambda.ResourceNotReadyException, "Lambda resource is not ready.")]`},
		// Another state counts from 0.
		{"SQSState", "arn:aws:states:::sqs:sendMessage", execA, `[succeeded({"MD5OfMessageBody":"3bcb6e8e-7h85-4375-b0bc-1a59812c6e51","MessageId":"3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"})]`},
		{"LambdaState", invokeARN, execA, `[failed(Lambda.TimeoutException, "Lambda timed out.")]`},
		{"LambdaState", invokeARN, execA, `[succeeded(` + lambdaOK + `)]`},
		{"LambdaState", invokeARN, execA, `[failed(States.Runtime, "the mocked response 'MockedLambdaRetry' has no result for invocation 4 of the state 'LambdaState'")]`},
		{"SQSState", "arn:aws:states:::sqs:sendMessage", execA, `[failed(States.Runtime, "the mocked response 'MockedSQSSuccess' has no result for invocation 1 of the state 'SQSState'")]`},
		// Not in the test case: the real integration runs.
		{"Other", functionID, execA, `[succeeded("real")]`},
		{"Other", functionID, execA, `[succeeded("real")]`},
	}
	for i, st := range steps {
		rec := newRecorder()
		m.Dispatch(context.Background(), request(st.state, st.resource, st.exec), rec)
		// Mocked answers before Dispatch returns.
		if !rec.ended() {
			t.Fatalf("step %d: the task had not ended when Dispatch returned: %v", i, rec)
		}
		if got := rec.String(); got != st.want {
			t.Errorf("step %d (%s in %s):\n got %s\nwant %s", i, st.state, st.exec[len(st.exec)-1:], got, st.want)
		}
	}
	if fmt.Sprint(nextCalls) != "[Other Other]" {
		t.Errorf("Next saw %v, want [Other Other]", nextCalls)
	}
}

// TestMockedPatterns: for .sync and .waitForTaskToken integrations the
// mock first reports a submission, then the Return value as the task's
// result (the callback's output); Throw fails without a submission.
func TestMockedPatterns(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, `{"MockedResponses": {"OK": {"0": {"Return": {"done": true}}}, "Err": {"0": {"Throw": {"Error": "E", "Cause": "c"}}}}}`)
	tests := []struct {
		resource, response, want string
	}{
		{invokeARN, "OK", `[succeeded({"done":true})]`},
		{functionID, "OK", `[succeeded({"done":true})]`},
		{"arn:aws:states:::lambda:invoke.waitForTaskToken", "OK", `[submitted({}) succeeded({"done":true})]`},
		{"arn:aws:states:::states:startExecution.sync", "OK", `[submitted({}) succeeded({"done":true})]`},
		{"arn:aws:states:::states:startExecution.sync:2", "OK", `[submitted({}) succeeded({"done":true})]`},
		{"arn:aws:states:::sqs:sendMessage.waitForTaskToken", "Err", `[failed(E, "c")]`},
		{"arn:aws:states:us-east-1:123456789012:activity:a", "OK", `[succeeded({"done":true})]`},
	}
	for _, tt := range tests {
		m := &tasks.Mocked{Config: cfg, States: map[string]string{"S": tt.response}}
		rec := newRecorder()
		m.Dispatch(context.Background(), request("S", tt.resource, execA), rec)
		if got := rec.String(); got != tt.want {
			t.Errorf("%s with %s: got %s, want %s", tt.resource, tt.response, got, tt.want)
		}
	}
}

// TestMockedWithoutNext: a state the test case does not mock fails with
// States.Runtime when there is no real integration to fall back on.
func TestMockedWithoutNext(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, awsExampleMockConfig)
	states, _ := cfg.TestCase("LambdaSQSIntegration", "HybridPath")
	m := &tasks.Mocked{Config: cfg, States: states}
	rec := newRecorder()
	m.Dispatch(context.Background(), request("SQSState", "arn:aws:states:::sqs:sendMessage", execA), rec)
	want := `[failed(States.Runtime, "the test case mocks no response for the state 'SQSState' and no real integration is configured")]`
	if got := rec.String(); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestMockedConcurrent: concurrent invocations (Map iterations, parallel
// branches) each take a distinct invocation number.
func TestMockedConcurrent(t *testing.T) {
	t.Parallel()
	const n = 200
	cfg := mustParse(t, `{"MockedResponses": {"Half": {"0-99": {"Return": "low"}, "100-199": {"Throw": {"Error": "High", "Cause": ""}}}}}`)
	m := &tasks.Mocked{Config: cfg, States: map[string]string{"S": "Half"}}
	recs := make([]*recorder, n)
	var wg sync.WaitGroup
	for i := range recs {
		recs[i] = newRecorder()
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.Dispatch(context.Background(), request("S", invokeARN, execA), recs[i])
		}()
	}
	wg.Wait()
	counts := map[string]int{}
	for _, r := range recs {
		counts[r.String()]++
	}
	want := map[string]int{`[succeeded("low")]`: 100, `[failed(High, "")]`: 100}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("results %v, want %v", counts, want)
	}
	rec := newRecorder()
	m.Dispatch(context.Background(), request("S", invokeARN, execA), rec)
	if got := rec.String(); !strings.Contains(got, "no result for invocation 200") {
		t.Errorf("invocation 200: %s", got)
	}
}
