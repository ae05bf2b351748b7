package jsonata

import (
	"context"
	"strings"

	"stepd/internal/jsonv"
)

// pathExpr evaluates the most common Step Functions expressions — a
// variable followed by field names, such as $states.input.order.id or
// $total — natively in Go, without a JavaScript VM. It follows JSONata's
// semantics for them: a missing field, or a field of something that is not
// an object, is undefined; the value at the end is returned as it is
// (arrays included). When the walk meets an array before the end, where
// JSONata maps the rest of the path over the elements, or when the variable
// is not bound (it may be a function), the expression is evaluated by the
// full engine instead.
type pathExpr struct {
	src      string
	variable string
	steps    []string
	full     *gojaExpr
}

func (x *pathExpr) Source() string { return x.src }

// Eval implements Expr.
func (x *pathExpr) Eval(ctx context.Context, input any, bindings map[string]any) (any, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	cur, ok := bindings[x.variable]
	if !ok || cur == Undefined {
		return x.full.Eval(ctx, input, bindings)
	}
	for _, step := range x.steps {
		switch v := cur.(type) {
		case *jsonv.Object:
			next, found := v.Get(step)
			if !found {
				return nil, false, nil
			}
			cur = next
		case []any:
			return x.full.Eval(ctx, input, bindings)
		default:
			return nil, false, nil
		}
	}
	return cur, true, nil
}

// parsePath recognises "$name(.field)*" where each field is an identifier
// or a backquoted name; ok is false for anything else.
func parsePath(src string) (variable string, steps []string, ok bool) {
	s := strings.TrimSpace(src)
	if len(s) < 2 || s[0] != '$' {
		return "", nil, false
	}
	i := 1
	name, n := ident(s[i:])
	if n == 0 {
		return "", nil, false
	}
	i += n
	for i < len(s) {
		if s[i] != '.' {
			return "", nil, false
		}
		i++
		if i < len(s) && s[i] == '`' {
			end := strings.IndexByte(s[i+1:], '`')
			if end <= 0 {
				return "", nil, false
			}
			steps = append(steps, s[i+1:i+1+end])
			i += end + 2
			continue
		}
		field, n := ident(s[i:])
		if n == 0 {
			return "", nil, false
		}
		steps = append(steps, field)
		i += n
	}
	return name, steps, true
}

// ident returns the identifier at the start of s: ASCII letters, digits and
// '_', not starting with a digit; words JSONata treats as operators or
// literals are not identifiers.
func ident(s string) (string, int) {
	n := 0
	for n < len(s) {
		c := s[n]
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (n > 0 && c >= '0' && c <= '9') {
			n++
			continue
		}
		break
	}
	switch s[:n] {
	case "and", "or", "in", "true", "false", "null":
		return "", 0
	}
	return s[:n], n
}
