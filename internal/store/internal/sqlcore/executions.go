package sqlcore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"stepd/internal/history"
	"stepd/internal/store"
	"stepd/internal/store/internal/cursor"
)

// ----- executions -----

// CheckFirst checks the first transition of CreateExecution(e, first).
func (db *DB) CheckFirst(e *store.Execution, first *store.Transition) error {
	if err := first.Validate(); err != nil {
		return fmt.Errorf("%s: create execution: %w", db.name, err)
	}
	if first.ExecutionARN != e.ARN || first.PrevEventCount != 0 {
		return fmt.Errorf("%s: create execution %q: first transition of %q after %d events: %w", db.name, e.ARN, first.ExecutionARN, first.PrevEventCount, store.ErrInvalid)
	}
	return nil
}

// NewExecution returns the row that CreateExecution(e, first) inserts, with
// its first transition t (validated and normalized) already applied (t may
// be nil), and the hash of its definition.
func NewExecution(e *store.Execution, t *store.Transition) (row store.Execution, hash string) {
	row = *e
	row.EventCount = 0
	if t != nil {
		row.Status, row.Output, row.Error, row.Cause = t.Status, t.Output, t.Error, t.Cause
		row.StopDate, row.RedriveCount, row.RedriveDate, row.Snapshot = t.StopDate, t.RedriveCount, t.RedriveDate, t.Snapshot
		row.EventCount = t.EventCount()
	}
	if row.Status.Terminal() {
		row.LeaseOwner, row.LeaseExpiry = "", time.Time{}
	}
	sum := sha256.Sum256([]byte(row.Definition))
	return row, hex.EncodeToString(sum[:])
}

// InsertExecutionArgs are the arguments of the query InsertExecution for
// row, whose definition has that hash (NewExecution).
func InsertExecutionArgs(row *store.Execution, hash string) []any {
	return []any{row.ARN, row.StateMachineARN, row.Name, string(row.Type), string(row.Status), row.Input,
		NullString(row.Output), NullString(row.Error), NullString(row.Cause), Millis(store.Millis(row.StartDate)),
		NullMillis(row.StopDate), hash, row.VersionARN, row.AliasARN, row.TraceHeader, row.MapRunARN, row.RedriveCount,
		NullMillis(row.RedriveDate), row.EventCount, NullBytes(row.Snapshot), row.LeaseOwner, NullMillis(row.LeaseExpiry)}
}

// UpdateExecutionArgs are the arguments of the query UpdateExecution,
// which applies the execution fields of t (validated and normalized) if
// the event count and the lease allow it.
func UpdateExecutionArgs(t *store.Transition) []any {
	return []any{t.ExecutionARN, string(t.Status), NullString(t.Output), NullString(t.Error), NullString(t.Cause),
		NullMillis(t.StopDate), t.RedriveCount, NullMillis(t.RedriveDate), NullBytes(t.Snapshot), t.EventCount(),
		t.Status.Terminal(), t.Owner, NullMillis(t.LeaseUntil), t.PrevEventCount}
}

// WhyRefused explains, reading in q, a transition that the query
// UpdateExecution refused: NotFound, or ErrConflict for a stale event count
// or a lease held by another node.
func (db *DB) WhyRefused(ctx context.Context, q Querier, t *store.Transition) error {
	var count int64
	var owner string
	err := q.QueryRow(ctx, db.queries.Get("ExecutionState"), t.ExecutionARN).Scan(&count, &owner)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return db.NotFound("execution", t.ExecutionARN)
	case err != nil:
		return fmt.Errorf("%s: commit %q: %w", db.name, t.ExecutionARN, err)
	case count != t.PrevEventCount:
		return fmt.Errorf("%s: commit %q: %d events stored, transition builds on %d: %w", db.name, t.ExecutionARN, count, t.PrevEventCount, store.ErrConflict)
	default:
		return fmt.Errorf("%s: commit %q: leased to %q, not %q: %w", db.name, t.ExecutionARN, owner, t.Owner, store.ErrConflict)
	}
}

// GetExecution implements store.Store.
func (s Store) GetExecution(ctx context.Context, arn string, include store.Include) (*store.Execution, error) {
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	e, err := s.db.ScanExecution(s.db.d.Reader().QueryRow(ctx, s.db.queries.Get("GetExecution"), arn,
		include&store.IncludeSnapshot != 0, include&store.IncludeDefinition != 0), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.db.NotFound("execution", arn)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: get execution %q: %w", s.db.name, arn, err)
	}
	return e, nil
}

