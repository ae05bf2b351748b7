package tasks_test

import (
	"context"
	"testing"

	"stepd/internal/engine"
	"stepd/internal/tasks"
)

// named is a dispatcher that answers with its own name.
func named(name string) tasks.Dispatcher {
	return tasks.DispatchFunc(func(_ context.Context, _ *engine.TaskRequest, rep tasks.Reporter) {
		rep.Succeeded(name)
	})
}

// TestRouter checks which dispatcher each kind of resource reaches.
func TestRouter(t *testing.T) {
	t.Parallel()
	full := &tasks.Router{
		Lambda:   named("lambda"),
		Activity: named("activity"),
		Services: map[string]tasks.Dispatcher{"states": named("states"), "sqs": named("sqs"), "*": named("fallback")},
	}
	bare := &tasks.Router{}
	noFallback := &tasks.Router{Services: map[string]tasks.Dispatcher{"states": named("states")}}

	noIntegration := func(arn string) string {
		return `[failed(States.Runtime, "stepd cannot run the resource '` + arn + `' here: no integration for it is configured")]`
	}
	tests := []struct {
		name     string
		router   *tasks.Router
		resource string
		want     string
	}{
		{"function ARN", full, "arn:aws:lambda:us-east-1:123456789012:function:f", `[succeeded("lambda")]`},
		{"function ARN with qualifier", full, "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST", `[succeeded("lambda")]`},
		{"lambda:invoke", full, "arn:aws:states:::lambda:invoke", `[succeeded("lambda")]`},
		{"lambda:invoke.waitForTaskToken", full, "arn:aws:states:::lambda:invoke.waitForTaskToken", `[succeeded("lambda")]`},
		{"activity", full, "arn:aws:states:us-east-1:123456789012:activity:a", `[succeeded("activity")]`},
		{"nested execution", full, "arn:aws:states:::states:startExecution.sync:2", `[succeeded("states")]`},
		{"sqs", full, "arn:aws:states:::sqs:sendMessage", `[succeeded("sqs")]`},
		{"fallback", full, "arn:aws:states:::dynamodb:putItem", `[succeeded("fallback")]`},
		// An SDK integration of Lambda is not the optimized one.
		{"aws-sdk lambda", full, "arn:aws:states:::aws-sdk:lambda:invoke", `[succeeded("fallback")]`},
		{"unknown resource", full, "arn:aws:sqs:us-east-1:123456789012:queue", noIntegration("arn:aws:sqs:us-east-1:123456789012:queue")},
		{"not an ARN", full, "hello", noIntegration("hello")},

		{"no lambda dispatcher", bare, "arn:aws:lambda:us-east-1:123456789012:function:f", noIntegration("arn:aws:lambda:us-east-1:123456789012:function:f")},
		{"no lambda dispatcher, lambda:invoke", bare, "arn:aws:states:::lambda:invoke", noIntegration("arn:aws:states:::lambda:invoke")},
		{"no activity dispatcher", bare, "arn:aws:states:us-east-1:123456789012:activity:a", noIntegration("arn:aws:states:us-east-1:123456789012:activity:a")},
		{"no services", bare, "arn:aws:states:::sqs:sendMessage", noIntegration("arn:aws:states:::sqs:sendMessage")},
		{"no fallback", noFallback, "arn:aws:states:::sqs:sendMessage", noIntegration("arn:aws:states:::sqs:sendMessage")},
		{"service without fallback", noFallback, "arn:aws:states:::states:startExecution", `[succeeded("states")]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder()
			tt.router.Dispatch(context.Background(), request("S", tt.resource, execA), rec)
			if got := rec.String(); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestRouterPassesThrough: the chosen dispatcher gets the router's
// context, request and reporter as they are.
func TestRouterPassesThrough(t *testing.T) {
	t.Parallel()
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	req := request("S", "arn:aws:states:::lambda:invoke", execA)
	rec := newRecorder()
	var called bool
	r := &tasks.Router{Lambda: tasks.DispatchFunc(func(c context.Context, got *engine.TaskRequest, rep tasks.Reporter) {
		called = true
		if c.Value(key{}) != "v" {
			t.Error("context not passed")
		}
		if got != req {
			t.Error("request not passed")
		}
		if rep != tasks.Reporter(rec) {
			t.Error("reporter not passed")
		}
	})}
	r.Dispatch(ctx, req, rec)
	if !called {
		t.Fatal("lambda dispatcher not called")
	}
}
