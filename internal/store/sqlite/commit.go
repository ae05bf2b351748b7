package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"stepd/internal/store"
	"stepd/internal/store/internal/groupcommit"
	"stepd/internal/store/internal/sqlcore"
)

// flushTimeout bounds the writing of one batch, so that a stuck database
// fails the Commits waiting on it instead of hanging them.
const flushTimeout = time.Minute

// stmtContext is the context for the statements of a write transaction:
// ctx without its cancellation. The driver starts a watcher goroutine for
// every statement run with a cancellable context, a large share of a
// commit's cost; the transaction, begun with ctx, still ends (rolled back)
// when ctx does.
func stmtContext(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// pending is a validated, normalized transition with its events encoded,
// ready to write. Encoding happens in the caller's goroutine, so that the
// single writer only writes.
type pending struct {
	t      *store.Transition
	bodies [][]byte
	// create, when set, makes this the first transition of a new
	// execution: the row is inserted instead of updated.
	create *newExecution
}

// newExecution is an execution row to insert, with its definition's hash.
type newExecution struct {
	row  store.Execution
	hash string
}

func prepare(t *store.Transition) (*pending, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	p := &pending{t: t.Normalized(), bodies: make([][]byte, len(t.Events))}
	for i, ev := range t.Events {
		b, err := ev.MarshalJSON() // compact already; json.Marshal would re-scan it
		if err != nil {
			return nil, fmt.Errorf("sqlite: encode event %d of %q: %w", ev.ID, t.ExecutionARN, err)
		}
		p.bodies[i] = b
	}
	return p, nil
}

// Commit implements store.Store.
func (s *Store) Commit(ctx context.Context, t *store.Transition) error {
	p, err := prepare(t)
	if err != nil {
		return err
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	if s.gc == nil {
		err = s.commitOne(ctx, p)
	} else if err = s.gc.Do(ctx, p); errors.Is(err, groupcommit.ErrClosed) {
		err = store.ErrClosed
	}
	if err != nil {
		return err
	}
	s.publishQueued(p)
	return nil
}

func (s *Store) publishQueued(p *pending) {
	for _, arn := range p.t.QueuedActivities() {
		s.publish(store.Notification{Kind: store.ActivityTaskQueued, ARN: arn})
	}
}

// refused is an outcome found before anything of the transition was
// written (not found, conflict): the batch's transaction goes on.
type refused struct{ err error }

// Error returns the refusal's message.
func (r refused) Error() string { return r.err.Error() }

// Unwrap returns the refusal.
func (r refused) Unwrap() error { return r.err }

// commitOne writes one transition in its own transaction.
func (s *Store) commitOne(ctx context.Context, p *pending) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.apply(stmtContext(ctx), tx, p) })
	var r refused
	if errors.As(err, &r) {
		return r.err
	}
	if isUnique(err) {
		return fmt.Errorf("sqlite: commit %q: a task token is in use: %w", p.t.ExecutionARN, store.ErrConflict)
	}
	return err
}

// flush is the group committer's: it writes a batch of transitions in one
// transaction. Transitions refused up front (stale, not found) get their
// error and the others go on; if anything else fails, the transaction is
// rolled back and each transition is retried in its own, so that one bad
// transition cannot fail the others.
func (s *Store) flush(batch []*pending) []error {
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	errs := make([]error, len(batch))
	if len(batch) == 1 {
		errs[0] = s.commitOne(ctx, batch[0])
		return errs
	}
	sctx := stmtContext(ctx)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, p := range batch {
			err := s.apply(sctx, tx, p)
			var r refused
			if errors.As(err, &r) {
				errs[i] = r.err
				continue
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Debug("group commit failed, retrying one by one", "batch", len(batch), "err", err)
		for i, p := range batch {
			errs[i] = s.commitOne(ctx, p)
		}
	}
	return errs
}

// apply writes one transition in tx: first the execution row (refused when
// the event count or the lease do not allow it, before anything is
// written), then its events, timers and tasks.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, p *pending) error {
	if p.create != nil {
		id, err := s.insertExecution(ctx, tx, p.create)
		if err != nil {
			return err
		}
		return s.applyChildren(ctx, tx, id, p)
	}
	t := p.t
	var id int64
	err := s.stmt(ctx, tx, "UpdateExecution").QueryRowContext(ctx, sqlcore.UpdateExecutionArgs(t)...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return refused{s.db.WhyRefused(ctx, conn{tx}, t)}
	}
	if err != nil {
		return fmt.Errorf("sqlite: commit %q: %w", t.ExecutionARN, err)
	}
	return s.applyChildren(ctx, tx, id, p)
}

