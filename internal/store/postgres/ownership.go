package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"stepd/internal/store"
	"stepd/internal/store/internal/sqlcore"
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
	out, err := sqlcore.Collect(ctx, s.conn, s.db.ScanHeavyExecution, query("ClaimExecutions"), p.Node,
		sqlcore.NullMillis(store.Millis(p.Until)), sqlcore.Millis(store.Millis(p.Now)), p.Limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim executions: %w", err)
	}
	return out, nil
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, executionARN, node string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.db.ReleaseLease(ctx, conn{tx}, executionARN, node); err != nil {
			return err
		}
		return s.notify(ctx, tx, store.Notification{Kind: store.ExecutionReady, ARN: executionARN})
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

// ----- tasks -----

// ClaimActivityTask implements store.Store.
func (s *Store) ClaimActivityTask(ctx context.Context, p store.ClaimTaskParams) (*store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	var task *store.Task
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		task = nil
		t, err := s.db.ScanTask(tx.QueryRow(ctx, query("ClaimActivityTask"), p.ActivityARN, p.Worker, sqlcore.NullMillis(store.Millis(p.Now))))
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

// HeartbeatTask implements store.Store.
func (s *Store) HeartbeatTask(ctx context.Context, token string, at time.Time) (*store.Task, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	t, err := s.db.ScanTask(s.pool.QueryRow(ctx, query("HeartbeatTask"), token, sqlcore.NullMillis(store.Millis(at))))
	if err != nil {
		return nil, s.db.TaskError("heartbeat", err)
	}
	return &t, nil
}