// listQueries name the query of each filter of ListExecutions; with
// "Status" appended, the query that also filters on the status.
var listQueries = map[store.ExecutionFilter]string{
	store.ByStateMachine: "ListExecutionsByStateMachine",
	store.ByVersion:      "ListExecutionsByVersion",
	store.ByAlias:        "ListExecutionsByAlias",
	store.ByMapRun:       "ListExecutionsByMapRun",
}

// ListExecutions implements store.Store.
func (s Store) ListExecutions(ctx context.Context, p store.ListExecutionsParams) (store.Page[*store.Execution], error) {
	a, err := cursor.Executions(p)
	if err != nil {
		return store.Page[*store.Execution]{}, err
	}
	if err := s.db.d.Check(ctx); err != nil {
		return store.Page[*store.Execution]{}, err
	}
	name, args := listQueries[a.Field], []any{a.Value, a.AfterMillis, a.AfterARN, a.Limit + 1}
	if a.Status != "" {
		name, args = name+"Status", append(args, string(a.Status))
	}
	items, err := Collect(ctx, s.db.d.Reader(), s.db.scanLightExecution, s.db.queries.Get(name), args...)
	if err != nil {
		return store.Page[*store.Execution]{}, fmt.Errorf("%s: list executions: %w", s.db.name, err)
	}
	return cursor.Page(items, a.Limit, a.Next), nil
}

// History implements store.Store.
func (s Store) History(ctx context.Context, p store.HistoryParams) (store.Page[history.Event], error) {
	limit, kind, from, err := cursor.History(p)
	if err != nil {
		return store.Page[history.Event]{}, err
	}
	name := "HistoryForward"
	if p.Reverse {
		name = "HistoryReverse"
	}
	if err := s.db.d.Check(ctx); err != nil {
		return store.Page[history.Event]{}, err
	}
	items, err := Collect(ctx, s.db.d.Reader(), scanEvent, s.db.queries.Get(name), p.ExecutionARN, from, limit+1)
	if err != nil {
		return store.Page[history.Event]{}, fmt.Errorf("%s: history of %q: %w", s.db.name, p.ExecutionARN, err)
	}
	if len(items) == 0 {
		// No events: an execution without history, or none at all.
		var id int64
		err := s.db.d.Reader().QueryRow(ctx, s.db.queries.Get("ExecutionID"), p.ExecutionARN).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return store.Page[history.Event]{}, s.db.NotFound("execution", p.ExecutionARN)
		}
		if err != nil {
			return store.Page[history.Event]{}, fmt.Errorf("%s: history of %q: %w", s.db.name, p.ExecutionARN, err)
		}
	}
	return cursor.Page(items, limit, func(ev history.Event) string { return cursor.NextEvent(kind, p.ExecutionARN, ev.ID) }), nil
}

// ----- leases -----

// RenewLeases implements store.Store.
func (s Store) RenewLeases(ctx context.Context, node string, until time.Time) (int, error) {
	if err := s.db.d.Check(ctx); err != nil {
		return 0, err
	}
	if node == "" {
		return 0, nil
	}
	n, err := s.db.d.Writer().Exec(ctx, s.db.queries.Get("RenewLeases"), node, NullMillis(store.Millis(until)))
	if err != nil {
		return 0, fmt.Errorf("%s: renew leases of %q: %w", s.db.name, node, err)
	}
	return int(n), nil
}

// ReleaseLease frees, in tx, the lease node holds on executionARN:
// NotFound, or ErrConflict when node does not hold it. The caller
// notifies ExecutionReady.
func (db *DB) ReleaseLease(ctx context.Context, tx Querier, executionARN, node string) error {
	n, err := tx.Exec(ctx, db.queries.Get("ReleaseLease"), executionARN, node)
	if err != nil {
		return fmt.Errorf("%s: release %q: %w", db.name, executionARN, err)
	}
	if n > 0 {
		return nil
	}
	var count int64
	var owner string
	err = tx.QueryRow(ctx, db.queries.Get("ExecutionState"), executionARN).Scan(&count, &owner)
	if errors.Is(err, sql.ErrNoRows) {
		return db.NotFound("execution", executionARN)
	}
	if err != nil {
		return fmt.Errorf("%s: release %q: %w", db.name, executionARN, err)
	}
	return fmt.Errorf("%s: release %q: leased to %q, not %q: %w", db.name, executionARN, owner, node, store.ErrConflict)
}

// ----- timers and tasks -----

// DueTimers implements store.Store.
func (s Store) DueTimers(ctx context.Context, p store.DueTimersParams) ([]store.Timer, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("%s: due timers: limit %d: %w", s.db.name, p.Limit, store.ErrInvalid)
	}
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	out, err := Collect(ctx, s.db.d.Reader(), s.db.scanTimer, s.db.queries.Get("DueTimers"), Millis(store.Millis(p.Before)), p.Node, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("%s: due timers: %w", s.db.name, err)
	}
	return out, nil
}

