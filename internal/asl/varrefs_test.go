package asl

import (
	"maps"
	"slices"
	"testing"
)

// TestVariableReferences checks the variables each state is found to read.
// The cases marked AWS are definitions of LocalStack's AWS-validated
// snapshot (test_sfn_api_variable_references.snapshot.json) with AWS's
// answer.
func TestVariableReferences(t *testing.T) {
	t.Parallel()
	// pass wraps JSONPath state fields into a one-state machine named S.
	pass := func(fields string) string {
		return `{"StartAt": "S", "States": {"S": {"Type": "Pass", ` + fields + `, "End": true}}}`
	}
	// jsonata is pass for a JSONata machine.
	jsonata := func(typ, fields string) string {
		return `{"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {"Type": "` + typ + `", ` + fields + `}}}`
	}
	s := func(names ...string) map[string][]string { return map[string][]string{"S": names} }
	tests := []struct {
		name, def string
		want      map[string][]string
	}{
		// AWS: BASE_REFERENCE_IN_PARAMETERS.
		{"parameters", `{"StartAt": "State0", "States": {
			"State0": {"Type": "Pass", "Parameters": {"result": "$result"}, "Assign": {"result": "foobar"}, "Next": "State1"},
			"State1": {"Type": "Pass", "ResultPath": "$.result", "Parameters": {"result.$": "$result"}, "End": true}}}`,
			map[string][]string{"State1": {"result"}}},
		{"nested parameters", pass(`"Parameters": {"a": {"b": [{"c.$": "$v.x[0]"}], "d.$": "$w"}, "e": "$literal"}`), s("v", "w")},
		{"input and output path", pass(`"InputPath": "$in", "OutputPath": "$out.field"`), s("in", "out")},
		// AWS: BASE_EVALUATION_ORDER_PASS_STATE.
		{"duplicates", pass(`"InputPath": "$answer", "ResultPath": "$.theAnswer", "OutputPath": "$answer", "Assign": {"answer": "x"}`), s("answer")},
		{"not variables", pass(`"InputPath": "$", "OutputPath": "$.a", "Parameters": {"c.$": "$$.Execution.Id", "d.$": "$.x"}, "Assign": {"e.$": "$"}`), nil},
		{"assign", pass(`"Assign": {"a.$": "$x", "b": {"c.$": "States.Format('{}', $y)"}, "d": "$z"}`), s("x", "y")},
		// AWS: BASE_REFERENCE_IN_INTRINSIC_FUNCTION (in part).
		{"intrinsics", pass(`"Parameters": {"f.$": "States.Format('Hello {}, welcome to {}!', $name, $place)",
			"m.$": "States.JsonMerge($json1, $json2, false)", "n.$": "States.MathAdd(States.MathAdd($a, $.b), $$.c)", "u.$": "States.UUID()"}`),
			s("a", "json1", "json2", "name", "place")},
		{"result selector", `{"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
			"Parameters": {"FunctionName": "f", "Payload.$": "$p"}, "ResultSelector": {"r.$": "$rs"},
			"TimeoutSecondsPath": "$timeout", "HeartbeatSecondsPath": "$beat",
			"Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"err.$": "$caught"}, "Next": "F"}], "End": true},
			"F": {"Type": "Fail"}}}`,
			s("beat", "caught", "p", "rs", "timeout")},
		// AWS: BASE_REFERENCE_IN_CHOICE.
		{"choice", `{"StartAt": "CheckAnswer", "States": {
			"CheckAnswer": {"Type": "Choice", "Choices": [
				{"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "Done"},
				{"And": [{"Variable": "$.x", "NumericGreaterThanPath": "$low"}, {"Not": {"Variable": "$flag", "BooleanEquals": true}}],
				 "Assign": {"a.$": "$assigned"}, "Next": "Done"}],
				"Default": "Done"},
			"Done": {"Type": "Succeed"}}}`,
			map[string][]string{"CheckAnswer": {"answer", "assigned", "flag", "guess", "low"}}},
		// AWS: BASE_REFERENCE_IN_WAIT (SecondsPath).
		{"wait seconds", `{"StartAt": "S", "States": {"S": {"Type": "Wait", "SecondsPath": "$waitTime", "End": true}}}`, s("waitTime")},
		{"wait timestamp", `{"StartAt": "S", "States": {"S": {"Type": "Wait", "TimestampPath": "$when.at", "End": true}}}`, s("when")},
		// AWS: BASE_REFERENCE_IN_FAIL.
		{"fail", `{"StartAt": "S", "States": {"S": {"Type": "Fail", "CausePath": "$causeVar", "ErrorPath": "$errorVar"}}}`, s("causeVar", "errorVar")},
		{"fail intrinsic", `{"StartAt": "S", "States": {"S": {"Type": "Fail", "CausePath": "States.Format('{}', $c)", "Error": "$notAPath"}}}`, s("c")},
		// AWS: MAP_STATE_REFERENCE_IN_ITEMS_PATH and ..._IN_INTRINSIC_FUNCTION.
		{"map", `{"StartAt": "MapIterateState", "States": {"MapIterateState": {"Type": "Map", "MaxConcurrency": 1,
			"ItemsPath": "$PokemonList",
			"ItemSelector": {"AnnouncePokemon.$": "States.Format($AnswerTemplate, $$.Map.Item.Value)", "bucketName": "$bucket"},
			"ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Pass", "States": {
				"Pass": {"Type": "Pass", "Parameters": {"Question.$": "$Question", "Answer.$": "$.AnnouncePokemon"}, "End": true}}},
			"End": true}}}`,
			map[string][]string{"MapIterateState": {"AnswerTemplate", "PokemonList"}, "Pass": {"Question"}}},
		// AWS: MAP_STATE_REFERENCE_IN_MAX_CONCURRENCY_PATH, ..._TOLERATED_FAILURE_PATH, ..._MAX_ITEMS_PATH.
		{"map paths", `{"StartAt": "MapState", "States": {"MapState": {"Type": "Map", "ItemsPath": "$.Values",
			"MaxConcurrencyPath": "$maxConcurrency",
			"ToleratedFailurePercentagePath": "$toleratedFailurePercentage", "ToleratedFailureCountPath": "$toleratedFailureCount",
			"ItemReader": {"ReaderConfig": {"InputType": "JSON", "MaxItemsPath": "$maxItems"}, "Resource": "arn:aws:states:::s3:getObject",
				"Parameters": {"Bucket.$": "$.Bucket", "Key.$": "$key"}},
			"ItemBatcher": {"MaxItemsPerBatchPath": "$batch"},
			"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "HandleItem", "States": {
				"HandleItem": {"Type": "Pass", "End": true}}},
			"End": true}}}`,
			map[string][]string{"MapState": {"batch", "key", "maxConcurrency", "maxItems", "toleratedFailureCount", "toleratedFailurePercentage"}}},
		// AWS: BASE_REFERENCE_IN_ITERATOR_OUTER_SCOPE: nested states are listed flat.
		{"nested", `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "OutputPath": "$po", "Branches": [
			{"StartAt": "B1", "States": {"B1": {"Type": "Pass", "InputPath": "$b1", "End": true}}},
			{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": {"StartAt": "Summate", "States": {
				"Summate": {"Type": "Pass", "Assign": {"Sum.$": "States.MathAdd(States.MathAdd(States.MathAdd($yCurrent, $xCurrent), $zCurrent), $bias)"}, "End": true}}},
				"End": true}}}],
			"End": true}}}`,
			map[string][]string{"P": {"po"}, "B1": {"b1"}, "Summate": {"bias", "xCurrent", "yCurrent", "zCurrent"}}},
		// AWS: BASE_ASSIGN_FROM_PARAMETERS: none at all.
		{"none", `{"StartAt": "State0", "States": {
			"State0": {"Type": "Pass", "Parameters": {"input": "PENDING"}, "Assign": {"result.$": "$.input"}, "Next": "State1"},
			"State1": {"Type": "Pass", "Assign": {"result": "SUCCESS", "originalResult.$": "$.input"}, "End": true}}}`, nil},

		// JSONata. AWS: CHOICE_STATE_UNSORTED_CHOICE_PARAMETERS_JSONATA
		// ($states and a called $not are not variables).
		{"jsonata choice", `{"StartAt": "CheckResult", "States": {"CheckResult": {"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [
			{"Condition": "{% $states.input.result.done %}", "Next": "T"},
			{"Condition": "{% $not($states.input.result.done) %}", "Next": "T"},
			{"Condition": true, "Next": "T"},
			{"Condition": "{% $x > $limit %}", "Assign": {"y": "{% $z %}"}, "Output": "{% $out %}", "Next": "T"}]},
			"T": {"Type": "Pass", "End": true}}}`,
			map[string][]string{"CheckResult": {"limit", "out", "x", "z"}}},
		{"jsonata pass", jsonata("Pass", `"Output": {"a": "{% $a.b %}", "b": ["{% $sum($xs) %}", "$literal"]}, "Assign": {"c": "{% $count + 1 %}"}, "End": true`),
			s("a", "count", "xs")},
		{"jsonata bound", jsonata("Pass", `"Output": "{% ($k := 2; $map($xs, function($v) { $v * $k * $factor })) %}", "End": true`), s("factor", "xs")},
		{"jsonata task", jsonata("Task", `"Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "{% $fn %}"},
			"TimeoutSeconds": "{% $t %}", "HeartbeatSeconds": "{% $h %}", "Output": "{% $states.result %}",
			"Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Assign": {"e": "{% $caughtVar %}"}, "Next": "S"}],
			"End": true`),
			s("caughtVar", "fn", "h", "t")},
		{"jsonata wait", jsonata("Wait", `"Seconds": "{% $w %}", "End": true`), s("w")},
		{"jsonata wait timestamp", jsonata("Wait", `"Timestamp": "{% $ts %}", "End": true`), s("ts")},
		{"jsonata fail", jsonata("Fail", `"Error": "{% $err %}", "Cause": "{% $cause & $states.input.x %}"`), s("cause", "err")},
		{"jsonata map", jsonata("Map", `"Items": "{% $list %}", "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}", "w": "{% $sel %}"},
			"MaxConcurrency": "{% $mc %}", "ToleratedFailurePercentage": "{% $pct %}",
			"ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON", "MaxItems": "{% $max %}"},
				"Arguments": {"Bucket": "{% $bucket %}", "Key": "k"}},
			"ItemProcessor": {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Output": "{% $inner %}", "End": true}}},
			"End": true`),
			map[string][]string{"S": {"bucket", "list", "max", "mc", "pct", "sel"}, "Inner": {"inner"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, diags := Compile([]byte(tc.def), Options{JSONata: refsEngine()})
			if m == nil || diags.HasErrors() {
				t.Fatalf("does not compile: %v", diags)
			}
			got := m.VariableReferences()
			if !maps.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("VariableReferences() = %v, want %v", got, tc.want)
			}
			if tc.want == nil && got != nil {
				t.Errorf("VariableReferences() = %#v, want nil", got)
			}
		})
	}
}

// TestVariableReferencesWithoutParser: with no JSONata engine the JSONPath
// references are still found, and the JSONata ones cannot be.
func TestVariableReferencesWithoutParser(t *testing.T) {
	t.Parallel()
	def := `{"StartAt": "A", "States": {
		"A": {"Type": "Pass", "InputPath": "$v", "Next": "B"},
		"B": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $w %}", "End": true}}}`
	m, diags := Compile([]byte(def), Options{})
	if m == nil || diags.HasErrors() {
		t.Fatalf("does not compile: %v", diags)
	}
	got := m.VariableReferences()
	if want := map[string][]string{"A": {"v"}}; !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("VariableReferences() = %v, want %v", got, want)
	}
}
