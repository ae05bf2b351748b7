package history_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"stepd/internal/history"
)

// sharedDir is the team's shared reference material, next to the repository.
const sharedDir = "../../../shared"

// ts is the timestamp of the test events: 2024-05-29T14:05:13.184Z.
var ts = time.UnixMilli(1716991513184).UTC()

// detailsWith returns Details with the named fields (JSON names) set, each
// to a value of its own, so that a field read back into another would show.
func detailsWith(t testing.TB, fields ...string) *history.Details {
	t.Helper()
	d := &history.Details{}
	v := reflect.ValueOf(d).Elem()
	names := detailsJSONNames()
	for n, name := range fields {
		i, ok := names[name]
		if !ok {
			t.Fatalf("Details has no field %q", name)
		}
		f := v.Field(i)
		switch p := f.Addr().Interface().(type) {
		case *string:
			*p = name + "-value"
		case **string:
			*p = history.Str(`{"` + name + `":"ü\"\\\n"}`)
		case **int64:
			*p = history.Int(int64(n) + 1)
		case **history.PayloadDetails:
			*p = &history.PayloadDetails{Truncated: n%2 == 0}
		case **history.Credentials:
			*p = &history.Credentials{RoleArn: "arn:aws:iam::111111111111:role/" + name}
		case **history.Assigned:
			*p = &history.Assigned{Names: []string{"z", "a", "m"}, Values: []string{`1`, `{"b":[true,null]}`, `"x"`}}
		default:
			t.Fatalf("detailsWith: field %s has unexpected type %s", name, f.Type())
		}
	}
	return d
}

func mustMarshal(t testing.TB, e history.Event) []byte {
	t.Helper()
	b, err := e.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON(%+v): %v", e, err)
	}
	if !json.Valid(b) {
		t.Fatalf("MarshalJSON(%+v) wrote invalid JSON: %s", e, b)
	}
	return b
}

func mustUnmarshal(t testing.TB, b []byte) history.Event {
	t.Helper()
	var e history.Event
	if err := e.UnmarshalJSON(b); err != nil {
		t.Fatalf("UnmarshalJSON(%s): %v", b, err)
	}
	return e
}

// objectKeys returns the member names of a JSON object, in order.
func objectKeys(t testing.TB, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", b)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
	return keys
}

// TestEventRoundTrip encodes an event of every type, with every field AWS
// defines for its details set, checks the members written and decodes it
// back.
func TestEventRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range allTypes {
		t.Run(string(tt.typ), func(t *testing.T) {
			t.Parallel()
			e := history.Event{ID: 7, PreviousEventID: 5, Timestamp: ts, Type: tt.typ}
			if tt.key != "" {
				e.Details = detailsWith(t, awsShapes[tt.key]...)
			}
			b := mustMarshal(t, e)

			wantKeys := []string{"timestamp", "type", "id", "previousEventId"}
			if tt.key != "" {
				wantKeys = append(wantKeys, tt.key)
			}
			if got := objectKeys(t, b); !slices.Equal(got, wantKeys) {
				t.Errorf("members %v, want %v\n%s", got, wantKeys, b)
			}
			if tt.key != "" {
				var raw map[string]json.RawMessage
				if err := json.Unmarshal(b, &raw); err != nil {
					t.Fatal(err)
				}
				got := objectKeys(t, raw[tt.key])
				slices.Sort(got)
				if want := awsShapes[tt.key]; !slices.Equal(got, want) {
					t.Errorf("%s members %v, want %v", tt.key, got, want)
				}
			}

			got := mustUnmarshal(t, b)
			if !reflect.DeepEqual(got, e) {
				t.Errorf("round trip of %s:\n got %+v\nwant %+v", b, got, e)
			}
			if got.Timestamp.Location() != time.UTC {
				t.Errorf("timestamp read back in %v, want UTC", got.Timestamp.Location())
			}
			if b2 := mustMarshal(t, got); !bytes.Equal(b2, b) {
				t.Errorf("second encoding differs:\n%s\n%s", b2, b)
			}
		})
	}
}

