package sfn_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"stepd/internal/sfn"
	"stepd/internal/store"
	"stepd/internal/store/memstore"
	"stepd/internal/store/postgres"
	"stepd/internal/store/postgres/pgtest"
	"stepd/internal/store/sqlite"
)

// deletingDef waits $.wait seconds, then passes: its executions make their
// next transition when the wait ends.
const deletingDef = `{"StartAt": "W", "States": {
	"W": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "P"},
	"P": {"Type": "Pass", "End": true}}}`

// startService starts a service on st as node, stopped when t ends (before
// the store closes).
func startService(t *testing.T, st store.Store, node string) *sfn.Service {
	t.Helper()
	svc, err := sfn.New(sfn.Options{Store: st, Node: node, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(context.Background()) })
	return svc
}

// apiCode returns the code of an API error ("" for nil or another error).
func apiCode(err error) string {
	var e *sfn.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// TestDeleteStateMachineWithRunningExecutions: DeleteStateMachine of a
// machine whose executions run marks it DELETING; each execution ends
// ABORTED at its next transition; the machine, its versions and aliases go
// when the last has ended; the executions stay readable. nodes[1] deletes
// what nodes[0] runs (another node on PostgreSQL).
func TestDeleteStateMachineWithRunningExecutions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		nodes func(t *testing.T) [2]*sfn.Service
	}{
		{"memstore", func(t *testing.T) [2]*sfn.Service {
			svc := startService(t, memstore.New(), "n1")
			return [2]*sfn.Service{svc, svc}
		}},
		{"sqlite", func(t *testing.T) [2]*sfn.Service {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "stepd.db"), sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			svc := startService(t, st, "n1")
			return [2]*sfn.Service{svc, svc}
		}},
		{"postgres two nodes", func(t *testing.T) [2]*sfn.Service {
			dsn, schema := pgtest.DSN(t), pgtest.Schema(t)
			var out [2]*sfn.Service
			for i, node := range []string{"n1", "n2"} {
				st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema, MaxConns: 4, Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				out[i] = startService(t, st, node)
			}
			return out
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			nodes := tc.nodes(t)
			runner, deleter := nodes[0], nodes[1]
			role, def := "arn:aws:iam::123456789012:role/r", deletingDef
			publish := true
			sm, err := runner.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: "doomed", Definition: &def, RoleArn: &role, Publish: &publish})
			if err != nil {
				t.Fatal(err)
			}
			alias, err := runner.CreateStateMachineAlias(ctx, &sfn.CreateStateMachineAliasInput{Name: "live",
				RoutingConfiguration: []sfn.RoutingConfigurationListItem{{StateMachineVersionArn: *sm.StateMachineVersionArn, Weight: 100}}})
			if err != nil {
				t.Fatal(err)
			}
			start := func(target, input string) string {
				t.Helper()
				out, err := runner.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: target, Input: &input})
				if err != nil {
					t.Fatal(err)
				}
				return out.ExecutionArn
			}
			first := start(sm.StateMachineArn, `{"wait": 3}`)
			second := start(alias.StateMachineAliasArn, `{"wait": 5}`)

			// A machine without running executions goes at once.
			idle, err := runner.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: "idle", Definition: &def, RoleArn: &role})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := deleter.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: idle.StateMachineArn}); err != nil {
				t.Fatal(err)
			}
			if _, err := deleter.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: idle.StateMachineArn}); apiCode(err) != "StateMachineDoesNotExist" {
				t.Errorf("describe a deleted idle machine: %v, want StateMachineDoesNotExist", err)
			}

			if _, err := deleter.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil {
				t.Fatal(err)
			}
			// DELETING while its executions run, on every node.
			for i, svc := range nodes {
				for _, arn := range []string{sm.StateMachineArn, *sm.StateMachineVersionArn} {
					d, err := svc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: arn})
					if err != nil || d.Status != "DELETING" {
						t.Fatalf("node %d: describe %s while deleting: %+v %v", i, arn, d, err)
					}
				}
			}
			if _, err := deleter.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil {
				t.Errorf("delete again while deleting: %v", err)
			}
			list, err := deleter.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
			if err != nil || len(list.StateMachines) != 1 || list.StateMachines[0].StateMachineArn != sm.StateMachineArn {
				t.Errorf("list while deleting: %+v %v", list, err)
			}
			for _, tgt := range []string{sm.StateMachineArn, alias.StateMachineAliasArn, *sm.StateMachineVersionArn} {
				if _, err := runner.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: tgt}); apiCode(err) != "StateMachineDeleting" {
					t.Errorf("start %s while deleting: %v, want StateMachineDeleting", tgt, err)
				}
			}
			_, err = deleter.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: "doomed", Definition: &def, RoleArn: &role})
			if apiCode(err) != "StateMachineDeleting" {
				t.Errorf("create the same name while deleting: %v, want StateMachineDeleting", err)
			}

			// The first execution ends at its next transition; the machine
			// stays while the second runs.
			d, err := runner.WaitForExecution(ctx, first)
			if err != nil || d.Status != "ABORTED" || d.Error != nil || d.Cause != nil {
				t.Fatalf("first execution: %+v %v", d, err)
			}
			if s, err := deleter.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil || s.Status != "DELETING" {
				t.Errorf("describe while the second execution runs: %+v %v", s, err)
			}
			if d, err = runner.WaitForExecution(ctx, second); err != nil || d.Status != "ABORTED" {
				t.Fatalf("second execution: %+v %v", d, err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				_, err := deleter.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn})
				if apiCode(err) == "StateMachineDoesNotExist" {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the machine is still there after its executions ended: %v", err)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if _, err := deleter.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: *sm.StateMachineVersionArn}); apiCode(err) != "StateMachineDoesNotExist" {
				t.Errorf("describe the version of a deleted machine: %v", err)
			}
			if _, err := deleter.DescribeStateMachineAlias(ctx, &sfn.StateMachineAliasInput{StateMachineAliasArn: alias.StateMachineAliasArn}); apiCode(err) != "ResourceNotFound" {
				t.Errorf("describe the alias of a deleted machine: %v", err)
			}
			// The executions and their histories stay.
			for _, arn := range []string{first, second} {
				h, err := deleter.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: arn})
				if err != nil || len(h.Events) == 0 {
					t.Fatalf("history of %s: %v", arn, err)
				}
				if last := string(h.Events[len(h.Events)-1]); !strings.Contains(last, `"ExecutionAborted"`) {
					t.Errorf("last event of %s: %s", arn, last)
				}
			}
			// The name is free again.
			if _, err := deleter.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: "doomed", Definition: &def, RoleArn: &role}); err != nil {
				t.Errorf("create the name again: %v", err)
			}
		})
	}
}

