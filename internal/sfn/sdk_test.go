package sfn_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// The tests of this file drive a real `stepd serve` (package server, in
// process, on a free port) through the AWS SDK for Go v2, the way users'
// programs do: every Step Functions action, its success cases and the typed
// errors the SDK must return.

func TestSDKStateMachines(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	arn := e.createMachine("machine-a", passDef)
	if want := "arn:aws:states:us-east-1:123456789012:stateMachine:machine-a"; arn != want {
		t.Errorf("state machine ARN %s, want %s", arn, want)
	}

	// CreateStateMachine is idempotent for the same definition.
	if again := e.createMachine("machine-a", passDef); again != arn {
		t.Errorf("idempotent create returned %s", again)
	}
	// With publish too: the same call again answers the version the first
	// published; another description is another call.
	published := func(desc string) (*sdk.CreateStateMachineOutput, error) {
		return e.c.CreateStateMachine(e.ctx, &sdk.CreateStateMachineInput{Name: aws.String("machine-p"), Definition: aws.String(passDef),
			RoleArn: aws.String(sdkRole), Publish: true, VersionDescription: aws.String(desc)})
	}
	first, err := published("v1")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := published("v1"); err != nil || *again.StateMachineVersionArn != *first.StateMachineVersionArn || !again.CreationDate.Equal(*first.CreationDate) {
		t.Errorf("idempotent create with publish: %v %+v", err, again)
	}
	_, err = published("v2")
	checkErr[*types.StateMachineAlreadyExists](t, err, "create", "machine-p")
	_, err = e.c.CreateStateMachine(e.ctx, &sdk.CreateStateMachineInput{Name: aws.String("machine-a"), Definition: aws.String(passDef),
		RoleArn: aws.String(sdkRole), Publish: true})
	checkErr[*types.StateMachineAlreadyExists](t, err, "create", "machine-a") // created without publishing
	if _, err := e.c.DeleteStateMachine(e.ctx, &sdk.DeleteStateMachineInput{StateMachineArn: first.StateMachineArn}); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name  string
		in    sdk.CreateStateMachineInput
		check func(t *testing.T, err error)
	}{
		{"different definition", sdk.CreateStateMachineInput{Name: aws.String("machine-a"), Definition: aws.String(failDef), RoleArn: aws.String(sdkRole)},
			func(t *testing.T, err error) {
				checkErr[*types.StateMachineAlreadyExists](t, err, "create", "machine-a")
			}},
		{"name over 80 characters", sdk.CreateStateMachineInput{Name: aws.String(strings.Repeat("n", 81)), Definition: aws.String(passDef), RoleArn: aws.String(sdkRole)},
			func(t *testing.T, err error) {
				checkErr[*types.ValidationException](t, err, "create", "at 'name' failed to satisfy constraint: Member must have length less than or equal to 80")
			}},
		{"name with a space", sdk.CreateStateMachineInput{Name: aws.String("bad name"), Definition: aws.String(passDef), RoleArn: aws.String(sdkRole)},
			func(t *testing.T, err error) { checkErr[*types.InvalidName](t, err, "create", "bad name") }},
		{"name with a slash", sdk.CreateStateMachineInput{Name: aws.String("a/b"), Definition: aws.String(passDef), RoleArn: aws.String(sdkRole)},
			func(t *testing.T, err error) { checkErr[*types.InvalidName](t, err, "create", "") }},
		{"name with a wildcard", sdk.CreateStateMachineInput{Name: aws.String("a*b"), Definition: aws.String(passDef), RoleArn: aws.String(sdkRole)},
			func(t *testing.T, err error) { checkErr[*types.InvalidName](t, err, "create", "") }},
		{"definition without States", sdk.CreateStateMachineInput{Name: aws.String("m1"), Definition: aws.String(`{"StartAt": "X"}`), RoleArn: aws.String(sdkRole)},
			func(t *testing.T, err error) {
				checkErr[*types.InvalidDefinition](t, err, "create", "SCHEMA_VALIDATION_FAILED")
			}},
		{"definition not JSON", sdk.CreateStateMachineInput{Name: aws.String("m2"), Definition: aws.String(`{nope`), RoleArn: aws.String(sdkRole)},
			func(t *testing.T, err error) {
				checkErr[*types.InvalidDefinition](t, err, "create", "Invalid State Machine Definition")
			}},
		{"role not an ARN", sdk.CreateStateMachineInput{Name: aws.String("m3"), Definition: aws.String(passDef), RoleArn: aws.String("role")},
			func(t *testing.T, err error) { checkErr[*types.InvalidArn](t, err, "create", "Invalid ARN prefix") }},
		{"unknown type", sdk.CreateStateMachineInput{Name: aws.String("m4"), Definition: aws.String(passDef), RoleArn: aws.String(sdkRole), Type: "BATCH"},
			func(t *testing.T, err error) { checkErr[*types.ValidationException](t, err, "create", "type") }},
		{"logging without destination", sdk.CreateStateMachineInput{Name: aws.String("m5"), Definition: aws.String(passDef), RoleArn: aws.String(sdkRole),
			LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelAll}},
			func(t *testing.T, err error) { checkErr[*types.InvalidLoggingConfiguration](t, err, "create", "") }},
		{"51 tags", sdk.CreateStateMachineInput{Name: aws.String("m6"), Definition: aws.String(passDef), RoleArn: aws.String(sdkRole), Tags: manyTags(51)},
			func(t *testing.T, err error) { checkErr[*types.TooManyTags](t, err, "create", "") }},
		{"version description without publish", sdk.CreateStateMachineInput{Name: aws.String("m7"), Definition: aws.String(passDef), RoleArn: aws.String(sdkRole),
			VersionDescription: aws.String("v")},
			func(t *testing.T, err error) { checkErr[*types.ValidationException](t, err, "create", "publish") }},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			_, err := e.c.CreateStateMachine(e.ctx, &in)
			tc.check(t, err)
		})
	}

	d, err := e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Name != "machine-a" || d.Type != types.StateMachineTypeStandard || d.Status != types.StateMachineStatusActive ||
		*d.Definition != passDef || *d.RoleArn != sdkRole || d.RevisionId != nil || d.CreationDate == nil {
		t.Errorf("describe: %+v", d)
	}
	if d.LoggingConfiguration == nil || d.LoggingConfiguration.Level != types.LogLevelOff || d.TracingConfiguration == nil {
		t.Errorf("default logging/tracing configuration: %+v %+v", d.LoggingConfiguration, d.TracingConfiguration)
	}

	u, err := e.c.UpdateStateMachine(e.ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(failDef)})
	if err != nil {
		t.Fatal(err)
	}
	if u.RevisionId == nil || u.UpdateDate == nil {
		t.Errorf("update: %+v", u)
	}
	d, err = e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Definition != failDef || d.RevisionId == nil || *d.RevisionId != *u.RevisionId {
		t.Errorf("after update: definition %s, revision %v", *d.Definition, d.RevisionId)
	}
	_, err = e.c.UpdateStateMachine(e.ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(arn)})
	asError[*types.MissingRequiredParameter](t, err, "update with nothing to change")
	_, err = e.c.UpdateStateMachine(e.ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(`{}`)})
	asError[*types.InvalidDefinition](t, err, "update with a bad definition")

	missing := "arn:aws:states:us-east-1:123456789012:stateMachine:nope"
	_, err = e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(missing)})
	if e := asError[*types.StateMachineDoesNotExist](t, err, "describe unknown"); !strings.Contains(*e.Message, missing) {
		t.Errorf("message %q does not name the ARN", *e.Message)
	}
	_, err = e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String("not-an-arn")})
	asError[*types.InvalidArn](t, err, "describe a non-ARN")
	_, err = e.c.UpdateStateMachine(e.ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(missing), Definition: aws.String(passDef)})
	asError[*types.StateMachineDoesNotExist](t, err, "update unknown")

	// Pagination: 5 machines, 2 per page.
	want := []string{arn}
	for i := range 4 {
		want = append(want, e.createMachine(fmt.Sprintf("machine-p%d", i), passDef))
	}
	var got []string
	var pages int
	p := sdk.NewListStateMachinesPaginator(e.c, &sdk.ListStateMachinesInput{MaxResults: 2})
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.StateMachines) > 2 {
			t.Errorf("page of %d state machines, want at most 2", len(page.StateMachines))
		}
		for _, sm := range page.StateMachines {
			got = append(got, *sm.StateMachineArn)
			if sm.Type != types.StateMachineTypeStandard || sm.CreationDate == nil {
				t.Errorf("list item %+v", sm)
			}
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("listed %v in %d pages, want %v in 3", got, pages, want)
	}
	_, err = e.c.ListStateMachines(e.ctx, &sdk.ListStateMachinesInput{NextToken: aws.String("bogus")})
	asError[*types.InvalidToken](t, err, "list with a bad token")
	_, err = e.c.ListStateMachines(e.ctx, &sdk.ListStateMachinesInput{MaxResults: 1001})
	checkCode(t, err, "list 1001", "ValidationException")

	// ValidateStateMachineDefinition.
	v, err := e.c.ValidateStateMachineDefinition(e.ctx, &sdk.ValidateStateMachineDefinitionInput{Definition: aws.String(passDef)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Result != types.ValidateStateMachineDefinitionResultCodeOk || len(v.Diagnostics) != 0 {
		t.Errorf("validate a good definition: %+v", v)
	}
	v, err = e.c.ValidateStateMachineDefinition(e.ctx, &sdk.ValidateStateMachineDefinitionInput{Definition: aws.String(`{"StartAt": "X", "States": {}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Result != types.ValidateStateMachineDefinitionResultCodeFail || len(v.Diagnostics) == 0 || v.Diagnostics[0].Severity != types.ValidateStateMachineDefinitionSeverityError {
		t.Errorf("validate a bad definition: %+v", v)
	}

	// Delete, then it is gone (and deleting again succeeds, as on AWS).
	if _, err := e.c.DeleteStateMachine(e.ctx, &sdk.DeleteStateMachineInput{StateMachineArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	asError[*types.StateMachineDoesNotExist](t, err, "describe deleted")
	if _, err := e.c.DeleteStateMachine(e.ctx, &sdk.DeleteStateMachineInput{StateMachineArn: aws.String(arn)}); err != nil {
		t.Errorf("delete again: %v", err)
	}
}

// manyTags returns n distinct tags.
func manyTags(n int) []types.Tag {
	tags := make([]types.Tag, n)
	for i := range tags {
		tags[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")}
	}
	return tags
}

func TestSDKExecutions(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	pass := e.createMachine("pass", passDef)
	fail := e.createMachine("fail", failDef)
	wait := e.createMachine("wait", waitDef)

	// A successful execution, its description and history.
	arn := e.start(pass, "first", `{"in": 1}`)
	if want := "arn:aws:states:us-east-1:123456789012:execution:pass:first"; arn != want {
		t.Errorf("execution ARN %s, want %s", arn, want)
	}
	d := e.waitDone(arn)
	if d.Status != types.ExecutionStatusSucceeded || *d.Output != `{"in":1,"result":{"ok":true}}` || *d.Input != `{"in": 1}` ||
		*d.Name != "first" || *d.StateMachineArn != pass || d.StopDate == nil || d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable {
		t.Errorf("describe succeeded execution: %+v", d)
	}
	if got := eventTypes(e.history(arn)); strings.Join(got, ",") != "ExecutionStarted,PassStateEntered,PassStateExited,ExecutionSucceeded" {
		t.Errorf("history %v", got)
	}
	meta, err := e.c.DescribeExecution(e.ctx, &sdk.DescribeExecutionInput{ExecutionArn: aws.String(arn), IncludedData: types.IncludedDataMetadataOnly})
	if err != nil {
		t.Fatal(err)
	}
	if meta.Input != nil || meta.Output != nil || meta.InputDetails == nil || meta.InputDetails.Included {
		t.Errorf("METADATA_ONLY describe: %+v", meta)
	}

	// Names are unique per machine: a closed execution's name cannot be
	// used again.
	_, err = e.c.StartExecution(e.ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(pass), Name: aws.String("first")})
	asError[*types.ExecutionAlreadyExists](t, err, "start a closed execution's name")

	// A failed execution.
	f := e.waitDone(e.start(fail, "", "{}"))
	if f.Status != types.ExecutionStatusFailed || *f.Error != "Boom" || *f.Cause != "it failed" || f.RedriveStatus != types.ExecutionRedriveStatusRedrivable {
		t.Errorf("failed execution: %+v", f)
	}

	// StartExecution is idempotent while the execution runs with the same
	// input; StopExecution aborts it.
	running := e.start(wait, "waiting", `{"a": 1}`)
	out, err := e.c.StartExecution(e.ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(wait), Name: aws.String("waiting"), Input: aws.String(`{"a": 1}`)})
	if err != nil || *out.ExecutionArn != running {
		t.Errorf("idempotent start: %v %v", out, err)
	}
	_, err = e.c.StartExecution(e.ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(wait), Name: aws.String("waiting"), Input: aws.String(`{"a": 2}`)})
	asError[*types.ExecutionAlreadyExists](t, err, "start a running execution's name with another input")
	if d := e.describe(running); d.Status != types.ExecutionStatusRunning || d.StopDate != nil {
		t.Errorf("waiting execution: %+v", d)
	}
	stop, err := e.c.StopExecution(e.ctx, &sdk.StopExecutionInput{ExecutionArn: aws.String(running), Error: aws.String("Halt"), Cause: aws.String("enough")})
	if err != nil {
		t.Fatal(err)
	}
	if stop.StopDate == nil {
		t.Error("StopExecution returned no stopDate")
	}
	if d := e.describe(running); d.Status != types.ExecutionStatusAborted || *d.Error != "Halt" || *d.Cause != "enough" {
		t.Errorf("stopped execution: %+v", d)
	}
	if h := eventTypes(e.history(running)); h[len(h)-1] != "ExecutionAborted" {
		t.Errorf("stopped execution's history ends with %s", h[len(h)-1])
	}

	// Bad requests.
	missingSM := "arn:aws:states:us-east-1:123456789012:stateMachine:missing"
	cases := []struct {
		name  string
		in    sdk.StartExecutionInput
		check func(*testing.T, error)
	}{
		{"unknown state machine", sdk.StartExecutionInput{StateMachineArn: aws.String(missingSM)},
			func(t *testing.T, err error) { checkErr[*types.StateMachineDoesNotExist](t, err, "start", missingSM) }},
		{"not an ARN", sdk.StartExecutionInput{StateMachineArn: aws.String("pass")},
			func(t *testing.T, err error) { checkErr[*types.InvalidArn](t, err, "start", "") }},
		{"input not JSON", sdk.StartExecutionInput{StateMachineArn: aws.String(pass), Input: aws.String("not json")},
			func(t *testing.T, err error) {
				checkErr[*types.InvalidExecutionInput](t, err, "start", "Invalid State Machine Execution Input")
			}},
		{"input over 256 KiB", sdk.StartExecutionInput{StateMachineArn: aws.String(pass), Input: aws.String(`"` + strings.Repeat("x", 256*1024) + `"`)},
			func(t *testing.T, err error) { checkErr[*types.ValidationException](t, err, "start", "262144") }},
		{"name over 80 characters", sdk.StartExecutionInput{StateMachineArn: aws.String(pass), Name: aws.String(strings.Repeat("e", 81))},
			func(t *testing.T, err error) {
				checkErr[*types.ValidationException](t, err, "start", "at 'name' failed to satisfy constraint: Member must have length less than or equal to 80")
			}},
		{"name with a colon", sdk.StartExecutionInput{StateMachineArn: aws.String(pass), Name: aws.String("a:b")},
			func(t *testing.T, err error) { checkErr[*types.InvalidName](t, err, "start", "") }},
		{"name with a control character", sdk.StartExecutionInput{StateMachineArn: aws.String(pass), Name: aws.String("a\u0007b")},
			func(t *testing.T, err error) { checkErr[*types.InvalidName](t, err, "start", "") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			_, err := e.c.StartExecution(e.ctx, &in)
			tc.check(t, err)
		})
	}
	missingExec := "arn:aws:states:us-east-1:123456789012:execution:pass:nope"
	_, err = e.c.DescribeExecution(e.ctx, &sdk.DescribeExecutionInput{ExecutionArn: aws.String(missingExec)})
	asError[*types.ExecutionDoesNotExist](t, err, "describe unknown execution")
	_, err = e.c.DescribeExecution(e.ctx, &sdk.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:pass")})
	asError[*types.InvalidArn](t, err, "describe a state machine ARN")
	_, err = e.c.GetExecutionHistory(e.ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: aws.String(missingExec)})
	asError[*types.ExecutionDoesNotExist](t, err, "history of unknown execution")
	_, err = e.c.StopExecution(e.ctx, &sdk.StopExecutionInput{ExecutionArn: aws.String(missingExec)})
	asError[*types.ExecutionDoesNotExist](t, err, "stop unknown execution")
	_, err = e.c.DescribeStateMachineForExecution(e.ctx, &sdk.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(missingExec)})
	asError[*types.ExecutionDoesNotExist](t, err, "describe machine of unknown execution")

	// ListExecutions: status filter and pagination.
	for range 4 {
		e.waitDone(e.start(pass, "", "{}"))
	}
	var listed []types.ExecutionListItem
	lp := sdk.NewListExecutionsPaginator(e.c, &sdk.ListExecutionsInput{StateMachineArn: aws.String(pass), MaxResults: 2})
	for lp.HasMorePages() {
		page, err := lp.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Executions) > 2 {
			t.Errorf("page of %d executions", len(page.Executions))
		}
		listed = append(listed, page.Executions...)
	}
	if len(listed) != 5 {
		t.Errorf("listed %d executions of pass, want 5", len(listed))
	}
	for i := 1; i < len(listed); i++ {
		if listed[i].StartDate.After(*listed[i-1].StartDate) {
			t.Errorf("executions not newest first: %v after %v", listed[i].StartDate, listed[i-1].StartDate)
		}
	}
	failed, err := e.c.ListExecutions(e.ctx, &sdk.ListExecutionsInput{StateMachineArn: aws.String(fail), StatusFilter: types.ExecutionStatusFailed})
	if err != nil {
		t.Fatal(err)
	}
	succeeded, err := e.c.ListExecutions(e.ctx, &sdk.ListExecutionsInput{StateMachineArn: aws.String(fail), StatusFilter: types.ExecutionStatusSucceeded})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed.Executions) != 1 || len(succeeded.Executions) != 0 {
		t.Errorf("status filter: %d FAILED, %d SUCCEEDED; want 1, 0", len(failed.Executions), len(succeeded.Executions))
	} else if it := failed.Executions[0]; it.RedriveCount == nil || *it.RedriveCount != 0 || it.RedriveDate != nil {
		t.Errorf("a list item never redriven has redriveCount %v and redriveDate %v; want 0 and none", it.RedriveCount, it.RedriveDate)
	}
	_, err = e.c.ListExecutions(e.ctx, &sdk.ListExecutionsInput{StateMachineArn: aws.String(pass), StatusFilter: "DONE"})
	asError[*types.ValidationException](t, err, "bad status filter")
	_, err = e.c.ListExecutions(e.ctx, &sdk.ListExecutionsInput{StateMachineArn: aws.String(missingSM)})
	asError[*types.StateMachineDoesNotExist](t, err, "list executions of unknown machine")

	// GetExecutionHistory: pagination, reverse order, without data.
	full := e.history(arn)
	var paged []types.HistoryEvent
	hp := sdk.NewGetExecutionHistoryPaginator(e.c, &sdk.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1})
	for hp.HasMorePages() {
		page, err := hp.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Events) != 1 {
			t.Errorf("history page of %d events, want 1", len(page.Events))
		}
		paged = append(paged, page.Events...)
	}
	if !slices.Equal(eventTypes(paged), eventTypes(full)) {
		t.Errorf("paged history %v, want %v", eventTypes(paged), eventTypes(full))
	}
	rev, err := e.c.GetExecutionHistory(e.ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), ReverseOrder: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range rev.Events {
		if ev.Id != full[len(full)-1-i].Id {
			t.Errorf("reverse history event %d has id %d, want %d", i, ev.Id, full[len(full)-1-i].Id)
		}
	}
	noData, err := e.c.GetExecutionHistory(e.ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	if d := noData.Events[0].ExecutionStartedEventDetails; d == nil || d.Input != nil {
		t.Errorf("history without data still has the input: %+v", d)
	}
	if full[0].ExecutionStartedEventDetails == nil || *full[0].ExecutionStartedEventDetails.Input != `{"in": 1}` {
		t.Errorf("ExecutionStarted details: %+v", full[0].ExecutionStartedEventDetails)
	}
	_, err = e.c.GetExecutionHistory(e.ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), NextToken: aws.String("bogus")})
	asError[*types.InvalidToken](t, err, "history with a bad token")

	// DescribeStateMachineForExecution returns the revision the execution
	// ran, not the machine's current one: its definition, the role it
	// started with, and not the new revision's id.
	updated, err := e.c.UpdateStateMachine(e.ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(pass), Definition: aws.String(failDef),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/another")})
	if err != nil {
		t.Fatal(err)
	}
	dm, err := e.c.DescribeStateMachineForExecution(e.ctx, &sdk.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if *dm.Definition != passDef || *dm.StateMachineArn != pass || *dm.Name != "pass" || *dm.RoleArn != sdkRole {
		t.Errorf("describe state machine for execution: %+v", dm)
	}
	if dm.RevisionId != nil && updated.RevisionId != nil && *dm.RevisionId == *updated.RevisionId {
		t.Errorf("the execution's revision is the update's %s", *dm.RevisionId)
	}
	// Once the machine is gone, the execution still names its role.
	if _, err := e.c.DeleteStateMachine(e.ctx, &sdk.DeleteStateMachineInput{StateMachineArn: aws.String(pass)}); err != nil {
		t.Fatal(err)
	}
	if dm, err := e.c.DescribeStateMachineForExecution(e.ctx, &sdk.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(arn)}); err != nil || *dm.RoleArn != sdkRole {
		t.Errorf("after the machine's deletion: %v %+v", err, dm)
	}
}

func TestSDKActivities(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	act, err := e.c.CreateActivity(e.ctx, &sdk.CreateActivityInput{Name: aws.String("worker-queue")})
	if err != nil {
		t.Fatal(err)
	}
	actARN := *act.ActivityArn
	if want := "arn:aws:states:us-east-1:123456789012:activity:worker-queue"; actARN != want {
		t.Errorf("activity ARN %s, want %s", actARN, want)
	}
	if again, err := e.c.CreateActivity(e.ctx, &sdk.CreateActivityInput{Name: aws.String("worker-queue")}); err != nil || *again.ActivityArn != actARN {
		t.Errorf("idempotent create activity: %v %v", again, err)
	}
	_, err = e.c.CreateActivity(e.ctx, &sdk.CreateActivityInput{Name: aws.String("bad name")})
	asError[*types.InvalidName](t, err, "activity with a space in its name")
	t.Run("activity with 51 tags", func(t *testing.T) {
		_, err := e.c.CreateActivity(e.ctx, &sdk.CreateActivityInput{Name: aws.String("too-many-tags"), Tags: manyTags(51)})
		asError[*types.TooManyTags](t, err, "activity with 51 tags")
	})
	da, err := e.c.DescribeActivity(e.ctx, &sdk.DescribeActivityInput{ActivityArn: aws.String(actARN)})
	if err != nil || *da.Name != "worker-queue" || da.CreationDate == nil {
		t.Errorf("describe activity: %+v %v", da, err)
	}
	for i := range 3 {
		if _, err := e.c.CreateActivity(e.ctx, &sdk.CreateActivityInput{Name: aws.String(fmt.Sprintf("extra-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	ap := sdk.NewListActivitiesPaginator(e.c, &sdk.ListActivitiesInput{MaxResults: 3})
	for ap.HasMorePages() {
		page, err := ap.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Activities {
			names = append(names, *a.Name)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"extra-0", "extra-1", "extra-2", "worker-queue"}) {
		t.Errorf("activities %v", names)
	}

	def := fmt.Sprintf(`{"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": %q, "HeartbeatSeconds": 60, "TimeoutSeconds": 300, "End": true}}}`, actARN)
	sm := e.createMachine("activity-machine", def)

	// Two workers long-poll (before there is any work, most likely), each
	// in its goroutine, and answer the task they get: with success after a
	// heartbeat, or with failure, as the task's input asks.
	tokens := make(chan string, 2)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var task *sdk.GetActivityTaskOutput
			for deadline := time.Now().Add(waitTimeout); task == nil || task.TaskToken == nil; {
				if time.Now().After(deadline) {
					t.Error("worker got no task")
					return
				}
				var err error
				task, err = e.c.GetActivityTask(e.ctx, &sdk.GetActivityTaskInput{ActivityArn: aws.String(actARN), WorkerName: aws.String(fmt.Sprintf("w%d", w))},
					func(o *sdk.Options) { o.HTTPClient = &http.Client{Timeout: 70 * time.Second} })
				if err != nil {
					t.Errorf("GetActivityTask: %v", err)
					return
				}
			}
			token := task.TaskToken
			tokens <- *token
			if !strings.Contains(*task.Input, "succeed") {
				if _, err := e.c.SendTaskFailure(e.ctx, &sdk.SendTaskFailureInput{TaskToken: token, Error: aws.String("WorkerError"), Cause: aws.String("could not")}); err != nil {
					t.Errorf("send task failure: %v", err)
				}
				return
			}
			if _, err := e.c.SendTaskHeartbeat(e.ctx, &sdk.SendTaskHeartbeatInput{TaskToken: token}); err != nil {
				t.Errorf("heartbeat: %v", err)
			}
			_, err := e.c.SendTaskSuccess(e.ctx, &sdk.SendTaskSuccessInput{TaskToken: token, Output: aws.String("not json")})
			checkErr[*types.InvalidOutput](t, err, "success with output that is not JSON", "")
			if _, err := e.c.SendTaskSuccess(e.ctx, &sdk.SendTaskSuccessInput{TaskToken: token, Output: aws.String(`{"done": true}`)}); err != nil {
				t.Errorf("send task success: %v", err)
			}
		}()
	}
	ok := e.start(sm, "ok", `{"job": "succeed"}`)
	bad := e.start(sm, "bad", `{"job": "fail"}`)
	wg.Wait()
	close(tokens)
	var used []string
	for tok := range tokens {
		used = append(used, tok)
	}
	if d := e.waitDone(ok); d.Status != types.ExecutionStatusSucceeded || *d.Output != `{"done":true}` {
		t.Errorf("execution answered with success: %s %v", d.Status, d.Output)
	}
	if d := e.waitDone(bad); d.Status != types.ExecutionStatusFailed || *d.Error != "WorkerError" || *d.Cause != "could not" {
		t.Errorf("execution answered with failure: %+v", d)
	}
	want := []string{"ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"}
	if h := eventTypes(e.history(ok)); !slices.Equal(h, want) {
		t.Errorf("history %v, want %v", h, want)
	}

	// Tokens of finished tasks (AWS: TaskTimedOut, "Task Timed Out:
	// 'Provided task does not exist anymore'"), and tokens that are not
	// tokens.
	t.Run("token of a finished task", func(t *testing.T) {
		for _, tok := range used {
			_, err := e.c.SendTaskSuccess(e.ctx, &sdk.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String("{}")})
			if e := asError[*types.TaskTimedOut](t, err, "success for a finished task"); !strings.Contains(*e.Message, "Provided task does not exist anymore") {
				t.Errorf("message %q", *e.Message)
			}
		}
	})
	_, err = e.c.SendTaskHeartbeat(e.ctx, &sdk.SendTaskHeartbeatInput{TaskToken: aws.String("%%% not a token")})
	asError[*types.InvalidToken](t, err, "heartbeat with garbage")
	_, err = e.c.SendTaskFailure(e.ctx, &sdk.SendTaskFailureInput{TaskToken: aws.String("%%% not a token")})
	asError[*types.InvalidToken](t, err, "failure with garbage")

	// A task that timed out: its token answers TaskTimedOut.
	timed := e.createMachine("activity-timeout", fmt.Sprintf(`{"StartAt": "Work", "States": {
		"Work": {"Type": "Task", "Resource": %q, "TimeoutSeconds": 1, "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Late"}], "End": true},
		"Late": {"Type": "Pass", "Result": "late", "End": true}}}`, actARN))
	ta := e.start(timed, "", "{}")
	task, err := e.c.GetActivityTask(e.ctx, &sdk.GetActivityTaskInput{ActivityArn: aws.String(actARN)})
	if err != nil || task.TaskToken == nil {
		t.Fatalf("no task: %v", err)
	}
	if d := e.waitDone(ta); d.Status != types.ExecutionStatusSucceeded || *d.Output != `"late"` {
		t.Errorf("timed-out task: %s %v", d.Status, d.Output)
	}
	t.Run("token of a timed-out task", func(t *testing.T) {
		_, err := e.c.SendTaskSuccess(e.ctx, &sdk.SendTaskSuccessInput{TaskToken: task.TaskToken, Output: aws.String("{}")})
		asError[*types.TaskTimedOut](t, err, "success after the timeout")
	})

	// Unknown activities; deletion.
	missing := "arn:aws:states:us-east-1:123456789012:activity:nope"
	_, err = e.c.GetActivityTask(e.ctx, &sdk.GetActivityTaskInput{ActivityArn: aws.String(missing)})
	asError[*types.ActivityDoesNotExist](t, err, "poll unknown activity")
	_, err = e.c.DescribeActivity(e.ctx, &sdk.DescribeActivityInput{ActivityArn: aws.String(missing)})
	asError[*types.ActivityDoesNotExist](t, err, "describe unknown activity")
	if _, err := e.c.DeleteActivity(e.ctx, &sdk.DeleteActivityInput{ActivityArn: aws.String(actARN)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.DescribeActivity(e.ctx, &sdk.DescribeActivityInput{ActivityArn: aws.String(actARN)})
	asError[*types.ActivityDoesNotExist](t, err, "describe deleted activity")
}

func TestSDKNestedAndCallbacks(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	child := e.createMachine("child", `{"StartAt": "C", "States": {"C": {"Type": "Pass", "Parameters": {"got.$": "$"}, "End": true}}}`)
	parent := func(name, resource string) string {
		return e.createMachine(name, fmt.Sprintf(`{"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": %q,
			"Parameters": {"StateMachineArn": %q, "Input": {"x": 1}}, "End": true}}}`, resource, child))
	}
	tests := []struct {
		name, resource string
		check          func(t *testing.T, out map[string]any)
	}{
		{"sync", "arn:aws:states:::states:startExecution.sync", func(t *testing.T, out map[string]any) {
			if out["Output"] != `{"got":{"x":1}}` || out["Status"] != "SUCCEEDED" {
				t.Errorf(".sync output %v", out)
			}
		}},
		{"sync2", "arn:aws:states:::states:startExecution.sync:2", func(t *testing.T, out map[string]any) {
			o, _ := out["Output"].(map[string]any)
			if g, _ := o["got"].(map[string]any); g["x"] != 1.0 || out["Status"] != "SUCCEEDED" || out["RedriveStatus"] != "NOT_REDRIVABLE" {
				t.Errorf(".sync:2 output %v", out)
			}
		}},
		{"async", "arn:aws:states:::states:startExecution", func(t *testing.T, out map[string]any) {
			if arn, _ := out["ExecutionArn"].(string); !strings.Contains(arn, ":execution:child:") || out["StartDate"] == nil {
				t.Errorf("startExecution output %v", out)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := e.waitDone(e.start(parent("parent-"+tc.name, tc.resource), "", "{}"))
			if d.Status != types.ExecutionStatusSucceeded {
				t.Fatalf("parent %s: %s %v %v", tc.name, d.Status, d.Error, d.Cause)
			}
			var out map[string]any
			if err := json.Unmarshal([]byte(*d.Output), &out); err != nil {
				t.Fatal(err)
			}
			tc.check(t, out)
		})
	}

	// A failed child fails the task; the cause is the child's
	// DescribeExecution, which says it can be redriven, as DescribeExecution
	// of the child does.
	failing := e.createMachine("failing-child", failDef)
	d := e.waitDone(e.start(e.createMachine("parent-of-failing", fmt.Sprintf(`{"StartAt": "Call", "States": {"Call": {"Type": "Task",
		"Resource": "arn:aws:states:::states:startExecution.sync:2", "Parameters": {"StateMachineArn": %q}, "End": true}}}`, failing)), "", "{}"))
	var cause map[string]any
	if d.Status != types.ExecutionStatusFailed || *d.Error != "States.TaskFailed" || json.Unmarshal([]byte(*d.Cause), &cause) != nil {
		t.Fatalf("parent of a failing child: %s %v %v", d.Status, d.Error, d.Cause)
	}
	arn, _ := cause["ExecutionArn"].(string)
	if child := e.describe(arn); cause["Status"] != "FAILED" || cause["RedriveStatus"] != string(child.RedriveStatus) || child.RedriveStatus != types.ExecutionRedriveStatusRedrivable {
		t.Errorf("cause %v; the child's DescribeExecution says %s", cause, child.RedriveStatus)
	}

	// .waitForTaskToken: the child receives the token in its input; the
	// test answers for it.
	tokenChild := e.createMachine("token-child", passDef)
	waiter := e.createMachine("waiter", fmt.Sprintf(`{"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
		"Resource": "arn:aws:states:::states:startExecution.waitForTaskToken",
		"Parameters": {"StateMachineArn": %q, "Input": {"token.$": "$$.Task.Token"}}, "HeartbeatSeconds": 600, "End": true}}}`, tokenChild))
	w := e.start(waiter, "", "{}")
	token := ""
	deadline := time.Now().Add(waitTimeout)
	for token == "" {
		list, err := e.c.ListExecutions(e.ctx, &sdk.ListExecutionsInput{StateMachineArn: aws.String(tokenChild)})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Executions) == 1 {
			var in struct{ Token string }
			if err := json.Unmarshal([]byte(*e.describe(*list.Executions[0].ExecutionArn).Input), &in); err != nil {
				t.Fatal(err)
			}
			token = in.Token
		} else if time.Now().After(deadline) {
			t.Fatal("the child execution never started")
		}
	}
	e.waitEvent(w, types.HistoryEventTypeTaskSubmitted)
	if _, err := e.c.SendTaskHeartbeat(e.ctx, &sdk.SendTaskHeartbeatInput{TaskToken: aws.String(token)}); err != nil {
		t.Errorf("heartbeat: %v", err)
	}
	if _, err := e.c.SendTaskSuccess(e.ctx, &sdk.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"answer": 42}`)}); err != nil {
		t.Fatal(err)
	}
	if d := e.waitDone(w); d.Status != types.ExecutionStatusSucceeded || *d.Output != `{"answer":42}` {
		t.Errorf("waitForTaskToken execution: %s %v", d.Status, d.Output)
	}
}

