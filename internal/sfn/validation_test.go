package sfn_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// rawReply is a Step Functions answer to a raw request.
type rawReply struct {
	status  int
	typ     string // __type of an error
	message string
	body    []byte
}

// raw sends a JSON body to a Step Functions action, bypassing the SDK's
// own checks.
func (e *sdkEnv) raw(t *testing.T, action, body string) rawReply {
	t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, http.MethodPost, e.srv.URL()+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AWSStepFunctions."+action)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := rawReply{status: resp.StatusCode, body: b}
	if resp.StatusCode != http.StatusOK {
		var eb struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(b, &eb); err != nil {
			t.Fatalf("%s: error body %q: %v", action, b, err)
		}
		r.typ, r.message = eb.Type, eb.Message
	}
	return r
}

// rawCase is a raw request and the error it must get: its type and its
// message (exactly, or containing it when contains is set).
type rawCase struct {
	name, action, body string
	typ, message       string
	contains           bool
}

// runRaw runs table-driven raw request cases.
func runRaw(t *testing.T, e *sdkEnv, cases []rawCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.raw(t, tc.action, tc.body)
			switch {
			case tc.typ == "" && r.status != http.StatusOK:
				t.Errorf("%s: %d %s: %s, want success", tc.action, r.status, r.typ, r.message)
			case tc.typ == "":
			case r.status != http.StatusBadRequest || r.typ != tc.typ:
				t.Errorf("%s: %d %s: %s; want 400 %s", tc.action, r.status, r.typ, r.message, tc.typ)
			case tc.contains && !strings.Contains(r.message, tc.message):
				t.Errorf("%s: message %q does not contain %q", tc.action, r.message, tc.message)
			case !tc.contains && r.message != tc.message:
				t.Errorf("%s: message\n  %q\nwant\n  %q", tc.action, r.message, tc.message)
			}
		})
	}
}

// violation is AWS's text for one violated constraint.
func violation(value, at, constraint string) string {
	if value != "null" {
		value = "'" + value + "'"
	}
	return "Value " + value + " at '" + at + "' failed to satisfy constraint: Member must " + constraint
}

// oneViolation is AWS's ValidationException message for one violation.
func oneViolation(value, at, constraint string) string {
	return "1 validation error detected: " + violation(value, at, constraint)
}

