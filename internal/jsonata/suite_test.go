package jsonata

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"stepd/internal/jsonv"
)

// suiteDir is the official JSONata test suite (jsonata-js 2.2.2), shared by
// the repositories of the project; see its TESTSUITE.md for the format.
var suiteDir = filepath.Join("..", "..", "..", "shared", "conformance", "jsonata-test-suite")

// suitePassRate is the share of cases TestOfficialSuite requires to pass.
const suitePassRate = 0.995

// runSlow selects the suite's slow cases, which goja needs minutes for.
var runSlow = flag.Bool("jsonata.slow", false, "also run the official JSONata suite's slow cases (see slowSuiteCases)")

// slowSuiteCases are the suite cases that take goja 10 s or more each
// (measured on 2 cores without -race; jsonata.js on Node.js needs well under
// a second). They are skipped unless -jsonata.slow is given. The ones marked
// "over" exceed the case's own timelimit on goja and fail even then.
var slowSuiteCases = map[string]string{
	"performance/case000":    "16 s: a filter over all items per item",
	"performance/case001":    "18 s: a filter over all items per item",
	"flattening/large#0":     "over its 10 s timelimit: maps 200,000 numbers to strings",
	"flattening/large#1":     "over its 10 s timelimit: maps 200,000 numbers to strings",
	"range-operator/case021": "over its 10 s timelimit: counts a 10,000,000-element range",
	"range-operator/case024": "over its 10 s timelimit: counts a 10,000,000-element range",
}

// keyOrderExceptions are cases whose expected result lists object keys in an
// order jsonata.js does not produce (the reference runner compares with
// chai's deep.equal, which ignores key order). For these the keys may come in
// any order; the order stepd produces was checked against jsonata.js 2.2.2 on
// Node.js 20.
var keyOrderExceptions = map[string]string{
	// The update adds "hello" after the existing "bye" and then deletes
	// "hi": jsonata.js returns {"bye":null,"hello":"world"}.
	"transforms/case013": `{"bye":null,"hello":"world"}`,
}

// suiteTimeLimit is the engine's time limit for suite cases: generous, so
// that slow machines and -race do not fail cases the reference passes; the
// cases with a "timelimit" use the runner's own guard inside it. The slow
// cases get slowSuiteTimeLimit.
const (
	suiteTimeLimit     = 30 * time.Second
	slowSuiteTimeLimit = 5 * time.Minute
)

type suiteCase struct {
	name      string // group/file[#index]
	expr      string
	input     any // Undefined for no input
	bindings  map[string]any
	guard     guard
	result    any
	hasResult bool
	undefined bool
	unordered bool
	code      string
	token     string
	hasToken  bool
	errFields *jsonv.Object // the "error" member: fields the error must have
}

