package lambda

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestNodeHandlers covers the handler styles AWS's Node.js runtime
// accepts: async functions, callbacks, CommonJS and ES modules.
func TestNodeHandlers(t *testing.T) {
	needTool(t, "node")
	b := newTestService(t, Options{})
	cases := []struct {
		name, handler string
		files         map[string]string
		payload, want string
	}{
		{"async commonjs", "index.handler", map[string]string{
			"index.js": "exports.handler = async (event) => ({ got: event.x, n: [1, 2] });\n"}, `{"x":"a"}`, `{"got":"a","n":[1,2]}`},
		{"callback", "index.handler", map[string]string{
			"index.js": "exports.handler = (event, context, callback) => { setImmediate(() => callback(null, event.x * 2)); };\n"}, `{"x":21}`, `42`},
		{"es module", "app.handler", map[string]string{
			"app.mjs": "export const handler = async (event) => `hello ${event.name}`;\n"}, `{"name":"esm"}`, `"hello esm"`},
		{"type module package", "src/app.handler", map[string]string{
			"package.json": `{"type":"module"}`,
			"src/app.js":   "export async function handler() { return null; }\n"}, `{}`, `null`},
		{"undefined result", "index.handler", map[string]string{
			"index.js": "exports.handler = async () => {};\n"}, `{}`, `null`},
		{"nested handler path", "index.api.handler", map[string]string{
			"index.js": "exports.api = { handler: async () => 'nested' };\n"}, `{}`, `"nested"`},
		{"context", "index.handler", map[string]string{
			"index.js": `exports.handler = async (e, ctx) => ({
  name: ctx.functionName, version: ctx.functionVersion, mem: ctx.memoryLimitInMB,
  arn: ctx.invokedFunctionArn, group: ctx.logGroupName, idOk: ctx.awsRequestId.length === 36,
  remainingOk: ctx.getRemainingTimeInMillis() > 0 && ctx.getRemainingTimeInMillis() <= 3000,
  env: process.env.MY_VAR, rt: process.env.AWS_EXECUTION_ENV });
`}, `{}`, `{"name":"fn6","version":"$LATEST","mem":"128","arn":"arn:aws:lambda:us-east-1:123456789012:function:fn6","group":"/aws/lambda/fn6","idOk":true,"remainingOk":true,"env":"v","rt":"AWS_Lambda_nodejs20.x"}`},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "fn" + string(rune('0'+i))
			b.create(t, fnSpec{name: name, runtime: "nodejs20.x", handler: c.handler, files: c.files, env: map[string]string{"MY_VAR": "v"}})
			out := b.invoke(t, name, c.payload)
			if out.FunctionError != "" || string(out.Payload) != c.want {
				t.Fatalf("got %q %s, want %s\n%s", out.FunctionError, out.Payload, c.want, decodeTail(t, out))
			}
		})
	}
}

// TestNodeErrors: thrown errors become {"errorType","errorMessage","trace"}
// (aws-semantics §3.4, Node.js), init failures the Runtime.* types.
func TestNodeErrors(t *testing.T) {
	needTool(t, "node")
	b := newTestService(t, Options{})
	cases := []struct {
		name, handler string
		files         map[string]string
		wantType      string
		wantMessage   string
	}{
		{"thrown error", "index.handler", map[string]string{
			"index.js": "exports.handler = async () => { throw new Error('boom'); };\n"}, "Error", "boom"},
		{"custom name", "index.handler", map[string]string{
			"index.js": "class TooManyRequests extends Error { constructor(m) { super(m); this.name = 'TooManyRequestsException'; } }\nexports.handler = async () => { throw new TooManyRequests('429'); };\n"},
			"TooManyRequestsException", "429"},
		{"callback error", "index.handler", map[string]string{
			"index.js": "exports.handler = (e, c, cb) => cb(new TypeError('bad'));\n"}, "TypeError", "bad"},
		{"thrown string", "index.handler", map[string]string{
			"index.js": "exports.handler = async () => { throw 'plain'; };\n"}, "string", "plain"},
		{"missing module", "nope.handler", map[string]string{"index.js": ""},
			"Runtime.ImportModuleError", "Error: Cannot find module 'nope'\nRequire stack:\n- /var/runtime/index.mjs"},
		{"missing handler", "index.other", map[string]string{"index.js": "exports.handler = async () => 1;\n"},
			"Runtime.HandlerNotFound", "index.other is undefined or not exported"},
		{"syntax error", "index.handler", map[string]string{"index.js": "exports.handler = async () => { return 1 +; };\n"},
			"Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected token ';'"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "err" + string(rune('a'+i))
			b.create(t, fnSpec{name: name, runtime: "nodejs18.x", handler: c.handler, files: c.files})
			out := b.invoke(t, name, `{}`)
			var doc struct {
				ErrorType    string   `json:"errorType"`
				ErrorMessage string   `json:"errorMessage"`
				Trace        []string `json:"trace"`
			}
			if err := json.Unmarshal(out.Payload, &doc); err != nil {
				t.Fatalf("payload %s: %v", out.Payload, err)
			}
			if out.FunctionError != "Unhandled" || doc.ErrorType != c.wantType || doc.ErrorMessage != c.wantMessage {
				t.Fatalf("got %q %s, want %s %q", out.FunctionError, out.Payload, c.wantType, c.wantMessage)
			}
			if doc.Trace == nil {
				t.Errorf("no trace member: %s", out.Payload)
			}
			if strings.Contains(string(out.Payload), b.dir) {
				t.Errorf("payload leaks the local code path: %s", out.Payload)
			}
		})
	}
}

