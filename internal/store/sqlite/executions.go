package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"stepd/internal/history"
	"stepd/internal/store"
	"stepd/internal/store/internal/cursor"
	"stepd/internal/store/internal/groupcommit"
)

// CreateExecution implements store.Store.
func (s *Store) CreateExecution(ctx context.Context, e *store.Execution, first *store.Transition) error {
	var p *pending
	if first != nil {
		if err := first.Validate(); err != nil {
			return fmt.Errorf("sqlite: create execution: %w", err)
		}
		if first.ExecutionARN != e.ARN || first.PrevEventCount != 0 {
			return fmt.Errorf("sqlite: create execution %q: first transition of %q after %d events: %w", e.ARN, first.ExecutionARN, first.PrevEventCount, store.ErrInvalid)
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
	ne := &newExecution{row: row, hash: hex.EncodeToString(sum[:])}
	var err error
	switch {
	case p != nil && s.gc != nil:
		// The first transition joins the group commit like any other.
		p.create = ne
		if err = s.gc.Do(ctx, p); errors.Is(err, groupcommit.ErrClosed) {
			err = store.ErrClosed
		}
	case p != nil:
		p.create = ne
		err = s.commitOne(ctx, p)
	default:
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			_, err := s.insertExecution(ctx, tx, ne)
			return err
		})
		var r refused
		if errors.As(err, &r) {
			err = r.err
		}
	}
	if err != nil {
		return err
	}
	e.EventCount = row.EventCount
	if p != nil {
		s.publishQueued(p)
	}
	return nil
}

// insertExecution inserts a new execution row (and its definition) in tx
// and returns its id; an existing ARN is refused with ErrAlreadyExists
// before anything is written.
func (s *Store) insertExecution(ctx context.Context, tx *sql.Tx, ne *newExecution) (int64, error) {
	row := &ne.row
	if _, err := s.stmt(ctx, tx, "InsertDefinition").ExecContext(ctx, ne.hash, row.Definition); err != nil {
		return 0, fmt.Errorf("sqlite: create execution %q: store definition: %w", row.ARN, err)
	}
	var id int64
	err := s.stmt(ctx, tx, "InsertExecution").QueryRowContext(ctx, row.ARN, row.StateMachineARN, row.Name, string(row.Type),
		string(row.Status), row.Input, nullString(row.Output), nullString(row.Error), nullString(row.Cause),
		millis(store.Millis(row.StartDate)), nullMillis(store.Millis(row.StopDate)), ne.hash, row.VersionARN, row.AliasARN,
		row.TraceHeader, row.MapRunARN, row.RedriveCount, nullMillis(store.Millis(row.RedriveDate)), row.EventCount,
		nullBytes(row.Snapshot), row.LeaseOwner, nullMillis(store.Millis(row.LeaseExpiry))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, refused{fmt.Errorf("sqlite: execution %q: %w", row.ARN, store.ErrAlreadyExists)}
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: create execution %q: %w", row.ARN, err)
	}
	return id, nil
}

// execColumns scans the execution columns every execution query starts
// with (see queries.sql), then extra.
func scanExecution(r scanner, extra ...any) (*store.Execution, error) {
	var e store.Execution
	var typ, status string
	var start, stop, redrive, expiry sql.NullInt64
	dest := append([]any{&e.ARN, &e.StateMachineARN, &e.Name, &typ, &status, &start, &stop, &e.VersionARN, &e.AliasARN,
		&e.TraceHeader, &e.MapRunARN, &e.RedriveCount, &redrive, &e.EventCount, &e.LeaseOwner, &expiry}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	e.Type, e.Status = store.StateMachineType(typ), store.ExecutionStatus(status)
	e.StartDate, e.StopDate, e.RedriveDate, e.LeaseExpiry = fromMillis(start), fromMillis(stop), fromMillis(redrive), fromMillis(expiry)
	return &e, nil
}

// heavy holds the columns after the metadata in GetExecution and claims.
type heavy struct {
	output, errName, cause, definition sql.NullString
	snapshot                           []byte
}

func (h *heavy) apply(e *store.Execution) {
	e.Output, e.Error, e.Cause = fromNullString(h.output), fromNullString(h.errName), fromNullString(h.cause)
	e.Snapshot = nonEmpty(h.snapshot)
	e.Definition = h.definition.String
}

// GetExecution implements store.Store.
func (s *Store) GetExecution(ctx context.Context, arn string, include store.Include) (*store.Execution, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var h heavy
	var input string
	e, err := scanExecution(s.reader.QueryRowContext(ctx, query("GetExecution"), arn,
		include&store.IncludeSnapshot != 0, include&store.IncludeDefinition != 0),
		&input, &h.output, &h.errName, &h.cause, &h.snapshot, &h.definition)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("execution", arn)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get execution %q: %w", arn, err)
	}
	e.Input = input
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
	rows, err := s.reader.QueryContext(ctx, query(name), args...)
	if err != nil {
		return page, fmt.Errorf("sqlite: list executions: %w", err)
	}
	if page.Items, err = collect(rows, func(r scanner) (*store.Execution, error) { return scanExecution(r) }); err != nil {
		return page, fmt.Errorf("sqlite: list executions: %w", err)
	}
	return cursor.Page(page.Items, a.Limit, a.Next), nil
}

// DeleteExecution implements store.Store.
func (s *Store) DeleteExecution(ctx context.Context, arn string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, query("ExecutionID"), arn).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("execution", arn)
		}
		if err != nil {
			return fmt.Errorf("sqlite: delete execution %q: %w", arn, err)
		}
		for _, q := range []string{"DeleteExecutionEvents", "DeleteTimers", "DeleteTasks", "DeleteRequests", "DeleteExecution"} {
			if _, err := tx.ExecContext(ctx, query(q), id); err != nil {
				return fmt.Errorf("sqlite: delete execution %q: %s: %w", arn, q, err)
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
	rows, err := s.reader.QueryContext(ctx, query(name), p.ExecutionARN, from, limit+1)
	if err != nil {
		return page, fmt.Errorf("sqlite: history of %q: %w", p.ExecutionARN, err)
	}
	page.Items, err = collect(rows, func(r scanner) (history.Event, error) {
		var body []byte
		var ev history.Event
		if err := r.Scan(&body); err != nil {
			return ev, err
		}
		err := json.Unmarshal(body, &ev)
		return ev, err
	})
	if err != nil {
		return store.Page[history.Event]{}, fmt.Errorf("sqlite: history of %q: %w", p.ExecutionARN, err)
	}
	if len(page.Items) == 0 {
		// No events: an execution without history, or none at all.
		var id int64
		err := s.reader.QueryRowContext(ctx, query("ExecutionID"), p.ExecutionARN).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return page, notFound("execution", p.ExecutionARN)
		}
		if err != nil {
			return page, fmt.Errorf("sqlite: history of %q: %w", p.ExecutionARN, err)
		}
	}
	return cursor.Page(page.Items, limit, func(ev history.Event) string { return cursor.NextEvent(kind, p.ExecutionARN, ev.ID) }), nil
}
