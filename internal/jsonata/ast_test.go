package jsonata

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"stepd/internal/jsonv"
)

// render writes a tree compactly: type:value, then the operands in
// parentheses, then predicates and stages in [], groupings in {}, and the
// focus and index variables as @$v and #$i.
func render(n *Node) string {
	if n == nil {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString(n.Type)
	if n.Value != nil {
		fmt.Fprintf(&b, ":%v", n.Value)
	}
	if n.Focus != "" {
		b.WriteString("@$" + n.Focus)
	}
	if n.Index != "" {
		b.WriteString("#$" + n.Index)
	}
	bare := *n
	bare.Predicate, bare.Stages, bare.Group = nil, nil, nil
	if kids := bare.Children(); len(kids) > 0 {
		parts := make([]string, len(kids))
		for i, k := range kids {
			parts[i] = render(k)
		}
		b.WriteString("(" + strings.Join(parts, " ") + ")")
	}
	for _, f := range append(append([]*Node{}, n.Predicate...), n.Stages...) {
		b.WriteString("[" + render(f) + "]")
	}
	if len(n.Group) > 0 {
		parts := make([]string, len(n.Group))
		for i, p := range n.Group {
			parts[i] = render(p.Key) + ": " + render(p.Value)
		}
		b.WriteString("{" + strings.Join(parts, ", ") + "}")
	}
	return b.String()
}

func TestParseTree(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t)
	tests := []struct {
		expr, want string
	}{
		{"phone", "path(name:phone)"},
		{"$states.input.items[price > 10].name",
			"path(variable:states name:input name:items[filter(binary:>(path(name:price) number:10))] name:name)"},
		{"$x[total>10]", "variable:x[filter(binary:>(path(name:total) number:10))]"},
		{"$", "variable:"},
		{"$$", "variable:$"},
		{"$[0]", "variable:[filter(number:0)]"},
		{"{phone: 1, 'k': $v}", "unary:{(path(name:phone) number:1 string:k variable:v)"},
		{"[1, 'a', true, null]", "unary:[(number:1 string:a value:true value)"},
		{"-5", "number:-5"},
		{"-x", "unary:-(path(name:x))"},
		{"1.5", "number:1.5"},
		{"/ab+c/i", "regex:/ab+c/gi"},
		{"$map($states.input.a, function($y){ phone })",
			"function:((variable:map path(variable:states name:input name:a) lambda(variable:y path(name:phone)))"},
		{"function($x){ $f($x) }", "lambda(variable:x lambda(function:((variable:f variable:x)))"}, // the thunk
		{"$f(?, 1)", "partial:((variable:f operator:? number:1)"},
		{"a ? b : c", "condition(path(name:a) path(name:b) path(name:c))"},
		{"a ? b", "condition(path(name:a) path(name:b))"},
		{"($x := 1; $x)", "block(bind::=(variable:x number:1) variable:x)"},
		{"a ~> $f()", "apply:~>(path(name:a) function:((variable:f))"},
		{"|a|{'b': 1}, ['c']|", "transform(path(name:a) unary:{(string:b number:1) unary:[(string:c))"},
		{"a^(>b, c)", "path(name:a sort(path(name:b) path(name:c)))"},
		{"a{k: v}", "path(name:a){path(name:k): path(name:v)}"},
		{"a#$i[$i > 0].b", "path(name:a#$i[filter(binary:>(variable:i number:0))] name:b)"},
		{"a[0]#$i.b", "path(name:a[filter(number:0)][index:i] name:b)"},
		{"a@$x.b", "path(name:a@$x name:b)"},
		{"'a'.b", "path(name:a name:b)"},
		{"`first name`", "path(name:first name)"},
		{"**.a", "path(descendant:** name:a)"},
		{"*", "wildcard:*"},
		{"a.%.b", "path(name:a parent name:b)"},
		{"[1..3]", "unary:[(binary:..(number:1 number:3))"},
		{"a and b", "binary:and(path(name:a) path(name:b))"},
		{"$string(and)", "function:((variable:string path(name:and))"},
	}
	for _, tt := range tests {
		root, err := eng.Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		if got := render(root); got != tt.want {
			t.Errorf("Parse(%q):\n got %s\nwant %s", tt.expr, got, tt.want)
		}
	}
	root, err := eng.Parse("a ^ (< b)")
	if err != nil {
		t.Fatal(err)
	}
	sort := root.Steps[1]
	if len(sort.Terms) != 1 || sort.Terms[0].Descending {
		t.Errorf("a ^ (< b): terms %+v", sort.Terms)
	}
	if root, _ = eng.Parse("a ^ (> b)"); !root.Steps[1].Terms[0].Descending {
		t.Errorf("a ^ (> b): terms %+v", root.Steps[1].Terms)
	}
	if root, _ = eng.Parse("  abc"); root.Steps[0].Position != 5 {
		t.Errorf("position of abc = %d, want 5", root.Steps[0].Position)
	}
}

