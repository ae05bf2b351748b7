package jsonpath_test

import (
	"errors"
	"testing"

	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

func TestSet(t *testing.T) {
	t.Parallel()
	const root = `{"a":1,"obj":{"k":"v"},"arr":[10,{"x":1},30],"nul":null}`
	tests := []struct{ path, root, value, want, err, jerr string }{
		// ResultPath "$" replaces the input; "$.x" adds or replaces a key in
		// place; missing intermediate objects are created (aws-semantics.md §1.3).
		{path: "$", root: root, value: `"r"`, want: `"r"`},
		{path: "$.b", root: root, value: `2`, want: `{"a":1,"obj":{"k":"v"},"arr":[10,{"x":1},30],"nul":null,"b":2}`},
		{path: "$.a", root: root, value: `[1]`, want: `{"a":[1],"obj":{"k":"v"},"arr":[10,{"x":1},30],"nul":null}`},
		{path: "$.obj.k2", root: root, value: `true`, want: `{"a":1,"obj":{"k":"v","k2":true},"arr":[10,{"x":1},30],"nul":null}`},
		{path: "$.result.deep.er", root: `{}`, value: `{"r":1}`, want: `{"result":{"deep":{"er":{"r":1}}}}`},
		{path: "$['a b'].c", root: `{}`, value: `1`, want: `{"a b":{"c":1}}`},
		{path: "$.arr[1].x", root: root, value: `2`, want: `{"a":1,"obj":{"k":"v"},"arr":[10,{"x":2},30],"nul":null}`},
		{path: "$.arr[-1]", root: root, value: `"last"`, want: `{"a":1,"obj":{"k":"v"},"arr":[10,{"x":1},"last"],"nul":null}`},
		{path: "$[0]", root: `[1,2]`, value: `9`, want: `[9,2]`},
		{path: "$.nul", root: root, value: `0`, want: `{"a":1,"obj":{"k":"v"},"arr":[10,{"x":1},30],"nul":0}`},
		// Failures of a reference path use AWS's ResultPath wording
		// (States.ReferencePathConflict, aws/aws-cdk#29473); the same path
		// compiled with Compile uses Jayway's (jerr).
		{path: "$.x", root: `"foo"`, value: `1`, err: `Unable to apply ReferencePath $.x to input "foo"`,
			jerr: `Invalid path '$.x' : Expected to find an object with property ['x'] in path $ but found 'java.lang.String'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`},
		{path: "$.a.b", root: root, value: `1`, err: `Unable to apply step "b" to input ` + root,
			jerr: `Invalid path '$.a.b' : Expected to find an object with property ['b'] in path $['a'] but found 'java.lang.Integer'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`},
		{path: "$.nul.b", root: root, value: `1`, err: `Unable to apply step "b" to input ` + root,
			jerr: `Invalid path '$.nul.b' : Expected to find an object with property ['b'] in path $['nul'] but found 'null'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`},
		{path: "$.arr[5]", root: root, value: `1`, err: `Unable to apply step "[5]" to input ` + root,
			jerr: `Invalid path '$.arr[5]' : No results for path: $['arr'][5]`},
		{path: "$.missing[0]", root: root, value: `1`, err: `Unable to apply step "missing" to input ` + root,
			jerr: `Invalid path '$.missing[0]' : Missing property in path $['missing']`},
		{path: "$.obj[0]", root: root, value: `1`, err: `Unable to apply step "[0]" to input ` + root,
			jerr: `Invalid path '$.obj[0]' : Filter: [0] can only be applied to arrays. Current context is: {k=v}`},
		{path: "$[0]", root: `{"a":1}`, value: `1`, err: `Unable to apply step "[0]" to input {"a":1}`,
			jerr: `Invalid path '$[0]' : Filter: [0] can only be applied to arrays. Current context is: {a=1}`},
	}
	for _, tt := range tests {
		p, err := jsonpath.CompileReference(tt.path)
		if err != nil {
			t.Errorf("CompileReference(%q): %v", tt.path, err)
			continue
		}
		r := mustParse(t, tt.root)
		before := jsonv.Marshal(r)
		got, err := p.Set(r, mustParse(t, tt.value))
		if jsonv.Marshal(r) != before {
			t.Errorf("Set(%q) modified its input: %s", tt.path, jsonv.Marshal(r))
		}
		if tt.err != "" {
			var re *jsonpath.ReferenceError
			if !errors.As(err, &re) || err.Error() != tt.err {
				t.Errorf("Set(%q) = %s, %v\nwant error %s", tt.path, jsonv.Marshal(got), err, tt.err)
			}
			var pe *jsonpath.Error
			if _, err := jsonpath.MustCompile(tt.path).Set(r, int64(1)); !errors.As(err, &pe) || err.Error() != tt.jerr {
				t.Errorf("Set(%q) compiled as a path: %v\nwant error %s", tt.path, err, tt.jerr)
			}
			continue
		}
		if err != nil || jsonv.Marshal(got) != tt.want {
			t.Errorf("Set(%q) = %s, %v\nwant %s", tt.path, jsonv.Marshal(got), err, tt.want)
		}
	}
}

// TestSetSharesUntouchedValues checks copy on write: only the objects along
// the path are new.
func TestSetSharesUntouchedValues(t *testing.T) {
	t.Parallel()
	root := mustParse(t, `{"keep":{"big":[1,2,3]},"path":{"to":{}}}`).(*jsonv.Object)
	got, err := jsonpath.MustCompile("$.path.to.x").Set(root, int64(1))
	if err != nil {
		t.Fatal(err)
	}
	out := got.(*jsonv.Object)
	keepBefore, _ := root.Get("keep")
	keepAfter, _ := out.Get("keep")
	if keepBefore != keepAfter {
		t.Error("an untouched subtree was copied")
	}
	pathBefore, _ := root.Get("path")
	pathAfter, _ := out.Get("path")
	if pathBefore == pathAfter {
		t.Error("an object on the path was not copied")
	}
}

func TestSetIndefinitePath(t *testing.T) {
	t.Parallel()
	_, err := jsonpath.MustCompile("$.a[*]").Set(mustParse(t, `{"a":[1]}`), int64(1))
	const want = `Invalid path '$.a[*]' : Only names and single indexes can be used in a path that sets a value: $['a'][*]`
	if err == nil || err.Error() != want {
		t.Errorf("Set through a wildcard: %v, want %s", err, want)
	}
}

// TestReferenceGet reads through reference paths (ItemsPath): a missing
// step fails with AWS's wording, e.g. Unable to apply step "objects" to
// input {...} (States.ReferencePathConflict, reported from AWS executions
// of ItemsPath $.discovery.objects).
func TestReferenceGet(t *testing.T) {
	t.Parallel()
	const in = `{"discovery":{"statusCode":500,"body":"x"},"list":[[1,2],{"k":3}]}`
	tests := []struct{ path, want, err string }{
		{path: "$", want: in},
		{path: "$.list[0][1]", want: `2`},
		{path: "$.list[-1].k", want: `3`},
		{path: "$.discovery.objects", err: `Unable to apply step "objects" to input ` + in},
		{path: "$.items", err: `Unable to apply step "items" to input ` + in},
		{path: "$.discovery.body.x", err: `Unable to apply step "x" to input ` + in},
		{path: "$.list[2]", err: `Unable to apply step "[2]" to input ` + in},
		{path: "$.discovery[0]", err: `Unable to apply step "[0]" to input ` + in},
	}
	for _, tt := range tests {
		p, err := jsonpath.CompileReference(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Get(mustParse(t, in))
		if tt.err != "" {
			var re *jsonpath.ReferenceError
			if !errors.As(err, &re) || err.Error() != tt.err {
				t.Errorf("Get(%q) = %s, %v\nwant error %s", tt.path, jsonv.Marshal(got), err, tt.err)
			}
			continue
		}
		if err != nil || jsonv.Marshal(got) != tt.want {
			t.Errorf("Get(%q) = %s, %v; want %s", tt.path, jsonv.Marshal(got), err, tt.want)
		}
	}
}
