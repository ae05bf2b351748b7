// Package postgres is the PostgreSQL store.Store (pgx v5, pgxpool): several
// `stepd serve` nodes share one database.
//
// Nodes coordinate in SQL: executions are owned through leases (a node id
// and an expiry) claimed with FOR UPDATE SKIP LOCKED, so that two nodes
// never claim the same execution; activity tasks are taken the same way;
// Commit checks the event count (and the lease, when the transition names
// its owner), so a transition is applied at most once even if two nodes
// drive one execution. Wake-ups travel by LISTEN/NOTIFY on one channel per
// schema: a node that queues an activity task, claims one, posts a request
// or releases a lease notifies every node's subscribers.
//
// Concurrent Commits are batched: one transaction per batch, with the
// statements pipelined (an UPDATE per transition, then one statement per
// kind of row for the whole batch), so a batch costs a handful of round
// trips however many transitions it holds.
//
// The schema is created and migrated at Open from the numbered files in
// sql/migrations (under an advisory lock, so nodes starting together do not
// race); every query is in sql/queries.sql. Options.Schema puts the tables
// in a schema of their own.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

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

// Options tune a Store. The zero value is the default configuration.
type Options struct {
	// Schema is the schema that holds stepd's tables; it is created if
	// missing. Default "": the connection's search_path (normally public).
	// Letters, digits and underscores, at most 57 characters.
	Schema string
	// MaxConns caps the connection pool. Default: pgxpool's (the larger of
	// 4 and the number of CPUs). Subscribe holds one more connection.
	MaxConns int32
	// NoGroupCommit makes each Commit run its own transaction, in the
	// caller's goroutine. By default concurrent Commits are batched.
	NoGroupCommit bool
	// MaxBatch is the most Commits one transaction takes. Default
	// groupcommit.MaxBatchDefault (512).
	MaxBatch int
	// Linger is how long the group committer waits for more Commits before
	// writing a batch that is not full. Default 0.
	Linger time.Duration
	// Backlog is how many Commits may wait for a batch before Commit blocks.
	// Default groupcommit.BacklogDefault (4096).
	Backlog int
	// Logger receives the store's logs. Default slog.Default().
	Logger *slog.Logger
}