// TestDetailsFieldRoundTrip sets each field of Details alone, to the value
// that omitempty would drop if the field were not a pointer (0, "",
// truncated false, an empty map), and checks that it is written and read
// back: AWS sends index 0 and empty errors.
func TestDetailsFieldRoundTrip(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[history.Details]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := &history.Details{}
			fv := reflect.ValueOf(d).Elem().Field(i)
			if f.Type.Kind() == reflect.Pointer {
				fv.Set(reflect.New(f.Type.Elem())) // points to a zero value
			} else {
				fv.SetString("v")
			}
			// Every Details field is written whatever the type; use one
			// that has details.
			e := history.Event{ID: 1, Timestamp: ts, Type: history.TaskStateExited, Details: d}
			b := mustMarshal(t, e)
			var top map[string]json.RawMessage
			if err := json.Unmarshal(b, &top); err != nil {
				t.Fatal(err)
			}
			if got := objectKeys(t, top["stateExitedEventDetails"]); !slices.Equal(got, []string{name}) {
				t.Errorf("details written as %s, want only %q", top["stateExitedEventDetails"], name)
			}
			if got := mustUnmarshal(t, b); !reflect.DeepEqual(got, e) {
				t.Errorf("round trip of %s:\n got %+v\nwant %+v", b, *got.Details, *e.Details)
			}
		})
	}
}

