package lambda

import (
	"context"
	"maps"
	"net/http"
	"regexp"
	"sort"
	"unicode/utf8"

	"github.com/google/uuid"
)

// AliasConfiguration is the Lambda API's AliasConfiguration shape.
type AliasConfiguration struct {
	AliasArn        string                     `json:"AliasArn"`
	Name            string                     `json:"Name"`
	FunctionVersion string                     `json:"FunctionVersion"`
	Description     string                     `json:"Description"`
	RoutingConfig   *AliasRoutingConfiguration `json:"RoutingConfig,omitempty"`
	RevisionID      string                     `json:"RevisionId"`
}

// AliasRoutingConfiguration sends a share of an alias's invokes to a
// second version.
type AliasRoutingConfiguration struct {
	// AdditionalVersionWeights maps the second version to the share of
	// invokes (0.0-1.0) it receives.
	AdditionalVersionWeights map[string]float64 `json:"AdditionalVersionWeights,omitempty"`
}

// uses reports whether the alias routes to version v.
func (a *AliasConfiguration) uses(v string) bool {
	if a.FunctionVersion == v {
		return true
	}
	if a.RoutingConfig != nil {
		_, ok := a.RoutingConfig.AdditionalVersionWeights[v]
		return ok
	}
	return false
}

func copyAlias(a *AliasConfiguration) *AliasConfiguration {
	c := *a
	if a.RoutingConfig != nil {
		c.RoutingConfig = &AliasRoutingConfiguration{AdditionalVersionWeights: maps.Clone(a.RoutingConfig.AdditionalVersionWeights)}
	}
	return &c
}

// CreateAliasInput is the CreateAlias request.
type CreateAliasInput struct {
	FunctionName    string                     `json:"-"`
	Name            string                     `json:"Name"`
	FunctionVersion string                     `json:"FunctionVersion"`
	Description     string                     `json:"Description"`
	RoutingConfig   *AliasRoutingConfiguration `json:"RoutingConfig"`
}

// UpdateAliasInput is the UpdateAlias request; nil members are left
// unchanged.
type UpdateAliasInput struct {
	FunctionName    string                     `json:"-"`
	Name            string                     `json:"-"`
	FunctionVersion *string                    `json:"FunctionVersion"`
	Description     *string                    `json:"Description"`
	RoutingConfig   *AliasRoutingConfiguration `json:"RoutingConfig"`
	RevisionID      string                     `json:"RevisionId"`
}

// ListAliasesOutput is the ListAliases response.
type ListAliasesOutput struct {
	Aliases    []*AliasConfiguration `json:"Aliases"`
	NextMarker string                `json:"NextMarker,omitempty"`
}

var (
	aliasPattern   = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	versionPattern = regexp.MustCompile(`^(\$LATEST|[0-9]+)$`)
)

