package engine

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"stepd/internal/asl"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

// Limits AWS applies to every execution (developer guide, "Service quotas").
const (
	// MaxPayloadBytes is the largest input or output of a state or task.
	MaxPayloadBytes = 256 * 1024
	// MaxVariablesBytes is the most the variables of an execution may hold,
	// serialised; one variable and one Assign are held to MaxPayloadBytes.
	MaxVariablesBytes = 10 * 1024 * 1024
	// MaxHistoryEvents is the most events a standard execution may have; the
	// event that would exceed it becomes an ExecutionFailed.
	MaxHistoryEvents = 25000
	// maxWaitSeconds is the longest Wait AWS accepts (24,855 days).
	maxWaitSeconds = 24855 * 24 * 3600
)

// Status is an execution's status, as DescribeExecution reports it.
type Status string

// The execution statuses.
const (
	Running   Status = "RUNNING"
	Succeeded Status = "SUCCEEDED"
	Failed    Status = "FAILED"
	TimedOut  Status = "TIMED_OUT"
	Aborted   Status = "ABORTED"
)

// Config identifies an execution and sets its limits.
type Config struct {
	ExecutionARN     string
	Name             string
	StateMachineARN  string
	StateMachineName string
	RoleARN          string
	Region           string
	// Type is STANDARD or EXPRESS.
	Type string
	// Seed makes jitter, States.MathRandom, $random and UUIDs reproducible.
	Seed uint64
	// RedriveCount is how many times the execution was redriven
	// ($$.Execution.RedriveCount). Restore takes it from the snapshot when
	// the snapshot records it, and Redrive adds one.
	RedriveCount int64
	// MaxEvents caps the history (0: MaxHistoryEvents; negative: no cap, as
	// for EXPRESS executions).
	MaxEvents int
	// TraceHeader, VersionARN and AliasARN are recorded, not interpreted.
	VersionARN string
	AliasARN   string
	// Label is the driver's own note about the execution (stepd keeps the
	// mock test case an execution runs with): kept in snapshots, and taken
	// from the snapshot by Restore when cfg has none. Not interpreted.
	Label string
}

// Label returns Config.Label, as restored from a snapshot.
func (x *Execution) Label() string { return x.cfg.Label }

// Batch is what one call to an Execution produced.
type Batch struct {
	Events   []history.Event
	Commands []Command
}

// CommandKind names what the driver must do.
type CommandKind uint8

// The command kinds.
const (
	RunTask CommandKind = iota + 1
	CancelTask
	SetTimer
	CancelTimer
)

func (k CommandKind) String() string {
	return [...]string{"", "RunTask", "CancelTask", "SetTimer", "CancelTimer"}[k]
}

// Command is one instruction for the driver.
type Command struct {
	Kind CommandKind
	ID   string       // task or timer id
	At   time.Time    // SetTimer: when to fire
	Task *TaskRequest // RunTask
}

// TaskRequest describes a task to run.
type TaskRequest struct {
	ID        string
	StateName string
	Resource  asl.Resource
	// Input is the effective input (JSONPath Parameters or JSONata
	// Arguments); InputText is its JSON text.
	Input     any
	InputText string
	// TaskToken is set for activities and .waitForTaskToken integrations.
	TaskToken        string
	TimeoutSeconds   int64 // 0: none
	HeartbeatSeconds int64 // 0: none
	Attempt          int   // 0 for the first try, n for the n-th retry
	Credentials      any
	// ExecutionARN is the execution the task belongs to.
	ExecutionARN string
}

// Execution is one execution of a compiled state machine: its whole state.
type Execution struct {
	cfg       Config
	m         *asl.Machine
	status    Status
	input     any
	inputText string
	startTime time.Time
	stopTime  time.Time
	output    string
	errName   *string
	cause     *string
	// redriveTime is when the execution was last redriven; the count is
	// cfg.RedriveCount.
	redriveTime time.Time

	nextID int64
	seq    int64
	rng    *rand.Rand
	pcg    *rand.PCG
	root   *frame
	tasks  map[string]*frame
	timers map[string]*timerRef

	// mapRuns records the children of the execution's Map Runs (maprun.go).
	mapRuns mapRunTable

	// Per call.
	now time.Time
	out *Batch
}

// The longest an execution may run (AWS quotas): past it, it times out
// with States.Timeout, as with the machine's TimeoutSeconds. A redrive
// starts the count again.
const (
	StandardMaxDuration = 365 * 24 * time.Hour
	ExpressMaxDuration  = 5 * time.Minute
)

