package sqlcore

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"stepd/internal/store/internal/sqlfile"
)

// Migrate applies, in tx, the migrations ms the database lacks, recording
// each (queries CreateMigrationsTable, SchemaVersion and RecordMigration).
// A database newer than ms is refused. store names the store in errors
// ("sqlite"), database the database ("the database", a file's path).
func Migrate(ctx context.Context, tx Querier, queries Queries, ms []sqlfile.Migration, store, database string, log *slog.Logger) error {
	if _, err := tx.Exec(ctx, queries.Get("CreateMigrationsTable")); err != nil {
		return fmt.Errorf("%s: create migrations table: %w", store, err)
	}
	var have int
	if err := tx.QueryRow(ctx, queries.Get("SchemaVersion")).Scan(&have); err != nil {
		return fmt.Errorf("%s: read schema version: %w", store, err)
	}
	if have > len(ms) {
		return fmt.Errorf("%s: %s has schema version %d, newer than this stepd knows (%d)", store, database, have, len(ms))
	}
	for _, m := range ms[have:] {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("%s: migration %s: %w", store, m.Name, err)
		}
		if _, err := tx.Exec(ctx, queries.Get("RecordMigration"), m.Version, m.Name, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("%s: record migration %s: %w", store, m.Name, err)
		}
		log.Info("applied migration", "migration", m.Name)
	}
	return nil
}