// nodeErrDoc is the error document AWS's Node.js runtime posts.
type nodeErrDoc struct {
	ErrorType    string   `json:"errorType"`
	ErrorMessage string   `json:"errorMessage"`
	Trace        []string `json:"trace"`
}

// TestNodeEventLoop: how the outcome of a Node.js invocation is decided,
// as AWS's runtime interface client decides it. A plain handler's return
// value is ignored; the callback, context.succeed/done/fail or a returned
// promise or thenable give the result, and failing all of them the result
// is null once the event loop empties (Runtime.NodeJsExit for an async
// handler whose promise never settles). A successful callback waits for
// the event loop to empty unless context.callbackWaitsForEmptyEventLoop is
// false; promises and context.succeed don't wait. Each function is invoked
// twice, so the empty-event-loop path works in a warm process too.
func TestNodeEventLoop(t *testing.T) {
	needTool(t, "node")
	b := newTestService(t, Options{})
	// out shows whether the response was posted before or after a pending
	// timer ran: the result is serialized when it is posted.
	const timer = "const out = { timer: 'pending' }; setTimeout(() => { out.timer = 'ran'; }, 50);\n"
	cases := []struct {
		name, code string
		want       string // the exact payload of a success
		wantType   string // else the error's type and message
		wantMsg    string
	}{
		{name: "callback never called", code: "exports.handler = (event, context, callback) => { console.log('no callback'); };\n",
			want: `null`},
		{name: "plain return value ignored", code: "exports.handler = (event) => ({ ignored: true });\n",
			want: `null`},
		{name: "callback wins over return value", code: "exports.handler = (event, context, callback) => { setTimeout(() => callback(null, 'from callback'), 10); return 'ignored'; };\n",
			want: `"from callback"`},
		{name: "returned promise", code: "exports.handler = (event) => new Promise((resolve) => setTimeout(() => resolve('from promise'), 10));\n",
			want: `"from promise"`},
		{name: "returned thenable", code: "exports.handler = (event) => ({ then(resolve) { resolve('from thenable'); } });\n",
			want: `"from thenable"`},
		{name: "first outcome wins", code: "exports.handler = async (event, context, callback) => { context.succeed('first'); callback(null, 'second'); return 'third'; };\n",
			want: `"first"`},
		{name: "callback waits for empty event loop", code: "exports.handler = (event, context, callback) => { " + timer + "callback(null, out); };\n",
			want: `{"timer":"ran"}`},
		{name: "callback without waiting", code: "exports.handler = (event, context, callback) => { context.callbackWaitsForEmptyEventLoop = false; " + timer + "callback(null, out); };\n",
			want: `{"timer":"pending"}`},
		{name: "async handler does not wait", code: "exports.handler = async () => { " + timer + "return out; };\n",
			want: `{"timer":"pending"}`},
		{name: "context.succeed does not wait", code: "exports.handler = (event, context) => { " + timer + "context.succeed(out); };\n",
			want: `{"timer":"pending"}`},
		{name: "callback error does not wait", code: "exports.handler = (event, context, callback) => { setTimeout(() => {}, 5000); callback(new RangeError('no wait')); };\n",
			wantType: "RangeError", wantMsg: "no wait"},
		{name: "context.fail without error", code: "exports.handler = (event, context) => { context.fail(); };\n",
			wantType: "string", wantMsg: "handled"},
		{name: "async promise never settles", code: "exports.handler = async () => { await new Promise(() => {}); };\n",
			wantType: "Runtime.NodeJsExit", wantMsg: "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "loop" + strconv.Itoa(i)
			b.create(t, fnSpec{name: name, runtime: "nodejs20.x", handler: "index.handler", files: map[string]string{"index.js": c.code}})
			for n := range 2 {
				out := b.invoke(t, name, `{}`)
				if c.wantType == "" {
					if out.FunctionError != "" || string(out.Payload) != c.want {
						t.Fatalf("invoke %d: got %q %s, want %s\n%s", n, out.FunctionError, out.Payload, c.want, decodeTail(t, out))
					}
					continue
				}
				var doc nodeErrDoc
				if err := json.Unmarshal(out.Payload, &doc); err != nil {
					t.Fatalf("invoke %d: payload %s: %v", n, out.Payload, err)
				}
				if out.FunctionError != "Unhandled" || doc.ErrorType != c.wantType || doc.ErrorMessage != c.wantMsg {
					t.Fatalf("invoke %d: got %q %s, want %s %q\n%s", n, out.FunctionError, out.Payload, c.wantType, c.wantMsg, decodeTail(t, out))
				}
			}
		})
	}
}

