package lambda

import (
	"context"
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
