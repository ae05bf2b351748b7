package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"stepd/internal/history"
	"stepd/internal/store"
	"stepd/internal/store/internal/cursor"
)

// CreateExecution implements store.Store.
func (s *Store) CreateExecution(ctx context.Context, e *store.Execution, first *store.Transition) error {
	var p *pending
	if first != nil {
		if err := first.Validate(); err != nil {
			return fmt.Errorf("postgres: create execution: %w", err)
		}
		if first.ExecutionARN != e.ARN || first.PrevEventCount != 0 {
			return fmt.Errorf("postgres: create execution %q: first transition of %q after %d events: %w", e.ARN, first.ExecutionARN, first.PrevEventCount, store.ErrInvalid)
		}
		var err error
		if p, err = prepare(first); err != nil {
			return err
		}
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	row := *e
	row.EventCount = 0
	if p != nil {
		t := p.t
		row.Status, row.Output, row.Error, row.Cause = t.Status, t.Output, t.Error, t.Cause
		row.StopDate, row.RedriveCount, row.RedriveDate, row.Snapshot = t.StopDate, t.RedriveCount, t.RedriveDate, t.Snapshot
		row.EventCount = t.EventCount()
	}
	if row.Status.Terminal() {
		row.LeaseOwner, row.LeaseExpiry = "", time.Time{}
	}
	sum := sha256.Sum256([]byte(row.Definition))
	hash := hex.EncodeToString(sum[:])
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, query("InsertDefinition"), hash, row.Definition); err != nil {
			return fmt.Errorf("postgres: create execution %q: store definition: %w", e.ARN, err)
		}
		var id int64
		err := tx.QueryRow(ctx, query("InsertExecution"), row.ARN, row.StateMachineARN, row.Name, string(row.Type),
			string(row.Status), row.Input, row.Output, row.Error, row.Cause,
			millis(store.Millis(row.StartDate)), nullMillis(row.StopDate), hash, row.VersionARN, row.AliasARN,
			row.TraceHeader, row.MapRunARN, row.RedriveCount, nullMillis(row.RedriveDate), row.EventCount,
			nullBytes(row.Snapshot), row.LeaseOwner, nullMillis(row.LeaseExpiry)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: execution %q: %w", e.ARN, store.ErrAlreadyExists)
		}
		if err != nil {
			return fmt.Errorf("postgres: create execution %q: %w", e.ARN, err)
		}
		if p == nil {
			return nil
		}
		if err := s.writeChildren(ctx, tx, []applied{{id: id, p: p}}); err != nil {
			if isUnique(err) {
				return fmt.Errorf("postgres: create execution %q: a task token is in use: %w", e.ARN, store.ErrConflict)
			}
			return err
		}
		return s.notify(ctx, tx, queued(p)...)
	})
	if err != nil {
		return err
	}
	e.EventCount = row.EventCount
	return nil
}

