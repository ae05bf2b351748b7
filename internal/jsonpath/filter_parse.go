package jsonpath

import (
	"regexp"
	"strconv"
	"strings"

	"stepd/internal/jsonv"
)

// filterOp is the operation of one node of a filter expression.
type filterOp uint8

const (
	opOr     filterOp = iota // l || r
	opAnd                    // l && r
	opNot                    // !l
	opExists                 // a lone path: it matches something
	opConst                  // a lone true or false
	opEq                     // a == b
	opNe                     // a != b
	opLt                     // a < b
	opLe                     // a <= b
	opGt                     // a > b
	opGe                     // a >= b
	opMatch                  // a =~ /re/
	opIn                     // a in b
	opNin                    // a nin b
)

// filterExpr is a parsed filter expression: a logical node (l, r) or a
// relational one (a, b).
type filterExpr struct {
	op   filterOp
	l, r *filterExpr
	a, b operand
}

// operandKind says what an operand of a comparison is.
type operandKind uint8

const (
	operandLiteral operandKind = iota // a JSON value
	operandPath                       // @... or $...
	operandRegex                      // /re/flags
)

// operand is one side of a comparison.
type operand struct {
	kind     operandKind
	value    any // literal value
	steps    []step
	fromRoot bool // "$..." rather than "@..."
	definite bool
	re       *regexp.Regexp
}

// filterStep parses "?(expr)" after '['; the caller reads the ']'.
func (p *parser) filterStep() (step, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxFilterDepth {
		return step{}, p.errorf(p.pos, "filters are nested more than %d deep", maxFilterDepth)
	}
	p.pos++ // '?'
	p.skipSpace()
	if p.peek() != '(' {
		return step{}, p.errorf(p.pos, "expected '(' after '[?', found %s", p.describe())
	}
	p.pos++
	f, err := p.orExpr()
	if err != nil {
		return step{}, err
	}
	p.skipSpace()
	if p.peek() != ')' {
		return step{}, p.errorf(p.pos, "expected ')' to close the filter, found %s", p.describe())
	}
	p.pos++
	return step{kind: stepFilter, filter: f}, nil
}

func (p *parser) orExpr() (*filterExpr, error) {
	l, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:p.end], "||") {
			return l, nil
		}
		p.pos += 2
		r, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		l = &filterExpr{op: opOr, l: l, r: r}
	}
}

func (p *parser) andExpr() (*filterExpr, error) {
	l, err := p.unaryExpr()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if !strings.HasPrefix(p.src[p.pos:p.end], "&&") {
			return l, nil
		}
		p.pos += 2
		r, err := p.unaryExpr()
		if err != nil {
			return nil, err
		}
		l = &filterExpr{op: opAnd, l: l, r: r}
	}
}

func (p *parser) unaryExpr() (*filterExpr, error) {
	p.skipSpace()
	switch p.peek() {
	case '!':
		p.pos++
		x, err := p.unaryExpr()
		if err != nil {
			return nil, err
		}
		return &filterExpr{op: opNot, l: x}, nil
	case '(':
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxFilterDepth {
			return nil, p.errorf(p.pos, "filters are nested more than %d deep", maxFilterDepth)
		}
		p.pos++
		x, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ')' {
			return nil, p.errorf(p.pos, "expected ')', found %s", p.describe())
		}
		p.pos++
		return x, nil
	}
	return p.relational()
}

// relational parses "a op b", a lone path (an existence test) or a lone
// boolean.
func (p *parser) relational() (*filterExpr, error) {
	start := p.pos
	a, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	opStart := p.pos
	op, ok, err := p.comparison()
	if err != nil {
		return nil, err
	}
	if !ok {
		switch {
		case a.kind == operandPath:
			return &filterExpr{op: opExists, a: a}, nil
		case a.kind == operandLiteral && (a.value == true || a.value == false):
			return &filterExpr{op: opConst, a: a}, nil
		}
		return nil, p.errorf(start, "expected a comparison such as '@.x == 1' or a path such as '@.x'")
	}
	p.skipSpace()
	b, err := p.operand()
	if err != nil {
		return nil, err
	}
	if op == opMatch && (a.kind == operandRegex) == (b.kind == operandRegex) {
		return nil, p.errorf(opStart, "'=~' needs a regular expression such as /ab.*/i on one side")
	}
	if op != opMatch && (a.kind == operandRegex || b.kind == operandRegex) {
		return nil, p.errorf(opStart, "a regular expression can only be used with '=~'")
	}
	return &filterExpr{op: op, a: a, b: b}, nil
}

