package sfn

import (
	"encoding/json"
	"math"
	"time"

	"stepd/internal/jsonv"
)

// Timestamp is a time on the wire: epoch seconds as a JSON number, written
// as AWS's services write them (e.g. 1.716991513184E9).
type Timestamp time.Time

// MarshalJSON writes epoch seconds with millisecond precision.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return jsonv.AppendFloat(nil, float64(time.Time(t).UnixMilli())/1000), nil
}

// UnmarshalJSON reads epoch seconds.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*t = Timestamp(time.UnixMilli(int64(math.Round(f * 1000))).UTC())
	return nil
}

func ts(t time.Time) *Timestamp {
	if t.IsZero() {
		return nil
	}
	x := Timestamp(t)
	return &x
}

// PayloadDetails says whether a payload was included or truncated.
type PayloadDetails struct {
	Included bool `json:"included"`
}

// StartExecutionInput is StartExecution's request.
type StartExecutionInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            *string `json:"name,omitempty"`
	Input           *string `json:"input,omitempty"`
	TraceHeader     *string `json:"traceHeader,omitempty"`
}

// StartExecutionOutput is StartExecution's response.
type StartExecutionOutput struct {
	ExecutionArn string     `json:"executionArn"`
	StartDate    *Timestamp `json:"startDate"`
}

// StartSyncExecutionInput is StartSyncExecution's request.
type StartSyncExecutionInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            *string `json:"name,omitempty"`
	Input           *string `json:"input,omitempty"`
	TraceHeader     *string `json:"traceHeader,omitempty"`
	IncludedData    *string `json:"includedData,omitempty"`
}

// BillingDetails is StartSyncExecution's billing information.
type BillingDetails struct {
	BilledMemoryUsedInMB         int64 `json:"billedMemoryUsedInMB"`
	BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
}

// StartSyncExecutionOutput is StartSyncExecution's response.
type StartSyncExecutionOutput struct {
	ExecutionArn    string          `json:"executionArn"`
	StateMachineArn string          `json:"stateMachineArn,omitempty"`
	Name            string          `json:"name,omitempty"`
	StartDate       *Timestamp      `json:"startDate"`
	StopDate        *Timestamp      `json:"stopDate"`
	Status          string          `json:"status"`
	Error           *string         `json:"error,omitempty"`
	Cause           *string         `json:"cause,omitempty"`
	Input           *string         `json:"input,omitempty"`
	InputDetails    *PayloadDetails `json:"inputDetails,omitempty"`
	Output          *string         `json:"output,omitempty"`
	OutputDetails   *PayloadDetails `json:"outputDetails,omitempty"`
	TraceHeader     *string         `json:"traceHeader,omitempty"`
	BillingDetails  *BillingDetails `json:"billingDetails,omitempty"`
}

// DescribeExecutionInput is DescribeExecution's request.
type DescribeExecutionInput struct {
	ExecutionArn string  `json:"executionArn"`
	IncludedData *string `json:"includedData,omitempty"`
}

