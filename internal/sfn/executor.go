package sfn

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/store"
	"stepd/internal/tasks"
)

// executor drives the running executions this node owns.
type executor struct {
	s   *Service
	ctx context.Context
	// cancel stops everything the executor started.
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu   sync.Mutex
	live map[string]*live

	timers *timerQueue

	// activity long polls wait on these; closed and replaced when a task
	// for the activity is queued.
	pollMu sync.Mutex
	polls  map[string]chan struct{}
}

// live is one running execution.
type live struct {
	arn string
	rec *store.Execution
	m   *asl.Machine
	cfg engine.Config

	mu       sync.Mutex
	x        *engine.Execution
	snapshot []byte // the last committed snapshot
	timers   map[string]time.Time
	tasks    map[string]bool
	inflight map[string]context.CancelFunc
	dispatch tasks.Dispatcher
	ended    bool
	done     chan struct{}
	// deleting is set when the execution's state machine is being
	// deleted: its next transition ends it (see deleting.go).
	deleting atomic.Bool

	// drainMu serialises the application of other nodes' requests.
	drainMu sync.Mutex
}

func newExecutor(s *Service) *executor {
	ctx, cancel := context.WithCancel(context.Background())
	e := &executor{s: s, ctx: ctx, cancel: cancel, live: map[string]*live{}, polls: map[string]chan struct{}{}}
	e.timers = newTimerQueue(e.fire)
	return e
}

// start recovers what this node can claim, then runs the background loops.
// Leases this node still holds from before a crash are released first, so
// they are claimed again at once instead of after they expire.
func (e *executor) start(ctx context.Context) error {
	if _, err := e.s.store.ReleaseLeases(ctx, e.s.opts.Node); err != nil {
		return fmt.Errorf("release this node's old leases: %w", err)
	}
	if err := e.claim(ctx); err != nil {
		return err
	}
	if err := e.sweepDeleting(ctx); err != nil {
		e.s.log.Warn("finish state machine deletions", "err", err)
	}
	e.wg.Add(2)
	go func() { defer e.wg.Done(); e.timers.run(e.ctx) }()
	go func() { defer e.wg.Done(); e.maintain() }()
	e.wg.Add(1)
	go func() { defer e.wg.Done(); e.listen() }()
	return nil
}

// close stops the loops and releases this node's leases.
func (e *executor) close(ctx context.Context) error {
	e.cancel()
	e.wg.Wait()
	e.mu.Lock()
	for _, l := range e.live {
		l.mu.Lock()
		for _, cancel := range l.inflight {
			cancel()
		}
		l.ended = true
		l.mu.Unlock()
	}
	e.live = map[string]*live{}
	e.mu.Unlock()
	_, err := e.s.store.ReleaseLeases(ctx, e.s.opts.Node)
	return err
}

// maintain renews this node's leases and takes over executions whose owner
// stopped renewing theirs.
func (e *executor) maintain() {
	every := e.s.opts.LeaseDuration / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-t.C:
			if _, err := e.s.store.RenewLeases(e.ctx, e.s.opts.Node, e.s.now().Add(e.s.opts.LeaseDuration)); err != nil && e.ctx.Err() == nil {
				e.s.log.Warn("renew execution leases", "err", err)
			}
			if err := e.claim(e.ctx); err != nil && e.ctx.Err() == nil {
				e.s.log.Warn("claim executions", "err", err)
			}
			e.drainAll()
			if err := e.sweepDeleting(e.ctx); err != nil && e.ctx.Err() == nil {
				e.s.log.Warn("finish state machine deletions", "err", err)
			}
		}
	}
}

// listen reacts to store notifications: queued activity tasks wake long
// polls; released leases are claimed.
func (e *executor) listen() {
	ch, err := e.s.store.Subscribe(e.ctx)
	if err != nil {
		e.s.log.Warn("subscribe to store notifications", "err", err)
		return
	}
	for n := range ch {
		switch n.Kind {
		case store.ActivityTaskQueued:
			e.wakePolls(n.ARN)
		case store.StateMachineDeleting:
			e.markDeleting(n.ARN)
		case store.ExecutionReady, store.Resync:
			if l := e.get(n.ARN); n.ARN != "" && l != nil {
				// A request from another node, for an execution we drive.
				e.wg.Add(1)
				go func() { defer e.wg.Done(); e.drain(l) }()
				continue
			}
			if n.Kind == store.Resync {
				e.drainAll()
			}
			if err := e.claim(e.ctx); err != nil && e.ctx.Err() == nil {
				e.s.log.Warn("claim executions", "err", err)
			}
			if n.Kind == store.Resync {
				e.wakePolls("")
			}
		}
	}
}