// unsupportedOperators are Jayway operators Step Functions does not accept.
var unsupportedOperators = map[string]bool{
	"subsetof": true, "anyof": true, "noneof": true, "size": true, "empty": true, "contains": true,
}

// comparison reads a comparison operator; ok is false when the next byte
// cannot start one (the relational expression is a lone operand).
func (p *parser) comparison() (op filterOp, ok bool, err error) {
	rest := p.src[p.pos:p.end]
	for _, o := range [...]struct {
		text string
		op   filterOp
	}{{"==", opEq}, {"!=", opNe}, {"<=", opLe}, {">=", opGe}, {"=~", opMatch}, {"<", opLt}, {">", opGt}} {
		if strings.HasPrefix(rest, o.text) {
			p.pos += len(o.text)
			return o.op, true, nil
		}
	}
	if strings.HasPrefix(rest, "=") {
		return 0, false, p.errorf(p.pos, "unknown operator '='; use '==' to compare")
	}
	n := 0
	for n < len(rest) && rest[n] >= 'a' && rest[n] <= 'z' {
		n++
	}
	if n == 0 {
		return 0, false, nil
	}
	switch word := rest[:n]; {
	case word == "in":
		p.pos += n
		return opIn, true, nil
	case word == "nin":
		p.pos += n
		return opNin, true, nil
	case unsupportedOperators[word]:
		return 0, false, p.errorf(p.pos, "the filter operator '%s' is not supported", word)
	default:
		return 0, false, p.errorf(p.pos, "unknown filter operator '%s'", word)
	}
}

// operand reads one side of a comparison.
func (p *parser) operand() (operand, error) {
	p.skipSpace()
	if p.pos >= p.end {
		return operand{}, p.errorf(p.pos, "expected a value, found end of path")
	}
	switch c := p.src[p.pos]; {
	case c == '@' || c == '$':
		return p.filterPath()
	case c == '/':
		return p.regex()
	case c == '\'' || c == '"' || c == '-' || c == '[' || c == '{' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'):
		v, err := p.literal()
		if err != nil {
			return operand{}, err
		}
		return operand{kind: operandLiteral, value: v}, nil
	}
	return operand{}, p.errorf(p.pos, "expected a value such as @.x, 'text', 12, true or null, found %s", p.describe())
}

// filterPath reads "@..." or "$..." inside a filter.
func (p *parser) filterPath() (operand, error) {
	start := p.pos
	fromRoot := p.src[p.pos] == '$'
	p.pos++
	if fromRoot && p.pos < p.end {
		if c := p.src[p.pos]; c != '.' && c != '[' && !strings.ContainsRune(filterNameStop, rune(c)) {
			return operand{}, p.errorf(start, "only '@' and '$' paths may be used inside a filter")
		}
	}
	steps, err := p.parseSteps(true)
	if err != nil {
		return operand{}, err
	}
	if p.pos < p.end && !strings.ContainsRune(filterNameStop, rune(p.src[p.pos])) {
		return operand{}, p.errorf(p.pos, "unexpected %s in a path", p.describe())
	}
	return operand{kind: operandPath, steps: steps, fromRoot: fromRoot, definite: definiteSteps(steps)}, nil
}

