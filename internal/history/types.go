package history

// Type is a history event type, as the HistoryEventType enum of the Step
// Functions API names it.
type Type string

// The event types (API reference, HistoryEvent).
const (
	ActivityFailed             Type = "ActivityFailed"
	ActivityScheduled          Type = "ActivityScheduled"
	ActivityScheduleFailed     Type = "ActivityScheduleFailed"
	ActivityStarted            Type = "ActivityStarted"
	ActivitySucceeded          Type = "ActivitySucceeded"
	ActivityTimedOut           Type = "ActivityTimedOut"
	ChoiceStateEntered         Type = "ChoiceStateEntered"
	ChoiceStateExited          Type = "ChoiceStateExited"
	ExecutionAborted           Type = "ExecutionAborted"
	ExecutionFailed            Type = "ExecutionFailed"
	ExecutionStarted           Type = "ExecutionStarted"
	ExecutionSucceeded         Type = "ExecutionSucceeded"
	ExecutionTimedOut          Type = "ExecutionTimedOut"
	ExecutionRedriven          Type = "ExecutionRedriven"
	FailStateEntered           Type = "FailStateEntered"
	LambdaFunctionFailed       Type = "LambdaFunctionFailed"
	LambdaFunctionScheduled    Type = "LambdaFunctionScheduled"
	LambdaFunctionScheduleFail Type = "LambdaFunctionScheduleFailed"
	LambdaFunctionStarted      Type = "LambdaFunctionStarted"
	LambdaFunctionStartFailed  Type = "LambdaFunctionStartFailed"
	LambdaFunctionSucceeded    Type = "LambdaFunctionSucceeded"
	LambdaFunctionTimedOut     Type = "LambdaFunctionTimedOut"
	MapIterationAborted        Type = "MapIterationAborted"
	MapIterationFailed         Type = "MapIterationFailed"
	MapIterationStarted        Type = "MapIterationStarted"
	MapIterationSucceeded      Type = "MapIterationSucceeded"
	MapStateAborted            Type = "MapStateAborted"
	MapStateEntered            Type = "MapStateEntered"
	MapStateExited             Type = "MapStateExited"
	MapStateFailed             Type = "MapStateFailed"
	MapStateStarted            Type = "MapStateStarted"
	MapStateSucceeded          Type = "MapStateSucceeded"
	MapRunAborted              Type = "MapRunAborted"
	MapRunFailed               Type = "MapRunFailed"
	MapRunStarted              Type = "MapRunStarted"
	MapRunSucceeded            Type = "MapRunSucceeded"
	MapRunRedriven             Type = "MapRunRedriven"
	ParallelStateAborted       Type = "ParallelStateAborted"
	ParallelStateEntered       Type = "ParallelStateEntered"
	ParallelStateExited        Type = "ParallelStateExited"
	ParallelStateFailed        Type = "ParallelStateFailed"
	ParallelStateStarted       Type = "ParallelStateStarted"
	ParallelStateSucceeded     Type = "ParallelStateSucceeded"
	PassStateEntered           Type = "PassStateEntered"
	PassStateExited            Type = "PassStateExited"
	SucceedStateEntered        Type = "SucceedStateEntered"
	SucceedStateExited         Type = "SucceedStateExited"
	TaskFailed                 Type = "TaskFailed"
	TaskScheduled              Type = "TaskScheduled"
	TaskStarted                Type = "TaskStarted"
	TaskStartFailed            Type = "TaskStartFailed"
	TaskStateAborted           Type = "TaskStateAborted"
	TaskStateEntered           Type = "TaskStateEntered"
	TaskStateExited            Type = "TaskStateExited"
	TaskSubmitFailed           Type = "TaskSubmitFailed"
	TaskSubmitted              Type = "TaskSubmitted"
	TaskSucceeded              Type = "TaskSucceeded"
	TaskTimedOut               Type = "TaskTimedOut"
	WaitStateAborted           Type = "WaitStateAborted"
	WaitStateEntered           Type = "WaitStateEntered"
	WaitStateExited            Type = "WaitStateExited"
	EvaluationFailed           Type = "EvaluationFailed"
)

