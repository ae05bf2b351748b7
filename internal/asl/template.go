package asl

import (
	"strconv"
	"strings"

	"stepd/internal/intrinsic"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// NodeKind says what a template node computes.
type NodeKind uint8

// The template node kinds.
const (
	NodeLiteral NodeKind = iota // a fixed value (possibly a whole static subtree)
	NodePath                    // a JSONPath ("key.$": "$.x", "$$.x", "$var")
	NodeCall                    // an intrinsic function ("key.$": "States.Format(...)")
	NodeExpr                    // a JSONata expression ("{% ... %}")
	NodeObject                  // an object with at least one dynamic member
	NodeArray                   // an array with at least one dynamic element
)

// Node is one node of a compiled template.
type Node struct {
	Kind    NodeKind
	Literal any             // NodeLiteral
	Path    *jsonpath.Path  // NodePath
	Call    *intrinsic.Call // NodeCall
	Expr    JSONataExpr     // NodeExpr
	Source  string          // the path, call or expression text
	// Field names where this node sits, for error messages: the key as
	// written ("value.$") for JSONPath; the slash-separated location inside
	// the field ("Output/result") for JSONata.
	Field string
	Keys  []string // NodeObject: output keys (".$" stripped), in order
	Items []*Node  // NodeObject values (parallel to Keys) or NodeArray elements
}

// Template is a compiled payload template: Parameters, ResultSelector,
// ItemSelector, Assign, Credentials (JSONPath) or Arguments, Output, Assign,
// Items, ... (JSONata). Static parts are folded into literal nodes when the
// definition is compiled, so evaluation only does the dynamic work.
type Template struct {
	Root *Node
}

// IsStatic reports whether the template evaluates to a fixed value.
func (t *Template) IsStatic() bool { return t.Root.Kind == NodeLiteral }

// JSONataExpr is a compiled JSONata expression; the jsonata package's Expr
// satisfies it.
type JSONataExpr interface {
	Source() string
}

// pathOrCall classifies a ".$" value: a path (input, context or variable) or
// an intrinsic function call. AWS reports a bad one at the object that holds
// the field (measured, cfn-lint #4085).
func (c *compiler) pathOrCall(s string, container path, field string) *Node {
	if intrinsic.IsCall(s) {
		call, err := intrinsic.Parse(s)
		if err != nil {
			c.errorf(CodeSchema, container, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call (%v)", field, err)
			return nil
		}
		c.referenceCall(call)
		return &Node{Kind: NodeCall, Call: call, Source: s, Field: field}
	}
	p, err := jsonpath.Compile(s)
	if err != nil {
		c.errorf(CodeSchema, container, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call (%v)", field, err)
		return nil
	}
	c.referencePath(p)
	return &Node{Kind: NodePath, Path: p, Source: s, Field: field}
}

// jsonPathTemplate compiles a JSONPath payload template: keys ending in ".$"
// hold paths or intrinsic calls, everything else is literal.
func (c *compiler) jsonPathTemplate(v any, loc path) *Template {
	n := c.jsonPathNode(v, loc)
	if n == nil {
		n = &Node{Kind: NodeLiteral}
	}
	return &Template{Root: n}
}

func (c *compiler) jsonPathNode(v any, loc path) *Node {
	switch x := v.(type) {
	case *jsonv.Object:
		n := &Node{Kind: NodeObject}
		dynamic := false
		seen := make(map[string]string, x.Len())
		for i := 0; i < x.Len(); i++ {
			k, val := x.At(i)
			child := loc.key(k)
			out := k
			var node *Node
			if base, ok := strings.CutSuffix(k, ".$"); ok {
				out = base
				s, isStr := val.(string)
				if !isStr {
					c.errorf(CodeSchema, loc, "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call", k)
					continue
				}
				node = c.pathOrCall(s, loc, k)
				if node == nil {
					continue
				}
				dynamic = true
			} else {
				node = c.jsonPathNode(val, child)
				if node.Kind != NodeLiteral {
					dynamic = true
				}
			}
			if prev, dup := seen[out]; dup {
				c.errorf(CodeSchema, loc, "The fields '%s' and '%s' both produce the key '%s'", prev, k, out)
				continue
			}
			seen[out] = k
			n.Keys = append(n.Keys, out)
			n.Items = append(n.Items, node)
		}
		if !dynamic {
			return &Node{Kind: NodeLiteral, Literal: foldObject(n)}
		}
		return n
	case []any:
		n := &Node{Kind: NodeArray}
		dynamic := false
		for i, e := range x {
			node := c.jsonPathNode(e, loc.index(i))
			if node.Kind != NodeLiteral {
				dynamic = true
			}
			n.Items = append(n.Items, node)
		}
		if !dynamic {
			return &Node{Kind: NodeLiteral, Literal: foldArray(n)}
		}
		return n
	default:
		return &Node{Kind: NodeLiteral, Literal: v}
	}
}

// jsonataTemplate compiles a JSONata template: any string of the form
// "{% expr %}", at any depth, is an expression; everything else is literal.
// field is the state field ("Output", "Arguments", "Assign", ...) used in
// error locations such as "Output/result".
func (c *compiler) jsonataTemplate(v any, loc path, field string) *Template {
	return &Template{Root: c.jsonataNode(v, loc, field)}
}

func (c *compiler) jsonataNode(v any, loc path, field string) *Node {
	switch x := v.(type) {
	case string:
		src, ok := jsonataSource(x)
		if !ok {
			return &Node{Kind: NodeLiteral, Literal: x}
		}
		// Without a JSONata engine the expression keeps a nil Expr, so that
		// evaluating it fails loudly instead of yielding a literal.
		e := c.compileJSONata(src, loc)
		return &Node{Kind: NodeExpr, Expr: e, Source: src, Field: field}
	case *jsonv.Object:
		n := &Node{Kind: NodeObject}
		dynamic := false
		for i := 0; i < x.Len(); i++ {
			k, val := x.At(i)
			node := c.jsonataNode(val, loc.key(k), field+"/"+k)
			if node.Kind != NodeLiteral {
				dynamic = true
			}
			n.Keys = append(n.Keys, k)
			n.Items = append(n.Items, node)
		}
		if !dynamic {
			return &Node{Kind: NodeLiteral, Literal: x}
		}
		return n
	case []any:
		n := &Node{Kind: NodeArray}
		dynamic := false
		for i, e := range x {
			node := c.jsonataNode(e, loc.index(i), field+"/"+strconv.Itoa(i))
			if node.Kind != NodeLiteral {
				dynamic = true
			}
			n.Items = append(n.Items, node)
		}
		if !dynamic {
			return &Node{Kind: NodeLiteral, Literal: x}
		}
		return n
	default:
		return &Node{Kind: NodeLiteral, Literal: v}
	}
}

// jsonataSource returns the expression inside "{% ... %}" and whether s has
// that form. AWS requires the delimiters to be the very first and last
// characters.
func jsonataSource(s string) (string, bool) {
	if len(s) >= 4 && strings.HasPrefix(s, "{%") && strings.HasSuffix(s, "%}") {
		return strings.TrimSpace(s[2 : len(s)-2]), true
	}
	return "", false
}

// IsJSONataExpression reports whether s is a "{% ... %}" expression.
func IsJSONataExpression(s string) bool {
	_, ok := jsonataSource(s)
	return ok
}

func foldObject(n *Node) *jsonv.Object {
	o := jsonv.NewObject(len(n.Keys))
	for i, k := range n.Keys {
		o.Set(k, n.Items[i].Literal)
	}
	return o
}

func foldArray(n *Node) []any {
	out := make([]any, len(n.Items))
	for i, it := range n.Items {
		out[i] = it.Literal
	}
	return out
}
