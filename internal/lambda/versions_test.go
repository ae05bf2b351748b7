package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// versionedPython reports the code's generation (CODE), the context's
// version and invoked ARN, and the process id (to tell environments apart).
func versionedPython(code string) map[string]string {
	return map[string]string{"app.py": `import os
def handler(event, context):
    return {"code": "` + code + `", "version": context.function_version,
            "arn": context.invoked_function_arn, "pid": os.getpid(),
            "stream": context.log_stream_name}
`}
}

type versionedResult struct {
	Code, Version, Arn, Stream string
	Pid                        int
}

func (b *testBundle) invokeQ(t *testing.T, name, qualifier string) (versionedResult, *InvokeOutput) {
	t.Helper()
	out, err := b.svc.Invoke(context.Background(), &InvokeInput{FunctionName: name, Qualifier: qualifier, LogType: LogTypeTail})
	if err != nil {
		t.Fatalf("invoke %s (qualifier %q): %v", name, qualifier, err)
	}
	if out.FunctionError != "" {
		t.Fatalf("invoke %s: %s", name, out.Payload)
	}
	var r versionedResult
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		t.Fatalf("result %s: %v", out.Payload, err)
	}
	return r, out
}

func apiCode(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestVersionsSnapshotCode(t *testing.T) {
	needTool(t, "python3")
	ctx := context.Background()
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "f", runtime: "python3.12", handler: "app.handler", files: versionedPython("one")})
	v1, err := b.svc.PublishVersion(ctx, &PublishVersionInput{FunctionName: "f"})
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != "1" || v1.FunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:f:1" {
		t.Fatalf("published %s %s", v1.Version, v1.FunctionArn)
	}
	// Nothing changed: the same version again.
	if again, err := b.svc.PublishVersion(ctx, &PublishVersionInput{FunctionName: "f"}); err != nil || again.Version != "1" {
		t.Fatalf("republish: %v %+v", err, again)
	}
	// Warm a $LATEST environment, then change the code and publish with it.
	latestBefore, _ := b.invokeQ(t, "f", "")
	v2, err := b.svc.UpdateFunctionCode(ctx, &UpdateFunctionCodeInput{FunctionName: "f",
		FunctionCode: FunctionCode{ZipFile: zipOf(t, versionedPython("two"))}, Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != "2" {
		t.Fatalf("UpdateFunctionCode --publish answered version %q", v2.Version)
	}
	// The same zip uploaded again is unchanged code: no new version.
	again, err := b.svc.UpdateFunctionCode(ctx, &UpdateFunctionCodeInput{FunctionName: "f",
		FunctionCode: FunctionCode{ZipFile: zipOf(t, versionedPython("two"))}, Publish: true})
	if err != nil || again.Version != "2" || again.CodeSha256 != v2.CodeSha256 {
		t.Fatalf("re-uploading the same code with --publish: %v, version %q (sha %s, was %s)", err, again.Version, again.CodeSha256, v2.CodeSha256)
	}

	cases := []struct {
		name, fn, qualifier    string
		code, version, arnTail string
	}{
		{"unqualified runs $LATEST", "f", "", "two", "$LATEST", "function:f"},
		{"$LATEST qualifier", "f", "$LATEST", "two", "$LATEST", "function:f:$LATEST"},
		{"version 1 keeps its code", "f", "1", "one", "1", "function:f:1"},
		{"qualified name", "f:1", "", "one", "1", "function:f:1"},
		{"qualified ARN", "arn:aws:lambda:us-east-1:123456789012:function:f:2", "", "two", "2", "function:f:2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, out := b.invokeQ(t, c.fn, c.qualifier)
			if r.Code != c.code || r.Version != c.version || out.ExecutedVersion != c.version || !strings.HasSuffix(r.Arn, c.arnTail) {
				t.Fatalf("got code %s version %s executed %s arn %s; want %s %s ...%s", r.Code, r.Version, out.ExecutedVersion, r.Arn, c.code, c.version, c.arnTail)
			}
			if !strings.Contains(r.Stream, "/["+c.version+"]") {
				t.Errorf("log stream %q does not name version %s", r.Stream, c.version)
			}
			if tail := decodeTail(t, out); !strings.Contains(tail, "Version: "+c.version+"\n") {
				t.Errorf("START line does not name version %s:\n%s", c.version, tail)
			}
		})
	}
	// Environments are per version: $LATEST's old one is gone, version 1
	// and $LATEST never share.
	r1, _ := b.invokeQ(t, "f", "1")
	rl, _ := b.invokeQ(t, "f", "")
	if r1.Pid == rl.Pid || rl.Pid == latestBefore.Pid {
		t.Errorf("environments shared across versions: v1 %d, latest %d, latest before update %d", r1.Pid, rl.Pid, latestBefore.Pid)
	}
	if r1b, _ := b.invokeQ(t, "f", "1"); r1b.Pid != r1.Pid {
		t.Errorf("version 1's warm environment was not reused")
	}

	missing := []struct{ name, fn, qualifier, code string }{
		{"unknown version", "f", "7", "ResourceNotFoundException"},
		{"unknown alias", "f:nope", "", "ResourceNotFoundException"},
		{"mismatched qualifiers", "f:1", "2", "InvalidParameterValueException"},
	}
	for _, c := range missing {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.svc.Invoke(ctx, &InvokeInput{FunctionName: c.fn, Qualifier: c.qualifier})
			if apiCode(err) != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}

	// Configuration per version.
	cfg, err := b.svc.GetFunctionConfiguration(ctx, "f", "1")
	if err != nil || cfg.Version != "1" || cfg.CodeSha256 != v1.CodeSha256 {
		t.Fatalf("GetFunctionConfiguration f:1 = %+v, %v", cfg, err)
	}
	list, err := b.svc.ListVersionsByFunction(ctx, "f", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range list.Versions {
		got = append(got, v.Version+" "+v.FunctionArn[strings.LastIndex(v.FunctionArn, ":")+1:])
	}
	if strings.Join(got, ",") != "$LATEST $LATEST,1 1,2 2" {
		t.Fatalf("versions %v", got)
	}
	one := 1
	p1, err := b.svc.ListVersionsByFunction(ctx, "f", "", &one)
	if err != nil || len(p1.Versions) != 1 || p1.NextMarker == "" {
		t.Fatalf("page 1: %+v %v", p1, err)
	}
	p2, err := b.svc.ListVersionsByFunction(ctx, "f", p1.NextMarker, &one)
	if err != nil || len(p2.Versions) != 1 || p2.Versions[0].Version != "1" {
		t.Fatalf("page 2: %+v %v", p2, err)
	}

	// Versions survive a restart, code included.
	if err := b.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	b2 := newTestService(t, Options{DataDir: b.dir})
	if r, _ := b2.invokeQ(t, "f", "1"); r.Code != "one" {
		t.Fatalf("after restart version 1 runs %q", r.Code)
	}
	if v3, err := b2.svc.PublishVersion(ctx, &PublishVersionInput{FunctionName: "f"}); err != nil || v3.Version != "2" {
		t.Fatalf("after restart, publishing unchanged $LATEST: %+v %v", v3, err)
	}

	// Deleting a version.
	if err := b2.svc.DeleteFunction(ctx, "f", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := b2.svc.Invoke(ctx, &InvokeInput{FunctionName: "f:1"}); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("deleted version invoked: %v", err)
	}
	if r, _ := b2.invokeQ(t, "f", "2"); r.Code != "two" {
		t.Fatalf("version 2 after deleting 1 runs %q", r.Code)
	}
	// Numbers are not reused.
	if _, err := b2.svc.UpdateFunctionConfiguration(ctx, &UpdateFunctionConfigurationInput{FunctionName: "f", Description: ptr("changed")}); err != nil {
		t.Fatal(err)
	}
	if v, err := b2.svc.PublishVersion(ctx, &PublishVersionInput{FunctionName: "f", Description: ptr("third")}); err != nil || v.Version != "3" || v.Description != "third" {
		t.Fatalf("publish after delete: %+v %v", v, err)
	}
	// Deleting the function deletes every version.
	if err := b2.svc.DeleteFunction(ctx, "f", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := b2.svc.GetFunctionConfiguration(ctx, "f", "2"); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("version outlived its function: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestPublishPreconditions(t *testing.T) {
	needTool(t, "python3")
	ctx := context.Background()
	b := newTestService(t, Options{})
	cfg := b.create(t, fnSpec{name: "f", runtime: "python3.12", handler: "app.handler", files: versionedPython("one")})
	cases := []struct {
		name string
		in   PublishVersionInput
		code string
	}{
		{"wrong sha", PublishVersionInput{FunctionName: "f", CodeSha256: "abc"}, "InvalidParameterValueException"},
		{"wrong revision", PublishVersionInput{FunctionName: "f", RevisionID: "abc"}, "PreconditionFailedException"},
		{"long description", PublishVersionInput{FunctionName: "f", Description: ptr(strings.Repeat("x", 257))}, "ValidationException"},
		{"unknown function", PublishVersionInput{FunctionName: "g"}, "ResourceNotFoundException"},
		{"matching sha and revision", PublishVersionInput{FunctionName: "f", CodeSha256: cfg.CodeSha256, RevisionID: cfg.RevisionID}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.svc.PublishVersion(ctx, &c.in)
			if apiCode(err) != c.code {
				t.Fatalf("got %v, want %q", err, c.code)
			}
		})
	}
	// CreateFunction with Publish answers version 1.
	created, err := b.svc.CreateFunction(ctx, &CreateFunctionInput{FunctionName: "p", Runtime: "python3.12", Role: testRole,
		Handler: "app.handler", Code: FunctionCode{ZipFile: zipOf(t, versionedPython("p"))}, Publish: true})
	if err != nil || created.Version != "1" {
		t.Fatalf("create --publish: %+v %v", created, err)
	}
}

func TestAliases(t *testing.T) {
	needTool(t, "python3")
	ctx := context.Background()
	b := newTestService(t, Options{})
	b.create(t, fnSpec{name: "f", runtime: "python3.12", handler: "app.handler", files: versionedPython("one")})
	if _, err := b.svc.PublishVersion(ctx, &PublishVersionInput{FunctionName: "f"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.UpdateFunctionCode(ctx, &UpdateFunctionCodeInput{FunctionName: "f",
		FunctionCode: FunctionCode{ZipFile: zipOf(t, versionedPython("two"))}, Publish: true}); err != nil {
		t.Fatal(err)
	}
	live, err := b.svc.CreateAlias(ctx, &CreateAliasInput{FunctionName: "f", Name: "live", FunctionVersion: "1", Description: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if live.AliasArn != "arn:aws:lambda:us-east-1:123456789012:function:f:live" || live.RevisionID == "" {
		t.Fatalf("alias %+v", live)
	}
	bad := []struct {
		name string
		in   CreateAliasInput
		code string
	}{
		{"numeric name", CreateAliasInput{FunctionName: "f", Name: "12", FunctionVersion: "1"}, "ValidationException"},
		{"$LATEST name", CreateAliasInput{FunctionName: "f", Name: "$LATEST", FunctionVersion: "1"}, "ValidationException"},
		{"no version", CreateAliasInput{FunctionName: "f", Name: "a"}, "ValidationException"},
		{"bad version", CreateAliasInput{FunctionName: "f", Name: "a", FunctionVersion: "v1"}, "ValidationException"},
		{"unknown version", CreateAliasInput{FunctionName: "f", Name: "a", FunctionVersion: "9"}, "ResourceNotFoundException"},
		{"exists", CreateAliasInput{FunctionName: "f", Name: "live", FunctionVersion: "1"}, "ResourceConflictException"},
		{"routing to itself", CreateAliasInput{FunctionName: "f", Name: "a", FunctionVersion: "1",
			RoutingConfig: &AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 0.5}}}, "InvalidParameterValueException"},
		{"routing from $LATEST", CreateAliasInput{FunctionName: "f", Name: "a", FunctionVersion: "$LATEST",
			RoutingConfig: &AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 0.5}}}, "InvalidParameterValueException"},
		{"weight above 1", CreateAliasInput{FunctionName: "f", Name: "a", FunctionVersion: "1",
			RoutingConfig: &AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 1.5}}}, "ValidationException"},
		{"unknown function", CreateAliasInput{FunctionName: "g", Name: "a", FunctionVersion: "1"}, "ResourceNotFoundException"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			if _, err := b.svc.CreateAlias(ctx, &c.in); apiCode(err) != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
		})
	}
	r, out := b.invokeQ(t, "f:live", "")
	if r.Code != "one" || out.ExecutedVersion != "1" || !strings.HasSuffix(r.Arn, ":function:f:live") || r.Version != "1" {
		t.Fatalf("alias invoke: %+v executed %s", r, out.ExecutedVersion)
	}
	cfg, err := b.svc.GetFunctionConfiguration(ctx, "f", "live")
	if err != nil || cfg.Version != "1" || !strings.HasSuffix(cfg.FunctionArn, ":f:live") {
		t.Fatalf("configuration of alias: %+v %v", cfg, err)
	}
	// Route everything to 2, then half.
	if _, err := b.svc.UpdateAlias(ctx, &UpdateAliasInput{FunctionName: "f", Name: "live", RevisionID: "stale"}); apiCode(err) != "PreconditionFailedException" {
		t.Fatalf("stale revision: %v", err)
	}
	if _, err := b.svc.UpdateAlias(ctx, &UpdateAliasInput{FunctionName: "f", Name: "live", RevisionID: live.RevisionID,
		RoutingConfig: &AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 1}}}); err != nil {
		t.Fatal(err)
	}
	if r, out := b.invokeQ(t, "f", "live"); r.Code != "two" || out.ExecutedVersion != "2" {
		t.Fatalf("weight 1 to version 2 ran %s (executed %s)", r.Code, out.ExecutedVersion)
	}
	if _, err := b.svc.UpdateAlias(ctx, &UpdateAliasInput{FunctionName: "f", Name: "live",
		RoutingConfig: &AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.5}}}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := 0; i < 40 && len(seen) < 2; i++ {
		r, out := b.invokeQ(t, "f", "live")
		if (r.Code == "one") != (out.ExecutedVersion == "1") {
			t.Fatalf("ran %s but reports version %s", r.Code, out.ExecutedVersion)
		}
		seen[out.ExecutedVersion] = true
	}
	if !seen["1"] || !seen["2"] {
		t.Fatalf("50/50 routing ran only %v", seen)
	}
	// A version an alias routes to cannot be deleted.
	for _, v := range []string{"1", "2"} {
		if err := b.svc.DeleteFunction(ctx, "f", v); apiCode(err) != "ResourceConflictException" {
			t.Fatalf("delete version %s used by alias: %v", v, err)
		}
	}
	if _, err := b.svc.CreateAlias(ctx, &CreateAliasInput{FunctionName: "f", Name: "dev", FunctionVersion: "$LATEST"}); err != nil {
		t.Fatal(err)
	}
	filters := []struct{ version, want string }{{"", "dev,live"}, {"2", "live"}, {"$LATEST", "dev"}, {"9", ""}}
	for _, c := range filters {
		l, err := b.svc.ListAliases(ctx, "f", c.version, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range l.Aliases {
			names = append(names, a.Name)
		}
		if strings.Join(names, ",") != c.want {
			t.Errorf("ListAliases FunctionVersion=%q: %v, want %s", c.version, names, c.want)
		}
	}
	one := 1
	p1, err := b.svc.ListAliases(ctx, "f", "", "", &one)
	if err != nil || len(p1.Aliases) != 1 || p1.NextMarker == "" {
		t.Fatalf("alias page 1: %+v %v", p1, err)
	}
	if p2, err := b.svc.ListAliases(ctx, "f", "", p1.NextMarker, &one); err != nil || len(p2.Aliases) != 1 || p2.Aliases[0].Name != "live" || p2.NextMarker != "" {
		t.Fatalf("alias page 2: %+v %v", p2, err)
	}
	// Aliases survive a restart.
	if err := b.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	b2 := newTestService(t, Options{DataDir: b.dir})
	got, err := b2.svc.GetAlias(ctx, "f", "live")
	if err != nil || got.RoutingConfig == nil || got.RoutingConfig.AdditionalVersionWeights["2"] != 0.5 {
		t.Fatalf("alias after restart: %+v %v", got, err)
	}
	if r, _ := b2.invokeQ(t, "f", "dev"); r.Code != "two" || r.Version != "$LATEST" {
		t.Fatalf("dev alias ran %+v", r)
	}
	if err := b2.svc.DeleteAlias(ctx, "f", "live"); err != nil {
		t.Fatal(err)
	}
	if _, err := b2.svc.GetAlias(ctx, "f", "live"); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("deleted alias: %v", err)
	}
	if err := b2.svc.DeleteAlias(ctx, "f", "live"); apiCode(err) != "ResourceNotFoundException" {
		t.Fatalf("deleting a deleted alias: %v", err)
	}
	if err := b2.svc.DeleteFunction(ctx, "f", "1"); err != nil {
		t.Fatalf("delete version 1 once no alias uses it: %v", err)
	}
}

