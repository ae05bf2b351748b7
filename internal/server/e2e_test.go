package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

const role = "arn:aws:iam::123456789012:role/x"

func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed; run scripts/test-deps.sh", name)
	}
}

// mockAPIZip zips ../shared/seed-tutorial/mock_api/ (the tutorial's
// function) or skips the test.
func mockAPIZip(t testing.TB) []byte {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "shared", "seed-tutorial", "mock_api"))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("shared reference material not found at %s (../shared relative to the repository)", dir)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(e.Name())
		_, _ = w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The tutorial function's answers (aws-semantics §3.4 and §4.4): Python
// error documents with json.dumps spacing and code under /var/task.
var mockAPICases = []struct {
	status, functionError, payload string
}{
	{"200", "", `"200 OK"`},
	{"429", "Unhandled", `{"errorMessage": "429 Too Many Requests", "errorType": "TooManyRequestsException", "requestId": "<id>", "stackTrace": ["  File \"/var/task/lambda_function.py\", line 9, in lambda_handler\n    raise TooManyRequestsException('429 Too Many Requests')\n"]}`},
	{"503", "Unhandled", `{"errorMessage": "503 Server Unavailable", "errorType": "ServerUnavailableException", "requestId": "<id>", "stackTrace": ["  File \"/var/task/lambda_function.py\", line 11, in lambda_handler\n    raise ServerUnavailableException('503 Server Unavailable')\n"]}`},
	{"999", "Unhandled", `{"errorMessage": "Unknown error", "errorType": "UnknownException", "requestId": "<id>", "stackTrace": ["  File \"/var/task/lambda_function.py\", line 14, in lambda_handler\n    raise UnknownException('Unknown error')\n"]}`},
}

func wantPayload(tmpl string, payload []byte) string {
	var doc struct {
		RequestID string `json:"requestId"`
	}
	_ = json.Unmarshal(payload, &doc)
	return strings.ReplaceAll(tmpl, "<id>", doc.RequestID)
}

// TestAWSCLI drives the real aws CLI (v1 syntax) against stepd serve.
// awsCLI returns a function that runs the real aws CLI against url, in dir,
// with throw-away credentials, and returns its JSON output or its error
// message.
func awsCLI(url, dir string) func(args ...string) ([]byte, error) {
	return func(args ...string) ([]byte, error) {
		cmd := exec.Command("aws", append(args, "--endpoint-url", url, "--output", "json")...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=",
			"AWS_DISABLE_HOST_PREFIX_INJECTION=true")
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return out, errors.New(strings.TrimSpace(stderr.String()))
		}
		return out, nil
	}
}