// TestNodeCrash: an uncaught exception or an unhandled promise rejection
// during an invoke becomes that invoke's error, as AWS reports it, and the
// runtime process then exits (129 and 128, as AWS's runtime exits); the
// next invoke starts a fresh process.
func TestNodeCrash(t *testing.T) {
	needTool(t, "node")
	b := newTestService(t, Options{})
	// Each handler counts its invocations; {"crash":true} runs crash.
	handler := func(crash string) string {
		return "let n = 0;\nexports.handler = (event, context, callback) => {\n  if (!event.crash) return callback(null, ++n);\n  " + crash + "\n};\n"
	}
	cases := []struct {
		name, code                 string
		wantType, wantMsg, wantTop string // errorType, errorMessage, trace[0]
		wantExit                   int
	}{
		{"unhandled rejection", handler("setTimeout(() => Promise.reject(new Error('rejected later')), 10); setTimeout(() => callback(null, 'too late'), 2000);"),
			"Runtime.UnhandledPromiseRejection", "Error: rejected later", "Runtime.UnhandledPromiseRejection: Error: rejected later", 128},
		{"unhandled rejection in async code", "let n = 0;\nexports.handler = async (event) => {\n  if (!event.crash) return ++n;\n  setTimeout(async () => { throw new TypeError('async later'); }, 10);\n  await new Promise((resolve) => setTimeout(resolve, 2000));\n  return 'too late';\n};\n",
			"Runtime.UnhandledPromiseRejection", "TypeError: async later", "Runtime.UnhandledPromiseRejection: TypeError: async later", 128},
		{"unhandled rejection of a string", handler("Promise.reject('plain reason');"),
			"Runtime.UnhandledPromiseRejection", "plain reason", "Runtime.UnhandledPromiseRejection: plain reason", 128},
		{"uncaught exception", handler("setTimeout(() => { throw new TypeError('thrown later'); }, 10);"),
			"TypeError", "thrown later", "TypeError: thrown later", 129},
		{"uncaught exception while callback waits", handler("callback(null, 'not yet'); setTimeout(() => { throw new Error('thrown while waiting'); }, 10);"),
			"Error", "thrown while waiting", "Error: thrown while waiting", 129},
		{"uncaught string", handler("setTimeout(() => { throw 'thrown string'; }, 10);"),
			"string", "thrown string", "", 129},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "crash" + strconv.Itoa(i)
			b.create(t, fnSpec{name: name, runtime: "nodejs20.x", handler: "index.handler", files: map[string]string{"index.js": c.code}})
			if out := b.invoke(t, name, `{}`); string(out.Payload) != "1" {
				t.Fatalf("warm-up: %q %s", out.FunctionError, out.Payload)
			}
			fn, _, err := b.svc.lookup(name, "")
			if err != nil {
				t.Fatal(err)
			}
			var envs []*env
			fn.mu.Lock()
			for e := range fn.pool.envs {
				envs = append(envs, e)
			}
			fn.mu.Unlock()
			if len(envs) != 1 {
				t.Fatalf("%d environments after the warm-up, want 1", len(envs))
			}

			out := b.invoke(t, name, `{"crash":true}`)
			var doc nodeErrDoc
			if err := json.Unmarshal(out.Payload, &doc); err != nil {
				t.Fatalf("payload %s: %v", out.Payload, err)
			}
			if out.FunctionError != "Unhandled" || doc.ErrorType != c.wantType || doc.ErrorMessage != c.wantMsg {
				t.Fatalf("got %q %s, want %s %q\n%s", out.FunctionError, out.Payload, c.wantType, c.wantMsg, decodeTail(t, out))
			}
			if top := ""; len(doc.Trace) > 0 && doc.Trace[0] != c.wantTop || len(doc.Trace) == 0 && c.wantTop != top {
				t.Errorf("trace %q, want it to start with %q", doc.Trace, c.wantTop)
			}
			if strings.Contains(string(out.Payload), b.dir) {
				t.Errorf("payload leaks the local code path: %s", out.Payload)
			}

			// The next invoke, at once, gets a fresh process: never the
			// one on its way out.
			if out := b.invoke(t, name, `{}`); string(out.Payload) != "1" {
				t.Errorf("after the crash: %q %s, want a fresh process", out.FunctionError, out.Payload)
			}
			select {
			case <-envs[0].exited:
			case <-time.After(10 * time.Second):
				t.Fatal("the runtime process did not exit after the crash")
			}
			if code := envs[0].exitState.ExitCode(); code != c.wantExit {
				t.Errorf("exit code %d, want %d", code, c.wantExit)
			}
		})
	}
}

