package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"stepd/internal/store"
	"stepd/internal/store/internal/groupcommit"
	"stepd/internal/store/internal/sqlcore"
)

// flushTimeout bounds the writing of one batch, so that a stuck database
// fails the Commits waiting on it instead of hanging them.
const flushTimeout = time.Minute

// pending is a validated, normalized transition with its events encoded,
// ready to write. Encoding happens in the caller's goroutine.
type pending struct {
	t      *store.Transition
	bodies []string
}

func prepare(t *store.Transition) (*pending, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("postgres: commit: %w", err)
	}
	p := &pending{t: t.Normalized(), bodies: make([]string, len(t.Events))}
	for i, ev := range t.Events {
		b, err := ev.MarshalJSON() // compact already; json.Marshal would re-scan it
		if err != nil {
			return nil, fmt.Errorf("postgres: encode event %d of %q: %w", ev.ID, t.ExecutionARN, err)
		}
		p.bodies[i] = string(b)
	}
	return p, nil
}

// queued returns the notifications a transition sends when it applies.
func queued(p *pending) []store.Notification {
	var ns []store.Notification
	for _, arn := range p.t.QueuedActivities() {
		ns = append(ns, store.Notification{Kind: store.ActivityTaskQueued, ARN: arn})
	}
	return ns
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
		return s.commitOne(ctx, p)
	}
	err = s.gc.Do(ctx, p)
	if errors.Is(err, groupcommit.ErrClosed) {
		return store.ErrClosed
	}
	return err
}

// commitOne writes one transition in its own transaction.
func (s *Store) commitOne(ctx context.Context, p *pending) error {
	errs, err := s.write(ctx, []*pending{p})
	if err != nil {
		if isUnique(err) {
			return fmt.Errorf("postgres: commit %q: a task token is in use: %w", p.t.ExecutionARN, store.ErrConflict)
		}
		return fmt.Errorf("postgres: commit %q: %w", p.t.ExecutionARN, err)
	}
	return errs[0]
}

// flush is the group committer's: it writes a batch in one transaction. If
// the transaction fails, each transition is retried in its own, so that
// one bad transition cannot fail the others.
func (s *Store) flush(batch []*pending) []error {
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	errs, err := s.write(ctx, batch)
	if err == nil {
		return errs
	}
	if len(batch) > 1 {
		s.log.Debug("group commit failed, retrying one by one", "batch", len(batch), "err", err)
	}
	errs = make([]error, len(batch))
	for i, p := range batch {
		errs[i] = s.commitOne(ctx, p)
	}
	return errs
}

// applied is a transition whose execution row was updated.
type applied struct {
	id int64
	p  *pending
}

// write applies batch in one transaction and returns each transition's
// outcome (refusals: not found, conflict); err is set when the transaction
// failed as a whole and nothing was written.
//
// A transition touches its execution's row first: one UPDATE each,
// pipelined; those refused (stale count, lease) write nothing more. Then
// the events, timers and tasks of all the others are written with one
// statement per kind of row. An execution with several transitions in the
// batch gets them applied in order, in successive rounds.
func (s *Store) write(ctx context.Context, batch []*pending) ([]error, error) {
	errs := make([]error, len(batch))
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		clear(errs)
		var notes []store.Notification
		for _, round := range rounds(batch) {
			b := &pgx.Batch{}
			for _, i := range round {
				t := batch[i].t
				b.Queue(query("UpdateExecution"), sqlcore.UpdateExecutionArgs(t)...)
			}
			br := tx.SendBatch(ctx, b)
			var done []applied
			var refused []int
			for _, i := range round {
				var id int64
				err := br.QueryRow().Scan(&id)
				switch {
				case errors.Is(err, pgx.ErrNoRows):
					refused = append(refused, i)
				case err != nil:
					_ = br.Close()
					return fmt.Errorf("update execution: %w", err)
				default:
					done = append(done, applied{id: id, p: batch[i]})
				}
			}
			if err := br.Close(); err != nil {
				return fmt.Errorf("update executions: %w", err)
			}
			for _, i := range refused {
				if errs[i] = s.db.WhyRefused(ctx, conn{tx}, batch[i].t); !errors.Is(errs[i], store.ErrNotFound) && !errors.Is(errs[i], store.ErrConflict) {
					return errs[i]
				}
			}
			if err := s.writeChildren(ctx, tx, done); err != nil {
				return err
			}
			for _, a := range done {
				notes = append(notes, queued(a.p)...)
			}
		}
		return s.notify(ctx, tx, notes...)
	})
	if err != nil {
		return nil, err
	}
	return errs, nil
}

