package sfn

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"stepd/internal/store"
)

// Limits on versions (developer guide, "Quotas").
const (
	maxVersionsPerMachine = 1000
	maxDescriptionLength  = 256
	// initialRevision names a state machine's revision before its first
	// update, for PublishStateMachineVersion's revisionId check.
	initialRevision = "INITIAL"
)

// ErrServiceQuotaExceeded is AWS's exception for a per-resource quota (1,000
// versions or 100 aliases per state machine).
const ErrServiceQuotaExceeded = "ServiceQuotaExceededException"

// PublishStateMachineVersionInput is PublishStateMachineVersion's request.
type PublishStateMachineVersionInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	RevisionId      *string `json:"revisionId,omitempty"`
	Description     *string `json:"description,omitempty"`
}

// PublishStateMachineVersionOutput is PublishStateMachineVersion's response.
type PublishStateMachineVersionOutput struct {
	CreationDate           *Timestamp `json:"creationDate"`
	StateMachineVersionArn string     `json:"stateMachineVersionArn"`
}

// machineForVersions reads the (unqualified) state machine arn names, with
// AWS's errors: InvalidArn for anything but a state machine ARN,
// StateMachineDoesNotExist, StateMachineDeleting.
func (s *Service) machineForVersions(ctx context.Context, arn string) (*store.StateMachine, error) {
	if arn == "" {
		return nil, validation(nil, "stateMachineArn", "Member must not be null")
	}
	p, ok := parseARN(arn)
	if !ok || p.kind != "stateMachine" || len(p.parts) != 1 || p.parts[0] == "" {
		return nil, invalidArn(arn)
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
	return sm, nil
}

// checkDescription applies the 256-character limit of version and alias
// descriptions.
func checkDescription(d *string, field string) error {
	if d != nil && len([]rune(*d)) > maxDescriptionLength {
		return validation(*d, field, "Member must have length less than or equal to 256")
	}
	return nil
}

// revisionName is how PublishStateMachineVersion names a revision: the
// revision id, or INITIAL before the first update.
func revisionName(id string) string {
	if id == "" {
		return initialRevision
	}
	return id
}

// PublishStateMachineVersion publishes the state machine's current
// revision as a new version. It is idempotent per revision: if a version of
// the current revision exists, that version is returned. With revisionId,
// it publishes only if the machine's revision is still that one (INITIAL
// before the first update), else ConflictException.
func (s *Service) PublishStateMachineVersion(ctx context.Context, in *PublishStateMachineVersionInput) (*PublishStateMachineVersionOutput, error) {
	if err := checkDescription(in.Description, "description"); err != nil {
		return nil, err
	}
	sm, err := s.machineForVersions(ctx, in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	current := revisionName(sm.RevisionID)
	if in.RevisionId != nil && *in.RevisionId != current {
		return nil, apiError(ErrConflict, "Failed to publish the State Machine version for revision %s. The current State Machine revision is %s.", *in.RevisionId, current)
	}
	return s.publishRevision(ctx, sm, in.Description)
}

// versionQuota reads a machine's versions and returns the one of revision
// *rev if there is one; else it checks that one more version fits in the
// quota (ServiceQuotaExceededException). A nil rev looks for none.
func (s *Service) versionQuota(ctx context.Context, smARN string, rev *string) (*store.Version, error) {
	versions, err := s.allVersions(ctx, smARN)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		if rev != nil && v.RevisionID == *rev {
			return v, nil
		}
	}
	if len(versions) >= maxVersionsPerMachine {
		return nil, apiError(ErrServiceQuotaExceeded, "The state machine '%s' has reached the limit of %d versions; delete unused versions with DeleteStateMachineVersion", smARN, maxVersionsPerMachine)
	}
	return nil, nil
}

// publishRevision publishes the revision sm has (the version of it if one
// exists); a ConflictException if the machine has another revision by
// then.
func (s *Service) publishRevision(ctx context.Context, sm *store.StateMachine, description *string) (*PublishStateMachineVersionOutput, error) {
	current := revisionName(sm.RevisionID)
	old, err := s.versionQuota(ctx, sm.ARN, &sm.RevisionID)
	if err != nil {
		return nil, err
	}
	if old != nil {
		return &PublishStateMachineVersionOutput{CreationDate: ts(old.CreationDate), StateMachineVersionArn: old.ARN}, nil
	}
	v := &store.Version{StateMachineARN: sm.ARN, RevisionID: sm.RevisionID, CreationDate: s.now()}
	if description != nil {
		v.Description = *description
	}
	if err := s.store.PublishVersion(ctx, v); err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			// An update slipped in between the read and the publish.
			now, gerr := s.store.GetStateMachine(ctx, sm.ARN)
			if gerr != nil {
				return nil, storeError("get state machine", gerr)
			}
			return nil, apiError(ErrConflict, "Failed to publish the State Machine version for revision %s. The current State Machine revision is %s.", current, revisionName(now.RevisionID))
		case errors.Is(err, store.ErrNotFound):
			return nil, apiError(ErrStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", sm.ARN)
		}
		return nil, storeError("publish version", err)
	}
	return &PublishStateMachineVersionOutput{CreationDate: ts(v.CreationDate), StateMachineVersionArn: v.ARN}, nil
}

