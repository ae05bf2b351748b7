package intrinsic_test

import (
	"testing"

	"stepd/internal/intrinsic"
)

func benchEval(b *testing.B, expr, input string) {
	c, err := intrinsic.Parse(expr)
	if err != nil {
		b.Fatal(err)
	}
	env := newEnv(mustJSON(input))
	if _, err := c.Eval(env); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormat is the common case: a literal template and two paths.
func BenchmarkFormat(b *testing.B) {
	benchEval(b, "States.Format('{} {}', $.a, $.b)", `{"a":"hello","b":"world"}`)
}

// BenchmarkFormatObject renders an object in Java's toString form.
func BenchmarkFormatObject(b *testing.B) {
	benchEval(b, "States.Format('item: {}', $.o)", `{"o":{"id":12,"tags":["x","y"],"ok":true}}`)
}

// BenchmarkNested is the nested-call example of the AWS docs, shortened.
func BenchmarkNested(b *testing.B) {
	benchEval(b, "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.arn, '/'), 2), '.'), 0)",
		`{"arn":"arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.0.0"}`)
}

// BenchmarkMathAdd is the loop-counter idiom.
func BenchmarkMathAdd(b *testing.B) {
	benchEval(b, "States.MathAdd($.i, 1)", `{"i":41}`)
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := intrinsic.Parse("States.Format('{} {}', $.a, States.ArrayGetItem($.b, 0))"); err != nil {
			b.Fatal(err)
		}
	}
}