// TestSDKLambdaCallback uses the Lambda API of the same server to create a
// Python function, and a lambda:invoke.waitForTaskToken task whose token the
// test reads from the history and answers with SendTaskFailure.
func TestSDKLambdaCallback(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed; run scripts/test-deps.sh")
	}
	t.Parallel()
	e := newSDKEnv(t, "memory")
	lc := lambdasdk.New(lambdasdk.Options{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(e.srv.URL())})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	fw, _ := zw.Create("index.py")
	_, _ = io.WriteString(fw, "def handler(event, context):\n    return {'received': event['token'] != ''}\n")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateFunction(e.ctx, &lambdasdk.CreateFunctionInput{FunctionName: aws.String("callback"), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("index.handler"), Role: aws.String(sdkRole), Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()}}); err != nil {
		t.Fatal(err)
	}
	sm := e.createMachine("lambda-callback", `{"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
		"Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters": {"FunctionName": "callback", "Payload": {"token.$": "$$.Task.Token"}},
		"Catch": [{"ErrorEquals": ["Rejected"], "ResultPath": "$.error", "Next": "Handled"}], "End": true},
		"Handled": {"Type": "Pass", "End": true}}}`)
	arn := e.start(sm, "", `{"order": 7}`)
	e.waitEvent(arn, types.HistoryEventTypeTaskSubmitted)
	var token string
	for _, ev := range e.history(arn) {
		if d := ev.TaskScheduledEventDetails; d != nil {
			var p struct{ Payload struct{ Token string } }
			if err := json.Unmarshal([]byte(*d.Parameters), &p); err != nil {
				t.Fatal(err)
			}
			token = p.Payload.Token
		}
	}
	if token == "" {
		t.Fatal("no task token in the TaskScheduled parameters")
	}
	if _, err := e.c.SendTaskFailure(e.ctx, &sdk.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String("Rejected"), Cause: aws.String("no stock")}); err != nil {
		t.Fatal(err)
	}
	d := e.waitDone(arn)
	if d.Status != types.ExecutionStatusSucceeded || *d.Output != `{"order":7,"error":{"Error":"Rejected","Cause":"no stock"}}` {
		t.Errorf("caught callback failure: %s %v", d.Status, d.Output)
	}
}