// scanExecution scans the execution columns every execution query starts
// with (see queries.sql), then extra.
func scanExecution(r pgx.Row, extra ...any) (*store.Execution, error) {
	var e store.Execution
	var typ, status string
	var start int64
	var stop, redrive, expiry *int64
	dest := append([]any{&e.ARN, &e.StateMachineARN, &e.Name, &typ, &status, &start, &stop, &e.VersionARN, &e.AliasARN,
		&e.TraceHeader, &e.MapRunARN, &e.RedriveCount, &redrive, &e.EventCount, &e.LeaseOwner, &expiry}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	e.Type, e.Status = store.StateMachineType(typ), store.ExecutionStatus(status)
	e.StartDate, e.StopDate, e.RedriveDate, e.LeaseExpiry = fromMillis(&start), fromMillis(stop), fromMillis(redrive), fromMillis(expiry)
	return &e, nil
}

// heavy holds the columns after the metadata in GetExecution and claims.
type heavy struct {
	input                  string
	output, errName, cause *string
	definition             *string
	snapshot               []byte
}

func (h *heavy) dest() []any {
	return []any{&h.input, &h.output, &h.errName, &h.cause, &h.snapshot, &h.definition}
}

func (h *heavy) apply(e *store.Execution) {
	e.Input, e.Output, e.Error, e.Cause = h.input, h.output, h.errName, h.cause
	e.Snapshot = nonEmpty(h.snapshot)
	if h.definition != nil {
		e.Definition = *h.definition
	}
}

// GetExecution implements store.Store.
func (s *Store) GetExecution(ctx context.Context, arn string, include store.Include) (*store.Execution, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var h heavy
	e, err := scanExecution(s.pool.QueryRow(ctx, query("GetExecution"), arn,
		include&store.IncludeSnapshot != 0, include&store.IncludeDefinition != 0), h.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("execution", arn)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get execution %q: %w", arn, err)
	}
	h.apply(e)
	return e, nil
}

var listQueries = map[store.ExecutionFilter]string{
	store.ByStateMachine: "ListExecutionsByStateMachine",
	store.ByVersion:      "ListExecutionsByVersion",
	store.ByAlias:        "ListExecutionsByAlias",
	store.ByMapRun:       "ListExecutionsByMapRun",
}

// ListExecutions implements store.Store.
func (s *Store) ListExecutions(ctx context.Context, p store.ListExecutionsParams) (store.Page[*store.Execution], error) {
	var page store.Page[*store.Execution]
	a, err := cursor.Executions(p)
	if err != nil {
		return page, err
	}
	if err := s.check(ctx); err != nil {
		return page, err
	}
	name, args := listQueries[a.Field], []any{a.Value, a.AfterMillis, a.AfterARN, a.Limit + 1}
	if a.Status != "" {
		name, args = name+"Status", append(args, string(a.Status))
	}
	page.Items, err = collect(ctx, s.pool, func(r pgx.Row) (*store.Execution, error) { return scanExecution(r) }, query(name), args...)
	if err != nil {
		return page, fmt.Errorf("postgres: list executions: %w", err)
	}
	return cursor.Page(page.Items, a.Limit, a.Next), nil
}

// DeleteExecution implements store.Store.
func (s *Store) DeleteExecution(ctx context.Context, arn string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, query("LockExecution"), arn).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("execution", arn)
		}
		if err != nil {
			return fmt.Errorf("postgres: delete execution %q: %w", arn, err)
		}
		ids := []int64{id}
		for _, q := range []struct {
			name string
			arg  any
		}{{"DeleteExecutionEvents", id}, {"DeleteTimersOf", ids}, {"DeleteTasksOf", ids}, {"DeleteRequestsOf", ids}, {"DeleteExecution", id}} {
			if _, err := tx.Exec(ctx, query(q.name), q.arg); err != nil {
				return fmt.Errorf("postgres: delete execution %q: %s: %w", arn, q.name, err)
			}
		}
		return nil
	})
}

// History implements store.Store.
func (s *Store) History(ctx context.Context, p store.HistoryParams) (store.Page[history.Event], error) {
	var page store.Page[history.Event]
	limit, kind, from, err := cursor.History(p)
	if err != nil {
		return page, err
	}
	name := "HistoryForward"
	if p.Reverse {
		name = "HistoryReverse"
	}
	if err := s.check(ctx); err != nil {
		return page, err
	}
	page.Items, err = collect(ctx, s.pool, func(r pgx.Row) (history.Event, error) {
		var body []byte
		var ev history.Event
		if err := r.Scan(&body); err != nil {
			return ev, err
		}
		err := json.Unmarshal(body, &ev)
		return ev, err
	}, query(name), p.ExecutionARN, from, limit+1)
	if err != nil {
		return store.Page[history.Event]{}, fmt.Errorf("postgres: history of %q: %w", p.ExecutionARN, err)
	}
	if len(page.Items) == 0 {
		// No events: an execution without history, or none at all.
		var id int64
		err := s.pool.QueryRow(ctx, query("ExecutionID"), p.ExecutionARN).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return page, notFound("execution", p.ExecutionARN)
		}
		if err != nil {
			return page, fmt.Errorf("postgres: history of %q: %w", p.ExecutionARN, err)
		}
	}
	return cursor.Page(page.Items, limit, func(ev history.Event) string { return cursor.NextEvent(kind, p.ExecutionARN, ev.ID) }), nil
}
