package lambda

import (
	"time"
)

// Invocation statuses.
const (
	InvocationSucceeded = "Succeeded"
	InvocationFailed    = "Failed"
	InvocationTimedOut  = "TimedOut"
)

// maxInvocationRecords is how many recent invocations a function keeps.
const maxInvocationRecords = 100

// Invocation records one finished invoke, for the console.
type Invocation struct {
	RequestID    string
	FunctionName string
	// Version is the version that ran ($LATEST or a published number).
	Version  string
	Start    time.Time
	Duration time.Duration
	// InitDuration is set when the invoke started its environment.
	InitDuration time.Duration
	// Status is Succeeded, Failed or TimedOut.
	Status string
	// ErrorType is the error's type when Status is not Succeeded.
	ErrorType string
	// LogStream names the environment's log stream.
	LogStream string
	// Log is the invocation's log, START to REPORT (its last 64 KB).
	Log string
}

func (fn *function) record(rec Invocation) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	if len(fn.invocations) < maxInvocationRecords {
		fn.invocations = append(fn.invocations, rec)
		return
	}
	fn.invocations[fn.nextRec] = rec
	fn.nextRec = (fn.nextRec + 1) % maxInvocationRecords
}

// Invocations returns a function's recent invocations, newest first.
func (s *Service) Invocations(name string) ([]Invocation, error) {
	fn, _, err := s.lookup(name, "")
	if err != nil {
		return nil, err
	}
	fn.mu.Lock()
	defer fn.mu.Unlock()
	n := len(fn.invocations)
	out := make([]Invocation, 0, n)
	for i := 0; i < n; i++ {
		// The newest record sits just before nextRec once the ring is full.
		idx := (fn.nextRec - 1 - i + 2*n) % n
		if n < maxInvocationRecords {
			idx = n - 1 - i
		}
		out = append(out, fn.invocations[idx])
	}
	return out, nil
}
