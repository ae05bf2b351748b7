package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"stepd/internal/store"
)

// PostRequest implements store.Store. The execution's status is read in the
// write transaction, so a request never lands on an execution that a
// concurrent Commit has just ended.
func (s *Store) PostRequest(ctx context.Context, r *store.Request) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("sqlite: post: %w", err)
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var execID int64
		var status string
		err := tx.QueryRowContext(ctx, query("ExecutionStatus"), r.ExecutionARN).Scan(&execID, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("execution", r.ExecutionARN)
		}
		if err != nil {
			return fmt.Errorf("sqlite: post a request for %q: %w", r.ExecutionARN, err)
		}
		if store.ExecutionStatus(status) != store.Running {
			return fmt.Errorf("sqlite: post a request for %q: execution is %s: %w", r.ExecutionARN, status, store.ErrConflict)
		}
		err = tx.QueryRowContext(ctx, query("InsertRequest"), execID, string(r.Kind), r.TaskToken, nullString(r.Output),
			nullString(r.Error), nullString(r.Cause), nullMillis(store.Millis(r.Created))).Scan(&id)
		if err != nil {
			return fmt.Errorf("sqlite: post a request for %q: %w", r.ExecutionARN, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.ID = id
	s.publish(store.Notification{Kind: store.ExecutionReady, ARN: r.ExecutionARN})
	return nil
}

func scanRequest(r scanner) (store.Request, error) {
	var q store.Request
	var kind string
	var output, errName, cause sql.NullString
	var created sql.NullInt64
	err := r.Scan(&q.ExecutionARN, &q.ID, &kind, &q.TaskToken, &output, &errName, &cause, &created)
	q.Kind = store.RequestKind(kind)
	q.Output, q.Error, q.Cause = fromNullString(output), fromNullString(errName), fromNullString(cause)
	q.Created = fromMillis(created)
	return q, err
}

// Requests implements store.Store.
func (s *Store) Requests(ctx context.Context, p store.RequestsParams) ([]store.Request, error) {
	if p.Limit < 0 {
		return nil, fmt.Errorf("sqlite: requests: limit %d: %w", p.Limit, store.ErrInvalid)
	}
	limit := p.Limit
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	name, key := "RequestsOfNode", p.Node
	if p.ExecutionARN != "" {
		name, key = "RequestsOfExecution", p.ExecutionARN
	}
	rows, err := s.reader.QueryContext(ctx, query(name), key, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: requests: %w", err)
	}
	out, err := collect(rows, scanRequest)
	if err != nil {
		return nil, fmt.Errorf("sqlite: requests: %w", err)
	}
	return out, nil
}
