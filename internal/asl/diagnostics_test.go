package asl_test

import (
	"fmt"
	"strings"
	"testing"

	"stepd/internal/asl"
)

// want is an expected diagnostic: code, AWS location, a message fragment.
type want struct {
	code, location, message string
}

func (w want) String() string {
	return fmt.Sprintf("%s at %s: …%s…", w.code, w.location, w.message)
}

func TestDiagnostics(t *testing.T) {
	t.Parallel()
	pass := `"P": {"Type": "Pass", "End": true}`
	tests := []struct {
		name string
		def  string
		typ  string
		want []want
	}{
		{"empty object", `{}`, "", []want{{asl.CodeSchema, "/", "These fields are required: [States, StartAt]"}}},
		{"no StartAt", `{"States": {` + pass + `}}`, "", []want{{asl.CodeSchema, "/", "These fields are required: [StartAt]"}}},
		{"not an object", `[1]`, "", []want{{asl.CodeSchema, "", "Definition must be a valid JSON object"}}},
		{"unknown top-level field", `{"StartAt": "P", "Foo": 1, "States": {` + pass + `}}`, "",
			[]want{{asl.CodeSchema, "/", "Field 'Foo' is not supported"}}},
		{"unknown state type", `{"StartAt": "P", "States": {"P": {"Type": "Pas", "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P/Type", "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]"}}},
		{"missing Type", `{"StartAt": "P", "States": {"P": {"End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P", "These fields are required: [Type]"}}},
		{"field of another type", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P", "Field 'Resource' is not supported"}}},
		{"TimeoutSeconds on Parallel", `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "TimeoutSeconds": 5, "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}], "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P", "Field 'TimeoutSeconds' is not supported"}}},
		{"Catch on Pass", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Catch": [], "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P", "Field 'Catch' is not supported"}}},
		{"End and Next", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "Q", "End": true}, "Q": {"Type": "Succeed"}}}`, "",
			[]want{{asl.CodeSchema, "/States/P", "There should only be one of the following fields: [Next, End]"}}},
		{"neither End nor Next", `{"StartAt": "P", "States": {"P": {"Type": "Pass"}, "Q": {"Type": "Succeed"}}}`, "",
			[]want{{asl.CodeSchema, "/States/P", "This object should have only one of the following fields: [Next, End]"}, {asl.CodeMissingTransition, "/States/Q", `State "Q" is not reachable.`}}},
		{"missing Next target", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "Nope"}, "E": {"Type": "Succeed"}}}`, "",
			[]want{{asl.CodeMissingTransition, "/States/P/Next", "Missing 'Next' target: Nope"}, {asl.CodeMissingTransition, "/States/E", "not reachable"}}},
		{"no terminal state", `{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}`, "",
			[]want{{asl.CodeMissingEndState, "", "Workflow has no terminal state"}}},
		{"dangling Choice, Default and Catch targets", `{"StartAt": "C", "States": {
			"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "N1"}], "Default": "N2"},
			"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "N3"}], "End": true}}}`, "",
			[]want{{asl.CodeMissingTransition, "/States/C/Choices[0]/Next", "N1"}, {asl.CodeMissingTransition, "/States/C/Default", "N2"},
				{asl.CodeMissingTransition, "/States/T/Catch[0]/Next", "N3"}, {asl.CodeMissingTransition, "/States/T", "not reachable"}}},
		{"duplicate state name in a branch", `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}], "End": true}}}`, "",
			[]want{{asl.CodeDuplicateStateName, "/States/P/Branches[0]/States/P", "Duplicate State name: P"}}},
		{"state name too long", `{"StartAt": "` + strings.Repeat("a", 81) + `", "States": {"` + strings.Repeat("a", 81) + `": {"Type": "Succeed"}}}`, "",
			[]want{{asl.CodeInvalidStateName, "/States/" + strings.Repeat("a", 81), "80"}}},
		{"States.ALL not alone", `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "Retry": [{"ErrorEquals": ["States.ALL", "X"]}], "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/T/Retry[0]/ErrorEquals", "States.ALL must appear alone and at end of list"}}},
		{"States.ALL not last", `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
			"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "E"}, {"ErrorEquals": ["X"], "Next": "E"}], "End": true}, "E": {"Type": "Succeed"}}}`, "",
			[]want{{asl.CodeSchema, "/States/T/Catch[0]/ErrorEquals", "States.ALL must appear alone and at end of list"}}},
		{"bad retry values", `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
			"Retry": [{"ErrorEquals": ["X"], "MaxAttempts": -1, "BackoffRate": 0.5, "IntervalSeconds": 0, "JitterStrategy": "HALF"}], "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/T/Retry[0]/IntervalSeconds", "Minimum value is 1"}, {asl.CodeSchema, "/States/T/Retry[0]/MaxAttempts", "Minimum value is 0"},
				{asl.CodeSchema, "/States/T/Retry[0]/BackoffRate", "Minimum value is 1.0"}, {asl.CodeSchema, "/States/T/Retry[0]/JitterStrategy", "Value should be one of the following: [NONE, FULL]"}}},
		{"two Wait durations", `{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Timestamp": "2024-01-01T00:00:00Z", "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/W", "There should only be one of the following fields: [SecondsPath, Seconds, TimestampPath, Timestamp]"}}},
		{"bad Wait timestamp", `{"StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "2024-01-01 00:00:00", "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/W/Timestamp", "String does not match RFC3339 timestamp"}}},
		{"Fail Error and ErrorPath", `{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}}`, "",
			[]want{{asl.CodeSchema, "/States/F", "There should only be one of the following fields: [Error, ErrorPath]"}}},
		{"Choice without operator", `{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "Next": "E"}]}, "E": {"Type": "Succeed"}}}`, "",
			[]want{{asl.CodeSchema, "/States/C/Choices[0]", "comparison operator"}}},
		{"Choice with two operators", `{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "StringEquals": "a", "IsNull": true, "Next": "E"}]}, "E": {"Type": "Succeed"}}}`, "",
			[]want{{asl.CodeSchema, "/States/C/Choices[0]", "exactly one comparison operator"}}},
		{"Choice operand of the wrong type", `{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": "1", "Next": "E"}]}, "E": {"Type": "Succeed"}}}`, "",
			[]want{{asl.CodeSchema, "/States/C/Choices[0]/NumericEquals", "Expected value of type [NUMBER]"}}},
		{"nested rule with Next", `{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Not": {"Variable": "$.x", "IsNull": true, "Next": "E"}, "Next": "E"}]}, "E": {"Type": "Succeed"}}}`, "",
			[]want{{asl.CodeSchema, "/States/C/Choices[0]/Not", "Field 'Next' is not supported"}}},
		{"invalid JSONPath", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a[", "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P/InputPath", "Value must be a valid JSONPath."}}},
		{"ResultPath is not a reference path", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "ResultPath": "$.a[*]", "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P/ResultPath", "Value is not a Reference Path"}}},
		{"invalid intrinsic", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x.$": "States.Nope(1)"}, "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P/Parameters", "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call"}}},
		{"keys collide after .$", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"x": 1, "x.$": "$.a"}, "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P/Parameters", "both produce the key 'x'"}}},
		{"JSONata field in a JSONPath state", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": 1, "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P", "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage"}}},
		{"JSONPath field in a JSONata state", `{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$", "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P", "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage"}}},
		{"JSONPath state under a JSONata machine", `{"StartAt": "Pass", "States": {"Pass": {"Type": "Pass", "End": true, "QueryLanguage": "JSONPath"}}, "QueryLanguage": "JSONata"}`, "",
			[]want{{asl.CodeSchema, "/States/Pass", "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"}}},
		{"heartbeat not below timeout", `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/T/HeartbeatSeconds", "HeartbeatSeconds must be smaller than TimeoutSeconds"}}},
		{"resource not an ARN", `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "my-function", "End": true}}}`, "",
			[]want{{asl.CodeInvalidResource, "/States/T/Resource", "Value is not a valid resource ARN"}}},
		{"express .sync", `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync", "End": true}}}`, asl.TypeExpress,
			[]want{{asl.CodeSchema, "/States/T/Resource", "Express state machine does not support '.sync' service integration"}}},
		{"credentials without RoleArn", `{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Credentials": {}, "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/T/Credentials", "The field 'RoleArn' is required but was missing"}}},
		{"invalid variable name", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {"states": 1, "9x": 2}, "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/P/Assign/states", "Cannot assign to reserved variable '$states'."}, {asl.CodeSchema, "/States/P/Assign/9x", "Invalid variable name '9x'"}}},
		{"map label with a bracket", `{"StartAt": "M", "States": {"M": {"Type": "Map", "Label": "a[", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}, "End": true}}}`, "",
			[]want{{asl.CodeInvalidLabelName, "/States/M/Label", "Label contains invalid character: '['"}}},
		{"map without processor", `{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/States/M", "This object should have only one of the following fields: [ItemProcessor, Iterator]"}}},
		{"StartAt names nothing: every state is unreachable", `{"StartAt": "X", "States": {"A": {"Type": "Succeed"}}}`, "",
			[]want{{asl.CodeMissingTransition, "/StartAt", "Missing 'Next' target: X"}, {asl.CodeMissingTransition, "/States/A", `State "A" is not reachable.`}}},
		{"a loop inside a branch is accepted", `{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}]}}}`, "", nil},
		{"QueryLanguage on an item processor", `{"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}}`, "",
			[]want{{asl.CodeSchema, "/States/M/ItemProcessor", "Field 'QueryLanguage' is not supported"}}},
		{"QueryLanguage is case sensitive", `{"QueryLanguage": "jsonata", "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`, "",
			[]want{{asl.CodeSchema, "/QueryLanguage", "Value should be one of the following: [JSONPath, JSONata]"}}},
		{"map MaxConcurrency below zero", `{"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": -1, "End": true, "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}}}}`, "",
			[]want{{asl.CodeSchema, "/States/M/MaxConcurrency", "Minimum value is 0"}}},
		{"valid machine", `{"Comment": "ok", "StartAt": "P", "TimeoutSeconds": 10, "States": {` + pass + `}}`, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, diags := asl.Compile([]byte(tt.def), asl.Options{Type: tt.typ})
			var got []string
			for _, d := range diags {
				got = append(got, d.Code+" at "+d.Location+": "+d.Message)
			}
			if len(diags) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d:\n got: %s\nwant: %v", len(diags), len(tt.want), strings.Join(got, "\n      "), tt.want)
			}
			for i, w := range tt.want {
				d := diags[i]
				if d.Code != w.code || d.Location != w.location || !strings.Contains(d.Message, w.message) {
					t.Errorf("diagnostic %d = %s, want %v", i, got[i], w)
				}
				if d.Severity != asl.SeverityError {
					t.Errorf("diagnostic %d severity = %s", i, d.Severity)
				}
			}
		})
	}
}

