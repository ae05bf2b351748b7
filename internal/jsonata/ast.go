package jsonata

import (
	"context"
	"errors"
	"fmt"

	"stepd/internal/jsonv"
)

// Parser is implemented by engines that expose the parse tree of an
// expression. It is separate from Engine so that engines without one still
// satisfy Engine; callers check for it with a type assertion.
type Parser interface {
	// Parse checks the syntax of expr, as Compile does, and returns its
	// parse tree. Syntax errors are *Error, as from Compile.
	Parse(expr string) (*Node, error)
}

var _ Parser = (*GojaEngine)(nil)

// Node is one node of the parse tree of an expression: the tree jsonata.js
// evaluates (its expr.ast()), after the parser's own rewriting. Among those
// rewrites: a lone field name becomes a one-step path; "a.b.c" is one path
// node with three steps; a predicate moves onto the step it filters
// (Predicate for a step outside a path, Stages for a step in one); a string
// literal used as a path step becomes a name; a grouping a{k: v} is attached
// to its step (Group); unary minus on a number literal is folded into the
// number; a lambda body that is a function call is wrapped in a "thunk"
// lambda with no parameters.
//
// Only the fields the node's Type uses are set. The tree is acyclic, but a
// subtree may in principle be shared by two parents.
type Node struct {
	// Type is jsonata.js's node type: "path", "name", "variable",
	// "string", "number", "value", "regex", "wildcard", "descendant",
	// "parent", "binary", "unary", "function", "partial", "lambda",
	// "condition", "block", "bind", "apply", "transform", "sort", "filter",
	// "index" or "operator" (the "?" placeholder of a partial application).
	Type string
	// Value is, by Type: the field name (name); the variable name without
	// its "$" (variable: "" for the context item $, "$" for $$); the text
	// (string); an int64 or float64 (number); true, false or nil (value);
	// "/pattern/flags" (regex); the operator (binary, unary, bind, apply,
	// and "(" for function and partial); the variable name (index, the
	// stage written #$i); "?" (operator). Otherwise nil. A regex carries the
	// flags of the RegExp jsonata.js built, which always include "g".
	Value any
	// Position is the character position jsonata.js recorded for the node
	// (usually just after its token), or 0 when it recorded none.
	Position int

	Steps       []*Node // path: the steps, in order
	LHS, RHS    *Node   // binary, bind (LHS is the variable), apply
	Expression  *Node   // unary other than "[" and "{"; filter: the predicate
	Expressions []*Node // unary "[" (array constructor), block
	Pairs       []Pair  // unary "{" (object constructor)
	Procedure   *Node   // function, partial: what is called
	Arguments   []*Node // function, partial: the arguments; lambda: the parameters (variables)
	Body        *Node   // lambda
	Condition   *Node   // condition: cond ? then : else
	Then, Else  *Node
	Pattern     *Node // transform: |pattern|update, delete|
	Update      *Node
	Delete      *Node
	Terms       []SortTerm // sort: the terms of ^(...)
	// Predicate holds the filters of a step outside a path ($x[0]), Stages
	// the filters and index bindings (#$i) of a step in a path.
	Predicate []*Node
	Stages    []*Node
	// Group is the grouping a{k: v} applied to the node.
	Group []Pair
	// Focus and Index are the variables a step binds with @$v and #$i.
	Focus, Index string
}

// Pair is a key/value pair of an object constructor or a grouping.
type Pair struct {
	Key, Value *Node
}

// SortTerm is one term of a sort step.
type SortTerm struct {
	Descending bool
	Expression *Node
}

// Children returns n's child nodes in the order they are written: the
// node's own operands, then the filters, index stages and grouping attached
// to it. Lambda parameters and the variable a bind assigns are included.
func (n *Node) Children() []*Node {
	if n == nil {
		return nil
	}
	var out []*Node
	add := func(ns ...*Node) {
		for _, c := range ns {
			if c != nil {
				out = append(out, c)
			}
		}
	}
	addPairs := func(ps []Pair) {
		for _, p := range ps {
			add(p.Key, p.Value)
		}
	}
	add(n.Procedure)
	add(n.Arguments...)
	add(n.LHS)
	addPairs(n.Pairs)
	add(n.RHS, n.Expression)
	add(n.Expressions...)
	add(n.Steps...)
	add(n.Body, n.Condition, n.Then, n.Else, n.Pattern, n.Update, n.Delete)
	for _, t := range n.Terms {
		add(t.Expression)
	}
	add(n.Predicate...)
	add(n.Stages...)
	addPairs(n.Group)
	return out
}

