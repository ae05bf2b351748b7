package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"stepd/internal/store"
	"stepd/internal/store/internal/cursor"
)

// getOne runs the query name for one row and scans it; sql.ErrNoRows
// becomes NotFound(what, arn), any other error is wrapped as "get what".
func getOne[T any](ctx context.Context, db *DB, scan func(Row) (T, error), what, name, arn string) (T, error) {
	v, err := scan(db.d.Reader().QueryRow(ctx, db.queries.Get(name), arn))
	if errors.Is(err, sql.ErrNoRows) {
		return v, db.NotFound(what, arn)
	}
	if err != nil {
		return v, fmt.Errorf("%s: get %s %q: %w", db.name, what, arn, err)
	}
	return v, nil
}

// exists runs the query name, which selects one column of the row arn
// names, and returns NotFound(what, arn) when there is none.
func (db *DB) exists(ctx context.Context, q Querier, what, name, arn string) error {
	var one int
	err := q.QueryRow(ctx, db.queries.Get(name), arn).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return db.NotFound(what, arn)
	}
	if err != nil {
		return fmt.Errorf("%s: %s %q: %w", db.name, what, arn, err)
	}
	return nil
}

// deleteOne runs the query name, which deletes the row arn names, then
// the queries then with arn; NotFound(what, arn) if there was no row.
func (db *DB) deleteOne(ctx context.Context, what, name, arn string, then ...string) error {
	return db.d.InTx(ctx, func(tx Querier) error {
		n, err := tx.Exec(ctx, db.queries.Get(name), arn)
		if err != nil {
			return fmt.Errorf("%s: delete %s %q: %w", db.name, what, arn, err)
		}
		if n == 0 {
			return db.NotFound(what, arn)
		}
		for _, q := range then {
			if _, err := tx.Exec(ctx, db.queries.Get(q), arn); err != nil {
				return fmt.Errorf("%s: delete %s %q: %s: %w", db.name, what, arn, q, err)
			}
		}
		return nil
	})
}

// ----- state machines -----

// CreateStateMachine implements store.Store.
func (s Store) CreateStateMachine(ctx context.Context, sm *store.StateMachine) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	return s.db.d.InTx(ctx, func(tx Querier) error {
		n, err := tx.Exec(ctx, s.db.queries.Get("CreateStateMachine"), sm.ARN, sm.Name, string(sm.Type), sm.Definition,
			sm.RoleARN, sm.LoggingConfiguration, sm.TracingConfiguration, string(sm.Status), NullMillis(sm.CreationDate),
			NullMillis(sm.UpdateDate), sm.RevisionID, sm.Description, sm.Label)
		if err != nil {
			return fmt.Errorf("%s: create state machine %q: %w", s.db.name, sm.ARN, err)
		}
		if n == 0 {
			return fmt.Errorf("%s: state machine %q: %w", s.db.name, sm.ARN, store.ErrAlreadyExists)
		}
		// Tags of a machine deleted earlier under this ARN are gone already.
		return s.db.putTags(ctx, tx, sm.ARN, sm.Tags)
	})
}

// GetStateMachine implements store.Store.
func (s Store) GetStateMachine(ctx context.Context, arn string) (*store.StateMachine, error) {
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	sm, err := getOne(ctx, s.db, s.db.scanMachine, "state machine", "GetStateMachine", arn)
	if err != nil {
		return nil, err
	}
	if sm.Tags, err = s.db.listTags(ctx, s.db.d.Reader(), arn); err != nil {
		return nil, err
	}
	return sm, nil
}

// UpdateStateMachine implements store.Store.
func (s Store) UpdateStateMachine(ctx context.Context, sm *store.StateMachine) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	n, err := s.db.d.Writer().Exec(ctx, s.db.queries.Get("UpdateStateMachine"), sm.ARN, sm.Definition, sm.RoleARN,
		sm.LoggingConfiguration, sm.TracingConfiguration, sm.Description, string(sm.Status), sm.RevisionID,
		NullMillis(sm.UpdateDate))
	if err != nil {
		return fmt.Errorf("%s: update state machine %q: %w", s.db.name, sm.ARN, err)
	}
	if n == 0 {
		return s.db.NotFound("state machine", sm.ARN)
	}
	return nil
}