func TestSDKExpress(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	ok := e.createMachine("express-ok", passDef, express)
	bad := e.createMachine("express-bad", failDef, express)
	standard := e.createMachine("standard", passDef)

	out, err := e.c.StartSyncExecution(e.ctx, &sdk.StartSyncExecutionInput{StateMachineArn: aws.String(ok), Name: aws.String("sync-1"), Input: aws.String(`{"n": 1}`)}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != types.SyncExecutionStatusSucceeded || *out.Output != `{"n":1,"result":{"ok":true}}` || *out.Name != "sync-1" ||
		!strings.Contains(*out.ExecutionArn, ":express:express-ok:sync-1:") || out.BillingDetails == nil || out.StopDate == nil {
		t.Errorf("sync execution: %+v", out)
	}
	out, err = e.c.StartSyncExecution(e.ctx, &sdk.StartSyncExecutionInput{StateMachineArn: aws.String(bad)}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != types.SyncExecutionStatusFailed || *out.Error != "Boom" || *out.Cause != "it failed" || out.Output != nil {
		t.Errorf("failed sync execution: %+v", out)
	}
	_, err = e.c.StartSyncExecution(e.ctx, &sdk.StartSyncExecutionInput{StateMachineArn: aws.String(standard)}, noHostPrefix)
	asError[*types.StateMachineTypeNotSupported](t, err, "sync execution of a STANDARD machine")
	_, err = e.c.StartSyncExecution(e.ctx, &sdk.StartSyncExecutionInput{StateMachineArn: aws.String(ok), Input: aws.String("{")}, noHostPrefix)
	asError[*types.InvalidExecutionInput](t, err, "sync execution with bad input")

	// Asynchronous EXPRESS executions: names may repeat; no history API.
	a1 := e.start(ok, "same", "{}")
	a2 := e.start(ok, "same", "{}")
	if a1 == a2 || !strings.Contains(a1, ":express:express-ok:same:") {
		t.Errorf("express executions %s and %s", a1, a2)
	}
	_, err = e.c.ListExecutions(e.ctx, &sdk.ListExecutionsInput{StateMachineArn: aws.String(ok)})
	asError[*types.StateMachineTypeNotSupported](t, err, "list executions of an EXPRESS machine")
	// The actions on one execution do not take an express execution's ARN
	// (observed: InvalidArn).
	_, err = e.c.DescribeExecution(e.ctx, &sdk.DescribeExecutionInput{ExecutionArn: aws.String(a1)})
	checkErr[*types.InvalidArn](t, err, "describe", "Resource type not valid in this context: express")
	_, err = e.c.GetExecutionHistory(e.ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: aws.String(a1)})
	checkErr[*types.InvalidArn](t, err, "history", "Resource type not valid in this context: express")
	_, err = e.c.StopExecution(e.ctx, &sdk.StopExecutionInput{ExecutionArn: aws.String(a1)})
	checkErr[*types.InvalidArn](t, err, "stop", "Resource type not valid in this context: express")
}

func TestSDKVersionsAndAliases(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	def1 := `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "v1", "End": true}}}`
	def2 := `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "v2", "End": true}}}`
	created, err := e.c.CreateStateMachine(e.ctx, &sdk.CreateStateMachineInput{Name: aws.String("versioned"), Definition: aws.String(def1),
		RoleArn: aws.String(sdkRole), Publish: true, VersionDescription: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	sm, v1 := *created.StateMachineArn, *created.StateMachineVersionArn
	if v1 != sm+":1" {
		t.Errorf("first version %s", v1)
	}
	// Publishing the same revision again returns the same version.
	p, err := e.c.PublishStateMachineVersion(e.ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm)})
	if err != nil || *p.StateMachineVersionArn != v1 {
		t.Errorf("republish unchanged: %v %v", p, err)
	}
	u, err := e.c.UpdateStateMachine(e.ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(def2)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.PublishStateMachineVersion(e.ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm), RevisionId: aws.String("INITIAL")})
	if c := asError[*types.ConflictException](t, err, "publish a stale revision"); !strings.Contains(*c.Message, *u.RevisionId) {
		t.Errorf("conflict message %q does not name the current revision", *c.Message)
	}
	p, err = e.c.PublishStateMachineVersion(e.ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm), RevisionId: u.RevisionId, Description: aws.String("second")})
	if err != nil {
		t.Fatal(err)
	}
	v2 := *p.StateMachineVersionArn
	if v2 != sm+":2" || p.CreationDate == nil {
		t.Errorf("second version %s", v2)
	}
	if again, err := e.c.PublishStateMachineVersion(e.ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm)}); err != nil || *again.StateMachineVersionArn != v2 {
		t.Errorf("idempotent publish: %v %v", again, err)
	}
	_, err = e.c.PublishStateMachineVersion(e.ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: aws.String(sm + "-missing")})
	asError[*types.StateMachineDoesNotExist](t, err, "publish unknown machine")

	var versions []string
	for in := (&sdk.ListStateMachineVersionsInput{StateMachineArn: aws.String(sm), MaxResults: 1}); ; {
		page, err := e.c.ListStateMachineVersions(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.StateMachineVersions) != 1 {
			t.Errorf("page of %d versions, want 1", len(page.StateMachineVersions))
		}
		for _, v := range page.StateMachineVersions {
			versions = append(versions, *v.StateMachineVersionArn)
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if !slices.Equal(versions, []string{v2, v1}) {
		t.Errorf("versions %v, want newest first %v", versions, []string{v2, v1})
	}
	dv, err := e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(v1)})
	if err != nil || *dv.Definition != def1 || *dv.Description != "first" || *dv.StateMachineArn != v1 {
		t.Errorf("describe version 1: %+v %v", dv, err)
	}

	// An update that changes nothing makes no revision, and publishing it
	// again returns the same version (recorded against AWS: LocalStack's
	// test_empty_revision_with_publish_and_no_publish_on_creation).
	t.Run("unchanged update with publish", func(t *testing.T) {
		same := e.createMachine("unchanged", def1)
		var versions []string
		var revisions []*string
		for range 2 {
			u, err := e.c.UpdateStateMachine(e.ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(same), Definition: aws.String(def1), Publish: true})
			if err != nil {
				t.Fatal(err)
			}
			versions, revisions = append(versions, *u.StateMachineVersionArn), append(revisions, u.RevisionId)
		}
		if versions[0] != same+":1" || versions[1] != versions[0] || revisions[0] != nil || revisions[1] != nil {
			t.Errorf("versions %v, revisions %v; want %s twice, no revision", versions, revisions, same+":1")
		}
	})

	// DescribeStateMachineForExecution of an execution of a version names
	// the version's revision (recorded against AWS: LocalStack's
	// test_describe_state_machine_for_execution_of_version_with_revision).
	t.Run("machine of a version's execution", func(t *testing.T) {
		d := e.waitDone(e.start(v2, "", "{}"))
		if _, err := e.c.UpdateStateMachine(e.ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(passDef)}); err != nil {
			t.Fatal(err)
		}
		dm, err := e.c.DescribeStateMachineForExecution(e.ctx, &sdk.DescribeStateMachineForExecutionInput{ExecutionArn: d.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		// Back to def2, as the rest of the test expects.
		if _, err := e.c.UpdateStateMachine(e.ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(def2)}); err != nil {
			t.Fatal(err)
		}
		if *dm.Definition != def2 || *dm.StateMachineArn != sm {
			t.Errorf("describe machine for execution: %s %s", *dm.StateMachineArn, *dm.Definition)
		}
		if dm.RevisionId == nil || *dm.RevisionId != *u.RevisionId {
			t.Errorf("revision %v, want the version's %s", aws.ToString(dm.RevisionId), *u.RevisionId)
		}
	})

	// Aliases.
	route := func(v string, w int32) types.RoutingConfigurationListItem {
		return types.RoutingConfigurationListItem{StateMachineVersionArn: aws.String(v), Weight: w}
	}
	a, err := e.c.CreateStateMachineAlias(e.ctx, &sdk.CreateStateMachineAliasInput{Name: aws.String("live"), Description: aws.String("production"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 100)}})
	if err != nil {
		t.Fatal(err)
	}
	alias := *a.StateMachineAliasArn
	if alias != sm+":live" {
		t.Errorf("alias ARN %s", alias)
	}
	if again, err := e.c.CreateStateMachineAlias(e.ctx, &sdk.CreateStateMachineAliasInput{Name: aws.String("live"), Description: aws.String("production"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 100)}}); err != nil || *again.StateMachineAliasArn != alias {
		t.Errorf("idempotent create alias: %v %v", again, err)
	}
	badAliases := []struct {
		name   string
		in     sdk.CreateStateMachineAliasInput
		substr string
		check  func(*testing.T, error, string)
	}{
		{"same name, other routing", sdk.CreateStateMachineAliasInput{Name: aws.String("live"), RoutingConfiguration: []types.RoutingConfigurationListItem{route(v2, 100)}},
			"already exists", func(t *testing.T, err error, s string) { checkErr[*types.ConflictException](t, err, "create alias", s) }},
		{"weights not 100", sdk.CreateStateMachineAliasInput{Name: aws.String("a1"), RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 70), route(v2, 29)}},
			"[70, 29]", func(t *testing.T, err error, s string) {
				checkErr[*types.ValidationException](t, err, "create alias", s)
			}},
		{"three routes", sdk.CreateStateMachineAliasInput{Name: aws.String("a2"), RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 50), route(v2, 30), route(v2, 20)}},
			"less than or equal to 2", func(t *testing.T, err error, s string) {
				checkErr[*types.ValidationException](t, err, "create alias", s)
			}},
		{"same version twice", sdk.CreateStateMachineAliasInput{Name: aws.String("a3"), RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 50), route(v1, 50)}},
			"distinct", func(t *testing.T, err error, s string) {
				checkErr[*types.ValidationException](t, err, "create alias", s)
			}},
		{"state machine ARN", sdk.CreateStateMachineAliasInput{Name: aws.String("a4"), RoutingConfiguration: []types.RoutingConfigurationListItem{route(sm, 100)}},
			"version ARNs", func(t *testing.T, err error, s string) {
				checkErr[*types.ValidationException](t, err, "create alias", s)
			}},
		{"weight over 100", sdk.CreateStateMachineAliasInput{Name: aws.String("a5"), RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 101)}},
			"routingConfiguration.1.member.weight", func(t *testing.T, err error, s string) {
				checkErr[*types.ValidationException](t, err, "create alias", s)
			}},
		{"digits-only name", sdk.CreateStateMachineAliasInput{Name: aws.String("123"), RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 100)}},
			"regular expression", func(t *testing.T, err error, s string) {
				checkErr[*types.ValidationException](t, err, "create alias", s)
			}},
		{"unknown version", sdk.CreateStateMachineAliasInput{Name: aws.String("a6"), RoutingConfiguration: []types.RoutingConfigurationListItem{route(sm+":99", 100)}},
			"", func(t *testing.T, err error, s string) { checkErr[*types.ResourceNotFound](t, err, "create alias", s) }},
	}
	for _, tc := range badAliases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			_, err := e.c.CreateStateMachineAlias(e.ctx, &in)
			tc.check(t, err, tc.substr)
		})
	}

	// Executions through a version and through the alias.
	run := func(target string) *sdk.DescribeExecutionOutput {
		t.Helper()
		return e.waitDone(e.start(target, "", "{}"))
	}
	if d := run(alias); *d.Output != `"v1"` || *d.StateMachineVersionArn != v1 || *d.StateMachineAliasArn != alias || *d.StateMachineArn != sm {
		t.Errorf("execution through the alias: %+v", d)
	}
	if d := run(v2); *d.Output != `"v2"` || *d.StateMachineVersionArn != v2 || d.StateMachineAliasArn != nil {
		t.Errorf("execution through version 2: %+v", d)
	}
	byVersion, err := e.c.ListExecutions(e.ctx, &sdk.ListExecutionsInput{StateMachineArn: aws.String(v2)})
	if err != nil || len(byVersion.Executions) != 2 {
		t.Fatalf("executions of version 2: %v %v", byVersion, err)
	}
	for _, x := range byVersion.Executions {
		if aws.ToString(x.StateMachineVersionArn) != v2 {
			t.Errorf("execution %s of version 2 lists version %v", *x.ExecutionArn, aws.ToString(x.StateMachineVersionArn))
		}
	}
	byAlias, err := e.c.ListExecutions(e.ctx, &sdk.ListExecutionsInput{StateMachineArn: aws.String(alias)})
	if err != nil || len(byAlias.Executions) != 1 || *byAlias.Executions[0].StateMachineAliasArn != alias {
		t.Errorf("executions through the alias: %v %v", byAlias, err)
	}
	t.Run("start through an unknown alias", func(t *testing.T) {
		_, err := e.c.StartExecution(e.ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(sm + ":nope")})
		asError[*types.StateMachineDoesNotExist](t, err, "start through an unknown alias")
	})
	_, err = e.c.StartExecution(e.ctx, &sdk.StartExecutionInput{StateMachineArn: aws.String(sm + ":42")})
	asError[*types.StateMachineDoesNotExist](t, err, "start an unknown version")

	// UpdateStateMachineAlias.
	if _, err := e.c.UpdateStateMachineAlias(e.ctx, &sdk.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(alias),
		RoutingConfiguration: []types.RoutingConfigurationListItem{route(v2, 100)}}); err != nil {
		t.Fatal(err)
	}
	if d := run(alias); *d.Output != `"v2"` || *d.StateMachineVersionArn != v2 {
		t.Errorf("execution through the updated alias: %+v", d)
	}
	if _, err := e.c.UpdateStateMachineAlias(e.ctx, &sdk.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(alias), Description: aws.String("canary"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{route(v1, 50), route(v2, 50)}}); err != nil {
		t.Fatal(err)
	}
	da, err := e.c.DescribeStateMachineAlias(e.ctx, &sdk.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(alias)})
	if err != nil {
		t.Fatal(err)
	}
	if *da.Name != "live" || *da.Description != "canary" || len(da.RoutingConfiguration) != 2 || da.RoutingConfiguration[1].Weight != 50 ||
		da.CreationDate == nil || da.UpdateDate == nil || da.UpdateDate.Before(*da.CreationDate) {
		t.Errorf("describe alias: %+v", da)
	}
	_, err = e.c.UpdateStateMachineAlias(e.ctx, &sdk.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(sm + ":missing"), Description: aws.String("x")})
	asError[*types.ResourceNotFound](t, err, "update unknown alias")
	_, err = e.c.UpdateStateMachineAlias(e.ctx, &sdk.UpdateStateMachineAliasInput{StateMachineAliasArn: aws.String(alias)})
	asError[*types.ValidationException](t, err, "update alias with nothing")

	// A version an alias routes to cannot be deleted.
	_, err = e.c.DeleteStateMachineVersion(e.ctx, &sdk.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(v1)})
	if c := asError[*types.ConflictException](t, err, "delete a routed version"); !strings.Contains(*c.Message, "[live]") {
		t.Errorf("conflict message %q does not name the alias", *c.Message)
	}
	beta, err := e.c.CreateStateMachineAlias(e.ctx, &sdk.CreateStateMachineAliasInput{Name: aws.String("beta"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{route(v2, 100)}})
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for in := (&sdk.ListStateMachineAliasesInput{StateMachineArn: aws.String(sm), MaxResults: 1}); ; {
		page, err := e.c.ListStateMachineAliases(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.StateMachineAliases {
			listed = append(listed, *a.StateMachineAliasArn)
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if !slices.Equal(listed, []string{alias, *beta.StateMachineAliasArn}) {
		t.Errorf("aliases %v, want oldest first %v", listed, []string{alias, *beta.StateMachineAliasArn})
	}
	_, err = e.c.ListStateMachineAliases(e.ctx, &sdk.ListStateMachineAliasesInput{StateMachineArn: aws.String(sm), NextToken: aws.String("bogus")})
	asError[*types.InvalidToken](t, err, "list aliases with a bad token")
	if _, err := e.c.DeleteStateMachineAlias(e.ctx, &sdk.DeleteStateMachineAliasInput{StateMachineAliasArn: aws.String(alias)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.DeleteStateMachineAlias(e.ctx, &sdk.DeleteStateMachineAliasInput{StateMachineAliasArn: aws.String(alias)}); err != nil {
		t.Errorf("delete alias again: %v", err)
	}
	_, err = e.c.DescribeStateMachineAlias(e.ctx, &sdk.DescribeStateMachineAliasInput{StateMachineAliasArn: aws.String(alias)})
	asError[*types.ResourceNotFound](t, err, "describe deleted alias")
	if _, err := e.c.DeleteStateMachineVersion(e.ctx, &sdk.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(v1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.DeleteStateMachineVersion(e.ctx, &sdk.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(v1)}); err != nil {
		t.Errorf("delete version again: %v", err)
	}
	_, err = e.c.DeleteStateMachineVersion(e.ctx, &sdk.DeleteStateMachineVersionInput{StateMachineVersionArn: aws.String(sm)})
	asError[*types.InvalidArn](t, err, "delete version with a state machine ARN")
	lv, err := e.c.ListStateMachineVersions(e.ctx, &sdk.ListStateMachineVersionsInput{StateMachineArn: aws.String(sm)})
	if err != nil || len(lv.StateMachineVersions) != 1 || *lv.StateMachineVersions[0].StateMachineVersionArn != v2 {
		t.Errorf("versions after deletion: %+v %v", lv, err)
	}
	// Numbers are not reused.
	if _, err := e.c.UpdateStateMachine(e.ctx, &sdk.UpdateStateMachineInput{StateMachineArn: aws.String(sm), Definition: aws.String(def1), Publish: true}); err != nil {
		t.Fatal(err)
	} else if lv, _ := e.c.ListStateMachineVersions(e.ctx, &sdk.ListStateMachineVersionsInput{StateMachineArn: aws.String(sm)}); *lv.StateMachineVersions[0].StateMachineVersionArn != sm+":3" {
		t.Errorf("newest version after republishing: %s", *lv.StateMachineVersions[0].StateMachineVersionArn)
	}
}

func TestSDKTags(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	sm := e.createMachine("tagged", passDef, func(in *sdk.CreateStateMachineInput) {
		in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}
	})
	act, err := e.c.CreateActivity(e.ctx, &sdk.CreateActivityInput{Name: aws.String("tagged-activity"),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	if err != nil {
		t.Fatal(err)
	}
	list := func(arn string) map[string]string {
		t.Helper()
		out, err := e.c.ListTagsForResource(e.ctx, &sdk.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("list tags of %s: %v", arn, err)
		}
		m := map[string]string{}
		for _, tg := range out.Tags {
			m[*tg.Key] = *tg.Value
		}
		return m
	}
	if got := list(sm); len(got) != 1 || got["team"] != "core" {
		t.Errorf("tags at creation: %v", got)
	}
	if _, err := e.c.TagResource(e.ctx, &sdk.TagResourceInput{ResourceArn: aws.String(sm),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}, {Key: aws.String("env"), Value: aws.String("")}}}); err != nil {
		t.Fatal(err)
	}
	if got := list(sm); len(got) != 2 || got["team"] != "platform" || got["env"] != "" {
		t.Errorf("tags after TagResource: %v", got)
	}
	if _, err := e.c.UntagResource(e.ctx, &sdk.UntagResourceInput{ResourceArn: aws.String(sm), TagKeys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := list(sm); len(got) != 1 || got["env"] != "" {
		t.Errorf("tags after UntagResource: %v", got)
	}
	if _, err := e.c.TagResource(e.ctx, &sdk.TagResourceInput{ResourceArn: act.ActivityArn, Tags: []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}}}); err != nil {
		t.Fatal(err)
	}
	if got := list(*act.ActivityArn); len(got) != 2 || got["a"] != "1" || got["b"] != "2" {
		t.Errorf("activity tags: %v", got)
	}

	missing := "arn:aws:states:us-east-1:123456789012:stateMachine:untagged"
	bad := []struct {
		name  string
		call  func() error
		check func(*testing.T, error)
	}{
		{"tag unknown machine", func() error {
			_, err := e.c.TagResource(e.ctx, &sdk.TagResourceInput{ResourceArn: aws.String(missing), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, func(t *testing.T, err error) {
			checkErr[*types.ResourceNotFound](t, err, "tag", "Resource not found: '"+missing+"'")
		}},
		{"list tags of unknown machine", func() error {
			_, err := e.c.ListTagsForResource(e.ctx, &sdk.ListTagsForResourceInput{ResourceArn: aws.String(missing)})
			return err
		}, func(t *testing.T, err error) { checkErr[*types.ResourceNotFound](t, err, "list tags", missing) }},
		{"untag unknown machine", func() error {
			_, err := e.c.UntagResource(e.ctx, &sdk.UntagResourceInput{ResourceArn: aws.String(missing), TagKeys: []string{"k"}})
			return err
		}, func(t *testing.T, err error) { checkErr[*types.ResourceNotFound](t, err, "untag", missing) }},
		{"tag a version", func() error {
			_, err := e.c.TagResource(e.ctx, &sdk.TagResourceInput{ResourceArn: aws.String(sm + ":1"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, func(t *testing.T, err error) { checkErr[*types.ResourceNotFound](t, err, "tag version", sm+":1") }},
		{"too many tags", func() error {
			_, err := e.c.TagResource(e.ctx, &sdk.TagResourceInput{ResourceArn: aws.String(sm), Tags: manyTags(50)})
			return err
		}, func(t *testing.T, err error) { checkErr[*types.TooManyTags](t, err, "tag", "50") }},
		{"empty key", func() error {
			_, err := e.c.TagResource(e.ctx, &sdk.TagResourceInput{ResourceArn: aws.String(sm), Tags: []types.Tag{{Key: aws.String(""), Value: aws.String("v")}}})
			return err
		}, func(t *testing.T, err error) { checkCode(t, err, "tag with an empty key", "ValidationException") }},
		{"not an ARN", func() error {
			_, err := e.c.ListTagsForResource(e.ctx, &sdk.ListTagsForResourceInput{ResourceArn: aws.String("tagged")})
			return err
		}, func(t *testing.T, err error) { checkErr[*types.InvalidArn](t, err, "list tags", "") }},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.call()) })
	}
	// 49 more tags fit (50 in all); the failed call above changed nothing.
	if _, err := e.c.TagResource(e.ctx, &sdk.TagResourceInput{ResourceArn: aws.String(sm), Tags: manyTags(49)}); err != nil {
		t.Errorf("tag up to 50: %v", err)
	}
	if got := list(sm); len(got) != 50 {
		t.Errorf("%d tags, want 50", len(got))
	}
}

func TestSDKTestState(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	call := func(in *sdk.TestStateInput) (*sdk.TestStateOutput, error) {
		return e.c.TestState(e.ctx, in, noHostPrefix)
	}
	out, err := call(&sdk.TestStateInput{
		Definition:      aws.String(`{"Type": "Pass", "InputPath": "$.a", "Parameters": {"b.$": "$.b"}, "ResultPath": "$.r", "Next": "Later"}`),
		Input:           aws.String(`{"a": {"b": 2}}`),
		InspectionLevel: types.InspectionLevelTrace,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != types.TestExecutionStatusSucceeded || *out.Output != `{"a":{"b":2},"r":{"b":2}}` || *out.NextState != "Later" ||
		out.InspectionData == nil || *out.InspectionData.AfterInputPath != `{"b":2}` || *out.InspectionData.AfterParameters != `{"b":2}` {
		t.Errorf("Pass: %+v %+v", out, out.InspectionData)
	}
	out, err = call(&sdk.TestStateInput{
		Definition: aws.String(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
			"Retry": [{"ErrorEquals": ["Oops"], "MaxAttempts": 2}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}], "End": true}`),
		Mock:               &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("Oops"), Cause: aws.String("bad luck")}},
		StateConfiguration: &types.TestStateConfiguration{RetrierRetryCount: aws.Int32(1)},
		InspectionLevel:    types.InspectionLevelDebug,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != types.TestExecutionStatusRetriable || *out.Error != "Oops" || *out.InspectionData.ErrorDetails.RetryIndex != 0 ||
		*out.InspectionData.ErrorDetails.RetryBackoffIntervalSeconds != 2 {
		t.Errorf("retriable task: %+v %+v", out, out.InspectionData.ErrorDetails)
	}
	out, err = call(&sdk.TestStateInput{
		Definition: aws.String(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
			"Retry": [{"ErrorEquals": ["Oops"], "MaxAttempts": 2}], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}], "End": true}`),
		Mock:               &types.MockInput{ErrorOutput: &types.MockErrorOutput{Error: aws.String("Oops"), Cause: aws.String("bad luck")}},
		StateConfiguration: &types.TestStateConfiguration{RetrierRetryCount: aws.Int32(2)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != types.TestExecutionStatusCaughtError || *out.NextState != "Recover" || *out.Output != `{"Error":"Oops","Cause":"bad luck"}` || out.InspectionData != nil {
		t.Errorf("caught task error: %+v", out)
	}

	_, err = call(&sdk.TestStateInput{Definition: aws.String(`{"Type": "Pass", "End": true}`), Mock: &types.MockInput{Result: aws.String("{}")}})
	asError[*types.ValidationException](t, err, "mock of a Pass state")
	_, err = call(&sdk.TestStateInput{Definition: aws.String(`{"Type": "Nope", "End": true}`)})
	asError[*types.InvalidDefinition](t, err, "unknown state type")
	_, err = call(&sdk.TestStateInput{Definition: aws.String(`{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, "End": true}`)})
	asError[*types.ValidationException](t, err, "Task without role or mock")
	_, err = call(&sdk.TestStateInput{Definition: aws.String(`{"Type": "Pass", "End": true}`), Input: aws.String("{")})
	asError[*types.InvalidExecutionInput](t, err, "bad input")
}

func TestSDKRedrive(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	// Fails at the Choice on the first attempt (no rule matches), succeeds
	// when redriven ($$.Execution.RedriveCount is then 1).
	sm := e.createMachine("redrivable", `{"StartAt": "Prepare", "States": {
		"Prepare": {"Type": "Pass", "Result": "prepared", "ResultPath": "$.step", "Next": "Gate"},
		"Gate": {"Type": "Choice", "Choices": [{"Variable": "$$.Execution.RedriveCount", "NumericGreaterThan": 0, "Next": "Done"}]},
		"Done": {"Type": "Pass", "Parameters": {"step.$": "$.step", "redrives.$": "$$.Execution.RedriveCount", "order.$": "$$.Execution.Input.order"}, "End": true}}}`)
	arn := e.start(sm, "gate", `{"order": 1}`)
	d := e.waitDone(arn)
	if d.Status != types.ExecutionStatusFailed || *d.Error != "States.NoChoiceMatched" || d.RedriveStatus != types.ExecutionRedriveStatusRedrivable || d.RedriveCount == nil || *d.RedriveCount != 0 {
		t.Fatalf("first attempt: %+v", d)
	}
	r, err := e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if r.RedriveDate == nil {
		t.Error("no redriveDate")
	}
	d = e.waitDone(arn)
	if d.Status != types.ExecutionStatusSucceeded || *d.Output != `{"step":"prepared","redrives":1,"order":1}` || *d.RedriveCount != 1 ||
		d.RedriveDate == nil || d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable || d.Error != nil {
		t.Errorf("redriven execution: %+v", d)
	}
	h := e.history(arn)
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "ChoiceStateEntered", "ExecutionFailed",
		"ExecutionRedriven", "ChoiceStateEntered", "ChoiceStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}
	if got := eventTypes(h); !slices.Equal(got, want) {
		t.Errorf("history %v, want %v", got, want)
	}
	for i, ev := range h {
		if ev.Id != int64(i+1) {
			t.Errorf("event %d has id %d", i, ev.Id)
		}
		if ev.Type == types.HistoryEventTypeExecutionRedriven && (ev.ExecutionRedrivenEventDetails == nil || ev.ExecutionRedrivenEventDetails.RedriveCount == nil || *ev.ExecutionRedrivenEventDetails.RedriveCount != 1) {
			t.Errorf("ExecutionRedriven details: %+v", ev.ExecutionRedrivenEventDetails)
		}
	}
	redriven, err := e.c.ListExecutions(e.ctx, &sdk.ListExecutionsInput{StateMachineArn: aws.String(sm), RedriveFilter: types.ExecutionRedriveFilterRedriven})
	if err != nil || len(redriven.Executions) != 1 || *redriven.Executions[0].RedriveCount != 1 {
		t.Errorf("redriven executions: %+v %v", redriven, err)
	}
	_, err = e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
	if n := asError[*types.ExecutionNotRedrivable](t, err, "redrive a succeeded execution"); !strings.Contains(*n.Message, "SUCCEEDED") {
		t.Errorf("message %q", *n.Message)
	}

	// Other shapes: a Parallel state (only the failed branch runs again),
	// a JSONata machine.
	shapes := []struct {
		name, def, output string
	}{
		{"parallel", `{"StartAt": "Setup", "States": {
			"Setup": {"Type": "Pass", "Next": "Par"},
			"Par": {"Type": "Parallel", "Next": "Done", "Branches": [
				{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": true}}},
				{"StartAt": "B", "States": {
					"B": {"Type": "Choice", "Choices": [{"Variable": "$$.Execution.RedriveCount", "NumericGreaterThan": 0, "Next": "B2"}]},
					"B2": {"Type": "Pass", "Result": "b", "End": true}}}]},
			"Done": {"Type": "Succeed"}}}`, `["a","b"]`},
		{"jsonata", `{"QueryLanguage": "JSONata", "StartAt": "First", "States": {
			"First": {"Type": "Pass", "Output": {"v": 1}, "Next": "Gate"},
			"Gate": {"Type": "Choice", "Choices": [{"Condition": "{% $states.context.Execution.RedriveCount > 0 %}", "Next": "Done"}]},
			"Done": {"Type": "Pass", "Output": {"v": "{% $states.input.v + 1 %}"}, "End": true}}}`, `{"v":2}`},
	}
	for _, tc := range shapes {
		t.Run(tc.name, func(t *testing.T) {
			arn := e.start(e.createMachine("redrive-"+tc.name, tc.def), "", "{}")
			if d := e.waitDone(arn); d.Status != types.ExecutionStatusFailed {
				t.Fatalf("first attempt: %s", d.Status)
			}
			if _, err := e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(arn)}); err != nil {
				t.Fatal(err)
			}
			if d := e.waitDone(arn); d.Status != types.ExecutionStatusSucceeded || *d.Output != tc.output {
				t.Errorf("redriven: %s %v %v %v", d.Status, d.Output, d.Error, d.Cause)
			}
			h := e.history(arn)
			entered := map[string]int{}
			for i, ev := range h {
				if ev.Id != int64(i+1) || ev.PreviousEventId >= ev.Id {
					t.Errorf("event %d: id %d, previous %d", i, ev.Id, ev.PreviousEventId)
				}
				if d := ev.StateEnteredEventDetails; d != nil {
					entered[*d.Name]++
				}
			}
			if first := []string{"Setup", "First"}; entered[first[0]]+entered[first[1]] != 1 {
				t.Errorf("the state before the failure ran again: %v", entered)
			}
			if tc.name == "parallel" && (entered["A"] != 1 || entered["Par"] != 1 || entered["B"] != 2) {
				t.Errorf("the Parallel ran again beyond its failed branch: %v", entered)
			}
		})
	}

	// A failed activity task runs again when redriven: the new task is
	// queued for workers.
	act, err := e.c.CreateActivity(e.ctx, &sdk.CreateActivityInput{Name: aws.String("redrive-work")})
	if err != nil {
		t.Fatal(err)
	}
	work := e.createMachine("redrive-activity", fmt.Sprintf(`{"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": %q, "End": true}}}`, *act.ActivityArn))
	task := func() string {
		t.Helper()
		out, err := e.c.GetActivityTask(e.ctx, &sdk.GetActivityTaskInput{ActivityArn: act.ActivityArn})
		if err != nil || out.TaskToken == nil {
			t.Fatalf("no activity task: %v", err)
		}
		return *out.TaskToken
	}
	wa := e.start(work, "", `{"n": 5}`)
	if _, err := e.c.SendTaskFailure(e.ctx, &sdk.SendTaskFailureInput{TaskToken: aws.String(task()), Error: aws.String("Flaky")}); err != nil {
		t.Fatal(err)
	}
	if d := e.waitDone(wa); d.Status != types.ExecutionStatusFailed {
		t.Fatalf("activity execution: %s", d.Status)
	}
	first, err := e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(wa), ClientToken: aws.String("once")})
	if err != nil {
		t.Fatal(err)
	}
	// The same client token again is the same call.
	if again, err := e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(wa), ClientToken: aws.String("once")}); err != nil || !again.RedriveDate.Equal(*first.RedriveDate) {
		t.Errorf("idempotent redrive: %v", err)
	}
	_, err = e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(wa)})
	asError[*types.ExecutionNotRedrivable](t, err, "redrive a running execution")
	if _, err := e.c.SendTaskSuccess(e.ctx, &sdk.SendTaskSuccessInput{TaskToken: aws.String(task()), Output: aws.String(`"fine"`)}); err != nil {
		t.Fatal(err)
	}
	if d := e.waitDone(wa); d.Status != types.ExecutionStatusSucceeded || *d.Output != `"fine"` || *d.RedriveCount != 1 {
		t.Errorf("redriven activity execution: %+v", d)
	}
	// The token stays good after the redriven run has ended (15 minutes,
	// API reference): a late retry answers the first call's date and
	// redrives nothing.
	if late, err := e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(wa), ClientToken: aws.String("once")}); err != nil || !late.RedriveDate.Equal(*first.RedriveDate) {
		t.Errorf("retried redrive after the run ended: %v %+v", err, late)
	}
	if d := e.describe(wa); d.Status != types.ExecutionStatusSucceeded || *d.RedriveCount != 1 {
		t.Errorf("after a retried redrive: %s, redriveCount %d", d.Status, *d.RedriveCount)
	}

	// Aborted executions are redrivable too.
	wait := e.createMachine("redrive-wait", waitDef)
	ab := e.start(wait, "", "{}")
	if _, err := e.c.StopExecution(e.ctx, &sdk.StopExecutionInput{ExecutionArn: aws.String(ab)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(ab)}); err != nil {
		t.Fatal(err)
	}
	if d := e.describe(ab); d.Status != types.ExecutionStatusRunning || *d.RedriveCount != 1 {
		t.Errorf("redriven aborted execution: %s %v", d.Status, d.RedriveCount)
	}
	if _, err := e.c.StopExecution(e.ctx, &sdk.StopExecutionInput{ExecutionArn: aws.String(ab)}); err != nil {
		t.Fatal(err)
	}

	_, err = e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(sm + "-none")})
	asError[*types.InvalidArn](t, err, "redrive a state machine ARN")
	_, err = e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:redrivable:none")})
	asError[*types.ExecutionDoesNotExist](t, err, "redrive unknown execution")
}

