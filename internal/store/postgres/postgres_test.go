package postgres_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"stepd/internal/store"
	"stepd/internal/store/memstore"
	"stepd/internal/store/postgres"
	"stepd/internal/store/postgres/pgtest"
	"stepd/internal/store/storetest"
)

var quiet = slog.New(slog.DiscardHandler)

// open opens a store on a fresh schema (which goes when t ends).
func open(t testing.TB, opts postgres.Options) *postgres.Store {
	t.Helper()
	url := pgtest.DSN(t)
	opts.Schema = pgtest.Schema(t)
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	if opts.MaxConns == 0 {
		opts.MaxConns = 4
	}
	s, err := postgres.Open(t.Context(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	pgtest.DSN(t)
	for _, c := range []struct {
		name string
		opts postgres.Options
	}{
		{"GroupCommit", postgres.Options{}},
		{"NoGroupCommit", postgres.Options{NoGroupCommit: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T) store.Store { return open(t, c.opts) },
				storetest.WithPeer(func(t *testing.T, s store.Store) store.Store {
					// A second node on the same schema.
					opts := c.opts
					opts.Schema, opts.Logger, opts.MaxConns = s.(*postgres.Store).Schema(), quiet, 4
					p, err := postgres.Open(t.Context(), pgtest.DSN(t), opts)
					if err != nil {
						t.Fatal(err)
					}
					return p
				}))
		})
	}
}

// BenchmarkStore runs the storetest benchmarks with and without group
// commit, side by side:
//
//	go test -run '^$' -bench . -benchtime 20000x ./internal/store/postgres/
func BenchmarkStore(b *testing.B) {
	for _, c := range []struct {
		name string
		opts postgres.Options
	}{
		{"GroupCommit", postgres.Options{}},
		{"NoGroupCommit", postgres.Options{NoGroupCommit: true, MaxConns: 16}},
	} {
		b.Run(c.name, func(b *testing.B) {
			storetest.Benchmarks(b, func(b *testing.B) store.Store { return open(b, c.opts) })
		})
	}
}

// TestModel runs random operation sequences against the PostgreSQL store
// and a memstore, which must agree on every result.
func TestModel(t *testing.T) {
	pgtest.DSN(t)
	storetest.RunModel(t, func() store.Store { return memstore.New() },
		func(t *testing.T) store.Store { return open(t, postgres.Options{}) }, 4, 1000)
}

func TestOptionsValidate(t *testing.T) {
	for _, c := range []struct {
		opts postgres.Options
		ok   bool
	}{
		{postgres.Options{}, true},
		{postgres.Options{Schema: "stepd_1"}, true},
		{postgres.Options{Schema: "1abc"}, false},
		{postgres.Options{Schema: "a;DROP"}, false},
		{postgres.Options{Schema: strings.Repeat("a", 58)}, false},
		{postgres.Options{MaxConns: -1}, false},
	} {
		if err := c.opts.Validate(); (err == nil) != c.ok {
			t.Errorf("Validate(%+v) = %v", c.opts, err)
		}
	}
	if _, err := postgres.Open(t.Context(), "postgres://127.0.0.1:1/x", postgres.Options{Schema: "bad-name"}); err == nil {
		t.Error("Open with a bad schema name: no error")
	}
}

// TestListenerReconnects kills the LISTEN connection's backend and checks
// that subscribers are told to resync and that notifications flow again.
func TestListenerReconnects(t *testing.T) {
	t.Parallel()
	s := open(t, postgres.Options{})
	defer s.Close()
	ch, err := s.Subscribe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(t.Context(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	var killed bool
	if err := admin.QueryRow(t.Context(), `SELECT coalesce(bool_and(pg_terminate_backend(pid)), false) FROM pg_stat_activity
		WHERE application_name = $1`, "stepd listener stepd_"+strings.ToLower(s.Schema())).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate the listener: %v, %v", killed, err)
	}
	wait := func(what string, match func(store.Notification) bool) {
		t.Helper()
		guard := time.NewTimer(30 * time.Second)
		defer guard.Stop()
		for {
			select {
			case n := <-ch:
				if match(n) {
					return
				}
			case <-guard.C:
				t.Fatalf("no %s within 30s", what)
			}
		}
	}
	wait("resync", func(n store.Notification) bool { return n.Kind == store.Resync })
	if err := s.Notify(t.Context(), store.Notification{Kind: store.ExecutionReady, ARN: "after"}); err != nil {
		t.Fatal(err)
	}
	wait("notification after the reconnect", func(n store.Notification) bool { return n.ARN == "after" })
}