// DeleteStateMachine implements store.Store.
func (s Store) DeleteStateMachine(ctx context.Context, arn string) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	return s.db.deleteOne(ctx, "state machine", "DeleteStateMachine", arn,
		"DeleteMachineAliasRoutes", "DeleteMachineAliases", "DeleteMachineVersions", "DeleteTags")
}

// ListStateMachines implements store.Store.
func (s Store) ListStateMachines(ctx context.Context, p store.ListParams) (store.Page[*store.StateMachine], error) {
	limit, after, err := cursor.Ascending(cursor.Machines, p)
	if err != nil {
		return store.Page[*store.StateMachine]{}, err
	}
	if err := s.db.d.Check(ctx); err != nil {
		return store.Page[*store.StateMachine]{}, err
	}
	items, err := Collect(ctx, s.db.d.Reader(), s.db.scanMachine, s.db.queries.Get("ListStateMachines"), after, limit+1)
	if err != nil {
		return store.Page[*store.StateMachine]{}, fmt.Errorf("%s: list state machines: %w", s.db.name, err)
	}
	return cursor.Page(items, limit, func(sm *store.StateMachine) string { return cursor.NextARN(cursor.Machines, sm.ARN) }), nil
}

// ----- versions -----

// PublishVersion implements store.Store. The query MachineRevision locks
// the machine where the dialect needs it, so that its number and copy are
// taken atomically.
func (s Store) PublishVersion(ctx context.Context, v *store.Version) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	want := v.RevisionID
	out := *v
	err := s.db.d.InTx(ctx, func(tx Querier) error {
		var rev string
		err := tx.QueryRow(ctx, s.db.queries.Get("MachineRevision"), v.StateMachineARN).Scan(&rev)
		if errors.Is(err, sql.ErrNoRows) {
			return s.db.NotFound("state machine", v.StateMachineARN)
		}
		if err != nil {
			return fmt.Errorf("%s: publish version of %q: %w", s.db.name, v.StateMachineARN, err)
		}
		if want != "" && want != rev {
			return fmt.Errorf("%s: publish %q: revision %q is not the current %q: %w", s.db.name, v.StateMachineARN, want, rev, store.ErrConflict)
		}
		if err := tx.QueryRow(ctx, s.db.queries.Get("NextVersionNumber"), v.StateMachineARN).Scan(&out.Number, &out.Definition,
			&out.RoleARN, &out.LoggingConfiguration, &out.TracingConfiguration, &out.RevisionID); err != nil {
			return fmt.Errorf("%s: publish version of %q: %w", s.db.name, v.StateMachineARN, err)
		}
		out.ARN = fmt.Sprintf("%s:%d", v.StateMachineARN, out.Number)
		out.CreationDate = store.Millis(v.CreationDate)
		if _, err := tx.Exec(ctx, s.db.queries.Get("InsertVersion"), out.ARN, out.StateMachineARN, out.Number, out.Definition,
			out.RoleARN, out.LoggingConfiguration, out.TracingConfiguration, out.RevisionID, out.Description,
			NullMillis(out.CreationDate)); err != nil {
			return fmt.Errorf("%s: insert version %q: %w", s.db.name, out.ARN, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*v = out
	return nil
}

// GetVersion implements store.Store.
func (s Store) GetVersion(ctx context.Context, arn string) (*store.Version, error) {
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	return getOne(ctx, s.db, s.db.scanVersion, "version", "GetVersion", arn)
}

// ListVersions implements store.Store.
func (s Store) ListVersions(ctx context.Context, p store.ListVersionsParams) (store.Page[*store.Version], error) {
	limit, before, err := cursor.Versions(p)
	if err != nil {
		return store.Page[*store.Version]{}, err
	}
	if err := s.db.d.Check(ctx); err != nil {
		return store.Page[*store.Version]{}, err
	}
	items, err := Collect(ctx, s.db.d.Reader(), s.db.scanVersion, s.db.queries.Get("ListVersions"), p.StateMachineARN, before, limit+1)
	if err != nil {
		return store.Page[*store.Version]{}, fmt.Errorf("%s: list versions of %q: %w", s.db.name, p.StateMachineARN, err)
	}
	return cursor.Page(items, limit, cursor.NextVersion), nil
}

// DeleteVersion implements store.Store. The query LockVersion locks the
// version where the dialect needs it, so that an alias being put waits or
// is seen.
func (s Store) DeleteVersion(ctx context.Context, arn string) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	return s.db.d.InTx(ctx, func(tx Querier) error {
		if err := s.db.exists(ctx, tx, "version", "LockVersion", arn); err != nil {
			return err
		}
		var alias string
		err := tx.QueryRow(ctx, s.db.queries.Get("VersionRoutedBy"), arn).Scan(&alias)
		if err == nil {
			return fmt.Errorf("%s: version %q: alias %q routes to it: %w", s.db.name, arn, alias, store.ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: delete version %q: %w", s.db.name, arn, err)
		}
		if _, err := tx.Exec(ctx, s.db.queries.Get("DeleteVersion"), arn); err != nil {
			return fmt.Errorf("%s: delete version %q: %w", s.db.name, arn, err)
		}
		return nil
	})
}

// ----- aliases -----

// PutAlias implements store.Store. The queries MachineExists and
// VersionMachine lock what they find where the dialect needs it, so that a
// routed version stays until the alias is written.
func (s Store) PutAlias(ctx context.Context, a *store.Alias) error {
	routes, err := store.ParseRouting(a.Routing)
	if err != nil {
		return fmt.Errorf("%s: alias %q: %w", s.db.name, a.ARN, err)
	}
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	var created int64
	err = s.db.d.InTx(ctx, func(tx Querier) error {
		if err := s.db.exists(ctx, tx, "state machine", "MachineExists", a.StateMachineARN); err != nil {
			return err
		}
		for _, r := range routes {
			var owner string
			err := tx.QueryRow(ctx, s.db.queries.Get("VersionMachine"), r.StateMachineVersionARN).Scan(&owner)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != a.StateMachineARN) {
				return s.db.NotFound("version", r.StateMachineVersionARN)
			}
			if err != nil {
				return fmt.Errorf("%s: put alias %q: %w", s.db.name, a.ARN, err)
			}
		}
		if err := tx.QueryRow(ctx, s.db.queries.Get("UpsertAlias"), a.ARN, a.StateMachineARN, a.Name, a.Description, a.Routing,
			Millis(store.Millis(a.CreationDate)), NullMillis(a.UpdateDate)).Scan(&created); err != nil {
			return fmt.Errorf("%s: put alias %q: %w", s.db.name, a.ARN, err)
		}
		if _, err := tx.Exec(ctx, s.db.queries.Get("DeleteAliasRoutes"), a.ARN); err != nil {
			return fmt.Errorf("%s: put alias %q: %w", s.db.name, a.ARN, err)
		}
		for _, r := range routes {
			if _, err := tx.Exec(ctx, s.db.queries.Get("InsertAliasRoute"), a.ARN, r.StateMachineVersionARN); err != nil {
				return fmt.Errorf("%s: put alias %q: %w", s.db.name, a.ARN, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	a.CreationDate = FromMillis(created)
	return nil
}

// GetAlias implements store.Store.
func (s Store) GetAlias(ctx context.Context, arn string) (*store.Alias, error) {
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	return getOne(ctx, s.db, s.db.scanAlias, "alias", "GetAlias", arn)
}

// ListAliases implements store.Store.
func (s Store) ListAliases(ctx context.Context, p store.ListAliasesParams) (store.Page[*store.Alias], error) {
	limit, afterMs, afterARN, err := cursor.Aliases(p)
	if err != nil {
		return store.Page[*store.Alias]{}, err
	}
	if err := s.db.d.Check(ctx); err != nil {
		return store.Page[*store.Alias]{}, err
	}
	items, err := Collect(ctx, s.db.d.Reader(), s.db.scanAlias, s.db.queries.Get("ListAliases"), p.StateMachineARN, afterMs, afterARN, limit+1)
	if err != nil {
		return store.Page[*store.Alias]{}, fmt.Errorf("%s: list aliases of %q: %w", s.db.name, p.StateMachineARN, err)
	}
	return cursor.Page(items, limit, cursor.NextAlias), nil
}

// DeleteAlias implements store.Store.
func (s Store) DeleteAlias(ctx context.Context, arn string) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	return s.db.deleteOne(ctx, "alias", "DeleteAlias", arn, "DeleteAliasRoutes")
}

// ----- activities -----

// CreateActivity implements store.Store.
func (s Store) CreateActivity(ctx context.Context, a *store.Activity) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	return s.db.d.InTx(ctx, func(tx Querier) error {
		n, err := tx.Exec(ctx, s.db.queries.Get("CreateActivity"), a.ARN, a.Name, NullMillis(a.CreationDate))
		if err != nil {
			return fmt.Errorf("%s: create activity %q: %w", s.db.name, a.ARN, err)
		}
		if n == 0 {
			return fmt.Errorf("%s: activity %q: %w", s.db.name, a.ARN, store.ErrAlreadyExists)
		}
		return s.db.putTags(ctx, tx, a.ARN, a.Tags)
	})
}

// GetActivity implements store.Store.
func (s Store) GetActivity(ctx context.Context, arn string) (*store.Activity, error) {
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	a, err := getOne(ctx, s.db, s.db.scanActivity, "activity", "GetActivity", arn)
	if err != nil {
		return nil, err
	}
	if a.Tags, err = s.db.listTags(ctx, s.db.d.Reader(), arn); err != nil {
		return nil, err
	}
	return a, nil
}

// ListActivities implements store.Store.
func (s Store) ListActivities(ctx context.Context, p store.ListParams) (store.Page[*store.Activity], error) {
	limit, after, err := cursor.Ascending(cursor.Activities, p)
	if err != nil {
		return store.Page[*store.Activity]{}, err
	}
	if err := s.db.d.Check(ctx); err != nil {
		return store.Page[*store.Activity]{}, err
	}
	items, err := Collect(ctx, s.db.d.Reader(), s.db.scanActivity, s.db.queries.Get("ListActivities"), after, limit+1)
	if err != nil {
		return store.Page[*store.Activity]{}, fmt.Errorf("%s: list activities: %w", s.db.name, err)
	}
	return cursor.Page(items, limit, func(a *store.Activity) string { return cursor.NextARN(cursor.Activities, a.ARN) }), nil
}

// DeleteActivity implements store.Store.
func (s Store) DeleteActivity(ctx context.Context, arn string) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	return s.db.deleteOne(ctx, "activity", "DeleteActivity", arn, "DeleteTags")
}

// ----- tags -----

// putTags sets tags on arn in tx. A key given twice keeps its last value,
// as memstore does (and one INSERT cannot update a row twice).
func (db *DB) putTags(ctx context.Context, tx Querier, arn string, tags []store.Tag) error {
	if len(tags) == 0 {
		return nil
	}
	last := make(map[string]int, len(tags))
	for i, t := range tags {
		last[t.Key] = i
	}
	keys, values := make([]string, 0, len(last)), make([]string, 0, len(last))
	for i, t := range tags {
		if last[t.Key] == i {
			keys, values = append(keys, t.Key), append(values, t.Value)
		}
	}
	if err := db.d.PutTags(ctx, tx, arn, keys, values); err != nil {
		return fmt.Errorf("%s: tag %q: %w", db.name, arn, err)
	}
	return nil
}

func (db *DB) listTags(ctx context.Context, q Querier, arn string) ([]store.Tag, error) {
	tags, err := Collect(ctx, q, scanTag, db.queries.Get("ListTags"), arn)
	if err != nil {
		return nil, fmt.Errorf("%s: tags of %q: %w", db.name, arn, err)
	}
	return tags, nil
}

// TagResource implements store.Store.
func (s Store) TagResource(ctx context.Context, arn string, tags []store.Tag) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	return s.db.d.InTx(ctx, func(tx Querier) error {
		if err := s.db.exists(ctx, tx, "resource", "Taggable", arn); err != nil {
			return err
		}
		return s.db.putTags(ctx, tx, arn, tags)
	})
}

// UntagResource implements store.Store.
func (s Store) UntagResource(ctx context.Context, arn string, keys []string) error {
	if err := s.db.d.Check(ctx); err != nil {
		return err
	}
	return s.db.d.InTx(ctx, func(tx Querier) error {
		if err := s.db.exists(ctx, tx, "resource", "Taggable", arn); err != nil {
			return err
		}
		if err := s.db.d.DeleteTags(ctx, tx, arn, keys); err != nil {
			return fmt.Errorf("%s: untag %q: %w", s.db.name, arn, err)
		}
		return nil
	})
}

// ListTags implements store.Store.
func (s Store) ListTags(ctx context.Context, arn string) ([]store.Tag, error) {
	if err := s.db.d.Check(ctx); err != nil {
		return nil, err
	}
	if err := s.db.exists(ctx, s.db.d.Reader(), "resource", "Taggable", arn); err != nil {
		return nil, err
	}
	return s.db.listTags(ctx, s.db.d.Reader(), arn)
}
