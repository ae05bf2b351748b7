package logstore

// CloudWatch Logs filter patterns, as the user guide's "Filter pattern
// syntax for metric filters, subscription filters, filter log events, and
// Live Tail" describes them. A pattern is one of:
//
//   - terms (unstructured events): ERROR "exact phrase" -excluded ?optional;
//     case-sensitive substrings, all required, none of the excluded; "?"
//     terms alone match when any occurs, and are ignored next to other terms
//   - a regular expression: %regex%
//   - JSON: { $.a.b[0] = "x*" && ($.n > 5 || $.f IS TRUE) }, matching only
//     events whose message is a JSON object
//   - space-delimited: [ip, user, ..., status = 4* || status = 500, bytes > 0]
//
// compilePattern parses a pattern once, with a small recursive-descent
// parser, into a func reporting whether a message matches.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrInvalidPattern is wrapped by the error [Store.Filter] returns for a
// filter pattern it cannot parse (CloudWatch Logs answers those with an
// InvalidParameterException); the error's text says what is wrong.
var ErrInvalidPattern = errors.New("invalid filter pattern")

// Limits AWS documents.
const (
	maxPatternLen = 1024 // characters in a pattern
	maxRegexes    = 2    // regular expressions in a JSON or space-delimited pattern
	maxWildcards  = 3    // wildcard selectors in a JSON pattern
)

// compilePattern turns a filter pattern into a matcher. The empty pattern
// matches everything.
func compilePattern(p string) (func(string) bool, error) {
	if utf8.RuneCountInString(p) > maxPatternLen {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrInvalidPattern, maxPatternLen)
	}
	t := strings.TrimSpace(p)
	switch {
	case t == "":
		return func(string) bool { return true }, nil
	case t[0] == '{':
		return compileJSON(t)
	case t[0] == '[':
		return compileDelimited(t)
	case len(t) > 1 && t[0] == '%' && t[len(t)-1] == '%':
		re, err := compileRegex(t[1 : len(t)-1])
		if err != nil {
			return nil, err
		}
		// As in Java, which AWS uses, "$" also matches before a final
		// newline (Lambda's log lines end in one).
		return func(msg string) bool {
			return re.MatchString(strings.TrimSuffix(strings.TrimSuffix(msg, "\n"), "\r"))
		}, nil
	}
	return compileTerms(t)
}

// compileTerms compiles an unstructured-event pattern.
func compileTerms(p string) (func(string) bool, error) {
	var must, exclude, optional []string
	s := &scanner{src: p}
	for s.skipSpace(); !s.eof(); s.skipSpace() {
		prefix := s.peek()
		if prefix == '?' || prefix == '-' {
			s.pos++
			if s.skipSpace(); s.eof() {
				return nil, s.errorf("missing term after %q", prefix)
			}
		}
		var term string
		if s.peek() == '"' {
			var err error
			if term, err = s.quoted(); err != nil {
				return nil, err
			}
		} else {
			term = s.span(func(c byte) bool { return !isSpace(c) })
		}
		if strings.TrimSpace(term) == "" {
			continue // `" "` matches everything
		}
		switch prefix {
		case '?':
			optional = append(optional, term)
		case '-':
			exclude = append(exclude, term)
		default:
			must = append(must, term)
		}
	}
	if len(must)+len(exclude) > 0 {
		optional = nil // AWS ignores "?" terms combined with other terms
	}
	return func(msg string) bool {
		for _, t := range must {
			if !strings.Contains(msg, t) {
				return false
			}
		}
		for _, t := range exclude {
			if strings.Contains(msg, t) {
				return false
			}
		}
		for _, t := range optional {
			if strings.Contains(msg, t) {
				return true
			}
		}
		return len(optional) == 0
	}, nil
}

