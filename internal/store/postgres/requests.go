package postgres

import (
	"context"
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
		var err error
		if id, err = s.db.InsertRequest(ctx, conn{tx}, r); err != nil {
			return err
		}
		return s.notify(ctx, tx, store.Notification{Kind: store.ExecutionReady, ARN: r.ExecutionARN})
	})
	if err != nil {
		return err
	}
	r.ID = id
	return nil
}
