package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/jsonata"
	"stepd/internal/jsonv"
	"stepd/internal/lambda"
	"stepd/internal/recorded"
	"stepd/internal/runner"
	"stepd/internal/tasks"
)

// recordedCase is one execution recorded against real AWS
// (shared/conformance/aws-recorded/cases; the README there explains the
// format).
type recordedCase struct {
	Name             string          `json:"name"`
	Features         []string        `json:"features"`
	Flags            []string        `json:"flags"`
	StateMachineType string          `json:"stateMachineType"`
	Definition       json.RawMessage `json:"definition"`
	InputText        string          `json:"input_text"`
	Input            json.RawMessage `json:"input"`
	Expected         struct {
		Status      string          `json:"status"`
		Output      json.RawMessage `json:"output"`
		OutputText  *string         `json:"output_text"`
		Error       *string         `json:"error"`
		Cause       json.RawMessage `json:"cause"`
		CauseIsJSON bool            `json:"cause_is_json"`
		Events      []string        `json:"events"`
	} `json:"expected"`
	Functions []struct {
		Name        string            `json:"name"`
		Runtime     string            `json:"runtime"`
		Handler     string            `json:"handler"`
		Timeout     int               `json:"timeout"`
		Environment map[string]string `json:"environment"`
		FileName    string            `json:"file_name"`
		Code        string            `json:"code"`
	} `json:"functions"`
	File string `json:"file"`
}

func (c *recordedCase) has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func loadCases(t *testing.T) []*recordedCase {
	t.Helper()
	dir := filepath.Join(sharedDir, "conformance", "aws-recorded", "cases")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Skipf("AWS-recorded cases not found in %s", dir)
	}
	sort.Strings(files)
	var out []*recordedCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := &recordedCase{}
		if err := json.Unmarshal(b, c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, c)
	}
	return out
}

