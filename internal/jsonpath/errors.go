package jsonpath

import (
	"fmt"
	"math"

	"stepd/internal/jsonv"
)

// Error is a path evaluation failure. Error() gives AWS's wording, e.g.
//
//	Invalid path '$.x' : No results for path: $['x']
//	Invalid path '$.no.such' : Missing property in path $['no']
//
// AWS reports these failures as States.Runtime (aws-semantics.md §1.3).
type Error struct {
	// Path is the source text of the path that failed.
	Path string
	// Detail is Jayway JsonPath's message, e.g. "No results for path: $['x']".
	Detail string
}

// Error returns "Invalid path '<path>' : <detail>".
func (e *Error) Error() string { return "Invalid path '" + e.Path + "' : " + e.Detail }

// ReferenceError is the failure of a reference path (one compiled with
// CompileReference: ResultPath, ItemsPath). AWS evaluates reference paths
// with its own evaluator, not Jayway, and raises these failures as
// States.ReferencePathConflict, with causes such as
//
//	Unable to apply step "objects" to input {"discovery":{"statusCode":500}}
//	Unable to apply ReferencePath $.partitioned to input "text"
//
// (wording from executions on AWS reported in public issues, e.g.
// aws/aws-cdk#29473; not in the recorded conformance corpus).
type ReferenceError struct {
	// Path is the source text of the reference path.
	Path string
	// Step is the step that could not be applied: a name, or "[n]" for an
	// index; "" when the value as a whole cannot hold the path (Set on a
	// value that is neither an object nor an array).
	Step string
	// Input is the value the path was applied to.
	Input any
}

// Error describes the failure in AWS's words.
func (e *ReferenceError) Error() string {
	if e.Step == "" {
		return "Unable to apply ReferencePath " + e.Path + " to input " + jsonv.Marshal(e.Input)
	}
	return "Unable to apply step \"" + e.Step + "\" to input " + jsonv.Marshal(e.Input)
}

// refFail builds the *ReferenceError for steps[i] of a reference path
// applied to root; i < 0 means the path as a whole.
func (p *Path) refFail(i int, root any) error {
	e := &ReferenceError{Path: p.src, Input: root}
	if i >= 0 {
		if s := &p.steps[i]; s.kind == stepName {
			e.Step = s.name
		} else {
			e.Step = p.fragment(i)
		}
	}
	return e
}

// SyntaxError is a compile failure: what is wrong and the byte offset in the
// source text where it was found.
type SyntaxError struct {
	// Path is the source text that was compiled.
	Path string
	// Offset is the byte offset of the problem in Path.
	Offset int
	// Msg says what is wrong.
	Msg string
	// Reference is true when the text was compiled as a reference path.
	Reference bool
}

// Error returns e.g. "invalid JSONPath '$.a[': expected ']' at offset 4".
func (e *SyntaxError) Error() string {
	kind := "JSONPath"
	if e.Reference {
		kind = "reference path"
	}
	return fmt.Sprintf("invalid %s '%s': %s at offset %d", kind, e.Path, e.Msg, e.Offset)
}

// jsonProvider is the Jayway JSON provider named in "not a json object"
// messages. AWS's exact provider is not on record; Step Functions decodes
// JSON with Jackson, so this is Jayway's Jackson provider.
const jsonProvider = "com.jayway.jsonpath.spi.json.JacksonJsonProvider"

// javaClassName names the Java class Jackson decodes v into.
func javaClassName(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "java.lang.String"
	case bool:
		return "java.lang.Boolean"
	case int64:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return "java.lang.Integer"
		}
		return "java.lang.Long"
	case float64:
		return "java.lang.Double"
	case []any:
		return "java.util.ArrayList"
	case *jsonv.Object:
		return "java.util.LinkedHashMap"
	}
	return fmt.Sprintf("%T", v)
}

func (p *Path) fail(detail string) error { return &Error{Path: p.src, Detail: detail} }

// noResults is Jayway's error for a definite path that matched nothing.
func (p *Path) noResults() error { return p.fail("No results for path: " + p.Normalized()) }

// missingProperty is Jayway's error for a missing intermediate property
// (steps[i] is the missing one).
func (p *Path) missingProperty(i int) error {
	return p.fail("Missing property in path " + normalizedPrefix(p.steps, i+1))
}

// fragment renders steps[i] alone in normalized form, e.g. ['b'] or [0].
func (p *Path) fragment(i int) string { return normalizedPrefix(p.steps[i:i+1], 1)[1:] }

// notObject is Jayway's error for a property step applied to a value that is
// not an object.
func (p *Path) notObject(i int, v any) error {
	return p.fail(fmt.Sprintf("Expected to find an object with property %s in path %s but found '%s'. "+
		"This is not a json object according to the JsonProvider: '%s'.",
		p.fragment(i), normalizedPrefix(p.steps, i), javaClassName(v), jsonProvider))
}

// notArray is Jayway's error for an index step applied to a value that is
// not an array.
func (p *Path) notArray(i int, v any) error {
	if v == nil {
		return p.fail("The path " + normalizedPrefix(p.steps, i) + " is null")
	}
	return p.fail(fmt.Sprintf("Filter: %s can only be applied to arrays. Current context is: %s", p.fragment(i), JavaString(v)))
}
