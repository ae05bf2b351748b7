package history_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"stepd/internal/history"
)

// allTypes is every event type with the HistoryEvent member that carries
// its details on AWS ("" for types AWS sends without details). Source: the
// Step Functions API reference, HistoryEvent and HistoryEventType
// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html);
// TestTypesMatchAWSModel checks the list against the AWS SDK's model.
var allTypes = []struct {
	typ history.Type
	key string
}{
	{history.ActivityFailed, "activityFailedEventDetails"},
	{history.ActivityScheduled, "activityScheduledEventDetails"},
	{history.ActivityScheduleFailed, "activityScheduleFailedEventDetails"},
	{history.ActivityStarted, "activityStartedEventDetails"},
	{history.ActivitySucceeded, "activitySucceededEventDetails"},
	{history.ActivityTimedOut, "activityTimedOutEventDetails"},
	{history.ChoiceStateEntered, "stateEnteredEventDetails"},
	{history.ChoiceStateExited, "stateExitedEventDetails"},
	{history.ExecutionAborted, "executionAbortedEventDetails"},
	{history.ExecutionFailed, "executionFailedEventDetails"},
	{history.ExecutionStarted, "executionStartedEventDetails"},
	{history.ExecutionSucceeded, "executionSucceededEventDetails"},
	{history.ExecutionTimedOut, "executionTimedOutEventDetails"},
	{history.ExecutionRedriven, "executionRedrivenEventDetails"},
	{history.FailStateEntered, "stateEnteredEventDetails"},
	{history.LambdaFunctionFailed, "lambdaFunctionFailedEventDetails"},
	{history.LambdaFunctionScheduled, "lambdaFunctionScheduledEventDetails"},
	{history.LambdaFunctionScheduleFail, "lambdaFunctionScheduleFailedEventDetails"},
	{history.LambdaFunctionStarted, ""},
	{history.LambdaFunctionStartFailed, "lambdaFunctionStartFailedEventDetails"},
	{history.LambdaFunctionSucceeded, "lambdaFunctionSucceededEventDetails"},
	{history.LambdaFunctionTimedOut, "lambdaFunctionTimedOutEventDetails"},
	{history.MapIterationAborted, "mapIterationAbortedEventDetails"},
	{history.MapIterationFailed, "mapIterationFailedEventDetails"},
	{history.MapIterationStarted, "mapIterationStartedEventDetails"},
	{history.MapIterationSucceeded, "mapIterationSucceededEventDetails"},
	{history.MapStateAborted, ""},
	{history.MapStateEntered, "stateEnteredEventDetails"},
	{history.MapStateExited, "stateExitedEventDetails"},
	{history.MapStateFailed, ""},
	{history.MapStateStarted, "mapStateStartedEventDetails"},
	{history.MapStateSucceeded, ""},
	{history.MapRunAborted, ""},
	{history.MapRunFailed, "mapRunFailedEventDetails"},
	{history.MapRunStarted, "mapRunStartedEventDetails"},
	{history.MapRunSucceeded, ""},
	{history.MapRunRedriven, "mapRunRedrivenEventDetails"},
	{history.ParallelStateAborted, ""},
	{history.ParallelStateEntered, "stateEnteredEventDetails"},
	{history.ParallelStateExited, "stateExitedEventDetails"},
	{history.ParallelStateFailed, ""},
	{history.ParallelStateStarted, ""},
	{history.ParallelStateSucceeded, ""},
	{history.PassStateEntered, "stateEnteredEventDetails"},
	{history.PassStateExited, "stateExitedEventDetails"},
	{history.SucceedStateEntered, "stateEnteredEventDetails"},
	{history.SucceedStateExited, "stateExitedEventDetails"},
	{history.TaskFailed, "taskFailedEventDetails"},
	{history.TaskScheduled, "taskScheduledEventDetails"},
	{history.TaskStarted, "taskStartedEventDetails"},
	{history.TaskStartFailed, "taskStartFailedEventDetails"},
	{history.TaskStateAborted, ""},
	{history.TaskStateEntered, "stateEnteredEventDetails"},
	{history.TaskStateExited, "stateExitedEventDetails"},
	{history.TaskSubmitFailed, "taskSubmitFailedEventDetails"},
	{history.TaskSubmitted, "taskSubmittedEventDetails"},
	{history.TaskSucceeded, "taskSucceededEventDetails"},
	{history.TaskTimedOut, "taskTimedOutEventDetails"},
	{history.WaitStateAborted, ""},
	{history.WaitStateEntered, "stateEnteredEventDetails"},
	{history.WaitStateExited, "stateExitedEventDetails"},
	{history.EvaluationFailed, "evaluationFailedEventDetails"},
}

