package jsonata

import (
	"context"
	"fmt"
	"time"

	"stepd/internal/jsonv"
)

// JSONataVersion is the version of the embedded jsonata.js.
const JSONataVersion = "2.2.2"

// Engine compiles JSONata expressions. Implementations are safe for
// concurrent use.
type Engine interface {
	// Compile checks the syntax of expr (the text inside {% %}) and returns
	// a reusable handle. Syntax errors are *Error with the JSONata code
	// (e.g. S0202), message and character position.
	Compile(expr string) (Expr, error)
}

// Expr is a compiled expression. It is safe for concurrent use.
type Expr interface {
	// Source returns the expression text.
	Source() string

	// Eval evaluates the expression against input with bindings.
	//
	// input is a jsonv value; nil is JSON null and Undefined means no input.
	// bindings maps variable names (without the $) to jsonv values, e.g.
	// "states" to {input, context, result?, errorOutput?} and one entry per
	// workflow variable; a binding whose value is Undefined is left unbound.
	//
	// ok=false means the result was undefined (no value, as opposed to JSON
	// null). The result follows JSONata's sequence rule: a sequence of one
	// value is that value. Errors: *Error for JSONata errors,
	// ErrUnsupportedResult when the result is a function, ErrTimeout when the
	// time limit was hit, and ctx.Err() when ctx ended first.
	Eval(ctx context.Context, input any, bindings map[string]any) (result any, ok bool, err error)
}

// Undefined is the JSONata value "undefined" for Eval's input and bindings.
// It is not a JSON value: it never appears in results.
var Undefined any = undefinedValue{}

type undefinedValue struct{}

// GojaEngine runs the official jsonata.js on pooled goja VMs. Each VM
// caches compiled expressions by their source text.
type GojaEngine struct {
	cfg  config
	pool *pool
}

var _ Engine = (*GojaEngine)(nil)

// New returns an engine; see the With* options for its settings. VMs are
// created on demand. Close releases them.
func New(opts ...Option) *GojaEngine {
	e := &GojaEngine{cfg: defaultConfig()}
	for _, o := range opts {
		o(&e.cfg)
	}
	e.pool = newPool(&e.cfg)
	return e
}

// Close stops the engine's idle VMs; VMs busy in an evaluation stop when it
// ends. Compile and Eval fail with ErrClosed afterwards.
func (e *GojaEngine) Close() error {
	e.pool.close()
	return nil
}

// Compile implements Engine. The expression is compiled on one VM (and
// cached there); other VMs compile it when they first evaluate it.
func (e *GojaEngine) Compile(expr string) (Expr, error) {
	out, err := e.do(context.Background(), request{compileOnly: true, source: expr})
	if err != nil {
		return nil, err
	}
	if out.kind == outcomeFailed {
		return nil, out.err
	}
	full := &gojaExpr{src: expr, eng: e}
	if variable, steps, ok := parsePath(expr); ok {
		return &pathExpr{src: expr, variable: variable, steps: steps, full: full}, nil
	}
	return full, nil
}

type gojaExpr struct {
	src string
	eng *GojaEngine
}

func (x *gojaExpr) Source() string { return x.src }

func (x *gojaExpr) Eval(ctx context.Context, input any, bindings map[string]any) (any, bool, error) {
	return x.eng.eval(ctx, x.src, input, bindings, guard{})
}

// eval encodes input and bindings, runs the request and decodes the result.
func (e *GojaEngine) eval(ctx context.Context, src string, input any, bindings map[string]any, g guard) (any, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	req := request{source: src, guard: g}
	if input != Undefined {
		req.input, req.hasInput = string(jsonv.Append(nil, input)), true
	}
	if bindings != nil {
		req.bindings = encodeBindings(bindings)
	}
	out, err := e.do(ctx, req)
	if err != nil {
		return nil, false, err
	}
	switch out.kind {
	case outcomeValue:
		v, err := jsonv.ParseString(out.text)
		if err != nil {
			return nil, false, fmt.Errorf("jsonata: decoding the result: %w", err)
		}
		return v, true, nil
	case outcomeUndefined:
		return nil, false, nil
	default:
		return nil, false, out.err
	}
}

// encodeBindings returns the variable names alternating with the JSON texts
// of their values, skipping Undefined. The texts are encoded into one buffer
// and sliced, which saves an allocation per binding.
func encodeBindings(bindings map[string]any) []string {
	out := make([]string, 0, 2*len(bindings))
	var buf []byte
	ends := make([]int, 0, len(bindings))
	for name, v := range bindings {
		if v == Undefined {
			continue
		}
		out = append(out, name, "")
		buf = jsonv.Append(buf, v)
		ends = append(ends, len(buf))
	}
	text := string(buf)
	start := 0
	for i, end := range ends {
		out[2*i+1] = text[start:end]
		start = end
	}
	return out
}

// do runs req on a VM under the time limit and ctx. When either ends first,
// it interrupts the VM and discards it; a VM that does not stop within
// abandonAfter (stuck in native code) is left to finish in the background.
func (e *GojaEngine) do(ctx context.Context, req request) (outcome, error) {
	v, err := e.pool.get(ctx)
	if err != nil {
		return outcome{}, err
	}
	v.reqs <- req
	var limit <-chan time.Time
	if e.cfg.timeLimit > 0 {
		v.timer.Reset(e.cfg.timeLimit)
		limit = v.timer.C
	}
	var stopped error
	select {
	case out := <-v.done:
		v.timer.Stop()
		if out.broken {
			e.pool.retire(v)
		} else {
			e.pool.put(v)
		}
		return out, nil
	case <-limit:
		stopped = ErrTimeout
	case <-ctx.Done():
		v.timer.Stop()
		stopped = ctx.Err()
	}
	v.rt.Interrupt(stopped)
	v.timer.Reset(abandonAfter)
	select {
	case <-v.done:
		v.timer.Stop()
		e.pool.retire(v)
	case <-v.timer.C:
		e.cfg.log.Warn("jsonata: an interrupted evaluation did not stop; abandoning its VM",
			"expression", abbreviate(req.source, 200), "reason", stopped)
		e.pool.abandon(v)
	}
	return outcome{}, stopped
}

func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
