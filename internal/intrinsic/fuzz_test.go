package intrinsic_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stepd/internal/intrinsic"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// seedCalls adds the intrinsic calls of the evaluation table and of every
// AWS-recorded definition to the fuzz corpus.
func seedCalls(f *testing.F) {
	for _, c := range evalCases {
		f.Add(c.expr)
	}
	files, _ := filepath.Glob(filepath.Join(casesDir, "*.json"))
	seen := map[string]bool{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		doc, err := jsonv.Parse(data)
		if err != nil {
			continue
		}
		def, _ := doc.(*jsonv.Object).Get("definition")
		walkStrings(def, func(s string) {
			if intrinsic.IsCall(s) && !seen[s] {
				seen[s] = true
				f.Add(s)
			}
		})
	}
}

func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case *jsonv.Object:
		for i := range x.Len() {
			_, e := x.At(i)
			walkStrings(e, fn)
		}
	}
}

// FuzzParse parses arbitrary text: errors are *SyntaxErrors with an offset
// inside the text, panics are failures, and what parses prints back.
func FuzzParse(f *testing.F) {
	seedCalls(f)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := intrinsic.Parse(s)
		if err != nil {
			var se *intrinsic.SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("Parse(%q) error %v is not a *SyntaxError with an offset in range", s, err)
			}
			return
		}
		if c.String() != strings.TrimSpace(s) && !strings.Contains(s, c.String()) {
			t.Fatalf("Parse(%q).String() = %q", s, c.String())
		}
		if again, err := intrinsic.Parse(c.String()); err != nil || again.Name != c.Name || len(again.Args) != len(c.Args) {
			t.Fatalf("re-parsing %q: %v", c.String(), err)
		}
	})
}

const fuzzInput = `{"s":"a,b;c","n":2.5,"i":3,"neg":-1,"a":[1,"x",[1],{"k":null},1,"x"],"o":{"k":1,"j":[true]},"p":{"z":2},
 "t":"{} and {}","e":"","b64":"eA==","big":1e300,"nul":null}`

// FuzzEval evaluates arbitrary calls against a fixed input: the only errors
// allowed are intrinsic failures and path errors; a recovered panic (an
// "internal error") is a failure.
func FuzzEval(f *testing.F) {
	seedCalls(f)
	for _, s := range []string{
		"States.Format($.t, $.o, $.a)", "States.ArrayRange($.neg, $.i, $.n)", "States.MathRandom($.neg, $.big, $.n)",
		"States.ArrayPartition($.a, $.n)", "States.StringSplit($.s, ',;')", "States.Hash($.o, 'SHA-512')",
		"States.JsonMerge($.o, $.p, false)", "States.ArrayGetItem($.a, $.i)", "States.Base64Decode($.b64)",
	} {
		f.Add(s)
	}
	input := mustJSON(fuzzInput)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := intrinsic.Parse(s)
		if err != nil {
			return
		}
		env := newEnv(input)
		env.vars = map[string]any{"x": int64(1), "v": input}
		env.context = mustJSON(`{"Execution":{"Name":"n","Input":{}}}`)
		before := jsonv.Marshal(input)
		v, err := c.Eval(env)
		var ie *intrinsic.Error
		var pe *jsonpath.Error
		switch {
		case err == nil:
			_ = jsonv.Marshal(v) // the result must be a JSON value
		case errors.As(err, &ie):
			if ie.Name != intrinsic.FailureName || strings.Contains(ie.Cause, "internal error") {
				t.Fatalf("Eval(%q): %v", s, err)
			}
		case errors.As(err, &pe):
		case strings.HasPrefix(err.Error(), "the variable $"):
		default:
			t.Fatalf("Eval(%q): unexpected error %T %v", s, err, err)
		}
		if jsonv.Marshal(input) != before {
			t.Fatalf("Eval(%q) modified its input", s)
		}
	})
}
