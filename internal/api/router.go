package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/google/uuid"
)

// Router is stepd's HTTP handler: AWS JSON services through a
// [TargetRouter] on "POST /", REST routes on their paths.
type Router struct {
	mux     *http.ServeMux
	targets *TargetRouter
	log     *slog.Logger
}

// NewRouter returns an empty router. log receives panics; nil means
// slog.Default().
func NewRouter(log *slog.Logger) *Router {
	if log == nil {
		log = slog.Default()
	}
	r := &Router{mux: http.NewServeMux(), targets: NewTargetRouter(), log: log}
	r.mux.Handle("POST /{$}", r.targets)
	return r
}

// Handle registers a REST route (a Go 1.22 ServeMux pattern).
func (r *Router) Handle(pattern string, h http.Handler) { r.mux.Handle(pattern, h) }

// HandleFunc registers a REST route handled by f.
func (r *Router) HandleFunc(pattern string, f http.HandlerFunc) { r.mux.HandleFunc(pattern, f) }

// Targets returns the X-Amz-Target router for AWS JSON services.
func (r *Router) Targets() *TargetRouter { return r.targets }

type requestIDKey struct{}

// RequestID returns the id the router gave the request (also sent back
// as x-amzn-RequestId).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ServeHTTP implements http.Handler: it stamps a request id and recovers
// panics into an AWS-shaped 500 error.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	id := uuid.NewString()
	w.Header().Set("X-Amzn-Requestid", id)
	req = req.WithContext(context.WithValue(req.Context(), requestIDKey{}, id))
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			r.log.Error("panic in HTTP handler", "method", req.Method, "path", req.URL.Path,
				"target", req.Header.Get("X-Amz-Target"), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err := fmt.Errorf("internal error (request %s)", id)
			if req.Header.Get("X-Amz-Target") != "" {
				WriteJSONError(w, contentTypeFor(req), &Error{Code: "InternalFailure", Status: http.StatusInternalServerError, Message: err.Error()})
			} else {
				WriteRESTError(w, err)
			}
		}
	}()
	r.mux.ServeHTTP(w, req)
}
