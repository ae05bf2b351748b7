package jsonata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	"stepd/internal/jsonv"
)

// The functions Step Functions adds to JSONata are described in the AWS Step
// Functions Developer Guide, "Transforming data with JSONata in Step
// Functions", section "JSONata functions provided by Step Functions", and in
// research/aws-semantics.md §1.5. Cases marked "recorded" reproduce
// executions recorded against AWS (shared/conformance/aws-recorded/cases,
// intrinsic_functions__TestArrayJSONata_* and
// intrinsic_functions__TestJsonManipulationJSONata_test_parse__*).

func TestPartition(t *testing.T) {
	t.Parallel()
	in := func(arr, size string) map[string]string {
		return map[string]string{"states": `{"input":{"FunctionInput":{"fst":` + arr + `,"snd":` + size + `}}}`}
	}
	const expr = `$partition($states.input.FunctionInput.fst, $states.input.FunctionInput.snd)`
	runEvalCases(t, newTestEngine(t), []evalCase{
		{name: "recorded [0] by 1", expr: expr, bindings: in(`[0]`, `1`), want: `[[0]]`},
		{name: "recorded [0] by 5", expr: expr, bindings: in(`[0]`, `5`), want: `[[0]]`},
		{name: "recorded [0,1,2] by 2", expr: expr, bindings: in(`[0,1,2]`, `2`), want: `[[0,1],[2]]`},
		{name: "recorded [0,1,2,3] by 3", expr: expr, bindings: in(`[0,1,2,3]`, `3`), want: `[[0,1,2],[3]]`},
		{name: "recorded [0,1,2,3] by 4", expr: expr, bindings: in(`[0,1,2,3]`, `4`), want: `[[0,1,2,3]]`},
		{name: "recorded [0,1] by 1", expr: expr, bindings: in(`[0,1]`, `1`), want: `[[0],[1]]`},
		{name: "doc example", expr: `$partition([1,2,3,4], 2)`, want: `[[1,2],[3,4]]`},
		{name: "objects keep order", expr: `$partition([{"b":1,"a":2},{"d":3}], 1)`, want: `[[{"b":1,"a":2}],[{"d":3}]]`},
		{name: "empty", expr: `$partition([], 2)`, want: `[]`},
		{name: "size rounded down", expr: `$partition([1,2,3,4,5], 2.9)`, want: `[[1,2],[3,4],[5]]`},
		{name: "no size is one chunk", expr: `$partition([1,2,3])`, want: `[[1,2,3]]`},
		{name: "scalar is an array of one", expr: `$partition("x", 2)`, want: `[["x"]]`},
		{name: "zero size", expr: `$partition([1,2], 0)`, code: "D3200"},
		{name: "size rounds to zero", expr: `$partition([1,2], 0.5)`, code: "D3200"},
		{name: "negative size", expr: `$partition([1,2], -1)`, code: "D3200"},
		{name: "string size", expr: `$partition([1,2], "2")`, code: "T0410"},
		{name: "null size", expr: `$partition([1,2], null)`, code: "T0410"},
		{name: "extra argument", expr: `$partition([1,2], 1, 2)`, code: "T0410"},
	})
}

