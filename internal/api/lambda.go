package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"

	"stepd/internal/jsonv"
	"stepd/internal/lambda"
)

// CodeDownloadPath is where GetFunction's Code.Location points: the
// function's uploaded zip, served by stepd (AWS points at S3).
const CodeDownloadPath = "/_stepd/lambda/functions/{name}/code.zip"

// lambdaAPI serves the Lambda REST API (restJson1, version 2015-03-31).
type lambdaAPI struct {
	svc *lambda.Service
}

// RegisterLambda adds the Lambda API routes to r (aws-semantics §6.1).
func RegisterLambda(r *Router, svc *lambda.Service) {
	a := &lambdaAPI{svc: svc}
	r.HandleFunc("POST /2015-03-31/functions", a.createFunction)
	r.HandleFunc("POST /2015-03-31/functions/{$}", a.createFunction)
	r.HandleFunc("GET /2015-03-31/functions", a.listFunctions)
	r.HandleFunc("GET /2015-03-31/functions/{$}", a.listFunctions)
	r.HandleFunc("GET /2015-03-31/functions/{name}", a.getFunction)
	r.HandleFunc("DELETE /2015-03-31/functions/{name}", a.deleteFunction)
	r.HandleFunc("GET /2015-03-31/functions/{name}/configuration", a.getFunctionConfiguration)
	r.HandleFunc("PUT /2015-03-31/functions/{name}/configuration", a.updateFunctionConfiguration)
	r.HandleFunc("PUT /2015-03-31/functions/{name}/code", a.updateFunctionCode)
	r.HandleFunc("POST /2015-03-31/functions/{name}/invocations", a.invoke)
	r.HandleFunc("PUT /2017-10-31/functions/{name}/concurrency", a.putFunctionConcurrency)
	r.HandleFunc("DELETE /2017-10-31/functions/{name}/concurrency", a.deleteFunctionConcurrency)
	r.HandleFunc("GET /2019-09-30/functions/{name}/concurrency", a.getFunctionConcurrency)
	r.HandleFunc("POST /2015-03-31/functions/{name}/versions", a.publishVersion)
	r.HandleFunc("GET /2015-03-31/functions/{name}/versions", a.listVersions)
	r.HandleFunc("POST /2015-03-31/functions/{name}/aliases", a.createAlias)
	r.HandleFunc("GET /2015-03-31/functions/{name}/aliases", a.listAliases)
	r.HandleFunc("GET /2015-03-31/functions/{name}/aliases/{alias}", a.getAlias)
	r.HandleFunc("PUT /2015-03-31/functions/{name}/aliases/{alias}", a.updateAlias)
	r.HandleFunc("DELETE /2015-03-31/functions/{name}/aliases/{alias}", a.deleteAlias)
	r.HandleFunc("PUT /2019-09-25/functions/{name}/event-invoke-config", a.putEventInvokeConfig)
	r.HandleFunc("POST /2019-09-25/functions/{name}/event-invoke-config", a.updateEventInvokeConfig)
	r.HandleFunc("GET /2019-09-25/functions/{name}/event-invoke-config", a.getEventInvokeConfig)
	r.HandleFunc("DELETE /2019-09-25/functions/{name}/event-invoke-config", a.deleteEventInvokeConfig)
	r.HandleFunc("GET /2019-09-25/functions/{name}/event-invoke-config/list", a.listEventInvokeConfigs)
	r.HandleFunc("GET /2016-08-19/account-settings", a.getAccountSettings)
	r.HandleFunc("GET /2016-08-19/account-settings/{$}", a.getAccountSettings)
	r.HandleFunc("GET /2017-03-31/tags/{arn}", a.listTags)
	r.HandleFunc("POST /2017-03-31/tags/{arn}", a.tagResource)
	r.HandleFunc("DELETE /2017-03-31/tags/{arn}", a.untagResource)
	r.HandleFunc("GET "+CodeDownloadPath, a.downloadCode)
	// Every other path under the Lambda API's version prefixes is an
	// operation stepd does not implement (or a method a path does not
	// take): an AWS-shaped error, not the mux's text/plain 404 or 405.
	for _, prefix := range lambdaPrefixes {
		r.HandleFunc("/"+prefix+"/", unknownLambdaOperation)
	}
}

