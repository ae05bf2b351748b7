package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"stepd/internal/lambda"
)

// Error is an AWS service error: an exception name, an HTTP status and a
// message, plus extra members some errors carry.
type Error struct {
	// Code is the exception name, e.g. ResourceNotFoundException.
	Code string
	// Status is the HTTP status; 400 when zero.
	Status int
	// Message is the error text.
	Message string
	// Fields are extra members of the error body (e.g. "reason").
	Fields map[string]any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// NewError returns an *Error with status 400.
func NewError(code, message string) *Error {
	return &Error{Code: code, Status: http.StatusBadRequest, Message: message}
}

func (e *Error) status() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// writeJSON writes v as a JSON response with the given content type.
func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"__type":"InternalFailure","message":"could not encode the response"}`)
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteJSONError writes err in the AWS JSON 1.0/1.1 shape:
// {"__type":"<Code>","message":"<Message>"} with its status. Errors that
// are not *Error become a 500 InternalFailure.
func WriteJSONError(w http.ResponseWriter, contentType string, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: "InternalFailure", Status: http.StatusInternalServerError, Message: err.Error()}
	}
	body := map[string]any{"__type": e.Code, "message": e.Message}
	for k, v := range e.Fields {
		body[k] = v
	}
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	writeJSON(w, e.status(), contentType, body)
}

// WriteRESTError writes err in the AWS REST-JSON shape Lambda uses: header
// X-Amzn-ErrorType, body {"Type":"User","Message":"..."} (aws-semantics
// §6.1). Errors that are not *lambda.APIError or *Error become a 500
// ServiceException.
func WriteRESTError(w http.ResponseWriter, err error) {
	var le *lambda.APIError
	var e *Error
	body := map[string]any{}
	var code string
	var status int
	switch {
	case errors.As(err, &le):
		code, status = le.Code, le.Status
		body["Type"], body["Message"] = le.Type, le.Message
		if le.Reason != "" {
			body["Reason"] = le.Reason
		}
	case errors.As(err, &e):
		code, status = e.Code, e.status()
		body["Type"], body["Message"] = "User", e.Message
		for k, v := range e.Fields {
			body[k] = v
		}
	default:
		code, status = "ServiceException", http.StatusInternalServerError
		body["Type"], body["Message"] = "Service", err.Error()
	}
	w.Header().Set("X-Amzn-ErrorType", code)
	writeJSON(w, status, "application/json", body)
}
