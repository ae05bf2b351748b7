package jsonata

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"stepd/internal/jsonv"
)

// testTimeLimit replaces the default time limit in tests that do not test
// limits: the race detector and parallel tests on two cores can make an
// evaluation that normally takes milliseconds take over a second.
const testTimeLimit = 30 * time.Second

// newTestEngine returns an engine closed when the test ends, with
// testTimeLimit unless opts set another.
func newTestEngine(t testing.TB, opts ...Option) *GojaEngine {
	t.Helper()
	eng := New(append([]Option{WithTimeLimit(testTimeLimit)}, opts...)...)
	t.Cleanup(func() { _ = eng.Close() })
	return eng
}

func mustParse(t testing.TB, text string) any {
	t.Helper()
	v, err := jsonv.ParseString(text)
	if err != nil {
		t.Fatalf("parse %s: %v", text, err)
	}
	return v
}

// evalCase is one row of the table-driven evaluation tests.
type evalCase struct {
	name     string
	expr     string
	input    string            // JSON text; "" means Undefined
	bindings map[string]string // variable -> JSON text; "" means Undefined
	want     string            // JSON text of the result, in order; "" means undefined
	code     string            // expected *Error code
	err      error             // expected sentinel error
}

func runEvalCases(t *testing.T, eng Engine, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x, err := eng.Compile(tc.expr)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tc.expr, err)
			}
			if x.Source() != tc.expr {
				t.Errorf("Source() = %q, want %q", x.Source(), tc.expr)
			}
			var input any = Undefined
			if tc.input != "" {
				input = mustParse(t, tc.input)
			}
			var bindings map[string]any
			if tc.bindings != nil {
				bindings = map[string]any{}
				for k, text := range tc.bindings {
					if text == "" {
						bindings[k] = Undefined
					} else {
						bindings[k] = mustParse(t, text)
					}
				}
			}
			got, ok, err := x.Eval(context.Background(), input, bindings)
			switch {
			case tc.code != "":
				var je *Error
				if !errors.As(err, &je) || je.Code != tc.code {
					t.Fatalf("Eval(%q) = %s, %v, %v; want error %s", tc.expr, jsonv.Marshal(got), ok, err, tc.code)
				}
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Fatalf("Eval(%q) error = %v, want %v", tc.expr, err, tc.err)
				}
			case err != nil:
				t.Fatalf("Eval(%q): %v", tc.expr, err)
			case tc.want == "":
				if ok {
					t.Fatalf("Eval(%q) = %s, want undefined", tc.expr, jsonv.Marshal(got))
				}
			case !ok:
				t.Fatalf("Eval(%q) = undefined, want %s", tc.expr, tc.want)
			default:
				// Compare the encodings: this checks key order too.
				if g := jsonv.Marshal(got); g != jsonv.Marshal(mustParse(t, tc.want)) {
					t.Fatalf("Eval(%q) = %s, want %s", tc.expr, g, tc.want)
				}
			}
		})
	}
}

