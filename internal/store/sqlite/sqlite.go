// Package sqlite is the SQLite store.Store (modernc.org/sqlite, pure Go), the
// default store of `stepd serve`.
//
// The database runs in WAL mode with synchronous=NORMAL: a commit is durable
// across a crash of the process (its pages are in the WAL when Commit
// returns) and, after a power loss, the database is consistent but may
// have lost the last transactions. Writes go through one connection (SQLite
// has one writer at a time; BEGIN IMMEDIATE takes the lock up front), reads
// through a pool of read-only connections that WAL lets run alongside the
// writer. Concurrent Commits are batched into one transaction by a group
// committer (Options.MaxBatch and friends).
//
// The schema is created and migrated at Open from the numbered files in
// sql/migrations; every query is in sql/queries.sql.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"stepd/internal/store"
	"stepd/internal/store/internal/groupcommit"
	"stepd/internal/store/internal/notify"
	"stepd/internal/store/internal/sqlcore"
	"stepd/internal/store/internal/sqlfile"
)

//go:embed sql
var sqlFS embed.FS

var queries = sqlcore.MustLoadQueries(sqlFS, "sql/queries.sql")

// query returns the named query; a missing name is a programming error
// that the tests catch.
func query(name string) string { return queries.Get(name) }

// DefaultFile is the database's file name in the data directory.
const DefaultFile = "stepd.db"

// Defaults for Options.
const (
	ReadersDefault     = 4
	BusyTimeoutDefault = 5 * time.Second
)

// Options tune a Store. The zero value is the default configuration.
type Options struct {
	// Readers is the number of read connections. Default ReadersDefault.
	Readers int
	// BusyTimeout is how long a connection waits for a lock held by another
	// process before failing. Default BusyTimeoutDefault.
	BusyTimeout time.Duration
	// NoGroupCommit makes each Commit run its own transaction, in the
	// caller's goroutine. By default concurrent Commits are batched.
	NoGroupCommit bool
	// MaxBatch is the most Commits one transaction takes. Default
	// groupcommit.MaxBatchDefault (512).
	MaxBatch int
	// Linger is how long the group committer waits for more Commits before
	// writing a batch that is not full. Default 0: write as soon as the
	// previous batch is done (batches form while it runs).
	Linger time.Duration
	// Backlog is how many Commits may wait for a batch before Commit blocks.
	// Default groupcommit.BacklogDefault (4096).
	Backlog int
	// Logger receives the store's logs. Default slog.Default().
	Logger *slog.Logger
}

// WithDefaults returns o with zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.Readers <= 0 {
		o.Readers = ReadersDefault
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = BusyTimeoutDefault
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Store is a SQLite store. Create it with Open.
type Store struct {
	// shared has the methods that both SQL stores run the same way.
	shared
	db     *sqlcore.DB
	read   *preparedConn   // the reader
	write  sqlcore.Querier // the writer
	path   string
	key    string // the absolute path, for handles
	opts   Options
	log    *slog.Logger
	writer *sql.DB
	reader *sql.DB
	stmts  map[string]*sql.Stmt // prepared on the writer
	gc     *groupcommit.Committer[*pending]
	hub    notify.Hub

	mu     sync.RWMutex
	closed bool
}

var (
	_ store.Store   = (*Store)(nil)
	_ store.Checker = (*Store)(nil)
)

// dsn returns the connection string for path: WAL, synchronous=NORMAL, a
// busy timeout and, for the writer, BEGIN IMMEDIATE transactions
// (research/deps.md §3).
func dsn(path string, busy time.Duration, writer bool) string {
	// SQLite URI file names escape '%', '?' and '#'.
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(0)")
	q.Add("_pragma", "cache_size(-65536)")
	q.Add("_pragma", "wal_autocheckpoint(10000)")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + p + "?" + q.Encode()
}

