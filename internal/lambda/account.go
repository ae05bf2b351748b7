package lambda

import (
	"context"
	"maps"
	"net/http"
	"regexp"
	"unicode/utf8"
)

// AccountSettings is the GetAccountSettings response.
type AccountSettings struct {
	AccountLimit AccountLimit `json:"AccountLimit"`
	AccountUsage AccountUsage `json:"AccountUsage"`
}

// AccountLimit holds the account's quotas (Lambda's defaults; stepd
// enforces the code size ones).
type AccountLimit struct {
	TotalCodeSize                  int64 `json:"TotalCodeSize"`
	CodeSizeUnzipped               int64 `json:"CodeSizeUnzipped"`
	CodeSizeZipped                 int64 `json:"CodeSizeZipped"`
	ConcurrentExecutions           int   `json:"ConcurrentExecutions"`
	UnreservedConcurrentExecutions int   `json:"UnreservedConcurrentExecutions"`
}

// AccountUsage counts the functions and the code they keep.
type AccountUsage struct {
	TotalCodeSize int64 `json:"TotalCodeSize"`
	FunctionCount int64 `json:"FunctionCount"`
}

// accountConcurrency is Lambda's default account concurrency quota.
const accountConcurrency = 1000

// GetAccountSettings reports the account's limits and usage: the number of
// functions and the size of their code (published versions included).
func (s *Service) GetAccountSettings(context.Context) (*AccountSettings, error) {
	out := &AccountSettings{AccountLimit: AccountLimit{
		TotalCodeSize:        80530636800,
		CodeSizeUnzipped:     MaxUnzippedSize,
		CodeSizeZipped:       MaxZipSize,
		ConcurrentExecutions: accountConcurrency,
	}}
	s.mu.RLock()
	for _, fn := range s.functions {
		rec := fn.def.Load().rec
		out.AccountUsage.FunctionCount++
		out.AccountUsage.TotalCodeSize += rec.Config.CodeSize
		for _, d := range fn.pub.Load().versions {
			if d.rec.CodeDir != rec.CodeDir {
				out.AccountUsage.TotalCodeSize += d.rec.Config.CodeSize
			}
		}
	}
	s.mu.RUnlock()
	out.AccountLimit.UnreservedConcurrentExecutions = max(accountConcurrency-s.reservedConcurrency(""), 0)
	return out, nil
}

// minUnreservedConcurrency is how much of the account's concurrency
// reservations must leave to the functions without one (PutFunctionConcurrency).
const minUnreservedConcurrency = 100

// reservedConcurrency sums the functions' reserved concurrency, leaving out
// the function named except.
func (s *Service) reservedConcurrency(except string) int {
	reserved := 0
	s.mu.RLock()
	defer s.mu.RUnlock()
	for name, fn := range s.functions {
		if r := fn.reserved.Load(); r != nil && name != except {
			reserved += *r
		}
	}
	return reserved
}

var tagKeyPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// taggedFunction resolves a TagResource/UntagResource/ListTags resource: a
// function's unqualified ARN (tags belong to the function, not to its
// versions or aliases).
func (s *Service) taggedFunction(arn string) (*function, error) {
	ref, err := parseFunctionRef(arn)
	if err != nil || ref.partition == "" {
		return nil, errValidation(arn, "resource", "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)")
	}
	if ref.qualifier != "" {
		return nil, errInvalid("Tags are not supported for resource %s", arn)
	}
	return s.lookupLatest(arn)
}

// ListTags returns a function's tags.
func (s *Service) ListTags(_ context.Context, arn string) (map[string]string, error) {
	fn, err := s.taggedFunction(arn)
	if err != nil {
		return nil, err
	}
	tags := maps.Clone(fn.tagMap())
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, nil
}

// TagResource adds or replaces tags of a function.
func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	if tags == nil {
		return errValidation(nil, "tags", "Member must not be null")
	}
	for k, v := range tags {
		if k == "" || utf8.RuneCountInString(k) > 128 || !tagKeyPattern.MatchString(k) {
			return errInvalid("The tag key %q is not valid.", k)
		}
		if utf8.RuneCountInString(v) > 256 {
			return errInvalid("The value of tag %q is longer than 256 characters.", k)
		}
	}
	return s.changeTags(ctx, arn, func(t map[string]string) map[string]string {
		if t == nil {
			t = map[string]string{}
		}
		maps.Copy(t, tags)
		if len(t) > 50 {
			return nil
		}
		return t
	})
}

// UntagResource removes tags from a function; missing keys are ignored.
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	if len(keys) == 0 {
		return errValidation(nil, "tagKeys", "Member must not be null")
	}
	return s.changeTags(ctx, arn, func(t map[string]string) map[string]string {
		for _, k := range keys {
			delete(t, k)
		}
		if t == nil {
			t = map[string]string{}
		}
		return t
	})
}

// changeTags stores a function's tags as change returns them (nil: too
// many). Tags are kept apart from the definition, so warm environments
// stay.
func (s *Service) changeTags(ctx context.Context, arn string, change func(map[string]string) map[string]string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fn, err := s.taggedFunction(arn)
	if err != nil {
		return err
	}
	tags := change(maps.Clone(fn.tagMap()))
	if tags == nil {
		return userError("InvalidParameterValueException", http.StatusBadRequest, "A function may have at most 50 tags.")
	}
	return s.saveAside(ctx, fn, func() func() {
		prev := fn.tags.Swap(&tags)
		return func() { fn.tags.Store(prev) }
	})
}

// saveAside saves a change to what a function keeps beside its definition
// (tags, event invoke configurations, reserved concurrency), so that the
// change leaves its revision and its warm environments alone. apply makes
// the change and returns how to undo it should the save fail. The caller
// holds writeMu.
func (s *Service) saveAside(ctx context.Context, fn *function, apply func() (undo func())) error {
	undo := apply()
	if err := s.save(ctx, fn, fn.def.Load().rec, fn.pub.Load()); err != nil {
		undo()
		return err
	}
	return nil
}
