package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"stepd/internal/jsonv"
)

// lastModified formats a time as the Lambda API does:
// 2024-01-01T00:00:00.000+0000.
func lastModified(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

// CreateFunction registers a function. The code is unpacked (or, for a
// local directory, checked) before the definition is stored.
func (s *Service) CreateFunction(ctx context.Context, in *CreateFunctionInput) (*FunctionConfiguration, error) {
	// FunctionName may also be an ARN or a partial ARN (account:function:
	// name) of this region and account, without a qualifier.
	if strings.Contains(in.FunctionName, ":") {
		ref, err := parseFunctionRef(in.FunctionName)
		switch {
		case err != nil:
			return nil, err
		case ref.qualifier != "":
			return nil, errInvalid("Unsupported function name: a new function's name cannot have a qualifier (%s)", in.FunctionName)
		case (ref.region != "" && ref.region != s.opts.Region) || (ref.account != "" && ref.account != s.opts.Account):
			return nil, errInvalid("The function ARN %s names another region or account than this one (%s, %s)", in.FunctionName, s.opts.Region, s.opts.Account)
		}
		in.FunctionName = ref.name
	}
	if err := validateCreate(in); err != nil {
		return nil, err
	}
	kind, _ := runtimeKindOf(in.Runtime)
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	_, exists := s.functions[in.FunctionName]
	s.mu.RUnlock()
	if exists {
		return nil, errConflict(in.FunctionName)
	}
	revision := uuid.NewString()
	dir := s.functionDir(in.FunctionName)
	code, err := storeCode(dir, revision, &in.Code)
	if err != nil {
		// The function does not exist yet: whatever storeCode made under
		// its directory (code/, a half-unpacked revision) goes.
		removeAllQuiet(dir)
		return nil, s.codeFailure(in.FunctionName, err)
	}
	cfg := &FunctionConfiguration{
		FunctionName:     in.FunctionName,
		FunctionArn:      s.functionARN(in.FunctionName, ""),
		Runtime:          in.Runtime,
		Role:             in.Role,
		Handler:          in.Handler,
		CodeSize:         code.size,
		Description:      in.Description,
		Timeout:          DefaultTimeout,
		MemorySize:       DefaultMemorySize,
		LastModified:     lastModified(time.Now()),
		CodeSha256:       code.sha256,
		Version:          VersionLatest,
		TracingConfig:    &TracingConfig{Mode: "PassThrough"},
		RevisionID:       revision,
		State:            "Active",
		LastUpdateStatus: "Successful",
		PackageType:      "Zip",
		Architectures:    []string{"x86_64"},
		EphemeralStorage: &EphemeralStorage{Size: 512},
		SnapStart:        &SnapStartResponse{ApplyOn: "None", OptimizationStatus: "Off"},
		LoggingConfig:    &LoggingConfig{LogFormat: "Text", LogGroup: logGroupName(in.FunctionName)},
	}
	if in.Timeout != nil {
		cfg.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		cfg.MemorySize = *in.MemorySize
	}
	if in.Environment != nil && len(in.Environment.Variables) > 0 {
		cfg.Environment = &EnvironmentResponse{Variables: in.Environment.Variables}
	}
	if len(in.Architectures) > 0 {
		cfg.Architectures = append([]string(nil), in.Architectures...)
	}
	if in.EphemeralStorage != nil {
		cfg.EphemeralStorage = &EphemeralStorage{Size: in.EphemeralStorage.Size}
	}
	if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
		cfg.TracingConfig = &TracingConfig{Mode: in.TracingConfig.Mode}
	}
	if in.LoggingConfig != nil && in.LoggingConfig.LogFormat != "" {
		cfg.LoggingConfig.LogFormat = in.LoggingConfig.LogFormat
	}
	rec := &FunctionRecord{Config: cfg, Tags: in.Tags, CodeDir: code.dir, LocalCode: code.local, ZipPath: code.zipPath}
	def := &definition{rec: rec, kind: kind}
	fn := s.newFunction(def)
	// The function and, with Publish, its version 1 are stored in one save:
	// a failure leaves nothing.
	out := def
	if in.Publish {
		var next *published
		next, out = s.withVersion(fn, def, nil)
		fn.pub.Store(next)
	}
	if err := s.save(ctx, fn, rec, fn.pub.Load()); err != nil {
		if !code.local {
			removeAllQuiet(dir)
		}
		return nil, err
	}
	s.mu.Lock()
	s.functions[in.FunctionName] = fn
	s.mu.Unlock()
	s.log.Info("function created", "function", in.FunctionName, "runtime", in.Runtime, "code", code.dir)
	if out != def {
		s.log.Info("function version published", "function", fn.name, "version", out.version())
	}
	return copyConfig(out.rec.Config), nil
}

