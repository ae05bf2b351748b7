package lambda

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"time"
)

// Asynchronous invocation (InvocationType Event), as Lambda runs it: an
// event whose function returns an error is run again up to
// MaximumRetryAttempts times (default 2), one minute after the first
// failure and two minutes after the second; a throttled event is tried
// again with a growing delay; either way an event older than
// MaximumEventAgeInSeconds (default 6 hours) is discarded. The retry
// settings are the function's event invoke configuration
// (PutFunctionEventInvokeConfig), per version or alias. Events wait in
// memory: a restart drops the ones not yet run.

// The defaults and bounds of an event invoke configuration (API reference).
const (
	defaultAsyncRetries = 2
	maxAsyncRetries     = 2
	defaultEventAge     = 6 * time.Hour
	minEventAgeSeconds  = 60
	maxEventAgeSeconds  = 21600
	maxThrottleBackoff  = 5 * time.Minute
)

// defaultAsyncRetryDelays are the waits before the first and second retry.
var defaultAsyncRetryDelays = []time.Duration{time.Minute, 2 * time.Minute}

// EventInvokeConfig is a function's (or a version's or alias's) event
// invoke configuration.
type EventInvokeConfig struct {
	FunctionArn string `json:"FunctionArn"`
	// LastModified is in seconds since the epoch, as the API sends it.
	LastModified             float64            `json:"LastModified"`
	MaximumRetryAttempts     *int               `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int               `json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        *DestinationConfig `json:"DestinationConfig,omitempty"`
}

// DestinationConfig names where Lambda sends an event's result. stepd
// delivers to none, and refuses a configuration that names one.
type DestinationConfig struct {
	OnSuccess *Destination `json:"OnSuccess,omitempty"`
	OnFailure *Destination `json:"OnFailure,omitempty"`
}

// Destination is one destination of a [DestinationConfig].
type Destination struct {
	Destination *string `json:"Destination,omitempty"`
}

// EventInvokeConfigInput is the body of PutFunctionEventInvokeConfig and
// UpdateFunctionEventInvokeConfig.
type EventInvokeConfigInput struct {
	MaximumRetryAttempts     *int               `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int               `json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        *DestinationConfig `json:"DestinationConfig,omitempty"`
}

// ListEventInvokeConfigsOutput is the ListFunctionEventInvokeConfigs
// response.
type ListEventInvokeConfigsOutput struct {
	FunctionEventInvokeConfigs []*EventInvokeConfig `json:"FunctionEventInvokeConfigs"`
}

func (in *EventInvokeConfigInput) check() error {
	if n := in.MaximumRetryAttempts; n != nil && (*n < 0 || *n > maxAsyncRetries) {
		return errValidation(*n, "maximumRetryAttempts", "Member must have value between 0 and 2")
	}
	if n := in.MaximumEventAgeInSeconds; n != nil && (*n < minEventAgeSeconds || *n > maxEventAgeSeconds) {
		return errValidation(*n, "maximumEventAgeInSeconds", "Member must have value between 60 and 21600")
	}
	if d := in.DestinationConfig; d != nil {
		for _, dst := range []*Destination{d.OnSuccess, d.OnFailure} {
			if dst != nil && dst.Destination != nil && *dst.Destination != "" {
				return errInvalid("stepd does not deliver to destinations: %s", *dst.Destination)
			}
		}
	}
	return nil
}

// eventConfigKey is the key of a qualifier's configuration: the
// unqualified function shares $LATEST's.
func eventConfigKey(q string) string { return cmpOr(q, VersionLatest) }

// PutFunctionEventInvokeConfig sets (replacing) the event invoke
// configuration of a function, version or alias.
func (s *Service) PutFunctionEventInvokeConfig(ctx context.Context, name, qualifier string, in *EventInvokeConfigInput) (*EventInvokeConfig, error) {
	return s.setEventInvokeConfig(ctx, name, qualifier, in, false)
}

