package engine

import (
	"encoding/base64"
	"math"
	"strings"
	"time"

	"stepd/internal/asl"
	"stepd/internal/dataflow"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

// pendingTask is a dispatched task a frame waits for.
type pendingTask struct {
	id             string
	req            *TaskRequest
	timeoutTimer   string
	heartbeatTimer string
	started        bool
}

func (x *Execution) runTask(f *frame) { x.dispatch(f) }

// dispatch schedules f's task (again, for a retry) with its effective
// input.
func (x *Execution) dispatch(f *frame) {
	s := f.state
	res := s.Res
	id := x.newID("task-")
	f.token = ""
	if res.Kind == asl.ResourceActivity || res.Pattern == asl.WaitForTaskToken {
		f.token = x.taskToken(id)
	}
	env := x.env(f)
	// Parameters/Arguments are evaluated for every attempt: $$.State.RetryCount
	// and $$.Task.Token change between attempts.
	eff, err := dataflow.Effective(s, f.raw, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	f.effective = eff
	input := f.raw
	if s.QueryLanguage == asl.JSONPath {
		if v, err := dataflow.InputPath(s, f.raw, env); err == nil {
			input = v
		}
	}
	timeout, err := dataflow.Seconds(s.Timeout, input, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	heartbeat, err := dataflow.Seconds(s.Heartbeat, input, env)
	if err != nil {
		x.raise(f, err)
		return
	}
	var creds any
	if s.Credentials != nil {
		if s.QueryLanguage == asl.JSONata {
			creds, err = dataflow.JSONata(s.Credentials, env)
		} else {
			creds, err = dataflow.Payload(s.Credentials, input, env)
		}
		if err != nil {
			x.raise(f, err)
			return
		}
	}
	text := encode(f.effective)
	req := &TaskRequest{
		ID: id, StateName: s.Name, Resource: s.Res, Input: f.effective, InputText: text,
		TimeoutSeconds: timeout, HeartbeatSeconds: heartbeat, Attempt: f.retryCount,
		Credentials: creds, ExecutionARN: x.cfg.ExecutionARN, TaskToken: f.token,
	}
	pt := &pendingTask{id: id, req: req}
	f.task = pt
	x.tasks[id] = f
	var timeoutP, heartbeatP *int64
	if timeout > 0 {
		timeoutP = history.Int(timeout)
	}
	if heartbeat > 0 {
		heartbeatP = history.Int(heartbeat)
	}
	switch res.Kind {
	case asl.ResourceLambda:
		x.emit(f, history.LambdaFunctionScheduled, &history.Details{
			Resource: s.Resource, Input: history.Str(text), InputDetails: history.NotTruncated, TimeoutInSeconds: timeoutP,
		})
		x.emit(f, history.LambdaFunctionStarted, nil)
		x.taskClockStart(f, pt)
	case asl.ResourceActivity:
		x.emit(f, history.ActivityScheduled, &history.Details{
			Resource: s.Resource, Input: history.Str(text), InputDetails: history.NotTruncated,
			TimeoutInSeconds: timeoutP, HeartbeatInSeconds: heartbeatP,
		})
	default:
		x.emit(f, history.TaskScheduled, &history.Details{
			ResourceType: res.Service, Resource: res.EventResource(), Region: x.cfg.Region,
			Parameters: history.Str(text), TimeoutInSeconds: timeoutP, HeartbeatInSeconds: heartbeatP,
		})
		x.emit(f, history.TaskStarted, &history.Details{ResourceType: res.Service, Resource: res.EventResource()})
		x.taskClockStart(f, pt)
	}
	x.out.Commands = append(x.out.Commands, Command{Kind: RunTask, ID: id, Task: req})
	f.phase = phaseWait
}

// taskClockStart arms the task's timeout and heartbeat timers.
func (x *Execution) taskClockStart(f *frame, pt *pendingTask) {
	pt.started = true
	if t := pt.req.TimeoutSeconds; t > 0 {
		pt.timeoutTimer = x.setTimer(&timerRef{frame: f, kind: timerTaskTimeout, at: x.now.Add(time.Duration(t) * time.Second)})
	}
	if h := pt.req.HeartbeatSeconds; h > 0 {
		pt.heartbeatTimer = x.setTimer(&timerRef{frame: f, kind: timerHeartbeat, at: x.now.Add(time.Duration(h) * time.Second)})
	}
}

// taskToken makes the opaque token of a callback task: it names the
// execution and the task, so the service can route SendTask* calls.
func (x *Execution) taskToken(id string) string {
	var nonce [12]byte
	for i := range nonce {
		nonce[i] = byte(x.rng.Uint32())
	}
	raw := x.cfg.ExecutionARN + "\x00" + id + "\x00" + base64.RawURLEncoding.EncodeToString(nonce[:])
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// ParseTaskToken returns the execution ARN and task id a token names.
func ParseTaskToken(token string) (executionARN, taskID string, ok bool) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", "", false
	}
	parts := strings.SplitN(string(raw), "\x00", 3)
	if len(parts) != 3 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// stopTask forgets f's pending task, cancelling it and its timers.
func (x *Execution) stopTask(f *frame, cancel bool) {
	pt := f.task
	if pt == nil {
		return
	}
	delete(x.tasks, pt.id)
	x.cancelTimer(pt.timeoutTimer)
	x.cancelTimer(pt.heartbeatTimer)
	if cancel {
		x.out.Commands = append(x.out.Commands, Command{Kind: CancelTask, ID: pt.id})
	}
	f.task = nil
}

func (x *Execution) taskFrame(id string) *frame {
	if x.status != Running {
		return nil
	}
	return x.tasks[id]
}

// TaskStarted reports that a worker took an activity task (ActivityStarted).
// For other tasks it is a no-op.
func (x *Execution) TaskStarted(id, workerName string, now time.Time) *Batch {
	b := x.begin(now)
	f := x.taskFrame(id)
	if f == nil || f.task.started {
		return b
	}
	if f.state.Res.Kind == asl.ResourceActivity {
		x.emit(f, history.ActivityStarted, &history.Details{WorkerName: workerName})
	}
	x.taskClockStart(f, f.task)
	return b
}

// TaskSubmitted reports the service's response to a .sync or
// .waitForTaskToken task's initial request (TaskSubmitted).
func (x *Execution) TaskSubmitted(id string, output any, now time.Time) *Batch {
	b := x.begin(now)
	f := x.taskFrame(id)
	if f == nil {
		return b
	}
	res := f.state.Res
	x.emit(f, history.TaskSubmitted, &history.Details{ResourceType: res.Service, Resource: res.EventResource(),
		Output: history.Str(encode(output)), OutputDetails: history.NotTruncated})
	return b
}

// TaskHeartbeat resets a task's heartbeat clock (SendTaskHeartbeat). It
// records no event.
func (x *Execution) TaskHeartbeat(id string, now time.Time) *Batch {
	b := x.begin(now)
	f := x.taskFrame(id)
	if f == nil || f.task.heartbeatTimer == "" {
		return b
	}
	pt := f.task
	x.cancelTimer(pt.heartbeatTimer)
	pt.heartbeatTimer = x.setTimer(&timerRef{frame: f, kind: timerHeartbeat, at: x.now.Add(time.Duration(pt.req.HeartbeatSeconds) * time.Second)})
	return b
}

// TaskSucceeded reports a task's result.
func (x *Execution) TaskSucceeded(id string, output any, now time.Time) *Batch {
	b := x.begin(now)
	f := x.taskFrame(id)
	if f == nil {
		return b
	}
	x.stopTask(f, false)
	s := f.state
	res := s.Res
	text := encode(output)
	if len(text) > MaxPayloadBytes {
		who := s.Resource // a function ARN
		if res.Kind == asl.ResourceService {
			who = res.Service
		} else if res.Kind != asl.ResourceLambda {
			who = s.Name
		}
		x.taskFailedEvent(f, asl.ErrDataLimitExceeded, "The state/task '"+who+"' returned a result with a size exceeding the maximum number of bytes service limit.")
		x.advance(f)
		return b
	}
	switch res.Kind {
	case asl.ResourceLambda:
		x.emit(f, history.LambdaFunctionSucceeded, &history.Details{Output: history.Str(text), OutputDetails: history.NotTruncated})
	case asl.ResourceActivity:
		x.emit(f, history.ActivitySucceeded, &history.Details{Output: history.Str(text), OutputDetails: history.NotTruncated})
	default:
		x.emit(f, history.TaskSucceeded, &history.Details{ResourceType: res.Service, Resource: res.EventResource(),
			Output: history.Str(text), OutputDetails: history.NotTruncated})
	}
	x.stateResult(f, output)
	x.advance(f)
	return b
}

// TaskFailed reports a task's failure with its error name and cause.
func (x *Execution) TaskFailed(id, errName, cause string, now time.Time) *Batch {
	b := x.begin(now)
	f := x.taskFrame(id)
	if f == nil {
		return b
	}
	x.stopTask(f, false)
	x.taskFailedEvent(f, errName, cause)
	x.advance(f)
	return b
}

func (x *Execution) taskFailedEvent(f *frame, errName, cause string) {
	res := f.state.Res
	d := &history.Details{Error: history.Str(errName), Cause: history.Str(cause)}
	switch res.Kind {
	case asl.ResourceLambda:
		x.emit(f, history.LambdaFunctionFailed, d)
	case asl.ResourceActivity:
		x.emit(f, history.ActivityFailed, d)
	default:
		d.ResourceType, d.Resource = res.Service, res.EventResource()
		x.emit(f, history.TaskFailed, d)
	}
	f.heartbeat = false
	x.handleError(f, &failure{err: history.Str(errName), cause: history.Str(cause), runtime: errName == asl.ErrRuntime})
}

// taskTimedOut handles a task's TimeoutSeconds or HeartbeatSeconds expiring.
func (x *Execution) taskTimedOut(f *frame, heartbeat bool) {
	if f.task == nil {
		return
	}
	if heartbeat {
		f.task.heartbeatTimer = ""
	} else {
		f.task.timeoutTimer = ""
	}
	x.stopTask(f, true)
	res := f.state.Res
	d := &history.Details{Error: history.Str(asl.ErrTimeout)}
	switch res.Kind {
	case asl.ResourceLambda:
		x.emit(f, history.LambdaFunctionTimedOut, d)
	case asl.ResourceActivity:
		x.emit(f, history.ActivityTimedOut, d)
	default:
		d.ResourceType, d.Resource = res.Service, res.EventResource()
		x.emit(f, history.TaskTimedOut, d)
	}
	f.heartbeat = heartbeat
	// No cause: ExecutionFailed then has none (observed), while a catcher
	// still sees "Cause": "".
	x.handleError(f, &failure{err: history.Str(asl.ErrTimeout)})
	x.advance(f)
}

// stateResult finishes a Task, Parallel or Map state with its result:
// ResultSelector, ResultPath and OutputPath (JSONPath) or Output (JSONata),
// and Assign.
func (x *Execution) stateResult(f *frame, result any) {
	x.stateResultPrev(f, result, 0)
}

func (x *Execution) stateResultPrev(f *frame, result any, prev int64) {
	s := f.state
	env := x.env(f)
	var (
		out      any
		assigned *jsonv.Object
		err      error
	)
	if s.QueryLanguage == asl.JSONata {
		env.Result, env.HasResult = result, true
		out, assigned, err = jsonataExit(s, s.Output, s.Assign, result, env)
	} else {
		sel := result
		if s.ResultSelector != nil {
			sel, err = dataflow.Payload(s.ResultSelector, result, env)
		}
		if err == nil {
			assigned, err = dataflow.Assign(s, s.Assign, sel, env)
		}
		if err == nil {
			out, err = dataflow.ResultPath(s.ResultPath, s.ResultPathNull, f.raw, sel)
		}
		if err == nil {
			out, err = dataflow.OutputPath(s, out, env)
		}
	}
	if err != nil {
		if prev != 0 {
			f.last = prev
		}
		x.raise(f, err)
		return
	}
	x.exitStateTo(f, out, assigned, s.NextState, s.End, prev)
}

// handleError applies f's state's retriers, then its catchers, to a
// failure; with neither matching, f fails with it (ASL spec, "Error
// handling"; aws-semantics.md §3.2-3.3).
func (x *Execution) handleError(f *frame, fl *failure) {
	if fl.runtime {
		x.failExecutionRuntime(f, fl)
		return
	}
	s := f.state
	name := fl.name()
	for i, r := range s.Retry {
		if !errorMatches(r.ErrorEquals, name, f.heartbeat) {
			continue
		}
		if f.retries[i] < r.MaxAttempts {
			f.failedEvent, f.ended = "", nil
			f.retries[i]++
			f.retryCount++
			delay := retryDelay(r, f.retries[i], x.rng.Float64)
			f.timer = x.setTimer(&timerRef{frame: f, kind: timerRetry, at: x.now.Add(delay)})
			f.phase = phaseWait
			return
		}
		break // the first matching retrier decides; later ones are not tried
	}
	if f.failedEvent != "" {
		x.emit(f, f.failedEvent, nil)
		f.failedEvent = ""
	}
	for _, c := range s.Catch {
		if errorMatches(c.ErrorEquals, name, f.heartbeat) {
			x.caught(f, c, fl)
			return
		}
	}
	f.failure = fl
	f.phase = phaseDone
}

// errorMatches reports whether an ErrorEquals list matches an error name.
// States.ALL matches everything but States.Runtime; States.TaskFailed
// matches everything but States.Timeout; States.HeartbeatTimeout matches a
// heartbeat timeout, which AWS reports as States.Timeout.
func errorMatches(list []string, name string, heartbeat bool) bool {
	for _, e := range list {
		switch {
		case e == name:
			return true
		case e == asl.ErrAll:
			return name != asl.ErrRuntime
		case e == asl.ErrTaskFailed:
			if name != asl.ErrTimeout && name != asl.ErrRuntime {
				return true
			}
		case e == asl.ErrHeartbeatTimeout:
			if heartbeat && name == asl.ErrTimeout {
				return true
			}
		}
	}
	return false
}

// retryDelay is the wait before retry n (1-based): IntervalSeconds ×
// BackoffRate^(n-1), capped by MaxDelaySeconds, uniformly randomised over
// [0, delay] with FULL jitter.
func retryDelay(r *asl.Retrier, n int64, random func() float64) time.Duration {
	d := float64(r.IntervalSeconds) * math.Pow(r.BackoffRate, float64(n-1))
	if r.MaxDelaySeconds > 0 && d > float64(r.MaxDelaySeconds) {
		d = float64(r.MaxDelaySeconds)
	}
	if r.JitterFull {
		d *= random()
	}
	if d > float64(maxWaitSeconds) {
		d = float64(maxWaitSeconds)
	}
	return time.Duration(d * float64(time.Second))
}

// caught moves f to a catcher's Next with the error output.
func (x *Execution) caught(f *frame, c *asl.Catcher, fl *failure) {
	s := f.state
	errOut := jsonv.NewObject(2)
	errOut.Set("Error", fl.name())
	errOut.Set("Cause", fl.causeText())
	env := x.env(f)
	var (
		out      any
		assigned *jsonv.Object
		err      error
	)
	if s.QueryLanguage == asl.JSONata {
		env.ErrorOutput, env.HasErrorOutput = errOut, true
		out, assigned, err = jsonataExit(s, c.Output, c.Assign, errOut, env)
	} else {
		assigned, err = dataflow.Assign(s, c.Assign, errOut, env)
		if err == nil {
			out, err = dataflow.ResultPath(c.ResultPath, c.ResultNull, f.raw, errOut)
		}
	}
	if err != nil {
		fl := x.dataFailure(f, err)
		if fl.runtime {
			x.failExecutionRuntime(f, fl)
			return
		}
		f.failure = fl
		f.phase = phaseDone
		return
	}
	x.exitStateTo(f, out, assigned, c.NextState, false, 0)
}

// retryNow runs f's state again after a retry delay.
func (x *Execution) retryNow(f *frame) {
	switch f.state.Type {
	case asl.TypeTask:
		x.dispatch(f)
	case asl.TypeParallel, asl.TypeMap:
		x.startGroup(f)
	}
	x.advance(f)
}
