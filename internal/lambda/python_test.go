package lambda

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPythonResults checks what a handler's return value becomes: the JSON
// that Python's json.dumps writes (default spacing), as AWS's Python
// runtimes return it.
func TestPythonResults(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "echo", runtime: "python3.12", handler: "app.handler", files: map[string]string{
		"app.py": `import decimal
def handler(event, context):
    kind = event.get("kind") if isinstance(event, dict) else None
    if kind == "none":
        return None
    if kind == "decimal":
        return {"price": decimal.Decimal("12.50"), "n": decimal.Decimal(3)}
    if kind == "text":
        return "café"
    if kind == "identity":
        context.log("via context.log\n")
        return [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id]
    if kind == "str":
        return "200 OK"
    if kind == "list":
        return [1, 2.5, "x", True, None]
    return event
`}})
	cases := []struct {
		name, payload, want string
	}{
		{"object keeps order and spacing", `{"b":1,"a":{"c":[1,2]}}`, `{"b": 1, "a": {"c": [1, 2]}}`},
		{"string", `{"kind":"str"}`, `"200 OK"`},
		{"none", `{"kind":"none"}`, `null`},
		{"list", `{"kind":"list"}`, `[1, 2.5, "x", true, null]`},
		{"empty payload is {}", ``, `{}`},
		{"scalar event", `42`, `42`},
		// boto3's DynamoDB reads give Decimals; AWS's runtime writes numbers.
		{"Decimal is a number", `{"kind":"decimal"}`, `{"price": 12.5, "n": 3.0}`},
		// Python 3.12 runtimes on AWS write non-ASCII characters as they are.
		{"non-ASCII as is", `{"kind":"text"}`, `"café"`},
		{"context.identity and context.log", `{"kind":"identity"}`, `[null, null]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := b.invoke(t, "echo", c.payload)
			if out.StatusCode != 200 || out.FunctionError != "" || string(out.Payload) != c.want {
				t.Fatalf("got %d %q %s, want 200 %s", out.StatusCode, out.FunctionError, out.Payload, c.want)
			}
			if out.ExecutedVersion != "$LATEST" {
				t.Errorf("ExecutedVersion = %q", out.ExecutedVersion)
			}
		})
	}
}

// TestPythonTutorialErrors invokes the tutorial's mock API function with
// each status code. The error document must be exactly AWS's for current
// Python runtimes (aws-semantics §3.4 and §6.2: errorMessage, errorType,
// requestId, stackTrace, json.dumps spacing, code under /var/task).
func TestPythonTutorialErrors(t *testing.T) {
	needTool(t, "python3")
	src, err := os.ReadFile(filepath.Join(sharedDir(t), "seed-tutorial", "mock_api", "lambda_function.py"))
	if err != nil {
		t.Fatal(err)
	}
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "MockAPIFunction", runtime: "python3.12", handler: "lambda_function.lambda_handler",
		files: map[string]string{"lambda_function.py": string(src)}})
	cases := []struct {
		status, wantErr, wantPayload string
	}{
		{"200", "", `"200 OK"`},
		{"429", "Unhandled", `{"errorMessage": "429 Too Many Requests", "errorType": "TooManyRequestsException", "requestId": "<id>", "stackTrace": ["  File \"/var/task/lambda_function.py\", line 9, in lambda_handler\n    raise TooManyRequestsException('429 Too Many Requests')\n"]}`},
		{"503", "Unhandled", `{"errorMessage": "503 Server Unavailable", "errorType": "ServerUnavailableException", "requestId": "<id>", "stackTrace": ["  File \"/var/task/lambda_function.py\", line 11, in lambda_handler\n    raise ServerUnavailableException('503 Server Unavailable')\n"]}`},
		{"999", "Unhandled", `{"errorMessage": "Unknown error", "errorType": "UnknownException", "requestId": "<id>", "stackTrace": ["  File \"/var/task/lambda_function.py\", line 14, in lambda_handler\n    raise UnknownException('Unknown error')\n"]}`},
	}
	for _, c := range cases {
		t.Run(c.status, func(t *testing.T) {
			out := b.invoke(t, "MockAPIFunction", `{"statuscode":"`+c.status+`"}`)
			want := strings.ReplaceAll(c.wantPayload, "<id>", out.RequestID)
			if out.StatusCode != 200 || out.FunctionError != c.wantErr || string(out.Payload) != want {
				t.Fatalf("got %d %q\n%s\nwant 200 %q\n%s", out.StatusCode, out.FunctionError, out.Payload, c.wantErr, want)
			}
			if c.wantErr != "" {
				log := decodeTail(t, out)
				if !strings.Contains(log, "[ERROR] ") || !strings.Contains(log, "Status: ") && !strings.Contains(log, "REPORT") {
					t.Errorf("log lacks the error line:\n%s", log)
				}
				if strings.Contains(string(out.Payload), b.dir) {
					t.Errorf("payload leaks the local code path: %s", out.Payload)
				}
			}
		})
	}
}

// TestPythonContextAndEnvironment checks the context object and the
// environment variables a handler sees (deps.md §10).
func TestPythonContextAndEnvironment(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{Region: "eu-west-1"})
	b.create(t, fnSpec{name: "ctx", runtime: "python3.11", handler: "pkg/mod.handler", timeout: 7, memory: 256,
		env: map[string]string{"GREETING": "hello", "EMPTY": ""},
		files: map[string]string{
			"pkg/__init__.py": "",
			"pkg/mod.py": `import os
def handler(event, context):
    names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
             "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_LOG_GROUP_NAME", "_HANDLER",
             "GREETING", "EMPTY", "TZ", "AWS_LAMBDA_INITIALIZATION_TYPE"]
    return {
        "env": {n: os.environ.get(n) for n in names},
        "task_root_is_cwd": os.environ["LAMBDA_TASK_ROOT"] == os.getcwd(),
        "stream_matches": os.environ["AWS_LAMBDA_LOG_STREAM_NAME"] == context.log_stream_name,
        "has_runtime_api": os.environ["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:"),
        "has_trace": os.environ.get("_X_AMZN_TRACE_ID", "").startswith("Root=1-"),
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 7000,
        "client_custom": context.client_context.custom if context.client_context else None,
    }
`}})
	cc := "eyJjdXN0b20iOnsiayI6InYifX0=" // {"custom":{"k":"v"}}
	out, err := b.svc.Invoke(context.Background(), &InvokeInput{FunctionName: "ctx", ClientContext: cc})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != "" {
		t.Fatalf("function failed: %s", out.Payload)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Payload, &got); err != nil {
		t.Fatal(err)
	}
	wantEnv := map[string]any{
		"AWS_LAMBDA_FUNCTION_NAME": "ctx", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
		"AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/ctx", "_HANDLER": "pkg/mod.handler", "GREETING": "hello", "EMPTY": "",
		"TZ": ":UTC", "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
	}
	env := got["env"].(map[string]any)
	for k, v := range wantEnv {
		if env[k] != v {
			t.Errorf("env %s = %v, want %v", k, env[k], v)
		}
	}
	want := map[string]any{
		"task_root_is_cwd": true, "stream_matches": true, "has_runtime_api": true, "has_trace": true,
		"aws_request_id": out.RequestID, "function_name": "ctx", "function_version": "$LATEST",
		"invoked_function_arn": "arn:aws:lambda:eu-west-1:123456789012:function:ctx",
		"memory_limit_in_mb":   "256", "log_group_name": "/aws/lambda/ctx", "remaining_ok": true,
		"client_custom": map[string]any{"k": "v"},
	}
	for k, v := range want {
		gb, _ := json.Marshal(got[k])
		wb, _ := json.Marshal(v)
		if string(gb) != string(wb) {
			t.Errorf("%s = %s, want %s", k, gb, wb)
		}
	}
}

// TestPythonInitErrors checks failures while loading the handler. AWS
// reports them with the Runtime.* error types and an empty requestId
// (aws-semantics §6.2, deps.md §10 item 4).
func TestPythonInitErrors(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	cases := []struct {
		name, handler string
		files         map[string]string
		wantType      string
		wantMessage   string
	}{
		{"missing module", "nope.handler", map[string]string{"app.py": "x = 1\n"},
			"Runtime.ImportModuleError", "Unable to import module 'nope': No module named 'nope'"},
		{"failing import inside", "app.handler", map[string]string{"app.py": "import not_installed_pkg\n"},
			"Runtime.ImportModuleError", "Unable to import module 'app': No module named 'not_installed_pkg'"},
		{"missing handler", "app.other", map[string]string{"app.py": "def handler(e, c):\n    return 1\n"},
			"Runtime.HandlerNotFound", "Handler 'other' missing on module 'app'"},
		{"syntax error", "app.handler", map[string]string{"app.py": "def handler(e, c)\n    return 1\n"},
			"Runtime.UserCodeSyntaxError", "Syntax error in module 'app': expected ':' (app.py, line 1)"},
		{"malformed handler", "handler", map[string]string{"app.py": "x = 1\n"},
			"Runtime.MalformedHandlerName", "Bad handler 'handler': not enough values to unpack (expected 2, got 1)"},
		{"exception at import", "app.handler", map[string]string{"app.py": "class ConfigError(Exception): pass\nraise ConfigError('no config')\n"},
			"ConfigError", "no config"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "init" + string(rune('a'+i))
			b.create(t, fnSpec{name: name, runtime: "python3.12", handler: c.handler, files: c.files})
			for attempt := 0; attempt < 2; attempt++ { // a failed init is retried on the next invoke
				out := b.invoke(t, name, `{}`)
				var doc struct {
					ErrorMessage string   `json:"errorMessage"`
					ErrorType    string   `json:"errorType"`
					RequestID    *string  `json:"requestId"`
					StackTrace   []string `json:"stackTrace"`
				}
				if err := json.Unmarshal(out.Payload, &doc); err != nil {
					t.Fatalf("payload %s: %v", out.Payload, err)
				}
				if out.FunctionError != "Unhandled" || doc.ErrorType != c.wantType || doc.ErrorMessage != c.wantMessage {
					t.Fatalf("got %q %s, want Unhandled %s %q", out.FunctionError, out.Payload, c.wantType, c.wantMessage)
				}
				if doc.RequestID == nil || *doc.RequestID != "" {
					t.Errorf("requestId should be present and empty for init errors: %s", out.Payload)
				}
				if strings.Contains(string(out.Payload), b.dir) {
					t.Errorf("payload leaks the local code path: %s", out.Payload)
				}
				log := decodeTail(t, out)
				if !strings.Contains(log, "INIT_REPORT") || !strings.Contains(log, "Error Type: "+c.wantType) {
					t.Errorf("log lacks INIT_REPORT for %s:\n%s", c.wantType, log)
				}
			}
			if total, _, _ := b.svc.EnvironmentCounts(name); total != 0 {
				t.Errorf("failed environments kept: %d", total)
			}
		})
	}
}

// TestPythonMarshalError: a result json.dumps can't encode gives
// Runtime.MarshalError (aws-semantics §6.2).
func TestPythonMarshalError(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "m", runtime: "python3.12", handler: "app.handler", files: map[string]string{
		"app.py": "def handler(e, c):\n    return {1, 2}\n"}})
	out := b.invoke(t, "m", `{}`)
	want := `{"errorMessage": "Unable to marshal response: Object of type set is not JSON serializable", "errorType": "Runtime.MarshalError", "requestId": "` + out.RequestID + `", "stackTrace": []}`
	if out.FunctionError != "Unhandled" || string(out.Payload) != want {
		t.Fatalf("got %q %s\nwant %s", out.FunctionError, out.Payload, want)
	}
}

var reportLine = regexp.MustCompile(`REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t`)

// TestPythonWarmReuse: consecutive invokes share one environment (module
// state survives) and only the first REPORT has an Init Duration.
func TestPythonWarmReuse(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "counter", runtime: "python3.12", handler: "app.handler", files: map[string]string{
		"app.py": "import os\nn = 0\ndef handler(e, c):\n    global n\n    n += 1\n    print('call', n)\n    return [n, os.getpid()]\n"}})
	var pid any
	for i := 1; i <= 3; i++ {
		out := b.invoke(t, "counter", `{}`)
		var got []any
		if err := json.Unmarshal(out.Payload, &got); err != nil {
			t.Fatal(err)
		}
		if got[0] != float64(i) {
			t.Fatalf("invoke %d saw counter %v: environment not reused", i, got[0])
		}
		if i == 1 {
			pid = got[1]
		} else if got[1] != pid {
			t.Fatalf("invoke %d ran in another process", i)
		}
		log := decodeTail(t, out)
		if !reportLine.MatchString(log) {
			t.Errorf("no REPORT line in:\n%s", log)
		}
		if !strings.Contains(log, "START RequestId: "+out.RequestID+" Version: $LATEST\n") ||
			!strings.Contains(log, "END RequestId: "+out.RequestID+"\n") ||
			!strings.Contains(log, "call "+string(rune('0'+i))+"\n") {
			t.Errorf("log of invoke %d:\n%s", i, log)
		}
		if hasInit := strings.Contains(log, "Init Duration: "); hasInit != (i == 1) {
			t.Errorf("invoke %d: Init Duration present = %v", i, hasInit)
		}
	}
	if total, idle, _ := b.svc.EnvironmentCounts("counter"); total != 1 || idle != 1 {
		t.Errorf("environments: %d total, %d idle; want 1, 1", total, idle)
	}
	// Reclaiming idle environments ends the process; the next invoke is cold.
	if n := b.svc.reclaimIdle(timeFarFuture); n != 1 {
		t.Fatalf("reclaimed %d environments, want 1", n)
	}
	out := b.invoke(t, "counter", `{}`)
	if !strings.HasPrefix(string(out.Payload), "[1,") || !strings.Contains(decodeTail(t, out), "Init Duration: ") {
		t.Errorf("after reclaim: %s\n%s", out.Payload, decodeTail(t, out))
	}
}

var maxMemoryUsed = regexp.MustCompile(`Max Memory Used: (\d+) MB`)

// TestMaxMemoryUsed: the REPORT line's Max Memory Used follows what the
// environment holds.
func TestMaxMemoryUsed(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "grow", runtime: "python3.12", handler: "app.handler", memory: 256, files: map[string]string{
		"app.py": "kept = []\ndef handler(e, c):\n    kept.append(bytearray(e['mb'] << 20))\n    return len(kept)\n"}})
	used := func(payload string) int {
		m := maxMemoryUsed.FindStringSubmatch(decodeTail(t, b.invoke(t, "grow", payload)))
		if m == nil {
			t.Fatal("no Max Memory Used")
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	first := used(`{"mb":1}`)
	second := used(`{"mb":80}`)
	if first <= 0 || second < first+70 {
		t.Fatalf("Max Memory Used went from %d MB to %d MB after holding 80 MB more", first, second)
	}
}
