package server

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"stepd/internal/server/servertest"
	"stepd/internal/sfn"
)

// benchServer starts a server with the SQLite store for a benchmark.
func benchServer(b *testing.B) *Server {
	b.Helper()
	srv, err := New(Config{Addr: "127.0.0.1:0", DataDir: b.TempDir(), Logger: discardLogger()})
	if err != nil {
		b.Fatal(err)
	}
	servertest.Run(b, srv)
	return srv
}

// BenchmarkStartExecutionHTTP measures StartExecution requests per second
// over HTTP (AWS JSON 1.0), with parallel clients, on the SQLite store. The
// state machine is a single Wait, so executions stay running and the
// request path is what is measured.
func BenchmarkStartExecutionHTTP(b *testing.B) {
	srv := benchServer(b)
	svc := srv.StepFunctions()
	def := `{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}`
	r := role
	if _, err := svc.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: "waiter", Definition: &def, RoleArn: &r}); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:waiter", "name": "e%d", "input": "{\"k\": 1}"}`, n.Add(1))
			req, _ := http.NewRequest("POST", srv.URL()+"/", bytes.NewBufferString(body))
			req.Header.Set("X-Amz-Target", "AWSStepFunctions.StartExecution")
			req.Header.Set("Content-Type", "application/x-amz-json-1.0")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "starts/s")
}

// BenchmarkTutorialLatency measures the reference scenario's 200 case end
// to end — StartExecution until SUCCEEDED — with a warm Python function,
// on the SQLite store, and reports the median and 99th percentile.
func BenchmarkTutorialLatency(b *testing.B) {
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "seed-tutorial"))
	def, err := os.ReadFile(filepath.Join(dir, "statemachine.asl.json"))
	if err != nil {
		b.Skipf("seed tutorial not found: %v", err)
	}
	srv := benchServer(b)
	c := lambdaClient(b, srv.URL())
	createMockAPI(b, c, "MockAPIFunction")
	svc := srv.StepFunctions()
	d, r := string(def), role
	if _, err := svc.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: "MyAPIStateMachine", Definition: &d, RoleArn: &r}); err != nil {
		b.Fatal(err)
	}
	input := `{"statuscode":"200"}`
	run := func() time.Duration {
		start := time.Now()
		out, err := svc.StartExecution(context.Background(), &sfn.StartExecutionInput{
			StateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:MyAPIStateMachine", Input: &input})
		if err != nil {
			b.Fatal(err)
		}
		desc, err := svc.WaitForExecution(context.Background(), out.ExecutionArn)
		if err != nil || desc.Status != "SUCCEEDED" {
			b.Fatalf("%v %+v", err, desc)
		}
		return time.Since(start)
	}
	run() // warm the function
	var lat []time.Duration
	for b.Loop() {
		lat = append(lat, run())
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
