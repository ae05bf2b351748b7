package intrinsic_test

import (
	"errors"
	"strings"
	"testing"

	"stepd/internal/intrinsic"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// evalCases is shared by TestEval and the benchmarks. want is the result as
// JSON text; cause, when set, the exact cause of the States.IntrinsicFailure
// (or its beginning, when it ends in "...").
// Citations: DG is the AWS Developer Guide page "Intrinsic functions for
// JSONPath states"; §2 is aws-semantics.md §2 (observed AWS behaviour).
var evalCases = []struct {
	expr, input, want, cause string
}{
	// States.Format
	{expr: "States.Format('Hello, my name is {}.', $.name)", input: `{"name":"Arnav"}`, want: `"Hello, my name is Arnav."`}, // DG
	{expr: "States.Format($.template, $.name)", input: `{"name":"Arnav","template":"Hello, my name is {}."}`, want: `"Hello, my name is Arnav."`},
	{expr: "States.Format('{}', $.o)", input: `{"o":{"Arg1":1,"Arg2":[]}}`, want: `"{Arg1=1, Arg2=[]}"`}, // §2 [observed]
	{expr: "States.Format('{}|{}', $.o, $.a)", input: `{"o":{"a":{"b":[1,"x",null,true,1.5]}},"a":[[],{}]}`, want: `"{a={b=[1, x, null, true, 1.5]}}|[[], {}]"`},
	{expr: "States.Format('{} {} {} {}', $.n, $.f, $.i, $.b)", input: `{"n":null,"f":1.1,"i":-7,"b":false}`, want: `"null 1.1 -7 false"`}, // §2
	{expr: "States.Format('{}', $.f)", input: `{"f":1.0}`, want: `"1.0"`},
	{expr: "States.Format('[{}]', $.s)", input: `{"s":"{\"Arg1\": 1}"}`, want: `"[{\"Arg1\": 1}]"`}, // a JSON string goes in verbatim (§2)
	{expr: `States.Format('\{\} {} \'q\' \\', $.x)`, input: `{"x":"v"}`, want: `"{} v 'q' \\"`},
	{expr: "States.Format('no placeholders')", input: `{}`, want: `"no placeholders"`},
	{expr: "States.Format($.t, 1)", input: `{"t":"{} {}"}`, cause: "The function States.Format failed: the template has 2 {} placeholder(s) but 1 value(s) follow it"},
	{expr: "States.Format($.t, 1)", input: `{"t":5}`, cause: "The function States.Format failed: argument 1 must be a string, but it is the number 5"},
	// States.StringToJson / JsonToString
	{expr: "States.StringToJson($.s)", input: `{"s":"{\"foo\": \"bar\"}"}`, want: `{"foo":"bar"}`}, // DG
	{expr: "States.StringToJson($.s)", input: `{"s":""}`, want: `null`},                            // §2 [observed]
	{expr: "States.StringToJson($.s)", input: `{"s":" "}`, want: `null`},
	{expr: "States.StringToJson($.s)", input: `{"s":"null"}`, want: `null`},
	{expr: "States.StringToJson($.s)", input: `{"s":"-0"}`, want: `0`},
	{expr: "States.StringToJson($.s)", input: `{"s":"[1, 2.5, \"x\"]"}`, want: `[1,2.5,"x"]`},
	{expr: "States.StringToJson($.s)", input: `{"s":"{"}`, cause: "The function States.StringToJson failed: the string is not valid JSON: ..."},
	{expr: "States.JsonToString($.o)", input: `{"o":{"Arg1":1,"Arg2":[]}}`, want: `"{\"Arg1\":1,\"Arg2\":[]}"`}, // §2 [observed]
	{expr: "States.JsonToString($.s)", input: `{"s":"x"}`, want: `"\"x\""`},
	// States.Array
	{expr: "States.Array($.Id)", input: `{"Id":123456}`, want: `[123456]`}, // DG
	{expr: "States.Array(1, 'x', null, $.o, States.Array())", input: `{"o":{"k":true}}`, want: `[1,"x",null,{"k":true},[]]`},
	// States.ArrayPartition
	{expr: "States.ArrayPartition($.a, 4)", input: `{"a":[1,2,3,4,5,6,7,8,9]}`, want: `[[1,2,3,4],[5,6,7,8],[9]]`}, // DG
	{expr: "States.ArrayPartition($.a, 2)", input: `{"a":[]}`, want: `[]`},                                         // §2 [observed]
	{expr: "States.ArrayPartition($.a, 2.5)", input: `{"a":[1,2,3,4]}`, want: `[[1,2,3],[4]]`},                     // DG: rounded
	{expr: "States.ArrayPartition($.a, 0)", input: `{"a":[1]}`, cause: "The function States.ArrayPartition failed: the chunk size must be a positive integer, but it is 0"},
	{expr: "States.ArrayPartition($.a, $.n)", input: `{"a":[1],"n":"2"}`, cause: "The function States.ArrayPartition failed: argument 2 must be a number, but it is the string '2'"},
	{expr: "States.ArrayPartition($.a, 1)", input: `{"a":{"k":1}}`, cause: "The function States.ArrayPartition failed: argument 1 must be an array, but it is an object"},
	// States.ArrayContains
	{expr: "States.ArrayContains($.a, $.v)", input: `{"a":[1,2,3,4,5,6,7,8,9],"v":5}`, want: `true`},         // DG
	{expr: "States.ArrayContains($.a, $.v)", input: `{"a":[[1,2,3],2],"v":[1,2,3]}`, want: `true`},           // §2 [observed]
	{expr: "States.ArrayContains($.a, $.v)", input: `{"a":[{"x":1,"y":2}],"v":{"y":2,"x":1}}`, want: `true`}, // deep equality
	{expr: "States.ArrayContains($.a, $.v)", input: `{"a":[[]],"v":null}`, want: `false`},
	// States.ArrayRange
	{expr: "States.ArrayRange(1, 9, 2)", input: `{}`, want: `[1,3,5,7,9]`}, // DG
	{expr: "States.ArrayRange(0, 10, 3)", input: `{}`, want: `[0,3,6,9]`},  // §2 [observed]
	{expr: "States.ArrayRange(5, 1, -2)", input: `{}`, want: `[5,3,1]`},
	{expr: "States.ArrayRange(1, 5, -1)", input: `{}`, want: `[]`},
	{expr: "States.ArrayRange(1.5, 3.4, 1)", input: `{}`, want: `[2,3]`},
	{expr: "States.ArrayRange(0, 1000, 1)", input: `{}`, cause: "The function States.ArrayRange failed: the range would hold 1001 items; at most 1000 are allowed"}, // DG: at most 1000
	{expr: "States.ArrayRange(0, 10, $.s)", input: `{"s":0.4}`, cause: "The function States.ArrayRange failed: the step must not be 0"},
	// States.ArrayGetItem / ArrayLength / ArrayUnique
	{expr: "States.ArrayGetItem($.a, $.i)", input: `{"a":[1,2,3,4,5,6,7,8,9],"i":5}`, want: `6`}, // DG
	{expr: "States.ArrayGetItem($.a, 3)", input: `{"a":[1,2,3]}`, cause: "The function States.ArrayGetItem failed: the index 3 is out of range for an array of 3 item(s)"},
	{expr: "States.ArrayGetItem($.a, -1)", input: `{"a":[1,2,3]}`, cause: "The function States.ArrayGetItem failed: the index -1 is out of range for an array of 3 item(s)"},
	{expr: "States.ArrayGetItem($.a, 1.5)", input: `{"a":[1,2,3]}`, cause: "The function States.ArrayGetItem failed: the index must be an integer, but it is 1.5"},
	{expr: "States.ArrayLength($.a)", input: `{"a":[1,2,3,4,5,6,7,8,9]}`, want: `9`},         // DG
	{expr: "States.ArrayUnique($.a)", input: `{"a":[1,2,3,3,3,3,3,3,4]}`, want: `[1,2,3,4]`}, // DG
	{expr: "States.ArrayUnique($.a)", input: `{"a":[{"x":1,"y":[2]},{"y":[2],"x":1},1,1.0,"1",null,null]}`, want: `[{"x":1,"y":[2]},1,"1",null]`},
	// States.Base64Encode / Base64Decode
	{expr: "States.Base64Encode($.s)", input: `{"s":"Data to encode"}`, want: `"RGF0YSB0byBlbmNvZGU="`}, // DG, §2 [observed]
	{expr: "States.Base64Encode($.s)", input: `{"s":""}`, want: `""`},                                   // §2 [observed]
	{expr: "States.Base64Encode('é✓')", input: `{}`, want: `"w6ninJM="`},
	{expr: "States.Base64Decode($.s)", input: `{"s":"RGF0YSB0byBlbmNvZGU="}`, want: `"Data to encode"`},
	{expr: "States.Base64Decode($.s)", input: `{"s":"RGF0YSB0\r\nbyBlbmNvZGU"}`, want: `"Data to encode"`}, // MIME: line breaks ignored, padding optional
	{expr: "States.Base64Decode('A')", input: `{}`, cause: "The function States.Base64Decode failed: the input is not valid Base64: illegal base64 data at input byte 0"},
	// States.Hash
	{expr: "States.Hash($.d, $.a)", input: `{"d":"input data","a":"MD5"}`, want: `"812f45842bc6d66ee14572ce20db8e86"`},                        // §2 [observed]
	{expr: "States.Hash($.d, $.a)", input: `{"d":"input data","a":"SHA-1"}`, want: `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},              // §2 [observed]
	{expr: "States.Hash($.d, 'SHA-256')", input: `{"d":{"a":1}}`, want: `"015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"`}, // the JSON text is hashed
	{expr: "States.Hash('héllo ✓', 'MD5')", input: `{}`, want: `"21b1ae5bc147bb564254200a4731e337"`},
	{expr: "States.Hash($.d, $.a)", input: `{"d":"x","a":"sha-1"}`, cause: "The function States.Hash failed: unsupported hash algorithm 'sha-1': use MD5, SHA-1, SHA-256, SHA-384 or SHA-512"},
	// States.JsonMerge
	{expr: "States.JsonMerge($.json1, $.json2, false)", input: `{"json1":{"a":{"a1":1,"a2":2},"b":2},"json2":{"a":{"a3":1,"a4":2},"c":3}}`, want: `{"a":{"a3":1,"a4":2},"b":2,"c":3}`}, // DG
	{expr: "States.JsonMerge($.x, $.y, false)", input: `{"x":{"z":1,"y":2},"y":{"x":3}}`, want: `{"x":3,"y":2,"z":1}`},                                                                 // java.util.HashMap order
	{expr: "States.JsonMerge($.x, $.y, $.deep)", input: `{"x":{},"y":{},"deep":true}`, cause: "The function States.JsonMerge failed: only the shallow merging mode is supported: the third argument must be false"},
	{expr: "States.JsonMerge($.x, $.y, false)", input: `{"x":{},"y":[]}`, cause: "The function States.JsonMerge failed: argument 2 must be an object, but it is an array"},
	// States.MathRandom with a seed: java.util.Random
	{expr: "States.MathRandom(1, 1000, 42)", input: `{}`, want: `126`},
	{expr: "States.MathRandom(0, 10, 42)", input: `{}`, want: `0`},
	{expr: "States.MathRandom(0, 100, 7)", input: `{}`, want: `36`},
	{expr: "States.MathRandom(0, 1000, -5)", input: `{}`, want: `411`},
	{expr: "States.MathRandom(1.4, 1.6)", input: `{}`, want: `1`},
	{expr: "States.MathRandom(5, 5)", input: `{}`, cause: "The function States.MathRandom failed: the start (5) must be less than the end (5)"},
	// States.MathAdd: Java Math.round on each argument (§2 [observed])
	{expr: "States.MathAdd($.v, $.s)", input: `{"v":111,"s":-1}`, want: `110`}, // DG
	{expr: "States.MathAdd(1.49, 1.50)", input: `{}`, want: `3`},
	{expr: "States.MathAdd(-1.49, -1.50)", input: `{}`, want: `-2`},
	{expr: "States.MathAdd(0.5, -0.5)", input: `{}`, want: `1`},
	{expr: "States.MathAdd(-2.5, -1.51)", input: `{}`, want: `-4`},
	{expr: "States.MathAdd(2.5, 0)", input: `{}`, want: `3`},
	{expr: "States.MathAdd(2147483647, 1)", input: `{}`, cause: "The function States.MathAdd failed: the sum 2147483648 is outside the range -2147483648 to 2147483647"},
	{expr: "States.MathAdd($.x, 1)", input: `{"x":3000000000}`, cause: "The function States.MathAdd failed: argument 1 (3000000000) is outside the range -2147483648 to 2147483647"},
	// States.StringSplit: every separator character splits, empty tokens dropped (§2 [observed])
	{expr: "States.StringSplit($.s, $.d)", input: `{"s":"1,2,3,4,5","d":","}`, want: `["1","2","3","4","5"]`},                            // DG
	{expr: "States.StringSplit($.s, $.d)", input: `{"s":"This.is+a,test=string","d":".+,="}`, want: `["This","is","a","test","string"]`}, // DG
	{expr: "States.StringSplit(',,,,', ',')", input: `{}`, want: `[]`},
	{expr: "States.StringSplit(' , ', ',')", input: `{}`, want: `[" "," "]`},
	{expr: "States.StringSplit('añb✓c', '✓ñ')", input: `{}`, want: `["a","b","c"]`},
	{expr: "States.StringSplit('abc', '')", input: `{}`, want: `["abc"]`},
	// States.UUID and variables
	{expr: "States.UUID()", input: `{}`, want: `"6f1d8f2e-3c3a-4b55-9a57-2f0c6b1f7d10"`},
	{expr: "States.MathAdd($x, $y.n)", input: `{}`, want: `5`},
	{expr: "States.Format('{}-{}', $$.Execution.Name, $x)", input: `{}`, want: `"run-1-2"`},
}

func TestEval(t *testing.T) {
	t.Parallel()
	for _, tt := range evalCases {
		c, err := intrinsic.Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		env := newEnv(mustJSON(tt.input))
		env.vars = map[string]any{"x": int64(2), "y": mustJSON(`{"n":3}`)}
		env.context = mustJSON(`{"Execution":{"Name":"run-1"}}`)
		got, err := c.Eval(env)
		if tt.cause != "" {
			var ie *intrinsic.Error
			if !errors.As(err, &ie) || ie.Name != "States.IntrinsicFailure" || !causeMatches(ie.Cause, tt.cause) {
				t.Errorf("%s on %s = %s, %v\nwant States.IntrinsicFailure: %s", tt.expr, tt.input, jsonv.Marshal(got), err, tt.cause)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s on %s: %v", tt.expr, tt.input, err)
			continue
		}
		if s := jsonv.Marshal(got); s != tt.want {
			t.Errorf("%s on %s\n got %s\nwant %s", tt.expr, tt.input, s, tt.want)
		}
	}
}

func causeMatches(got, want string) bool {
	if prefix, ok := strings.CutSuffix(want, "..."); ok {
		return strings.HasPrefix(got, prefix)
	}
	return got == want
}

// TestEvalPathErrorsPassThrough checks that a path that matches nothing
// fails with the path's own error (reported as States.Runtime by the
// caller, aws-semantics.md §1.3), not as an intrinsic failure.
func TestEvalPathErrorsPassThrough(t *testing.T) {
	t.Parallel()
	c, err := intrinsic.Parse("States.Format('{}', States.ArrayLength($.missing))")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Eval(newEnv(mustJSON(`{}`)))
	var pe *jsonpath.Error
	if !errors.As(err, &pe) || err.Error() != "Invalid path '$.missing' : No results for path: $['missing']" {
		t.Fatalf("error = %v, want the *jsonpath.Error of $.missing", err)
	}
}

// TestLimits pins the documented 10,000-character inputs of Base64Encode,
// Base64Decode and Hash (DG), counted in UTF-16 characters as Java counts.
func TestLimits(t *testing.T) {
	t.Parallel()
	for _, fn := range []string{"States.Base64Encode($.s)", "States.Base64Decode($.s)", "States.Hash($.s, 'MD5')"} {
		c, err := intrinsic.Parse(fn)
		if err != nil {
			t.Fatal(err)
		}
		ok := strings.Repeat("A", 10000)
		if _, err := c.Eval(newEnv(jsonv.ObjectOf("s", ok))); err != nil {
			t.Errorf("%s with 10000 characters: %v", fn, err)
		}
		tooLong := strings.Repeat("A", 9999) + "😀" // 10001 UTF-16 code units
		_, err = c.Eval(newEnv(jsonv.ObjectOf("s", tooLong)))
		var ie *intrinsic.Error
		if !errors.As(err, &ie) || !strings.HasSuffix(ie.Cause, "the input is 10001 characters long; at most 10000 are allowed") {
			t.Errorf("%s with 10001 characters: %v", fn, err)
		}
	}
}

// TestArrayUniqueLarge exercises the hashed path of ArrayUnique (arrays over
// 32 items) against the pairwise one.
func TestArrayUniqueLarge(t *testing.T) {
	t.Parallel()
	var items []any
	for i := range 200 {
		switch i % 4 {
		case 0:
			items = append(items, int64(i%10))
		case 1:
			items = append(items, float64(i%10))
		case 2:
			items = append(items, jsonv.ObjectOf("k", int64(i%3), "j", []any{"x"}))
		default:
			items = append(items, jsonv.ObjectOf("j", []any{"x"}, "k", int64(i%3)))
		}
	}
	c, _ := intrinsic.Parse("States.ArrayUnique($.a)")
	got, err := c.Eval(newEnv(jsonv.ObjectOf("a", items)))
	if err != nil {
		t.Fatal(err)
	}
	var want []any
	for _, e := range items {
		dup := false
		for _, w := range want {
			if jsonv.Equal(e, w) {
				dup = true
				break
			}
		}
		if !dup {
			want = append(want, e)
		}
	}
	if jsonv.Marshal(got) != jsonv.Marshal(want) {
		t.Fatalf("got %s\nwant %s", jsonv.Marshal(got), jsonv.Marshal(want))
	}
}

// TestMathRandomUnseeded draws from the injected source: results stay in
// [start, end) and repeat exactly for the same source.
func TestMathRandomUnseeded(t *testing.T) {
	t.Parallel()
	c, _ := intrinsic.Parse("States.MathRandom($.lo, $.hi)")
	in := mustJSON(`{"lo":-3,"hi":4}`)
	draw := func() []any {
		env := newEnv(in)
		var out []any
		for range 50 {
			v, err := c.Eval(env)
			if err != nil {
				t.Fatal(err)
			}
			if n := v.(int64); n < -3 || n >= 4 {
				t.Fatalf("MathRandom(-3, 4) = %d", n)
			}
			out = append(out, v)
		}
		return out
	}
	if a, b := draw(), draw(); !jsonv.Equal(a, b) {
		t.Fatalf("the same source gave %v and %v", a, b)
	}
}
