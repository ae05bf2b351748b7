package sfn_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"

	"stepd/internal/jsonv"
	"stepd/internal/sfn"
	"stepd/internal/store/memstore"
)

// TestTestStateBehaviours covers what the recorded AWS cases do not: the
// engine-run states (JSONPath Choice, Wait) with variables, JSONata
// Choice, stateName inside a branch, ItemSelector, Assign, Fail paths,
// integrations stepd does not provide, and request validation.
func TestTestStateBehaviours(t *testing.T) {
	t.Parallel()
	svc, err := sfn.New(sfn.Options{Store: memstore.New(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	role := str("arn:aws:iam::123456789012:role/test")
	type want struct {
		status, output, next, err, cause string
		insp                             map[string]string // inspectionData members, as JSON
		code, message                    string            // a rejected request
	}
	tests := []struct {
		name string
		in   sfn.TestStateInput
		want want
	}{
		{"JSONPath Choice on a variable", sfn.TestStateInput{
			Definition: str(`{"Type": "Choice", "Choices": [{"Variable": "$limit", "NumericLessThan": 10, "Next": "Low", "Assign": {"picked": "low"}}], "Default": "High"}`),
			Input:      str(`{"n": 1}`), Variables: str(`{"limit": 3}`), InspectionLevel: str("DEBUG"),
		}, want{status: "SUCCEEDED", output: `{"n": 1}`, next: "Low", insp: map[string]string{
			"input": `{"n": 1}`, "afterInputPath": `{"n": 1}`, "variables": `{"limit": 3, "picked": "low"}`}}},
		{"JSONPath Choice default", sfn.TestStateInput{
			Definition: str(`{"Type": "Choice", "InputPath": "$.v", "Choices": [{"Variable": "$.x", "StringEquals": "a", "Next": "A"}], "Default": "B"}`),
			Input:      str(`{"v": {"x": "b"}}`),
		}, want{status: "SUCCEEDED", output: `{"x": "b"}`, next: "B"}},
		{"JSONPath Choice without a match", sfn.TestStateInput{
			Definition: str(`{"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "A"}]}`),
		}, want{status: "FAILED", err: "States.NoChoiceMatched"}},
		{"JSONata Choice", sfn.TestStateInput{
			Definition: str(`{"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [{"Condition": "{% $states.input.n > 1 %}", "Next": "Many", "Output": {"count": "{% $states.input.n %}"}}], "Default": "One"}`),
			Input:      str(`{"n": 4}`),
		}, want{status: "SUCCEEDED", output: `{"count": 4}`, next: "Many"}},
		{"Wait does not wait", sfn.TestStateInput{
			Definition: str(`{"Type": "Wait", "Seconds": 86400, "OutputPath": "$.a", "Next": "After"}`),
			Input:      str(`{"a": [1]}`), InspectionLevel: str("TRACE"),
		}, want{status: "SUCCEEDED", output: `[1]`, next: "After", insp: map[string]string{"input": `{"a": [1]}`, "afterInputPath": `{"a": [1]}`}}},
		{"Wait on a missing SecondsPath", sfn.TestStateInput{
			Definition: str(`{"Type": "Wait", "SecondsPath": "$.missing", "End": true}`),
		}, want{status: "FAILED", err: "States.Runtime", cause: "The SecondsPath parameter does not reference an input value: $.missing"}},
		{"state inside a Parallel branch", sfn.TestStateInput{
			Definition: str(`{"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "End": true, "Branches": [
				{"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"}, "Next": "Last"}, "Last": {"Type": "Succeed"}}}]}}}`),
			StateName: str("Inner"), Input: str(`{"n": 21}`),
		}, want{status: "SUCCEEDED", output: `{"doubled": 42}`, next: "Last"}},
		{"Map with a ResultWriter takes an object mock", sfn.TestStateInput{
			Definition: str(`{"Type": "Map", "ItemsPath": "$.v", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
				"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
				"ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}}, "End": true}`),
			Input: str(`{"v": [1, 2]}`), Mock: &sfn.TestStateMock{Result: str(`[1, 2]`)},
		}, want{code: "ValidationException", message: "Mocked result must be a JSON object."}},
		{"unknown stateName", sfn.TestStateInput{
			Definition: str(`{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}`), StateName: str("B"),
		}, want{code: "ValidationException", message: "State not found in definition"}},
		{"JSONata Pass with Assign", sfn.TestStateInput{
			Definition: str(`{"Type": "Pass", "QueryLanguage": "JSONata", "Assign": {"seen": "{% $states.input.id %}"}, "Output": "{% $count + 1 %}", "End": true}`),
			Input:      str(`{"id": "x"}`), Variables: str(`{"count": 1}`), InspectionLevel: str("DEBUG"),
		}, want{status: "SUCCEEDED", output: `2`, insp: map[string]string{"input": `{"id": "x"}`, "variables": `{"count": 1, "seen": "x"}`}}},
		{"Map with ItemSelector", sfn.TestStateInput{
			Definition: str(`{"Type": "Map", "ItemsPath": "$.items", "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
				"ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "ResultPath": "$.out", "End": true}`),
			Input: str(`{"items": ["a", "b"]}`), Mock: &sfn.TestStateMock{Result: str(`["A", "B"]`)}, InspectionLevel: str("DEBUG"),
		}, want{status: "SUCCEEDED", output: `{"items": ["a", "b"], "out": ["A", "B"]}`, insp: map[string]string{
			"input": `{"items": ["a", "b"]}`, "afterInputPath": `{"items": ["a", "b"]}`, "afterItemsPath": `["a", "b"]`,
			"afterItemSelector": `[{"v": "a", "i": 0}, {"v": "b", "i": 1}]`, "maxConcurrency": "0",
			"afterResultSelector": `["A", "B"]`, "afterResultPath": `{"items": ["a", "b"], "out": ["A", "B"]}`}}},
		{"Map over the failure percentage", sfn.TestStateInput{
			Definition: str(`{"Type": "Map", "ToleratedFailurePercentage": 50, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}`),
			Input:      str(`[1, 2, 3, 4]`), Mock: &sfn.TestStateMock{Result: str(`[]`)},
			StateConfiguration: &sfn.TestStateConfiguration{MapIterationFailureCount: int64p(3)},
		}, want{status: "FAILED", err: "States.ExceedToleratedFailureThreshold", cause: "The specified tolerated failure threshold was exceeded"}},
		{"Map within the failure percentage", sfn.TestStateInput{
			Definition: str(`{"Type": "Map", "ToleratedFailurePercentage": 50, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}`),
			Input:      str(`[1, 2, 3, 4]`), Mock: &sfn.TestStateMock{Result: str(`[1, 2]`)},
			StateConfiguration: &sfn.TestStateConfiguration{MapIterationFailureCount: int64p(2)},
		}, want{status: "SUCCEEDED", output: `[1, 2]`}},
		{"Fail with ErrorPath and CausePath", sfn.TestStateInput{
			Definition: str(`{"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('code {}', $.c)"}`),
			Input:      str(`{"e": "Bad", "c": 7}`),
		}, want{status: "FAILED", err: "Bad", cause: "code 7"}},
		{"Task mock through ResultSelector and ResultPath", sfn.TestStateInput{
			Definition: str(`{"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "Parameters": {"TableName": "t", "Key.$": "$.key"},
				"ResultSelector": {"item.$": "$.Item"}, "ResultPath": "$.got", "Next": "Use"}`),
			Input: str(`{"key": {"id": {"S": "1"}}}`), Mock: &sfn.TestStateMock{Result: str(`{"Item": {"name": {"S": "n"}}}`)}, InspectionLevel: str("DEBUG"),
		}, want{status: "SUCCEEDED", output: `{"key": {"id": {"S": "1"}}, "got": {"item": {"name": {"S": "n"}}}}`, next: "Use", insp: map[string]string{
			"input": `{"key": {"id": {"S": "1"}}}`, "afterInputPath": `{"key": {"id": {"S": "1"}}}`,
			"afterParameters": `{"TableName": "t", "Key": {"id": {"S": "1"}}}`, "result": `{"Item": {"name": {"S": "n"}}}`,
			"afterResultSelector": `{"item": {"name": {"S": "n"}}}`, "afterResultPath": `{"key": {"id": {"S": "1"}}, "got": {"item": {"name": {"S": "n"}}}}`}}},
		{"Task mock failing strict validation", sfn.TestStateInput{
			Definition: str(`{"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "Parameters": {"TableName": "t"}, "End": true}`),
			Mock:       &sfn.TestStateMock{Result: str(`{"Item": []}`)},
		}, want{code: "ValidationException", message: "Mock result schema validation error: Field 'Item' must be an object"}},
		{"Task mock not validated with NONE", sfn.TestStateInput{
			Definition: str(`{"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem", "Parameters": {"TableName": "t"}, "End": true}`),
			Mock:       &sfn.TestStateMock{Result: str(`{"Item": []}`), FieldValidationMode: str("NONE")},
		}, want{status: "SUCCEEDED", output: `{"Item": []}`}},
		{"integration stepd does not provide", sfn.TestStateInput{
			Definition: str(`{"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": true}`),
			RoleArn:    role,
		}, want{status: "FAILED", err: "States.TaskFailed"}},
		{"integration error caught", sfn.TestStateInput{
			Definition: str(`{"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q", "MessageBody": "m"},
				"Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.error", "Next": "Handle"}], "End": true}`),
			RoleArn: role, Input: str(`{"a": 1}`), InspectionLevel: str("DEBUG"),
		}, want{status: "CAUGHT_ERROR", err: "States.TaskFailed", next: "Handle", output: `{"a": 1, "error": {"Error": "States.TaskFailed",
			"Cause": "stepd does not provide the sqs integration (sqs:sendMessage); mock it with a mock config test case, or call it through a Lambda function"}}`,
			insp: map[string]string{
				"input": `{"a": 1}`, "afterInputPath": `{"a": 1}`, "afterParameters": `{"QueueUrl": "q", "MessageBody": "m"}`}}},
		{"activity without a mock", sfn.TestStateInput{
			Definition: str(`{"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:a", "End": true}`), RoleArn: role,
		}, want{code: "ValidationException"}},
		{"activity with a mock", sfn.TestStateInput{
			Definition: str(`{"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:a", "End": true}`),
			Mock:       &sfn.TestStateMock{Result: str(`{"done": 1}`)},
		}, want{status: "SUCCEEDED", output: `{"done": 1}`}},
		{"callback task with its token", sfn.TestStateInput{
			Definition: str(`{"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
				"Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": true}`),
			Mock: &sfn.TestStateMock{Result: str(`{"approved": true}`)},
		}, want{status: "SUCCEEDED", output: `{"approved": true}`}},
		{"unknown inspection level", sfn.TestStateInput{
			Definition: str(`{"Type": "Succeed"}`), InspectionLevel: str("ALL"),
		}, want{code: "ValidationException", message: "1 validation error detected: Value 'ALL' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"}},
		{"variables not an object", sfn.TestStateInput{
			Definition: str(`{"Type": "Succeed"}`), Variables: str(`[1]`),
		}, want{code: "ValidationException"}},
		{"context with a wrong type", sfn.TestStateInput{
			Definition: str(`{"Type": "Succeed"}`), Context: str(`{"State": {"RetryCount": "x"}}`),
		}, want{code: "ValidationException", message: "Invalid Context object provided: State.RetryCount must be a number"}},
		{"role not an ARN", sfn.TestStateInput{
			Definition: str(`{"Type": "Succeed"}`), RoleArn: str("role"),
		}, want{code: "InvalidArn", message: "Invalid Arn: 'Invalid ARN prefix: role'"}},
		{"definition not JSON", sfn.TestStateInput{
			Definition: str(`{"Type": `),
		}, want{code: "InvalidDefinition"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			out, err := svc.TestState(context.Background(), &in)
			if tc.want.code != "" {
				var se *sfn.Error
				if !errors.As(err, &se) || se.Code != tc.want.code || (tc.want.message != "" && se.Message != tc.want.message) {
					t.Fatalf("got %v, want %s %q", err, tc.want.code, tc.want.message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(out)
			if out.Status != tc.want.status || deref(out.NextState) != tc.want.next || deref(out.Error) != tc.want.err ||
				(tc.want.cause != "" && deref(out.Cause) != tc.want.cause) {
				t.Errorf("got %s, want %+v", b, tc.want)
			}
			if tc.want.output == "" {
				if out.Output != nil {
					t.Errorf("output %s, want none", *out.Output)
				}
			} else if !sameJSON(deref(out.Output), tc.want.output) {
				t.Errorf("output %s, want %s", deref(out.Output), tc.want.output)
			}
			if tc.want.insp == nil {
				if out.InspectionData != nil {
					t.Errorf("inspection data at INFO: %s", b)
				}
				return
			}
			var got map[string]any
			ib, _ := json.Marshal(out.InspectionData)
			if err := json.Unmarshal(ib, &got); err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.want.insp {
				g, ok := got[k]
				if !ok {
					t.Errorf("inspectionData has no %s: %s", k, ib)
					continue
				}
				gs, isStr := g.(string)
				if !isStr {
					gb, _ := json.Marshal(g)
					gs = string(gb)
				}
				if !sameJSON(gs, v) {
					t.Errorf("inspectionData.%s = %s, want %s", k, gs, v)
				}
			}
			for k := range got {
				if _, ok := tc.want.insp[k]; !ok && k != "errorDetails" {
					t.Errorf("unexpected inspectionData.%s: %v", k, got[k])
				}
			}
		})
	}
}

func int64p(n int64) *int64 { return &n }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// sameJSON compares two JSON texts as values.
func sameJSON(a, b string) bool {
	va, err1 := jsonv.ParseString(a)
	vb, err2 := jsonv.ParseString(b)
	return err1 == nil && err2 == nil && jsonv.Equal(va, vb)
}
