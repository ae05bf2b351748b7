package jsonpath_test

import (
	"errors"
	"strings"
	"testing"

	"stepd/internal/jsonpath"
)

func TestCompile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src        string
		root       jsonpath.Root
		variable   string
		isRoot     bool
		definite   bool
		normalized string
	}{
		{"$", jsonpath.RootInput, "", true, true, "$"},
		{"$.a", jsonpath.RootInput, "", false, true, "$['a']"},
		{"$['a']", jsonpath.RootInput, "", false, true, "$['a']"},
		{`$["a b"]`, jsonpath.RootInput, "", false, true, "$['a b']"},
		{"$.abc.['def ghi']", jsonpath.RootInput, "", false, true, "$['abc']['def ghi']"}, // the AWS docs' bracket example
		{"$.a.b[0].c", jsonpath.RootInput, "", false, true, "$['a']['b'][0]['c']"},
		{"$.a[-1]", jsonpath.RootInput, "", false, true, "$['a'][-1]"},
		{"$[ 2 ]", jsonpath.RootInput, "", false, true, "$[2]"},
		{"  $.a  ", jsonpath.RootInput, "", false, true, "$['a']"},
		{"$.a-b:c", jsonpath.RootInput, "", false, true, "$['a-b:c']"},
		{"$.ключ", jsonpath.RootInput, "", false, true, "$['ключ']"},
		{`$['it\'s']`, jsonpath.RootInput, "", false, true, `$['it\'s']`}, // bracket names are kept verbatim
		{"$$", jsonpath.RootContext, "", true, true, "$"},
		{"$$.Execution.Id", jsonpath.RootContext, "", false, true, "$['Execution']['Id']"},
		{"$$.Map.Item.Value", jsonpath.RootContext, "", false, true, "$['Map']['Item']['Value']"},
		{"$myVar", jsonpath.RootVariable, "myVar", true, true, "$"},
		{"$my_var.field[0]", jsonpath.RootVariable, "my_var", false, true, "$['field'][0]"},
		{"$ñandú.x", jsonpath.RootVariable, "ñandú", false, true, "$['x']"},
		{"$_x", jsonpath.RootVariable, "_x", true, true, "$"},
		{"$['a','b']", jsonpath.RootInput, "", false, true, "$['a', 'b']"},
		{"$['a','b'].c", jsonpath.RootInput, "", false, false, "$['a', 'b']['c']"},
		{"$.a[*]", jsonpath.RootInput, "", false, false, "$['a'][*]"},
		{"$.a.*", jsonpath.RootInput, "", false, false, "$['a'][*]"},
		{"$..name", jsonpath.RootInput, "", false, false, "$..['name']"},
		{"$..*", jsonpath.RootInput, "", false, false, "$..[*]"},
		{"$..[0]", jsonpath.RootInput, "", false, false, "$..[0]"},
		{"$.a[0,2]", jsonpath.RootInput, "", false, false, "$['a'][0,2]"},
		{"$.a[1:3]", jsonpath.RootInput, "", false, false, "$['a'][1:3]"},
		{"$.a[-2:]", jsonpath.RootInput, "", false, false, "$['a'][-2:]"},
		{"$.a[:2]", jsonpath.RootInput, "", false, false, "$['a'][:2]"},
		{"$.a[?(@.x > 1)].name", jsonpath.RootInput, "", false, false, "$['a'][?]['name']"},
		{"$.a[?(@.isbn)]", jsonpath.RootInput, "", false, false, "$['a'][?]"},
		{"$.a[?(!@.isbn && (@.p < 2 || @.q =~ /ab.*/i))]", jsonpath.RootInput, "", false, false, "$['a'][?]"},
		{"$.a[?(@.t in ['a', \"b\", 1, null, true])]", jsonpath.RootInput, "", false, false, "$['a'][?]"},
		{"$.a[?(@.t == {'k': [1, 2.5e3]})]", jsonpath.RootInput, "", false, false, "$['a'][?]"},
		{"$.a[?(@.p > $.min)]", jsonpath.RootInput, "", false, false, "$['a'][?]"},
		{"$.a[?(@.b[?(@.c)])]", jsonpath.RootInput, "", false, false, "$['a'][?]"},
	}
	for _, tt := range tests {
		p, err := jsonpath.Compile(tt.src)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.src, err)
			continue
		}
		if p.String() != tt.src || p.Root() != tt.root || p.Variable() != tt.variable || p.IsRoot() != tt.isRoot ||
			p.Definite() != tt.definite || p.Normalized() != tt.normalized {
			t.Errorf("Compile(%q) = {src %q root %v var %q isRoot %v definite %v norm %s}, want {%v %q %v %v %s}",
				tt.src, p.String(), p.Root(), p.Variable(), p.IsRoot(), p.Definite(), p.Normalized(),
				tt.root, tt.variable, tt.isRoot, tt.definite, tt.normalized)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	long := "$" + strings.Repeat("v", 81)
	tests := []struct{ src, want string }{
		{"", "invalid JSONPath '': a path must not be empty at offset 0"},
		{"   ", "invalid JSONPath '   ': a path must not be empty at offset 3"},
		{"abc", "invalid JSONPath 'abc': a path must start with '$', found 'a' at offset 0"},
		{"$.a[", "invalid JSONPath '$.a[': expected ']', found end of path at offset 4"},
		{"$.a[0", "invalid JSONPath '$.a[0': expected ']', found end of path at offset 5"},
		{"$.a.length()", "invalid JSONPath '$.a.length()': path functions such as length() are not supported at offset 4"},
		{"$.sum()", "invalid JSONPath '$.sum()': path functions such as sum() are not supported at offset 2"},
		{"$.a b", "invalid JSONPath '$.a b': unexpected space; use bracket notation such as ['a b'] for names with spaces at offset 3"},
		{"$.", "invalid JSONPath '$.': a path must not end with '.' at offset 1"},
		{"$..", "invalid JSONPath '$..': a path must not end with '..' at offset 1"},
		{"$...a", "invalid JSONPath '$...a': unexpected '.' at offset 3"},
		{"$a$", "invalid JSONPath '$a$': expected '.' or '[', found '$' at offset 2"},
		{"$.a[1:2:3]", "invalid JSONPath '$.a[1:2:3]': slice steps ('[a:b:c]') are not supported at offset 7"},
		{"$[(@.length-1)]", "invalid JSONPath '$[(@.length-1)]': script expressions such as [(@.length-1)] are not supported at offset 2"},
		{"$[x]", "invalid JSONPath '$[x]': expected a quoted name, an index, '*' or a filter after '[', found 'x' at offset 2"},
		{"$['a'", "invalid JSONPath '$['a'': expected ']', found end of path at offset 5"},
		{"$['a", "invalid JSONPath '$['a': unterminated string at offset 2"},
		{"$['a',]", "invalid JSONPath '$['a',]': expected a quoted name after ',', found ']' at offset 6"},
		{"$[99999999999]", "invalid JSONPath '$[99999999999]': index 99999999999 is out of range at offset 2"},
		{"$[-]", "invalid JSONPath '$[-]': expected a number, found ']' at offset 3"},
		{"$states.x", "invalid JSONPath '$states.x': '$states' is reserved and cannot be used in a JSONPath at offset 1"},
		{long, "invalid JSONPath '" + long + "': the variable name '" + long[1:] + "' is longer than 80 characters at offset 1"},
		{"$.a[?(@.x subsetof [1])]", "invalid JSONPath '$.a[?(@.x subsetof [1])]': the filter operator 'subsetof' is not supported at offset 10"},
		{"$.a[?(@.x = 1)]", "invalid JSONPath '$.a[?(@.x = 1)]': unknown operator '='; use '==' to compare at offset 10"},
		{"$.a[?(@.x foo 1)]", "invalid JSONPath '$.a[?(@.x foo 1)]': unknown filter operator 'foo' at offset 10"},
		{"$.a[?(@.x =~ /[/)]", "invalid JSONPath '$.a[?(@.x =~ /[/)]': invalid regular expression /[/: error parsing regexp: missing closing ]: `[` at offset 13"},
		{"$.a[?(@.x =~ /a/g)]", "invalid JSONPath '$.a[?(@.x =~ /a/g)]': unsupported regular expression flag 'g' (supported: i, m, s) at offset 16"},
		{"$.a[?(@.x =~ 'a')]", "invalid JSONPath '$.a[?(@.x =~ 'a')]': '=~' needs a regular expression such as /ab.*/i on one side at offset 10"},
		{"$.a[?(@.x == /a/)]", "invalid JSONPath '$.a[?(@.x == /a/)]': a regular expression can only be used with '=~' at offset 10"},
		{"$.a[?(@.x > )]", "invalid JSONPath '$.a[?(@.x > )]': expected a value such as @.x, 'text', 12, true or null, found ')' at offset 12"},
		{"$.a[?(@.x > 1)", "invalid JSONPath '$.a[?(@.x > 1)': expected ']', found end of path at offset 14"},
		{"$.a[?(@.x > 1]", "invalid JSONPath '$.a[?(@.x > 1]': expected ')' to close the filter, found ']' at offset 13"},
		{"$.a[?@.x]", "invalid JSONPath '$.a[?@.x]': expected '(' after '[?', found '@' at offset 5"},
		{"$.a[?(1)]", "invalid JSONPath '$.a[?(1)]': expected a comparison such as '@.x == 1' or a path such as '@.x' at offset 6"},
		{"$.a[?(@.b == $$.x)]", "invalid JSONPath '$.a[?(@.b == $$.x)]': only '@' and '$' paths may be used inside a filter at offset 13"},
		{"$.a[?(@.b == bar)]", "invalid JSONPath '$.a[?(@.b == bar)]': unexpected word 'bar'; strings must be quoted at offset 13"},
		{"$.a[?(@.b.length() > 1)]", "invalid JSONPath '$.a[?(@.b.length() > 1)]': path functions such as length() are not supported at offset 10"},
	}
	for _, tt := range tests {
		_, err := jsonpath.Compile(tt.src)
		var se *jsonpath.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Compile(%q) error = %v, want a *SyntaxError", tt.src, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Compile(%q) error\n got %s\nwant %s", tt.src, err, tt.want)
		}
	}
}