// compileRegex compiles the text between a pair of % with the characters
// AWS allows: ASCII letters and digits, the symbols :_#=@/;,- and the
// operators ^$?[]{}|\*+. (no groups, no multi-byte characters).
func compileRegex(src string) (*regexp.Regexp, error) {
	if src == "" {
		return nil, fmt.Errorf("%w: empty regular expression", ErrInvalidPattern)
	}
	for i := 0; i < len(src); i++ {
		if c := src[i]; !isAlnum(c) && !strings.ContainsRune(" :_#=@/;,-^$?[]{}|\\*+.", rune(c)) {
			return nil, fmt.Errorf("%w: character %q is not supported in regular expression %%%s%%", ErrInvalidPattern, src[i:i+1], src)
		}
	}
	re, err := regexp.Compile(strings.ReplaceAll(src, "{,", "{0,"))
	if err != nil {
		return nil, fmt.Errorf("%w: regular expression %%%s%%: %v", ErrInvalidPattern, src, err)
	}
	return re, nil
}

// scalar is a value a condition tests: a JSON string or number, or a
// field of a space-delimited event.
type scalar struct {
	text  string
	num   float64
	isNum bool
}

func textScalar(s string) scalar {
	n, ok := parseNumber(s)
	return scalar{text: s, num: n, isNum: ok}
}

var numberRE = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// parseNumber parses an integer or decimal with an optional sign and
// exponent.
func parseNumber(s string) (float64, bool) {
	if !numberRE.MatchString(s) {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil
}

// comparison parses "OPERATOR VALUE" and returns its test. VALUE is a
// number (any operator), or for = and != a string, bare or quoted, with a
// leading and/or trailing * wildcard, * alone (any value), or %regex%.
func (s *scanner) comparison(regexes *int) (func(scalar) bool, error) {
	s.skipSpace()
	op := ""
	for _, o := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if strings.HasPrefix(s.src[s.pos:], o) {
			op = o
			s.pos += len(o)
			break
		}
	}
	if op == "" {
		return nil, s.errorf("expected an operator (=, !=, <, >, <=, >=)")
	}
	equality := op == "=" || op == "!="
	s.skipSpace()
	start := s.pos
	switch s.peek() {
	case '"':
		str, err := s.quoted()
		if err != nil {
			return nil, err
		}
		if !equality {
			s.pos = start
			return nil, s.errorf("%s needs a number", op)
		}
		return stringTest(op, str), nil
	case '%':
		end := strings.IndexByte(s.src[s.pos+1:], '%')
		if end < 0 {
			return nil, s.errorf("unterminated regular expression")
		}
		if !equality {
			return nil, s.errorf("%s needs a number", op)
		}
		if *regexes++; *regexes > maxRegexes {
			return nil, s.errorf("more than %d regular expressions", maxRegexes)
		}
		re, err := compileRegex(s.src[s.pos+1 : s.pos+1+end])
		if err != nil {
			return nil, err
		}
		s.pos += end + 2
		return func(v scalar) bool { return re.MatchString(v.text) == (op == "=") }, nil
	}
	tok := s.span(isBare)
	if tok == "" {
		return nil, s.errorf("expected a value after %s", op)
	}
	if n, ok := parseNumber(tok); ok {
		return numberTest(op, n), nil
	}
	if !equality {
		s.pos = start
		return nil, s.errorf("%s needs a number", op)
	}
	return stringTest(op, tok), nil
}

// stringTest compares text with pat, whose leading and trailing * match
// any text.
func stringTest(op, pat string) func(scalar) bool {
	core, lead := strings.CutPrefix(pat, "*")
	core, trail := strings.CutSuffix(core, "*")
	return func(v scalar) bool {
		var ok bool
		switch {
		case lead && trail:
			ok = strings.Contains(v.text, core)
		case lead:
			ok = strings.HasSuffix(v.text, core)
		case trail:
			ok = strings.HasPrefix(v.text, core)
		default:
			ok = v.text == core
		}
		return ok == (op == "=")
	}
}

// numberTest compares numbers; other values never match.
func numberTest(op string, n float64) func(scalar) bool {
	return func(v scalar) bool {
		if !v.isNum {
			return false
		}
		switch op {
		case "=":
			return v.num == n
		case "!=":
			return v.num != n
		case "<":
			return v.num < n
		case ">":
			return v.num > n
		case "<=":
			return v.num <= n
		}
		return v.num >= n
	}
}

// JSON patterns: { COND }, where
//
//	or   = and { "||" and }
//	and  = unit { "&&" unit }
//	unit = "(" or ")" | SELECTOR ( comparison | IS TRUE|FALSE|NULL | NOT EXISTS )

