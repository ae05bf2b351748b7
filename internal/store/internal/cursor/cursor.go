// Package cursor encodes the opaque pagination tokens every store hands
// out, so that all stores accept and refuse the same tokens.
//
// A token is the URL-safe base64 of a list kind, a hash of the list's
// filter and the sort key of the last item returned. A token is refused
// (store.ErrInvalidToken) when it is malformed, longer than 1024
// characters, or was handed out by another list or filter.
package cursor

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
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
