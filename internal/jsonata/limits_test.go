package jsonata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"stepd/internal/jsonv"
)

// promptly bounds how long a stopped evaluation may take to return. It is a
// liveness bound (the evaluations below would otherwise run for ever), not a
// speed target, so it is generous.
const promptly = 10 * time.Second

// shortLimit is the time limit of engines that test it: short enough to stop
// runaway work quickly, long enough that compiling and evaluating ordinary
// expressions never hits it, even under the race detector on a busy machine.
const shortLimit = 300 * time.Millisecond

// checkWorks asserts that eng still evaluates correctly.
func checkWorks(t *testing.T, eng *GojaEngine) {
	t.Helper()
	x, err := eng.Compile(`$states.input.n * 2`)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := x.Eval(context.Background(), nil, map[string]any{"states": mustParse(t, `{"input":{"n":21}}`)})
	if err != nil || !ok || got != int64(42) {
		t.Fatalf("after the failure: Eval = %v %v %v, want 42", got, ok, err)
	}
}

// TestTimeLimit: runaway evaluations stop with ErrTimeout once the time limit
// passes, and the engine (one VM only, so it must be replaced) keeps working.
// Step Functions limits an evaluation to one second (aws-semantics §1.5).
func TestTimeLimit(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{
		`($inf := function(){ $inf() }; $inf())`,             // tail call: no depth growth
		`($loop := function($i){ $loop($i + 1) }; $loop(0))`, // tail call with arguments
		`$count([1..9999999].($ * 2))`,                       // plain long work
	} {
		t.Run(expr, func(t *testing.T) {
			t.Parallel()
			eng := newTestEngine(t, WithTimeLimit(shortLimit), WithPoolSize(1), WithMaxVMs(1))
			checkWorks(t, eng)
			x, err := eng.Compile(expr)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, _, err = x.Eval(context.Background(), nil, nil)
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("Eval error = %v, want ErrTimeout", err)
			}
			if d := time.Since(start); d > promptly {
				t.Errorf("took %v to stop", d)
			}
			checkWorks(t, eng)
		})
	}
}

// TestMaxDepth: runaway non-tail recursion fails with jsonata's stack error
// D1011 long before the time limit, without exhausting memory.
func TestMaxDepth(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, WithTimeLimit(time.Minute), WithMaxDepth(300), WithPoolSize(1), WithMaxVMs(1))
	for _, expr := range []string{
		`($inf := function($n){ $n + $inf($n - 1) }; $inf(5))`,
		`($f := function($n){ {"a": $f($n + 1)} }; $f(0))`,
	} {
		x, err := eng.Compile(expr)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = x.Eval(context.Background(), nil, nil)
		var je *Error
		if !errors.As(err, &je) || je.Code != "D1011" {
			t.Fatalf("Eval(%s) error = %v, want D1011", expr, err)
		}
		checkWorks(t, eng)
	}
	// Legitimate recursion within the limit works.
	x, err := eng.Compile(`($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(50))`)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := x.Eval(context.Background(), nil, nil); err != nil || !ok || got != int64(50) {
		t.Fatalf("recursion 50 calls deep = %v %v %v", got, ok, err)
	}
	// Without the depth limit only the time limit stops it.
	noDepth := newTestEngine(t, WithMaxDepth(0), WithTimeLimit(shortLimit))
	x, err = noDepth.Compile(`($inf := function($n){ $n + $inf($n - 1) }; $inf(5))`)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := x.Eval(context.Background(), nil, nil); !errors.Is(err, ErrTimeout) {
		t.Fatalf("without a depth limit: error = %v, want ErrTimeout", err)
	}
}

// TestDeepExpression: absurdly nested expressions fail to compile with an
// error instead of exhausting a stack.
func TestDeepExpression(t *testing.T) {
	t.Parallel()
	// A small call stack keeps the test fast; the default (maxCallStack)
	// behaves the same for proportionally deeper nesting.
	eng := newTestEngine(t, func(c *config) { c.callStack = 500 }, WithPoolSize(1), WithMaxVMs(1))
	expr := strings.Repeat("(", 1000) + "1" + strings.Repeat(")", 1000)
	_, err := eng.Compile(expr)
	var je *Error
	if !errors.As(err, &je) || !strings.Contains(je.Message, "Stack overflow") {
		t.Fatalf("Compile of 1000 nested parentheses: %v, want a stack overflow *Error", err)
	}
	checkWorks(t, eng)
}

func TestContext(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, WithTimeLimit(0), WithPoolSize(1), WithMaxVMs(1))
	x, err := eng.Compile(`($inf := function(){ $inf() }; $inf())`)
	if err != nil {
		t.Fatal(err)
	}

	// A context that ends during the evaluation interrupts it.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := x.Eval(ctx, nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Eval error = %v, want context.DeadlineExceeded", err)
	}
	checkWorks(t, eng)

	// A context that has already ended stops it before it starts.
	done, cancelDone := context.WithCancel(context.Background())
	cancelDone()
	if _, _, err := x.Eval(done, nil, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Eval error = %v, want context.Canceled", err)
	}

	// A caller waiting for a VM gives up when its context ends.
	held, err := eng.pool.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wait, cancelWait := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelWait()
	if _, _, err := x.Eval(wait, nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Eval while the only VM is busy: %v, want context.DeadlineExceeded", err)
	}
	eng.pool.put(held)
	checkWorks(t, eng)
}