func isAPIError(err error) bool {
	_, ok := err.(*APIError)
	return ok
}

// codeFailure turns a failure to store a function's code that is not the
// caller's fault into a ServiceException that names no server path; the
// detail goes to the service's log.
func (s *Service) codeFailure(name string, err error) error {
	if isAPIError(err) {
		return err
	}
	s.log.Error("could not store function code", "function", name, "err", err)
	return errServiceFailure("Could not store the code of function %s.", name)
}

// GetFunctionConfiguration returns a function's configuration.
// A qualifier (or a qualified name) names a version or an alias: the
// configuration is that version's (under the alias's ARN for an alias).
func (s *Service) GetFunctionConfiguration(_ context.Context, name, qualifier string) (*FunctionConfiguration, error) {
	fn, q, err := s.lookup(name, qualifier)
	if err != nil {
		return nil, err
	}
	def, err := s.resolve(fn, q, false)
	if err != nil {
		return nil, err
	}
	return s.configFor(fn, def, q), nil
}

// GetFunction returns a function's configuration, code location, tags and
// reserved concurrency. codeURL builds the download URL of the code from
// the function name (name:version for a published version); it may be nil.
func (s *Service) GetFunction(_ context.Context, name, qualifier string, codeURL func(name string) string) (*GetFunctionOutput, error) {
	fn, q, err := s.lookup(name, qualifier)
	if err != nil {
		return nil, err
	}
	def, err := s.resolve(fn, q, false)
	if err != nil {
		return nil, err
	}
	out := &GetFunctionOutput{Configuration: s.configFor(fn, def, q), Code: CodeLocation{RepositoryType: "S3"}}
	switch {
	case def.rec.LocalCode:
		out.Code.Location = "file://" + def.rec.CodeDir
	case codeURL != nil && def.version() == VersionLatest:
		out.Code.Location = codeURL(fn.name)
	case codeURL != nil:
		out.Code.Location = codeURL(fn.name + ":" + def.version())
	}
	// Tags and reserved concurrency are the function's, whatever version.
	if t := fn.tagMap(); len(t) > 0 {
		out.Tags = maps.Clone(t)
	}
	if r := fn.reserved.Load(); r != nil {
		out.Concurrency = &Concurrency{ReservedConcurrentExecutions: *r}
	}
	return out, nil
}

// CodeArchive returns the path of a function's uploaded zip archive, or ""
// when its code is a local directory. A qualified name (name:3) names a
// version's archive.
func (s *Service) CodeArchive(name string) (string, error) {
	fn, q, err := s.lookup(name, "")
	if err != nil {
		return "", err
	}
	def, err := s.resolve(fn, q, false)
	if err != nil {
		return "", err
	}
	return def.rec.ZipPath, nil
}

// ListFunctionsInput is the ListFunctions request: its query string.
type ListFunctionsInput struct {
	// Marker is the NextMarker of the previous page.
	Marker string
	// MaxItems is the page size, 1-10000; nil means 50.
	MaxItems *int
	// FunctionVersion is "" (one entry a function, unqualified ARNs) or
	// "ALL" (an entry for every version, with qualified ARNs; stepd keeps
	// only $LATEST).
	FunctionVersion string
	// MasterRegion is "", ALL or a region name; it selects Lambda@Edge
	// replicas, which stepd does not have, and is only checked.
	MasterRegion string
}

var masterRegionPattern = regexp.MustCompile(`^(ALL|[a-z]{2}(-gov)?-[a-z]+-\d)$`)

// ParseListFunctionsQuery reads ListFunctions' query string (Marker,
// MaxItems, FunctionVersion, MasterRegion). A MaxItems that is present is
// kept, 0 included, for ListFunctionsPage to check.
func ParseListFunctionsQuery(q url.Values) (*ListFunctionsInput, error) {
	in := &ListFunctionsInput{Marker: q.Get("Marker"), FunctionVersion: q.Get("FunctionVersion"), MasterRegion: q.Get("MasterRegion")}
	if q.Has("MaxItems") {
		n, err := strconv.Atoi(q.Get("MaxItems"))
		if err != nil {
			return nil, errInvalid("MaxItems must be a number")
		}
		in.MaxItems = &n
	}
	return in, nil
}