// allVersions reads every version of a machine, newest first.
func (s *Service) allVersions(ctx context.Context, smARN string) ([]*store.Version, error) {
	var out []*store.Version
	p := store.ListVersionsParams{StateMachineARN: smARN, MaxResults: store.MaxMaxResults}
	for {
		page, err := s.store.ListVersions(ctx, p)
		if err != nil {
			return nil, storeError("list versions", err)
		}
		out = append(out, page.Items...)
		if page.NextToken == "" {
			return out, nil
		}
		p.NextToken = page.NextToken
	}
}

// ListStateMachineVersionsInput is ListStateMachineVersions' request.
type ListStateMachineVersionsInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	MaxResults      *int    `json:"maxResults,omitempty"`
	NextToken       *string `json:"nextToken,omitempty"`
}

// StateMachineVersionListItem is one entry of ListStateMachineVersions.
type StateMachineVersionListItem struct {
	StateMachineVersionArn string     `json:"stateMachineVersionArn"`
	CreationDate           *Timestamp `json:"creationDate"`
}

// ListStateMachineVersionsOutput is ListStateMachineVersions' response.
type ListStateMachineVersionsOutput struct {
	StateMachineVersions []StateMachineVersionListItem `json:"stateMachineVersions"`
	NextToken            *string                       `json:"nextToken,omitempty"`
}

// ListStateMachineVersions lists a state machine's versions, newest first.
func (s *Service) ListStateMachineVersions(ctx context.Context, in *ListStateMachineVersionsInput) (*ListStateMachineVersionsOutput, error) {
	sm, err := s.machineForVersions(ctx, in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	p := store.ListVersionsParams{StateMachineARN: sm.ARN}
	if p.MaxResults, err = maxResults(in.MaxResults); err != nil {
		return nil, err
	}
	if in.NextToken != nil {
		p.NextToken = *in.NextToken
	}
	page, err := s.store.ListVersions(ctx, p)
	if err != nil {
		return nil, storeError("list versions", err)
	}
	out := &ListStateMachineVersionsOutput{StateMachineVersions: make([]StateMachineVersionListItem, 0, len(page.Items))}
	for _, v := range page.Items {
		out.StateMachineVersions = append(out.StateMachineVersions, StateMachineVersionListItem{StateMachineVersionArn: v.ARN, CreationDate: ts(v.CreationDate)})
	}
	if page.NextToken != "" {
		out.NextToken = &page.NextToken
	}
	return out, nil
}

// DeleteStateMachineVersionInput is DeleteStateMachineVersion's request.
type DeleteStateMachineVersionInput struct {
	StateMachineVersionArn string `json:"stateMachineVersionArn"`
}

// versionARN checks that arn names a version (<stateMachineArn>:<number>)
// and returns the machine's ARN.
func versionARN(arn string) (string, error) {
	p, ok := parseARN(arn)
	if !ok || p.kind != "stateMachine" || len(p.parts) != 2 || !isNumber(p.parts[1]) {
		return "", invalidArn(arn)
	}
	return strings.TrimSuffix(arn, ":"+p.parts[1]), nil
}

// DeleteStateMachineVersion deletes a version. Deleting one that does not
// exist succeeds; deleting one an alias routes to is a ConflictException
// naming the aliases.
func (s *Service) DeleteStateMachineVersion(ctx context.Context, in *DeleteStateMachineVersionInput) (*struct{}, error) {
	if in.StateMachineVersionArn == "" {
		return nil, validation(nil, "stateMachineVersionArn", "Member must not be null")
	}
	smARN, err := versionARN(in.StateMachineVersionArn)
	if err != nil {
		return nil, err
	}
	err = s.store.DeleteVersion(ctx, in.StateMachineVersionArn)
	switch {
	case err == nil, errors.Is(err, store.ErrNotFound):
		return &struct{}{}, nil
	case errors.Is(err, store.ErrConflict):
		names, lerr := s.aliasesRouting(ctx, smARN, in.StateMachineVersionArn)
		if lerr != nil {
			return nil, lerr
		}
		return nil, apiError(ErrConflict, "Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [%s]", strings.Join(names, ", "))
	}
	return nil, storeError("delete version", err)
}

// aliasesRouting returns the names of a machine's aliases that route to a
// version.
func (s *Service) aliasesRouting(ctx context.Context, smARN, versionARN string) ([]string, error) {
	aliases, err := s.allAliases(ctx, smARN)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, a := range aliases {
		routes, err := store.ParseRouting(a.Routing)
		if err != nil {
			return nil, fmt.Errorf("alias %s: %w", a.ARN, err)
		}
		for _, r := range routes {
			if r.StateMachineVersionARN == versionARN {
				names = append(names, a.Name)
				break
			}
		}
	}
	return names, nil
}
