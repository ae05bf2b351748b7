package jsonata

import (
	"context"
	"math/rand/v2"
	"testing"

	"stepd/internal/jsonv"
)

func TestParsePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src      string
		variable string
		steps    []string
		ok       bool
	}{
		{"$states.input.a", "states", []string{"input", "a"}, true},
		{" $total ", "total", nil, true},
		{"$states.input.`a b`.c", "states", []string{"input", "a b", "c"}, true},
		{"$v._x1", "v", []string{"_x1"}, true},
		{"$", "", nil, false},
		{"$$.a", "", nil, false},
		{"$states.input[0]", "", nil, false},
		{"$states.input.a + 1", "", nil, false},
		{"$uuid()", "", nil, false},
		{"$v.1a", "", nil, false},
		{"$v.true", "", nil, false},
		{"$v.`unterminated", "", nil, false},
		{"$states.input.é", "", nil, false},
		{"states.input", "", nil, false},
	}
	for _, tt := range tests {
		v, steps, ok := parsePath(tt.src)
		if ok != tt.ok || v != tt.variable || len(steps) != len(tt.steps) {
			t.Errorf("parsePath(%q) = %q %q %v, want %q %q %v", tt.src, v, steps, ok, tt.variable, tt.steps, tt.ok)
			continue
		}
		for i := range steps {
			if steps[i] != tt.steps[i] {
				t.Errorf("parsePath(%q) step %d = %q, want %q", tt.src, i, steps[i], tt.steps[i])
			}
		}
	}
}

// randomValue builds a small JSON value over the keys a, b and c.
func randomValue(r *rand.Rand, depth int) any {
	switch k := r.IntN(8); {
	case depth > 3 || k == 0:
		return []any{nil, true, int64(r.IntN(10)), 2.5, "s"}[r.IntN(5)]
	case k <= 4:
		o := jsonv.NewObject(3)
		for _, key := range []string{"a", "b", "c"} {
			if r.IntN(3) > 0 {
				o.Set(key, randomValue(r, depth+1))
			}
		}
		return o
	default:
		n := r.IntN(3)
		arr := make([]any, n)
		for i := range arr {
			arr[i] = randomValue(r, depth+1)
		}
		return arr
	}
}

// TestPathExprMatchesJSONata compares the native evaluation of simple paths
// with jsonata.js on random values: same result, same "undefined".
func TestPathExprMatchesJSONata(t *testing.T) {
	t.Parallel()
	e := New()
	defer e.Close()
	r := rand.New(rand.NewPCG(7, 11))
	paths := []string{"$v", "$v.a", "$v.a.b", "$v.b.c.a", "$v.c", "$w.a", "$v.`a`.b"}
	ctx := context.Background()
	for i := 0; i < 400; i++ {
		src := paths[i%len(paths)]
		x, err := e.Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		native, ok := x.(*pathExpr)
		if !ok {
			t.Fatalf("%s: not compiled to a native path", src)
		}
		bindings := map[string]any{"v": randomValue(r, 0)}
		got, gotOK, gotErr := native.Eval(ctx, Undefined, bindings)
		want, wantOK, wantErr := native.full.Eval(ctx, Undefined, bindings)
		if gotOK != wantOK || (gotErr == nil) != (wantErr == nil) || (gotOK && !jsonv.Equal(got, want)) {
			t.Fatalf("%s on %s: native %s %v %v, jsonata %s %v %v", src, jsonv.Marshal(bindings["v"]),
				jsonv.Marshal(got), gotOK, gotErr, jsonv.Marshal(want), wantOK, wantErr)
		}
	}
}
