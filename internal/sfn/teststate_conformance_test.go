package sfn_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"stepd/internal/jsonv"
	"stepd/internal/lambda"
	"stepd/internal/recorded"
	"stepd/internal/sfn"
	"stepd/internal/store/memstore"
)

// sharedDir is the team's shared reference material, next to the repository.
const sharedDir = "../../../shared"

// testStateCase is a TestState call recorded against real AWS
// (shared/conformance/aws-recorded/cases_api/TestState__*.json and
// error-TestState__*.json).
type testStateCase struct {
	Name     string          `json:"name"`
	Kind     string          `json:"kind"`
	Request  json.RawMessage `json:"request"`
	Expected struct {
		Response  json.RawMessage `json:"response"`
		ErrorCode string          `json:"error_code"`
		Message   string          `json:"message"`
	} `json:"expected"`
	Flags []string `json:"flags"`
}

// testStateFunctions are the functions the recorded cases call: LocalStack's
// identity handler, under the name the requests use.
var testStateFunctions = []string{"lambda_func_00000001"}

// TestConformanceAWSTestState runs every TestState case recorded against
// AWS through the service and reports how many agree: the same error code
// and message for rejected calls; the same status, output, error, cause,
// nextState and inspectionData (payloads compared as JSON, the recorder's
// redaction tokens as wildcards) for the others.
func TestConformanceAWSTestState(t *testing.T) {
	dir := filepath.Join(sharedDir, "conformance", "aws-recorded", "cases_api")
	var files []string
	for _, pattern := range []string{"TestState__*.json", "error-TestState__*.json"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skipf("AWS-recorded TestState cases not found in %s (they live in ../shared, next to the repository)", dir)
	}
	sort.Strings(files)
	svc := testStateService(t)
	var agree int
	var disagreements []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c testStateCase
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if problem := runTestStateCase(t, svc, &c); problem != "" {
			disagreements = append(disagreements, c.Name+": "+problem)
			continue
		}
		agree++
	}
	t.Logf("AWS TestState conformance: %d/%d cases agree (%.1f%%)", agree, len(files), 100*float64(agree)/float64(len(files)))
	for _, d := range disagreements {
		t.Logf("disagreement: %s", d)
	}
	if pct := 100 * float64(agree) / float64(len(files)); pct < 90 {
		t.Errorf("TestState conformance %.1f%% is below 90%%", pct)
	}
}

// testStateService is a service on a memory store, with the recorded
// cases' functions when python3 is there to run them.
func testStateService(t *testing.T) *sfn.Service {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := sfn.Options{Store: memstore.New(), Logger: logger}
	if _, err := exec.LookPath("python3"); err == nil {
		fns, err := lambda.New(lambda.Options{DataDir: t.TempDir(), Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = fns.Close(context.Background()) })
		for _, name := range testStateFunctions {
			code := filepath.Join(t.TempDir(), name)
			if err := os.MkdirAll(code, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(code, "index.py"), []byte("def handler(event, context):\n    return event\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := fns.CreateFunction(context.Background(), &lambda.CreateFunctionInput{FunctionName: name, Runtime: "python3.12",
				Handler: "index.handler", Role: "arn:aws:iam::123456789012:role/fn", Code: lambda.FunctionCode{Dir: code}}); err != nil {
				t.Fatal(err)
			}
		}
		opts.Functions = fns
	}
	svc, err := sfn.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// runTestStateCase runs one case and describes the first disagreement, or
// returns "".
func runTestStateCase(t *testing.T, svc *sfn.Service, c *testStateCase) string {
	t.Helper()
	req := strings.ReplaceAll(string(c.Request), "<role-arn>", "arn:aws:iam::123456789012:role/test-state")
	var in sfn.TestStateInput
	if err := json.Unmarshal([]byte(req), &in); err != nil {
		return "request: " + err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := svc.TestState(ctx, &in)
	if c.Expected.ErrorCode != "" {
		var se *sfn.Error
		switch {
		case err == nil:
			b, _ := json.Marshal(out)
			return fmt.Sprintf("want %s %q, got success %s", c.Expected.ErrorCode, c.Expected.Message, b)
		case !errors.As(err, &se):
			return fmt.Sprintf("want %s %q, got %v", c.Expected.ErrorCode, c.Expected.Message, err)
		case se.Code != c.Expected.ErrorCode || se.Message != c.Expected.Message:
			return fmt.Sprintf("want %s %q, got %s %q", c.Expected.ErrorCode, c.Expected.Message, se.Code, se.Message)
		}
		return ""
	}
	if err != nil {
		return "unexpected error: " + err.Error()
	}
	b, _ := json.Marshal(out)
	got, _ := jsonv.Parse(b)
	want, err := jsonv.Parse(c.Expected.Response)
	if err != nil {
		return "expected response: " + err.Error()
	}
	if !redactions.Match(normalizeTestStateResponse(want), normalizeTestStateResponse(got)) {
		return fmt.Sprintf("\n      got  %s\n      want %s", b, c.Expected.Response)
	}
	return ""
}

// testStatePayloads are the response members holding JSON text.
var testStatePayloads = map[string]bool{
	"output": true, "input": true, "afterArguments": true, "afterInputPath": true, "afterParameters": true,
	"afterItemsPath": true, "afterItemSelector": true, "afterItemBatcher": true, "afterItemsPointer": true,
	"result": true, "afterResultSelector": true, "afterResultPath": true, "variables": true,
}

// normalizeTestStateResponse parses the JSON text of a TestState response's
// payload members, so payloads compare as values (the recorder kept some as
// text and parsed others).
func normalizeTestStateResponse(v any) any {
	o, ok := v.(*jsonv.Object)
	if !ok {
		return v
	}
	out := jsonv.NewObject(o.Len())
	for i := 0; i < o.Len(); i++ {
		k, val := o.At(i)
		switch {
		case k == "inspectionData":
			val = normalizeTestStateResponse(val)
		case testStatePayloads[k]:
			if s, isStr := val.(string); isStr {
				if p, err := jsonv.ParseString(s); err == nil {
					val = p
				}
			}
		}
		out.Set(k, val)
	}
	return out
}

// redactions are the placeholders the recorder put in expected values
// (README: "Redactions").
var redactions = recorded.NewRedactions(`<[A-Za-z_:\-0-9]+>|\bdate\b|\btimestamp\b|^RequestId$|111111111111`)
