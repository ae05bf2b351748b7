package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"stepd/internal/asl"
	"stepd/internal/store"
)

// Tag is a resource tag on the wire.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// CreateStateMachineInput is CreateStateMachine's request.
type CreateStateMachineInput struct {
	Name                 string                `json:"name"`
	Definition           *string               `json:"definition"`
	RoleArn              *string               `json:"roleArn"`
	Type                 *string               `json:"type,omitempty"`
	LoggingConfiguration *LoggingConfiguration `json:"loggingConfiguration,omitempty"`
	TracingConfiguration *TracingConfiguration `json:"tracingConfiguration,omitempty"`
	Tags                 []Tag                 `json:"tags,omitempty"`
	Publish              *bool                 `json:"publish,omitempty"`
	VersionDescription   *string               `json:"versionDescription,omitempty"`
}

// CreateStateMachineOutput is CreateStateMachine's response.
type CreateStateMachineOutput struct {
	StateMachineArn        string     `json:"stateMachineArn"`
	CreationDate           *Timestamp `json:"creationDate"`
	StateMachineVersionArn *string    `json:"stateMachineVersionArn,omitempty"`
}

// checkDefinition compiles a definition for a state machine of type smType
// and reports its errors as InvalidDefinition.
func (s *Service) checkDefinition(definition *string, smType string) (*compiled, error) {
	if definition == nil {
		return nil, validation(nil, "definition", "Member must not be null")
	}
	if len(*definition) > 1024*1024 {
		return nil, validation("...", "definition", "Member must have length less than or equal to 1048576")
	}
	c := s.compile(*definition, smType)
	if c.machine == nil {
		return nil, apiError(ErrInvalidDefinition, "%s", c.diags.InvalidDefinitionMessage())
	}
	return c, nil
}

// LoggingConfiguration is a state machine's logging configuration; the
// service fills in AWS's defaults (level OFF, includeExecutionData false).
type LoggingConfiguration struct {
	Level                *string          `json:"level,omitempty"`
	IncludeExecutionData *bool            `json:"includeExecutionData,omitempty"`
	Destinations         []LogDestination `json:"destinations,omitempty"`
}

// LogDestination is where a state machine's logs go.
type LogDestination struct {
	CloudWatchLogsLogGroup *CloudWatchLogsLogGroup `json:"cloudWatchLogsLogGroup,omitempty"`
}

// CloudWatchLogsLogGroup names a CloudWatch Logs log group.
type CloudWatchLogsLogGroup struct {
	LogGroupArn *string `json:"logGroupArn,omitempty"`
}

// TracingConfiguration says whether X-Ray tracing is enabled.
type TracingConfiguration struct {
	Enabled *bool `json:"enabled,omitempty"`
}

// EncryptionConfiguration is how a state machine's or activity's data is
// encrypted at rest.
type EncryptionConfiguration struct {
	KmsKeyId                     *string `json:"kmsKeyId,omitempty"`
	KmsDataKeyReusePeriodSeconds *int64  `json:"kmsDataKeyReusePeriodSeconds,omitempty"`
	Type                         string  `json:"type"`
}

// awsOwnedKey returns the encryption configuration describes report.
// stepd encrypts nothing and keeps no encryptionConfiguration given on
// create; AWS describes a resource created without one as encrypted with
// an AWS-owned key (LocalStack's AWS-validated snapshots).
func awsOwnedKey() *EncryptionConfiguration {
	return &EncryptionConfiguration{Type: "AWS_OWNED_KEY"}
}

// variableReferences returns the workflow variables each state of a
// definition reads, for describes (nil when none, or when the definition
// does not compile).
func (s *Service) variableReferences(definition, smType string) map[string][]string {
	if m := s.compile(definition, smType).machine; m != nil {
		return m.VariableReferences()
	}
	return nil
}

// logGroupARN matches a CloudWatch Logs log group ARN, with or without the
// ":*" qualifier AWS requires.
var logGroupARN = regexp.MustCompile(`^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[\w./#-]{1,512}(:\*)?$`)

// invalidLogging is InvalidLoggingConfiguration.
func invalidLogging(format string, args ...any) *Error {
	return apiError(ErrInvalidLoggingConfiguration, "Invalid Logging Configuration: "+format, args...)
}

