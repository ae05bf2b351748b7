package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"stepd/internal/store"
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
	row, hash := sqlcore.NewExecution(e, t)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, query("InsertDefinition"), hash, row.Definition); err != nil {
			return fmt.Errorf("postgres: create execution %q: store definition: %w", e.ARN, err)
		}
		var id int64
		err := tx.QueryRow(ctx, query("InsertExecution"), sqlcore.InsertExecutionArgs(&row, hash)...).Scan(&id)
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

// DeleteExecution implements store.Store.
func (s *Store) DeleteExecution(ctx context.Context, arn string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, query("LockExecution"), arn).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return s.db.NotFound("execution", arn)
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
