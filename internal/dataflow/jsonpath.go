package dataflow

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"stepd/internal/asl"
	"stepd/internal/intrinsic"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

var sprintf = fmt.Sprintf

// Get evaluates a path against input ("$"), the context object ("$$") or a
// variable ("$name"), as the path's root says. A missing value is a
// States.Runtime failure with AWS's "Invalid path" wording.
func Get(p *jsonpath.Path, input any, env *Env) (any, error) {
	root, err := pathRoot(p, input, env)
	if err != nil {
		return nil, err
	}
	v, err := p.Get(root)
	if err != nil {
		return nil, runtimeError("%s", err.Error())
	}
	return v, nil
}

// pathRoot picks the value a path is evaluated against.
func pathRoot(p *jsonpath.Path, input any, env *Env) (any, error) {
	switch p.Root() {
	case jsonpath.RootContext:
		return env.context(), nil
	case jsonpath.RootVariable:
		name := p.Variable()
		if env.Vars != nil {
			if v, ok := env.Vars.Lookup(name); ok {
				return v, nil
			}
		}
		return nil, runtimeError("Invalid path '%s': The variable '$%s' is not defined", p.String(), name)
	default:
		return input, nil
	}
}

// Payload evaluates a JSONPath payload template (Parameters, ResultSelector,
// ItemSelector, Assign, ...) with "$" bound to input.
func Payload(t *asl.Template, input any, env *Env) (any, error) {
	if t == nil {
		return input, nil
	}
	return payloadNode(t.Root, input, env)
}

func payloadNode(n *asl.Node, input any, env *Env) (any, error) {
	switch n.Kind {
	case asl.NodeLiteral:
		return n.Literal, nil
	case asl.NodePath:
		root, err := pathRoot(n.Path, input, env)
		if err != nil {
			return nil, err
		}
		v, err := n.Path.Get(root)
		if err != nil {
			var where string
			switch n.Path.Root() {
			case jsonpath.RootContext:
				where = "context object"
			case jsonpath.RootVariable:
				where = "variable"
			default:
				where = "input"
			}
			return nil, runtimeError("The JSONPath '%s' specified for the field '%s' could not be found in the %s '%s'", n.Source, n.Field, where, jsonv.Marshal(root))
		}
		return v, nil
	case asl.NodeCall:
		return Intrinsic(n.Call, input, env)
	case asl.NodeObject:
		o := jsonv.NewObject(len(n.Keys))
		for i, k := range n.Keys {
			v, err := payloadNode(n.Items[i], input, env)
			if err != nil {
				return nil, err
			}
			o.Set(k, v)
		}
		return o, nil
	case asl.NodeArray:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			v, err := payloadNode(it, input, env)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case asl.NodeExpr:
		return nil, runtimeError("a JSONata expression cannot be evaluated in a JSONPath state")
	}
	return nil, runtimeError("unknown template node")
}

// intrinsicEnv adapts Env for package intrinsic.
type intrinsicEnv struct {
	input any
	env   *Env
}

func (ie intrinsicEnv) Resolve(p *jsonpath.Path) (any, error) {
	root, err := pathRoot(p, ie.input, ie.env)
	if err != nil {
		return nil, err
	}
	return p.Get(root)
}

func (ie intrinsicEnv) Rand() *rand.Rand {
	if ie.env.Rand == nil {
		return rand.New(rand.NewPCG(1, 2))
	}
	return ie.env.Rand
}

func (ie intrinsicEnv) NewUUID() string {
	if ie.env.NewUUID == nil {
		return "00000000-0000-4000-8000-000000000000"
	}
	return ie.env.NewUUID()
}

// Intrinsic evaluates an intrinsic function call with "$" bound to input.
func Intrinsic(c *intrinsic.Call, input any, env *Env) (any, error) {
	v, err := c.Eval(intrinsicEnv{input: input, env: env})
	if err != nil {
		var ie *intrinsic.Error
		if errors.As(err, &ie) {
			return nil, &Failure{Name: ie.Name, Cause: ie.Cause}
		}
		var f *Failure
		if errors.As(err, &f) {
			return nil, f
		}
		return nil, &Failure{Name: asl.ErrRuntime, Cause: err.Error()}
	}
	return v, nil
}

// InputPath applies a state's InputPath to its raw input: nil path means "$"
// and a null InputPath gives {}.
func InputPath(s *asl.State, raw any, env *Env) (any, error) {
	if s.InputPathNull {
		return jsonv.NewObject(0), nil
	}
	if s.InputPath == nil || (s.InputPath.IsRoot() && s.InputPath.Root() == jsonpath.RootInput) {
		return raw, nil
	}
	return Get(s.InputPath, raw, env)
}

// OutputPath applies a state's OutputPath to the value after ResultPath.
func OutputPath(s *asl.State, v any, env *Env) (any, error) {
	if s.OutputPathNull {
		return jsonv.NewObject(0), nil
	}
	if s.OutputPath == nil || (s.OutputPath.IsRoot() && s.OutputPath.Root() == jsonpath.RootInput) {
		return v, nil
	}
	return Get(s.OutputPath, v, env)
}

// ResultPath merges result into the raw input as a ResultPath (or a
// catcher's ResultPath) says: nil means "$" (the result replaces the input),
// null keeps the raw input.
func ResultPath(p *jsonpath.Path, null bool, raw, result any) (any, error) {
	if null {
		return raw, nil
	}
	if p == nil || p.IsRoot() {
		return result, nil
	}
	out, err := p.Set(raw, result)
	if err != nil {
		// Reported by AWS as States.ReferencePathConflict, e.g. "Unable to
		// apply ReferencePath $.x to input \"foo\"" (third-party reports of
		// real executions; no prefix naming the state).
		var re *jsonpath.ReferenceError
		if errors.As(err, &re) {
			return nil, &Failure{Name: ErrReferencePathConflict, Cause: re.Error()}
		}
		return nil, runtimeError("%s", err.Error())
	}
	return out, nil
}

// Effective computes a state's effective input: for JSONPath InputPath,
// then Parameters; for JSONata Arguments (or the raw input without them).
// For Map it is neither: ItemSelector applies per item.
func Effective(s *asl.State, raw any, env *Env) (any, error) {
	if s.QueryLanguage == asl.JSONata {
		if s.Arguments == nil {
			return raw, nil
		}
		return JSONata(s.Arguments, env)
	}
	v, err := InputPath(s, raw, env)
	if err != nil {
		return nil, err
	}
	if s.Parameters != nil {
		return Payload(s.Parameters, v, env)
	}
	return v, nil
}

// Output computes a JSONPath state's output from its raw input and its
// result: ResultSelector, ResultPath, OutputPath.
func Output(s *asl.State, raw, result any, env *Env) (any, error) {
	var err error
	if s.ResultSelector != nil {
		if result, err = Payload(s.ResultSelector, result, env); err != nil {
			return nil, err
		}
	}
	v, err := ResultPath(s.ResultPath, s.ResultPathNull, raw, result)
	if err != nil {
		return nil, err
	}
	return OutputPath(s, v, env)
}
