package lambda

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Function configuration defaults and bounds (aws-semantics §6.3).
const (
	DefaultTimeout    = 3     // seconds
	MaxTimeout        = 900   // seconds
	DefaultMemorySize = 128   // MB
	MinMemorySize     = 128   // MB
	MaxMemorySize     = 10240 // MB
	maxNameLength     = 64
	maxDescription    = 256
)

// FunctionConfiguration is the Lambda API's FunctionConfiguration shape,
// as returned by CreateFunction, GetFunctionConfiguration and friends.
type FunctionConfiguration struct {
	FunctionName     string                `json:"FunctionName"`
	FunctionArn      string                `json:"FunctionArn"`
	Runtime          string                `json:"Runtime,omitempty"`
	Role             string                `json:"Role"`
	Handler          string                `json:"Handler,omitempty"`
	CodeSize         int64                 `json:"CodeSize"`
	Description      string                `json:"Description"`
	Timeout          int                   `json:"Timeout"`
	MemorySize       int                   `json:"MemorySize"`
	LastModified     string                `json:"LastModified"`
	CodeSha256       string                `json:"CodeSha256"`
	Version          string                `json:"Version"`
	Environment      *EnvironmentResponse  `json:"Environment,omitempty"`
	TracingConfig    *TracingConfig        `json:"TracingConfig,omitempty"`
	RevisionID       string                `json:"RevisionId"`
	State            string                `json:"State"`
	LastUpdateStatus string                `json:"LastUpdateStatus"`
	PackageType      string                `json:"PackageType"`
	Architectures    []string              `json:"Architectures"`
	EphemeralStorage *EphemeralStorage     `json:"EphemeralStorage,omitempty"`
	SnapStart        *SnapStartResponse    `json:"SnapStart,omitempty"`
	LoggingConfig    *LoggingConfig        `json:"LoggingConfig,omitempty"`
	RuntimeVersion   *RuntimeVersionConfig `json:"RuntimeVersionConfig,omitempty"`
}

// EnvironmentResponse holds a function's environment variables.
type EnvironmentResponse struct {
	Variables map[string]string `json:"Variables"`
}

// Environment is the Environment member of create and update requests.
type Environment struct {
	Variables map[string]string `json:"Variables"`
}

// TracingConfig is the X-Ray tracing mode; stepd records it only.
type TracingConfig struct {
	Mode string `json:"Mode"`
}

// EphemeralStorage is the /tmp size in MB; stepd records it only.
type EphemeralStorage struct {
	Size int `json:"Size"`
}

// SnapStartResponse is the SnapStart setting; always off in stepd.
type SnapStartResponse struct {
	ApplyOn            string `json:"ApplyOn"`
	OptimizationStatus string `json:"OptimizationStatus"`
}

// LoggingConfig names the function's log group and format.
type LoggingConfig struct {
	LogFormat string `json:"LogFormat,omitempty"`
	LogGroup  string `json:"LogGroup,omitempty"`
}

// RuntimeVersionConfig identifies the runtime build; stepd reports the local
// interpreter.
type RuntimeVersionConfig struct {
	RuntimeVersionArn string `json:"RuntimeVersionArn"`
}

// FunctionCode is the Code member of CreateFunction and the body of
// UpdateFunctionCode: a zip archive, or a local directory.
type FunctionCode struct {
	// ZipFile is the zip archive's bytes (base64 in JSON).
	ZipFile []byte `json:"ZipFile,omitempty"`
	// S3Bucket and S3Key name code in S3. stepd has no S3; the bucket name
	// "hot-reload" (as LocalStack uses it) with S3Key set to an absolute
	// directory path makes the function run from that directory in place.
	S3Bucket        string `json:"S3Bucket,omitempty"`
	S3Key           string `json:"S3Key,omitempty"`
	S3ObjectVersion string `json:"S3ObjectVersion,omitempty"`
	ImageURI        string `json:"ImageUri,omitempty"`
	// Dir is a local directory to run the function from in place (Go
	// callers; over the API use S3Bucket "hot-reload").
	Dir string `json:"-"`
}