type jsonParser struct {
	scanner
	regexes, wildcards int
}

func compileJSON(p string) (func(string) bool, error) {
	jp := &jsonParser{scanner: scanner{src: p, pos: 1}}
	test, err := jp.or()
	if err != nil {
		return nil, err
	}
	if !jp.accept("}") {
		return nil, jp.errorf("expected &&, || or }")
	}
	if jp.skipSpace(); !jp.eof() {
		return nil, jp.errorf("unexpected text after }")
	}
	return func(msg string) bool {
		root, ok := parseJSONObject(msg)
		return ok && test(root)
	}, nil
}

func (p *jsonParser) or() (func(any) bool, error) {
	l, err := p.and()
	for err == nil && p.accept("||") {
		var r func(any) bool
		if r, err = p.and(); err == nil {
			l = either(l, r)
		}
	}
	return l, err
}

func (p *jsonParser) and() (func(any) bool, error) {
	l, err := p.unit()
	for err == nil && p.accept("&&") {
		var r func(any) bool
		if r, err = p.unit(); err == nil {
			l = both(l, r)
		}
	}
	return l, err
}

func (p *jsonParser) unit() (func(any) bool, error) {
	if p.accept("(") {
		t, err := p.or()
		if err == nil && !p.accept(")") {
			err = p.errorf("expected )")
		}
		return t, err
	}
	path, err := p.selector()
	if err != nil {
		return nil, err
	}
	switch {
	case p.keyword("IS"):
		var want any
		switch {
		case p.keyword("TRUE"):
			want = true
		case p.keyword("FALSE"):
			want = false
		case p.keyword("NULL"):
			want = nil
		default:
			return nil, p.errorf("expected TRUE, FALSE or NULL after IS")
		}
		return func(root any) bool { return path.find(root, func(v any) bool { return v == want }) }, nil
	case p.keyword("NOT"):
		if !p.keyword("EXISTS") {
			return nil, p.errorf("expected EXISTS after NOT")
		}
		return func(root any) bool { return !path.find(root, func(any) bool { return true }) }, nil
	}
	test, err := p.comparison(&p.regexes)
	if err != nil {
		return nil, err
	}
	return func(root any) bool {
		return path.find(root, func(v any) bool {
			s, ok := jsonScalar(v)
			return ok && test(s)
		})
	}, nil
}

// jsonPath is a parsed property selector.
type jsonPath []pathStep

type pathStep struct {
	key   string
	index int // >= 0 for an array index; -1 for a property
	wild  bool
}

// selector parses $ followed by .name, .['name'], [N], .* or [*] steps;
// at most one may be a wildcard.
func (p *jsonParser) selector() (jsonPath, error) {
	if !p.accept("$") {
		return nil, p.errorf("expected a selector starting with $")
	}
	var path jsonPath
	for {
		switch p.peek() {
		case '.':
			p.pos++
			switch c := p.peek(); {
			case c == '*':
				p.pos++
				path = append(path, pathStep{index: -1, wild: true})
			case c == '[':
				// bracket notation follows: $.['a.b']
			default:
				name := p.span(isKeyChar)
				if name == "" {
					return nil, p.errorf("expected a property name after .")
				}
				path = append(path, pathStep{key: name, index: -1})
			}
		case '[':
			p.pos++
			st := pathStep{index: -1}
			switch c := p.peek(); {
			case c == '*':
				p.pos++
				st.wild = true
			case c == '\'' || c == '"':
				key, err := p.quoted()
				if err != nil {
					return nil, err
				}
				st.key = key
			case isDigit(c):
				n, err := strconv.Atoi(p.span(isDigit))
				if err != nil {
					return nil, p.errorf("array index too large")
				}
				st.index = n
			default:
				return nil, p.errorf("expected an index, * or a quoted name after [")
			}
			if p.peek() != ']' {
				return nil, p.errorf("expected ]")
			}
			p.pos++
			path = append(path, st)
		default:
			if len(path) == 0 {
				return nil, p.errorf("expected a property after $")
			}
			wild := 0
			for _, st := range path {
				if st.wild {
					wild++
				}
			}
			if p.wildcards += wild; wild > 1 || p.wildcards > maxWildcards {
				return nil, p.errorf("too many wildcards (one per selector, %d per pattern)", maxWildcards)
			}
			return path, nil
		}
	}
}

