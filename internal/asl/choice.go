package asl

import (
	"strings"

	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// ChoiceRule is one rule of a Choice state. Top-level rules carry Next (and
// optionally Assign and, in JSONata, Output); nested rules under And, Or and
// Not carry neither.
type ChoiceRule struct {
	Next      string
	NextState *State
	Assign    *Template
	Output    *Template
	Comment   string

	// JSONata: Condition is a boolean literal or an expression.
	Condition *Template

	// JSONPath boolean expressions: exactly one of And, Or, Not, or a data
	// test (Variable with one Operator).
	And      []*ChoiceRule
	Or       []*ChoiceRule
	Not      *ChoiceRule
	Variable *jsonpath.Path
	Operator string         // e.g. "StringEquals", "NumericLessThanPath", "IsPresent"
	Operand  any            // the literal operand (string, number, bool)
	OperandP *jsonpath.Path // the operand of a *Path operator
	Location string
}

func (c *compiler) choiceRules(s *State, obj *jsonv.Object, at path) {
	v, ok := obj.Get("Choices")
	if !ok {
		return
	}
	at = at.key("Choices")
	arr, ok := v.([]any)
	if !ok {
		c.typeError(at, "ARRAY")
		return
	}
	if len(arr) == 0 {
		c.errorf(CodeSchema, at, "Value cannot be empty")
		return
	}
	for i, e := range arr {
		r := c.choiceRule(s, e, at.index(i), true)
		if r != nil {
			s.Choices = append(s.Choices, r)
		}
	}
}

func (c *compiler) choiceRule(s *State, v any, at path, top bool) *ChoiceRule {
	obj, ok := v.(*jsonv.Object)
	if !ok {
		c.typeError(at, "OBJECT")
		return nil
	}
	r := &ChoiceRule{Location: at.location()}
	if top {
		r.Next, _ = c.str(obj, at, "Next")
		if !obj.Has("Next") {
			c.required(at, "Next")
		}
		r.Comment, _ = c.str(obj, at, "Comment")
		if a, ok := obj.Get("Assign"); ok {
			r.Assign = c.assign(s, a, at.key("Assign"))
		}
	} else {
		for _, f := range []string{"Next", "Assign", "Output"} {
			if obj.Has(f) {
				c.errorf(CodeSchema, at, "Field '%s' is not supported", f)
			}
		}
	}
	if s.QueryLanguage == JSONata {
		c.jsonataChoiceRule(s, r, obj, at, top)
		return r
	}
	// JSONPath rule.
	var ops []string
	for i := 0; i < obj.Len(); i++ {
		k, _ := obj.At(i)
		switch k {
		case "Next", "Comment", "Assign":
			if !top {
				continue
			}
		case "And", "Or", "Not", "Variable":
			ops = append(ops, k)
		case "Condition", "Output":
			c.errorf(CodeSchema, at, "Field '%s' is not supported", k)
		default:
			if _, isOp := comparisonOps[k]; isOp {
				ops = append(ops, k)
			} else {
				c.errorf(CodeSchema, at, "Field '%s' is not supported", k)
			}
		}
	}
	switch {
	case obj.Has("And") || obj.Has("Or") || obj.Has("Not"):
		if len(ops) != 1 {
			c.errorf(CodeSchema, at, "The object must have only one of the following fields, [And, Or, Not, Variable, Condition]")
			return r
		}
		switch ops[0] {
		case "Not":
			nv, _ := obj.Get("Not")
			r.Not = c.choiceRule(s, nv, at.key("Not"), false)
		default:
			lv, _ := obj.Get(ops[0])
			list, ok := lv.([]any)
			if !ok {
				c.typeError(at.key(ops[0]), "ARRAY")
				return r
			}
			if len(list) == 0 {
				c.errorf(CodeSchema, at.key(ops[0]), "Value cannot be empty")
				return r
			}
			var rules []*ChoiceRule
			for i, e := range list {
				if sub := c.choiceRule(s, e, at.key(ops[0]).index(i), false); sub != nil {
					rules = append(rules, sub)
				}
			}
			if ops[0] == "And" {
				r.And = rules
			} else {
				r.Or = rules
			}
		}
	case obj.Has("Variable"):
		if len(ops) != 2 {
			if len(ops) == 1 {
				c.errorf(CodeSchema, at, "A Choice rule with a Variable needs one comparison operator")
			} else {
				c.errorf(CodeSchema, at, "A Choice rule with a Variable takes exactly one comparison operator, not %d", len(ops)-1)
			}
			return r
		}
		if vs, ok := c.str(obj, at, "Variable"); ok {
			r.Variable = c.choicePath(vs, at.key("Variable"))
		}
		for _, op := range ops {
			if op != "Variable" {
				r.Operator = op
			}
		}
		c.operand(r, obj, at)
	default:
		if len(ops) > 0 {
			c.required(at, "Variable")
		} else {
			c.oneRequired(at, "And", "Or", "Not", "Variable", "Condition")
		}
	}
	return r
}

func (c *compiler) operand(r *ChoiceRule, obj *jsonv.Object, at path) {
	v, _ := obj.Get(r.Operator)
	at = at.key(r.Operator)
	want := comparisonOps[r.Operator]
	switch want {
	case "path":
		s, ok := v.(string)
		if !ok {
			c.typeError(at, "STRING")
			return
		}
		r.OperandP = c.choicePath(s, at)
	case "string":
		s, ok := v.(string)
		if !ok {
			c.typeError(at, "STRING")
			return
		}
		if r.Operator == "StringMatches" {
			if err := checkPattern(s); err != nil {
				c.errorf(CodeSchema, at, "Value is not a valid StringMatches pattern: %v", err)
			}
		}
		r.Operand = s
	case "number":
		if _, ok := jsonv.AsFloat(v); !ok {
			c.typeError(at, "NUMBER")
			return
		}
		r.Operand = v
	case "boolean":
		if _, ok := v.(bool); !ok {
			c.typeError(at, "BOOLEAN")
			return
		}
		r.Operand = v
	case "timestamp":
		s, ok := v.(string)
		if !ok {
			c.typeError(at, "STRING")
			return
		}
		if _, ok := ParseTimestamp(s); !ok {
			c.errorf(CodeSchema, at, "String does not match RFC3339 timestamp")
			return
		}
		r.Operand = s
	}
}

// checkPattern rejects a StringMatches pattern that ends in a lone escape.
func checkPattern(p string) error {
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' {
			if i+1 >= len(p) {
				return errDanglingEscape
			}
			i++
		}
	}
	return nil
}