// DescribeExecutionOutput is DescribeExecution's response.
type DescribeExecutionOutput struct {
	ExecutionArn           string          `json:"executionArn"`
	StateMachineArn        string          `json:"stateMachineArn"`
	Name                   string          `json:"name"`
	Status                 string          `json:"status"`
	StartDate              *Timestamp      `json:"startDate"`
	StopDate               *Timestamp      `json:"stopDate,omitempty"`
	Input                  *string         `json:"input,omitempty"`
	InputDetails           *PayloadDetails `json:"inputDetails,omitempty"`
	Output                 *string         `json:"output,omitempty"`
	OutputDetails          *PayloadDetails `json:"outputDetails,omitempty"`
	TraceHeader            *string         `json:"traceHeader,omitempty"`
	MapRunArn              *string         `json:"mapRunArn,omitempty"`
	Error                  *string         `json:"error,omitempty"`
	Cause                  *string         `json:"cause,omitempty"`
	StateMachineVersionArn *string         `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasArn   *string         `json:"stateMachineAliasArn,omitempty"`
	RedriveCount           *int64          `json:"redriveCount,omitempty"`
	RedriveDate            *Timestamp      `json:"redriveDate,omitempty"`
	RedriveStatus          *string         `json:"redriveStatus,omitempty"`
	RedriveStatusReason    *string         `json:"redriveStatusReason,omitempty"`
}

// ListExecutionsInput is ListExecutions' request.
type ListExecutionsInput struct {
	StateMachineArn *string `json:"stateMachineArn,omitempty"`
	StatusFilter    *string `json:"statusFilter,omitempty"`
	MaxResults      *int    `json:"maxResults,omitempty"`
	NextToken       *string `json:"nextToken,omitempty"`
	MapRunArn       *string `json:"mapRunArn,omitempty"`
	RedriveFilter   *string `json:"redriveFilter,omitempty"`
}

// ExecutionListItem is one entry of ListExecutions.
type ExecutionListItem struct {
	ExecutionArn           string     `json:"executionArn"`
	StateMachineArn        string     `json:"stateMachineArn"`
	Name                   string     `json:"name"`
	Status                 string     `json:"status"`
	StartDate              *Timestamp `json:"startDate"`
	StopDate               *Timestamp `json:"stopDate,omitempty"`
	MapRunArn              *string    `json:"mapRunArn,omitempty"`
	ItemCount              *int64     `json:"itemCount,omitempty"`
	StateMachineVersionArn *string    `json:"stateMachineVersionArn,omitempty"`
	StateMachineAliasArn   *string    `json:"stateMachineAliasArn,omitempty"`
	RedriveCount           *int64     `json:"redriveCount,omitempty"`
	RedriveDate            *Timestamp `json:"redriveDate,omitempty"`
}

// ListExecutionsOutput is ListExecutions' response.
type ListExecutionsOutput struct {
	Executions []ExecutionListItem `json:"executions"`
	NextToken  *string             `json:"nextToken,omitempty"`
}

// GetExecutionHistoryInput is GetExecutionHistory's request.
type GetExecutionHistoryInput struct {
	ExecutionArn         string  `json:"executionArn"`
	MaxResults           *int    `json:"maxResults,omitempty"`
	ReverseOrder         *bool   `json:"reverseOrder,omitempty"`
	NextToken            *string `json:"nextToken,omitempty"`
	IncludeExecutionData *bool   `json:"includeExecutionData,omitempty"`
}

// GetExecutionHistoryOutput is GetExecutionHistory's response; the events
// are history.Event values, which encode themselves in AWS's shape.
type GetExecutionHistoryOutput struct {
	Events    []json.RawMessage `json:"events"`
	NextToken *string           `json:"nextToken,omitempty"`
}

// StopExecutionInput is StopExecution's request.
type StopExecutionInput struct {
	ExecutionArn string  `json:"executionArn"`
	Error        *string `json:"error,omitempty"`
	Cause        *string `json:"cause,omitempty"`
}

// StopExecutionOutput is StopExecution's response.
type StopExecutionOutput struct {
	StopDate *Timestamp `json:"stopDate"`
}

// DescribeStateMachineForExecutionInput is the request of
// DescribeStateMachineForExecution.
type DescribeStateMachineForExecutionInput struct {
	ExecutionArn string  `json:"executionArn"`
	IncludedData *string `json:"includedData,omitempty"`
}

// DescribeStateMachineForExecutionOutput is its response.
type DescribeStateMachineForExecutionOutput struct {
	StateMachineArn      string                `json:"stateMachineArn"`
	Name                 string                `json:"name"`
	Definition           string                `json:"definition"`
	RoleArn              string                `json:"roleArn"`
	UpdateDate           *Timestamp            `json:"updateDate"`
	LoggingConfiguration *LoggingConfiguration `json:"loggingConfiguration,omitempty"`
	TracingConfiguration *TracingConfiguration `json:"tracingConfiguration,omitempty"`
	MapRunArn            *string               `json:"mapRunArn,omitempty"`
	Label                *string               `json:"label,omitempty"`
	RevisionId           *string               `json:"revisionId,omitempty"`
	// EncryptionConfiguration is always AWS's default (see awsOwnedKey).
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
	// VariableReferences are those of the definition the execution runs
	// (see DescribeStateMachineOutput).
	VariableReferences map[string][]string `json:"variableReferences,omitempty"`
}
