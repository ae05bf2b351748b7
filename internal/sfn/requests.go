package sfn

import (
	"context"
	"errors"
	"time"

	"stepd/internal/engine"
	"stepd/internal/jsonv"
	"stepd/internal/store"
)

// Requests about an execution another node drives (a task token answered
// through this node, a StopExecution sent here) go through the store's
// inbox: this node posts them, the store notifies the owner, and the owner
// applies each in the same commit that deletes it, so a request is applied
// exactly once even when the owner changes in between.

// forward posts r for the node that drives its execution.
func (s *Service) forward(ctx context.Context, r *store.Request) error {
	r.Created = s.now()
	err := s.store.PostRequest(ctx, r)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		if r.Kind == store.RequestStop {
			return apiError(ErrExecutionDoesNotExist, "Execution Does Not Exist: '%s'", r.ExecutionARN)
		}
		return apiError(ErrTaskDoesNotExist, "Task Does Not Exist")
	case errors.Is(err, store.ErrConflict):
		if r.Kind == store.RequestStop {
			return nil // it ended meanwhile
		}
		return taskOver()
	}
	return storeError("post request", err)
}

// drain applies what other nodes did to a live execution: activity tasks
// their workers took (ActivityStarted) and the requests they posted.
func (e *executor) drain(l *live) {
	l.drainMu.Lock()
	defer l.drainMu.Unlock()
	stored, err := e.s.store.Tasks(e.ctx, l.arn)
	if err != nil {
		if e.ctx.Err() == nil {
			e.s.log.Warn("read tasks", "execution", l.arn, "err", err)
		}
		return
	}
	for _, t := range stored {
		if t.State != store.TaskStarted {
			continue
		}
		id, worker := t.ID, t.Worker
		if err := e.apply(l, func(now time.Time) *engine.Batch { return l.x.TaskStarted(id, worker, now) }); err != nil {
			return
		}
	}
	reqs, err := e.s.store.Requests(e.ctx, store.RequestsParams{ExecutionARN: l.arn})
	if err != nil {
		if e.ctx.Err() == nil {
			e.s.log.Warn("read requests", "execution", l.arn, "err", err)
		}
		return
	}
	for _, r := range reqs {
		if err := e.applyRequest(l, r); err != nil {
			if !errors.Is(err, errNotLive) {
				e.s.log.Error("apply request", "execution", l.arn, "request", r.ID, "kind", r.Kind, "err", err)
			}
			return
		}
	}
}

// drainAll applies the pending requests of every execution this node
// drives: the poll behind the notifications, which may be lost.
func (e *executor) drainAll() {
	reqs, err := e.s.store.Requests(e.ctx, store.RequestsParams{Node: e.s.opts.Node})
	if err != nil {
		if e.ctx.Err() == nil {
			e.s.log.Warn("read requests", "err", err)
		}
		return
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		if seen[r.ExecutionARN] {
			continue
		}
		seen[r.ExecutionARN] = true
		if l := e.get(r.ExecutionARN); l != nil {
			e.drain(l)
		}
	}
}

// applyRequest feeds one request to its execution and deletes it in the
// same commit.
func (e *executor) applyRequest(l *live, r store.Request) error {
	var step func(now time.Time) *engine.Batch
	_, id, _ := engine.ParseTaskToken(r.TaskToken)
	errName, cause := stringOf(r.Error), stringOf(r.Cause)
	switch r.Kind {
	case store.RequestTaskSuccess:
		out, err := jsonv.ParseString(stringOf(r.Output))
		if err != nil {
			return e.applyWith(l, nil, r.ID) // checked when posted; drop it
		}
		step = func(now time.Time) *engine.Batch { return l.x.TaskSucceeded(id, out, now) }
	case store.RequestTaskFailure:
		step = func(now time.Time) *engine.Batch { return l.x.TaskFailed(id, errName, cause, now) }
	case store.RequestTaskHeartbeat:
		step = func(now time.Time) *engine.Batch { return l.x.TaskHeartbeat(id, now) }
	case store.RequestStop:
		step = func(now time.Time) *engine.Batch { return l.x.Stop(r.Error, r.Cause, now) }
	}
	return e.applyWith(l, step, r.ID)
}

func stringOf(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
