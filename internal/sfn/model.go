package sfn

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
)

// AWS checks a request against the API model before the operation runs:
// first that each member has the model's type (SerializationException when
// not), then every member's constraints - required, length, value range,
// enum, pattern - reporting all violations at once as one
// ValidationException. ValidateRequest does the same with the request
// shapes of botocore's model of the API (model.json, made by
// testdata/genmodel.py).

// ErrSerialization is AWS's exception for a request body that does not
// decode into the operation's input: malformed JSON or a member of the
// wrong type.
const ErrSerialization = "SerializationException"

//go:embed model.json
var modelJSON []byte

// apiModel is the part of the API model ValidateRequest uses.
type apiModel struct {
	Operations map[string]string  `json:"operations"` // operation -> input shape
	Shapes     map[string]*mShape `json:"shapes"`
}

// mShape is one shape of the model.
type mShape struct {
	name      string
	Type      string    `json:"type"` // structure, list, string, integer, long, float, boolean
	Members   []mMember `json:"members"`
	Required  []string  `json:"required"`
	Member    string    `json:"member"` // a list's element shape
	Min       *float64  `json:"min"`
	Max       *float64  `json:"max"`
	Enum      []string  `json:"enum"`
	Pattern   string    `json:"pattern"`
	Sensitive bool      `json:"sensitive"`
	re        func(string) bool
	required  map[string]bool
}

type mMember struct {
	Name  string `json:"name"`
	Shape string `json:"shape"`
}

var loadModel = sync.OnceValue(func() *apiModel {
	var m apiModel
	if err := json.Unmarshal(modelJSON, &m); err != nil {
		panic("sfn: model.json: " + err.Error())
	}
	for name, s := range m.Shapes {
		s.name = name
		s.required = map[string]bool{}
		for _, r := range s.Required {
			s.required[r] = true
		}
		if s.Pattern != "" {
			s.re = patternMatcher(s.Pattern)
		}
	}
	return &m
})

// patternMatcher translates a model pattern (a Java regular expression,
// matched against the whole value) to a matcher.
func patternMatcher(p string) func(string) bool {
	switch p {
	case `^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$`: // CharacterRestrictedName: Go has no lookahead
		chars, letter := regexp.MustCompile(`^[a-zA-Z0-9_\-.]+$`), regexp.MustCompile(`[a-zA-Z_\-.]`)
		return func(s string) bool { return chars.MatchString(s) && letter.MatchString(s) }
	}
	re := regexp.MustCompile(`^(?:` + strings.ReplaceAll(p, `\p{ASCII}`, `[\x00-\x7f]`) + `)$`)
	return re.MatchString
}

// enumMessages keeps the order AWS lists some enums in, where it is not
// the model's.
var enumMessages = map[string]string{
	"ExecutionStatus": "[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
}

// ValidateRequest checks the JSON body of a Step Functions operation
// against the API model, as AWS does before running the operation: a body
// that is not JSON, or a member of the wrong type, is a
// SerializationException; violated constraints are one
// ValidationException listing them all. Unknown operations and members
// are not checked.
func ValidateRequest(operation string, body []byte) error {
	m := loadModel()
	name, ok := m.Operations[operation]
	if !ok {
		return nil
	}
	v, err := decodeBody(body)
	if err != nil {
		return err
	}
	c := &checker{m: m}
	if err := c.check(v, m.Shapes[name], ""); err != nil {
		return err
	}
	return validationErrors(c.errs)
}

// decodeBody decodes a request body, keeping numbers as written.
func decodeBody(body []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, serializationError(err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, apiError(ErrSerialization, "Unexpected content after the end of the JSON request body")
	}
	return v, nil
}

// serializationError words a JSON syntax error without Go's internals.
func serializationError(err error) *Error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return apiError(ErrSerialization, "Invalid JSON in the request body at offset %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "invalid character "))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return apiError(ErrSerialization, "Unexpected end of the JSON request body")
	}
	return apiError(ErrSerialization, "Invalid JSON in the request body")
}

// validationErrors is the ValidationException for the constraint
// violations found, in AWS's words: "N validation error(s) detected: …; …".
func validationErrors(errs []string) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return apiError(ErrValidation, "1 validation error detected: %s", errs[0])
	}
	return apiError(ErrValidation, "%d validation errors detected: %s", len(errs), strings.Join(errs, "; "))
}

// checker walks a request, collecting constraint violations.
type checker struct {
	m    *apiModel
	errs []string
}

// violation records that the value at path breaks a constraint; value is
// already rendered ("null" or a quoted value).
func (c *checker) violation(value, path, constraint string) {
	c.errs = append(c.errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", value, path, constraint))
}

// jsonKind names a JSON value's token as AWS's deserializer does.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "STRING_VALUE"
	case json.Number:
		return "NUMBER_VALUE"
	case bool:
		return "BOOLEAN_VALUE"
	case []any:
		return "START_ARRAY"
	case map[string]any:
		return "START_OBJECT"
	}
	return "VALUE_NULL"
}

