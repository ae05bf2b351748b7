package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"stepd/internal/store"
	"stepd/internal/store/internal/cursor"
)

func notFound(what, arn string) error {
	return fmt.Errorf("postgres: %s %q: %w", what, arn, store.ErrNotFound)
}

// ----- state machines -----

// CreateStateMachine implements store.Store.
func (s *Store) CreateStateMachine(ctx context.Context, sm *store.StateMachine) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query("CreateStateMachine"), sm.ARN, sm.Name, string(sm.Type), sm.Definition, sm.RoleARN,
			sm.LoggingConfiguration, sm.TracingConfiguration, string(sm.Status), nullMillis(sm.CreationDate),
			nullMillis(sm.UpdateDate), sm.RevisionID, sm.Description, sm.Label)
		if err != nil {
			return fmt.Errorf("postgres: create state machine %q: %w", sm.ARN, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: state machine %q: %w", sm.ARN, store.ErrAlreadyExists)
		}
		return putTags(ctx, tx, sm.ARN, sm.Tags)
	})
}

func scanMachine(r pgx.Row) (*store.StateMachine, error) {
	var sm store.StateMachine
	var created, updated *int64
	var typ, status string
	if err := r.Scan(&sm.ARN, &sm.Name, &typ, &sm.Definition, &sm.RoleARN, &sm.LoggingConfiguration,
		&sm.TracingConfiguration, &status, &created, &updated, &sm.RevisionID, &sm.Description, &sm.Label); err != nil {
		return nil, err
	}
	sm.Type, sm.Status = store.StateMachineType(typ), store.StateMachineStatus(status)
	sm.CreationDate, sm.UpdateDate = fromMillis(created), fromMillis(updated)
	return &sm, nil
}

// GetStateMachine implements store.Store.
func (s *Store) GetStateMachine(ctx context.Context, arn string) (*store.StateMachine, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	sm, err := scanMachine(s.pool.QueryRow(ctx, query("GetStateMachine"), arn))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("state machine", arn)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get state machine %q: %w", arn, err)
	}
	if sm.Tags, err = listTags(ctx, s.pool, arn); err != nil {
		return nil, err
	}
	return sm, nil
}

// UpdateStateMachine implements store.Store.
func (s *Store) UpdateStateMachine(ctx context.Context, sm *store.StateMachine) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, query("UpdateStateMachine"), sm.ARN, sm.Definition, sm.RoleARN,
		sm.LoggingConfiguration, sm.TracingConfiguration, sm.Description, string(sm.Status), sm.RevisionID,
		nullMillis(sm.UpdateDate))
	if err != nil {
		return fmt.Errorf("postgres: update state machine %q: %w", sm.ARN, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound("state machine", sm.ARN)
	}
	return nil
}

// DeleteStateMachine implements store.Store.
func (s *Store) DeleteStateMachine(ctx context.Context, arn string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query("DeleteStateMachine"), arn)
		if err != nil {
			return fmt.Errorf("postgres: delete state machine %q: %w", arn, err)
		}
		if tag.RowsAffected() == 0 {
			return notFound("state machine", arn)
		}
		for _, q := range []string{"DeleteMachineAliasRoutes", "DeleteMachineAliases", "DeleteMachineVersions", "DeleteTags"} {
			if _, err := tx.Exec(ctx, query(q), arn); err != nil {
				return fmt.Errorf("postgres: delete state machine %q: %s: %w", arn, q, err)
			}
		}
		return nil
	})
}