func TestRange(t *testing.T) {
	t.Parallel()
	in := func(a, b, c string) map[string]string {
		return map[string]string{"states": `{"input":{"FunctionInput":{"fst":` + a + `,"snd":` + b + `,"trd":` + c + `}}}`}
	}
	const expr = `$range($states.input.FunctionInput.fst, $states.input.FunctionInput.snd, $states.input.FunctionInput.trd)`
	runEvalCases(t, newTestEngine(t), []evalCase{
		{name: "recorded 0 to 9 by 3", expr: expr, bindings: in(`0`, `9`, `3`), want: `[0,3,6,9]`},
		{name: "recorded 0 to 10 by 3", expr: expr, bindings: in(`0`, `10`, `3`), want: `[0,3,6,9]`},
		{name: "recorded 1 to 9 by 2", expr: expr, bindings: in(`1`, `9`, `2`), want: `[1,3,5,7,9]`},
		// aws-semantics §1.5: a single value collapses to a scalar.
		{name: "recorded single value collapses", expr: expr, bindings: in(`1`, `9`, `9`), want: `1`},
		{name: "doc example", expr: `$range(0, 10, 2)`, want: `[0,2,4,6,8,10]`},
		{name: "descending", expr: `$range(10, 0, -5)`, want: `[10,5,0]`},
		{name: "arguments rounded down", expr: `$range(1.4, 5.6, 2.2)`, want: `[1,3,5]`},
		{name: "negative rounded down", expr: `$range(-1.5, 1, 1)`, want: `[-2,-1,0,1]`},
		{name: "empty is undefined", expr: `$range(5, 1, 1)`},
		{name: "indexable", expr: `$range(0, 100, 10)[2]`, want: `20`},
		{name: "zero step", expr: `$range(1, 10, 0)`, code: "D3201"},
		{name: "step rounds to zero", expr: `$range(1, 10, 0.49)`, code: "D3201"},
		{name: "too many elements", expr: `$range(0, 2e7, 1)`, code: "D3202"},
		{name: "string start", expr: `$range("a", 5, 1)`, code: "T0410"},
		{name: "null step", expr: `$range(1, 5, null)`, code: "T0410"},
		{name: "missing step", expr: `$range(1, 5)`, code: "T0410"},
		{name: "extra argument", expr: `$range(1, 5, 1, 9)`, code: "T0410"},
	})
}