// ListFunctions returns a page of functions sorted by name. marker is the
// NextMarker of the previous page; maxItems is 1-10000, and 0 means the
// default, 50. ListFunctionsPage takes every member of the request.
func (s *Service) ListFunctions(ctx context.Context, marker string, maxItems int) (*ListFunctionsOutput, error) {
	in := &ListFunctionsInput{Marker: marker}
	if maxItems != 0 {
		in.MaxItems = &maxItems
	}
	return s.ListFunctionsPage(ctx, in)
}

// ListFunctionsPage returns a page of functions sorted by name, after
// checking the request against the model: MaxItems 1-10000 (default 50),
// FunctionVersion ALL, MasterRegion ALL or a region name.
func (s *Service) ListFunctionsPage(_ context.Context, in *ListFunctionsInput) (*ListFunctionsOutput, error) {
	maxItems := 50
	if in.MaxItems != nil {
		maxItems = *in.MaxItems
		if maxItems < 1 {
			return nil, errValidation(maxItems, "maxItems", "Member must have value greater than or equal to 1")
		}
		if maxItems > 10000 {
			return nil, errValidation(maxItems, "maxItems", "Member must have value less than or equal to 10000")
		}
	}
	if in.FunctionVersion != "" && in.FunctionVersion != "ALL" {
		return nil, errValidation(in.FunctionVersion, "functionVersion", "Member must satisfy enum value set: [ALL]")
	}
	if in.MasterRegion != "" && !masterRegionPattern.MatchString(in.MasterRegion) {
		return nil, errValidation(in.MasterRegion, "masterRegion",
			`Member must satisfy regular expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1}`)
	}
	names := s.names()
	if in.FunctionVersion == "ALL" {
		return s.listAllVersions(names, in.Marker, maxItems)
	}
	start := 0
	if in.Marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.Marker)
		if err != nil {
			return nil, errInvalid("Invalid Marker: %s", in.Marker)
		}
		after := string(b)
		start = sort.SearchStrings(names, after)
		if start < len(names) && names[start] == after {
			start++
		}
	}
	out := &ListFunctionsOutput{Functions: []*FunctionConfiguration{}}
	for i := start; i < len(names); i++ {
		if len(out.Functions) == maxItems {
			out.NextMarker = base64.RawURLEncoding.EncodeToString([]byte(names[i-1]))
			break
		}
		s.mu.RLock()
		fn := s.functions[names[i]]
		s.mu.RUnlock()
		if fn != nil {
			out.Functions = append(out.Functions, copyConfig(fn.def.Load().rec.Config))
		}
	}
	return out, nil
}

// listAllVersions is ListFunctions with FunctionVersion ALL: an entry for
// every version of every function ($LATEST first), each under its
// qualified ARN, paged by name:version.
func (s *Service) listAllVersions(names []string, marker string, maxItems int) (*ListFunctionsOutput, error) {
	var all []*FunctionConfiguration
	for _, name := range names {
		s.mu.RLock()
		fn := s.functions[name]
		s.mu.RUnlock()
		if fn == nil {
			continue
		}
		cfg := copyConfig(fn.def.Load().rec.Config)
		cfg.FunctionArn = s.functionARN(fn.name, VersionLatest)
		all = append(all, cfg)
		for _, d := range fn.pub.Load().versions {
			all = append(all, copyConfig(d.rec.Config))
		}
	}
	page, next, err := pageOf(all, marker, maxItems, func(c *FunctionConfiguration) string { return c.FunctionName + ":" + c.Version })
	if err != nil {
		return nil, err
	}
	return &ListFunctionsOutput{Functions: append([]*FunctionConfiguration{}, page...), NextMarker: next}, nil
}