// claim takes over running executions without a live lease and resumes
// them from their snapshots.
func (e *executor) claim(ctx context.Context) error {
	for {
		now := e.s.now()
		recs, err := e.s.store.ClaimExecutions(ctx, store.ClaimParams{Node: e.s.opts.Node, Now: now, Until: now.Add(e.s.opts.LeaseDuration), Limit: 100})
		if err != nil {
			return fmt.Errorf("claim executions: %w", err)
		}
		for _, rec := range recs {
			if err := e.resume(rec); err != nil {
				e.s.log.Error("resume execution", "execution", rec.ARN, "err", err)
			}
		}
		if len(recs) < 100 {
			return nil
		}
	}
}

// resume restores a claimed execution and redoes its pending work.
func (e *executor) resume(rec *store.Execution) error {
	c := e.s.compile(rec.Definition, string(rec.Type))
	if c.machine == nil {
		return fmt.Errorf("its definition no longer compiles: %s", c.diags.InvalidDefinitionMessage())
	}
	role, deleting := e.s.machineOf(rec)
	cfg := e.s.engineConfig(rec, role)
	x, err := engine.Restore(c.machine, cfg, rec.Snapshot)
	if err != nil {
		return err
	}
	l := e.newLive(rec, c.machine, cfg, x)
	l.snapshot = rec.Snapshot
	l.deleting.Store(deleting)
	if name, ok := strings.CutPrefix(x.Label(), mockLabel); ok {
		l.dispatch = e.s.mockedDispatcher(rec, name)
	}
	stored, err := e.s.store.Tasks(e.ctx, rec.ARN)
	if err != nil {
		return err
	}
	started := map[string]store.Task{}
	for _, t := range stored {
		started[t.ID] = t
	}
	work := x.PendingWork()
	l.mu.Lock()
	for _, c := range work {
		switch c.Kind {
		case engine.SetTimer:
			l.timers[c.ID] = c.At
		case engine.RunTask:
			l.tasks[c.ID] = storedTask(c.Task)
		}
	}
	l.mu.Unlock()
	e.mu.Lock()
	e.live[rec.ARN] = l
	e.mu.Unlock()
	e.s.log.Info("resumed execution", "execution", rec.ARN, "events", rec.EventCount, "pending", len(work))
	for _, c := range work {
		// An activity a worker had taken is reported started again: the
		// worker may still answer with the task token.
		if c.Kind == engine.RunTask && c.Task.Resource.Kind == asl.ResourceActivity {
			if t, ok := started[c.ID]; ok && t.State == store.TaskStarted {
				id, worker := c.ID, t.Worker
				e.apply(l, func(now time.Time) *engine.Batch { return l.x.TaskStarted(id, worker, now) })
			}
		}
	}
	// The requests posted while no node drove it (a StopExecution, a
	// task's answer) came before whatever fell due meanwhile: apply them
	// first, then arm the timers and dispatch the tasks still pending.
	e.drain(l)
	l.mu.Lock()
	if l.ended {
		work = nil
	} else {
		work = l.x.PendingWork()
	}
	l.mu.Unlock()
	e.run(l, work)
	return nil
}

// engineConfig is the engine's view of a stored execution running with
// role.
func (s *Service) engineConfig(rec *store.Execution, role string) engine.Config {
	h := fnv.New64a()
	h.Write([]byte(rec.ARN))
	smName := rec.StateMachineARN
	if p, ok := parseARN(rec.StateMachineARN); ok && len(p.parts) > 0 {
		smName = p.parts[0]
	}
	maxEvents := 0
	if rec.Type == store.Express {
		maxEvents = -1
	}
	return engine.Config{
		ExecutionARN: rec.ARN, Name: rec.Name, StateMachineARN: rec.StateMachineARN, StateMachineName: smName,
		RoleARN: role, Region: s.opts.Region, Type: string(rec.Type), Seed: h.Sum64(),
		RedriveCount: rec.RedriveCount, VersionARN: rec.VersionARN, AliasARN: rec.AliasARN, MaxEvents: maxEvents,
	}
}

// machineOf returns the role ARN an execution runs with, and whether its
// state machine is being deleted.
func (s *Service) machineOf(rec *store.Execution) (role string, deleting bool) {
	if sm, err := s.store.GetStateMachine(context.Background(), rec.StateMachineARN); err == nil {
		return sm.RoleARN, sm.Status == store.Deleting
	}
	return "arn:aws:iam::" + s.opts.Account + ":role/stepd", false
}

