package jsonpath_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// casesDir holds executions recorded against real AWS (see the README there).
const casesDir = "../../../shared/conformance/aws-recorded/cases"

// recordedPathCase is a recorded execution of a single Pass state whose only
// data-flow field is Parameters, holding plain paths in its ".$" keys.
type recordedPathCase struct {
	name   string
	input  any
	params *jsonv.Object
	output any
}

func loadRecordedPathCases(tb testing.TB) []recordedPathCase {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(casesDir, "*.json"))
	if err != nil || len(files) == 0 {
		tb.Skipf("no AWS-recorded cases at %s (the shared conformance corpus is absent)", casesDir)
	}
	var out []recordedPathCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		doc, err := jsonv.Parse(data)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		root := doc.(*jsonv.Object)
		if feat, _ := root.Get("features"); strings.Contains(jsonv.Marshal(feat), "jsonata") {
			continue
		}
		def, _ := root.Get("definition")
		defObj, ok := def.(*jsonv.Object)
		if !ok {
			continue
		}
		statesV, _ := defObj.Get("States")
		states, _ := statesV.(*jsonv.Object)
		if states == nil || states.Len() != 1 {
			continue
		}
		_, st := states.At(0)
		state := st.(*jsonv.Object)
		if typ, _ := state.Get("Type"); typ != "Pass" || !onlyPlainPathParameters(state) {
			continue
		}
		expected, _ := root.Get("expected")
		status, _ := expected.(*jsonv.Object).Get("status")
		if status != "SUCCEEDED" {
			continue
		}
		output, _ := expected.(*jsonv.Object).Get("output")
		input, _ := root.Get("input")
		params, _ := state.Get("Parameters")
		out = append(out, recordedPathCase{name: strings.TrimSuffix(filepath.Base(f), ".json"), input: input, params: params.(*jsonv.Object), output: output})
	}
	return out
}

// onlyPlainPathParameters reports whether the state's only data-flow field
// is a flat Parameters object whose ".$" values are paths.
func onlyPlainPathParameters(state *jsonv.Object) bool {
	p, ok := state.Get("Parameters")
	params, isObj := p.(*jsonv.Object)
	if !ok || !isObj {
		return false
	}
	for _, k := range state.Keys() {
		switch k {
		case "Type", "End", "Next", "Comment", "Parameters":
		default:
			return false
		}
	}
	dynamic := false
	for i := range params.Len() {
		k, v := params.At(i)
		s, isStr := v.(string)
		if strings.HasSuffix(k, ".$") {
			if !isStr || !strings.HasPrefix(s, "$") {
				return false
			}
			dynamic = true
		} else if _, nested := v.(*jsonv.Object); nested {
			return false
		}
	}
	return dynamic
}

// TestAWSRecordedPaths evaluates the Parameters paths of the single-state
// executions LocalStack recorded against real AWS (array access, wildcards
// and slices over missing data, bracket names with escapes) and compares
// the state output with AWS's.
func TestAWSRecordedPaths(t *testing.T) {
	t.Parallel()
	cases := loadRecordedPathCases(t)
	if len(cases) == 0 {
		t.Fatal("found no recorded Pass-state path cases")
	}
	agree := 0
	for _, c := range cases {
		got := jsonv.NewObject(c.params.Len())
		failed := false
		for i := range c.params.Len() {
			k, v := c.params.At(i)
			name, dynamic := strings.CutSuffix(k, ".$")
			if !dynamic {
				got.Set(k, v)
				continue
			}
			p, err := jsonpath.Compile(v.(string))
			if err != nil {
				t.Errorf("%s: Compile(%q): %v", c.name, v, err)
				failed = true
				break
			}
			r, err := p.Get(c.input)
			if err != nil {
				t.Errorf("%s: Get(%q): %v", c.name, v, err)
				failed = true
				break
			}
			got.Set(name, r)
		}
		if failed {
			continue
		}
		if jsonv.Marshal(got) != jsonv.Marshal(c.output) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, jsonv.Marshal(got), jsonv.Marshal(c.output))
			continue
		}
		agree++
	}
	t.Logf("AWS-recorded path cases: %d of %d agree", agree, len(cases))
}