// lambdaPrefixes are the date prefixes of the Lambda API's request URIs
// (botocore's lambda/2015-03-31 model).
var lambdaPrefixes = []string{"2014-11-13", "2015-03-31", "2016-08-19", "2017-03-31", "2017-10-31", "2018-10-31",
	"2019-09-25", "2019-09-30", "2020-04-22", "2020-06-30", "2021-07-20", "2021-10-31", "2021-11-15", "2024-08-31",
	"2025-11-30", "2025-12-01"}

// unknownLambdaOperation answers a request for a Lambda operation stepd
// does not serve: 404 UnknownOperationException naming the method and path.
func unknownLambdaOperation(w http.ResponseWriter, r *http.Request) {
	WriteRESTError(w, &Error{Code: "UnknownOperationException", Status: http.StatusNotFound,
		Message: "stepd does not implement the Lambda operation " + r.Method + " " + r.URL.Path})
}

// queryMaxItems reads a MaxItems query parameter; nil when absent.
func queryMaxItems(r *http.Request) (*int, error) {
	q := r.URL.Query()
	if !q.Has("MaxItems") {
		return nil, nil
	}
	n, err := strconv.Atoi(q.Get("MaxItems"))
	if err != nil {
		return nil, NewError("InvalidParameterValueException", "MaxItems must be a number")
	}
	return &n, nil
}

func (a *lambdaAPI) publishVersion(w http.ResponseWriter, r *http.Request) {
	var in lambda.PublishVersionInput
	if err := readREST(r, maxJSONRequest, "PublishVersion", &in); err != nil {
		WriteRESTError(w, err)
		return
	}
	in.FunctionName = r.PathValue("name")
	cfg, err := a.svc.PublishVersion(r.Context(), &in)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusCreated, cfg)
}

func (a *lambdaAPI) listVersions(w http.ResponseWriter, r *http.Request) {
	n, err := queryMaxItems(r)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	out, err := a.svc.ListVersionsByFunction(r.Context(), r.PathValue("name"), r.URL.Query().Get("Marker"), n)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, out)
}

func (a *lambdaAPI) createAlias(w http.ResponseWriter, r *http.Request) {
	var in lambda.CreateAliasInput
	if err := readREST(r, maxJSONRequest, "CreateAlias", &in); err != nil {
		WriteRESTError(w, err)
		return
	}
	in.FunctionName = r.PathValue("name")
	out, err := a.svc.CreateAlias(r.Context(), &in)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusCreated, out)
}

func (a *lambdaAPI) listAliases(w http.ResponseWriter, r *http.Request) {
	n, err := queryMaxItems(r)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	q := r.URL.Query()
	out, err := a.svc.ListAliases(r.Context(), r.PathValue("name"), q.Get("FunctionVersion"), q.Get("Marker"), n)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, out)
}

func (a *lambdaAPI) getAlias(w http.ResponseWriter, r *http.Request) {
	out, err := a.svc.GetAlias(r.Context(), r.PathValue("name"), r.PathValue("alias"))
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, out)
}

func (a *lambdaAPI) updateAlias(w http.ResponseWriter, r *http.Request) {
	var in lambda.UpdateAliasInput
	if err := readREST(r, maxJSONRequest, "UpdateAlias", &in); err != nil {
		WriteRESTError(w, err)
		return
	}
	in.FunctionName, in.Name = r.PathValue("name"), r.PathValue("alias")
	out, err := a.svc.UpdateAlias(r.Context(), &in)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, out)
}

func (a *lambdaAPI) deleteAlias(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.DeleteAlias(r.Context(), r.PathValue("name"), r.PathValue("alias")); err != nil {
		WriteRESTError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *lambdaAPI) getAccountSettings(w http.ResponseWriter, r *http.Request) {
	out, err := a.svc.GetAccountSettings(r.Context())
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, out)
}

type tagsBody struct {
	Tags map[string]string `json:"Tags"`
}

func (a *lambdaAPI) listTags(w http.ResponseWriter, r *http.Request) {
	tags, err := a.svc.ListTags(r.Context(), r.PathValue("arn"))
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, tagsBody{Tags: tags})
}

