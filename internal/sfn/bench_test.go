package sfn_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"stepd/internal/sfn"
	"stepd/internal/store"
	"stepd/internal/store/sqlite"
	"stepd/internal/tasks"
)

// tenStates is a 10-state workflow: five Task states answered by mocked
// responses, each followed by a Pass state. Every task result is its own
// durable transition (a commit), so an execution commits 6 times.
func tenStates() string {
	var b strings.Builder
	b.WriteString(`{"StartAt": "T0", "States": {`)
	for i := 0; i < 5; i++ {
		next := fmt.Sprintf(`"Next": "T%d"`, i+1)
		if i == 4 {
			next = `"End": true`
		}
		fmt.Fprintf(&b, `"T%d": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "ResultSelector": {"n.$": "$.Payload.n"}, "Next": "P%d"},`, i, i)
		fmt.Fprintf(&b, `"P%d": {"Type": "Pass", %s}`, i, next)
		if i < 4 {
			b.WriteString(",")
		}
	}
	b.WriteString("}}")
	return b.String()
}

func benchService(b *testing.B, st store.Store, states []string) *sfn.Service {
	b.Helper()
	mocks := `{"StateMachines": {"bench": {"TestCases": {"Fast": {` +
		`"T0": "R", "T1": "R", "T2": "R", "T3": "R", "T4": "R"}}}}, "MockedResponses": {"R": {"0": {"Return": {"StatusCode": 200, "Payload": {"n": 1}}}}}}`
	cfg, err := tasks.ParseMockConfig([]byte(mocks))
	if err != nil {
		b.Fatal(err)
	}
	svc, err := sfn.New(sfn.Options{Store: st, MockConfig: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close(context.Background()) })
	def := tenStates()
	role := "arn:aws:iam::123456789012:role/r"
	if _, err := svc.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: "bench", Definition: &def, RoleArn: &role}); err != nil {
		b.Fatal(err)
	}
	return svc
}

// BenchmarkDurableTransitions runs 1,000 concurrent executions of the
// 10-state workflow on the SQLite store, every transition committed, and
// reports durable state transitions per second.
func BenchmarkDurableTransitions(b *testing.B) {
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := benchService(b, st, nil)
	const concurrent = 1000
	ctx := context.Background()
	var total int
	b.ReportAllocs()
	for round := 0; b.Loop(); round++ {
		var wg sync.WaitGroup
		errs := make(chan error, concurrent)
		for i := 0; i < concurrent; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				name := fmt.Sprintf("r%d-e%d", round, i)
				out, err := svc.StartExecution(ctx, &sfn.StartExecutionInput{
					StateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:bench#Fast", Name: &name})
				if err != nil {
					errs <- err
					return
				}
				d, err := svc.WaitForExecution(ctx, out.ExecutionArn)
				if err != nil {
					errs <- err
					return
				}
				if d.Status != "SUCCEEDED" {
					errs <- fmt.Errorf("%s: %s %v %v", name, d.Status, d.Error, d.Cause)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		total += concurrent * 10
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "transitions/s")
}