// UpdateFunctionEventInvokeConfig changes the fields in sets of an existing
// or new event invoke configuration.
func (s *Service) UpdateFunctionEventInvokeConfig(ctx context.Context, name, qualifier string, in *EventInvokeConfigInput) (*EventInvokeConfig, error) {
	return s.setEventInvokeConfig(ctx, name, qualifier, in, true)
}

func (s *Service) setEventInvokeConfig(ctx context.Context, name, qualifier string, in *EventInvokeConfigInput, merge bool) (*EventInvokeConfig, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	fn, q, err := s.lookup(name, qualifier)
	if err != nil {
		return nil, err
	}
	if _, err := s.resolve(fn, q, false); err != nil {
		return nil, err
	}
	key := eventConfigKey(q)
	c := &EventInvokeConfig{FunctionArn: s.functionARN(fn.name, key), LastModified: float64(time.Now().UnixMilli()) / 1000,
		DestinationConfig: &DestinationConfig{OnSuccess: &Destination{}, OnFailure: &Destination{}}}
	err = s.changeEventConfigs(ctx, fn, func(configs map[string]*EventInvokeConfig) error {
		if old := configs[key]; merge && old != nil {
			c.MaximumRetryAttempts, c.MaximumEventAgeInSeconds = old.MaximumRetryAttempts, old.MaximumEventAgeInSeconds
		}
		if in.MaximumRetryAttempts != nil {
			c.MaximumRetryAttempts = in.MaximumRetryAttempts
		}
		if in.MaximumEventAgeInSeconds != nil {
			c.MaximumEventAgeInSeconds = in.MaximumEventAgeInSeconds
		}
		configs[key] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// changeEventConfigs applies change to a copy of fn's event invoke
// configurations and saves them. They are not part of the function's
// definition: its revision stays, and its environments stay warm.
func (s *Service) changeEventConfigs(ctx context.Context, fn *function, change func(map[string]*EventInvokeConfig) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	configs := maps.Clone(*fn.eventConfigs.Load())
	if configs == nil {
		configs = map[string]*EventInvokeConfig{}
	}
	if err := change(configs); err != nil {
		return err
	}
	return s.saveAside(ctx, fn, func() func() {
		prev := fn.eventConfigs.Swap(&configs)
		return func() { fn.eventConfigs.Store(prev) }
	})
}

// GetFunctionEventInvokeConfig returns the event invoke configuration of a
// function, version or alias.
func (s *Service) GetFunctionEventInvokeConfig(_ context.Context, name, qualifier string) (*EventInvokeConfig, error) {
	fn, q, err := s.lookup(name, qualifier)
	if err != nil {
		return nil, err
	}
	if _, err := s.resolve(fn, q, false); err != nil {
		return nil, err
	}
	if c := (*fn.eventConfigs.Load())[eventConfigKey(q)]; c != nil {
		return c, nil
	}
	return nil, errNoEventInvokeConfig(s.functionARN(fn.name, eventConfigKey(q)))
}

// DeleteFunctionEventInvokeConfig removes the event invoke configuration
// of a function, version or alias.
func (s *Service) DeleteFunctionEventInvokeConfig(ctx context.Context, name, qualifier string) error {
	fn, q, err := s.lookup(name, qualifier)
	if err != nil {
		return err
	}
	key := eventConfigKey(q)
	return s.changeEventConfigs(ctx, fn, func(configs map[string]*EventInvokeConfig) error {
		if configs[key] == nil {
			return errNoEventInvokeConfig(s.functionARN(fn.name, key))
		}
		delete(configs, key)
		return nil
	})
}

// ListFunctionEventInvokeConfigs lists a function's event invoke
// configurations, by qualifier.
func (s *Service) ListFunctionEventInvokeConfigs(_ context.Context, name string) (*ListEventInvokeConfigsOutput, error) {
	fn, err := s.lookupLatest(name)
	if err != nil {
		return nil, err
	}
	configs := *fn.eventConfigs.Load()
	out := &ListEventInvokeConfigsOutput{FunctionEventInvokeConfigs: make([]*EventInvokeConfig, 0, len(configs))}
	for _, k := range slices.Sorted(maps.Keys(configs)) {
		out.FunctionEventInvokeConfigs = append(out.FunctionEventInvokeConfigs, configs[k])
	}
	return out, nil
}

// attemptEvent runs one attempt of an asynchronous invocation, at most
// asyncSem's capacity at once (waits between attempts hold no slot). It
// reports whether the function's concurrency turned it away.
func (s *Service) attemptEvent(fn *function, inv *invocation) (throttled bool, err error) {
	select {
	case s.asyncSem <- struct{}{}:
		defer func() { <-s.asyncSem }()
	case <-s.baseCtx.Done():
		return false, s.baseCtx.Err()
	}
	if err := fn.pool.acquire(s.baseCtx); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Code == "TooManyRequestsException" {
			return true, nil
		}
		return false, err
	}
	fn.pool.run(inv)
	return false, nil
}

// again is a new attempt of an asynchronous invocation: the same request
// id and event.
func (inv *invocation) again() *invocation {
	return &invocation{id: inv.id, payload: inv.payload, clientCtx: inv.clientCtx, arn: inv.arn, def: inv.def,
		posted: make(chan struct{}), finished: make(chan struct{})}
}

func errNoEventInvokeConfig(arn string) *APIError {
	return userError("ResourceNotFoundException", http.StatusNotFound, "The function %s doesn't have an EventInvokeConfig", arn)
}

// asyncPolicy is how an event of fn invoked with qualifier q is retried.
func (s *Service) asyncPolicy(fn *function, q string) (retries int, maxAge time.Duration) {
	retries, maxAge = defaultAsyncRetries, defaultEventAge
	if c := (*fn.eventConfigs.Load())[eventConfigKey(q)]; c != nil {
		if c.MaximumRetryAttempts != nil {
			retries = *c.MaximumRetryAttempts
		}
		if c.MaximumEventAgeInSeconds != nil {
			maxAge = time.Duration(*c.MaximumEventAgeInSeconds) * time.Second
		}
	}
	return retries, maxAge
}

// runEvent runs an asynchronous invocation of fn (qualifier q) to its end:
// its first attempt and the retries its policy allows.
func (s *Service) runEvent(fn *function, q string, inv *invocation) {
	queued := time.Now()
	delays := s.opts.AsyncRetryDelays
	if len(delays) == 0 {
		delays = defaultAsyncRetryDelays
	}
	throttleWait := delays[0] / 60 // a second, with the default delays
	for failures := 0; ; {
		retries, maxAge := s.asyncPolicy(fn, q)
		var wait time.Duration
		if throttled, err := s.attemptEvent(fn, inv); err != nil {
			if s.baseCtx.Err() == nil { // not a shutdown
				s.log.Warn("asynchronous invoke dropped", "function", fn.name, "requestId", inv.id, "err", err)
			}
			return
		} else if throttled {
			wait, throttleWait = throttleWait, min(2*throttleWait, maxThrottleBackoff)
		} else {
			if inv.out == nil || inv.out.FunctionError == "" {
				return
			}
			if failures >= retries {
				s.log.Info("asynchronous invoke failed", "function", fn.name, "requestId", inv.id, "attempts", failures+1, "payload", string(inv.out.Payload))
				return
			}
			wait = delays[min(failures, len(delays)-1)]
			failures++
		}
		if time.Since(queued)+wait > maxAge {
			s.log.Warn("asynchronous invoke dropped: older than its maximum event age", "function", fn.name, "requestId", inv.id, "maxAge", maxAge)
			return
		}
		select {
		case <-time.After(wait):
		case <-s.baseCtx.Done():
			return
		}
		inv = inv.again()
	}
}
