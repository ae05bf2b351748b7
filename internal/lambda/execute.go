package lambda

import (
	"encoding/base64"
	"fmt"
	"math"
	"strings"
	"time"
)

// tailBytes is how much of the log an invoke with LogType Tail returns.
const tailBytes = 4096

// run executes inv on one of the pool's environments. The caller holds a
// concurrency slot, which run releases. It always finishes inv, in this
// order: the invocation's END and REPORT lines and record are written, the
// environment goes back to the pool (so the next invoke finds it warm and
// its START follows this REPORT), the slot is released, and the caller is
// woken.
func (p *pool) run(inv *invocation) {
	// A published version, or $LATEST as current when the invoke starts
	// (not when it queued).
	def := inv.def
	if def == nil {
		def = p.fn.def.Load()
	}
	inv.timeout = time.Duration(def.rec.Config.Timeout) * time.Second
	e := p.takeIdle(def)
	if e == nil {
		var res invokeResult
		var ok bool
		e, res, ok = p.coldStart(inv, def)
		if !ok {
			p.report(inv, def, e, res, "error")
			p.release()
			close(inv.finished)
			return
		}
	}
	res, status := e.invoke(inv)
	p.report(inv, def, e, res, status)
	p.putBack(e, status == "")
	p.release()
	close(inv.finished)
}

// coldStart starts an environment and waits for its runtime to be ready.
// On failure it returns the error document the invoke reports.
func (p *pool) coldStart(inv *invocation, def *definition) (*env, invokeResult, bool) {
	s := p.svc
	e, err := s.startEnv(def)
	if err != nil {
		s.log.Warn("start function environment", "function", def.name(), "err", err)
		e := &env{def: def}
		errType := "Runtime.InvalidEntrypoint"
		return e, invokeResult{failed: true, errType: errType, payload: platformError(inv.id, errType, err.Error())}, false
	}
	if !p.track(e) {
		e.close()
		return e, invokeResult{failed: true, errType: "ServiceException",
			payload: platformError(inv.id, "Runtime.ExitError", "the function was deleted")}, false
	}
	e.setLogInvocation(inv)
	timer := time.NewTimer(s.opts.InitTimeout)
	defer timer.Stop()
	var res invokeResult
	select {
	case <-e.ready:
		return e, invokeResult{}, true
	case <-e.initFail:
		res = e.initErr
	case <-e.exited:
		select {
		case <-e.initFail:
			res = e.initErr
		default:
			<-e.logDone
			errType := "Runtime.ExitError"
			if e.outOfMemory() {
				errType = "Runtime.OutOfMemory"
			}
			res = invokeResult{failed: true, errType: errType, payload: platformError(inv.id, errType, e.exitDescription())}
		}
	case <-timer.C:
		e.kill()
		res = invokeResult{failed: true, errType: "Sandbox.Timedout",
			payload: platformError(inv.id, "Sandbox.Timedout", timeoutMessage(s.opts.InitTimeout))}
	}
	p.putBack(e, false) // discards it, once its output is drained
	e.platformLog(fmt.Sprintf("INIT_REPORT Init Duration: %s\tPhase: init\tStatus: error\tError Type: %s\n",
		formatMillis(time.Since(e.started)), res.errType))
	e.platformLog("START RequestId: " + inv.id + " Version: " + def.version() + "\n")
	inv.dispatched = e.started
	return e, res, false
}

// exitGrace is how long a runtime that said it exits is given to do so
// before it is killed.
const exitGrace = time.Second

