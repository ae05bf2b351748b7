package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"stepd/internal/store"
)

// ----- leases -----

// ClaimExecutions implements store.Store.
func (s *Store) ClaimExecutions(ctx context.Context, p store.ClaimParams) ([]*store.Execution, error) {
	if p.Node == "" || p.Limit <= 0 {
		return nil, fmt.Errorf("postgres: claim executions: node %q, limit %d: %w", p.Node, p.Limit, store.ErrInvalid)
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	out, err := collect(ctx, s.pool, func(r pgx.Row) (*store.Execution, error) {
		var h heavy
		e, err := scanExecution(r, h.dest()...)
		if err != nil {
			return nil, err
		}
		h.apply(e)
		return e, nil
	}, query("ClaimExecutions"), p.Node, nullMillis(store.Millis(p.Until)), millis(store.Millis(p.Now)), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim executions: %w", err)
	}
	return out, nil
}

// RenewLeases implements store.Store.
func (s *Store) RenewLeases(ctx context.Context, node string, until time.Time) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	if node == "" {
		return 0, nil
	}
	tag, err := s.pool.Exec(ctx, query("RenewLeases"), node, nullMillis(store.Millis(until)))
	if err != nil {
		return 0, fmt.Errorf("postgres: renew leases of %q: %w", node, err)
	}
	return int(tag.RowsAffected()), nil
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, executionARN, node string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query("ReleaseLease"), executionARN, node)
		if err != nil {
			return fmt.Errorf("postgres: release %q: %w", executionARN, err)
		}
		if tag.RowsAffected() > 0 {
			return s.notify(ctx, tx, store.Notification{Kind: store.ExecutionReady, ARN: executionARN})
		}
		var count int64
		var owner string
		err = tx.QueryRow(ctx, query("ExecutionState"), executionARN).Scan(&count, &owner)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("execution", executionARN)
		}
		if err != nil {
			return fmt.Errorf("postgres: release %q: %w", executionARN, err)
		}
		return fmt.Errorf("postgres: release %q: leased to %q, not %q: %w", executionARN, owner, node, store.ErrConflict)
	})
}

// ReleaseLeases implements store.Store.
func (s *Store) ReleaseLeases(ctx context.Context, node string) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query("ReleaseLeases"), node)
		if err != nil {
			return fmt.Errorf("postgres: release leases of %q: %w", node, err)
		}
		if n = int(tag.RowsAffected()); n > 0 {
			return s.notify(ctx, tx, store.Notification{Kind: store.ExecutionReady})
		}
		return nil
	})
	return n, err
}

// ----- timers and tasks -----

func scanTimer(r pgx.Row) (store.Timer, error) {
	var t store.Timer
	var due int64
	err := r.Scan(&t.ExecutionARN, &t.ID, &due)
	t.Due = fromMillis(&due)
	return t, err
}

// DueTimers implements store.Store.
func (s *Store) DueTimers(ctx context.Context, p store.DueTimersParams) ([]store.Timer, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("postgres: due timers: limit %d: %w", p.Limit, store.ErrInvalid)
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	out, err := collect(ctx, s.pool, scanTimer, query("DueTimers"), millis(store.Millis(p.Before)), p.Node, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: due timers: %w", err)
	}
	return out, nil
}

// Timers implements store.Store.
func (s *Store) Timers(ctx context.Context, executionARN string) ([]store.Timer, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	out, err := collect(ctx, s.pool, scanTimer, query("Timers"), executionARN)
	if err != nil {
		return nil, fmt.Errorf("postgres: timers of %q: %w", executionARN, err)
	}
	return out, nil
}

func scanTask(r pgx.Row) (store.Task, error) {
	var t store.Task
	var state string
	var created int64
	var started, heartbeat *int64
	err := r.Scan(&t.ExecutionARN, &t.ID, &t.Token, &t.ActivityARN, &state, &t.Worker, &t.Input, &created, &started,
		&heartbeat, &t.HeartbeatSeconds, &t.TimeoutSeconds)
	t.State = store.TaskState(state)
	t.Created, t.Started, t.Heartbeat = fromMillis(&created), fromMillis(started), fromMillis(heartbeat)
	return t, err
}

// Tasks implements store.Store.
func (s *Store) Tasks(ctx context.Context, executionARN string) ([]store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	out, err := collect(ctx, s.pool, scanTask, query("Tasks"), executionARN)
	if err != nil {
		return nil, fmt.Errorf("postgres: tasks of %q: %w", executionARN, err)
	}
	return out, nil
}

// ClaimActivityTask implements store.Store.
func (s *Store) ClaimActivityTask(ctx context.Context, p store.ClaimTaskParams) (*store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var task *store.Task
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		task = nil
		t, err := scanTask(tx.QueryRow(ctx, query("ClaimActivityTask"), p.ActivityARN, p.Worker, nullMillis(store.Millis(p.Now))))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("postgres: claim a task of %q: %w", p.ActivityARN, err)
		}
		task = &t
		return s.notify(ctx, tx, store.Notification{Kind: store.ExecutionReady, ARN: t.ExecutionARN})
	})
	if err != nil {
		return nil, err
	}
	return task, nil
}

// TaskByToken implements store.Store.
func (s *Store) TaskByToken(ctx context.Context, token string) (*store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	t, err := scanTask(s.pool.QueryRow(ctx, query("TaskByToken"), token))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: task token: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: task by token: %w", err)
	}
	return &t, nil
}

// HeartbeatTask implements store.Store.
func (s *Store) HeartbeatTask(ctx context.Context, token string, at time.Time) (*store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	t, err := scanTask(s.pool.QueryRow(ctx, query("HeartbeatTask"), token, nullMillis(store.Millis(at))))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: task token: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: heartbeat: %w", err)
	}
	return &t, nil
}

// ----- invariants -----

// Check implements store.Checker.
func (s *Store) Check(ctx context.Context) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	var arn string
	var count, n, lo, hi int64
	err := s.pool.QueryRow(ctx, query("CheckEventCounts")).Scan(&arn, &count, &n, &lo, &hi)
	if err == nil {
		return fmt.Errorf("postgres: execution %q: event count %d, %d events with ids %d..%d", arn, count, n, lo, hi)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: check: %w", err)
	}
	err = s.pool.QueryRow(ctx, query("CheckEnded")).Scan(&arn)
	if err == nil {
		return fmt.Errorf("postgres: execution %q has ended but keeps a lease, timers, tasks or requests", arn)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: check: %w", err)
	}
	var what string
	err = s.pool.QueryRow(ctx, query("CheckOrphans")).Scan(&what)
	if err == nil {
		return fmt.Errorf("postgres: a %s row whose owner is gone", what)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: check: %w", err)
	}
	return nil
}