func TestHash(t *testing.T) {
	t.Parallel()
	utf8 := sha256.Sum256([]byte("✓ é"))
	runEvalCases(t, newTestEngine(t), []evalCase{
		// aws-semantics §2 (States.Hash, observed): SHA-1 of "input data".
		{name: "recorded SHA-1", expr: `$hash("input data", "SHA-1")`, want: `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{name: "MD5 of empty", expr: `$hash("", "MD5")`, want: `"d41d8cd98f00b204e9800998ecf8427e"`},
		{name: "SHA-256", expr: `$hash("hello", "SHA-256")`, want: `"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"`},
		{name: "SHA-384", expr: `$hash("abc", "SHA-384")`, want: `"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"`},
		{name: "SHA-512", expr: `$hash("abc", "SHA-512")`, want: `"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"`},
		{name: "UTF-8 bytes", expr: `$hash($s, "SHA-256")`, bindings: map[string]string{"s": `"✓ é"`}, want: `"` + hex.EncodeToString(utf8[:]) + `"`},
		{name: "undefined value", expr: `$hash($missing, "MD5")`},
		{name: "algorithm is case-sensitive", expr: `$hash("x", "sha-256")`, code: "D3203"},
		{name: "unknown algorithm", expr: `$hash("x", "SHA-3")`, code: "D3203"},
		{name: "prototype name", expr: `$hash("x", "constructor")`, code: "D3203"},
		{name: "number value", expr: `$hash(123, "SHA-256")`, code: "T0410"},
		{name: "missing algorithm", expr: `$hash("x")`, code: "T0410"},
		{name: "extra argument", expr: `$hash("x", "MD5", "y")`, code: "T0410"},
	})
}

func TestParse(t *testing.T) {
	t.Parallel()
	in := func(s string) map[string]string {
		return map[string]string{"states": `{"input":{"FunctionInput":` + s + `}}`}
	}
	const expr = `$parse($states.input.FunctionInput)`
	runEvalCases(t, newTestEngine(t), []evalCase{
		{name: "recorded -0", expr: expr, bindings: in(`"-0"`), want: `0`},
		{name: "recorded 1", expr: expr, bindings: in(`"1"`), want: `1`},
		{name: "recorded 1.1", expr: expr, bindings: in(`"1.1"`), want: `1.1`},
		{name: "recorded true", expr: expr, bindings: in(`"true"`), want: `true`},
		{name: "recorded string", expr: expr, bindings: in(`"\"HelloWorld\""`), want: `"HelloWorld"`},
		{name: "recorded array", expr: expr, bindings: in(`"[1, 2, \"HelloWorld\"]"`), want: `[1,2,"HelloWorld"]`},
		{name: "recorded object", expr: expr, bindings: in(`"{\"Arg1\": 1, \"Arg2\": []}"`), want: `{"Arg1":1,"Arg2":[]}`},
		{name: "key order", expr: `$parse('{"z":1,"a":{"y":2,"b":3}}')`, want: `{"z":1,"a":{"y":2,"b":3}}`},
		{name: "null text", expr: `$parse("null")`, want: `null`},
		{name: "whitespace around", expr: `$parse(' {"a":1} ')`, want: `{"a":1}`},
		{name: "undefined", expr: `$parse($missing)`},
		{name: "invalid", expr: `$parse("{bad json}")`, code: "D3204"},
		{name: "empty string", expr: `$parse("")`, code: "D3204"},
		{name: "number", expr: `$parse(123)`, code: "T0410"},
		{name: "null", expr: `$parse(null)`, code: "T0410"},
		{name: "object", expr: `$parse({"a":1})`, code: "T0410"},
		{name: "extra argument", expr: `$parse("1", 1)`, code: "T0410"},
	})
}

// TestEvalRefused: "$eval is not supported in Step Functions workflows" (AWS
// Developer Guide, $parse entry; aws-semantics §1.5).
func TestEvalRefused(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t)
	x, err := eng.Compile(`$eval('1 + 1')`)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = x.Eval(context.Background(), nil, nil)
	var je *Error
	if !errors.As(err, &je) || je.Code != "D3205" || je.Token != "eval" {
		t.Fatalf("Eval($eval) error = %#v, want D3205 about eval", err)
	}
	if want := "D3205: The $eval function is not supported in Step Functions; use $parse to deserialize a JSON string"; je.Error() != want {
		t.Errorf("Error() = %q, want %q", je.Error(), want)
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func evalString(t *testing.T, eng *GojaEngine, expr string) any {
	t.Helper()
	x, err := eng.Compile(expr)
	if err != nil {
		t.Fatal(err)
	}
	v, ok, err := x.Eval(context.Background(), nil, nil)
	if err != nil || !ok {
		t.Fatalf("Eval(%q) = %v %v %v", expr, v, ok, err)
	}
	return v
}

func TestRandomAndUUID(t *testing.T) {
	t.Parallel()
	// Two engines with the same injected source give the same answers.
	engA := newTestEngine(t, WithRandSource(rand.NewPCG(1, 2)))
	engB := newTestEngine(t, WithRandSource(rand.NewPCG(1, 2)))
	const expr = `{"r": [$random(), $random()], "u": $uuid(), "s": $shuffle([1,2,3,4,5,6,7,8])}`
	a := jsonv.Marshal(evalString(t, engA, expr))
	b := jsonv.Marshal(evalString(t, engB, expr))
	if a != b {
		t.Errorf("same source, different results:\n%s\n%s", a, b)
	}
	v := evalString(t, engA, expr).(*jsonv.Object)
	u, _ := v.Get("u")
	if s, _ := u.(string); !uuidV4.MatchString(s) {
		t.Errorf("$uuid() = %v, not a version 4 UUID", u)
	}
	r, _ := v.Get("r")
	for _, x := range r.([]any) {
		if f, ok := jsonv.AsFloat(x); !ok || f < 0 || f >= 1 {
			t.Errorf("$random() = %v, want 0 <= n < 1", x)
		}
	}

	// Seeded: the same seed gives the same number (AWS Developer Guide), the
	// seed is rounded down, and different seeds differ.
	eng := newTestEngine(t)
	seeded := evalString(t, eng, `[$random(77), $random(77), $random(77.9), $random(78), $random(-3)]`).([]any)
	if !jsonv.Equal(seeded[0], seeded[1]) || !jsonv.Equal(seeded[0], seeded[2]) {
		t.Errorf("$random(77) is not repeatable: %v", seeded)
	}
	if jsonv.Equal(seeded[0], seeded[3]) {
		t.Errorf("$random(77) = $random(78) = %v", seeded[0])
	}
	for _, x := range seeded {
		if f, ok := jsonv.AsFloat(x); !ok || f < 0 || f >= 1 {
			t.Errorf("seeded $random = %v, want 0 <= n < 1", x)
		}
	}
	// Unseeded calls on the default source differ.
	if r := evalString(t, eng, `[$random(), $random(), $uuid(), $uuid()]`).([]any); jsonv.Equal(r[0], r[1]) || r[2] == r[3] {
		t.Errorf("unseeded calls repeat: %v", r)
	}

	runEvalCases(t, eng, []evalCase{
		{name: "string seed", expr: `$random("seed")`, code: "T0410"},
		{name: "null seed", expr: `$random(null)`, code: "T0410"},
		{name: "object seed", expr: `$random({"a":1})`, code: "T0410"},
		{name: "two seeds", expr: `$random(1, 2)`, code: "T0410"},
		{name: "uuid argument", expr: `$uuid("x")`, code: "T0410"},
		{name: "uuid null", expr: `$uuid(null)`, code: "T0410"},
	})
}

func TestClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 11, 22, 10, 30, 0, 123e6, time.UTC)
	eng := newTestEngine(t, WithClock(func() time.Time { return at }))
	got := jsonv.Marshal(evalString(t, eng, `[$now(), $millis(), $now('[Y0001]-[M01]-[D01]')]`))
	if want := `["2024-11-22T10:30:00.123Z",1732271400123,"2024-11-22"]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestBase64 checks $base64encode/$base64decode, which need the btoa/atob
// shim; results are what jsonata.js returns on Node.js.
func TestBase64(t *testing.T) {
	t.Parallel()
	runEvalCases(t, newTestEngine(t), []evalCase{
		{name: "encode", expr: `$base64encode("hello:world")`, want: `"aGVsbG86d29ybGQ="`},
		{name: "decode", expr: `$base64decode("aGVsbG86d29ybGQ=")`, want: `"hello:world"`},
		{name: "encode latin-1", expr: `$base64encode("é")`, want: `"6Q=="`},
		{name: "encode keeps low bytes", expr: `$base64encode("✓")`, want: `"Ew=="`},
		{name: "decode to latin-1", expr: `$base64decode("w6k=")`, want: `"Ã©"`},
		{name: "round trip", expr: `$base64decode($base64encode("a\u00ffb"))`, want: `"aÿb"`},
		{name: "undefined", expr: `$base64encode()`},
	})
}

// TestEncodeURLSurrogates: goja's encodeURI accepts a lone surrogate, which
// ECMAScript (and so $encodeUrl, error D3140) rejects; runtime.js fixes it.
func TestEncodeURLSurrogates(t *testing.T) {
	t.Parallel()
	runEvalCases(t, newTestEngine(t), []evalCase{
		{name: "lone high", expr: `$encodeUrl('\ud800')`, code: "D3140"},
		{name: "lone low", expr: `$encodeUrlComponent('a\udc00')`, code: "D3140"},
		{name: "high at end", expr: `$encodeUrlComponent('ab\ud83d')`, code: "D3140"},
		{name: "pair", expr: `$encodeUrlComponent('\ud83d\ude00 x')`, want: `"%F0%9F%98%80%20x"`},
		{name: "url", expr: `$encodeUrl('https://x.org/a b?q=é')`, want: `"https://x.org/a%20b?q=%C3%A9"`},
	})
}
