package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stepd/internal/store"
)

// ----- leases -----

// ClaimExecutions implements store.Store.
func (s *Store) ClaimExecutions(ctx context.Context, p store.ClaimParams) ([]*store.Execution, error) {
	if p.Node == "" || p.Limit <= 0 {
		return nil, fmt.Errorf("sqlite: claim executions: node %q, limit %d: %w", p.Node, p.Limit, store.ErrInvalid)
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	until := store.Millis(p.Until)
	var out []*store.Execution
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, query("Claimable"), millis(store.Millis(p.Now)), p.Limit)
		if err != nil {
			return fmt.Errorf("sqlite: claim executions: %w", err)
		}
		var ids []int64
		out, err = collect(rows, func(r scanner) (*store.Execution, error) {
			var id int64
			var h heavy
			var input string
			e, err := scanExecution(idFirst{r, &id}, &input, &h.output, &h.errName, &h.cause, &h.snapshot, &h.definition)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
			e.Input = input
			h.apply(e)
			return e, nil
		})
		if err != nil {
			return fmt.Errorf("sqlite: claim executions: %w", err)
		}
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, query("SetLease"), id, p.Node, nullMillis(until)); err != nil {
				return fmt.Errorf("sqlite: claim executions: %w", err)
			}
			out[i].LeaseOwner, out[i].LeaseExpiry = p.Node, until
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// idFirst scans a leading id column, then the rest with r.
type idFirst struct {
	r  scanner
	id *int64
}

// Scan scans the id, then dest.
func (f idFirst) Scan(dest ...any) error { return f.r.Scan(append([]any{f.id}, dest...)...) }

// RenewLeases implements store.Store.
func (s *Store) RenewLeases(ctx context.Context, node string, until time.Time) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	if node == "" {
		return 0, nil
	}
	res, err := s.writer.ExecContext(ctx, query("RenewLeases"), node, nullMillis(store.Millis(until)))
	if err != nil {
		return 0, fmt.Errorf("sqlite: renew leases of %q: %w", node, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, executionARN, node string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query("ReleaseLease"), executionARN, node)
		if err != nil {
			return fmt.Errorf("sqlite: release %q: %w", executionARN, err)
		}
		if n, _ := res.RowsAffected(); n > 0 && node != "" {
			return nil
		}
		var count int64
		var owner string
		err = tx.QueryRowContext(ctx, query("ExecutionState"), executionARN).Scan(&count, &owner)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("execution", executionARN)
		}
		if err != nil {
			return fmt.Errorf("sqlite: release %q: %w", executionARN, err)
		}
		return fmt.Errorf("sqlite: release %q: leased to %q, not %q: %w", executionARN, owner, node, store.ErrConflict)
	})
	if err != nil {
		return err
	}
	s.publish(store.Notification{Kind: store.ExecutionReady, ARN: executionARN})
	return nil
}

// ReleaseLeases implements store.Store.
func (s *Store) ReleaseLeases(ctx context.Context, node string) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	if node == "" {
		return 0, nil
	}
	res, err := s.writer.ExecContext(ctx, query("ReleaseLeases"), node)
	if err != nil {
		return 0, fmt.Errorf("sqlite: release leases of %q: %w", node, err)
	}
	n, err := res.RowsAffected()
	if n > 0 {
		s.publish(store.Notification{Kind: store.ExecutionReady})
	}
	return int(n), err
}

// ----- timers and tasks -----

func scanTimer(r scanner) (store.Timer, error) {
	var t store.Timer
	var due sql.NullInt64
	err := r.Scan(&t.ExecutionARN, &t.ID, &due)
	t.Due = fromMillis(due)
	return t, err
}

// DueTimers implements store.Store.
func (s *Store) DueTimers(ctx context.Context, p store.DueTimersParams) ([]store.Timer, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("sqlite: due timers: limit %d: %w", p.Limit, store.ErrInvalid)
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	rows, err := s.reader.QueryContext(ctx, query("DueTimers"), millis(store.Millis(p.Before)), p.Node, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due timers: %w", err)
	}
	out, err := collect(rows, scanTimer)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due timers: %w", err)
	}
	return out, nil
}

// Timers implements store.Store.
func (s *Store) Timers(ctx context.Context, executionARN string) ([]store.Timer, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	rows, err := s.reader.QueryContext(ctx, query("Timers"), executionARN)
	if err != nil {
		return nil, fmt.Errorf("sqlite: timers of %q: %w", executionARN, err)
	}
	out, err := collect(rows, scanTimer)
	if err != nil {
		return nil, fmt.Errorf("sqlite: timers of %q: %w", executionARN, err)
	}
	return out, nil
}

