package engine_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/jsonv"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestGolden")

// goldenCase is one file of testdata/golden: a definition, an input and
// scripted task outcomes. Its .golden twin holds the whole resulting history.
type goldenCase struct {
	Comment    string          `json:"comment"`
	Definition json.RawMessage `json:"definition"`
	Type       string          `json:"type"`
	Input      json.RawMessage `json:"input"`
	// Tasks gives, per state name, the outcome of each attempt in order
	// (the last one repeats): {"return": value}, {"throw": {"Error", "Cause"}},
	// {"hang": true} (never answers: timeouts apply) or
	// {"heartbeat": n, "return": value} (sends n heartbeats first).
	Tasks map[string][]goldenOutcome `json:"tasks"`
	// StopAt stops the execution (StopExecution) once this many seconds of
	// virtual time have passed, with the given error and cause.
	StopAt *struct {
		Seconds int     `json:"seconds"`
		Error   *string `json:"error"`
		Cause   *string `json:"cause"`
	} `json:"stop"`
	MaxEvents int `json:"maxEvents"`
	// Redrive lists redrives to make, in order: each time the execution
	// ends, the next one lets its Seconds of virtual time pass, then takes
	// the ended execution's snapshot, restores it and redrives it
	// (RedriveExecution). Tasks go on counting their attempts per state, so
	// the outcome lists of Tasks continue where the earlier run stopped.
	Redrive []struct {
		Seconds int `json:"seconds"`
	} `json:"redrive"`
}

type goldenOutcome struct {
	Return json.RawMessage `json:"return"`
	Throw  *struct {
		Error string `json:"Error"`
		Cause string `json:"Cause"`
	} `json:"throw"`
	Hang bool `json:"hang"`
}

