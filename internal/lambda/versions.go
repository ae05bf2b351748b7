package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// published is a function's published versions and aliases. It is
// immutable: a change makes a new one (under Service.writeMu).
type published struct {
	// versions are the published versions, oldest first.
	versions []*definition
	// aliases are sorted by name.
	aliases []*AliasConfiguration
	// last is the highest version number ever published (numbers are not
	// reused after a version is deleted, as on AWS).
	last int
}

// version returns the published version v, or nil.
func (p *published) version(v string) *definition {
	for _, d := range p.versions {
		if d.version() == v {
			return d
		}
	}
	return nil
}

// alias returns the alias named name, or nil.
func (p *published) alias(name string) *AliasConfiguration {
	for _, a := range p.aliases {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// codeDirs returns the code directories in use: latest's and every
// version's.
func (p *published) codeDirs(latest ...string) []string {
	out := append([]string(nil), latest...)
	for _, d := range p.versions {
		if !d.rec.LocalCode {
			out = append(out, d.rec.CodeDir)
		}
	}
	return out
}

// isCurrent reports whether def may still serve invokes: it is $LATEST's
// current definition or a published version that still exists. Warm
// environments are kept per definition, so one of $LATEST never serves a
// version (and the other way round).
func (fn *function) isCurrent(def *definition) bool {
	if def == fn.def.Load() {
		return true
	}
	for _, d := range fn.pub.Load().versions {
		if d == def {
			return true
		}
	}
	return false
}

// splitRecord separates a stored record into $LATEST's record and the
// published versions and aliases it carries.
func splitRecord(rec *FunctionRecord) (*FunctionRecord, *published, error) {
	latest := *rec
	latest.Versions, latest.Aliases, latest.LastVersion = nil, nil, 0
	pub := &published{last: rec.LastVersion}
	for _, v := range rec.Versions {
		if v == nil || v.Config == nil {
			return nil, nil, fmt.Errorf("invalid version record")
		}
		kind, err := runtimeKindOf(v.Config.Runtime)
		if err != nil {
			return nil, nil, err
		}
		pub.versions = append(pub.versions, &definition{rec: v, kind: kind})
		if n, _ := strconv.Atoi(v.Config.Version); n > pub.last {
			pub.last = n
		}
	}
	sort.Slice(pub.versions, func(i, j int) bool { return versionNumber(pub.versions[i]) < versionNumber(pub.versions[j]) })
	pub.aliases = append(pub.aliases, rec.Aliases...)
	sort.Slice(pub.aliases, func(i, j int) bool { return pub.aliases[i].Name < pub.aliases[j].Name })
	return &latest, pub, nil
}

func versionNumber(d *definition) int {
	n, _ := strconv.Atoi(d.version())
	return n
}

// tagMap returns the function's tags (nil when none); do not change it.
func (fn *function) tagMap() map[string]string {
	if t := fn.tags.Load(); t != nil {
		return *t
	}
	return nil
}

// save stores a function: $LATEST's record with its tags, versions and
// aliases.
func (s *Service) save(ctx context.Context, fn *function, latest *FunctionRecord, pub *published) error {
	rec := *latest
	rec.Tags, rec.EventInvokeConfigs, rec.ReservedConcurrency = nil, nil, fn.reserved.Load()
	if t := fn.tagMap(); len(t) > 0 {
		rec.Tags = t
	}
	if c := *fn.eventConfigs.Load(); len(c) > 0 {
		rec.EventInvokeConfigs = c
	}
	rec.Versions, rec.Aliases, rec.LastVersion = nil, nil, pub.last
	for _, d := range pub.versions {
		rec.Versions = append(rec.Versions, d.rec)
	}
	rec.Aliases = pub.aliases
	if err := s.store.PutFunction(ctx, &rec); err != nil {
		return errServiceFailure("could not save function %s: %v", latest.Config.FunctionName, err)
	}
	return nil
}

// resolve returns the definition a qualifier names: $LATEST's current one
// ("" or $LATEST), a published version, or an alias's version. With pick,
// an alias with routing weights picks one of its versions at random by
// weight (for an invoke); without, its primary version.
func (s *Service) resolve(fn *function, q string, pick bool) (*definition, error) {
	if q == "" || q == VersionLatest {
		return fn.def.Load(), nil
	}
	pub := fn.pub.Load()
	if isVersionNumber(q) {
		if d := pub.version(q); d != nil {
			return d, nil
		}
		return nil, errNotFound(s.functionARN(fn.name, q))
	}
	a := pub.alias(q)
	if a == nil {
		return nil, errNotFound(s.functionARN(fn.name, q))
	}
	v := a.FunctionVersion
	if pick && a.RoutingConfig != nil {
		r := rand.Float64()
		for extra, w := range a.RoutingConfig.AdditionalVersionWeights {
			if r < w {
				v = extra
				break
			}
			r -= w
		}
	}
	if v == VersionLatest {
		return fn.def.Load(), nil
	}
	if d := pub.version(v); d != nil {
		return d, nil
	}
	return nil, errNotFound(s.functionARN(fn.name, v))
}

func isVersionNumber(s string) bool {
	if s == "" || len(s) > 1024 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// configFor returns the configuration a qualified reference reports: a
// version's, under the alias's ARN when q is an alias.
func (s *Service) configFor(fn *function, def *definition, q string) *FunctionConfiguration {
	cfg := copyConfig(def.rec.Config)
	if q != "" && q != VersionLatest && !isVersionNumber(q) {
		cfg.FunctionArn = s.functionARN(fn.name, q)
	}
	return cfg
}

// PublishVersionInput is the PublishVersion request.
type PublishVersionInput struct {
	FunctionName string `json:"-"`
	// CodeSha256, when set, must match $LATEST's code.
	CodeSha256 string `json:"CodeSha256"`
	// Description overrides the function's description in the version.
	Description *string `json:"Description"`
	// RevisionID, when set, must match $LATEST's revision.
	RevisionID string `json:"RevisionId"`
}

// PublishVersion publishes $LATEST as a new version: an immutable snapshot
// of its code and configuration. When nothing changed since the newest
// version (same code and configuration), that version is returned, as AWS
// does. The snapshot shares $LATEST's unpacked code revision (revisions
// are never changed in place); a function run from a local directory gets
// a version that runs from that same directory.
func (s *Service) PublishVersion(ctx context.Context, in *PublishVersionInput) (*FunctionConfiguration, error) {
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			return nil, err
		}
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fn, err := s.lookupLatest(in.FunctionName)
	if err != nil {
		return nil, err
	}
	latest := fn.def.Load().rec
	if in.RevisionID != "" && in.RevisionID != latest.Config.RevisionID {
		return nil, errRevision()
	}
	if in.CodeSha256 != "" && in.CodeSha256 != latest.Config.CodeSha256 {
		return nil, errInvalid("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the current CodeSHA256.",
			in.CodeSha256, latest.Config.CodeSha256)
	}
	return s.publishLocked(ctx, fn, in.Description)
}

// publishLocked publishes fn's $LATEST; the caller holds writeMu.
func (s *Service) publishLocked(ctx context.Context, fn *function, description *string) (*FunctionConfiguration, error) {
	latest := fn.def.Load()
	next, v := s.withVersion(fn, latest, description)
	if next == nil {
		return copyConfig(v.rec.Config), nil
	}
	if err := s.save(ctx, fn, latest.rec, next); err != nil {
		return nil, err
	}
	fn.pub.Store(next)
	s.log.Info("function version published", "function", fn.name, "version", v.version())
	return copyConfig(v.rec.Config), nil
}

// withVersion returns fn's versions and aliases with latest published as a
// new version, and that version; nothing is stored. When the newest
// version already is latest's snapshot, it returns nil and that version.
func (s *Service) withVersion(fn *function, latest *definition, description *string) (*published, *definition) {
	pub := fn.pub.Load()
	if n := len(pub.versions); n > 0 {
		newest := pub.versions[n-1]
		if versionNumber(newest) == pub.last && sameSnapshot(newest.rec, latest.rec) {
			return nil, newest
		}
	}
	n := pub.last + 1
	v := strconv.Itoa(n)
	rec := &FunctionRecord{
		Config:    copyConfig(latest.rec.Config),
		CodeDir:   latest.rec.CodeDir,
		LocalCode: latest.rec.LocalCode,
		ZipPath:   latest.rec.ZipPath,

		BaseDescription: latest.rec.Config.Description,
	}
	rec.Config.Version = v
	rec.Config.FunctionArn = s.functionARN(fn.name, v)
	rec.Config.RevisionID = uuid.NewString()
	rec.Config.LastModified = lastModified(time.Now())
	if description != nil {
		rec.Config.Description = *description
	}
	d := &definition{rec: rec, kind: latest.kind}
	return &published{
		versions: append(append([]*definition(nil), pub.versions...), d),
		aliases:  pub.aliases,
		last:     n,
	}, d
}

// sameSnapshot reports whether a version has $LATEST's code and
// configuration (its ARN, revision and dates aside; its description is
// compared as $LATEST's was when it was published). Uploaded code is the
// same when its CodeSha256 is, whichever upload it came from; local code
// is the same directory.
func sameSnapshot(version, latest *FunctionRecord) bool {
	if version.BaseDescription != latest.Config.Description || version.LocalCode != latest.LocalCode {
		return false
	}
	norm := func(rec *FunctionRecord) string {
		c := copyConfig(rec.Config)
		c.FunctionArn, c.Version, c.RevisionID, c.LastModified, c.Description = "", "", "", "", ""
		var dir string
		if rec.LocalCode {
			dir = rec.CodeDir
		}
		b, _ := json.Marshal(struct {
			C   *FunctionConfiguration
			Dir string
		}{c, dir})
		return string(b)
	}
	return norm(version) == norm(latest)
}

// ListVersionsOutput is the ListVersionsByFunction response.
type ListVersionsOutput struct {
	Versions   []*FunctionConfiguration `json:"Versions"`
	NextMarker string                   `json:"NextMarker,omitempty"`
}

// maxVersionsPage is the most versions ListVersionsByFunction returns at
// once, whatever MaxItems says (API reference).
const maxVersionsPage = 50

// ListVersionsByFunction lists a function's versions: $LATEST first
// (under its qualified ARN), then the published ones, oldest first.
// maxItems nil means 50; at most 50 are returned.
func (s *Service) ListVersionsByFunction(_ context.Context, name, marker string, maxItems *int) (*ListVersionsOutput, error) {
	limit, err := checkMaxItems(maxItems, maxVersionsPage)
	if err != nil {
		return nil, err
	}
	fn, err := s.lookupLatest(name)
	if err != nil {
		return nil, err
	}
	latest := copyConfig(fn.def.Load().rec.Config)
	latest.FunctionArn = s.functionARN(fn.name, VersionLatest)
	all := []*FunctionConfiguration{latest}
	for _, d := range fn.pub.Load().versions {
		all = append(all, copyConfig(d.rec.Config))
	}
	page, next, err := pageOf(all, marker, limit, func(c *FunctionConfiguration) string { return c.Version })
	if err != nil {
		return nil, err
	}
	return &ListVersionsOutput{Versions: page, NextMarker: next}, nil
}

// checkMaxItems checks a MaxItems member (1-10000) and returns the page
// size: def when unset, at most ceiling.
func checkMaxItems(maxItems *int, ceiling int) (int, error) {
	if maxItems == nil {
		return ceiling, nil
	}
	n := *maxItems
	if n < 1 {
		return 0, errValidation(n, "maxItems", "Member must have value greater than or equal to 1")
	}
	if n > 10000 {
		return 0, errValidation(n, "maxItems", "Member must have value less than or equal to 10000")
	}
	return min(n, ceiling), nil
}

// pageOf returns the page of items after the one whose key the marker
// encodes, and the marker of the next page.
func pageOf[T any](items []T, marker string, limit int, key func(T) string) ([]T, string, error) {
	start := 0
	if marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil {
			return nil, "", errInvalid("Invalid Marker: %s", marker)
		}
		start = len(items)
		for i, it := range items {
			if key(it) == string(b) {
				start = i + 1
				break
			}
		}
	}
	end := min(start+limit, len(items))
	page := append(make([]T, 0, end-start), items[start:end]...)
	next := ""
	if end < len(items) && end > 0 {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
	}
	return page, next, nil
}

// deleteVersionLocked removes a published version; the caller holds
// writeMu. A version an alias routes to cannot be deleted.
func (s *Service) deleteVersionLocked(ctx context.Context, fn *function, v string) error {
	pub := fn.pub.Load()
	d := pub.version(v)
	if d == nil {
		return errNotFound(s.functionARN(fn.name, v))
	}
	var users []string
	for _, a := range pub.aliases {
		if a.uses(v) {
			users = append(users, a.Name)
		}
	}
	if len(users) > 0 {
		return userError("ResourceConflictException", http.StatusConflict,
			"Unable to delete version because the following aliases reference it: %v", users)
	}
	next := &published{aliases: pub.aliases, last: pub.last}
	for _, o := range pub.versions {
		if o != d {
			next.versions = append(next.versions, o)
		}
	}
	latest := fn.def.Load()
	if err := s.save(ctx, fn, latest.rec, next); err != nil {
		return err
	}
	fn.pub.Store(next)
	fn.pool.retire()
	pruneCode(s.functionDir(fn.name), append(next.codeDirs(latest.rec.CodeDir), fn.pool.codeDirsInUse()...)...)
	s.log.Info("function version deleted", "function", fn.name, "version", v)
	return nil
}
