package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// tutorialExpected is the reference scenario's table
// (shared/seed-tutorial/README.md, "What AWS does").
var tutorialExpected = []struct {
	status, execStatus, output, errName, cause string
	events                                     []string
}{
	{"200", "SUCCEEDED", `"The request has succeeded."`, "", "",
		[]string{"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}},
	{"503", "FAILED", "", "", "The server is currently unable to handle the request.",
		[]string{"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed", "TaskStateExited", "FailStateEntered", "ExecutionFailed"}},
	{"999", "FAILED", "", "An error of unknown type occurred", "Unknown error!",
		[]string{"ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed", "TaskStateExited", "FailStateEntered", "ExecutionFailed"}},
	{"429", "SUCCEEDED", `"The request has succeeded."`, "", "",
		[]string{"ExecutionStarted", "TaskStateEntered",
			"LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed",
			"LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed",
			"LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed",
			"TaskStateExited", "WaitStateEntered", "WaitStateExited", "PassStateEntered", "PassStateExited",
			"TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
			"PassStateEntered", "PassStateExited", "ExecutionSucceeded"}},
}

// TestTutorialAWSCLI runs the reference scenario end to end with the real
// aws CLI against stepd: the tutorial's function and state machine, four
// executions, their descriptions and full histories, the list of
// executions, then deleting everything.
func TestTutorialAWSCLI(t *testing.T) {
	needTool(t, "aws")
	needTool(t, "python3")
	zipData := mockAPIZip(t)
	definition, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "seed-tutorial", "statemachine.asl.json"))
	if err != nil {
		t.Skipf("tutorial definition not found: %v", err)
	}
	srv := startServer(t, "")
	work := t.TempDir()
	os.WriteFile(filepath.Join(work, "function.zip"), zipData, 0o644)
	os.WriteFile(filepath.Join(work, "statemachine.asl.json"), definition, 0o644)
	aws := awsCLI(srv.URL(), work)
	must := func(args ...string) map[string]any {
		t.Helper()
		out, err := aws(args...)
		if err != nil {
			t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
		}
		var v map[string]any
		if len(out) > 0 {
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("aws %s: %v: %s", strings.Join(args, " "), err, out)
			}
		}
		return v
	}
	must("lambda", "create-function", "--function-name", "MockAPIFunction", "--runtime", "python3.12",
		"--handler", "lambda_function.lambda_handler", "--zip-file", "fileb://function.zip", "--role", role)
	sm := must("stepfunctions", "create-state-machine", "--name", "MyAPIStateMachine",
		"--definition", "file://statemachine.asl.json", "--role-arn", role)
	smARN := sm["stateMachineArn"].(string)
	if smARN != "arn:aws:states:us-east-1:123456789012:stateMachine:MyAPIStateMachine" {
		t.Fatalf("stateMachineArn = %s", smARN)
	}

	arns := make([]string, len(tutorialExpected))
	for i, c := range tutorialExpected {
		out := must("stepfunctions", "start-execution", "--state-machine-arn", smARN, "--input", `{"statuscode":"`+c.status+`"}`)
		arns[i] = out["executionArn"].(string)
	}
	var wg sync.WaitGroup
	for i, c := range tutorialExpected {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(c.status, func(t *testing.T) {
				var d map[string]any
				deadline := time.Now().Add(60 * time.Second)
				for {
					d = must("stepfunctions", "describe-execution", "--execution-arn", arns[i])
					if d["status"] != "RUNNING" || time.Now().After(deadline) {
						break
					}
					time.Sleep(200 * time.Millisecond) // polling a running execution, as a user would
				}
				if d["status"] != c.execStatus || str(d["output"]) != c.output || str(d["error"]) != c.errName || str(d["cause"]) != c.cause {
					t.Errorf("describe-execution: %v", d)
				}
				h := must("stepfunctions", "get-execution-history", "--execution-arn", arns[i])
				var types []string
				for j, e := range h["events"].([]any) {
					ev := e.(map[string]any)
					types = append(types, ev["type"].(string))
					if int(ev["id"].(float64)) != j+1 {
						t.Errorf("event %d has id %v", j, ev["id"])
					}
				}
				if strings.Join(types, ",") != strings.Join(c.events, ",") {
					t.Errorf("events:\n got %v\nwant %v", types, c.events)
				}
				if c.status == "429" {
					// 1 s and 2 s of back-off, then the 1 s Wait.
					start, stop := d["startDate"].(float64), d["stopDate"].(float64)
					if took := stop - start; took < 3.9 || took > 10 {
						t.Errorf("the 429 execution took %.1f s, want about 4", took)
					}
				}
			})
		}()
	}
	wg.Wait()

	list := must("stepfunctions", "list-executions", "--state-machine-arn", smARN)
	if n := len(list["executions"].([]any)); n != 4 {
		t.Errorf("list-executions shows %d executions, want 4", n)
	}
	must("stepfunctions", "delete-state-machine", "--state-machine-arn", smARN)
	must("lambda", "delete-function", "--function-name", "MockAPIFunction")
	if _, err := aws("stepfunctions", "describe-state-machine", "--state-machine-arn", smARN); err == nil ||
		!strings.Contains(err.Error(), "(StateMachineDoesNotExist)") {
		t.Errorf("describe-state-machine after delete: %v", err)
	}
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return v.(string)
}