// Open opens (creating it if needed) the database file at path, brings its
// schema up to date and starts the group committer.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	opts = opts.WithDefaults()
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
	}
	s := &Store{path: path, opts: opts, log: opts.Logger.With("store", "sqlite", "path", path), stmts: map[string]*sql.Stmt{}}
	var err error
	if s.writer, err = sql.Open("sqlite", dsn(path, opts.BusyTimeout, true)); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.writer.SetMaxOpenConns(1)
	s.writer.SetMaxIdleConns(1)
	s.writer.SetConnMaxLifetime(0)
	s.writer.SetConnMaxIdleTime(0)
	if err := s.migrate(ctx); err != nil {
		_ = s.writer.Close()
		return nil, err
	}
	if s.reader, err = sql.Open("sqlite", dsn(path, opts.BusyTimeout, false)); err != nil {
		_ = s.writer.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	s.read, s.write = &preparedConn{db: s.reader}, conn{s.writer}
	s.db = sqlcore.New("sqlite", queries, dialect{s})
	s.shared = s.db.Store()
	s.reader.SetMaxOpenConns(opts.Readers)
	s.reader.SetMaxIdleConns(opts.Readers)
	s.reader.SetConnMaxLifetime(0)
	s.reader.SetConnMaxIdleTime(0)
	for _, name := range hotStatements {
		st, err := s.writer.PrepareContext(ctx, query(name))
		if err != nil {
			_ = s.writer.Close()
			_ = s.reader.Close()
			return nil, fmt.Errorf("sqlite: prepare %s: %w", name, err)
		}
		s.stmts[name] = st
	}
	if !opts.NoGroupCommit {
		s.gc = groupcommit.New(groupcommit.Config{MaxBatch: opts.MaxBatch, Linger: opts.Linger, Backlog: opts.Backlog}, s.flush)
	}
	s.key = path
	if abs, err := filepath.Abs(path); err == nil {
		s.key = abs
	}
	handles.add(s)
	return s, nil
}

// handles knows the open stores of each database file in this process, so
// that a notification reaches the subscribers of every handle on the file.
// (Processes do not share notifications: one SQLite file serves one
// `stepd serve`.)
var handles = registry{byPath: map[string]map[*Store]struct{}{}}

type registry struct {
	mu     sync.Mutex
	byPath map[string]map[*Store]struct{}
}

func (r *registry) add(s *Store) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.byPath[s.key]
	if m == nil {
		m = map[*Store]struct{}{}
		r.byPath[s.key] = m
	}
	m[s] = struct{}{}
}

func (r *registry) remove(s *Store) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byPath[s.key], s)
	if len(r.byPath[s.key]) == 0 {
		delete(r.byPath, s.key)
	}
}

// publish sends n to the subscribers of every handle on s's file.
func (s *Store) publish(n store.Notification) {
	handles.mu.Lock()
	defer handles.mu.Unlock()
	for h := range handles.byPath[s.key] {
		h.hub.Publish(n)
	}
}

// hotStatements are prepared once on the writer connection.
var hotStatements = []string{
	"UpdateExecution", "InsertEvent", "DeleteTimer", "InsertTimer", "DeleteTimers",
	"DeleteTask", "InsertTask", "DeleteTasks", "DeleteRequest", "DeleteRequests", "InsertDefinition", "InsertExecution",
}

// migrate applies the migrations the database lacks, in one transaction.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := sqlfile.Migrations(sqlFS, "sql/migrations")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return sqlcore.Migrate(ctx, conn{tx}, queries, ms, "sqlite", s.path, s.log)
	})
}

// Close implements store.Store: it waits for the Commits in flight, then
// closes the connections. The database is left in a consistent state;
// SQLite checkpoints the WAL when the last connection closes.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	if s.gc != nil {
		s.gc.Close()
	}
	handles.remove(s)
	s.hub.Close()
	var errs []error
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	errs = append(errs, s.read.Close(), s.reader.Close(), s.writer.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close %s: %w", s.path, err)
	}
	return nil
}

// check returns store.ErrClosed after Close, and ctx's error.
func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return store.ErrClosed
	}
	return nil
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it, or
// rolls it back if fn fails.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// stmt returns the prepared statement name bound to tx.
func (s *Store) stmt(ctx context.Context, tx *sql.Tx, name string) *sql.Stmt {
	return tx.StmtContext(ctx, s.stmts[name])
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *msqlite.Error
	if errors.As(err, &e) {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// GroupCommitStats returns how many group-commit batches were written and
// how many transitions they held (0, 0 with NoGroupCommit).
func (s *Store) GroupCommitStats() (batches, transitions uint64) {
	if s.gc == nil {
		return 0, 0
	}
	return s.gc.Stats()
}
