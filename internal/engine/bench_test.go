package engine_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/jsonv"
)

// passChain is a definition of n Pass states in a row.
func passChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt": "S0", "States": {`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		next := fmt.Sprintf(`"Next": "S%d"`, i+1)
		if i == n-1 {
			next = `"End": true`
		}
		fmt.Fprintf(&b, `"S%d": {"Type": "Pass", %s}`, i, next)
	}
	b.WriteString("}}")
	return b.String()
}

// outputChain is n Pass states that each rebuild their input: JSONata
// (an Output expression) or the JSONPath equivalent (Parameters).
func outputChain(n int, jsonata bool) string {
	var b strings.Builder
	if jsonata {
		b.WriteString(`{"QueryLanguage": "JSONata", "StartAt": "S0", "States": {`)
	} else {
		b.WriteString(`{"StartAt": "S0", "States": {`)
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		next := fmt.Sprintf(`"Next": "S%d"`, i+1)
		if i == n-1 {
			next = `"End": true`
		}
		if jsonata {
			fmt.Fprintf(&b, `"S%d": {"Type": "Pass", "Output": {"a": "{%% $states.input.a %%}", "n": %d}, %s}`, i, i, next)
		} else {
			fmt.Fprintf(&b, `"S%d": {"Type": "Pass", "Parameters": {"a.$": "$.a", "n": %d}, %s}`, i, i, next)
		}
	}
	b.WriteString("}}")
	return b.String()
}

// choiceLoop counts $.i up to n with a Pass that increments and a Choice
// that loops: 2 states per round.
const choiceLoop = `{"StartAt": "Check", "States": {
  "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericGreaterThanEquals": 1000, "Next": "Done"}], "Default": "Inc"},
  "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
  "Done": {"Type": "Succeed"}}}`

// mapOver maps a Pass over $.items.
const mapOver = `{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
  "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}}`

func compile(b *testing.B, def string) *asl.Machine {
	b.Helper()
	m, diags := asl.Compile([]byte(def), asl.Options{JSONata: jsonataEngine})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	return m
}

// runSync runs a machine whose states never block, counting transitions
// (state entries) and events.
func runSync(b *testing.B, m *asl.Machine, input any, inputText string) (transitions int) {
	x := engine.New(m, engine.Config{ExecutionARN: "arn:aws:states:us-east-1:123456789012:execution:bench:e", Name: "e", StateMachineName: "bench"})
	batch := x.Start(input, inputText, time.Unix(1700000000, 0))
	if x.Status() != engine.Succeeded {
		b.Fatalf("status %s", x.Status())
	}
	for _, e := range batch.Events {
		if strings.HasSuffix(string(e.Type), "StateEntered") {
			transitions++
		}
	}
	return transitions
}

// BenchmarkTransitions measures state transitions per second, history
// included, for a 100-state Pass chain, a Choice loop and a Map over 1,000
// items.
func BenchmarkTransitions(b *testing.B) {
	items := make([]any, 1000)
	for i := range items {
		items[i] = int64(i)
	}
	cases := []struct {
		name      string
		def       string
		input     any
		inputText string
	}{
		{"PassChain100", passChain(100), jsonv.NewObject(0), "{}"},
		{"ChoiceLoop1000", choiceLoop, jsonv.ObjectOf("i", int64(0)), `{"i":0}`},
		{"Map1000", mapOver, jsonv.ObjectOf("items", items), jsonv.Marshal(jsonv.ObjectOf("items", items))},
		{"OutputChain100JSONPath", outputChain(100, false), jsonv.ObjectOf("a", int64(1)), `{"a":1}`},
		{"OutputChain100JSONata", outputChain(100, true), jsonv.ObjectOf("a", int64(1)), `{"a":1}`},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m := compile(b, c.def)
			b.ReportAllocs()
			total := 0
			for b.Loop() {
				total += runSync(b, m, c.input, c.inputText)
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "transitions/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(total), "ns/transition")
		})
	}
}

// BenchmarkTransitionsParallel runs Pass chains on every core at once.
func BenchmarkTransitionsParallel(b *testing.B) {
	m := compile(b, passChain(100))
	b.ReportAllocs()
	var total int64
	b.RunParallel(func(pb *testing.PB) {
		n := 0
		for pb.Next() {
			n += runSync(b, m, jsonv.NewObject(0), "{}")
		}
		atomic.AddInt64(&total, int64(n))
	})
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "transitions/s")
}