// TestModelConstraints sends requests that break the API model's
// constraints: each is a ValidationException listing every violation, as
// AWS answers before running the operation.
func TestModelConstraints(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	execARN := "arn:aws:states:us-east-1:123456789012:execution:m:x"
	smARN := "arn:aws:states:us-east-1:123456789012:stateMachine:m"
	long := func(c string, n int) string { return strings.Repeat(c, n) }
	const v = "ValidationException"
	cases := []rawCase{
		{"SendTaskFailure error over 256", "SendTaskFailure", `{"taskToken":"t","error":"` + long("e", 257) + `"}`,
			v, oneViolation("...", "error", "have length less than or equal to 256"), false},
		{"SendTaskFailure cause over 32768", "SendTaskFailure", `{"taskToken":"t","cause":"` + long("c", 32769) + `"}`,
			v, oneViolation("...", "cause", "have length less than or equal to 32768"), false},
		{"StopExecution error and cause", "StopExecution", `{"executionArn":"` + execARN + `","error":"` + long("e", 257) + `","cause":"` + long("c", 32769) + `"}`,
			v, "2 validation errors detected: " + violation("...", "error", "have length less than or equal to 256") + "; " +
				violation("...", "cause", "have length less than or equal to 32768"), false},
		{"StartExecution traceHeader over 256", "StartExecution", `{"stateMachineArn":"` + smARN + `","traceHeader":"` + long("t", 257) + `"}`,
			v, oneViolation(long("t", 257), "traceHeader", "have length less than or equal to 256"), false},
		{"StartExecution traceHeader not ASCII", "StartExecution", `{"stateMachineArn":"` + smARN + `","traceHeader":"é"}`,
			v, oneViolation("é", "traceHeader", `satisfy regular expression pattern: \p{ASCII}*`), false},
		{"StartSyncExecution traceHeader not ASCII", "StartSyncExecution", `{"stateMachineArn":"` + smARN + `","traceHeader":"\u00ff"}`,
			v, oneViolation("\u00ff", "traceHeader", `satisfy regular expression pattern: \p{ASCII}*`), false},
		{"CreateStateMachine versionDescription over 256", "CreateStateMachine",
			`{"name":"m","definition":"{}","roleArn":"arn:aws:iam::123456789012:role/r","publish":true,"versionDescription":"` + long("d", 257) + `"}`,
			v, oneViolation("...", "versionDescription", "have length less than or equal to 256"), false},
		{"StartSyncExecution includedData", "StartSyncExecution", `{"stateMachineArn":"` + smARN + `","includedData":"SOME"}`,
			v, oneViolation("SOME", "includedData", "satisfy enum value set: [ALL_DATA, METADATA_ONLY]"), false},
		{"DescribeExecution includedData", "DescribeExecution", `{"executionArn":"` + execARN + `","includedData":"all"}`,
			v, oneViolation("all", "includedData", "satisfy enum value set: [ALL_DATA, METADATA_ONLY]"), false},
		{"ListExecutions redriveFilter", "ListExecutions", `{"stateMachineArn":"` + smARN + `","redriveFilter":"ALL"}`,
			v, oneViolation("ALL", "redriveFilter", "satisfy enum value set: [REDRIVEN, NOT_REDRIVEN]"), false},
		{"ValidateStateMachineDefinition severity", "ValidateStateMachineDefinition", `{"definition":"{}","severity":"INFO"}`,
			v, oneViolation("INFO", "severity", "satisfy enum value set: [ERROR, WARNING]"), false},
		{"ValidateStateMachineDefinition maxResults over 100", "ValidateStateMachineDefinition", `{"definition":"{}","maxResults":101}`,
			v, oneViolation("101", "maxResults", "have value less than or equal to 100"), false},
		{"ValidateStateMachineDefinition maxResults negative", "ValidateStateMachineDefinition", `{"definition":"{}","maxResults":-1}`,
			v, oneViolation("-1", "maxResults", "have value greater than or equal to 0"), false},
		{"RedriveExecution clientToken with a space", "RedriveExecution", `{"executionArn":"` + execARN + `","clientToken":"a b"}`,
			v, oneViolation("a b", "clientToken", "satisfy regular expression pattern: [!-~]+"), false},
		{"RedriveExecution clientToken over 64", "RedriveExecution", `{"executionArn":"` + execARN + `","clientToken":"` + long("k", 65) + `"}`,
			v, oneViolation(long("k", 65), "clientToken", "have length less than or equal to 64"), false},
		{"TestState variables over 262144", "TestState", `{"definition":"{}","variables":"` + long("x", 262145) + `"}`,
			v, oneViolation("...", "variables", "have length less than or equal to 262144"), false},
		{"DescribeStateMachine ARN over 256", "DescribeStateMachine", `{"stateMachineArn":"` + smARN + long("m", 210) + `"}`,
			v, oneViolation(smARN+long("m", 210), "stateMachineArn", "have length less than or equal to 256"), false},
		{"StartExecution ARN over 256", "StartExecution", `{"stateMachineArn":"` + smARN + long("m", 210) + `"}`,
			v, oneViolation(smARN+long("m", 210), "stateMachineArn", "have length less than or equal to 256"), false},
		{"CreateStateMachine everything missing", "CreateStateMachine", `{}`,
			v, "3 validation errors detected: " + violation("null", "name", "not be null") + "; " + violation("null", "definition", "not be null") + "; " +
				violation("null", "roleArn", "not be null"), false},
		{"UntagResource key over 128", "UntagResource", `{"resourceArn":"` + smARN + `","tagKeys":["` + long("k", 129) + `"]}`,
			v, oneViolation(long("k", 129), "tagKeys.1.member", "have length less than or equal to 128"), false},
		{"CreateStateMachineAlias routing over 2", "CreateStateMachineAlias",
			`{"name":"a","routingConfiguration":[{"stateMachineVersionArn":"x:1","weight":50},{"stateMachineVersionArn":"x:2","weight":50},{"stateMachineVersionArn":"x:3","weight":0}]}`,
			v, oneViolation("[RoutingConfigurationListItem(stateMachineVersionArn=x:1, weight=50), RoutingConfigurationListItem(stateMachineVersionArn=x:2, weight=50), "+
				"RoutingConfigurationListItem(stateMachineVersionArn=x:3, weight=0)]", "routingConfiguration", "have length less than or equal to 2"), false},
	}
	runRaw(t, e, cases)

	// GetActivityTask rejects a long workerName at once, without polling.
	start := time.Now()
	runRaw(t, e, []rawCase{{"GetActivityTask workerName over 80", "GetActivityTask",
		`{"activityArn":"arn:aws:states:us-east-1:123456789012:activity:a","workerName":"` + long("w", 81) + `"}`,
		v, oneViolation(long("w", 81), "workerName", "have length less than or equal to 80"), false}})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("GetActivityTask took %v to reject a long workerName", d)
	}
}

