package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"stepd/internal/store"
)

// PostRequest implements store.Store. The execution's row is locked FOR
// SHARE while the request goes in: a Commit that ends the execution waits
// for the post (and then deletes the request with the others), or the post
// waits for it (and sees the execution ended). The notification leaves at
// commit, for every node.
func (s *Store) PostRequest(ctx context.Context, r *store.Request) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("postgres: post: %w", err)
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var execID int64
		var status string
		err := tx.QueryRow(ctx, query("LockExecutionShared"), r.ExecutionARN).Scan(&execID, &status)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("execution", r.ExecutionARN)
		}
		if err != nil {
			return fmt.Errorf("postgres: post a request for %q: %w", r.ExecutionARN, err)
		}
		if store.ExecutionStatus(status) != store.Running {
			return fmt.Errorf("postgres: post a request for %q: execution is %s: %w", r.ExecutionARN, status, store.ErrConflict)
		}
		err = tx.QueryRow(ctx, query("InsertRequest"), execID, string(r.Kind), r.TaskToken, r.Output, r.Error, r.Cause,
			nullMillis(store.Millis(r.Created))).Scan(&id)
		if err != nil {
			return fmt.Errorf("postgres: post a request for %q: %w", r.ExecutionARN, err)
		}
		return s.notify(ctx, tx, store.Notification{Kind: store.ExecutionReady, ARN: r.ExecutionARN})
	})
	if err != nil {
		return err
	}
	r.ID = id
	return nil
}

func scanRequest(row pgx.Row) (store.Request, error) {
	var q store.Request
	var kind string
	var created *int64
	err := row.Scan(&q.ExecutionARN, &q.ID, &kind, &q.TaskToken, &q.Output, &q.Error, &q.Cause, &created)
	q.Kind = store.RequestKind(kind)
	q.Created = fromMillis(created)
	return q, err
}

// Requests implements store.Store.
func (s *Store) Requests(ctx context.Context, p store.RequestsParams) ([]store.Request, error) {
	if p.Limit < 0 {
		return nil, fmt.Errorf("postgres: requests: limit %d: %w", p.Limit, store.ErrInvalid)
	}
	var limit *int // LIMIT NULL: no limit
	if p.Limit > 0 {
		limit = &p.Limit
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	name, key := "RequestsOfNode", p.Node
	if p.ExecutionARN != "" {
		name, key = "RequestsOfExecution", p.ExecutionARN
	}
	out, err := collect(ctx, s.pool, scanRequest, query(name), key, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: requests: %w", err)
	}
	return out, nil
}
