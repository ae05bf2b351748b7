package lambda

import (
	"fmt"
	"net/http"
)

// APIError is a failure of the Lambda service itself (not of the function):
// an unknown function, an invalid parameter, throttling. Step Functions turns
// it into "Lambda.<Code>" with the cause
// "<Message> (Service: AWSLambda; Status Code: <Status>; Error Code: <Code>;
// Request ID: <id>; Proxy: null)".
type APIError struct {
	// Code is the AWS exception name, e.g. ResourceNotFoundException.
	Code string
	// Status is the HTTP status the Lambda API answers with.
	Status int
	// Message is the human-readable text, worded as AWS words it.
	Message string
	// Type is "User" for caller errors and "Service" for internal ones.
	Type string
	// Reason qualifies some errors (TooManyRequestsException); may be empty.
	Reason string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Cause renders the error the way Step Functions reports a Lambda service
// error in a task failure's cause.
func (e *APIError) Cause(requestID string) string {
	return fmt.Sprintf("%s (Service: AWSLambda; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
		e.Message, e.Status, e.Code, requestID)
}

func userError(code string, status int, format string, args ...any) *APIError {
	return &APIError{Code: code, Status: status, Message: fmt.Sprintf(format, args...), Type: "User"}
}

// errNotFound is AWS's ResourceNotFoundException for a function ARN
// (aws-semantics §6.1: "Function not found: arn:...").
func errNotFound(arn string) *APIError {
	return userError("ResourceNotFoundException", http.StatusNotFound, "Function not found: %s", arn)
}

// errConflict is AWS's ResourceConflictException for CreateFunction of an
// existing name (aws-semantics §6.1; AWS writes "exist").
func errConflict(name string) *APIError {
	return userError("ResourceConflictException", http.StatusConflict, "Function already exist: %s", name)
}

func errInvalid(format string, args ...any) *APIError {
	return userError("InvalidParameterValueException", http.StatusBadRequest, format, args...)
}

// errValidation is AWS's model-constraint error:
// "1 validation error detected: Value '<v>' at '<field>' failed to satisfy
// constraint: <constraint>".
func errValidation(value any, field, constraint string) *APIError {
	v := "null"
	if value != nil {
		v = fmt.Sprintf("'%v'", value)
	}
	return userError("ValidationException", http.StatusBadRequest,
		"1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s", v, field, constraint)
}

func errTooLarge(limit int, op string) *APIError {
	return userError("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge,
		"Request must be smaller than %d bytes for the %s operation", limit, op)
}

func errThrottled(reason string) *APIError {
	e := userError("TooManyRequestsException", http.StatusTooManyRequests, "Rate Exceeded.")
	e.Reason = reason
	return e
}

func errServiceFailure(format string, args ...any) *APIError {
	return &APIError{Code: "ServiceException", Status: http.StatusInternalServerError,
		Message: fmt.Sprintf(format, args...), Type: "Service"}
}