// TestSDKRedriveMap redrives, on both stores, an execution whose inline
// Map failed at one iteration (its Choice matches no rule until the
// execution is redriven): only that iteration runs again (a new
// MapIterationStarted for it alone), the one not started yet starts, and
// the results of those that had succeeded are kept (RedriveExecution API
// reference: for an Inline Map, only the iterations that failed or aborted
// are redriven).
func TestSDKRedriveMap(t *testing.T) {
	t.Parallel()
	for _, st := range []string{"memory", ""} {
		t.Run("store="+st, func(t *testing.T) {
			t.Parallel()
			e := newSDKEnv(t, st)
			sm := e.createMachine("redrive-map", `{"StartAt": "Setup", "States": {
				"Setup": {"Type": "Pass", "Next": "Each"},
				"Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ItemSelector": {"v.$": "$$.Map.Item.Value"}, "Next": "Done",
					"ItemProcessor": {"StartAt": "Check", "States": {
						"Check": {"Type": "Choice", "Choices": [{"Or": [
							{"Variable": "$$.Execution.RedriveCount", "NumericGreaterThan": 0},
							{"Variable": "$.v", "NumericLessThanEquals": 2}], "Next": "Good"}]},
						"Good": {"Type": "Pass", "Parameters": {"v.$": "$.v", "run.$": "$$.Execution.RedriveCount"}, "End": true}}}},
				"Done": {"Type": "Succeed"}}}`)
			arn := e.start(sm, "", `{"items": [1, 2, 3, 4]}`)
			if d := e.waitDone(arn); d.Status != types.ExecutionStatusFailed || *d.Error != "States.NoChoiceMatched" {
				t.Fatalf("first attempt: %s %v", d.Status, d.Error)
			}
			r, err := e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
			if err != nil {
				t.Fatal(err)
			}
			d := e.waitDone(arn)
			if want := `[{"v":1,"run":0},{"v":2,"run":0},{"v":3,"run":1},{"v":4,"run":1}]`; d.Status != types.ExecutionStatusSucceeded || *d.Output != want {
				t.Fatalf("redriven: %s %v %v %v, want %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause), want)
			}
			if *d.RedriveCount != 1 || d.RedriveDate == nil || !d.RedriveDate.Equal(*r.RedriveDate) {
				t.Errorf("redriveCount %v, redriveDate %v (the call answered %v)", *d.RedriveCount, d.RedriveDate, r.RedriveDate)
			}
			started := map[int32]int{}
			entered := map[string]int{}
			for i, ev := range e.history(arn) {
				if ev.Id != int64(i+1) || ev.PreviousEventId >= ev.Id {
					t.Errorf("event %d: id %d, previous %d", i, ev.Id, ev.PreviousEventId)
				}
				if ev.Type == types.HistoryEventTypeMapIterationStarted {
					started[ev.MapIterationStartedEventDetails.Index]++
				}
				if d := ev.StateEnteredEventDetails; d != nil {
					entered[*d.Name]++
				}
			}
			if want := map[int32]int{0: 1, 1: 1, 2: 2, 3: 1}; !maps.Equal(started, want) {
				t.Errorf("MapIterationStarted per index %v, want %v", started, want)
			}
			if entered["Setup"] != 1 || entered["Each"] != 1 {
				t.Errorf("states entered again: %v", entered)
			}
		})
	}
}

func TestSDKMapRuns(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	sm := e.createMachine("distributed", `{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items", "Label": "lbl",
		"MaxConcurrency": 2, "ToleratedFailureCount": 1,
		"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I",
			"States": {"I": {"Type": "Pass", "End": true}}}, "End": true}}}`)
	arn := e.start(sm, "", `{"items": [1, 2, 3]}`)
	if d := e.waitDone(arn); d.Status != types.ExecutionStatusSucceeded || *d.Output != "[1,2,3]" {
		t.Fatalf("distributed map execution: %s %v %v", d.Status, d.Output, d.Cause)
	}
	runs, err := e.c.ListMapRuns(e.ctx, &sdk.ListMapRunsInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs.MapRuns) != 1 {
		t.Fatalf("map runs %+v", runs.MapRuns)
	}
	run := runs.MapRuns[0]
	if !strings.HasPrefix(*run.MapRunArn, "arn:aws:states:us-east-1:123456789012:mapRun:distributed/lbl:") || *run.ExecutionArn != arn ||
		*run.StateMachineArn != sm+"/lbl" || run.StartDate == nil || run.StopDate == nil {
		t.Errorf("map run item %+v", run)
	}
	d, err := e.c.DescribeMapRun(e.ctx, &sdk.DescribeMapRunInput{MapRunArn: run.MapRunArn})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != types.MapRunStatusSucceeded || d.MaxConcurrency != 2 || d.ToleratedFailureCount != 1 || d.ItemCounts.Total != 3 ||
		d.ItemCounts.Succeeded != 3 || d.ExecutionCounts.Total != 3 || *d.ExecutionArn != arn {
		t.Errorf("describe map run: %+v %+v", d, d.ItemCounts)
	}
	checkMapRunChildren(t, e, sm, *run.MapRunArn)
	_, err = e.c.UpdateMapRun(e.ctx, &sdk.UpdateMapRunInput{MapRunArn: run.MapRunArn, MaxConcurrency: aws.Int32(5)})
	asError[*types.ValidationException](t, err, "update a completed map run")
	_, err = e.c.UpdateMapRun(e.ctx, &sdk.UpdateMapRunInput{MapRunArn: run.MapRunArn})
	asError[*types.ValidationException](t, err, "update with nothing")
	unknown := "arn:aws:states:us-east-1:123456789012:mapRun:distributed/lbl:00000000-0000-4000-8000-000000000000"
	_, err = e.c.DescribeMapRun(e.ctx, &sdk.DescribeMapRunInput{MapRunArn: aws.String(unknown)})
	asError[*types.ResourceNotFound](t, err, "describe unknown map run")
	_, err = e.c.UpdateMapRun(e.ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(unknown), ToleratedFailureCount: aws.Int64(3)})
	asError[*types.ResourceNotFound](t, err, "update unknown map run")
	_, err = e.c.DescribeMapRun(e.ctx, &sdk.DescribeMapRunInput{MapRunArn: aws.String(sm)})
	asError[*types.InvalidArn](t, err, "describe a state machine ARN as a map run")
	_, err = e.c.ListMapRuns(e.ctx, &sdk.ListMapRunsInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:distributed:none")})
	asError[*types.ExecutionDoesNotExist](t, err, "map runs of unknown execution")

	// A failed Map Run is redriven with its parent: the same run, RUNNING
	// again, then SUCCEEDED, with its redriveCount and redriveDate
	// (developer guide, "Redriving Map Runs"; MapRunRedriven in the
	// parent's history).
	failing := e.createMachine("distributed-redrive", `{"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
		"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I", "States": {
			"I": {"Type": "Choice", "Choices": [{"Or": [{"Variable": "$", "NumericLessThan": 2}, {"Variable": "$$.Execution.RedriveCount", "NumericGreaterThan": 0}], "Next": "Ok"}]},
			"Ok": {"Type": "Pass", "End": true}}}, "End": true}}}`)
	fa := e.start(failing, "", `{"items": [1, 2, 3]}`)
	if d := e.waitDone(fa); d.Status != types.ExecutionStatusFailed {
		t.Fatalf("failing map run execution: %s", d.Status)
	}
	runs, err = e.c.ListMapRuns(e.ctx, &sdk.ListMapRunsInput{ExecutionArn: aws.String(fa)})
	if err != nil || len(runs.MapRuns) != 1 {
		t.Fatalf("map runs %+v %v", runs, err)
	}
	if d, err := e.c.DescribeMapRun(e.ctx, &sdk.DescribeMapRunInput{MapRunArn: runs.MapRuns[0].MapRunArn}); err != nil || d.Status != types.MapRunStatusFailed || d.RedriveCount == nil || *d.RedriveCount != 0 || d.RedriveDate != nil {
		t.Errorf("failed map run: %+v %v", d, err)
	}
	if _, err := e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(fa)}); err != nil {
		t.Fatal(err)
	}
	if d := e.waitDone(fa); d.Status != types.ExecutionStatusSucceeded || *d.Output != "[1,2,3]" {
		t.Fatalf("redriven map run execution: %s %v", d.Status, d.Output)
	}
	want := []string{"ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunFailed", "MapStateFailed", "ExecutionFailed",
		"ExecutionRedriven", "MapRunRedriven", "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"}
	if got := eventTypes(e.history(fa)); !slices.Equal(got, want) {
		t.Errorf("history %v, want %v", got, want)
	}
	runs, err = e.c.ListMapRuns(e.ctx, &sdk.ListMapRunsInput{ExecutionArn: aws.String(fa)})
	if err != nil || len(runs.MapRuns) != 1 {
		t.Fatalf("map runs after the redrive %+v %v", runs, err)
	}
	d, err = e.c.DescribeMapRun(e.ctx, &sdk.DescribeMapRunInput{MapRunArn: runs.MapRuns[0].MapRunArn})
	if err != nil || d.Status != types.MapRunStatusSucceeded || *d.RedriveCount != 1 || d.RedriveDate == nil || d.StopDate == nil {
		t.Errorf("redriven map run: %+v %v", d, err)
	}
}

