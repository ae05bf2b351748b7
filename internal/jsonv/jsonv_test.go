package jsonv_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"stepd/internal/jsonv"
)

func TestParseRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"b":1,"a":2}`, `{"b":1,"a":2}`},
		{` { "z" : [ 1 , 2.5 , "x" ] , "y" : null } `, `{"z":[1,2.5,"x"],"y":null}`},
		{`"a\u00e9\n\t\"\\\/"`, `"aé\n\t\"\\/"`},
		{`"\ud83d\ude00"`, `"😀"`},
		{`[true,false,null]`, `[true,false,null]`},
		{`1.0`, `1.0`},
		{`-0`, `0`},
		{`1e2`, `100.0`},
		{`1.5e10`, `1.5E10`},
		{`0.0001`, `1.0E-4`},
		{`9223372036854775807`, `9223372036854775807`},
		{`9223372036854775808`, `9.223372036854776E18`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`"<&>"`, `"<&>"`},
		{`"\u0001"`, `"\u0001"`},
	}
	for _, tt := range tests {
		v, err := jsonv.ParseString(tt.in)
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.in, err)
			continue
		}
		if got := jsonv.Marshal(v); got != tt.want {
			t.Errorf("Marshal(Parse(%s)) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		line     int
		col      int
		contains string
	}{
		{``, 1, 1, "expected a JSON value, found end of input"},
		{`not a definition`, 1, 1, "unrecognized token 'not'"},
		{"{\n  \"a\": 1\n  \"b\": 2}", 3, 3, "expected ',' or '}' after an object member, found '\"'"},
		{`{"a" 1}`, 1, 6, "expected ':' after object key \"a\""},
		{`[1,2`, 1, 5, "expected ',' or ']'"},
		{`{"a":01}`, 1, 7, "leading zeroes"},
		{`"abc`, 1, 5, "unterminated string"},
		{`{"a":1} x`, 1, 9, "expected end of input"},
		{`{a:1}`, 1, 2, "expected a string object key in double quotes, found 'a'"},
		{`"\x"`, 1, 2, "invalid escape"},
		{`[1,]`, 1, 4, "expected a JSON value"},
		{`{"a":tru}`, 1, 6, "unrecognized token 'tru'"},
	}
	for _, tt := range tests {
		_, err := jsonv.ParseString(tt.in)
		var se *jsonv.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) error = %v, want a SyntaxError", tt.in, err)
			continue
		}
		if se.Line != tt.line || se.Column != tt.col || !strings.Contains(se.Msg, tt.contains) {
			t.Errorf("Parse(%q) = %d:%d %q, want %d:%d containing %q", tt.in, se.Line, se.Column, se.Msg, tt.line, tt.col, tt.contains)
		}
	}
}

func TestTypographicQuotes(t *testing.T) {
	t.Parallel()
	in := "{\n  “Comment”: “x”\n}"
	_, err := jsonv.ParseString(in)
	var se *jsonv.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("want SyntaxError, got %v", err)
	}
	if se.Line != 2 || se.Column != 3 {
		t.Errorf("position = %d:%d, want 2:3", se.Line, se.Column)
	}
	for _, want := range []string{"typographic quotes", "“ at line 2, column 3", "straight quotes"} {
		if !strings.Contains(se.Error(), want) {
			t.Errorf("error %q does not mention %q", se.Error(), want)
		}
	}
}

func TestPositions(t *testing.T) {
	t.Parallel()
	in := "{\n  \"States\": {\n    \"A/B\": {\"Type\": \"Pass\"}\n  },\n  \"L\": [1, {\"x\": 2}]\n}"
	_, pos, _, err := jsonv.ParseWithPositions([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ptr        string
		key, value string
	}{
		{"", "1:1", "1:1"},
		{"/States", "2:3", "2:13"},
		{"/States/A~1B", "3:5", "3:12"},
		{"/States/A~1B/Type", "3:13", "3:21"},
		{"/L/1/x", "5:13", "5:18"},
	}
	for _, tt := range tests {
		np, ok := pos.Lookup(tt.ptr)
		if !ok || np.Key.String() != tt.key || np.Value.String() != tt.value {
			t.Errorf("pos[%q] = %v %v (exact %v), want key %s value %s", tt.ptr, np.Key, np.Value, ok, tt.key, tt.value)
		}
	}
	if np, ok := pos.Lookup("/States/A~1B/Missing"); ok || np.Key.String() != "3:5" {
		t.Errorf("Lookup of a missing member = %v %v, want nearest ancestor 3:5", np, ok)
	}
}

func TestObjectOrderAndIndex(t *testing.T) {
	t.Parallel()
	o := jsonv.NewObject(0)
	for i := 0; i < 40; i++ {
		o.Set(string(rune('z'-i%26))+strings.Repeat("k", i/26), int64(i))
	}
	o.Delete("y")
	o.Set("z", "first")
	if k, v := o.At(0); k != "z" || v != "first" {
		t.Errorf("At(0) = %s %v", k, v)
	}
	if o.Has("y") || o.Len() != 39 {
		t.Errorf("after delete: has y %v, len %d", o.Has("y"), o.Len())
	}
	if v, ok := o.Get("x"); !ok || v != int64(2) {
		t.Errorf("Get(x) = %v %v", v, ok)
	}
	c := o.With("new", true)
	if o.Has("new") || !c.Has("new") {
		t.Error("With must not modify the receiver")
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1.0}`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`[1,2]`, `[2,1]`, false},
		{`null`, `false`, false},
		{`"1"`, `1`, false},
	}
	for _, tt := range tests {
		a, _ := jsonv.ParseString(tt.a)
		b, _ := jsonv.ParseString(tt.b)
		if got := jsonv.Equal(a, b); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

func TestAppendFloat(t *testing.T) {
	t.Parallel()
	tests := map[float64]string{
		1.5: "1.5", 100: "100.0", 1e7: "1.0E7", 1.2345e-5: "1.2345E-5", 0.001: "0.001",
		-2.5: "-2.5", math.NaN(): "null", 123456.789: "123456.789",
	}
	for f, want := range tests {
		if got := string(jsonv.AppendFloat(nil, f)); got != want {
			t.Errorf("AppendFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestFromGo(t *testing.T) {
	t.Parallel()
	var m any
	if err := json.Unmarshal([]byte(`{"b":1,"a":{"c":[true,"x",1.5]}}`), &m); err != nil {
		t.Fatal(err)
	}
	if got := jsonv.Marshal(jsonv.FromGo(m)); got != `{"a":{"c":[true,"x",1.5]},"b":1}` {
		t.Errorf("FromGo = %s", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\ud83d\ude00"`, `1e5`, `“x”`, `[`, `{"a":"\u12"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := jsonv.ParseString(s)
		if err != nil {
			var se *jsonv.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("non-syntax error %T: %v", err, err)
			}
			return
		}
		// What we encode must parse back to an equal value.
		out := jsonv.Marshal(v)
		back, err := jsonv.ParseString(out)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", out, err)
		}
		if !jsonv.Equal(v, back) {
			t.Fatalf("round trip changed %q: %q", s, out)
		}
		// And agree with encoding/json on validity.
		if !json.Valid([]byte(s)) && !strings.Contains(s, `\u`) {
			t.Fatalf("accepted invalid JSON %q", s)
		}
	})
}
