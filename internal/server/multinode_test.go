package server

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"stepd/internal/server/servertest"
	"stepd/internal/store/postgres/pgtest"
)

// node is one stepd process of a fleet, run in this test process.
type node struct {
	srv  *Server
	stop func()
	c    *sdk.Client
}

func startNode(t *testing.T, name, dsn string) *node {
	t.Helper()
	srv, err := New(Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Store: dsn, Node: name, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	stop := servertest.Run(t, srv)
	return &node{srv: srv, stop: stop, c: sfnClient(t, srv.URL())}
}

func sfnClient(t *testing.T, endpoint string) *sdk.Client {
	t.Helper()
	return sdk.New(sdk.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  aws.AnonymousCredentials{},
	})
}

// waitStatus polls DescribeExecution on c until the execution ends.
func waitStatus(t *testing.T, c *sdk.Client, arn string, within time.Duration) *sdk.DescribeExecutionOutput {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		d, err := c.DescribeExecution(context.Background(), &sdk.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusRunning {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still RUNNING after %s", arn, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkHistory asserts that an execution's events are numbered 1..n with
// no gap or repeat, and returns their types.
func checkHistory(t *testing.T, c *sdk.Client, arn string) []types.HistoryEventType {
	t.Helper()
	var out []types.HistoryEventType
	p := sdk.NewGetExecutionHistoryPaginator(c, &sdk.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			if e.Id != int64(len(out)+1) {
				t.Fatalf("%s: event %d has id %d", arn, len(out)+1, e.Id)
			}
			out = append(out, e.Type)
		}
	}
	return out
}

// TestMultiNodeFailover runs two nodes on one PostgreSQL database: what one
// node creates the other sees, and when a node stops, the other finishes
// the executions it was driving, with whole histories.
func TestMultiNodeFailover(t *testing.T) {
	dsn := pgtest.SchemaDSN(t)
	a := startNode(t, "node-a", dsn)
	b := startNode(t, "node-b", dsn)
	ctx := context.Background()

	def := `{"StartAt": "Before", "States": {
		"Before": {"Type": "Pass", "Result": "x", "ResultPath": "$.before", "Next": "Wait"},
		"Wait": {"Type": "Wait", "Seconds": 1, "Next": "After"},
		"After": {"Type": "Pass", "Result": "y", "ResultPath": "$.after", "End": true}}}`
	sm, err := a.c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("failover"), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.c.DescribeStateMachine(ctx, &sdk.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil {
		t.Fatalf("node b does not see node a's state machine: %v", err)
	}

	const n = 40
	arns := make([]string, n)
	for i := range arns {
		out, err := a.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(fmt.Sprintf("run-%02d", i)), Input: aws.String(fmt.Sprintf(`{"i":%d}`, i))})
		if err != nil {
			t.Fatal(err)
		}
		arns[i] = *out.ExecutionArn
	}
	// Every execution sits in its 1 s Wait, driven by node a. Stop it: it
	// hands its leases back and node b takes the executions over.
	a.stop()
	for i, arn := range arns {
		d := waitStatus(t, b.c, arn, 30*time.Second)
		want := fmt.Sprintf(`{"i":%d,"before":"x","after":"y"}`, i)
		if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != want {
			t.Errorf("%s: %s %s, want SUCCEEDED %s", arn, d.Status, aws.ToString(d.Output), want)
		}
		events := checkHistory(t, b.c, arn)
		if len(events) != 8 || events[len(events)-1] != types.HistoryEventTypeExecutionSucceeded {
			t.Errorf("%s: history %v", arn, events)
		}
	}
	list, err := b.c.ListExecutions(ctx, &sdk.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, StatusFilter: types.ExecutionStatusSucceeded})
	if err != nil || len(list.Executions) != n {
		t.Errorf("list on node b: %d executions, %v", len(list.Executions), err)
	}
}

// TestMultiNodeRequests answers, through one node, the activity tasks of
// executions another node drives, and stops them there: the requests reach
// the owner through the database.
func TestMultiNodeRequests(t *testing.T) {
	dsn := pgtest.SchemaDSN(t)
	a := startNode(t, "node-a", dsn)
	b := startNode(t, "node-b", dsn)
	ctx := context.Background()

	act, err := a.c.CreateActivity(ctx, &sdk.CreateActivityInput{Name: aws.String("work")})
	if err != nil {
		t.Fatal(err)
	}
	def := fmt.Sprintf(`{"StartAt": "Work", "States": {
		"Work": {"Type": "Task", "Resource": %q, "HeartbeatSeconds": 60, "End": true}}}`, *act.ActivityArn)
	sm, err := a.c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("worker"), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	if err != nil {
		t.Fatal(err)
	}
	start := func(name string) string {
		t.Helper()
		out, err := a.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(name), Input: aws.String(`{"job":"` + name + `"}`)})
		if err != nil {
			t.Fatal(err)
		}
		return *out.ExecutionArn
	}
	// take polls node b for the activity's next task.
	take := func(worker string) *sdk.GetActivityTaskOutput {
		t.Helper()
		task, err := b.c.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: act.ActivityArn, WorkerName: aws.String(worker)})
		if err != nil || task.TaskToken == nil {
			t.Fatalf("no task on node b: %v", err)
		}
		return task
	}
	historyTypes := func(arn string) []types.HistoryEventType { return checkHistory(t, a.c, arn) }

	t.Run("success with heartbeat", func(t *testing.T) {
		arn := start("ok")
		task := take("w1")
		if aws.ToString(task.Input) != `{"job":"ok"}` {
			t.Errorf("input %s", aws.ToString(task.Input))
		}
		if _, err := b.c.SendTaskHeartbeat(ctx, &sdk.SendTaskHeartbeatInput{TaskToken: task.TaskToken}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{"done":true}`)}); err != nil {
			t.Fatal(err)
		}
		d := waitStatus(t, a.c, arn, 20*time.Second)
		if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"done":true}` {
			t.Errorf("%s %s", d.Status, aws.ToString(d.Output))
		}
		want := []types.HistoryEventType{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"}
		if got := historyTypes(arn); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("history %v\nwant %v", got, want)
		}
		// The task is over: AWS answers TaskTimedOut, on any node.
		_, err := b.c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{}`)})
		if !errors.As(err, new(*types.TaskTimedOut)) {
			t.Errorf("answering twice: %v, want TaskTimedOut", err)
		}
	})

	t.Run("failure", func(t *testing.T) {
		arn := start("bad")
		task := take("w2")
		if _, err := b.c.SendTaskFailure(ctx, &sdk.SendTaskFailureInput{TaskToken: task.TaskToken, Error: aws.String("Boom"), Cause: aws.String("it broke")}); err != nil {
			t.Fatal(err)
		}
		d := waitStatus(t, a.c, arn, 20*time.Second)
		if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Boom" || aws.ToString(d.Cause) != "it broke" {
			t.Errorf("%s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
		}
	})

	t.Run("stop", func(t *testing.T) {
		arn := start("stopped")
		out, err := b.c.StopExecution(ctx, &sdk.StopExecutionInput{ExecutionArn: aws.String(arn), Error: aws.String("Halt"), Cause: aws.String("by node b")})
		if err != nil {
			t.Fatal(err)
		}
		d, err := a.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusAborted || aws.ToString(d.Error) != "Halt" || !d.StopDate.Equal(aws.ToTime(out.StopDate)) {
			t.Errorf("%s %s, stop date %v vs %v", d.Status, aws.ToString(d.Error), d.StopDate, out.StopDate)
		}
	})
}
