package jsonpath

import (
	"strconv"

	"stepd/internal/jsonv"
)

// JavaString renders v the way Java's toString renders the value Jackson
// decodes it into (LinkedHashMap, ArrayList, String, Integer, Double): an
// object is {a=1, b=[x, y]}, strings appear without quotes and null is null.
// AWS shows values this way in Jayway error texts and in States.Format.
func JavaString(v any) string { return string(AppendJava(nil, v)) }

// AppendJava appends the JavaString form of v to dst.
func AppendJava(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, x)
	case string:
		return append(dst, x...)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case float64:
		return jsonv.AppendFloat(dst, x)
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendJava(dst, e)
		}
		return append(dst, ']')
	case *jsonv.Object:
		dst = append(dst, '{')
		for i := range x.Len() {
			k, e := x.At(i)
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, k...)
			dst = append(dst, '=')
			dst = AppendJava(dst, e)
		}
		return append(dst, '}')
	}
	return jsonv.Append(dst, v)
}
