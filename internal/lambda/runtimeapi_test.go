package lambda

import (
	"strings"
	"testing"
)

// TestRuntimeAPIProtocol drives the Runtime API from a custom runtime to
// check its answers (deps.md §10): the next-event headers, 400
// InvalidRequestID for an unknown request id, 202 {"status":"OK"}.
func TestRuntimeAPIProtocol(t *testing.T) {
	needTool(t, "curl")
	needTool(t, "sh")
	b := newTestService(t, Options{})
	bootstrap := `#!/bin/sh
set -u
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  H="$(mktemp)"
  curl -sS -D "$H" -o /dev/null "$API/invocation/next"
  ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$H" | tr -d '\r' | cut -d' ' -f2)"
  DEADLINE="$(grep -ci '^Lambda-Runtime-Deadline-Ms: [0-9]' "$H")"
  ARN="$(grep -i '^Lambda-Runtime-Invoked-Function-Arn:' "$H" | tr -d '\r' | cut -d' ' -f2)"
  TRACE="$(grep -ci '^Lambda-Runtime-Trace-Id: Root=1-' "$H")"
  rm -f "$H"
  WRONG="$(curl -sS -o /dev/null -w '%{http_code}' -X POST -d '1' "$API/invocation/not-the-id/response")"
  WRONGBODY="$(curl -sS -X POST -d '1' "$API/invocation/not-the-id/error")"
  OK="$(curl -sS -X POST -d "{\"wrong\":$WRONG,\"deadline\":$DEADLINE,\"trace\":$TRACE,\"arn\":\"$ARN\"}" "$API/invocation/$ID/response")"
  echo "post answered $OK; wrong id answered $WRONGBODY"
done
`
	if _, err := b.svc.CreateFunction(t.Context(), &CreateFunctionInput{FunctionName: "proto", Runtime: "provided.al2", Role: testRole,
		Code: FunctionCode{ZipFile: zipOf(t, map[string]string{"bootstrap": bootstrap})}}); err != nil {
		t.Fatal(err)
	}
	out := b.invoke(t, "proto", `{}`)
	want := `{"wrong":400,"deadline":1,"trace":1,"arn":"arn:aws:lambda:us-east-1:123456789012:function:proto"}`
	if out.FunctionError != "" || string(out.Payload) != want {
		t.Fatalf("got %q %s, want %s", out.FunctionError, out.Payload, want)
	}
	// What the runtime printed after answering lands in the stream once the
	// next event arrives.
	b.invoke(t, "proto", `{}`)
	streams, _ := b.svc.Logs().Streams("/aws/lambda/proto", "")
	events, _, _, _ := b.svc.Logs().Events("/aws/lambda/proto", streams[0].Name, logstoreQuery())
	var text strings.Builder
	for _, e := range events {
		text.WriteString(e.Message)
	}
	if !strings.Contains(text.String(), `post answered {"status":"OK"}; wrong id answered {"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`) {
		t.Errorf("log:\n%s", text.String())
	}
}

// TestResponseTooLarge: a result over 6 MB fails the invoke with
// Function.ResponseSizeTooLarge.
func TestResponseTooLarge(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "big", runtime: "python3.12", handler: "app.handler", files: map[string]string{
		"app.py": "def handler(e, c):\n    return 'x' * e['n']\n"}})
	out := b.invoke(t, "big", `{"n":7000000}`)
	if d := decodeErr(t, out); d.ErrorType != "Function.ResponseSizeTooLarge" ||
		d.ErrorMessage != "Response payload size exceeded maximum allowed payload size (6291456 bytes)." {
		t.Fatalf("got %s", out.Payload)
	}
	if out := b.invoke(t, "big", `{"n":3}`); string(out.Payload) != `"xxx"` {
		t.Fatalf("after an oversized response: %q %s", out.FunctionError, out.Payload)
	}
}
