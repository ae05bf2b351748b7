package sfn_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"stepd/internal/server"
	"stepd/internal/server/servertest"
)

// sdkRole is the role ARN the SDK tests' state machines run with.
const sdkRole = "arn:aws:iam::123456789012:role/stepd-sdk-test"

// waitTimeout bounds every wait for an asynchronous execution.
const waitTimeout = 60 * time.Second

// allOperations are the Step Functions API's actions, as `aws stepfunctions
// help` lists them (in the API's spelling): every one must be exercised
// through the SDK by the tests of this file's package.
var allOperations = []string{
	"CreateActivity", "CreateStateMachine", "CreateStateMachineAlias", "DeleteActivity", "DeleteStateMachine",
	"DeleteStateMachineAlias", "DeleteStateMachineVersion", "DescribeActivity", "DescribeExecution", "DescribeMapRun",
	"DescribeStateMachine", "DescribeStateMachineAlias", "DescribeStateMachineForExecution", "GetActivityTask",
	"GetExecutionHistory", "ListActivities", "ListExecutions", "ListMapRuns", "ListStateMachineAliases",
	"ListStateMachineVersions", "ListStateMachines", "ListTagsForResource", "PublishStateMachineVersion",
	"RedriveExecution", "SendTaskFailure", "SendTaskHeartbeat", "SendTaskSuccess", "StartExecution",
	"StartSyncExecution", "StopExecution", "TagResource", "TestState", "UntagResource", "UpdateMapRun",
	"UpdateStateMachine", "UpdateStateMachineAlias", "ValidateStateMachineDefinition",
}

// called records the operations the SDK sent (whatever the outcome).
var called = struct {
	sync.Mutex
	ops map[string]bool
}{ops: map[string]bool{}}

// recordOperation is SDK middleware noting each operation sent.
func recordOperation(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("stepdRecordOperation",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			called.Lock()
			called.ops[middleware.GetOperationName(ctx)] = true
			called.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

// noHostPrefix keeps the SDK from sending StartSyncExecution and TestState
// to "sync-<host>" (research/deps.md §5): stepd is one endpoint.
func noHostPrefix(o *sdk.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("stepdNoHostPrefix",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.Before)
	})
}

// TestMain runs the tests, then checks (on a full, successful run) that
// they sent every Step Functions action through the SDK.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		var missing []string
		for _, op := range allOperations {
			if !called.ops[op] {
				missing = append(missing, op)
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: the SDK tests never sent these Step Functions actions: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// sdkEnv is a running stepd serve and an SDK client for it.
type sdkEnv struct {
	t   *testing.T
	srv *server.Server
	c   *sdk.Client
	ctx context.Context
}

// newSDKEnv starts `stepd serve` in process on a free port with the given
// store ("memory", or "" for the default SQLite store in a temporary data
// directory) and returns an SDK client for it. Everything stops when the
// test ends.
func newSDKEnv(t *testing.T, store string) *sdkEnv {
	t.Helper()
	srv, err := server.New(server.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Store: store,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	servertest.Run(t, srv)
	c := sdk.New(sdk.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL()),
		APIOptions:   []func(*middleware.Stack) error{recordOperation},
	})
	return &sdkEnv{t: t, srv: srv, c: c, ctx: context.Background()}
}

// createMachine creates a state machine and returns its ARN.
func (e *sdkEnv) createMachine(name, definition string, opts ...func(*sdk.CreateStateMachineInput)) string {
	e.t.Helper()
	in := &sdk.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(definition), RoleArn: aws.String(sdkRole)}
	for _, o := range opts {
		o(in)
	}
	out, err := e.c.CreateStateMachine(e.ctx, in)
	if err != nil {
		e.t.Fatalf("create state machine %s: %v", name, err)
	}
	return *out.StateMachineArn
}

// express makes CreateStateMachine create an EXPRESS machine.
func express(in *sdk.CreateStateMachineInput) { in.Type = types.StateMachineTypeExpress }

