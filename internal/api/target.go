package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
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
// input as AWS's SerializationException.
func DecodeJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return NewError("SerializationException", "Invalid request body: "+err.Error())
	}
	return nil
}
