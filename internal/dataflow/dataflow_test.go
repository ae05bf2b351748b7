package dataflow_test

import (
	"errors"
	"strings"
	"testing"

	"stepd/internal/asl"
	"stepd/internal/dataflow"
	"stepd/internal/jsonv"
)

// state compiles a one-state machine and returns its state.
func state(t *testing.T, stateJSON string) *asl.State {
	t.Helper()
	def := `{"StartAt": "S", "States": {"S": ` + stateJSON + `}}`
	m, diags := asl.Compile([]byte(def), asl.Options{})
	if diags.HasErrors() {
		t.Fatalf("%s: %s", stateJSON, diags.InvalidDefinitionMessage())
	}
	return m.Start
}

func parse(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonv.ParseString(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

type vars map[string]any

func (v vars) Lookup(name string) (any, bool) { x, ok := v[name]; return x, ok }
func (v vars) Each(fn func(string, any)) {
	for k, x := range v {
		fn(k, x)
	}
}

// TestJSONPathPipeline pins the order and semantics of InputPath →
// Parameters → ResultSelector → ResultPath → OutputPath (ASL spec, "Input
// and Output Processing"; aws-semantics.md §1.3).
func TestJSONPathPipeline(t *testing.T) {
	t.Parallel()
	ctx := parse(t, `{"Execution": {"Name": "e1"}, "State": {"Name": "S"}}`)
	env := &dataflow.Env{Context: func() any { return ctx }, Vars: vars{"bucket": "b1", "cfg": parse(t, `{"n": 3}`)}}
	tests := []struct {
		name, state, input, result, effective, output string
	}{
		{"defaults", `{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}`,
			`{"a": 1}`, `{"r": 2}`, `{"a":1}`, `{"r":2}`},
		{"InputPath then Parameters with paths, context, variables and literals", `{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true,
			"InputPath": "$.in", "Parameters": {"x.$": "$.x", "name.$": "$$.Execution.Name", "b.$": "$bucket", "n.$": "$cfg.n", "lit": "$.not.a.path", "nested": {"y.$": "$.y"}}}`,
			`{"in": {"x": 1, "y": [1, 2]}, "out": 0}`, `null`, `{"x":1,"name":"e1","b":"b1","n":3,"lit":"$.not.a.path","nested":{"y":[1,2]}}`, `null`},
		{"ResultPath into the raw input creates objects", `{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true,
			"InputPath": "$.in", "ResultPath": "$.deep.res"}`,
			`{"in": 1, "keep": true}`, `"r"`, `1`, `{"in":1,"keep":true,"deep":{"res":"r"}}`},
		{"ResultPath null keeps the input", `{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true, "ResultPath": null}`,
			`{"a": 1}`, `"r"`, `{"a":1}`, `{"a":1}`},
		{"ResultSelector then OutputPath", `{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true,
			"ResultSelector": {"p.$": "$.Payload", "c": 1}, "ResultPath": "$.r", "OutputPath": "$.r"}`,
			`{"a": 1}`, `{"Payload": {"v": 9}, "StatusCode": 200}`, `{"a":1}`, `{"p":{"v":9},"c":1}`},
		{"InputPath null gives {}, OutputPath null gives {}", `{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true,
			"InputPath": null, "OutputPath": null}`,
			`{"a": 1}`, `5`, `{}`, `{}`},
		{"an indefinite path gathers matches", `{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true,
			"Parameters": {"names.$": "$.items[*].n", "none.$": "$.missing[*]"}}`,
			`{"items": [{"n": "a"}, {"n": "b"}]}`, `0`, `{"names":["a","b"],"none":[]}`, `0`},
		{"intrinsic functions", `{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true,
			"Parameters": {"msg.$": "States.Format('{} has {}', $$.Execution.Name, States.ArrayLength($.items))"}}`,
			`{"items": [1, 2, 3]}`, `0`, `{"msg":"e1 has 3"}`, `0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := state(t, tt.state)
			raw := parse(t, tt.input)
			eff, err := dataflow.Effective(s, raw, env)
			if err != nil {
				t.Fatalf("Effective: %v", err)
			}
			if got := jsonv.Marshal(eff); got != tt.effective {
				t.Errorf("effective input = %s, want %s", got, tt.effective)
			}
			if tt.output == "null" {
				return
			}
			out, err := dataflow.Output(s, raw, parse(t, tt.result), env)
			if err != nil {
				t.Fatalf("Output: %v", err)
			}
			if got := jsonv.Marshal(out); got != tt.output {
				t.Errorf("output = %s, want %s", got, tt.output)
			}
			if got := jsonv.Marshal(raw); got != jsonv.Marshal(parse(t, tt.input)) {
				t.Errorf("the raw input was modified: %s", got)
			}
		})
	}
}

// TestJSONPathFailures pins AWS's States.Runtime cause texts
// (aws-semantics.md §1.3, observed).
func TestJSONPathFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, state, input, stage, cause string
	}{
		{"missing InputPath", `{"Type": "Pass", "InputPath": "$.x", "End": true}`, `{"a": 1}`, "effective",
			"Invalid path '$.x' : No results for path: $['x']"},
		{"missing Parameters path", `{"Type": "Pass", "Parameters": {"value.$": "$.no_such"}, "End": true}`, `{"a": 1}`, "effective",
			`The JSONPath '$.no_such' specified for the field 'value.$' could not be found in the input '{"a":1}'`},
		{"missing OutputPath intermediate", `{"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "OutputPath": "$.no.such.result.path", "End": true}`, `{"a": 1}`, "output",
			"Invalid path '$.no.such.result.path' : Missing property in path $['no']"},
		{"undefined variable", `{"Type": "Pass", "Parameters": {"v.$": "$nope"}, "End": true}`, `{}`, "effective",
			"Invalid path '$nope': The variable '$nope' is not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := state(t, tt.state)
			raw := parse(t, tt.input)
			var err error
			if tt.stage == "effective" {
				_, err = dataflow.Effective(s, raw, &dataflow.Env{})
			} else {
				_, err = dataflow.Output(s, raw, raw, &dataflow.Env{})
			}
			var f *dataflow.Failure
			if !errors.As(err, &f) {
				t.Fatalf("error %v, want a *Failure", err)
			}
			if f.Name != asl.ErrRuntime || f.Cause != tt.cause {
				t.Errorf("failure %s %q, want States.Runtime %q", f.Name, f.Cause, tt.cause)
			}
		})
	}
}

func TestAssignEvaluatesBeforeSetting(t *testing.T) {
	t.Parallel()
	s := state(t, `{"Type": "Pass", "Assign": {"a.$": "$.x", "b.$": "$a", "lit": "$a"}, "End": true}`)
	got, err := dataflow.Assign(s, s.Assign, parse(t, `{"x": 1}`), &dataflow.Env{Vars: vars{"a": "old"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := jsonv.Marshal(got); s != `{"a":1,"b":"old","lit":"$a"}` {
		t.Errorf("Assign = %s", s)
	}
	if !strings.Contains(jsonv.Marshal(got), "old") {
		t.Error("b must see a's value on entry")
	}
}
