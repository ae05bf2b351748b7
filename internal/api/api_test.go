package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"stepd/internal/lambda"
	"stepd/internal/lambda/logstore"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func do(t *testing.T, h http.Handler, method, path, target, body string) response {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", ContentTypeJSON11)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := response{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &r.body)
	return r
}

// TestTargetRouter: AWS JSON requests are dispatched on X-Amz-Target;
// unknown ones get UnknownOperationException in the JSON error shape
// (aws-semantics §5.1).
func TestTargetRouter(t *testing.T) {
	r := NewRouter(quietLogger())
	r.Targets().Register("Test_1", &JSONService{ContentType: ContentTypeJSON10, Operations: map[string]JSONOperation{
		"Echo": func(_ context.Context, body []byte) (any, error) {
			var in struct{ Name string }
			if err := DecodeJSON(body, &in); err != nil {
				return nil, err
			}
			if in.Name == "" {
				return nil, &Error{Code: "ValidationException", Message: "name is required", Fields: map[string]any{"reason": "x"}}
			}
			return map[string]string{"hello": in.Name}, nil
		},
		"Empty": func(context.Context, []byte) (any, error) { return nil, nil },
	}})
	cases := []struct {
		name, target, body string
		status             int
		want               map[string]any
	}{
		{"ok", "Test_1.Echo", `{"Name":"x"}`, 200, map[string]any{"hello": "x"}},
		{"empty output is {}", "Test_1.Empty", ``, 200, map[string]any{}},
		{"service error", "Test_1.Echo", `{}`, 400, map[string]any{"__type": "ValidationException", "message": "name is required", "reason": "x"}},
		{"bad json", "Test_1.Echo", `{`, 400, map[string]any{"__type": "SerializationException"}},
		{"unknown operation", "Test_1.Nope", `{}`, 400, map[string]any{"__type": "UnknownOperationException", "message": "Unknown operation Test_1.Nope"}},
		{"unknown service", "AWSStepFunctions.ListStateMachines", `{}`, 400, map[string]any{"__type": "UnknownOperationException"}},
		{"no target", "", `{}`, 400, map[string]any{"__type": "UnknownOperationException", "message": "Missing X-Amz-Target header"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
			if c.target != "" {
				req.Header.Set("X-Amz-Target", c.target)
			}
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			var got map[string]any
			_ = json.Unmarshal(rec.Body.Bytes(), &got)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v (%s)", k, got[k], v, rec.Body)
				}
			}
			if rec.Header().Get("X-Amzn-Requestid") == "" {
				t.Error("no x-amzn-RequestId")
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.") {
				t.Errorf("content type %q", ct)
			}
		})
	}
}

// TestRecover: a panicking handler answers an AWS-shaped 500 in its
// protocol's shape, and the server keeps serving.
func TestRecover(t *testing.T) {
	r := NewRouter(quietLogger())
	r.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	r.Targets().Register("Test_1", &JSONService{ContentType: ContentTypeJSON10, Operations: map[string]JSONOperation{
		"Boom": func(context.Context, []byte) (any, error) { panic("kaboom") },
	}})
	rest := do(t, r, "GET", "/boom", "", "")
	if rest.status != 500 || rest.header.Get("X-Amzn-Errortype") != "ServiceException" || rest.body["Type"] != "Service" {
		t.Errorf("REST panic: %d %v %s", rest.status, rest.header, rest.raw)
	}
	js := do(t, r, "POST", "/", "Test_1.Boom", "{}")
	if js.status != 500 || js.body["__type"] != "InternalFailure" || strings.Contains(js.raw, "kaboom") {
		t.Errorf("JSON panic: %d %s", js.status, js.raw)
	}
}

