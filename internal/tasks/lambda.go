package tasks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/jsonv"
	"stepd/internal/lambda"
)

// LambdaDispatcher calls functions for direct function ARNs and for the
// optimized arn:aws:states:::lambda:invoke integration, and maps results and
// errors the way Step Functions does (aws-semantics.md §3.4).
type LambdaDispatcher struct {
	Invoker lambda.Invoker
}

// Dispatch implements Dispatcher.
func (d *LambdaDispatcher) Dispatch(ctx context.Context, req *engine.TaskRequest, rep Reporter) {
	go d.run(ctx, req, rep)
}

func (d *LambdaDispatcher) run(ctx context.Context, req *engine.TaskRequest, rep Reporter) {
	res := req.Resource
	in := &lambda.InvokeInput{InvocationType: "RequestResponse"}
	optimized := res.Kind == asl.ResourceService
	if optimized {
		params, _ := req.Input.(*jsonv.Object)
		if params == nil {
			rep.Failed("States.Runtime", "The Parameters of a lambda:invoke task must be an object with a FunctionName")
			return
		}
		fn, _ := params.Get("FunctionName")
		in.FunctionName, _ = fn.(string)
		// A string Payload is sent as it is, not JSON-encoded (observed: a
		// Payload of "0.0" reaches the function as the number 0.0); no or a
		// null Payload sends an empty object.
		switch p, _ := params.Get("Payload"); p := p.(type) {
		case nil:
			in.Payload = []byte("{}")
		case string:
			in.Payload = []byte(p)
		default:
			in.Payload = []byte(jsonv.Marshal(p))
		}
		if q, ok := params.Get("Qualifier"); ok {
			in.Qualifier, _ = q.(string)
		}
		if it, ok := params.Get("InvocationType"); ok {
			in.InvocationType, _ = it.(string)
		}
		if lt, ok := params.Get("LogType"); ok {
			in.LogType, _ = lt.(string)
		}
		if cc, ok := params.Get("ClientContext"); ok {
			in.ClientContext, _ = cc.(string)
		}
	} else {
		in.FunctionName = res.ARN
		in.Payload = []byte(req.InputText)
	}
	out, err := d.Invoker.Invoke(ctx, in)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		var ae *lambda.APIError
		if errors.As(err, &ae) {
			rep.Failed("Lambda."+ae.Code, ae.Cause(requestIDOf(out)))
			return
		}
		rep.Failed("Lambda.ServiceException", err.Error())
		return
	}
	if out.FunctionError != "" {
		rep.Failed(functionError(out.Payload, optimized))
		return
	}
	payload := parsePayload(out.Payload)
	if !optimized {
		rep.Succeeded(payload)
		return
	}
	if req.Resource.Pattern == asl.WaitForTaskToken {
		rep.Submitted(invokeResponse(out, payload)) // the result comes with the token
		return
	}
	rep.Succeeded(invokeResponse(out, payload))
}

func requestIDOf(out *lambda.InvokeOutput) string {
	if out != nil && out.RequestID != "" {
		return out.RequestID
	}
	return uuid.NewString()
}

// functionError maps a function's error document to the task's error name
// and cause: the document's errorType (or Lambda.Unknown), and the document
// itself as Lambda returned it (direct ARN) or re-serialised compactly
// (lambda:invoke).
func functionError(payload []byte, compact bool) (string, string) {
	doc, err := jsonv.Parse(payload)
	obj, _ := doc.(*jsonv.Object)
	if err != nil || obj == nil {
		return "Lambda.Unknown", "The cause could not be determined because Lambda did not return an error type. Returned payload: " + string(payload)
	}
	et, _ := obj.Get("errorType")
	name, ok := et.(string)
	if !ok || name == "" {
		return "Lambda.Unknown", "The cause could not be determined because Lambda did not return an error type. Returned payload: " + string(payload)
	}
	if compact {
		return name, jsonv.Marshal(obj)
	}
	return name, string(payload)
}

// parsePayload reads a function's result; bytes that are not JSON become a
// string.
func parsePayload(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	v, err := jsonv.Parse(b)
	if err != nil {
		return string(b)
	}
	return v
}

// invokeResponse is the result of the optimized integration: the Invoke
// response with the SDK's HTTP metadata, in the key order AWS records.
func invokeResponse(out *lambda.InvokeOutput, payload any) *jsonv.Object {
	rid := requestIDOf(out)
	date := time.Now().UTC().Format(http.TimeFormat)
	const traceID = "Root=1-00000000-000000000000000000000000;Sampled=0"
	length := fmt.Sprint(len(out.Payload))
	version := out.ExecutedVersion
	if version == "" {
		version = "$LATEST"
	}
	all := jsonv.NewObject(9)
	if out.LogResult != "" {
		all.Set("X-Amz-Log-Result", []any{out.LogResult})
	}
	for _, kv := range [][2]any{
		{"X-Amz-Executed-Version", []any{version}},
		{"x-amzn-Remapped-Content-Length", []any{"0"}},
		{"Connection", []any{"keep-alive"}},
		{"x-amzn-RequestId", []any{rid}},
		{"Content-Length", []any{length}},
		{"Date", []any{date}},
		{"X-Amzn-Trace-Id", []any{traceID}},
		{"Content-Type", []any{"application/json"}},
	} {
		all.Set(kv[0].(string), kv[1])
	}
	headers := jsonv.ObjectOf(
		"Connection", "keep-alive",
		"Content-Length", length,
		"Content-Type", "application/json",
		"Date", date,
		"X-Amz-Executed-Version", version,
	)
	if out.LogResult != "" {
		headers.Set("X-Amz-Log-Result", out.LogResult)
	}
	headers.Set("x-amzn-Remapped-Content-Length", "0")
	headers.Set("x-amzn-RequestId", rid)
	headers.Set("X-Amzn-Trace-Id", traceID)
	status := int64(out.StatusCode)
	if status == 0 {
		status = 200
	}
	resp := jsonv.NewObject(6)
	resp.Set("ExecutedVersion", version)
	if out.LogResult != "" {
		resp.Set("LogResult", out.LogResult)
	}
	resp.Set("Payload", payload)
	resp.Set("SdkHttpMetadata", jsonv.ObjectOf("AllHttpHeaders", all, "HttpHeaders", headers, "HttpStatusCode", status))
	resp.Set("SdkResponseMetadata", jsonv.ObjectOf("RequestId", rid))
	resp.Set("StatusCode", status)
	return resp
}
