package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tutorialDir = "../../../shared/seed-tutorial"

// stepd runs the CLI in process and returns its exit code and output.
func stepd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func tutorial(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(tutorialDir, "statemachine.asl.json"))
	if err != nil {
		t.Skipf("seed tutorial not found in %s", tutorialDir)
	}
	// stepd run names the state machine after the file: the mock config's
	// test cases are under "tutorial".
	path := filepath.Join(t.TempDir(), "tutorial.asl.json")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestValidate(t *testing.T) {
	t.Parallel()
	def := tutorial(t)
	if code, out, _ := stepd(t, "validate", def); code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("valid definition: exit %d, %q", code, out)
	}
	bad := filepath.Join(tutorialDir, "as-published.asl.txt")
	code, out, _ := stepd(t, "validate", bad)
	if code != 1 {
		t.Errorf("as-published text: exit %d, want 1", code)
	}
	for _, want := range []string{bad + ":1:1: error INVALID_JSON_DESCRIPTION:", "typographic quotes", "“Comment”", "    ^"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	dir := t.TempDir()
	multi := filepath.Join(dir, "multi.json")
	os.WriteFile(multi, []byte("{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"},\n    \"C\": {\"Type\": \"Wait\", \"End\": true}\n  }\n}\n"), 0o644)
	code, out, _ = stepd(t, "validate", multi)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		multi + ":4:27: error MISSING_TRANSITION_TARGET: Missing 'Next' target: B (at /States/A/Next)",
		multi + ":5:5: error SCHEMA_VALIDATION_FAILED: This object should have only one of the following fields: [SecondsPath, Seconds, TimestampPath, Timestamp] (at /States/C)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = stepd(t, "validate", "--json", multi, def)
	var reports []fileReport
	if err := json.Unmarshal([]byte(out), &reports); err != nil || code != 1 {
		t.Fatalf("--json: exit %d, %v:\n%s", code, err, out)
	}
	if len(reports) != 2 || reports[0].Result != "FAIL" || reports[1].Result != "OK" || len(reports[0].Diagnostics) < 2 {
		t.Errorf("--json reports = %+v", reports)
	}
	if d := reports[0].Diagnostics[0]; d.Line != 4 || d.Column != 27 || d.Location != "/States/A/Next" {
		t.Errorf("first diagnostic = %+v", d)
	}

	yml := filepath.Join(dir, "def.asl.yaml")
	os.WriteFile(yml, []byte("StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n"), 0o644)
	if code, out, _ := stepd(t, "validate", yml); code != 0 {
		t.Errorf("YAML definition: exit %d %s", code, out)
	}
}

