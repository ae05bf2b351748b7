package jsonata

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/dop251/goja"
)

var (
	//go:embed vendor/jsonata.min.js
	jsonataSource string

	//go:embed runtime.js
	glueSource string

	// The scripts are compiled once per process; every VM runs the same
	// *goja.Program, which is immutable and safe to share.
	compileScripts = sync.OnceValues(func() ([2]*goja.Program, error) {
		lib, err := goja.Compile("jsonata.min.js", jsonataSource, false)
		if err != nil {
			return [2]*goja.Program{}, fmt.Errorf("jsonata: compiling jsonata.min.js: %w", err)
		}
		glue, err := goja.Compile("runtime.js", glueSource, true)
		if err != nil {
			return [2]*goja.Program{}, fmt.Errorf("jsonata: compiling runtime.js: %w", err)
		}
		return [2]*goja.Program{lib, glue}, nil
	})
)

// outcomeKind says how a request to a VM ended.
type outcomeKind int

const (
	outcomeNone      outcomeKind = iota // no callback was called: a bug
	outcomeCompiled                     // Compile succeeded
	outcomeValue                        // Eval produced JSON text
	outcomeUndefined                    // Eval produced undefined
	outcomeFailed                       // err says why
)

type outcome struct {
	kind outcomeKind
	text string
	err  error
	// broken means the VM must not be reused.
	broken bool
}

// request is one job for a VM's worker goroutine.
type request struct {
	compileOnly bool
	source      string
	// input is JSON text; hasInput=false means undefined.
	input    string
	hasInput bool
	// bindings alternates variable names and the JSON texts of their
	// values; nil means no bindings.
	bindings []string
	guard    guard
}

// guard selects the official test-suite runner's depth/time guard (see
// timebox in runtime.js); the zero value means none.
type guard struct {
	timeoutMillis int
	depth         int
}

// vm is one goja runtime with jsonata.js loaded, served by its own worker
// goroutine so that a caller can give up on an evaluation stuck in native
// code (see GojaEngine.run). A goja.Runtime is not safe for concurrent use:
// only the worker touches rt, apart from rt.Interrupt.
type vm struct {
	rt        *goja.Runtime
	evalFn    goja.Callable
	compileFn goja.Callable
	reqs      chan request
	done      chan outcome // buffered: an abandoned worker never blocks
	timer     *time.Timer  // reused by the caller for each request's limit
	out       outcome      // set by the native callbacks during a call
}

// newVM builds a runtime, loads jsonata.js and the glue, and starts the
// worker goroutine.
func newVM(cfg *config) (*vm, error) {
	progs, err := compileScripts()
	if err != nil {
		return nil, err
	}
	rt := goja.New()
	rt.SetMaxCallStackSize(cfg.callStack)
	rt.SetTimeSource(cfg.clock)
	src := cfg.rand
	rt.SetRandSource(func() float64 { return unitFloat(src.Uint64()) })
	v := &vm{rt: rt}
	if err := v.installNatives(cfg); err != nil {
		return nil, fmt.Errorf("jsonata: installing natives: %w", err)
	}
	for i, p := range progs {
		if _, err := rt.RunProgram(p); err != nil {
			return nil, fmt.Errorf("jsonata: loading %s: %w", [...]string{"jsonata.min.js", "runtime.js"}[i], err)
		}
	}
	var ok1, ok2 bool
	v.evalFn, ok1 = goja.AssertFunction(rt.Get("__stepdEval"))
	v.compileFn, ok2 = goja.AssertFunction(rt.Get("__stepdCompile"))
	if !ok1 || !ok2 {
		return nil, errors.New("jsonata: runtime.js did not define its entry points")
	}
	v.timer = time.NewTimer(math.MaxInt64)
	v.timer.Stop()
	v.reqs = make(chan request)
	v.done = make(chan outcome, 1)
	go v.serve()
	return v, nil
}

// serve is the worker loop; it ends when stop closes reqs.
func (v *vm) serve() {
	for req := range v.reqs {
		v.done <- v.call(req)
	}
}

// stop ends the worker goroutine once it is idle.
func (v *vm) stop() { close(v.reqs) }

// errStackOverflow reports goja's call stack limit being hit, e.g. while
// parsing absurdly nested parentheses.
func errStackOverflow() *Error {
	return &Error{Message: "Stack overflow: the expression nests too deeply", Position: -1}
}

// call runs one request on the worker goroutine. Panics from goja are
// recovered into errors, and the VM is then marked broken.
func (v *vm) call(req request) (out outcome) {
	v.out = outcome{}
	defer func() {
		if r := recover(); r != nil {
			out = outcome{kind: outcomeFailed, err: fmt.Errorf("jsonata: internal error: %v", r), broken: true}
		}
	}()
	var err error
	if req.compileOnly {
		_, err = v.compileFn(goja.Undefined(), v.rt.ToValue(req.source))
	} else {
		input, bindings := goja.Undefined(), goja.Undefined()
		if req.hasInput {
			input = v.rt.ToValue(req.input)
		}
		if req.bindings != nil {
			list := make([]any, len(req.bindings))
			for i, s := range req.bindings {
				list[i] = s
			}
			bindings = v.rt.NewArray(list...)
		}
		_, err = v.evalFn(goja.Undefined(), v.rt.ToValue(req.source), input, bindings,
			v.rt.ToValue(req.guard.timeoutMillis), v.rt.ToValue(req.guard.depth))
	}
	if err != nil {
		var so *goja.StackOverflowError
		if errors.As(err, &so) {
			// Uncatchable in JavaScript, so the glue could not report it.
			return outcome{kind: outcomeFailed, err: errStackOverflow(), broken: true}
		}
		// An interrupt, or an exception escaping the glue (a bug).
		return outcome{kind: outcomeFailed, err: fmt.Errorf("jsonata: %w", err), broken: true}
	}
	if v.out.kind == outcomeNone {
		return outcome{kind: outcomeFailed, err: errors.New("jsonata: internal error: evaluation did not settle"), broken: true}
	}
	return v.out
}
