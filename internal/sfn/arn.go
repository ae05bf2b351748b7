package sfn

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Name rules shared by state machines, executions, activities, aliases and
// Map Run labels (API reference, StateMachineListItem "name": 1-80
// characters; no whitespace, no brackets < > { } [ ], no wildcards ? *, no
// special characters " # % \ ^ | ~ ` $ & , ; : /, no control characters
// U+0000-001F and U+007F-009F, no U+FFFE-FFFF, no surrogates U+D800-DFFF,
// no invalid character U+10FFFF).
//
// A JSON escape of a lone surrogate ("\ud800") decodes to U+FFFD, as does
// an invalid UTF-8 byte, and U+FFFD is a valid character: such a name is
// accepted with U+FFFD in it.
const (
	maxNameLength  = 80
	forbiddenChars = "?*<>{}[]\"#%\\^|~`$&,;:/"
)

// checkNameLength applies the model's 1-80 characters to a name member:
// a ValidationException, as AWS checks the model before the operation.
func checkNameLength(s, field string) error {
	switch n := len(utf16.Encode([]rune(s))); {
	case n == 0:
		return validation(s, field, "Member must have length greater than or equal to 1")
	case n > maxNameLength:
		return validation(s, field, "Member must have length less than or equal to 80")
	}
	return nil
}

// checkName checks a resource name: its length (ValidationException), then
// its characters (InvalidName).
func checkName(s, field string) error {
	if err := checkNameLength(s, field); err != nil {
		return err
	}
	if !validName(s) {
		return apiError(ErrInvalidName, "Invalid Name: '%s'", s)
	}
	return nil
}

// validName reports whether s may name a resource.
func validName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > maxNameLength {
		return false
	}
	for _, r := range s {
		if r <= ' ' || (r >= 0x7f && r <= 0x9f) || strings.ContainsRune(forbiddenChars, r) ||
			r == 0x85 || r == 0xa0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 ||
			r == 0x202f || r == 0x205f || r == 0x3000 ||
			r == 0xfffe || r == 0xffff || (r >= 0xd800 && r <= 0xdfff) || r == 0x10ffff {
			return false
		}
	}
	return true
}

// resourceARN builds arn:aws:states:<region>:<account>:<kind>:<rest>.
func (s *Service) resourceARN(kind, rest string) string {
	return "arn:aws:states:" + s.opts.Region + ":" + s.opts.Account + ":" + kind + ":" + rest
}

// parsedARN is a Step Functions ARN taken apart.
type parsedARN struct {
	region, account string
	kind            string   // stateMachine, execution, express, activity, mapRun
	parts           []string // the fields after the kind
}

// parseARN splits a Step Functions ARN; ok is false when it is not one.
func parseARN(arn string) (parsedARN, bool) {
	f := strings.Split(arn, ":")
	if len(f) < 7 || f[0] != "arn" || f[1] == "" || f[2] != "states" {
		return parsedARN{}, false
	}
	return parsedARN{region: f[3], account: f[4], kind: f[5], parts: f[6:]}, true
}

// invalidArn is AWS's InvalidArn error.
func invalidArn(arn string) *Error {
	if !strings.HasPrefix(arn, "arn:") {
		return apiError(ErrInvalidArn, "Invalid Arn: 'Invalid ARN prefix: %s'", arn)
	}
	return apiError(ErrInvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
}
