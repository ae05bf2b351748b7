package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"stepd/internal/store"
)

// maxAliasesPerMachine is AWS's quota of aliases per state machine.
const maxAliasesPerMachine = 100

// aliasNamePattern is the constraint on alias names, as AWS words it.
const aliasNamePattern = `^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$`

// aliasNameChars and aliasNameLetter implement aliasNamePattern (Go's
// regexp has no lookahead): only letters, digits, _ - and ., and at least
// one of them not a digit.
var (
	aliasNameChars  = regexp.MustCompile(`^[a-zA-Z0-9_\-.]+$`)
	aliasNameLetter = regexp.MustCompile(`[a-zA-Z_\-.]`)
)

// The reasons a ValidationException carries (API reference,
// ValidationExceptionReason).
const (
	reasonInvalidRouting   = "INVALID_ROUTING_CONFIGURATION"
	reasonMissingParameter = "MISSING_REQUIRED_PARAMETER"
	reasonCompletedMapRun  = "CANNOT_UPDATE_COMPLETED_MAP_RUN"
)

// withReason adds a ValidationException's reason member.
func withReason(e *Error, reason string) *Error {
	e.Fields = map[string]any{"reason": reason}
	return e
}

// notFoundResource is the ResourceNotFound AWS returns for an alias (or
// version) a request names that does not exist.
func notFoundResource(arn string) *Error {
	e := apiError(ErrResourceNotFound, "Request references a resource that does not exist.")
	e.Fields = map[string]any{"resourceName": arn}
	return e
}

// RoutingConfigurationListItem is one route of an alias.
type RoutingConfigurationListItem struct {
	StateMachineVersionArn string `json:"stateMachineVersionArn"`
	Weight                 int64  `json:"weight"`
}

// CreateStateMachineAliasInput is CreateStateMachineAlias' request.
type CreateStateMachineAliasInput struct {
	Name                 string                         `json:"name"`
	Description          *string                        `json:"description,omitempty"`
	RoutingConfiguration []RoutingConfigurationListItem `json:"routingConfiguration"`
}

// CreateStateMachineAliasOutput is CreateStateMachineAlias' response.
type CreateStateMachineAliasOutput struct {
	StateMachineAliasArn string     `json:"stateMachineAliasArn"`
	CreationDate         *Timestamp `json:"creationDate"`
}

// checkAliasName applies AWS's constraints on alias names.
func checkAliasName(name string) error {
	switch {
	case name == "":
		return validation(name, "name", "Member must have length greater than or equal to 1")
	case len([]rune(name)) > maxNameLength:
		return validation(name, "name", "Member must have length less than or equal to 80")
	case !aliasNameChars.MatchString(name) || !aliasNameLetter.MatchString(name):
		return validation(name, "name", "Member must satisfy regular expression pattern: "+aliasNamePattern)
	}
	return nil
}

// checkRouting validates a routing configuration: 1-2 routes to distinct
// versions of one state machine, weights 0-100 summing to 100. It returns
// the machine's ARN.
func checkRouting(routes []RoutingConfigurationListItem) (string, error) {
	switch {
	case len(routes) == 0:
		return "", validation("[]", "routingConfiguration", "Member must have length greater than or equal to 1")
	case len(routes) > 2:
		items := make([]string, len(routes))
		for i, r := range routes {
			items[i] = fmt.Sprintf("RoutingConfigurationListItem(stateMachineVersionArn=%s, weight=%d)", r.StateMachineVersionArn, r.Weight)
		}
		return "", validation("["+strings.Join(items, ", ")+"]", "routingConfiguration", "Member must have length less than or equal to 2")
	}
	arns := make([]string, len(routes))
	weights := make([]string, len(routes))
	var sum int64
	for i, r := range routes {
		field := fmt.Sprintf("routingConfiguration.%d.member.weight", i+1)
		if r.Weight > 100 {
			return "", validation(r.Weight, field, "Member must have value less than or equal to 100")
		}
		if r.Weight < 0 {
			return "", validation(r.Weight, field, "Member must have value greater than or equal to 0")
		}
		arns[i], weights[i] = r.StateMachineVersionArn, fmt.Sprint(r.Weight)
		sum += r.Weight
	}
	list := "[" + strings.Join(arns, ", ") + "]"
	machine := ""
	for _, arn := range arns {
		sm, err := versionARN(arn)
		if err != nil {
			return "", withReason(apiError(ErrValidation, "Routing configuration must contain state machine version ARNs. Received: %s", list), reasonInvalidRouting)
		}
		if machine != "" && sm != machine {
			return "", withReason(apiError(ErrValidation, "Routing configuration must contain state machine version ARNs of the same state machine. Received: %s", list), reasonInvalidRouting)
		}
		machine = sm
	}
	if len(arns) == 2 && arns[0] == arns[1] {
		return "", withReason(apiError(ErrValidation, "Routing configuration must contain distinct state machine version ARNs. Received: %s", list), reasonInvalidRouting)
	}
	if sum != 100 {
		return "", withReason(apiError(ErrValidation, "Sum of routing configuration weights must equal 100. Received: [%s]", strings.Join(weights, ", ")), reasonInvalidRouting)
	}
	return machine, nil
}

