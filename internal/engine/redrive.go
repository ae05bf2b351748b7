package engine

import (
	"errors"
	"time"

	"stepd/internal/asl"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

// ErrNotRedrivable is what every error of Redrive that refuses an execution
// matches with errors.Is; the error itself is a *NotRedrivableError giving
// the reason.
var ErrNotRedrivable = errors.New("engine: execution cannot be redriven")

// NotRedrivableError says why an execution cannot be redriven. Reason is
// AWS's text for it, as DescribeExecution's redriveStatusReason gives it.
type NotRedrivableError struct {
	Reason string
}

func (e *NotRedrivableError) Error() string { return "engine: " + e.Reason }

// Is makes the error match ErrNotRedrivable.
func (e *NotRedrivableError) Is(target error) bool { return target == ErrNotRedrivable }

// Redrive runs an ended execution again from where it stopped
// (RedriveExecution; developer guide, "Redriving executions"). x is an
// execution restored from the snapshot of a FAILED, TIMED_OUT or ABORTED
// standard execution. Redrive records ExecutionRedriven{redriveCount},
// continuing the history's event ids, and the execution is RUNNING again,
// with the same input, start time and definition:
//
//   - A state that had not ended (it failed, or was running when the
//     execution was stopped, timed out or failed elsewhere) is entered again
//     with the input it was entered with; its retry counters start at 0.
//     States that ended are not run again. (A Fail state is entered again
//     too, and fails again.)
//   - A Parallel or inline Map state that had started its branches or
//     iterations is not entered again: it keeps the results of those that
//     succeeded, runs again only those that failed or were aborted (each
//     from where it stopped, a Map iteration with a new MapIterationStarted)
//     and starts those that had not started. A distributed Map records
//     MapRunRedriven for its Map Run first. One that was waiting to be
//     retried, or had started no children, is entered again and runs whole.
//   - The execution's TimeoutSeconds counts again from the redrive.
//   - $$.Execution.RedriveCount is one more and $$.Execution.RedriveTime is
//     the redrive's time.
//
// It returns a *NotRedrivableError (matching ErrNotRedrivable) for an
// execution that is running or succeeded, an EXPRESS one, or one whose
// history has no room for the redrive (AWS: fewer than 24,999 events); x
// is then unchanged. The driver treats the batch as any other: persist it
// with the new snapshot, then carry out its commands.
func (x *Execution) Redrive(now time.Time) (*Batch, error) {
	switch {
	case x.status == Running || x.status == Succeeded:
		return nil, &NotRedrivableError{Reason: "Execution is " + string(x.status) + " and cannot be redriven"}
	case x.cfg.Type == asl.TypeExpress:
		return nil, &NotRedrivableError{Reason: "Express executions cannot be redriven"}
	case x.cfg.MaxEvents > 0 && x.nextID >= int64(x.cfg.MaxEvents)-1:
		return nil, &NotRedrivableError{Reason: "Execution history event limit exceeded."}
	case x.root == nil || x.root.state == nil:
		return nil, &NotRedrivableError{Reason: "The execution's snapshot does not record where it stopped."}
	}
	b := x.begin(now)
	x.status = Running
	x.stopTime, x.output, x.errName, x.cause = time.Time{}, "", nil, nil
	x.cfg.RedriveCount++
	x.redriveTime = x.now
	id := x.emitPrev(x.nextID, history.ExecutionRedriven, &history.Details{RedriveCount: history.Int(x.cfg.RedriveCount)})
	x.armTimeout()
	x.resume(x.root, id)
	return b, nil
}

// RedriveCount returns how many times the execution was redriven.
func (x *Execution) RedriveCount() int64 { return x.cfg.RedriveCount }

// RedriveTime returns when the execution was last redriven (zero if never,
// or if it was redriven before snapshots recorded it).
func (x *Execution) RedriveTime() time.Time { return x.redriveTime }

// resume runs f, which did not succeed, again from where it stopped; prev
// is the previousEventId of its first new event.
func (x *Execution) resume(f *frame, prev int64) {
	f.aborted, f.failure, f.output, f.failedEvent = false, nil, nil, ""
	f.task, f.timer, f.token, f.heartbeat = nil, "", "", false
	f.last = prev
	if g := resumable(f); g != nil {
		x.resumeGroup(f, g)
	} else {
		f.group, f.ended = nil, nil
		f.phase = phaseEnter
		if f.parent == nil && f.state == f.machine.Start && jsonv.Equal(f.raw, x.input) {
			// The first state keeps the input text as sent.
			f.rawText = x.inputText
		}
	}
	x.advance(f)
}

// resumable returns the group of f's Parallel or Map state when a redrive
// resumes it rather than entering the state again: the state had started
// children (a Map that failed before starting any runs again as a whole).
func resumable(f *frame) *group {
	if t := f.state.Type; t != asl.TypeParallel && t != asl.TypeMap {
		return nil
	}
	g := f.group
	if g == nil {
		g = f.ended
	}
	if g == nil {
		return nil
	}
	for _, c := range g.children {
		if c != nil {
			return g
		}
	}
	return nil
}

// succeeded reports whether a branch or iteration finished successfully.
func (f *frame) succeeded() bool {
	return f.phase == phaseDone && f.failure == nil && !f.aborted
}

// resumeGroup runs again the branches or iterations of f's Parallel or Map
// state that did not succeed, keeping the results of those that did.
func (x *Execution) resumeGroup(f *frame, g *group) {
	s := f.state
	prev := f.last
	f.group, f.ended = g, nil
	f.phase = phaseWait
	f.retries, f.retryCount = nil, 0
	if len(s.Retry) > 0 {
		f.retries = make([]int64, len(s.Retry))
	}
	g.running, g.finished, g.failures, g.redo, g.launching = 0, 0, 0, nil, false
	for i, c := range g.children {
		switch {
		case c != nil && c.succeeded():
			g.finished++
		case c != nil || s.Type == asl.TypeParallel || i < g.next:
			g.results[i] = nil
			g.redo = append(g.redo, i)
		}
	}
	g.lastEvent, g.lastIterOK = prev, prev
	if s.Type == asl.TypeMap {
		if g.distributed {
			g.redrives++
			if id := x.emit(f, history.MapRunRedriven, &history.Details{MapRunArn: g.mapRunARN, RedriveCount: history.Int(g.redrives)}); id != 0 {
				g.lastEvent, g.lastIterOK = id, id
			}
		}
		x.pumpMap(f)
		x.groupProgress(f)
		return
	}
	g.launching = true
	for len(g.redo) > 0 {
		i := g.redo[0]
		g.redo = g.redo[1:]
		if !x.startBranch(f, g, i, prev) {
			return
		}
	}
	g.launching = false
	x.groupProgress(f)
}
