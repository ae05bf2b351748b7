package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"stepd/internal/store/internal/sqlcore"
)

// shared is sqlcore.Store under a name of this package: embedded in Store,
// its methods are Store's, and no field is exported.
type shared = sqlcore.Store

// dialect is SQLite's side of the operations sqlcore runs.
type dialect struct{ s *Store }

var _ sqlcore.Dialect = dialect{}

// Check implements sqlcore.Dialect.
func (d dialect) Check(ctx context.Context) error { return d.s.check(ctx) }

// Reader implements sqlcore.Dialect: the read-only pool.
func (d dialect) Reader() sqlcore.Querier { return d.s.read }

// Writer implements sqlcore.Dialect: the writer connection.
func (d dialect) Writer() sqlcore.Querier { return d.s.write }

// InTx implements sqlcore.Dialect: a write transaction.
func (d dialect) InTx(ctx context.Context, fn func(tx sqlcore.Querier) error) error {
	return d.s.inTx(ctx, func(tx *sql.Tx) error { return fn(conn{tx}) })
}

// PutTags implements sqlcore.Dialect, a statement per tag.
func (d dialect) PutTags(ctx context.Context, tx sqlcore.Querier, arn string, keys, values []string) error {
	for i, k := range keys {
		if _, err := tx.Exec(ctx, query("PutTag"), arn, k, values[i]); err != nil {
			return err
		}
	}
	return nil
}

// DeleteTags implements sqlcore.Dialect, a statement per key.
func (d dialect) DeleteTags(ctx context.Context, tx sqlcore.Querier, arn string, keys []string) error {
	for _, k := range keys {
		if _, err := tx.Exec(ctx, query("DeleteTag"), arn, k); err != nil {
			return err
		}
	}
	return nil
}

// Time implements sqlcore.Dialect.
func (d dialect) Time(t *time.Time) any { return sqlcore.TimeScanner(t) }

// NullString implements sqlcore.Dialect.
func (d dialect) NullString(p **string) any { return sqlcore.NullStringScanner(p) }

// sqlQuerier is what a database handle and a transaction have in common.
type sqlQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// conn runs sqlcore's statements on a database handle or a transaction.
type conn struct{ q sqlQuerier }

// Query implements sqlcore.Querier.
func (c conn) Query(ctx context.Context, query string, args ...any) (sqlcore.Rows, error) {
	r, err := c.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

// QueryRow implements sqlcore.Querier.
func (c conn) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Row {
	return c.q.QueryRowContext(ctx, query, args...)
}

// Exec implements sqlcore.Querier.
func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := c.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// rows are *sql.Rows as sqlcore.Rows.
type rows struct{ *sql.Rows }

// Close implements sqlcore.Rows. Its error is dropped: a read that failed
// reports it through Err.
func (r rows) Close() { _ = r.Rows.Close() }

// preparedConn runs sqlcore's reads on the reader pool with statements
// prepared once per query text: SQLite otherwise parses and plans every
// query again, which cost a tenth of the CPU of a busy server.
// database/sql prepares a statement again on each pooled connection that
// runs it, by itself.
type preparedConn struct {
	db    *sql.DB
	stmts sync.Map // query text → *sql.Stmt
}

// stmt returns the prepared statement for query, preparing it the first
// time.
func (c *preparedConn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.stmts.LoadOrStore(query, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Query implements sqlcore.Querier.
func (c *preparedConn) Query(ctx context.Context, query string, args ...any) (sqlcore.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	r, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

// QueryRow implements sqlcore.Querier.
func (c *preparedConn) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Row {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// Exec implements sqlcore.Querier.
func (c *preparedConn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Close closes the prepared statements.
func (c *preparedConn) Close() error {
	var errs []error
	c.stmts.Range(func(k, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		c.stmts.Delete(k)
		return true
	})
	return errors.Join(errs...)
}

// errRow is a row whose Scan reports the error that kept the query from
// running.
type errRow struct{ err error }

// Scan implements sqlcore.Row.
func (r errRow) Scan(...any) error { return r.err }