func TestDiagnosticPositions(t *testing.T) {
	t.Parallel()
	def := "{\n  \"StartAt\": \"P\",\n  \"States\": {\n    \"P\": {\"Type\": \"Pass\", \"Next\": \"Q\"}\n  }\n}"
	_, diags := asl.Compile([]byte(def), asl.Options{})
	if len(diags) == 0 {
		t.Fatal("want diagnostics")
	}
	d := diags[0]
	if d.Location != "/States/P/Next" || d.Pos.Line != 4 || d.Pos.Column != 27 {
		t.Errorf("got %s at %v, want /States/P/Next at 4:27", d.Location, d.Pos)
	}
}

// TestDuplicateKeys: a key given twice is a warning at the second one, whose
// value is used; JSON finds its positions only then.
func TestDuplicateKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, def string
		yaml      bool
		line, col int
	}{
		{"json", "{\"StartAt\": \"P\",\n \"States\": {\"P\": {\"Type\": \"Pass\",\n  \"Result\": 1, \"Result\": 2, \"End\": true}}}", false, 3, 16},
		{"yaml", "StartAt: P\nStates:\n  P:\n    Type: Pass\n    Result: 1\n    Result: 2\n    End: true\n", true, 6, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var doc *asl.Document
			var diags asl.Diagnostics
			if tt.yaml {
				doc, diags = asl.ParseYAML([]byte(tt.def))
			} else {
				doc, diags = asl.ParseJSON([]byte(tt.def))
			}
			if doc == nil {
				t.Fatalf("parse: %v", diags)
			}
			m, diags := asl.CompileDocument(doc, asl.Options{})
			if m == nil || len(diags) != 1 {
				t.Fatalf("want a machine and one warning, got %v", diags)
			}
			d := diags[0]
			if d.Severity != asl.SeverityWarning || d.Code != asl.CodeWarnDuplicateJSONKeys ||
				d.Location != "/States/P/Result" || d.Pos.Line != tt.line || d.Pos.Column != tt.col {
				t.Errorf("got %s %s at %s %d:%d, want WARNING DUPLICATE_KEYS at /States/P/Result %d:%d",
					d.Severity, d.Code, d.Location, d.Pos.Line, d.Pos.Column, tt.line, tt.col)
			}
			if got := m.State("P").Result; got == nil {
				t.Error("P has no Result")
			}
		})
	}
}

