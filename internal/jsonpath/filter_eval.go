package jsonpath

import (
	"strconv"
	"unicode/utf8"

	"stepd/internal/jsonv"
)

// match reports whether cur satisfies the filter; root is the document the
// whole path is evaluated against ("$" inside the filter).
func (f *filterExpr) match(cur, root any) bool {
	switch f.op {
	case opOr:
		return f.l.match(cur, root) || f.r.match(cur, root)
	case opAnd:
		return f.l.match(cur, root) && f.r.match(cur, root)
	case opNot:
		return !f.l.match(cur, root)
	case opConst:
		return f.a.value == true
	case opExists:
		_, ok := f.a.eval(cur, root)
		return ok
	}
	a, aok := f.a.eval(cur, root)
	b, bok := f.b.eval(cur, root)
	switch f.op {
	case opEq:
		return aok && bok && jaywayEqual(a, b)
	case opNe:
		return !(aok && bok && jaywayEqual(a, b))
	case opLt, opLe, opGt, opGe:
		if !aok || !bok {
			return false
		}
		c, ok := jaywayCompare(a, b)
		if !ok {
			return false
		}
		switch f.op {
		case opLt:
			return c < 0
		case opLe:
			return c <= 0
		case opGt:
			return c > 0
		default:
			return c >= 0
		}
	case opMatch:
		re, v, vok := f.a, b, bok
		if f.b.kind == operandRegex {
			re, v, vok = f.b, a, aok
		}
		if !vok {
			return false
		}
		return re.re.MatchString(regexInput(v))
	case opIn:
		return aok && bok && contains(b, a)
	case opNin:
		return !(aok && bok && contains(b, a))
	}
	return false
}

// eval returns the operand's value; ok is false when a path matches nothing.
// An indefinite path yields the array of its matches.
func (o *operand) eval(cur, root any) (any, bool) {
	switch o.kind {
	case operandLiteral:
		return o.value, true
	case operandPath:
		base := cur
		if o.fromRoot {
			base = root
		}
		if o.definite {
			return lookup(o.steps, base)
		}
		out, err := walk(o.steps, 0, base, root, nil)
		if err != nil || len(out) == 0 {
			return nil, false
		}
		return out, true
	}
	return nil, false
}

// lookup walks a definite path, reporting only whether it matched.
func lookup(steps []step, cur any) (any, bool) {
	for i := range steps {
		s := &steps[i]
		switch s.kind {
		case stepName:
			obj, ok := cur.(*jsonv.Object)
			if !ok {
				return nil, false
			}
			if cur, ok = obj.Get(s.name); !ok {
				return nil, false
			}
		case stepIndex:
			arr, ok := cur.([]any)
			if !ok {
				return nil, false
			}
			idx := s.index
			if idx < 0 {
				idx += len(arr)
			}
			if idx < 0 || idx >= len(arr) {
				return nil, false
			}
			cur = arr[idx]
		case stepNames:
			obj, ok := cur.(*jsonv.Object)
			if !ok {
				return nil, false
			}
			return mergeNames(obj, s.names), true
		}
	}
	return cur, true
}

// jaywayEqual is Jayway's == for two present values: values of different
// JSON types are unequal, except that a number and a numeric string compare
// as numbers when the number is on the left and as strings when the string
// is on the left; arrays and objects compare deeply.
func jaywayEqual(a, b any) bool {
	switch x := a.(type) {
	case int64, float64:
		switch y := b.(type) {
		case int64, float64:
			c, _ := compareNumbers(a, b)
			return c == 0
		case string:
			f, err := strconv.ParseFloat(y, 64)
			if err != nil {
				return false
			}
			c, _ := compareNumbers(a, f)
			return c == 0
		}
		return false
	case string:
		switch y := b.(type) {
		case string:
			return x == y
		case int64, float64:
			return x == string(jsonv.Append(nil, y))
		}
		return false
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	case []any, *jsonv.Object:
		switch b.(type) {
		case []any, *jsonv.Object:
			return jsonv.Equal(a, b)
		}
	}
	return false
}

// jaywayCompare orders two numbers or two strings (by UTF-16 code units, as
// Java does); ok is false for any other pair.
func jaywayCompare(a, b any) (int, bool) {
	switch x := a.(type) {
	case int64, float64:
		return compareNumbers(a, b)
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return compareUTF16(x, y), true
	}
	return 0, false
}

// compareNumbers orders two numbers, exactly when both are integers.
func compareNumbers(a, b any) (int, bool) {
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok {
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, true
		}
	}
	x, ok1 := jsonv.AsFloat(a)
	y, ok2 := jsonv.AsFloat(b)
	if !ok1 || !ok2 || x != x || y != y {
		return 0, false
	}
	switch {
	case x < y:
		return -1, true
	case x > y:
		return 1, true
	}
	return 0, true
}

// compareUTF16 orders strings by their UTF-16 code units, as Java's
// String.compareTo does. It differs from Go's byte order only when a
// character at or above U+E000 meets one above U+FFFF.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ka, kb := utf16Key(ra), utf16Key(rb)
			if ka == kb { // same high surrogate
				ka, kb = ra, rb
			}
			if ka < kb {
				return -1
			}
			return 1
		}
		a, b = a[na:], b[nb:]
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// utf16Key returns the first UTF-16 code unit of r.
func utf16Key(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10
	}
	return r
}

// regexInput is the text Jayway matches a regular expression against:
// strings as they are, numbers and booleans as text, anything else "".
func regexInput(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64, float64:
		return string(jsonv.Append(nil, x))
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// contains reports whether list (which must be an array) holds v.
func contains(list, v any) bool {
	arr, ok := list.([]any)
	if !ok {
		return false
	}
	for _, e := range arr {
		if jaywayEqual(v, e) {
			return true
		}
	}
	return false
}
