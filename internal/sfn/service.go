package sfn

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"

	"stepd/internal/asl"
	"stepd/internal/jsonata"
	"stepd/internal/lambda"
	"stepd/internal/store"
	"stepd/internal/tasks"
)

// Defaults of Options.
const (
	DefaultRegion        = "us-east-1"
	DefaultAccount       = "123456789012"
	DefaultLeaseDuration = 30 * time.Second
)

// Options configure a Service.
type Options struct {
	// Store keeps everything durable. Required.
	Store store.Store
	// Functions runs Lambda tasks; nil makes them fail with
	// Lambda.ServiceException.
	Functions lambda.Invoker
	// JSONata evaluates JSONata expressions; default a new engine.
	JSONata jsonata.Engine
	// Region and Account appear in ARNs; defaults us-east-1 and
	// 123456789012.
	Region, Account string
	// Node names this process in execution leases; default a random id.
	Node string
	// LeaseDuration is how long a lease on an execution lasts without
	// renewal; another node may take the execution over after it expires.
	// Default 30 s.
	LeaseDuration time.Duration
	// MockConfig, when set, answers the tasks of executions started with a
	// "#<TestCase>" suffix on the state machine ARN, as Step Functions Local
	// does. Default: the file named by $SFN_MOCK_CONFIG, if any.
	MockConfig *tasks.MockConfig
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives the service's logs; default slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.Store == nil {
		return o, errors.New("sfn: a store is required")
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Account == "" {
		o.Account = DefaultAccount
	}
	if o.Node == "" {
		o.Node = "node-" + uuid.NewString()[:8]
	}
	if o.LeaseDuration <= 0 {
		o.LeaseDuration = DefaultLeaseDuration
	}
	if o.JSONata == nil {
		o.JSONata = jsonata.New()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MockConfig == nil {
		if path := os.Getenv("SFN_MOCK_CONFIG"); path != "" {
			cfg, err := tasks.LoadMockConfig(path)
			if err != nil {
				return o, fmt.Errorf("SFN_MOCK_CONFIG: %w", err)
			}
			o.MockConfig = cfg
		}
	}
	return o, nil
}

// Service implements the Step Functions API.
type Service struct {
	opts  Options
	store store.Store
	log   *slog.Logger

	machinesMu sync.Mutex
	machines   map[[32]byte]*compiled // compiled definitions by hash and type

	exec *executor

	redrives redriveTokens
}

// compiled is a compiled definition, shared by every execution of it.
type compiled struct {
	machine *asl.Machine
	diags   asl.Diagnostics
}

// New returns a service; call Start to recover running executions and begin
// driving them.
func New(opts Options) (*Service, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Service{opts: opts, store: opts.Store, log: opts.Logger, machines: map[[32]byte]*compiled{}}
	s.exec = newExecutor(s)
	return s, nil
}

// Region returns the region used in ARNs.
func (s *Service) Region() string { return s.opts.Region }

// Account returns the account used in ARNs.
func (s *Service) Account() string { return s.opts.Account }

// Start recovers the running executions this node can claim and starts the
// background work: timers, lease renewal and takeover of executions whose
// owner died. It returns once recovery is done.
func (s *Service) Start(ctx context.Context) error { return s.exec.start(ctx) }

// Close stops driving executions and releases their leases so another node
// (or the next start) takes them over. Running tasks are abandoned; they are
// dispatched again after recovery.
func (s *Service) Close(ctx context.Context) error { return s.exec.close(ctx) }

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Millisecond) }

// compile compiles a definition once; later calls with the same text and
// type share the result.
func (s *Service) compile(definition, smType string) *compiled {
	key := sha256.Sum256([]byte(smType + "\x00" + definition))
	s.machinesMu.Lock()
	defer s.machinesMu.Unlock()
	if c, ok := s.machines[key]; ok {
		return c
	}
	m, diags := asl.Compile([]byte(definition), asl.Options{Type: smType, JSONata: s.opts.JSONata})
	c := &compiled{machine: m, diags: diags}
	s.machines[key] = c
	return c
}
