package console

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeGoldenHistories runs the console's history analysis
// (graph.js analyze, in node) over histories the engine's golden tests
// pin, and checks the outcome it colours each top-level state with.
func TestAnalyzeGoldenHistories(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; run scripts/test-deps.sh")
	}
	graphJS, err := filepath.Abs("static/graph.js")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		golden string
		want   map[string]string
	}{
		{"catch_default_resultpath", map[string]string{"Start": "caught"}},
		{"redrive_task_failure", map[string]string{"Prepare": "succeeded", "Work": "succeeded", "Done": "succeeded"}},
		// A redrive resumes a failed Map or Parallel without entering it
		// again: it ends succeeded, not "caught".
		{"redrive_distributed_map", map[string]string{"Each": "succeeded"}},
		{"redrive_map_failed_iterations", map[string]string{"Each": "succeeded"}},
		{"redrive_parallel_failed_branch", map[string]string{"Par": "succeeded", "After": "succeeded"}},
		{"redrive_map_in_parallel", map[string]string{"Par": "succeeded"}},
	}
	script := `import { buildGraph, analyze } from ` + jsString("file://"+graphJS) + `;
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const { definition, history } = JSON.parse(Buffer.concat(chunks).toString());
const a = analyze(buildGraph(definition), history.events, history.status);
const out = {};
for (const [name, s] of a.states) out[name] = s.status;
process.stdout.write(JSON.stringify(out));`
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			base := filepath.Join("..", "engine", "testdata", "golden", tt.golden)
			def, err1 := os.ReadFile(base + ".json")
			hist, err2 := os.ReadFile(base + ".golden")
			if err1 != nil || err2 != nil {
				t.Fatalf("golden files: %v %v", err1, err2)
			}
			var c struct {
				Definition json.RawMessage `json:"definition"`
			}
			if err := json.Unmarshal(def, &c); err != nil {
				t.Fatal(err)
			}
			in, _ := json.Marshal(map[string]json.RawMessage{"definition": c.Definition, "history": hist})
			cmd := exec.Command(node, "--input-type=module", "-e", script)
			cmd.Stdin = strings.NewReader(string(in))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("node: %v\n%s", err, out)
			}
			var got map[string]string
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("node printed %s", out)
			}
			for name, want := range tt.want {
				if got[name] != want {
					t.Errorf("%s is %q, want %q (all: %v)", name, got[name], want, got)
				}
			}
		})
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