// regex reads "/pattern/flags". Jayway matches the whole value (Java's
// Matcher.matches), so the pattern is anchored at both ends.
func (p *parser) regex() (operand, error) {
	start := p.pos
	p.pos++
	from := p.pos
	for p.pos < p.end && p.src[p.pos] != '/' {
		if p.src[p.pos] == '\\' {
			p.pos++
		}
		p.pos++
	}
	if p.pos >= p.end {
		return operand{}, p.errorf(start, "unterminated regular expression")
	}
	pattern := p.src[from:p.pos]
	p.pos++
	flags := ""
	for p.pos < p.end && p.src[p.pos] >= 'a' && p.src[p.pos] <= 'z' {
		switch f := p.src[p.pos]; f {
		case 'i', 'm', 's':
			if !strings.ContainsRune(flags, rune(f)) {
				flags += string(f)
			}
		default:
			return operand{}, p.errorf(p.pos, "unsupported regular expression flag '%c' (supported: i, m, s)", f)
		}
		p.pos++
	}
	prefix := ""
	if flags != "" {
		prefix = "(?" + flags + ")"
	}
	if _, err := regexp.Compile(prefix + pattern); err != nil {
		return operand{}, p.errorf(start, "invalid regular expression /%s/: %v", pattern, err)
	}
	re, err := regexp.Compile(prefix + `\A(?:` + pattern + `)\z`)
	if err != nil {
		return operand{}, p.errorf(start, "invalid regular expression /%s/: %v", pattern, err)
	}
	return operand{kind: operandRegex, re: re}, nil
}

// literal reads a JSON-like literal: strings may use single or double quotes.
func (p *parser) literal() (any, error) {
	p.skipSpace()
	if p.pos >= p.end {
		return nil, p.errorf(p.pos, "expected a value, found end of path")
	}
	switch c := p.src[p.pos]; {
	case c == '\'' || c == '"':
		return p.quoted()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == '[':
		return p.listLiteral()
	case c == '{':
		return p.objectLiteral()
	case c >= 'a' && c <= 'z':
		start := p.pos
		for p.pos < p.end && p.src[p.pos] >= 'a' && p.src[p.pos] <= 'z' {
			p.pos++
		}
		switch w := p.src[start:p.pos]; w {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		default:
			return nil, p.errorf(start, "unexpected word '%s'; strings must be quoted", w)
		}
	}
	return nil, p.errorf(p.pos, "expected a value, found %s", p.describe())
}

func (p *parser) number() (any, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	digits := p.pos
	for p.pos < p.end && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == digits {
		return nil, p.errorf(start, "expected a number")
	}
	isFloat := false
	if p.peek() == '.' {
		isFloat = true
		p.pos++
		for p.pos < p.end && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		isFloat = true
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		for p.pos < p.end && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
	}
	text := p.src[start:p.pos]
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, p.errorf(start, "invalid number %s", text)
	}
	return f, nil
}

func (p *parser) listLiteral() (any, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxFilterDepth {
		return nil, p.errorf(p.pos, "literal nested more than %d deep", maxFilterDepth)
	}
	p.pos++ // '['
	list := []any{}
	p.skipSpace()
	if p.peek() == ']' {
		p.pos++
		return list, nil
	}
	for {
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return list, nil
		default:
			return nil, p.errorf(p.pos, "expected ',' or ']' in a list, found %s", p.describe())
		}
	}
}

func (p *parser) objectLiteral() (any, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxFilterDepth {
		return nil, p.errorf(p.pos, "literal nested more than %d deep", maxFilterDepth)
	}
	p.pos++ // '{'
	obj := jsonv.NewObject(0)
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		return obj, nil
	}
	for {
		p.skipSpace()
		if c := p.peek(); c != '\'' && c != '"' {
			return nil, p.errorf(p.pos, "expected a quoted key, found %s", p.describe())
		}
		k, err := p.quoted()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.peek() != ':' {
			return nil, p.errorf(p.pos, "expected ':' after a key, found %s", p.describe())
		}
		p.pos++
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		obj.Set(k, v)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return obj, nil
		default:
			return nil, p.errorf(p.pos, "expected ',' or '}' in an object, found %s", p.describe())
		}
	}
}
