package lambda

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func apiErr(t *testing.T, err error) *APIError {
	t.Helper()
	var e *APIError
	if !errors.As(err, &e) {
		t.Fatalf("want *APIError, got %v", err)
	}
	return e
}

// TestAPIErrors pins the service errors' names, statuses and messages
// (aws-semantics §6.1).
func TestAPIErrors(t *testing.T) {
	b := newTestService(t, Options{})
	zip := zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 1\n"})
	ctx := context.Background()
	base := func() *CreateFunctionInput {
		return &CreateFunctionInput{FunctionName: "f", Runtime: "python3.12", Role: testRole, Handler: "app.handler", Code: FunctionCode{ZipFile: zip}}
	}
	if _, err := b.svc.CreateFunction(ctx, base()); err != nil {
		t.Fatal(err)
	}
	ten, zero, big := 10, 0, 901
	cases := []struct {
		name      string
		call      func() error
		code      string
		status    int
		msgPrefix string
	}{
		{"create existing", func() error { _, err := b.svc.CreateFunction(ctx, base()); return err },
			"ResourceConflictException", 409, "Function already exist: f"},
		{"get unknown", func() error { _, err := b.svc.GetFunctionConfiguration(ctx, "nope", ""); return err },
			"ResourceNotFoundException", 404, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"},
		{"invoke unknown with qualifier", func() error {
			_, err := b.svc.Invoke(ctx, &InvokeInput{FunctionName: "nope", Qualifier: "$LATEST"})
			return err
		}, "ResourceNotFoundException", 404, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST"},
		{"invoke unknown without qualifier names $LATEST", func() error {
			_, err := b.svc.Invoke(ctx, &InvokeInput{FunctionName: "nope"})
			return err
		}, "ResourceNotFoundException", 404, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST"},
		{"unknown version", func() error { _, err := b.svc.GetFunctionConfiguration(ctx, "f:7", ""); return err },
			"ResourceNotFoundException", 404, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f:7"},
		{"other account", func() error {
			_, err := b.svc.GetFunctionConfiguration(ctx, "arn:aws:lambda:us-east-1:999999999999:function:f", "")
			return err
		}, "ResourceNotFoundException", 404, "Function not found"},
		{"qualifier mismatch", func() error { _, err := b.svc.GetFunctionConfiguration(ctx, "f:$LATEST", "3"); return err },
			"InvalidParameterValueException", 400, "The derived qualifier from the function name does not match the specified qualifier."},
		{"name too long", func() error {
			in := base()
			in.FunctionName = strings.Repeat("a", 65)
			_, err := b.svc.CreateFunction(ctx, in)
			return err
		}, "ValidationException", 400, "1 validation error detected: Value '" + strings.Repeat("a", 65) + "' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"bad role", func() error {
			in := base()
			in.FunctionName, in.Role = "g", "role"
			_, err := b.svc.CreateFunction(ctx, in)
			return err
		}, "ValidationException", 400, "1 validation error detected: Value 'role' at 'role'"},
		{"timeout 0", func() error {
			in := base()
			in.FunctionName, in.Timeout = "g", &zero
			_, err := b.svc.CreateFunction(ctx, in)
			return err
		}, "ValidationException", 400, "1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"timeout 901", func() error {
			_, err := b.svc.UpdateFunctionConfiguration(ctx, &UpdateFunctionConfigurationInput{FunctionName: "f", Timeout: &big})
			return err
		}, "InvalidParameterValueException", 400, "Timeout must be less than or equal to 900"},
		{"memory too small", func() error {
			_, err := b.svc.UpdateFunctionConfiguration(ctx, &UpdateFunctionConfigurationInput{FunctionName: "f", MemorySize: &ten})
			return err
		}, "ValidationException", 400, "1 validation error detected: Value '10' at 'memorySize'"},
		{"reserved env key", func() error {
			_, err := b.svc.UpdateFunctionConfiguration(ctx, &UpdateFunctionConfigurationInput{FunctionName: "f",
				Environment: &Environment{Variables: map[string]string{"AWS_REGION": "x", "OK_VAR": "1"}}})
			return err
		}, "InvalidParameterValueException", 400, "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION"},
		{"unsupported runtime", func() error {
			in := base()
			in.FunctionName, in.Runtime = "g", "java21"
			_, err := b.svc.CreateFunction(ctx, in)
			return err
		}, "InvalidParameterValueException", 400, "Value java21 at 'runtime'"},
		{"bad zip", func() error {
			in := base()
			in.FunctionName, in.Code.ZipFile = "g", []byte("not a zip")
			_, err := b.svc.CreateFunction(ctx, in)
			return err
		}, "InvalidParameterValueException", 400, "Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"no code", func() error {
			in := base()
			in.FunctionName, in.Code = "g", FunctionCode{}
			_, err := b.svc.CreateFunction(ctx, in)
			return err
		}, "InvalidParameterValueException", 400, "Please provide a source for function code."},
		{"payload too large", func() error {
			_, err := b.svc.Invoke(ctx, &InvokeInput{FunctionName: "f", Payload: make([]byte, MaxSyncPayload+1)})
			return err
		}, "RequestEntityTooLargeException", 413, "Request must be smaller than 6291456 bytes for the Invoke operation"},
		{"event payload too large", func() error {
			_, err := b.svc.Invoke(ctx, &InvokeInput{FunctionName: "f", InvocationType: "Event", Payload: []byte(`"` + strings.Repeat("x", MaxAsyncPayload) + `"`)})
			return err
		}, "RequestEntityTooLargeException", 413, "Request must be smaller than 1048576 bytes for the Invoke operation"},
		{"payload not JSON", func() error {
			_, err := b.svc.Invoke(ctx, &InvokeInput{FunctionName: "f", Payload: []byte("not json")})
			return err
		}, "InvalidRequestContentException", 400, "Could not parse request body into json: Could not parse payload into json: line 1, column 1: unrecognized token 'not': expected a JSON value (string, number, object, array, true, false or null)"},
		{"bad invocation type", func() error {
			_, err := b.svc.Invoke(ctx, &InvokeInput{FunctionName: "f", InvocationType: "Later"})
			return err
		}, "ValidationException", 400, "1 validation error detected: Value 'Later' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"},
		{"stale revision", func() error {
			_, err := b.svc.UpdateFunctionConfiguration(ctx, &UpdateFunctionConfigurationInput{FunctionName: "f", RevisionID: "old"})
			return err
		}, "PreconditionFailedException", 412, "The Revision Id provided does not match the latest Revision Id."},
		{"delete $LATEST", func() error { return b.svc.DeleteFunction(ctx, "f", "$LATEST") },
			"InvalidParameterValueException", 400, "$LATEST version cannot be deleted without deleting the function."},
		{"negative concurrency", func() error { _, err := b.svc.PutFunctionConcurrency(ctx, "f", -1); return err },
			"ValidationException", 400, "1 validation error detected: Value '-1' at 'reservedConcurrentExecutions'"},
		// At most 1000 - 100: the unreserved functions keep 100.
		{"concurrency beyond the account's", func() error { _, err := b.svc.PutFunctionConcurrency(ctx, "f", 901); return err },
			"InvalidParameterValueException", 400, "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := apiErr(t, c.call())
			if e.Code != c.code || e.Status != c.status || !strings.HasPrefix(e.Message, c.msgPrefix) || e.Type != "User" {
				t.Fatalf("got %s %d %q (%s), want %s %d %q...", e.Code, e.Status, e.Message, e.Type, c.code, c.status, c.msgPrefix)
			}
		})
	}
}

