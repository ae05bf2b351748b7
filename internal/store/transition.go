package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"stepd/internal/history"
)

// Transition is everything one step of an execution changes, committed
// atomically by Commit (or, as the first step, by CreateExecution).
//
// The execution fields (Status through Snapshot) are the execution's new
// values, all of them: Commit replaces the stored ones, it does not merge.
type Transition struct {
	ExecutionARN string
	// Owner, when set, is the node committing: Commit fails with ErrConflict
	// unless the execution's lease is free or held by Owner. When the lease
	// is free and the new Status is RUNNING (a redrive, say), Owner takes it
	// until LeaseUntil.
	Owner      string
	LeaseUntil time.Time
	// PrevEventCount is the number of events the transition builds on:
	// Commit fails with ErrConflict when the stored count differs.
	PrevEventCount int64
	// Events are appended to the history; their ids must be
	// PrevEventCount+1, PrevEventCount+2, ...
	Events []history.Event

	Status       ExecutionStatus
	Output       *string
	Error        *string
	Cause        *string
	StopDate     time.Time
	RedriveCount int64
	RedriveDate  time.Time
	Snapshot     []byte

	// DeleteTimers and DeleteTasks are removed first (unknown ids are
	// ignored), then PutTimers and PutTasks are inserted, replacing stored
	// ones with the same id. A terminal Status deletes every timer and task
	// of the execution instead, so it must not put any.
	PutTimers    []Timer
	DeleteTimers []string
	PutTasks     []Task
	DeleteTasks  []string
	// DeleteRequests are the ids of the requests the transition applies
	// (see Store.PostRequest), deleted with the rest of it. Ids that no
	// longer exist, or that belong to another execution, are ignored. A
	// terminal Status deletes every request of the execution anyway.
	DeleteRequests []int64
}

// EventCount is the execution's event count after the transition.
func (t *Transition) EventCount() int64 { return t.PrevEventCount + int64(len(t.Events)) }

// Validate reports whether t is well formed, wrapping ErrInvalid when it is
// not: an execution ARN, a valid status, dense event ids continuing
// PrevEventCount, timers and tasks of this execution with ids (and unique
// ids within each list), no puts with a terminal status, and a LeaseUntil
// whenever Owner is set.
func (t *Transition) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("transition of %q: %s: %w", t.ExecutionARN, fmt.Sprintf(format, args...), ErrInvalid)
	}
	if t.ExecutionARN == "" {
		return bad("no execution ARN")
	}
	if !t.Status.Valid() {
		return bad("status %q", t.Status)
	}
	if t.PrevEventCount < 0 {
		return bad("previous event count %d", t.PrevEventCount)
	}
	for i, e := range t.Events {
		if want := t.PrevEventCount + int64(i) + 1; e.ID != want {
			return bad("event %d has id %d, want %d", i, e.ID, want)
		}
		if e.Type == "" {
			return bad("event %d has no type", e.ID)
		}
	}
	if t.Owner != "" && t.LeaseUntil.IsZero() {
		return bad("owner %q without a lease expiry", t.Owner)
	}
	if t.Status.Terminal() && (len(t.PutTimers) > 0 || len(t.PutTasks) > 0) {
		return bad("status %s with timers or tasks to put", t.Status)
	}
	seen := map[string]bool{}
	for _, tm := range t.PutTimers {
		if tm.ExecutionARN != "" && tm.ExecutionARN != t.ExecutionARN {
			return bad("timer %q of execution %q", tm.ID, tm.ExecutionARN)
		}
		if tm.ID == "" || seen[tm.ID] {
			return bad("timer id %q empty or repeated", tm.ID)
		}
		seen[tm.ID] = true
	}
	clear(seen)
	tokens := map[string]bool{}
	for _, tk := range t.PutTasks {
		if tk.ExecutionARN != "" && tk.ExecutionARN != t.ExecutionARN {
			return bad("task %q of execution %q", tk.ID, tk.ExecutionARN)
		}
		if tk.ID == "" || seen[tk.ID] {
			return bad("task id %q empty or repeated", tk.ID)
		}
		seen[tk.ID] = true
		if tk.State != TaskQueued && tk.State != TaskStarted {
			return bad("task %q in state %q", tk.ID, tk.State)
		}
		if tk.Token != "" {
			if tokens[tk.Token] {
				return bad("task token repeated")
			}
			tokens[tk.Token] = true
		}
	}
	return nil
}

