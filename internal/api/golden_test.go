package api

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// volatile masks values that change on every run (or with the zip
// library's compression).
var volatile = regexp.MustCompile(`("(?:LastModified|RevisionId|CodeSha256)": )"[^"]*"|("CodeSize": )\d+`)

// TestCreateFunctionGolden pins the JSON shape of CreateFunction,
// GetFunction and ListFunctions responses (member names and defaults from
// aws-semantics §6.3). Run with -update to rewrite the golden file, and
// review the diff.
func TestCreateFunctionGolden(t *testing.T) {
	r, _ := newLambdaRouter(t)
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("app.py")
	_, _ = w.Write([]byte("def handler(e, c):\n    return 1\n"))
	_ = zw.Close()
	body := `{"FunctionName":"golden","Runtime":"python3.12","Role":"arn:aws:iam::123456789012:role/x","Handler":"app.handler",` +
		`"Description":"pinned","Environment":{"Variables":{"STAGE":"test"}},"Tags":{"team":"x"},` +
		`"Code":{"ZipFile":"` + base64.StdEncoding.EncodeToString(zbuf.Bytes()) + `"}}`
	var out bytes.Buffer
	for _, step := range []struct{ method, path, body string }{
		{"POST", "/2015-03-31/functions", body},
		{"GET", "/2015-03-31/functions/golden", ""},
		{"GET", "/2015-03-31/functions/", ""},
	} {
		got := do(t, r, step.method, step.path, "", step.body)
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, []byte(got.raw), "", "  "); err != nil {
			t.Fatalf("%s %s: %v: %s", step.method, step.path, err, got.raw)
		}
		out.WriteString("## " + step.method + " " + step.path + " -> " + strconv.Itoa(got.status) + "\n")
		out.Write(volatile.ReplaceAll(pretty.Bytes(), []byte(`$1$2"<masked>"`)))
		out.WriteString("\n")
	}
	path := filepath.Join("testdata", "lambda_functions.golden")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, out.Bytes()) {
		t.Fatalf("responses differ from %s (run with -update and review the diff):\n%s", path, out.String())
	}
}