// Walk visits n and its descendants depth-first, each node before its
// children, children in the order Children gives. When visit returns
// false, the node's children are skipped. Walk does not recurse, so any
// depth is safe.
func Walk(n *Node, visit func(*Node) bool) {
	if n == nil {
		return
	}
	stack := []*Node{n}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !visit(x) {
			continue
		}
		kids := x.Children()
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
}

// astRequest in an evaluation request's guard asks runtime.js for the parse
// tree instead of an evaluation (see the end of runtime.js). The test-suite
// guard only uses positive values.
const astRequest = -1

// Parse implements Parser. The expression is compiled (and cached) on one
// VM, as Compile does, and its tree copied out.
func (e *GojaEngine) Parse(expr string) (*Node, error) {
	v, _, err := e.eval(context.Background(), expr, Undefined, nil, guard{timeoutMillis: astRequest})
	if err != nil {
		return nil, err
	}
	return decodeAST(v)
}

// errBadTree reports a parse tree runtime.js should not have produced.
var errBadTree = errors.New("jsonata: malformed parse tree")

// decodeAST builds the tree from runtime.js's flat encoding: an array of
// node records whose child fields are indices into the array, the root
// first. Every child must come after its parent, which rules out cycles.
func decodeAST(v any) (*Node, error) {
	records, ok := v.([]any)
	if !ok || len(records) == 0 {
		return nil, errBadTree
	}
	nodes := make([]*Node, len(records))
	for i := range nodes {
		nodes[i] = &Node{}
	}
	for i, r := range records {
		obj, ok := r.(*jsonv.Object)
		if !ok {
			return nil, errBadTree
		}
		d := decoder{nodes: nodes, parent: i}
		if err := d.node(nodes[i], obj); err != nil {
			return nil, fmt.Errorf("%w: node %d: %v", errBadTree, i, err)
		}
	}
	return nodes[0], nil
}

// decoder resolves the child indices of one record.
type decoder struct {
	nodes  []*Node
	parent int
}

func (d decoder) node(n *Node, obj *jsonv.Object) error {
	var err error
	// child resolves one index; the first failure is kept in err.
	child := func(v any) *Node {
		i, ok := jsonv.AsInt(v)
		if !ok || i <= int64(d.parent) || i >= int64(len(d.nodes)) {
			if err == nil {
				err = fmt.Errorf("bad child index %v", v)
			}
			return nil
		}
		return d.nodes[i]
	}
	list := func(v any) []*Node {
		items, _ := v.([]any)
		out := make([]*Node, len(items))
		for i, x := range items {
			out[i] = child(x)
		}
		return out
	}
	pairs := func(v any) []Pair {
		items, _ := v.([]any)
		out := make([]Pair, len(items))
		for i, x := range items {
			p, ok := x.([]any)
			if !ok || len(p) != 2 {
				if err == nil {
					err = fmt.Errorf("bad pair %v", jsonv.Marshal(x))
				}
				continue
			}
			out[i] = Pair{Key: child(p[0]), Value: child(p[1])}
		}
		return out
	}
	for i := 0; i < obj.Len(); i++ {
		k, v := obj.At(i)
		switch k {
		case "type":
			n.Type, _ = v.(string)
		case "value":
			n.Value = v
		case "position":
			p, _ := jsonv.AsInt(v)
			n.Position = int(p)
		case "steps":
			n.Steps = list(v)
		case "lhs":
			n.LHS = child(v)
		case "rhs":
			n.RHS = child(v)
		case "expression":
			n.Expression = child(v)
		case "expressions":
			n.Expressions = list(v)
		case "pairs":
			n.Pairs = pairs(v)
		case "procedure":
			n.Procedure = child(v)
		case "arguments":
			n.Arguments = list(v)
		case "body":
			n.Body = child(v)
		case "condition":
			n.Condition = child(v)
		case "then":
			n.Then = child(v)
		case "else":
			n.Else = child(v)
		case "pattern":
			n.Pattern = child(v)
		case "update":
			n.Update = child(v)
		case "delete":
			n.Delete = child(v)
		case "terms":
			items, _ := v.([]any)
			n.Terms = make([]SortTerm, len(items))
			for j, x := range items {
				t, ok := x.([]any)
				if !ok || len(t) != 2 {
					if err == nil {
						err = fmt.Errorf("bad sort term %v", jsonv.Marshal(x))
					}
					continue
				}
				desc, _ := t[0].(bool)
				n.Terms[j] = SortTerm{Descending: desc, Expression: child(t[1])}
			}
		case "predicate":
			n.Predicate = list(v)
		case "stages":
			n.Stages = list(v)
		case "group":
			n.Group = pairs(v)
		case "focus":
			n.Focus, _ = v.(string)
		case "index":
			n.Index, _ = v.(string)
		}
	}
	return err
}
