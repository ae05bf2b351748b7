package sqlite_test

import (
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stepd/internal/store"
	"stepd/internal/store/memstore"
	"stepd/internal/store/sqlite"
	"stepd/internal/store/storetest"
)

// open opens a store on a fresh file in t's temporary directory.
func open(t testing.TB, opts sqlite.Options) *sqlite.Store {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "stepd.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// quiet drops the stores' logs (migrations applied, ...).
var quiet = slog.New(slog.DiscardHandler)

func TestStore(t *testing.T) {
	for _, c := range []struct {
		name string
		opts sqlite.Options
	}{
		{"GroupCommit", sqlite.Options{Logger: quiet}},
		{"NoGroupCommit", sqlite.Options{NoGroupCommit: true, Logger: quiet}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T) store.Store { return open(t, c.opts) },
				storetest.WithPeer(func(t *testing.T, s store.Store) store.Store {
					p, err := sqlite.Open(t.Context(), s.(*sqlite.Store).Path(), c.opts)
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
//	go test -run '^$' -bench . -benchtime 50000x ./internal/store/sqlite/
func BenchmarkStore(b *testing.B) {
	for _, c := range []struct {
		name string
		opts sqlite.Options
	}{
		{"GroupCommit", sqlite.Options{Logger: quiet}},
		{"NoGroupCommit", sqlite.Options{NoGroupCommit: true, Logger: quiet}},
	} {
		b.Run(c.name, func(b *testing.B) {
			storetest.Benchmarks(b, func(b *testing.B) store.Store { return open(b, c.opts) })
		})
	}
}

// TestModel runs random operation sequences against the SQLite store and a
// memstore, which must agree on every result.
func TestModel(t *testing.T) {
	storetest.RunModel(t, func() store.Store { return memstore.New() },
		func(t *testing.T) store.Store { return open(t, sqlite.Options{Logger: quiet}) }, 8, 1500)
}

// TestReopen checks that Open keeps an existing database (migrations are
// applied once) and refuses one whose schema is newer than it knows.
func TestReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "stepd.db") // the directory is created
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	sm := &store.StateMachine{ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:m", Name: "m", Type: store.Standard, Definition: "{}"}
	if err := s.CreateStateMachine(t.Context(), sm); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(t.Context(), path, sqlite.Options{Logger: quiet})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if _, err := s.GetStateMachine(t.Context(), sm.ARN); err != nil {
		t.Errorf("after reopening: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	files, err := os.ReadDir(filepath.Join("sql", "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	var versions int
	if err := db.QueryRow(`SELECT count(*) FROM stepd_migrations`).Scan(&versions); err != nil || versions != len(files) {
		t.Errorf("%d migrations recorded (%v), want %d", versions, err, len(files))
	}
	if _, err := db.Exec(`INSERT INTO stepd_migrations (version, name, applied_at) VALUES (99, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if s, err := sqlite.Open(t.Context(), path, sqlite.Options{Logger: quiet}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("Open of a newer schema: %v", err)
		if s != nil {
			_ = s.Close()
		}
	}
}
