package api

import (
	"context"
	"errors"

	"stepd/internal/sfn"
)

// RegisterStepFunctions attaches the Step Functions API (AWS JSON 1.0,
// X-Amz-Target AWSStepFunctions.<Operation>) to the router.
func RegisterStepFunctions(r *Router, svc *sfn.Service) {
	ops := map[string]func(name string) JSONOperation{
		"CreateStateMachine":               op(svc.CreateStateMachine),
		"DescribeStateMachine":             op(svc.DescribeStateMachine),
		"UpdateStateMachine":               op(svc.UpdateStateMachine),
		"DeleteStateMachine":               op(svc.DeleteStateMachine),
		"ListStateMachines":                op(svc.ListStateMachines),
		"ValidateStateMachineDefinition":   op(svc.ValidateStateMachineDefinition),
		"StartExecution":                   op(svc.StartExecution),
		"StartSyncExecution":               op(svc.StartSyncExecution),
		"DescribeExecution":                op(svc.DescribeExecution),
		"ListExecutions":                   op(svc.ListExecutions),
		"GetExecutionHistory":              op(svc.GetExecutionHistory),
		"StopExecution":                    op(svc.StopExecution),
		"DescribeStateMachineForExecution": op(svc.DescribeStateMachineForExecution),
		"CreateActivity":                   op(svc.CreateActivity),
		"DescribeActivity":                 op(svc.DescribeActivity),
		"DeleteActivity":                   op(svc.DeleteActivity),
		"ListActivities":                   op(svc.ListActivities),
		"GetActivityTask":                  op(svc.GetActivityTask),
		"SendTaskSuccess":                  op(svc.SendTaskSuccess),
		"SendTaskFailure":                  op(svc.SendTaskFailure),
		"SendTaskHeartbeat":                op(svc.SendTaskHeartbeat),
		"PublishStateMachineVersion":       op(svc.PublishStateMachineVersion),
		"ListStateMachineVersions":         op(svc.ListStateMachineVersions),
		"DeleteStateMachineVersion":        op(svc.DeleteStateMachineVersion),
		"CreateStateMachineAlias":          op(svc.CreateStateMachineAlias),
		"DescribeStateMachineAlias":        op(svc.DescribeStateMachineAlias),
		"UpdateStateMachineAlias":          op(svc.UpdateStateMachineAlias),
		"DeleteStateMachineAlias":          op(svc.DeleteStateMachineAlias),
		"ListStateMachineAliases":          op(svc.ListStateMachineAliases),
		"TagResource":                      op(svc.TagResource),
		"UntagResource":                    op(svc.UntagResource),
		"ListTagsForResource":              op(svc.ListTagsForResource),
		"TestState":                        op(svc.TestState),
		"RedriveExecution":                 op(svc.RedriveExecution),
		"DescribeMapRun":                   op(svc.DescribeMapRun),
		"ListMapRuns":                      op(svc.ListMapRuns),
		"UpdateMapRun":                     op(svc.UpdateMapRun),
	}
	operations := make(map[string]JSONOperation, len(ops))
	for name, bind := range ops {
		operations[name] = bind(name)
	}
	r.Targets().Register("AWSStepFunctions", &JSONService{ContentType: ContentTypeJSON10, Operations: operations})
}

// op adapts a service method to the JSON operation name: it checks the
// request against the API model (as AWS does before running an operation),
// decodes it into In and maps service errors to AWS errors.
func op[In any, Out any](f func(context.Context, *In) (Out, error)) func(name string) JSONOperation {
	return func(name string) JSONOperation {
		return func(ctx context.Context, body []byte) (any, error) {
			if err := sfn.ValidateRequest(name, body); err != nil {
				return nil, sfnError(err)
			}
			var in In
			if err := DecodeJSON(body, &in); err != nil {
				return nil, err
			}
			out, err := f(ctx, &in)
			if err != nil {
				return nil, sfnError(err)
			}
			return out, nil
		}
	}
}

// sfnError maps a Step Functions error to an AWS error; other errors are
// internal failures.
func sfnError(err error) error {
	var se *sfn.Error
	if errors.As(err, &se) {
		return &Error{Code: se.Code, Message: se.Message, Fields: se.Fields}
	}
	return err
}