func (e *executor) newLive(rec *store.Execution, m *asl.Machine, cfg engine.Config, x *engine.Execution) *live {
	return &live{
		arn: rec.ARN, rec: rec, m: m, cfg: cfg, x: x,
		timers: map[string]time.Time{}, tasks: map[string]bool{}, inflight: map[string]context.CancelFunc{},
		dispatch: e.s.dispatcherFor(nil), done: make(chan struct{}),
	}
}

// adopt makes l, whose first transition tr was just committed, an
// execution this node drives, and carries out that transition's commands.
func (e *executor) adopt(l *live, tr *store.Transition, cmds []engine.Command) {
	l.snapshot = tr.Snapshot
	if tr.Status.Terminal() {
		l.ended = true
		close(l.done)
		return
	}
	e.mu.Lock()
	e.live[l.arn] = l
	e.mu.Unlock()
	for _, arn := range tr.QueuedActivities() {
		e.wakePolls(arn)
	}
	e.run(l, cmds)
}

// get returns the live execution with that ARN on this node.
func (e *executor) get(arn string) *live {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.live[arn]
}

// errNotLive means the execution is not running on this node.
var errNotLive = errors.New("execution is not running on this node")

// apply feeds one input to a live execution, commits what it produced and
// carries out the commands. It is safe to call from any goroutine.
func (e *executor) apply(l *live, step func(now time.Time) *engine.Batch) error {
	return e.applyWith(l, step, 0)
}

// applyWith is apply that also deletes the store request with id request
// (when not 0) in the same commit. A nil step applies nothing else.
func (e *executor) applyWith(l *live, step func(now time.Time) *engine.Batch, request int64) error {
	l.mu.Lock()
	if l.ended {
		l.mu.Unlock()
		return errNotLive
	}
	prev := l.x.EventCount()
	b := &engine.Batch{}
	if step != nil {
		b = endDeleted(l, step)(e.s.now())
	}
	if len(b.Events) == 0 && len(b.Commands) == 0 && request == 0 {
		l.mu.Unlock()
		return nil
	}
	tr := e.transition(l, prev, b)
	if request != 0 {
		tr.DeleteRequests = []int64{request}
	}
	if err := e.s.store.Commit(e.ctx, tr); err != nil {
		// Nothing was applied: go back to the last committed state.
		if x, rerr := engine.Restore(l.m, l.cfg, l.snapshot); rerr == nil {
			l.x = x
		}
		l.mu.Unlock()
		if errors.Is(err, store.ErrConflict) {
			// Another node owns the execution now.
			e.drop(l)
		}
		return fmt.Errorf("commit transition of %s: %w", l.arn, err)
	}
	l.snapshot = tr.Snapshot
	ended := tr.Status.Terminal()
	if ended {
		l.ended = true
		for id, cancel := range l.inflight {
			cancel()
			delete(l.inflight, id)
		}
	}
	l.mu.Unlock()
	for _, arn := range tr.QueuedActivities() {
		e.wakePolls(arn)
	}
	if ended {
		e.finish(l)
		return nil
	}
	e.run(l, b.Commands)
	return nil
}