// TestConformanceRecordedExecutions runs every JSONPath case recorded against
// AWS through the engine, with Lambda cases calling the recorded handlers
// through the real function runtime, and compares status, output, error,
// cause and the sequence of event types.
func TestConformanceRecordedExecutions(t *testing.T) {
	cases := loadCases(t)
	type outcome struct {
		name, problem string
		jsonata       bool
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
	)
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, c := range cases {
		jsonata := c.has(c.Features, "jsonata")
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			problem := runCase(t, c)
			mu.Lock()
			outcomes = append(outcomes, outcome{c.Name, problem, jsonata})
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(outcomes, func(i, j int) bool { return outcomes[i].name < outcomes[j].name })
	var pathTotal, pathPass, ataTotal, ataPass int
	for _, o := range outcomes {
		if o.jsonata {
			ataTotal++
			if o.problem == "" {
				ataPass++
			}
		} else {
			pathTotal++
			if o.problem == "" {
				pathPass++
			}
		}
		if o.problem != "" {
			t.Logf("FAIL %s: %s", o.name, o.problem)
		}
	}
	pct := 100 * float64(pathPass) / float64(pathTotal)
	t.Logf("JSONPath cases: %d/%d pass (%.1f%%); JSONata cases: %d/%d pass", pathPass, pathTotal, pct, ataPass, ataTotal)
	if pct < 90 {
		t.Errorf("JSONPath conformance %.1f%% is below the required 90%%", pct)
	}
}

// jsonataEngine evaluates the JSONata cases.
var jsonataEngine = jsonata.New(jsonata.WithTimeLimit(10 * time.Second))

// runCase runs one recorded case and describes the first disagreement, or
// returns "".
func runCase(t *testing.T, c *recordedCase) (problem string) {
	defer func() {
		if r := recover(); r != nil {
			problem = fmt.Sprintf("panic: %v", r)
		}
	}()
	def := []byte(c.Definition)
	var s string
	if json.Unmarshal(c.Definition, &s) == nil {
		def = []byte(s)
	}
	m, diags := asl.Compile(def, asl.Options{Type: c.StateMachineType, JSONata: jsonataEngine})
	if diags.HasErrors() {
		return "definition rejected: " + diags.InvalidDefinitionMessage()
	}
	const account, region, smName, execName = "111111111111", "us-east-1", "sm-conformance", "exec-conformance"
	router := &tasks.Router{}
	if len(c.Functions) > 0 || strings.Contains(string(def), "lambda") {
		dir := t.TempDir()
		svc, err := lambda.New(lambda.Options{DataDir: filepath.Join(dir, "data"), Region: region, Account: account, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return "lambda service: " + err.Error()
		}
		defer svc.Close(context.Background())
		for _, fn := range c.Functions {
			code := filepath.Join(dir, fn.Name)
			if err := os.MkdirAll(code, 0o755); err != nil {
				return err.Error()
			}
			if err := os.WriteFile(filepath.Join(code, fn.FileName), []byte(fn.Code), 0o644); err != nil {
				return err.Error()
			}
			timeout := fn.Timeout
			in := &lambda.CreateFunctionInput{FunctionName: fn.Name, Runtime: fn.Runtime, Handler: fn.Handler,
				Role: "arn:aws:iam::111111111111:role/r", Code: lambda.FunctionCode{Dir: code}, Timeout: &timeout}
			if len(fn.Environment) > 0 {
				in.Environment = &lambda.Environment{Variables: fn.Environment}
			}
			if _, err := svc.CreateFunction(context.Background(), in); err != nil {
				return "create function: " + err.Error()
			}
		}
		router.Lambda = &tasks.LambdaDispatcher{Invoker: svc}
	}
	r := &runner.Runner{Virtual: true, Dispatcher: router, Start: time.Date(2024, 11, 15, 16, 16, 35, 0, time.UTC)}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	input := c.InputText
	if input == "" {
		input = string(c.Input)
	}
	res, err := r.Run(ctx, m, engine.Config{
		ExecutionARN:     "arn:aws:states:" + region + ":" + account + ":execution:" + smName + ":" + execName,
		Name:             execName,
		StateMachineARN:  "arn:aws:states:" + region + ":" + account + ":stateMachine:" + smName,
		StateMachineName: smName, RoleARN: "arn:aws:iam::" + account + ":role/sfn", Region: region, Type: c.StateMachineType,
	}, input)
	if err != nil {
		return "run: " + err.Error()
	}
	if string(res.Status) != c.Expected.Status {
		return fmt.Sprintf("status %s (error %s, cause %s), want %s", res.Status, str(res.Error), str(res.Cause), c.Expected.Status)
	}
	if c.Expected.Status == "SUCCEEDED" {
		got, _ := jsonv.ParseString(res.Output)
		want, _ := jsonv.Parse(c.Expected.Output)
		if !redactions.Match(want, got) {
			return fmt.Sprintf("output %s, want %s", res.Output, string(c.Expected.Output))
		}
	} else {
		if c.Expected.Error != nil && !redactions.Match(*c.Expected.Error, str(res.Error)) {
			return fmt.Sprintf("error %q, want %q", str(res.Error), *c.Expected.Error)
		}
		if len(c.Expected.Cause) > 0 && string(c.Expected.Cause) != "null" {
			want, _ := jsonv.Parse(c.Expected.Cause)
			var got any = str(res.Cause)
			if c.Expected.CauseIsJSON {
				if p, err := jsonv.ParseString(str(res.Cause)); err == nil {
					got = p
				}
			}
			if !redactions.Match(want, got) {
				return fmt.Sprintf("cause %q, want %s", str(res.Cause), string(c.Expected.Cause))
			}
		}
	}
	if c.Expected.Events != nil {
		var got []string
		sorted := c.has(c.Flags, "parallel_events_sorted_by_snapshot")
		for _, e := range res.Events {
			// The recorder's transformer dropped ParallelStateSucceeded
			// from these cases (README, "events order").
			if sorted && e.Type == "ParallelStateSucceeded" {
				continue
			}
			got = append(got, string(e.Type))
		}
		if !sameEvents(c.Expected.Events, got, c.has(c.Flags, "concurrent_branch_event_order") || c.has(c.Flags, "parallel_events_sorted_by_snapshot")) {
			return fmt.Sprintf("events\n      got  %s\n      want %s", strings.Join(got, ","), strings.Join(c.Expected.Events, ","))
		}
	}
	return ""
}

func str(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// redactions are the placeholders the recorder put in expected values
// (README: "Redactions").
var redactions = recorded.NewRedactions(`<[A-Za-z_:\-0-9]+>|\bdate\b|\btimestamp\b|snf_role_arn|sfn_role_arn|RandomNumberGenerated|generated-uuid|start-time|entered-time|^RequestId$|111111111111|arn:<partition>`)

// sameEvents compares event type sequences; with concurrent branches, the
// events between a Parallel/Map start and its end compare as multisets.
func sameEvents(want, got []string, concurrent bool) bool {
	if strings.Join(want, ",") == strings.Join(got, ",") {
		return true
	}
	if !concurrent || len(want) != len(got) {
		return false
	}
	a, b := append([]string(nil), want...), append([]string(nil), got...)
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, ",") == strings.Join(b, ",")
}
