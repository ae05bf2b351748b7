package sfn_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"stepd/internal/sfn"
	"stepd/internal/store/memstore"
	"stepd/internal/store/sqlite"
	"stepd/internal/tasks"
)

// TestMockedTestCases runs executions against a Step Functions Local mock
// configuration (StartExecution with "<state machine ARN>#<test case>"):
// every integration pattern answers with the mocked response.
func TestMockedTestCases(t *testing.T) {
	mocks := `{"StateMachines": {"mocked": {"TestCases": {
		"Happy": {"Call": "Ok", "Callback": "Ok", "Nested": "Ok"},
		"Throttled": {"Call": "Throttle"}}}},
	  "MockedResponses": {
		"Ok": {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": true}}}},
		"Throttle": {"0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}}}}}`
	cfg, err := tasks.ParseMockConfig([]byte(mocks))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := sfn.New(sfn.Options{Store: memstore.New(), MockConfig: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(context.Background()) })
	def := `{"StartAt": "Call", "States": {
		"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
			"ResultSelector": {"call.$": "$.Payload.ok"}, "ResultPath": "$.call",
			"Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}], "Next": "Callback"},
		"Callback": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
			"Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}}, "ResultPath": "$.callback", "Next": "Nested"},
		"Nested": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
			"Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:other"}, "ResultPath": "$.nested", "End": true},
		"Caught": {"Type": "Pass", "End": true}}}`
	role := "arn:aws:iam::123456789012:role/r"
	sm, err := svc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: "mocked", Definition: &def, RoleArn: &role})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		testCase, status, output string
		events                   []string
	}{
		{"Happy", "SUCCEEDED",
			`{"call":{"call":true},"callback":{"StatusCode":200,"Payload":{"ok":true}},"nested":{"StatusCode":200,"Payload":{"ok":true}}}`,
			[]string{"TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded",
				"TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"}},
		{"Throttled", "SUCCEEDED",
			`{"error":{"Error":"Lambda.TooManyRequestsException","Cause":"slow down"}}`,
			[]string{"TaskScheduled", "TaskStarted", "TaskFailed"}},
	}
	for _, tc := range tests {
		t.Run(tc.testCase, func(t *testing.T) {
			name := "run-" + tc.testCase
			out, err := svc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn + "#" + tc.testCase, Name: &name})
			if err != nil {
				t.Fatal(err)
			}
			d, err := svc.WaitForExecution(ctx, out.ExecutionArn)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != tc.status || d.Output == nil || *d.Output != tc.output {
				t.Errorf("%s %v, want %s %s", d.Status, d.Output, tc.status, tc.output)
			}
			h, err := svc.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, raw := range h.Events {
				var e struct{ Type string }
				if err := json.Unmarshal(raw, &e); err != nil {
					t.Fatal(err)
				}
				if strings.HasPrefix(e.Type, "Task") && !strings.HasPrefix(e.Type, "TaskState") {
					got = append(got, e.Type)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.events, " ") {
				t.Errorf("task events %v\nwant %v", got, tc.events)
			}
		})
	}
}

// TestMockedResume restarts the service while a mocked execution waits:
// the resumed execution keeps answering from its test case, and fails
// rather than call the real integrations when the test case is gone.
func TestMockedResume(t *testing.T) {
	mocks := `{"StateMachines": {"resumed": {"TestCases": {"Happy": {"Call": "Ok"}}}},
	  "MockedResponses": {"Ok": {"0": {"Return": {"mocked": true}}}}}`
	cfg, err := tasks.ParseMockConfig([]byte(mocks))
	if err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt": "Wait", "States": {
		"Wait": {"Type": "Wait", "Seconds": 1, "Next": "Call"},
		"Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:real", "End": true}}}`
	for _, tc := range []struct {
		name      string
		after     *tasks.MockConfig
		status    string
		output    string
		errorName string
	}{
		{"mocks kept", cfg, "SUCCEEDED", `{"mocked":true}`, ""},
		{"mocks gone", nil, "FAILED", "", "States.Runtime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "stepd.db")
			open := func(mc *tasks.MockConfig) (*sfn.Service, func()) {
				st, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				svc, err := sfn.New(sfn.Options{Store: st, MockConfig: mc, Node: "n1", Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				if err := svc.Start(ctx); err != nil {
					t.Fatal(err)
				}
				return svc, func() { svc.Close(ctx); st.Close() }
			}
			svc, closeFirst := open(cfg)
			role := "arn:aws:iam::123456789012:role/r"
			sm, err := svc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: "resumed", Definition: &def, RoleArn: &role})
			if err != nil {
				t.Fatal(err)
			}
			out, err := svc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn + "#Happy"})
			if err != nil {
				t.Fatal(err)
			}
			closeFirst() // the execution is in its Wait
			svc, closeSecond := open(tc.after)
			defer closeSecond()
			d, err := svc.WaitForExecution(ctx, out.ExecutionArn)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != tc.status || (tc.output != "" && (d.Output == nil || *d.Output != tc.output)) ||
				(tc.errorName != "" && (d.Error == nil || *d.Error != tc.errorName)) {
				t.Errorf("%s output %v error %v cause %v; want %s %s %s", d.Status, str(d.Output), str(d.Error), str(d.Cause), tc.status, tc.output, tc.errorName)
			}
		})
	}
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}