// TestDeleteStateMachineAfterRestart: a machine left DELETING by a node
// that stopped is deleted after the restart, when its resumed execution
// has made its next transition.
func TestDeleteStateMachineAfterRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "stepd.db")
	open := func() (*sfn.Service, func()) {
		st, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := sfn.New(sfn.Options{Store: st, Node: "n1", Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return svc, func() { svc.Close(ctx); st.Close() }
	}
	svc, closeFirst := open()
	role, def, input := "arn:aws:iam::123456789012:role/r", deletingDef, `{"wait": 3}`
	sm, err := svc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: "restarted", Definition: &def, RoleArn: &role})
	if err != nil {
		t.Fatal(err)
	}
	out, err := svc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: &input})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil {
		t.Fatal(err)
	}
	closeFirst()
	svc, closeSecond := open()
	defer closeSecond()
	if d, err := svc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn}); err != nil || d.Status != "DELETING" {
		t.Fatalf("after the restart: %+v %v", d, err)
	}
	d, err := svc.WaitForExecution(ctx, out.ExecutionArn)
	if err != nil || d.Status != "ABORTED" {
		t.Fatalf("resumed execution: %+v %v", d, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := svc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: sm.StateMachineArn})
		if apiCode(err) == "StateMachineDoesNotExist" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the machine is still there: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSDKDeleteStateMachineDeleting checks DELETING on the wire: the
// status, the typed StateMachineDeleting errors, and an execution waiting
// for an activity that ends ABORTED when the worker answers.
func TestSDKDeleteStateMachineDeleting(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	act, err := e.c.CreateActivity(e.ctx, &sdk.CreateActivityInput{Name: aws.String("deleting-work")})
	if err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "` + *act.ActivityArn + `", "End": true}}}`
	sm := e.createMachine("deleting", def)
	arn := e.start(sm, "waits", `{}`)
	task, err := e.c.GetActivityTask(e.ctx, &sdk.GetActivityTaskInput{ActivityArn: act.ActivityArn})
	if err != nil || task.TaskToken == nil {
		t.Fatalf("get activity task: %+v %v", task, err)
	}
	e.waitEvent(arn, types.HistoryEventTypeActivityStarted)
	if _, err := e.c.DeleteStateMachine(e.ctx, &sdk.DeleteStateMachineInput{StateMachineArn: aws.String(sm)}); err != nil {
		t.Fatal(err)
	}
	d, err := e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(sm)})
	if err != nil || d.Status != types.StateMachineStatusDeleting {
		t.Fatalf("describe while deleting: %+v %v", d, err)
	}
	_, err = e.c.StartExecution(e.ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(sm)})
	asError[*types.StateMachineDeleting](t, err, "start while deleting")
	_, err = e.c.CreateStateMachine(e.ctx, &sdk.CreateStateMachineInput{Name: aws.String("deleting"), Definition: aws.String(def), RoleArn: aws.String(sdkRole)})
	asError[*types.StateMachineDeleting](t, err, "create the same name while deleting")
	if got := e.describe(arn); got.Status != types.ExecutionStatusRunning {
		t.Fatalf("the execution before its next transition: %s", got.Status)
	}
	if _, err := e.c.SendTaskSuccess(e.ctx, &sdk.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if got := e.waitDone(arn); got.Status != types.ExecutionStatusAborted {
		t.Fatalf("the execution after its next transition: %s", got.Status)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(sm)})
		var gone *types.StateMachineDoesNotExist
		if errors.As(err, &gone) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the machine is still there: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if h := e.history(arn); len(h) == 0 || h[len(h)-1].Type != types.HistoryEventTypeExecutionAborted {
		t.Errorf("history %v", eventTypes(h))
	}
}
