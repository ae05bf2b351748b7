package dataflow

import (
	"context"
	"math/rand/v2"

	"stepd/internal/asl"
)

// Failure is a Step Functions error raised while processing data: its name
// (States.Runtime, States.QueryEvaluationError, States.IntrinsicFailure, ...)
// and cause. For JSONata failures Location names the field, as the
// EvaluationFailed history event reports it.
type Failure struct {
	Name     string
	Cause    string
	Location string
}

func (f *Failure) Error() string { return f.Name + ": " + f.Cause }

// ErrReferencePathConflict is the error AWS raises when a ResultPath cannot
// be applied to the state's input.
const ErrReferencePathConflict = "States.ReferencePathConflict"

func runtimeError(format string, args ...any) *Failure {
	return &Failure{Name: asl.ErrRuntime, Cause: sprintf(format, args...)}
}

// Scope gives read access to the workflow variables visible to a state.
type Scope interface {
	// Lookup returns the value of a variable and whether it exists.
	Lookup(name string) (any, bool)
	// Each calls fn for every visible variable; inner scopes shadow outer
	// ones, so each name is reported once.
	Each(fn func(name string, v any))
}

// Env is what evaluation needs besides the value being processed. A zero
// Env evaluates paths over the input only.
type Env struct {
	Ctx context.Context
	// StateInput is the state's raw input ($states.input in JSONata).
	StateInput any
	// Context returns the context object ($$ / $states.context); it is called
	// only when an expression needs it.
	Context func() any
	// Vars are the visible variables; nil means none.
	Vars Scope
	// Rand is the source for States.MathRandom and $random; NewUUID makes
	// UUIDs for States.UUID and $uuid.
	Rand    *rand.Rand
	NewUUID func() string

	// For JSONata: the task result ($states.result) and a catcher's error
	// output ($states.errorOutput), when they exist for the field being
	// evaluated.
	Result         any
	HasResult      bool
	ErrorOutput    any
	HasErrorOutput bool
}

func (e *Env) context() any {
	if e.Context == nil {
		return nil
	}
	return e.Context()
}

func (e *Env) ctx() context.Context {
	if e.Ctx == nil {
		return context.Background()
	}
	return e.Ctx
}