// detailsKey maps each type to the member that carries its details. Types
// without details (LambdaFunctionStarted, ...) have no entry.
var detailsKey = map[Type]string{
	ActivityFailed:             "activityFailedEventDetails",
	ActivityScheduled:          "activityScheduledEventDetails",
	ActivityScheduleFailed:     "activityScheduleFailedEventDetails",
	ActivityStarted:            "activityStartedEventDetails",
	ActivitySucceeded:          "activitySucceededEventDetails",
	ActivityTimedOut:           "activityTimedOutEventDetails",
	ChoiceStateEntered:         "stateEnteredEventDetails",
	ChoiceStateExited:          "stateExitedEventDetails",
	ExecutionAborted:           "executionAbortedEventDetails",
	ExecutionFailed:            "executionFailedEventDetails",
	ExecutionStarted:           "executionStartedEventDetails",
	ExecutionSucceeded:         "executionSucceededEventDetails",
	ExecutionTimedOut:          "executionTimedOutEventDetails",
	ExecutionRedriven:          "executionRedrivenEventDetails",
	FailStateEntered:           "stateEnteredEventDetails",
	LambdaFunctionFailed:       "lambdaFunctionFailedEventDetails",
	LambdaFunctionScheduled:    "lambdaFunctionScheduledEventDetails",
	LambdaFunctionScheduleFail: "lambdaFunctionScheduleFailedEventDetails",
	LambdaFunctionStartFailed:  "lambdaFunctionStartFailedEventDetails",
	LambdaFunctionSucceeded:    "lambdaFunctionSucceededEventDetails",
	LambdaFunctionTimedOut:     "lambdaFunctionTimedOutEventDetails",
	MapIterationAborted:        "mapIterationAbortedEventDetails",
	MapIterationFailed:         "mapIterationFailedEventDetails",
	MapIterationStarted:        "mapIterationStartedEventDetails",
	MapIterationSucceeded:      "mapIterationSucceededEventDetails",
	MapStateEntered:            "stateEnteredEventDetails",
	MapStateExited:             "stateExitedEventDetails",
	MapStateStarted:            "mapStateStartedEventDetails",
	MapRunFailed:               "mapRunFailedEventDetails",
	MapRunStarted:              "mapRunStartedEventDetails",
	MapRunRedriven:             "mapRunRedrivenEventDetails",
	ParallelStateEntered:       "stateEnteredEventDetails",
	ParallelStateExited:        "stateExitedEventDetails",
	PassStateEntered:           "stateEnteredEventDetails",
	PassStateExited:            "stateExitedEventDetails",
	SucceedStateEntered:        "stateEnteredEventDetails",
	SucceedStateExited:         "stateExitedEventDetails",
	TaskFailed:                 "taskFailedEventDetails",
	TaskScheduled:              "taskScheduledEventDetails",
	TaskStarted:                "taskStartedEventDetails",
	TaskStartFailed:            "taskStartFailedEventDetails",
	TaskStateEntered:           "stateEnteredEventDetails",
	TaskStateExited:            "stateExitedEventDetails",
	TaskSubmitFailed:           "taskSubmitFailedEventDetails",
	TaskSubmitted:              "taskSubmittedEventDetails",
	TaskSucceeded:              "taskSucceededEventDetails",
	TaskTimedOut:               "taskTimedOutEventDetails",
	WaitStateEntered:           "stateEnteredEventDetails",
	WaitStateExited:            "stateExitedEventDetails",
	EvaluationFailed:           "evaluationFailedEventDetails",
}

// DetailsKey returns the JSON member that carries t's details, or "".
func DetailsKey(t Type) string { return detailsKey[t] }