// routingText is a routing configuration as the store keeps it.
func routingText(routes []RoutingConfigurationListItem) string {
	b, _ := json.Marshal(routes)
	return string(b)
}

// CreateStateMachineAlias creates an alias routing to one or two versions of
// a state machine. Creating an alias that exists with the same description
// and routing returns it; with different ones it is a ConflictException.
func (s *Service) CreateStateMachineAlias(ctx context.Context, in *CreateStateMachineAliasInput) (*CreateStateMachineAliasOutput, error) {
	if err := checkAliasName(in.Name); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description, "description"); err != nil {
		return nil, err
	}
	smARN, err := checkRouting(in.RoutingConfiguration)
	if err != nil {
		return nil, err
	}
	sm, err := s.store.GetStateMachine(ctx, smARN)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sm.Status == store.Deleting) {
		return nil, notFoundResource(smARN)
	}
	if err != nil {
		return nil, storeError("get state machine", err)
	}
	arn := smARN + ":" + in.Name
	desc := ""
	if in.Description != nil {
		desc = *in.Description
	}
	routing := routingText(in.RoutingConfiguration)
	old, err := s.store.GetAlias(ctx, arn)
	switch {
	case err == nil:
		if old.Description == desc && sameRouting(old.Routing, in.RoutingConfiguration) {
			return &CreateStateMachineAliasOutput{StateMachineAliasArn: arn, CreationDate: ts(old.CreationDate)}, nil
		}
		return nil, apiError(ErrConflict, "Failed to create alias because an alias with the same name and a different routing configuration already exists.")
	case !errors.Is(err, store.ErrNotFound):
		return nil, storeError("get alias", err)
	}
	aliases, err := s.allAliases(ctx, smARN)
	if err != nil {
		return nil, err
	}
	if len(aliases) >= maxAliasesPerMachine {
		return nil, apiError(ErrServiceQuotaExceeded, "The state machine '%s' has reached the limit of %d aliases", smARN, maxAliasesPerMachine)
	}
	now := s.now()
	a := &store.Alias{ARN: arn, StateMachineARN: smARN, Name: in.Name, Description: desc, Routing: routing, CreationDate: now, UpdateDate: now}
	if err := s.store.PutAlias(ctx, a); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, s.missingRoute(ctx, smARN, in.RoutingConfiguration)
		}
		return nil, storeError("put alias", err)
	}
	return &CreateStateMachineAliasOutput{StateMachineAliasArn: arn, CreationDate: ts(a.CreationDate)}, nil
}

// missingRoute names the first routed version (or the machine) that does
// not exist.
func (s *Service) missingRoute(ctx context.Context, smARN string, routes []RoutingConfigurationListItem) error {
	for _, r := range routes {
		if _, err := s.store.GetVersion(ctx, r.StateMachineVersionArn); errors.Is(err, store.ErrNotFound) {
			return notFoundResource(r.StateMachineVersionArn)
		}
	}
	return notFoundResource(smARN)
}

