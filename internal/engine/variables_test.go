package engine_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestVariablesTotalLimit pins the 10 MiB quota on all the variables of an
// execution: reassigning a name replaces its old size, new names add up.
func TestVariablesTotalLimit(t *testing.T) {
	const big = "{% $pad('x', 250000, '0') %}" // 250,002 bytes serialised
	tests := []struct {
		name      string
		states    int
		distinct  bool
		status    string
		failState string
	}{
		{"reassign one name 60 times", 60, false, "SUCCEEDED", ""},
		{"41 names within 10 MiB", 41, true, "SUCCEEDED", ""},
		{"42nd name crosses 10 MiB", 43, true, "FAILED", "S41"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var states []string
			for i := 0; i < tc.states; i++ {
				name := "v"
				if tc.distinct {
					name = fmt.Sprintf("v%d", i)
				}
				next := fmt.Sprintf(`"Next": "S%d"`, i+1)
				if i == tc.states-1 {
					next = `"End": true`
				}
				states = append(states, fmt.Sprintf(`"S%d": {"Type": "Pass", "Assign": {%q: %q}, "Output": {}, %s}`, i, name, big, next))
			}
			def := `{"QueryLanguage": "JSONata", "StartAt": "S0", "States": {` + strings.Join(states, ",") + `}}`
			var res goldenResult
			if err := json.Unmarshal(runGolden(t, &goldenCase{Definition: json.RawMessage(def)}), &res); err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status {
				t.Fatalf("status %s, want %s (cause %v)", res.Status, tc.status, deref(res.Cause))
			}
			if tc.failState == "" {
				return
			}
			want := "An error occurred while executing the state '" + tc.failState + "'"
			if deref(res.Error) != "States.DataLimitExceeded" || !strings.HasPrefix(deref(res.Cause), want) || !strings.Contains(deref(res.Cause), "10485760 bytes") {
				t.Errorf("error %q cause %q", deref(res.Error), deref(res.Cause))
			}
		})
	}
}
