package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stepd/internal/store"
	"stepd/internal/store/internal/sqlcore"
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
		var ids []int64
		var err error
		out, err = sqlcore.Collect(ctx, conn{tx}, func(r sqlcore.Row) (*store.Execution, error) {
			var id int64
			e, err := s.db.ScanExecution(idFirst{r, &id}, true)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
			return e, nil
		}, query("Claimable"), sqlcore.Millis(store.Millis(p.Now)), p.Limit)
		if err != nil {
			return fmt.Errorf("sqlite: claim executions: %w", err)
		}
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, query("SetLease"), id, p.Node, sqlcore.NullMillis(until)); err != nil {
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
	r  sqlcore.Row
	id *int64
}

// Scan scans the id, then dest.
func (f idFirst) Scan(dest ...any) error { return f.r.Scan(append([]any{f.id}, dest...)...) }

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, executionARN, node string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.db.ReleaseLease(ctx, conn{tx}, executionARN, node) })
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

// ----- tasks -----

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
		if _, err := tx.ExecContext(ctx, query("StartTask"), execID, id, p.Worker, sqlcore.NullMillis(store.Millis(p.Now))); err != nil {
			return fmt.Errorf("sqlite: claim a task of %q: %w", p.ActivityARN, err)
		}
		t, err := s.db.ScanTask(tx.QueryRowContext(ctx, query("TaskByKey"), execID, id))
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

// HeartbeatTask implements store.Store.
func (s *Store) HeartbeatTask(ctx context.Context, token string, at time.Time) (*store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var task store.Task
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query("HeartbeatTask"), token, sqlcore.NullMillis(store.Millis(at)))
		if err != nil {
			return fmt.Errorf("sqlite: heartbeat: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlite: task token: %w", store.ErrNotFound)
		}
		if task, err = s.db.ScanTask(tx.QueryRowContext(ctx, query("TaskByToken"), token)); err != nil {
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

// Check implements store.Checker: sqlcore's checks, then SQLite's own.
func (s *Store) Check(ctx context.Context) error {
	if err := s.shared.Check(ctx); err != nil {
		return err
	}
	var ok string
	if err := s.reader.QueryRowContext(ctx, query("IntegrityCheck")).Scan(&ok); err != nil || ok != "ok" {
		return fmt.Errorf("sqlite: integrity check: %q %v", ok, err)
	}
	return nil
}