// checkLogging checks a logging configuration - a level other than OFF
// has exactly one destination, a CloudWatch Logs log group ARN with the
// ":*" qualifier - and returns it as the store keeps it, with AWS's
// defaults filled in ("" when lc is nil).
func checkLogging(lc *LoggingConfiguration) (string, error) {
	if lc == nil {
		return "", nil
	}
	out := LoggingConfiguration{Level: ptr("OFF"), IncludeExecutionData: ptr(false), Destinations: lc.Destinations}
	if lc.Level != nil {
		out.Level = lc.Level
	}
	if lc.IncludeExecutionData != nil {
		out.IncludeExecutionData = lc.IncludeExecutionData
	}
	switch *out.Level {
	case "OFF", "ALL", "ERROR", "FATAL":
	default:
		return "", validation(*out.Level, "loggingConfiguration.level", "Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]")
	}
	if len(lc.Destinations) > 1 || (*out.Level != "OFF" && len(lc.Destinations) != 1) {
		return "", invalidLogging("Must specify exactly one Log Destination.")
	}
	for _, d := range lc.Destinations {
		if d.CloudWatchLogsLogGroup == nil || d.CloudWatchLogsLogGroup.LogGroupArn == nil || *d.CloudWatchLogsLogGroup.LogGroupArn == "" {
			return "", invalidLogging("A Log Destination must have a CloudWatch Logs log group ARN (cloudWatchLogsLogGroup.logGroupArn).")
		}
		arn := *d.CloudWatchLogsLogGroup.LogGroupArn
		m := logGroupARN.FindStringSubmatch(arn)
		switch {
		case m == nil:
			return "", invalidLogging("Invalid CloudWatch Logs log group ARN: '%s'", arn)
		case m[1] == "":
			return "", invalidLogging("Log Group ARN must be provided with '*' qualifier.")
		}
	}
	b, _ := json.Marshal(out)
	return string(b), nil
}

// checkTracing returns a tracing configuration as the store keeps it ("" when
// tc is nil).
func checkTracing(tc *TracingConfiguration) string {
	if tc == nil {
		return ""
	}
	b, _ := json.Marshal(TracingConfiguration{Enabled: ptr(tc.Enabled != nil && *tc.Enabled)})
	return string(b)
}

func ptr[T any](v T) *T { return &v }

// checkRoleArn checks a state machine's roleArn: present (null is a
// ValidationException), not empty, and an ARN (InvalidArn).
func checkRoleArn(p *string) error {
	switch {
	case p == nil:
		return validation(nil, "roleArn", "Member must not be null")
	case *p == "":
		return validation("", "roleArn", "Member must have length greater than or equal to 1")
	case !strings.HasPrefix(*p, "arn:"):
		return apiError(ErrInvalidArn, "Invalid Arn: 'Invalid ARN prefix: %s'", *p)
	}
	return nil
}

func smType(p *string) (store.StateMachineType, error) {
	if p == nil {
		return store.Standard, nil
	}
	switch *p {
	case "STANDARD", "EXPRESS":
		return store.StateMachineType(*p), nil
	}
	return "", validation(*p, "type", "Member must satisfy enum value set: [STANDARD, EXPRESS]")
}

