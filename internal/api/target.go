package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
)

// Content types of the AWS JSON protocols.
const (
	ContentTypeJSON10 = "application/x-amz-json-1.0"
	ContentTypeJSON11 = "application/x-amz-json-1.1"
)

// maxJSONRequest bounds AWS JSON request bodies (Step Functions' API limit
// is 1 MB; leave room for encoding).
const maxJSONRequest = 4 << 20

// TargetHandler serves one AWS JSON service; operation is the part of
// X-Amz-Target after the service prefix and the dot.
type TargetHandler interface {
	ServeTarget(w http.ResponseWriter, r *http.Request, operation string)
}

// TargetRouter dispatches "POST /" requests on their X-Amz-Target header,
// "<Prefix>.<Operation>", to the handler registered for the prefix.
type TargetRouter struct {
	mu       sync.RWMutex
	services map[string]TargetHandler
}

// NewTargetRouter returns a router with no services.
func NewTargetRouter() *TargetRouter { return &TargetRouter{services: map[string]TargetHandler{}} }

// Register attaches a service under its target prefix, e.g.
// "AWSStepFunctions" or "Logs_20140328".
func (t *TargetRouter) Register(prefix string, h TargetHandler) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.services[prefix] = h
}

// contentTypeFor answers in the JSON version the client spoke.
func contentTypeFor(r *http.Request) string {
	if strings.Contains(r.Header.Get("Content-Type"), "1.1") {
		return ContentTypeJSON11
	}
	return ContentTypeJSON10
}

// ServeHTTP implements http.Handler.
func (t *TargetRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	prefix, op, ok := strings.Cut(target, ".")
	t.mu.RLock()
	h := t.services[prefix]
	t.mu.RUnlock()
	if !ok || h == nil || op == "" {
		unknownOperation(w, r, target)
		return
	}
	h.ServeTarget(w, r, op)
}

func unknownOperation(w http.ResponseWriter, r *http.Request, target string) {
	msg := "Unknown operation " + target
	if target == "" {
		msg = "Missing X-Amz-Target header"
	}
	WriteJSONError(w, contentTypeFor(r), &Error{Code: "UnknownOperationException", Message: msg})
}

// JSONOperation handles one operation: body is the raw request JSON; the
// result is encoded as the response.
type JSONOperation func(ctx context.Context, body []byte) (any, error)

// JSONService is a [TargetHandler] that dispatches on the operation name.
type JSONService struct {
	// ContentType is ContentTypeJSON10 or ContentTypeJSON11.
	ContentType string
	// Operations maps operation names to their handlers.
	Operations map[string]JSONOperation
}

// ServeTarget implements [TargetHandler].
func (s *JSONService) ServeTarget(w http.ResponseWriter, r *http.Request, operation string) {
	op := s.Operations[operation]
	if op == nil {
		unknownOperation(w, r, r.Header.Get("X-Amz-Target"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONRequest+1))
	if err != nil {
		WriteJSONError(w, s.ContentType, NewError("SerializationException", "could not read the request body"))
		return
	}
	if len(body) > maxJSONRequest {
		WriteJSONError(w, s.ContentType, &Error{Code: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge, Message: "Request is too large"})
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	out, err := op(r.Context(), body)
	if err != nil {
		WriteJSONError(w, s.ContentType, err)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	writeJSON(w, http.StatusOK, s.ContentType, out)
}

// DecodeJSON decodes an operation's body into v, reporting malformed
// input as AWS's SerializationException, worded as AWS words it (e.g.
// "STRING_VALUE can not be converted to an Integer") rather than with Go's
// type names.
func DecodeJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return NewError("SerializationException", serializationMessage(err))
	}
	return nil
}

// serializationMessage words a decoding error for the client.
func serializationMessage(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &se) && strings.HasPrefix(se.Error(), "unexpected end"):
		return "Unexpected end of the JSON request body"
	case errors.As(err, &se):
		return fmt.Sprintf("Invalid JSON in the request body at offset %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "invalid character "))
	case errors.As(err, &te):
		msg := awsToken(te.Value) + " can not be converted to " + awsType(te.Type)
		if te.Field != "" {
			msg += " (member '" + te.Field + "')"
		}
		return msg
	}
	return "Invalid request body"
}

// awsToken names the JSON value kind encoding/json reports as AWS's
// deserializer does.
func awsToken(value string) string {
	switch {
	case value == "string":
		return "STRING_VALUE"
	case value == "bool":
		return "BOOLEAN_VALUE"
	case value == "array":
		return "START_ARRAY"
	case value == "object":
		return "START_OBJECT"
	case strings.HasPrefix(value, "number"):
		return "NUMBER_VALUE"
	}
	return "VALUE"
}

// awsType names a Go type as the API model's type.
func awsType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a String"
	case reflect.Bool:
		return "a Boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return "an Integer"
	case reflect.Int64, reflect.Uint64:
		return "a Long"
	case reflect.Float32, reflect.Float64:
		return "a Float"
	case reflect.Slice, reflect.Array:
		return "a List"
	case reflect.Map:
		return "a Map"
	}
	return "a Structure"
}