func TestListFunctionsAllVersions(t *testing.T) {
	needTool(t, "python3")
	ctx := context.Background()
	b := newTestService(t, Options{})
	for _, n := range []string{"a", "b"} {
		b.create(t, fnSpec{name: n, runtime: "python3.12", handler: "app.handler", files: versionedPython(n)})
	}
	if _, err := b.svc.PublishVersion(ctx, &PublishVersionInput{FunctionName: "a"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		version string
		size    int
		want    string
	}{
		{"", 50, "a:$LATEST,b:$LATEST"},
		{"ALL", 50, "a:$LATEST:$LATEST,a:1:1,b:$LATEST:$LATEST"},
		{"ALL", 1, "a:$LATEST:$LATEST,a:1:1,b:$LATEST:$LATEST"},
		{"ALL", 2, "a:$LATEST:$LATEST,a:1:1,b:$LATEST:$LATEST"},
	}
	for _, c := range cases {
		var got []string
		marker := ""
		for pages := 0; pages < 10; pages++ {
			out, err := b.svc.ListFunctionsPage(ctx, &ListFunctionsInput{FunctionVersion: c.version, Marker: marker, MaxItems: &c.size})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Functions) > c.size {
				t.Fatalf("page of %d for MaxItems %d", len(out.Functions), c.size)
			}
			for _, f := range out.Functions {
				arn := f.FunctionArn[strings.Index(f.FunctionArn, ":function:")+len(":function:"):]
				got = append(got, arn+":"+f.Version)
			}
			if marker = out.NextMarker; marker == "" {
				break
			}
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("FunctionVersion %q MaxItems %d: %v, want %s", c.version, c.size, got, c.want)
		}
	}
}

