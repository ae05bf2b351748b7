package store

import (
	"fmt"
	"time"
)

// StateMachineType is STANDARD or EXPRESS.
type StateMachineType string

// The state machine types.
const (
	Standard StateMachineType = "STANDARD"
	Express  StateMachineType = "EXPRESS"
)

// StateMachineStatus is ACTIVE or DELETING.
type StateMachineStatus string

// The state machine statuses.
const (
	Active   StateMachineStatus = "ACTIVE"
	Deleting StateMachineStatus = "DELETING"
)

// ExecutionStatus is the status of an execution, as the API names it.
type ExecutionStatus string

// The execution statuses.
const (
	Running        ExecutionStatus = "RUNNING"
	Succeeded      ExecutionStatus = "SUCCEEDED"
	Failed         ExecutionStatus = "FAILED"
	TimedOut       ExecutionStatus = "TIMED_OUT"
	Aborted        ExecutionStatus = "ABORTED"
	PendingRedrive ExecutionStatus = "PENDING_REDRIVE"
)

// Valid reports whether s is one of the statuses above.
func (s ExecutionStatus) Valid() bool {
	switch s {
	case Running, Succeeded, Failed, TimedOut, Aborted, PendingRedrive:
		return true
	}
	return false
}

// Terminal reports whether s ends an execution (SUCCEEDED, FAILED,
// TIMED_OUT or ABORTED).
func (s ExecutionStatus) Terminal() bool {
	switch s {
	case Succeeded, Failed, TimedOut, Aborted:
		return true
	}
	return false
}

// TaskState is the state of a recorded task.
type TaskState string

// The task states.
const (
	// TaskQueued is a task dispatched (or, for an activity, waiting for a
	// worker) that no worker has picked up.
	TaskQueued TaskState = "queued"
	// TaskStarted is an activity task a worker has taken with
	// GetActivityTask.
	TaskStarted TaskState = "started"
)

// Tag is a resource tag.
type Tag struct {
	Key   string
	Value string
}

// StateMachine is a state machine (ARN
// arn:aws:states:<region>:<account>:stateMachine:<name>).
type StateMachine struct {
	ARN  string
	Name string
	Type StateMachineType
	// Definition is the definition text exactly as sent.
	Definition string
	RoleARN    string
	// LoggingConfiguration and TracingConfiguration are JSON text, kept as
	// given ("" when not set).
	LoggingConfiguration string
	TracingConfiguration string
	Status               StateMachineStatus
	CreationDate         time.Time
	UpdateDate           time.Time
	// RevisionID changes with every update ("" before the first one, as on
	// AWS).
	RevisionID  string
	Description string
	// Label is set on the state machines of distributed Map runs
	// (stateMachine:<name>/<label>).
	Label string
	// Tags are stored by CreateStateMachine and returned by
	// GetStateMachine, sorted by key; ListStateMachines leaves them out.
	Tags []Tag
}

// Version is a published, immutable version of a state machine (ARN
// <stateMachineArn>:<number>). PublishVersion copies the machine's current
// definition and configuration into it.
type Version struct {
	ARN             string
	StateMachineARN string
	// Number counts from 1 per state machine; numbers are never reused.
	Number               int64
	Definition           string
	RoleARN              string
	LoggingConfiguration string
	TracingConfiguration string
	// RevisionID is the machine's revision the version was published from.
	RevisionID   string
	Description  string
	CreationDate time.Time
}

// Alias is a named pointer to one or two versions of a state machine (ARN
// <stateMachineArn>:<aliasName>).
type Alias struct {
	ARN             string
	StateMachineARN string
	Name            string
	Description     string
	// Routing is the routing configuration as JSON text: an array of
	// {"stateMachineVersionArn": ..., "weight": ...} objects (see
	// ParseRouting).
	Routing      string
	CreationDate time.Time
	UpdateDate   time.Time
}

// Activity is an activity (ARN arn:aws:states:<region>:<account>:activity:<name>).
type Activity struct {
	ARN          string
	Name         string
	CreationDate time.Time
	// Tags are stored by CreateActivity and returned by GetActivity, sorted
	// by key; ListActivities leaves them out.
	Tags []Tag
}

