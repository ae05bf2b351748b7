package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/jsonv"
	"stepd/internal/lambda"
	"stepd/internal/runner"
	"stepd/internal/tasks"
)

func init() {
	subcommands = append(subcommands, newRunCmd)
}

// runOptions are the flags of `stepd run`.
type runOptions struct {
	input      string
	name       string
	mockConfig string
	testCase   string
	history    bool
	timeScale  float64
	smType     string
	dataDir    string
	region     string
	account    string
}

func newRunCmd(s *streams) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run FILE",
		Short: "Run a state machine definition in process and print what happened",
		Long: `Runs an Amazon States Language definition (JSON or YAML) to completion in process.
Progress goes to stderr, one line per state entered, exited, failed or retried; at the end the
status and the output or error and cause. With --history, stdout carries one JSON document:
{"status", "output" | "error", "cause", "events"}, where events is what GetExecutionHistory
returns. Exits 0 when the execution SUCCEEDED and 1 otherwise.

Task states run mocked responses from a Step Functions Local mock config (--mock-config with
--test-case; the test cases are looked up under the state machine's name, --name, which defaults
to the file's base name; SFN_MOCK_CONFIG names the file when the flag is absent). States the test
case does not mock call functions deployed in --data (as stepd serve keeps them).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDefinition(cmd.Context(), s, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.input, "input", "{}", "execution input: JSON text, or @FILE to read it from a file")
	f.StringVar(&o.name, "name", "", "the state machine's name (default: the file's base name)")
	f.StringVar(&o.mockConfig, "mock-config", "", "Step Functions Local mock config file (default: $SFN_MOCK_CONFIG)")
	f.StringVar(&o.testCase, "test-case", "", "the mock config test case to run")
	f.BoolVar(&o.history, "history", false, "print the status, result and event history as one JSON document on stdout")
	f.Float64Var(&o.timeScale, "time-scale", 1, "multiply every wait and retry back-off by this factor (0 makes them instant)")
	f.StringVar(&o.smType, "type", asl.TypeStandard, "state machine type: STANDARD or EXPRESS")
	f.StringVar(&o.dataDir, "data", ".stepd", "data directory holding deployed functions")
	f.StringVar(&o.region, "region", "us-east-1", "region used in ARNs")
	f.StringVar(&o.account, "account", "123456789012", "account used in ARNs")
	return cmd
}

func runDefinition(ctx context.Context, s *streams, file string, o *runOptions) error {
	if !(o.timeScale >= 0) || math.IsInf(o.timeScale, 0) { // NaN too
		return fmt.Errorf("--time-scale must be a number of at least 0, not %v", o.timeScale)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	diags := validateSource(src, detectFormat(file, "auto"), strings.ToUpper(o.smType))
	if diags.HasErrors() {
		diags.SortByPosition()
		printDiagnostics(&streams{out: s.err}, file, src, diags)
		return exitError{code: 1}
	}
	var doc *asl.Document
	if detectFormat(file, "auto") == "yaml" {
		doc, _ = asl.ParseYAML(src)
	} else {
		doc, _ = asl.ParseJSON(src)
	}
	m, _ := asl.CompileDocument(doc, compileOptions(strings.ToUpper(o.smType)))

	input := o.input
	if strings.HasPrefix(input, "@") {
		b, err := os.ReadFile(input[1:])
		if err != nil {
			return fmt.Errorf("--input: %w", err)
		}
		input = string(b)
	}
	if _, err := jsonv.ParseString(input); err != nil {
		return fmt.Errorf("--input is not valid JSON: %w", err)
	}
	name := o.name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		name = strings.TrimSuffix(name, ".asl")
	}

	functions := &lazyLambda{dataDir: o.dataDir, region: o.region, account: o.account}
	defer functions.close()
	var dispatcher tasks.Dispatcher = &tasks.Router{Lambda: functions}
	mockPath := o.mockConfig
	if mockPath == "" {
		mockPath = os.Getenv("SFN_MOCK_CONFIG")
	}
	if o.testCase != "" && mockPath == "" {
		return fmt.Errorf("--test-case needs --mock-config (or SFN_MOCK_CONFIG)")
	}
	if o.testCase == "" && o.mockConfig != "" {
		// Without a test case nothing is mocked (as in Step Functions
		// Local): a mock config given on the command line without one is
		// a mistake, not a request to call the real functions.
		cfg, err := tasks.LoadMockConfig(mockPath)
		if err != nil {
			return err
		}
		cases := cfg.TestCases(name)
		if len(cases) == 0 {
			_, err := cfg.TestCase(name, "")
			return fmt.Errorf("--mock-config needs --test-case: %w; --name sets the state machine's name", err)
		}
		return fmt.Errorf("--mock-config needs --test-case, one of the test cases of %q: %s", name, strings.Join(cases, ", "))
	}
	if o.testCase != "" {
		cfg, err := tasks.LoadMockConfig(mockPath)
		if err != nil {
			return err
		}
		states, err := cfg.TestCase(name, o.testCase)
		if err != nil {
			return err
		}
		// A mocked state the definition lacks is most likely a typo, after
		// which the real integration would be called: say so.
		defined := map[string]bool{}
		m.Walk(func(st *asl.State) { defined[st.Name] = true })
		for _, st := range slices.Sorted(maps.Keys(states)) {
			if !defined[st] {
				fmt.Fprintf(s.err, "stepd: warning: test case %q mocks state %q, which %s does not have\n", o.testCase, st, file)
			}
		}
		dispatcher = &tasks.Mocked{Config: cfg, States: states, Next: dispatcher}
	}

	execName := uuid.NewString()
	arn := func(kind, rest string) string {
		return "arn:aws:states:" + o.region + ":" + o.account + ":" + kind + ":" + rest
	}
	p := &progress{w: s.err, names: map[int64]string{}}
	r := &runner.Runner{
		Dispatcher: dispatcher,
		Virtual:    o.timeScale == 0,
		TimeScale:  o.timeScale,
		OnEvents:   p.events,
	}
	res, err := r.Run(ctx, m, engine.Config{
		ExecutionARN: arn("execution", name+":"+execName), Name: execName,
		StateMachineARN: arn("stateMachine", name), StateMachineName: name,
		RoleARN: "arn:aws:iam::" + o.account + ":role/stepd", Region: o.region, Type: strings.ToUpper(o.smType),
	}, input)
	if err != nil {
		return err
	}
	p.finish(res)
	if o.history {
		if err := writeHistoryDoc(s.out, res); err != nil {
			return err
		}
	}
	if res.Status != engine.Succeeded {
		return exitError{code: 1}
	}
	return nil
}

// writeHistoryDoc writes {"status", "output" | "error", "cause", "events"}.
func writeHistoryDoc(w io.Writer, res *runner.Result) error {
	doc := struct {
		Status string          `json:"status"`
		Output json.RawMessage `json:"output,omitempty"`
		Error  *string         `json:"error,omitempty"`
		Cause  *string         `json:"cause,omitempty"`
		Events []history.Event `json:"events"`
	}{Status: string(res.Status), Error: res.Error, Cause: res.Cause, Events: res.Events}
	if res.Status == engine.Succeeded {
		doc.Output = json.RawMessage(res.Output)
	}
	if doc.Events == nil {
		doc.Events = []history.Event{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// progress prints one line per state entered, exited, failed or retried,
// timed on the execution's clock (its history's timestamps: waits shortened
// by --time-scale count in full, as in the final status line).
type progress struct {
	w       io.Writer
	start   time.Time        // the execution's start
	names   map[int64]string // event id → state name of its thread
	entered map[string]time.Time
	attempt map[string]int
}

func (p *progress) line(at time.Time, format string, args ...any) {
	fmt.Fprintf(p.w, "%8.3fs  %s\n", at.Sub(p.start).Seconds(), fmt.Sprintf(format, args...))
}

func (p *progress) events(evs []history.Event) {
	if p.entered == nil {
		p.entered, p.attempt = map[string]time.Time{}, map[string]int{}
	}
	for _, e := range evs {
		if p.start.IsZero() {
			p.start = e.Timestamp
		}
		t := string(e.Type)
		if strings.HasPrefix(t, "Execution") {
			continue // the status line reports how the execution ended
		}
		// Events of a state name it, or follow one that does.
		name := p.names[e.PreviousEventID]
		if d := e.Details; d != nil && d.Name != "" {
			name = d.Name
		} else if d != nil && d.State != "" { // EvaluationFailed
			name = d.State
		}
		p.names[e.ID] = name
		switch {
		case strings.HasSuffix(t, "StateEntered"):
			p.entered[name] = e.Timestamp
			p.attempt[name] = 0
			p.line(e.Timestamp, "entered %s (%s)", name, strings.TrimSuffix(t, "StateEntered"))
		case strings.HasSuffix(t, "StateExited"):
			p.line(e.Timestamp, "exited  %s after %s", name, e.Timestamp.Sub(p.entered[name]).Round(time.Millisecond))
		case strings.HasSuffix(t, "Scheduled") || t == "ParallelStateStarted" || t == "MapStateStarted":
			if p.attempt[name] > 0 {
				p.line(e.Timestamp, "retried %s (attempt %d)", name, p.attempt[name]+1)
			}
			p.attempt[name]++
		case strings.HasSuffix(t, "Failed") || strings.HasSuffix(t, "TimedOut"):
			if e.Details == nil || e.Details.Error == nil {
				continue
			}
			p.line(e.Timestamp, "failed  %s: %s", name, *e.Details.Error)
		}
	}
}

func (p *progress) finish(res *runner.Result) {
	fmt.Fprintf(p.w, "status: %s (%s)\n", res.Status, res.Stop.Sub(res.Start).Round(time.Millisecond))
	if res.Status == engine.Succeeded {
		fmt.Fprintf(p.w, "output: %s\n", res.Output)
		return
	}
	if res.Error != nil {
		fmt.Fprintf(p.w, "error:  %s\n", *res.Error)
	}
	if res.Cause != nil {
		fmt.Fprintf(p.w, "cause:  %s\n", *res.Cause)
	}
}

// lazyLambda opens the function runtime on the first Lambda task, so runs
// that need none start nothing.
type lazyLambda struct {
	dataDir, region, account string
	once                     sync.Once
	svc                      *lambda.Service
	err                      error
}

func (l *lazyLambda) Dispatch(ctx context.Context, req *engine.TaskRequest, rep tasks.Reporter) {
	l.once.Do(func() {
		l.svc, l.err = lambda.New(lambda.Options{DataDir: l.dataDir, Region: l.region, Account: l.account,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	})
	if l.err != nil {
		rep.Failed("Lambda.ServiceException", fmt.Sprintf("the function runtime could not start: %v", l.err))
		return
	}
	(&tasks.LambdaDispatcher{Invoker: l.svc}).Dispatch(ctx, req, rep)
}

func (l *lazyLambda) close() {
	if l.svc != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = l.svc.Close(ctx)
	}
}
