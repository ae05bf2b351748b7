package server

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"stepd/internal/store"
	"stepd/internal/store/memstore"
	"stepd/internal/store/sqlite"
)

// openStore opens the store a Config.Store setting names.
func openStore(spec, dataDir string, log *slog.Logger) (store.Store, error) {
	switch {
	case spec == "" || spec == "sqlite":
		return openSQLite(filepath.Join(dataDir, "stepd.db"), log)
	case strings.HasPrefix(spec, "sqlite:"):
		return openSQLite(strings.TrimPrefix(spec, "sqlite:"), log)
	case spec == "memory":
		return memstore.New(), nil
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return openPostgres(spec, log)
	}
	return nil, fmt.Errorf("store %q: want sqlite, sqlite:PATH, memory or a postgres:// URL", spec)
}

func openSQLite(path string, log *slog.Logger) (store.Store, error) {
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{Logger: log.With("component", "store")})
	if err != nil {
		return nil, fmt.Errorf("open the SQLite store: %w", err)
	}
	return st, nil
}

// nodeID returns this data directory's node name, creating it on first use:
// a restarted stepd keeps its name, so it takes back its executions at once
// instead of waiting for their leases to expire.
func nodeID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "node-id")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	id := "node-" + uuid.NewString()[:8]
	if err := os.WriteFile(path, []byte(id+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("write the node id: %w", err)
	}
	return id, nil
}
