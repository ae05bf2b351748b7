package tasks

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/jsonv"
)

// MockConfig is a Step Functions Local mock configuration
// (MockConfigFile.json): test cases per state machine that map Task state
// names to mocked responses, each a sequence of Return or Throw results by
// invocation number (developer guide, "Using mocked service integrations").
type MockConfig struct {
	// StateMachines maps a state machine name to its test cases, and each
	// test case maps a state name to a mocked response name.
	StateMachines map[string]map[string]map[string]string
	// Responses maps a mocked response name to its results by invocation.
	Responses map[string]*MockedResponse
}

// MockedResponse is the results of one mocked response, by invocation
// number (0-based, counting retries).
type MockedResponse struct {
	steps []mockStep
}

type mockStep struct {
	from, to int // inclusive
	ret      any
	hasRet   bool
	errName  string
	cause    string
}

// At returns the result for invocation n.
func (r *MockedResponse) At(n int) (ret any, errName, cause string, ok bool) {
	for _, s := range r.steps {
		if n >= s.from && n <= s.to {
			if s.hasRet {
				return s.ret, "", "", true
			}
			return nil, s.errName, s.cause, true
		}
	}
	return nil, "", "", false
}

// LoadMockConfig reads a mock configuration file.
func LoadMockConfig(path string) (*MockConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mock config: %w", err)
	}
	cfg, err := ParseMockConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseMockConfig parses a mock configuration.
func ParseMockConfig(b []byte) (*MockConfig, error) {
	v, err := jsonv.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	root, ok := v.(*jsonv.Object)
	if !ok {
		return nil, fmt.Errorf("a mock config must be a JSON object")
	}
	cfg := &MockConfig{StateMachines: map[string]map[string]map[string]string{}, Responses: map[string]*MockedResponse{}}
	if smv, ok := root.Get("StateMachines"); ok {
		sms, ok := smv.(*jsonv.Object)
		if !ok {
			return nil, fmt.Errorf("StateMachines must be an object")
		}
		for i := 0; i < sms.Len(); i++ {
			name, smo := sms.At(i)
			tcv, _ := asObject(smo).Get("TestCases")
			tcs := asObject(tcv)
			if tcs == nil {
				return nil, fmt.Errorf("StateMachines.%s.TestCases must be an object", name)
			}
			cases := map[string]map[string]string{}
			for j := 0; j < tcs.Len(); j++ {
				tcName, tcv := tcs.At(j)
				tc := asObject(tcv)
				if tc == nil {
					return nil, fmt.Errorf("StateMachines.%s.TestCases.%s must be an object", name, tcName)
				}
				states := map[string]string{}
				for k := 0; k < tc.Len(); k++ {
					st, rv := tc.At(k)
					rn, ok := rv.(string)
					if !ok {
						return nil, fmt.Errorf("StateMachines.%s.TestCases.%s.%s must name a mocked response", name, tcName, st)
					}
					states[st] = rn
				}
				cases[tcName] = states
			}
			cfg.StateMachines[name] = cases
		}
	}
	if mrv, ok := root.Get("MockedResponses"); ok {
		mrs := asObject(mrv)
		if mrs == nil {
			return nil, fmt.Errorf("MockedResponses must be an object")
		}
		for i := 0; i < mrs.Len(); i++ {
			name, rv := mrs.At(i)
			r, err := parseMockedResponse(name, asObject(rv))
			if err != nil {
				return nil, err
			}
			cfg.Responses[name] = r
		}
	}
	for sm, cases := range cfg.StateMachines {
		for tc, states := range cases {
			for st, rn := range states {
				if cfg.Responses[rn] == nil {
					return nil, fmt.Errorf("StateMachines.%s.TestCases.%s.%s names the mocked response %q, which MockedResponses does not define", sm, tc, st, rn)
				}
			}
		}
	}
	return cfg, nil
}

func asObject(v any) *jsonv.Object {
	o, _ := v.(*jsonv.Object)
	return o
}