// find reports whether fn holds for a value the path selects in v.
func (path jsonPath) find(v any, fn func(any) bool) bool {
	if len(path) == 0 {
		return fn(v)
	}
	st, rest := path[0], path[1:]
	switch x := v.(type) {
	case map[string]any:
		if st.wild {
			for _, e := range x {
				if rest.find(e, fn) {
					return true
				}
			}
			return false
		}
		e, ok := x[st.key]
		return ok && st.index < 0 && rest.find(e, fn)
	case []any:
		if st.wild {
			for _, e := range x {
				if rest.find(e, fn) {
					return true
				}
			}
			return false
		}
		return st.index >= 0 && st.index < len(x) && rest.find(x[st.index], fn)
	}
	return false
}

// jsonScalar returns a JSON string or number as a scalar; other values
// (objects, arrays, booleans, null) are not compared.
func jsonScalar(v any) (scalar, bool) {
	switch x := v.(type) {
	case string:
		return scalar{text: x}, true
	case json.Number:
		n, err := x.Float64()
		return scalar{text: x.String(), num: n, isNum: err == nil}, true
	}
	return scalar{}, false
}

// parseJSONObject decodes a message that is one JSON object.
func parseJSONObject(msg string) (any, bool) {
	msg = strings.TrimSpace(msg)
	if !strings.HasPrefix(msg, "{") {
		return nil, false
	}
	d := json.NewDecoder(strings.NewReader(msg))
	d.UseNumber()
	var obj map[string]any
	if err := d.Decode(&obj); err != nil {
		return nil, false
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, false
	}
	return obj, true
}

// Space-delimited patterns: [FIELD, ...], where FIELD is empty or a name
// (any value), "..." (any number of fields, once per pattern), or
// conditions on the field joined by && and ||: status = 4* || status = 500.

type delimField struct {
	ellipsis bool
	test     func(scalar) bool // nil: any value
}

func compileDelimited(p string) (func(string) bool, error) {
	s := &scanner{src: p, pos: 1}
	var fields []delimField
	ellipsis, regexes := -1, 0
	for {
		f, err := parseDelimField(s, &regexes)
		if err != nil {
			return nil, err
		}
		if f.ellipsis {
			if ellipsis >= 0 {
				return nil, s.errorf("only one ... is allowed")
			}
			ellipsis = len(fields)
		}
		fields = append(fields, f)
		if s.accept("]") {
			break
		}
		if !s.accept(",") {
			return nil, s.errorf("expected , or ]")
		}
	}
	if s.skipSpace(); !s.eof() {
		return nil, s.errorf("unexpected text after ]")
	}
	return func(msg string) bool { return matchFields(fields, ellipsis, splitFields(msg)) }, nil
}

func parseDelimField(s *scanner, regexes *int) (delimField, error) {
	if s.accept("...") {
		return delimField{ellipsis: true}, nil
	}
	if c := s.peek(); c == ',' || c == ']' {
		return delimField{}, nil
	}
	start := s.pos
	name := s.span(isKeyChar)
	if name == "" {
		return delimField{}, s.errorf("expected a field name")
	}
	if s.skipSpace(); s.peek() == ',' || s.peek() == ']' {
		return delimField{}, nil
	}
	s.pos = start
	cond := func() (func(scalar) bool, error) {
		s.skipSpace()
		if n := s.span(isKeyChar); n != name {
			return nil, s.errorf("a condition in field %q must name %q", name, name)
		}
		return s.comparison(regexes)
	}
	and := func() (func(scalar) bool, error) {
		l, err := cond()
		for err == nil && s.accept("&&") {
			var r func(scalar) bool
			if r, err = cond(); err == nil {
				l = both(l, r)
			}
		}
		return l, err
	}
	test, err := and()
	for err == nil && s.accept("||") {
		var r func(scalar) bool
		if r, err = and(); err == nil {
			test = either(test, r)
		}
	}
	return delimField{test: test}, err
}

