// Package sqlcore is the Go that the SQL stores (store/postgres and
// store/sqlite) share: reading rows into store types, the operations whose
// logic is the same in both (resources, tags, reading executions, history,
// timers, tasks and requests, the invariant check), with their argument
// building, pagination and error wrapping.
//
// A store gives DB its query texts, by name, and a Dialect: how to reach
// its database (a Querier for reads, one for single writes, transactions)
// and the little that differs in Go (writing tags, the scan destinations
// that suit its driver). Queries both stores run word for word are in this
// package's sql/queries.sql; those the dialects spell differently (upserts,
// types, locking) are in each store's sql/queries.sql; LoadQueries merges
// the two, and sqlcore asks for a query by name. What differs in shape
// (group commit, leases and claims, notifications) stays in each store,
// using the scanners and helpers exported here.
package sqlcore

import (
	"context"
	"fmt"
	"time"

	"stepd/internal/store"
)

// Row is one row to scan: a pgx.Row, a *sql.Row, or the current row of
// Rows.
type Row interface {
	Scan(dest ...any) error
}

// Rows is the result of a query: Next moves to each row in turn, Err tells
// why the rows ended, Close frees them (it may be called more than once).
type Rows interface {
	Row
	Next() bool
	Err() error
	Close()
}

// Querier runs statements: a connection pool or a transaction.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	// QueryRow runs a query for one row; its error, and sql.ErrNoRows (or
	// an error that wraps it) when there is no row, come from Scan.
	QueryRow(ctx context.Context, sql string, args ...any) Row
	// Exec runs a statement and returns the number of rows it affected.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
}

// Dialect is a SQL store's side of the operations DB runs.
type Dialect interface {
	// Check returns ctx's error, or store.ErrClosed once the store is
	// closed. Every operation calls it before it touches the database
	// (after checking its arguments).
	Check(ctx context.Context) error
	// Reader runs reads outside a transaction.
	Reader() Querier
	// Writer runs a write of one statement outside a transaction.
	Writer() Querier
	// InTx runs fn in a write transaction and commits it, or rolls it back
	// if fn fails.
	InTx(ctx context.Context, fn func(tx Querier) error) error
	// PutTags sets the tags keys of the resource arn to values, in tx,
	// replacing the values of keys it has. No key is given twice.
	PutTags(ctx context.Context, tx Querier, arn string, keys, values []string) error
	// DeleteTags deletes the tags keys of the resource arn, in tx.
	DeleteTags(ctx context.Context, tx Querier, arn string, keys []string) error
	// Time returns the scan destination of a nullable column of
	// milliseconds since the epoch that sets *t: the zero time for NULL
	// and for the zero time's milliseconds, else the time in UTC
	// (FromMillis). TimeScanner suits database/sql.
	Time(t *time.Time) any
	// NullString returns the scan destination of a nullable text column
	// that sets *p: nil for NULL, else a pointer to the text.
	// NullStringScanner suits database/sql.
	NullString(p **string) any
}

// DB runs the shared operations of one SQL store. Create it with New.
type DB struct {
	name    string
	queries Queries
	d       Dialect
}

// New returns the shared operations of the store name ("postgres",
// "sqlite": the start of every error message), which run queries on d.
func New(name string, queries Queries, d Dialect) *DB {
	return &DB{name: name, queries: queries, d: d}
}

// NotFound returns the error for the resource what that arn does not name.
func (db *DB) NotFound(what, arn string) error {
	return fmt.Errorf("%s: %s %q: %w", db.name, what, arn, store.ErrNotFound)
}

// Collect runs a query and scans every row with scan.
func Collect[T any](ctx context.Context, q Querier, scan func(Row) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ----- values -----

// zeroMillis is the zero time.Time in milliseconds, stored in sort-key
// columns for "not set".
var zeroMillis = time.Time{}.UnixMilli()

// Millis is t in milliseconds, the zero time included (sort keys).
func Millis(t time.Time) int64 { return t.UnixMilli() }

// NullMillis is t in milliseconds, or NULL (nil) for the zero time.
func NullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// FromMillis reads a time column: the zero time for zeroMillis, else the
// time in UTC.
func FromMillis(ms int64) time.Time {
	if ms == zeroMillis {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// NullString is *p, or NULL (nil) for nil.
func NullString(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// NullBytes stores an empty snapshot as NULL.
func NullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nonEmpty reads a snapshot back: NULL and empty are nil.
func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// TimeScanner returns a database/sql destination for Dialect.Time.
func TimeScanner(t *time.Time) any { return timeScanner{t} }

type timeScanner struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case int64:
		*s.t = FromMillis(v)
	default:
		return fmt.Errorf("a time column holds %T, not milliseconds", src)
	}
	return nil
}

// NullStringScanner returns a database/sql destination for
// Dialect.NullString.
func NullStringScanner(p **string) any { return nullStringScanner{p} }

type nullStringScanner struct{ p **string }

// Scan implements sql.Scanner.
func (s nullStringScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.p = nil
	case string:
		*s.p = &v
	case []byte:
		t := string(v)
		*s.p = &t
	default:
		return fmt.Errorf("a text column holds %T", src)
	}
	return nil
}

// Store is the store.Store methods that every SQL store runs the same way,
// on a DB: a store embeds it and adds the rest (DB.Store).
type Store struct{ db *DB }

// Store returns db's Store.
func (db *DB) Store() Store { return Store{db} }
