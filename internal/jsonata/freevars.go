package jsonata

// FreeVariables returns the names (without "$") of the variables root
// reads that the expression does not bind itself, each once, in the order
// first written. These are the variables the expression expects from its
// environment: in Step Functions, the workflow variables and $states.
//
// Not counted: the context item $ and the root $$; a variable in a
// called position, $f(...), $f(?) or x ~> $f, since a call names a
// function (a built-in such as $not, or a local lambda), never a JSON
// value; and the variables bound inside the expression: by $x := ... in
// the same block (or lambda body, or the whole expression), anywhere in
// that block, since a lambda defined before the binding can still read it;
// by a lambda's parameters, in its body; by a path step's @$v and #$i, in
// the rest of that path.
func FreeVariables(root *Node) []string {
	if root == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	type item struct {
		n     *Node
		scope *varScope
	}
	stack := []item{{root, newScope(nil, root)}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n, scope := it.n, it.scope
		if n == nil {
			continue
		}
		var kids []*Node
		switch n.Type {
		case "variable":
			name, _ := n.Value.(string)
			if name != "" && name != "$" && !scope.binds(name) && !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
			kids = n.Children() // its predicates, stages and grouping
		case "bind":
			kids = append(kids, n.RHS) // the LHS is bound (see newScope), not read
		case "block":
			scope = newScope(scope, n.Expressions...)
			kids = n.Children()
		case "lambda":
			scope = newScope(scope, n.Body)
			for _, p := range n.Arguments {
				if p != nil && p.Type == "variable" {
					name, _ := p.Value.(string)
					scope.add(name)
				}
			}
			kids = []*Node{n.Body}
		case "function", "partial":
			if n.Procedure == nil || n.Procedure.Type != "variable" {
				kids = append(kids, n.Procedure)
			} else {
				// The called variable is not a reference; what is
				// attached to it is.
				kids = append(kids, n.Procedure.Children()...)
			}
			kids = append(kids, n.Arguments...)
		case "apply":
			kids = append(kids, n.LHS)
			if n.RHS == nil || n.RHS.Type != "variable" {
				kids = append(kids, n.RHS)
			}
		case "path":
			var local *varScope
			for _, s := range n.Steps {
				if s == nil {
					continue
				}
				for _, v := range []string{s.Focus, s.Index} {
					if v != "" {
						if local == nil {
							local = &varScope{parent: scope}
						}
						local.add(v)
					}
				}
			}
			if local != nil {
				scope = local
			}
			kids = n.Children()
		default:
			kids = n.Children()
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, item{kids[i], scope})
		}
	}
	return out
}

// varScope is a frame of variables bound inside an expression.
type varScope struct {
	names  []string
	parent *varScope
}

// newScope returns a frame under parent holding the variables that the
// nodes bind with := directly: not inside a nested block or lambda, which
// have frames of their own.
func newScope(parent *varScope, nodes ...*Node) *varScope {
	s := &varScope{parent: parent}
	stack := append([]*Node(nil), nodes...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil || n.Type == "block" || n.Type == "lambda" {
			continue
		}
		if n.Type == "bind" && n.LHS != nil && n.LHS.Type == "variable" {
			name, _ := n.LHS.Value.(string)
			s.add(name)
		}
		stack = append(stack, n.Children()...)
	}
	return s
}

func (s *varScope) add(name string) {
	if name != "" {
		s.names = append(s.names, name)
	}
}

// binds reports whether name is bound in s or an enclosing frame.
func (s *varScope) binds(name string) bool {
	for ; s != nil; s = s.parent {
		for _, n := range s.names {
			if n == name {
				return true
			}
		}
	}
	return false
}
