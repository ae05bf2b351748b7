package asl_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"stepd/internal/asl"
	"stepd/internal/jsonata"
)

// jsonataEngine checks the syntax of JSONata expressions.
var jsonataEngine = jsonata.New(jsonata.WithTimeLimit(10 * time.Second))

// sharedDir is the team's shared reference material, next to the repository.
const sharedDir = "../../../shared"

func conformanceFiles(t testing.TB, sub string) []string {
	t.Helper()
	dir := filepath.Join(sharedDir, "conformance", "aws-recorded", sub)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Skipf("AWS-recorded conformance cases not found in %s (they live in ../shared, next to the repository)", dir)
	}
	sort.Strings(files)
	return files
}

type apiCase struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Operation string `json:"operation"`
	Request   struct {
		Definition string `json:"definition"`
		Type       string `json:"type"`
	} `json:"request"`
	Expected struct {
		ErrorCode string `json:"error_code"`
		Message   string `json:"message"`
		Response  *struct {
			Result string `json:"result"`
		} `json:"response"`
	} `json:"expected"`
}

// TestConformanceAWSValidation runs every CreateStateMachine and
// ValidateStateMachineDefinition case recorded against real AWS
// (conformance/aws-recorded/cases_api) through the validator and checks that
// stepd accepts or rejects each definition as AWS did.
func TestConformanceAWSValidation(t *testing.T) {
	t.Parallel()
	var total, agree int
	var disagreements []string
	for _, f := range conformanceFiles(t, "cases_api") {
		var c apiCase
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var awsRejected bool
		switch {
		case c.Kind == "error:CreateStateMachine":
			// Other errors (logging configuration, already exists, ...) are
			// about the request, not the definition, which AWS accepted.
			awsRejected = c.Expected.ErrorCode == "InvalidDefinition"
		case c.Operation == "ValidateStateMachineDefinition" && c.Expected.Response != nil:
			awsRejected = c.Expected.Response.Result == "FAIL"
		default:
			continue
		}
		total++
		smType := c.Request.Type
		if smType == "" {
			smType = asl.TypeStandard
		}
		_, diags := asl.Compile([]byte(c.Request.Definition), asl.Options{Type: smType, JSONata: jsonataEngine})
		weRejected := diags.HasErrors()
		if weRejected == awsRejected {
			agree++
			continue
		}
		verdict := "accepted"
		if weRejected {
			verdict = "rejected (" + diags.InvalidDefinitionMessage() + ")"
		}
		disagreements = append(disagreements, c.Name+": AWS "+map[bool]string{true: "rejected (" + c.Expected.Message + ")", false: "accepted"}[awsRejected]+", stepd "+verdict)
	}
	pct := 100 * float64(agree) / float64(total)
	t.Logf("AWS validation conformance: %d/%d cases agree (%.1f%%)", agree, total, pct)
	for _, d := range disagreements {
		t.Logf("disagreement: %s", d)
	}
	if pct < 95 {
		t.Errorf("agreement %.1f%% is below the required 95%%", pct)
	}
}

type execCase struct {
	Name             string          `json:"name"`
	StateMachineType string          `json:"stateMachineType"`
	Definition       json.RawMessage `json:"definition"`
	Features         []string        `json:"features"`
}

// TestConformanceAcceptedDefinitions compiles every definition AWS ran in the
// recorded executions (conformance/aws-recorded/cases): AWS accepted all of
// them, so none may have an error diagnostic.
func TestConformanceAcceptedDefinitions(t *testing.T) {
	t.Parallel()
	var total, ok int
	for _, f := range conformanceFiles(t, "cases") {
		var c execCase
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		def := []byte(c.Definition)
		var s string
		if json.Unmarshal(c.Definition, &s) == nil {
			def = []byte(s) // kept as text because it has duplicate keys
		}
		total++
		_, diags := asl.Compile(def, asl.Options{Type: c.StateMachineType, JSONata: jsonataEngine})
		if diags.HasErrors() {
			t.Errorf("%s: AWS accepted this definition, stepd rejects it: %s", c.Name, diags.InvalidDefinitionMessage())
			continue
		}
		ok++
	}
	t.Logf("accepted %d/%d definitions that AWS accepted", ok, total)
}

func TestTutorialDefinitions(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(sharedDir, "seed-tutorial")
	good, err := os.ReadFile(filepath.Join(dir, "statemachine.asl.json"))
	if err != nil {
		t.Skipf("seed tutorial not found in %s", dir)
	}
	m, diags := asl.Compile(good, asl.Options{})
	if diags.HasErrors() || m == nil {
		t.Fatalf("tutorial definition rejected: %v", diags)
	}
	if m.Start.Name != "Call API" || len(m.States) != 6 || m.Start.NextState.Name != "OK" {
		t.Errorf("compiled tutorial machine: start %q, %d states", m.Start.Name, len(m.States))
	}
	if r := m.Start.Retry[0]; r.MaxAttempts != 2 || r.IntervalSeconds != 1 || r.BackoffRate != 2.0 {
		t.Errorf("retrier = %+v", r)
	}

	bad, err := os.ReadFile(filepath.Join(dir, "as-published.asl.txt"))
	if err != nil {
		t.Fatal(err)
	}
	_, diags = asl.Compile(bad, asl.Options{})
	if len(diags) != 1 || diags[0].Code != asl.CodeInvalidJSON {
		t.Fatalf("as-published text: want one INVALID_JSON_DESCRIPTION, got %v", diags)
	}
	d := diags[0]
	for _, want := range []string{"typographic quotes", "“ at line 1, column 1", "straight quotes"} {
		if !strings.Contains(d.Message, want) {
			t.Errorf("message %q does not mention %q", d.Message, want)
		}
	}
	if d.Pos.Line != 1 || d.Pos.Column != 1 {
		t.Errorf("position = %v, want 1:1", d.Pos)
	}
}