func TestYAML(t *testing.T) {
	t.Parallel()
	src := `Comment: tutorial
StartAt: Hello
States:
  Hello:
    Type: Pass
    Result: {n: 1, ok: true, x: 1.5, s: "text"}
    Next: Done
  Done:
    Type: Succed
`
	doc, diags := asl.ParseYAML([]byte(src))
	if doc == nil {
		t.Fatalf("ParseYAML: %v", diags)
	}
	_, diags = asl.CompileDocument(doc, asl.Options{})
	if len(diags) != 1 || diags[0].Location != "/States/Done/Type" || diags[0].Pos.Line != 9 || diags[0].Pos.Column != 5 {
		t.Fatalf("diagnostics = %+v, want one at /States/Done/Type 9:5", diags)
	}
	fixed := strings.Replace(src, "Succed", "Succeed", 1)
	doc, _ = asl.ParseYAML([]byte(fixed))
	m, diags := asl.CompileDocument(doc, asl.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := fmt.Sprint(m.Start.Result); !strings.Contains(got, "") || m.Start.Next != "Done" {
		t.Errorf("Hello = %+v", m.Start)
	}
	_, diags = asl.ParseYAML([]byte("StartAt: [unclosed"))
	if len(diags) != 1 || diags[0].Code != asl.CodeInvalidJSON {
		t.Errorf("bad YAML: %v", diags)
	}
}
