package console_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"stepd/internal/server"
)

// screenshotsEnv names the folder where the browser tests write their
// screenshots (make screenshots sets it). Without it they go to the test's
// artifact directory under `go test -artifacts`, else to a new temporary
// folder that is kept, and the test logs every path.
const screenshotsEnv = "STEPD_SCREENSHOTS"

// chromiumEnv may name the Chromium binary; by default Debian's `chromium`
// is looked up on PATH.
const chromiumEnv = "STEPD_CHROMIUM"

const (
	role      = "arn:aws:iam::123456789012:role/console-test"
	smPrefix  = "arn:aws:states:us-east-1:123456789012:stateMachine:"
	exPrefix  = "arn:aws:states:us-east-1:123456789012:execution:"
	actPrefix = "arn:aws:states:us-east-1:123456789012:activity:"
)

// Colours of the outcome classes (style.css), as getComputedStyle reports a
// state's border.
var outcomeStroke = map[string]string{
	"succeeded":  "rgb(46, 133, 64)",
	"failed":     "rgb(209, 50, 18)",
	"caught":     "rgb(224, 112, 0)",
	"running":    "rgb(9, 114, 211)",
	"notreached": "rgb(198, 198, 205)",
}

// browserEnv is one server and one headless Chromium tab.
type browserEnv struct {
	t     *testing.T
	srv   *server.Server
	base  string
	tab   context.Context
	shots string
	loads int

	mu         sync.Mutex
	exceptions []string
}

func chromiumPath(t *testing.T) string {
	if p := os.Getenv(chromiumEnv); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("browser tests need Debian's chromium (apt-get install chromium; scripts/test-deps.sh installs it): " + err.Error())
	}
	return p
}

func screenshotDir(t *testing.T) string {
	if d := os.Getenv(screenshotsEnv); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		abs, err := filepath.Abs(d)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		return t.ArtifactDir()
	}
	d, err := os.MkdirTemp("", "stepd-console-screenshots-")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// newBrowserEnv starts stepd and Chromium (headless, with the flags that
// work on a machine without network: no background networking, component
// updates or sync, and a fresh profile).
func newBrowserEnv(t *testing.T) *browserEnv {
	chrome := chromiumPath(t)
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("the reference scenario's function needs python3")
	}
	e := &browserEnv{t: t, srv: startServer(t), shots: screenshotDir(t)}
	e.base = e.srv.URL()

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	e.tab = tab
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start Chromium (%s): %v", chrome, err)
	}
	// Uncaught exceptions in the page fail the test.
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() {
				e.mu.Lock()
				e.exceptions = append(e.exceptions, fmt.Sprintf("%s:%d %s", m.URL, m.Line+1, m.Text))
				e.mu.Unlock()
			}
		}
	}()
	// The Stop button asks for confirmation; accept it as a user would.
	dialogs := chromedp.Events(tab, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	t.Cleanup(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, x := range e.exceptions {
			t.Errorf("uncaught exception in the console: %s", x)
		}
	})
	return e
}

// ---------------------------------------------------------------- API calls (test setup)

func (e *browserEnv) sfn(op string, in any) map[string]any {
	e.t.Helper()
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest("POST", e.base+"/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	return e.do(req)
}

func (e *browserEnv) do(req *http.Request) map[string]any {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		e.t.Fatalf("%s %s: %d %s", req.Method, req.Header.Get("X-Amz-Target")+req.URL.Path, resp.StatusCode, b)
	}
	var out map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			e.t.Fatalf("%s: %v: %s", req.URL, err, b)
		}
	}
	return out
}

func (e *browserEnv) createFunction() {
	e.t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "mock_api", "lambda_function.py"))
	if err != nil {
		e.t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("lambda_function.py")
	w.Write(src)
	zw.Close()
	body, _ := json.Marshal(map[string]any{
		"FunctionName": "MockAPIFunction", "Runtime": "python3.12", "Role": role,
		"Handler": "lambda_function.lambda_handler", "Code": map[string]any{"ZipFile": buf.Bytes()},
	})
	req, _ := http.NewRequest("POST", e.base+"/2015-03-31/functions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	e.do(req)
}

func (e *browserEnv) createStateMachine(name, file string) string {
	e.t.Helper()
	def, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		e.t.Fatal(err)
	}
	return e.createStateMachineText(name, string(def))
}

func (e *browserEnv) createStateMachineText(name, def string) string {
	e.t.Helper()
	out := e.sfn("CreateStateMachine", map[string]any{"name": name, "definition": def, "roleArn": role})
	return out["stateMachineArn"].(string)
}

func (e *browserEnv) start(smARN, name, input string) string {
	e.t.Helper()
	out := e.sfn("StartExecution", map[string]any{"stateMachineArn": smARN, "name": name, "input": input})
	return out["executionArn"].(string)
}

// wait returns once the execution has ended (the service tells; no polling).
func (e *browserEnv) wait(arn string) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := e.srv.StepFunctions().WaitForExecution(ctx, arn)
	if err != nil {
		e.t.Fatalf("wait for %s: %v", arn, err)
	}
	return out.Status
}

