package engine

import (
	"strings"
	"unicode/utf16"

	"stepd/internal/asl"
	"stepd/internal/dataflow"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// evalRule evaluates a JSONPath Choice rule against the effective input
// (ASL spec, "Choice Rules"; aws-semantics.md §1.4). Comparisons between
// values of the wrong types are false, not errors.
func evalRule(r *asl.ChoiceRule, input any, env *dataflow.Env) (bool, error) {
	switch {
	case r.And != nil:
		for _, sub := range r.And {
			ok, err := evalRule(sub, input, env)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case r.Or != nil:
		for _, sub := range r.Or {
			ok, err := evalRule(sub, input, env)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case r.Not != nil:
		ok, err := evalRule(r.Not, input, env)
		return !ok, err
	}
	if r.Variable == nil {
		return false, nil
	}
	v, present, err := lookup(r.Variable, input, env)
	if err != nil {
		return false, err
	}
	if r.Operator == "IsPresent" {
		return present == r.Operand.(bool), nil
	}
	if !present {
		return false, runtimeFailure("Invalid path '" + r.Variable.String() + "': The choice state's condition path references an invalid value.")
	}
	operand := r.Operand
	op := r.Operator
	if r.OperandP != nil {
		ov, ok, err := lookup(r.OperandP, input, env)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, runtimeFailure("Invalid path '" + r.OperandP.String() + "': The choice state's condition path references an invalid value.")
		}
		operand = ov
		op = strings.TrimSuffix(op, "Path")
	}
	return compare(op, v, operand), nil
}

// lookup resolves a Choice path; a missing value is not an error here.
func lookup(p *jsonpath.Path, input any, env *dataflow.Env) (any, bool, error) {
	var root any
	switch p.Root() {
	case jsonpath.RootContext:
		root = env.Context()
	case jsonpath.RootVariable:
		v, ok := env.Vars.Lookup(p.Variable())
		if !ok {
			return nil, false, nil
		}
		root = v
	default:
		root = input
	}
	v, err := p.Get(root)
	if err != nil {
		return nil, false, nil
	}
	return v, true, nil
}

func compare(op string, v, operand any) bool {
	switch op {
	case "IsNull":
		return (v == nil) == operand.(bool)
	case "IsNumeric":
		_, ok := jsonv.AsFloat(v)
		return ok == operand.(bool)
	case "IsString":
		_, ok := v.(string)
		return ok == operand.(bool)
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == operand.(bool)
	case "IsTimestamp":
		s, ok := v.(string)
		if ok {
			_, ok = asl.ParseTimestamp(s)
		}
		return ok == operand.(bool)
	case "BooleanEquals":
		a, ok1 := v.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b
	case "StringMatches":
		a, ok1 := v.(string)
		p, ok2 := operand.(string)
		return ok1 && ok2 && matchPattern(a, p)
	}
	switch {
	case strings.HasPrefix(op, "String"):
		a, ok1 := v.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false
		}
		return cmpResult(op[len("String"):], compareUTF16(a, b))
	case strings.HasPrefix(op, "Numeric"):
		a, ok1 := jsonv.AsFloat(v)
		b, ok2 := jsonv.AsFloat(operand)
		if !ok1 || !ok2 {
			return false
		}
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		return cmpResult(op[len("Numeric"):], c)
	case strings.HasPrefix(op, "Timestamp"):
		as, ok1 := v.(string)
		bs, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false
		}
		a, ok1 := asl.ParseTimestamp(as)
		b, ok2 := asl.ParseTimestamp(bs)
		if !ok1 || !ok2 {
			return false
		}
		return cmpResult(op[len("Timestamp"):], a.Compare(b))
	}
	return false
}

func cmpResult(rel string, c int) bool {
	switch rel {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "GreaterThan":
		return c > 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}

// compareUTF16 compares strings by UTF-16 code units, as Java does.
func compareUTF16(a, b string) int {
	if a == b {
		return 0
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			if ua[i] < ub[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ua) < len(ub):
		return -1
	case len(ua) > len(ub):
		return 1
	}
	return 0
}

// matchPattern implements StringMatches: '*' matches any run of characters,
// "\*" is a literal '*' and "\\" a literal '\'.
func matchPattern(s, p string) bool {
	type tok struct {
		star bool
		lit  rune
	}
	var toks []tok
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\\' && i+1 < len(rs):
			i++
			toks = append(toks, tok{lit: rs[i]})
		case rs[i] == '*':
			toks = append(toks, tok{star: true})
		default:
			toks = append(toks, tok{lit: rs[i]})
		}
	}
	str := []rune(s)
	// Iterative glob matching with backtracking to the last star.
	si, ti, starT, starS := 0, 0, -1, 0
	for si < len(str) {
		switch {
		case ti < len(toks) && !toks[ti].star && toks[ti].lit == str[si]:
			si++
			ti++
		case ti < len(toks) && toks[ti].star:
			starT, starS = ti, si
			ti++
		case starT >= 0:
			starS++
			si, ti = starS, starT+1
		default:
			return false
		}
	}
	for ti < len(toks) && toks[ti].star {
		ti++
	}
	return ti == len(toks)
}
