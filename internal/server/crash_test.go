package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashWorkflows are the state machines of the crash test: Waits, retries
// with back-off, Lambda tasks, a caught failure, Parallel and Map. Their
// histories do not depend on timing, so an interrupted run must record
// exactly the same event types as an uninterrupted one.
var crashWorkflows = map[string]string{
	"waits": `{"StartAt": "W1", "States": {
		"W1": {"Type": "Wait", "Seconds": 1, "Next": "P"},
		"P": {"Type": "Pass", "Parameters": {"w.$": "$.w"}, "Next": "W2"},
		"W2": {"Type": "Wait", "SecondsPath": "$.w", "Next": "Done"},
		"Done": {"Type": "Succeed"}}}`,
	"retries": `{"StartAt": "Call", "States": {
		"Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
		         "Parameters": {"attempt.$": "$$.State.RetryCount"},
		         "Retry": [{"ErrorEquals": ["NotYet"], "IntervalSeconds": 1, "BackoffRate": 1, "MaxAttempts": 3}], "End": true}}}`,
	"caught": `{"StartAt": "Call", "States": {
		"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "flaky", "Payload": {"attempt": -9}},
		         "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}], "End": true},
		"Handled": {"Type": "Pass", "End": true}}}`,
	"parallel": `{"StartAt": "Par", "States": {
		"Par": {"Type": "Parallel", "End": true, "Branches": [
			{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
			{"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 1, "Next": "C"}, "C": {"Type": "Pass", "End": true}}}]}}}`,
	"map": `{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "End": true,
		"ItemProcessor": {"StartAt": "Echo", "States": {
			"Echo": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:echo", "Next": "Pause"},
			"Pause": {"Type": "Wait", "Seconds": 1, "End": true}}}}}}`,
}

const crashFunctions = `
def echo(event, context):
    return event

def flaky(event, context):
    if event.get("attempt", 0) < 2:
        raise NotYet("attempt %s" % event.get("attempt"))
    return {"ok": event["attempt"]}

class NotYet(Exception):
    pass
`

var requestIDs = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// crashServer is a stepd serve process on a data directory.
type crashServer struct {
	bin, data, addr string
	cmd             *exec.Cmd
	log             *bytes.Buffer
}

func (s *crashServer) start(t *testing.T) {
	t.Helper()
	s.cmd = exec.Command(s.bin, "serve", "--addr", s.addr, "--data", s.data)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + s.addr + "/health")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stepd did not come up: %v\n%s", err, s.log)
		}
		time.Sleep(20 * time.Millisecond) // waiting for a separate process to listen
	}
}

func (s *crashServer) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
}

func (s *crashServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
}

// call sends one AWS JSON 1.0 request; it retries while the server is down.
func (s *crashServer) call(t *testing.T, op string, in, out any) {
	t.Helper()
	body, _ := json.Marshal(in)
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest("POST", "http://"+s.addr+"/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", "AWSStepFunctions."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", op, resp.StatusCode, b)
			}
			if out != nil {
				if err := json.Unmarshal(b, out); err != nil {
					t.Fatalf("%s: %v", op, err)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", op, err)
		}
		time.Sleep(50 * time.Millisecond) // the server is restarting
	}
}

