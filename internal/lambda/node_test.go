package lambda

import (
	"encoding/json"
	"strings"
	"testing"
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