// armTimeout sets the execution's timer at the start of a run: the
// machine's TimeoutSeconds, capped by the type's maximum duration. For a
// Standard execution without TimeoutSeconds, setTimer sets it when needed.
func (x *Execution) armTimeout() {
	limit := StandardMaxDuration
	if x.cfg.Type == asl.TypeExpress {
		limit = ExpressMaxDuration
	} else if x.m.TimeoutSeconds == 0 {
		return
	}
	if t := time.Duration(x.m.TimeoutSeconds) * time.Second; t > 0 && t < limit {
		limit = t
	}
	x.setTimer(&timerRef{kind: timerExecution, at: x.now.Add(limit)})
}

// timeoutArmed reports whether the execution's timer is set.
func (x *Execution) timeoutArmed() bool {
	if x.cfg.Type == asl.TypeExpress || x.m.TimeoutSeconds > 0 {
		return true
	}
	for _, t := range x.timers {
		if t.kind == timerExecution {
			return true
		}
	}
	return false
}

// runStart is when the current run began: the start, or the last redrive.
func (x *Execution) runStart() time.Time {
	if !x.redriveTime.IsZero() {
		return x.redriveTime
	}
	return x.startTime
}

type timerKind uint8

const (
	timerWait timerKind = iota + 1
	timerRetry
	timerTaskTimeout
	timerHeartbeat
	timerExecution
)

type timerRef struct {
	frame *frame
	kind  timerKind
	at    time.Time
}

// New prepares an execution of m; call Start to run it.
func New(m *asl.Machine, cfg Config) *Execution {
	if cfg.Type == "" {
		cfg.Type = asl.TypeStandard
	}
	if cfg.MaxEvents == 0 {
		cfg.MaxEvents = MaxHistoryEvents
	}
	pcg := rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)
	return &Execution{
		cfg: cfg, m: m, status: Running, pcg: pcg, rng: rand.New(pcg),
		tasks: map[string]*frame{}, timers: map[string]*timerRef{},
	}
}

// Status returns the execution's status.
func (x *Execution) Status() Status { return x.status }

// Output returns the JSON text of a succeeded execution's output.
func (x *Execution) Output() string { return x.output }

// Error returns the error name and cause of a failed, timed-out or aborted
// execution; nil means absent.
func (x *Execution) Error() (errName, cause *string) { return x.errName, x.cause }

// StartTime and StopTime are when the execution started and ended.
func (x *Execution) StartTime() time.Time { return x.startTime }

// StopTime is when the execution ended (zero while running).
func (x *Execution) StopTime() time.Time { return x.stopTime }

// Input returns the execution input as sent.
func (x *Execution) Input() string { return x.inputText }

// Machine returns the compiled machine being run.
func (x *Execution) Machine() *asl.Machine { return x.m }

// Config returns the execution's configuration.
func (x *Execution) Config() Config { return x.cfg }

// EventCount returns the number of history events so far.
func (x *Execution) EventCount() int64 { return x.nextID }

func (x *Execution) begin(now time.Time) *Batch {
	x.now = now.UTC()
	x.out = &Batch{}
	return x.out
}

// Start begins the execution with its input (inputText as sent, input its
// parsed value).
func (x *Execution) Start(input any, inputText string, now time.Time) *Batch {
	b := x.begin(now)
	x.input, x.inputText, x.startTime = input, inputText, x.now
	x.emit(nil, history.ExecutionStarted, &history.Details{
		Input: history.Str(inputText), InputDetails: history.NotTruncated, RoleArn: x.cfg.RoleARN,
		StateMachineVersionArn: x.cfg.VersionARN, StateMachineAliasArn: x.cfg.AliasARN,
	})
	x.armTimeout()
	x.root = x.newFrame(nil, nil, x.m, 0, newScope(nil))
	x.root.raw, x.root.rawText = input, inputText
	x.root.state = x.m.Start
	x.advance(x.root)
	return b
}

// newID returns a fresh id for a task or timer.
func (x *Execution) newID(prefix string) string {
	x.seq++
	return prefix + strconv.FormatInt(x.seq, 10)
}

// emit appends an event whose previousEventId is f's last event (0 when f is
// nil), and makes it f's last event.
func (x *Execution) emit(f *frame, t history.Type, d *history.Details) int64 {
	prev := int64(0)
	if f != nil {
		if f.silent {
			return 0
		}
		prev = f.last
	}
	id := x.emitPrev(prev, t, d)
	if f != nil {
		f.last = id
	}
	return id
}

// emitFrom appends an event for f with an explicit previousEventId; f's
// silent flag applies but its last event is unchanged.
func (x *Execution) emitFrom(f *frame, prev int64, t history.Type, d *history.Details) int64 {
	if f != nil && f.silent {
		return 0
	}
	return x.emitPrev(prev, t, d)
}

