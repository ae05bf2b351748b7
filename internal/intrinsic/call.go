package intrinsic

import (
	"errors"
	"math/rand/v2"

	"stepd/internal/jsonpath"
)

// Call is one parsed intrinsic function call, such as
// States.Format('{}', $.a). It is immutable and safe for concurrent use.
type Call struct {
	// Name is the function name, e.g. "States.Format".
	Name string
	// Args are the arguments in order.
	Args []Arg

	src    string // the whole source text
	offset int    // byte offset of Name in src
}

// Arg is one argument of a call: exactly one of a literal value, a path or a
// nested call.
type Arg struct {
	// Literal holds a string, int64, float64, bool or nil literal when Path
	// and Call are nil.
	Literal any
	// Path is a path argument ($.x, $$.x, $var).
	Path *jsonpath.Path
	// Call is a nested intrinsic call.
	Call *Call
}

// Env gives evaluation what it needs from the outside: path roots and
// randomness, injected so that tests are exact.
type Env interface {
	// Resolve evaluates p; the caller picks the input, the context object
	// or a variable according to p.Root().
	Resolve(p *jsonpath.Path) (any, error)
	// Rand is the source for States.MathRandom without a seed.
	Rand() *rand.Rand
	// NewUUID returns a new random version 4 UUID for States.UUID.
	NewUUID() string
}

// Error is an intrinsic function evaluation failure.
type Error struct {
	// Name is the Step Functions error name to raise.
	Name string
	// Cause is the human-readable cause.
	Cause string
}

// Error returns "<Name>: <Cause>".
func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// SyntaxError is a parse failure with the byte offset where it was found.
type SyntaxError struct {
	// Src is the text that was parsed.
	Src string
	// Offset is the byte offset of the problem in Src.
	Offset int
	// Msg says what is wrong.
	Msg string
}

// Error describes the problem and where it is.
func (e *SyntaxError) Error() string { return e.Msg }

var errNotImplemented = errors.New("intrinsic: not implemented yet")

// IsCall reports whether s looks like an intrinsic function call
// ("States.Xxx(" after optional spaces).
func IsCall(s string) bool { return false }

// Parse parses an intrinsic function call into a tree. It validates function
// names, argument counts, statically known literal argument types and the
// nesting depth (at most 10), and returns a *SyntaxError otherwise.
func Parse(s string) (*Call, error) { return nil, errNotImplemented }

// Eval evaluates the call.
func (c *Call) Eval(env Env) (any, error) { return nil, errNotImplemented }
