package asl

// Which fields each state type accepts (Amazon States Language spec and AWS
// Step Functions developer guide, "State machine structure" and the per-type
// pages; aws-semantics.md §1.2). A field outside its type's set is reported as
// "Field '<name>' is not supported".
var stateFields = func() map[StateType]map[string]bool {
	common := []string{"Type", "Comment", "QueryLanguage"}
	flow := []string{"Next", "End"}
	io := []string{"InputPath", "OutputPath", "Output"}
	types := map[StateType][]string{
		TypePass: {"Result", "ResultPath", "Parameters", "Assign"},
		TypeTask: {"Resource", "Parameters", "ResultSelector", "ResultPath", "Arguments", "Assign", "Retry", "Catch",
			"TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"},
		TypeChoice:  {"Choices", "Default", "Assign"},
		TypeWait:    {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign"},
		TypeSucceed: {},
		TypeFail:    {"Error", "ErrorPath", "Cause", "CausePath"},
		TypeParallel: {"Branches", "Parameters", "ResultSelector", "ResultPath", "Arguments", "Assign", "Retry",
			"Catch"},
		TypeMap: {"ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector", "Parameters", "ItemReader",
			"ItemBatcher", "ResultWriter", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount",
			"ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "Label",
			"ResultSelector", "ResultPath", "Assign", "Retry", "Catch"},
	}
	out := map[StateType]map[string]bool{}
	for t, fs := range types {
		set := map[string]bool{}
		for _, group := range [][]string{common, fs} {
			for _, f := range group {
				set[f] = true
			}
		}
		if t != TypeChoice && t != TypeSucceed && t != TypeFail {
			for _, f := range flow {
				set[f] = true
			}
		}
		if t != TypeFail {
			for _, f := range io {
				set[f] = true
			}
		}
		out[t] = set
	}
	return out
}()

// jsonPathOnly are the fields a JSONata state may not use.
var jsonPathOnly = map[string]bool{
	"InputPath": true, "OutputPath": true, "Parameters": true, "ResultSelector": true, "ResultPath": true,
	"Result": true, "TimeoutSecondsPath": true, "HeartbeatSecondsPath": true, "SecondsPath": true,
	"TimestampPath": true, "ErrorPath": true, "CausePath": true, "ItemsPath": true, "MaxConcurrencyPath": true,
	"ToleratedFailureCountPath": true, "ToleratedFailurePercentagePath": true,
}

// jsonataOnly are the fields a JSONPath state may not use.
var jsonataOnly = map[string]bool{"Arguments": true, "Output": true, "Items": true}

// Fields of the other objects of the language.
var (
	topFields       = set("Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage")
	branchFields    = set("Comment", "StartAt", "States")
	processorFields = set("Comment", "StartAt", "States", "ProcessorConfig")
	retrierFields   = set("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
		"JitterStrategy", "Comment")
	catcherFields     = set("ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment")
	procConfigFields  = set("Mode", "ExecutionType")
	itemBatcherFields = set("MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
		"MaxInputBytesPerBatchPath", "BatchInput")
	itemReaderFields   = set("Resource", "ReaderConfig", "Parameters", "Arguments")
	resultWriterFields = set("Resource", "WriterConfig", "Parameters", "Arguments")
	credentialsFields  = set("RoleArn", "RoleArn.$")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// comparisonOps are the JSONPath Choice data-test operators and the JSON type
// of their operand ("path" for the *Path variants).
var comparisonOps = map[string]string{
	"StringEquals": "string", "StringLessThan": "string", "StringGreaterThan": "string",
	"StringLessThanEquals": "string", "StringGreaterThanEquals": "string", "StringMatches": "string",
	"NumericEquals": "number", "NumericLessThan": "number", "NumericGreaterThan": "number",
	"NumericLessThanEquals": "number", "NumericGreaterThanEquals": "number",
	"BooleanEquals":   "boolean",
	"TimestampEquals": "timestamp", "TimestampLessThan": "timestamp", "TimestampGreaterThan": "timestamp",
	"TimestampLessThanEquals": "timestamp", "TimestampGreaterThanEquals": "timestamp",
	"StringEqualsPath": "path", "StringLessThanPath": "path", "StringGreaterThanPath": "path",
	"StringLessThanEqualsPath": "path", "StringGreaterThanEqualsPath": "path",
	"NumericEqualsPath": "path", "NumericLessThanPath": "path", "NumericGreaterThanPath": "path",
	"NumericLessThanEqualsPath": "path", "NumericGreaterThanEqualsPath": "path",
	"BooleanEqualsPath":   "path",
	"TimestampEqualsPath": "path", "TimestampLessThanPath": "path", "TimestampGreaterThanPath": "path",
	"TimestampLessThanEqualsPath": "path", "TimestampGreaterThanEqualsPath": "path",
	"IsNull": "boolean", "IsPresent": "boolean", "IsNumeric": "boolean", "IsString": "boolean",
	"IsBoolean": "boolean", "IsTimestamp": "boolean",
}
