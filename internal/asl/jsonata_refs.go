package asl

import (
	"fmt"

	"stepd/internal/jsonata"
)

// Static checks of what a JSONata expression reads, as AWS makes them when a
// definition is created or validated (UNSUPPORTED_JSONATA_EXPRESSION, one
// diagnostic per distinct reference, in the order written, at the field's
// location). Measured against AWS by the floci project (issues #2670 and
// #2745, PRs #2699 and #2786, and their tests; the errorOutput message is
// also quoted from AWS in sst issue #6110), with these messages:
//
//	Reference to 'phone' at the top level is not supported.
//	Reference to '$' at the top level is not supported.
//	Reference to '$$' is not supported.
//	Field '$states.errorOutput' does not exist.
//
// An expression runs with no context item: the state input is
// $states.input and variables are $name. So a path whose first step is a
// field name reads from nothing, and so does $ itself; AWS refuses both
// where they are evaluated against that top-level context. A name anywhere
// else is fine: in a later step of a path, in a predicate, sort term,
// grouping or transform (they run against the value before them), and as
// the name of a function. A lambda body does count: it keeps the context
// of the expression that defines it, so $map(x, function($v){ phone })
// names phone (measured). Undefined $variables are accepted.
//
// $$, $states.errorOutput and $states.result are reported wherever they
// appear, nested or not: $$ always means the absent input document, and
// $states is the same binding everywhere in an expression. (floci measured
// them at the top level; nested positions follow the same reading of the
// ASL specification but were not measured.) $states.errorOutput is only
// available in a catcher's own Output and Assign. $states.result is only
// available in the top-level Output and Assign of Task, Map and Parallel
// states (ASL specification; AWS developer guide). No source gives AWS's
// wording for a misplaced $states.result; stepd uses the errorOutput
// message's form, "Field '$states.result' does not exist.". Other $states
// members ($states.input, $states.context, and unknown ones such as
// $states.error, which floci measured as accepted) are not checked.

// statesFields is a set of the $states members that exist only in some
// fields.
type statesFields uint8

// The members of $states that only some fields can read.
const (
	// statesResult is $states.result: the top-level Output and Assign of
	// Task, Map and Parallel states.
	statesResult statesFields = 1 << iota
	// statesErrorOutput is $states.errorOutput: a catcher's Output and
	// Assign.
	statesErrorOutput
)

// resultFields returns the members available in the top-level Output and
// Assign of a state of type t.
func resultFields(t StateType) statesFields {
	switch t {
	case TypeTask, TypeMap, TypeParallel:
		return statesResult
	}
	return 0
}

// withStates runs compile with the given $states members available to the
// JSONata expressions it compiles.
func (c *compiler) withStates(available statesFields, compile func()) {
	saved := c.jsonataStates
	c.jsonataStates = available
	defer func() { c.jsonataStates = saved }()
	compile()
}

// checkJSONataReferences reports the references AWS refuses in src, an
// expression that compiled, and records the workflow variables it reads
// (see varrefs.go). It needs an engine that returns parse trees
// (jsonata.Parser); with another engine nothing is checked or recorded.
func (c *compiler) checkJSONataReferences(src string, at path) {
	p, ok := c.opts.JSONata.(jsonata.Parser)
	if !ok {
		return
	}
	root, err := p.Parse(src)
	if err != nil {
		return // the expression compiled; a failure here is the engine's, not the definition's
	}
	for _, msg := range unsupportedReferences(root, c.jsonataStates) {
		c.errorf(CodeUnsupportedJSONata, at, "%s", msg)
	}
	c.referenceExpr(root)
}

// unsupportedReferences returns AWS's messages for the references root
// makes that are not available, given the $states members available,
// without duplicates, in the order written.
func unsupportedReferences(root *jsonata.Node, available statesFields) []string {
	var out []string
	seen := map[string]bool{}
	report := func(msg string) {
		if !seen[msg] {
			seen[msg] = true
			out = append(out, msg)
		}
	}
	stack := []refItem{{root, true}}
	var kids []refItem
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		if n == nil {
			continue
		}
		switch n.Type {
		case "name":
			if it.top {
				report(fmt.Sprintf("Reference to '%v' at the top level is not supported.", n.Value))
			}
		case "variable":
			switch n.Value {
			case "":
				if it.top {
					report("Reference to '$' at the top level is not supported.")
				}
			case "$": // $$ parses as the variable named "$"
				report("Reference to '$$' is not supported.")
			}
		case "path":
			switch statesMember(n) {
			case "errorOutput":
				if available&statesErrorOutput == 0 {
					report("Field '$states.errorOutput' does not exist.")
				}
			case "result":
				if available&statesResult == 0 {
					report("Field '$states.result' does not exist.")
				}
			}
		}
		kids = referenceChildren(n, it.top, kids[:0])
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
	return out
}

// refItem is a node to check and whether it is evaluated against the
// top-level context.
type refItem struct {
	n   *jsonata.Node
	top bool
}

// statesMember returns the member a path reads from $states ("result" for
// $states.result.Payload), or "" when the path does not start at $states.
func statesMember(p *jsonata.Node) string {
	if len(p.Steps) < 2 {
		return ""
	}
	first, second := p.Steps[0], p.Steps[1]
	if first == nil || second == nil || first.Type != "variable" || first.Value != "states" || second.Type != "name" {
		return ""
	}
	s, _ := second.Value.(string)
	return s
}

// referenceChildren appends n's children to out in the order written, each
// marked with whether it is evaluated against the top-level context: only
// when n is, and only in the positions that keep n's context (see the
// comment at the top of the file).
func referenceChildren(n *jsonata.Node, top bool, out []refItem) []refItem {
	add := func(top bool, ns ...*jsonata.Node) {
		for _, c := range ns {
			out = append(out, refItem{c, top})
		}
	}
	addPairs := func(top bool, ps []jsonata.Pair) {
		for _, p := range ps {
			add(top, p.Key, p.Value)
		}
	}
	switch n.Type {
	case "path":
		for i, s := range n.Steps {
			add(top && i == 0, s)
		}
	case "unary":
		add(top, n.Expressions...)
		addPairs(top, n.Pairs)
		add(top, n.Expression)
	case "binary", "apply":
		add(top, n.LHS, n.RHS)
	case "bind":
		add(top, n.RHS) // LHS is the variable being bound
	case "function", "partial":
		add(top, n.Procedure)
		add(top, n.Arguments...)
	case "lambda":
		add(top, n.Body) // the parameters are variables, not references
	case "condition":
		add(top, n.Condition, n.Then, n.Else)
	case "block":
		add(top, n.Expressions...)
	case "transform":
		add(false, n.Pattern, n.Update, n.Delete)
	case "sort":
		for _, t := range n.Terms {
			add(false, t.Expression)
		}
	case "filter":
		add(false, n.Expression)
	}
	// Predicates and groupings run against the value they filter or group.
	add(false, n.Predicate...)
	add(false, n.Stages...)
	addPairs(false, n.Group)
	return out
}