// update applies change to a copy of the function's record, stores it and
// makes it current; environments of the old definition are retired. With
// publish, the result is then published as a new version, whose
// configuration is returned.
func (s *Service) update(ctx context.Context, name, revision string, publish bool, change func(rec *FunctionRecord) error) (*FunctionConfiguration, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fn, err := s.lookupLatest(name)
	if err != nil {
		return nil, err
	}
	old := fn.def.Load()
	if revision != "" && revision != old.rec.Config.RevisionID {
		return nil, errRevision()
	}
	rec := *old.rec
	rec.Config = copyConfig(old.rec.Config)
	if err := change(&rec); err != nil {
		return nil, err
	}
	kind, err := runtimeKindOf(rec.Config.Runtime)
	if err != nil {
		return nil, err
	}
	rec.Config.LastModified = lastModified(time.Now())
	if rec.Config.RevisionID == old.rec.Config.RevisionID {
		rec.Config.RevisionID = uuid.NewString()
	}
	def := &definition{rec: &rec, kind: kind}
	// $LATEST and, with publish, its new version are stored in one save:
	// a failure leaves the function as it was.
	pub, out := fn.pub.Load(), def
	if publish {
		if next, v := s.withVersion(fn, def, nil); next != nil {
			pub, out = next, v
		} else {
			out = v
		}
	}
	if err := s.save(ctx, fn, &rec, pub); err != nil {
		return nil, err
	}
	fn.def.Store(def)
	fn.pub.Store(pub)
	fn.pool.retire()
	if publish && out != def {
		s.log.Info("function version published", "function", fn.name, "version", out.version())
	}
	return copyConfig(out.rec.Config), nil
}

// UpdateFunctionCode replaces a function's code. Warm environments are
// retired; busy ones finish their invoke on the old code.
func (s *Service) UpdateFunctionCode(ctx context.Context, in *UpdateFunctionCodeInput) (*FunctionConfiguration, error) {
	if err := validateArchitectures(in.Architectures); err != nil {
		return nil, err
	}
	if in.DryRun {
		fn, err := s.lookupLatest(in.FunctionName)
		if err != nil {
			return nil, err
		}
		return copyConfig(fn.def.Load().rec.Config), nil
	}
	return s.update(ctx, in.FunctionName, in.RevisionID, in.Publish, func(rec *FunctionRecord) error {
		revision := uuid.NewString()
		dir := s.functionDir(rec.Config.FunctionName)
		code, err := storeCode(dir, revision, &in.FunctionCode)
		if err != nil {
			return s.codeFailure(rec.Config.FunctionName, err)
		}
		prev := ""
		if !rec.LocalCode {
			prev = rec.CodeDir
		}
		rec.CodeDir, rec.LocalCode, rec.ZipPath = code.dir, code.local, code.zipPath
		rec.Config.CodeSha256, rec.Config.CodeSize = code.sha256, code.size
		rec.Config.RevisionID = revision
		if len(in.Architectures) > 0 {
			rec.Config.Architectures = append([]string(nil), in.Architectures...)
		}
		if fn, _, _ := s.lookup(rec.Config.FunctionName, ""); fn != nil {
			// Published versions keep the code revisions they run.
			pruneCode(dir, append(fn.pub.Load().codeDirs(code.dir, prev), fn.pool.codeDirsInUse()...)...)
		}
		return nil
	})
}

// UpdateFunctionConfiguration changes a function's settings.
func (s *Service) UpdateFunctionConfiguration(ctx context.Context, in *UpdateFunctionConfigurationInput) (*FunctionConfiguration, error) {
	if err := validateUpdateConfig(in); err != nil {
		return nil, err
	}
	return s.update(ctx, in.FunctionName, in.RevisionID, false, func(rec *FunctionRecord) error {
		c := rec.Config
		if in.Role != nil {
			if err := validateRole(*in.Role); err != nil {
				return err
			}
			c.Role = *in.Role
		}
		if in.Runtime != nil {
			if _, err := runtimeKindOf(*in.Runtime); err != nil {
				return err
			}
			c.Runtime = *in.Runtime
		}
		if in.Handler != nil {
			if err := validateHandler(*in.Handler, !isProvided(c.Runtime)); err != nil {
				return err
			}
			c.Handler = *in.Handler
		}
		if in.Description != nil {
			if err := checkDescription(*in.Description); err != nil {
				return err
			}
			c.Description = *in.Description
		}
		if in.Timeout != nil {
			if err := validateTimeout(*in.Timeout); err != nil {
				return err
			}
			c.Timeout = *in.Timeout
		}
		if in.MemorySize != nil {
			if err := validateMemory(*in.MemorySize); err != nil {
				return err
			}
			c.MemorySize = *in.MemorySize
		}
		if in.Environment != nil {
			if err := validateEnvironment(in.Environment); err != nil {
				return err
			}
			c.Environment = nil
			if len(in.Environment.Variables) > 0 {
				c.Environment = &EnvironmentResponse{Variables: in.Environment.Variables}
			}
		}
		if in.EphemeralStorage != nil {
			c.EphemeralStorage = &EphemeralStorage{Size: in.EphemeralStorage.Size}
		}
		if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
			c.TracingConfig = &TracingConfig{Mode: in.TracingConfig.Mode}
		}
		if in.LoggingConfig != nil && in.LoggingConfig.LogFormat != "" {
			c.LoggingConfig.LogFormat = in.LoggingConfig.LogFormat
		}
		return nil
	})
}