// loadSuite reads every case of the suite in dir, or skips t when the suite
// is not there.
func loadSuite(t testing.TB, dir string) []suiteCase {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "groups")); err != nil {
		t.Skipf("the official JSONata test suite is not available at %s (it lives in the shared directory next to the repository): %v", dir, err)
	}
	datasets := map[string]any{}
	files, err := filepath.Glob(filepath.Join(dir, "datasets", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		datasets[strings.TrimSuffix(filepath.Base(f), ".json")] = readJSONFile(t, f)
	}
	files, err = filepath.Glob(filepath.Join(dir, "groups", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var cases []suiteCase
	for _, f := range files {
		name := filepath.Join(filepath.Base(filepath.Dir(f)), strings.TrimSuffix(filepath.Base(f), ".json"))
		v := readJSONFile(t, f)
		if arr, ok := v.([]any); ok {
			for i, item := range arr {
				cases = append(cases, parseSuiteCase(t, fmt.Sprintf("%s#%d", name, i), filepath.Dir(f), item, datasets))
			}
			continue
		}
		cases = append(cases, parseSuiteCase(t, name, filepath.Dir(f), v, datasets))
	}
	return cases
}

func readJSONFile(t testing.TB, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonv.Parse(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

func parseSuiteCase(t testing.TB, name, groupDir string, v any, datasets map[string]any) suiteCase {
	t.Helper()
	o, ok := v.(*jsonv.Object)
	if !ok {
		t.Fatalf("%s: a case must be an object", name)
	}
	c := suiteCase{name: name, input: Undefined}
	if s, ok := o.Get("expr"); ok {
		c.expr, _ = s.(string)
	} else if f, ok := o.Get("expr-file"); ok {
		b, err := os.ReadFile(filepath.Join(groupDir, f.(string)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c.expr = string(b)
	}
	if d, ok := o.Get("data"); ok {
		c.input = d
	} else if ds, _ := o.Get("dataset"); ds != nil {
		d, ok := datasets[ds.(string)]
		if !ok {
			t.Fatalf("%s: unknown dataset %v", name, ds)
		}
		c.input = d
	}
	if b, ok := o.Get("bindings"); ok {
		if bo, ok := b.(*jsonv.Object); ok && bo.Len() > 0 {
			c.bindings = map[string]any{}
			for i := range bo.Len() {
				k, val := bo.At(i)
				c.bindings[k] = val
			}
		}
	}
	tl, hasTL := o.Get("timelimit")
	depth, hasDepth := o.Get("depth")
	if hasTL && hasDepth {
		ms, _ := jsonv.AsInt(tl)
		d, _ := jsonv.AsInt(depth)
		c.guard = guard{timeoutMillis: int(ms), depth: int(d)}
	}
	c.result, c.hasResult = o.Get("result")
	_, c.undefined = o.Get("undefinedResult")
	if u, ok := o.Get("unordered"); ok {
		c.unordered = u == true
	}
	if code, ok := o.Get("code"); ok {
		c.code, _ = code.(string)
	}
	if tok, ok := o.Get("token"); ok {
		c.token, c.hasToken = fmt.Sprint(tok), true
	}
	if e, ok := o.Get("error"); ok {
		c.errFields, _ = e.(*jsonv.Object)
	}
	return c
}

// TestOfficialSuite runs every case of the official JSONata test suite the
// way its JavaScript runner (test/run-test-suite.js in jsonata-js) does:
// results must be deeply equal, with object keys in the order jsonata
// produces them; undefinedResult cases must give undefined; error cases must
// fail with the expected code (and token, message or value when given), at
// compile time or at evaluation; cases with timelimit and depth run under the
// runner's guard, which fails with U1001. Cases run in parallel across the VM
// pool. At least suitePassRate of the cases must pass; every failure is
// printed.
//
// Known failures: function-encodeUrl/case002 and
// function-encodeUrlComponent/case002 put a lone surrogate (\ud800) in the
// expression text, which a Go string cannot hold (it becomes U+FFFD); the
// same expression written with a JSONata escape fails with D3140 as it
// should (TestEncodeURLSurrogates). With -jsonata.slow, the four cases whose
// timelimit goja cannot meet fail too (see slowSuiteCases).
func TestOfficialSuite(t *testing.T) {
	all := loadSuite(t, suiteDir)
	var cases []suiteCase
	for _, c := range all {
		if _, slow := slowSuiteCases[c.name]; slow && !*runSlow {
			continue
		}
		cases = append(cases, c)
	}
	// The suite checks plain JSONata: $eval is allowed here, although the
	// engine refuses it by default as Step Functions does (TestEvalRefused).
	limit := suiteTimeLimit
	if *runSlow {
		limit = slowSuiteTimeLimit
	}
	eng := New(WithTimeLimit(limit), func(c *config) { c.plainEval = true })
	t.Cleanup(func() { _ = eng.Close() })

	failures := make([]string, len(cases))
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				failures[i] = runSuiteCase(eng, cases[i])
			}
		})
	}
	start := time.Now()
	for i := range cases {
		work <- i
	}
	close(work)
	wg.Wait()

	passed := 0
	for i, f := range failures {
		if f == "" {
			passed++
			continue
		}
		t.Logf("FAIL %s: %s\n    expr: %s", cases[i].name, f, abbreviate(cases[i].expr, 300))
	}
	rate := float64(passed) / float64(len(cases))
	skipped := ""
	if n := len(all) - len(cases); n > 0 {
		skipped = fmt.Sprintf("; %d slow cases skipped (run with -jsonata.slow)", n)
	}
	t.Logf("official JSONata suite: %d/%d cases passed (%.2f%%) in %v%s",
		passed, len(cases), 100*rate, time.Since(start).Round(time.Millisecond), skipped)
	if rate < suitePassRate {
		t.Errorf("pass rate %.2f%% is below the required %.1f%%", 100*rate, 100*suitePassRate)
	}
}

// runSuiteCase returns "" when c passes, else what went wrong.
func runSuiteCase(eng *GojaEngine, c suiteCase) string {
	expectErr := c.code != "" || c.errFields != nil
	x, err := eng.Compile(c.expr)
	if err != nil {
		if !expectErr {
			return fmt.Sprintf("unexpected compile error: %v", err)
		}
		return checkSuiteError(c, err)
	}
	got, ok, err := eng.eval(context.Background(), x.Source(), c.input, c.bindings, c.guard)
	switch {
	case expectErr:
		if err == nil {
			want := c.code
			if c.errFields != nil {
				want = jsonv.Marshal(c.errFields)
			}
			return fmt.Sprintf("expected error %s, got %s (defined: %v)", want, jsonv.Marshal(got), ok)
		}
		return checkSuiteError(c, err)
	case err != nil:
		return fmt.Sprintf("unexpected error: %v", err)
	case c.undefined:
		if ok {
			return fmt.Sprintf("expected undefined, got %s", jsonv.Marshal(got))
		}
	case c.hasResult:
		if !ok {
			return fmt.Sprintf("expected %s, got undefined", jsonv.Marshal(c.result))
		}
		if orderedEqual(got, c.result) || (c.unordered && unorderedEqual(got, c.result)) {
			return ""
		}
		if want, ok := keyOrderExceptions[c.name]; ok && jsonv.Equal(got, c.result) {
			if jsonv.Marshal(got) != want {
				return fmt.Sprintf("expected jsonata.js's key order %s, got %s", want, jsonv.Marshal(got))
			}
			return ""
		}
		return fmt.Sprintf("expected %s, got %s", jsonv.Marshal(c.result), jsonv.Marshal(got))
	default:
		return "the case specifies nothing to check"
	}
	return ""
}

func checkSuiteError(c suiteCase, err error) string {
	var je *Error
	if !errors.As(err, &je) {
		return fmt.Sprintf("expected a JSONata error, got %v", err)
	}
	if c.code != "" && je.Code != c.code {
		return fmt.Sprintf("expected code %s, got %s (%s)", c.code, je.Code, je.Message)
	}
	if c.hasToken && je.Token != c.token {
		return fmt.Sprintf("expected token %q, got %q", c.token, je.Token)
	}
	if c.errFields == nil {
		return ""
	}
	// The runner checks that the error deeply contains these fields.
	// functionName, which jsonata adds to D3140 errors, is not part of Error.
	for i := range c.errFields.Len() {
		k, want := c.errFields.At(i)
		var got any
		switch k {
		case "code":
			got = je.Code
		case "message":
			got = je.Message
		case "token":
			got = je.Token
		case "position":
			got = int64(je.Position)
		case "value":
			got = je.Value
		default:
			continue
		}
		if !orderedEqual(got, want) {
			return fmt.Sprintf("error %s: expected %s, got %s", k, jsonv.Marshal(want), jsonv.Marshal(got))
		}
	}
	return ""
}

// orderedEqual is deep equality that also requires object keys in the same
// order; numbers compare by value.
func orderedEqual(a, b any) bool {
	switch x := a.(type) {
	case *jsonv.Object:
		y, ok := b.(*jsonv.Object)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i := range x.Len() {
			ka, va := x.At(i)
			kb, vb := y.At(i)
			if ka != kb || !orderedEqual(va, vb) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !orderedEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		return jsonv.Equal(a, b)
	}
}

// unorderedEqual compares two arrays as multisets, for cases the suite
// marks "unordered".
func unorderedEqual(a, b any) bool {
	x, ok1 := a.([]any)
	y, ok2 := b.([]any)
	if !ok1 || !ok2 || len(x) != len(y) {
		return false
	}
	used := make([]bool, len(y))
outer:
	for _, e := range x {
		for j, f := range y {
			if !used[j] && orderedEqual(e, f) {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}

// TestKeyOrderExceptionsMatchNode confirms, when node is installed, that
// jsonata.js itself (the vendored file, run by Node.js) produces the key
// order recorded in keyOrderExceptions for those cases.
func TestKeyOrderExceptionsMatchNode(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	lib, err := filepath.Abs(filepath.Join("vendor", "jsonata.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]suiteCase{}
	for _, c := range loadSuite(t, suiteDir) {
		byName[c.name] = c
	}
	for name, want := range keyOrderExceptions {
		c, ok := byName[name]
		if !ok {
			t.Errorf("%s: no such suite case", name)
			continue
		}
		input := "undefined"
		if c.input != Undefined {
			input = jsonv.Marshal(c.input)
		}
		script := fmt.Sprintf(`require(%q)(%q).evaluate(%s).then(r => process.stdout.write(JSON.stringify(r)))`,
			lib, c.expr, input)
		out, err := exec.Command(node, "-e", script).Output()
		if err != nil {
			t.Fatalf("%s: node: %v", name, err)
		}
		if string(out) != want {
			t.Errorf("%s: jsonata.js on Node.js gives %s, keyOrderExceptions says %s", name, out, want)
		}
	}
}