// start starts an execution and returns its ARN.
func (e *sdkEnv) start(target, name, input string) string {
	e.t.Helper()
	in := &sdk.StartExecutionInput{StateMachineArn: aws.String(target), Input: aws.String(input)}
	if name != "" {
		in.Name = aws.String(name)
	}
	out, err := e.c.StartExecution(e.ctx, in)
	if err != nil {
		e.t.Fatalf("start execution of %s: %v", target, err)
	}
	return *out.ExecutionArn
}

// describe describes an execution.
func (e *sdkEnv) describe(arn string) *sdk.DescribeExecutionOutput {
	e.t.Helper()
	out, err := e.c.DescribeExecution(e.ctx, &sdk.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		e.t.Fatalf("describe execution %s: %v", arn, err)
	}
	return out
}

// waitFor polls an execution until cond holds, failing the test after
// waitTimeout.
func (e *sdkEnv) waitFor(arn string, what string, cond func(*sdk.DescribeExecutionOutput) bool) *sdk.DescribeExecutionOutput {
	e.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		d := e.describe(arn)
		if cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("execution %s: still %s after %v, waiting for %s", arn, d.Status, waitTimeout, what)
		}
		<-tick.C
	}
}

// waitDone waits until an execution has ended.
func (e *sdkEnv) waitDone(arn string) *sdk.DescribeExecutionOutput {
	e.t.Helper()
	return e.waitFor(arn, "it to end", func(d *sdk.DescribeExecutionOutput) bool { return d.Status != types.ExecutionStatusRunning })
}

// waitEvent waits until an execution's history has an event of type typ.
func (e *sdkEnv) waitEvent(arn string, typ types.HistoryEventType) {
	e.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, ev := range e.history(arn) {
			if ev.Type == typ {
				return
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("execution %s: no %s event after %v", arn, typ, waitTimeout)
		}
		<-tick.C
	}
}

// history reads an execution's whole history with the paginator.
func (e *sdkEnv) history(arn string) []types.HistoryEvent {
	e.t.Helper()
	var out []types.HistoryEvent
	p := sdk.NewGetExecutionHistoryPaginator(e.c, &sdk.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx)
		if err != nil {
			e.t.Fatalf("history of %s: %v", arn, err)
		}
		out = append(out, page.Events...)
	}
	return out
}

// eventTypes lists the types of events.
func eventTypes(events []types.HistoryEvent) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = string(ev.Type)
	}
	return out
}

// asError checks that err is (wraps) an error of type T and returns it.
func asError[T error](t *testing.T, err error, what string) T {
	t.Helper()
	var target T
	if err == nil {
		t.Fatalf("%s: succeeded, want %T", what, target)
	}
	if !errors.As(err, &target) {
		t.Fatalf("%s: got %v (%T), want %T", what, err, err, target)
	}
	return target
}

// checkErr is asError for table-driven tests: it reports instead of
// stopping.
func checkErr[T error](t *testing.T, err error, what, wantInMessage string) {
	t.Helper()
	var target T
	switch {
	case err == nil:
		t.Errorf("%s: succeeded, want %T", what, target)
	case !errors.As(err, &target):
		t.Errorf("%s: got %v (%T), want %T", what, err, err, target)
	case wantInMessage != "" && !strings.Contains(err.Error(), wantInMessage):
		t.Errorf("%s: error %q does not mention %q", what, err, wantInMessage)
	}
}

// checkCode checks that err is an API error with that code. It is for the
// errors AWS returns that the SDK's model of the operation does not list
// (model validation errors, mostly): the SDK returns them as a generic
// smithy.APIError.
func checkCode(t *testing.T, err error, what, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Errorf("%s: got %v, want an API error %s", what, err, code)
	}
}

// machine definitions shared by the tests.
const (
	passDef = `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": true}, "ResultPath": "$.result", "End": true}}}`
	failDef = `{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "it failed"}}}`
	waitDef = `{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}`
)
