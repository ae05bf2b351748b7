package lambda

import (
	"io"
	"net/http"

	"stepd/internal/jsonv"
	"strconv"
	"time"
)

// Payload limits (Lambda quotas).
const (
	// MaxSyncPayload is the largest RequestResponse request or response.
	MaxSyncPayload = 6 << 20
	// MaxAsyncPayload is the largest Event payload: 1 MB since AWS raised
	// it from 256 KB (AWS Compute Blog, "More room to build: serverless
	// services now support payloads up to 1 MB"; the Invoke API reference:
	// "For asynchronous invocations, the maximum payload size is 1 MB").
	MaxAsyncPayload = 1 << 20
	// maxErrorDoc bounds an error document posted by a runtime.
	maxErrorDoc = 1 << 20
)

// newRuntimeAPI returns the handler of the Lambda Runtime API
// (/2018-06-01/runtime/...). Each environment serves it on its own
// listener; the environment travels in the request context.
func newRuntimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", handleInitError)
	return mux
}

func envOf(r *http.Request) *env { return r.Context().Value(envKeyCtx{}).(*env) }

var (
	statusOK        = []byte(`{"status":"OK"}`)
	jsonContentType = []string{"application/json"}
)

func runtimeAPIError(w http.ResponseWriter, status int, errType, msg string) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"errorMessage":` + jsonQuote(msg) + `,"errorType":"` + errType + `"}`))
}

// handleNext long-polls for the next event: GET /runtime/invocation/next.
// The first call marks the end of the environment's initialisation.
func handleNext(w http.ResponseWriter, r *http.Request) {
	e := envOf(r)
	e.markReady()
	select {
	case inv := <-e.invokeCh:
		e.current.Store(inv)
		h := w.Header()
		h["Lambda-Runtime-Aws-Request-Id"] = []string{inv.id}
		h["Lambda-Runtime-Deadline-Ms"] = []string{strconv.FormatInt(inv.deadline.UnixMilli(), 10)}
		h["Lambda-Runtime-Invoked-Function-Arn"] = []string{inv.arn}
		h["Lambda-Runtime-Trace-Id"] = []string{traceID(inv)}
		if inv.clientCtx != "" {
			h["Lambda-Runtime-Client-Context"] = []string{inv.clientCtx}
		}
		h["Content-Type"] = jsonContentType
		h["Content-Length"] = []string{strconv.Itoa(len(inv.payload))}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	case <-e.closing:
		runtimeAPIError(w, http.StatusInternalServerError, "Runtime.ExitError", "the environment is shutting down")
	}
}

// traceID is the X-Ray header of an invocation, derived from its request
// ID so it is stable and needs no extra randomness.
func traceID(inv *invocation) string {
	id := inv.id
	if len(id) >= 36 {
		id = id[:8] + id[9:13] + id[14:18] + id[19:23] + id[24:28]
	}
	return "Root=1-" + strconv.FormatInt(inv.dispatched.Unix(), 16) + "-" + id + ";Sampled=0"
}

// takeCurrent returns the in-flight invocation if id names it, clearing it
// so that a second answer is refused.
func (e *env) takeCurrent(id string) *invocation {
	inv := e.current.Load()
	if inv == nil || inv.id != id || !e.current.CompareAndSwap(inv, nil) {
		return nil
	}
	return inv
}

// handleResponse takes a function's result:
// POST /runtime/invocation/{id}/response.
func handleResponse(w http.ResponseWriter, r *http.Request) {
	e := envOf(r)
	inv := e.takeCurrent(r.PathValue("id"))
	if inv == nil {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, ok, err := readBody(r, MaxSyncPayload)
	if err != nil {
		inv.post(invokeResult{failed: true, errType: "Runtime.ExitError", payload: platformError(inv.id, "Runtime.ExitError", "Runtime exited while sending its response")})
		return
	}
	if !ok {
		// Read the rest so the runtime's connection stays usable.
		_, _ = io.Copy(io.Discard, r.Body)
		inv.post(invokeResult{failed: true, errType: "Function.ResponseSizeTooLarge",
			payload: []byte(`{"errorMessage":"Response payload size exceeded maximum allowed payload size (` + strconv.Itoa(MaxSyncPayload) + ` bytes).","errorType":"Function.ResponseSizeTooLarge"}`)})
		runtimeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Exceeded maximum allowed payload size ("+strconv.Itoa(MaxSyncPayload)+" bytes).")
		return
	}
	inv.post(invokeResult{payload: body})
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(statusOK)
}

// handleError takes a function's failure:
// POST /runtime/invocation/{id}/error. The body is the error document the
// caller will see, verbatim.
func handleError(w http.ResponseWriter, r *http.Request) {
	e := envOf(r)
	inv := e.takeCurrent(r.PathValue("id"))
	if inv == nil {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, _, _ := readBody(r, maxErrorDoc)
	inv.post(invokeResult{failed: true, errType: errorTypeOf(r, body), payload: errorDocument(body),
		exiting: r.Header.Get(exitingHeader) == "true"})
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(statusOK)
}

// handleInitError takes a failure to initialise: POST /runtime/init/error.
// It becomes the result of the invoke waiting for this environment.
func handleInitError(w http.ResponseWriter, r *http.Request) {
	e := envOf(r)
	body, _, _ := readBody(r, maxErrorDoc)
	e.failInit(invokeResult{failed: true, errType: errorTypeOf(r, body), payload: errorDocument(body)})
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write(statusOK)
}

// exitingHeader, on an invocation error stepd's own Node.js bootstrap
// posts before it exits (an uncaught exception or unhandled rejection, as
// AWS's runtime does), says that the environment must not be reused.
const exitingHeader = "Stepd-Runtime-Exiting"

func errorTypeOf(r *http.Request, body []byte) string {
	if t := r.Header.Get("Lambda-Runtime-Function-Error-Type"); t != "" {
		return t
	}
	if t := jsonStringField(body, "errorType"); t != "" {
		return t
	}
	return "Runtime.Unknown"
}

// errorDocument is the payload an invoke returns for a posted error: the
// runtime's document if it sent one, else AWS's generic one.
func errorDocument(body []byte) []byte {
	if len(body) == 0 {
		return []byte(`{"errorMessage":"Unknown application error occurred","errorType":"Unhandled"}`)
	}
	return body
}

// platformError is an error document produced by the platform itself:
// {"errorType":"<type>","errorMessage":"RequestId: <id> Error: <msg>"}.
func platformError(requestID, errType, msg string) []byte {
	return []byte(`{"errorType":` + jsonQuote(errType) + `,"errorMessage":` +
		jsonQuote("RequestId: "+requestID+" Error: "+msg) + `}`)
}

func timeoutMessage(d time.Duration) string {
	return "Task timed out after " + strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " seconds"
}

// jsonQuote returns s as a JSON string literal.
func jsonQuote(s string) string { return string(jsonv.AppendString(nil, s)) }

// jsonStringField returns the string member key of a JSON object, or "".
func jsonStringField(doc []byte, key string) string {
	v, err := jsonv.Parse(doc)
	if err != nil {
		return ""
	}
	o, ok := v.(*jsonv.Object)
	if !ok {
		return ""
	}
	s, _ := o.Get(key)
	str, _ := s.(string)
	return str
}
