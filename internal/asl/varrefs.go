package asl

import (
	"slices"
	"strings"

	"stepd/internal/intrinsic"
	"stepd/internal/jsonata"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// Variable references: the workflow variables each state reads, as
// DescribeStateMachine reports them in variableReferences (a state name to
// its sorted variable names; states that read none are left out). They are
// collected while the definition compiles, from the paths, intrinsic calls
// and expressions it compiles anyway, into the state being compiled
// (compiler.current, set by compiler.state); the
// states of a Parallel branch or Map item processor collect their own, and
// a Map or Parallel state's own fields (ItemsPath, ItemSelector, ...) count
// for that state.
//
// Measured on AWS (LocalStack's AWS-validated snapshot
// test_sfn_api_variable_references.snapshot.json):
//
//   - JSONPath: a $name or $name.path in any path field (InputPath,
//     OutputPath, ItemsPath, the "<Field>Path" forms of Wait, Fail and Map
//     fields, Choice Variable and the "...Path" comparisons, ItemReader's
//     ReaderConfig MaxItemsPath), as the value of a ".$" key of a template
//     (Parameters, ItemSelector, ResultSelector, Assign, at any depth), and
//     as an argument of an intrinsic function, however nested. A string
//     under a key without ".$" ("bucketName": "$bucket") is a literal, and
//     $, $.x and $$.x are not variables.
//   - JSONata: the variables an expression reads; $states is not a
//     workflow variable, and $not(...) is a function call.
//
// Not measured, stepd's choice: variables an expression binds itself
// ($x := ..., lambda parameters, @$v and #$i) are not references, and
// neither is a variable in a called position (x ~> $f), which names a
// function; see jsonata.FreeVariables.

// VariableReferences returns, for each state of m and of its branches and
// item processors that reads workflow variables, the sorted names of those
// variables; nil when no state reads any. State names are unique across a
// definition, so nested states are keyed by their own names. The slices
// are the states' own: callers must not modify them.
func (m *Machine) VariableReferences() map[string][]string {
	var out map[string][]string
	m.Walk(func(s *State) {
		if len(s.VariableReferences) == 0 {
			return
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[s.Name] = s.VariableReferences
	})
	return out
}

// reference records that the state being compiled reads the variable name.
func (c *compiler) reference(name string) {
	s := c.current
	if s == nil || name == "" || name == reservedVariableName || slices.Contains(s.VariableReferences, name) {
		return
	}
	s.VariableReferences = append(s.VariableReferences, name)
}

// referencePath records the variable p reads, if any.
func (c *compiler) referencePath(p *jsonpath.Path) {
	if p != nil && p.Root() == jsonpath.RootVariable {
		c.reference(p.Variable())
	}
}

// referenceCall records the variables read by the arguments of call and of
// the calls nested in it.
func (c *compiler) referenceCall(call *intrinsic.Call) {
	if call == nil {
		return
	}
	for i := range call.Args {
		c.referencePath(call.Args[i].Path)
		c.referenceCall(call.Args[i].Call)
	}
}

// referenceExpr records the workflow variables read by the parse tree of a
// JSONata expression.
func (c *compiler) referenceExpr(root *jsonata.Node) {
	for _, name := range jsonata.FreeVariables(root) {
		c.reference(name)
	}
}

// readerConfigReferences records the variables an ItemReader's
// ReaderConfig reads. stepd keeps ReaderConfig as written (it does not
// read items from a resource), so its MaxItemsPath (JSONPath) or "{% %}"
// values (JSONata) are only looked at here, and not validated.
func (c *compiler) readerConfigReferences(s *State, v any) {
	o, ok := v.(*jsonv.Object)
	if !ok {
		return
	}
	if s.QueryLanguage == JSONPath {
		if str, ok := o.Get("MaxItemsPath"); ok {
			if str, ok := str.(string); ok && strings.HasPrefix(str, "$") {
				if p, err := jsonpath.Compile(str); err == nil {
					c.referencePath(p)
				}
			}
		}
		return
	}
	p, ok := c.opts.JSONata.(jsonata.Parser)
	if !ok {
		return
	}
	for i := 0; i < o.Len(); i++ {
		_, val := o.At(i)
		if str, ok := val.(string); ok {
			if src, ok := jsonataSource(str); ok {
				if root, err := p.Parse(src); err == nil {
					c.referenceExpr(root)
				}
			}
		}
	}
}