// awsShapes lists, for each details member of HistoryEvent, the fields of
// its shape (API reference, the *EventDetails data types), which are the
// JSON names of Details fields. TestDetailsFieldsMatchAWSModel checks it
// against the AWS SDK's model.
var awsShapes = map[string][]string{
	"activityFailedEventDetails":               {"cause", "error"},
	"activityScheduleFailedEventDetails":       {"cause", "error"},
	"activityScheduledEventDetails":            {"heartbeatInSeconds", "input", "inputDetails", "resource", "timeoutInSeconds"},
	"activityStartedEventDetails":              {"workerName"},
	"activitySucceededEventDetails":            {"output", "outputDetails"},
	"activityTimedOutEventDetails":             {"cause", "error"},
	"evaluationFailedEventDetails":             {"cause", "error", "location", "state"},
	"executionAbortedEventDetails":             {"cause", "error"},
	"executionFailedEventDetails":              {"cause", "error"},
	"executionRedrivenEventDetails":            {"redriveCount"},
	"executionStartedEventDetails":             {"input", "inputDetails", "roleArn", "stateMachineAliasArn", "stateMachineVersionArn"},
	"executionSucceededEventDetails":           {"output", "outputDetails"},
	"executionTimedOutEventDetails":            {"cause", "error"},
	"lambdaFunctionFailedEventDetails":         {"cause", "error"},
	"lambdaFunctionScheduleFailedEventDetails": {"cause", "error"},
	"lambdaFunctionScheduledEventDetails":      {"input", "inputDetails", "resource", "taskCredentials", "timeoutInSeconds"},
	"lambdaFunctionStartFailedEventDetails":    {"cause", "error"},
	"lambdaFunctionSucceededEventDetails":      {"output", "outputDetails"},
	"lambdaFunctionTimedOutEventDetails":       {"cause", "error"},
	"mapIterationAbortedEventDetails":          {"index", "name"},
	"mapIterationFailedEventDetails":           {"index", "name"},
	"mapIterationStartedEventDetails":          {"index", "name"},
	"mapIterationSucceededEventDetails":        {"index", "name"},
	"mapRunFailedEventDetails":                 {"cause", "error"},
	"mapRunRedrivenEventDetails":               {"mapRunArn", "redriveCount"},
	"mapRunStartedEventDetails":                {"mapRunArn"},
	"mapStateStartedEventDetails":              {"length"},
	"stateEnteredEventDetails":                 {"input", "inputDetails", "name"},
	"stateExitedEventDetails":                  {"assignedVariables", "assignedVariablesDetails", "name", "output", "outputDetails"},
	"taskFailedEventDetails":                   {"cause", "error", "resource", "resourceType"},
	"taskScheduledEventDetails":                {"heartbeatInSeconds", "parameters", "region", "resource", "resourceType", "taskCredentials", "timeoutInSeconds"},
	"taskStartFailedEventDetails":              {"cause", "error", "resource", "resourceType"},
	"taskStartedEventDetails":                  {"resource", "resourceType"},
	"taskSubmitFailedEventDetails":             {"cause", "error", "resource", "resourceType"},
	"taskSubmittedEventDetails":                {"output", "outputDetails", "resource", "resourceType"},
	"taskSucceededEventDetails":                {"output", "outputDetails", "resource", "resourceType"},
	"taskTimedOutEventDetails":                 {"cause", "error", "resource", "resourceType"},
}

