// Package cursor encodes the opaque pagination tokens every store hands
// out, so that all stores accept and refuse the same tokens.
//
// A token is the URL-safe base64 of a list kind, a hash of the list's
// filter and the sort key of the last item returned. A token is refused
// (store.ErrInvalidToken) when it is malformed, longer than 1024
// characters, or was handed out by another list or filter.
//
// Each list has its helpers here (Ascending and NextARN, Versions and
// NextVersion, and so on): they check a list's arguments, decode its token
// and encode the next, and Page cuts the page; stores call them instead of
// building keys themselves.
package cursor

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"

	"stepd/internal/store"
)

// MaxLen is the longest token accepted.
const MaxLen = 1024

const sep = "\x00"

// Encode returns the token that resumes list kind (with filter) after the
// item whose sort key is key.
func Encode(kind, filter string, key ...string) string {
	h := fnv.New64a()
	h.Write([]byte(filter))
	parts := append([]string{kind, strconv.FormatUint(h.Sum64(), 36)}, key...)
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, sep)))
}

// Decode returns the sort key in token, which must have been made by Encode
// with the same kind and filter and a key of n parts.
func Decode(token, kind, filter string, n int) ([]string, error) {
	invalid := fmt.Errorf("token %.40q: %w", token, store.ErrInvalidToken)
	if len(token) == 0 || len(token) > MaxLen {
		return nil, invalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, invalid
	}
	parts := strings.Split(string(raw), sep)
	h := fnv.New64a()
	h.Write([]byte(filter))
	if len(parts) != n+2 || parts[0] != kind || parts[1] != strconv.FormatUint(h.Sum64(), 36) {
		return nil, invalid
	}
	return parts[2:], nil
}

// Int parses a decimal key part, wrapping store.ErrInvalidToken.
func Int(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("token key %q: %w", s, store.ErrInvalidToken)
	}
	return n, nil
}

// Itoa formats a key part.
func Itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ExecutionsFilter is the filter of a list of executions, for Encode and
// Decode.
func ExecutionsFilter(field store.ExecutionFilter, value string, status store.ExecutionStatus) string {
	return string(field) + sep + value + sep + string(status)
}

// The kinds of list whose tokens the helpers below read and write. A token
// names its kind, so that one list refuses another's.
const (
	Machines       = "machines"
	Activities     = "activities"
	versions       = "versions"
	aliases        = "aliases"
	executions     = "executions"
	history        = "history"
	historyReverse = "history-reverse"
)

// Page returns items, which hold up to limit+1 of them (the extra one only
// telling that more follow), as a page of at most limit whose NextToken,
// when more follow, is next of the page's last item.
func Page[T any](items []T, limit int, next func(last T) string) store.Page[T] {
	if len(items) <= limit {
		return store.Page[T]{Items: items}
	}
	items = items[:limit]
	return store.Page[T]{Items: items, NextToken: next(items[limit-1])}
}

// Ascending checks the arguments of a list of kind Machines or Activities,
// in ARN order, and returns the page size and the ARN to continue after (""
// from the start).
func Ascending(kind string, p store.ListParams) (limit int, after string, err error) {
	limit, err = store.CheckMaxResults(p.MaxResults)
	if err != nil || p.NextToken == "" {
		return limit, "", err
	}
	key, err := Decode(p.NextToken, kind, "", 1)
	if err != nil {
		return 0, "", err
	}
	return limit, key[0], nil
}

// NextARN returns the token that resumes a list of kind in ARN order after
// arn.
func NextARN(kind, arn string) string { return Encode(kind, "", arn) }

// Versions checks the arguments of ListVersions (highest number first) and
// returns the page size and the number to continue below (math.MaxInt64
// from the start).
func Versions(p store.ListVersionsParams) (limit int, before int64, err error) {
	if limit, err = store.CheckMaxResults(p.MaxResults); err != nil {
		return 0, 0, err
	}
	if before, err = decodeInt(p.NextToken, versions, p.StateMachineARN, math.MaxInt64); err != nil {
		return 0, 0, err
	}
	return limit, before, nil
}