// ListStateMachines implements store.Store.
func (s *Store) ListStateMachines(ctx context.Context, p store.ListParams) (store.Page[*store.StateMachine], error) {
	var page store.Page[*store.StateMachine]
	limit, after, err := cursor.Ascending(cursor.Machines, p)
	if err != nil {
		return page, err
	}
	if err := s.check(ctx); err != nil {
		return page, err
	}
	if page.Items, err = collect(ctx, s.pool, scanMachine, query("ListStateMachines"), after, limit+1); err != nil {
		return page, fmt.Errorf("postgres: list state machines: %w", err)
	}
	return cursor.Page(page.Items, limit, func(sm *store.StateMachine) string { return cursor.NextARN(cursor.Machines, sm.ARN) }), nil
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// collect runs a query and scans every row with scan.
func collect[T any](ctx context.Context, q querier, scan func(pgx.Row) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ----- versions -----

// PublishVersion implements store.Store.
func (s *Store) PublishVersion(ctx context.Context, v *store.Version) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	want := v.RevisionID
	out := *v
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var rev string
		err := tx.QueryRow(ctx, query("MachineRevision"), v.StateMachineARN).Scan(&rev)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("state machine", v.StateMachineARN)
		}
		if err != nil {
			return fmt.Errorf("postgres: publish version of %q: %w", v.StateMachineARN, err)
		}
		if want != "" && want != rev {
			return fmt.Errorf("postgres: publish %q: revision %q is not the current %q: %w", v.StateMachineARN, want, rev, store.ErrConflict)
		}
		if err := tx.QueryRow(ctx, query("NextVersionNumber"), v.StateMachineARN).Scan(&out.Number, &out.Definition,
			&out.RoleARN, &out.LoggingConfiguration, &out.TracingConfiguration, &out.RevisionID); err != nil {
			return fmt.Errorf("postgres: publish version of %q: %w", v.StateMachineARN, err)
		}
		out.ARN = fmt.Sprintf("%s:%d", v.StateMachineARN, out.Number)
		out.CreationDate = store.Millis(v.CreationDate)
		if _, err := tx.Exec(ctx, query("InsertVersion"), out.ARN, out.StateMachineARN, out.Number, out.Definition,
			out.RoleARN, out.LoggingConfiguration, out.TracingConfiguration, out.RevisionID, out.Description,
			nullMillis(out.CreationDate)); err != nil {
			return fmt.Errorf("postgres: insert version %q: %w", out.ARN, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*v = out
	return nil
}

func scanVersion(r pgx.Row) (*store.Version, error) {
	var v store.Version
	var created *int64
	if err := r.Scan(&v.ARN, &v.StateMachineARN, &v.Number, &v.Definition, &v.RoleARN, &v.LoggingConfiguration,
		&v.TracingConfiguration, &v.RevisionID, &v.Description, &created); err != nil {
		return nil, err
	}
	v.CreationDate = fromMillis(created)
	return &v, nil
}

// GetVersion implements store.Store.
func (s *Store) GetVersion(ctx context.Context, arn string) (*store.Version, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	v, err := scanVersion(s.pool.QueryRow(ctx, query("GetVersion"), arn))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("version", arn)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get version %q: %w", arn, err)
	}
	return v, nil
}

// ListVersions implements store.Store.
func (s *Store) ListVersions(ctx context.Context, p store.ListVersionsParams) (store.Page[*store.Version], error) {
	var page store.Page[*store.Version]
	limit, before, err := cursor.Versions(p)
	if err != nil {
		return page, err
	}
	if err := s.check(ctx); err != nil {
		return page, err
	}
	if page.Items, err = collect(ctx, s.pool, scanVersion, query("ListVersions"), p.StateMachineARN, before, limit+1); err != nil {
		return page, fmt.Errorf("postgres: list versions of %q: %w", p.StateMachineARN, err)
	}
	return cursor.Page(page.Items, limit, cursor.NextVersion), nil
}

// DeleteVersion implements store.Store.
func (s *Store) DeleteVersion(ctx context.Context, arn string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, query("LockVersion"), arn).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("version", arn)
		}
		if err != nil {
			return fmt.Errorf("postgres: delete version %q: %w", arn, err)
		}
		var alias string
		err = tx.QueryRow(ctx, query("VersionRoutedBy"), arn).Scan(&alias)
		if err == nil {
			return fmt.Errorf("postgres: version %q: alias %q routes to it: %w", arn, alias, store.ErrConflict)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: delete version %q: %w", arn, err)
		}
		if _, err := tx.Exec(ctx, query("DeleteVersion"), arn); err != nil {
			return fmt.Errorf("postgres: delete version %q: %w", arn, err)
		}
		return nil
	})
}

// ----- aliases -----

