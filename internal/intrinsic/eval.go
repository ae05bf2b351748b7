package intrinsic

import (
	"fmt"
	"math"

	"stepd/internal/jsonv"
)

// Eval evaluates the call. Path arguments are resolved through env; a
// resolution failure is returned unchanged. Any other failure is an *Error
// named States.IntrinsicFailure. Eval never panics: a panic inside it (a bug)
// becomes an *Error too.
func (c *Call) Eval(env Env) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, &Error{Name: FailureName, Cause: fmt.Sprintf("internal error evaluating %s: %v", c.Name, r)}
		}
	}()
	return c.eval(env)
}

func (c *Call) eval(env Env) (any, error) {
	var buf [4]any
	args := buf[:0]
	if len(c.Args) > len(buf) {
		args = make([]any, 0, len(c.Args))
	}
	for i := range c.Args {
		a := &c.Args[i]
		var v any
		var err error
		switch {
		case a.Path != nil:
			v, err = env.Resolve(a.Path)
		case a.Call != nil:
			v, err = a.Call.eval(env)
		default:
			v = a.Literal
		}
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	switch c.fn {
	case fnFormat:
		return c.format(args)
	case fnStringToJSON:
		return c.stringToJSON(args)
	case fnJSONToString:
		return jsonText(args[0]), nil
	case fnArray:
		return append(make([]any, 0, len(args)), args...), nil
	case fnArrayPartition:
		return c.arrayPartition(args)
	case fnArrayContains:
		return c.arrayContains(args)
	case fnArrayRange:
		return c.arrayRange(args)
	case fnArrayGetItem:
		return c.arrayGetItem(args)
	case fnArrayLength:
		arr, err := c.array(args, 0)
		return int64(len(arr)), err
	case fnArrayUnique:
		return c.arrayUnique(args)
	case fnBase64Encode:
		return c.base64Encode(args)
	case fnBase64Decode:
		return c.base64Decode(args)
	case fnHash:
		return c.hash(args)
	case fnJSONMerge:
		return c.jsonMerge(args)
	case fnMathRandom:
		return c.mathRandom(args, env)
	case fnMathAdd:
		return c.mathAdd(args)
	case fnStringSplit:
		return c.stringSplit(args)
	case fnUUID:
		return env.NewUUID(), nil
	}
	return nil, c.failf("not implemented")
}

// jsonText is the compact JSON text of v.
func jsonText(v any) string { return jsonv.Marshal(v) }

// The helpers below fetch args[i] as the type the function needs, or fail
// with a cause that names the argument and what it was.

func (c *Call) str(args []any, i int) (string, error) {
	if s, ok := args[i].(string); ok {
		return s, nil
	}
	return "", c.wrongType(args, i, kindString)
}

func (c *Call) array(args []any, i int) ([]any, error) {
	if a, ok := args[i].([]any); ok {
		return a, nil
	}
	return nil, c.wrongType(args, i, kindArray)
}

func (c *Call) object(args []any, i int) (*jsonv.Object, error) {
	if o, ok := args[i].(*jsonv.Object); ok {
		return o, nil
	}
	return nil, c.wrongType(args, i, kindObject)
}

func (c *Call) number(args []any, i int) (float64, error) {
	if f, ok := asFloat(args[i]); ok {
		return f, nil
	}
	return 0, c.wrongType(args, i, kindNumber)
}

// integer returns args[i] rounded to an integer as Java's Math.round does,
// the rounding AWS documents for the functions that take integers.
func (c *Call) integer(args []any, i int) (int64, error) {
	f, err := c.number(args, i)
	if err != nil {
		return 0, err
	}
	r := javaRound(f)
	if math.IsNaN(r) || r < -(1<<53) || r > 1<<53 {
		return 0, c.failf("argument %d (%s) is not an integer in range", i+1, jsonText(args[i]))
	}
	return int64(r), nil
}

func (c *Call) wrongType(args []any, i int, want kind) error {
	return c.failf("argument %d must be %s, but it is %s", i+1, want, describe(args[i]))
}

// asFloat returns v as a float64 if it is a number.
func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// javaRound rounds half up (toward positive infinity), as Java's Math.round
// does: 0.5 → 1, -0.5 → 0, -1.5 → -1, 2.5 → 3.
func javaRound(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	r := math.Floor(f)
	if f-r >= 0.5 {
		r++
	}
	return r
}