// TestConcurrencyKeepsWarm: reserved concurrency is not part of the
// function's definition: setting or removing it keeps the revision and the
// warm environment, and it survives a restart.
func TestConcurrencyKeepsWarm(t *testing.T) {
	needTool(t, "python3")
	ctx := context.Background()
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "warm", runtime: "python3.12", handler: "app.handler", files: map[string]string{
		"app.py": "n = 0\ndef handler(e, c):\n    global n\n    n += 1\n    return n\n"}})
	before, err := b.svc.GetFunctionConfiguration(ctx, "warm", "")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		change func() error
		want   string
	}{
		{func() error { return nil }, "1"},
		{func() error { _, err := b.svc.PutFunctionConcurrency(ctx, "warm", 5); return err }, "2"},
		{func() error { return b.svc.DeleteFunctionConcurrency(ctx, "warm") }, "3"},
		{func() error { _, err := b.svc.PutFunctionConcurrency(ctx, "warm", 3); return err }, "4"},
	}
	for i, st := range steps {
		if err := st.change(); err != nil {
			t.Fatal(err)
		}
		if out := b.invoke(t, "warm", `{}`); string(out.Payload) != st.want {
			t.Fatalf("invoke %d: %s, want %s (a warm environment)", i, out.Payload, st.want)
		}
	}
	if after, err := b.svc.GetFunctionConfiguration(ctx, "warm", ""); err != nil || after.RevisionID != before.RevisionID {
		t.Errorf("the revision changed: %v %s, was %s", err, after.RevisionID, before.RevisionID)
	}
	if err := b.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	b = newTestService(t, Options{DataDir: b.dir})
	if r, err := b.svc.GetFunctionConcurrency(ctx, "warm"); err != nil || r == nil || *r != 3 {
		t.Errorf("after a restart: %v %v, want 3", r, err)
	}
}

