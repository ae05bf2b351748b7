package dataflow

import (
	"stepd/internal/asl"
	"stepd/internal/jsonv"
)

// The fields below take a literal, a JSONPath (their …Path form), an
// intrinsic function or a JSONata expression, and check what they give
// with AWS's runtime errors (aws-semantics.md §1.4).

// Value evaluates such a field against a state's input.
func Value(d asl.Dyn, input any, env *Env) (any, error) {
	switch {
	case d.Expr != nil:
		return JSONata(d.Expr, env)
	case d.Call != nil:
		return Intrinsic(d.Call, input, env)
	case d.Path != nil:
		return Get(d.Path, input, env)
	}
	return d.Literal, nil
}

// StringField evaluates a Fail state's Error or Cause: absent gives nil.
func StringField(d asl.Dyn, input any, env *Env) (*string, error) {
	if !d.Set {
		return nil, nil
	}
	v, err := Value(d, input, env)
	if err != nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		if d.Expr != nil {
			return nil, TypeError(d.Expr, d.Field, "string", v)
		}
		what := jsonv.Marshal(v)
		if d.Path != nil {
			what = d.Path.String() + " == " + what
		}
		return nil, runtimeError("The %s field must reference a string: %s", d.Field, what)
	}
	return &s, nil
}

// Seconds evaluates TimeoutSeconds or HeartbeatSeconds (or their Path
// forms): a positive integer, 0 when absent.
func Seconds(d asl.Dyn, input any, env *Env) (int64, error) {
	if !d.Set {
		return 0, nil
	}
	v, err := Value(d, input, env)
	if err != nil {
		return 0, err
	}
	n, ok := jsonv.AsInt(v)
	switch {
	case d.Expr != nil && (!ok || n <= 0):
		return 0, TypeError(d.Expr, d.Field, "integer", v)
	case d.Path != nil && (!ok || n <= 0):
		return 0, runtimeError("The %s parameter does not reference a positive integer: %s == %s", d.Field, d.Path.String(), jsonv.Marshal(v))
	}
	return n, nil
}

// MapInt evaluates MaxConcurrency, ToleratedFailureCount, MaxItemsPerBatch
// or MaxInputBytesPerBatch (or their Path forms): a non-negative integer,
// 0 when absent. field names it in errors.
func MapInt(d asl.Dyn, input any, env *Env, field string) (int, error) {
	if !d.Set {
		return 0, nil
	}
	v, err := Value(d, input, env)
	if err != nil {
		return 0, err
	}
	switch {
	case d.Expr != nil:
		n, ok := jsonv.AsInt(v)
		if !ok || n < 0 {
			return 0, TypeError(d.Expr, field, "integer", v)
		}
		return int(n), nil
	case d.Path != nil:
		n, ok := v.(int64)
		if !ok {
			return 0, runtimeError("The %sPath field refers to value %s which is not a valid integer: %s", field, quoteValue(v), d.Path.String())
		}
		if n < 0 {
			return 0, runtimeError("%s cannot be negative.", field)
		}
		return int(n), nil
	}
	n, _ := jsonv.AsInt(v)
	return int(n), nil
}

// MapPercent evaluates ToleratedFailurePercentage (or its Path form): a
// number from 0 to 100.
func MapPercent(d asl.Dyn, input any, env *Env) (float64, error) {
	v, err := Value(d, input, env)
	if err != nil {
		return 0, err
	}
	p, ok := jsonv.AsFloat(v)
	if !ok {
		return 0, runtimeError("The ToleratedFailurePercentagePath field refers to value %s which is not a valid number", quoteValue(v))
	}
	if p < 0 || p > 100 {
		return 0, runtimeError("ToleratedFailurePercentage must be between 0 and 100.")
	}
	return p, nil
}

// quoteValue quotes a value as AWS's Map errors do.
func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return `"` + s + `"`
	}
	return `"` + jsonv.Marshal(v) + `"`
}