// Execution is an execution of a state machine.
type Execution struct {
	ARN             string
	StateMachineARN string
	Name            string
	Type            StateMachineType
	Status          ExecutionStatus
	// Input is the input text exactly as sent.
	Input string
	// Output, Error and Cause are nil when absent.
	Output *string
	Error  *string
	Cause  *string
	// StartDate orders ListExecutions (newest first).
	StartDate time.Time
	StopDate  time.Time
	// Definition is the definition the execution runs (for
	// DescribeStateMachineForExecution and for recovery). It is read back
	// only with IncludeDefinition.
	Definition   string
	VersionARN   string
	AliasARN     string
	TraceHeader  string
	MapRunARN    string
	RedriveCount int64
	RedriveDate  time.Time
	// EventCount is the number of history events, which is also the id of
	// the last one.
	EventCount int64
	// Snapshot is the engine's opaque state. It is read back only with
	// IncludeSnapshot.
	Snapshot []byte
	// LeaseOwner is the node that drives the execution ("" when none) and
	// LeaseExpiry the time until which it may.
	LeaseOwner  string
	LeaseExpiry time.Time
}

// Include selects the heavy fields GetExecution reads.
type Include uint8

// The fields GetExecution reads only when asked.
const (
	IncludeSnapshot Include = 1 << iota
	IncludeDefinition
)

// Timer is a timer an execution has armed.
type Timer struct {
	ExecutionARN string
	ID           string
	Due          time.Time
}

// Task is a task an execution has dispatched and not yet seen finish:
// activity tasks waiting for (or held by) a worker, tasks waiting for a task
// token, and any other task in flight, re-dispatched after a restart.
type Task struct {
	ExecutionARN string
	ID           string
	// Token is the task token ("" when the task has none); tokens are unique.
	Token string
	// ActivityARN is set for activity tasks only.
	ActivityARN string
	State       TaskState
	// Worker is the workerName of the activity worker that took the task.
	Worker string
	// Input is the task's input text.
	Input   string
	Created time.Time
	// Started is when a worker took the task.
	Started time.Time
	// Heartbeat is when the last heartbeat arrived.
	Heartbeat time.Time
	// HeartbeatSeconds and TimeoutSeconds are the task's limits (0: none).
	HeartbeatSeconds int64
	TimeoutSeconds   int64
}

// RequestKind says what a Request asks of an execution.
type RequestKind string

// The request kinds.
const (
	// RequestTaskSuccess: SendTaskSuccess for TaskToken, with Output.
	RequestTaskSuccess RequestKind = "task-success"
	// RequestTaskFailure: SendTaskFailure for TaskToken, with Error and
	// Cause (either may be nil).
	RequestTaskFailure RequestKind = "task-failure"
	// RequestTaskHeartbeat: SendTaskHeartbeat for TaskToken.
	RequestTaskHeartbeat RequestKind = "task-heartbeat"
	// RequestStop: StopExecution, with Error and Cause (either may be nil).
	RequestStop RequestKind = "stop"
)

// Valid reports whether k is one of the kinds above.
func (k RequestKind) Valid() bool {
	switch k {
	case RequestTaskSuccess, RequestTaskFailure, RequestTaskHeartbeat, RequestStop:
		return true
	}
	return false
}

// Task reports whether k is about a task, named by a task token.
func (k RequestKind) Task() bool {
	return k == RequestTaskSuccess || k == RequestTaskFailure || k == RequestTaskHeartbeat
}

// Request is a request about a RUNNING execution that only the node driving
// it can apply (a task token's outcome or heartbeat, a stop), kept in the
// store until the commit that applies it deletes it (see PostRequest and
// Transition.DeleteRequests).
type Request struct {
	// ID is assigned by PostRequest; ids grow in posting order and are never
	// reused.
	ID           int64
	ExecutionARN string
	Kind         RequestKind
	// TaskToken names the task (task kinds only).
	TaskToken string
	// Output is the task's output (RequestTaskSuccess); nil when absent.
	Output *string
	// Error and Cause are nil when absent (RequestTaskFailure, RequestStop).
	Error *string
	Cause *string
	// Created is when the request arrived, set by the caller.
	Created time.Time
}

// Validate reports whether r is well formed, wrapping ErrInvalid when it
// is not: a valid Kind and, for the task kinds, a TaskToken.
func (r *Request) Validate() error {
	if !r.Kind.Valid() {
		return fmt.Errorf("request for %q: kind %q: %w", r.ExecutionARN, r.Kind, ErrInvalid)
	}
	if r.Kind.Task() && r.TaskToken == "" {
		return fmt.Errorf("request for %q: %s without a task token: %w", r.ExecutionARN, r.Kind, ErrInvalid)
	}
	return nil
}

// NotificationKind says what a Notification is about.
type NotificationKind string

// The notification kinds.
const (
	// ActivityTaskQueued: ARN is an activity that has a queued task.
	ActivityTaskQueued NotificationKind = "activity"
	// ExecutionReady: the execution ARN has work for its owner, or its lease
	// was released so that any node may claim it. An empty ARN means
	// "several executions; look for yourself".
	ExecutionReady NotificationKind = "execution"
	// StateMachineDeleting: ARN is a state machine whose status became
	// DELETING; the nodes end its running executions.
	StateMachineDeleting NotificationKind = "state-machine-deleting"
	// Resync: notifications may have been lost (a listener reconnected);
	// subscribers should poll.
	Resync NotificationKind = "resync"
)