// Timers implements store.Store.
func (s Store) Timers(ctx context.Context, executionARN string) ([]store.Timer, error) {
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	out, err := Collect(ctx, s.db.d.Reader(), s.db.scanTimer, s.db.queries.Get("Timers"), executionARN)
	if err != nil {
		return nil, fmt.Errorf("%s: timers of %q: %w", s.db.name, executionARN, err)
	}
	return out, nil
}

// Tasks implements store.Store.
func (s Store) Tasks(ctx context.Context, executionARN string) ([]store.Task, error) {
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	out, err := Collect(ctx, s.db.d.Reader(), s.db.ScanTask, s.db.queries.Get("Tasks"), executionARN)
	if err != nil {
		return nil, fmt.Errorf("%s: tasks of %q: %w", s.db.name, executionARN, err)
	}
	return out, nil
}

// TaskByToken implements store.Store.
func (s Store) TaskByToken(ctx context.Context, token string) (*store.Task, error) {
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	t, err := s.db.ScanTask(s.db.d.Reader().QueryRow(ctx, s.db.queries.Get("TaskByToken"), token))
	if err != nil {
		return nil, s.db.TaskError("task by token", err)
	}
	return &t, nil
}

// TaskError wraps an error of the operation op, which looked a task up by
// its token: sql.ErrNoRows becomes store.ErrNotFound.
func (db *DB) TaskError(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: task token: %w", db.name, store.ErrNotFound)
	}
	return fmt.Errorf("%s: %s: %w", db.name, op, err)
}

// ----- requests -----

// InsertRequest inserts r, in tx, and returns its id, once the query
// ExecutionStatus (which locks the execution's row where the dialect needs
// it) finds its execution RUNNING: NotFound, or ErrConflict when it is
// not. The caller notifies ExecutionReady.
func (db *DB) InsertRequest(ctx context.Context, tx Querier, r *store.Request) (int64, error) {
	var execID, id int64
	var status string
	err := tx.QueryRow(ctx, db.queries.Get("ExecutionStatus"), r.ExecutionARN).Scan(&execID, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, db.NotFound("execution", r.ExecutionARN)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: post a request for %q: %w", db.name, r.ExecutionARN, err)
	}
	if store.ExecutionStatus(status) != store.Running {
		return 0, fmt.Errorf("%s: post a request for %q: execution is %s: %w", db.name, r.ExecutionARN, status, store.ErrConflict)
	}
	err = tx.QueryRow(ctx, db.queries.Get("InsertRequest"), execID, string(r.Kind), r.TaskToken, NullString(r.Output),
		NullString(r.Error), NullString(r.Cause), NullMillis(store.Millis(r.Created))).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("%s: post a request for %q: %w", db.name, r.ExecutionARN, err)
	}
	return id, nil
}

// Requests implements store.Store. The queries take the limit as it is: 0
// returns every request.
func (s Store) Requests(ctx context.Context, p store.RequestsParams) ([]store.Request, error) {
	if p.Limit < 0 {
		return nil, fmt.Errorf("%s: requests: limit %d: %w", s.db.name, p.Limit, store.ErrInvalid)
	}
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	name, key := "RequestsOfNode", p.Node
	if p.ExecutionARN != "" {
		name, key = "RequestsOfExecution", p.ExecutionARN
	}
	out, err := Collect(ctx, s.db.d.Reader(), s.db.scanRequest, s.db.queries.Get(name), key, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("%s: requests: %w", s.db.name, err)
	}
	return out, nil
}

// ----- invariants -----

// Check implements store.Checker with the checks both dialects make.
func (s Store) Check(ctx context.Context) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	r := s.db.d.Reader()
	var arn string
	var count, n, lo, hi int64
	err := r.QueryRow(ctx, s.db.queries.Get("CheckEventCounts")).Scan(&arn, &count, &n, &lo, &hi)
	if err == nil {
		return fmt.Errorf("%s: execution %q: event count %d, %d events with ids %d..%d", s.db.name, arn, count, n, lo, hi)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: check: %w", s.db.name, err)
	}
	err = r.QueryRow(ctx, s.db.queries.Get("CheckEnded")).Scan(&arn)
	if err == nil {
		return fmt.Errorf("%s: execution %q has ended but keeps a lease, timers, tasks or requests", s.db.name, arn)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: check: %w", s.db.name, err)
	}
	var what string
	err = r.QueryRow(ctx, s.db.queries.Get("CheckOrphans")).Scan(&what)
	if err == nil {
		return fmt.Errorf("%s: a %s row whose owner is gone", s.db.name, what)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: check: %w", s.db.name, err)
	}
	return nil
}
