package jsonv

import "math"

// Kind names a JSON type.
type Kind int

// The JSON types.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	ObjectKind
)

// KindOf returns the JSON type of v.
func KindOf(v any) Kind {
	switch v.(type) {
	case nil:
		return Null
	case bool:
		return Bool
	case int64, float64, int:
		return Number
	case string:
		return String
	case []any:
		return Array
	default:
		return ObjectKind
	}
}

// TypeName returns the lower-case JSON type name of v ("null", "boolean",
// "number", "string", "array", "object").
func TypeName(v any) string {
	switch KindOf(v) {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	default:
		return "object"
	}
}

// AsFloat returns v as a float64 if it is a number.
func AsFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}

// AsInt returns v as an int64 if it is an integral number (1 and 1.0 both).
func AsInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<63-1 {
			return int64(x), true
		}
	}
	return 0, false
}

// Equal reports whether a and b are the same JSON value. Numbers compare by
// value (1 equals 1.0); objects compare regardless of key order.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64, float64, int:
		fx, _ := AsFloat(a)
		if ix, ok := a.(int64); ok {
			if iy, ok := b.(int64); ok {
				return ix == iy
			}
		}
		fy, ok := AsFloat(b)
		return ok && fx == fy
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Object:
		y, ok := b.(*Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.keys {
			w, ok := y.Get(k)
			if !ok || !Equal(x.vals[i], w) {
				return false
			}
		}
		return true
	}
	return false
}

// DeepCopy returns a copy of v that shares no arrays or objects with it.
func DeepCopy(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = DeepCopy(e)
		}
		return out
	case *Object:
		o := NewObject(x.Len())
		for i, k := range x.keys {
			o.Set(k, DeepCopy(x.vals[i]))
		}
		return o
	}
	return v
}
