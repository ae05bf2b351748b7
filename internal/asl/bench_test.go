package asl_test

import (
	"fmt"
	"strings"
	"testing"

	"stepd/internal/asl"
)

// bigDefinition returns a definition of n top-level states (n a multiple of
// 5) that cycles through the fields real workflows use: a Lambda Task with
// Parameters, Retry and Catch, a Choice with compound rules, a Pass with an
// intrinsic-function template and ResultSelector-like paths, a Wait, and a
// Map whose ItemProcessor holds two states. Every state is reachable and the
// last one ends the machine.
func bigDefinition(n int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"Comment": "benchmark", "StartAt": "S0", "States": {` + "\n")
	name := func(i int) string { return fmt.Sprintf("S%d", i) }
	next := func(i int) string {
		if i == n-1 {
			return `"End": true`
		}
		return fmt.Sprintf(`"Next": %q`, name(i+1))
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(",\n")
		}
		fmt.Fprintf(&sb, "%q: ", name(i))
		switch i % 5 {
		case 0:
			fmt.Fprintf(&sb, `{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
  "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:f%d", "Payload": {"id.$": "$.order.id", "items.$": "$.order.items[*].sku", "n": %d}},
  "ResultSelector": {"body.$": "$.Payload.body", "code.$": "$.Payload.statusCode"},
  "ResultPath": "$.results.s%d", "OutputPath": "$",
  "TimeoutSeconds": 30, "HeartbeatSeconds": 10,
  "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException", "Lambda.ServiceException"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2, "JitterStrategy": "FULL"},
            {"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
  "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", %s},
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", %s}],
  %s}`, i, i, i, next(i), next(i), next(i))
		case 1:
			fmt.Fprintf(&sb, `{"Type": "Choice",
  "Choices": [
    {"And": [{"Variable": "$.order.total", "NumericGreaterThan": 100}, {"Variable": "$.order.country", "StringEquals": "DE"}], %s},
    {"Or": [{"Variable": "$.order.status", "StringMatches": "pending*"}, {"Not": {"Variable": "$.order.paid", "BooleanEquals": true}}], %s},
    {"Variable": "$.order.created", "TimestampLessThanPath": "$.cutoff", %s}],
  "Default": %q}`, next(i), next(i), next(i), name(i+1))
		case 2:
			fmt.Fprintf(&sb, `{"Type": "Pass",
  "Parameters": {"greeting.$": "States.Format('Hello {} from {}', $.user.name, $.user.city)",
    "parts.$": "States.StringSplit($.csv, ',')", "sum.$": "States.MathAdd($.a, $.b)",
    "merged.$": "States.JsonMerge($.left, $.right, false)", "ctx.$": "$$.Execution.Id", "fixed": [1, 2, 3]},
  "ResultPath": "$.pass%d", %s}`, i, next(i))
		case 3:
			fmt.Fprintf(&sb, `{"Type": "Wait", "SecondsPath": "$.delay", %s}`, next(i))
		case 4:
			fmt.Fprintf(&sb, `{"Type": "Map", "ItemsPath": "$.order.items", "MaxConcurrency": 10,
  "ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "index.$": "$$.Map.Item.Index"},
  "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Price%d", "States": {
    "Price%d": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:price", "Next": "Done%d"},
    "Done%d": {"Type": "Succeed"}}},
  "ResultPath": "$.mapped%d", %s}`, i, i, i, i, i, next(i))
		}
	}
	sb.WriteString("\n}}")
	return []byte(sb.String())
}

// compileOK compiles src and fails b on any error diagnostic.
func compileOK(b *testing.B, src []byte) *asl.Machine {
	b.Helper()
	m, diags := asl.Compile(src, asl.Options{})
	if diags.HasErrors() || m == nil {
		b.Fatalf("the benchmark definition does not compile: %v", diags)
	}
	return m
}

// BenchmarkCompile200 validates and compiles a 200-state definition from its
// bytes: JSON parsing with positions, every check, and compiling its paths,
// templates and intrinsic calls. This is what CreateStateMachine and
// `stepd validate` pay once per definition.
func BenchmarkCompile200(b *testing.B) {
	src := bigDefinition(200)
	compileOK(b, src)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, diags := asl.Compile(src, asl.Options{}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// BenchmarkParse200 is the JSON parsing part of BenchmarkCompile200 alone.
func BenchmarkParse200(b *testing.B) {
	src := bigDefinition(200)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if doc, diags := asl.ParseJSON(src); doc == nil || diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

// TestBigDefinition keeps the benchmarks' definition valid: it compiles with
// no diagnostic at all, with its 200 states and the 80 of its Map
// processors.
func TestBigDefinition(t *testing.T) {
	t.Parallel()
	m, diags := asl.Compile(bigDefinition(200), asl.Options{})
	if len(diags) != 0 || m == nil {
		t.Fatalf("diagnostics: %v", diags)
	}
	if len(m.States) != 200 {
		t.Errorf("top-level states = %d, want 200", len(m.States))
	}
	total := 0
	m.Walk(func(*asl.State) { total++ })
	if total != 280 {
		t.Errorf("states in all = %d, want 280", total)
	}
}