// checkMapRunChildren checks the child executions of the succeeded Map
// Run of TestSDKMapRuns (three items): ListExecutions with its mapRunArn
// lists one per item, filtered and paged, and DescribeExecution describes
// each.
func checkMapRunChildren(t *testing.T, e *sdkEnv, sm, mapRun string) {
	t.Helper()
	list := func(in *sdk.ListExecutionsInput) *sdk.ListExecutionsOutput {
		t.Helper()
		in.MapRunArn = aws.String(mapRun)
		out, err := e.c.ListExecutions(e.ctx, in)
		if err != nil {
			t.Fatalf("list the map run's executions: %v", err)
		}
		return out
	}
	all := list(&sdk.ListExecutionsInput{})
	if len(all.Executions) != 3 || all.NextToken != nil {
		t.Fatalf("map run executions: %+v", all)
	}
	names := map[string]bool{}
	for _, x := range all.Executions {
		names[*x.Name] = true
		if *x.ExecutionArn != "arn:aws:states:us-east-1:123456789012:execution:distributed/lbl:"+*x.Name || *x.StateMachineArn != sm+"/lbl" ||
			x.MapRunArn == nil || *x.MapRunArn != mapRun || x.Status != types.ExecutionStatusSucceeded || x.StartDate == nil || x.StopDate == nil {
			t.Errorf("map run execution %+v", x)
		}
		d := e.describe(*x.ExecutionArn)
		if *d.ExecutionArn != *x.ExecutionArn || *d.Name != *x.Name || *d.StateMachineArn != sm+"/lbl" || d.MapRunArn == nil || *d.MapRunArn != mapRun ||
			d.Status != types.ExecutionStatusSucceeded || d.StopDate == nil || d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable {
			t.Errorf("describe map run execution %+v", d)
		}
	}
	if len(names) != 3 {
		t.Errorf("map run execution names %v", names)
	}
	for _, tc := range []struct {
		name string
		in   sdk.ListExecutionsInput
		want int
	}{
		{"status SUCCEEDED", sdk.ListExecutionsInput{StatusFilter: types.ExecutionStatusSucceeded}, 3},
		{"status FAILED", sdk.ListExecutionsInput{StatusFilter: types.ExecutionStatusFailed}, 0},
		{"not redriven", sdk.ListExecutionsInput{RedriveFilter: types.ExecutionRedriveFilterNotRedriven}, 3},
		{"redriven", sdk.ListExecutionsInput{RedriveFilter: types.ExecutionRedriveFilterRedriven}, 0},
	} {
		if got := list(&tc.in); len(got.Executions) != tc.want {
			t.Errorf("%s: %d executions, want %d", tc.name, len(got.Executions), tc.want)
		}
	}
	first := list(&sdk.ListExecutionsInput{MaxResults: 2})
	if len(first.Executions) != 2 || first.NextToken == nil {
		t.Fatalf("first page: %+v", first)
	}
	second := list(&sdk.ListExecutionsInput{MaxResults: 2, NextToken: first.NextToken})
	if len(second.Executions) != 1 || second.NextToken != nil || *second.Executions[0].Name != *all.Executions[2].Name {
		t.Errorf("second page: %+v", second)
	}
	_, err := e.c.ListExecutions(e.ctx, &sdk.ListExecutionsInput{MapRunArn: aws.String(mapRun), StatusFilter: types.ExecutionStatusFailed, NextToken: first.NextToken})
	asError[*types.InvalidToken](t, err, "a token of another filter")
	beyond := strings.TrimSuffix(*all.Executions[0].ExecutionArn, "-0") + "-3"
	_, err = e.c.DescribeExecution(e.ctx, &sdk.DescribeExecutionInput{ExecutionArn: aws.String(beyond)})
	asError[*types.ExecutionDoesNotExist](t, err, "describe an item the map run does not have")
}

