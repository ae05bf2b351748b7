package server

import (
	"fmt"
	"log/slog"
	"net/url"

	"stepd/internal/store"
)

// openPostgres opens a PostgreSQL store.
func openPostgres(dsn string, _ *slog.Logger) (store.Store, error) {
	return nil, fmt.Errorf("the PostgreSQL store is not available in this build yet (%s)", redact(dsn))
}

// redact hides a DSN's password in messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}
