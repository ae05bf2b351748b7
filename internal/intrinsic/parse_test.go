package intrinsic_test

import (
	"errors"
	"strings"
	"testing"

	"stepd/internal/intrinsic"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

func TestIsCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want bool
	}{
		{"States.Format('x')", true},
		{"  States.UUID()", true},
		{"States.NotAFunction(", true}, // looks like a call; Parse rejects it
		{"States.(", false},
		{"States.Format", false},
		{"States.Format ('x')", false},
		{"$.x", false},
		{"Foo.Bar()", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := intrinsic.IsCall(tt.s); got != tt.want {
			t.Errorf("IsCall(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// describeArgs renders a parsed call as text, to compare trees in tables.
func describeArgs(c *intrinsic.Call) string {
	var b strings.Builder
	b.WriteString(c.Name + "(")
	for i, a := range c.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case a.Path != nil:
			b.WriteString("path " + a.Path.Normalized())
			if a.Path.Root() != jsonpath.RootInput {
				b.WriteString(" of " + a.Path.Root().String())
			}
		case a.Call != nil:
			b.WriteString(describeArgs(a.Call))
		default:
			b.WriteString(jsonv.Marshal(a.Literal))
		}
	}
	return b.String() + ")"
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{"States.Format('{} {}', $.a, $.b)", `States.Format("{} {}", path $['a'], path $['b'])`},
		{"  States.UUID()  ", `States.UUID()`},
		{"States.Array()", `States.Array()`},
		{"States.Array( 1 , -2.5,'x',null,true,false,1e3 )", `States.Array(1, -2.5, "x", null, true, false, 1000.0)`},
		{"States.Array($$.Execution.Id, $var.x[0], $var)", `States.Array(path $['Execution']['Id'] of context, path $['x'][0] of variable, path $ of variable)`},
		{"States.Array($['a, b'], $.c[?(@.x == 'y)')].d)", `States.Array(path $['a, b'], path $['c'][?]['d'])`},
		{"States.Array($.abc.['def ghi'])", `States.Array(path $['abc']['def ghi'])`},
		{`States.Format('it\'s \{\} {} \\', $.x)`, `States.Format("it's {} {} \\", path $['x'])`},
		{"States.StringSplit('Hello\nWorld', '\n')", `States.StringSplit("Hello\nWorld", "\n")`},
		{"States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
			`States.ArrayGetItem(States.StringSplit(path $['StateMachine']['Name'] of context, "-"), States.MathAdd(States.ArrayLength(States.StringSplit(path $['StateMachine']['Name'] of context, "-")), -1))`},
		{"States.JsonMerge($.a, $.b, false)", `States.JsonMerge(path $['a'], path $['b'], false)`},
		{"States.MathRandom(1, 10, 42)", `States.MathRandom(1, 10, 42)`},
		{"States.Hash($.d, 'SHA-384')", `States.Hash(path $['d'], "SHA-384")`},
		{"States.Format($.template, $.name)", `States.Format(path $['template'], path $['name'])`},
	}
	for _, tt := range tests {
		c, err := intrinsic.Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if got := describeArgs(c); got != tt.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
		if c.String() != strings.TrimSpace(tt.src) {
			t.Errorf("Parse(%q).String() = %q", tt.src, c.String())
		}
	}
}

// TestParseAllFunctions parses a call of each of the 18 documented functions.
func TestParseAllFunctions(t *testing.T) {
	t.Parallel()
	calls := map[string]string{
		"States.Format": "('{}', $.a)", "States.StringToJson": "($.s)", "States.JsonToString": "($.o)",
		"States.Array": "(1)", "States.ArrayPartition": "($.a, 2)", "States.ArrayContains": "($.a, 1)",
		"States.ArrayRange": "(1, 9, 2)", "States.ArrayGetItem": "($.a, 0)", "States.ArrayLength": "($.a)",
		"States.ArrayUnique": "($.a)", "States.Base64Encode": "('x')", "States.Base64Decode": "('eA==')",
		"States.Hash": "('x', 'MD5')", "States.JsonMerge": "($.a, $.b, false)", "States.MathRandom": "(1, 2)",
		"States.MathAdd": "(1, 2)", "States.StringSplit": "('a,b', ',')", "States.UUID": "()",
	}
	names := intrinsic.Names()
	if len(names) != 18 {
		t.Fatalf("Names() has %d functions, want 18", len(names))
	}
	for _, n := range names {
		args, ok := calls[n]
		if !ok {
			t.Errorf("no test call for %s", n)
			continue
		}
		if _, err := intrinsic.Parse(n + args); err != nil {
			t.Errorf("Parse(%s%s): %v", n, args, err)
		}
	}
}

// TestParseDepth pins the nesting limit: "You can nest up to 10 intrinsic
// functions within a field" (AWS Developer Guide, Intrinsic functions).
func TestParseDepth(t *testing.T) {
	t.Parallel()
	nest := func(n int) string {
		return strings.Repeat("States.Array(", n) + strings.Repeat(")", n)
	}
	if _, err := intrinsic.Parse(nest(10)); err != nil {
		t.Errorf("10 nested calls: %v", err)
	}
	_, err := intrinsic.Parse(nest(11))
	if err == nil || !strings.Contains(err.Error(), "nested at most 10 deep at offset 130") {
		t.Errorf("11 nested calls: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{"States.Foo()", "unknown intrinsic function 'States.Foo' at offset 0"},
		{"States.format('x')", "unknown intrinsic function 'States.format' (names are case-sensitive: did you mean States.Format?) at offset 0"},
		{"Foo.Bar()", "'Foo.Bar' is not an intrinsic function: intrinsic functions are named States.<Name> at offset 0"},
		{"States.Format", "expected '(' after States.Format, found end of text at offset 13"},
		{"States.Format('a'", "expected ',' or ')' after an argument of States.Format, found end of text at offset 17"},
		{"States.Format('a)", "unterminated string: a ' is missing at offset 14"},
		{`States.Format('a\x')`, `invalid escape '\x' in a string: only \' \{ \} and \\ are allowed at offset 16`},
		{`States.Format('a\`, `a string ends with a lone '\'; write '\\' for a backslash at offset 16`},
		{"States.Format('{}')", "the template of States.Format has 1 {} placeholder(s) but 0 value(s) follow it at offset 14"},
		{"States.Format('{}', 1, 2)", "the template of States.Format has 1 {} placeholder(s) but 2 value(s) follow it at offset 14"},
		{"States.Format()", "States.Format takes at least 1 argument(s), found 0 at offset 0"},
		{"States.Format(1)", "argument 1 of States.Format must be a string, found the number 1 at offset 14"},
		{"States.MathAdd(1)", "States.MathAdd takes 2 arguments, found 1 at offset 0"},
		{"States.MathRandom(1, 2, 3, 4)", "States.MathRandom takes 2 to 3 arguments, found 4 at offset 0"},
		{"States.UUID(1)", "States.UUID takes 0 arguments, found 1 at offset 0"},
		{"States.MathAdd('1', 2)", "argument 1 of States.MathAdd must be a number, found the string '1' at offset 15"},
		{"States.ArrayLength('x')", "argument 1 of States.ArrayLength must be an array, found the string 'x' at offset 19"},
		{"States.ArrayLength(null)", "argument 1 of States.ArrayLength must be an array, found null at offset 19"},
		{"States.ArrayLength(States.Format('x'))", "argument 1 of States.ArrayLength must be an array, but States.Format returns a string at offset 19"},
		{"States.MathAdd(States.UUID(), 1)", "argument 1 of States.MathAdd must be a number, but States.UUID returns a string at offset 15"},
		{"States.JsonToString('x')", "the argument of States.JsonToString must be a path such as $.x, not a literal at offset 20"},
		{"States.Hash($.a, 'SHA-3')", "unsupported hash algorithm 'SHA-3': use MD5, SHA-1, SHA-256, SHA-384 or SHA-512 at offset 17"},
		{"States.JsonMerge($.a, $.b, true)", "States.JsonMerge only supports the shallow merging mode: the third argument must be false at offset 27"},
		{"States.ArrayRange(1, 5, 0)", "the step of States.ArrayRange must not be 0 at offset 24"},
		{"States.Array($.a[)", "invalid path '$.a[)': expected a quoted name, an index, '*' or a filter after '[', found ')' at offset 17"},
		{"States.Array($$$)", "invalid path '$$$': expected '.' or '[', found '$' at offset 15"},
		{"States.Array(1 2)", "expected ',' or ')' after an argument of States.Array, found '2' at offset 15"},
		{"States.Array(1) x", "unexpected 'x' after the end of the call at offset 16"},
		{"States.Array(-)", "expected a number after '-' at offset 13"},
		{"States.Array(1x)", "unexpected 'x' after a number at offset 14"},
		{"States.Array(1.)", "expected digits after '.' in a number at offset 13"},
		{"States.Array(@)", "expected an argument ('text', a number, null, a path such as $.x or a nested States.* call), found '@' at offset 13"},
		{"States.Array(,)", "expected an argument ('text', a number, null, a path such as $.x or a nested States.* call), found ',' at offset 13"},
		{"", "expected an intrinsic function name such as States.Format, found end of text at offset 0"},
	}
	for _, tt := range tests {
		_, err := intrinsic.Parse(tt.src)
		var se *intrinsic.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", tt.src, err)
			continue
		}
		want := "invalid intrinsic function call '" + tt.src + "': " + tt.want
		if err.Error() != want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, err, want)
		}
	}
}
