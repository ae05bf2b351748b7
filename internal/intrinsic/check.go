package intrinsic

import "fmt"

// hashAlgorithms are the algorithms States.Hash accepts, as AWS spells them.
var hashAlgorithms = map[string]bool{"MD5": true, "SHA-1": true, "SHA-256": true, "SHA-384": true, "SHA-512": true}

// check validates what is known about a call before evaluation: the number
// of arguments, the types of literals and of nested calls' results, and the
// function-specific rules for literal arguments.
func (p *parser) check(c *Call) error {
	sig := &signatures[c.fn]
	n := len(c.Args)
	if n < sig.min || (sig.max >= 0 && n > sig.max) {
		return p.errorf(c.offset, "%s takes %s, found %d", c.Name, arity(sig), n)
	}
	for i := range c.Args {
		a := &c.Args[i]
		want := sig.param(i)
		switch {
		case a.Call != nil:
			got := signatures[a.Call.fn].returns
			if want != kindAny && got != kindAny && got != want {
				return p.errorf(a.offset, "argument %d of %s must be %s, but %s returns %s", i+1, c.Name, want, a.Call.Name, got)
			}
		case a.Path == nil:
			if sig.pathOnly {
				return p.errorf(a.offset, "the argument of %s must be a path such as $.x, not a literal", c.Name)
			}
			if want != kindAny && kindOf(a.Literal) != want {
				return p.errorf(a.offset, "argument %d of %s must be %s, found %s", i+1, c.Name, want, describe(a.Literal))
			}
		}
	}
	switch c.fn {
	case fnFormat:
		if t := &c.Args[0]; t.isLiteral() {
			if len(t.holes) != n-1 {
				return p.errorf(t.offset, "the template of %s has %d {} placeholder(s) but %d value(s) follow it", c.Name, len(t.holes), n-1)
			}
			c.parts = splitTemplate(t.Literal.(string), t.holes)
		}
	case fnHash:
		if a := &c.Args[1]; a.isLiteral() && !hashAlgorithms[a.Literal.(string)] {
			return p.errorf(a.offset, "unsupported hash algorithm '%s': use MD5, SHA-1, SHA-256, SHA-384 or SHA-512", a.Literal)
		}
	case fnJSONMerge:
		if a := &c.Args[2]; a.isLiteral() && a.Literal == true {
			return p.errorf(a.offset, "%s only supports the shallow merging mode: the third argument must be false", c.Name)
		}
	case fnArrayRange:
		if a := &c.Args[2]; a.isLiteral() {
			if f, _ := asFloat(a.Literal); javaRound(f) == 0 {
				return p.errorf(a.offset, "the step of %s must not be 0", c.Name)
			}
		}
	}
	return nil
}

// arity describes how many arguments a function takes.
func arity(s *signature) string {
	switch {
	case s.max < 0 && s.min == 0:
		return "any number of arguments"
	case s.max < 0:
		return fmt.Sprintf("at least %d argument(s)", s.min)
	case s.min == s.max && s.min == 1:
		return "1 argument"
	case s.min == s.max:
		return fmt.Sprintf("%d arguments", s.min)
	}
	return fmt.Sprintf("%d to %d arguments", s.min, s.max)
}

// splitTemplate cuts a Format template at its placeholders.
func splitTemplate(t string, holes []int) []string {
	parts := make([]string, 0, len(holes)+1)
	prev := 0
	for _, h := range holes {
		parts = append(parts, t[prev:h])
		prev = h + 2
	}
	return append(parts, t[prev:])
}