// TestCreateFunctionByARN: CreateFunction takes an ARN or a partial ARN
// of this region and account as the name.
func TestCreateFunctionByARN(t *testing.T) {
	b := newTestService(t, Options{})
	ctx := context.Background()
	zip := zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 1\n"})
	cases := []struct {
		name, wantName, wantErr string
	}{
		{"arn:aws:lambda:us-east-1:123456789012:function:viaarn", "viaarn", ""},
		{"123456789012:function:partial", "partial", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:q:1", "", "InvalidParameterValueException"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:elsewhere", "", "InvalidParameterValueException"},
		{"arn:aws:lambda:us-east-1:999999999999:function:theirs", "", "InvalidParameterValueException"},
		{"arn:aws:s3:::bucket", "", "ValidationException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := b.svc.CreateFunction(ctx, &CreateFunctionInput{FunctionName: c.name, Runtime: "python3.12", Role: testRole, Handler: "app.handler", Code: FunctionCode{ZipFile: zip}})
			if c.wantErr != "" {
				if e := apiErr(t, err); e.Code != c.wantErr {
					t.Fatalf("got %s %q, want %s", e.Code, e.Message, c.wantErr)
				}
				return
			}
			if err != nil || cfg.FunctionName != c.wantName || cfg.FunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:"+c.wantName {
				t.Fatalf("got %v %+v", err, cfg)
			}
		})
	}
}