// PutAlias implements store.Store.
func (s *Store) PutAlias(ctx context.Context, a *store.Alias) error {
	routes, err := store.ParseRouting(a.Routing)
	if err != nil {
		return fmt.Errorf("postgres: alias %q: %w", a.ARN, err)
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	var created int64
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, query("MachineExists"), a.StateMachineARN).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return notFound("state machine", a.StateMachineARN)
		} else if err != nil {
			return fmt.Errorf("postgres: put alias %q: %w", a.ARN, err)
		}
		for _, r := range routes {
			var owner string
			err := tx.QueryRow(ctx, query("VersionMachine"), r.StateMachineVersionARN).Scan(&owner)
			if errors.Is(err, pgx.ErrNoRows) || (err == nil && owner != a.StateMachineARN) {
				return notFound("version", r.StateMachineVersionARN)
			}
			if err != nil {
				return fmt.Errorf("postgres: put alias %q: %w", a.ARN, err)
			}
		}
		if err := tx.QueryRow(ctx, query("UpsertAlias"), a.ARN, a.StateMachineARN, a.Name, a.Description, a.Routing,
			millis(store.Millis(a.CreationDate)), nullMillis(a.UpdateDate)).Scan(&created); err != nil {
			return fmt.Errorf("postgres: put alias %q: %w", a.ARN, err)
		}
		if _, err := tx.Exec(ctx, query("DeleteAliasRoutes"), a.ARN); err != nil {
			return fmt.Errorf("postgres: put alias %q: %w", a.ARN, err)
		}
		for _, r := range routes {
			if _, err := tx.Exec(ctx, query("InsertAliasRoute"), a.ARN, r.StateMachineVersionARN); err != nil {
				return fmt.Errorf("postgres: put alias %q: %w", a.ARN, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	a.CreationDate = fromMillis(&created)
	return nil
}

func scanAlias(r pgx.Row) (*store.Alias, error) {
	var a store.Alias
	var created, updated *int64
	if err := r.Scan(&a.ARN, &a.StateMachineARN, &a.Name, &a.Description, &a.Routing, &created, &updated); err != nil {
		return nil, err
	}
	a.CreationDate, a.UpdateDate = fromMillis(created), fromMillis(updated)
	return &a, nil
}

// GetAlias implements store.Store.
func (s *Store) GetAlias(ctx context.Context, arn string) (*store.Alias, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	a, err := scanAlias(s.pool.QueryRow(ctx, query("GetAlias"), arn))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("alias", arn)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get alias %q: %w", arn, err)
	}
	return a, nil
}

// ListAliases implements store.Store.
func (s *Store) ListAliases(ctx context.Context, p store.ListAliasesParams) (store.Page[*store.Alias], error) {
	var page store.Page[*store.Alias]
	limit, afterMs, afterARN, err := cursor.Aliases(p)
	if err != nil {
		return page, err
	}
	if err := s.check(ctx); err != nil {
		return page, err
	}
	if page.Items, err = collect(ctx, s.pool, scanAlias, query("ListAliases"), p.StateMachineARN, afterMs, afterARN, limit+1); err != nil {
		return page, fmt.Errorf("postgres: list aliases of %q: %w", p.StateMachineARN, err)
	}
	return cursor.Page(page.Items, limit, cursor.NextAlias), nil
}

// DeleteAlias implements store.Store.
func (s *Store) DeleteAlias(ctx context.Context, arn string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query("DeleteAlias"), arn)
		if err != nil {
			return fmt.Errorf("postgres: delete alias %q: %w", arn, err)
		}
		if tag.RowsAffected() == 0 {
			return notFound("alias", arn)
		}
		if _, err := tx.Exec(ctx, query("DeleteAliasRoutes"), arn); err != nil {
			return fmt.Errorf("postgres: delete alias %q: %w", arn, err)
		}
		return nil
	})
}

// ----- activities -----

// CreateActivity implements store.Store.
func (s *Store) CreateActivity(ctx context.Context, a *store.Activity) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query("CreateActivity"), a.ARN, a.Name, nullMillis(a.CreationDate))
		if err != nil {
			return fmt.Errorf("postgres: create activity %q: %w", a.ARN, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: activity %q: %w", a.ARN, store.ErrAlreadyExists)
		}
		return putTags(ctx, tx, a.ARN, a.Tags)
	})
}