func parseMockedResponse(name string, o *jsonv.Object) (*MockedResponse, error) {
	if o == nil {
		return nil, fmt.Errorf("MockedResponses.%s must be an object", name)
	}
	r := &MockedResponse{}
	for i := 0; i < o.Len(); i++ {
		key, v := o.At(i)
		step := mockStep{}
		lo, hi, isRange := strings.Cut(key, "-")
		var err1, err2 error
		step.from, err1 = strconv.Atoi(lo)
		step.to = step.from
		if isRange {
			step.to, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || step.from < 0 || step.to < step.from {
			return nil, fmt.Errorf("MockedResponses.%s: %q is not an invocation number or range such as \"0\" or \"1-2\"", name, key)
		}
		so := asObject(v)
		ret, hasRet := so.Get("Return")
		tv, hasThrow := so.Get("Throw")
		if so == nil || hasRet == hasThrow {
			return nil, fmt.Errorf("MockedResponses.%s.%s must hold exactly one of Return or Throw", name, key)
		}
		if hasRet {
			step.ret, step.hasRet = ret, true
		} else {
			t := asObject(tv)
			e, _ := t.Get("Error")
			c, _ := t.Get("Cause")
			es, ok1 := e.(string)
			cs, ok2 := c.(string)
			// An empty Error would read as a success in At.
			if t == nil || !ok1 || !ok2 || es == "" {
				return nil, fmt.Errorf("MockedResponses.%s.%s.Throw must have a non-empty string Error and a string Cause", name, key)
			}
			step.errName, step.cause = es, cs
		}
		r.steps = append(r.steps, step)
	}
	return r, nil
}

// TestCase returns the state-to-response mapping of a test case of a state
// machine.
func (c *MockConfig) TestCase(stateMachine, testCase string) (map[string]string, error) {
	cases, ok := c.StateMachines[stateMachine]
	if !ok {
		return nil, fmt.Errorf("the mock config has no state machine named %q (it has %s)", stateMachine, quotedKeys(c.StateMachines))
	}
	tc, ok := cases[testCase]
	if !ok {
		return nil, fmt.Errorf("the mock config has no test case %q for state machine %q (it has %s)", testCase, stateMachine, quotedKeys(cases))
	}
	return tc, nil
}

// TestCases returns the names of the test cases of stateMachine, sorted.
func (c *MockConfig) TestCases(stateMachine string) []string {
	return slices.Sorted(maps.Keys(c.StateMachines[stateMachine]))
}

// quotedKeys lists m's keys, sorted and quoted, or says there are none.
func quotedKeys[V any](m map[string]V) string {
	if len(m) == 0 {
		return "none"
	}
	keys := slices.Sorted(maps.Keys(m))
	for i, k := range keys {
		keys[i] = strconv.Quote(k)
	}
	return strings.Join(keys, ", ")
}

// Mocked answers the tasks of the states a test case mocks, and passes the
// others to Next (hybrid mode, as Step Functions Local does).
type Mocked struct {
	Config *MockConfig
	// States maps state names to mocked response names (a test case).
	States map[string]string
	Next   Dispatcher

	mu    sync.Mutex
	calls map[string]int // execution ARN + state name → invocations so far
}

// Dispatch implements Dispatcher.
func (m *Mocked) Dispatch(ctx context.Context, req *engine.TaskRequest, rep Reporter) {
	name, ok := m.States[req.StateName]
	if !ok {
		if m.Next == nil {
			rep.Failed(asl.ErrRuntime, fmt.Sprintf("the test case mocks no response for the state '%s' and no real integration is configured", req.StateName))
			return
		}
		m.Next.Dispatch(ctx, req, rep)
		return
	}
	m.mu.Lock()
	if m.calls == nil {
		m.calls = map[string]int{}
	}
	key := req.ExecutionARN + "\x00" + req.StateName
	n := m.calls[key]
	m.calls[key] = n + 1
	m.mu.Unlock()
	ret, errName, cause, ok := m.Config.Responses[name].At(n)
	switch {
	case !ok:
		rep.Failed(asl.ErrRuntime, fmt.Sprintf("the mocked response '%s' has no result for invocation %d of the state '%s'", name, n, req.StateName))
	case errName != "":
		rep.Failed(errName, cause)
	default:
		if req.Resource.Pattern == asl.WaitForTaskToken || req.Resource.Pattern == asl.RunJob || req.Resource.Pattern == asl.RunJobV2 {
			rep.Submitted(jsonv.NewObject(0))
		}
		rep.Succeeded(ret)
	}
}
