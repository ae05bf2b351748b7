package lambda

import "context"

// Invocation types accepted by [Invoker.Invoke].
const (
	InvocationRequestResponse = "RequestResponse"
	InvocationEvent           = "Event"
	InvocationDryRun          = "DryRun"
)

// Log types accepted by [Invoker.Invoke].
const (
	LogTypeNone = "None"
	LogTypeTail = "Tail"
)

// FunctionErrorUnhandled is the only value of [InvokeOutput.FunctionError]
// current Lambda runtimes produce.
const FunctionErrorUnhandled = "Unhandled"

// VersionLatest is the version that changes with every update; published
// versions are numbered 1, 2, ...
const VersionLatest = "$LATEST"

// InvokeInput is a request to run a function.
type InvokeInput struct {
	// FunctionName is a name, a partial ARN (123456789012:function:name) or a
	// full ARN, optionally ending in :qualifier.
	FunctionName string
	// Qualifier is a version ($LATEST or a published number) or an alias.
	Qualifier string
	// Payload is the event, JSON. Empty means {}.
	Payload []byte
	// InvocationType is "RequestResponse" (the default), "Event" or "DryRun".
	InvocationType string
	// LogType is "None" (the default) or "Tail".
	LogType string
	// ClientContext is base64-encoded JSON handed to the function.
	ClientContext string
}

// InvokeOutput is the result of an invoke.
type InvokeOutput struct {
	// StatusCode is 200 (RequestResponse), 202 (Event) or 204 (DryRun).
	StatusCode int
	// Payload is the function's result bytes, or the error document when
	// FunctionError is set.
	Payload []byte
	// FunctionError is "Unhandled" when the function failed, else "".
	FunctionError string
	// LogResult is the base64 of the last 4 KB of the invocation's log, when
	// LogType was Tail.
	LogResult string
	// ExecutedVersion is the version that ran ("$LATEST" or a number; for
	// an alias with routing weights, the one picked).
	ExecutedVersion string
	// RequestID identifies the invocation.
	RequestID string
}

// Invoker is what the workflow engine uses to call functions.
type Invoker interface {
	Invoke(ctx context.Context, in *InvokeInput) (*InvokeOutput, error)
}

var _ Invoker = (*Service)(nil)