func newLambdaRouter(t *testing.T) (*Router, *lambda.Service) {
	t.Helper()
	svc, err := lambda.New(lambda.Options{DataDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	r := NewRouter(quietLogger())
	RegisterLambda(r, svc)
	return r, svc
}

// TestLambdaRoutesErrors pins Lambda's REST error shape: X-Amzn-ErrorType
// and {"Type","Message"} (aws-semantics §6.1).
func TestLambdaRoutesErrors(t *testing.T) {
	r, _ := newLambdaRouter(t)
	cases := []struct {
		method, path, body string
		status             int
		code, message      string
	}{
		{"GET", "/2015-03-31/functions/nope", "", 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"},
		{"GET", "/2015-03-31/functions/nope/configuration?Qualifier=3", "", 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:3"},
		{"POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Anope/invocations", "{}", 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST"},
		{"POST", "/2015-03-31/functions", "{", 400, "InvalidRequestContentException",
			"Could not parse request body into json: line 1, column 2: expected a string object key or '}', found end of input"},
		{"POST", "/2015-03-31/functions", "garbage", 400, "InvalidRequestContentException",
			"Could not parse request body into json: line 1, column 1: expected a JSON value (string, number, object, array, true, false or null), found 'g'"},
		{"POST", "/2015-03-31/functions", `{"Timeout": "x"}`, 400, "InvalidRequestContentException",
			"Could not parse request body into json: STRING_VALUE can not be converted to an Integer (member 'Timeout')"},
		{"POST", "/2015-03-31/functions", `{"FunctionName":"f","Runtime":"python3.12","Role":"arn:aws:iam::123456789012:role/x","Handler":"a.b","Code":{"ZipFile":"bm90IHppcA=="}}`,
			400, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again."},
		{"PUT", "/2017-10-31/functions/nope/concurrency", `{}`, 400, "ValidationException", ""},
		{"DELETE", "/2015-03-31/functions/nope", "", 404, "ResourceNotFoundException", ""},
		{"GET", "/2015-03-31/functions?MaxItems=0", "", 400, "ValidationException",
			"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"GET", "/2015-03-31/functions?MaxItems=x", "", 400, "InvalidParameterValueException", "MaxItems must be a number"},
		{"GET", "/2015-03-31/functions?FunctionVersion=1", "", 400, "ValidationException", ""},
		{"POST", "/2015-03-31/functions/nope/versions", "{}", 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"},
		{"GET", "/2015-03-31/functions/nope/versions?MaxItems=0", "", 400, "ValidationException", ""},
		{"POST", "/2015-03-31/functions/nope/aliases", `{"Name":"1","FunctionVersion":"1"}`, 400, "ValidationException",
			"1 validation error detected: Value '1' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"},
		{"POST", "/2015-03-31/functions/nope/aliases", `{"Name":"live"}`, 400, "ValidationException",
			"1 validation error detected: Value null at 'functionVersion' failed to satisfy constraint: Member must not be null"},
		{"GET", "/2015-03-31/functions/nope/aliases/live", "", 404, "ResourceNotFoundException", ""},
		{"PATCH", "/2015-03-31/functions/nope", "", 404, "UnknownOperationException", "stepd does not implement the Lambda operation PATCH /2015-03-31/functions/nope"},
		{"GET", "/2018-10-31/layers", "", 404, "UnknownOperationException", "stepd does not implement the Lambda operation GET /2018-10-31/layers"},
		{"GET", "/2017-03-31/tags/nope", "", 400, "ValidationException", ""},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			got := do(t, r, c.method, c.path, "", c.body)
			if got.status != c.status || got.header.Get("X-Amzn-Errortype") != c.code || got.body["Type"] != "User" ||
				(c.message != "" && got.body["Message"] != c.message) {
				t.Fatalf("got %d %s %s", got.status, got.header.Get("X-Amzn-Errortype"), got.raw)
			}
		})
	}
	for _, p := range []string{"/2015-03-31/functions", "/2015-03-31/functions/"} {
		if got := do(t, r, "GET", p, "", ""); got.status != 200 || got.raw != `{"Functions":[]}` {
			t.Errorf("list %s: %d %s", p, got.status, got.raw)
		}
	}
}

// TestLogsAPI exercises the CloudWatch Logs operations over a store.
func TestLogsAPI(t *testing.T) {
	store := logstore.New(logstore.Options{})
	st := store.CreateStream("/aws/lambda/f", "2024/01/01/[$LATEST]abc")
	for i := 0; i < 5; i++ {
		st.Append(int64(1000+i), "line "+string(rune('0'+i))+"\n")
	}
	r := NewRouter(quietLogger())
	RegisterLogs(r, store, "us-east-1", "123456789012")

	groups := do(t, r, "POST", "/", "Logs_20140328.DescribeLogGroups", `{"logGroupNamePrefix":"/aws/lambda/"}`)
	if groups.status != 200 || !strings.Contains(groups.raw, `"logGroupName":"/aws/lambda/f"`) ||
		!strings.Contains(groups.raw, `"arn":"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*"`) {
		t.Errorf("DescribeLogGroups: %s", groups.raw)
	}
	streams := do(t, r, "POST", "/", "Logs_20140328.DescribeLogStreams", `{"logGroupName":"/aws/lambda/f","orderBy":"LastEventTime","descending":true}`)
	if streams.status != 200 || !strings.Contains(streams.raw, `"logStreamName":"2024/01/01/[$LATEST]abc"`) || !strings.Contains(streams.raw, `"lastEventTimestamp":1004`) {
		t.Errorf("DescribeLogStreams: %s", streams.raw)
	}
	// Newest two, then page backwards for the two before.
	ev := do(t, r, "POST", "/", "Logs_20140328.GetLogEvents", `{"logGroupName":"/aws/lambda/f","logStreamName":"2024/01/01/[$LATEST]abc","limit":2}`)
	if ev.status != 200 || !strings.Contains(ev.raw, `"message":"line 3\n"`) || !strings.Contains(ev.raw, `"message":"line 4\n"`) {
		t.Fatalf("GetLogEvents: %s", ev.raw)
	}
	back := ev.body["nextBackwardToken"].(string)
	ev2 := do(t, r, "POST", "/", "Logs_20140328.GetLogEvents", `{"logGroupName":"/aws/lambda/f","logStreamName":"2024/01/01/[$LATEST]abc","limit":2,"nextToken":"`+back+`"}`)
	if !strings.Contains(ev2.raw, `"line 1\n"`) || !strings.Contains(ev2.raw, `"line 2\n"`) || strings.Contains(ev2.raw, `"line 3\n"`) {
		t.Errorf("GetLogEvents backwards: %s", ev2.raw)
	}
	head := do(t, r, "POST", "/", "Logs_20140328.GetLogEvents", `{"logGroupName":"/aws/lambda/f","logStreamName":"2024/01/01/[$LATEST]abc","startFromHead":true,"limit":1}`)
	if !strings.Contains(head.raw, `"line 0\n"`) {
		t.Errorf("GetLogEvents from head: %s", head.raw)
	}
	f1 := do(t, r, "POST", "/", "Logs_20140328.FilterLogEvents", `{"logGroupName":"/aws/lambda/f","filterPattern":"line","limit":3}`)
	tok, _ := f1.body["nextToken"].(string)
	if f1.status != 200 || tok == "" || strings.Count(f1.raw, `"eventId"`) != 3 {
		t.Fatalf("FilterLogEvents: %s", f1.raw)
	}
	f2 := do(t, r, "POST", "/", "Logs_20140328.FilterLogEvents", `{"logGroupName":"/aws/lambda/f","filterPattern":"line","nextToken":"`+tok+`"}`)
	if strings.Count(f2.raw, `"eventId"`) != 2 || f2.body["nextToken"] != nil {
		t.Errorf("FilterLogEvents page 2: %s", f2.raw)
	}
	js := do(t, r, "POST", "/", "Logs_20140328.FilterLogEvents", `{"logGroupName":"/aws/lambda/f","filterPattern":"-\"line 1\" -\"line 2\""}`)
	if js.status != 200 || strings.Count(js.raw, `"eventId"`) != 3 || strings.Contains(js.raw, `"line 1\n"`) {
		t.Errorf("FilterLogEvents with exclusions: %s", js.raw)
	}
	bad := do(t, r, "POST", "/", "Logs_20140328.FilterLogEvents", `{"logGroupName":"/aws/lambda/f","filterPattern":"{ $.x == 1 }"}`)
	if bad.status != 400 || bad.body["__type"] != "InvalidParameterException" {
		t.Errorf("FilterLogEvents with a malformed pattern: %d %s", bad.status, bad.raw)
	}
	missing := do(t, r, "POST", "/", "Logs_20140328.GetLogEvents", `{"logGroupName":"/nope","logStreamName":"x"}`)
	if missing.status != 400 || missing.body["__type"] != "ResourceNotFoundException" || missing.body["message"] != "The specified log group does not exist." {
		t.Errorf("missing group: %s", missing.raw)
	}
}

// FuzzLogsAPI: any operation body is answered, never a panic or a 5xx.
func FuzzLogsAPI(f *testing.F) {
	store := logstore.New(logstore.Options{})
	store.CreateStream("g", "s").Append(1, "x\n")
	r := NewRouter(quietLogger())
	RegisterLogs(r, store, "us-east-1", "123456789012")
	ops := []string{"DescribeLogGroups", "DescribeLogStreams", "GetLogEvents", "FilterLogEvents"}
	for i, body := range []string{`{}`, `{"logGroupName":"g","logStreamName":"s","nextToken":"b/0"}`,
		`{"logGroupName":"g","nextToken":"1/0/s","filterPattern":"\"x"}`, `{"limit":-5,"nextToken":"9"}`, `[`} {
		f.Add(uint8(i), body)
	}
	f.Add(uint8(3), `{"logGroupName":"g","filterPattern":"{ $.x == 1 }"}`) // FilterLogEvents
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "Logs_20140328."+ops[int(op)%len(ops)])
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", ops[int(op)%len(ops)], body, rec.Code, rec.Body)
		}
	})
}

// TestDecodeJSONMessages: a body that does not decode is a
// SerializationException worded as AWS words it, without Go's type names.
func TestDecodeJSONMessages(t *testing.T) {
	type inner struct {
		On bool `json:"on"`
	}
	type input struct {
		Max   *int     `json:"maxResults"`
		Name  string   `json:"name"`
		Inner *inner   `json:"inner"`
		List  []string `json:"list"`
		Big   int64    `json:"big"`
		Ratio float64  `json:"ratio"`
	}
	cases := []struct{ body, want string }{
		{`{"maxResults":"ten"}`, "STRING_VALUE can not be converted to an Integer (member 'maxResults')"},
		{`{"name":5}`, "NUMBER_VALUE can not be converted to a String (member 'name')"},
		{`{"inner":5}`, "NUMBER_VALUE can not be converted to a Structure (member 'inner')"},
		{`{"inner":{"on":"yes"}}`, "STRING_VALUE can not be converted to a Boolean (member 'inner.on')"},
		{`{"list":{}}`, "START_OBJECT can not be converted to a List (member 'list')"},
		{`{"big":true}`, "BOOLEAN_VALUE can not be converted to a Long (member 'big')"},
		{`{"ratio":"x"}`, "STRING_VALUE can not be converted to a Float (member 'ratio')"},
		{`[]`, "START_ARRAY can not be converted to a Structure"},
		{`{"name":`, "Unexpected end of the JSON request body"},
		{`{x}`, "Invalid JSON in the request body at offset 2: 'x' looking for beginning of object key string"},
	}
	for _, tc := range cases {
		var in input
		err := DecodeJSON([]byte(tc.body), &in)
		e, ok := err.(*Error)
		if !ok || e.Code != "SerializationException" || e.Message != tc.want {
			t.Errorf("%s: got %v, want SerializationException %q", tc.body, err, tc.want)
		}
	}
}
