package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/runner"
	"stepd/internal/tasks"
)

const sharedDir = "../../../shared"

// tutorialMocks returns what MockAPIFunction returns and raises, in the Step
// Functions Local mock-config format: the cause is the Python runtime's
// error document, as Lambda returns it.
const tutorialMocks = `{
  "StateMachines": {"MyAPIStateMachine": {"TestCases": {
    "S200": {"Call API": "OK"},
    "S503": {"Call API": "Unavailable"},
    "S999": {"Call API": "Unknown"},
    "S429": {"Call API": "TooManyThenOK"}
  }}},
  "MockedResponses": {
    "OK": {"0": {"Return": "200 OK"}},
    "Unavailable": {"0": {"Throw": {"Error": "ServerUnavailableException", "Cause": "{\"errorMessage\": \"503 Server Unavailable\", \"errorType\": \"ServerUnavailableException\", \"requestId\": \"r\", \"stackTrace\": []}"}}},
    "Unknown": {"0": {"Throw": {"Error": "UnknownException", "Cause": "{\"errorMessage\": \"Unknown error\", \"errorType\": \"UnknownException\", \"requestId\": \"r\", \"stackTrace\": []}"}}},
    "TooManyThenOK": {
      "0-2": {"Throw": {"Error": "TooManyRequestsException", "Cause": "{\"errorMessage\": \"429 Too Many Requests\", \"errorType\": \"TooManyRequestsException\", \"requestId\": \"r\", \"stackTrace\": []}"}},
      "3": {"Return": "200 OK"}
    }
  }
}`

func loadTutorial(t *testing.T) *asl.Machine {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(sharedDir, "seed-tutorial", "statemachine.asl.json"))
	if err != nil {
		t.Skipf("seed tutorial not found: %v", err)
	}
	m, diags := asl.Compile(src, asl.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return m
}

func eventTypes(evs []history.Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, string(e.Type))
	}
	return strings.Join(s, ", ")
}

// TestTutorial runs the reference scenario (shared/seed-tutorial/README.md)
// with mocked responses and checks statuses, outputs, errors and the event
// sequences of its table.
func TestTutorial(t *testing.T) {
	t.Parallel()
	m := loadTutorial(t)
	cfg, err := tasks.ParseMockConfig([]byte(tutorialMocks))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tc, input, status, output, errName, cause, events string
		seconds                                           float64
	}{
		{"S200", `{"statuscode":"200"}`, "SUCCEEDED", `"The request has succeeded."`, "", "",
			"ExecutionStarted, TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded, TaskStateExited, PassStateEntered, PassStateExited, ExecutionSucceeded", 0},
		{"S503", `{"statuscode":"503"}`, "FAILED", "", "", "The server is currently unable to handle the request.",
			"ExecutionStarted, TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionFailed, TaskStateExited, FailStateEntered, ExecutionFailed", 0},
		{"S999", `{"statuscode":"999"}`, "FAILED", "", "An error of unknown type occurred", "Unknown error!",
			"ExecutionStarted, TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionFailed, TaskStateExited, FailStateEntered, ExecutionFailed", 0},
		{"S429", `{"statuscode":"429"}`, "SUCCEEDED", `"The request has succeeded."`, "", "",
			"ExecutionStarted, TaskStateEntered, " + strings.Repeat("LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionFailed, ", 3) +
				"TaskStateExited, WaitStateEntered, WaitStateExited, PassStateEntered, PassStateExited, TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded, TaskStateExited, PassStateEntered, PassStateExited, ExecutionSucceeded", 4},
	}
	for _, tt := range tests {
		t.Run(tt.tc, func(t *testing.T) {
			t.Parallel()
			states, err := cfg.TestCase("MyAPIStateMachine", tt.tc)
			if err != nil {
				t.Fatal(err)
			}
			r := &runner.Runner{Virtual: true, Dispatcher: &tasks.Mocked{Config: cfg, States: states}}
			res, err := r.Run(context.Background(), m, engine.Config{
				ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:MyAPIStateMachine:" + tt.tc,
				Name:         tt.tc, StateMachineName: "MyAPIStateMachine", Region: "us-east-1",
				StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:MyAPIStateMachine",
			}, tt.input)
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Status) != tt.status || res.Output != tt.output {
				t.Errorf("status %s output %s, want %s %s", res.Status, res.Output, tt.status, tt.output)
			}
			if got := deref(res.Error); got != tt.errName {
				t.Errorf("error %q, want %q", got, tt.errName)
			}
			if got := deref(res.Cause); got != tt.cause {
				t.Errorf("cause %q, want %q", got, tt.cause)
			}
			if got := eventTypes(res.Events); got != tt.events {
				t.Errorf("events:\n got %s\nwant %s", got, tt.events)
			}
			if d := res.Stop.Sub(res.Start).Seconds(); d != tt.seconds {
				t.Errorf("took %v virtual seconds, want %v", d, tt.seconds)
			}
			for i, e := range res.Events {
				if e.ID != int64(i+1) {
					t.Fatalf("event %d has id %d", i, e.ID)
				}
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
