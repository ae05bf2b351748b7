package sqlite

import (
	"context"
	"database/sql"
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
		var err error
		id, err = s.db.InsertRequest(ctx, conn{tx}, r)
		return err
	})
	if err != nil {
		return err
	}
	r.ID = id
	s.publish(store.Notification{Kind: store.ExecutionReady, ARN: r.ExecutionARN})
	return nil
}
