package jsonata

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"stepd/internal/jsonv"
)

// Benchmarks: go test -run '^$' -bench . -benchmem ./internal/jsonata/
//
// evals/s is b.N over the elapsed time; under RunParallel it is the
// throughput of all goroutines together.

const (
	benchPath   = `$states.input.a.b`
	benchObject = `{"name": $uppercase($states.input.name), "count": $count($states.input.items), "total": $sum($states.input.items.price), "tags": $join($states.input.tags, ",")}`
)

func smallStates(b *testing.B) map[string]any {
	return map[string]any{"states": mustParse(b, `{"input":{"a":{"b":42},"name":"order","items":[{"price":1.5},{"price":2}],"tags":["x","y"]},"context":{"Execution":{"Name":"run-1"}}}`)}
}

// largeStates is a state of realistic size: a 1.3 KB input and the context
// object of a running execution, plus two workflow variables.
func largeStates(b *testing.B, orderID string) map[string]any {
	input := `{"a":{"b":42},"order":{"id":"` + orderID + `","items":[` + strings.Repeat(`{"sku":"abc","qty":2,"price":12.5,"tags":["x","y"]},`, 15) +
		`{"sku":"z","qty":1,"price":1}]},"customer":{"name":"María","tier":"gold"}}`
	context := `{"Execution":{"Id":"arn:aws:states:us-east-1:123456789012:execution:sm:run-1","Input":{"a":1},"Name":"run-1","RoleArn":"arn:aws:iam::123456789012:role/r","StartTime":"2024-11-22T10:30:00.123Z","RedriveCount":0},"StateMachine":{"Id":"arn:aws:states:us-east-1:123456789012:stateMachine:sm","Name":"sm"},"State":{"Name":"Step","EnteredTime":"2024-11-22T10:30:00.456Z","RetryCount":0}}`
	return map[string]any{
		"states":   mustParse(b, `{"input":`+input+`,"context":`+context+`}`),
		"customer": mustParse(b, `{"id":"c-1","limits":[1,2,3]}`),
		"attempt":  int64(1),
	}
}

func benchEval(b *testing.B, src string, bindings func(i int) map[string]any, parallel bool) {
	eng := newTestEngine(b)
	x, err := eng.Compile(src)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	warm(b, eng, src, runtime.GOMAXPROCS(0))
	if _, ok, err := x.Eval(ctx, nil, bindings(0)); err != nil || !ok {
		b.Fatalf("Eval: %v %v", ok, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, _, err := x.Eval(ctx, nil, bindings(i)); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	} else {
		for i := 0; b.Loop(); i++ {
			if _, _, err := x.Eval(ctx, nil, bindings(i)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
}

// warm creates n VMs with src compiled on each, so that neither VM creation
// nor compilation is measured.
func warm(b *testing.B, eng *GojaEngine, src string, n int) {
	ctx := context.Background()
	vms := make([]*vm, n)
	for i := range vms {
		v, err := eng.pool.get(ctx)
		if err != nil {
			b.Fatal(err)
		}
		v.reqs <- request{compileOnly: true, source: src}
		if out := <-v.done; out.kind != outcomeCompiled {
			b.Fatalf("compile: %v", out.err)
		}
		vms[i] = v
	}
	for _, v := range vms {
		eng.pool.put(v)
	}
}

func BenchmarkEvalPath(b *testing.B) {
	s := smallStates(b)
	benchEval(b, benchPath, func(int) map[string]any { return s }, false)
}

func BenchmarkEvalPathParallel(b *testing.B) {
	s := smallStates(b)
	benchEval(b, benchPath, func(int) map[string]any { return s }, true)
}

func BenchmarkEvalObject(b *testing.B) {
	s := smallStates(b)
	benchEval(b, benchObject, func(int) map[string]any { return s }, false)
}

func BenchmarkEvalObjectParallel(b *testing.B) {
	s := smallStates(b)
	benchEval(b, benchObject, func(int) map[string]any { return s }, true)
}

// BenchmarkEvalPathLargeStates evaluates against the same realistic state
// again and again, as the fields of one state do: the VM reuses the parsed
// bindings.
func BenchmarkEvalPathLargeStates(b *testing.B) {
	s := largeStates(b, "o-1")
	benchEval(b, benchPath, func(int) map[string]any { return s }, false)
}

// BenchmarkEvalPathLargeStatesChanging cycles through seven states, so
// that whichever VM serves a call (idle VMs are taken in turn) last saw
// another state and parses the bindings again.
func BenchmarkEvalPathLargeStatesChanging(b *testing.B) {
	var s [7]map[string]any
	for i := range s {
		s[i] = largeStates(b, fmt.Sprint("o-", i))
	}
	benchEval(b, benchPath, func(i int) map[string]any { return s[i%len(s)] }, false)
}

// BenchmarkEncodeBindings is the Go side of passing a realistic state: it
// is small next to an evaluation, so values are re-encoded on every call
// rather than cached in Go.
func BenchmarkEncodeBindings(b *testing.B) {
	s := largeStates(b, "o-1")
	b.ReportAllocs()
	for b.Loop() {
		encodeBindings(s)
	}
}

// BenchmarkCompile measures compiling a new expression on a warm VM
// (syntax check, compile and cache), with a distinct source each time.
func BenchmarkCompile(b *testing.B) {
	eng := newTestEngine(b, WithPoolSize(1), WithMaxVMs(1))
	if _, err := eng.Compile(`1`); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := eng.Compile(fmt.Sprintf("%s /* %d */", benchObject, i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewVM measures creating a VM: a goja runtime running the
// precompiled jsonata.js and the glue.
func BenchmarkNewVM(b *testing.B) {
	cfg := defaultConfig()
	b.ReportAllocs()
	for b.Loop() {
		v, err := newVM(&cfg)
		if err != nil {
			b.Fatal(err)
		}
		v.stop()
	}
}

// BenchmarkResultDecode measures turning a result's JSON text into jsonv.
func BenchmarkResultDecode(b *testing.B) {
	text := jsonv.Marshal(largeStates(b, "o-1")["states"])
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jsonv.ParseString(text); err != nil {
			b.Fatal(err)
		}
	}
}