// sameRouting compares a stored routing configuration with a requested one.
func sameRouting(stored string, routes []RoutingConfigurationListItem) bool {
	old, err := store.ParseRouting(stored)
	if err != nil || len(old) != len(routes) {
		return false
	}
	for i, r := range old {
		if r.StateMachineVersionARN != routes[i].StateMachineVersionArn || r.Weight != routes[i].Weight {
			return false
		}
	}
	return true
}

// allAliases reads every alias of a machine.
func (s *Service) allAliases(ctx context.Context, smARN string) ([]*store.Alias, error) {
	var out []*store.Alias
	p := store.ListAliasesParams{StateMachineARN: smARN, MaxResults: store.MaxMaxResults}
	for {
		page, err := s.store.ListAliases(ctx, p)
		if err != nil {
			return nil, storeError("list aliases", err)
		}
		out = append(out, page.Items...)
		if page.NextToken == "" {
			return out, nil
		}
		p.NextToken = page.NextToken
	}
}

// aliasARN checks that arn names an alias (<stateMachineArn>:<aliasName>).
func aliasARN(arn string) error {
	if arn == "" {
		return validation(nil, "stateMachineAliasArn", "Member must not be null")
	}
	p, ok := parseARN(arn)
	if !ok || p.kind != "stateMachine" || len(p.parts) != 2 || isNumber(p.parts[1]) || checkAliasName(p.parts[1]) != nil {
		return invalidArn(arn)
	}
	return nil
}

// StateMachineAliasInput names an alias (DescribeStateMachineAlias,
// DeleteStateMachineAlias).
type StateMachineAliasInput struct {
	StateMachineAliasArn string `json:"stateMachineAliasArn"`
}

// DescribeStateMachineAliasOutput is DescribeStateMachineAlias' response.
type DescribeStateMachineAliasOutput struct {
	StateMachineAliasArn string                         `json:"stateMachineAliasArn"`
	Name                 string                         `json:"name"`
	Description          *string                        `json:"description,omitempty"`
	RoutingConfiguration []RoutingConfigurationListItem `json:"routingConfiguration"`
	CreationDate         *Timestamp                     `json:"creationDate"`
	UpdateDate           *Timestamp                     `json:"updateDate,omitempty"`
}

// DescribeStateMachineAlias describes an alias.
func (s *Service) DescribeStateMachineAlias(ctx context.Context, in *StateMachineAliasInput) (*DescribeStateMachineAliasOutput, error) {
	if err := aliasARN(in.StateMachineAliasArn); err != nil {
		return nil, err
	}
	a, err := s.store.GetAlias(ctx, in.StateMachineAliasArn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFoundResource(in.StateMachineAliasArn)
	}
	if err != nil {
		return nil, storeError("get alias", err)
	}
	routes, err := store.ParseRouting(a.Routing)
	if err != nil {
		return nil, fmt.Errorf("alias %s: %w", a.ARN, err)
	}
	out := &DescribeStateMachineAliasOutput{StateMachineAliasArn: a.ARN, Name: a.Name, CreationDate: ts(a.CreationDate),
		UpdateDate: ts(a.UpdateDate), RoutingConfiguration: make([]RoutingConfigurationListItem, len(routes))}
	if out.UpdateDate == nil {
		out.UpdateDate = out.CreationDate
	}
	for i, r := range routes {
		out.RoutingConfiguration[i] = RoutingConfigurationListItem{StateMachineVersionArn: r.StateMachineVersionARN, Weight: r.Weight}
	}
	if a.Description != "" {
		out.Description = &a.Description
	}
	return out, nil
}

// UpdateStateMachineAliasInput is UpdateStateMachineAlias' request.
type UpdateStateMachineAliasInput struct {
	StateMachineAliasArn string                         `json:"stateMachineAliasArn"`
	Description          *string                        `json:"description,omitempty"`
	RoutingConfiguration []RoutingConfigurationListItem `json:"routingConfiguration,omitempty"`
}

// UpdateStateMachineAliasOutput is UpdateStateMachineAlias' response.
type UpdateStateMachineAliasOutput struct {
	UpdateDate *Timestamp `json:"updateDate"`
}

