package sfn

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"stepd/internal/engine"
	"stepd/internal/store"
)

// Redrive limits (API reference, RedriveExecution).
const (
	// redrivePeriod is how long after it stopped an execution may be
	// redriven.
	redrivePeriod = 14 * 24 * time.Hour
	// maxExecutionTime: an execution started longer ago than this cannot
	// be redriven (a standard execution runs for at most a year).
	maxExecutionTime = 365 * 24 * time.Hour
	// maxRedriveEvents: an execution with this many history events or more
	// cannot be redriven (AWS: fewer than 24,999).
	maxRedriveEvents = engine.MaxHistoryEvents - 1
	// maxClientTokenLength bounds RedriveExecution's clientToken.
	maxClientTokenLength = 64
)

// RedriveExecutionInput is RedriveExecution's request.
type RedriveExecutionInput struct {
	ExecutionArn string  `json:"executionArn"`
	ClientToken  *string `json:"clientToken,omitempty"`
}

// RedriveExecutionOutput is RedriveExecution's response.
type RedriveExecutionOutput struct {
	RedriveDate *Timestamp `json:"redriveDate"`
}

// notRedrivable is ExecutionNotRedrivable with the reason AWS gives in
// DescribeExecution's redriveStatusReason.
func notRedrivable(reason string) *Error {
	return apiError(ErrExecutionNotRedrivable, "%s", reason)
}

// RedriveExecution restarts a FAILED, TIMED_OUT or ABORTED STANDARD
// execution from where it stopped: same ARN, same definition and input,
// redriveCount + 1, an ExecutionRedriven event, status RUNNING again. The
// engine does the work (engine.Execution.Redrive): the execution is
// restored from its stored snapshot, redriven, and the resulting batch is
// committed like any transition; then this node drives the execution, as
// the executor does one it claimed. States that succeeded are not run
// again; a Parallel or inline Map state runs again only its branches or
// iterations that failed or were aborted.
//
// A call with the clientToken of the redrive the execution is running (the
// SDKs fill one in) succeeds again and returns the same redriveDate.
func (s *Service) RedriveExecution(ctx context.Context, in *RedriveExecutionInput) (*RedriveExecutionOutput, error) {
	if in.ExecutionArn == "" {
		return nil, validation(nil, "executionArn", "Member must not be null")
	}
	if t := in.ClientToken; t != nil && (len(*t) == 0 || len(*t) > maxClientTokenLength) {
		return nil, validation(*t, "clientToken", "Member must have length between 1 and 64")
	}
	rec, err := s.getExecution(ctx, in.ExecutionArn, store.IncludeDefinition|store.IncludeSnapshot)
	if err != nil {
		return nil, err
	}
	if rec.Status == store.Running && rec.Type == store.Standard && in.ClientToken != nil && rec.RedriveCount > 0 &&
		s.redroveWith(rec.ARN, rec.RedriveCount, *in.ClientToken) {
		return &RedriveExecutionOutput{RedriveDate: ts(rec.RedriveDate)}, nil
	}
	now := s.now()
	if r := whyNotRedrivable(rec, now); r != "" {
		return nil, notRedrivable(r)
	}
	sm, err := s.store.GetStateMachine(ctx, rec.StateMachineARN)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sm.Status == store.Deleting) {
		return nil, notRedrivable("State machine is in DELETING status.")
	}
	if err != nil {
		return nil, storeError("get state machine", err)
	}
	c := s.compile(rec.Definition, string(rec.Type))
	if c.machine == nil {
		return nil, fmt.Errorf("redrive %s: its definition no longer compiles: %s", rec.ARN, c.diags.InvalidDefinitionMessage())
	}
	cfg := s.engineConfig(rec, sm.RoleARN)
	x, err := engine.Restore(c.machine, cfg, rec.Snapshot)
	if err != nil {
		return nil, fmt.Errorf("redrive %s: %w", rec.ARN, err)
	}
	prev := x.EventCount()
	b, err := x.Redrive(now)
	var nr *engine.NotRedrivableError
	switch {
	case errors.As(err, &nr):
		return nil, notRedrivable(nr.Reason)
	case err != nil:
		return nil, fmt.Errorf("redrive %s: %w", rec.ARN, err)
	}
	rec.RedriveCount, rec.RedriveDate = x.RedriveCount(), now
	rec.Status, rec.StopDate, rec.Error, rec.Cause, rec.Output = store.Running, time.Time{}, nil, nil, nil
	cfg.RedriveCount = x.RedriveCount()

	e := s.exec
	l := e.newLive(rec, c.machine, cfg, x)
	l.mu.Lock()
	tr := e.transition(l, prev, b)
	l.mu.Unlock()
	if err := s.store.Commit(ctx, tr); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Another call redrove it (or its owner moved it on) first.
			return nil, notRedrivable("Execution is RUNNING and cannot be redriven")
		}
		return nil, storeError("commit redrive", err)
	}
	if in.ClientToken != nil {
		s.rememberRedrive(rec.ARN, rec.RedriveCount, *in.ClientToken)
	}
	out := &RedriveExecutionOutput{RedriveDate: ts(now)}
	e.adopt(l, tr, b.Commands)
	s.log.Info("redrove execution", "execution", rec.ARN, "redriveCount", rec.RedriveCount)
	return out, nil
}

// redriveTokens remembers the clientToken of each redrive this process
// made, so that a retried call (same token, execution still running that
// redrive) succeeds again. It is keyed by service and execution, and kept
// in memory only: after a restart a retried call is ExecutionNotRedrivable.
var redriveTokens sync.Map // redriveKey -> redriveToken

type redriveKey struct {
	s   *Service
	arn string
}

type redriveToken struct {
	count int64
	token string
}

// rememberRedrive records the clientToken of a redrive.
func (s *Service) rememberRedrive(arn string, count int64, token string) {
	redriveTokens.Store(redriveKey{s, arn}, redriveToken{count, token})
}

// redroveWith reports whether redrive number count of an execution was made
// with this clientToken.
func (s *Service) redroveWith(arn string, count int64, token string) bool {
	v, ok := redriveTokens.Load(redriveKey{s, arn})
	return ok && v.(redriveToken) == redriveToken{count, token}
}
