package lambda

import (
	"context"
	"strings"
	"testing"
)

// jsonOfSize returns a JSON string document of exactly n bytes.
func jsonOfSize(n int) []byte { return []byte(`"` + strings.Repeat("x", n-2) + `"`) }

// TestInvokePayloadLimits pins both sides of the payload limits: 1 MB
// (1,048,576 bytes) for Event invokes since AWS raised it from 256 KB (AWS
// Compute Blog, "More room to build: serverless services now support
// payloads up to 1 MB"; the Invoke API reference), 6 MB for synchronous ones.
func TestInvokePayloadLimits(t *testing.T) {
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "sink", runtime: "python3.12", handler: "app.handler",
		files: map[string]string{"app.py": "def handler(e, c):\n    return len(e)\n"}})
	cases := []struct {
		name, invType string
		size          int
		status        int    // 0 when the invoke must be refused
		tooLarge      string // the refusal's message
		runs          bool   // runs the function synchronously (needs python3)
	}{
		{name: "event of 256 KB + 2 (the old limit)", invType: InvocationEvent, size: 262146, status: 202},
		{name: "event of exactly 1 MB", invType: InvocationEvent, size: 1 << 20, status: 202},
		{name: "event of 1 MB + 1", invType: InvocationEvent, size: 1<<20 + 1,
			tooLarge: "Request must be smaller than 1048576 bytes for the Invoke operation"},
		{name: "dry run of exactly 6 MB", invType: InvocationDryRun, size: 6 << 20, status: 204},
		{name: "request-response of exactly 6 MB", invType: InvocationRequestResponse, size: 6 << 20, status: 200, runs: true},
		{name: "request-response of 6 MB + 1", invType: InvocationRequestResponse, size: 6<<20 + 1,
			tooLarge: "Request must be smaller than 6291456 bytes for the Invoke operation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.runs {
				needTool(t, "python3")
			}
			out, err := b.svc.Invoke(context.Background(), &InvokeInput{FunctionName: "sink", InvocationType: c.invType, Payload: jsonOfSize(c.size)})
			if c.tooLarge != "" {
				e := apiErr(t, err)
				if e.Code != "RequestEntityTooLargeException" || e.Status != 413 || e.Message != c.tooLarge {
					t.Fatalf("got %s %d %q", e.Code, e.Status, e.Message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.StatusCode != c.status || out.FunctionError != "" {
				t.Fatalf("got %d %s %.200s", out.StatusCode, out.FunctionError, out.Payload)
			}
		})
	}
}