// TestNodeConsoleFormat: console output is written as AWS's Node.js
// runtime writes it: timestamp, request id, level, message.
func TestNodeConsoleFormat(t *testing.T) {
	needTool(t, "node")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "logs", runtime: "nodejs20.x", handler: "index.handler", files: map[string]string{
		"index.js": "exports.handler = async () => { console.log('hello %s', 'world'); console.error('bad', {a: 1}); process.stdout.write('raw\\n'); return 1; };\n"}})
	out := b.invoke(t, "logs", `{}`)
	log := decodeTail(t, out)
	for _, want := range []string{"\t" + out.RequestID + "\tINFO\thello world\n", "\t" + out.RequestID + "\tERROR\tbad { a: 1 }\n", "raw\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestProvidedRuntime runs a custom runtime: an executable bootstrap (a
// shell script using curl) that speaks the Runtime API itself.
func TestProvidedRuntime(t *testing.T) {
	needTool(t, "curl")
	needTool(t, "sh")
	b := newTestService(t, Options{})
	bootstrap := `#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
echo "custom runtime up, handler ${_HANDLER}"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | tr -d '\r' | cut -d' ' -f2)"
  rm -f "$HEADERS"
  case "$EVENT" in
    *fail*) curl -sS -o /dev/null -X POST -H 'Lambda-Runtime-Function-Error-Type: Custom.Failure' \
              -d '{"errorMessage":"asked to fail","errorType":"Custom.Failure"}' "$API/invocation/$ID/error" ;;
    *) echo "got $EVENT"; curl -sS -o /dev/null -X POST -d "{\"echo\":$EVENT}" "$API/invocation/$ID/response" ;;
  esac
done
`
	in := &CreateFunctionInput{FunctionName: "custom", Runtime: "provided.al2023", Role: testRole, Handler: "ignored",
		Code: FunctionCode{ZipFile: zipOf(t, map[string]string{"bootstrap": bootstrap})}}
	if _, err := b.svc.CreateFunction(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	out := b.invoke(t, "custom", `{"a":1}`)
	if out.FunctionError != "" || string(out.Payload) != `{"echo":{"a":1}}` {
		t.Fatalf("got %q %s", out.FunctionError, out.Payload)
	}
	if log := decodeTail(t, out); !strings.Contains(log, `got {"a":1}`) {
		t.Errorf("log:\n%s", log)
	}
	out = b.invoke(t, "custom", `{"fail":1}`)
	if out.FunctionError != "Unhandled" || string(out.Payload) != `{"errorMessage":"asked to fail","errorType":"Custom.Failure"}` {
		t.Fatalf("got %q %s", out.FunctionError, out.Payload)
	}
	// A zip without bootstrap can't start.
	in = &CreateFunctionInput{FunctionName: "nobootstrap", Runtime: "provided", Role: testRole,
		Code: FunctionCode{ZipFile: zipOf(t, map[string]string{"README": "x"})}}
	if _, err := b.svc.CreateFunction(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	out = b.invoke(t, "nobootstrap", `{}`)
	var d errDoc
	_ = json.Unmarshal(out.Payload, &d)
	if out.FunctionError != "Unhandled" || d.ErrorType != "Runtime.InvalidEntrypoint" {
		t.Fatalf("got %q %s", out.FunctionError, out.Payload)
	}
}