// emitPrev appends an event with an explicit previousEventId.
func (x *Execution) emitPrev(prev int64, t history.Type, d *history.Details) int64 {
	if x.status != Running && !isExecutionEnd(t) {
		return 0
	}
	if x.cfg.MaxEvents > 0 && x.nextID == int64(x.cfg.MaxEvents)-1 && !isExecutionEnd(t) {
		x.endExecution(Failed, history.ExecutionFailed, x.nextID, history.Str(asl.ErrRuntime),
			history.Str(fmt.Sprintf("The execution reached the maximum number of history events (%d).", x.cfg.MaxEvents)))
		return 0
	}
	x.nextID++
	x.out.Events = append(x.out.Events, history.Event{ID: x.nextID, PreviousEventID: prev, Timestamp: x.now, Type: t, Details: d})
	return x.nextID
}

func isExecutionEnd(t history.Type) bool {
	switch t {
	case history.ExecutionSucceeded, history.ExecutionFailed, history.ExecutionAborted, history.ExecutionTimedOut:
		return true
	}
	return false
}

// endExecution closes the execution with its final event and cancels all
// outstanding work.
func (x *Execution) endExecution(st Status, t history.Type, prev int64, errName, cause *string) {
	if x.status != Running {
		return
	}
	x.status = st
	x.errName, x.cause = errName, cause
	var d *history.Details
	switch t {
	case history.ExecutionSucceeded:
		d = &history.Details{Output: history.Str(x.output), OutputDetails: history.NotTruncated}
	default:
		d = &history.Details{Error: errName, Cause: cause}
	}
	x.nextID++
	x.out.Events = append(x.out.Events, history.Event{ID: x.nextID, PreviousEventID: prev, Timestamp: x.now, Type: t, Details: d})
	x.stopTime = x.now
	for id := range x.tasks {
		x.out.Commands = append(x.out.Commands, Command{Kind: CancelTask, ID: id})
	}
	for id := range x.timers {
		x.out.Commands = append(x.out.Commands, Command{Kind: CancelTimer, ID: id})
	}
	clear(x.tasks)
	clear(x.timers)
}

func (x *Execution) setTimer(t *timerRef) string {
	if t.kind != timerExecution && !x.timeoutArmed() {
		// A Standard execution without TimeoutSeconds gets its one-year
		// timer only when it waits for longer than that: most never do,
		// and a timer is a durable write.
		if deadline := x.runStart().Add(StandardMaxDuration); t.at.After(deadline) {
			x.setTimer(&timerRef{kind: timerExecution, at: deadline})
		}
	}
	id := x.newID("timer-")
	x.timers[id] = t
	x.out.Commands = append(x.out.Commands, Command{Kind: SetTimer, ID: id, At: t.at})
	return id
}

func (x *Execution) cancelTimer(id string) {
	if id == "" {
		return
	}
	if _, ok := x.timers[id]; ok {
		delete(x.timers, id)
		x.out.Commands = append(x.out.Commands, Command{Kind: CancelTimer, ID: id})
	}
}

// Stop aborts a running execution (StopExecution). errName and cause may
// be nil.
func (x *Execution) Stop(errName, cause *string, now time.Time) *Batch {
	b := x.begin(now)
	if x.status == Running {
		x.abortFrame(x.root)
		x.endExecution(Aborted, history.ExecutionAborted, 0, errName, cause)
	}
	return b
}

// TimerFired reports that a timer set with SetTimer is due.
func (x *Execution) TimerFired(id string, now time.Time) *Batch {
	b := x.begin(now)
	t, ok := x.timers[id]
	if !ok || x.status != Running {
		return b
	}
	delete(x.timers, id)
	switch t.kind {
	case timerExecution:
		x.abortFrame(x.root)
		// The event says States.Timeout; DescribeExecution shows no error
		// or cause (observed).
		x.endExecution(TimedOut, history.ExecutionTimedOut, 0, history.Str(asl.ErrTimeout), nil)
		x.errName, x.cause = nil, nil
	case timerWait:
		f := t.frame
		f.timer = ""
		x.waitDone(f)
		x.advance(f)
	case timerRetry:
		f := t.frame
		f.timer = ""
		x.retryNow(f)
	case timerTaskTimeout, timerHeartbeat:
		x.taskTimedOut(t.frame, t.kind == timerHeartbeat)
	}
	return b
}

// Snapshot-free accessors used by drivers to show progress.

// PendingTasks returns the ids of the tasks the execution waits for.
func (x *Execution) PendingTasks() []string {
	ids := make([]string, 0, len(x.tasks))
	for id := range x.tasks {
		ids = append(ids, id)
	}
	return ids
}

// encode returns v's JSON text.
func encode(v any) string { return jsonv.Marshal(v) }