// TestParseErrors checks that Parse reports syntax errors as Compile does.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t)
	for _, src := range []string{"a[1,2)", `"unterminated`, "1 +", `{"a":}`, "$x :=", `$match("a", /abc`, "phone %.other", "", "%", "1.a"} {
		_, cerr := eng.Compile(src)
		_, perr := eng.Parse(src)
		var ce, pe *Error
		if !errors.As(cerr, &ce) || !errors.As(perr, &pe) {
			t.Errorf("%q: Compile error %v, Parse error %v; want *Error from both", src, cerr, perr)
			continue
		}
		if *ce != *pe {
			t.Errorf("%q: Parse error %+v, Compile error %+v", src, *pe, *ce)
		}
	}
}

// TestParseLeavesEvaluation checks that parsing an expression does not
// disturb evaluating it, on the same VM and its cache.
func TestParseLeavesEvaluation(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, WithMaxVMs(1), WithPoolSize(1))
	const src = `$states.input.a + 1`
	if _, err := eng.Parse(src); err != nil {
		t.Fatal(err)
	}
	x, err := eng.Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	states := mustParse(t, `{"input": {"a": 41}}`)
	for range 2 {
		v, ok, err := x.Eval(context.Background(), nil, map[string]any{"states": states})
		if err != nil || !ok || !jsonv.Equal(v, int64(42)) {
			t.Fatalf("Eval = %v, %v, %v; want 42", v, ok, err)
		}
		if _, err := eng.Parse(src); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseDeep(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t)
	const depth = 500
	src := strings.Repeat("[", depth) + "x" + strings.Repeat("]", depth)
	root, err := eng.Parse(src)
	if err != nil {
		t.Fatalf("Parse(%d nested arrays): %v", depth, err)
	}
	n := 0
	Walk(root, func(*Node) bool { n++; return true })
	if n != depth+2 { // the arrays, the path and the name
		t.Errorf("walked %d nodes, want %d", n, depth+2)
	}
	// Deeper than goja's stack allows: an error, not a crash.
	src = strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000)
	if _, err := eng.Parse(src); err == nil {
		t.Error("Parse of 100000 nested parentheses succeeded")
	}
}

func TestChildrenAndWalk(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t)
	root, err := eng.Parse(`a[b].c{d: e} + f(g, h)`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	Walk(root, func(n *Node) bool {
		if n.Type == "name" {
			names = append(names, n.Value.(string))
		}
		return true
	})
	if got := strings.Join(names, " "); got != "a b c d e f g h" {
		t.Errorf("names in walk order = %q", got)
	}
	names = nil
	Walk(root, func(n *Node) bool {
		if n.Type == "name" {
			names = append(names, n.Value.(string))
		}
		return n.Type != "function" // skip the call's operands
	})
	if got := strings.Join(names, " "); got != "a b c d e" {
		t.Errorf("names with the call skipped = %q", got)
	}
	var nilNode *Node
	if nilNode.Children() != nil {
		t.Error("(*Node)(nil).Children() != nil")
	}
	Walk(nil, func(*Node) bool { t.Error("visited nil"); return true })
}

func TestDecodeASTRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, text string }{
		{"not an array", `{"type": "path"}`},
		{"empty", `[]`},
		{"record not an object", `[1]`},
		{"child before its parent", `[{"type": "path", "steps": [0]}]`},
		{"child out of range", `[{"type": "path", "steps": [1]}]`},
		{"child not a number", `[{"type": "binary", "lhs": "x"}]`},
		{"bad pair", `[{"type": "unary", "pairs": [[1]]}, {"type": "number"}]`},
		{"bad term", `[{"type": "sort", "terms": [1]}]`},
		{"cycle", `[{"type": "block", "expressions": [1]}, {"type": "block", "expressions": [0]}]`},
	}
	for _, tt := range tests {
		if _, err := decodeAST(mustParse(t, tt.text)); !errors.Is(err, errBadTree) {
			t.Errorf("%s: err = %v, want errBadTree", tt.name, err)
		}
	}
	root, err := decodeAST(mustParse(t, `[{"type": "binary", "value": "+", "position": 3, "lhs": 1, "rhs": 2}, {"type": "number", "value": 1}, {"type": "number", "value": 2.5}]`))
	if err != nil || render(root) != "binary:+(number:1 number:2.5)" || root.Position != 3 {
		t.Errorf("decodeAST = %s, %v", render(root), err)
	}
}

func TestParseClosed(t *testing.T) {
	t.Parallel()
	eng := New()
	_ = eng.Close()
	if _, err := eng.Parse("a"); !errors.Is(err, ErrClosed) {
		t.Errorf("Parse after Close: %v, want ErrClosed", err)
	}
}

func TestParseConcurrent(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t, WithMaxVMs(3))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 20 {
				src := fmt.Sprintf("$states.input.a%d[b > %d].c", i, j)
				root, err := eng.Parse(src)
				if err != nil {
					t.Errorf("Parse(%q): %v", src, err)
					return
				}
				if len(root.Steps) != 4 {
					t.Errorf("Parse(%q) = %s", src, render(root))
				}
			}
		})
	}
	wg.Wait()
}

// FuzzParse parses arbitrary expressions: Parse must agree with Compile on
// whether the syntax is valid, and produce a tree Walk can cover.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`$states.input.items[price > 10].name`, `{"a": [1, 'b', $c], d: e}`, `$map(a, function($v, $i){ $v * $i })`,
		`a^(>b){c: d}#$i@$j`, `|a|{'b': 1}, ['c']|`, `($x := 1; $x ? -$x : /re/i)`, `$f(?, 1)`, `**.%.*`,
		`$$`, `$[0]`, `"unterminated`, `a[1,2)`, `1e999`, `[1..3]`, `a ~> $b() ~> $c`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		eng := fuzzEngine()
		root, perr := eng.Parse(src)
		_, cerr := eng.Compile(src)
		if errors.Is(perr, ErrTimeout) || errors.Is(cerr, ErrTimeout) {
			return
		}
		if (perr == nil) != (cerr == nil) {
			t.Fatalf("%q: Parse error %v, Compile error %v", src, perr, cerr)
		}
		if perr != nil {
			var je *Error
			if !errors.As(perr, &je) {
				t.Fatalf("Parse(%q): unexpected error type %T: %v", src, perr, perr)
			}
			return
		}
		n := 0
		Walk(root, func(x *Node) bool {
			if x.Type == "" {
				t.Fatalf("%q: node without a type", src)
			}
			n++
			return true
		})
		if n == 0 || n > 4*len(src)+4 {
			t.Fatalf("%q: %d nodes", src, n)
		}
	})
}
