package lambda

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// attemptsPython appends "<request id>\n" to $ATTEMPTS on every run, then
// fails.
const attemptsPython = `import os
def handler(event, context):
    with open(os.environ["ATTEMPTS"], "a") as f:
        f.write(context.aws_request_id + "\n")
    raise RuntimeError("always fails")
`

// TestAsyncRetries: a failing Event invoke runs again MaximumRetryAttempts
// times (default 2) with the same request id; an event invoke
// configuration changes the count; a throttled event waits for capacity.
func TestAsyncRetries(t *testing.T) {
	needTool(t, "python3")
	ctx := context.Background()
	b := newTestService(t, Options{AsyncRetryDelays: []time.Duration{20 * time.Millisecond, 40 * time.Millisecond}})
	zero, one := 0, 1
	cases := []struct {
		name     string
		config   *EventInvokeConfigInput
		throttle bool
		want     int
	}{
		{"default: two retries", nil, false, 3},
		{"MaximumRetryAttempts 0", &EventInvokeConfigInput{MaximumRetryAttempts: &zero}, false, 1},
		{"MaximumRetryAttempts 1", &EventInvokeConfigInput{MaximumRetryAttempts: &one}, false, 2},
		{"throttled, then run", &EventInvokeConfigInput{MaximumRetryAttempts: &zero}, true, 1},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := "retry" + string(rune('a'+i))
			attempts := filepath.Join(t.TempDir(), "attempts")
			b.create(t, fnSpec{name: name, runtime: "python3.12", handler: "app.handler", env: map[string]string{"ATTEMPTS": attempts},
				files: map[string]string{"app.py": attemptsPython}})
			if c.config != nil {
				if _, err := b.svc.PutFunctionEventInvokeConfig(ctx, name, "", c.config); err != nil {
					t.Fatal(err)
				}
			}
			if c.throttle {
				if _, err := b.svc.PutFunctionConcurrency(ctx, name, 0); err != nil {
					t.Fatal(err)
				}
			}
			out, err := b.svc.Invoke(ctx, &InvokeInput{FunctionName: name, InvocationType: InvocationEvent})
			if err != nil {
				t.Fatal(err)
			}
			if c.throttle {
				time.Sleep(50 * time.Millisecond)
				if _, err := os.Stat(attempts); err == nil {
					t.Fatal("a throttled event ran")
				}
				if err := b.svc.DeleteFunctionConcurrency(ctx, name); err != nil {
					t.Fatal(err)
				}
			}
			var lines []string
			deadline := time.Now().Add(20 * time.Second)
			for len(lines) < c.want && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
				text, _ := os.ReadFile(attempts)
				lines = strings.Fields(string(text))
			}
			time.Sleep(150 * time.Millisecond) // no more attempts come
			text, _ := os.ReadFile(attempts)
			lines = strings.Fields(string(text))
			if len(lines) != c.want {
				t.Fatalf("%d attempts, want %d", len(lines), c.want)
			}
			for _, id := range lines {
				if id != out.RequestID {
					t.Errorf("attempt with request id %s, want %s", id, out.RequestID)
				}
			}
		})
	}
}

// TestEventInvokeConfig covers the configuration's API: put replaces,
// update merges, qualifiers are separate, bounds and destinations are
// checked, delete forgets.
func TestEventInvokeConfig(t *testing.T) {
	ctx := context.Background()
	b := newTestService(t, Options{})
	zip := zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 1\n"})
	if _, err := b.svc.CreateFunction(ctx, &CreateFunctionInput{FunctionName: "f", Runtime: "python3.12", Role: testRole, Handler: "app.handler", Code: FunctionCode{ZipFile: zip}}); err != nil {
		t.Fatal(err)
	}
	one, three, age := 1, 3, 120
	before, err := b.svc.GetFunctionConfiguration(ctx, "f", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.GetFunctionEventInvokeConfig(ctx, "f", ""); apiErr(t, err).Code != "ResourceNotFoundException" {
		t.Fatalf("get before put: %v", err)
	}
	put, err := b.svc.PutFunctionEventInvokeConfig(ctx, "f", "", &EventInvokeConfigInput{MaximumRetryAttempts: &one})
	if err != nil || put.FunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST" || *put.MaximumRetryAttempts != 1 || put.LastModified == 0 {
		t.Fatalf("put: %v %+v", err, put)
	}
	upd, err := b.svc.UpdateFunctionEventInvokeConfig(ctx, "f", "$LATEST", &EventInvokeConfigInput{MaximumEventAgeInSeconds: &age})
	if err != nil || *upd.MaximumRetryAttempts != 1 || *upd.MaximumEventAgeInSeconds != 120 {
		t.Fatalf("update merges: %v %+v", err, upd)
	}
	rep, err := b.svc.PutFunctionEventInvokeConfig(ctx, "f", "", &EventInvokeConfigInput{MaximumEventAgeInSeconds: &age})
	if err != nil || rep.MaximumRetryAttempts != nil {
		t.Fatalf("put replaces: %v %+v", err, rep)
	}
	bad := []struct {
		name      string
		qualifier string
		in        EventInvokeConfigInput
		code      string
	}{
		{"three retries", "", EventInvokeConfigInput{MaximumRetryAttempts: &three}, "ValidationException"},
		{"age under a minute", "", EventInvokeConfigInput{MaximumEventAgeInSeconds: &one}, "ValidationException"},
		{"a destination", "", EventInvokeConfigInput{DestinationConfig: &DestinationConfig{OnFailure: &Destination{Destination: ptrTo("arn:aws:sqs:us-east-1:123456789012:q")}}}, "InvalidParameterValueException"},
		{"unknown version", "7", EventInvokeConfigInput{}, "ResourceNotFoundException"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.svc.PutFunctionEventInvokeConfig(ctx, "f", c.qualifier, &c.in)
			if e := apiErr(t, err); e.Code != c.code {
				t.Fatalf("got %s %q, want %s", e.Code, e.Message, c.code)
			}
		})
	}
	list, err := b.svc.ListFunctionEventInvokeConfigs(ctx, "f")
	if err != nil || len(list.FunctionEventInvokeConfigs) != 1 {
		t.Fatalf("list: %v %+v", err, list)
	}
	// The configuration is not the function's: its revision stays.
	if after, err := b.svc.GetFunctionConfiguration(ctx, "f", ""); err != nil || after.RevisionID != before.RevisionID || after.LastModified != before.LastModified {
		t.Errorf("the function changed: %v %s %s, was %s %s", err, after.RevisionID, after.LastModified, before.RevisionID, before.LastModified)
	}
	// It survives a restart.
	if err := b.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	b = newTestService(t, Options{DataDir: b.dir})
	if got, err := b.svc.GetFunctionEventInvokeConfig(ctx, "f", ""); err != nil || *got.MaximumEventAgeInSeconds != 120 {
		t.Fatalf("after a restart: %v %+v", err, got)
	}
	if err := b.svc.DeleteFunctionEventInvokeConfig(ctx, "f", ""); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.DeleteFunctionEventInvokeConfig(ctx, "f", ""); apiErr(t, err).Code != "ResourceNotFoundException" {
		t.Fatalf("delete twice: %v", err)
	}
}

func ptrTo[T any](v T) *T { return &v }
