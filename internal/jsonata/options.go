package jsonata

import (
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"
)

// Defaults for the engine's options.
const (
	// DefaultTimeLimit is the time one evaluation may take, as in Step
	// Functions.
	DefaultTimeLimit = time.Second

	// DefaultMaxDepth is how deeply evaluation steps may nest (jsonata's
	// stack guard, error D1011); a recursive JSONata function uses three or
	// four steps per call. On goja the cost of recursion grows with the
	// square of its depth (depth 500 takes about 0.4 s, 1000 about 2 s on
	// one core), so with the default time limit runaway recursion usually
	// ends with ErrTimeout first; the depth limit bounds time and memory when
	// the time limit is raised or removed.
	DefaultMaxDepth = 1000

	// DefaultCacheSize is how many compiled expressions each VM keeps.
	DefaultCacheSize = 512

	// DefaultMaxVMsPerCPU times GOMAXPROCS is the default number of VMs that
	// may exist at once, which bounds concurrent evaluations.
	DefaultMaxVMsPerCPU = 4

	// MaxRange is the most elements $range may produce (the limit jsonata
	// puts on its own range operator).
	MaxRange = 10_000_000

	// MaxResultDepth is the deepest nesting of arrays and objects a result
	// may have; it matches what jsonv.Parse accepts.
	MaxResultDepth = 10_000

	// maxCallStack bounds goja's JavaScript call stack, so that runaway
	// synchronous recursion (e.g. parsing absurdly nested parentheses) fails
	// with a RangeError instead of growing without end.
	maxCallStack = 50_000

	// abandonAfter is how long an interrupted evaluation may take to stop
	// before its VM is abandoned to finish in the background.
	abandonAfter = 500 * time.Millisecond
)

// Option configures an engine built by New.
type Option func(*config)

type config struct {
	poolSize  int
	maxVMs    int
	timeLimit time.Duration
	maxDepth  int
	cacheSize int
	rand      rand.Source
	clock     func() time.Time
	log       *slog.Logger
	// resultDepth is MaxResultDepth and callStack is maxCallStack; tests
	// lower them.
	resultDepth int
	callStack   int
	// plainEval keeps jsonata's own $eval instead of refusing it; only the
	// official-suite test sets it, to measure plain JSONata conformance.
	plainEval bool
}

func defaultConfig() config {
	n := runtime.GOMAXPROCS(0)
	return config{
		poolSize:    n,
		maxVMs:      n * DefaultMaxVMsPerCPU,
		timeLimit:   DefaultTimeLimit,
		maxDepth:    DefaultMaxDepth,
		cacheSize:   DefaultCacheSize,
		resultDepth: MaxResultDepth,
		callStack:   maxCallStack,
		rand:        globalSource{},
		clock:       time.Now,
		log:         slog.Default(),
	}
}

// WithPoolSize sets how many idle VMs the engine keeps for reuse (default
// GOMAXPROCS). Creating a VM costs a few milliseconds. Values below 1 mean 1.
func WithPoolSize(n int) Option {
	return func(c *config) { c.poolSize = max(n, 1) }
}

// WithMaxVMs sets how many VMs may exist at once, which bounds concurrent
// evaluations; further callers wait (default DefaultMaxVMsPerCPU ×
// GOMAXPROCS). It is raised to the pool size if lower.
func WithMaxVMs(n int) Option {
	return func(c *config) { c.maxVMs = n }
}

// WithTimeLimit sets the time one evaluation may take (default
// DefaultTimeLimit); past it, Eval returns ErrTimeout and the VM is
// discarded. Zero or a negative value removes the limit.
func WithTimeLimit(d time.Duration) Option {
	return func(c *config) { c.timeLimit = d }
}

// WithMaxDepth sets how deeply evaluation steps may nest before Eval fails
// with error D1011 (default DefaultMaxDepth). Zero removes the limit, leaving
// only the time limit to stop runaway recursion.
func WithMaxDepth(n int) Option {
	return func(c *config) { c.maxDepth = max(n, 0) }
}

// WithCacheSize sets how many compiled expressions each VM keeps (default
// DefaultCacheSize). Values below 1 mean 1.
func WithCacheSize(n int) Option {
	return func(c *config) { c.cacheSize = max(n, 1) }
}

// WithRandSource sets where $random() (without a seed), $uuid(), and
// jsonata's $shuffle take their randomness from; tests pass a seeded source
// to get repeatable results. The engine serialises calls to src. By default
// the engine uses math/rand/v2's global generator.
func WithRandSource(src rand.Source) Option {
	return func(c *config) {
		if src != nil {
			c.rand = &lockedSource{src: src}
		}
	}
}

// WithClock sets the clock $now() and $millis() read (default time.Now).
// The time limit always uses real time.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithLogger sets the logger for the engine's rare operational events, such
// as abandoning a VM that did not stop when interrupted (default
// slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// globalSource is math/rand/v2's global generator, which is safe for
// concurrent use.
type globalSource struct{}

func (globalSource) Uint64() uint64 { return rand.Uint64() }

// lockedSource makes a caller's rand.Source safe for concurrent use.
type lockedSource struct {
	mu  sync.Mutex
	src rand.Source
}

func (s *lockedSource) Uint64() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.src.Uint64()
}
