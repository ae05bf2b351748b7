package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

type errDoc struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

func decodeErr(t *testing.T, out *InvokeOutput) errDoc {
	t.Helper()
	if out.FunctionError != FunctionErrorUnhandled {
		t.Fatalf("FunctionError = %q, payload %s", out.FunctionError, out.Payload)
	}
	var d errDoc
	if err := json.Unmarshal(out.Payload, &d); err != nil {
		t.Fatalf("error payload %s: %v", out.Payload, err)
	}
	return d
}

// TestTimeout: a function running past its Timeout is killed and the
// invoke fails with Sandbox.Timedout, "Task timed out after 1.00 seconds"
// (aws-semantics §3.4 "Lambda timeout", §6.2). The environment is
// discarded: the next invoke starts fresh.
func TestTimeout(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "slow", runtime: "python3.12", handler: "app.handler", timeout: 1, files: map[string]string{
		"app.py": "import time\nn = 0\ndef handler(e, c):\n    global n\n    n += 1\n    if e.get('sleep'):\n        print('sleeping')\n        time.sleep(60)\n    return n\n"}})
	if out := b.invoke(t, "slow", `{}`); string(out.Payload) != "1" {
		t.Fatalf("warm-up: %s", out.Payload)
	}
	start := time.Now()
	out := b.invoke(t, "slow", `{"sleep":true}`)
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("timeout took %v", d)
	}
	want := `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: ` + out.RequestID + ` Error: Task timed out after 1.00 seconds"}`
	if out.FunctionError != "Unhandled" || string(out.Payload) != want {
		t.Fatalf("got %q %s\nwant %s", out.FunctionError, out.Payload, want)
	}
	log := decodeTail(t, out)
	for _, s := range []string{"sleeping\n", out.RequestID + " Task timed out after 1.00 seconds\n", "Status: timeout\n"} {
		if !strings.Contains(log, s) {
			t.Errorf("log lacks %q:\n%s", s, log)
		}
	}
	if out := b.invoke(t, "slow", `{}`); string(out.Payload) != "1" {
		t.Fatalf("after a timeout the environment must be fresh; counter = %s", out.Payload)
	}
}

// TestExit: a runtime process that exits mid-invoke fails the invoke with
// Runtime.ExitError, worded as AWS words it (aws-semantics §6.2).
func TestExit(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "exit", runtime: "python3.12", handler: "app.handler", files: map[string]string{
		"app.py": "import os, sys\ndef handler(e, c):\n    if 'code' in e:\n        print('bye')\n        os._exit(e['code'])\n    if e.get('sys_exit'):\n        sys.exit(0)\n    return 'ok'\n"}})
	cases := []struct {
		payload, want string
	}{
		{`{"code":3}`, "Runtime exited with error: exit status 3"},
		{`{"sys_exit":true}`, "Runtime exited without providing a reason"},
	}
	for _, c := range cases {
		out := b.invoke(t, "exit", c.payload)
		d := decodeErr(t, out)
		if d.ErrorType != "Runtime.ExitError" || d.ErrorMessage != "RequestId: "+out.RequestID+" Error: "+c.want {
			t.Errorf("%s: got %s", c.payload, out.Payload)
		}
		if !strings.Contains(decodeTail(t, out), "Error Type: Runtime.ExitError") {
			t.Errorf("REPORT lacks the error type:\n%s", decodeTail(t, out))
		}
		if out := b.invoke(t, "exit", `{}`); string(out.Payload) != `"ok"` {
			t.Errorf("next invoke after exit: %s", out.Payload)
		}
	}
}

// TestOutOfMemory: allocating past MemorySize ends the invoke with
// Runtime.OutOfMemory (aws-semantics §3.4, the newer form), whether the
// limit is a cgroup or an address-space limit; staying under it works.
func TestOutOfMemory(t *testing.T) {
	needTool(t, "python3")
	needTool(t, "node")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "pyhog", runtime: "python3.12", handler: "app.handler", memory: 128, files: map[string]string{
		"app.py": "def handler(e, c):\n    blocks = [bytearray(e['mb'] << 20)]\n    return len(blocks[0]) >> 20\n"}})
	// Large arrays reach V8's heap limit in a few steps, without a long
	// garbage-collection struggle; the timeout leaves room on a busy machine.
	b.create(t, fnSpec{name: "nodehog", runtime: "nodejs20.x", handler: "index.handler", memory: 128, timeout: 60, files: map[string]string{
		"index.js": "exports.handler = async (e) => { const a = []; for (let i = 0; i < e.n; i++) a.push(new Array(1 << 20).fill(i)); return a.length; };\n"}})
	if out := b.invoke(t, "pyhog", `{"mb":40}`); string(out.Payload) != "40" {
		t.Fatalf("40 MB under a 128 MB limit: %q %s", out.FunctionError, out.Payload)
	}
	out := b.invoke(t, "pyhog", `{"mb":2048}`)
	if d := decodeErr(t, out); d.ErrorType != "Runtime.OutOfMemory" || !strings.HasPrefix(d.ErrorMessage, "RequestId: "+out.RequestID+" Error: Runtime exited with error: ") {
		t.Errorf("python: %s", out.Payload)
	}
	if out := b.invoke(t, "pyhog", `{"mb":1}`); string(out.Payload) != "1" {
		t.Errorf("after OOM: %q %s", out.FunctionError, out.Payload)
	}
	if out := b.invoke(t, "nodehog", `{"n":2}`); string(out.Payload) != "2" {
		t.Fatalf("node small: %q %s", out.FunctionError, out.Payload)
	}
	out = b.invoke(t, "nodehog", `{"n":1000}`)
	if d := decodeErr(t, out); d.ErrorType != "Runtime.OutOfMemory" {
		t.Errorf("node: %s", out.Payload)
	}
}

