package jsonpath

import "strings"

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

// String returns "input", "context" or "variable".
func (r Root) String() string {
	switch r {
	case RootInput:
		return "input"
	case RootContext:
		return "context"
	case RootVariable:
		return "variable"
	}
	return "unknown"
}

// Path is a compiled JSONPath expression. It is immutable and safe for
// concurrent use.
type Path struct {
	src      string
	root     Root
	variable string
	steps    []step
	definite bool
	ref      bool // compiled with CompileReference
}

// Compile parses a full Jayway JSONPath (filters, wildcards, slices, unions,
// deep scan) as allowed in InputPath, OutputPath, Parameters ".$" values,
// ItemsPath, Choice Variable and the other *Path fields. It accepts "$",
// "$.x", "$['x']", "$$.x" and "$var.x" (variables: a Unicode identifier of
// at most 80 characters, not "states"). Leading and trailing white space is
// ignored, as Jayway ignores it. The error is a *SyntaxError.
func Compile(s string) (*Path, error) { return compile(s, false) }

// CompileReference parses a Reference Path (ResultPath, ItemsPath): only
// "$", ".name", "['name']" and "[n]" steps; no wildcards, filters, slices,
// unions, deep scan, no "$$" and no variables. The error is a *SyntaxError
// that says what is not allowed. Get and Set on a reference path fail with a
// *ReferenceError, in the words AWS uses for reference paths.
func CompileReference(s string) (*Path, error) { return compile(s, true) }

// MustCompile is Compile for paths known to be valid, such as literals in
// code; it panics on a syntax error.
func MustCompile(s string) *Path {
	p, err := Compile(s)
	if err != nil {
		panic(err)
	}
	return p
}

func compile(s string, ref bool) (*Path, error) {
	ps := &parser{src: s, ref: ref}
	p, err := ps.parsePath()
	if err != nil {
		return nil, err
	}
	p.src = s
	p.ref = ref
	return p, nil
}

// String returns the source text of the path.
func (p *Path) String() string { return p.src }

// Root reports what the path starts from.
func (p *Path) Root() Root { return p.root }

// Variable returns the variable name for a RootVariable path, else "".
func (p *Path) Variable() string { return p.variable }

// IsRoot reports whether the path is "$", "$$" or "$var" with no further
// steps.
func (p *Path) IsRoot() bool { return len(p.steps) == 0 }

// Definite reports whether the path has only names and single indexes (the
// last step may also be a multi-property selection, which Jayway merges into
// one object), so that it yields exactly one value.
func (p *Path) Definite() bool { return p.definite }

// Normalized returns the path in Jayway's normalized form, such as
// $['a']['b'][0], the form AWS uses in error texts.
func (p *Path) Normalized() string {
	var b strings.Builder
	b.WriteByte('$')
	for i := range p.steps {
		p.steps[i].appendNormalized(&b)
	}
	return b.String()
}

// definiteSteps reports whether steps are all names and single indexes,
// except that the last may be a multi-property selection.
func definiteSteps(steps []step) bool {
	for i, s := range steps {
		if s.descent {
			return false
		}
		switch s.kind {
		case stepName, stepIndex:
		case stepNames:
			if i != len(steps)-1 {
				return false
			}
		default:
			return false
		}
	}
	return true
}