// invoke runs inv on a ready environment. status is "" when the
// environment may be reused, else why it may not ("timeout", "error").
func (e *env) invoke(inv *invocation) (invokeResult, string) {
	e.setLogInvocation(inv)
	e.platformLog("START RequestId: " + inv.id + " Version: " + e.def.version() + "\n")
	inv.dispatched = time.Now()
	inv.deadline = inv.dispatched.Add(inv.timeout)
	e.invokeCh <- inv
	timer := time.NewTimer(inv.timeout)
	defer timer.Stop()
	select {
	case <-inv.posted:
		e.syncLogs()
		if inv.result.exiting {
			// The runtime exits next (an uncaught exception or unhandled
			// rejection): let it, and send nothing more to it.
			select {
			case <-e.exited:
			case <-time.After(exitGrace):
			}
			return inv.result, "exiting"
		}
		return inv.result, ""
	case <-timer.C:
		e.kill()
		inv.post(invokeResult{failed: true, errType: "Sandbox.Timedout",
			payload: platformError(inv.id, "Sandbox.Timedout", timeoutMessage(inv.timeout))})
		<-e.logDone
		e.platformLog(time.Now().UTC().Format("2006-01-02T15:04:05.000Z") + " " + inv.id + " " + timeoutMessage(inv.timeout) + "\n")
		return inv.result, "timeout"
	case <-e.exited:
		<-e.logDone
		errType := "Runtime.ExitError"
		if e.outOfMemory() {
			errType = "Runtime.OutOfMemory"
		}
		if inv.post(invokeResult{failed: true, errType: errType, payload: platformError(inv.id, errType, e.exitDescription())}) {
			e.platformLog("RequestId: " + inv.id + " Error: " + e.exitDescription() + "\n" + errType + "\n")
		}
		return inv.result, "error"
	}
}

// report writes END and REPORT, records the invocation and prepares the
// caller's output.
func (p *pool) report(inv *invocation, def *definition, e *env, res invokeResult, status string) {
	end := time.Now()
	if !inv.postedAt.IsZero() {
		end = inv.postedAt
	}
	start := inv.dispatched
	if start.IsZero() {
		start = end
	}
	dur := end.Sub(start)
	cfg := def.rec.Config
	var report strings.Builder
	report.WriteString("REPORT RequestId: ")
	report.WriteString(inv.id)
	fmt.Fprintf(&report, "\tDuration: %s\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		formatMillis(dur), billedMillis(dur), cfg.MemorySize, e.maxMemoryIfStarted())
	var initDur time.Duration
	if e.cmd != nil && !e.initReported && e.initDuration > 0 {
		e.initReported = true
		initDur = e.initDuration
		fmt.Fprintf(&report, "Init Duration: %s\t", formatMillis(initDur))
	}
	switch {
	case status == "timeout":
		report.WriteString("Status: timeout\n")
	case status != "" || (res.failed && strings.HasPrefix(res.errType, "Runtime.")):
		fmt.Fprintf(&report, "Status: error\tError Type: %s\n", res.errType)
	default:
		report.WriteString("\n")
	}
	if e.stream != nil {
		e.platformLog("END RequestId: " + inv.id + "\n")
		e.platformLog(report.String())
		e.setLogInvocation(nil)
	} else {
		inv.appendLog("START RequestId: " + inv.id + " Version: " + def.version() + "\n")
		inv.appendLog(string(res.payload) + "\n")
		inv.appendLog("END RequestId: " + inv.id + "\n")
		inv.appendLog(report.String())
	}

	out := &InvokeOutput{StatusCode: 200, Payload: res.payload, ExecutedVersion: def.version(), RequestID: inv.id}
	if res.failed {
		out.FunctionError = FunctionErrorUnhandled
	}
	logText := inv.logText()
	if inv.tail {
		t := logText
		if len(t) > tailBytes {
			t = t[len(t)-tailBytes:]
		}
		out.LogResult = base64.StdEncoding.EncodeToString([]byte(t))
	}
	rec := Invocation{
		RequestID:    inv.id,
		FunctionName: cfg.FunctionName,
		Version:      def.version(),
		Start:        start,
		Duration:     dur,
		InitDuration: initDur,
		Status:       InvocationSucceeded,
		ErrorType:    res.errType,
		Log:          logText,
	}
	if e.stream != nil {
		rec.LogStream = e.stream.Name()
	}
	switch {
	case status == "timeout":
		rec.Status = InvocationTimedOut
	case res.failed:
		rec.Status = InvocationFailed
	}
	p.fn.record(rec)
	inv.out = out
}

func (e *env) maxMemoryIfStarted() int64 {
	if e.cmd == nil {
		return 0
	}
	return e.maxMemoryMB()
}

// formatMillis prints a duration as Lambda's REPORT line does: "12.34 ms".
func formatMillis(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
}

// billedMillis rounds a duration up to whole milliseconds, at least 1.
func billedMillis(d time.Duration) int64 {
	ms := int64(math.Ceil(float64(d.Microseconds()) / 1000))
	if ms < 1 {
		ms = 1
	}
	return ms
}