// Notification wakes idle nodes. Notifications are hints: they may be
// dropped when a subscriber falls behind, so subscribers must also poll.
type Notification struct {
	Kind NotificationKind
	ARN  string
}

// Page is one page of a list.
type Page[T any] struct {
	Items []T
	// NextToken fetches the next page; "" on the last one.
	NextToken string
}

// DefaultMaxResults is the page size when MaxResults is 0.
const DefaultMaxResults = 100

// MaxMaxResults is the largest MaxResults allowed.
const MaxMaxResults = 1000

// ListParams pages through state machines or activities, in ARN order.
type ListParams struct {
	MaxResults int
	NextToken  string
}

// ListVersionsParams pages through the versions of a state machine, newest
// (highest number) first.
type ListVersionsParams struct {
	StateMachineARN string
	MaxResults      int
	NextToken       string
}

// ListAliasesParams pages through the aliases of a state machine, newest
// (latest CreationDate) first.
type ListAliasesParams struct {
	StateMachineARN string
	MaxResults      int
	NextToken       string
}

// ListExecutionsParams pages through executions, newest (latest StartDate)
// first. Exactly one of StateMachineARN, VersionARN, AliasARN and MapRunARN
// must be set: StateMachineARN lists every execution of the machine, however
// it was started; VersionARN and AliasARN those started through that version
// or alias; MapRunARN the child executions of a distributed Map run.
type ListExecutionsParams struct {
	StateMachineARN string
	VersionARN      string
	AliasARN        string
	MapRunARN       string
	// Status, when set, keeps only executions in that status.
	Status     ExecutionStatus
	MaxResults int
	NextToken  string
}

// ExecutionFilter names the filter of a ListExecutionsParams.
type ExecutionFilter string

// The execution list filters.
const (
	ByStateMachine ExecutionFilter = "stateMachine"
	ByVersion      ExecutionFilter = "version"
	ByAlias        ExecutionFilter = "alias"
	ByMapRun       ExecutionFilter = "mapRun"
)

// Filter returns the filter p sets and its ARN, wrapping ErrInvalid unless
// exactly one is set and Status is empty or valid.
func (p ListExecutionsParams) Filter() (ExecutionFilter, string, error) {
	var field ExecutionFilter
	var value string
	n := 0
	for _, f := range []struct {
		field ExecutionFilter
		value string
	}{
		{ByStateMachine, p.StateMachineARN}, {ByVersion, p.VersionARN}, {ByAlias, p.AliasARN}, {ByMapRun, p.MapRunARN},
	} {
		if f.value != "" {
			n++
			field, value = f.field, f.value
		}
	}
	if n != 1 {
		return "", "", fmt.Errorf("list executions: want exactly one of state machine, version, alias and map run ARN, got %d: %w", n, ErrInvalid)
	}
	if p.Status != "" && !p.Status.Valid() {
		return "", "", fmt.Errorf("list executions: status %q: %w", p.Status, ErrInvalid)
	}
	return field, value, nil
}

// HistoryParams pages through an execution's history events, in id order
// or, with Reverse, newest first.
type HistoryParams struct {
	ExecutionARN string
	Reverse      bool
	MaxResults   int
	NextToken    string
}

// ClaimParams claims executions for a node.
type ClaimParams struct {
	// Node is the claiming node's id.
	Node string
	// Now decides which leases have expired (expiry <= Now).
	Now time.Time
	// Until is the new lease expiry.
	Until time.Time
	// Limit caps the number of executions claimed (> 0).
	Limit int
}

// DueTimersParams selects due timers.
type DueTimersParams struct {
	// Node, when set, keeps the timers of executions whose lease Node holds;
	// "" returns the timers of every execution.
	Node string
	// Before keeps timers due at or before it.
	Before time.Time
	// Limit caps the number of timers (> 0).
	Limit int
}

// ClaimTaskParams takes an activity task for a worker.
type ClaimTaskParams struct {
	ActivityARN string
	Worker      string
	// Now is recorded as the task's Started time.
	Now time.Time
}

// RequestsParams selects pending requests.
type RequestsParams struct {
	// Node, when set, keeps the requests of executions whose lease Node
	// holds; "" (with no ExecutionARN) returns the requests of every
	// execution.
	Node string
	// ExecutionARN, when set, keeps the requests of that execution only,
	// whoever holds its lease (Node is then ignored).
	ExecutionARN string
	// Limit caps the number of requests; 0 returns them all.
	Limit int
}
