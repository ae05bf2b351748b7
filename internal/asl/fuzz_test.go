package asl_test

import (
	"os"
	"path/filepath"
	"testing"

	"stepd/internal/asl"
)

// FuzzCompile feeds arbitrary text to the definition front end: any input
// may be rejected with diagnostics, none may panic, and an accepted machine
// must be complete (a start state, every Next resolved).
func FuzzCompile(f *testing.F) {
	seeds := []string{
		`{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`,
		`{"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "E"}], "Default": "E"}, "E": {"Type": "Succeed"}}}`,
		`{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $states.input %}", "End": true}}}`,
		`StartAt: A`,
		`“Comment”: “x”`,
	}
	if b, err := os.ReadFile(filepath.Join(sharedDir, "seed-tutorial", "statemachine.asl.json")); err == nil {
		seeds = append(seeds, string(b))
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		m, diags := asl.Compile([]byte(src), asl.Options{JSONata: jsonataEngine})
		if diags.HasErrors() {
			if m != nil {
				t.Fatal("a machine was returned with errors")
			}
			return
		}
		if m == nil || m.Start == nil {
			t.Fatalf("accepted without a start state: %q", src)
		}
		m.Walk(func(s *asl.State) {
			if s.Next != "" && s.NextState == nil {
				t.Fatalf("state %q: Next %q unresolved", s.Name, s.Next)
			}
		})
		if doc, _ := asl.ParseYAML([]byte(src)); doc != nil {
			asl.CompileDocument(doc, asl.Options{})
		}
	})
}