// TestConcurrencyLimit: with reserved concurrency 2, six simultaneous
// invokes run at most two at a time in at most two environments; the rest
// queue and run as slots free up. Reserved concurrency 0 throttles.
func TestConcurrencyLimit(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	g := newGate(t)
	b.create(t, fnSpec{name: "gated", runtime: "python3.12", handler: "app.handler", env: map[string]string{"GATE_PORT": g.port()},
		files: map[string]string{"app.py": gatePython}})
	if _, err := b.svc.PutFunctionConcurrency(context.Background(), "gated", 2); err != nil {
		t.Fatal(err)
	}
	fn, _, _ := b.svc.lookup("gated", "")
	queued := make(chan struct{}, 16)
	fn.mu.Lock()
	fn.pool.queued = queued
	fn.mu.Unlock()

	const n = 6
	results := make(chan *InvokeOutput, n)
	for i := 0; i < n; i++ {
		go func() {
			out, err := b.svc.Invoke(context.Background(), &InvokeInput{FunctionName: "gated"})
			if err != nil {
				t.Error(err)
			}
			results <- out
		}()
	}
	running := []gateConn{g.next(t), g.next(t)}
	for i := 0; i < n-2; i++ {
		<-queued // the other four wait for a slot
	}
	pids := map[string]bool{}
	for done := 0; done < n; done++ {
		c := running[0]
		running = running[1:]
		pids[c.pid] = true
		c.release()
		if out := <-results; out == nil || out.FunctionError != "" {
			t.Fatalf("invoke failed: %+v", out)
		}
		if done+len(running)+1 < n {
			running = append(running, g.next(t))
		}
		if total, _, _ := b.svc.EnvironmentCounts("gated"); total > 2 {
			t.Fatalf("%d environments for reserved concurrency 2", total)
		}
	}
	if len(pids) > 2 {
		t.Errorf("invokes ran in %d processes, want at most 2", len(pids))
	}

	if _, err := b.svc.PutFunctionConcurrency(context.Background(), "gated", 0); err != nil {
		t.Fatal(err)
	}
	_, err := b.svc.Invoke(context.Background(), &InvokeInput{FunctionName: "gated"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "TooManyRequestsException" || apiErr.Status != 429 ||
		apiErr.Message != "Rate Exceeded." || apiErr.Reason != "ReservedFunctionConcurrentInvocationLimitExceeded" {
		t.Fatalf("reserved concurrency 0: %v", err)
	}
}

// TestContextCancel: cancelling the caller's context aborts an invoke that
// waits for a slot at once; an invoke already running returns the
// context's error while the function finishes in the background and its
// environment stays usable.
func TestContextCancel(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	g := newGate(t)
	b.create(t, fnSpec{name: "gated", runtime: "python3.12", handler: "app.handler", env: map[string]string{"GATE_PORT": g.port()},
		files: map[string]string{"app.py": gatePython}})
	if _, err := b.svc.PutFunctionConcurrency(context.Background(), "gated", 1); err != nil {
		t.Fatal(err)
	}
	fn, _, _ := b.svc.lookup("gated", "")
	queued := make(chan struct{}, 4)
	fn.mu.Lock()
	fn.pool.queued = queued
	fn.mu.Unlock()

	runCtx, cancelRun := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() {
		_, err := b.svc.Invoke(runCtx, &InvokeInput{FunctionName: "gated"})
		runErr <- err
	}()
	held := g.next(t)

	waitCtx, cancelWait := context.WithCancel(context.Background())
	waitErr := make(chan error, 1)
	go func() {
		_, err := b.svc.Invoke(waitCtx, &InvokeInput{FunctionName: "gated"})
		waitErr <- err
	}()
	<-queued
	cancelWait()
	if err := <-waitErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("queued invoke: %v", err)
	}
	cancelRun()
	if err := <-runErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("running invoke: %v", err)
	}
	held.release()
	// The abandoned invoke finishes and frees its slot: the next one runs in
	// the same environment.
	next := make(chan *InvokeOutput, 1)
	go func() {
		out, _ := b.svc.Invoke(context.Background(), &InvokeInput{FunctionName: "gated"})
		next <- out
	}()
	c := g.next(t)
	if c.pid != held.pid {
		t.Errorf("environment not reused after a cancelled invoke: pid %s then %s", held.pid, c.pid)
	}
	c.release()
	if out := <-next; out == nil || out.FunctionError != "" {
		t.Fatalf("next invoke: %+v", out)
	}
}