// UpdateStateMachineAlias changes an alias's description or routing; new
// executions through the alias follow the new routing.
func (s *Service) UpdateStateMachineAlias(ctx context.Context, in *UpdateStateMachineAliasInput) (*UpdateStateMachineAliasOutput, error) {
	if err := aliasARN(in.StateMachineAliasArn); err != nil {
		return nil, err
	}
	if in.Description == nil && in.RoutingConfiguration == nil {
		return nil, withReason(apiError(ErrValidation, "Either the description or the routing configuration must be specified"), reasonMissingParameter)
	}
	if err := checkDescription(in.Description, "description"); err != nil {
		return nil, err
	}
	a, err := s.store.GetAlias(ctx, in.StateMachineAliasArn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFoundResource(in.StateMachineAliasArn)
	}
	if err != nil {
		return nil, storeError("get alias", err)
	}
	if in.RoutingConfiguration != nil {
		smARN, err := checkRouting(in.RoutingConfiguration)
		if err != nil {
			return nil, err
		}
		if smARN != a.StateMachineARN {
			list := make([]string, len(in.RoutingConfiguration))
			for i, r := range in.RoutingConfiguration {
				list[i] = r.StateMachineVersionArn
			}
			return nil, withReason(apiError(ErrValidation, "Routing configuration must contain state machine version ARNs of the alias' state machine '%s'. Received: [%s]", a.StateMachineARN, strings.Join(list, ", ")), reasonInvalidRouting)
		}
		a.Routing = routingText(in.RoutingConfiguration)
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	a.UpdateDate = s.now()
	if err := s.store.PutAlias(ctx, a); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, s.missingRoute(ctx, a.StateMachineARN, in.RoutingConfiguration)
		}
		return nil, storeError("put alias", err)
	}
	return &UpdateStateMachineAliasOutput{UpdateDate: ts(a.UpdateDate)}, nil
}

// DeleteStateMachineAlias deletes an alias; deleting one that does not
// exist succeeds (observed). Executions started through it keep its ARN.
func (s *Service) DeleteStateMachineAlias(ctx context.Context, in *StateMachineAliasInput) (*struct{}, error) {
	if err := aliasARN(in.StateMachineAliasArn); err != nil {
		return nil, err
	}
	if err := s.store.DeleteAlias(ctx, in.StateMachineAliasArn); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, storeError("delete alias", err)
	}
	return &struct{}{}, nil
}

// ListStateMachineAliasesInput is ListStateMachineAliases' request.
type ListStateMachineAliasesInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	MaxResults      *int    `json:"maxResults,omitempty"`
	NextToken       *string `json:"nextToken,omitempty"`
}

// StateMachineAliasListItem is one entry of ListStateMachineAliases.
type StateMachineAliasListItem struct {
	StateMachineAliasArn string     `json:"stateMachineAliasArn"`
	CreationDate         *Timestamp `json:"creationDate"`
}

// ListStateMachineAliasesOutput is ListStateMachineAliases' response.
type ListStateMachineAliasesOutput struct {
	StateMachineAliases []StateMachineAliasListItem `json:"stateMachineAliases"`
	NextToken           *string                     `json:"nextToken,omitempty"`
}

// ListStateMachineAliases lists a state machine's aliases, oldest first.
func (s *Service) ListStateMachineAliases(ctx context.Context, in *ListStateMachineAliasesInput) (*ListStateMachineAliasesOutput, error) {
	sm, err := s.machineForVersions(ctx, in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	limit, err := maxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	aliases, err := s.allAliases(ctx, sm.ARN)
	if err != nil {
		return nil, err
	}
	// Oldest first, as AWS lists them (recorded: LocalStack's
	// test_base_lifecycle_create_delete_list); a machine has at most 100.
	slices.SortStableFunc(aliases, func(a, b *store.Alias) int {
		if c := a.CreationDate.Compare(b.CreationDate); c != 0 {
			return c
		}
		return strings.Compare(a.ARN, b.ARN)
	})
	page, next, err := pageOf(aliases, "alias", sm.ARN, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	out := &ListStateMachineAliasesOutput{StateMachineAliases: make([]StateMachineAliasListItem, 0, len(page)), NextToken: next}
	for _, a := range page {
		out.StateMachineAliases = append(out.StateMachineAliases, StateMachineAliasListItem{StateMachineAliasArn: a.ARN, CreationDate: ts(a.CreationDate)})
	}
	return out, nil
}
