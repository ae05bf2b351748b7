package sfn_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"stepd/internal/sfn"
	"stepd/internal/store"
	"stepd/internal/store/sqlite"
)

// TestResumeAppliesRequestsFirst: a StopExecution posted while no node
// drives an execution (its owner died) is applied when another node takes
// the execution over, before the timers that fell due meanwhile: the
// execution ends ABORTED in its Wait, not SUCCEEDED past it.
func TestResumeAppliesRequestsFirst(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "stepd.db")
	open := func(node string, start bool) (*sfn.Service, func()) {
		st, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := sfn.New(sfn.Options{Store: st, Node: node, LeaseDuration: 600 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if start {
			if err := svc.Start(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return svc, func() { svc.Close(ctx); st.Close() }
	}
	owner, stopOwner := open("n1", true)
	def := `{"StartAt": "Wait", "States": {
		"Wait": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
		"Done": {"Type": "Pass", "End": true}}}`
	role := "arn:aws:iam::123456789012:role/r"
	sm, err := owner.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: "paused", Definition: &def, RoleArn: &role})
	if err != nil {
		t.Fatal(err)
	}
	// Several executions, so that a timer racing the requests would show.
	const n = 20
	arns := make([]string, n)
	for i := range arns {
		out, err := owner.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
		if err != nil {
			t.Fatal(err)
		}
		arns[i] = out.ExecutionArn
	}
	stopOwner()
	// A node that died holds their leases for another second: nobody
	// drives them, and the node below takes them over from its running
	// loop (timers already ticking) once the leases expire.
	st, err := sqlite.Open(ctx, path, sqlite.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if recs, err := st.ClaimExecutions(ctx, store.ClaimParams{Node: "dead", Now: now, Until: now.Add(time.Second), Limit: n}); err != nil || len(recs) != n {
		t.Fatalf("claim for a dead node: %d, %v", len(recs), err)
	}
	st.Close()

	// Another node, not yet driving anything, takes the StopExecutions: it
	// posts the requests and waits for a driver to apply them.
	front, closeFront := open("n2", false)
	defer closeFront()
	stopped := make(chan error, n)
	for _, arn := range arns {
		go func() {
			_, err := front.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: arn, Error: ptr("UserStop")})
			stopped <- err
		}()
	}
	driver, closeDriver := open("n3", true)
	defer closeDriver()
	for _, arn := range arns {
		d, err := driver.WaitForExecution(ctx, arn)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != "ABORTED" || d.Error == nil || *d.Error != "UserStop" {
			t.Errorf("%s after takeover: %s %v, want ABORTED UserStop", arn, d.Status, str(d.Error))
		}
	}
	for range arns {
		if err := <-stopped; err != nil {
			t.Errorf("StopExecution: %v", err)
		}
	}
}