// crashRun starts every workflow n times on a server and returns the event
// types of each execution, by name, once all have ended. chaos, when set,
// kills the server with SIGKILL at random moments and restarts it.
func crashRun(t *testing.T, bin, codeDir string, n int, chaos bool) (map[string][]string, map[string]string) {
	t.Helper()
	s := &crashServer{bin: bin, data: t.TempDir(), addr: freeAddr(t), log: &bytes.Buffer{}}
	s.start(t)
	defer s.stop()
	aws := awsCLI("http://"+s.addr, t.TempDir())
	for _, fn := range []string{"echo", "flaky"} {
		if out, err := aws("lambda", "create-function", "--function-name", fn, "--runtime", "python3.12", "--handler", "fns."+fn,
			"--code", "S3Bucket=hot-reload,S3Key="+codeDir, "--role", role); err != nil {
			t.Fatalf("create-function %s: %v %s", fn, err, out)
		}
	}
	inputs := map[string]string{"waits": `{"w": 1}`, "retries": `{}`, "caught": `{}`, "parallel": `{"x": 1}`, "map": `{"items": [1, 2]}`}
	var names []string
	for wf, def := range crashWorkflows {
		s.call(t, "CreateStateMachine", map[string]any{"name": wf, "definition": def, "roleArn": role}, nil)
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("%s-%03d", wf, i)
			s.call(t, "StartExecution", map[string]any{"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:" + wf,
				"name": name, "input": inputs[wf]}, nil)
			names = append(names, wf+":"+name)
		}
	}
	kills := 0
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var running int
		for _, wf := range []string{"waits", "retries", "caught", "parallel", "map"} {
			var list struct {
				Executions []struct{ Status string } `json:"executions"`
			}
			s.call(t, "ListExecutions", map[string]any{"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:" + wf,
				"statusFilter": "RUNNING", "maxResults": 1000}, &list)
			running += len(list.Executions)
		}
		if running == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d executions still running after 3 minutes (%d kills)\n%s", running, kills, s.log)
		}
		if chaos {
			time.Sleep(time.Duration(200+rand.IntN(900)) * time.Millisecond) // a random moment to crash
			s.kill()
			kills++
			s.start(t)
		} else {
			time.Sleep(200 * time.Millisecond) // polling for the end
		}
	}
	t.Logf("%d executions ended (%d SIGKILLs)", len(names), kills)
	types := map[string][]string{}
	outputs := map[string]string{}
	for _, qn := range names {
		wf, name, _ := strings.Cut(qn, ":")
		arn := "arn:aws:states:us-east-1:123456789012:execution:" + wf + ":" + name
		var d struct{ Status, Output, Error string }
		s.call(t, "DescribeExecution", map[string]any{"executionArn": arn}, &d)
		var h struct {
			Events []struct {
				ID   int64  `json:"id"`
				Type string `json:"type"`
			} `json:"events"`
		}
		s.call(t, "GetExecutionHistory", map[string]any{"executionArn": arn, "maxResults": 1000}, &h)
		var ts []string
		for i, e := range h.Events {
			if e.ID != int64(i+1) {
				t.Errorf("%s: event %d has id %d (ids must be dense)", qn, i, e.ID)
			}
			ts = append(ts, e.Type)
		}
		types[qn] = ts
		// Request ids of function invocations differ from run to run.
		outputs[qn] = requestIDs.ReplaceAllString(d.Status+" "+d.Output+" "+d.Error, "<request id>")
	}
	return types, outputs
}

// TestCrashRecovery kills stepd with SIGKILL again and again while hundreds
// of executions run, restarting it each time, and checks that every
// execution ends with the same result and the same history (event types,
// order, dense ids) as in an uninterrupted run.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test takes a minute; skipped with -short")
	}
	needTool(t, "python3")
	needTool(t, "aws")
	bin := filepath.Join(t.TempDir(), "stepd")
	build := exec.Command("go", "build", "-o", bin, "stepd/cmd/stepd")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	code := t.TempDir()
	if err := os.WriteFile(filepath.Join(code, "fns.py"), []byte(crashFunctions), 0o644); err != nil {
		t.Fatal(err)
	}
	const perWorkflow = 40 // 200 executions in all
	wantTypes, wantOut := crashRun(t, bin, code, perWorkflow, false)
	gotTypes, gotOut := crashRun(t, bin, code, perWorkflow, true)
	for name, want := range wantTypes {
		if got := gotTypes[name]; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: history differs from the uninterrupted run:\n got %v\nwant %v", name, got, want)
		}
		if gotOut[name] != wantOut[name] {
			t.Errorf("%s: result %q, uninterrupted run %q", name, gotOut[name], wantOut[name])
		}
	}
	if len(gotTypes) != 5*perWorkflow {
		t.Errorf("%d executions, want %d", len(gotTypes), 5*perWorkflow)
	}
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