// CreateStateMachine creates a state machine. Creating one that exists
// with the same definition, type and configuration returns it (AWS is
// idempotent here); with a different one it is StateMachineAlreadyExists.
func (s *Service) CreateStateMachine(ctx context.Context, in *CreateStateMachineInput) (*CreateStateMachineOutput, error) {
	if err := checkName(in.Name, "name"); err != nil {
		return nil, err
	}
	typ, err := smType(in.Type)
	if err != nil {
		return nil, err
	}
	if err := checkRoleArn(in.RoleArn); err != nil {
		return nil, err
	}
	if in.VersionDescription != nil && (in.Publish == nil || !*in.Publish) {
		return nil, apiError(ErrValidation, "Version description can only be set when publish is true")
	}
	if _, err := s.checkDefinition(in.Definition, string(typ)); err != nil {
		return nil, err
	}
	logging, err := checkLogging(in.LoggingConfiguration)
	if err != nil {
		return nil, err
	}
	arn := s.resourceARN("stateMachine", in.Name)
	if err := checkNewTags(in.Tags, arn); err != nil {
		return nil, err
	}
	sm := &store.StateMachine{
		ARN: arn, Name: in.Name, Type: typ, Definition: *in.Definition, RoleARN: *in.RoleArn,
		LoggingConfiguration: logging, TracingConfiguration: checkTracing(in.TracingConfiguration),
		Status: store.Active, CreationDate: s.now(), Tags: storeTags(in.Tags),
	}
	if err := s.store.CreateStateMachine(ctx, sm); err != nil {
		if !errors.Is(err, store.ErrAlreadyExists) {
			return nil, storeError("create state machine", err)
		}
		old, gerr := s.store.GetStateMachine(ctx, arn)
		if gerr != nil {
			return nil, storeError("get state machine", gerr)
		}
		if old.Status == store.Deleting {
			return nil, apiError(ErrStateMachineDeleting, "State Machine is being deleted")
		}
		if old.Definition != sm.Definition || old.Type != sm.Type || old.LoggingConfiguration != sm.LoggingConfiguration ||
			old.TracingConfiguration != sm.TracingConfiguration {
			return nil, apiError(ErrStateMachineAlreadyExists, "State Machine Already Exists: '%s'", arn)
		}
		out := &CreateStateMachineOutput{StateMachineArn: arn, CreationDate: ts(old.CreationDate)}
		if in.Publish != nil && *in.Publish {
			// The same create with publish again answers the version the
			// first one published, if it is still the newest one and has
			// the same description.
			v, err := s.newestVersion(ctx, arn)
			if err != nil {
				return nil, err
			}
			var desc string
			if in.VersionDescription != nil {
				desc = *in.VersionDescription
			}
			if v == nil || v.Definition != old.Definition || v.Description != desc {
				return nil, apiError(ErrStateMachineAlreadyExists, "State Machine Already Exists: '%s'", arn)
			}
			out.StateMachineVersionArn = &v.ARN
		}
		return out, nil
	}
	out := &CreateStateMachineOutput{StateMachineArn: arn, CreationDate: ts(sm.CreationDate)}
	if in.Publish != nil && *in.Publish {
		v := &store.Version{StateMachineARN: arn, CreationDate: sm.CreationDate}
		if in.VersionDescription != nil {
			v.Description = *in.VersionDescription
		}
		if err := s.store.PublishVersion(ctx, v); err != nil {
			return nil, storeError("publish version", err)
		}
		out.StateMachineVersionArn = &v.ARN
	}
	return out, nil
}

// newestVersion returns a state machine's newest version, nil when it has
// none.
func (s *Service) newestVersion(ctx context.Context, arn string) (*store.Version, error) {
	page, err := s.store.ListVersions(ctx, store.ListVersionsParams{StateMachineARN: arn, MaxResults: 1})
	if err != nil {
		return nil, storeError("list versions", err)
	}
	if len(page.Items) == 0 {
		return nil, nil
	}
	return page.Items[0], nil
}