func (a *lambdaAPI) tagResource(w http.ResponseWriter, r *http.Request) {
	var in tagsBody
	if err := readREST(r, maxJSONRequest, "TagResource", &in); err != nil {
		WriteRESTError(w, err)
		return
	}
	if err := a.svc.TagResource(r.Context(), r.PathValue("arn"), in.Tags); err != nil {
		WriteRESTError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *lambdaAPI) untagResource(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.UntagResource(r.Context(), r.PathValue("arn"), r.URL.Query()["tagKeys"]); err != nil {
		WriteRESTError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeREST(w http.ResponseWriter, status int, v any) {
	writeJSON(w, status, "application/json", v)
}

// readREST decodes a JSON request body into v, at most limit bytes.
func readREST(r *http.Request, limit int64, op string, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return NewError("InvalidRequestContentException", "Could not read the request body.")
	}
	if int64(len(body)) > limit {
		return &Error{Code: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge,
			Message: "Request must be smaller than " + strconv.FormatInt(limit, 10) + " bytes for the " + op + " operation"}
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		msg := serializationMessage(err) // a member of the wrong type
		if _, perr := jsonv.Parse(body); perr != nil {
			msg = perr.Error() // not JSON: where and why
		}
		return NewError("InvalidRequestContentException", "Could not parse request body into json: "+msg)
	}
	return nil
}

func (a *lambdaAPI) createFunction(w http.ResponseWriter, r *http.Request) {
	var in lambda.CreateFunctionInput
	if err := readREST(r, lambda.MaxRequestSize, "CreateFunction", &in); err != nil {
		WriteRESTError(w, err)
		return
	}
	cfg, err := a.svc.CreateFunction(r.Context(), &in)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusCreated, cfg)
}

func (a *lambdaAPI) listFunctions(w http.ResponseWriter, r *http.Request) {
	in, err := lambda.ParseListFunctionsQuery(r.URL.Query())
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	out, err := a.svc.ListFunctionsPage(r.Context(), in)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, out)
}

func (a *lambdaAPI) getFunction(w http.ResponseWriter, r *http.Request) {
	out, err := a.svc.GetFunction(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"), func(name string) string {
		if zip, _ := a.svc.CodeArchive(name); zip == "" {
			return ""
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		return scheme + "://" + r.Host + "/_stepd/lambda/functions/" + name + "/code.zip"
	})
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, out)
}

func (a *lambdaAPI) getFunctionConfiguration(w http.ResponseWriter, r *http.Request) {
	cfg, err := a.svc.GetFunctionConfiguration(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, cfg)
}

func (a *lambdaAPI) updateFunctionConfiguration(w http.ResponseWriter, r *http.Request) {
	var in lambda.UpdateFunctionConfigurationInput
	if err := readREST(r, maxJSONRequest, "UpdateFunctionConfiguration", &in); err != nil {
		WriteRESTError(w, err)
		return
	}
	in.FunctionName = r.PathValue("name")
	cfg, err := a.svc.UpdateFunctionConfiguration(r.Context(), &in)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, cfg)
}

func (a *lambdaAPI) updateFunctionCode(w http.ResponseWriter, r *http.Request) {
	var in lambda.UpdateFunctionCodeInput
	if err := readREST(r, lambda.MaxRequestSize, "UpdateFunctionCode", &in); err != nil {
		WriteRESTError(w, err)
		return
	}
	in.FunctionName = r.PathValue("name")
	cfg, err := a.svc.UpdateFunctionCode(r.Context(), &in)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, cfg)
}

func (a *lambdaAPI) deleteFunction(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.DeleteFunction(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier")); err != nil {
		WriteRESTError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// invoke serves Invoke (aws-semantics §6.2): the body is the raw payload;
// options travel in X-Amz-* headers and come back the same way.
func (a *lambdaAPI) invoke(w http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(io.LimitReader(r.Body, lambda.MaxSyncPayload+1))
	if err != nil {
		WriteRESTError(w, NewError("InvalidRequestContentException", "Could not read the request body."))
		return
	}
	out, err := a.svc.Invoke(r.Context(), &lambda.InvokeInput{
		FunctionName:   r.PathValue("name"),
		Qualifier:      r.URL.Query().Get("Qualifier"),
		Payload:        payload,
		InvocationType: r.Header.Get("X-Amz-Invocation-Type"),
		LogType:        r.Header.Get("X-Amz-Log-Type"),
		ClientContext:  r.Header.Get("X-Amz-Client-Context"),
	})
	if err != nil {
		if r.Context().Err() != nil {
			return // the client went away
		}
		WriteRESTError(w, err)
		return
	}
	h := w.Header()
	h.Set("X-Amzn-Requestid", out.RequestID)
	if out.ExecutedVersion != "" {
		h.Set("X-Amz-Executed-Version", out.ExecutedVersion)
	}
	if out.FunctionError != "" {
		h.Set("X-Amz-Function-Error", out.FunctionError)
	}
	if out.LogResult != "" {
		h.Set("X-Amz-Log-Result", out.LogResult)
	}
	if out.StatusCode == http.StatusOK {
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(out.Payload)))
	}
	w.WriteHeader(out.StatusCode)
	_, _ = w.Write(out.Payload)
}

