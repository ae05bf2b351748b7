package lambda

import (
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

// functionRef is a parsed FunctionName: the bare name and the qualifier the
// reference carried, if any.
type functionRef struct {
	name      string
	qualifier string
	partition string // from a full ARN; "" otherwise
	region    string // from a full ARN; "" otherwise
	account   string // from a full or partial ARN; "" otherwise
}

var (
	// nameQualifierPattern is what may follow the name in a FunctionName
	// (the model's (:(\$LATEST|[a-zA-Z0-9-_]+))?).
	nameQualifierPattern = regexp.MustCompile(`^(\$LATEST|[a-zA-Z0-9_-]+)$`)
	// qualifierPattern is the model's Qualifier member: (|[a-zA-Z0-9$_-]+).
	qualifierPattern = regexp.MustCompile(`^[a-zA-Z0-9$_-]*$`)
)

const maxQualifier = 128

// validateQualifier checks an explicit Qualifier (a query parameter) against
// the model; "" is no qualifier.
func validateQualifier(q string) error {
	if utf8.RuneCountInString(q) > maxQualifier {
		return errValidation(q, "qualifier", "Member must have length less than or equal to 128")
	}
	if !qualifierPattern.MatchString(q) {
		return errValidation(q, "qualifier", "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)")
	}
	return nil
}

// parseFunctionRef accepts a name, a partial ARN (123456789012:function:name)
// or a full ARN (arn:aws:lambda:region:account:function:name), each
// optionally followed by :qualifier, and validates the pieces as the Lambda
// API does (aws-semantics §6.1).
func parseFunctionRef(s string) (functionRef, error) {
	if s == "" {
		return functionRef{}, errValidation(nil, "functionName", "Member must not be null")
	}
	if len(s) > 170 {
		return functionRef{}, errValidation(s, "functionName", "Member must have length less than or equal to 170")
	}
	parts := strings.Split(s, ":")
	var ref functionRef
	switch {
	case parts[0] == "arn":
		// arn:partition:lambda:region:account:function:name[:qualifier]
		if len(parts) < 7 || len(parts) > 8 || parts[2] != "lambda" || parts[5] != "function" {
			return functionRef{}, badRef(s)
		}
		ref.partition, ref.region, ref.account, ref.name = parts[1], parts[3], parts[4], parts[6]
		if len(parts) == 8 {
			ref.qualifier = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function":
		// account:function:name[:qualifier]
		if len(parts) > 4 {
			return functionRef{}, badRef(s)
		}
		ref.account, ref.name = parts[0], parts[2]
		if len(parts) == 4 {
			ref.qualifier = parts[3]
		}
	case len(parts) <= 2:
		ref.name = parts[0]
		if len(parts) == 2 {
			ref.qualifier = parts[1]
		}
	default:
		return functionRef{}, badRef(s)
	}
	if ref.name == "" || len(ref.name) > maxNameLength || !namePattern.MatchString(ref.name) {
		return functionRef{}, badRef(s)
	}
	if len(parts) > 1 && ref.qualifier == "" && (len(parts) == 2 || len(parts) == 4 || len(parts) == 8) {
		return functionRef{}, badRef(s)
	}
	if ref.qualifier != "" && !nameQualifierPattern.MatchString(ref.qualifier) {
		return functionRef{}, badRef(s)
	}
	return ref, nil
}

func badRef(s string) error {
	if len(s) > maxNameLength && !strings.Contains(s, ":") {
		return errValidation(s, "functionName", "Member must have length less than or equal to 64")
	}
	return errValidation(s, "functionName",
		"Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?")
}

// functionARN returns the ARN of a function in the service's region and
// account, with ":qualifier" appended when qualifier is not empty.
func (s *Service) functionARN(name, qualifier string) string {
	arn := "arn:aws:lambda:" + s.opts.Region + ":" + s.opts.Account + ":function:" + name
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn
}

// notFound is the error for a reference that names no function here, with
// qualifier q. A function of another region is out of reach, as the Lambda
// API says it ("Functions from 'us-west-2' are not reachable in this region
// ('us-east-1')"); otherwise the message names the function the caller
// asked for, its account and partition included ("Function not found:
// arn:aws:lambda:us-east-1:999999999999:function:f").
func (s *Service) notFound(ref functionRef, q string) *APIError {
	if ref.region != "" && ref.region != s.opts.Region {
		return userError("ResourceNotFoundException", http.StatusNotFound,
			"Functions from '%s' are not reachable in this region ('%s')", ref.region, s.opts.Region)
	}
	partition, account := cmpOr(ref.partition, "aws"), cmpOr(ref.account, s.opts.Account)
	arn := "arn:" + partition + ":lambda:" + s.opts.Region + ":" + account + ":function:" + ref.name
	if q != "" {
		arn += ":" + q
	}
	return errNotFound(arn)
}

// resolveQualifier merges the qualifier carried by a reference with an
// explicit one, as the Lambda API does.
func resolveQualifier(ref functionRef, explicit string) (string, error) {
	switch {
	case ref.qualifier == "":
		return explicit, nil
	case explicit == "" || explicit == ref.qualifier:
		return ref.qualifier, nil
	default:
		return "", errInvalid("The derived qualifier from the function name does not match the specified qualifier.")
	}
}
