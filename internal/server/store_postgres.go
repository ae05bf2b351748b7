package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"stepd/internal/store"
	"stepd/internal/store/postgres"
)

// openPostgres opens a PostgreSQL store; several stepd nodes may share one
// database. Connection settings (pool_max_conns, sslmode, ...) go in the
// URL as pgx understands them; search_path=NAME keeps stepd's tables in a
// schema of their own, created if missing.
func openPostgres(dsn string, log *slog.Logger) (store.Store, error) {
	opts := postgres.Options{Logger: log.With("component", "store")}
	if u, err := url.Parse(dsn); err == nil {
		q := u.Query()
		if sp := q.Get("search_path"); sp != "" && !strings.ContainsAny(sp, ", ") {
			opts.Schema = sp
			q.Del("search_path")
			u.RawQuery = q.Encode()
			dsn = u.String()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := postgres.Open(ctx, dsn, opts)
	if err != nil {
		return nil, fmt.Errorf("open the PostgreSQL store %s: %w", redact(dsn), err)
	}
	return st, nil
}

// redact hides a DSN's password in messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}
