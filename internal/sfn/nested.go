package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/jsonv"
	"stepd/internal/store"
	"stepd/internal/tasks"
)

// nestedDispatcher runs the arn:aws:states:::states:startExecution
// integration (plain, .sync, .sync:2 and .waitForTaskToken): it starts an
// execution of another state machine and, for .sync, waits for it.
type nestedDispatcher struct{ s *Service }

// Dispatch implements tasks.Dispatcher.
func (d *nestedDispatcher) Dispatch(ctx context.Context, req *engine.TaskRequest, rep tasks.Reporter) {
	if req.Resource.Action != "startExecution" {
		unsupported{}.Dispatch(ctx, req, rep)
		return
	}
	go d.run(ctx, req, rep)
}

// startChecked is StartExecution with the request first checked against
// the API model, as the API call the integration makes is.
func (s *Service) startChecked(ctx context.Context, in *StartExecutionInput) (*StartExecutionOutput, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	if err := ValidateRequest("StartExecution", body); err != nil {
		return nil, err
	}
	return s.StartExecution(ctx, in)
}

func (d *nestedDispatcher) run(ctx context.Context, req *engine.TaskRequest, rep tasks.Reporter) {
	params, _ := req.Input.(*jsonv.Object)
	smARN, _ := getString(params, "StateMachineArn")
	if smARN == "" {
		rep.Failed("States.Runtime", "The Parameters of a states:startExecution task need a StateMachineArn")
		return
	}
	in := &StartExecutionInput{StateMachineArn: smARN}
	if name, ok := getString(params, "Name"); ok {
		in.Name = &name
	}
	if v, ok := params.Get("Input"); ok {
		text, isStr := v.(string)
		if !isStr {
			text = jsonv.Marshal(v)
		}
		in.Input = &text
	}
	out, err := d.s.startChecked(ctx, in)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			rep.Failed("StepFunctions."+strings.TrimSuffix(e.Code, "Exception")+"Exception", e.Message)
		} else if ctx.Err() == nil {
			rep.Failed("StepFunctions.SdkClientException", err.Error())
		}
		return
	}
	started := jsonv.ObjectOf("ExecutionArn", out.ExecutionArn, "StartDate", time.Time(*out.StartDate).UnixMilli())
	pattern := req.Resource.Pattern
	switch pattern {
	case asl.RequestResponse:
		rep.Succeeded(started)
		return
	case asl.WaitForTaskToken:
		rep.Submitted(started) // the result comes with the task token
		return
	}
	rep.Submitted(started)
	if l := d.s.exec.get(out.ExecutionArn); l != nil {
		select {
		case <-l.done:
		case <-ctx.Done():
			return
		}
	}
	rec, err := d.s.waitEnded(ctx, out.ExecutionArn)
	if err != nil {
		return
	}
	desc := describeForTask(rec, pattern == asl.RunJobV2, d.s.now())
	if rec.Status == store.Succeeded {
		rep.Succeeded(desc)
		return
	}
	rep.Failed(asl.ErrTaskFailed, jsonv.Marshal(desc))
}

// waitEnded returns an execution once it has ended (for executions driven
// by another node it polls).
func (s *Service) waitEnded(ctx context.Context, arn string) (*store.Execution, error) {
	for {
		rec, err := s.store.GetExecution(ctx, arn, 0)
		if err != nil {
			return nil, err
		}
		if rec.Status.Terminal() {
			return rec, nil
		}
		if l := s.exec.get(arn); l != nil {
			select {
			case <-l.done:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		// Not running here: either it ended between the two reads (an
		// execution leaves the live set only after its last commit), or
		// another node drives it, which is polled.
		if rec, err = s.store.GetExecution(ctx, arn, 0); err != nil {
			return nil, err
		}
		if rec.Status.Terminal() {
			return rec, nil
		}
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// describeForTask is the result of a .sync startExecution task: the child's
// DescribeExecution output at now, with Input and Output as JSON text
// (.sync) or as JSON values (.sync:2).
func describeForTask(rec *store.Execution, parsed bool, now time.Time) *jsonv.Object {
	o := jsonv.NewObject(12)
	o.Set("ExecutionArn", rec.ARN)
	payload := func(key string, text *string) {
		if text == nil {
			return
		}
		if parsed {
			v, err := jsonv.ParseString(*text)
			if err == nil {
				o.Set(key, v)
				return
			}
		}
		o.Set(key, *text)
	}
	payload("Input", &rec.Input)
	o.Set("InputDetails", jsonv.ObjectOf("Included", true))
	o.Set("Name", rec.Name)
	if rec.Output != nil {
		payload("Output", rec.Output)
		o.Set("OutputDetails", jsonv.ObjectOf("Included", true))
	}
	o.Set("RedriveCount", rec.RedriveCount)
	status, _ := redriveStatus(rec, now)
	o.Set("RedriveStatus", status)
	o.Set("StartDate", rec.StartDate.UnixMilli())
	o.Set("StateMachineArn", rec.StateMachineARN)
	o.Set("Status", string(rec.Status))
	o.Set("StopDate", rec.StopDate.UnixMilli())
	if rec.Error != nil {
		o.Set("Error", *rec.Error)
	}
	if rec.Cause != nil {
		o.Set("Cause", *rec.Cause)
	}
	return o
}

func getString(o *jsonv.Object, key string) (string, bool) {
	if o == nil {
		return "", false
	}
	v, ok := o.Get(key)
	s, isStr := v.(string)
	return s, ok && isStr
}

// WaitForExecution blocks until an execution has ended (or ctx ends) and
// describes it.
func (s *Service) WaitForExecution(ctx context.Context, arn string) (*DescribeExecutionOutput, error) {
	if _, err := s.waitEnded(ctx, arn); err != nil {
		return nil, err
	}
	return s.DescribeExecution(ctx, &DescribeExecutionInput{ExecutionArn: arn})
}