func TestDetailsKey(t *testing.T) {
	t.Parallel()
	for _, tt := range allTypes {
		if got := history.DetailsKey(tt.typ); got != tt.key {
			t.Errorf("DetailsKey(%s) = %q, want %q", tt.typ, got, tt.key)
		}
	}
	if got := history.DetailsKey("NoSuchEvent"); got != "" {
		t.Errorf(`DetailsKey("NoSuchEvent") = %q, want ""`, got)
	}
}

// TestTypesMatchAWSModel checks allTypes, and so the package's constants,
// against the HistoryEventType enum and the HistoryEvent members of the AWS
// SDK for Go, generated from the service model.
func TestTypesMatchAWSModel(t *testing.T) {
	t.Parallel()
	var ours []string
	for _, tt := range allTypes {
		ours = append(ours, string(tt.typ))
	}
	var theirs []string
	for _, v := range sfntypes.HistoryEventType("").Values() {
		theirs = append(theirs, string(v))
	}
	slices.Sort(ours)
	slices.Sort(theirs)
	if !slices.Equal(ours, theirs) {
		t.Errorf("event types differ from the AWS model:\n only here: %v\n only in AWS: %v", minus(ours, theirs), minus(theirs, ours))
	}

	members := sdkDetailsMembers()
	used := map[string]bool{}
	for _, tt := range allTypes {
		if tt.key == "" {
			continue
		}
		used[tt.key] = true
		if _, ok := members[tt.key]; !ok {
			t.Errorf("%s: HistoryEvent has no member %s", tt.typ, tt.key)
		}
	}
	for key := range members {
		if !used[key] {
			t.Errorf("HistoryEvent member %s is used by no event type", key)
		}
	}
}

// TestDetailsFieldsMatchAWSModel checks awsShapes against the AWS SDK's
// detail shapes, and that Details has a field for every one of them.
func TestDetailsFieldsMatchAWSModel(t *testing.T) {
	t.Parallel()
	tags := detailsJSONNames()
	members := sdkDetailsMembers()
	for key, shape := range members {
		var want []string
		for f := range shape.Fields() {
			if f.IsExported() {
				want = append(want, lowerFirst(f.Name))
			}
		}
		slices.Sort(want)
		if got := awsShapes[key]; !slices.Equal(got, want) {
			t.Errorf("awsShapes[%s] = %v, AWS model has %v", key, got, want)
		}
		for _, name := range want {
			if _, ok := tags[name]; !ok {
				t.Errorf("%s.%s: Details has no field with that JSON name", key, name)
			}
		}
	}
	if len(awsShapes) != len(members) {
		t.Errorf("awsShapes has %d shapes, AWS model %d", len(awsShapes), len(members))
	}
	// Nested shapes.
	if got := fieldNames(reflect.TypeFor[history.PayloadDetails]()); !slices.Equal(got, []string{"truncated"}) {
		t.Errorf("PayloadDetails fields %v, want [truncated] (HistoryEventExecutionDataDetails)", got)
	}
	if got := fieldNames(reflect.TypeFor[history.Credentials]()); !slices.Equal(got, []string{"roleArn"}) {
		t.Errorf("Credentials fields %v, want [roleArn] (TaskCredentials)", got)
	}
}

// sdkDetailsMembers maps each *EventDetails member of the SDK's
// HistoryEvent, by JSON name, to its shape.
func sdkDetailsMembers() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for f := range reflect.TypeFor[sfntypes.HistoryEvent]().Fields() {
		if strings.HasSuffix(f.Name, "EventDetails") {
			m[lowerFirst(f.Name)] = f.Type.Elem()
		}
	}
	return m
}

// detailsJSONNames maps the JSON name of each Details field to its index.
func detailsJSONNames() map[string]int {
	m := map[string]int{}
	typ := reflect.TypeFor[history.Details]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		m[name] = i
	}
	return m
}

func fieldNames(typ reflect.Type) []string {
	var names []string
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}

func lowerFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// minus returns the elements of a that are not in b.
func minus(a, b []string) []string {
	var d []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			d = append(d, s)
		}
	}
	return d
}