// Normalized returns a copy of t in the form every store applies: times in
// UTC with millisecond precision, each timer and task carrying the
// execution's ARN, and the ids of the timers and tasks it puts added to
// DeleteTimers and DeleteTasks (a store deletes those, then inserts the
// puts; so a put replaces a stored timer or task with the same id, and a
// task may take over the token of one the transition deletes or replaces).
func (t *Transition) Normalized() *Transition {
	n := *t
	n.StopDate = Millis(t.StopDate)
	n.RedriveDate = Millis(t.RedriveDate)
	n.LeaseUntil = Millis(t.LeaseUntil)
	if len(t.PutTimers) > 0 {
		n.PutTimers = make([]Timer, len(t.PutTimers))
		n.DeleteTimers = slices.Clone(t.DeleteTimers)
		for i, tm := range t.PutTimers {
			tm.ExecutionARN = t.ExecutionARN
			tm.Due = Millis(tm.Due)
			n.PutTimers[i] = tm
			if !slices.Contains(n.DeleteTimers, tm.ID) {
				n.DeleteTimers = append(n.DeleteTimers, tm.ID)
			}
		}
	}
	if len(t.PutTasks) > 0 {
		n.PutTasks = make([]Task, len(t.PutTasks))
		n.DeleteTasks = slices.Clone(t.DeleteTasks)
		for i, tk := range t.PutTasks {
			n.PutTasks[i] = NormalizeTask(tk, t.ExecutionARN)
			if !slices.Contains(n.DeleteTasks, tk.ID) {
				n.DeleteTasks = append(n.DeleteTasks, tk.ID)
			}
		}
	}
	return &n
}

// NormalizeTask returns tk as stores keep it: owned by execution arn, times
// in UTC with millisecond precision.
func NormalizeTask(tk Task, arn string) Task {
	tk.ExecutionARN = arn
	tk.Created = Millis(tk.Created)
	tk.Started = Millis(tk.Started)
	tk.Heartbeat = Millis(tk.Heartbeat)
	return tk
}

// QueuedActivities returns the activity ARNs t queues tasks for, without
// repeats: the ActivityTaskQueued notifications a successful Commit sends.
func (t *Transition) QueuedActivities() []string {
	var arns []string
	for _, tk := range t.PutTasks {
		if tk.ActivityARN != "" && tk.State == TaskQueued && !slices.Contains(arns, tk.ActivityARN) {
			arns = append(arns, tk.ActivityARN)
		}
	}
	return arns
}

// Millis returns t in UTC truncated to the millisecond, the precision
// stores keep; the zero time stays zero.
func Millis(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// Route is one entry of an alias's routing configuration.
type Route struct {
	StateMachineVersionARN string `json:"stateMachineVersionArn"`
	Weight                 int64  `json:"weight"`
}

// ParseRouting reads an alias's routing configuration, wrapping ErrInvalid
// when it is not a JSON array of routes, each with a version ARN.
func ParseRouting(text string) ([]Route, error) {
	var routes []Route
	if err := json.Unmarshal([]byte(text), &routes); err != nil {
		return nil, fmt.Errorf("routing configuration: %v: %w", err, ErrInvalid)
	}
	if routes == nil { // "null"; "[]" decodes to an empty, non-nil slice
		return nil, fmt.Errorf("routing configuration: null, not an array: %w", ErrInvalid)
	}
	for _, r := range routes {
		if r.StateMachineVersionARN == "" {
			return nil, fmt.Errorf("routing configuration: a route without stateMachineVersionArn: %w", ErrInvalid)
		}
	}
	return routes, nil
}

// CheckMaxResults returns the page size for maxResults, wrapping ErrInvalid
// when it is outside 0..MaxMaxResults.
func CheckMaxResults(maxResults int) (int, error) {
	switch {
	case maxResults == 0:
		return DefaultMaxResults, nil
	case maxResults < 0 || maxResults > MaxMaxResults:
		return 0, fmt.Errorf("maxResults %d not in 0..%d: %w", maxResults, MaxMaxResults, ErrInvalid)
	}
	return maxResults, nil
}