// TestRequiredMembers sends each operation's required ARN member missing,
// null and empty: AWS checks required members before the operation, so
// each is a ValidationException (never InvalidArn).
func TestRequiredMembers(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	members := []struct{ action, member string }{
		{"DescribeStateMachine", "stateMachineArn"}, {"DescribeExecution", "executionArn"},
		{"GetExecutionHistory", "executionArn"}, {"StopExecution", "executionArn"},
		{"DescribeStateMachineForExecution", "executionArn"}, {"UpdateStateMachine", "stateMachineArn"},
		{"GetActivityTask", "activityArn"}, {"ListMapRuns", "executionArn"}, {"StartExecution", "stateMachineArn"},
		{"StartSyncExecution", "stateMachineArn"}, {"RedriveExecution", "executionArn"}, {"DeleteStateMachine", "stateMachineArn"},
		{"DescribeActivity", "activityArn"}, {"DeleteActivity", "activityArn"}, {"DescribeMapRun", "mapRunArn"},
		{"ListTagsForResource", "resourceArn"}, {"ListStateMachineVersions", "stateMachineArn"},
		{"ListStateMachineAliases", "stateMachineArn"}, {"PublishStateMachineVersion", "stateMachineArn"},
		{"DescribeStateMachineAlias", "stateMachineAliasArn"}, {"DeleteStateMachineAlias", "stateMachineAliasArn"},
		{"DeleteStateMachineVersion", "stateMachineVersionArn"}, {"SendTaskHeartbeat", "taskToken"},
	}
	var cases []rawCase
	for _, m := range members {
		cases = append(cases,
			rawCase{m.action + " missing", m.action, `{}`, "ValidationException", oneViolation("null", m.member, "not be null"), false},
			rawCase{m.action + " null", m.action, `{"` + m.member + `":null}`, "ValidationException", oneViolation("null", m.member, "not be null"), false},
			rawCase{m.action + " empty", m.action, `{"` + m.member + `":""}`, "ValidationException",
				oneViolation("", m.member, "have length greater than or equal to 1"), false})
	}
	runRaw(t, e, cases)
}