// TestRunTutorial runs the reference scenario through `stepd run` with the
// mock config above (shared/seed-tutorial/README.md has the expected table).
func TestRunTutorial(t *testing.T) {
	t.Parallel()
	def := tutorial(t)
	tests := []struct {
		testCase, input string
		code            int
		status          string
		output          string
		errName, cause  string
		events          int
	}{
		{"HappyPath", `{"statuscode":"200"}`, 0, "SUCCEEDED", `"The request has succeeded."`, "", "", 9},
		{"Unavailable", `{"statuscode":"503"}`, 1, "FAILED", "", "", "The server is currently unable to handle the request.", 8},
		{"Unknown", `{"statuscode":"999"}`, 1, "FAILED", "", "An error of unknown type occurred", "Unknown error!", 8},
		{"Throttled", `{"statuscode":"429"}`, 0, "SUCCEEDED", `"The request has succeeded."`, "", "", 24},
	}
	for _, tt := range tests {
		t.Run(tt.testCase, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := stepd(t, "run", def, "--input", tt.input, "--mock-config", "testdata/mock-config.json",
				"--test-case", tt.testCase, "--history", "--time-scale", "0")
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", code, tt.code, errOut)
			}
			var doc struct {
				Status string            `json:"status"`
				Output json.RawMessage   `json:"output"`
				Error  string            `json:"error"`
				Cause  string            `json:"cause"`
				Events []json.RawMessage `json:"events"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
			}
			if doc.Status != tt.status || string(doc.Output) != tt.output || doc.Error != tt.errName || doc.Cause != tt.cause || len(doc.Events) != tt.events {
				t.Errorf("got %s %s %q %q with %d events", doc.Status, doc.Output, doc.Error, doc.Cause, len(doc.Events))
			}
			if !strings.Contains(errOut, "entered Call API (Task)") || !strings.Contains(errOut, "status: "+tt.status) {
				t.Errorf("progress lines missing:\n%s", errOut)
			}
			if tt.testCase == "Throttled" && !strings.Contains(errOut, "retried Call API (attempt 3)") {
				t.Errorf("retries not reported:\n%s", errOut)
			}
		})
	}
}

// TestRunMockTypo: a test case that mocks a state the definition lacks
// runs, with a warning naming the state (the real integration is called
// for the state it meant).
func TestRunMockTypo(t *testing.T) {
	t.Parallel()
	def := tutorial(t)
	cfg := filepath.Join(t.TempDir(), "mock.json")
	os.WriteFile(cfg, []byte(`{"StateMachines": {"tutorial": {"TestCases": {"Typo": {"Call APl": "OK"}}}},
		"MockedResponses": {"OK": {"0": {"Return": {"StatusCode": 200, "Payload": {"statusCode": 200}}}}}}`), 0o644)
	_, _, errOut := stepd(t, "run", def, "--mock-config", cfg, "--test-case", "Typo", "--time-scale", "0", "--data", t.TempDir())
	want := `stepd: warning: test case "Typo" mocks state "Call APl", which ` + def + ` does not have`
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut)
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	def := tutorial(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", def, "--input", "{bad"}, "--input is not valid JSON"},
		{[]string{"run", def, "--test-case", "X"}, "--test-case needs --mock-config"},
		{[]string{"run", def, "--mock-config", "testdata/mock-config.json", "--test-case", "Nope"}, `no test case "Nope"`},
		{[]string{"run", filepath.Join(tutorialDir, "as-published.asl.txt")}, "INVALID_JSON_DESCRIPTION"},
		{[]string{"validate"}, "requires at least 1 arg"},
		{[]string{"run", def, "--mock-config", "testdata/mock-config.json"}, `--mock-config needs --test-case, one of the test cases of "tutorial": `},
		{[]string{"run", def, "--mock-config", "testdata/mock-config.json", "--name", "Other"}, `no state machine named "Other" (it has "tutorial")`},
		{[]string{"run", def, "--mock-config", "testdata/mock-config.json", "--name", "Other", "--test-case", "X"}, `no state machine named "Other" (it has "tutorial")`},
		{[]string{"run", def, "--time-scale", "-1"}, "--time-scale must be a number of at least 0"},
		{[]string{"run", def, "--time-scale", "NaN"}, "--time-scale must be a number of at least 0"},
	}
	for _, tt := range tests {
		code, _, errOut := stepd(t, tt.args...)
		if code == 0 || !strings.Contains(errOut, tt.want) {
			t.Errorf("stepd %v: exit %d, stderr %q, want it to mention %q", tt.args, code, errOut, tt.want)
		}
	}
}

// TestRunProgress checks the progress lines stepd run writes to stderr:
// each names the state it is about, and the execution's end is told once,
// by the status line.
func TestRunProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, definition string
		args             []string
		want, notWant    []string
	}{
		{"Fail state in a Parallel branch",
			`{"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true, "Branches": [
				{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "c"}}}]}}}`, nil,
			[]string{"entered Both (Parallel)", "entered F (Fail)", "status: FAILED", "error:  Boom"},
			[]string{"exited  F", "failed  :"}},
		{"JSONata failure in the second state",
			`{"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "T"},
				"T": {"Type": "Pass", "Output": "{% $nope %}", "End": true}}}`, nil,
			[]string{"exited  A after 0s", "failed  T: States.QueryEvaluationError"},
			[]string{"failed  A", "failed  :"}},
		{"Express execution past five minutes",
			`{"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 400, "End": true}}}`, []string{"--type", "EXPRESS"},
			[]string{"entered Long (Wait)", "status: TIMED_OUT (5m0s)"},
			[]string{"exited  Long", "failed  :"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "machine.json")
			if err := os.WriteFile(path, []byte(tt.definition), 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, errOut := stepd(t, append([]string{"run", path, "--time-scale", "0"}, tt.args...)...)
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("no %q in:\n%s", w, errOut)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(errOut, w) {
					t.Errorf("%q in:\n%s", w, errOut)
				}
			}
		})
	}
}