// transition turns a batch into the store's transition: the new execution
// fields, the events, and the changes to the pending timers and tasks.
func (e *executor) transition(l *live, prev int64, b *engine.Batch) *store.Transition {
	x := l.x
	now := e.s.now()
	tr := &store.Transition{
		ExecutionARN: l.arn, Owner: e.s.opts.Node, LeaseUntil: now.Add(e.s.opts.LeaseDuration),
		PrevEventCount: prev, Events: b.Events, Status: store.ExecutionStatus(x.Status()),
		RedriveCount: l.rec.RedriveCount, RedriveDate: l.rec.RedriveDate, Snapshot: x.Snapshot(),
	}
	if x.Status() == engine.Succeeded {
		out := x.Output()
		tr.Output = &out
	}
	tr.Error, tr.Cause = x.Error()
	if x.Status() != engine.Running {
		tr.StopDate = x.StopTime()
		clear(l.timers)
		clear(l.tasks)
		return tr
	}
	timers := map[string]time.Time{}
	tasksNow := map[string]*engine.TaskRequest{}
	for _, c := range x.PendingWork() {
		switch c.Kind {
		case engine.SetTimer:
			timers[c.ID] = c.At
		case engine.RunTask:
			tasksNow[c.ID] = c.Task
		}
	}
	for id, at := range timers {
		if _, ok := l.timers[id]; !ok {
			tr.PutTimers = append(tr.PutTimers, store.Timer{ID: id, Due: at})
		}
	}
	for id := range l.timers {
		if _, ok := timers[id]; !ok {
			tr.DeleteTimers = append(tr.DeleteTimers, id)
		}
	}
	for id, req := range tasksNow {
		if _, ok := l.tasks[id]; ok || !storedTask(req) {
			continue
		}
		t := store.Task{ID: id, Token: req.TaskToken, State: store.TaskQueued, Input: req.InputText, Created: now,
			TimeoutSeconds: req.TimeoutSeconds, HeartbeatSeconds: req.HeartbeatSeconds}
		if req.Resource.Kind == asl.ResourceActivity {
			t.ActivityARN = req.Resource.ARN
		}
		tr.PutTasks = append(tr.PutTasks, t)
	}
	for id, stored := range l.tasks {
		if _, ok := tasksNow[id]; !ok && stored {
			tr.DeleteTasks = append(tr.DeleteTasks, id)
		}
	}
	l.timers = timers
	l.tasks = make(map[string]bool, len(tasksNow))
	for id, req := range tasksNow {
		l.tasks[id] = storedTask(req)
	}
	return tr
}

// storedTask reports whether a pending task needs a row in the store: an
// activity (workers take it from there) or a task with a token (callbacks
// find it by the token). Other tasks live in the snapshot only, and a
// restarted node runs them again from there.
func storedTask(req *engine.TaskRequest) bool {
	return req.TaskToken != "" || req.Resource.Kind == asl.ResourceActivity
}

// run carries out commands of a committed batch.
func (e *executor) run(l *live, cmds []engine.Command) {
	for _, c := range cmds {
		switch c.Kind {
		case engine.RunTask:
			if c.Task.Resource.Kind == asl.ResourceActivity {
				continue // queued in the store; a worker takes it with GetActivityTask
			}
			l.mu.Lock()
			if l.ended {
				l.mu.Unlock()
				return
			}
			ctx, cancel := context.WithCancel(e.ctx)
			l.inflight[c.ID] = cancel
			d := l.dispatch
			l.mu.Unlock()
			d.Dispatch(ctx, c.Task, &reporter{e: e, l: l, id: c.ID})
		case engine.CancelTask:
			l.mu.Lock()
			if cancel, ok := l.inflight[c.ID]; ok {
				cancel()
				delete(l.inflight, c.ID)
			}
			l.mu.Unlock()
		case engine.SetTimer:
			e.timers.add(l.arn, c.ID, c.At)
		case engine.CancelTimer:
			e.timers.remove(l.arn, c.ID)
		}
	}
}

// fire handles a due timer.
func (e *executor) fire(arn, id string) {
	l := e.get(arn)
	if l == nil {
		return
	}
	switch err := e.apply(l, func(now time.Time) *engine.Batch { return l.x.TimerFired(id, now) }); {
	case err == nil, errors.Is(err, errNotLive):
	case errors.Is(err, store.ErrConflict):
		// Another node has taken the execution over (this one lost its
		// lease, say while paused): it drives the timer now.
		e.s.log.Warn("timer: the execution moved to another node", "execution", arn, "timer", id)
	default:
		e.s.log.Error("timer", "execution", arn, "timer", id, "err", err)
	}
}

// finish forgets an ended execution and wakes whoever waits for it.
func (e *executor) finish(l *live) {
	e.mu.Lock()
	delete(e.live, l.arn)
	e.mu.Unlock()
	e.timers.removeAll(l.arn)
	close(l.done)
	e.deletedExecutionEnded(l)
}

// drop forgets an execution another node took over.
func (e *executor) drop(l *live) {
	l.mu.Lock()
	l.ended = true
	for _, cancel := range l.inflight {
		cancel()
	}
	l.mu.Unlock()
	e.mu.Lock()
	if e.live[l.arn] == l {
		delete(e.live, l.arn)
	}
	e.mu.Unlock()
	e.timers.removeAll(l.arn)
}

// reporter feeds a task's reports back into its execution.
type reporter struct {
	e  *executor
	l  *live
	id string
}

func (r *reporter) report(step func(now time.Time) *engine.Batch) {
	if err := r.e.apply(r.l, step); err != nil && !errors.Is(err, errNotLive) {
		r.e.s.log.Error("task report", "execution", r.l.arn, "task", r.id, "err", err)
	}
}