type concurrencyBody struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
}

func (a *lambdaAPI) putFunctionConcurrency(w http.ResponseWriter, r *http.Request) {
	var in concurrencyBody
	if err := readREST(r, maxJSONRequest, "PutFunctionConcurrency", &in); err != nil {
		WriteRESTError(w, err)
		return
	}
	if in.ReservedConcurrentExecutions == nil {
		WriteRESTError(w, NewError("ValidationException",
			"1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null"))
		return
	}
	n, err := a.svc.PutFunctionConcurrency(r.Context(), r.PathValue("name"), *in.ReservedConcurrentExecutions)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, concurrencyBody{ReservedConcurrentExecutions: &n})
}

func (a *lambdaAPI) getFunctionConcurrency(w http.ResponseWriter, r *http.Request) {
	n, err := a.svc.GetFunctionConcurrency(r.Context(), r.PathValue("name"))
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, concurrencyBody{ReservedConcurrentExecutions: n})
}

func (a *lambdaAPI) deleteFunctionConcurrency(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.DeleteFunctionConcurrency(r.Context(), r.PathValue("name")); err != nil {
		WriteRESTError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *lambdaAPI) downloadCode(w http.ResponseWriter, r *http.Request) {
	path, err := a.svc.CodeArchive(r.PathValue("name"))
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	f, err := os.Open(path)
	if path == "" || errors.Is(err, os.ErrNotExist) {
		WriteRESTError(w, &Error{Code: "ResourceNotFoundException", Status: http.StatusNotFound, Message: "The function's code is a local directory; there is no archive to download."})
		return
	}
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/zip")
	http.ServeContent(w, r, "code.zip", timeZero, f)
}

func (a *lambdaAPI) putEventInvokeConfig(w http.ResponseWriter, r *http.Request) {
	a.setEventInvokeConfig(w, r, "PutFunctionEventInvokeConfig", a.svc.PutFunctionEventInvokeConfig)
}

func (a *lambdaAPI) updateEventInvokeConfig(w http.ResponseWriter, r *http.Request) {
	a.setEventInvokeConfig(w, r, "UpdateFunctionEventInvokeConfig", a.svc.UpdateFunctionEventInvokeConfig)
}

func (a *lambdaAPI) setEventInvokeConfig(w http.ResponseWriter, r *http.Request, op string,
	set func(context.Context, string, string, *lambda.EventInvokeConfigInput) (*lambda.EventInvokeConfig, error)) {
	var in lambda.EventInvokeConfigInput
	if err := readREST(r, maxJSONRequest, op, &in); err != nil {
		WriteRESTError(w, err)
		return
	}
	out, err := set(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"), &in)
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, out)
}

func (a *lambdaAPI) getEventInvokeConfig(w http.ResponseWriter, r *http.Request) {
	out, err := a.svc.GetFunctionEventInvokeConfig(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, out)
}

func (a *lambdaAPI) deleteEventInvokeConfig(w http.ResponseWriter, r *http.Request) {
	if err := a.svc.DeleteFunctionEventInvokeConfig(r.Context(), r.PathValue("name"), r.URL.Query().Get("Qualifier")); err != nil {
		WriteRESTError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *lambdaAPI) listEventInvokeConfigs(w http.ResponseWriter, r *http.Request) {
	out, err := a.svc.ListFunctionEventInvokeConfigs(r.Context(), r.PathValue("name"))
	if err != nil {
		WriteRESTError(w, err)
		return
	}
	writeREST(w, http.StatusOK, out)
}