// TestRegexpBacktracking: an evaluation busy in native code (a
// backtracking regular expression, which goja hands to regexp2 and cannot
// interrupt until the match returns) still ends with ErrTimeout, and the
// engine keeps working.
func TestRegexpBacktracking(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, WithTimeLimit(shortLimit), WithPoolSize(1), WithMaxVMs(2),
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	// The lookahead makes goja use regexp2; (a+)+ backtracks exponentially:
	// about 1 s of native work on 24 characters (as much on 18 under the
	// race detector), well past shortLimit.
	n := 24
	if raceEnabled {
		n = 18
	}
	x, err := eng.Compile(`$contains("` + strings.Repeat("a", n) + `", /^(?=a)(a+)+b$/)`)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := x.Eval(context.Background(), nil, nil); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Eval error = %v, want ErrTimeout", err)
	}
	checkWorks(t, eng)
	eng.pool.abandoned.Wait()
}

// TestAbandon: when an interrupted VM does not stop (stuck in native code),
// Eval still returns ErrTimeout promptly; the VM keeps its slot until its
// call returns and is then retired, and the engine keeps working.
func TestAbandon(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	var mu sync.Mutex
	eng := newTestEngine(t, WithTimeLimit(shortLimit), WithPoolSize(1), WithMaxVMs(2),
		WithLogger(slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))))
	v, err := eng.pool.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	v.evalFn = func(goja.Value, ...goja.Value) (goja.Value, error) {
		<-release // stands for native code that ignores the interrupt
		return nil, nil
	}
	eng.pool.put(v)
	x, err := eng.Compile(`1`) // on the same, still healthy VM
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, _, err := x.Eval(context.Background(), nil, nil); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Eval error = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > promptly {
		t.Errorf("took %v to give up", d)
	}
	if n := eng.pool.liveVMs(); n != 1 {
		t.Errorf("%d VMs hold slots while the stuck one runs, want 1", n)
	}
	checkWorks(t, eng) // on a second VM
	close(release)
	eng.pool.abandoned.Wait()
	if n := eng.pool.liveVMs(); n != 1 {
		t.Errorf("%d VMs hold slots after the stuck one returned, want 1 (the idle one)", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "abandoning its VM") {
		t.Errorf("no warning logged; logs: %s", logs.String())
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestRecoverPanic: a panic inside goja becomes an error, the VM is
// retired, and the engine keeps working.
func TestRecoverPanic(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, WithPoolSize(1), WithMaxVMs(1))
	v, err := eng.pool.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v.evalFn = func(goja.Value, ...goja.Value) (goja.Value, error) { panic("boom") }
	eng.pool.put(v)
	x, err := eng.Compile(`1`)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = x.Eval(context.Background(), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "internal error: boom") {
		t.Fatalf("Eval error = %v, want the recovered panic", err)
	}
	checkWorks(t, eng)
}

// TestConcurrency evaluates from many goroutines at once, each checking its
// own answers, on an engine with fewer VMs than goroutines.
func TestConcurrency(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, WithPoolSize(2), WithMaxVMs(3))
	exprs := []string{
		`$states.input.n * 2`,
		`{"n": $states.input.n, "s": $string($states.input.n), "id": $states.context.id}`,
		`$sum($range(1, $states.input.n, 1))`,
		`$partition([1..$states.input.n], 2)[0]`,
	}
	compiled := make([]Expr, len(exprs))
	for i, src := range exprs {
		x, err := eng.Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		compiled[i] = x
	}
	goroutines, rounds := 4*runtime.GOMAXPROCS(0), 25
	if raceEnabled {
		rounds = 10
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for r := range rounds {
				n := int64(g*rounds + r + 2)
				states := jsonv.ObjectOf("input", jsonv.ObjectOf("n", n), "context", jsonv.ObjectOf("id", fmt.Sprint(g)))
				i := (g + r) % len(compiled)
				got, ok, err := compiled[i].Eval(context.Background(), nil, map[string]any{"states": states})
				want := []string{
					fmt.Sprint(2 * n),
					fmt.Sprintf(`{"n":%d,"s":"%d","id":"%d"}`, n, n, g),
					fmt.Sprint(n * (n + 1) / 2),
					`[1,2]`,
				}[i]
				if err != nil || !ok || jsonv.Marshal(got) != want {
					errs <- fmt.Errorf("goroutine %d: %s with n=%d = %s %v %v, want %s", g, exprs[i], n, jsonv.Marshal(got), ok, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := eng.pool.liveVMs(); n > 3 {
		t.Errorf("%d VMs alive, more than WithMaxVMs(3)", n)
	}
}
