package lambda

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestConfigValidation: CreateFunction, UpdateFunctionConfiguration and
// UpdateFunctionCode enforce the model's constraints on Architectures,
// EphemeralStorage, TracingConfig, LoggingConfig and Handler, worded as the
// Lambda API words a ValidationException; valid values still pass.
func TestConfigValidation(t *testing.T) {
	b := newTestService(t, Options{})
	ctx := context.Background()
	zip := zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 1\n"})
	created := 0
	create := func(change func(in *CreateFunctionInput)) func() error {
		return func() error {
			created++
			in := &CreateFunctionInput{FunctionName: "c" + strings.Repeat("x", created), Runtime: "python3.12", Role: testRole,
				Handler: "app.handler", Code: FunctionCode{ZipFile: zip}}
			change(in)
			_, err := b.svc.CreateFunction(ctx, in)
			return err
		}
	}
	update := func(in UpdateFunctionConfigurationInput) func() error {
		return func() error {
			in.FunctionName = "f"
			_, err := b.svc.UpdateFunctionConfiguration(ctx, &in)
			return err
		}
	}
	updateCode := func(arch []string) func() error {
		return func() error {
			_, err := b.svc.UpdateFunctionCode(ctx, &UpdateFunctionCodeInput{FunctionName: "f", FunctionCode: FunctionCode{ZipFile: zip}, Architectures: arch})
			return err
		}
	}
	if err := create(func(in *CreateFunctionInput) { in.FunctionName = "f" })(); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	const archEnum = "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
	verr := func(value, field, constraint string) string {
		return "1 validation error detected: Value " + value + " at '" + field + "' failed to satisfy constraint: " + constraint
	}
	cases := []struct {
		name string
		call func() error
		want string // "" when the call must succeed
	}{
		// Architectures: exactly one, x86_64 or arm64.
		{"create arm64", create(func(in *CreateFunctionInput) { in.Architectures = []string{"arm64"} }), ""},
		{"create no architectures member", create(func(in *CreateFunctionInput) { in.Architectures = nil }), ""},
		{"create empty architectures", create(func(in *CreateFunctionInput) { in.Architectures = []string{} }),
			verr("'[]'", "architectures", "Member must have length greater than or equal to 1")},
		{"create two architectures", create(func(in *CreateFunctionInput) { in.Architectures = []string{"x86_64", "arm64"} }),
			verr("'[x86_64, arm64]'", "architectures", "Member must have length less than or equal to 1")},
		{"create unknown architecture", create(func(in *CreateFunctionInput) { in.Architectures = []string{"mips"} }),
			verr("'[mips]'", "architectures", archEnum)},
		{"update code arm64", updateCode([]string{"arm64"}), ""},
		{"update code two architectures", updateCode([]string{"arm64", "arm64"}),
			verr("'[arm64, arm64]'", "architectures", "Member must have length less than or equal to 1")},
		{"update code unknown architecture", updateCode([]string{"X86_64"}), verr("'[X86_64]'", "architectures", archEnum)},
		{"update code empty architectures", updateCode([]string{}), verr("'[]'", "architectures", "Member must have length greater than or equal to 1")},

		// EphemeralStorage.Size: 512..10240.
		{"create storage 512", create(func(in *CreateFunctionInput) { in.EphemeralStorage = &EphemeralStorage{Size: 512} }), ""},
		{"create storage 10240", create(func(in *CreateFunctionInput) { in.EphemeralStorage = &EphemeralStorage{Size: 10240} }), ""},
		{"create storage 511", create(func(in *CreateFunctionInput) { in.EphemeralStorage = &EphemeralStorage{Size: 511} }),
			verr("'511'", "ephemeralStorage.size", "Member must have value greater than or equal to 512")},
		{"create storage 0", create(func(in *CreateFunctionInput) { in.EphemeralStorage = &EphemeralStorage{} }),
			verr("'0'", "ephemeralStorage.size", "Member must have value greater than or equal to 512")},
		{"update storage 10241", update(UpdateFunctionConfigurationInput{EphemeralStorage: &EphemeralStorage{Size: 10241}}),
			verr("'10241'", "ephemeralStorage.size", "Member must have value less than or equal to 10240")},
		{"update storage 2048", update(UpdateFunctionConfigurationInput{EphemeralStorage: &EphemeralStorage{Size: 2048}}), ""},

		// TracingConfig.Mode: Active or PassThrough.
		{"create tracing Active", create(func(in *CreateFunctionInput) { in.TracingConfig = &TracingConfig{Mode: "Active"} }), ""},
		{"create tracing active", create(func(in *CreateFunctionInput) { in.TracingConfig = &TracingConfig{Mode: "active"} }),
			verr("'active'", "tracingConfig.mode", "Member must satisfy enum value set: [Active, PassThrough]")},
		{"update tracing On", update(UpdateFunctionConfigurationInput{TracingConfig: &TracingConfig{Mode: "On"}}),
			verr("'On'", "tracingConfig.mode", "Member must satisfy enum value set: [Active, PassThrough]")},
		{"update tracing PassThrough", update(UpdateFunctionConfigurationInput{TracingConfig: &TracingConfig{Mode: "PassThrough"}}), ""},

		// LoggingConfig: LogFormat JSON or Text; LogGroup 1..512 of [\.\-_/#A-Za-z0-9].
		{"create log format JSON", create(func(in *CreateFunctionInput) { in.LoggingConfig = &LoggingConfig{LogFormat: "JSON"} }), ""},
		{"create log format YAML", create(func(in *CreateFunctionInput) { in.LoggingConfig = &LoggingConfig{LogFormat: "YAML"} }),
			verr("'YAML'", "loggingConfig.logFormat", "Member must satisfy enum value set: [JSON, Text]")},
		{"update log format json", update(UpdateFunctionConfigurationInput{LoggingConfig: &LoggingConfig{LogFormat: "json"}}),
			verr("'json'", "loggingConfig.logFormat", "Member must satisfy enum value set: [JSON, Text]")},
		{"update log format Text", update(UpdateFunctionConfigurationInput{LoggingConfig: &LoggingConfig{LogFormat: "Text"}}), ""},
		{"create log group with a space", create(func(in *CreateFunctionInput) { in.LoggingConfig = &LoggingConfig{LogGroup: "/my group"} }),
			verr("'/my group'", "loggingConfig.logGroup", `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)},
		{"update log group too long", update(UpdateFunctionConfigurationInput{LoggingConfig: &LoggingConfig{LogGroup: strings.Repeat("g", 513)}}),
			verr("'"+strings.Repeat("g", 513)+"'", "loggingConfig.logGroup", "Member must have length less than or equal to 512")},

		// Handler: at most 128 characters, no whitespace.
		{"create handler with a space", create(func(in *CreateFunctionInput) { in.Handler = "a b" }),
			verr("'a b'", "handler", `Member must satisfy regular expression pattern: [^\s]+`)},
		{"create handler with a tab", create(func(in *CreateFunctionInput) { in.Handler = "app.\thandler" }),
			verr("'app.\thandler'", "handler", `Member must satisfy regular expression pattern: [^\s]+`)},
		{"create provided runtime handler with a space", create(func(in *CreateFunctionInput) {
			in.Runtime, in.Handler, in.Code.ZipFile = "provided.al2023", "not used", zipOf(t, map[string]string{"bootstrap": "#!/bin/sh\n"})
		}), verr("'not used'", "handler", `Member must satisfy regular expression pattern: [^\s]+`)},
		{"create handler of 129", create(func(in *CreateFunctionInput) { in.Handler = "a." + strings.Repeat("h", 127) }),
			verr("'a."+strings.Repeat("h", 127)+"'", "handler", "Member must have length less than or equal to 128")},
		{"create handler of 128", create(func(in *CreateFunctionInput) { in.Handler = "a." + strings.Repeat("h", 126) }), ""},
		{"create handler with a path", create(func(in *CreateFunctionInput) { in.Handler = "src/app.handler" }), ""},
		{"update handler with a space", update(UpdateFunctionConfigurationInput{Handler: str("app. handler")}),
			verr("'app. handler'", "handler", `Member must satisfy regular expression pattern: [^\s]+`)},
		{"update handler with a newline", update(UpdateFunctionConfigurationInput{Handler: str("app.handler\n")}),
			verr("'app.handler\n'", "handler", `Member must satisfy regular expression pattern: [^\s]+`)},
		{"update handler", update(UpdateFunctionConfigurationInput{Handler: str("app.handler")}), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, err := b.svc.GetFunctionConfiguration(ctx, "f", "")
			if err != nil {
				t.Fatal(err)
			}
			err = c.call()
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := apiErr(t, err)
			if e.Code != "ValidationException" || e.Status != 400 || e.Message != c.want || e.Type != "User" {
				t.Fatalf("got  %s %d %q (%s)\nwant ValidationException 400 %q", e.Code, e.Status, e.Message, e.Type, c.want)
			}
			after, err := b.svc.GetFunctionConfiguration(ctx, "f", "")
			if err != nil {
				t.Fatal(err)
			}
			if after.RevisionID != before.RevisionID {
				t.Errorf("a refused request changed the function: %+v", after)
			}
		})
	}
	// What was accepted is what the function reports.
	in := UpdateFunctionConfigurationInput{FunctionName: "f", EphemeralStorage: &EphemeralStorage{Size: 1024},
		TracingConfig: &TracingConfig{Mode: "Active"}, LoggingConfig: &LoggingConfig{LogFormat: "JSON"}}
	cfg, err := b.svc.UpdateFunctionConfiguration(ctx, &in)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.EphemeralStorage.Size != 1024 || cfg.TracingConfig.Mode != "Active" || cfg.LoggingConfig.LogFormat != "JSON" ||
		cfg.LoggingConfig.LogGroup != "/aws/lambda/f" || strings.Join(cfg.Architectures, ",") != "arm64" {
		t.Errorf("configuration: %+v %+v %+v %+v", cfg.EphemeralStorage, cfg.TracingConfig, cfg.LoggingConfig, cfg.Architectures)
	}
}

// TestListFunctionsRequest: ListFunctions checks its query string against
// the model (MaxItems 1-10000, present 0 included; FunctionVersion ALL;
// MasterRegion ALL or a region name) and lists versions under qualified ARNs
// for FunctionVersion=ALL.
func TestListFunctionsRequest(t *testing.T) {
	b := newTestService(t, Options{})
	ctx := context.Background()
	for _, n := range []string{"a", "b"} {
		b.create(t, fnSpec{name: n, runtime: "python3.12", handler: "app.handler", files: map[string]string{"app.py": "x = 1\n"}})
	}
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:"
	verr := func(value, field, constraint string) string {
		return "1 validation error detected: Value '" + value + "' at '" + field + "' failed to satisfy constraint: " + constraint
	}
	cases := []struct {
		query     string
		code, msg string // the refusal; "" when the page must come back
		arns      string // the ARNs listed, comma-separated
		more      bool   // whether NextMarker is set
	}{
		{query: "", arns: arn + "a," + arn + "b"},
		{query: "MaxItems=1", arns: arn + "a", more: true},
		{query: "MaxItems=10000", arns: arn + "a," + arn + "b"},
		{query: "MaxItems=0", code: "ValidationException", msg: verr("0", "maxItems", "Member must have value greater than or equal to 1")},
		{query: "MaxItems=-1", code: "ValidationException", msg: verr("-1", "maxItems", "Member must have value greater than or equal to 1")},
		{query: "MaxItems=10001", code: "ValidationException", msg: verr("10001", "maxItems", "Member must have value less than or equal to 10000")},
		{query: "MaxItems=many", code: "InvalidParameterValueException", msg: "MaxItems must be a number"},
		{query: "FunctionVersion=ALL", arns: arn + "a:$LATEST," + arn + "b:$LATEST"},
		{query: "FunctionVersion=ALL&MaxItems=1", arns: arn + "a:$LATEST", more: true},
		{query: "FunctionVersion=all", code: "ValidationException", msg: verr("all", "functionVersion", "Member must satisfy enum value set: [ALL]")},
		{query: "FunctionVersion=%24LATEST", code: "ValidationException", msg: verr("$LATEST", "functionVersion", "Member must satisfy enum value set: [ALL]")},
		{query: "MasterRegion=ALL&FunctionVersion=ALL", arns: arn + "a:$LATEST," + arn + "b:$LATEST"},
		{query: "MasterRegion=us-east-1&FunctionVersion=ALL", arns: arn + "a:$LATEST," + arn + "b:$LATEST"},
		{query: "MasterRegion=us-gov-west-1&FunctionVersion=ALL", arns: arn + "a:$LATEST," + arn + "b:$LATEST"},
		{query: "MasterRegion=mars", code: "ValidationException",
			msg: verr("mars", "masterRegion", `Member must satisfy regular expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1}`)},
		{query: "MasterRegion=us-east-1a", code: "ValidationException",
			msg: verr("us-east-1a", "masterRegion", `Member must satisfy regular expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1}`)},
		{query: "MasterRegion=all", code: "ValidationException",
			msg: verr("all", "masterRegion", `Member must satisfy regular expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1}`)},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			in, err := ParseListFunctionsQuery(q)
			var out *ListFunctionsOutput
			if err == nil {
				out, err = b.svc.ListFunctionsPage(ctx, in)
			}
			if c.code != "" {
				if e := apiErr(t, err); e.Code != c.code || e.Status != 400 || e.Message != c.msg {
					t.Fatalf("got  %s %d %q\nwant %s 400 %q", e.Code, e.Status, e.Message, c.code, c.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var arns []string
			for _, f := range out.Functions {
				arns = append(arns, f.FunctionArn)
			}
			if strings.Join(arns, ",") != c.arns || (out.NextMarker != "") != c.more {
				t.Fatalf("got %v, NextMarker %q", arns, out.NextMarker)
			}
		})
	}
	// The positional form keeps 0 as "the default".
	if out, err := b.svc.ListFunctions(ctx, "", 0); err != nil || len(out.Functions) != 2 {
		t.Fatalf("ListFunctions(0): %v %v", out, err)
	}
	if _, err := b.svc.ListFunctions(ctx, "", -1); apiErr(t, err).Code != "ValidationException" {
		t.Fatalf("ListFunctions(-1): %v", err)
	}
}
