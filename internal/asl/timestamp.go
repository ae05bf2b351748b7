package asl

import (
	"errors"
	"time"
)

var errDanglingEscape = errors.New("a '\\' must be followed by '*' or '\\'")

// ParseTimestamp parses a timestamp as Step Functions accepts them in Wait
// and Choice states: RFC 3339 with an uppercase 'T', an optional fraction and
// a 'Z' or a numeric offset (aws-semantics.md §1.1). A missing zone, a space
// instead of 'T' or an invalid date are rejected.
func ParseTimestamp(s string) (time.Time, bool) {
	if len(s) < 20 || s[10] != 'T' {
		return time.Time{}, false
	}
	last := s[len(s)-1]
	if last != 'Z' && (len(s) < 25 || (s[len(s)-6] != '+' && s[len(s)-6] != '-')) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
