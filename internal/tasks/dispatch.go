package tasks

import (
	"context"
	"fmt"

	"stepd/internal/asl"
	"stepd/internal/engine"
)

// Reporter receives a task's progress. Exactly one of Succeeded or Failed
// ends the task; the others are optional and come first. A
// .waitForTaskToken task that reaches its service reports Submitted and
// stops there: its result arrives with the task token (SendTaskSuccess),
// not through the reporter. (A mocked one reports Succeeded too: mocks
// answer for the callback.)
type Reporter interface {
	// Started reports that a worker took an activity task.
	Started(workerName string)
	// Submitted reports the service's response to a .sync or
	// .waitForTaskToken request.
	Submitted(output any)
	// Heartbeat resets the task's heartbeat clock.
	Heartbeat()
	// Succeeded reports the task's result.
	Succeeded(output any)
	// Failed reports the task's error name and cause.
	Failed(errName, cause string)
}

// Dispatcher runs tasks. Dispatch must not block: long work belongs in a
// goroutine that reports through rep; ctx is cancelled when the engine no
// longer needs the result.
type Dispatcher interface {
	Dispatch(ctx context.Context, req *engine.TaskRequest, rep Reporter)
}

// DispatchFunc adapts a function to Dispatcher.
type DispatchFunc func(ctx context.Context, req *engine.TaskRequest, rep Reporter)

// Dispatch calls f.
func (f DispatchFunc) Dispatch(ctx context.Context, req *engine.TaskRequest, rep Reporter) {
	f(ctx, req, rep)
}

// Router sends each task to the dispatcher for its kind of resource.
type Router struct {
	// Lambda runs direct function ARNs and arn:aws:states:::lambda:invoke.
	Lambda Dispatcher
	// Activity runs activity tasks.
	Activity Dispatcher
	// Services runs other integrations, keyed by service ("states", "sqs",
	// ...); "*" is the fallback.
	Services map[string]Dispatcher
}

// Dispatch implements Dispatcher.
func (r *Router) Dispatch(ctx context.Context, req *engine.TaskRequest, rep Reporter) {
	res := req.Resource
	var d Dispatcher
	switch {
	case res.Kind == asl.ResourceLambda, res.Kind == asl.ResourceService && res.Service == "lambda":
		d = r.Lambda
	case res.Kind == asl.ResourceActivity:
		d = r.Activity
	case res.Kind == asl.ResourceService:
		d = r.Services[res.Service]
		if d == nil {
			d = r.Services["*"]
		}
	}
	if d == nil {
		rep.Failed(asl.ErrRuntime, fmt.Sprintf("stepd cannot run the resource '%s' here: no integration for it is configured", res.ARN))
		return
	}
	d.Dispatch(ctx, req, rep)
}