func (c *compiler) jsonataChoiceRule(s *State, r *ChoiceRule, obj *jsonv.Object, at path, top bool) {
	for i := 0; i < obj.Len(); i++ {
		k, _ := obj.At(i)
		switch k {
		case "Next", "Comment", "Assign", "Condition", "Output":
		default:
			c.errorf(CodeSchema, at, "Field '%s' is not supported", k)
		}
	}
	cond, ok := obj.Get("Condition")
	if !ok {
		c.required(at, "Condition")
	} else {
		switch x := cond.(type) {
		case bool:
			r.Condition = &Template{Root: &Node{Kind: NodeLiteral, Literal: x}}
		case string:
			if !IsJSONataExpression(x) {
				c.typeError(at.key("Condition"), "BOOLEAN", "JSONATA_EXPRESSION")
			} else {
				r.Condition = c.jsonataTemplate(x, at.key("Condition"), "Condition")
			}
		default:
			c.typeError(at.key("Condition"), "BOOLEAN", "JSONATA_EXPRESSION")
		}
	}
	if o, ok := obj.Get("Output"); ok && top {
		r.Output = c.jsonataTemplate(o, at.key("Output"), "Output")
	}
}

// choicePath compiles a Choice Variable or *Path operand.
func (c *compiler) choicePath(s string, at path) *jsonpath.Path {
	p, err := jsonpath.Compile(s)
	if err != nil {
		if !strings.HasPrefix(s, "$") {
			c.errorf(CodeSchema, at, "Value is not a Reference Path: Reference path didn't start with '$'")
		} else {
			c.errorf(CodeSchema, at, "Value is not a Reference Path: %v", err)
		}
		return nil
	}
	c.referencePath(p)
	return p
}
