package jsonata

import (
	"slices"
	"testing"
)

func TestFreeVariables(t *testing.T) {
	t.Parallel()
	eng := newTestEngine(t)
	tests := []struct {
		expr string
		want []string
	}{
		{"1 + 2", nil},
		{"$x", []string{"x"}},
		{"$x.a.b[0]", []string{"x"}},
		{"$states.input.a", []string{"states"}},
		{"$ + $$", nil},
		{"$b + $a + $b", []string{"b", "a"}},
		{"$x[$y > 1]", []string{"x", "y"}},
		{"$states.input.items[price > $min]", []string{"states", "min"}},
		{"{'k': $v, $k2: 1}", []string{"v", "k2"}},
		{"[$a, $b]", []string{"a", "b"}},
		{"$c ? $t : $e", []string{"c", "t", "e"}},
		{"-$n", []string{"n"}},
		{"$s & 'x'", []string{"s"}},
		{"$items^($.price)", []string{"items"}},
		{"$o{$.k: $v}", []string{"o", "v"}},
		{"$o ~> |$|{'a': $v}|", []string{"o", "v"}},
		// A called variable names a function, not a value.
		{"$not($states.input.done)", []string{"states"}},
		{"$sum($xs)", []string{"xs"}},
		{"$states.input ~> $uppercase", []string{"states"}},
		{"$s ~> $substring(1, $n)", []string{"s", "n"}},
		{"$substring($s, ?, $n)", []string{"s", "n"}},
		{"$map($xs, $string)", []string{"xs", "string"}},
		// Bound in the expression.
		{"$x := 5", nil},
		{"$x := $y", []string{"y"}},
		{"($x := 1; $x + $y)", []string{"y"}},
		{"($y + ($x := 1; $x)) + $x", []string{"y", "x"}},
		{"($f := function($a) { $a + $g }; $g := 2; $f(1))", nil},
		{"function($a, $b) { $a + $b + $c }", []string{"c"}},
		{"$map($xs, function($v, $i) { $v * $i * $k })", []string{"xs", "k"}},
		{"(function($a) { $a })($a)", []string{"a"}},
		{"$states.input.items@$it.($it.n + $m)", []string{"states", "m"}},
		{"$states.input.items#$i[$i < $max]", []string{"states", "max"}},
		{"$x := $x + 1", nil},
	}
	for _, tc := range tests {
		root, err := eng.Parse(tc.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.expr, err)
			continue
		}
		if got := FreeVariables(root); !slices.Equal(got, tc.want) {
			t.Errorf("FreeVariables(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
	if got := FreeVariables(nil); got != nil {
		t.Errorf("FreeVariables(nil) = %q", got)
	}
}
