package lambda

import (
	"context"
	"strings"
	"testing"
)

// TestFunctionReferences: an explicit Qualifier outside the model's pattern
// is a ValidationException, not a 404; a qualifier inside FunctionName is
// held to the FunctionName pattern; a function of another account is not
// found under the ARN the caller gave, and one of another region is out of
// reach, as the Lambda API words both.
func TestFunctionReferences(t *testing.T) {
	b := newTestService(t, Options{})
	ctx := context.Background()
	b.create(t, fnSpec{name: "f", runtime: "python3.12", handler: "app.handler", files: map[string]string{"app.py": "x = 1\n"}})
	getConfig := func(name, q string) func() error {
		return func() error { _, err := b.svc.GetFunctionConfiguration(ctx, name, q); return err }
	}
	get := func(name, q string) func() error {
		return func() error { _, err := b.svc.GetFunction(ctx, name, q, nil); return err }
	}
	del := func(name, q string) func() error { return func() error { return b.svc.DeleteFunction(ctx, name, q) } }
	invoke := func(name, q string) func() error {
		return func() error {
			_, err := b.svc.Invoke(ctx, &InvokeInput{FunctionName: name, Qualifier: q, InvocationType: InvocationDryRun})
			return err
		}
	}
	const (
		local     = "arn:aws:lambda:us-east-1:123456789012:function:"
		other     = "arn:aws:lambda:us-east-1:999999999999:function:"
		west      = "arn:aws:lambda:us-west-2:123456789012:function:"
		qPattern  = "' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)"
		unreached = "Functions from 'us-west-2' are not reachable in this region ('us-east-1')"
	)
	long := strings.Repeat("q", 129)
	badName := func(name string) string {
		return "1 validation error detected: Value '" + name + "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
	}
	cases := []struct {
		name   string
		call   func() error
		code   string
		prefix string // the message, or its start when it ends in the pattern
	}{
		// Qualifier (query parameter): (|[a-zA-Z0-9$_-]+), at most 128.
		{"get with a space in the qualifier", get("f", "bad q"), "ValidationException", "1 validation error detected: Value 'bad q" + qPattern},
		{"delete with a space in the qualifier", del("f", "bad q"), "ValidationException", "1 validation error detected: Value 'bad q" + qPattern},
		{"configuration with a slash in the qualifier", getConfig("f", "a/b"), "ValidationException", "1 validation error detected: Value 'a/b" + qPattern},
		{"invoke with a dot in the qualifier", invoke("f", "v1.2"), "ValidationException", "1 validation error detected: Value 'v1.2" + qPattern},
		{"qualifier of 129", get("f", long), "ValidationException",
			"1 validation error detected: Value '" + long + "' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"bad qualifier of an unknown function", get("nope", "bad q"), "ValidationException", "1 validation error detected: Value 'bad q" + qPattern},
		{"unknown version", get("f", "7"), "ResourceNotFoundException", "Function not found: " + local + "f:7"},
		{"unknown alias with a dollar", get("f", "$PROD"), "ResourceNotFoundException", "Function not found: " + local + "f:$PROD"},
		{"qualifier of 128", get("f", long[:128]), "ResourceNotFoundException", "Function not found: " + local + "f:" + long[:128]},
		{"delete unknown version", del("f", "7"), "ResourceNotFoundException", "Function not found: " + local + "f:7"},
		// A qualifier inside FunctionName: \$LATEST or [a-zA-Z0-9-_]+.
		{"space in the name's qualifier", getConfig("f:bad q", ""), "ValidationException", badName("f:bad q")},
		{"dollar in the name's qualifier", getConfig("f:$PROD", ""), "ValidationException", badName("f:$PROD")},
		{"dot in an ARN's qualifier", getConfig(local+"f:v1.2", ""), "ValidationException", badName(local + "f:v1.2")},

		// Another account: not found, under the ARN asked for.
		{"other account", getConfig(other+"f", ""), "ResourceNotFoundException", "Function not found: " + other + "f"},
		{"other account, qualified", getConfig(other+"f:$LATEST", ""), "ResourceNotFoundException", "Function not found: " + other + "f:$LATEST"},
		{"other account, explicit qualifier", get(other+"f", "7"), "ResourceNotFoundException", "Function not found: " + other + "f:7"},
		{"other account, partial ARN", getConfig("999999999999:function:f", ""), "ResourceNotFoundException", "Function not found: " + other + "f"},
		{"other account, other partition", getConfig("arn:aws-cn:lambda:us-east-1:999999999999:function:f", ""), "ResourceNotFoundException",
			"Function not found: arn:aws-cn:lambda:us-east-1:999999999999:function:f"},
		{"other account, delete", del(other+"f", ""), "ResourceNotFoundException", "Function not found: " + other + "f"},
		{"other account, invoke names $LATEST", invoke(other+"f", ""), "ResourceNotFoundException", "Function not found: " + other + "f:$LATEST"},
		{"other account, unknown function", getConfig(other+"nope", ""), "ResourceNotFoundException", "Function not found: " + other + "nope"},
		// Another region: out of reach, whether or not the name exists here.
		{"other region", getConfig(west+"f", ""), "ResourceNotFoundException", unreached},
		{"other region, unknown function", get(west+"nope", ""), "ResourceNotFoundException", unreached},
		{"other region, delete", del(west+"f:$LATEST", ""), "ResourceNotFoundException", unreached},
		{"other region, invoke", invoke(west+"f", ""), "ResourceNotFoundException", unreached},
		// Local references are unchanged.
		{"local unknown", getConfig(local+"nope", ""), "ResourceNotFoundException", "Function not found: " + local + "nope"},
		{"local unknown invoke", invoke("nope", ""), "ResourceNotFoundException", "Function not found: " + local + "nope:$LATEST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := apiErr(t, c.call())
			status := 404
			if c.code == "ValidationException" {
				status = 400
			}
			exact := !strings.HasSuffix(c.prefix, "pattern: ")
			if e.Code != c.code || e.Status != status || e.Type != "User" ||
				(exact && e.Message != c.prefix) || (!exact && !strings.HasPrefix(e.Message, c.prefix)) {
				t.Fatalf("got  %s %d %q\nwant %s %d %q", e.Code, e.Status, e.Message, c.code, status, c.prefix)
			}
		})
	}
	// Nothing refused deleted the function, and the good references reach it.
	for _, ref := range []string{"f", local + "f", local + "f:$LATEST", "123456789012:function:f"} {
		if _, err := b.svc.GetFunction(ctx, ref, "", nil); err != nil {
			t.Errorf("%s: %v", ref, err)
		}
	}
	if _, err := b.svc.GetFunction(ctx, "f", "$LATEST", nil); err != nil {
		t.Errorf("Qualifier $LATEST: %v", err)
	}
}
