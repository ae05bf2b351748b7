package sfn_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TestSDKVariableReferences: DescribeStateMachine (of a machine and of a
// version) and DescribeStateMachineForExecution answer the variables each
// state reads, and AWS's default encryptionConfiguration, as AWS does for
// these definitions of LocalStack's AWS-validated snapshot
// test_sfn_api_variable_references.snapshot.json.
func TestSDKVariableReferences(t *testing.T) {
	t.Parallel()
	e := newSDKEnv(t, "memory")
	tests := []struct {
		name, def string
		want      map[string][]string
	}{
		{"base-reference-in-choice", `{"Comment": "BASE_REFERENCE_IN_CHOICE", "StartAt": "Setup", "States": {
			"Setup": {"Type": "Pass", "Assign": {"guess": "the_guess", "answer": "the_answer"}, "Next": "CheckAnswer"},
			"CheckAnswer": {"Type": "Choice", "Choices": [{"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "CorrectAnswer"}], "Default": "WrongAnswer"},
			"CorrectAnswer": {"Type": "Pass", "Result": {"state": "CORRECT"}, "End": true},
			"WrongAnswer": {"Type": "Pass", "Assign": {"guess.$": "$answer"}, "Result": {"state": "WRONG"}, "Next": "CheckAnswer"}}}`,
			map[string][]string{"CheckAnswer": {"answer", "guess"}, "WrongAnswer": {"answer"}}},
		{"map-reference-in-items-path", `{"Comment": "MAP_STATE_REFERENCE_IN_ITEMS_PATH", "StartAt": "Start", "States": {
			"Start": {"Type": "Pass", "Assign": {"Question": "Who's that Pokemon?", "PokemonList": ["Charizard", "Pikachu", "Squirtle"]},
				"Result": {"AnswerTemplate": "It's {}!"}, "Next": "MapIterateState"},
			"MapIterateState": {"Type": "Map", "MaxConcurrency": 1, "ItemsPath": "$PokemonList",
				"ItemSelector": {"AnnouncePokemon.$": "States.Format($.AnswerTemplate, $$.Map.Item.Value)"},
				"ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Pass", "States": {
					"Pass": {"Type": "Pass", "Parameters": {"Question.$": "$Question", "Answer.$": "$.AnnouncePokemon"}, "End": true}}},
				"End": true}}}`,
			map[string][]string{"MapIterateState": {"PokemonList"}, "Pass": {"Question"}}},
		{"base-assign-from-parameters", `{"Comment": "BASE_ASSIGN_FROM_PARAMETERS", "StartAt": "State0", "States": {
			"State0": {"Type": "Pass", "Parameters": {"input": "PENDING"}, "Assign": {"result.$": "$.input"}, "Next": "State1"},
			"State1": {"Type": "Pass", "Assign": {"result": "SUCCESS", "originalResult.$": "$.input"}, "End": true}}}`,
			nil},
		{"jsonata", `{"QueryLanguage": "JSONata", "StartAt": "Setup", "States": {
			"Setup": {"Type": "Pass", "Assign": {"n": 2}, "Next": "Use"},
			"Use": {"Type": "Pass", "Output": "{% $n * $count($states.input.xs) %}", "End": true}}}`,
			map[string][]string{"Use": {"n"}}},
	}
	checkEncryption := func(what string, got *types.EncryptionConfiguration) {
		t.Helper()
		if got == nil || got.Type != types.EncryptionTypeAwsOwnedKey || got.KmsKeyId != nil {
			t.Errorf("%s: encryptionConfiguration %+v, want type AWS_OWNED_KEY", what, got)
		}
	}
	checkRefs := func(what string, got, want map[string][]string) {
		t.Helper()
		if !maps.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s: variableReferences %v, want %v", what, got, want)
		}
	}
	for _, tc := range tests {
		arn := e.createMachine(tc.name, tc.def)
		d, err := e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("%s: describe: %v", tc.name, err)
		}
		checkRefs(tc.name, d.VariableReferences, tc.want)
		checkEncryption(tc.name, d.EncryptionConfiguration)

		p, err := e.c.PublishStateMachineVersion(e.ctx, &sdk.PublishStateMachineVersionInput{StateMachineArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("%s: publish: %v", tc.name, err)
		}
		d, err = e.c.DescribeStateMachine(e.ctx, &sdk.DescribeStateMachineInput{StateMachineArn: p.StateMachineVersionArn})
		if err != nil {
			t.Fatalf("%s: describe version: %v", tc.name, err)
		}
		checkRefs(tc.name+" version", d.VariableReferences, tc.want)
		checkEncryption(tc.name+" version", d.EncryptionConfiguration)

		exec := e.start(arn, "", `{"xs": [1, 2]}`)
		if out := e.waitDone(exec); out.Status != types.ExecutionStatusSucceeded {
			t.Errorf("%s: execution %s", tc.name, out.Status)
		}
		f, err := e.c.DescribeStateMachineForExecution(e.ctx, &sdk.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(exec)})
		if err != nil {
			t.Fatalf("%s: describe for execution: %v", tc.name, err)
		}
		checkRefs(tc.name+" for execution", f.VariableReferences, tc.want)
		checkEncryption(tc.name+" for execution", f.EncryptionConfiguration)
	}

	act, err := e.c.CreateActivity(e.ctx, &sdk.CreateActivityInput{Name: aws.String("encrypted")})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.c.DescribeActivity(e.ctx, &sdk.DescribeActivityInput{ActivityArn: act.ActivityArn})
	if err != nil {
		t.Fatal(err)
	}
	checkEncryption("activity", a.EncryptionConfiguration)
}
