package jsonata

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"stepd/internal/jsonv"
)

// fuzzEngine is shared by the fuzz iterations of one process: creating a VM
// costs milliseconds, evaluating tens of microseconds.
var fuzzEngine = sync.OnceValue(func() *GojaEngine {
	return New(WithTimeLimit(200*time.Millisecond), WithMaxVMs(2))
})

// FuzzEval compiles and evaluates arbitrary expressions against a small
// input. Errors are expected; panics, hangs, and results that are not JSON
// are not.
func FuzzEval(f *testing.F) {
	for _, s := range []string{
		`$states.input.a.b`,
		`{"n": $uppercase($states.input.name), "c": $count($states.input.items)}`,
		`$states.input.items[price > 10].name`,
		`$partition([1,2,3,4,5], 2)`,
		`$range(0, 10, 3)`,
		`$hash("x", "SHA-256")`,
		`$parse('{"a":[1,2]}')`,
		`$random(7) < 1 and $uuid() != ""`,
		`($f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(10))`,
		`$states.input ~> | items | {"seen": true} |`,
		`$sort($states.input.items, function($a, $b){ $a.price > $b.price }).name`,
		`$string($states.input) & $base64encode("é")`,
		`$match("abc", /b(c)/)`,
		`$eval("1")`,
		`[1..5]{$string($): $ * $}`,
		`**.price`,
		`"unterminated`,
		`$$$$.(`,
	} {
		f.Add(s)
	}
	states := mustParse(f, `{"input":{"a":{"b":1},"name":"x","items":[{"price":5,"name":"p"},{"price":20,"name":"q"}]},"context":{"Execution":{"Name":"e"}}}`)
	f.Fuzz(func(t *testing.T, src string) {
		eng := fuzzEngine()
		x, err := eng.Compile(src)
		if err != nil {
			var je *Error
			if !errors.As(err, &je) && !errors.Is(err, ErrTimeout) {
				t.Fatalf("Compile(%q): unexpected error type %T: %v", src, err, err)
			}
			return
		}
		v, ok, err := x.Eval(context.Background(), states, map[string]any{"states": states})
		if err != nil {
			return
		}
		if !ok {
			return
		}
		// A result must be a JSON value that survives a round trip.
		text := jsonv.Marshal(v)
		back, perr := jsonv.ParseString(text)
		if perr != nil || !jsonv.Equal(v, back) {
			t.Fatalf("Eval(%q) = %s, which does not round-trip: %v", src, text, perr)
		}
	})
}