// TestReservedConcurrencyQuota: reservations leave 100 of the account's
// 1000 to the functions without one; a function's own reservation does not
// count against its new one.
func TestReservedConcurrencyQuota(t *testing.T) {
	b := newTestService(t, Options{})
	ctx := context.Background()
	zip := zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 1\n"})
	for _, name := range []string{"a", "b"} {
		if _, err := b.svc.CreateFunction(ctx, &CreateFunctionInput{FunctionName: name, Runtime: "python3.12", Role: testRole, Handler: "app.handler", Code: FunctionCode{ZipFile: zip}}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		fn      string
		n       int
		wantErr bool
	}{
		{"a", 800, false},
		{"a", 900, false}, // replaces a's 800
		{"b", 1, true},    // 999 would leave 99
		{"a", 850, false},
		{"b", 50, false}, // 900 in all
		{"b", 51, true},
	}
	for _, st := range steps {
		_, err := b.svc.PutFunctionConcurrency(ctx, st.fn, st.n)
		if (err != nil) != st.wantErr {
			t.Fatalf("PutFunctionConcurrency(%s, %d): %v, want error %v", st.fn, st.n, err, st.wantErr)
		}
	}
	if s, _ := b.svc.GetAccountSettings(ctx); s.AccountLimit.UnreservedConcurrentExecutions != 100 {
		t.Errorf("UnreservedConcurrentExecutions = %d, want 100", s.AccountLimit.UnreservedConcurrentExecutions)
	}
}

// TestAPIErrorCause renders a service error as Step Functions reports it
// (aws-semantics §3.4, "Lambda service errors").
func TestAPIErrorCause(t *testing.T) {
	e := errNotFound("arn:aws:lambda:us-east-1:123456789012:function:x:$LATEST")
	want := "Function not found: arn:aws:lambda:us-east-1:123456789012:function:x:$LATEST (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: r-1; Proxy: null)"
	if got := e.Cause("r-1"); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestFunctionLifecycle: create, read, list with paging, update code and
// configuration, reopen the data directory, delete.
func TestFunctionLifecycle(t *testing.T) {
	needTool(t, "python3")
	dir := t.TempDir()
	ctx := context.Background()
	b := newTestService(t, Options{DataDir: dir})
	for _, n := range []string{"c", "a", "b"} {
		b.create(t, fnSpec{name: n, runtime: "python3.6", handler: "app.handler", files: map[string]string{
			"app.py": "import os\ndef handler(e, c):\n    return ['v1', os.environ.get('COLOR')]\n"}})
	}
	cfg, err := b.svc.GetFunctionConfiguration(ctx, "arn:aws:lambda:us-east-1:123456789012:function:a", "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.FunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:a" || cfg.Timeout != 3 || cfg.MemorySize != 128 ||
		cfg.Version != "$LATEST" || cfg.State != "Active" || cfg.PackageType != "Zip" || cfg.CodeSize == 0 ||
		len(cfg.CodeSha256) != 44 || cfg.LoggingConfig.LogGroup != "/aws/lambda/a" || cfg.Runtime != "python3.6" {
		t.Errorf("configuration: %+v", cfg)
	}
	page1, err := b.svc.ListFunctions(ctx, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	page2, err := b.svc.ListFunctions(ctx, page1.NextMarker, 2)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range append(page1.Functions, page2.Functions...) {
		names = append(names, f.FunctionName)
	}
	if strings.Join(names, ",") != "a,b,c" || page1.NextMarker == "" || page2.NextMarker != "" {
		t.Errorf("listing: %v, markers %q %q", names, page1.NextMarker, page2.NextMarker)
	}

	if out := b.invoke(t, "a", `{}`); string(out.Payload) != `["v1", null]` {
		t.Fatalf("v1: %s", out.Payload)
	}
	color := "blue"
	cfg2, err := b.svc.UpdateFunctionConfiguration(ctx, &UpdateFunctionConfigurationInput{FunctionName: "a",
		Environment: &Environment{Variables: map[string]string{"COLOR": color}}, RevisionID: cfg.RevisionID})
	if err != nil {
		t.Fatal(err)
	}
	if cfg2.RevisionID == cfg.RevisionID || cfg2.Environment.Variables["COLOR"] != "blue" {
		t.Errorf("after update: %+v", cfg2)
	}
	if out := b.invoke(t, "a", `{}`); string(out.Payload) != `["v1", "blue"]` {
		t.Fatalf("warm environment not retired after a configuration change: %s", out.Payload)
	}
	cfg3, err := b.svc.UpdateFunctionCode(ctx, &UpdateFunctionCodeInput{FunctionName: "a", FunctionCode: FunctionCode{
		ZipFile: zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 'v2'\n"})}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg3.CodeSha256 == cfg.CodeSha256 {
		t.Error("CodeSha256 unchanged after new code")
	}
	if out := b.invoke(t, "a", `{}`); string(out.Payload) != `"v2"` {
		t.Fatalf("new code not used: %s", out.Payload)
	}
	if _, err := b.svc.PutFunctionConcurrency(ctx, "a", 3); err != nil {
		t.Fatal(err)
	}
	got, err := b.svc.GetFunction(ctx, "a", "", func(n string) string { return "http://x/" + n })
	if err != nil {
		t.Fatal(err)
	}
	if got.Concurrency == nil || got.Concurrency.ReservedConcurrentExecutions != 3 || got.Code.Location != "http://x/a" || got.Code.RepositoryType != "S3" {
		t.Errorf("GetFunction: %+v", got)
	}

	// Reopen the same data directory: definitions and code survive.
	if err := b.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	b2 := newTestService(t, Options{DataDir: dir})
	if out := b2.invoke(t, "a", `{}`); string(out.Payload) != `"v2"` {
		t.Fatalf("after restart: %s", out.Payload)
	}
	if r, _ := b2.svc.GetFunctionConcurrency(ctx, "a"); r == nil || *r != 3 {
		t.Errorf("reserved concurrency lost on restart: %v", r)
	}
	codeDirs, _ := os.ReadDir(filepath.Join(dir, "functions", "a", "code"))
	if len(codeDirs) > 2 { // the current revision and its zip
		t.Errorf("old code revisions kept: %d entries", len(codeDirs))
	}
	if err := b2.svc.DeleteFunction(ctx, "a", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "functions", "a")); !os.IsNotExist(err) {
		t.Errorf("function directory left after delete: %v", err)
	}
	if _, err := b2.svc.GetFunctionConfiguration(ctx, "a", ""); apiErr(t, err).Code != "ResourceNotFoundException" {
		t.Errorf("after delete: %v", err)
	}
}

// TestLocalDirectoryCode: a function can run from a local directory in
// place (Code.Dir, or S3Bucket "hot-reload" with S3Key the path).
func TestLocalDirectoryCode(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	src := t.TempDir()
	write := func(body string) {
		if err := os.WriteFile(filepath.Join(src, "app.py"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Each version of the handler counts its invokes in its environment:
	// "one 2" is a warm environment reused, "two 1" a fresh one.
	handler := func(v string) string {
		return "n = 0\ndef handler(e, c):\n    global n\n    n += 1\n    return '" + v + " %d' % n\n"
	}
	write(handler("one"))
	_, err := b.svc.CreateFunction(context.Background(), &CreateFunctionInput{FunctionName: "local", Runtime: "python3.12", Role: testRole,
		Handler: "app.handler", Code: FunctionCode{S3Bucket: HotReloadBucket, S3Key: src}})
	if err != nil {
		t.Fatal(err)
	}
	// An edit takes effect at the next invoke (hot reloading): the warm
	// environment, started on other code, is replaced; an unchanged
	// directory keeps it warm.
	steps := []struct{ edit, want string }{
		{"", `"one 1"`},
		{"", `"one 2"`},
		{"two", `"two 1"`},
		{"", `"two 2"`},
		{"three", `"three 1"`},
	}
	for i, step := range steps {
		if step.edit != "" {
			write(handler(step.edit))
			// A later modification time even on coarse clocks.
			later := time.Now().Add(time.Duration(i) * time.Second)
			if err := os.Chtimes(filepath.Join(src, "app.py"), later, later); err != nil {
				t.Fatal(err)
			}
		}
		if out := b.invoke(t, "local", `{}`); string(out.Payload) != step.want {
			t.Fatalf("invoke %d: got %s, want %s", i, out.Payload, step.want)
		}
	}
	// Bytecode the runtime writes does not count as an edit.
	if err := os.MkdirAll(filepath.Join(src, "__pycache__"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "__pycache__", "app.cpython-312.pyc"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := b.invoke(t, "local", `{}`); string(out.Payload) != `"three 2"` {
		t.Fatalf("after a __pycache__ change: got %s, want a warm \"three 2\"", out.Payload)
	}
	// Nor does creating a skipped directory (newer than every file); a new
	// file does, even one with an old modification time.
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(src, "app.py"), past, past); err != nil {
		t.Fatal(err)
	}
	if out := b.invoke(t, "local", `{}`); string(out.Payload) != `"three 1"` {
		t.Fatalf("after touching app.py: got %s, want a fresh \"three 1\"", out.Payload)
	}
	if err := os.Mkdir(filepath.Join(src, "node_modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out := b.invoke(t, "local", `{}`); string(out.Payload) != `"three 2"` {
		t.Fatalf("after creating node_modules: got %s, want a warm \"three 2\"", out.Payload)
	}
	if err := os.WriteFile(filepath.Join(src, "extra.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(src, "extra.py"), past, past); err != nil {
		t.Fatal(err)
	}
	if out := b.invoke(t, "local", `{}`); string(out.Payload) != `"three 1"` {
		t.Fatalf("after adding a file: got %s, want a fresh \"three 1\"", out.Payload)
	}
	for _, name := range []string{"__pycache__", "node_modules", "extra.py"} {
		if err := os.RemoveAll(filepath.Join(src, name)); err != nil {
			t.Fatal(err)
		}
	}
	if entries, _ := os.ReadDir(src); len(entries) != 1 {
		t.Errorf("the local directory was written to: %d entries", len(entries))
	}
	if err := b.svc.DeleteFunction(context.Background(), "local", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(src, "app.py")); err != nil {
		t.Errorf("deleting the function removed the user's code: %v", err)
	}
}

// TestEventAndDryRun: Event queues the invoke and answers 202 at once;
// DryRun only checks the function (204).
func TestEventAndDryRun(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	g := newGate(t)
	b.create(t, fnSpec{name: "gated", runtime: "python3.12", handler: "app.handler", env: map[string]string{"GATE_PORT": g.port()},
		files: map[string]string{"app.py": gatePython}})
	out, err := b.svc.Invoke(context.Background(), &InvokeInput{FunctionName: "gated", InvocationType: "DryRun"})
	if err != nil || out.StatusCode != 204 || len(out.Payload) != 0 {
		t.Fatalf("DryRun: %+v %v", out, err)
	}
	out, err = b.svc.Invoke(context.Background(), &InvokeInput{FunctionName: "gated", InvocationType: "Event", Payload: []byte(`{"a":1}`)})
	if err != nil || out.StatusCode != 202 || out.RequestID == "" {
		t.Fatalf("Event: %+v %v", out, err)
	}
	g.next(t).release() // the queued invoke runs
}

// TestLogStore: logs land in /aws/lambda/<name>, one stream per
// environment, and the recent invocations are kept newest first.
func TestLogStore(t *testing.T) {
	needTool(t, "python3")
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "logger", runtime: "python3.12", handler: "app.handler", files: map[string]string{
		"app.py": "import logging\nlog = logging.getLogger()\nlog.setLevel(logging.INFO)\ndef handler(e, c):\n    print('line', e['n'])\n    log.info('via logging')\n    if e['n'] == 2:\n        raise ValueError('bad')\n    return e['n']\n"}})
	var ids []string
	for i := 1; i <= 2; i++ {
		ids = append(ids, b.invoke(t, "logger", `{"n":`+string(rune('0'+i))+`}`).RequestID)
	}
	streams, err := b.svc.Logs().Streams("/aws/lambda/logger", "")
	if err != nil || len(streams) != 1 {
		t.Fatalf("streams: %v %v", streams, err)
	}
	events, _, _, err := b.svc.Logs().Events("/aws/lambda/logger", streams[0].Name, logstoreQuery())
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, e := range events {
		text.WriteString(e.Message)
	}
	for _, want := range []string{"INIT_START", "START RequestId: " + ids[0], "line 1\n", "\t" + ids[0] + "\tvia logging\n", "[INFO]\t",
		"END RequestId: " + ids[1], "[ERROR] ValueError: bad\rTraceback (most recent call last):\r  File \"/var/task/app.py\", line 8, in handler"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("stream lacks %q:\n%s", want, text.String())
		}
	}
	recs, err := b.svc.Invocations("logger")
	if err != nil || len(recs) != 2 {
		t.Fatalf("invocations: %d %v", len(recs), err)
	}
	if recs[0].RequestID != ids[1] || recs[0].Status != InvocationFailed || recs[0].ErrorType != "ValueError" ||
		recs[1].RequestID != ids[0] || recs[1].Status != InvocationSucceeded || recs[1].InitDuration == 0 ||
		recs[0].LogStream != streams[0].Name || !strings.Contains(recs[1].Log, "line 1\n") {
		t.Errorf("records: %+v", recs)
	}
}
