package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"stepd/internal/server"
	"stepd/internal/server/servertest"
)

const testRole = "arn:aws:iam::123456789012:role/x"

// versionZip is a Python function answering its code generation and the
// version it ran as.
func versionZip(t *testing.T, code string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("app.py")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, `def handler(event, context):
    return {"code": "`+code+`", "version": context.function_version, "arn": context.invoked_function_arn}
`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func startStepd(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed; run scripts/test-deps.sh")
	}
	srv, err := server.New(server.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	servertest.Run(t, srv)
	return srv.URL()
}

type versionResult struct{ Code, Version, Arn string }

func decodeResult(t *testing.T, b []byte) versionResult {
	t.Helper()
	var r versionResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("result %s: %v", b, err)
	}
	return r
}

// TestVersionsAliasesSDK drives versions and aliases through
// aws-sdk-go-v2/service/lambda, then calls them from state machines.
func TestVersionsAliasesSDK(t *testing.T) {
	url := startStepd(t)
	ctx := context.Background()
	c := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})

	created, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("f"), Runtime: types.RuntimePython312,
		Handler: aws.String("app.handler"), Role: aws.String(testRole), Code: &types.FunctionCode{ZipFile: versionZip(t, "one")}, Publish: true})
	if err != nil || aws.ToString(created.Version) != "1" {
		t.Fatalf("CreateFunction --publish: %+v %v", created, err)
	}
	upd, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("f"), ZipFile: versionZip(t, "two")})
	if err != nil || aws.ToString(upd.Version) != "$LATEST" {
		t.Fatalf("UpdateFunctionCode: %+v %v", upd, err)
	}
	v2, err := c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("f"), CodeSha256: upd.CodeSha256, Description: aws.String("second")})
	if err != nil || aws.ToString(v2.Version) != "2" || aws.ToString(v2.Description) != "second" {
		t.Fatalf("PublishVersion: %+v %v", v2, err)
	}
	_, err = c.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("f"), RevisionId: aws.String("stale")})
	var pre *types.PreconditionFailedException
	if !errors.As(err, &pre) {
		t.Errorf("stale RevisionId: %v", err)
	}

	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("f:1")})
	if err != nil || aws.ToString(out.ExecutedVersion) != "1" || decodeResult(t, out.Payload).Code != "one" {
		t.Fatalf("invoke f:1: %v %+v", err, out)
	}
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("f")})
	if err != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" || decodeResult(t, out.Payload).Code != "two" {
		t.Fatalf("invoke f: %v %+v", err, out)
	}

	versions, err := c.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("f")})
	if err != nil || len(versions.Versions) != 3 || aws.ToString(versions.Versions[0].Version) != "$LATEST" {
		t.Fatalf("ListVersionsByFunction: %+v %v", versions, err)
	}

	alias, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("f"), Name: aws.String("live"), FunctionVersion: aws.String("1"),
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.5}}})
	if err != nil || aws.ToString(alias.AliasArn) != "arn:aws:lambda:us-east-1:123456789012:function:f:live" {
		t.Fatalf("CreateAlias: %+v %v", alias, err)
	}
	seen := map[string]bool{}
	for i := 0; i < 40 && len(seen) < 2; i++ {
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("f"), Qualifier: aws.String("live")})
		if err != nil {
			t.Fatal(err)
		}
		r := decodeResult(t, out.Payload)
		if r.Version != aws.ToString(out.ExecutedVersion) || (r.Code == "one") != (r.Version == "1") || !strings.HasSuffix(r.Arn, ":f:live") {
			t.Fatalf("alias invoke ran %+v, ExecutedVersion %s", r, aws.ToString(out.ExecutedVersion))
		}
		seen[r.Version] = true
	}
	if !seen["1"] || !seen["2"] {
		t.Errorf("routing 50/50 ran only %v", seen)
	}
	// Route everything to version 1 again, with the alias's RevisionId.
	updated, err := c.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("f"), Name: aws.String("live"), RevisionId: alias.RevisionId,
		RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{}}})
	if err != nil || updated.RoutingConfig != nil && len(updated.RoutingConfig.AdditionalVersionWeights) != 0 {
		t.Fatalf("UpdateAlias: %+v %v", updated, err)
	}
	got, err := c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("f"), Name: aws.String("live")})
	if err != nil || aws.ToString(got.FunctionVersion) != "1" {
		t.Fatalf("GetAlias: %+v %v", got, err)
	}
	aliases, err := c.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("f"), FunctionVersion: aws.String("1")})
	if err != nil || len(aliases.Aliases) != 1 {
		t.Fatalf("ListAliases: %+v %v", aliases, err)
	}
	_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("f"), Qualifier: aws.String("1")})
	var conflict *types.ResourceConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("deleting a version an alias uses: %v", err)
	}
	_, err = c.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("f"), Name: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("GetAlias missing: %v", err)
	}
	cfg, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("f"), Qualifier: aws.String("live")})
	if err != nil || aws.ToString(cfg.Version) != "1" {
		t.Fatalf("GetFunctionConfiguration live: %+v %v", cfg, err)
	}
	if _, err := c.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f"),
		Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")})
	if err != nil || tags.Tags["team"] != "a" {
		t.Fatalf("ListTags: %+v %v", tags, err)
	}
	acct, err := c.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil || acct.AccountUsage.FunctionCount != 1 {
		t.Fatalf("GetAccountSettings: %+v %v", acct, err)
	}

	// Step Functions calls qualified functions.
	sc := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	machines := []struct{ name, definition, wantCode, wantVersion string }{
		{"alias-arn", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f:live","End":true}}}`, "one", "1"},
		{"version-arn", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f:2","End":true}}}`, "two", "2"},
		{"invoke-name-version", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
			"Parameters":{"FunctionName":"f:1","Payload":{}},"OutputPath":"$.Payload","End":true}}}`, "one", "1"},
		{"invoke-qualifier", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
			"Parameters":{"FunctionName":"f","Qualifier":"live","Payload":{}},"OutputPath":"$.Payload","End":true}}}`, "one", "1"},
	}
	for _, m := range machines {
		t.Run(m.name, func(t *testing.T) {
			sm, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(m.name), Definition: aws.String(m.definition), RoleArn: aws.String(testRole)})
			if err != nil {
				t.Fatal(err)
			}
			ex, err := sc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				d, err := sc.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: ex.ExecutionArn})
				if err != nil {
					t.Fatal(err)
				}
				if d.Status != sfntypes.ExecutionStatusRunning {
					if d.Status != sfntypes.ExecutionStatusSucceeded {
						t.Fatalf("execution %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
					}
					r := decodeResult(t, []byte(aws.ToString(d.Output)))
					if r.Code != m.wantCode || r.Version != m.wantVersion {
						t.Fatalf("ran %+v, want code %s version %s", r, m.wantCode, m.wantVersion)
					}
					return
				}
				if time.Now().After(deadline) {
					t.Fatal("execution did not finish")
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}

	// Paths stepd does not serve answer in Lambda's error shape.
	for _, p := range []string{"/2015-03-31/event-source-mappings/", "/2020-06-30/functions/f/code-signing-config", "/2015-03-31/nothing"} {
		resp, err := http.Get(url + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var doc map[string]any
		if resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" || json.Unmarshal(body, &doc) != nil ||
			doc["Type"] != "User" || !strings.Contains(doc["Message"].(string), "GET "+p) {
			t.Errorf("GET %s: %d %s %s", p, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body)
		}
	}
}