func TestEval(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t)
	states := map[string]string{"states": `{"input":{"a":{"b":"deep"},"items":[{"name":"book","price":12},{"name":"pen","price":2},{"name":"lamp","price":30}],"z":1,"y":2},"context":{"Execution":{"Name":"run-1"}}}`}
	runEvalCases(t, eng, []evalCase{
		{name: "path", expr: `$states.input.a.b`, bindings: states, want: `"deep"`},
		{name: "filter", expr: `$states.input.items[price > 10].name`, bindings: states, want: `["book","lamp"]`},
		{name: "singleton sequence collapses", expr: `$states.input.items[price < 10].name`, bindings: states, want: `"pen"`},
		{name: "keep array", expr: `$states.input.items[price < 10][].name`, bindings: states, want: `["pen"]`},
		{name: "aggregate", expr: `$sum($states.input.items.price)`, bindings: states, want: `44`},
		{name: "context", expr: `$states.context.Execution.Name`, bindings: states, want: `"run-1"`},
		{name: "missing path is undefined", expr: `$states.input.missing`, bindings: states},
		{name: "unbound variable is undefined", expr: `$nothing`},
		{name: "Undefined binding is unbound", expr: `$x`, bindings: map[string]string{"x": ""}},
		{name: "null is a value", expr: `null`, want: `null`},
		{name: "null input", expr: `$`, input: `null`, want: `null`},
		{name: "no input", expr: `$`},
		{name: "input", expr: `a`, input: `{"a":[1,2]}`, want: `[1,2]`},
		{name: "array input", expr: `$[1]`, input: `[10,20,30]`, want: `20`},
		{name: "variables", expr: `$count & "/" & $name`, bindings: map[string]string{"count": `3`, "name": `"x"`}, want: `"3/x"`},
		{name: "integer arithmetic", expr: `6 * 7`, want: `42`},
		{name: "fraction", expr: `1 / 4`, want: `0.25`},
		{name: "large number", expr: `1e21 * 10`, want: `1e22`},
		{name: "unicode", expr: `"é😀\n\"" & $s`, bindings: map[string]string{"s": `"ü"`}, want: `"é😀\n\"ü"`},
		{name: "block and lambda", expr: `($f := function($x){$x * 2}; $map([1,2,3], $f))`, want: `[2,4,6]`},
		{name: "ternary", expr: `$states.input.z = 1 ? "one" : "other"`, bindings: states, want: `"one"`},
		{name: "date", expr: `$fromMillis(0, '[Y0001]-[M01]-[D01]')`, want: `"1970-01-01"`},
		{name: "format number", expr: `$formatNumber(1234.5, '#,##0.00')`, want: `"1,234.50"`},

		// Key order survives both ways.
		{name: "input key order", expr: `$states.input`, bindings: map[string]string{"states": `{"input":{"z":1,"a":{"q":1,"b":2},"m":3}}`}, want: `{"z":1,"a":{"q":1,"b":2},"m":3}`},
		{name: "constructor key order", expr: `{"zeta": 1, "alpha": 2, "mid": [{"y":1,"x":2}]}`, want: `{"zeta":1,"alpha":2,"mid":[{"y":1,"x":2}]}`},
		{name: "keys order", expr: `$keys($)`, input: `{"z":1,"y":2,"x":3,"w":4}`, want: `["z","y","x","w"]`},
		{name: "merge order", expr: `$merge([{"b":1,"a":2},{"c":3,"b":4}])`, want: `{"b":4,"a":2,"c":3}`},
		{name: "spread order", expr: `$spread($)`, input: `{"z":1,"a":2}`, want: `[{"z":1},{"a":2}]`},
		// JavaScript puts array-index keys first, in ascending order.
		{name: "index keys first", expr: `$`, input: `{"b":1,"10":2,"a":3,"2":4}`, want: `{"2":4,"10":2,"b":1,"a":3}`},

		// Errors: code, and the sentinel for results JSON cannot hold.
		{name: "not a function", expr: `$foo()`, code: "T1006"},
		{name: "type error", expr: `"a" + 1`, code: "T2001"},
		{name: "cast error", expr: `$number("abc")`, code: "D3030"},
		{name: "error function", expr: `$error("custom")`, code: "D3137"},
		{name: "function result", expr: `$sum`, err: ErrUnsupportedResult},
		{name: "lambda result", expr: `function($x){$x}`, err: ErrUnsupportedResult},
		{name: "function in object", expr: `{"f": $uppercase}`, err: ErrUnsupportedResult},
		{name: "function in array", expr: `[1, [2, $sum]]`, err: ErrUnsupportedResult},
		{name: "regex result", expr: `/a+/`, err: ErrUnsupportedResult},
	})
}

