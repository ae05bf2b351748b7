package store

import (
	"context"
	"time"

	"stepd/internal/history"
)

// Store keeps state machines, activities, executions and their history.
// Implementations are safe for concurrent use. Values passed in are not
// retained after a method returns (a store copies what it keeps) unless a
// method says otherwise; values returned belong to the caller.
type Store interface {
	// CreateStateMachine stores sm with its Tags. ErrAlreadyExists if a
	// state machine with sm.ARN exists.
	CreateStateMachine(ctx context.Context, sm *StateMachine) error
	// GetStateMachine returns the state machine with its tags. ErrNotFound.
	GetStateMachine(ctx context.Context, arn string) (*StateMachine, error)
	// UpdateStateMachine replaces the Definition, RoleARN,
	// LoggingConfiguration, TracingConfiguration, Description, Status,
	// RevisionID and UpdateDate of the state machine sm.ARN; its name, type,
	// label, creation date and tags stay. A machine that is Deleting stays
	// Deleting, so that an update that read it before DeleteStateMachine
	// cannot undo the deletion. ErrNotFound.
	UpdateStateMachine(ctx context.Context, sm *StateMachine) error
	// DeleteStateMachine deletes the state machine with its versions,
	// aliases and tags. Its executions stay readable. ErrNotFound.
	DeleteStateMachine(ctx context.Context, arn string) error
	// ListStateMachines pages through state machines in ARN order, without
	// their Definition and Tags. ErrInvalid, ErrInvalidToken.
	ListStateMachines(ctx context.Context, p ListParams) (Page[*StateMachine], error)

	// PublishVersion publishes a version of v.StateMachineARN: it assigns
	// the next number (one more than any the machine has had) and copies
	// the machine's Definition, RoleARN, LoggingConfiguration,
	// TracingConfiguration and RevisionID into v, atomically; v.ARN becomes
	// <stateMachineArn>:<number>. The caller sets Description and
	// CreationDate. If v.RevisionID is set on entry, it must equal the
	// machine's current revision, else ErrConflict. ErrNotFound if the
	// machine does not exist.
	PublishVersion(ctx context.Context, v *Version) error
	// GetVersion returns a version. ErrNotFound.
	GetVersion(ctx context.Context, arn string) (*Version, error)
	// ListVersions pages through a machine's versions, newest first.
	// ErrInvalid, ErrInvalidToken.
	ListVersions(ctx context.Context, p ListVersionsParams) (Page[*Version], error)
	// DeleteVersion deletes a version. ErrNotFound; ErrConflict while an
	// alias routes to it.
	DeleteVersion(ctx context.Context, arn string) error

	// PutAlias creates the alias a.ARN, or replaces the Description, Routing
	// and UpdateDate of an existing one (keeping its CreationDate, which is
	// written back into a). ErrNotFound if the machine or a routed version
	// does not exist (routes must name versions of a.StateMachineARN);
	// ErrInvalid if Routing does not parse (ParseRouting).
	PutAlias(ctx context.Context, a *Alias) error
	// GetAlias returns an alias. ErrNotFound.
	GetAlias(ctx context.Context, arn string) (*Alias, error)
	// ListAliases pages through a machine's aliases, newest first.
	// ErrInvalid, ErrInvalidToken.
	ListAliases(ctx context.Context, p ListAliasesParams) (Page[*Alias], error)
	// DeleteAlias deletes an alias. ErrNotFound.
	DeleteAlias(ctx context.Context, arn string) error

	// CreateActivity stores a with its Tags. ErrAlreadyExists.
	CreateActivity(ctx context.Context, a *Activity) error
	// GetActivity returns an activity with its tags. ErrNotFound.
	GetActivity(ctx context.Context, arn string) (*Activity, error)
	// ListActivities pages through activities in ARN order, without tags.
	// ErrInvalid, ErrInvalidToken.
	ListActivities(ctx context.Context, p ListParams) (Page[*Activity], error)
	// DeleteActivity deletes an activity and its tags; tasks already queued
	// for it stay with their executions. ErrNotFound.
	DeleteActivity(ctx context.Context, arn string) error

	// TagResource adds tags to a state machine or activity, replacing the
	// values of keys it has. ErrNotFound.
	TagResource(ctx context.Context, arn string, tags []Tag) error
	// UntagResource removes tag keys (absent keys are ignored). ErrNotFound.
	UntagResource(ctx context.Context, arn string, keys []string) error
	// ListTags returns a state machine's or activity's tags sorted by key.
	// ErrNotFound.
	ListTags(ctx context.Context, arn string) ([]Tag, error)

	// CreateExecution stores e and applies its first transition, atomically.
	// first.ExecutionARN must be e.ARN and first.PrevEventCount 0; first
	// sets the execution fields a Transition carries (e's Status, Output,
	// Error, Cause, StopDate, RedriveCount, RedriveDate, Snapshot and
	// EventCount are overwritten with them; its lease fields are kept unless
	// first ends the execution).
	// first may be nil: e is then stored as it is, with no events.
	// ErrAlreadyExists if e.ARN exists (nothing is written); ErrInvalid.
	CreateExecution(ctx context.Context, e *Execution, first *Transition) error
	// GetExecution returns an execution; Snapshot and Definition only when
	// include asks for them. ErrNotFound.
	GetExecution(ctx context.Context, arn string, include Include) (*Execution, error)
	// ListExecutions pages through executions, newest first, without Input,
	// Output, Error, Cause, Definition and Snapshot. ErrInvalid,
	// ErrInvalidToken.
	ListExecutions(ctx context.Context, p ListExecutionsParams) (Page[*Execution], error)
	// DeleteExecution deletes an execution with its history, timers, tasks
	// and requests (retention). ErrNotFound.
	DeleteExecution(ctx context.Context, arn string) error
	// History pages through an execution's events. ErrNotFound, ErrInvalid,
	// ErrInvalidToken.
	History(ctx context.Context, p HistoryParams) (Page[history.Event], error)
	// Commit applies t atomically (see Transition): appends its events,
	// replaces the execution fields, deletes then puts timers and tasks,
	// deletes the requests it applied, and for a terminal status deletes
	// every timer, task and request of the execution and releases its lease. Concurrent Commits may share one database
	// transaction; each caller gets its own outcome. ErrNotFound;
	// ErrConflict for a stale PrevEventCount, a lease held by another node
	// or a task token in use; ErrInvalid (Validate). On any error nothing of
	// t was applied.
	Commit(ctx context.Context, t *Transition) error

	// ClaimExecutions leases to p.Node, until p.Until, up to p.Limit RUNNING
	// executions whose lease is free or expired at p.Now, oldest first, and
	// returns them with their Snapshot and Definition. Two concurrent claims
	// never return the same execution. An expired lease of p.Node itself is
	// claimed again too: callers skip executions they already run.
	ClaimExecutions(ctx context.Context, p ClaimParams) ([]*Execution, error)
	// RenewLeases extends to until every lease node holds on a RUNNING
	// execution, and returns how many it extended.
	RenewLeases(ctx context.Context, node string, until time.Time) (int, error)
	// ReleaseLease frees the lease node holds on an execution and notifies
	// ExecutionReady. ErrNotFound; ErrConflict if node does not hold it.
	ReleaseLease(ctx context.Context, executionARN, node string) error
	// ReleaseLeases frees every lease node holds (at shutdown), returns how
	// many, and notifies ExecutionReady (empty ARN) if any.
	ReleaseLeases(ctx context.Context, node string) (int, error)

	// DueTimers returns timers due at or before p.Before, earliest first
	// (ties in execution ARN and id order), of the RUNNING executions p.Node
	// leases (of all executions when p.Node is "").
	DueTimers(ctx context.Context, p DueTimersParams) ([]Timer, error)
	// Timers returns an execution's timers in id order (none for an unknown
	// execution).
	Timers(ctx context.Context, executionARN string) ([]Timer, error)
	// Tasks returns an execution's tasks in id order (none for an unknown
	// execution).
	Tasks(ctx context.Context, executionARN string) ([]Task, error)
	// ClaimActivityTask takes the oldest queued task of p.ActivityARN
	// (by Created, then execution ARN and id), marks it started by p.Worker
	// at p.Now, notifies ExecutionReady for its execution, and returns it;
	// nil, nil when there is none. Concurrent claims never take the same task.
	ClaimActivityTask(ctx context.Context, p ClaimTaskParams) (*Task, error)
	// TaskByToken returns the task with that token. ErrNotFound.
	TaskByToken(ctx context.Context, token string) (*Task, error)
	// HeartbeatTask records a heartbeat at at for the task with that token
	// and returns the task. ErrNotFound.
	HeartbeatTask(ctx context.Context, token string, at time.Time) (*Task, error)

	// PostRequest stores r for the node that drives r.ExecutionARN (the
	// store assigns r.ID; the caller sets Created) and notifies
	// ExecutionReady for that execution, on every node. The request stays
	// until a Commit applies it (Transition.DeleteRequests), ends the
	// execution, or DeleteExecution. ErrInvalid for a bad Kind or a missing
	// TaskToken on a task kind (Request.Validate, checked first);
	// ErrNotFound if the execution does not exist; ErrConflict if it is not
	// RUNNING.
	PostRequest(ctx context.Context, r *Request) error
	// Requests returns the pending requests, oldest first (by ID), of the
	// executions whose lease p.Node holds, or only those of p.ExecutionARN
	// when it is not "" (then regardless of the lease; none for an unknown
	// execution); at most p.Limit of them (all when it is 0). ErrInvalid if
	// p.Limit < 0.
	Requests(ctx context.Context, p RequestsParams) ([]Request, error)

	// Subscribe returns a channel of notifications: the ones the store
	// sends (ActivityTaskQueued after a Commit or CreateExecution that queues
	// an activity task; ExecutionReady from ClaimActivityTask, PostRequest
	// and the lease releases) and the ones sent with Notify, from this node and, on
	// PostgreSQL, every node. The channel is closed when ctx ends or the
	// store closes. Notifications are dropped, not queued, when the
	// subscriber falls behind.
	Subscribe(ctx context.Context) (<-chan Notification, error)
	// Notify sends n to every subscriber (of every node, on PostgreSQL).
	Notify(ctx context.Context, n Notification) error

	// Close waits for commits in flight, then releases the store's
	// resources. Later calls return ErrClosed.
	Close() error
}

// Checker is implemented by stores that can verify their own invariants;
// storetest runs Check at the end of every test.
type Checker interface {
	// Check verifies that every execution's EventCount equals its number of
	// events, whose ids are 1..EventCount; that no ended execution
	// (Status.Terminal) has timers, tasks, requests or a lease; and that no
	// two tasks share a token.
	Check(ctx context.Context) error
}
