package intrinsic_test

import (
	"fmt"
	"math/rand/v2"

	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// testEnv resolves paths against fixed documents and supplies fixed
// randomness, as the engine's Env does with real ones.
type testEnv struct {
	input   any
	context any
	vars    map[string]any
	rng     *rand.Rand
	uuid    string
}

func newEnv(input any) *testEnv {
	return &testEnv{input: input, context: jsonv.NewObject(0), rng: rand.New(rand.NewPCG(1, 2)), uuid: "6f1d8f2e-3c3a-4b55-9a57-2f0c6b1f7d10"}
}

func (e *testEnv) Resolve(p *jsonpath.Path) (any, error) {
	switch p.Root() {
	case jsonpath.RootContext:
		return p.Get(e.context)
	case jsonpath.RootVariable:
		v, ok := e.vars[p.Variable()]
		if !ok {
			return nil, fmt.Errorf("the variable $%s is not defined", p.Variable())
		}
		return p.Get(v)
	}
	return p.Get(e.input)
}

func (e *testEnv) Rand() *rand.Rand { return e.rng }

func (e *testEnv) NewUUID() string { return e.uuid }

// mustJSON parses JSON text or panics; for literals in tests.
func mustJSON(s string) any {
	v, err := jsonv.ParseString(s)
	if err != nil {
		panic(fmt.Sprintf("bad test JSON %q: %v", s, err))
	}
	return v
}
