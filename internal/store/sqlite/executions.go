package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"stepd/internal/store"
	"stepd/internal/store/internal/groupcommit"
	"stepd/internal/store/internal/sqlcore"
)

// CreateExecution implements store.Store.
func (s *Store) CreateExecution(ctx context.Context, e *store.Execution, first *store.Transition) error {
	var p *pending
	if first != nil {
		if err := s.db.CheckFirst(e, first); err != nil {
			return err
		}
		var err error
		if p, err = prepare(first); err != nil {
			return err
		}
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	var t *store.Transition
	if p != nil {
		t = p.t
	}
	ne := &newExecution{}
	ne.row, ne.hash = sqlcore.NewExecution(e, t)
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
	e.EventCount = ne.row.EventCount
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
	err := s.stmt(ctx, tx, "InsertExecution").QueryRowContext(ctx, sqlcore.InsertExecutionArgs(row, ne.hash)...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, refused{fmt.Errorf("sqlite: execution %q: %w", row.ARN, store.ErrAlreadyExists)}
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: create execution %q: %w", row.ARN, err)
	}
	return id, nil
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
			return s.db.NotFound("execution", arn)
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