// TestErrorDetails pins the fields of errors and their wording, which Step
// Functions quotes in States.QueryEvaluationError causes (aws-semantics §1.5:
// "... threw an error during evaluation. T1006: Attempted to invoke a
// non-function"). The expected fields are what jsonata.js 2.2.2 reports on
// Node.js 20 for the same expressions.
func TestErrorDetails(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t)
	tests := []struct {
		expr    string
		compile bool // the error comes from Compile
		want    Error
		text    string
	}{
		{expr: `$foo()`, want: Error{Code: "T1006", Message: "Attempted to invoke a non-function", Position: 5, Token: "foo"},
			text: "T1006: Attempted to invoke a non-function"},
		{expr: `$number("abc")`, want: Error{Code: "D3030", Message: `Unable to cast value to a number: "abc"`, Position: 8, Token: "number", Value: "abc"},
			text: `D3030: Unable to cast value to a number: "abc"`},
		{expr: `"a" + 1`, want: Error{Code: "T2001", Message: `The left side of the "+" operator must evaluate to a number`, Position: 5, Token: "+", Value: "a"},
			text: `T2001: The left side of the "+" operator must evaluate to a number`},
		{expr: `1 +`, compile: true, want: Error{Code: "S0207", Message: "Unexpected end of expression", Position: 3, Token: "(end)"},
			text: "S0207: Unexpected end of expression"},
		{expr: `"open`, compile: true, want: Error{Code: "S0101", Message: "String literal must be terminated by a matching quote", Position: 5},
			text: "S0101: String literal must be terminated by a matching quote"},
		{expr: `$x := `, compile: true, want: Error{Code: "S0207", Message: "Unexpected end of expression", Position: 6, Token: "(end)"},
			text: "S0207: Unexpected end of expression"},
		{expr: `foo(]`, compile: true, want: Error{Code: "S0211", Message: `The symbol "]" cannot be used as a unary operator`, Position: 5, Token: "]"},
			text: `S0211: The symbol "]" cannot be used as a unary operator`},
		{expr: `(1, 2`, compile: true, want: Error{Code: "S0202", Message: `Expected ")", got ","`, Position: 3, Token: ",", Value: ")"},
			text: `S0202: Expected ")", got ","`},
	}
	for _, tc := range tests {
		x, err := eng.Compile(tc.expr)
		if err == nil && !tc.compile {
			_, _, err = x.Eval(context.Background(), nil, nil)
		}
		if err == nil {
			t.Errorf("%q: no error", tc.expr)
			continue
		}
		if (x == nil) != tc.compile {
			t.Errorf("%q: compile error %v, want compile=%v", tc.expr, x == nil, tc.compile)
		}
		var je *Error
		if !errors.As(err, &je) {
			t.Errorf("%q: error %T %v is not *Error", tc.expr, err, err)
			continue
		}
		if je.Code != tc.want.Code || je.Message != tc.want.Message || je.Position != tc.want.Position ||
			je.Token != tc.want.Token || !jsonv.Equal(je.Value, tc.want.Value) {
			t.Errorf("%q: error = %+v, want %+v", tc.expr, *je, tc.want)
		}
		if je.Error() != tc.text {
			t.Errorf("%q: Error() = %q, want %q", tc.expr, je.Error(), tc.text)
		}
	}
}

func TestErrorFormats(t *testing.T) {
	t.Parallel()
	e := &Error{Code: "S0202", Message: "Expected \")\", got \"]\"", Position: 7}
	if got, want := e.Describe(), `S0202 at position 7: Expected ")", got "]"`; got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
	e = &Error{Message: "Maximum call stack size exceeded", Position: -1}
	if got, want := e.Error(), "Maximum call stack size exceeded"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := e.Describe(), "error: Maximum call stack size exceeded"; got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
}

// TestResultDepth checks that results nesting deeper than jsonv can decode
// fail with D3206 instead of overflowing anything.
func TestResultDepth(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, func(c *config) { c.resultDepth = 20 })
	runEvalCases(t, eng, []evalCase{
		{name: "at the limit", expr: `$reduce([1..19], function($a, $v){{"a": $a}}, {})`, want: strings.Repeat(`{"a":`, 19) + "{}" + strings.Repeat("}", 19)},
		{name: "past the limit", expr: `$reduce([1..20], function($a, $v){{"a": $a}}, {})`, code: "D3206"},
	})
}