var schemaName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,56}$`)

// WithDefaults returns o with zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Validate reports the first bad field.
func (o Options) Validate() error {
	if o.Schema != "" && !schemaName.MatchString(o.Schema) {
		return fmt.Errorf("postgres: Schema %q: want letters, digits and underscores, at most 57", o.Schema)
	}
	if o.MaxConns < 0 {
		return fmt.Errorf("postgres: MaxConns %d: want 0 (default) or more", o.MaxConns)
	}
	return nil
}

// Store is a PostgreSQL store. Create it with Open.
type Store struct {
	// shared has the methods that both SQL stores run the same way.
	shared
	db      *sqlcore.DB
	conn    sqlcore.Querier // the pool
	opts    Options
	log     *slog.Logger
	pool    *pgxpool.Pool
	connCfg *pgx.ConnConfig
	channel string // the NOTIFY channel
	gc      *groupcommit.Committer[*pending]
	hub     notify.Hub

	ctx    context.Context // ends at Close
	cancel context.CancelFunc

	listenOnce sync.Once
	listening  chan struct{} // closed once LISTEN is in place (or failed)
	listenErr  error
	listenDone chan struct{}

	mu     sync.RWMutex
	closed bool
}

var (
	_ store.Store   = (*Store)(nil)
	_ store.Checker = (*Store)(nil)
)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string), creates the schema if needed and brings it up to date.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	opts = opts.WithDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DSN: %w", err)
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	s := &Store{
		opts:       opts,
		log:        opts.Logger.With("store", "postgres", "schema", opts.Schema),
		connCfg:    cfg.ConnConfig.Copy(),
		channel:    "stepd",
		listening:  make(chan struct{}),
		listenDone: make(chan struct{}),
	}
	if opts.Schema != "" {
		s.channel = "stepd_" + strings.ToLower(opts.Schema)
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	s.conn = conn{s.pool}
	s.db = sqlcore.New("postgres", queries, dialect{s})
	s.shared = s.db.Store()
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if !opts.NoGroupCommit {
		s.gc = groupcommit.New(groupcommit.Config{MaxBatch: opts.MaxBatch, Linger: opts.Linger, Backlog: opts.Backlog}, s.flush)
	}
	return s, nil
}

// migrate creates the schema and applies the migrations it lacks, in one
// transaction under an advisory lock.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := sqlfile.Migrations(sqlFS, "sql/migrations")
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, query("MigrationLock"), s.opts.Schema); err != nil {
			return fmt.Errorf("postgres: migration lock: %w", err)
		}
		if s.opts.Schema != "" {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{s.opts.Schema}.Sanitize()); err != nil {
				return fmt.Errorf("postgres: create schema %s: %w", s.opts.Schema, err)
			}
		}
		return sqlcore.Migrate(ctx, conn{tx}, queries, ms, "postgres", "the database", s.log)
	})
}

// Close implements store.Store: it waits for the Commits in flight, stops
// listening and closes the pool.
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
	s.cancel()
	s.listenOnce.Do(func() { // none started: none may start now
		s.listenErr = store.ErrClosed
		close(s.listening)
		close(s.listenDone)
	})
	<-s.listenDone
	s.hub.Close()
	s.pool.Close()
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

// inTx runs fn in a transaction and commits it, or rolls it back if fn
// fails.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// isUnique reports whether err is a unique violation.
func isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// ----- notifications -----

func payload(n store.Notification) string { return string(n.Kind) + ":" + n.ARN }

// notify queues notifications in tx; PostgreSQL delivers them at commit.
func (s *Store) notify(ctx context.Context, tx pgx.Tx, ns ...store.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	ps := make([]string, len(ns))
	for i, n := range ns {
		ps[i] = payload(n)
	}
	if _, err := tx.Exec(ctx, query("Notify"), s.channel, ps); err != nil {
		return fmt.Errorf("postgres: notify: %w", err)
	}
	return nil
}

// Subscribe implements store.Store. The first call starts listening on a
// connection of its own and returns once LISTEN is in place.
func (s *Store) Subscribe(ctx context.Context) (<-chan store.Notification, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.listenOnce.Do(func() { go s.listen() })
	select {
	case <-s.listening:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if s.listenErr != nil {
		return nil, s.listenErr
	}
	return s.hub.Subscribe(ctx)
}

// Notify implements store.Store.
func (s *Store) Notify(ctx context.Context, n store.Notification) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, query("Notify"), s.channel, []string{payload(n)}); err != nil {
		return fmt.Errorf("postgres: notify: %w", err)
	}
	return nil
}

// listen holds a LISTEN connection until Close, reconnecting (and telling
// subscribers to resync) when it breaks.
func (s *Store) listen() {
	defer close(s.listenDone)
	first := true
	backoff := 100 * time.Millisecond
	for s.ctx.Err() == nil {
		cfg := s.connCfg.Copy()
		cfg.RuntimeParams["application_name"] = s.listenerName()
		conn, err := pgx.ConnectConfig(s.ctx, cfg)
		if err == nil {
			_, err = conn.Exec(s.ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize())
			if err != nil {
				_ = conn.Close(context.Background())
			}
		}
		if err != nil {
			if first {
				s.listenErr = fmt.Errorf("postgres: listen: %w", err)
				close(s.listening)
				return
			}
			s.log.Warn("listen: reconnect failed", "err", err, "retry", backoff)
			select {
			case <-s.ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
			continue
		}
		if first {
			first = false
			close(s.listening)
		} else {
			s.hub.Publish(store.Notification{Kind: store.Resync})
		}
		backoff = 100 * time.Millisecond
		for {
			n, err := conn.WaitForNotification(s.ctx)
			if err != nil {
				if s.ctx.Err() == nil {
					s.log.Warn("listen: connection lost", "err", err)
				}
				break
			}
			kind, arn, _ := strings.Cut(n.Payload, ":")
			s.hub.Publish(store.Notification{Kind: store.NotificationKind(kind), ARN: arn})
		}
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = conn.Close(closeCtx)
		cancel()
	}
}

// listenerName is the application_name of the LISTEN connection.
func (s *Store) listenerName() string { return "stepd listener " + s.channel }

// Schema returns the schema the store's tables are in ("" for the
// connection's search_path).
func (s *Store) Schema() string { return s.opts.Schema }

// GroupCommitStats returns how many group-commit batches were written and
// how many transitions they held (0, 0 with NoGroupCommit).
func (s *Store) GroupCommitStats() (batches, transitions uint64) {
	if s.gc == nil {
		return 0, 0
	}
	return s.gc.Stats()
}
