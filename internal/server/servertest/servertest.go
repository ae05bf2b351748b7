// Package servertest runs a stepd server for a test: the tests of the
// server itself and of the packages that talk to it over HTTP (the APIs,
// the SDK tests, the console). It does not import the server package, so
// that the server's own tests can use it too.
package servertest

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// Server is what Run drives: a *server.Server.
type Server interface {
	Run(ctx context.Context) error
	URL() string
}

// stopTimeout bounds how long a server may take to stop.
const stopTimeout = 30 * time.Second

// Run runs srv until the test ends and returns once its /health endpoint
// answers. stop ends it earlier; it may be called more than once, and the
// test's cleanup calls it too. A server whose Run returns an error, or that
// does not stop within 30 s, fails the test.
func Run(tb testing.TB, srv Server) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("stepd serve: %v", err)
			}
		case <-time.After(stopTimeout):
			tb.Errorf("stepd serve did not stop within %s", stopTimeout)
		}
	}
	tb.Cleanup(stop)
	// Run serves once the Step Functions service has recovered its
	// executions: poll the listener until it answers.
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(srv.URL() + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("stepd serve did not answer /health: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
