package jsonv

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects Parse accepts.
const MaxDepth = 10000

// Pos is a position in JSON text: 1-based line and column (in characters)
// and the 0-based byte offset.
type Pos struct {
	Line, Column, Offset int
}

// String formats the position as line:column.
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

// SyntaxError describes malformed JSON text: where it breaks and what was
// expected there. When the text contains typographic quotes, Hint says so.
type SyntaxError struct {
	Msg          string
	Line, Column int
	Offset       int
	Hint         string
}

func (e *SyntaxError) Error() string {
	s := fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Node positions recorded by ParseWithPositions, keyed by JSON pointer.
type Positions map[string]NodePos

// NodePos is where a member's key and value start. For array elements and
// the root, Key equals Value.
type NodePos struct {
	Key, Value Pos
}

// Lookup returns the position recorded for pointer, or for its nearest
// recorded ancestor, and whether an exact match was found.
func (p Positions) Lookup(pointer string) (NodePos, bool) {
	if np, ok := p[pointer]; ok {
		return np, true
	}
	for pointer != "" {
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			break
		}
		pointer = pointer[:i]
		if np, ok := p[pointer]; ok {
			return np, false
		}
	}
	return p[""], false
}

// Duplicate is an object key that occurred more than once; the last value wins.
type Duplicate struct {
	Pointer string
	Pos     Pos
}

// Parse decodes one JSON value from data. Object key order is kept; when a key
// repeats, the last value wins and keeps the first key's position.
func Parse(data []byte) (any, error) {
	p := parser{data: data, line: 1, lineStart: 0}
	return p.parseDocument()
}

// ParseCountingDuplicates is Parse that also counts the object keys that
// repeat: cheaper than ParseWithPositions when the positions are needed only
// once something is wrong.
func ParseCountingDuplicates(data []byte) (any, int, error) {
	p := parser{data: data, line: 1, lineStart: 0}
	v, err := p.parseDocument()
	return v, p.ndups, err
}

// ParseString is Parse for a string.
func ParseString(s string) (any, error) { return Parse([]byte(s)) }

// ParseWithPositions is Parse that also records where every node starts,
// keyed by JSON pointer (RFC 6901; the root is ""), and which keys repeated.
func ParseWithPositions(data []byte) (any, Positions, []Duplicate, error) {
	p := parser{data: data, line: 1, lineStart: 0, pos: Positions{}}
	v, err := p.parseDocument()
	return v, p.pos, p.dups, err
}

type parser struct {
	data      []byte
	i         int
	line      int
	lineStart int
	depth     int
	pos       Positions
	dups      []Duplicate
	ndups     int // keys that repeated, counted with or without positions
}

func (p *parser) parseDocument() (any, error) {
	p.skipSpace()
	if p.i >= len(p.data) {
		return nil, p.errorf("expected a JSON value, found end of input")
	}
	v, err := p.value("")
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.data) {
		return nil, p.errorf("expected end of input after the JSON value, found %s", p.describe())
	}
	return v, nil
}

func (p *parser) here() Pos {
	col := utf8.RuneCount(p.data[p.lineStart:p.i]) + 1
	return Pos{Line: p.line, Column: col, Offset: p.i}
}

func (p *parser) errorf(format string, args ...any) error {
	at := p.here()
	return &SyntaxError{Msg: fmt.Sprintf(format, args...), Line: at.Line, Column: at.Column, Offset: at.Offset, Hint: TypographicHint(p.data)}
}

// typographic lists characters that look like quotes but are not JSON quotes.
var typographic = []rune{'“', '”', '‘', '’', '″', '„', '‟', '′', '«', '»'}

// TypographicHint returns a note naming the first typographic quote in data
// and where it is, or "" when there is none.
func TypographicHint(data []byte) string {
	line, lineStart := 1, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == '\n' {
			line++
			lineStart = i + 1
		}
		for _, t := range typographic {
			if r == t {
				col := utf8.RuneCount(data[lineStart:i]) + 1
				return fmt.Sprintf("the text contains typographic quotes, first %c at line %d, column %d; JSON needs straight quotes (\") instead", r, line, col)
			}
		}
		i += size
	}
	return ""
}