// DeleteFunction removes a function, its versions, aliases, environments,
// code and logs; with a version qualifier (or a name:version) it removes
// that version only, unless an alias routes to it. $LATEST is refused as
// AWS refuses it, and so is an alias (DeleteAlias removes aliases).
func (s *Service) DeleteFunction(ctx context.Context, name, qualifier string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fn, q, err := s.lookup(name, qualifier)
	if err != nil {
		return err
	}
	switch {
	case q == VersionLatest:
		return errInvalid("$LATEST version cannot be deleted without deleting the function.")
	case isVersionNumber(q):
		return s.deleteVersionLocked(ctx, fn, q)
	case q != "":
		if fn.pub.Load().alias(q) == nil {
			return errNotFound(s.functionARN(fn.name, q))
		}
		return errInvalid("Deletion of aliases is not supported by DeleteFunction; use DeleteAlias to delete alias %s.", q)
	}
	if err := s.store.DeleteFunction(ctx, fn.name); err != nil {
		return errServiceFailure("could not delete function %s: %v", fn.name, err)
	}
	s.mu.Lock()
	delete(s.functions, fn.name)
	s.mu.Unlock()
	fn.pool.close()
	removeAllQuiet(s.functionDir(fn.name))
	s.log.Info("function deleted", "function", fn.name)
	return nil
}

// PutFunctionConcurrency sets a function's reserved concurrency: how many
// environments it may run at once (0 throttles every invoke).
func (s *Service) PutFunctionConcurrency(ctx context.Context, name string, reserved int) (int, error) {
	if reserved < 0 {
		return 0, errValidation(reserved, "reservedConcurrentExecutions", "Member must have value greater than or equal to 0")
	}
	n := reserved
	err := s.changeReserved(ctx, name, &n, func(fn *function) error {
		if accountConcurrency-s.reservedConcurrency(fn.name)-reserved < minUnreservedConcurrency {
			return errInvalid("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreservedConcurrency)
		}
		return nil
	})
	return reserved, err
}

// GetFunctionConcurrency returns a function's reserved concurrency, nil
// when none is set.
func (s *Service) GetFunctionConcurrency(_ context.Context, name string) (*int, error) {
	fn, err := s.lookupLatest(name)
	if err != nil {
		return nil, err
	}
	if r := fn.reserved.Load(); r != nil {
		n := *r
		return &n, nil
	}
	return nil, nil
}

// DeleteFunctionConcurrency removes a function's reserved concurrency.
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, name string) error {
	return s.changeReserved(ctx, name, nil, nil)
}

// changeReserved sets (nil: removes) a function's reserved concurrency,
// once check, when given, accepts it, and saves it. It is not part of the
// function's definition: its revision stays, and its warm environments
// stay warm (beyond a lower limit, the idle ones are closed).
func (s *Service) changeReserved(ctx context.Context, name string, reserved *int, check func(*function) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fn, err := s.lookupLatest(name)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(fn); err != nil {
			return err
		}
	}
	err = s.saveAside(ctx, fn, func() func() {
		prev := fn.reserved.Swap(reserved)
		return func() { fn.reserved.Store(prev) }
	})
	if err == nil {
		fn.pool.setLimit(s.limitFor(fn))
	}
	return err
}

// checkJSON rejects an invoke payload that is not JSON, as the Lambda API
// does (InvalidRequestContentException).
func checkJSON(payload []byte) error {
	if json.Valid(payload) {
		return nil
	}
	msg := "invalid JSON"
	if _, err := jsonv.Parse(payload); err != nil {
		msg = err.Error() // where and why, in words (not Go's)
	}
	return userError("InvalidRequestContentException", http.StatusBadRequest,
		"Could not parse request body into json: Could not parse payload into json: %s", msg)
}

// decodeClientContext decodes the base64 X-Amz-Client-Context.
func decodeClientContext(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if len(s) > 3583 {
		return "", errValidation(s, "clientContext", "Member must have length less than or equal to 3583")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", errInvalid("Client context must be a valid Base64-encoded JSON object.")
	}
	if !json.Valid(b) {
		return "", errInvalid("Client context must be a valid Base64-encoded JSON object.")
	}
	return string(b), nil
}