// HotReloadBucket is the S3Bucket value that makes S3Key a local directory.
const HotReloadBucket = "hot-reload"

// localDir returns the in-place code directory, if the code names one.
func (c *FunctionCode) localDir() string {
	if c.Dir != "" {
		return c.Dir
	}
	if c.S3Bucket == HotReloadBucket {
		return c.S3Key
	}
	return ""
}

// CreateFunctionInput is the CreateFunction request.
type CreateFunctionInput struct {
	FunctionName     string            `json:"FunctionName"`
	Runtime          string            `json:"Runtime"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler"`
	Code             FunctionCode      `json:"Code"`
	Description      string            `json:"Description"`
	Timeout          *int              `json:"Timeout"`
	MemorySize       *int              `json:"MemorySize"`
	Publish          bool              `json:"Publish"`
	Environment      *Environment      `json:"Environment"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage *EphemeralStorage `json:"EphemeralStorage"`
	TracingConfig    *TracingConfig    `json:"TracingConfig"`
	LoggingConfig    *LoggingConfig    `json:"LoggingConfig"`
	Tags             map[string]string `json:"Tags"`
}

// UpdateFunctionConfigurationInput is the UpdateFunctionConfiguration
// request; nil members are left unchanged.
type UpdateFunctionConfigurationInput struct {
	FunctionName     string            `json:"-"`
	Role             *string           `json:"Role"`
	Handler          *string           `json:"Handler"`
	Description      *string           `json:"Description"`
	Timeout          *int              `json:"Timeout"`
	MemorySize       *int              `json:"MemorySize"`
	Environment      *Environment      `json:"Environment"`
	Runtime          *string           `json:"Runtime"`
	EphemeralStorage *EphemeralStorage `json:"EphemeralStorage"`
	TracingConfig    *TracingConfig    `json:"TracingConfig"`
	LoggingConfig    *LoggingConfig    `json:"LoggingConfig"`
	RevisionID       string            `json:"RevisionId"`
}

// UpdateFunctionCodeInput is the UpdateFunctionCode request.
type UpdateFunctionCodeInput struct {
	FunctionName string `json:"-"`
	FunctionCode
	Publish       bool     `json:"Publish"`
	DryRun        bool     `json:"DryRun"`
	RevisionID    string   `json:"RevisionId"`
	Architectures []string `json:"Architectures"`
}

// GetFunctionOutput is the GetFunction response.
type GetFunctionOutput struct {
	Configuration *FunctionConfiguration `json:"Configuration"`
	Code          CodeLocation           `json:"Code"`
	Tags          map[string]string      `json:"Tags,omitempty"`
	Concurrency   *Concurrency           `json:"Concurrency,omitempty"`
}

// CodeLocation says where a function's code can be downloaded.
type CodeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location"`
}

// Concurrency is a function's reserved concurrency.
type Concurrency struct {
	ReservedConcurrentExecutions int `json:"ReservedConcurrentExecutions"`
}

// ListFunctionsOutput is one page of ListFunctions.
type ListFunctionsOutput struct {
	Functions  []*FunctionConfiguration `json:"Functions"`
	NextMarker string                   `json:"NextMarker,omitempty"`
}

var (
	namePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	rolePattern = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	envKey      = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)
	// handlerPattern is the model's [^\s]+ with Java's \s, which (unlike
	// Go's) includes the vertical tab.
	handlerPattern  = regexp.MustCompile(`^[^ \t\n\v\f\r]+$`)
	logGroupPattern = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)
)

// Model bounds of members stepd records but does not act on.
const (
	maxHandler          = 128
	minEphemeralStorage = 512   // MB
	maxEphemeralStorage = 10240 // MB
	maxLogGroup         = 512
)

