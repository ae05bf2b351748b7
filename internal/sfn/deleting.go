package sfn

import (
	"context"
	"errors"
	"time"

	"stepd/internal/engine"
	"stepd/internal/store"
)

// Deleting state machines. DeleteStateMachine of a machine with running
// executions (of the machine, its versions or aliases) does what AWS does
// (API reference, DeleteStateMachine): it sets the machine's status to
// DELETING - StartExecution, CreateStateMachine with its name and the other
// writes then answer StateMachineDeleting - and each of its executions
// ends ABORTED (no error, no cause) at its next state transition: the
// input that would have moved it on (a task's result, a fired timer, a
// callback) is not applied; ExecutionAborted is committed instead.
// The machine, with its versions, aliases and tags, is deleted when the
// last of its executions has ended, on whichever node that happens; the
// executor's maintain tick finishes deletions that no node completed (a
// restart, an execution driven elsewhere). The executions and their
// histories stay readable.
//
// A node learns that a machine is being deleted from the
// StateMachineDeleting notification DeleteStateMachine sends, from the
// machine's status when it resumes an execution, and from the maintain
// tick; it then marks its live executions of the machine (live.deleting),
// so that the transition path checks an in-memory flag and reads nothing.

// hasRunning reports whether a state machine has a running execution.
func (s *Service) hasRunning(ctx context.Context, smARN string) (bool, error) {
	page, err := s.store.ListExecutions(ctx, store.ListExecutionsParams{StateMachineARN: smARN, Status: store.Running, MaxResults: 1})
	if err != nil {
		return false, err
	}
	return len(page.Items) > 0, nil
}

// startDeletion marks a state machine that has running executions
// DELETING and tells every node to end them at their next transition.
func (s *Service) startDeletion(ctx context.Context, sm *store.StateMachine) error {
	sm.Status = store.Deleting
	if err := s.store.UpdateStateMachine(ctx, sm); err != nil {
		return err
	}
	s.exec.markDeleting(sm.ARN)
	if err := s.store.Notify(ctx, store.Notification{Kind: store.StateMachineDeleting, ARN: sm.ARN}); err != nil {
		s.log.Warn("notify a state machine deletion", "stateMachine", sm.ARN, "err", err)
	}
	// The last execution may have ended before the status changed, when
	// nothing yet said to delete the machine after it.
	return s.finishDeletion(ctx, sm.ARN)
}

// finishDeletion deletes a DELETING state machine once none of its
// executions runs. Deleting one that is already gone is not an error.
func (s *Service) finishDeletion(ctx context.Context, smARN string) error {
	running, err := s.hasRunning(ctx, smARN)
	if err != nil || running {
		return err
	}
	sm, err := s.store.GetStateMachine(ctx, smARN)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if sm.Status != store.Deleting {
		return nil
	}
	if err := s.store.DeleteStateMachine(ctx, smARN); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	s.log.Info("deleted state machine", "stateMachine", smARN)
	return nil
}

// markDeleting marks this node's live executions of a state machine: each
// ends at its next transition.
func (e *executor) markDeleting(smARN string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.live {
		if l.rec.StateMachineARN == smARN {
			l.deleting.Store(true)
		}
	}
}

// endDeleted replaces the next input of an execution whose state machine
// is being deleted (a task's outcome, a fired timer: whatever would make
// it move on) by the ExecutionAborted that ends it. Called with l.mu held.
func endDeleted(l *live, step func(now time.Time) *engine.Batch) func(now time.Time) *engine.Batch {
	if !l.deleting.Load() {
		return step
	}
	return func(now time.Time) *engine.Batch { return l.x.Stop(nil, nil, now) }
}

// deletedExecutionEnded finishes the deletion of a machine whose execution
// l has just ended.
func (e *executor) deletedExecutionEnded(l *live) {
	if !l.deleting.Load() {
		return
	}
	if err := e.s.finishDeletion(e.ctx, l.rec.StateMachineARN); err != nil && e.ctx.Err() == nil {
		e.s.log.Warn("finish a state machine deletion", "stateMachine", l.rec.StateMachineARN, "err", err)
	}
}

// sweepDeleting looks for DELETING state machines: it marks this node's
// executions of each, and deletes those none of whose executions runs.
func (e *executor) sweepDeleting(ctx context.Context) error {
	p := store.ListParams{MaxResults: store.MaxMaxResults}
	for {
		page, err := e.s.store.ListStateMachines(ctx, p)
		if err != nil {
			return err
		}
		for _, sm := range page.Items {
			if sm.Status != store.Deleting {
				continue
			}
			e.markDeleting(sm.ARN)
			if err := e.s.finishDeletion(ctx, sm.ARN); err != nil {
				return err
			}
		}
		if page.NextToken == "" {
			return nil
		}
		p.NextToken = page.NextToken
	}
}