func (r *reporter) forget() {
	r.l.mu.Lock()
	delete(r.l.inflight, r.id)
	r.l.mu.Unlock()
}

func (r *reporter) Started(w string) {
	r.report(func(now time.Time) *engine.Batch { return r.l.x.TaskStarted(r.id, w, now) })
}

func (r *reporter) Submitted(out any) {
	r.report(func(now time.Time) *engine.Batch { return r.l.x.TaskSubmitted(r.id, out, now) })
}

func (r *reporter) Heartbeat() {
	r.report(func(now time.Time) *engine.Batch { return r.l.x.TaskHeartbeat(r.id, now) })
}

// Succeeded ends the task — except for .waitForTaskToken integrations,
// where the service's answer is only the submission: the task ends with
// SendTaskSuccess or SendTaskFailure.
func (r *reporter) Succeeded(out any) {
	r.forget()
	r.report(func(now time.Time) *engine.Batch { return r.l.x.TaskSucceeded(r.id, out, now) })
}

func (r *reporter) Failed(errName, cause string) {
	r.forget()
	r.report(func(now time.Time) *engine.Batch { return r.l.x.TaskFailed(r.id, errName, cause, now) })
}

// wakePolls wakes GetActivityTask calls waiting on an activity ("" wakes
// them all).
func (e *executor) wakePolls(activityARN string) {
	e.pollMu.Lock()
	defer e.pollMu.Unlock()
	for arn, ch := range e.polls {
		if activityARN == "" || arn == activityARN {
			close(ch)
			delete(e.polls, arn)
		}
	}
}

// pollChan returns a channel closed when a task is queued for the activity.
func (e *executor) pollChan(activityARN string) <-chan struct{} {
	e.pollMu.Lock()
	defer e.pollMu.Unlock()
	ch, ok := e.polls[activityARN]
	if !ok {
		ch = make(chan struct{})
		e.polls[activityARN] = ch
	}
	return ch
}

// dispatcherFor returns how an execution's tasks run: the real
// integrations, or, for a test case of the mock config, its mocked
// responses with the real integrations for the states it does not mock.
func (s *Service) dispatcherFor(states map[string]string) tasks.Dispatcher {
	router := &tasks.Router{
		Services: map[string]tasks.Dispatcher{"states": &nestedDispatcher{s: s}, "*": unsupported{}},
	}
	if s.opts.Functions != nil {
		router.Lambda = &tasks.LambdaDispatcher{Invoker: s.opts.Functions}
	} else {
		router.Lambda = unsupported{}
	}
	if states == nil {
		return router
	}
	return &tasks.Mocked{Config: s.opts.MockConfig, States: states, Next: router}
}

// mockLabel prefixes the engine label of an execution started with a mock
// test case ("<state machine ARN>#<test case>"); the test case's name
// follows.
const mockLabel = "mock-test-case:"

// mockedDispatcher returns the dispatcher of a resumed execution that runs
// with a mock test case. If the mock config no longer has it, its tasks
// fail rather than call the real integrations.
func (s *Service) mockedDispatcher(rec *store.Execution, testCase string) tasks.Dispatcher {
	smName := rec.StateMachineARN
	if p, ok := parseARN(rec.StateMachineARN); ok && len(p.parts) > 0 {
		smName = p.parts[0]
	}
	var err error
	if s.opts.MockConfig != nil {
		var states map[string]string
		if states, err = s.opts.MockConfig.TestCase(smName, testCase); err == nil {
			return s.dispatcherFor(states)
		}
	} else {
		err = errors.New("no mock config is loaded")
	}
	cause := fmt.Sprintf("the execution runs with the mock test case '%s', which is not available after the restart: %v", testCase, err)
	return tasks.DispatchFunc(func(_ context.Context, _ *engine.TaskRequest, rep tasks.Reporter) {
		rep.Failed(asl.ErrRuntime, cause)
	})
}

// unsupported fails tasks for integrations stepd does not provide.
type unsupported struct{}

func (unsupported) Dispatch(_ context.Context, req *engine.TaskRequest, rep tasks.Reporter) {
	res := req.Resource
	name := res.Service
	if name == "" {
		name = "lambda"
	}
	rep.Failed("States.TaskFailed", fmt.Sprintf("stepd does not provide the %s integration (%s); mock it with a mock config test case, or call it through a Lambda function", name, strings.TrimPrefix(res.ARN, "arn:aws:states:::")))
}
