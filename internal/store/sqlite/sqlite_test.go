package sqlite_test

import (
	"log/slog"
	"path/filepath"
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