// NextVersion returns the token that resumes ListVersions after v.
func NextVersion(v *store.Version) string {
	return Encode(versions, v.StateMachineARN, Itoa(v.Number))
}

// Aliases checks the arguments of ListAliases (newest first) and returns
// the page size and the creation date (in milliseconds) and ARN to continue
// after (math.MaxInt64 and "" from the start, which every alias comes
// after).
func Aliases(p store.ListAliasesParams) (limit int, afterMs int64, afterARN string, err error) {
	if limit, err = store.CheckMaxResults(p.MaxResults); err != nil {
		return 0, 0, "", err
	}
	if afterMs, afterARN, err = decodeNewest(p.NextToken, aliases, p.StateMachineARN); err != nil {
		return 0, 0, "", err
	}
	return limit, afterMs, afterARN, nil
}

// NextAlias returns the token that resumes ListAliases after a.
func NextAlias(a *store.Alias) string {
	return Encode(aliases, a.StateMachineARN, Itoa(a.CreationDate.UnixMilli()), a.ARN)
}

// ExecutionsArgs are the checked arguments of ListExecutions (newest first).
type ExecutionsArgs struct {
	// Field and Value are the filter that is set (Filter).
	Field store.ExecutionFilter
	Value string
	// Status is the status to list, or "" for all.
	Status store.ExecutionStatus
	// Limit is the page size.
	Limit int
	// AfterMillis and AfterARN are the start date (in milliseconds) and ARN
	// to continue after: math.MaxInt64 and "" from the start, which every
	// execution comes after.
	AfterMillis int64
	AfterARN    string

	filter string
}

// Executions checks the arguments of ListExecutions and decodes its token.
func Executions(p store.ListExecutionsParams) (ExecutionsArgs, error) {
	field, value, err := p.Filter()
	if err != nil {
		return ExecutionsArgs{}, err
	}
	limit, err := store.CheckMaxResults(p.MaxResults)
	if err != nil {
		return ExecutionsArgs{}, err
	}
	a := ExecutionsArgs{Field: field, Value: value, Status: p.Status, Limit: limit, filter: ExecutionsFilter(field, value, p.Status)}
	if a.AfterMillis, a.AfterARN, err = decodeNewest(p.NextToken, executions, a.filter); err != nil {
		return ExecutionsArgs{}, err
	}
	return a, nil
}

// Next returns the token that resumes the list after e.
func (a ExecutionsArgs) Next(e *store.Execution) string {
	return Encode(executions, a.filter, Itoa(e.StartDate.UnixMilli()), e.ARN)
}

// History checks the arguments of History and returns the page size, the
// list's kind (forward or reverse) and the event id to continue after
// (forward, 0 from the start) or before (reverse, math.MaxInt64 from the
// start).
func History(p store.HistoryParams) (limit int, kind string, from int64, err error) {
	if limit, err = store.CheckMaxResults(p.MaxResults); err != nil {
		return 0, "", 0, err
	}
	kind, from = history, 0
	if p.Reverse {
		kind, from = historyReverse, math.MaxInt64
	}
	if from, err = decodeInt(p.NextToken, kind, p.ExecutionARN, from); err != nil {
		return 0, "", 0, err
	}
	return limit, kind, from, nil
}

// NextEvent returns the token that resumes the history list kind of
// executionARN after the event id.
func NextEvent(kind, executionARN string, id int64) string {
	return Encode(kind, executionARN, Itoa(id))
}

// decodeInt decodes a token whose key is one integer; from when token is "".
func decodeInt(token, kind, filter string, from int64) (int64, error) {
	if token == "" {
		return from, nil
	}
	key, err := Decode(token, kind, filter, 1)
	if err != nil {
		return 0, err
	}
	return Int(key[0])
}

// decodeNewest decodes a token of a newest-first list, whose key is a time
// in milliseconds and an ARN; math.MaxInt64 and "" when token is "".
func decodeNewest(token, kind, filter string) (int64, string, error) {
	if token == "" {
		return math.MaxInt64, "", nil
	}
	key, err := Decode(token, kind, filter, 2)
	if err != nil {
		return 0, "", err
	}
	ms, err := Int(key[0])
	if err != nil {
		return 0, "", err
	}
	return ms, key[1], nil
}