func scanTask(r scanner) (store.Task, error) {
	var t store.Task
	var state string
	var created, started, heartbeat sql.NullInt64
	err := r.Scan(&t.ExecutionARN, &t.ID, &t.Token, &t.ActivityARN, &state, &t.Worker, &t.Input, &created, &started,
		&heartbeat, &t.HeartbeatSeconds, &t.TimeoutSeconds)
	t.State = store.TaskState(state)
	t.Created, t.Started, t.Heartbeat = fromMillis(created), fromMillis(started), fromMillis(heartbeat)
	return t, err
}

// Tasks implements store.Store.
func (s *Store) Tasks(ctx context.Context, executionARN string) ([]store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	rows, err := s.reader.QueryContext(ctx, query("Tasks"), executionARN)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tasks of %q: %w", executionARN, err)
	}
	out, err := collect(rows, scanTask)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tasks of %q: %w", executionARN, err)
	}
	return out, nil
}

// ClaimActivityTask implements store.Store.
func (s *Store) ClaimActivityTask(ctx context.Context, p store.ClaimTaskParams) (*store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var task *store.Task
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		task = nil
		var execID int64
		var id string
		err := tx.QueryRowContext(ctx, query("OldestQueuedTask"), p.ActivityARN).Scan(&execID, &id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sqlite: claim a task of %q: %w", p.ActivityARN, err)
		}
		if _, err := tx.ExecContext(ctx, query("StartTask"), execID, id, p.Worker, nullMillis(store.Millis(p.Now))); err != nil {
			return fmt.Errorf("sqlite: claim a task of %q: %w", p.ActivityARN, err)
		}
		t, err := scanTask(tx.QueryRowContext(ctx, query("TaskByKey"), execID, id))
		if err != nil {
			return fmt.Errorf("sqlite: claim a task of %q: %w", p.ActivityARN, err)
		}
		task = &t
		return nil
	})
	if err != nil {
		return nil, err
	}
	if task != nil {
		s.publish(store.Notification{Kind: store.ExecutionReady, ARN: task.ExecutionARN})
	}
	return task, nil
}

// TaskByToken implements store.Store.
func (s *Store) TaskByToken(ctx context.Context, token string) (*store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	t, err := scanTask(s.reader.QueryRowContext(ctx, query("TaskByToken"), token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: task token: %w", store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: task by token: %w", err)
	}
	return &t, nil
}

// HeartbeatTask implements store.Store.
func (s *Store) HeartbeatTask(ctx context.Context, token string, at time.Time) (*store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var task store.Task
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query("HeartbeatTask"), token, nullMillis(store.Millis(at)))
		if err != nil {
			return fmt.Errorf("sqlite: heartbeat: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: task token: %w", store.ErrNotFound)
		}
		if task, err = scanTask(tx.QueryRowContext(ctx, query("TaskByToken"), token)); err != nil {
			return fmt.Errorf("sqlite: heartbeat: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &task, nil
}

// ----- notifications -----

// Subscribe implements store.Store. SQLite serves one process, so
// notifications stay in it.
func (s *Store) Subscribe(ctx context.Context) (<-chan store.Notification, error) {
	return s.hub.Subscribe(ctx)
}

// Notify implements store.Store.
func (s *Store) Notify(ctx context.Context, n store.Notification) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.publish(n)
	return nil
}

// ----- invariants -----

// Check implements store.Checker.
func (s *Store) Check(ctx context.Context) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	var arn string
	var count, n, lo, hi int64
	err := s.reader.QueryRowContext(ctx, query("CheckEventCounts")).Scan(&arn, &count, &n, &lo, &hi)
	if err == nil {
		return fmt.Errorf("sqlite: execution %q: event count %d, %d events with ids %d..%d", arn, count, n, lo, hi)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: check: %w", err)
	}
	err = s.reader.QueryRowContext(ctx, query("CheckEnded")).Scan(&arn)
	if err == nil {
		return fmt.Errorf("sqlite: execution %q has ended but keeps a lease, timers, tasks or requests", arn)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: check: %w", err)
	}
	var what string
	err = s.reader.QueryRowContext(ctx, query("CheckOrphans")).Scan(&what)
	if err == nil {
		return fmt.Errorf("sqlite: a %s row whose owner is gone", what)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: check: %w", err)
	}
	var ok string
	if err := s.reader.QueryRowContext(ctx, query("IntegrityCheck")).Scan(&ok); err != nil || ok != "ok" {
		return fmt.Errorf("sqlite: integrity check: %q %v", ok, err)
	}
	return nil
}
