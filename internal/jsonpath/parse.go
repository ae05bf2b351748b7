package jsonpath

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxVariableName is the longest variable name, in characters.
	maxVariableName = 80
	// maxFilterDepth bounds how deeply filters, parentheses and literals may
	// nest, so hostile input cannot exhaust the stack.
	maxFilterDepth = 16
)

// parser turns path text into steps. One parser handles a whole path,
// including the paths and literals inside its filters.
type parser struct {
	src   string // the text being compiled, for errors and slicing
	pos   int    // current byte offset
	end   int    // end of the text after trimming trailing space
	ref   bool   // reference path: only names and single indexes
	depth int    // filter nesting depth
}

func (p *parser) errorf(off int, format string, args ...any) error {
	return &SyntaxError{Path: p.src, Offset: off, Msg: fmt.Sprintf(format, args...), Reference: p.ref}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) skipSpace() {
	for p.pos < p.end && isSpace(p.src[p.pos]) {
		p.pos++
	}
}

// peek returns the byte at the current position, or 0 at the end.
func (p *parser) peek() byte {
	if p.pos < p.end {
		return p.src[p.pos]
	}
	return 0
}

// describe names the character at the current position for error messages.
func (p *parser) describe() string {
	if p.pos >= p.end {
		return "end of path"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:p.end])
	return strconv.QuoteRune(r)
}

// parsePath parses a whole top-level path.
func (p *parser) parsePath() (*Path, error) {
	p.end = len(p.src)
	for p.pos < p.end && isSpace(p.src[p.pos]) {
		p.pos++
	}
	for p.end > p.pos && isSpace(p.src[p.end-1]) {
		p.end--
	}
	if p.pos == p.end {
		return nil, p.errorf(p.pos, "a path must not be empty")
	}
	if p.src[p.pos] != '$' {
		return nil, p.errorf(p.pos, "a path must start with '$', found %s", p.describe())
	}
	p.pos++
	path := &Path{}
	if p.peek() == '$' {
		if p.ref {
			return nil, p.errorf(p.pos-1, "'$$' (the context object) is not allowed in a reference path")
		}
		path.root = RootContext
		p.pos++
	} else if p.pos < p.end {
		r, _ := utf8.DecodeRuneInString(p.src[p.pos:p.end])
		if isIDStart(r) {
			if p.ref {
				return nil, p.errorf(p.pos-1, "a variable is not allowed in a reference path")
			}
			name, err := p.variableName()
			if err != nil {
				return nil, err
			}
			path.root = RootVariable
			path.variable = name
		}
	}
	steps, err := p.parseSteps(false)
	if err != nil {
		return nil, err
	}
	path.steps = steps
	path.definite = definiteSteps(steps)
	return path, nil
}

// isIDStart reports whether r may start a variable name: a Unicode
// identifier start (letters, letter numbers) or '_'.
func isIDStart(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.In(r, unicode.Nl, unicode.Other_ID_Start)
}

// isIDContinue reports whether r may continue a variable name.
func isIDContinue(r rune) bool {
	return isIDStart(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue)
}

// variableName reads the name after "$" of a variable reference.
func (p *parser) variableName() (string, error) {
	start := p.pos
	n := 0
	for p.pos < p.end {
		r, size := utf8.DecodeRuneInString(p.src[p.pos:p.end])
		if !isIDContinue(r) {
			break
		}
		p.pos += size
		n++
	}
	name := p.src[start:p.pos]
	if n > maxVariableName {
		return "", p.errorf(start, "the variable name '%s' is longer than %d characters", name, maxVariableName)
	}
	if name == "states" {
		return "", p.errorf(start, "'$states' is reserved and cannot be used in a JSONPath")
	}
	return name, nil
}

