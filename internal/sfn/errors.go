package sfn

import (
	"errors"
	"fmt"

	"stepd/internal/store"
)

// Error is a Step Functions API error: an AWS exception name and a message,
// plus extra members some errors carry (ValidationException's "reason").
type Error struct {
	Code    string
	Message string
	Fields  map[string]any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func apiError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// The exceptions of the Step Functions API (API reference, "Errors").
const (
	ErrActivityDoesNotExist         = "ActivityDoesNotExist"
	ErrActivityAlreadyExists        = "ActivityAlreadyExists"
	ErrConflict                     = "ConflictException"
	ErrExecutionAlreadyExists       = "ExecutionAlreadyExists"
	ErrExecutionDoesNotExist        = "ExecutionDoesNotExist"
	ErrExecutionNotRedrivable       = "ExecutionNotRedrivable"
	ErrInvalidArn                   = "InvalidArn"
	ErrInvalidDefinition            = "InvalidDefinition"
	ErrInvalidExecutionInput        = "InvalidExecutionInput"
	ErrInvalidLoggingConfiguration  = "InvalidLoggingConfiguration"
	ErrInvalidName                  = "InvalidName"
	ErrInvalidOutput                = "InvalidOutput"
	ErrInvalidToken                 = "InvalidToken"
	ErrInvalidTracingConfiguration  = "InvalidTracingConfiguration"
	ErrMissingRequiredParameter     = "MissingRequiredParameter"
	ErrResourceNotFound             = "ResourceNotFound"
	ErrStateMachineAlreadyExists    = "StateMachineAlreadyExists"
	ErrStateMachineDeleting         = "StateMachineDeleting"
	ErrStateMachineDoesNotExist     = "StateMachineDoesNotExist"
	ErrStateMachineTypeNotSupported = "StateMachineTypeNotSupported"
	ErrTaskDoesNotExist             = "TaskDoesNotExist"
	ErrTaskTimedOut                 = "TaskTimedOut"
	ErrTooManyTags                  = "TooManyTags"
	ErrValidation                   = "ValidationException"
)

// validation is a model-constraint ValidationException in AWS's words:
// "1 validation error detected: Value '<v>' at '<field>' failed to satisfy
// constraint: <constraint>"; a nil value is written null, unquoted.
func validation(value any, field, constraint string) *Error {
	v := "null"
	if value != nil {
		v = fmt.Sprintf("'%v'", value)
	}
	return apiError(ErrValidation, "1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s", v, field, constraint)
}

// storeError turns an unexpected store failure into an internal error,
// keeping its text for the log.
func storeError(op string, err error) error {
	if errors.Is(err, store.ErrInvalidToken) {
		return apiError(ErrInvalidToken, "Invalid Token: 'The pagination token is invalid'")
	}
	return fmt.Errorf("%s: %w", op, err)
}
