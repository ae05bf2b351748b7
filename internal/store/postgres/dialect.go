package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"stepd/internal/store/internal/sqlcore"
)

// shared is sqlcore.Store under a name of this package: embedded in Store,
// its methods are Store's, and no field is exported.
type shared = sqlcore.Store

// dialect is PostgreSQL's side of the operations sqlcore runs.
type dialect struct{ s *Store }

var _ sqlcore.Dialect = dialect{}

// Check implements sqlcore.Dialect.
func (d dialect) Check(ctx context.Context) error { return d.s.check(ctx) }

// Reader implements sqlcore.Dialect: the pool.
func (d dialect) Reader() sqlcore.Querier { return d.s.conn }

// Writer implements sqlcore.Dialect: the pool.
func (d dialect) Writer() sqlcore.Querier { return d.s.conn }

// InTx implements sqlcore.Dialect.
func (d dialect) InTx(ctx context.Context, fn func(tx sqlcore.Querier) error) error {
	return d.s.inTx(ctx, func(tx pgx.Tx) error { return fn(conn{tx}) })
}

// PutTags implements sqlcore.Dialect with one statement.
func (d dialect) PutTags(ctx context.Context, tx sqlcore.Querier, arn string, keys, values []string) error {
	_, err := tx.Exec(ctx, query("PutTags"), arn, keys, values)
	return err
}

// DeleteTags implements sqlcore.Dialect with one statement.
func (d dialect) DeleteTags(ctx context.Context, tx sqlcore.Querier, arn string, keys []string) error {
	_, err := tx.Exec(ctx, query("DeleteTagKeys"), arn, keys)
	return err
}

// Time implements sqlcore.Dialect.
func (d dialect) Time(t *time.Time) any { return timeDest{t} }

// NullString implements sqlcore.Dialect: pgx reads NULL into a nil
// *string itself.
func (d dialect) NullString(p **string) any { return p }

// timeDest reads a nullable bigint of milliseconds into a time.Time. pgx
// hands it the value as a pgtype.Int8, without boxing it in an interface.
type timeDest struct{ t *time.Time }

// ScanInt64 implements pgtype.Int64Scanner.
func (d timeDest) ScanInt64(v pgtype.Int8) error {
	if !v.Valid {
		*d.t = time.Time{}
		return nil
	}
	*d.t = sqlcore.FromMillis(v.Int64)
	return nil
}

// pgxQuerier is what a pool and a transaction have in common.
type pgxQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// conn runs sqlcore's statements on a pool or a transaction.
type conn struct{ q pgxQuerier }

// Query implements sqlcore.Querier.
func (c conn) Query(ctx context.Context, sql string, args ...any) (sqlcore.Rows, error) {
	return c.q.Query(ctx, sql, args...)
}

// QueryRow implements sqlcore.Querier.
func (c conn) QueryRow(ctx context.Context, sql string, args ...any) sqlcore.Row {
	return c.q.QueryRow(ctx, sql, args...)
}

// Exec implements sqlcore.Querier.
func (c conn) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := c.q.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}