// TestNameLength: a name over 80 characters is a ValidationException
// (moto's test_state_machine_name_limits mirrors AWS); a name with a
// forbidden character stays InvalidName.
func TestNameLength(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	smARN := e.createMachine("named", passDef)
	name := strings.Repeat("n", 81)
	tooLong := oneViolation(name, "name", "have length less than or equal to 80")
	role := `"roleArn":"arn:aws:iam::123456789012:role/r"`
	runRaw(t, e, []rawCase{
		{"CreateStateMachine", "CreateStateMachine", `{"name":"` + name + `","definition":` + jsonString(passDef) + `,` + role + `}`, "ValidationException", tooLong, false},
		{"StartExecution", "StartExecution", `{"stateMachineArn":"` + smARN + `","name":"` + name + `"}`, "ValidationException", tooLong, false},
		{"StartSyncExecution", "StartSyncExecution", `{"stateMachineArn":"` + smARN + `","name":"` + name + `"}`, "ValidationException", tooLong, false},
		{"CreateActivity", "CreateActivity", `{"name":"` + name + `"}`, "ValidationException", tooLong, false},
		{"CreateStateMachineAlias", "CreateStateMachineAlias", `{"name":"` + name + `","routingConfiguration":[{"stateMachineVersionArn":"` + smARN + `:1","weight":100}]}`,
			"ValidationException", tooLong, false},
		{"CreateActivity empty name", "CreateActivity", `{"name":""}`, "ValidationException", oneViolation("", "name", "have length greater than or equal to 1"), false},
		{"CreateActivity 80 characters", "CreateActivity", `{"name":"` + name[1:] + `"}`, "", "", false},
		{"CreateActivity forbidden character", "CreateActivity", `{"name":"a#b"}`, "InvalidName", "Invalid Name: 'a#b'", false},
	})
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestSerializationMessages: a member of the wrong type is a
// SerializationException in AWS's words, without Go's type names.
func TestSerializationMessages(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	const s = "SerializationException"
	runRaw(t, e, []rawCase{
		{"string for an integer", "ListStateMachines", `{"maxResults":"ten"}`, s, "STRING_VALUE can not be converted to an Integer", false},
		{"number for a string", "DescribeStateMachine", `{"stateMachineArn":5}`, s, "NUMBER_VALUE can not be converted to a String", false},
		{"string for a boolean", "CreateStateMachine", `{"publish":"yes"}`, s, "STRING_VALUE can not be converted to a Boolean", false},
		{"object for a string", "DescribeExecution", `{"executionArn":{}}`, s, "Start of structure or map found where not expected.", false},
		{"array for a string", "DescribeExecution", `{"executionArn":[]}`, s, "Start of list found where not expected", false},
		{"number for a structure", "CreateStateMachine", `{"tracingConfiguration":5}`, s, "NUMBER_VALUE can not be converted to a Structure", false},
		{"string for a list", "TagResource", `{"resourceArn":"x","tags":"a"}`, s, "STRING_VALUE can not be converted to a List", false},
		{"fraction for an integer", "ListActivities", `{"maxResults":1.5}`, s, "NUMBER_VALUE 1.5 can not be converted to an Integer", false},
		{"array body", "ListActivities", `[]`, s, "Start of list found where not expected", false},
		{"malformed JSON", "ListActivities", `{"maxResults":`, s, "Unexpected end of the JSON request body", false},
	})
	for _, body := range []string{`{"maxResults":"ten"}`, `{not json`, `[1]`} {
		r := e.raw(t, "ListStateMachines", body)
		if strings.Contains(r.message, "Go ") || strings.Contains(r.message, "struct") || strings.Contains(r.message, "unmarshal") {
			t.Errorf("%s: message %q shows Go's internals", body, r.message)
		}
	}
}

// TestNameCharacters: a name with a character AWS forbids is InvalidName
// (API reference, StateMachineListItem "name"), on every kind of name.
func TestNameCharacters(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	smARN := e.createMachine("chars", passDef)
	forbidden := []string{" ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\u0085", "<", ">", "{", "}", "[", "]", "?", "*",
		`"`, "#", "%", `\`, "^", "|", "~", "`", "$", "&", ",", ";", ":", "/", "\u0000", "\u001f", "\u007f", "\u009f",
		"\ufffe", "\uffff", "\U0010ffff"}
	var cases []rawCase
	for _, c := range forbidden {
		name := "a" + c + "b"
		q := jsonString(name)
		cases = append(cases,
			rawCase{fmt.Sprintf("activity %U", []rune(c)[0]), "CreateActivity", `{"name":` + q + `}`, "InvalidName", "Invalid Name: '" + name + "'", false},
			rawCase{fmt.Sprintf("execution %U", []rune(c)[0]), "StartExecution", `{"stateMachineArn":"` + smARN + `","name":` + q + `}`, "InvalidName", "Invalid Name: '" + name + "'", false},
			rawCase{fmt.Sprintf("state machine %U", []rune(c)[0]), "CreateStateMachine",
				`{"name":` + q + `,"definition":` + jsonString(passDef) + `,"roleArn":"arn:aws:iam::123456789012:role/r"}`, "InvalidName", "Invalid Name: '" + name + "'", false})
	}
	for _, ok := range []string{"a-b_c.d", "日本語", "émile", "a\ufffdb", "a\U0001f600b", "a(b)c", "a'b", "a!b", "a@b", "a=b+c"} {
		cases = append(cases, rawCase{"allowed " + ok, "CreateActivity", `{"name":` + jsonString(ok) + `}`, "", "", false})
	}
	runRaw(t, e, cases)
}

// TestLoggingAndTracingConfiguration: the configurations are typed: a
// wrong type is a SerializationException, a bad destination is
// InvalidLoggingConfiguration, null is absent, and DescribeStateMachine
// echoes what was set in AWS's shape (which the SDK can read).
func TestLoggingAndTracingConfiguration(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	const group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/m:*"
	create := func(name, extra string) string {
		return `{"name":"` + name + `","definition":` + jsonString(passDef) + `,"roleArn":"` + sdkRole + `"` + extra + `}`
	}
	dest := func(arn string) string {
		return `,"loggingConfiguration":{"level":"ALL","destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"` + arn + `"}}]}`
	}
	const s, inv = "SerializationException", "InvalidLoggingConfiguration"
	runRaw(t, e, []rawCase{
		{"tracing a number", "CreateStateMachine", create("t1", `,"tracingConfiguration":5`), s, "NUMBER_VALUE can not be converted to a Structure", false},
		{"tracing a string", "CreateStateMachine", create("t2", `,"tracingConfiguration":"str"`), s, "STRING_VALUE can not be converted to a Structure", false},
		{"tracing an array", "CreateStateMachine", create("t3", `,"tracingConfiguration":[1,2]`), s, "Start of list found where not expected", false},
		{"tracing enabled a string", "CreateStateMachine", create("t4", `,"tracingConfiguration":{"enabled":"yes"}`), s, "STRING_VALUE can not be converted to a Boolean", false},
		{"logging a number", "CreateStateMachine", create("l1", `,"loggingConfiguration":5`), s, "NUMBER_VALUE can not be converted to a Structure", false},
		{"destination a number", "CreateStateMachine", create("l2", `,"loggingConfiguration":{"level":"ALL","destinations":[5]}`), s,
			"NUMBER_VALUE can not be converted to a Structure", false},
		{"level not an enum", "CreateStateMachine", create("l3", `,"loggingConfiguration":{"level":"ANY"}`), "ValidationException",
			oneViolation("ANY", "loggingConfiguration.level", "satisfy enum value set: [ALL, ERROR, FATAL, OFF]"), false},
		{"destination empty", "CreateStateMachine", create("l4", `,"loggingConfiguration":{"level":"ALL","destinations":[{}]}`), inv,
			"Invalid Logging Configuration: A Log Destination must have a CloudWatch Logs log group ARN (cloudWatchLogsLogGroup.logGroupArn).", false},
		{"destination not a log group", "CreateStateMachine", create("l5", dest("junk")), inv, "Invalid Logging Configuration: Invalid CloudWatch Logs log group ARN: 'junk'", false},
		{"destination a role", "CreateStateMachine", create("l6", dest(sdkRole)), inv, "Invalid Logging Configuration: Invalid CloudWatch Logs log group ARN", true},
		{"destination without *", "CreateStateMachine", create("l7", dest(strings.TrimSuffix(group, ":*"))), inv,
			"Invalid Logging Configuration: Log Group ARN must be provided with '*' qualifier.", false},
		{"two destinations", "CreateStateMachine", create("l8", `,"loggingConfiguration":{"level":"ERROR","destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"`+group+
			`"}},{"cloudWatchLogsLogGroup":{"logGroupArn":"`+group+`"}}]}`), inv, "Invalid Logging Configuration: Must specify exactly one Log Destination.", false},
		{"level without destination", "CreateStateMachine", create("l9", `,"loggingConfiguration":{"level":"FATAL"}`), inv,
			"Invalid Logging Configuration: Must specify exactly one Log Destination.", false},
		{"valid", "CreateStateMachine", create("logged", dest(group)+`,"tracingConfiguration":{"enabled":true}`), "", "", false},
		{"nulls", "CreateStateMachine", create("nulls", `,"loggingConfiguration":null,"tracingConfiguration":null`), "", "", false},
	})
	describe := func(name string) string {
		r := e.raw(t, "DescribeStateMachine", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:`+name+`"}`)
		var d struct {
			Logging    json.RawMessage `json:"loggingConfiguration"`
			Tracing    json.RawMessage `json:"tracingConfiguration"`
			RevisionID *string         `json:"revisionId"`
		}
		if err := json.Unmarshal(r.body, &d); err != nil || r.status != http.StatusOK {
			t.Fatalf("describe %s: %d %s %v", name, r.status, r.body, err)
		}
		rev := ""
		if d.RevisionID != nil {
			rev = " revision"
		}
		return string(d.Logging) + " " + string(d.Tracing) + rev
	}
	if got, want := describe("logged"), `{"level":"ALL","includeExecutionData":false,"destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"`+group+`"}}]} {"enabled":true}`; got != want {
		t.Errorf("logged machine: %s, want %s", got, want)
	}
	defaults := `{"level":"OFF","includeExecutionData":false} {"enabled":false}`
	if got := describe("nulls"); got != defaults {
		t.Errorf("machine created with nulls: %s, want %s", got, defaults)
	}
	nullsARN := "arn:aws:states:us-east-1:123456789012:stateMachine:nulls"
	runRaw(t, e, []rawCase{
		{"update with only null tracing", "UpdateStateMachine", `{"stateMachineArn":"` + nullsARN + `","tracingConfiguration":null}`, "MissingRequiredParameter",
			"Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified", false},
		{"update tracing a number", "UpdateStateMachine", `{"stateMachineArn":"` + nullsARN + `","tracingConfiguration":5}`, s, "NUMBER_VALUE can not be converted to a Structure", false},
		{"update a bad destination", "UpdateStateMachine", `{"stateMachineArn":"` + nullsARN + `"` + dest("junk") + `}`, inv, "Invalid CloudWatch Logs log group ARN", true},
		{"update the same definition, null tracing", "UpdateStateMachine",
			`{"stateMachineArn":"` + nullsARN + `","definition":` + jsonString(passDef) + `,"tracingConfiguration":null,"loggingConfiguration":null}`, "", "", false},
	})
	if got := describe("nulls"); got != defaults {
		t.Errorf("after an update with null configurations: %s, want %s (no new revision)", got, defaults)
	}
	// The SDK (as the aws CLI) reads both back.
	d, err := e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:logged")})
	if err != nil || d.LoggingConfiguration.Level != types.LogLevelAll || !d.TracingConfiguration.Enabled ||
		*d.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn != group {
		t.Errorf("SDK describe: %+v %v", d, err)
	}
}

// TestRoleArn: UpdateStateMachine checks roleArn as CreateStateMachine
// does.
func TestRoleArn(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	arn := e.createMachine("roled", passDef)
	var cases []rawCase
	for _, op := range []struct{ action, body string }{
		{"CreateStateMachine", `{"name":"r","definition":` + jsonString(passDef) + `,"roleArn":%s}`},
		{"UpdateStateMachine", `{"stateMachineArn":"` + arn + `","roleArn":%s}`},
	} {
		cases = append(cases,
			rawCase{op.action + " junk", op.action, fmt.Sprintf(op.body, `"junk"`), "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: junk'", false},
			rawCase{op.action + " empty", op.action, fmt.Sprintf(op.body, `""`), "ValidationException",
				oneViolation("", "roleArn", "have length greater than or equal to 1"), false})
	}
	cases = append(cases, rawCase{"CreateStateMachine null", "CreateStateMachine", fmt.Sprintf(`{"name":"r","definition":%s,"roleArn":null}`, jsonString(passDef)),
		"ValidationException", oneViolation("null", "roleArn", "not be null"), false})
	runRaw(t, e, cases)
	d, err := e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil || *d.RoleArn != sdkRole || d.RevisionId != nil {
		t.Errorf("after rejected updates: %+v %v", d, err)
	}
}

// TestListExecutionsTargets: ListExecutions rejects what it cannot list
// instead of answering an empty list, with DescribeStateMachine's errors
// for the same state machine ARN.
func TestListExecutionsTargets(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	arn := e.createMachine("lx", passDef, func(in *sdk.CreateStateMachineInput) { in.Publish = true })
	if _, err := e.c.CreateStateMachineAlias(e.ctx, &sdk.CreateStateMachineAliasInput{Name: aws.String("live"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: aws.String(arn + ":1"), Weight: 100}}}); err != nil {
		t.Fatal(err)
	}
	mapRun := "arn:aws:states:us-east-1:123456789012:mapRun:lx/label:4a4e6e8c-0000-0000-0000-000000000000"
	list := func(member, value string) string { return `{"` + member + `":"` + value + `"}` }
	const noSM = "StateMachineDoesNotExist"
	var cases []rawCase
	for _, tc := range []struct{ name, arn, typ, message string }{
		{"another region", "arn:aws:states:eu-west-1:123456789012:stateMachine:lx", noSM,
			"State Machine Does Not Exist: 'arn:aws:states:eu-west-1:123456789012:stateMachine:lx'"},
		{"another account", "arn:aws:states:us-east-1:999999999999:stateMachine:lx", noSM,
			"State Machine Does Not Exist: 'arn:aws:states:us-east-1:999999999999:stateMachine:lx'"},
		{"unknown version", arn + ":99", noSM, "State Machine Does Not Exist: '" + arn + ":99'"},
		{"unknown alias", arn + ":dead", noSM, "State Machine Does Not Exist: '" + arn + ":dead'"},
		{"too many qualifiers", arn + ":1:2:3", "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: " + arn + ":1:2:3'"},
		{"no name", "arn:aws:states:us-east-1:123456789012:stateMachine:", "InvalidArn",
			"Invalid Arn: 'Resource type not valid in this context: arn:aws:states:us-east-1:123456789012:stateMachine:'"},
		{"machine", arn, "", ""},
		{"version", arn + ":1", "", ""},
		{"alias", arn + ":live", "", ""},
	} {
		cases = append(cases, rawCase{"ListExecutions " + tc.name, "ListExecutions", list("stateMachineArn", tc.arn), tc.typ, tc.message, false})
		if tc.name != "unknown alias" && tc.name != "alias" && tc.name != "version" {
			cases = append(cases, rawCase{"DescribeStateMachine " + tc.name, "DescribeStateMachine", list("stateMachineArn", tc.arn), tc.typ, tc.message, false})
		}
	}
	cases = append(cases,
		rawCase{"map run not an ARN", "ListExecutions", list("mapRunArn", "junk"), "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: junk'", false},
		rawCase{"map run a machine ARN", "ListExecutions", list("mapRunArn", arn), "InvalidArn", "Invalid Arn", true},
		rawCase{"unknown map run", "ListExecutions", list("mapRunArn", mapRun), "ResourceNotFound", "Resource not found: '" + mapRun + "'", false},
		rawCase{"both", "ListExecutions", `{"stateMachineArn":"` + arn + `","mapRunArn":"` + mapRun + `"}`, "ValidationException",
			"Must provide either a StateMachine ARN or a MapRun ARN, not both", false},
		rawCase{"neither", "ListExecutions", `{}`, "ValidationException", "Must provide a StateMachine ARN or MapRun ARN", false},
	)
	runRaw(t, e, cases)
}

// TestTagKeys: a tag key may contain only Unicode letters, digits, white
// space and _ . : / = + - @, and may not start with the reserved "aws:";
// on TagResource, CreateStateMachine and CreateActivity.
func TestTagKeys(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	arn := e.createMachine("tagged", passDef)
	const pattern = `satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`
	reserved := func(key string) string {
		return "Invalid tag key '" + key + "': tag keys cannot start with 'aws:' (case insensitive), which is reserved for AWS use"
	}
	var cases []rawCase
	for _, tc := range []struct{ key, message string }{
		{"a*b", oneViolation("a*b", "tags.1.member.key", pattern)},
		{"a#b", oneViolation("a#b", "tags.1.member.key", pattern)},
		{"a\tb", oneViolation("a\tb", "tags.1.member.key", pattern)},
		{"a?", oneViolation("a?", "tags.1.member.key", pattern)},
		{"aws:x", reserved("aws:x")},
		{"AWS:x", reserved("AWS:x")},
		{"Aws:", reserved("Aws:")},
		{"ok key", ""}, {"日本語", ""}, {"a_.:/=+-@1", ""}, {"awsx", ""}, {"x:aws:", ""},
	} {
		tags := `[{"key":` + jsonString(tc.key) + `,"value":"v"}]`
		typ := "ValidationException"
		if tc.message == "" {
			typ = ""
		}
		name := strings.NewReplacer("\t", "TAB", "/", "SLASH").Replace(tc.key)
		cases = append(cases,
			rawCase{"TagResource " + name, "TagResource", `{"resourceArn":"` + arn + `","tags":` + tags + `}`, typ, tc.message, false},
			rawCase{"CreateActivity " + name, "CreateActivity", `{"name":"act-` + fmt.Sprint(len(cases)) + `","tags":` + tags + `}`, typ, tc.message, false},
			rawCase{"CreateStateMachine " + name, "CreateStateMachine", `{"name":"sm-` + fmt.Sprint(len(cases)) + `","definition":` + jsonString(passDef) +
				`,"roleArn":"` + sdkRole + `","tags":` + tags + `}`, typ, tc.message, false})
	}
	runRaw(t, e, cases)
}

// TestNestedStartChecked: the states:startExecution integration's request
// is checked against the model as the API call it makes is.
func TestNestedStartChecked(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	child := e.createMachine("child", passDef)
	for _, tc := range []struct{ name, taskName, wantErr, wantCause string }{
		{"name over 80", strings.Repeat("n", 81), "StepFunctions.ValidationException", "Member must have length less than or equal to 80"},
		{"forbidden character", "a b", "StepFunctions.InvalidNameException", "Invalid Name: 'a b'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt": "S", "States": {"S": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
				"Parameters": {"StateMachineArn": "` + child + `", "Name": ` + jsonString(tc.taskName) + `}, "End": true}}}`
			parent := e.createMachine("parent-"+strings.ReplaceAll(tc.name, " ", "-"), def)
			d := e.waitDone(e.start(parent, "", `{}`))
			if d.Status != types.ExecutionStatusFailed || d.Error == nil || *d.Error != tc.wantErr || d.Cause == nil || !strings.Contains(*d.Cause, tc.wantCause) {
				t.Errorf("parent: %s %v %v; want FAILED %s (%s)", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause), tc.wantErr, tc.wantCause)
			}
		})
	}
}
