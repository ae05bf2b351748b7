package tasks_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"stepd/internal/engine"
	"stepd/internal/jsonv"
	"stepd/internal/lambda"
	"stepd/internal/tasks"
)

const (
	fnPrefix = "arn:aws:lambda:us-east-1:123456789012:function:"
	waitLong = 30 * time.Second
)

// testFunction is a function the runtime tests create: its source goes in a
// directory the function runs from in place.
type testFunction struct {
	name, runtime, handler, file, code string
	timeout                            int
}

var testFunctions = []testFunction{
	{name: "echo", runtime: "python3.12", handler: "handler.handler", file: "handler.py",
		code: "def handler(event, context):\n    return event\n"},
	// raise_exception.py of the recorded AWS cases.
	{name: "raise", runtime: "python3.12", handler: "handler.handler", file: "handler.py",
		code: "def handler(event, context):\n    raise Exception(\"Some exception was raised.\")\n"},
	// The tutorial's custom exception (aws-semantics §3.4).
	{name: "custom", runtime: "python3.12", handler: "lambda_function.lambda_handler", file: "lambda_function.py",
		code: "class TooManyRequestsException(Exception): pass\n\ndef lambda_handler(event, context):\n    raise TooManyRequestsException('429 Too Many Requests')\n"},
	{name: "notjson", runtime: "python3.12", handler: "handler.handler", file: "handler.py",
		code: "def handler(event, context):\n    return b'not json'\n"},
	// return_bytes_str.py of the recorded AWS cases.
	{name: "bytes", runtime: "python3.12", handler: "handler.handler", file: "handler.py",
		code: "def handler(event, context):\n    return b'\"HelloWorld!\"'\n"},
	{name: "logs", runtime: "python3.12", handler: "handler.handler", file: "handler.py",
		code: "def handler(event, context):\n    print('hello from the log')\n    return {'requestId': context.aws_request_id}\n"},
	{name: "context", runtime: "python3.12", handler: "handler.handler", file: "handler.py",
		code: "def handler(event, context):\n    cc = context.client_context\n    return {'custom': cc.custom if cc else None, 'arn': context.invoked_function_arn}\n"},
	{name: "sleepy", runtime: "python3.12", handler: "handler.handler", file: "handler.py", timeout: 1,
		code: "import time\ndef handler(event, context):\n    time.sleep(10)\n"},
	{name: "necho", runtime: "nodejs20.x", handler: "index.handler", file: "index.js",
		code: "exports.handler = async (event) => event;\n"},
	{name: "nraise", runtime: "nodejs20.x", handler: "index.handler", file: "index.js",
		code: "exports.handler = async () => { throw new Error('boom'); };\n"},
}

