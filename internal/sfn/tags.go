package sfn

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"stepd/internal/store"
)

// Tag limits (developer guide, "Tagging"; API reference, Tag).
const (
	maxTags           = 50
	maxTagKeyLength   = 128
	maxTagValueLength = 256
)

// TagResourceInput is TagResource's request.
type TagResourceInput struct {
	ResourceArn string `json:"resourceArn"`
	Tags        []Tag  `json:"tags"`
}

// UntagResourceInput is UntagResource's request.
type UntagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

// ListTagsForResourceInput is ListTagsForResource's request.
type ListTagsForResourceInput struct {
	ResourceArn string `json:"resourceArn"`
}

// ListTagsForResourceOutput is ListTagsForResource's response.
type ListTagsForResourceOutput struct {
	Tags []Tag `json:"tags"`
}

// resourceNotFound is ResourceNotFound for a tagged resource, with AWS's
// message and resourceName member.
func resourceNotFound(arn string) *Error {
	e := apiError(ErrResourceNotFound, "Resource not found: '%s'", arn)
	e.Fields = map[string]any{"resourceName": arn}
	return e
}

// taggable checks that arn names something that carries tags: a state
// machine (not a version or alias) or an activity. Other well-formed Step
// Functions ARNs are ResourceNotFound, as on AWS for a version ARN.
func taggable(arn string) error {
	if arn == "" {
		return validation(nil, "resourceArn", "Member must not be null")
	}
	p, ok := parseARN(arn)
	if !ok {
		return invalidArn(arn)
	}
	if (p.kind != "stateMachine" && p.kind != "activity") || len(p.parts) != 1 || p.parts[0] == "" {
		return resourceNotFound(arn)
	}
	return nil
}

// tagKeyPattern is what a tag key may contain (API reference, Tag: "Tags
// may only contain Unicode letters, digits, white space, or these symbols:
// _ . : / = + - @"), in the form AWS's tagging APIs write it.
const tagKeyPattern = `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`

var tagKeyChars = regexp.MustCompile(tagKeyPattern)

// checkTags applies the constraints on tags: the model's lengths, the
// characters a key may have, and the reserved "aws:" prefix (in any case).
func checkTags(tags []Tag, field string) error {
	for i, t := range tags {
		at := fmt.Sprintf("%s.%d.member", field, i+1)
		switch n := len([]rune(t.Key)); {
		case n == 0:
			return validation(t.Key, at+".key", "Member must have length greater than or equal to 1")
		case n > maxTagKeyLength:
			return validation(t.Key, at+".key", "Member must have length less than or equal to 128")
		}
		if !tagKeyChars.MatchString(t.Key) {
			return validation(t.Key, at+".key", "Member must satisfy regular expression pattern: "+tagKeyPattern)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return apiError(ErrValidation, "Invalid tag key '%s': tag keys cannot start with 'aws:' (case insensitive), which is reserved for AWS use", t.Key)
		}
		if len([]rune(t.Value)) > maxTagValueLength {
			return validation(t.Value, at+".value", "Member must have length less than or equal to 256")
		}
	}
	return nil
}

// checkNewTags checks the tags of a resource being created.
func checkNewTags(tags []Tag, arn string) error {
	if err := checkTags(tags, "tags"); err != nil {
		return err
	}
	if len(tags) > maxTags {
		return tooManyTags(arn)
	}
	return nil
}

// tooManyTags is TooManyTags with its resourceName member.
func tooManyTags(arn string) *Error {
	e := apiError(ErrTooManyTags, "Too many tags: a resource can have at most %d tags", maxTags)
	e.Fields = map[string]any{"resourceName": arn}
	return e
}

// TagResource adds tags to a state machine or an activity, replacing the
// values of keys it already has. A resource may have at most 50 tags.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*struct{}, error) {
	if err := taggable(in.ResourceArn); err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, validation(nil, "tags", "Member must not be null")
	}
	if err := checkTags(in.Tags, "tags"); err != nil {
		return nil, err
	}
	old, err := s.store.ListTags(ctx, in.ResourceArn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, resourceNotFound(in.ResourceArn)
	}
	if err != nil {
		return nil, storeError("list tags", err)
	}
	keys := map[string]bool{}
	for _, t := range old {
		keys[t.Key] = true
	}
	for _, t := range in.Tags {
		keys[t.Key] = true
	}
	if len(keys) > maxTags {
		return nil, tooManyTags(in.ResourceArn)
	}
	if err := s.store.TagResource(ctx, in.ResourceArn, storeTags(in.Tags)); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, resourceNotFound(in.ResourceArn)
		}
		return nil, storeError("tag resource", err)
	}
	return &struct{}{}, nil
}

// UntagResource removes tag keys from a state machine or an activity; keys
// it does not have are ignored.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*struct{}, error) {
	if err := taggable(in.ResourceArn); err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, validation(nil, "tagKeys", "Member must not be null")
	}
	for i, k := range in.TagKeys {
		if n := len([]rune(k)); n == 0 || n > maxTagKeyLength {
			return nil, validation(k, fmt.Sprintf("tagKeys.%d.member", i+1), "Member must have length between 1 and 128")
		}
	}
	if err := s.store.UntagResource(ctx, in.ResourceArn, in.TagKeys); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, resourceNotFound(in.ResourceArn)
		}
		return nil, storeError("untag resource", err)
	}
	return &struct{}{}, nil
}

// ListTagsForResource lists a state machine's or an activity's tags, sorted
// by key.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	if err := taggable(in.ResourceArn); err != nil {
		return nil, err
	}
	tags, err := s.store.ListTags(ctx, in.ResourceArn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, resourceNotFound(in.ResourceArn)
	}
	if err != nil {
		return nil, storeError("list tags", err)
	}
	out := &ListTagsForResourceOutput{Tags: make([]Tag, len(tags))}
	for i, t := range tags {
		out.Tags[i] = Tag{Key: t.Key, Value: t.Value}
	}
	return out, nil
}