// typeNames are the model types as AWS names them in a
// SerializationException.
var typeNames = map[string]string{
	"structure": "a Structure", "list": "a List", "string": "a String", "integer": "an Integer",
	"long": "a Long", "float": "a Float", "boolean": "a Boolean",
}

// wrongType is the SerializationException for a member of the wrong type.
func wrongType(v any, s *mShape) *Error {
	switch v.(type) {
	case []any:
		return apiError(ErrSerialization, "Start of list found where not expected")
	case map[string]any:
		return apiError(ErrSerialization, "Start of structure or map found where not expected.")
	}
	return apiError(ErrSerialization, "%s can not be converted to %s", jsonKind(v), typeNames[s.Type])
}

// check checks v against shape s; path is where v is ("" for the request).
// A type mismatch stops the walk with a SerializationException.
func (c *checker) check(v any, s *mShape, path string) error {
	if v == nil {
		return nil // null is absent
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			return wrongType(v, s)
		}
		for _, m := range s.Members {
			at := m.Name
			if path != "" {
				at = path + "." + m.Name
			}
			mv := obj[m.Name]
			if mv == nil {
				if s.required[m.Name] {
					c.violation("null", at, "Member must not be null")
				}
				continue
			}
			if err := c.check(mv, c.m.Shapes[m.Shape], at); err != nil {
				return err
			}
		}
	case "list":
		list, ok := v.([]any)
		if !ok {
			return wrongType(v, s)
		}
		elem := c.m.Shapes[s.Member]
		for i, e := range list {
			if err := c.check(e, elem, fmt.Sprintf("%s.%d.member", path, i+1)); err != nil {
				return err
			}
		}
		c.length(len(list), func() string { return "'" + c.render(v, s) + "'" }, path, s)
	case "string":
		str, ok := v.(string)
		if !ok {
			return wrongType(v, s)
		}
		quoted := func() string { return "'" + c.render(str, s) + "'" }
		c.length(len(utf16.Encode([]rune(str))), quoted, path, s)
		if len(s.Enum) > 0 && !contains(s.Enum, str) {
			set, ok := enumMessages[s.name]
			if !ok {
				set = "[" + strings.Join(s.Enum, ", ") + "]"
			}
			c.violation(quoted(), path, "Member must satisfy enum value set: "+set)
		}
		if s.re != nil && !s.re(str) {
			c.violation(quoted(), path, "Member must satisfy regular expression pattern: "+s.Pattern)
		}
	case "integer", "long", "float":
		n, ok := v.(json.Number)
		if !ok {
			return wrongType(v, s)
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return wrongType(v, s)
		}
		if s.Type != "float" && (f != math.Trunc(f) || (s.Type == "integer" && (f > math.MaxInt32 || f < math.MinInt32)) ||
			(s.Type == "long" && (f >= math.MaxInt64 || f < math.MinInt64))) {
			return apiError(ErrSerialization, "NUMBER_VALUE %s can not be converted to %s", n, typeNames[s.Type])
		}
		if s.Min != nil && f < *s.Min {
			c.violation("'"+string(n)+"'", path, "Member must have value greater than or equal to "+bound(*s.Min))
		}
		if s.Max != nil && f > *s.Max {
			c.violation("'"+string(n)+"'", path, "Member must have value less than or equal to "+bound(*s.Max))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return wrongType(v, s)
		}
	}
	return nil
}

// length applies a string's or list's length bounds.
func (c *checker) length(n int, value func() string, path string, s *mShape) {
	if s.Min != nil && float64(n) < *s.Min {
		c.violation(value(), path, "Member must have length greater than or equal to "+bound(*s.Min))
	}
	if s.Max != nil && float64(n) > *s.Max {
		c.violation(value(), path, "Member must have length less than or equal to "+bound(*s.Max))
	}
}

func bound(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// render writes a value as AWS's messages show it: a string as it is (a
// sensitive one as "..."), a list as [a, b], a structure as
// Shape(member=value, ...).
func (c *checker) render(v any, s *mShape) string {
	if s.Sensitive {
		return "..."
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		items := make([]string, len(x))
		for i, e := range x {
			items[i] = c.render(e, c.m.Shapes[s.Member])
		}
		return "[" + strings.Join(items, ", ") + "]"
	case map[string]any:
		var fields []string
		for _, m := range s.Members {
			if mv, ok := x[m.Name]; ok && mv != nil {
				fields = append(fields, m.Name+"="+c.render(mv, c.m.Shapes[m.Shape]))
			}
		}
		return s.name + "(" + strings.Join(fields, ", ") + ")"
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