// TestSDKBadRequests sends what no SDK would: malformed bodies, unknown
// actions, a missing target. Each gets an AWS-shaped error and the server
// keeps serving.
func TestSDKBadRequests(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	tests := []struct {
		name, target, body string
		status             int
		errType            string
	}{
		{"malformed JSON", "AWSStepFunctions.ListStateMachines", `{not json`, 400, "SerializationException"},
		{"wrong member type", "AWSStepFunctions.ListStateMachines", `{"maxResults": "ten"}`, 400, "SerializationException"},
		{"JSON array body", "AWSStepFunctions.CreateStateMachine", `[]`, 400, "SerializationException"},
		{"unknown action", "AWSStepFunctions.FrobnicateStateMachine", `{}`, 400, "UnknownOperationException"},
		{"unknown service", "AWSNothing.ListStateMachines", `{}`, 400, "UnknownOperationException"},
		{"no target", "", `{}`, 400, "UnknownOperationException"},
		{"missing required member", "AWSStepFunctions.DescribeExecution", `{}`, 400, "ValidationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(e.ctx, http.MethodPost, e.srv.URL()+"/", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.0")
			if tc.target != "" {
				req.Header.Set("X-Amz-Target", tc.target)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("error body: %v", err)
			}
			if resp.StatusCode != tc.status || !strings.HasSuffix(body.Type, tc.errType) || body.Message == "" {
				t.Errorf("status %d, body %+v; want %d %s with a message", resp.StatusCode, body, tc.status, tc.errType)
			}
		})
	}
	if _, err := e.c.ListStateMachines(e.ctx, &sdk.ListStateMachinesInput{}); err != nil {
		t.Errorf("the server stopped serving: %v", err)
	}
}