// reservedEnvKeys are environment variables Lambda sets itself and refuses
// in a function's Environment.
var reservedEnvKeys = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true,
	"AWS_LAMBDA_LOG_GROUP_NAME": true, "AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true,
	"AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true,
	"AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

func validateName(name string) error {
	if name == "" {
		return errValidation(nil, "functionName", "Member must not be null")
	}
	if len(name) > maxNameLength {
		return errValidation(name, "functionName", "Member must have length less than or equal to 64")
	}
	if !namePattern.MatchString(name) {
		return errValidation(name, "functionName",
			"Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?")
	}
	return nil
}

func validateRole(role string) error {
	if role == "" {
		return errValidation(nil, "role", "Member must not be null")
	}
	if !rolePattern.MatchString(role) {
		return errValidation(role, "role",
			"Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
	}
	return nil
}

func validateTimeout(t int) error {
	if t < 1 {
		return errValidation(t, "timeout", "Member must have value greater than or equal to 1")
	}
	if t > MaxTimeout {
		return errInvalid("Timeout must be less than or equal to %d seconds.", MaxTimeout)
	}
	return nil
}

func validateMemory(m int) error {
	if m < MinMemorySize {
		return errValidation(m, "memorySize", "Member must have value greater than or equal to 128")
	}
	if m > MaxMemorySize {
		return errValidation(m, "memorySize", "Member must have value less than or equal to 10240")
	}
	return nil
}

func validateEnvironment(env *Environment) error {
	if env == nil {
		return nil
	}
	var reserved []string
	size := 0
	for k, v := range env.Variables {
		if reservedEnvKeys[k] {
			reserved = append(reserved, k)
			continue
		}
		if !envKey.MatchString(k) {
			return errValidation(k, "environment.variables",
				"Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+")
		}
		size += len(k) + len(v)
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return errInvalid("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	if size > 4096 {
		return errInvalid("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %d", size)
	}
	return nil
}

// validateHandler checks a Handler against the model (at most 128
// characters, no whitespace). An empty one is refused only when required:
// provided runtimes need none.
func validateHandler(h string, required bool) error {
	if h == "" {
		if required {
			return errInvalid("Handler must be specified for functions of package type Zip.")
		}
		return nil
	}
	if utf8.RuneCountInString(h) > maxHandler {
		return errValidation(h, "handler", "Member must have length less than or equal to 128")
	}
	if !handlerPattern.MatchString(h) {
		return errValidation(h, "handler", `Member must satisfy regular expression pattern: [^\s]+`)
	}
	return nil
}

// validateArchitectures checks an Architectures member: absent (nil), or a
// list of exactly one of x86_64 and arm64. The list is rendered as the
// Lambda API renders it in its message, "[a, b]".
func validateArchitectures(archs []string) error {
	if archs == nil {
		return nil
	}
	value := "[" + strings.Join(archs, ", ") + "]"
	switch {
	case len(archs) == 0:
		return errValidation(value, "architectures", "Member must have length greater than or equal to 1")
	case len(archs) > 1:
		return errValidation(value, "architectures", "Member must have length less than or equal to 1")
	case archs[0] != "x86_64" && archs[0] != "arm64":
		return errValidation(value, "architectures",
			"Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]")
	}
	return nil
}

// validateRecorded checks the members stepd records without acting on them:
// EphemeralStorage, TracingConfig and LoggingConfig. nil members and empty
// strings are absent.
func validateRecorded(storage *EphemeralStorage, tracing *TracingConfig, logging *LoggingConfig) error {
	if storage != nil {
		if storage.Size < minEphemeralStorage {
			return errValidation(storage.Size, "ephemeralStorage.size", "Member must have value greater than or equal to 512")
		}
		if storage.Size > maxEphemeralStorage {
			return errValidation(storage.Size, "ephemeralStorage.size", "Member must have value less than or equal to 10240")
		}
	}
	if tracing != nil && tracing.Mode != "" && tracing.Mode != "Active" && tracing.Mode != "PassThrough" {
		return errValidation(tracing.Mode, "tracingConfig.mode", "Member must satisfy enum value set: [Active, PassThrough]")
	}
	if logging != nil {
		if f := logging.LogFormat; f != "" && f != "JSON" && f != "Text" {
			return errValidation(f, "loggingConfig.logFormat", "Member must satisfy enum value set: [JSON, Text]")
		}
		if g := logging.LogGroup; g != "" {
			if utf8.RuneCountInString(g) > maxLogGroup {
				return errValidation(g, "loggingConfig.logGroup", "Member must have length less than or equal to 512")
			}
			if !logGroupPattern.MatchString(g) {
				return errValidation(g, "loggingConfig.logGroup", `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
			}
		}
	}
	return nil
}

// validateUpdateConfig checks the members of an UpdateFunctionConfiguration
// request that do not depend on the function's current configuration.
func validateUpdateConfig(in *UpdateFunctionConfigurationInput) error {
	if in.Handler != nil {
		if err := validateHandler(*in.Handler, false); err != nil {
			return err
		}
	}
	return validateRecorded(in.EphemeralStorage, in.TracingConfig, in.LoggingConfig)
}

// validateCreate checks a CreateFunction request and returns a description
// of what is wrong, AWS-worded.
func validateCreate(in *CreateFunctionInput) error {
	if err := validateName(in.FunctionName); err != nil {
		return err
	}
	if err := validateRole(in.Role); err != nil {
		return err
	}
	if in.PackageType != "" && in.PackageType != "Zip" {
		return errInvalid("PackageType %s is not supported by stepd; use Zip.", in.PackageType)
	}
	if in.Runtime == "" {
		return errInvalid("Runtime must be specified for functions of package type Zip.")
	}
	if _, err := runtimeKindOf(in.Runtime); err != nil {
		return err
	}
	if err := validateHandler(in.Handler, !isProvided(in.Runtime)); err != nil {
		return err
	}
	if in.Timeout != nil {
		if err := validateTimeout(*in.Timeout); err != nil {
			return err
		}
	}
	if in.MemorySize != nil {
		if err := validateMemory(*in.MemorySize); err != nil {
			return err
		}
	}
	if err := checkDescription(in.Description); err != nil {
		return err
	}
	if err := validateArchitectures(in.Architectures); err != nil {
		return err
	}
	if err := validateRecorded(in.EphemeralStorage, in.TracingConfig, in.LoggingConfig); err != nil {
		return err
	}
	return validateEnvironment(in.Environment)
}

// copyConfig returns a deep copy of c, so callers can't reach shared state.
func copyConfig(c *FunctionConfiguration) *FunctionConfiguration {
	out := *c
	if c.Environment != nil {
		vars := make(map[string]string, len(c.Environment.Variables))
		for k, v := range c.Environment.Variables {
			vars[k] = v
		}
		out.Environment = &EnvironmentResponse{Variables: vars}
	}
	if c.TracingConfig != nil {
		t := *c.TracingConfig
		out.TracingConfig = &t
	}
	if c.EphemeralStorage != nil {
		e := *c.EphemeralStorage
		out.EphemeralStorage = &e
	}
	if c.SnapStart != nil {
		s := *c.SnapStart
		out.SnapStart = &s
	}
	if c.LoggingConfig != nil {
		l := *c.LoggingConfig
		out.LoggingConfig = &l
	}
	if c.RuntimeVersion != nil {
		r := *c.RuntimeVersion
		out.RuntimeVersion = &r
	}
	out.Architectures = append([]string(nil), c.Architectures...)
	return &out
}

// checkDescription checks a function's, version's or alias's Description
// (at most maxDescription bytes).
func checkDescription(d string) error {
	if len(d) > maxDescription {
		return errValidation(d, "description", "Member must have length less than or equal to 256")
	}
	return nil
}
