package jsonpath_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// seedPaths adds the paths found in the AWS-recorded definitions (every
// string starting with '$' under a *Path, Variable or ".$" key) and a few
// hand-written ones to the fuzz corpus.
func seedPaths(f *testing.F) {
	for _, s := range []string{
		"$", "$$", "$var", "$.a.b[0].c", "$['a b'][-1]", "$..name", "$.a[*].b", "$.a[1:3]", "$.a[-2:]",
		"$.a[:2]", "$.a[0,2]", "$['a','b']", "$.a[?(@.x > 1 && @.y =~ /a.*/i || !@.z)].name",
		"$.a[?(@.t in ['x', 2, null])]", "$.a[?(@.p > $.min)]", `$['Test\""Name"']`, "$$.Execution.Input",
	} {
		f.Add(s)
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
		collectPaths(def, "", func(s string) {
			if !seen[s] {
				seen[s] = true
				f.Add(s)
			}
		})
	}
}

func collectPaths(v any, key string, add func(string)) {
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "$") && (strings.HasSuffix(key, "Path") || strings.HasSuffix(key, ".$") || key == "Variable") {
			add(x)
		}
	case []any:
		for _, e := range x {
			collectPaths(e, key, add)
		}
	case *jsonv.Object:
		for i := range x.Len() {
			k, e := x.At(i)
			collectPaths(e, k, add)
		}
	}
}

// FuzzCompile compiles arbitrary text as a path and as a reference path:
// errors are fine, panics are not, and what compiles keeps its invariants.
func FuzzCompile(f *testing.F) {
	seedPaths(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := jsonpath.Compile(s)
		if err != nil {
			var se *jsonpath.SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("Compile(%q) error %v is not a *SyntaxError with an offset in range", s, err)
			}
		} else {
			if p.String() != s || !strings.HasPrefix(p.Normalized(), "$") {
				t.Fatalf("Compile(%q): String %q Normalized %q", s, p.String(), p.Normalized())
			}
			if p.IsRoot() && !p.Definite() {
				t.Fatalf("Compile(%q): a root path must be definite", s)
			}
		}
		r, err := jsonpath.CompileReference(s)
		if err == nil {
			if p == nil || !r.Definite() || r.Root() != jsonpath.RootInput {
				t.Fatalf("CompileReference(%q) accepted a path Compile rejects or that is not a definite input path", s)
			}
		}
	})
}

const fuzzDoc = `{"a":{"b":[{"c":1,"d":[1,2.5,"x"]},{"c":null}],"e":"s"},"n":[0,-1,3],"o":{"k":{"k":{"k":true}}},"s":"str","f":false}`

// FuzzGet evaluates arbitrary paths on arbitrary documents: no panics; a
// definite path returns a value or an *Error; an indefinite one a []any or
// an *Error; and a value Set through a reference path reads back with Get.
func FuzzGet(f *testing.F) {
	seedPaths(f)
	f.Fuzz(func(t *testing.T, path string) {
		p, err := jsonpath.Compile(path)
		if err != nil {
			return
		}
		doc := mustParse(t, fuzzDoc)
		before := jsonv.Marshal(doc)
		v, err := p.Get(doc)
		var pe *jsonpath.Error
		switch {
		case err != nil && !errors.As(err, &pe):
			t.Fatalf("Get(%q) error %v is not a *jsonpath.Error", path, err)
		case err == nil && !p.Definite():
			if _, ok := v.([]any); !ok {
				t.Fatalf("Get(%q) of an indefinite path returned %T", path, v)
			}
		}
		if jsonv.Marshal(doc) != before {
			t.Fatalf("Get(%q) modified the document", path)
		}
		if r, err := jsonpath.CompileReference(path); err == nil {
			marker := "fuzz-marker"
			out, err := r.Set(doc, marker)
			if err == nil {
				back, err := r.Get(out)
				if err != nil || back != marker {
					t.Fatalf("Set then Get(%q) = %v, %v", path, back, err)
				}
			}
			if jsonv.Marshal(doc) != before {
				t.Fatalf("Set(%q) modified the document", path)
			}
		}
	})
}