// TestSDKSQLite runs a lifecycle on the default SQLite store: machines,
// versions, aliases, tags, executions (one redriven) and their history.
func TestSDKSQLite(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "")
	created, err := e.c.CreateStateMachine(e.ctx, &sdk.CreateStateMachineInput{Name: aws.String("durable"), RoleArn: aws.String(sdkRole), Publish: true,
		Definition: aws.String(`{"StartAt": "Gate", "States": {
			"Gate": {"Type": "Choice", "Choices": [{"Variable": "$$.Execution.RedriveCount", "NumericGreaterThan": 0, "Next": "Done"}]},
			"Done": {"Type": "Succeed"}}}`),
		Tags: []types.Tag{{Key: aws.String("store"), Value: aws.String("sqlite")}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.c.CreateStateMachineAlias(e.ctx, &sdk.CreateStateMachineAliasInput{Name: aws.String("current"),
		RoutingConfiguration: []types.RoutingConfigurationListItem{{StateMachineVersionArn: created.StateMachineVersionArn, Weight: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := e.c.ListTagsForResource(e.ctx, &sdk.ListTagsForResourceInput{ResourceArn: created.StateMachineArn})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Value != "sqlite" {
		t.Errorf("tags: %+v %v", tags, err)
	}
	arn := e.start(*a.StateMachineAliasArn, "on-disk", `{"x": 1}`)
	if d := e.waitDone(arn); d.Status != types.ExecutionStatusFailed || *d.StateMachineAliasArn != *a.StateMachineAliasArn {
		t.Fatalf("first attempt: %+v", d)
	}
	if _, err := e.c.RedriveExecution(e.ctx, &sdk.RedriveExecutionInput{ExecutionArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if d := e.waitDone(arn); d.Status != types.ExecutionStatusSucceeded || *d.Output != `{"x": 1}` && *d.Output != `{"x":1}` || *d.RedriveCount != 1 {
		t.Errorf("redriven on SQLite: %+v", d)
	}
	want := []string{"ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed", "ExecutionRedriven", "ChoiceStateEntered",
		"ChoiceStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"}
	if got := eventTypes(e.history(arn)); !slices.Equal(got, want) {
		t.Errorf("history %v, want %v", got, want)
	}
	versions, err := e.c.ListStateMachineVersions(e.ctx, &sdk.ListStateMachineVersionsInput{StateMachineArn: created.StateMachineArn})
	if err != nil || len(versions.StateMachineVersions) != 1 {
		t.Errorf("versions: %+v %v", versions, err)
	}
}
