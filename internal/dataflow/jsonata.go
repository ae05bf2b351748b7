package dataflow

import (
	"context"
	"errors"

	"stepd/internal/asl"
	"stepd/internal/jsonata"
	"stepd/internal/jsonv"
)

// jsonataExpr is what a compiled JSONata expression offers for evaluation;
// the jsonata package's expressions implement it.
type jsonataExpr interface {
	Eval(ctx context.Context, input any, bindings map[string]any) (any, bool, error)
}

// bindings builds the JSONata variable bindings: $states and every visible
// workflow variable.
func (e *Env) bindings() map[string]any {
	states := jsonv.NewObject(4)
	states.Set("input", e.StateInput)
	states.Set("context", e.context())
	if e.HasResult {
		states.Set("result", e.Result)
	}
	if e.HasErrorOutput {
		states.Set("errorOutput", e.ErrorOutput)
	}
	b := map[string]any{"states": states}
	if e.Vars != nil {
		e.Vars.Each(func(name string, v any) { b[name] = v })
	}
	return b
}

// JSONata evaluates a JSONata template (Arguments, Output, Assign, Items,
// ...). Any failure is a States.QueryEvaluationError whose cause follows
// AWS's wording and whose Location names the field ("Output/result").
func JSONata(t *asl.Template, env *Env) (any, error) {
	if t == nil {
		return nil, nil
	}
	var b map[string]any
	return jsonataNode(t.Root, env, &b)
}

func jsonataNode(n *asl.Node, env *Env, b *map[string]any) (any, error) {
	switch n.Kind {
	case asl.NodeLiteral:
		return n.Literal, nil
	case asl.NodeExpr:
		if *b == nil {
			*b = env.bindings()
		}
		return evalExpr(n, env, *b)
	case asl.NodeObject:
		o := jsonv.NewObject(len(n.Keys))
		for i, k := range n.Keys {
			v, err := jsonataNode(n.Items[i], env, b)
			if err != nil {
				return nil, err
			}
			o.Set(k, v)
		}
		return o, nil
	case asl.NodeArray:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			v, err := jsonataNode(it, env, b)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, &Failure{Name: asl.ErrQueryEvaluationError, Cause: "JSONPath constructs cannot be evaluated in a JSONata state"}
}

func evalExpr(n *asl.Node, env *Env, b map[string]any) (any, error) {
	fail := func(format string, args ...any) error {
		return &Failure{Name: asl.ErrQueryEvaluationError, Location: n.Field,
			Cause: sprintf("The JSONata expression '%s' specified for the field '%s' ", n.Source, n.Field) + sprintf(format, args...)}
	}
	ev, ok := n.Expr.(jsonataExpr)
	if !ok || n.Expr == nil {
		return nil, fail("could not be evaluated: JSONata is not available")
	}
	v, defined, err := ev.Eval(env.ctx(), nil, b)
	switch {
	case errors.Is(err, jsonata.ErrUnsupportedResult):
		return nil, fail("returned an unsupported result type.")
	case err != nil:
		return nil, fail("threw an error during evaluation. %s", err.Error())
	case !defined:
		return nil, fail("returned nothing (undefined).")
	}
	return v, nil
}

// TypeError is the QueryEvaluationError for an expression whose result has
// the wrong JSON type for its field, in AWS's words.
func TypeError(t *asl.Template, field, want string, got any) error {
	src := ""
	if t != nil && t.Root.Kind == asl.NodeExpr {
		src = t.Root.Source
	}
	return &Failure{Name: asl.ErrQueryEvaluationError, Location: field,
		Cause: sprintf("The JSONata expression '%s' specified for the field '%s' returned an unexpected result type. Expected '%s', but was '%s' for value: %s",
			src, field, want, jsonv.TypeName(got), jsonv.Marshal(got))}
}
