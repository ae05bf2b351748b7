package jsonata

import (
	"errors"
	"strconv"
)

// Error is a JSONata error: a syntax error found by Compile (codes S0xxx) or
// an error raised during evaluation (T, D and U codes, plus stepd's own codes
// listed in the package documentation).
type Error struct {
	// Code is the JSONata error code, e.g. "S0202" or "T1006". It is empty
	// for failures of the JavaScript engine itself (e.g. a RangeError).
	Code string
	// Message is the message jsonata.js wrote for Code.
	Message string
	// Position is the character position jsonata reports for the error
	// (counted from 1, usually at the end of the offending token), or -1
	// when it gave none.
	Position int
	// Token is the token (or function name) the error is about, if any.
	Token string
	// Value is the value the error is about, as a jsonv value, if any.
	Value any
}

// Error formats the error the way Step Functions quotes it in a
// States.QueryEvaluationError cause: "T1006: Attempted to invoke a
// non-function".
func (e *Error) Error() string {
	if e.Code == "" {
		return e.Message
	}
	return e.Code + ": " + e.Message
}

// Describe returns the error with its position, for people writing
// expressions: "S0202 at position 5: Expected ...".
func (e *Error) Describe() string {
	s := e.Code
	if s == "" {
		s = "error"
	}
	if e.Position >= 0 {
		s += " at position " + strconv.Itoa(e.Position)
	}
	return s + ": " + e.Message
}

var (
	// ErrTimeout is returned by Eval when the evaluation ran past the
	// engine's time limit (see WithTimeLimit) and was stopped.
	ErrTimeout = errors.New("jsonata: evaluation exceeded the time limit")

	// ErrUnsupportedResult is returned by Eval when the result is, or
	// contains, a function, which JSON cannot represent. Step Functions
	// reports it as "returned an unsupported result type".
	ErrUnsupportedResult = errors.New("jsonata: the expression returned a function, which is not a JSON value")

	// ErrClosed is returned by Compile and Eval after the engine was closed.
	ErrClosed = errors.New("jsonata: engine closed")
)