// TestCompileReference pins what a Reference Path (ResultPath) may hold:
// "You can access object fields using only dot (.) and square bracket ([ ])
// notation" and no @ .. , : ? * operators (AWS Developer Guide, "Paths",
// Reference Paths; aws-semantics.md §1.3: ResultPath cannot start with $$ or
// reference a variable).
func TestCompileReference(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"$", "$.a", "$.a.b[0]", "$['a b'].c", "$.result.deep"} {
		p, err := jsonpath.CompileReference(ok)
		if err != nil || !p.Definite() {
			t.Errorf("CompileReference(%q) = %v, %v; want a definite path", ok, p, err)
		}
	}
	tests := []struct{ src, want string }{
		{"$$.x", "invalid reference path '$$.x': '$$' (the context object) is not allowed in a reference path at offset 0"},
		{"$var.x", "invalid reference path '$var.x': a variable is not allowed in a reference path at offset 0"},
		{"$.a[*]", "invalid reference path '$.a[*]': wildcards ('*') are not allowed in a reference path at offset 3"},
		{"$.*", "invalid reference path '$.*': wildcards ('*') are not allowed in a reference path at offset 2"},
		{"$..a", "invalid reference path '$..a': deep scan ('..') is not allowed in a reference path at offset 1"},
		{"$.a[?(@.x)]", "invalid reference path '$.a[?(@.x)]': filters ('[?(...)]') are not allowed in a reference path at offset 3"},
		{"$.a[1:]", "invalid reference path '$.a[1:]': slices ('[a:b]') are not allowed in a reference path at offset 3"},
		{"$.a[0,1]", "invalid reference path '$.a[0,1]': multiple indexes ('[a,b]') are not allowed in a reference path at offset 3"},
		{"$['a','b']", "invalid reference path '$['a','b']': multiple names ('[...,...]') are not allowed in a reference path at offset 1"},
		{"$.a.length()", "invalid reference path '$.a.length()': path functions such as length() are not supported at offset 4"},
	}
	for _, tt := range tests {
		_, err := jsonpath.CompileReference(tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("CompileReference(%q) error\n got %v\nwant %s", tt.src, err, tt.want)
		}
	}
}