func TestAWSCLI(t *testing.T) {
	needTool(t, "aws")
	needTool(t, "python3")
	zipData := mockAPIZip(t)
	srv := startServer(t, "")
	work := t.TempDir()
	zipPath := filepath.Join(work, "mock_api.zip")
	if err := os.WriteFile(zipPath, zipData, 0o644); err != nil {
		t.Fatal(err)
	}
	aws := awsCLI(srv.URL(), work)
	version, _ := exec.Command("aws", "--version").CombinedOutput()
	cliV2 := strings.HasPrefix(string(version), "aws-cli/2")
	out, err := aws("lambda", "create-function", "--function-name", "MockAPIFunction", "--runtime", "python3.12",
		"--handler", "lambda_function.lambda_handler", "--zip-file", "fileb://"+zipPath, "--role", role)
	if err != nil {
		t.Fatalf("create-function: %v", err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg["FunctionArn"] != "arn:aws:lambda:us-east-1:123456789012:function:MockAPIFunction" || cfg["Runtime"] != "python3.12" {
		t.Errorf("create-function: %s", out)
	}
	for _, c := range mockAPICases {
		t.Run("invoke "+c.status, func(t *testing.T) {
			resPath := filepath.Join(work, "out-"+c.status+".json")
			args := []string{"lambda", "invoke", "--function-name", "MockAPIFunction", "--payload", `{"statuscode":"` + c.status + `"}`,
				"--log-type", "Tail", resPath}
			if cliV2 {
				// v2 reads --payload as base64 unless told otherwise.
				args = append(args, "--cli-binary-format", "raw-in-base64-out")
			}
			out, err := aws(args...)
			if err != nil {
				t.Fatalf("invoke: %v", err)
			}
			var meta struct {
				StatusCode      int
				FunctionError   string
				LogResult       string
				ExecutedVersion string
			}
			if err := json.Unmarshal(out, &meta); err != nil {
				t.Fatal(err)
			}
			payload, err := os.ReadFile(resPath)
			if err != nil {
				t.Fatal(err)
			}
			if meta.StatusCode != 200 || meta.FunctionError != c.functionError || meta.ExecutedVersion != "$LATEST" ||
				string(payload) != wantPayload(c.payload, payload) {
				t.Fatalf("got %+v %s\nwant FunctionError %q %s", meta, payload, c.functionError, wantPayload(c.payload, payload))
			}
			log, _ := base64.StdEncoding.DecodeString(meta.LogResult)
			if !strings.Contains(string(log), "REPORT RequestId: ") {
				t.Errorf("LogResult: %q", log)
			}
		})
	}
	if _, err := aws("lambda", "get-function", "--function-name", "nope"); err == nil ||
		!strings.Contains(err.Error(), "An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope") {
		t.Errorf("get-function of a missing function: %v", err)
	}
	if _, err := aws("lambda", "create-function", "--function-name", "MockAPIFunction", "--runtime", "python3.12",
		"--handler", "x.y", "--zip-file", "fileb://"+zipPath, "--role", role); err == nil || !strings.Contains(err.Error(), "(ResourceConflictException)") {
		t.Errorf("duplicate create-function: %v", err)
	}
	out, err = aws("lambda", "list-functions")
	if err != nil || !strings.Contains(string(out), `"FunctionName": "MockAPIFunction"`) {
		t.Errorf("list-functions: %s %v", out, err)
	}
	out, err = aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/MockAPIFunction", "--filter-pattern", "REPORT")
	if err != nil || strings.Count(string(out), "REPORT RequestId") != len(mockAPICases) {
		t.Errorf("logs filter-log-events: %s %v", out, err)
	}
	if _, err := aws("lambda", "delete-function", "--function-name", "MockAPIFunction"); err != nil {
		t.Errorf("delete-function: %v", err)
	}
}

func lambdaClient(t testing.TB, url string) *lambda.Client {
	t.Helper()
	return lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

func createMockAPI(t testing.TB, c *lambda.Client, name string) *lambda.CreateFunctionOutput {
	t.Helper()
	out, err := c.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.Runtime("python3.12"),
		Handler:      aws.String("lambda_function.lambda_handler"),
		Role:         aws.String(role),
		Code:         &types.FunctionCode{ZipFile: mockAPIZip(t)},
	})
	if err != nil {
		t.Fatalf("CreateFunction: %v", err)
	}
	return out
}

func invoke(t *testing.T, c *lambda.Client, name, payload string) *lambda.InvokeOutput {
	t.Helper()
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	return out
}

// TestGoSDK drives the Lambda API through aws-sdk-go-v2/service/lambda.
func TestGoSDK(t *testing.T) {
	needTool(t, "python3")
	srv := startServer(t, "")
	c := lambdaClient(t, srv.URL())
	ctx := context.Background()
	created := createMockAPI(t, c, "MockAPIFunction")
	if aws.ToInt32(created.Timeout) != 3 || aws.ToInt32(created.MemorySize) != 128 || created.State != types.StateActive {
		t.Errorf("CreateFunction: %+v", created)
	}
	for _, tc := range mockAPICases {
		out := invoke(t, c, "MockAPIFunction", `{"statuscode":"`+tc.status+`"}`)
		if out.StatusCode != 200 || aws.ToString(out.FunctionError) != tc.functionError ||
			string(out.Payload) != wantPayload(tc.payload, out.Payload) || aws.ToString(out.ExecutedVersion) != "$LATEST" {
			t.Errorf("%s: %d %q %s", tc.status, out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
		}
	}
	// Typed errors.
	_, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope" || aws.ToString(nf.Type) != "User" {
		t.Errorf("GetFunction missing: %v", err)
	}
	_, err = c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("MockAPIFunction"), Runtime: types.RuntimePython312,
		Handler: aws.String("a.b"), Role: aws.String(role), Code: &types.FunctionCode{ZipFile: mockAPIZip(t)}})
	var conflict *types.ResourceConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("duplicate CreateFunction: %v", err)
	}
	_, err = c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("MockAPIFunction"),
		Environment: &types.Environment{Variables: map[string]string{"AWS_REGION": "x"}}})
	var invalid *types.InvalidParameterValueException
	if !errors.As(err, &invalid) {
		t.Errorf("reserved variable: %v", err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("MockAPIFunction"), Payload: make([]byte, 6<<20+10)})
	// AWS answers an oversized payload with RequestEntityTooLargeException,
	// which is not in the SDK's model (aws-semantics §6.1).
	var tooLarge smithy.APIError
	if !errors.As(err, &tooLarge) || tooLarge.ErrorCode() != "RequestEntityTooLargeException" ||
		tooLarge.ErrorMessage() != "Request must be smaller than 6291456 bytes for the Invoke operation" {
		t.Errorf("oversized payload: %v", err)
	}
	// Reads, updates, tail logs, concurrency, async, delete.
	got, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:MockAPIFunction")})
	if err != nil || aws.ToString(got.Configuration.Handler) != "lambda_function.lambda_handler" || !strings.HasSuffix(aws.ToString(got.Code.Location), "/code.zip") {
		t.Fatalf("GetFunction: %+v %v", got, err)
	}
	upd, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("MockAPIFunction"),
		Timeout: aws.Int32(10), MemorySize: aws.Int32(256), Environment: &types.Environment{Variables: map[string]string{"COLOR": "1"}}})
	if err != nil || aws.ToInt32(upd.Timeout) != 10 || aws.ToInt32(upd.MemorySize) != 256 || upd.Environment.Variables["COLOR"] != "1" {
		t.Fatalf("UpdateFunctionConfiguration: %+v %v", upd, err)
	}
	tail, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("MockAPIFunction"), Payload: []byte(`{"statuscode":"200"}`), LogType: types.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	if log, _ := base64.StdEncoding.DecodeString(aws.ToString(tail.LogResult)); !strings.Contains(string(log), "Memory Size: 256 MB") {
		t.Errorf("LogResult after the update: %q", log)
	}
	if _, err := c.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("MockAPIFunction"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("MockAPIFunction"), Payload: []byte(`{}`)})
	var throttled *types.TooManyRequestsException
	if !errors.As(err, &throttled) || throttled.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("throttled invoke: %v", err)
	}
	if _, err := c.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("MockAPIFunction")}); err != nil {
		t.Fatal(err)
	}
	ev, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("MockAPIFunction"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"statuscode":"200"}`)})
	if err != nil || ev.StatusCode != 202 {
		t.Errorf("Event invoke: %+v %v", ev, err)
	}
	dry, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("MockAPIFunction"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || dry.StatusCode != 204 {
		t.Errorf("DryRun invoke: %+v %v", dry, err)
	}
	// New code through UpdateFunctionCode; a local directory through the
	// "hot-reload" bucket.
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("lambda_function.py")
	_, _ = w.Write([]byte("def lambda_handler(event, context):\n    return 'v2'\n"))
	_ = zw.Close()
	if _, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("MockAPIFunction"), ZipFile: zbuf.Bytes()}); err != nil {
		t.Fatal(err)
	}
	if out := invoke(t, c, "MockAPIFunction", `{}`); string(out.Payload) != `"v2"` {
		t.Errorf("after UpdateFunctionCode: %s", out.Payload)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte("def handler(e, c):\n    return 'local'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("local"), Runtime: types.RuntimePython312,
		Handler: aws.String("app.handler"), Role: aws.String(role), Code: &types.FunctionCode{S3Bucket: aws.String("hot-reload"), S3Key: aws.String(dir)}}); err != nil {
		t.Fatal(err)
	}
	if out := invoke(t, c, "local", `{}`); string(out.Payload) != `"local"` {
		t.Errorf("local directory function: %s", out.Payload)
	}
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("local")}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 {
		t.Fatalf("ListFunctions: %+v %v", list, err)
	}
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("MockAPIFunction")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("MockAPIFunction")}); !errors.As(err, &nf) {
		t.Errorf("after delete: %v", err)
	}
}
