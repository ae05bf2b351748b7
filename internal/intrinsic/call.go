package intrinsic

import (
	"fmt"
	"math/rand/v2"

	"stepd/internal/jsonpath"
)

// FailureName is the Step Functions error name of an intrinsic function
// that fails while it is evaluated.
const FailureName = "States.IntrinsicFailure"

// MaxDepth is how deeply calls may nest: a call inside a call inside a call
// is depth 3.
const MaxDepth = 10

// Call is one parsed intrinsic function call, such as
// States.Format('{}', $.a). It is immutable and safe for concurrent use.
type Call struct {
	// Name is the function name, e.g. "States.Format".
	Name string
	// Args are the arguments in order.
	Args []Arg

	fn     fnID
	src    string   // the text of this call
	offset int      // byte offset of this call in the text given to Parse
	parts  []string // Format with a literal template: the text around the placeholders
}

// Arg is one argument of a call: a path, a nested call, or (when both are
// nil) a literal.
type Arg struct {
	// Literal holds the string, int64, float64, bool or nil literal when
	// Path and Call are nil.
	Literal any
	// Path is a path argument ($.x, $$.x, $var).
	Path *jsonpath.Path
	// Call is a nested intrinsic call.
	Call *Call

	offset int   // byte offset in the text given to Parse
	holes  []int // string literal: offsets of unescaped "{}" in Literal
}

// isLiteral reports whether the argument is a literal value.
func (a *Arg) isLiteral() bool { return a.Path == nil && a.Call == nil }

// String returns the source text of the call.
func (c *Call) String() string { return c.src }

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
	// Name is the Step Functions error name to raise: States.IntrinsicFailure.
	Name string
	// Cause says which function failed and why.
	Cause string
}

// Error returns "<Name>: <Cause>".
func (e *Error) Error() string { return e.Name + ": " + e.Cause }

// failf builds the *Error for a failure of c.
func (c *Call) failf(format string, args ...any) error {
	return &Error{Name: FailureName, Cause: "The function " + c.Name + " failed: " + fmt.Sprintf(format, args...)}
}

// SyntaxError is a parse failure with the byte offset where it was found.
type SyntaxError struct {
	// Src is the text that was parsed.
	Src string
	// Offset is the byte offset of the problem in Src.
	Offset int
	// Msg says what is wrong.
	Msg string
}

// Error describes the problem and where it is, e.g.
// "invalid intrinsic function call 'States.Foo()': unknown function 'States.Foo' at offset 0".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid intrinsic function call '%s': %s at offset %d", e.Src, e.Msg, e.Offset)
}