// applyChildren writes the events, timers and tasks of a transition of
// execution id, and deletes the requests it applied.
func (s *Store) applyChildren(ctx context.Context, tx *sql.Tx, id int64, p *pending) error {
	t := p.t
	fail := func(what string, err error) error {
		return fmt.Errorf("sqlite: commit %q: %s: %w", t.ExecutionARN, what, err)
	}
	if len(t.Events) > 0 {
		ins := s.stmt(ctx, tx, "InsertEvent")
		for i, ev := range t.Events {
			if _, err := ins.ExecContext(ctx, id, ev.ID, string(ev.Type), ev.Timestamp.UnixMilli(), ev.PreviousEventID, p.bodies[i]); err != nil {
				return fail("insert event", err)
			}
		}
	}
	if t.Status.Terminal() {
		if _, err := s.stmt(ctx, tx, "DeleteTimers").ExecContext(ctx, id); err != nil {
			return fail("delete timers", err)
		}
		if _, err := s.stmt(ctx, tx, "DeleteTasks").ExecContext(ctx, id); err != nil {
			return fail("delete tasks", err)
		}
		if _, err := s.stmt(ctx, tx, "DeleteRequests").ExecContext(ctx, id); err != nil {
			return fail("delete requests", err)
		}
		return nil
	}
	if len(t.DeleteRequests) > 0 {
		del := s.stmt(ctx, tx, "DeleteRequest")
		for _, rid := range t.DeleteRequests {
			if _, err := del.ExecContext(ctx, id, rid); err != nil {
				return fail("delete request", err)
			}
		}
	}
	if len(t.DeleteTimers) > 0 {
		del := s.stmt(ctx, tx, "DeleteTimer")
		for _, tid := range t.DeleteTimers {
			if _, err := del.ExecContext(ctx, id, tid); err != nil {
				return fail("delete timer", err)
			}
		}
	}
	if len(t.PutTimers) > 0 {
		ins := s.stmt(ctx, tx, "InsertTimer")
		for _, tm := range t.PutTimers {
			if _, err := ins.ExecContext(ctx, id, tm.ID, sqlcore.Millis(tm.Due)); err != nil {
				return fail("insert timer", err)
			}
		}
	}
	if len(t.DeleteTasks) > 0 {
		del := s.stmt(ctx, tx, "DeleteTask")
		for _, kid := range t.DeleteTasks {
			if _, err := del.ExecContext(ctx, id, kid); err != nil {
				return fail("delete task", err)
			}
		}
	}
	if len(t.PutTasks) > 0 {
		ins := s.stmt(ctx, tx, "InsertTask")
		for _, k := range t.PutTasks {
			if _, err := ins.ExecContext(ctx, id, k.ID, k.Token, k.ActivityARN, string(k.State), k.Worker, k.Input,
				sqlcore.Millis(k.Created), sqlcore.NullMillis(k.Started), sqlcore.NullMillis(k.Heartbeat), k.HeartbeatSeconds, k.TimeoutSeconds); err != nil {
				if isUnique(err) {
					return fmt.Errorf("sqlite: commit %q: task %q: token in use: %w", t.ExecutionARN, k.ID, store.ErrConflict)
				}
				return fail("insert task", err)
			}
		}
	}
	return nil
}
