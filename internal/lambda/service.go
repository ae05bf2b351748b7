package lambda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"stepd/internal/lambda/logstore"
)

// Defaults for [Options].
const (
	DefaultRegion      = "us-east-1"
	DefaultAccount     = "123456789012"
	DefaultConcurrency = 10
	DefaultIdleTimeout = 10 * time.Minute
	DefaultInitTimeout = 10 * time.Second
)

// Options configure a [Service].
type Options struct {
	// DataDir holds function definitions and code (DataDir/functions), the
	// installed runtime bootstraps (DataDir/runtime) and, by default, the
	// function logs (DataDir/logs). Required.
	DataDir string
	// Store persists function definitions; default NewFileStore(DataDir).
	Store ConfigStore
	// Region and Account appear in ARNs; defaults us-east-1, 123456789012.
	Region, Account string
	// DefaultConcurrency is how many environments a function without
	// reserved concurrency may run at once; default 10.
	DefaultConcurrency int
	// IdleTimeout is how long a warm environment waits for work before it is
	// reclaimed; default 10 minutes.
	IdleTimeout time.Duration
	// InitTimeout bounds a runtime's initialisation; default 10 seconds.
	InitTimeout time.Duration
	// MemoryLimit is how MemorySize is enforced: "auto" (default), "cgroup",
	// "rlimit" or "off".
	MemoryLimit string
	// Python and Node are the interpreters to run; defaults "python3" and
	// "node", looked up in PATH.
	Python, Node string
	// EndpointURL, when set, is handed to functions as
	// AWS_ENDPOINT_URL_LAMBDA / _SFN / _CLOUDWATCH_LOGS so their SDK calls
	// reach stepd.
	EndpointURL string
	// Logs receives function logs; default a store kept in DataDir/logs
	// (see [logstore.Open]), which the service closes at Close. Pass
	// logstore.New(...) to keep them in memory only; a store passed here is
	// the caller's to close.
	Logs *logstore.Store
	// Logger receives the service's own logs; default slog.Default().
	Logger *slog.Logger
	// AsyncRetryDelays are the waits before the retries of a failed
	// asynchronous invoke; default one minute, then two (Lambda's).
	AsyncRetryDelays []time.Duration
}

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Account == "" {
		o.Account = DefaultAccount
	}
	if o.DefaultConcurrency <= 0 {
		o.DefaultConcurrency = DefaultConcurrency
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.InitTimeout <= 0 {
		o.InitTimeout = DefaultInitTimeout
	}
	if o.Python == "" {
		o.Python = "python3"
	}
	if o.Node == "" {
		o.Node = "node"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Store == nil {
		o.Store = NewFileStore(o.DataDir)
	}
	return o
}

// Service is the function runtime: it keeps function definitions, runs
// invokes in execution environments and records their logs. It is safe for
// concurrent use.
type Service struct {
	opts       Options
	log        *slog.Logger
	store      ConfigStore
	logs       *logstore.Store
	ownLogs    bool // opened by New, closed by Close
	mem        *memoryControl
	interp     *interpreters
	runtimeDir string
	runtimeAPI http.Handler

	mu        sync.RWMutex
	functions map[string]*function
	writeMu   sync.Mutex // serialises definition changes

	baseCtx  context.Context // ends at Close; async invokes run under it
	cancel   context.CancelFunc
	async    sync.WaitGroup
	janitor  sync.WaitGroup
	closed   atomic.Bool
	asyncSem chan struct{}
}

// function is one registered function.
type function struct {
	name string
	def  atomic.Pointer[definition] // $LATEST
	// pub holds the published versions and the aliases; replaced (never
	// changed in place) under Service.writeMu.
	pub atomic.Pointer[published]
	// tags are the function's tags (saved in its record's Tags); they are
	// not part of a definition, so tagging keeps environments warm.
	tags atomic.Pointer[map[string]string]
	// eventConfigs are the event invoke configurations by qualifier (saved
	// in its record's EventInvokeConfigs); like tags, not part of a
	// definition.
	eventConfigs atomic.Pointer[map[string]*EventInvokeConfig]
	// reserved is the reserved concurrency, nil when unset (saved in its
	// record's ReservedConcurrentExecutions); like tags, not part of a
	// definition, so setting it keeps environments warm.
	reserved atomic.Pointer[int]
	pool     *pool

	mu          sync.Mutex // guards pool state and the invocation records
	invocations []Invocation
	nextRec     int
}

// definition is an immutable snapshot of a function's record; a change
// makes a new one, and environments of older ones are retired.
type definition struct {
	rec  *FunctionRecord
	kind runtimeKind
}

func (d *definition) name() string { return d.rec.Config.FunctionName }

// version is the definition's version: $LATEST or a published number.
func (d *definition) version() string { return cmpOr(d.rec.Config.Version, VersionLatest) }

// New opens the service: it loads stored functions and installs the
// runtime bootstraps. Call Close to stop every environment.
func New(opts Options) (*Service, error) {
	if opts.DataDir == "" {
		return nil, errors.New("lambda: Options.DataDir is required")
	}
	opts = opts.withDefaults()
	mem, err := newMemoryControl(opts.MemoryLimit, opts.Logger)
	if err != nil {
		return nil, err
	}
	rtDir, err := installBootstraps(opts.DataDir)
	if err != nil {
		return nil, err
	}
	ownLogs := opts.Logs == nil
	if ownLogs {
		opts.Logs, err = logstore.Open(filepath.Join(opts.DataDir, "logs"), logstore.Options{Logger: opts.Logger})
		if err != nil {
			return nil, fmt.Errorf("open function logs: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		opts:       opts,
		log:        opts.Logger,
		store:      opts.Store,
		logs:       opts.Logs,
		ownLogs:    ownLogs,
		mem:        mem,
		interp:     &interpreters{pythonName: opts.Python, nodeName: opts.Node},
		runtimeDir: rtDir,
		runtimeAPI: newRuntimeAPI(),
		functions:  map[string]*function{},
		baseCtx:    ctx,
		cancel:     cancel,
		asyncSem:   make(chan struct{}, 1024),
	}
	recs, err := s.store.LoadFunctions(ctx)
	if err != nil {
		cancel()
		s.closeLogs()
		return nil, fmt.Errorf("load functions: %w", err)
	}
	for _, rec := range recs {
		kind, err := runtimeKindOf(rec.Config.Runtime)
		if err != nil {
			s.log.Warn("skipping stored function", "function", rec.Config.FunctionName, "err", err)
			continue
		}
		latest, pub, err := splitRecord(rec)
		if err != nil {
			s.log.Warn("skipping stored function", "function", rec.Config.FunctionName, "err", err)
			continue
		}
		pruneCode(s.functionDir(rec.Config.FunctionName), pub.codeDirs(latest.CodeDir)...)
		fn := s.newFunction(&definition{rec: latest, kind: kind})
		fn.pub.Store(pub)
		s.functions[rec.Config.FunctionName] = fn
	}
	s.janitor.Add(1)
	go s.reclaimLoop()
	return s, nil
}

func (s *Service) newFunction(def *definition) *function {
	fn := &function{name: def.name()}
	fn.def.Store(def)
	fn.pub.Store(&published{})
	tags := maps.Clone(def.rec.Tags)
	fn.tags.Store(&tags)
	configs := maps.Clone(def.rec.EventInvokeConfigs)
	fn.eventConfigs.Store(&configs)
	fn.reserved.Store(def.rec.ReservedConcurrency)
	fn.pool = newPool(s, fn, s.limitFor(fn))
	return fn
}

// limitFor is how many environments fn may run at once.
func (s *Service) limitFor(fn *function) int {
	if r := fn.reserved.Load(); r != nil {
		return *r
	}
	return s.opts.DefaultConcurrency
}

func (s *Service) functionDir(name string) string {
	return filepath.Join(s.opts.DataDir, "functions", name)
}

// Logs returns the store holding function logs (log group
// /aws/lambda/<name>, one stream per environment).
func (s *Service) Logs() *logstore.Store { return s.logs }

// Region returns the region ARNs are built with.
func (s *Service) Region() string { return s.opts.Region }

// Account returns the account ARNs are built with.
func (s *Service) Account() string { return s.opts.Account }

func logGroupName(function string) string { return "/aws/lambda/" + function }

// Close stops the service: queued and running invokes fail, every
// environment's process is ended. It waits for them, or for ctx.
func (s *Service) Close(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	s.cancel()
	s.mu.Lock()
	fns := make([]*function, 0, len(s.functions))
	for _, fn := range s.functions {
		fns = append(fns, fn)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for _, fn := range fns {
			wg.Add(1)
			go func() { defer wg.Done(); fn.pool.close() }()
		}
		wg.Wait()
		s.async.Wait()
		s.janitor.Wait()
		s.mem.close()
		s.closeLogs()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close function runtime: %w", ctx.Err())
	}
}

// closeLogs writes the buffered function logs and closes their files, if
// the service opened the store.
func (s *Service) closeLogs() {
	if !s.ownLogs {
		return
	}
	if err := s.logs.Close(); err != nil {
		s.log.Warn("function logs were not all written", "err", err)
	}
}

// reclaimLoop closes environments idle longer than IdleTimeout.
func (s *Service) reclaimLoop() {
	defer s.janitor.Done()
	every := s.opts.IdleTimeout / 4
	if every > 30*time.Second {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.baseCtx.Done():
			return
		case now := <-t.C:
			s.reclaimIdle(now.Add(-s.opts.IdleTimeout))
		}
	}
}

// reclaimIdle closes every environment idle since before cutoff and
// returns how many it closed.
func (s *Service) reclaimIdle(cutoff time.Time) int {
	s.mu.RLock()
	fns := make([]*function, 0, len(s.functions))
	for _, fn := range s.functions {
		fns = append(fns, fn)
	}
	s.mu.RUnlock()
	n := 0
	for _, fn := range fns {
		n += fn.pool.reclaimIdle(cutoff)
	}
	return n
}

// lookup resolves a FunctionName (and Qualifier) to a function.
func (s *Service) lookup(name, qualifier string) (*function, string, error) {
	ref, err := parseFunctionRef(name)
	if err != nil {
		return nil, "", err
	}
	if err := validateQualifier(qualifier); err != nil {
		return nil, "", err
	}
	q, err := resolveQualifier(ref, qualifier)
	if err != nil {
		return nil, "", err
	}
	s.mu.RLock()
	fn := s.functions[ref.name]
	s.mu.RUnlock()
	if fn == nil || (ref.region != "" && ref.region != s.opts.Region) || (ref.account != "" && ref.account != s.opts.Account) {
		return nil, q, s.notFound(ref, q)
	}
	return fn, q, nil
}

// lookupLatest resolves a FunctionName that must name $LATEST (the
// operations that change a function): a version or alias qualifier names
// no function they can change.
func (s *Service) lookupLatest(name string) (*function, error) {
	fn, q, err := s.lookup(name, "")
	if err != nil {
		return nil, err
	}
	if q != "" && q != VersionLatest {
		ref, _ := parseFunctionRef(name)
		return nil, s.notFound(ref, q)
	}
	return fn, nil
}

// Invoke runs a function (see [Invoker]). RequestResponse waits for the
// result; Event queues the invoke and returns 202; DryRun only checks that
// the function exists (204). If ctx ends while the invoke waits for an
// environment it is abandoned; once running, the function finishes in the
// background and Invoke returns ctx's error.
func (s *Service) Invoke(ctx context.Context, in *InvokeInput) (*InvokeOutput, error) {
	if s.closed.Load() {
		return nil, errServiceFailure("The function runtime is shutting down.")
	}
	fn, q, err := s.lookup(in.FunctionName, in.Qualifier)
	if err == nil {
		// The qualifier picks the version: $LATEST (current at run time),
		// a published version or an alias (and its routing weights).
		def, rerr := s.resolve(fn, q, true)
		if rerr != nil {
			return nil, rerr
		}
		in = &InvokeInput{FunctionName: in.FunctionName, Qualifier: q, Payload: in.Payload,
			InvocationType: in.InvocationType, LogType: in.LogType, ClientContext: in.ClientContext}
		if def.version() == VersionLatest {
			def = nil // the definition current when the invoke starts
		}
		return s.invoke(ctx, fn, def, in)
	}
	// An invoke without a qualifier names $LATEST in its error (observed
	// through Step Functions: "Function not found: arn:...:name:$LATEST").
	if ae, ok := err.(*APIError); ok && ae.Code == "ResourceNotFoundException" && in.Qualifier == "" {
		if ref, perr := parseFunctionRef(in.FunctionName); perr == nil && ref.qualifier == "" {
			return nil, s.notFound(ref, VersionLatest)
		}
	}
	return nil, err
}

// invoke runs fn's definition def (nil: $LATEST as current when the invoke
// starts); in.Qualifier is the qualifier the caller named.
func (s *Service) invoke(ctx context.Context, fn *function, def *definition, in *InvokeInput) (*InvokeOutput, error) {
	invType := cmpOr(in.InvocationType, InvocationRequestResponse)
	switch invType {
	case InvocationRequestResponse, InvocationEvent, InvocationDryRun:
	default:
		return nil, errValidation(invType, "invocationType", "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
	}
	logType := cmpOr(in.LogType, LogTypeNone)
	if logType != LogTypeNone && logType != LogTypeTail {
		return nil, errValidation(logType, "logType", "Member must satisfy enum value set: [Tail, None]")
	}
	limit := MaxSyncPayload
	if invType == InvocationEvent {
		limit = MaxAsyncPayload
	}
	if len(in.Payload) > limit {
		return nil, errTooLarge(limit, "Invoke")
	}
	payload := in.Payload
	if len(payload) == 0 {
		payload = []byte("{}")
	} else if err := checkJSON(payload); err != nil {
		return nil, err
	}
	clientCtx, err := decodeClientContext(in.ClientContext)
	if err != nil {
		return nil, err
	}
	inv := &invocation{
		id:        uuid.NewString(),
		payload:   payload,
		clientCtx: clientCtx,
		arn:       s.functionARN(fn.name, in.Qualifier),
		def:       def,
		tail:      logType == LogTypeTail && invType == InvocationRequestResponse,
		posted:    make(chan struct{}),
		finished:  make(chan struct{}),
	}
	switch invType {
	case InvocationDryRun:
		v := VersionLatest
		if def != nil {
			v = def.version()
		}
		return &InvokeOutput{StatusCode: http.StatusNoContent, ExecutedVersion: v, RequestID: inv.id}, nil
	case InvocationEvent:
		s.enqueue(fn, in.Qualifier, inv)
		return &InvokeOutput{StatusCode: http.StatusAccepted, RequestID: inv.id}, nil
	}
	if err := fn.pool.acquire(ctx); err != nil {
		return nil, err
	}
	go fn.pool.run(inv)
	select {
	case <-inv.finished:
		return inv.out, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// enqueue runs an Event invoke in the background.
func (s *Service) enqueue(fn *function, qualifier string, inv *invocation) {
	s.async.Add(1)
	go func() {
		defer s.async.Done()
		s.runEvent(fn, qualifier, inv)
	}()
}

// EnvironmentCounts reports how many execution environments a function
// has and how many of them are idle.
func (s *Service) EnvironmentCounts(name string) (total, idle int, err error) {
	fn, err := s.lookupLatest(name)
	if err != nil {
		return 0, 0, err
	}
	total, idle = fn.pool.counts()
	return total, idle, nil
}

// names returns the registered function names, sorted.
func (s *Service) names() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.functions))
	for n := range s.functions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func removeAllQuiet(dir string) { _ = os.RemoveAll(dir) }
