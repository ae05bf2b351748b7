package lambda

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"stepd/internal/lambda/logstore"
)

// maxInvocationLog is how much of one invocation's log is kept with its
// record (the tail end).
const maxInvocationLog = 64 << 10

// invocation is one invoke travelling through an environment.
type invocation struct {
	id        string
	payload   []byte
	clientCtx string // decoded client context JSON, "" when none
	arn       string
	// def is the version to run (a published one); nil runs $LATEST as
	// current when the invoke starts.
	def     *definition
	tail    bool
	timeout time.Duration

	deadline   time.Time
	dispatched time.Time

	// posted is closed by the Runtime API once the runtime has answered;
	// result holds the answer.
	posted   chan struct{}
	postOnce sync.Once
	result   invokeResult
	postedAt time.Time

	// finished is closed when the invocation is complete (logs written, the
	// environment back in its pool); out is then set.
	finished chan struct{}
	out      *InvokeOutput

	logMu sync.Mutex
	log   bytes.Buffer // START..REPORT, capped at maxInvocationLog
}

// invokeResult is what the runtime (or the platform) answered.
type invokeResult struct {
	payload []byte
	errType string // "" on success
	failed  bool
	exiting bool // the runtime exits after this result
}

func (inv *invocation) post(r invokeResult) bool {
	ok := false
	inv.postOnce.Do(func() {
		inv.result = r
		inv.postedAt = time.Now()
		close(inv.posted)
		ok = true
	})
	return ok
}

func (inv *invocation) appendLog(line string) {
	inv.logMu.Lock()
	if inv.log.Len()+len(line) > maxInvocationLog {
		keep := inv.log.Bytes()[inv.log.Len()/2:]
		rest := append([]byte(nil), keep...)
		inv.log.Reset()
		inv.log.Write(rest)
	}
	inv.log.WriteString(line)
	inv.logMu.Unlock()
}

func (inv *invocation) logText() string {
	inv.logMu.Lock()
	defer inv.logMu.Unlock()
	return inv.log.String()
}

// env is an execution environment: one runtime process plus the Runtime
// API server it talks to.
type env struct {
	svc    *Service
	def    *definition
	stream *logstore.Stream
	// code is the fingerprint of a local code directory when the
	// environment started (zero for unpacked zips, which do not change).
	code codeStamp

	cmd  *exec.Cmd
	srv  *http.Server
	addr string
	mem  *memHandle
	logW *os.File // the platform's end of the output pipe, for sync markers

	invokeCh  chan *invocation
	current   atomic.Pointer[invocation]
	ready     chan struct{}
	readyOnce sync.Once
	initFail  chan struct{}
	initErr   invokeResult
	initOnce  sync.Once

	exited    chan struct{}
	exitState *os.ProcessState
	logDone   chan struct{}
	syncCh    chan struct{}
	closing   chan struct{}
	closeOnce sync.Once
	killed    atomic.Bool // the platform killed it
	heapOOM   atomic.Bool // the runtime reported running out of heap

	logMu  sync.Mutex
	logInv *invocation

	started      time.Time
	initDuration time.Duration
	initReported bool
	lastUsed     time.Time // guarded by the pool's mutex
}

func newStreamName(now time.Time, version string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("2006/01/02") + "/[" + version + "]" + hex.EncodeToString(b[:])
}