// validateAliasName checks an alias name against the model: 1-128 of
// [a-zA-Z0-9-_], not only digits (a number names a version).
func validateAliasName(name string) error {
	if name == "" {
		return errValidation(nil, "name", "Member must not be null")
	}
	if utf8.RuneCountInString(name) > 128 {
		return errValidation(name, "name", "Member must have length less than or equal to 128")
	}
	if !aliasPattern.MatchString(name) || isVersionNumber(name) {
		return errValidation(name, "name", "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
	}
	return nil
}

func validateFunctionVersion(v string) error {
	if v == "" {
		return errValidation(nil, "functionVersion", "Member must not be null")
	}
	if len(v) > 1024 {
		return errValidation(v, "functionVersion", "Member must have length less than or equal to 1024")
	}
	if !versionPattern.MatchString(v) {
		return errValidation(v, "functionVersion", `Member must satisfy regular expression pattern: (\$LATEST|[0-9]+)`)
	}
	return nil
}

// checkRouting checks an alias's target: its versions must exist, the
// routing config may name one further version (not the primary one) with
// a weight 0.0-1.0, and an alias with routing may not point at $LATEST.
func (s *Service) checkRouting(fn *function, pub *published, version string, rc *AliasRoutingConfiguration) error {
	if version != VersionLatest && pub.version(version) == nil {
		return errNotFound(s.functionARN(fn.name, version))
	}
	if rc == nil || len(rc.AdditionalVersionWeights) == 0 {
		return nil
	}
	if len(rc.AdditionalVersionWeights) > 1 {
		return errInvalid("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	if version == VersionLatest {
		return errInvalid("$LATEST is not supported for an alias pointing to more than 1 version")
	}
	for v, w := range rc.AdditionalVersionWeights {
		if !isVersionNumber(v) {
			return errValidation(v, "routingConfig.additionalVersionWeights", "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]+]")
		}
		if w < 0 || w > 1 {
			return errValidation(w, "routingConfig.additionalVersionWeights", "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]")
		}
		if v == version {
			return errInvalid("Invalid function version %s. Function version %s is already included in routing configuration.", v, v)
		}
		if pub.version(v) == nil {
			return errNotFound(s.functionARN(fn.name, v))
		}
	}
	return nil
}

func errAliasNotFound(arn string) *APIError {
	return userError("ResourceNotFoundException", http.StatusNotFound, "Alias not found: %s", arn)
}

func errRevision() *APIError {
	return userError("PreconditionFailedException", http.StatusPreconditionFailed,
		"The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
}

// changeAliases stores fn with aliases replaced by change's result.
func (s *Service) changeAliases(ctx context.Context, fn *function, aliases []*AliasConfiguration) error {
	pub := fn.pub.Load()
	sort.Slice(aliases, func(i, j int) bool { return aliases[i].Name < aliases[j].Name })
	next := &published{versions: pub.versions, aliases: aliases, last: pub.last}
	if err := s.save(ctx, fn, fn.def.Load().rec, next); err != nil {
		return err
	}
	fn.pub.Store(next)
	return nil
}

// CreateAlias creates an alias for a function version ($LATEST or a
// published one), optionally routing a share of invokes to a second
// version.
func (s *Service) CreateAlias(ctx context.Context, in *CreateAliasInput) (*AliasConfiguration, error) {
	if err := validateAliasName(in.Name); err != nil {
		return nil, err
	}
	if err := validateFunctionVersion(in.FunctionVersion); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fn, err := s.lookupLatest(in.FunctionName)
	if err != nil {
		return nil, err
	}
	pub := fn.pub.Load()
	arn := s.functionARN(fn.name, in.Name)
	if pub.alias(in.Name) != nil {
		return nil, userError("ResourceConflictException", http.StatusConflict, "Alias already exists: %s", arn)
	}
	if err := s.checkRouting(fn, pub, in.FunctionVersion, in.RoutingConfig); err != nil {
		return nil, err
	}
	a := &AliasConfiguration{AliasArn: arn, Name: in.Name, FunctionVersion: in.FunctionVersion,
		Description: in.Description, RevisionID: uuid.NewString()}
	if in.RoutingConfig != nil && len(in.RoutingConfig.AdditionalVersionWeights) > 0 {
		a.RoutingConfig = &AliasRoutingConfiguration{AdditionalVersionWeights: maps.Clone(in.RoutingConfig.AdditionalVersionWeights)}
	}
	if err := s.changeAliases(ctx, fn, append(append([]*AliasConfiguration(nil), pub.aliases...), a)); err != nil {
		return nil, err
	}
	return copyAlias(a), nil
}

// GetAlias returns an alias.
func (s *Service) GetAlias(_ context.Context, function, name string) (*AliasConfiguration, error) {
	if err := validateAliasName(name); err != nil {
		return nil, err
	}
	fn, err := s.lookupLatest(function)
	if err != nil {
		return nil, err
	}
	a := fn.pub.Load().alias(name)
	if a == nil {
		return nil, errAliasNotFound(s.functionARN(fn.name, name))
	}
	return copyAlias(a), nil
}

// ListAliases returns a page of a function's aliases, sorted by name;
// functionVersion, when set, keeps those that route to it.
func (s *Service) ListAliases(_ context.Context, function, functionVersion, marker string, maxItems *int) (*ListAliasesOutput, error) {
	limit, err := checkMaxItems(maxItems, 50)
	if err != nil {
		return nil, err
	}
	if functionVersion != "" {
		if err := validateFunctionVersion(functionVersion); err != nil {
			return nil, err
		}
	}
	fn, err := s.lookupLatest(function)
	if err != nil {
		return nil, err
	}
	var all []*AliasConfiguration
	for _, a := range fn.pub.Load().aliases {
		if functionVersion == "" || a.uses(functionVersion) {
			all = append(all, copyAlias(a))
		}
	}
	page, next, err := pageOf(all, marker, limit, func(a *AliasConfiguration) string { return a.Name })
	if err != nil {
		return nil, err
	}
	return &ListAliasesOutput{Aliases: page, NextMarker: next}, nil
}

// UpdateAlias changes an alias's version, description or routing. An
// empty AdditionalVersionWeights removes the routing.
func (s *Service) UpdateAlias(ctx context.Context, in *UpdateAliasInput) (*AliasConfiguration, error) {
	if err := validateAliasName(in.Name); err != nil {
		return nil, err
	}
	if in.FunctionVersion != nil {
		if err := validateFunctionVersion(*in.FunctionVersion); err != nil {
			return nil, err
		}
	}
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			return nil, err
		}
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fn, err := s.lookupLatest(in.FunctionName)
	if err != nil {
		return nil, err
	}
	pub := fn.pub.Load()
	old := pub.alias(in.Name)
	if old == nil {
		return nil, errAliasNotFound(s.functionARN(fn.name, in.Name))
	}
	if in.RevisionID != "" && in.RevisionID != old.RevisionID {
		return nil, errRevision()
	}
	a := copyAlias(old)
	if in.FunctionVersion != nil {
		a.FunctionVersion = *in.FunctionVersion
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	if in.RoutingConfig != nil {
		a.RoutingConfig = nil
		if len(in.RoutingConfig.AdditionalVersionWeights) > 0 {
			a.RoutingConfig = &AliasRoutingConfiguration{AdditionalVersionWeights: maps.Clone(in.RoutingConfig.AdditionalVersionWeights)}
		}
	}
	if err := s.checkRouting(fn, pub, a.FunctionVersion, a.RoutingConfig); err != nil {
		return nil, err
	}
	a.RevisionID = uuid.NewString()
	aliases := make([]*AliasConfiguration, 0, len(pub.aliases))
	for _, o := range pub.aliases {
		if o != old {
			aliases = append(aliases, o)
		}
	}
	if err := s.changeAliases(ctx, fn, append(aliases, a)); err != nil {
		return nil, err
	}
	return copyAlias(a), nil
}

// DeleteAlias removes an alias.
func (s *Service) DeleteAlias(ctx context.Context, function, name string) error {
	if err := validateAliasName(name); err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fn, err := s.lookupLatest(function)
	if err != nil {
		return err
	}
	pub := fn.pub.Load()
	old := pub.alias(name)
	if old == nil {
		return errAliasNotFound(s.functionARN(fn.name, name))
	}
	aliases := make([]*AliasConfiguration, 0, len(pub.aliases))
	for _, o := range pub.aliases {
		if o != old {
			aliases = append(aliases, o)
		}
	}
	return s.changeAliases(ctx, fn, aliases)
}