// parseSteps reads steps up to the end of the path. Inside a filter the path
// ends at the first byte that cannot continue it.
func (p *parser) parseSteps(inFilter bool) ([]step, error) {
	var steps []step
	for p.pos < p.end {
		var s step
		var err error
		switch p.src[p.pos] {
		case '.':
			s, err = p.dotStep(inFilter)
		case '[':
			s, err = p.bracketStep()
		default:
			if inFilter {
				return steps, nil
			}
			if isSpace(p.src[p.pos]) {
				return nil, p.errorf(p.pos, "unexpected space; use bracket notation such as ['a b'] for names with spaces")
			}
			return nil, p.errorf(p.pos, "expected '.' or '[', found %s", p.describe())
		}
		if err != nil {
			return nil, err
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// dotStep parses ".name", ".*", ".[...]" and the deep scan "..x".
func (p *parser) dotStep(inFilter bool) (step, error) {
	start := p.pos
	p.pos++
	descent := false
	if p.peek() == '.' {
		if p.ref {
			return step{}, p.errorf(start, "deep scan ('..') is not allowed in a reference path")
		}
		descent = true
		p.pos++
	}
	if p.pos >= p.end {
		return step{}, p.errorf(start, "a path must not end with '%s'", p.src[start:p.pos])
	}
	var s step
	var err error
	switch p.src[p.pos] {
	case '.':
		return step{}, p.errorf(p.pos, "unexpected '.'")
	case '[':
		s, err = p.bracketStep()
	case '*':
		if p.ref {
			return step{}, p.errorf(p.pos, "wildcards ('*') are not allowed in a reference path")
		}
		p.pos++
		s = step{kind: stepWildcard}
	default:
		var name string
		name, err = p.dotName(inFilter)
		s = step{kind: stepName, name: name}
	}
	if err != nil {
		return step{}, err
	}
	s.descent = descent
	return s, nil
}

// filterNameStop lists the bytes that end a dotted name inside a filter.
const filterNameStop = " \t\r\n)=!<>&|~,]"

// dotName reads the name after a '.': everything up to the next '.', '[' or
// the end, as Jayway reads it. A '(' makes it a path function, which Step
// Functions does not support.
func (p *parser) dotName(inFilter bool) (string, error) {
	start := p.pos
	for p.pos < p.end {
		c := p.src[p.pos]
		if c == '.' || c == '[' {
			break
		}
		if c == '(' {
			return "", p.errorf(start, "path functions such as %s() are not supported", p.src[start:p.pos])
		}
		if inFilter && strings.IndexByte(filterNameStop, c) >= 0 {
			break
		}
		if isSpace(c) {
			return "", p.errorf(p.pos, "unexpected space; use bracket notation such as ['a b'] for names with spaces")
		}
		p.pos++
	}
	if p.pos == start {
		return "", p.errorf(start, "expected a name after '.', found %s", p.describe())
	}
	return p.src[start:p.pos], nil
}

// bracketStep parses "[...]": a wildcard, filter, quoted names, an index,
// a list of indexes or a slice.
func (p *parser) bracketStep() (step, error) {
	open := p.pos
	p.pos++
	p.skipSpace()
	if p.pos >= p.end {
		return step{}, p.errorf(p.pos, "expected ']', found end of path")
	}
	var s step
	var err error
	switch c := p.src[p.pos]; {
	case c == '*':
		if p.ref {
			return step{}, p.errorf(open, "wildcards ('*') are not allowed in a reference path")
		}
		p.pos++
		s = step{kind: stepWildcard}
	case c == '?':
		if p.ref {
			return step{}, p.errorf(open, "filters ('[?(...)]') are not allowed in a reference path")
		}
		s, err = p.filterStep()
	case c == '(':
		return step{}, p.errorf(p.pos, "script expressions such as [(@.length-1)] are not supported")
	case c == '\'' || c == '"':
		s, err = p.namesStep(open)
	case c == '-' || c == ':' || (c >= '0' && c <= '9'):
		s, err = p.indexStep(open)
	default:
		return step{}, p.errorf(p.pos, "expected a quoted name, an index, '*' or a filter after '[', found %s", p.describe())
	}
	if err != nil {
		return step{}, err
	}
	p.skipSpace()
	if p.peek() != ']' {
		return step{}, p.errorf(p.pos, "expected ']', found %s", p.describe())
	}
	p.pos++
	return s, nil
}

// namesStep parses "'a'" or "'a', 'b'" inside brackets.
func (p *parser) namesStep(open int) (step, error) {
	var names []string
	for {
		name, err := p.rawQuoted()
		if err != nil {
			return step{}, err
		}
		names = append(names, name)
		p.skipSpace()
		if p.peek() != ',' {
			break
		}
		p.pos++
		p.skipSpace()
		if c := p.peek(); c != '\'' && c != '"' {
			return step{}, p.errorf(p.pos, "expected a quoted name after ',', found %s", p.describe())
		}
	}
	if len(names) == 1 {
		return step{kind: stepName, name: names[0]}, nil
	}
	if p.ref {
		return step{}, p.errorf(open, "multiple names ('[...,...]') are not allowed in a reference path")
	}
	return step{kind: stepNames, names: names}, nil
}

// rawQuoted reads a quoted name in brackets. A backslash keeps the next
// character from ending the name, but both stay in the name: AWS resolves
// $['Test\""Name"'] to the key Test\""Name" (scenarios
// test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH], recorded against
// AWS), as the Jayway version it runs reads bracket names verbatim.
func (p *parser) rawQuoted() (string, error) {
	q := p.src[p.pos]
	start := p.pos
	p.pos++
	for p.pos < p.end {
		switch p.src[p.pos] {
		case q:
			s := p.src[start+1 : p.pos]
			p.pos++
			return s, nil
		case '\\':
			p.pos++
		}
		p.pos++
	}
	return "", p.errorf(start, "unterminated string")
}

// quoted reads a string literal of a filter, in single or double quotes,
// with backslash escapes.
func (p *parser) quoted() (string, error) {
	q := p.src[p.pos]
	start := p.pos
	p.pos++
	from := p.pos
	for p.pos < p.end {
		c := p.src[p.pos]
		if c == q {
			s := p.src[from:p.pos]
			p.pos++
			return s, nil
		}
		if c == '\\' {
			p.pos = from
			return p.quotedEscaped(q, start)
		}
		p.pos++
	}
	return "", p.errorf(start, "unterminated string")
}

// quotedEscaped is quoted for strings that contain escapes: \b \f \n \r \t
// and \uXXXX as in JSON; a backslash before any other character stands for
// that character (\' \" \\ \/).
func (p *parser) quotedEscaped(q byte, start int) (string, error) {
	var b strings.Builder
	for p.pos < p.end {
		c := p.src[p.pos]
		if c == q {
			p.pos++
			return b.String(), nil
		}
		if c != '\\' {
			b.WriteByte(c)
			p.pos++
			continue
		}
		if p.pos+1 >= p.end {
			break
		}
		e := p.src[p.pos+1]
		p.pos += 2
		switch e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if p.pos+4 > p.end {
				return "", p.errorf(p.pos-2, "invalid \\u escape")
			}
			n, err := strconv.ParseUint(p.src[p.pos:p.pos+4], 16, 16)
			if err != nil {
				return "", p.errorf(p.pos-2, "invalid \\u escape")
			}
			b.WriteRune(rune(n))
			p.pos += 4
		default:
			b.WriteByte(e)
		}
	}
	return "", p.errorf(start, "unterminated string")
}

// indexStep parses "n", "n,m,...", "from:to", "from:" and ":to".
func (p *parser) indexStep(open int) (step, error) {
	var first int
	hasFirst := false
	if p.peek() != ':' {
		n, err := p.integer()
		if err != nil {
			return step{}, err
		}
		first, hasFirst = n, true
		p.skipSpace()
	}
	switch p.peek() {
	case ':':
		if p.ref {
			return step{}, p.errorf(open, "slices ('[a:b]') are not allowed in a reference path")
		}
		p.pos++
		p.skipSpace()
		s := step{kind: stepSlice, from: first, hasFrom: hasFirst}
		if c := p.peek(); c == '-' || (c >= '0' && c <= '9') {
			n, err := p.integer()
			if err != nil {
				return step{}, err
			}
			s.to, s.hasTo = n, true
			p.skipSpace()
		}
		if p.peek() == ':' {
			return step{}, p.errorf(p.pos, "slice steps ('[a:b:c]') are not supported")
		}
		return s, nil
	case ',':
		if p.ref {
			return step{}, p.errorf(open, "multiple indexes ('[a,b]') are not allowed in a reference path")
		}
		idx := []int{first}
		for p.peek() == ',' {
			p.pos++
			p.skipSpace()
			n, err := p.integer()
			if err != nil {
				return step{}, err
			}
			idx = append(idx, n)
			p.skipSpace()
		}
		return step{kind: stepIndexes, indexes: idx}, nil
	}
	return step{kind: stepIndex, index: first}, nil
}

// integer reads an optionally negative decimal integer that fits Java's int.
func (p *parser) integer() (int, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	digits := p.pos
	for p.pos < p.end && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	if p.pos == digits {
		return 0, p.errorf(p.pos, "expected a number, found %s", p.describe())
	}
	n, err := strconv.ParseInt(p.src[start:p.pos], 10, 64)
	if err != nil || n > math.MaxInt32 || n < math.MinInt32 {
		return 0, p.errorf(start, "index %s is out of range", p.src[start:p.pos])
	}
	return int(n), nil
}