func TestCompileCaching(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, WithPoolSize(1), WithMaxVMs(1), WithCacheSize(2))
	ctx := context.Background()
	// Three expressions through a cache of two: the oldest is forgotten and
	// compiled again when used; results must not mix up.
	for round := range 3 {
		for i, src := range []string{`"a"`, `"b"`, `"c"`} {
			x, err := eng.Compile(src)
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := x.Eval(ctx, nil, nil)
			if err != nil || !ok || got != string(rune('a'+i)) {
				t.Fatalf("round %d: Eval(%s) = %v %v %v", round, src, got, ok, err)
			}
		}
	}
}

func TestClosed(t *testing.T) {
	t.Parallel()
	eng := New()
	x, err := eng.Compile(`1`)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}
	if err := eng.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := eng.Compile(`2`); !errors.Is(err, ErrClosed) {
		t.Errorf("Compile after Close: %v, want ErrClosed", err)
	}
	if _, _, err := x.Eval(context.Background(), nil, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Eval after Close: %v, want ErrClosed", err)
	}
}

// TestParsedValuesAreNotShared checks that reusing parsed inputs and
// bindings between evaluations on a VM (see parseInput in runtime.js) cannot
// leak one evaluation's work into the next: after expressions that sort,
// transform, group, flag or rebuild the data, the data reads back unchanged
// and every expression gives the same answer twice.
func TestParsedValuesAreNotShared(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, WithPoolSize(1), WithMaxVMs(1))
	const data = `{"items":[{"k":"b","n":2,"tags":["y","x"]},{"k":"a","n":1,"tags":["z"]},{"k":"b","n":3,"tags":[]}],"one":[7],"obj":{"z":1,"a":2}}`
	input := mustParse(t, data)
	bindings := map[string]any{"states": jsonv.ObjectOf("input", input), "v": mustParse(t, `[3,1,2]`)}
	exprs := []string{
		`$ ~> | items | {"n": n * 10, "new": true}, ["tags"] |`,
		`$states.input ~> | obj | {"a": 0} |`,
		`$sort(items, function($l, $r){ $l.n < $r.n }).k`,
		`$sort($v)`,
		`$reverse($v)`,
		`$shuffle(items)`,
		`items^(>n).k`,
		`one[]`,
		`$states.input.one[]`,
		`items[]`,
		`items{k: $sum(n)}`,
		`$append($v, items)`,
		`$merge([obj, {"a": 5}])`,
		`$spread(obj)`,
		`$distinct(items.k)`,
		`$each(obj, function($v, $k){ $k })`,
		`$sift(obj, function($v){ $v > 1 })`,
		`$zip($v, items.n)`,
		`$reduce($v, function($a, $b){ $a + $b })`,
		`$map(items, function($i){ $i.n })`,
		`$filter(items, function($i){ $i.n > 1 })`,
		`items@$i.{"k": $i.k, "n": $i.n}`,
		`items#$p.tags.{"p": $p, "up": %.k}`,
		`$lookup(items, "k")`,
		`$keys(obj)`,
		`$string($states.input)`,
	}
	ctx := context.Background()
	check := func(when string) {
		x, err := eng.Compile(`$string($) & "|" & $string($states.input) & "|" & $string($v)`)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := x.Eval(ctx, input, bindings)
		if err != nil {
			t.Fatal(err)
		}
		want := data + "|" + data + "|[3,1,2]"
		if got != want {
			t.Fatalf("%s the data changed:\n got %s\nwant %s", when, got, want)
		}
	}
	check("before")
	for _, src := range exprs {
		x, err := eng.Compile(src)
		if err != nil {
			t.Fatalf("Compile(%s): %v", src, err)
		}
		var first string
		for i := range 2 {
			got, ok, err := x.Eval(ctx, input, bindings)
			if err != nil || !ok {
				t.Fatalf("Eval(%s) = %v %v %v", src, got, ok, err)
			}
			s := jsonv.Marshal(got)
			if i == 0 {
				first = s
			} else if s != first && src != `$shuffle(items)` {
				t.Errorf("Eval(%s) gave %s, then %s", src, first, s)
			}
		}
		check("after " + src)
	}
}