// matchFields matches a pattern's fields with an event's: one for one, or,
// with an ellipsis at fields[ellipsis], the fields before it with the
// first words and those after it with the last.
func matchFields(fields []delimField, ellipsis int, words []string) bool {
	pre, post := fields, []delimField(nil)
	if ellipsis >= 0 {
		pre, post = fields[:ellipsis], fields[ellipsis+1:]
		if len(words) < len(pre)+len(post) {
			return false
		}
	} else if len(words) != len(fields) {
		return false
	}
	match := func(f delimField, w string) bool { return f.test == nil || f.test(textScalar(w)) }
	for i, f := range pre {
		if !match(f, words[i]) {
			return false
		}
	}
	off := len(words) - len(post)
	for i, f := range post {
		if !match(f, words[off+i]) {
			return false
		}
	}
	return true
}

// splitFields splits an event at whitespace; text in "double quotes" or
// [brackets] is one field, without them.
func splitFields(msg string) []string {
	var out []string
	for i := 0; i < len(msg); {
		c := msg[i]
		if isSpace(c) {
			i++
			continue
		}
		closer := byte(0)
		switch c {
		case '"':
			closer = '"'
		case '[':
			closer = ']'
		}
		if closer != 0 {
			end := strings.IndexByte(msg[i+1:], closer)
			if end < 0 {
				return append(out, msg[i+1:])
			}
			out = append(out, msg[i+1:i+1+end])
			i += end + 2
			continue
		}
		j := i
		for j < len(msg) && !isSpace(msg[j]) {
			j++
		}
		out = append(out, msg[i:j])
		i = j
	}
	return out
}

// scanner reads a pattern.
type scanner struct {
	src string
	pos int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at offset %d", ErrInvalidPattern, fmt.Sprintf(format, args...), s.pos)
}

func (s *scanner) eof() bool { return s.pos >= len(s.src) }

// peek returns the next byte, 0 at the end.
func (s *scanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.pos]
}

func (s *scanner) skipSpace() {
	for !s.eof() && isSpace(s.src[s.pos]) {
		s.pos++
	}
}

// accept skips blanks and consumes tok if it comes next.
func (s *scanner) accept(tok string) bool {
	s.skipSpace()
	if strings.HasPrefix(s.src[s.pos:], tok) {
		s.pos += len(tok)
		return true
	}
	return false
}

// keyword skips blanks and consumes the word w, in any case, if it comes
// next as a whole word.
func (s *scanner) keyword(w string) bool {
	s.skipSpace()
	end := s.pos + len(w)
	if end <= len(s.src) && strings.EqualFold(s.src[s.pos:end], w) && (end == len(s.src) || !isKeyChar(s.src[end])) {
		s.pos = end
		return true
	}
	return false
}

// span consumes the bytes for which ok holds and returns them.
func (s *scanner) span(ok func(byte) bool) string {
	start := s.pos
	for !s.eof() && ok(s.src[s.pos]) {
		s.pos++
	}
	return s.src[start:s.pos]
}

// quoted consumes the string in the quotes starting at pos; a backslash
// escapes the quote or a backslash.
func (s *scanner) quoted() (string, error) {
	start, q := s.pos, s.src[s.pos]
	var b strings.Builder
	for s.pos++; !s.eof(); s.pos++ {
		c := s.src[s.pos]
		if c == q {
			s.pos++
			return b.String(), nil
		}
		if c == '\\' && s.pos+1 < len(s.src) && (s.src[s.pos+1] == q || s.src[s.pos+1] == '\\') {
			s.pos++
			c = s.src[s.pos]
		}
		b.WriteByte(c)
	}
	s.pos = start
	return "", s.errorf("unterminated quote")
}

func either[T any](a, b func(T) bool) func(T) bool { return func(v T) bool { return a(v) || b(v) } }

func both[T any](a, b func(T) bool) func(T) bool { return func(v T) bool { return a(v) && b(v) } }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isKeyChar reports whether c may appear in a property or field name.
func isKeyChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// isBare reports whether c may appear in an unquoted value.
func isBare(c byte) bool { return !isSpace(c) && !strings.ContainsRune(`,()[]{}&|=!<>"`, rune(c)) }