// lambdaService starts a function runtime with testFunctions (those whose
// interpreter is installed) and closes it when the test ends.
func lambdaService(t *testing.T) *lambda.Service {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed; run scripts/test-deps.sh")
	}
	dir := t.TempDir()
	svc, err := lambda.New(lambda.Options{DataDir: filepath.Join(dir, "data"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		if err := svc.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	_, noNode := exec.LookPath("node")
	for _, f := range testFunctions {
		if strings.HasPrefix(f.runtime, "nodejs") && noNode != nil {
			continue
		}
		code := filepath.Join(dir, f.name)
		if err := os.MkdirAll(code, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(code, f.file), []byte(f.code), 0o644); err != nil {
			t.Fatal(err)
		}
		in := &lambda.CreateFunctionInput{FunctionName: f.name, Runtime: f.runtime, Handler: f.handler,
			Role: "arn:aws:iam::123456789012:role/r", Code: lambda.FunctionCode{Dir: code}}
		if f.timeout != 0 {
			in.Timeout = &f.timeout
		}
		if _, err := svc.CreateFunction(context.Background(), in); err != nil {
			t.Fatalf("create %s: %v", f.name, err)
		}
	}
	return svc
}

func needNode(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed; run scripts/test-deps.sh")
	}
}

// lambdaRequest is a task for resource: for a function ARN, input is the
// effective input; for lambda:invoke, the Parameters.
func lambdaRequest(t *testing.T, resource, input string) *engine.TaskRequest {
	t.Helper()
	req := request("S", resource, execA)
	v, err := jsonv.ParseString(input)
	if err != nil {
		t.Fatalf("input %s: %v", input, err)
	}
	req.Input, req.InputText = v, input
	return req
}

// await waits for the task to end and returns its reports.
func await(t *testing.T, rec *recorder) []report {
	t.Helper()
	select {
	case <-rec.done:
	case <-time.After(waitLong):
		t.Fatalf("the task did not end; reports so far: %v", rec)
	}
	reps := rec.all()
	if len(reps) != 1 {
		t.Errorf("reports %v, want exactly one", reps)
	}
	return reps
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	dateRE = regexp.MustCompile(`[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT`)
)

// redact replaces request ids and HTTP dates, which change per call.
func redact(s string) string {
	return dateRE.ReplaceAllString(uuidRE.ReplaceAllString(s, "<uuid>"), "<date>")
}

// invokeResponse is the lambda:invoke result AWS records, with the payload
// bytes' length and the parsed payload (services/TestTaskServiceLambda
// test_invoke and test_invoke_json_values in shared/conformance).
func invokeResponse(length, payload string) string {
	return `{"ExecutedVersion":"$LATEST","Payload":` + payload + `,"SdkHttpMetadata":{` +
		`"AllHttpHeaders":{"X-Amz-Executed-Version":["$LATEST"],"x-amzn-Remapped-Content-Length":["0"],"Connection":["keep-alive"],` +
		`"x-amzn-RequestId":["<uuid>"],"Content-Length":["` + length + `"],"Date":["<date>"],` +
		`"X-Amzn-Trace-Id":["Root=1-00000000-000000000000000000000000;Sampled=0"],"Content-Type":["application/json"]},` +
		`"HttpHeaders":{"Connection":"keep-alive","Content-Length":"` + length + `","Content-Type":"application/json","Date":"<date>",` +
		`"X-Amz-Executed-Version":"$LATEST","x-amzn-Remapped-Content-Length":"0","x-amzn-RequestId":"<uuid>",` +
		`"X-Amzn-Trace-Id":"Root=1-00000000-000000000000000000000000;Sampled=0"},"HttpStatusCode":200},` +
		`"SdkResponseMetadata":{"RequestId":"<uuid>"},"StatusCode":200}`
}

// pythonRaiseCause is the error document of raise, as the Python runtime
// writes it (json.dumps spacing).
const pythonRaiseCause = `{"errorMessage": "Some exception was raised.", "errorType": "Exception", "requestId": "<uuid>", "stackTrace": ["  File \"/var/task/handler.py\", line 2, in handler\n    raise Exception(\"Some exception was raised.\")\n"]}`

// TestLambdaDispatcherRuntime runs real functions (Python, and Node when
// installed) through the function runtime, for direct function ARNs and
// for arn:aws:states:::lambda:invoke (aws-semantics §3.4).
func TestLambdaDispatcherRuntime(t *testing.T) {
	t.Parallel()
	svc := lambdaService(t)
	d := &tasks.LambdaDispatcher{Invoker: svc}
	const invoke = "arn:aws:states:::lambda:invoke"
	notFound := func(arn string) string {
		return `failed(Lambda.ResourceNotFoundException, "Function not found: ` + arn +
			` (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: <uuid>; Proxy: null)")`
	}
	tests := []struct {
		name, resource, input string
		node                  bool
		want                  string // the one report, redacted
	}{
		// Direct function ARN: the result is the payload itself.
		{name: "direct echo", resource: fnPrefix + "echo", input: `{"a": [1, "x", null], "b": {"c": true}}`,
			want: `succeeded({"a":[1,"x",null],"b":{"c":true}})`},
		{name: "direct echo with $LATEST", resource: fnPrefix + "echo:$LATEST", input: `"just a string"`,
			want: `succeeded("just a string")`},
		// The cause is the error document as Lambda returned it.
		{name: "direct exception", resource: fnPrefix + "raise", input: `{}`,
			want: `failed(Exception, ` + quote(pythonRaiseCause) + `)`},
		// The error name is the bare class name.
		{name: "direct custom exception", resource: fnPrefix + "custom", input: `{}`,
			want: `failed(TooManyRequestsException, ` + quote(`{"errorMessage": "429 Too Many Requests", "errorType": "TooManyRequestsException", "requestId": "<uuid>", "stackTrace": ["  File \"/var/task/lambda_function.py\", line 4, in lambda_handler\n    raise TooManyRequestsException('429 Too Many Requests')\n"]}`) + `)`},
		{name: "direct payload not JSON", resource: fnPrefix + "notjson", input: `{}`, want: `succeeded("not json")`},
		{name: "direct payload JSON bytes", resource: fnPrefix + "bytes", input: `{}`, want: `succeeded("HelloWorld!")`},
		// The function's own timeout is a function error, not States.Timeout.
		{name: "direct function timeout", resource: fnPrefix + "sleepy", input: `{}`,
			want: `failed(Sandbox.Timedout, ` + quote(`{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <uuid> Error: Task timed out after 1.00 seconds"}`) + `)`},
		{name: "direct no such function", resource: fnPrefix + "nope", input: `{}`, want: notFound(fnPrefix + "nope:$LATEST")},
		{name: "direct node echo", resource: fnPrefix + "necho", input: `[1,2]`, node: true, want: `succeeded([1,2])`},
		{name: "direct node error", resource: fnPrefix + "nraise", input: `{}`, node: true,
			want: `failed(Error, "{\"errorType\":\"Error\",\"errorMessage\":\"boom\",\"trace\":[\"Error: boom\",\"    at exports.handler (/var/task/index.js:1:39)\"`},

		// lambda:invoke: the result is the whole Invoke response.
		{name: "invoke echo", resource: invoke, input: `{"FunctionName": "echo", "Payload": {"x": 1}}`,
			want: `succeeded(` + invokeResponse("8", `{"x":1}`) + `)`},
		{name: "invoke by ARN", resource: invoke, input: `{"FunctionName": "` + fnPrefix + `echo", "Payload": [true]}`,
			want: `succeeded(` + invokeResponse("6", `[true]`) + `)`},
		// No or a null Payload sends {}.
		{name: "invoke null payload", resource: invoke, input: `{"FunctionName": "echo", "Payload": null}`,
			want: `succeeded(` + invokeResponse("2", `{}`) + `)`},
		{name: "invoke no payload", resource: invoke, input: `{"FunctionName": "echo"}`,
			want: `succeeded(` + invokeResponse("2", `{}`) + `)`},
		// A string Payload is sent as it is (test_invoke_json_values[0.0]).
		{name: "invoke string payload", resource: invoke, input: `{"FunctionName": "echo", "Payload": "0.0"}`,
			want: `succeeded(` + invokeResponse("3", `0.0`) + `)`},
		{name: "invoke quoted string payload", resource: invoke, input: `{"FunctionName": "echo", "Payload": "\"HelloWorld\""}`,
			want: `succeeded(` + invokeResponse("12", `"HelloWorld"`) + `)`},
		{name: "invoke payload JSON bytes", resource: invoke, input: `{"FunctionName": "bytes"}`,
			want: `succeeded(` + invokeResponse("13", `"HelloWorld!"`) + `)`},
		{name: "invoke payload not JSON", resource: invoke, input: `{"FunctionName": "notjson"}`,
			want: `succeeded(` + invokeResponse("8", `"not json"`) + `)`},
		{name: "invoke $LATEST qualifier", resource: invoke, input: `{"FunctionName": "echo", "Qualifier": "$LATEST", "Payload": 7}`,
			want: `succeeded(` + invokeResponse("1", `7`) + `)`},
		// The cause is the error document re-serialised compactly.
		{name: "invoke exception", resource: invoke, input: `{"FunctionName": "raise"}`,
			want: `failed(Exception, ` + quote(compact(pythonRaiseCause)) + `)`},
		{name: "invoke node error", resource: invoke, input: `{"FunctionName": "nraise"}`, node: true,
			want: `failed(Error, "{\"errorType\":\"Error\",\"errorMessage\":\"boom\",\"trace\":[\"Error: boom\",\"    at exports.handler (/var/task/index.js:1:39)\"`},
		{name: "invoke no such function", resource: invoke, input: `{"FunctionName": "nope", "Payload": {}}`, want: notFound(fnPrefix + "nope:$LATEST")},
		{name: "invoke no such version", resource: invoke, input: `{"FunctionName": "echo", "Qualifier": "1"}`, want: notFound(fnPrefix + "echo:1")},
		{name: "invoke unparsable payload", resource: invoke, input: `{"FunctionName": "echo", "Payload": "hello"}`,
			want: `failed(Lambda.InvalidRequestContentException, "Could not parse request body into json: Could not parse payload into json: line 1, column 1: expected a JSON value (string, number, object, array, true, false or null), found 'h' (Service: AWSLambda; Status Code: 400; Error Code: InvalidRequestContentException; Request ID: <uuid>; Proxy: null)")`},
		{name: "invoke bad invocation type", resource: invoke, input: `{"FunctionName": "echo", "InvocationType": "Sometimes"}`,
			want: `failed(Lambda.ValidationException, "1 validation error detected: Value 'Sometimes' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun] (Service: AWSLambda; Status Code: 400; Error Code: ValidationException; Request ID: <uuid>; Proxy: null)")`},
		{name: "invoke bad client context", resource: invoke, input: `{"FunctionName": "echo", "ClientContext": "not base64!"}`,
			want: `failed(Lambda.InvalidParameterValueException, "Client context must be a valid Base64-encoded JSON object. (Service: AWSLambda; Status Code: 400; Error Code: InvalidParameterValueException; Request ID: <uuid>; Proxy: null)")`},
		{name: "invoke no function name", resource: invoke, input: `{"Payload": {}}`,
			want: `failed(Lambda.ValidationException, "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null (Service: AWSLambda; Status Code: 400; Error Code: ValidationException; Request ID: <uuid>; Proxy: null)")`},
		{name: "invoke parameters not an object", resource: invoke, input: `"echo"`,
			want: `failed(States.Runtime, "The Parameters of a lambda:invoke task must be an object with a FunctionName")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.node {
				needNode(t)
			}
			rec := newRecorder()
			d.Dispatch(context.Background(), lambdaRequest(t, tt.resource, tt.input), rec)
			reps := await(t, rec)
			got := redact(fmtReports(reps))
			// Node stack traces go on into the runtime's frames; compare
			// up to the handler's frame.
			if tt.node && strings.HasPrefix(tt.want, "failed") {
				if !strings.HasPrefix(got, tt.want) {
					t.Errorf("got  %s\nwant %s...", got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func fmtReports(reps []report) string {
	var s []string
	for _, r := range reps {
		s = append(s, r.String())
	}
	return strings.Join(s, " ")
}

// quote renders s as report.String renders a cause.
func quote(s string) string { return strconv.Quote(s) }

// compact re-serialises a JSON document without spaces, keeping key order.
func compact(doc string) string {
	v, err := jsonv.ParseString(doc)
	if err != nil {
		panic(err)
	}
	return jsonv.Marshal(v)
}

// TestLambdaDispatcherInvokeDetails checks the parts of the lambda:invoke
// response that vary: the request id is the same in all four places and
// names the invocation, Date is an HTTP date, LogType Tail adds LogResult
// (AWS key order: test_invoke_unsupported_param), other invocation types
// give their own status codes, and ClientContext reaches the function.
func TestLambdaDispatcherInvokeDetails(t *testing.T) {
	t.Parallel()
	svc := lambdaService(t)
	d := &tasks.LambdaDispatcher{Invoker: svc}
	run := func(t *testing.T, params string) *jsonv.Object {
		t.Helper()
		rec := newRecorder()
		d.Dispatch(context.Background(), lambdaRequest(t, "arn:aws:states:::lambda:invoke", params), rec)
		reps := await(t, rec)
		if reps[0].kind != "succeeded" {
			t.Fatalf("task %v", reps)
		}
		v, err := jsonv.ParseString(reps[0].value)
		if err != nil {
			t.Fatal(err)
		}
		return v.(*jsonv.Object)
	}
	get := func(o any, path ...string) any {
		for _, k := range path {
			obj, ok := o.(*jsonv.Object)
			if !ok {
				return nil
			}
			o, _ = obj.Get(k)
		}
		return o
	}

	t.Run("request id and date", func(t *testing.T) {
		t.Parallel()
		out := run(t, `{"FunctionName": "logs", "Payload": {}}`)
		rid, _ := get(out, "Payload", "requestId").(string)
		if !uuidRE.MatchString(rid) {
			t.Fatalf("the function saw request id %q", rid)
		}
		for _, got := range []any{
			get(out, "SdkResponseMetadata", "RequestId"),
			get(out, "SdkHttpMetadata", "HttpHeaders", "x-amzn-RequestId"),
			jsonv.Marshal(get(out, "SdkHttpMetadata", "AllHttpHeaders", "x-amzn-RequestId")),
		} {
			if got != rid && got != `["`+rid+`"]` {
				t.Errorf("request id %v, want the invocation's %s", got, rid)
			}
		}
		date, _ := get(out, "SdkHttpMetadata", "HttpHeaders", "Date").(string)
		when, err := http.ParseTime(date)
		if err != nil || time.Since(when) > time.Minute || time.Until(when) > time.Minute {
			t.Errorf("Date %q (%v), want the current HTTP date", date, err)
		}
		if all := jsonv.Marshal(get(out, "SdkHttpMetadata", "AllHttpHeaders", "Date")); all != `["`+date+`"]` {
			t.Errorf("AllHttpHeaders.Date %s, want [%q]", all, date)
		}
	})

	t.Run("log tail", func(t *testing.T) {
		t.Parallel()
		out := run(t, `{"FunctionName": "logs", "LogType": "Tail"}`)
		if got := strings.Join(out.Keys(), ","); got != "ExecutedVersion,LogResult,Payload,SdkHttpMetadata,SdkResponseMetadata,StatusCode" {
			t.Errorf("keys %s", got)
		}
		lr, _ := get(out, "LogResult").(string)
		b, err := base64.StdEncoding.DecodeString(lr)
		if err != nil {
			t.Fatalf("LogResult %q is not base64: %v", lr, err)
		}
		rid, _ := get(out, "Payload", "requestId").(string)
		if log := string(b); !strings.Contains(log, "hello from the log") || !strings.Contains(log, "START RequestId: "+rid) {
			t.Errorf("log tail %q lacks the function's output or its START line", log)
		}
		all := get(out, "SdkHttpMetadata", "AllHttpHeaders").(*jsonv.Object)
		if got := strings.Join(all.Keys(), ","); got != "X-Amz-Log-Result,X-Amz-Executed-Version,x-amzn-Remapped-Content-Length,Connection,x-amzn-RequestId,Content-Length,Date,X-Amzn-Trace-Id,Content-Type" {
			t.Errorf("AllHttpHeaders keys %s", got)
		}
		hh := get(out, "SdkHttpMetadata", "HttpHeaders").(*jsonv.Object)
		if got := strings.Join(hh.Keys(), ","); got != "Connection,Content-Length,Content-Type,Date,X-Amz-Executed-Version,X-Amz-Log-Result,x-amzn-Remapped-Content-Length,x-amzn-RequestId,X-Amzn-Trace-Id" {
			t.Errorf("HttpHeaders keys %s", got)
		}
		if get(hh, "X-Amz-Log-Result") != lr || jsonv.Marshal(get(all, "X-Amz-Log-Result")) != `["`+lr+`"]` {
			t.Error("the X-Amz-Log-Result headers differ from LogResult")
		}
	})

	t.Run("client context", func(t *testing.T) {
		t.Parallel()
		cc := base64.StdEncoding.EncodeToString([]byte(`{"custom": {"tenant": "t1"}}`))
		out := run(t, `{"FunctionName": "context", "ClientContext": "`+cc+`"}`)
		if got := jsonv.Marshal(get(out, "Payload")); got != `{"custom":{"tenant":"t1"},"arn":"`+fnPrefix+`context"}` {
			t.Errorf("the function saw %s", got)
		}
	})

	for _, tt := range []struct {
		invocationType string
		status         int64
	}{{"Event", 202}, {"DryRun", 204}, {"RequestResponse", 200}} {
		t.Run(tt.invocationType, func(t *testing.T) {
			t.Parallel()
			out := run(t, `{"FunctionName": "echo", "InvocationType": "`+tt.invocationType+`"}`)
			if got := get(out, "StatusCode"); got != tt.status {
				t.Errorf("StatusCode %v, want %d", got, tt.status)
			}
			if got := get(out, "SdkHttpMetadata", "HttpStatusCode"); got != tt.status {
				t.Errorf("HttpStatusCode %v, want %d", got, tt.status)
			}
		})
	}
}

// TestLambdaDispatcherCancel: once ctx ends the dispatcher reports
// nothing, even for a function still running.
func TestLambdaDispatcherCancel(t *testing.T) {
	t.Parallel()
	svc := lambdaService(t)
	inv := &spyInvoker{next: svc, returned: make(chan struct{})}
	d := &tasks.LambdaDispatcher{Invoker: inv}
	ctx, cancel := context.WithCancel(context.Background())
	rec := newRecorder()
	d.Dispatch(ctx, lambdaRequest(t, fnPrefix+"sleepy", `{}`), rec)
	cancel()
	select {
	case <-inv.returned:
	case <-time.After(waitLong):
		t.Fatal("Invoke did not return after ctx ended")
	}
	// The dispatcher's goroutine reports right after Invoke returns, if it
	// reports at all.
	time.Sleep(50 * time.Millisecond)
	if reps := rec.all(); len(reps) != 0 {
		t.Errorf("reports after cancellation: %v", reps)
	}
}

// spyInvoker records the requests it forwards and signals when the first
// Invoke returns.
type spyInvoker struct {
	next     lambda.Invoker
	out      *lambda.InvokeOutput // answered instead of calling next
	err      error
	mu       sync.Mutex
	ins      []lambda.InvokeInput
	returned chan struct{}
	once     sync.Once
}

func (s *spyInvoker) Invoke(ctx context.Context, in *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
	s.mu.Lock()
	s.ins = append(s.ins, *in)
	s.mu.Unlock()
	if s.returned != nil {
		defer s.once.Do(func() { close(s.returned) })
	}
	if s.next != nil {
		return s.next.Invoke(ctx, in)
	}
	return s.out, s.err
}

// TestLambdaDispatcherRequests checks the Invoke requests the dispatcher
// makes from a task, without a runtime.
func TestLambdaDispatcherRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, resource, input string
		want                  lambda.InvokeInput
	}{
		{"function ARN sends the effective input as sent", fnPrefix + "f", `{"b": 1, "a": [ 2 ]}`,
			lambda.InvokeInput{FunctionName: fnPrefix + "f", Payload: []byte(`{"b": 1, "a": [ 2 ]}`), InvocationType: "RequestResponse"}},
		{"function ARN keeps its qualifier", fnPrefix + "f:prod", `1`,
			lambda.InvokeInput{FunctionName: fnPrefix + "f:prod", Payload: []byte(`1`), InvocationType: "RequestResponse"}},
		{"invoke with every parameter", "arn:aws:states:::lambda:invoke",
			`{"FunctionName": "f", "Payload": {"k": "v"}, "Qualifier": "$LATEST", "InvocationType": "Event", "LogType": "Tail", "ClientContext": "e30="}`,
			lambda.InvokeInput{FunctionName: "f", Payload: []byte(`{"k":"v"}`), Qualifier: "$LATEST", InvocationType: "Event", LogType: "Tail", ClientContext: "e30="}},
		{"invoke defaults", "arn:aws:states:::lambda:invoke", `{"FunctionName": "f"}`,
			lambda.InvokeInput{FunctionName: "f", Payload: []byte(`{}`), InvocationType: "RequestResponse"}},
		{"invoke null payload", "arn:aws:states:::lambda:invoke", `{"FunctionName": "f", "Payload": null}`,
			lambda.InvokeInput{FunctionName: "f", Payload: []byte(`{}`), InvocationType: "RequestResponse"}},
		{"invoke string payload is raw", "arn:aws:states:::lambda:invoke", `{"FunctionName": "f", "Payload": "[1, 2]"}`,
			lambda.InvokeInput{FunctionName: "f", Payload: []byte(`[1, 2]`), InvocationType: "RequestResponse"}},
		{"invoke number payload", "arn:aws:states:::lambda:invoke", `{"FunctionName": "f", "Payload": 1.5}`,
			lambda.InvokeInput{FunctionName: "f", Payload: []byte(`1.5`), InvocationType: "RequestResponse"}},
		{"invoke false payload", "arn:aws:states:::lambda:invoke", `{"FunctionName": "f", "Payload": false}`,
			lambda.InvokeInput{FunctionName: "f", Payload: []byte(`false`), InvocationType: "RequestResponse"}},
		{"invoke.waitForTaskToken", "arn:aws:states:::lambda:invoke.waitForTaskToken", `{"FunctionName": "f", "Payload": {"token": "t"}}`,
			lambda.InvokeInput{FunctionName: "f", Payload: []byte(`{"token":"t"}`), InvocationType: "RequestResponse"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := &spyInvoker{out: &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`{}`), ExecutedVersion: "$LATEST", RequestID: "r"}}
			rec := newRecorder()
			rec.submitEnds = strings.HasSuffix(tt.resource, ".waitForTaskToken")
			(&tasks.LambdaDispatcher{Invoker: inv}).Dispatch(context.Background(), lambdaRequest(t, tt.resource, tt.input), rec)
			if reps := await(t, rec); rec.submitEnds && reps[0].kind != "submitted" {
				t.Errorf("a .waitForTaskToken invoke reports %v, want submitted: the result comes with the token", reps)
			}
			if len(inv.ins) != 1 {
				t.Fatalf("%d invokes", len(inv.ins))
			}
			got := inv.ins[0]
			if got.FunctionName != tt.want.FunctionName || string(got.Payload) != string(tt.want.Payload) || got.Qualifier != tt.want.Qualifier ||
				got.InvocationType != tt.want.InvocationType || got.LogType != tt.want.LogType || got.ClientContext != tt.want.ClientContext {
				t.Errorf("invoke %+v (payload %s)\nwant   %+v (payload %s)", got, got.Payload, tt.want, tt.want.Payload)
			}
		})
	}
}

// TestLambdaDispatcherResults maps Invoke outcomes to task results without
// a runtime: the cases a real function cannot easily produce.
func TestLambdaDispatcherResults(t *testing.T) {
	t.Parallel()
	const unknown = "The cause could not be determined because Lambda did not return an error type. Returned payload: "
	tests := []struct {
		name, resource string
		out            *lambda.InvokeOutput
		err            error
		want           string
	}{
		// The older Lambda timeout document has no errorType
		// (cdklabs/construct-hub PR #713, aws-semantics §3.4).
		{name: "error document without errorType", resource: fnPrefix + "f",
			out:  &lambda.InvokeOutput{StatusCode: 200, FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"2022-01-13T00:58:08.879Z 28931c Task timed out after 60.06 seconds"}`)},
			want: `[failed(Lambda.Unknown, ` + quote(unknown+`{"errorMessage":"2022-01-13T00:58:08.879Z 28931c Task timed out after 60.06 seconds"}`) + `)]`},
		{name: "error document not JSON", resource: "arn:aws:states:::lambda:invoke",
			out:  &lambda.InvokeOutput{StatusCode: 200, FunctionError: "Unhandled", Payload: []byte(`Segmentation fault`)},
			want: `[failed(Lambda.Unknown, "` + unknown + `Segmentation fault")]`},
		{name: "error document not an object", resource: fnPrefix + "f",
			out:  &lambda.InvokeOutput{StatusCode: 200, FunctionError: "Unhandled", Payload: []byte(`["errorType"]`)},
			want: `[failed(Lambda.Unknown, ` + quote(unknown+`["errorType"]`) + `)]`},
		{name: "empty errorType", resource: fnPrefix + "f",
			out:  &lambda.InvokeOutput{StatusCode: 200, FunctionError: "Unhandled", Payload: []byte(`{"errorType": ""}`)},
			want: `[failed(Lambda.Unknown, ` + quote(unknown+`{"errorType": ""}`) + `)]`},
		{name: "errorType not a string", resource: fnPrefix + "f",
			out:  &lambda.InvokeOutput{StatusCode: 200, FunctionError: "Unhandled", Payload: []byte(`{"errorType": 1}`)},
			want: `[failed(Lambda.Unknown, ` + quote(unknown+`{"errorType": 1}`) + `)]`},
		{name: "runtime exit", resource: fnPrefix + "f",
			out:  &lambda.InvokeOutput{StatusCode: 200, FunctionError: "Unhandled", Payload: []byte(`{"errorType":"Runtime.ExitError","errorMessage":"RequestId: r Error: Runtime exited with error: signal: killed"}`)},
			want: `[failed(Runtime.ExitError, ` + quote(`{"errorType":"Runtime.ExitError","errorMessage":"RequestId: r Error: Runtime exited with error: signal: killed"}`) + `)]`},
		{name: "throttled", resource: fnPrefix + "f",
			out:  &lambda.InvokeOutput{RequestID: "req-1"},
			err:  &lambda.APIError{Code: "TooManyRequestsException", Status: 429, Message: "Rate Exceeded.", Type: "User"},
			want: `[failed(Lambda.TooManyRequestsException, "Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; Request ID: req-1; Proxy: null)")]`},
		{name: "wrapped service error", resource: "arn:aws:states:::lambda:invoke",
			err:  errors.Join(errors.New("while invoking"), &lambda.APIError{Code: "ServiceException", Status: 500, Message: "The function runtime is shutting down.", Type: "Service"}),
			want: `[failed(Lambda.ServiceException, "The function runtime is shutting down. (Service: AWSLambda; Status Code: 500; Error Code: ServiceException; Request ID: <uuid>; Proxy: null)")]`},
		{name: "other error", resource: fnPrefix + "f", err: errors.New("connection refused"),
			want: `[failed(Lambda.ServiceException, "connection refused")]`},
		{name: "empty payload", resource: fnPrefix + "f", out: &lambda.InvokeOutput{StatusCode: 200}, want: `[succeeded(null)]`},
		{name: "invoke defaults version and status", resource: "arn:aws:states:::lambda:invoke",
			out:  &lambda.InvokeOutput{Payload: []byte(`{}`), RequestID: "11111111-2222-3333-4444-555555555555"},
			want: `[succeeded(` + invokeResponse("2", `{}`) + `)]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := &spyInvoker{out: tt.out, err: tt.err}
			rec := newRecorder()
			input := `{}`
			if strings.HasPrefix(tt.resource, "arn:aws:states") {
				input = `{"FunctionName": "f"}`
			}
			(&tasks.LambdaDispatcher{Invoker: inv}).Dispatch(context.Background(), lambdaRequest(t, tt.resource, input), rec)
			await(t, rec)
			if got := redact(rec.String()); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestLambdaDispatcherCancelledResult: a result that arrives after ctx
// ended is dropped, success or failure.
func TestLambdaDispatcherCancelledResult(t *testing.T) {
	t.Parallel()
	for _, inv := range []*spyInvoker{
		{out: &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(`1`)}},
		{err: errors.New("boom")},
	} {
		inv.returned = make(chan struct{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := newRecorder()
		(&tasks.LambdaDispatcher{Invoker: inv}).Dispatch(ctx, lambdaRequest(t, fnPrefix+"f", `{}`), rec)
		<-inv.returned
		time.Sleep(20 * time.Millisecond)
		if reps := rec.all(); len(reps) != 0 {
			t.Errorf("reports after cancellation: %v", reps)
		}
	}
}
