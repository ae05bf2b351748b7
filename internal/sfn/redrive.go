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
// A call with the clientToken of one of the execution's last ten redrives,
// within 15 minutes of that redrive, succeeds again and returns its
// redriveDate (the SDKs fill a token in, so that they can retry safely).
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
	now := s.now()
	if in.ClientToken != nil {
		if date, ok := s.redrives.lookup(rec.ARN, *in.ClientToken, now); ok {
			return &RedriveExecutionOutput{RedriveDate: ts(date)}, nil
		}
	}
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
		s.redrives.remember(rec.ARN, *in.ClientToken, now)
	}
	out := &RedriveExecutionOutput{RedriveDate: ts(now)}
	e.adopt(l, tr, b.Commands)
	s.log.Info("redrove execution", "execution", rec.ARN, "redriveCount", rec.RedriveCount)
	return out, nil
}

// The clientTokens of RedriveExecution stay good for 15 minutes, for the
// last ten redrives of an execution (API reference).
const (
	redriveTokenTTL   = 15 * time.Minute
	redriveTokenCount = 10
)

// redriveTokens remembers the clientTokens of the redrives this process
// made, so that a retried call gets the first one's answer. It is kept in
// memory only: after a restart a retried call is ExecutionNotRedrivable.
type redriveTokens struct {
	mu     sync.Mutex
	byExec map[string][]redriveToken // execution ARN → oldest first
}

type redriveToken struct {
	token string
	date  time.Time // the redrive's date, also when the token was first used
}

// remember records the clientToken of a redrive made at date, and forgets
// the tokens that have expired.
func (r *redriveTokens) remember(arn, token string, date time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byExec == nil {
		r.byExec = map[string][]redriveToken{}
	}
	for a, list := range r.byExec {
		if live := unexpired(list, date); len(live) == 0 {
			delete(r.byExec, a)
		} else {
			r.byExec[a] = live
		}
	}
	list := append(r.byExec[arn], redriveToken{token, date})
	r.byExec[arn] = list[max(len(list)-redriveTokenCount, 0):]
}

// lookup returns the date of the execution's redrive made with token, if
// the token is still good at now.
func (r *redriveTokens) lookup(arn, token string, now time.Time) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range unexpired(r.byExec[arn], now) {
		if t.token == token {
			return t.date, true
		}
	}
	return time.Time{}, false
}

// unexpired returns the tokens of list still good at now.
func unexpired(list []redriveToken, now time.Time) []redriveToken {
	i := 0
	for i < len(list) && now.Sub(list[i].date) > redriveTokenTTL {
		i++
	}
	return list[i:]
}