// describe names the character at the current position for error messages.
func (p *parser) describe() string {
	if p.i >= len(p.data) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.data[p.i:])
	switch {
	case r == utf8.RuneError:
		return fmt.Sprintf("invalid UTF-8 byte 0x%02x", p.data[p.i])
	case r < 0x20:
		return fmt.Sprintf("control character U+%04X", r)
	default:
		return fmt.Sprintf("'%c'", r)
	}
}

func (p *parser) skipSpace() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\r':
			p.i++
		case '\n':
			p.i++
			p.line++
			p.lineStart = p.i
		default:
			return
		}
	}
}

func (p *parser) record(pointer string, key, val Pos) {
	if p.pos != nil {
		p.pos[pointer] = NodePos{Key: key, Value: val}
	}
}

func (p *parser) value(pointer string) (any, error) {
	if p.pos != nil && pointer == "" {
		h := p.here()
		p.record("", h, h)
	}
	if p.i >= len(p.data) {
		return nil, p.errorf("expected a JSON value, found end of input")
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object(pointer)
	case c == '[':
		return p.array(pointer)
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", true)
	case c == 'f':
		return p.literal("false", false)
	case c == 'n':
		return p.literal("null", nil)
	default:
		return nil, p.errorf("expected a JSON value (string, number, object, array, true, false or null), found %s", p.describe())
	}
}

func (p *parser) literal(word string, v any) (any, error) {
	if strings.HasPrefix(string(p.data[p.i:min(len(p.data), p.i+len(word))]), word) {
		end := p.i + len(word)
		if end == len(p.data) || !isIdentByte(p.data[end]) {
			p.i = end
			return v, nil
		}
	}
	j := p.i
	for j < len(p.data) && isIdentByte(p.data[j]) {
		j++
	}
	return nil, p.errorf("unrecognized token '%s': expected a JSON value (string, number, object, array, true, false or null)", string(p.data[p.i:max(j, p.i+1)]))
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorf("nesting deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *parser) object(pointer string) (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++ // {
	obj := NewObject(4)
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		p.depth--
		return obj, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.data) {
			return nil, p.errorf("expected a string object key or '}', found end of input")
		}
		if p.data[p.i] != '"' {
			return nil, p.errorf("expected a string object key in double quotes, found %s", p.describe())
		}
		keyPos := p.here()
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.errorf("expected ':' after object key %q, found %s", key, p.describe())
		}
		p.i++
		p.skipSpace()
		var child string
		if p.pos != nil {
			child = pointer + "/" + EscapePointer(key)
			if _, dup := obj.Get(key); dup {
				p.dups = append(p.dups, Duplicate{Pointer: child, Pos: keyPos})
			} else {
				p.record(child, keyPos, p.here())
			}
		}
		v, err := p.value(child)
		if err != nil {
			return nil, err
		}
		n := obj.Len()
		obj.Set(key, v)
		if obj.Len() == n {
			p.ndups++
		}
		p.skipSpace()
		if p.i >= len(p.data) {
			return nil, p.errorf("expected ',' or '}' after an object member, found end of input")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			return obj, nil
		default:
			return nil, p.errorf("expected ',' or '}' after an object member, found %s", p.describe())
		}
	}
}

func (p *parser) array(pointer string) (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++ // [
	arr := make([]any, 0, 4)
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		p.depth--
		return arr, nil
	}
	for {
		p.skipSpace()
		var child string
		if p.pos != nil {
			child = pointer + "/" + strconv.Itoa(len(arr))
			h := p.here()
			p.record(child, h, h)
		}
		v, err := p.value(child)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		p.skipSpace()
		if p.i >= len(p.data) {
			return nil, p.errorf("expected ',' or ']' after an array element, found end of input")
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			return arr, nil
		default:
			return nil, p.errorf("expected ',' or ']' after an array element, found %s", p.describe())
		}
	}
}