func (e *browserEnv) historyTypes(arn string) []string {
	e.t.Helper()
	out := e.sfn("GetExecutionHistory", map[string]any{"executionArn": arn, "maxResults": 1000})
	var types []string
	for _, ev := range out["events"].([]any) {
		types = append(types, ev.(map[string]any)["type"].(string))
	}
	return types
}

// ---------------------------------------------------------------- browser helpers

// act runs browser actions with a time limit.
func (e *browserEnv) act(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v\npage: %s", err, e.pageText())
	}
}

func (e *browserEnv) pageText() string {
	ctx, cancel := context.WithTimeout(e.tab, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.hash + "\n" + (document.getElementById('view')?.innerText || '')`))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}

// open loads the console at a route (a fresh page load each time) and waits
// until the page says it has loaded.
func (e *browserEnv) open(t *testing.T, route, loaded string) {
	t.Helper()
	e.loads++
	e.act(t, chromedp.Navigate(fmt.Sprintf("%s/?load=%d#%s", e.base, e.loads, route)))
	e.waitFor(t, fmt.Sprintf(`document.body.dataset.loaded === %q`, loaded), 15*time.Second, "page "+route+" loaded")
}

// waitFor polls a JavaScript condition in the page until it holds.
func (e *browserEnv) waitFor(t *testing.T, cond string, timeout time.Duration, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.tab, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(timeout),
		chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("waiting for %s (%s): %v\npage: %s", what, cond, err, e.pageText())
	}
}

func eval[T any](t *testing.T, e *browserEnv, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.tab, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (e *browserEnv) click(t *testing.T, css string) {
	t.Helper()
	e.act(t, chromedp.Click(chromedp.CSS(css)))
}

// setValue sets a form field and fires its input and change events.
func (e *browserEnv) setValue(t *testing.T, css, value string) {
	t.Helper()
	js, _ := json.Marshal(value)
	sel, _ := json.Marshal(css)
	eval[bool](t, e, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = %s;
		el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, sel, js))
}

// shot saves a PNG of the page (full: the whole page, else the viewport).
func (e *browserEnv) shot(t *testing.T, name string, full bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.tab, 30*time.Second)
	defer cancel()
	var png []byte
	var err error
	if full {
		// From the top, so the sticky header sits at the top of the image.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
			t.Fatal(err)
		}
		png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	} else {
		png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(e.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// shotElement saves a PNG of one element.
func (e *browserEnv) shotElement(t *testing.T, name, css string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.tab, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(e.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// nodeState is what the graph shows for one state.
type nodeState struct {
	Status string `json:"status"`
	Class  string `json:"cls"`
	Stroke string `json:"stroke"`
}

func (e *browserEnv) graphStates(t *testing.T) map[string]nodeState {
	t.Helper()
	return eval[map[string]nodeState](t, e, `(() => {
		const out = {};
		for (const n of document.querySelectorAll('#graph .node.state')) {
			out[n.dataset.state] = {
				status: n.dataset.status || '',
				cls: [...n.classList].filter((c) => c.startsWith('st-')).join(' '),
				stroke: getComputedStyle(n.querySelector('rect')).stroke,
			};
		}
		return out;
	})()`)
}

// checkColours asserts the outcome of every state in the graph: its class,
// its data-status and the colour the stylesheet gives it.
func (e *browserEnv) checkColours(t *testing.T, want map[string]string) {
	t.Helper()
	got := e.graphStates(t)
	if len(got) != len(want) {
		t.Errorf("graph has %d states, want %d: %v", len(got), len(want), got)
	}
	for name, outcome := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("state %q is not in the graph", name)
		case g.Status != outcome || g.Class != "st-"+outcome:
			t.Errorf("state %q is %q (class %q), want %q", name, g.Status, g.Class, outcome)
		case g.Stroke != outcomeStroke[outcome]:
			t.Errorf("state %q (%s) is drawn in %s, want %s", name, outcome, g.Stroke, outcomeStroke[outcome])
		}
	}
}

type edgeInfo struct {
	From, To, Kind string
	Taken, Dashed  bool
}

func (e *browserEnv) edges(t *testing.T) []edgeInfo {
	t.Helper()
	return eval[[]edgeInfo](t, e, `[...document.querySelectorAll('#graph .edge')].map((g) => ({
		From: g.dataset.from, To: g.dataset.to,
		Kind: [...g.classList].find((c) => !['edge', 'taken'].includes(c)) || '',
		Taken: g.classList.contains('taken'),
		Dashed: getComputedStyle(g.querySelector('path')).strokeDasharray !== 'none',
	}))`)
}

func (e *browserEnv) takenEdges(t *testing.T) []string {
	var out []string
	for _, x := range e.edges(t) {
		if x.Taken {
			out = append(out, fmt.Sprintf("%s -%s-> %s", orDash(x.From), x.Kind, orDash(x.To)))
		}
	}
	slices.Sort(out)
	return out
}

// orDash names Start or End (an edge end without a state) "·".
func orDash(s string) string {
	if s == "" {
		return "·"
	}
	return s
}

func (e *browserEnv) text(t *testing.T, css string) string {
	t.Helper()
	sel, _ := json.Marshal(css)
	return eval[string](t, e, fmt.Sprintf(`document.querySelector(%s)?.innerText ?? ''`, sel))
}

// ---------------------------------------------------------------- the test

// TestConsole runs the reference scenario and drives the console in
// headless Chromium: starting an execution from the console and watching
// it update live, the four executions' graphs, step details and event
// tables, the state machine, function and activity pages, stop and
// redrive, and a phone-sized screen. It writes screenshots of each page.
func TestConsole(t *testing.T) {
	e := newBrowserEnv(t)
	started := time.Now()
	e.createFunction()
	tutorial := e.createStateMachine("MyAPIStateMachine", "statemachine.asl.json")
	showcase := e.createStateMachine("Showcase", "showcase.asl.json")
	e.sfn("CreateActivity", map[string]any{"name": "ApproveOrder"})
	approval := e.createStateMachineText("Approval",
		`{"StartAt":"Ask for approval","States":{"Ask for approval":{"Type":"Task","Resource":"`+actPrefix+`ApproveOrder","End":true}}}`)

	// Three of the tutorial's executions through the API; the fourth (429,
	// about 4 s) is started from the console below.
	arns := map[string]string{}
	for _, code := range []string{"200", "503", "999"} {
		arns[code] = e.start(tutorial, "status-"+code, `{"statuscode": "`+code+`"}`)
	}

	t.Run("start execution and watch it live", func(t *testing.T) {
		e.open(t, "/state-machines/"+tutorial, "state-machines")
		e.waitFor(t, `document.querySelectorAll('#graph .node.state').length === 6`, 10*time.Second, "the workflow graph")
		e.shot(t, "state-machine", true)
		e.click(t, "#start-execution")
		e.waitFor(t, `document.querySelector('#start-dialog')?.open === true`, 5*time.Second, "the start dialog")

		// Text pasted from the article, with typographic quotes, is refused.
		e.setValue(t, "#start-input", `{“statuscode”: “429”}`)
		e.click(t, "#start-submit")
		if msg := e.text(t, "#start-input-error"); !strings.Contains(msg, "straight quotes") || !strings.Contains(msg, "line 1, column 2") {
			t.Errorf("invalid input message = %q", msg)
		}
		if open := eval[bool](t, e, `document.querySelector('#start-dialog').open`); !open {
			t.Fatal("the dialog closed on invalid input")
		}

		e.setValue(t, "#start-name", "status-429")
		e.setValue(t, "#start-input", `{"statuscode": "429"}`)
		e.click(t, "#start-submit")
		arns["429"] = exPrefix + "MyAPIStateMachine:status-429"
		e.waitFor(t, `location.hash === '#/executions/' + encodeURIComponent(`+jsString(arns["429"])+`)`, 10*time.Second, "the new execution's page")
		e.waitFor(t, `document.body.dataset.loaded === 'execution'`, 10*time.Second, "the execution page")

		// While it runs: status RUNNING, a state in progress (blue), and
		// fewer events than at the end.
		e.waitFor(t, `document.querySelector('#exec-status')?.dataset.status === 'RUNNING' &&
			document.querySelector('#graph .node.state.st-running') !== null`, 5*time.Second, "a state in progress")
		running := eval[[]string](t, e, `[...document.querySelectorAll('#graph .node.st-running')].map((n) => n.dataset.state)`)
		if g := e.graphStates(t)[running[0]]; g.Stroke != outcomeStroke["running"] {
			t.Errorf("state in progress %q drawn in %s", running[0], g.Stroke)
		}
		rowsRunning := eval[int](t, e, `document.querySelectorAll('#events tr.event').length`)
		e.shot(t, "execution-429-running", false)

		// The page updates by itself until the execution ends.
		e.waitFor(t, `document.querySelector('#exec-status')?.dataset.status === 'SUCCEEDED'`, 20*time.Second, "the execution to succeed")
		e.waitFor(t, `document.querySelectorAll('#events tr.event').length === 24`, 5*time.Second, "24 events")
		if rowsRunning >= 24 || rowsRunning < 2 {
			t.Errorf("%d event rows while running, want between 2 and 23", rowsRunning)
		}
		t.Logf("while running: %v in progress, %d events shown", running, rowsRunning)
		if out := e.text(t, "#exec-output"); out != `"The request has succeeded."` {
			t.Errorf("output = %q", out)
		}
	})
	if t.Failed() {
		return
	}
	for _, code := range []string{"200", "503", "999"} {
		e.wait(arns[code])
	}

	// The reference scenario's four executions (tutorial README table).
	notReached := "notreached"
	cases := []struct {
		code, status string
		colours      map[string]string
		taken        []string
		output       string
		errName      string
		cause        string
		// step details of "Call API"
		stepText []string
	}{
		{"200", "SUCCEEDED", map[string]string{"Call API": "succeeded", "OK": "succeeded",
			"Wait and Try Later": notReached, "Change to 200": notReached, "Server Unavailable": notReached, "Catch All": notReached},
			[]string{"· -start-> Call API", "Call API -next-> OK", "OK -end-> ·"}, `"The request has succeeded."`, "", "",
			[]string{"Succeeded", `"statuscode": "200"`, `"200 OK"`, "Retries\n0"}},
		{"503", "FAILED", map[string]string{"Call API": "caught", "Server Unavailable": "failed",
			"OK": notReached, "Wait and Try Later": notReached, "Change to 200": notReached, "Catch All": notReached},
			[]string{"· -start-> Call API", "Call API -catch-> Server Unavailable"}, "", "", "The server is currently unable to handle the request.",
			[]string{"Caught error", `"statuscode": "503"`, "ServerUnavailableException", "503 Server Unavailable", "Retries\n0"}},
		{"999", "FAILED", map[string]string{"Call API": "caught", "Catch All": "failed",
			"OK": notReached, "Wait and Try Later": notReached, "Change to 200": notReached, "Server Unavailable": notReached},
			[]string{"· -start-> Call API", "Call API -catch-> Catch All"}, "", "An error of unknown type occurred", "Unknown error!",
			[]string{"Caught error", `"statuscode": "999"`, "UnknownException", "Unknown error", "Retries\n0"}},
		{"429", "SUCCEEDED", map[string]string{"Call API": "caught", "Wait and Try Later": "succeeded", "Change to 200": "succeeded",
			"OK": "succeeded", "Server Unavailable": notReached, "Catch All": notReached},
			[]string{"· -start-> Call API", "Call API -catch-> Wait and Try Later", "Call API -next-> OK", "Change to 200 -next-> Call API",
				"OK -end-> ·", "Wait and Try Later -next-> Change to 200"}, `"The request has succeeded."`, "", "",
			[]string{"Visit 1 of 2", "Visit 2 of 2", "Retries\n2", "TooManyRequestsException — 429 Too Many Requests", `"statuscode": "429"`,
				`"statuscode": "200"`, `"200 OK"`}},
	}
	for _, c := range cases {
		t.Run("execution "+c.code, func(t *testing.T) {
			arn := arns[c.code]
			e.open(t, "/executions/"+arn, "execution")
			if s := eval[string](t, e, `document.querySelector('#exec-status').dataset.status`); s != c.status {
				t.Fatalf("status %s, want %s", s, c.status)
			}
			e.checkColours(t, c.colours)
			if got, want := e.takenEdges(t), slices.Sorted(slices.Values(c.taken)); !slices.Equal(got, want) {
				t.Errorf("edges taken:\n got %q\nwant %q", got, want)
			}
			catches := 0
			for _, x := range e.edges(t) {
				if x.Kind == "catch" {
					catches++
				}
				if (x.Kind == "catch") != x.Dashed {
					t.Errorf("edge %s -%s-> %s: dashed = %v", x.From, x.Kind, x.To, x.Dashed)
				}
			}
			if catches != 3 {
				t.Errorf("%d Catch edges, want 3", catches)
			}

			// Output, error and cause as DescribeExecution gives them.
			if c.output != "" {
				if out := e.text(t, "#exec-output"); out != c.output {
					t.Errorf("output = %q, want %q", out, c.output)
				}
			}
			if c.status == "FAILED" {
				if got := e.text(t, "#exec-error"); got != dashIfEmpty(c.errName) {
					t.Errorf("error = %q, want %q", got, c.errName)
				}
				if got := e.text(t, "#exec-cause"); got != c.cause {
					t.Errorf("cause = %q, want %q", got, c.cause)
				}
			}
			if in := e.text(t, "#exec-input"); !strings.Contains(in, `"statuscode": "`+c.code+`"`) {
				t.Errorf("input = %q", in)
			}

			// The event table: the same events GetExecutionHistory returns.
			want := e.historyTypes(arn)
			got := eval[[]string](t, e, `[...document.querySelectorAll('#events tr.event')].map((r) => r.dataset.type)`)
			if !slices.Equal(got, want) {
				t.Errorf("event table:\n got %v\nwant %v", got, want)
			}
			steps := eval[[]string](t, e, `[...document.querySelectorAll('#events tr.event')].filter((r) => r.dataset.type.startsWith('LambdaFunction')).map((r) => r.querySelector('.ev-step').textContent)`)
			for _, s := range steps {
				if s != "Call API" {
					t.Errorf("a Lambda event is attributed to step %q", s)
				}
			}
			// Expand the first LambdaFunction event: its details show.
			id := eval[int](t, e, `Number([...document.querySelectorAll('#events tr.event')].find((r) => r.dataset.type === 'LambdaFunctionScheduled').dataset.eventId)`)
			e.click(t, fmt.Sprintf(`#events tr.event[data-event-id="%d"] button.expand`, id))
			detail := e.text(t, fmt.Sprintf(`#events tr.event-details[data-event-id="%d"]`, id))
			if !strings.Contains(detail, `"lambdaFunctionScheduledEventDetails"`) || !strings.Contains(detail, "MockAPIFunction") ||
				!strings.Contains(detail, `"statuscode": "`+c.code+`"`) {
				t.Errorf("expanded event %d: %q", id, detail)
			}

			// Click "Call API": its input, output, error and retries.
			e.click(t, `#graph .node.state[data-state="Call API"] rect`)
			e.waitFor(t, `document.querySelector('#step-details [data-state="Call API"]') !== null`, 5*time.Second, "step details")
			details := e.text(t, "#step-details")
			for _, w := range c.stepText {
				if !strings.Contains(details, w) {
					t.Errorf("step details of Call API lack %q:\n%s", w, details)
				}
			}
			if !eval[bool](t, e, `document.querySelector('#graph .node.state[data-state="Call API"]').classList.contains('selected')`) {
				t.Error("the clicked state is not shown as selected")
			}
			e.shot(t, "execution-"+c.code, true)
			e.shotElement(t, "execution-"+c.code+"-graph", ".graph-split")

			// A state not reached says so.
			e.click(t, `#graph .node.state[data-state="Server Unavailable"] rect`)
			if c.code != "503" {
				if d := e.text(t, "#step-details"); !strings.Contains(d, "Not reached in this execution.") {
					t.Errorf("step details of an unreached state: %q", d)
				}
			} else if d := e.text(t, "#step-details"); !strings.Contains(d, "Failed") || !strings.Contains(d, c.cause) {
				t.Errorf("step details of the Fail state: %q", d)
			}
		})
	}

	t.Run("state machines list", func(t *testing.T) {
		e.open(t, "/state-machines", "state-machines")
		row := `document.querySelector('#state-machines tr[data-arn="` + tutorial + `"]')`
		e.waitFor(t, row+`?.querySelector('[data-count="SUCCEEDED"]').textContent === '2' && `+
			row+`.querySelector('[data-count="FAILED"]').textContent === '2' && `+
			row+`.querySelector('[data-count="RUNNING"]').textContent === '0'`, 10*time.Second, "execution counts 2 succeeded, 2 failed")
		names := eval[[]string](t, e, `[...document.querySelectorAll('#state-machines tbody tr td:first-child')].map((td) => td.textContent).sort()`)
		if !slices.Equal(names, []string{"Approval", "MyAPIStateMachine", "Showcase"}) {
			t.Errorf("state machines listed: %v", names)
		}
		e.shot(t, "state-machines", false)
	})

	// Parallel, Map and Choice: clusters, labels, and an execution's path
	// through them.
	batch := e.start(showcase, "batch", `{"kind": "batch", "items": [1, 2, 3]}`)
	bad := e.start(showcase, "bad-items", `{"kind": "batch", "items": "not a list"}`)
	single := e.start(showcase, "single", `{"kind": "single"}`)
	for _, a := range []string{batch, bad, single} {
		e.wait(a)
	}
	t.Run("showcase definition", func(t *testing.T) {
		e.open(t, "/state-machines/"+showcase, "state-machines")
		e.waitFor(t, `document.querySelectorAll('#graph .node.state').length === 10`, 10*time.Second, "the graph")
		counts := eval[map[string]int](t, e, `({
			parallel: document.querySelectorAll('#graph .cluster.parallel').length,
			map: document.querySelectorAll('#graph .cluster.map').length,
			branch: document.querySelectorAll('#graph .cluster.branch').length,
			keys: document.querySelectorAll('#definition .j-key').length,
		})`)
		if counts["parallel"] != 1 || counts["map"] != 1 || counts["branch"] != 3 {
			t.Errorf("clusters: %v, want 1 parallel, 1 map, 3 branches (2 Parallel branches, 1 Map iteration)", counts)
		}
		if counts["keys"] < 20 {
			t.Errorf("the definition shows %d highlighted keys", counts["keys"])
		}
		labels := eval[[]string](t, e, `[...document.querySelectorAll('#graph .edge.choice text, #graph .edge.default text')].map((x) => x.textContent).sort()`)
		if !slices.Equal(labels, []string{`$.kind == "batch"`, `$.kind == "single"`, "Default"}) {
			t.Errorf("Choice labels: %q", labels)
		}
		// Every state of a branch is drawn inside its cluster's box.
		inside := eval[[]string](t, e, `(() => {
			const bad = [];
			const box = (el) => el.getBBox();
			const within = (a, b) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;
			const check = (state, cluster) => {
				const n = document.querySelector('#graph .node.state[data-state="' + state + '"] rect');
				const c = document.querySelector('#graph .cluster[data-cluster="' + cluster + '"] rect');
				if (!n || !c || !within(box(n), box(c))) bad.push(state + ' in ' + cluster);
			};
			check('Prepare', 'b:Fan out:0'); check('Check', 'b:Fan out:0'); check('Audit', 'b:Fan out:1');
			check('Double', 'b:Each item:0'); check('Fan out', 'c:Fan out'); check('Each item', 'c:Each item');
			return bad;
		})()`)
		if len(inside) > 0 {
			t.Errorf("states outside their cluster: %v", inside)
		}
		e.shot(t, "state-machine-showcase", true)
	})
	t.Run("showcase executions", func(t *testing.T) {
		e.open(t, "/executions/"+batch, "execution")
		e.checkColours(t, map[string]string{"Classify": "succeeded", "Fan out": "succeeded", "Prepare": "succeeded", "Check": "succeeded",
			"Audit": "succeeded", "Each item": "succeeded", "Double": "succeeded", "Done": "succeeded", "Process one": notReached, "Unknown kind": notReached})
		if cls := eval[string](t, e, `document.querySelector('#graph .cluster.parallel').getAttribute('class')`); !strings.Contains(cls, "st-succeeded") {
			t.Errorf("Parallel cluster class %q", cls)
		}
		e.click(t, `#graph .node.state[data-state="Double"] rect`)
		d := e.text(t, "#step-details")
		for _, w := range []string{"Visit 1 of 3", "Visit 3 of 3", "Iteration\n0", "Iteration\n2"} {
			if !strings.Contains(d, w) {
				t.Errorf("step details of the Map iteration state lack %q:\n%s", w, d)
			}
		}
		e.shot(t, "execution-showcase", true)
		e.shotElement(t, "execution-showcase-graph", ".graph-split")

		e.open(t, "/executions/"+bad, "execution")
		e.checkColours(t, map[string]string{"Classify": "succeeded", "Fan out": "succeeded", "Prepare": "succeeded", "Check": "succeeded",
			"Audit": "succeeded", "Each item": "failed", "Double": notReached, "Done": notReached, "Process one": notReached, "Unknown kind": notReached})
		if got := e.text(t, "#exec-error"); got != "States.Runtime" {
			t.Errorf("error = %q", got)
		}

		e.open(t, "/executions/"+single, "execution")
		e.checkColours(t, map[string]string{"Classify": "succeeded", "Process one": "succeeded", "Done": "succeeded", "Fan out": notReached,
			"Prepare": notReached, "Check": notReached, "Audit": notReached, "Each item": notReached, "Double": notReached, "Unknown kind": notReached})
		if got := e.takenEdges(t); !slices.Equal(got, []string{"Classify -choice-> Process one", "Done -end-> ·", "Process one -next-> Done", "· -start-> Classify"}) {
			t.Errorf("edges taken: %q", got)
		}
	})

	t.Run("executions list, filter and paging", func(t *testing.T) {
		var more []string
		for i := range 9 {
			more = append(more, e.start(showcase, fmt.Sprintf("more-%02d", i), `{"kind": "single"}`))
		}
		for _, a := range more {
			e.wait(a)
		}
		// 12 executions of Showcase: pages of 10 and 2.
		e.open(t, "/executions?sm="+showcase, "executions")
		e.waitFor(t, `document.querySelectorAll('#executions tbody tr').length === 10`, 10*time.Second, "10 rows")
		if !eval[bool](t, e, `!document.querySelector('#next-page').disabled && document.querySelector('#prev-page').disabled`) {
			t.Error("paging buttons on page 1")
		}
		e.shot(t, "executions", false)
		e.click(t, "#next-page")
		e.waitFor(t, `document.querySelector('#page-number').textContent === 'Page 2' && document.querySelectorAll('#executions tbody tr').length === 2`, 10*time.Second, "page 2 with 2 rows")
		e.click(t, "#prev-page")
		e.waitFor(t, `document.querySelector('#page-number').textContent === 'Page 1' && document.querySelectorAll('#executions tbody tr').length === 10`, 10*time.Second, "back to page 1")
		e.setValue(t, "#status-filter", "FAILED")
		e.waitFor(t, `[...document.querySelectorAll('#executions tbody tr')].map((r) => r.dataset.status).join() === 'FAILED'`, 10*time.Second, "one FAILED execution")
		if name := e.text(t, "#executions tbody tr td:first-child"); name != "bad-items" {
			t.Errorf("FAILED filter shows %q", name)
		}
		e.setValue(t, "#status-filter", "TIMED_OUT")
		e.waitFor(t, `document.querySelector('#no-executions')?.textContent === 'No TIMED OUT executions.'`, 10*time.Second, "no TIMED_OUT executions")
	})

	t.Run("functions", func(t *testing.T) {
		e.open(t, "/functions", "functions")
		if got := e.text(t, `#functions tr[data-name="MockAPIFunction"] td:nth-child(2)`); got != "python3.12" {
			t.Errorf("runtime column = %q", got)
		}
		e.shot(t, "functions", false)
		e.click(t, `#functions tr[data-name="MockAPIFunction"] a`)
		e.waitFor(t, `document.body.dataset.loaded === 'functions' && document.querySelector('#fn-config') !== null`, 10*time.Second, "the function page")
		cfg := e.text(t, "#fn-config")
		for _, w := range []string{"python3.12", "lambda_function.lambda_handler", "128 MB", role} {
			if !strings.Contains(cfg, w) {
				t.Errorf("configuration lacks %q: %s", w, cfg)
			}
		}
		// The reference scenario invoked it 7 times (1 + 1 + 1 + 4), 5 failed.
		e.waitFor(t, `document.querySelectorAll('#invocations tr.invocation').length === 7`, 10*time.Second, "7 recent invocations")
		if n := eval[int](t, e, `document.querySelectorAll('#invocations tr.invocation[data-status="FAILED"]').length`); n != 5 {
			t.Errorf("%d failed invocations, want 5", n)
		}

		e.setValue(t, "#invoke-input", `{"statuscode": "200"}`)
		e.click(t, "#invoke")
		e.waitFor(t, `document.querySelector('#invoke-status') !== null`, 15*time.Second, "the invoke result")
		if s := eval[string](t, e, `document.querySelector('#invoke-status').dataset.status`); s != "SUCCEEDED" {
			t.Errorf("invoke status %s", s)
		}
		if p := e.text(t, "#invoke-payload"); p != `"200 OK"` {
			t.Errorf("invoke payload %q", p)
		}
		if l := e.text(t, "#invoke-log"); !strings.Contains(l, "START RequestId:") || !strings.Contains(l, "REPORT RequestId:") {
			t.Errorf("invoke log %q", l)
		}
		e.setValue(t, "#invoke-input", `{"statuscode": "503"}`)
		e.click(t, "#invoke")
		e.waitFor(t, `document.querySelector('#invoke-status')?.dataset.status === 'FAILED'`, 15*time.Second, "a failed invoke")
		if p := e.text(t, "#invoke-payload"); !strings.Contains(p, `"errorType": "ServerUnavailableException"`) {
			t.Errorf("invoke payload %q", p)
		}
		e.waitFor(t, `document.querySelectorAll('#invocations tr.invocation').length === 9`, 10*time.Second, "9 recent invocations")
		e.click(t, "#invocations tr.invocation")
		if l := e.text(t, "#invocations tr.inv-log:not([hidden])"); !strings.Contains(l, "ServerUnavailableException") || !strings.Contains(l, "REPORT RequestId:") {
			t.Errorf("log of the newest invocation: %q", l)
		}
		e.shot(t, "function", true)
	})

	t.Run("activities, and stopping an execution", func(t *testing.T) {
		waiting := e.start(approval, "order-7", `{"order": 7}`)
		e.open(t, "/activities", "activities")
		e.waitFor(t, `document.querySelector('#pending-tasks tr[data-execution="`+waiting+`"]') !== null`, 10*time.Second, "the pending task")
		if n := e.text(t, `#activities [data-pending="`+actPrefix+`ApproveOrder"]`); n != "1" {
			t.Errorf("pending count %q", n)
		}
		row := e.text(t, `#pending-tasks tr[data-execution="`+waiting+`"]`)
		for _, w := range []string{"ApproveOrder", "order-7", "Ask for approval", "Waiting for a worker", `{"order":7}`} {
			if !strings.Contains(row, w) {
				t.Errorf("pending task row lacks %q: %q", w, row)
			}
		}
		e.shot(t, "activities", false)

		e.click(t, `#pending-tasks tr[data-execution="`+waiting+`"] a`)
		e.waitFor(t, `document.body.dataset.loaded === 'execution' && document.querySelector('#exec-status').dataset.status === 'RUNNING'`, 10*time.Second, "the waiting execution")
		e.checkColours(t, map[string]string{"Ask for approval": "running"})
		e.click(t, "#stop-execution")
		e.waitFor(t, `document.querySelector('#exec-status').dataset.status === 'ABORTED'`, 10*time.Second, "the execution to stop")
		e.checkColours(t, map[string]string{"Ask for approval": "failed"})
		if s := e.wait(waiting); s != "ABORTED" {
			t.Errorf("DescribeExecution says %s", s)
		}
		e.open(t, "/activities", "activities")
		e.waitFor(t, `document.querySelector('#no-pending') !== null`, 10*time.Second, "no pending task")
	})

	t.Run("failure in a Parallel branch, caught", func(t *testing.T) {
		arn := e.createStateMachineText("ParallelCatch", `{"StartAt": "Both", "States": {
			"Both": {"Type": "Parallel", "Next": "Done",
				"Branches": [
					{"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:MockAPIFunction", "End": true}}},
					{"StartAt": "Note", "States": {"Note": {"Type": "Pass", "End": true}}}],
				"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]},
			"Recover": {"Type": "Pass", "End": true},
			"Done": {"Type": "Succeed"}}}`)
		x := e.start(arn, "caught-in-branch", `{"statuscode": "503"}`)
		if s := e.wait(x); s != "SUCCEEDED" {
			t.Fatalf("status %s", s)
		}
		e.open(t, "/executions/"+x, "execution")
		e.checkColours(t, map[string]string{"Both": "caught", "Call": "failed", "Note": "succeeded", "Recover": "succeeded", "Done": notReached})
		if got := e.takenEdges(t); !slices.Contains(got, "Both -catch-> Recover") || slices.Contains(got, "Both -next-> Done") {
			t.Errorf("edges taken: %q", got)
		}
		e.click(t, `#graph .node.state[data-state="Call"] rect`)
		if d := e.text(t, "#step-details"); !strings.Contains(d, "ServerUnavailableException") {
			t.Errorf("step details of the failed branch state: %q", d)
		}
	})

	t.Run("redrive", func(t *testing.T) {
		// An uncaught Task failure can be redriven: it runs the Task again
		// (and fails again, with the same input).
		flaky := e.createStateMachineText("Uncaught", `{"StartAt": "Call", "States": {
			"Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:MockAPIFunction", "End": true}}}`)
		x := e.start(flaky, "uncaught-503", `{"statuscode": "503"}`)
		e.wait(x)
		e.open(t, "/executions/"+x, "execution")
		e.checkColours(t, map[string]string{"Call": "failed"})
		if !eval[bool](t, e, `!document.querySelector('#redrive-execution').disabled && document.querySelector('#stop-execution').disabled`) {
			t.Fatal("a FAILED execution should offer Redrive and not Stop")
		}
		events := eval[int](t, e, `document.querySelectorAll('#events tr.event').length`)
		e.click(t, "#redrive-execution")
		e.waitFor(t, `!document.querySelector('#flash').hidden`, 10*time.Second, "the redrive's answer")
		if msg := e.text(t, "#flash .flash-text"); msg != "Execution redriven." {
			t.Fatalf("after Redrive: %q", msg)
		}
		// The page follows the redriven run until it fails again.
		e.waitFor(t, `document.querySelector('#exec-status').dataset.status === 'FAILED' &&
			[...document.querySelectorAll('#events tr.event')].some((r) => r.dataset.type === 'ExecutionRedriven') &&
			document.querySelectorAll('#events tr.event').length > `+fmt.Sprint(events+3), 15*time.Second, "the redriven run to fail again")
		if got, want := eval[[]string](t, e, `[...document.querySelectorAll('#events tr.event')].map((r) => r.dataset.type)`), e.historyTypes(x); !slices.Equal(got, want) {
			t.Errorf("event table:\n got %v\nwant %v", got, want)
		}
		if s := e.text(t, "#exec-summary"); !strings.Contains(s, "Redrives\n1") {
			t.Errorf("summary after a redrive: %q", s)
		}
		e.checkColours(t, map[string]string{"Call": "failed"})

		// The 503 run failed in a Fail state; whatever RedriveExecution
		// answers shows on the page.
		e.open(t, "/executions/"+arns["503"], "execution")
		e.click(t, "#redrive-execution")
		e.waitFor(t, `!document.querySelector('#flash').hidden`, 10*time.Second, "the redrive's answer")
		msg := e.text(t, "#flash .flash-text")
		if msg != "Execution redriven." && !strings.HasPrefix(msg, "Redrive failed: ") {
			t.Errorf("after Redrive: %q", msg)
		}
		t.Logf("redrive of the 503 execution: %s", msg)
	})

	t.Run("phone", func(t *testing.T) {
		e.act(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		defer e.act(t, chromedp.EmulateViewport(1280, 800))
		for _, p := range []struct{ route, loaded, name string }{
			{"/executions/" + arns["429"], "execution", "phone-execution"},
			{"/state-machines/" + showcase, "state-machines", "phone-state-machine"},
			{"/state-machines", "state-machines", "phone-state-machines"},
			{"/functions/MockAPIFunction", "functions", "phone-function"},
		} {
			e.open(t, p.route, p.loaded)
			// Nothing wider than the screen: tables and the graph scroll or
			// shrink inside their boxes.
			w := eval[[]int](t, e, `[document.documentElement.scrollWidth, window.innerWidth]`)
			if w[0] > w[1] {
				t.Errorf("%s: the page is %d px wide on a %d px screen", p.route, w[0], w[1])
			}
			e.shot(t, p.name, true)
		}
	})

	t.Run("navigation", func(t *testing.T) {
		e.open(t, "/nowhere", "nowhere")
		if h := e.text(t, "#view h1"); h != "Not found" {
			t.Errorf("unknown route shows %q", h)
		}
		for _, n := range []struct{ section, ready string }{
			{"state-machines", "#state-machines"},
			{"executions", "#executions"},
			{"functions", "#functions"},
			{"activities", "#activities"},
		} {
			e.click(t, `nav a[data-section="`+n.section+`"]`)
			e.waitFor(t, `document.body.dataset.loaded === '`+n.section+`' && document.querySelector('`+n.ready+`') !== null &&
				document.querySelector('nav a.active')?.dataset.section === '`+n.section+`'`, 10*time.Second, "the "+n.section+" page")
			// Executions without a state machine shows the first one listed.
			if n.section == "executions" {
				if v := eval[string](t, e, `document.querySelector('#state-machine-select').value`); !strings.HasPrefix(v, smPrefix) {
					t.Errorf("state machine picked: %q", v)
				}
			}
		}
	})

	t.Run("self-contained", func(t *testing.T) {
		e.open(t, "/state-machines/"+showcase, "state-machines")
		foreign := eval[[]string](t, e, `performance.getEntriesByType('resource').map((r) => r.name).filter((n) => !n.startsWith(location.origin))`)
		if len(foreign) > 0 {
			t.Errorf("the console loaded from other origins: %v", foreign)
		}
	})
	t.Logf("browser test took %s", time.Since(started).Round(time.Millisecond))
}

// dashIfEmpty is how the page shows an absent value.
func dashIfEmpty(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