// rounds splits the indexes of batch so that each round holds at most one
// transition per execution, keeping each execution's transitions in order.
func rounds(batch []*pending) [][]int {
	seen := make(map[string]int, len(batch))
	var out [][]int
	for i, p := range batch {
		r := seen[p.t.ExecutionARN]
		seen[p.t.ExecutionARN] = r + 1
		if r == len(out) {
			out = append(out, nil)
		}
		out[r] = append(out[r], i)
	}
	return out
}

// writeChildren writes the events, timers and tasks of transitions of
// distinct executions, and deletes the requests they applied, pipelined:
// deletions first, then insertions.
func (s *Store) writeChildren(ctx context.Context, tx pgx.Tx, done []applied) error {
	if len(done) == 0 {
		return nil
	}
	var ev struct {
		exec, id, ts, prev []int64
		typ, body          []string
	}
	var ended []int64
	var delTimer, delTask struct {
		exec []int64
		id   []string
	}
	var delRequest struct{ exec, id []int64 }
	var tm struct {
		exec, due []int64
		id        []string
	}
	var tk struct {
		exec                                      []int64
		id, token, activity, state, worker, input []string
		created                                   []int64
		started, heartbeat                        []*int64
		heartbeatSeconds, timeoutSeconds          []int64
	}
	for _, a := range done {
		t := a.p.t
		for i, e := range t.Events {
			ev.exec = append(ev.exec, a.id)
			ev.id = append(ev.id, e.ID)
			ev.typ = append(ev.typ, string(e.Type))
			ev.ts = append(ev.ts, e.Timestamp.UnixMilli())
			ev.prev = append(ev.prev, e.PreviousEventID)
			ev.body = append(ev.body, a.p.bodies[i])
		}
		if t.Status.Terminal() {
			ended = append(ended, a.id)
			continue
		}
		for _, id := range t.DeleteTimers {
			delTimer.exec, delTimer.id = append(delTimer.exec, a.id), append(delTimer.id, id)
		}
		for _, id := range t.DeleteTasks {
			delTask.exec, delTask.id = append(delTask.exec, a.id), append(delTask.id, id)
		}
		for _, id := range t.DeleteRequests {
			delRequest.exec, delRequest.id = append(delRequest.exec, a.id), append(delRequest.id, id)
		}
		for _, x := range t.PutTimers {
			tm.exec, tm.id, tm.due = append(tm.exec, a.id), append(tm.id, x.ID), append(tm.due, sqlcore.Millis(x.Due))
		}
		for _, x := range t.PutTasks {
			tk.exec = append(tk.exec, a.id)
			tk.id = append(tk.id, x.ID)
			tk.token = append(tk.token, x.Token)
			tk.activity = append(tk.activity, x.ActivityARN)
			tk.state = append(tk.state, string(x.State))
			tk.worker = append(tk.worker, x.Worker)
			tk.input = append(tk.input, x.Input)
			tk.created = append(tk.created, sqlcore.Millis(x.Created))
			tk.started = append(tk.started, millisOrNil(x.Started))
			tk.heartbeat = append(tk.heartbeat, millisOrNil(x.Heartbeat))
			tk.heartbeatSeconds = append(tk.heartbeatSeconds, x.HeartbeatSeconds)
			tk.timeoutSeconds = append(tk.timeoutSeconds, x.TimeoutSeconds)
		}
	}
	b := &pgx.Batch{}
	if len(ev.exec) > 0 {
		b.Queue(query("InsertEvents"), ev.exec, ev.id, ev.typ, ev.ts, ev.prev, ev.body)
	}
	if len(ended) > 0 {
		b.Queue(query("DeleteTimersOf"), ended)
		b.Queue(query("DeleteTasksOf"), ended)
		b.Queue(query("DeleteRequestsOf"), ended)
	}
	if len(delTimer.exec) > 0 {
		b.Queue(query("DeleteTimerIDs"), delTimer.exec, delTimer.id)
	}
	if len(delTask.exec) > 0 {
		b.Queue(query("DeleteTaskIDs"), delTask.exec, delTask.id)
	}
	if len(delRequest.exec) > 0 {
		b.Queue(query("DeleteRequestIDs"), delRequest.exec, delRequest.id)
	}
	if len(tm.exec) > 0 {
		b.Queue(query("InsertTimers"), tm.exec, tm.id, tm.due)
	}
	if len(tk.exec) > 0 {
		b.Queue(query("InsertTasks"), tk.exec, tk.id, tk.token, tk.activity, tk.state, tk.worker, tk.input,
			tk.created, tk.started, tk.heartbeat, tk.heartbeatSeconds, tk.timeoutSeconds)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("write events, timers, tasks and requests: %w", err)
	}
	return nil
}

// millisOrNil is t in milliseconds, or nil (NULL in an array) for the zero
// time.
func millisOrNil(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	v := t.UnixMilli()
	return &v
}
