package jsonpath

import "errors"

// Root says what a path starts from.
type Root uint8

const (
	// RootInput is "$" or "$.a...": the state's (effective) input.
	RootInput Root = iota
	// RootContext is "$$" or "$$.Execution.Id": the context object.
	RootContext
	// RootVariable is "$name" or "$name.field[0]": a workflow variable.
	RootVariable
)

// Path is a compiled JSONPath expression. It is immutable and safe for
// concurrent use.
type Path struct {
	src      string
	root     Root
	variable string
}

// Error is a path evaluation failure. Error() gives AWS's wording, e.g.
//
//	Invalid path '$.x' : No results for path: $['x']
//	Invalid path '$.no.such' : Missing property in path $['no']
type Error struct {
	// Path is the source text of the path that failed.
	Path string
	// Detail says what went wrong, e.g. "No results for path: $['x']".
	Detail string
}

// Error returns "Invalid path '<path>' : <detail>".
func (e *Error) Error() string { return "Invalid path '" + e.Path + "' : " + e.Detail }

var errNotImplemented = errors.New("jsonpath: not implemented yet")

// Compile parses a full Jayway JSONPath (filters, wildcards, slices, unions,
// deep scan) as allowed in InputPath, OutputPath, Parameters ".$" values,
// ItemsPath, Choice Variable and the other *Path fields. It accepts "$",
// "$.x", "$['x']", "$$.x" and "$var.x" (variables: a Unicode identifier of
// at most 80 characters, not "states").
func Compile(s string) (*Path, error) { return nil, errNotImplemented }

// CompileReference parses a Reference Path (ResultPath): only "$", ".name",
// "['name']" and "[n]" steps; no wildcards, filters, slices, unions, deep
// scan, no "$$" and no variables. Error messages say what is not allowed.
func CompileReference(s string) (*Path, error) { return nil, errNotImplemented }

// String returns the source text of the path.
func (p *Path) String() string { return p.src }

// Root reports what the path starts from.
func (p *Path) Root() Root { return p.root }

// Variable returns the variable name for a RootVariable path, else "".
func (p *Path) Variable() string { return p.variable }

// IsRoot reports whether the path is "$", "$$" or "$var" with no further
// steps.
func (p *Path) IsRoot() bool { return false }

// Definite reports whether the path has only names and single indexes, so
// that it yields exactly one value.
func (p *Path) Definite() bool { return false }

// Get evaluates the path against root (the input, the context object or the
// variable's value, chosen by the caller according to Root()). A definite
// path returns the value, or an error when it matches nothing. An indefinite
// path (wildcard, filter, slice, union, deep scan) returns a []any of all
// matches, [] when there are none.
func (p *Path) Get(root any) (any, error) { return nil, errNotImplemented }

// Set returns a new root in which the location named by this reference path
// holds v. Intermediate objects are created; root itself is not modified
// (the objects along the path are copied). Errors follow AWS, e.g. when an
// intermediate value is not an object.
func (p *Path) Set(root any, v any) (any, error) { return nil, errNotImplemented }
