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
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"stepd/internal/lambda/logstore"
)

// syncMarker is written by the platform into an environment's output pipe
// after an invocation's response arrives. Pipes are FIFO, so when the log
// reader sees it, every line the function wrote before responding has been
// read.
const syncMarker = "\x00stepd:sync\x00\n"

// maxInvocationLog is how much of one invocation's log is kept with its
// record (the tail end).
const maxInvocationLog = 64 << 10

// invocation is one invoke travelling through an environment.
type invocation struct {
	id        string
	payload   []byte
	clientCtx string // decoded client context JSON, "" when none
	arn       string
	tail      bool
	timeout   time.Duration

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

func newStreamName(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("2006/01/02") + "/[" + VersionLatest + "]" + hex.EncodeToString(b[:])
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
	e.stream = s.logs.CreateStream(logGroupName(def.name()), newStreamName(now))
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

// command builds the process for def's runtime.
func (s *Service) command(def *definition, e *env) (*exec.Cmd, bool, error) {
	cfg := def.rec.Config
	var cmd *exec.Cmd
	rlimitOK := true
	switch def.kind {
	case runtimePython:
		py, err := s.interp.pythonPath()
		if err != nil {
			return nil, false, err
		}
		cmd = exec.Command(py, "-u", filepath.Join(s.runtimeDir, "bootstrap.py"))
	case runtimeNode:
		node, err := s.interp.nodePath()
		if err != nil {
			return nil, false, err
		}
		heap := cfg.MemorySize * 9 / 10
		args := []string{filepath.Join(s.runtimeDir, "bootstrap.js")}
		if s.mem.mode != MemoryLimitOff {
			args = append([]string{"--max-old-space-size=" + strconv.Itoa(heap)}, args...)
		}
		cmd = exec.Command(node, args...)
		rlimitOK = false
	case runtimeProvided:
		cmd = exec.Command(filepath.Join(def.rec.CodeDir, "bootstrap"))
	}
	cmd.Dir = def.rec.CodeDir
	cmd.Env = append(s.processEnv(def, e.stream.Name()), "AWS_LAMBDA_RUNTIME_API="+e.addr)
	return cmd, rlimitOK, nil
}

// processEnv is the environment of a function process: Lambda's standard
// variables, then the function's own.
func (s *Service) processEnv(def *definition, stream string) []string {
	cfg := def.rec.Config
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	vars := []string{
		"PATH=" + path,
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"LAMBDA_TASK_ROOT=" + def.rec.CodeDir,
		"LAMBDA_RUNTIME_DIR=" + s.runtimeDir,
		"_HANDLER=" + cfg.Handler,
		"AWS_LAMBDA_FUNCTION_NAME=" + cfg.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION=" + VersionLatest,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(cfg.MemorySize),
		"AWS_LAMBDA_LOG_GROUP_NAME=" + logGroupName(cfg.FunctionName),
		"AWS_LAMBDA_LOG_STREAM_NAME=" + stream,
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_REGION=" + s.opts.Region,
		"AWS_DEFAULT_REGION=" + s.opts.Region,
		"AWS_EXECUTION_ENV=AWS_Lambda_" + cfg.Runtime,
		"AWS_ACCESS_KEY_ID=" + cmpOr(os.Getenv("AWS_ACCESS_KEY_ID"), "test"),
		"AWS_SECRET_ACCESS_KEY=" + cmpOr(os.Getenv("AWS_SECRET_ACCESS_KEY"), "test"),
	}
	if tok := os.Getenv("AWS_SESSION_TOKEN"); tok != "" {
		vars = append(vars, "AWS_SESSION_TOKEN="+tok)
	}
	if s.opts.EndpointURL != "" {
		vars = append(vars,
			"AWS_ENDPOINT_URL_LAMBDA="+s.opts.EndpointURL,
			"AWS_ENDPOINT_URL_SFN="+s.opts.EndpointURL,
			"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS="+s.opts.EndpointURL)
	}
	if def.kind == runtimePython {
		if def.rec.LocalCode {
			// Edits to a local directory must show on the next cold start;
			// bytecode caches validated by mtime (in seconds) could hide them.
			vars = append(vars, "PYTHONDONTWRITEBYTECODE=1")
		} else {
			// Keep bytecode caches out of the function's directory.
			vars = append(vars, "PYTHONPYCACHEPREFIX="+filepath.Join(s.opts.DataDir, "cache", "python"))
		}
	}
	if cfg.Environment != nil {
		for k, v := range cfg.Environment.Variables {
			vars = append(vars, k+"="+v)
		}
	}
	return vars
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// wait reaps the process and closes the platform's end of the output pipe
// so the reader drains and stops.
func (e *env) wait() {
	_ = e.cmd.Wait()
	e.exitState = e.cmd.ProcessState
	close(e.exited)
	e.logW.Close()
}

// readOutput turns the process's output into log events, line by line.
func (e *env) readOutput(r *os.File) {
	defer close(e.logDone)
	defer r.Close()
	buf := make([]byte, 32<<10)
	var partial []byte
	for {
		n, err := r.Read(buf)
		data := buf[:n]
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				partial = append(partial, data...)
				if len(partial) > 256<<10 { // flush very long lines
					e.outputLine(partial)
					partial = partial[:0]
				}
				break
			}
			line := data[:i+1]
			if len(partial) > 0 {
				partial = append(partial, line...)
				line = partial
			}
			e.outputLine(line)
			partial = partial[:0]
			data = data[i+1:]
		}
		if err != nil {
			if len(partial) > 0 {
				e.outputLine(append(partial, '\n'))
			}
			return
		}
	}
}

var heapOOMText = []byte("JavaScript heap out of memory")

func (e *env) outputLine(line []byte) {
	if bytes.HasSuffix(line, []byte(syncMarker)) {
		if rest := line[:len(line)-len(syncMarker)]; len(rest) > 0 {
			e.functionLog(string(rest) + "\n")
		}
		select {
		case e.syncCh <- struct{}{}:
		default:
		}
		return
	}
	if bytes.Contains(line, heapOOMText) {
		e.heapOOM.Store(true)
	}
	e.functionLog(string(line))
}

// functionLog records a line the function wrote.
func (e *env) functionLog(line string) {
	e.stream.Append(time.Now().UnixMilli(), line)
	e.logMu.Lock()
	inv := e.logInv
	e.logMu.Unlock()
	if inv != nil {
		inv.appendLog(line)
	}
}

// platformLog records a line of the platform's own (START, END, REPORT...).
func (e *env) platformLog(line string) {
	e.stream.Append(time.Now().UnixMilli(), line)
	e.logMu.Lock()
	inv := e.logInv
	e.logMu.Unlock()
	if inv != nil {
		inv.appendLog(line)
	}
}

func (e *env) setLogInvocation(inv *invocation) {
	e.logMu.Lock()
	e.logInv = inv
	e.logMu.Unlock()
}

// syncLogs waits until every line written before now has been read, or
// the output has ended.
func (e *env) syncLogs() {
	select {
	case <-e.syncCh: // a stale signal from an earlier, abandoned sync
	default:
	}
	if _, err := e.logW.Write([]byte(syncMarker)); err != nil {
		<-e.logDone
		return
	}
	select {
	case <-e.syncCh:
	case <-e.logDone:
	}
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