func storeTags(tags []Tag) []store.Tag {
	out := make([]store.Tag, len(tags))
	for i, t := range tags {
		out[i] = store.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// DescribeStateMachineInput is DescribeStateMachine's request.
type DescribeStateMachineInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	IncludedData    *string `json:"includedData,omitempty"`
}

// DescribeStateMachineOutput is DescribeStateMachine's response.
type DescribeStateMachineOutput struct {
	StateMachineArn      string                `json:"stateMachineArn"`
	Name                 string                `json:"name"`
	Status               string                `json:"status,omitempty"`
	Definition           string                `json:"definition"`
	RoleArn              string                `json:"roleArn"`
	Type                 string                `json:"type"`
	CreationDate         *Timestamp            `json:"creationDate"`
	LoggingConfiguration *LoggingConfiguration `json:"loggingConfiguration,omitempty"`
	TracingConfiguration *TracingConfiguration `json:"tracingConfiguration,omitempty"`
	Label                *string               `json:"label,omitempty"`
	RevisionId           *string               `json:"revisionId,omitempty"`
	Description          *string               `json:"description,omitempty"`
	// EncryptionConfiguration is always AWS's default (see awsOwnedKey).
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
	// VariableReferences maps each state that reads workflow variables to
	// their sorted names; absent when no state reads any.
	VariableReferences map[string][]string `json:"variableReferences,omitempty"`
}

// stateMachineARN checks a state machine ARN (no version or alias) and
// returns it with its name.
func (s *Service) stateMachineARN(arn string) (string, string, error) {
	if arn == "" {
		return "", "", validation(nil, "stateMachineArn", "Member must not be null")
	}
	p, ok := parseARN(arn)
	if !ok || p.kind != "stateMachine" || len(p.parts) == 0 || len(p.parts) > 2 || p.parts[0] == "" {
		return "", "", invalidArn(arn)
	}
	return arn, p.parts[0], nil
}

// DescribeStateMachine describes a state machine or one of its versions.
func (s *Service) DescribeStateMachine(ctx context.Context, in *DescribeStateMachineInput) (*DescribeStateMachineOutput, error) {
	arn, name, err := s.stateMachineARN(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	p, _ := parseARN(arn)
	if len(p.parts) == 2 {
		v, err := s.store.GetVersion(ctx, arn)
		if err != nil {
			return nil, apiError(ErrStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
		}
		sm, err := s.store.GetStateMachine(ctx, v.StateMachineARN)
		if err != nil {
			return nil, apiError(ErrStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
		}
		out := &DescribeStateMachineOutput{StateMachineArn: v.ARN, Name: name, Status: string(sm.Status), Definition: v.Definition,
			RoleArn: v.RoleARN, Type: string(sm.Type), CreationDate: ts(v.CreationDate),
			LoggingConfiguration: loggingConfig(v.LoggingConfiguration), TracingConfiguration: tracingConfig(v.TracingConfiguration)}
		if v.RevisionID != "" {
			out.RevisionId = &v.RevisionID
		}
		if v.Description != "" {
			out.Description = &v.Description
		}
		out.EncryptionConfiguration = awsOwnedKey()
		out.VariableReferences = s.variableReferences(v.Definition, string(sm.Type))
		return out, nil
	}
	sm, err := s.store.GetStateMachine(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apiError(ErrStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	}
	if err != nil {
		return nil, storeError("get state machine", err)
	}
	out := &DescribeStateMachineOutput{StateMachineArn: sm.ARN, Name: sm.Name, Status: string(sm.Status), Definition: sm.Definition,
		RoleArn: sm.RoleARN, Type: string(sm.Type), CreationDate: ts(sm.CreationDate),
		LoggingConfiguration: loggingConfig(sm.LoggingConfiguration), TracingConfiguration: tracingConfig(sm.TracingConfiguration)}
	if sm.RevisionID != "" {
		out.RevisionId = &sm.RevisionID
	}
	if sm.Description != "" {
		out.Description = &sm.Description
	}
	if sm.Label != "" {
		out.Label = &sm.Label
	}
	out.EncryptionConfiguration = awsOwnedKey()
	out.VariableReferences = s.variableReferences(sm.Definition, string(sm.Type))
	return out, nil
}

// UpdateStateMachineInput is UpdateStateMachine's request.
type UpdateStateMachineInput struct {
	StateMachineArn      string                `json:"stateMachineArn"`
	Definition           *string               `json:"definition,omitempty"`
	RoleArn              *string               `json:"roleArn,omitempty"`
	LoggingConfiguration *LoggingConfiguration `json:"loggingConfiguration,omitempty"`
	TracingConfiguration *TracingConfiguration `json:"tracingConfiguration,omitempty"`
	Publish              *bool                 `json:"publish,omitempty"`
	VersionDescription   *string               `json:"versionDescription,omitempty"`
}

// UpdateStateMachineOutput is UpdateStateMachine's response.
type UpdateStateMachineOutput struct {
	UpdateDate             *Timestamp `json:"updateDate"`
	RevisionId             *string    `json:"revisionId,omitempty"`
	StateMachineVersionArn *string    `json:"stateMachineVersionArn,omitempty"`
}

// UpdateStateMachine changes a state machine's definition, role or
// configuration; running executions keep the definition they started with.
func (s *Service) UpdateStateMachine(ctx context.Context, in *UpdateStateMachineInput) (*UpdateStateMachineOutput, error) {
	arn, _, err := s.stateMachineARN(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if in.Definition == nil && in.RoleArn == nil && in.LoggingConfiguration == nil && in.TracingConfiguration == nil {
		return nil, apiError(ErrMissingRequiredParameter, "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
	}
	publish := in.Publish != nil && *in.Publish
	if in.VersionDescription != nil && !publish {
		return nil, apiError(ErrValidation, "Version description can only be set when publish is true")
	}
	if err := checkDescription(in.VersionDescription, "versionDescription"); err != nil {
		return nil, err
	}
	sm, err := s.store.GetStateMachine(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apiError(ErrStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	}
	if err != nil {
		return nil, storeError("get state machine", err)
	}
	if sm.Status == store.Deleting {
		return nil, apiError(ErrStateMachineDeleting, "State machine is being deleted: '%s'", arn)
	}
	before := *sm
	if in.Definition != nil {
		if _, err := s.checkDefinition(in.Definition, string(sm.Type)); err != nil {
			return nil, err
		}
		sm.Definition = *in.Definition
	}
	if in.RoleArn != nil {
		if err := checkRoleArn(in.RoleArn); err != nil {
			return nil, err
		}
		sm.RoleARN = *in.RoleArn
	}
	if in.LoggingConfiguration != nil {
		if sm.LoggingConfiguration, err = checkLogging(in.LoggingConfiguration); err != nil {
			return nil, err
		}
	}
	if in.TracingConfiguration != nil {
		sm.TracingConfiguration = checkTracing(in.TracingConfiguration)
	}
	out := &UpdateStateMachineOutput{}
	// An update that changes nothing makes no revision (AWS answers it
	// without a revisionId), so publishing it finds the existing version.
	changed := sm.Definition != before.Definition || sm.RoleARN != before.RoleARN ||
		sm.LoggingConfiguration != before.LoggingConfiguration || sm.TracingConfiguration != before.TracingConfiguration
	if !changed {
		out.UpdateDate = ts(sm.CreationDate)
		if !sm.UpdateDate.IsZero() {
			out.UpdateDate = ts(sm.UpdateDate)
		}
	} else {
		if publish {
			// A new revision needs room for one more version: check
			// before updating, so that the error leaves the machine as it
			// was.
			if _, err := s.versionQuota(ctx, arn, nil); err != nil {
				return nil, err
			}
		}
		sm.UpdateDate = s.now()
		sm.RevisionID = uuid.NewString()
		if err := s.store.UpdateStateMachine(ctx, sm); err != nil {
			return nil, storeError("update state machine", err)
		}
		out.UpdateDate, out.RevisionId = ts(sm.UpdateDate), &sm.RevisionID
	}
	if publish {
		v, err := s.publishRevision(ctx, sm, in.VersionDescription)
		if err != nil {
			if changed {
				s.undoUpdate(ctx, &before, sm.RevisionID)
			}
			return nil, err
		}
		out.StateMachineVersionArn = &v.StateMachineVersionArn
	}
	return out, nil
}

// undoUpdate puts a state machine back as it was before an update whose
// publish failed, so that the error leaves it unchanged - unless another
// update has replaced the revision the failed one made (which is then
// gone anyway, and the newer one stays).
func (s *Service) undoUpdate(ctx context.Context, before *store.StateMachine, revision string) {
	now, err := s.store.GetStateMachine(ctx, before.ARN)
	if err != nil || now.RevisionID != revision {
		return
	}
	if err := s.store.UpdateStateMachine(ctx, before); err != nil {
		s.log.Error("undo a state machine update whose publish failed", "stateMachine", before.ARN, "err", err)
	}
}

// DeleteStateMachineInput is DeleteStateMachine's request.
type DeleteStateMachineInput struct {
	StateMachineArn string `json:"stateMachineArn"`
}

// DeleteStateMachine deletes a state machine with its versions and aliases:
// at once when none of its executions runs, else once they have ended (its
// status is DELETING meanwhile, and each execution ends ABORTED at its next
// transition; see deleting.go). Deleting one that does not exist succeeds
// (observed).
func (s *Service) DeleteStateMachine(ctx context.Context, in *DeleteStateMachineInput) (*struct{}, error) {
	arn, _, err := s.stateMachineARN(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if p, _ := parseARN(arn); len(p.parts) > 1 {
		return nil, apiError(ErrValidation, "Unsupported ARN for this operation: '%s'; use DeleteStateMachineVersion or DeleteStateMachineAlias", arn)
	}
	sm, err := s.store.GetStateMachine(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return &struct{}{}, nil
	}
	if err != nil {
		return nil, storeError("get state machine", err)
	}
	if sm.Status == store.Deleting {
		return &struct{}{}, nil // already on its way (see deleting.go)
	}
	running, err := s.hasRunning(ctx, arn)
	if err != nil {
		return nil, storeError("list executions", err)
	}
	if running {
		if err := s.startDeletion(ctx, sm); err != nil {
			return nil, storeError("delete state machine", err)
		}
		return &struct{}{}, nil
	}
	if err := s.store.DeleteStateMachine(ctx, arn); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, storeError("delete state machine", err)
	}
	return &struct{}{}, nil
}

// ListStateMachinesInput is ListStateMachines' request.
type ListStateMachinesInput struct {
	MaxResults *int    `json:"maxResults,omitempty"`
	NextToken  *string `json:"nextToken,omitempty"`
}

// StateMachineListItem is one entry of ListStateMachines.
type StateMachineListItem struct {
	StateMachineArn string     `json:"stateMachineArn"`
	Name            string     `json:"name"`
	Type            string     `json:"type"`
	CreationDate    *Timestamp `json:"creationDate"`
}

// ListStateMachinesOutput is ListStateMachines' response.
type ListStateMachinesOutput struct {
	StateMachines []StateMachineListItem `json:"stateMachines"`
	NextToken     *string                `json:"nextToken,omitempty"`
}

// ListStateMachines lists state machines.
func (s *Service) ListStateMachines(ctx context.Context, in *ListStateMachinesInput) (*ListStateMachinesOutput, error) {
	items, next, err := listPage(ctx, in, s.store.ListStateMachines, "list state machines", func(sm *store.StateMachine) StateMachineListItem {
		return StateMachineListItem{StateMachineArn: sm.ARN, Name: sm.Name, Type: string(sm.Type), CreationDate: ts(sm.CreationDate)}
	})
	if err != nil {
		return nil, err
	}
	return &ListStateMachinesOutput{StateMachines: items, NextToken: next}, nil
}

// listPage reads one page of a plain list (state machines, activities) and
// converts its items.
func listPage[T, I any](ctx context.Context, in *ListStateMachinesInput, list func(context.Context, store.ListParams) (store.Page[T], error),
	what string, item func(T) I) ([]I, *string, error) {
	p := store.ListParams{}
	var err error
	if p.MaxResults, err = maxResults(in.MaxResults); err != nil {
		return nil, nil, err
	}
	if in.NextToken != nil {
		p.NextToken = *in.NextToken
	}
	page, err := list(ctx, p)
	if err != nil {
		return nil, nil, storeError(what, err)
	}
	items := make([]I, 0, len(page.Items))
	for _, it := range page.Items {
		items = append(items, item(it))
	}
	var next *string
	if page.NextToken != "" {
		next = &page.NextToken
	}
	return items, next, nil
}

// ValidateStateMachineDefinitionInput is the request of
// ValidateStateMachineDefinition.
type ValidateStateMachineDefinitionInput struct {
	Definition *string `json:"definition"`
	Type       *string `json:"type,omitempty"`
	Severity   *string `json:"severity,omitempty"`
	MaxResults *int    `json:"maxResults,omitempty"`
}

// Diagnostic is one finding of ValidateStateMachineDefinition.
type Diagnostic struct {
	Severity string  `json:"severity"`
	Code     string  `json:"code"`
	Message  string  `json:"message"`
	Location *string `json:"location,omitempty"`
}

// ValidateStateMachineDefinitionOutput is its response.
type ValidateStateMachineDefinitionOutput struct {
	Result      string       `json:"result"`
	Diagnostics []Diagnostic `json:"diagnostics"`
	Truncated   bool         `json:"truncated"`
}

// ValidateStateMachineDefinition checks a definition and returns every
// diagnostic.
func (s *Service) ValidateStateMachineDefinition(ctx context.Context, in *ValidateStateMachineDefinitionInput) (*ValidateStateMachineDefinitionOutput, error) {
	if in.Definition == nil {
		return nil, validation(nil, "definition", "Member must not be null")
	}
	typ, err := smType(in.Type)
	if err != nil {
		return nil, err
	}
	limit := 100
	if in.MaxResults != nil && *in.MaxResults > 0 {
		limit = *in.MaxResults
	}
	onlyErrors := in.Severity != nil && *in.Severity == "ERROR"
	c := s.compile(*in.Definition, string(typ))
	out := &ValidateStateMachineDefinitionOutput{Result: "OK", Diagnostics: []Diagnostic{}}
	for _, d := range c.diags {
		if d.Severity == asl.SeverityError {
			out.Result = "FAIL"
		} else if onlyErrors {
			continue
		}
		if len(out.Diagnostics) == limit {
			out.Truncated = true
			continue
		}
		dd := Diagnostic{Severity: string(d.Severity), Code: d.Code, Message: d.Message}
		if d.Location != "" {
			loc := d.Location
			dd.Location = &loc
		}
		out.Diagnostics = append(out.Diagnostics, dd)
	}
	return out, nil
}