// TestLocalCodeVersions pins the choice for hot-reload functions: a
// version snapshots the configuration and runs from the same directory.
func TestLocalCodeVersions(t *testing.T) {
	needTool(t, "python3")
	ctx := context.Background()
	b := newTestService(t, Options{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(versionedPython("local")["app.py"]), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.CreateFunction(ctx, &CreateFunctionInput{FunctionName: "h", Runtime: "python3.12", Role: testRole,
		Handler: "app.handler", Code: FunctionCode{S3Bucket: HotReloadBucket, S3Key: dir}, Publish: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.UpdateFunctionConfiguration(ctx, &UpdateFunctionConfigurationInput{FunctionName: "h", Timeout: ptr(9)}); err != nil {
		t.Fatal(err)
	}
	r, out := b.invokeQ(t, "h", "1")
	if r.Code != "local" || out.ExecutedVersion != "1" {
		t.Fatalf("version 1 of a local function ran %+v", r)
	}
	cfg, err := b.svc.GetFunction(ctx, "h:1", "", nil)
	if err != nil || cfg.Configuration.Timeout != DefaultTimeout || cfg.Code.Location != "file://"+dir {
		t.Fatalf("version 1: %+v %v", cfg, err)
	}
}

// TestDeleteVersionWhileRunning: deleting a version (or updating the code)
// while an invoke of it runs leaves that invoke its code: a handler that
// reads its own files after the delete still finds them.
func TestDeleteVersionWhileRunning(t *testing.T) {
	needTool(t, "python3")
	ctx := context.Background()
	b := newTestService(t, Options{})
	g := newGate(t)
	reader := gatePython[:strings.Index(gatePython, "    return")] +
		"    return open(os.path.join(os.path.dirname(__file__), 'data.txt')).read()\n"
	files := func(data string) map[string]string { return map[string]string{"app.py": reader, "data.txt": data} }
	b.create(t, fnSpec{name: "f", runtime: "python3.12", handler: "app.handler", env: map[string]string{"GATE_PORT": g.port()}, files: files("one")})
	if _, err := b.svc.PublishVersion(ctx, &PublishVersionInput{FunctionName: "f"}); err != nil {
		t.Fatal(err)
	}
	// Version 1 keeps its own code directory from here on.
	if _, err := b.svc.UpdateFunctionCode(ctx, &UpdateFunctionCodeInput{FunctionName: "f", FunctionCode: FunctionCode{ZipFile: zipOf(t, files("two"))}}); err != nil {
		t.Fatal(err)
	}
	type result struct {
		out *InvokeOutput
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := b.svc.Invoke(ctx, &InvokeInput{FunctionName: "f", Qualifier: "1", Payload: []byte(`{}`)})
		done <- result{out, err}
	}()
	at := g.next(t) // version 1 is running
	if err := b.svc.DeleteFunction(ctx, "f", "1"); err != nil {
		t.Fatal(err)
	}
	at.release()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.out.FunctionError != "" || string(r.out.Payload) != `"one"` {
		t.Fatalf("the running invoke of the deleted version: %s %s", r.out.FunctionError, r.out.Payload)
	}
}