func scanActivity(r pgx.Row) (*store.Activity, error) {
	var a store.Activity
	var created *int64
	if err := r.Scan(&a.ARN, &a.Name, &created); err != nil {
		return nil, err
	}
	a.CreationDate = fromMillis(created)
	return &a, nil
}

// GetActivity implements store.Store.
func (s *Store) GetActivity(ctx context.Context, arn string) (*store.Activity, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	a, err := scanActivity(s.pool.QueryRow(ctx, query("GetActivity"), arn))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("activity", arn)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get activity %q: %w", arn, err)
	}
	if a.Tags, err = listTags(ctx, s.pool, arn); err != nil {
		return nil, err
	}
	return a, nil
}

// ListActivities implements store.Store.
func (s *Store) ListActivities(ctx context.Context, p store.ListParams) (store.Page[*store.Activity], error) {
	var page store.Page[*store.Activity]
	limit, after, err := cursor.Ascending(cursor.Activities, p)
	if err != nil {
		return page, err
	}
	if err := s.check(ctx); err != nil {
		return page, err
	}
	if page.Items, err = collect(ctx, s.pool, scanActivity, query("ListActivities"), after, limit+1); err != nil {
		return page, fmt.Errorf("postgres: list activities: %w", err)
	}
	return cursor.Page(page.Items, limit, func(a *store.Activity) string { return cursor.NextARN(cursor.Activities, a.ARN) }), nil
}

// DeleteActivity implements store.Store.
func (s *Store) DeleteActivity(ctx context.Context, arn string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query("DeleteActivity"), arn)
		if err != nil {
			return fmt.Errorf("postgres: delete activity %q: %w", arn, err)
		}
		if tag.RowsAffected() == 0 {
			return notFound("activity", arn)
		}
		if _, err := tx.Exec(ctx, query("DeleteTags"), arn); err != nil {
			return fmt.Errorf("postgres: delete activity %q: %w", arn, err)
		}
		return nil
	})
}

// ----- tags -----

func putTags(ctx context.Context, tx pgx.Tx, arn string, tags []store.Tag) error {
	if len(tags) == 0 {
		return nil
	}
	// A key given twice keeps its last value, as the other stores do (and
	// one INSERT cannot update a row twice).
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
	if _, err := tx.Exec(ctx, query("PutTags"), arn, keys, values); err != nil {
		return fmt.Errorf("postgres: tag %q: %w", arn, err)
	}
	return nil
}

func listTags(ctx context.Context, q querier, arn string) ([]store.Tag, error) {
	tags, err := collect(ctx, q, func(r pgx.Row) (store.Tag, error) {
		var t store.Tag
		err := r.Scan(&t.Key, &t.Value)
		return t, err
	}, query("ListTags"), arn)
	if err != nil {
		return nil, fmt.Errorf("postgres: tags of %q: %w", arn, err)
	}
	return tags, nil
}

func taggable(ctx context.Context, q querier, arn string) error {
	var one int
	err := q.QueryRow(ctx, query("Taggable"), arn).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound("resource", arn)
	}
	if err != nil {
		return fmt.Errorf("postgres: resource %q: %w", arn, err)
	}
	return nil
}

// TagResource implements store.Store.
func (s *Store) TagResource(ctx context.Context, arn string, tags []store.Tag) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := taggable(ctx, tx, arn); err != nil {
			return err
		}
		return putTags(ctx, tx, arn, tags)
	})
}

// UntagResource implements store.Store.
func (s *Store) UntagResource(ctx context.Context, arn string, keys []string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := taggable(ctx, tx, arn); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, query("DeleteTagKeys"), arn, keys); err != nil {
			return fmt.Errorf("postgres: untag %q: %w", arn, err)
		}
		return nil
	})
}

// ListTags implements store.Store.
func (s *Store) ListTags(ctx context.Context, arn string) ([]store.Tag, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if err := taggable(ctx, s.pool, arn); err != nil {
		return nil, err
	}
	return listTags(ctx, s.pool, arn)
}
