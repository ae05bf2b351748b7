package intrinsic

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"stepd/internal/jsonpath"
)

const statesPrefix = "States."

// isNameByte reports whether c may appear in a function name.
func isNameByte(c byte) bool {
	return c == '.' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// IsCall reports whether s looks like an intrinsic function call
// ("States.Xxx(" after optional spaces). It does not check that the call is
// valid; Parse does.
func IsCall(s string) bool {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if !strings.HasPrefix(s[i:], statesPrefix) {
		return false
	}
	i += len(statesPrefix)
	start := i
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	return i > start && i < len(s) && s[i] == '('
}

// Parse parses an intrinsic function call into a tree. It validates function
// names, argument counts, statically known argument types and the nesting
// depth (at most MaxDepth), and returns a *SyntaxError otherwise. Leading and
// trailing white space is ignored.
func Parse(s string) (*Call, error) {
	p := &parser{src: s}
	p.skipSpace()
	c, err := p.call(1)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errorf(p.pos, "unexpected %s after the end of the call", p.describe())
	}
	return c, nil
}

// parser reads one intrinsic call, with its nested calls.
type parser struct {
	src string
	pos int
}

func (p *parser) errorf(off int, format string, args ...any) error {
	return &SyntaxError{Src: p.src, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

func (p *parser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

// describe names the character at the current position.
func (p *parser) describe() string {
	if p.pos >= len(p.src) {
		return "end of text"
	}
	r := []rune(p.src[p.pos:min(len(p.src), p.pos+4)])
	return strconv.QuoteRune(r[0])
}

// call parses "Name(args)" at the current position.
func (p *parser) call(depth int) (*Call, error) {
	start := p.pos
	if depth > MaxDepth {
		return nil, p.errorf(start, "intrinsic functions can be nested at most %d deep", MaxDepth)
	}
	for p.pos < len(p.src) && isNameByte(p.src[p.pos]) {
		p.pos++
	}
	name := p.src[start:p.pos]
	if name == "" {
		return nil, p.errorf(start, "expected an intrinsic function name such as States.Format, found %s", p.describe())
	}
	id, ok := byName[name]
	if !ok {
		return nil, p.errorf(start, "%s", unknownName(name))
	}
	if p.peek() != '(' {
		return nil, p.errorf(p.pos, "expected '(' after %s, found %s", name, p.describe())
	}
	p.pos++
	c := &Call{Name: name, fn: id, offset: start}
	p.skipSpace()
	if p.peek() == ')' {
		p.pos++
	} else {
		for {
			a, err := p.arg(depth)
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, a)
			p.skipSpace()
			if p.peek() == ',' {
				p.pos++
				continue
			}
			if p.peek() == ')' {
				p.pos++
				break
			}
			return nil, p.errorf(p.pos, "expected ',' or ')' after an argument of %s, found %s", name, p.describe())
		}
	}
	c.src = p.src[start:p.pos]
	if err := p.check(c); err != nil {
		return nil, err
	}
	return c, nil
}

// unknownName explains why name is not an intrinsic function.
func unknownName(name string) string {
	for n := range byName {
		if strings.EqualFold(n, name) {
			return fmt.Sprintf("unknown intrinsic function '%s' (names are case-sensitive: did you mean %s?)", name, n)
		}
	}
	if !strings.HasPrefix(name, statesPrefix) {
		return fmt.Sprintf("'%s' is not an intrinsic function: intrinsic functions are named States.<Name>", name)
	}
	return fmt.Sprintf("unknown intrinsic function '%s'", name)
}

// arg parses one argument.
func (p *parser) arg(depth int) (Arg, error) {
	p.skipSpace()
	start := p.pos
	if p.pos >= len(p.src) {
		return Arg{}, p.errorf(p.pos, "expected an argument, found end of text")
	}
	switch c := p.src[p.pos]; {
	case c == '\'':
		s, holes, err := p.str()
		return Arg{Literal: s, offset: start, holes: holes}, err
	case c == '$':
		path, err := p.path()
		return Arg{Path: path, offset: start}, err
	case c == '-' || (c >= '0' && c <= '9'):
		n, err := p.number()
		return Arg{Literal: n, offset: start}, err
	case isNameByte(c):
		end := p.pos
		for end < len(p.src) && isNameByte(p.src[end]) {
			end++
		}
		switch p.src[p.pos:end] {
		case "null":
			p.pos = end
			return Arg{Literal: nil, offset: start}, nil
		case "true":
			p.pos = end
			return Arg{Literal: true, offset: start}, nil
		case "false":
			p.pos = end
			return Arg{Literal: false, offset: start}, nil
		}
		call, err := p.call(depth + 1)
		return Arg{Call: call, offset: start}, err
	}
	return Arg{}, p.errorf(p.pos, "expected an argument ('text', a number, null, a path such as $.x or a nested States.* call), found %s", p.describe())
}

// str reads a single-quoted string literal. Inside it \' \{ \} and \\ stand
// for ' { } and \; any other backslash is an error. holes lists the offsets
// in the decoded string of unescaped "{}" pairs (Format's placeholders).
func (p *parser) str() (s string, holes []int, err error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\'':
			p.pos++
			return b.String(), holes, nil
		case '\\':
			if p.pos+1 >= len(p.src) {
				return "", nil, p.errorf(p.pos, "a string ends with a lone '\\'; write '\\\\' for a backslash")
			}
			switch e := p.src[p.pos+1]; e {
			case '\'', '{', '}', '\\':
				b.WriteByte(e)
				p.pos += 2
			default:
				return "", nil, p.errorf(p.pos, "invalid escape '\\%c' in a string: only \\' \\{ \\} and \\\\ are allowed", e)
			}
		case '{':
			if p.pos+1 < len(p.src) && p.src[p.pos+1] == '}' {
				holes = append(holes, b.Len())
				b.WriteString("{}")
				p.pos += 2
				continue
			}
			b.WriteByte(c)
			p.pos++
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", nil, p.errorf(start, "unterminated string: a ' is missing")
}

// path reads a path argument: up to the next ',' or ')' (or white space)
// that is not inside brackets, parentheses or quotes.
func (p *parser) path() (*jsonpath.Path, error) {
	start := p.pos
	depth := 0
	var quote byte
scan:
	for ; p.pos < len(p.src); p.pos++ {
		c := p.src[p.pos]
		switch {
		case quote != 0:
			if c == '\\' && p.pos+1 < len(p.src) {
				p.pos++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			if depth > 0 {
				quote = c
			}
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			if depth == 0 {
				break scan
			}
			depth--
		case depth == 0 && (c == ',' || isSpace(c)):
			break scan
		}
	}
	text := p.src[start:p.pos]
	path, err := jsonpath.Compile(text)
	if err != nil {
		var se *jsonpath.SyntaxError
		if errors.As(err, &se) {
			return nil, p.errorf(start+se.Offset, "invalid path '%s': %s", text, se.Msg)
		}
		return nil, p.errorf(start, "invalid path '%s': %v", text, err)
	}
	return path, nil
}

// number reads a JSON number: an int64 when it is integral and fits,
// otherwise a float64.
func (p *parser) number() (any, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	digits := p.pos
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == digits {
		return nil, p.errorf(start, "expected a number after '-'")
	}
	isFloat := false
	if p.peek() == '.' {
		isFloat = true
		p.pos++
		frac := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		if p.pos == frac {
			return nil, p.errorf(start, "expected digits after '.' in a number")
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		isFloat = true
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		exp := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		if p.pos == exp {
			return nil, p.errorf(start, "expected digits in the exponent of a number")
		}
	}
	if p.pos < len(p.src) && isNameByte(p.src[p.pos]) {
		return nil, p.errorf(p.pos, "unexpected %s after a number", p.describe())
	}
	text := p.src[start:p.pos]
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, p.errorf(start, "the number %s is out of range", text)
	}
	return f, nil
}