// startEnv launches an environment for def. It returns once the process
// runs; initialisation continues in the process (see env.ready).
func (s *Service) startEnv(def *definition) (*env, error) {
	now := time.Now()
	e := &env{
		svc:      s,
		def:      def,
		invokeCh: make(chan *invocation, 1),
		ready:    make(chan struct{}),
		initFail: make(chan struct{}),
		exited:   make(chan struct{}),
		logDone:  make(chan struct{}),
		syncCh:   make(chan struct{}, 1),
		closing:  make(chan struct{}),
		started:  now,
	}
	if def.rec.LocalCode {
		e.code = stampCode(def.rec.CodeDir)
	}
	e.stream = s.logs.CreateStream(logGroupName(def.name()), newStreamName(now, def.version()))
	cfg := def.rec.Config
	e.platformLog(fmt.Sprintf("INIT_START Runtime Version: %s (stepd local)\n", cfg.Runtime))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API listener: %w", err)
	}
	e.addr = ln.Addr().String()
	cmd, rlimitOK, err := s.command(def, e)
	if err != nil {
		ln.Close()
		return nil, err
	}
	e.started = time.Now() // before Serve: the handler reads it
	e.srv = &http.Server{
		Handler:           s.runtimeAPI,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithValue(context.Background(), envKeyCtx{}, e) },
	}
	go func() { _ = e.srv.Serve(ln) }()
	logR, logW, err := os.Pipe()
	if err != nil {
		e.srv.Close()
		return nil, fmt.Errorf("output pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = logW, logW
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	e.mem, err = s.mem.prepare(cmd, cfg.MemorySize, rlimitOK)
	if err != nil {
		e.srv.Close()
		logR.Close()
		logW.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		e.srv.Close()
		logR.Close()
		logW.Close()
		e.mem.release()
		return nil, err
	}
	e.cmd = cmd
	e.logW = logW
	if err := e.mem.started(cmd.Process.Pid); err != nil {
		s.log.Warn("memory limit not applied", "function", def.name(), "err", err)
	}
	go e.readOutput(logR)
	go e.wait()
	return e, nil
}

type envKeyCtx struct{}

// wait reaps the process and closes the platform's end of the output pipe
// so the reader drains and stops.
func (e *env) wait() {
	_ = e.cmd.Wait()
	e.exitState = e.cmd.ProcessState
	close(e.exited)
	e.logW.Close()
}

func (e *env) markReady() {
	e.readyOnce.Do(func() {
		e.initDuration = time.Since(e.started)
		close(e.ready)
	})
}

func (e *env) failInit(r invokeResult) {
	e.initOnce.Do(func() {
		e.initErr = r
		close(e.initFail)
	})
}

// kill ends the process group at once.
func (e *env) kill() {
	e.killed.Store(true)
	if e.cmd != nil && e.cmd.Process != nil {
		_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		_ = e.cmd.Process.Kill()
	}
}

// close discards the environment and waits for its process to be gone.
func (e *env) close() {
	e.closeOnce.Do(func() {
		close(e.closing)
		select {
		case <-e.exited:
			// Kill stragglers it may have left in its process group.
			_ = syscall.Kill(-e.cmd.Process.Pid, syscall.SIGKILL)
		default:
			e.kill()
		}
		<-e.exited
		_ = e.srv.Close()
		<-e.logDone
		e.mem.release()
	})
}

// alive reports whether the process still runs.
func (e *env) alive() bool {
	select {
	case <-e.exited:
		return false
	case <-e.closing:
		return false
	default:
		return true
	}
}

// exitDescription words the process's end as Lambda does:
// "Runtime exited with error: exit status 1", or "Runtime exited without
// providing a reason".
func (e *env) exitDescription() string {
	ps := e.exitState
	if ps == nil || (ps.Exited() && ps.ExitCode() == 0) {
		return "Runtime exited without providing a reason"
	}
	return "Runtime exited with error: " + ps.String()
}

// outOfMemory reports whether the process died of running out of memory:
// the cgroup OOM killer fired, the runtime killed itself on MemoryError (the
// Python bootstrap does, to act like the OOM killer), or V8 ran out of heap.
func (e *env) outOfMemory() bool {
	if e.killed.Load() {
		return false
	}
	if e.mem.oomKilled() || e.heapOOM.Load() {
		return true
	}
	return e.svc.mem.mode != MemoryLimitOff && killedBySignal(e.exitState, syscall.SIGKILL)
}

// maxMemoryMB is the environment's peak memory use.
func (e *env) maxMemoryMB() int64 {
	select {
	case <-e.exited:
		if ps := e.exitState; ps != nil {
			if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
				return (ru.Maxrss + 1023) / 1024
			}
		}
		return 0
	default:
		return e.mem.peakMB(e.cmd.Process.Pid)
	}
}

// readBody reads a request body of at most limit bytes; ok is false if it
// was longer.
func readBody(r *http.Request, limit int64) ([]byte, bool, error) {
	if r.ContentLength > limit {
		return nil, false, nil
	}
	if r.ContentLength >= 0 {
		b := make([]byte, r.ContentLength)
		_, err := io.ReadFull(r.Body, b)
		return b, true, err
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if int64(len(b)) > limit {
		return nil, false, err
	}
	return b, true, err
}