type goldenResult struct {
	Status string          `json:"status"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  *string         `json:"error,omitempty"`
	Cause  *string         `json:"cause,omitempty"`
	// RedriveError is the error of a scripted redrive that was refused.
	RedriveError string          `json:"redriveError,omitempty"`
	Events       []history.Event `json:"events"`
}

// TestGolden runs every scripted case in testdata/golden on virtual time and
// compares the complete history with the .golden file next to it. Run with
// -update to rewrite them; review the diff before committing.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var gc goldenCase
			if err := json.Unmarshal(raw, &gc); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			got := runGolden(t, &gc)
			goldenFile := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(goldenFile, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenFile)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("history differs from %s (run with -update and review the diff):\n%s", goldenFile, firstDiff(string(want), string(got)))
			}
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + itoa(i+1) + ":\n want: " + x + "\n  got: " + y
		}
	}
	return ""
}

func itoa(n int) string { return jsonv.Marshal(int64(n)) }

func runGolden(t *testing.T, gc *goldenCase) []byte {
	t.Helper()
	m, diags := asl.Compile(gc.Definition, asl.Options{Type: gc.Type, JSONata: jsonataEngine})
	if diags.HasErrors() {
		t.Fatalf("definition: %s", diags.InvalidDefinitionMessage())
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	now := start
	cfg := engine.Config{
		ExecutionARN:     "arn:aws:states:us-east-1:123456789012:execution:golden:run",
		Name:             "run",
		StateMachineARN:  "arn:aws:states:us-east-1:123456789012:stateMachine:golden",
		StateMachineName: "golden", RoleARN: "arn:aws:iam::123456789012:role/golden", Region: "us-east-1",
		Type: gc.Type, Seed: 1, MaxEvents: gc.MaxEvents,
	}
	x := engine.New(m, cfg)
	input := string(gc.Input)
	if input == "" {
		input = "{}"
	}
	in, err := jsonv.ParseString(input)
	if err != nil {
		t.Fatal(err)
	}
	var events []history.Event
	timers := map[string]time.Time{}
	var queue []*engine.TaskRequest
	attempts := map[string]int{}
	apply := func(b *engine.Batch) {
		events = append(events, b.Events...)
		for _, c := range b.Commands {
			switch c.Kind {
			case engine.RunTask:
				queue = append(queue, c.Task)
			case engine.CancelTask:
				for i, tr := range queue {
					if tr.ID == c.ID {
						queue = append(queue[:i], queue[i+1:]...)
						break
					}
				}
			case engine.SetTimer:
				timers[c.ID] = c.At
			case engine.CancelTimer:
				delete(timers, c.ID)
			}
		}
	}
	apply(x.Start(in, input, now))
	stopped := false
	redrives := gc.Redrive
	var redriveErr error
	for steps := 0; ; steps++ {
		if x.Status() != engine.Running {
			if len(redrives) == 0 {
				break
			}
			now = now.Add(time.Duration(redrives[0].Seconds) * time.Second)
			redrives = redrives[1:]
			// What a driver does: restore the ended execution from its
			// stored snapshot, redrive it, store the new one.
			snap := x.Snapshot()
			y, err := engine.Restore(m, cfg, snap)
			if err != nil {
				t.Fatalf("restore the ended execution: %v", err)
			}
			if again := y.Snapshot(); !bytes.Equal(again, snap) {
				t.Fatalf("snapshot of the restored execution differs:\n%s\n%s", snap, again)
			}
			b, err := y.Redrive(now)
			if err != nil {
				redriveErr = err
				break
			}
			x = y
			apply(b)
			continue
		}
		if steps > 100000 {
			t.Fatal("execution does not end")
		}
		if gc.StopAt != nil && !stopped && !now.Before(start.Add(time.Duration(gc.StopAt.Seconds)*time.Second)) {
			stopped = true
			apply(x.Stop(gc.StopAt.Error, gc.StopAt.Cause, now))
			continue
		}
		answered := false
		for len(queue) > 0 && !answered {
			tr := queue[0]
			queue = queue[1:]
			outcomes := gc.Tasks[tr.StateName]
			if len(outcomes) == 0 {
				t.Fatalf("no scripted outcome for state %q", tr.StateName)
			}
			n := attempts[tr.StateName]
			attempts[tr.StateName] = n + 1
			o := outcomes[min(n, len(outcomes)-1)]
			switch {
			case o.Hang:
				continue
			case o.Throw != nil:
				apply(x.TaskFailed(tr.ID, o.Throw.Error, o.Throw.Cause, now))
			default:
				v, err := jsonv.Parse(o.Return)
				if err != nil {
					t.Fatalf("state %s: return: %v", tr.StateName, err)
				}
				if tr.Resource.Kind == asl.ResourceActivity {
					apply(x.TaskStarted(tr.ID, "golden-worker", now))
				}
				apply(x.TaskSucceeded(tr.ID, v, now))
			}
			answered = true
		}
		if answered {
			continue
		}
		type timer struct {
			id string
			at time.Time
		}
		var next []timer
		for id, at := range timers {
			next = append(next, timer{id, at})
		}
		if gc.StopAt != nil && !stopped {
			next = append(next, timer{"~stop", start.Add(time.Duration(gc.StopAt.Seconds) * time.Second)})
		}
		if len(next) == 0 {
			t.Fatal("stuck: no task to answer and no timer armed")
		}
		sort.Slice(next, func(i, j int) bool {
			if next[i].at.Equal(next[j].at) {
				return next[i].id < next[j].id
			}
			return next[i].at.Before(next[j].at)
		})
		if next[0].at.After(now) {
			now = next[0].at
		}
		if next[0].id == "~stop" {
			continue
		}
		delete(timers, next[0].id)
		apply(x.TimerFired(next[0].id, now))
	}
	res := goldenResult{Status: string(x.Status()), Events: events}
	if x.Status() == engine.Succeeded {
		res.Output = json.RawMessage(x.Output())
	}
	res.Error, res.Cause = x.Error()
	if redriveErr != nil {
		res.RedriveError = redriveErr.Error()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