func (p *parser) str() (string, error) {
	start := p.i
	p.i++ // opening quote
	// Fast path: no escapes.
	for j := p.i; j < len(p.data); j++ {
		c := p.data[j]
		if c == '"' {
			s := p.data[p.i:j]
			if !utf8.Valid(s) {
				break
			}
			p.i = j + 1
			return string(s), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
	}
	var b strings.Builder
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.data) {
				p.i++
				return "", p.errorf("unterminated escape sequence in string")
			}
			e := p.data[p.i+1]
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
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
				r, n, err := p.unicodeEscape()
				if err != nil {
					return "", err
				}
				b.WriteRune(r)
				p.i += n
				continue
			default:
				return "", p.errorf("invalid escape sequence '\\%c' in string", e)
			}
			p.i += 2
		case c < 0x20:
			if c == '\n' {
				return "", p.errorf("unterminated string (a string cannot contain a line break; the string started at byte %d)", start)
			}
			return "", p.errorf("control character U+%04X must be escaped in a string", c)
		default:
			r, size := utf8.DecodeRune(p.data[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf("invalid UTF-8 byte 0x%02x in string", c)
			}
			b.Write(p.data[p.i : p.i+size])
			p.i += size
		}
	}
	return "", p.errorf("unterminated string, found end of input")
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	return r, true
}

// unicodeEscape decodes \uXXXX (and a following low surrogate) at p.i.
func (p *parser) unicodeEscape() (rune, int, error) {
	r, ok := hex4(p.data[p.i+2:])
	if !ok {
		p.i++
		return 0, 0, p.errorf("invalid \\u escape: expected 4 hexadecimal digits")
	}
	if r >= 0xD800 && r < 0xDC00 {
		rest := p.data[p.i+6:]
		if len(rest) >= 6 && rest[0] == '\\' && rest[1] == 'u' {
			if lo, ok := hex4(rest[2:]); ok && lo >= 0xDC00 && lo < 0xE000 {
				return (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000, 12, nil
			}
		}
		return utf8.RuneError, 6, nil
	}
	if r >= 0xDC00 && r < 0xE000 {
		return utf8.RuneError, 6, nil
	}
	return r, 6, nil
}

func (p *parser) number() (any, error) {
	start := p.i
	integral := true
	if p.data[p.i] == '-' {
		p.i++
	}
	if p.i >= len(p.data) || p.data[p.i] < '0' || p.data[p.i] > '9' {
		return nil, p.errorf("expected a digit in number, found %s", p.describe())
	}
	if p.data[p.i] == '0' {
		p.i++
		if p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			return nil, p.errorf("leading zeroes are not allowed in numbers")
		}
	} else {
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
		}
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		integral = false
		p.i++
		if p.i >= len(p.data) || p.data[p.i] < '0' || p.data[p.i] > '9' {
			return nil, p.errorf("expected a digit after the decimal point, found %s", p.describe())
		}
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		integral = false
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if p.i >= len(p.data) || p.data[p.i] < '0' || p.data[p.i] > '9' {
			return nil, p.errorf("expected a digit in the exponent, found %s", p.describe())
		}
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
		}
	}
	if p.i < len(p.data) && isIdentByte(p.data[p.i]) {
		return nil, p.errorf("unexpected character %s in number", p.describe())
	}
	text := string(p.data[start:p.i])
	if integral {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return nil, p.errorf("invalid number %s", text)
	}
	if math.IsInf(f, 0) {
		return nil, p.errorf("number %s is out of range", text)
	}
	return f, nil
}

// EscapePointer escapes a key for use as a JSON pointer reference token.
func EscapePointer(key string) string {
	if !strings.ContainsAny(key, "~/") {
		return key
	}
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}