// TestMarshalGolden pins the exact bytes of a few events.
func TestMarshalGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    history.Event
		want string
	}{
		{
			name: "execution started",
			e: history.Event{ID: 1, Timestamp: ts, Type: history.ExecutionStarted, Details: &history.Details{
				RoleArn: "arn:aws:iam::111111111111:role/r", Input: history.Str(`{"a":"é \"q\""}`), InputDetails: history.NotTruncated,
				StateMachineVersionArn: "arn:aws:states:us-east-1:111111111111:stateMachine:m:1",
			}},
			want: `{"timestamp":1.716991513184E9,"type":"ExecutionStarted","id":1,"previousEventId":0,` +
				`"executionStartedEventDetails":{"roleArn":"arn:aws:iam::111111111111:role/r",` +
				`"stateMachineVersionArn":"arn:aws:states:us-east-1:111111111111:stateMachine:m:1",` +
				`"input":"{\"a\":\"é \\\"q\\\"\"}","inputDetails":{"truncated":false}}}`,
		},
		{
			name: "map iteration 0",
			e: history.Event{ID: 5, PreviousEventID: 4, Timestamp: time.UnixMilli(1716991513000), Type: history.MapIterationStarted,
				Details: &history.Details{Name: "Map", Index: history.Int(0)}},
			want: `{"timestamp":1.716991513E9,"type":"MapIterationStarted","id":5,"previousEventId":4,` +
				`"mapIterationStartedEventDetails":{"name":"Map","index":0}}`,
		},
		{
			name: "assigned variables keep their order",
			e: history.Event{ID: 3, PreviousEventID: 2, Timestamp: time.UnixMilli(1716991513180), Type: history.PassStateExited,
				Details: &history.Details{Name: "P", Output: history.Str("[1]"), OutputDetails: history.NotTruncated,
					AssignedVariables:        &history.Assigned{Names: []string{"z", "a"}, Values: []string{`"s"`, `{"k":1}`}},
					AssignedVariablesDetails: history.NotTruncated}},
			want: `{"timestamp":1.71699151318E9,"type":"PassStateExited","id":3,"previousEventId":2,` +
				`"stateExitedEventDetails":{"name":"P","output":"[1]","outputDetails":{"truncated":false},` +
				`"assignedVariables":{"z":"\"s\"","a":"{\"k\":1}"},"assignedVariablesDetails":{"truncated":false}}}`,
		},
		{
			name: "empty error and cause",
			e: history.Event{ID: 9, PreviousEventID: 8, Timestamp: time.UnixMilli(1716991513100), Type: history.ExecutionFailed,
				Details: &history.Details{Error: history.Str(""), Cause: history.Str("")}},
			want: `{"timestamp":1.7169915131E9,"type":"ExecutionFailed","id":9,"previousEventId":8,` +
				`"executionFailedEventDetails":{"error":"","cause":""}}`,
		},
		{
			name: "task scheduled",
			e: history.Event{ID: 4, PreviousEventID: 3, Timestamp: time.UnixMilli(1716991513001), Type: history.TaskScheduled,
				Details: &history.Details{Resource: "invoke", ResourceType: "lambda", Region: "us-east-1",
					Parameters: history.Str(`{"FunctionName":"f"}`), TimeoutInSeconds: history.Int(60), HeartbeatInSeconds: history.Int(10),
					TaskCredentials: &history.Credentials{RoleArn: "arn:aws:iam::111111111111:role/t"}}},
			want: `{"timestamp":1.716991513001E9,"type":"TaskScheduled","id":4,"previousEventId":3,` +
				`"taskScheduledEventDetails":{"resource":"invoke","resourceType":"lambda","region":"us-east-1",` +
				`"parameters":"{\"FunctionName\":\"f\"}","timeoutInSeconds":60,"heartbeatInSeconds":10,` +
				`"taskCredentials":{"roleArn":"arn:aws:iam::111111111111:role/t"}}}`,
		},
		{
			name: "no details",
			e:    history.Event{ID: 6, PreviousEventID: 5, Timestamp: ts, Type: history.LambdaFunctionStarted},
			want: `{"timestamp":1.716991513184E9,"type":"LambdaFunctionStarted","id":6,"previousEventId":5}`,
		},
		{
			name: "details given to a type without them are dropped",
			e:    history.Event{ID: 6, PreviousEventID: 5, Timestamp: ts, Type: history.ParallelStateSucceeded, Details: &history.Details{Name: "x"}},
			want: `{"timestamp":1.716991513184E9,"type":"ParallelStateSucceeded","id":6,"previousEventId":5}`,
		},
		{
			name: "nil details of a type that has them",
			e:    history.Event{ID: 2, PreviousEventID: 1, Timestamp: ts, Type: history.ExecutionAborted},
			want: `{"timestamp":1.716991513184E9,"type":"ExecutionAborted","id":2,"previousEventId":1,"executionAbortedEventDetails":{}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mustMarshal(t, tt.e); string(got) != tt.want {
				t.Errorf("MarshalJSON:\n got %s\nwant %s", got, tt.want)
			}
			// json.Marshal goes through MarshalJSON and only compacts.
			if got, err := json.Marshal(tt.e); err != nil || string(got) != tt.want {
				t.Errorf("json.Marshal = %s, %v; want %s", got, err, tt.want)
			}
			// Decoding the golden bytes gives them back.
			if got := mustMarshal(t, mustUnmarshal(t, []byte(tt.want))); string(got) != tt.want {
				t.Errorf("MarshalJSON(UnmarshalJSON(want)):\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestAppendEpoch pins timestamps as AWS writes them: epoch seconds, a
// double printed the way Java's Double.toString prints it (Jackson), e.g.
// "timestamp":1.716991513184E9; plain notation from 10^-3 to 10^7.
func TestAppendEpoch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"milliseconds", time.UnixMilli(1716991513184), "1.716991513184E9"},
		{"whole seconds", time.UnixMilli(1716991513000), "1.716991513E9"},
		{"one trailing zero", time.UnixMilli(1716991513180), "1.71699151318E9"},
		{"two trailing zeros", time.UnixMilli(1716991513100), "1.7169915131E9"},
		{"leading zeros in the milliseconds", time.UnixMilli(1716991513001), "1.716991513001E9"},
		{"round power of ten", time.Unix(1e9, 0), "1.0E9"},
		{"one millisecond past a power of ten", time.UnixMilli(1e12 + 1), "1.000000000001E9"},
		{"sub-millisecond digits are truncated", time.Unix(1716991513, 184_999_999), "1.716991513184E9"},
		{"the zone does not matter", time.UnixMilli(1716991513184).In(time.FixedZone("X", -7*3600)), "1.716991513184E9"},
		{"epoch", time.Unix(0, 0), "0.0"},
		{"one millisecond", time.UnixMilli(1), "0.001"},
		{"below 10^7 seconds is plain", time.Unix(9_999_999, 0), "9999999.0"},
		{"10^7 seconds", time.Unix(10_000_000, 0), "1.0E7"},
		{"a day", time.Unix(86400, 500_000_000), "86400.5"},
		{"before 1970", time.UnixMilli(-1500), "-1.5"},
		{"year 2286", time.Unix(1e10, 0), "1.0E10"},
	}
	for _, tt := range tests {
		if got := string(history.AppendEpoch(nil, tt.t)); got != tt.want {
			t.Errorf("%s: AppendEpoch(%v) = %s, want %s", tt.name, tt.t, got, tt.want)
		}
	}
	if got := string(history.AppendEpoch([]byte(`"t":`), ts)); got != `"t":1.716991513184E9` {
		t.Errorf("AppendEpoch does not append: %s", got)
	}
}

// TestAppendEpochDigits checks, over random instants between 1970 and 2100,
// that AppendEpoch writes exactly the decimal digits of the milliseconds
// (no binary rounding noise such as 1.7169915131840001E9) and that the
// decoder reads the same millisecond back.
func TestAppendEpochDigits(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	const end = 4102444800000 // 2100-01-01 in ms
	for range 5000 {
		ms := r.Int64N(end-1e10) + 1e10 // 10^7 s and after: E notation
		s := string(history.AppendEpoch(nil, time.UnixMilli(ms)))
		mant, exp, ok := strings.Cut(s, "E")
		if !ok {
			t.Fatalf("%d ms: %s has no exponent", ms, s)
		}
		digits := strings.TrimRight(strings.Replace(mant, ".", "", 1), "0")
		want := strings.TrimRight(strconv.FormatInt(ms, 10), "0")
		wantExp := strconv.Itoa(len(strconv.FormatInt(ms, 10)) - 4)
		if digits != want || exp != wantExp {
			t.Fatalf("%d ms: AppendEpoch wrote %s, want the digits %s and exponent %s", ms, s, want, wantExp)
		}
		b := []byte(`{"timestamp":` + s + `,"type":"PassStateEntered","id":1,"previousEventId":0}`)
		if got := mustUnmarshal(t, b).Timestamp.UnixMilli(); got != ms {
			t.Fatalf("%s read back as %d ms, want %d", s, got, ms)
		}
	}
}

// TestUnmarshalAccepts reads forms the encoder does not write but AWS or a
// client may: other member orders, integral or plain timestamps, missing
// details, unknown members.
func TestUnmarshalAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want history.Event
	}{
		{
			name: "members in another order",
			in:   `{"stateEnteredEventDetails":{"name":"S","input":"{}","inputDetails":{"truncated":false}},"id":2,"previousEventId":1,"type":"PassStateEntered","timestamp":1.716991513184E9}`,
			want: history.Event{ID: 2, PreviousEventID: 1, Timestamp: ts, Type: history.PassStateEntered,
				Details: &history.Details{Name: "S", Input: history.Str("{}"), InputDetails: &history.PayloadDetails{}}},
		},
		{
			name: "plain timestamp",
			in:   `{"timestamp":1716991513.184,"type":"LambdaFunctionStarted","id":3,"previousEventId":2}`,
			want: history.Event{ID: 3, PreviousEventID: 2, Timestamp: ts, Type: history.LambdaFunctionStarted},
		},
		{
			name: "integer timestamp",
			in:   `{"timestamp":1716991513,"type":"LambdaFunctionStarted","id":3,"previousEventId":2}`,
			want: history.Event{ID: 3, PreviousEventID: 2, Timestamp: time.Unix(1716991513, 0).UTC(), Type: history.LambdaFunctionStarted},
		},
		{
			name: "timestamp rounded to the millisecond",
			in:   `{"timestamp":1.7169915131839E9,"type":"LambdaFunctionStarted","id":3,"previousEventId":2}`,
			want: history.Event{ID: 3, PreviousEventID: 2, Timestamp: ts, Type: history.LambdaFunctionStarted},
		},
		{
			name: "details member absent",
			in:   `{"timestamp":1.716991513184E9,"type":"TaskStarted","id":3,"previousEventId":2}`,
			want: history.Event{ID: 3, PreviousEventID: 2, Timestamp: ts, Type: history.TaskStarted},
		},
		{
			name: "details member of another type ignored",
			in:   `{"timestamp":1.716991513184E9,"type":"TaskStarted","id":3,"previousEventId":2,"stateEnteredEventDetails":{"name":"x"}}`,
			want: history.Event{ID: 3, PreviousEventID: 2, Timestamp: ts, Type: history.TaskStarted},
		},
		{
			name: "unknown members ignored",
			in:   `{"timestamp":1.716991513184E9,"type":"TaskStarted","id":3,"previousEventId":2,"extra":[1],"taskStartedEventDetails":{"resource":"r","future":true}}`,
			want: history.Event{ID: 3, PreviousEventID: 2, Timestamp: ts, Type: history.TaskStarted, Details: &history.Details{Resource: "r"}},
		},
		{
			name: "null details",
			in:   `{"timestamp":1.716991513184E9,"type":"TaskStarted","id":3,"previousEventId":2,"taskStartedEventDetails":null}`,
			want: history.Event{ID: 3, PreviousEventID: 2, Timestamp: ts, Type: history.TaskStarted, Details: &history.Details{}},
		},
		{
			name: "empty assigned variables",
			in:   `{"timestamp":1.716991513184E9,"type":"PassStateExited","id":3,"previousEventId":2,"stateExitedEventDetails":{"assignedVariables":{}}}`,
			want: history.Event{ID: 3, PreviousEventID: 2, Timestamp: ts, Type: history.PassStateExited, Details: &history.Details{AssignedVariables: &history.Assigned{}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mustUnmarshal(t, []byte(tt.in)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("UnmarshalJSON(%s):\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

// TestUnmarshalErrors checks that malformed events are refused, and that
// the error names the member at fault.
func TestUnmarshalErrors(t *testing.T) {
	t.Parallel()
	const head = `"timestamp":1.716991513184E9,"id":3,"previousEventId":2`
	tests := []struct {
		name, in, contains string
	}{
		{"empty", ``, ""},
		{"not JSON", `timestamp`, ""},
		{"truncated", `{"timestamp":1.7E9,"type":"PassStateEntered"`, ""},
		{"array", `[]`, ""},
		{"string", `"event"`, ""},
		{"null", `null`, "timestamp"},
		{"empty object", `{}`, "timestamp"},
		{"no timestamp", `{"type":"PassStateEntered","id":3,"previousEventId":2}`, "timestamp"},
		{"timestamp a string", `{"timestamp":"2024-05-29T14:05:13Z","type":"PassStateEntered","id":3,"previousEventId":2}`, "timestamp"},
		{"no type", `{"timestamp":1.7E9,"id":3,"previousEventId":2}`, "type"},
		{"type a number", `{"timestamp":1.7E9,"type":1,"id":3,"previousEventId":2}`, "type"},
		{"no id", `{"timestamp":1.7E9,"type":"PassStateEntered","previousEventId":2}`, "id"},
		{"fractional id", `{"timestamp":1.7E9,"type":"PassStateEntered","id":3.5,"previousEventId":2}`, "id"},
		{"id a string", `{"timestamp":1.7E9,"type":"PassStateEntered","id":"3","previousEventId":2}`, "id"},
		{"no previous id", `{"timestamp":1.7E9,"type":"PassStateEntered","id":3}`, "previousEventId"},
		{"previous id out of range", `{"timestamp":1.7E9,"type":"PassStateEntered","id":3,"previousEventId":9223372036854775808}`, "previousEventId"},
		{"details an array", `{` + head + `,"type":"TaskScheduled","taskScheduledEventDetails":[]}`, "taskScheduledEventDetails"},
		{"index a string", `{` + head + `,"type":"MapIterationStarted","mapIterationStartedEventDetails":{"index":"0"}}`, "mapIterationStartedEventDetails"},
		{"input not a string", `{` + head + `,"type":"PassStateEntered","stateEnteredEventDetails":{"input":{}}}`, "stateEnteredEventDetails"},
		{"truncated not a bool", `{` + head + `,"type":"PassStateEntered","stateEnteredEventDetails":{"inputDetails":{"truncated":"no"}}}`, "stateEnteredEventDetails"},
		{"variable not a string", `{` + head + `,"type":"PassStateExited","stateExitedEventDetails":{"assignedVariables":{"a":1}}}`, "stateExitedEventDetails"},
		{"variables an array of strings", `{` + head + `,"type":"PassStateExited","stateExitedEventDetails":{"assignedVariables":["a","1"]}}`, "stateExitedEventDetails"},
		{"variables an array of numbers", `{` + head + `,"type":"PassStateExited","stateExitedEventDetails":{"assignedVariables":[1,"1"]}}`, "stateExitedEventDetails"},
		{"variables a string", `{` + head + `,"type":"PassStateExited","stateExitedEventDetails":{"assignedVariables":"a"}}`, "stateExitedEventDetails"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var e history.Event
			err := e.UnmarshalJSON([]byte(tt.in))
			if err == nil {
				t.Fatalf("UnmarshalJSON(%s) = nil error, decoded %+v", tt.in, e)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("UnmarshalJSON(%s) = %v, want an error mentioning %q", tt.in, err, tt.contains)
			}
			// Through encoding/json as well.
			if err := json.Unmarshal([]byte(tt.in), new(history.Event)); err == nil {
				t.Errorf("json.Unmarshal(%s) = nil error", tt.in)
			}
		})
	}
}

// TestAssignedJSON covers Assigned on its own: order, escaping, duplicate
// names kept as sent.
func TestAssignedJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a    history.Assigned
		want string
	}{
		{history.Assigned{}, `{}`},
		{history.Assigned{Names: []string{"b", "a"}, Values: []string{`2`, `1`}}, `{"b":"2","a":"1"}`},
		{history.Assigned{Names: []string{"q\"k"}, Values: []string{`"v\n"`}}, `{"q\"k":"\"v\\n\""}`},
		{history.Assigned{Names: []string{"a", "a"}, Values: []string{`1`, `2`}}, `{"a":"1","a":"2"}`},
	}
	for _, tt := range tests {
		got, err := tt.a.MarshalJSON()
		if err != nil || string(got) != tt.want {
			t.Errorf("MarshalJSON(%+v) = %s, %v; want %s", tt.a, got, err, tt.want)
			continue
		}
		var back history.Assigned
		if err := back.UnmarshalJSON(got); err != nil {
			t.Errorf("UnmarshalJSON(%s): %v", got, err)
			continue
		}
		if !slices.Equal(back.Names, tt.a.Names) || !slices.Equal(back.Values, tt.a.Values) {
			t.Errorf("UnmarshalJSON(%s) = %+v, want %+v", got, back, tt.a)
		}
	}
}

// TestRecordedHistories decodes every event of the histories recorded
// against AWS (shared/conformance/aws-recorded/cases), encodes it again,
// and checks that nothing was lost or added: every member and details
// field AWS sent is one the package knows, under the type's details key.
//
// The recordings are LocalStack snapshots: members sorted by name,
// timestamps redacted to "timestamp", and JSON text that starts with "{"
// stored parsed. The test puts them back in wire form (a fixed timestamp,
// input, output, parameters, cause and assigned values as strings) before
// decoding; it cannot check member order, which the snapshots lost.
func TestRecordedHistories(t *testing.T) {
	t.Parallel()
	files := recordedFiles(t)
	events, types := 0, map[history.Type]bool{}
	for _, file := range files {
		var c struct {
			Expected struct {
				History []map[string]json.RawMessage `json:"history"`
			} `json:"expected"`
		}
		if err := json.Unmarshal(readFile(t, file), &c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for i, rec := range c.Expected.History {
			wire, err := toWire(rec)
			if err != nil {
				t.Fatalf("%s: event %d: %v", file, i, err)
			}
			e := mustUnmarshal(t, wire)
			events++
			types[e.Type] = true
			if !slices.ContainsFunc(allTypes, func(x struct {
				typ history.Type
				key string
			}) bool {
				return x.typ == e.Type
			}) {
				t.Errorf("%s: event %d: unknown type %s", file, i, e.Type)
			}
			var keys []string
			for k := range rec {
				if strings.HasSuffix(k, "EventDetails") {
					keys = append(keys, k)
				}
			}
			if want := history.DetailsKey(e.Type); (want == "" && len(keys) != 0) || (want != "" && !slices.Equal(keys, []string{want})) {
				t.Errorf("%s: event %d (%s): AWS sent details %v, DetailsKey gives %q", file, i, e.Type, keys, want)
			}
			out := mustMarshal(t, e)
			if !jsonEqual(t, out, wire) {
				t.Errorf("%s: event %d: re-encoded differently\n got %s\nwant %s", file, i, out, wire)
			}
			if again := mustMarshal(t, mustUnmarshal(t, out)); !bytes.Equal(again, out) {
				t.Errorf("%s: event %d: second encoding differs\n%s\n%s", file, i, again, out)
			}
		}
	}
	if events == 0 {
		t.Skip("no recorded history events found")
	}
	t.Logf("%d events of %d types from %d files", events, len(types), len(files))
}

func recordedFiles(t testing.TB) []string {
	t.Helper()
	dir := filepath.Join(sharedDir, "conformance", "aws-recorded", "cases")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Skipf("AWS-recorded histories not found in %s (shared/conformance lives next to the repository)", dir)
	}
	return files
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stringFields are the details fields whose JSON text the snapshots stored
// parsed.
var stringFields = []string{"input", "output", "parameters", "cause", "error"}

// toWire turns a recorded event back into what AWS sent.
func toWire(rec map[string]json.RawMessage) ([]byte, error) {
	ev := map[string]json.RawMessage{}
	for k, v := range rec {
		ev[k] = v
	}
	ev["timestamp"] = json.RawMessage(`1.716991513184E9`)
	// Where LocalStack sorted a Parallel's events it also wrapped their
	// ids: [n].
	for _, k := range []string{"id", "previousEventId"} {
		var wrapped [1]json.RawMessage
		if json.Unmarshal(ev[k], &wrapped) == nil {
			ev[k] = wrapped[0]
		}
	}
	for k, v := range rec {
		if !strings.HasSuffix(k, "EventDetails") {
			continue
		}
		var d map[string]json.RawMessage
		if err := json.Unmarshal(v, &d); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		for _, f := range stringFields {
			if raw, ok := d[f]; ok {
				d[f] = asString(raw)
			}
		}
		if raw, ok := d["assignedVariables"]; ok {
			var vars map[string]json.RawMessage
			if err := json.Unmarshal(raw, &vars); err != nil {
				return nil, fmt.Errorf("%s.assignedVariables: %w", k, err)
			}
			for name, val := range vars {
				vars[name] = asString(val)
			}
			d["assignedVariables"], _ = json.Marshal(vars)
		}
		ev[k], _ = json.Marshal(d)
	}
	return json.Marshal(ev)
}

// asString returns raw as a JSON string: itself if it is one, else its
// text quoted.
func asString(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		return raw
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, raw)
	b, _ := json.Marshal(buf.String())
	return b
}

func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// FuzzEventRoundTrip checks that whatever UnmarshalJSON accepts, MarshalJSON
// writes as valid JSON that decodes again to the same event and encodes to
// the same bytes. Errors are fine; panics are not.
func FuzzEventRoundTrip(f *testing.F) {
	for _, tt := range allTypes {
		e := history.Event{ID: 2, PreviousEventID: 1, Timestamp: ts, Type: tt.typ}
		if tt.key != "" {
			e.Details = detailsWith(f, awsShapes[tt.key]...)
		}
		f.Add(mustMarshal(f, e))
	}
	for _, s := range []string{
		`{"timestamp":1.716991513184E9,"type":"PassStateExited","id":3,"previousEventId":2,"stateExitedEventDetails":{"assignedVariables":{"b":"1","a":"2","b":"3"}}}`,
		`{"timestamp":-1.5,"type":"MapIterationStarted","id":0,"previousEventId":-1,"mapIterationStartedEventDetails":{"index":0,"name":""}}`,
		`{"timestamp":1e3,"type":"Unknown\"Type","id":1,"previousEventId":0}`,
		`{"timestamp":1.7E9,"type":"TaskStarted","id":1,"previousEventId":0,"taskStartedEventDetails":{"RESOURCE":"r"}}`,
		`{"timestamp":1.7E9,"type":"ExecutionStarted","id":1,"previousEventId":0,"executionStartedEventDetails":{"input":"\u2028<&>\ud800"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var e1 history.Event
		if e1.UnmarshalJSON(data) != nil {
			return
		}
		// Millisecond timestamps survive a double only within about
		// 70,000 years of 1970 (2^51 ms); history timestamps are the
		// engine's clock.
		if ms := e1.Timestamp.UnixMilli(); ms > 1<<51 || ms < -(1<<51) {
			return
		}
		b1, err := e1.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON(%+v): %v", e1, err)
		}
		if !json.Valid(b1) {
			t.Fatalf("MarshalJSON of %q wrote invalid JSON: %s", data, b1)
		}
		var e2 history.Event
		if err := e2.UnmarshalJSON(b1); err != nil {
			t.Fatalf("UnmarshalJSON(MarshalJSON(%q)) = %v\n%s", data, err, b1)
		}
		b2, err := e2.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON(%+v): %v", e2, err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("encodings differ:\n%s\n%s", b1, b2)
		}
		var e3 history.Event
		if err := e3.UnmarshalJSON(b2); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(e2, e3) {
			t.Fatalf("decodings differ:\n%+v\n%+v", e2, e3)
		}
		if !e1.Timestamp.Equal(e2.Timestamp) || e1.ID != e2.ID || e1.PreviousEventID != e2.PreviousEventID || e1.Type != e2.Type {
			t.Fatalf("event changed in a round trip:\n%+v\n%+v", e1, e2)
		}
		if e1.Details != nil && !reflect.DeepEqual(e1.Details, e2.Details) {
			t.Fatalf("details changed in a round trip:\n%+v\n%+v", *e1.Details, *e2.Details)
		}
	})
}
