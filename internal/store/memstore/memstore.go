// Package memstore is an in-memory store.Store. It behaves exactly as the
// SQL stores do (it runs the same storetest suite) but keeps nothing across
// restarts: the server uses it for EXPRESS executions, and the tests use it
// as the model the SQL stores are compared against.
//
// One mutex guards everything; events are kept as their JSON encoding, so
// what is read back is exactly what a SQL store would return.
package memstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"stepd/internal/history"
	"stepd/internal/store"
	"stepd/internal/store/internal/cursor"
	"stepd/internal/store/internal/notify"
)

var (
	_ store.Store   = (*Store)(nil)
	_ store.Checker = (*Store)(nil)
)

// Store is an in-memory store. Create it with New.
type Store struct {
	mu         sync.RWMutex
	closed     bool
	machines   map[string]*machine
	versions   map[string]*store.Version
	aliases    map[string]*alias
	activities map[string]*store.Activity
	tags       map[string]map[string]string
	execs      map[string]*execution
	tokens     map[string]*store.Task
	requestSeq int64 // the last request id assigned
	hub        notify.Hub
}

type machine struct {
	sm         store.StateMachine // without tags
	versionSeq int64
}

type alias struct {
	a        store.Alias
	versions []string
}

type execution struct {
	e        store.Execution
	events   [][]byte
	timers   map[string]store.Timer
	tasks    map[string]*store.Task
	requests []store.Request // in id order
}

// New returns an empty store.
func New() *Store {
	return &Store{
		machines:   map[string]*machine{},
		versions:   map[string]*store.Version{},
		aliases:    map[string]*alias{},
		activities: map[string]*store.Activity{},
		tags:       map[string]map[string]string{},
		execs:      map[string]*execution{},
		tokens:     map[string]*store.Task{},
	}
}

func (s *Store) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return store.ErrClosed
	}
	return nil
}

func (s *Store) rlock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return store.ErrClosed
	}
	return nil
}

func notFound(what, arn string) error {
	return fmt.Errorf("memstore: %s %q: %w", what, arn, store.ErrNotFound)
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.hub.Close()
	return nil
}

// ----- state machines -----

func normMachine(sm store.StateMachine) store.StateMachine {
	sm.CreationDate = store.Millis(sm.CreationDate)
	sm.UpdateDate = store.Millis(sm.UpdateDate)
	sm.Tags = nil
	return sm
}

// CreateStateMachine implements store.Store.
func (s *Store) CreateStateMachine(ctx context.Context, sm *store.StateMachine) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.machines[sm.ARN]; ok {
		return fmt.Errorf("memstore: state machine %q: %w", sm.ARN, store.ErrAlreadyExists)
	}
	s.machines[sm.ARN] = &machine{sm: normMachine(*sm)}
	s.setTags(sm.ARN, sm.Tags)
	return nil
}

// GetStateMachine implements store.Store.
func (s *Store) GetStateMachine(ctx context.Context, arn string) (*store.StateMachine, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	m, ok := s.machines[arn]
	if !ok {
		return nil, notFound("state machine", arn)
	}
	sm := m.sm
	sm.Tags = s.tagList(arn)
	return &sm, nil
}

// UpdateStateMachine implements store.Store.
func (s *Store) UpdateStateMachine(ctx context.Context, sm *store.StateMachine) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	m, ok := s.machines[sm.ARN]
	if !ok {
		return notFound("state machine", sm.ARN)
	}
	m.sm.Definition = sm.Definition
	m.sm.RoleARN = sm.RoleARN
	m.sm.LoggingConfiguration = sm.LoggingConfiguration
	m.sm.TracingConfiguration = sm.TracingConfiguration
	m.sm.Description = sm.Description
	if m.sm.Status != store.Deleting { // no way back (store.Store)
		m.sm.Status = sm.Status
	}
	m.sm.RevisionID = sm.RevisionID
	m.sm.UpdateDate = store.Millis(sm.UpdateDate)
	return nil
}

// DeleteStateMachine implements store.Store.
func (s *Store) DeleteStateMachine(ctx context.Context, arn string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.machines[arn]; !ok {
		return notFound("state machine", arn)
	}
	delete(s.machines, arn)
	delete(s.tags, arn)
	maps.DeleteFunc(s.versions, func(_ string, v *store.Version) bool { return v.StateMachineARN == arn })
	maps.DeleteFunc(s.aliases, func(_ string, a *alias) bool { return a.a.StateMachineARN == arn })
	return nil
}

// ListStateMachines implements store.Store.
func (s *Store) ListStateMachines(ctx context.Context, p store.ListParams) (store.Page[*store.StateMachine], error) {
	limit, after, err := cursor.Ascending(cursor.Machines, p)
	if err != nil {
		return store.Page[*store.StateMachine]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[*store.StateMachine]{}, err
	}
	defer s.mu.RUnlock()
	items := firstAfter(s.machines, after, limit+1, func(m *machine) *store.StateMachine {
		sm := m.sm
		sm.Definition = ""
		return &sm
	})
	return cursor.Page(items, limit, func(sm *store.StateMachine) string { return cursor.NextARN(cursor.Machines, sm.ARN) }), nil
}

// firstAfter returns, in ARN order, copies of up to n values of m whose ARN
// (key) comes after after.
func firstAfter[V, T any](m map[string]V, after string, n int, copy func(V) T) []T {
	var out []T
	for _, arn := range slices.Sorted(maps.Keys(m)) {
		if len(out) == n {
			break
		}
		if arn > after {
			out = append(out, copy(m[arn]))
		}
	}
	return out
}

// ----- versions -----

// PublishVersion implements store.Store.
func (s *Store) PublishVersion(ctx context.Context, v *store.Version) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	m, ok := s.machines[v.StateMachineARN]
	if !ok {
		return notFound("state machine", v.StateMachineARN)
	}
	if v.RevisionID != "" && v.RevisionID != m.sm.RevisionID {
		return fmt.Errorf("memstore: publish %q: revision %q is not the current %q: %w", v.StateMachineARN, v.RevisionID, m.sm.RevisionID, store.ErrConflict)
	}
	m.versionSeq++
	v.Number = m.versionSeq
	v.ARN = fmt.Sprintf("%s:%d", m.sm.ARN, v.Number)
	v.Definition = m.sm.Definition
	v.RoleARN = m.sm.RoleARN
	v.LoggingConfiguration = m.sm.LoggingConfiguration
	v.TracingConfiguration = m.sm.TracingConfiguration
	v.RevisionID = m.sm.RevisionID
	v.CreationDate = store.Millis(v.CreationDate)
	c := *v
	s.versions[v.ARN] = &c
	return nil
}

// GetVersion implements store.Store.
func (s *Store) GetVersion(ctx context.Context, arn string) (*store.Version, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	v, ok := s.versions[arn]
	if !ok {
		return nil, notFound("version", arn)
	}
	c := *v
	return &c, nil
}

// ListVersions implements store.Store.
func (s *Store) ListVersions(ctx context.Context, p store.ListVersionsParams) (store.Page[*store.Version], error) {
	limit, before, err := cursor.Versions(p)
	if err != nil {
		return store.Page[*store.Version]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[*store.Version]{}, err
	}
	defer s.mu.RUnlock()
	var vs []*store.Version
	for _, v := range s.versions {
		if v.StateMachineARN == p.StateMachineARN && v.Number < before {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b *store.Version) int { return cmp.Compare(b.Number, a.Number) })
	vs = vs[:min(len(vs), limit+1)]
	for i, v := range vs {
		c := *v
		vs[i] = &c
	}
	return cursor.Page(vs, limit, cursor.NextVersion), nil
}

// DeleteVersion implements store.Store.
func (s *Store) DeleteVersion(ctx context.Context, arn string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.versions[arn]; !ok {
		return notFound("version", arn)
	}
	for _, a := range s.aliases {
		if slices.Contains(a.versions, arn) {
			return fmt.Errorf("memstore: version %q: alias %q routes to it: %w", arn, a.a.ARN, store.ErrConflict)
		}
	}
	delete(s.versions, arn)
	return nil
}

// ----- aliases -----

// PutAlias implements store.Store.
func (s *Store) PutAlias(ctx context.Context, a *store.Alias) error {
	routes, err := store.ParseRouting(a.Routing)
	if err != nil {
		return fmt.Errorf("memstore: alias %q: %w", a.ARN, err)
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.machines[a.StateMachineARN]; !ok {
		return notFound("state machine", a.StateMachineARN)
	}
	var versions []string
	for _, r := range routes {
		v, ok := s.versions[r.StateMachineVersionARN]
		if !ok || v.StateMachineARN != a.StateMachineARN {
			return notFound("version", r.StateMachineVersionARN)
		}
		versions = append(versions, r.StateMachineVersionARN)
	}
	c := *a
	c.CreationDate = store.Millis(c.CreationDate)
	c.UpdateDate = store.Millis(c.UpdateDate)
	if old, ok := s.aliases[a.ARN]; ok {
		c.CreationDate = old.a.CreationDate
		c.StateMachineARN = old.a.StateMachineARN
		c.Name = old.a.Name
	}
	s.aliases[a.ARN] = &alias{a: c, versions: versions}
	a.CreationDate = c.CreationDate
	return nil
}

// GetAlias implements store.Store.
func (s *Store) GetAlias(ctx context.Context, arn string) (*store.Alias, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	a, ok := s.aliases[arn]
	if !ok {
		return nil, notFound("alias", arn)
	}
	c := a.a
	return &c, nil
}

// ListAliases implements store.Store.
func (s *Store) ListAliases(ctx context.Context, p store.ListAliasesParams) (store.Page[*store.Alias], error) {
	limit, afterMs, afterARN, err := cursor.Aliases(p)
	if err != nil {
		return store.Page[*store.Alias]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[*store.Alias]{}, err
	}
	defer s.mu.RUnlock()
	var as []*store.Alias
	for _, a := range s.aliases {
		if a.a.StateMachineARN == p.StateMachineARN && newerFirstAfter(a.a.CreationDate, a.a.ARN, afterMs, afterARN) {
			c := a.a
			as = append(as, &c)
		}
	}
	slices.SortFunc(as, func(a, b *store.Alias) int {
		return newestFirst(a.CreationDate, a.ARN, b.CreationDate, b.ARN)
	})
	return cursor.Page(as[:min(len(as), limit+1)], limit, cursor.NextAlias), nil
}

// newestFirst orders by time, then ARN, both descending.
func newestFirst(at time.Time, aARN string, bt time.Time, bARN string) int {
	if c := cmp.Compare(bt.UnixMilli(), at.UnixMilli()); c != 0 {
		return c
	}
	return strings.Compare(bARN, aARN)
}

// newerFirstAfter reports whether (t, arn) comes after (afterMs, afterARN)
// in newest-first order.
func newerFirstAfter(t time.Time, arn string, afterMs int64, afterARN string) bool {
	ms := t.UnixMilli()
	return ms < afterMs || (ms == afterMs && arn < afterARN)
}

// DeleteAlias implements store.Store.
func (s *Store) DeleteAlias(ctx context.Context, arn string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.aliases[arn]; !ok {
		return notFound("alias", arn)
	}
	delete(s.aliases, arn)
	return nil
}

// ----- activities -----

// CreateActivity implements store.Store.
func (s *Store) CreateActivity(ctx context.Context, a *store.Activity) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.activities[a.ARN]; ok {
		return fmt.Errorf("memstore: activity %q: %w", a.ARN, store.ErrAlreadyExists)
	}
	c := store.Activity{ARN: a.ARN, Name: a.Name, CreationDate: store.Millis(a.CreationDate)}
	s.activities[a.ARN] = &c
	s.setTags(a.ARN, a.Tags)
	return nil
}

// GetActivity implements store.Store.
func (s *Store) GetActivity(ctx context.Context, arn string) (*store.Activity, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	a, ok := s.activities[arn]
	if !ok {
		return nil, notFound("activity", arn)
	}
	c := *a
	c.Tags = s.tagList(arn)
	return &c, nil
}

// ListActivities implements store.Store.
func (s *Store) ListActivities(ctx context.Context, p store.ListParams) (store.Page[*store.Activity], error) {
	limit, after, err := cursor.Ascending(cursor.Activities, p)
	if err != nil {
		return store.Page[*store.Activity]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[*store.Activity]{}, err
	}
	defer s.mu.RUnlock()
	items := firstAfter(s.activities, after, limit+1, func(a *store.Activity) *store.Activity {
		c := *a
		return &c
	})
	return cursor.Page(items, limit, func(a *store.Activity) string { return cursor.NextARN(cursor.Activities, a.ARN) }), nil
}

// DeleteActivity implements store.Store.
func (s *Store) DeleteActivity(ctx context.Context, arn string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.activities[arn]; !ok {
		return notFound("activity", arn)
	}
	delete(s.activities, arn)
	delete(s.tags, arn)
	return nil
}

// ----- tags -----

func (s *Store) taggable(arn string) bool {
	_, sm := s.machines[arn]
	_, act := s.activities[arn]
	return sm || act
}

func (s *Store) setTags(arn string, tags []store.Tag) {
	if len(tags) == 0 {
		return
	}
	m := s.tags[arn]
	if m == nil {
		m = map[string]string{}
		s.tags[arn] = m
	}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
}

func (s *Store) tagList(arn string) []store.Tag {
	m := s.tags[arn]
	if len(m) == 0 {
		return nil
	}
	tags := make([]store.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		tags = append(tags, store.Tag{Key: k, Value: m[k]})
	}
	return tags
}

// TagResource implements store.Store.
func (s *Store) TagResource(ctx context.Context, arn string, tags []store.Tag) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if !s.taggable(arn) {
		return notFound("resource", arn)
	}
	s.setTags(arn, tags)
	return nil
}

// UntagResource implements store.Store.
func (s *Store) UntagResource(ctx context.Context, arn string, keys []string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if !s.taggable(arn) {
		return notFound("resource", arn)
	}
	for _, k := range keys {
		delete(s.tags[arn], k)
	}
	if len(s.tags[arn]) == 0 {
		delete(s.tags, arn)
	}
	return nil
}

// ListTags implements store.Store.
func (s *Store) ListTags(ctx context.Context, arn string) ([]store.Tag, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	if !s.taggable(arn) {
		return nil, notFound("resource", arn)
	}
	return s.tagList(arn), nil
}

// ----- executions -----

// CreateExecution implements store.Store.
func (s *Store) CreateExecution(ctx context.Context, e *store.Execution, first *store.Transition) error {
	var t *store.Transition
	if first != nil {
		if err := first.Validate(); err != nil {
			return fmt.Errorf("memstore: create execution: %w", err)
		}
		if first.ExecutionARN != e.ARN || first.PrevEventCount != 0 {
			return fmt.Errorf("memstore: create execution %q: first transition of %q after %d events: %w", e.ARN, first.ExecutionARN, first.PrevEventCount, store.ErrInvalid)
		}
		t = first.Normalized()
	}
	enc, err := encodeEvents(t)
	if err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.execs[e.ARN]; ok {
		return fmt.Errorf("memstore: execution %q: %w", e.ARN, store.ErrAlreadyExists)
	}
	if t != nil {
		if err := s.checkTokens(nil, t); err != nil {
			return err
		}
	}
	x := &execution{e: *e, timers: map[string]store.Timer{}, tasks: map[string]*store.Task{}}
	x.e.Snapshot = cloneBytes(e.Snapshot)
	x.e.StartDate = store.Millis(e.StartDate)
	x.e.StopDate = store.Millis(e.StopDate)
	x.e.RedriveDate = store.Millis(e.RedriveDate)
	x.e.LeaseExpiry = store.Millis(e.LeaseExpiry)
	x.e.EventCount = 0
	if t != nil {
		s.apply(x, t, enc)
	} else if x.e.Status.Terminal() {
		x.e.LeaseOwner, x.e.LeaseExpiry = "", time.Time{}
	}
	s.execs[e.ARN] = x
	e.EventCount = x.e.EventCount
	if t != nil {
		s.publishQueued(t)
	}
	return nil
}

func encodeEvents(t *store.Transition) ([][]byte, error) {
	if t == nil {
		return nil, nil
	}
	enc := make([][]byte, len(t.Events))
	for i, ev := range t.Events {
		b, err := ev.MarshalJSON() // compact already; json.Marshal would re-scan it
		if err != nil {
			return nil, fmt.Errorf("memstore: encode event %d of %q: %w", ev.ID, t.ExecutionARN, err)
		}
		enc[i] = b
	}
	return enc, nil
}

// checkTokens fails if t puts a task whose token another task (not deleted
// or replaced by t) holds.
func (s *Store) checkTokens(x *execution, t *store.Transition) error {
	for _, tk := range t.PutTasks {
		if tk.Token == "" {
			continue
		}
		held, ok := s.tokens[tk.Token]
		if !ok {
			continue
		}
		if x != nil && held.ExecutionARN == x.e.ARN && slices.Contains(t.DeleteTasks, held.ID) {
			continue
		}
		return fmt.Errorf("memstore: task %q of %q: token in use: %w", tk.ID, t.ExecutionARN, store.ErrConflict)
	}
	return nil
}

// apply applies a validated, normalized transition whose checks passed.
func (s *Store) apply(x *execution, t *store.Transition, enc [][]byte) {
	x.events = append(x.events, enc...)
	x.e.EventCount = t.EventCount()
	x.e.Status = t.Status
	x.e.Output = clonePtr(t.Output)
	x.e.Error = clonePtr(t.Error)
	x.e.Cause = clonePtr(t.Cause)
	x.e.StopDate = t.StopDate
	x.e.RedriveCount = t.RedriveCount
	x.e.RedriveDate = t.RedriveDate
	x.e.Snapshot = cloneBytes(t.Snapshot)
	if t.Status.Terminal() {
		x.e.LeaseOwner, x.e.LeaseExpiry = "", time.Time{}
		clear(x.timers)
		for id := range x.tasks {
			s.deleteTask(x, id)
		}
		x.requests = nil
		return
	}
	if t.Owner != "" && x.e.LeaseOwner == "" && t.Status == store.Running {
		x.e.LeaseOwner, x.e.LeaseExpiry = t.Owner, t.LeaseUntil
	}
	for _, id := range t.DeleteTimers {
		delete(x.timers, id)
	}
	for _, id := range t.DeleteTasks {
		s.deleteTask(x, id)
	}
	if len(t.DeleteRequests) > 0 {
		x.requests = slices.DeleteFunc(x.requests, func(r store.Request) bool { return slices.Contains(t.DeleteRequests, r.ID) })
	}
	for _, tm := range t.PutTimers {
		x.timers[tm.ID] = tm
	}
	for _, tk := range t.PutTasks {
		c := tk
		x.tasks[tk.ID] = &c
		if c.Token != "" {
			s.tokens[c.Token] = &c
		}
	}
}

func (s *Store) deleteTask(x *execution, id string) {
	if tk, ok := x.tasks[id]; ok {
		if tk.Token != "" {
			delete(s.tokens, tk.Token)
		}
		delete(x.tasks, id)
	}
}

func (s *Store) publishQueued(t *store.Transition) {
	for _, arn := range t.QueuedActivities() {
		s.hub.Publish(store.Notification{Kind: store.ActivityTaskQueued, ARN: arn})
	}
}

// cloneBytes copies b; empty is nil, as SQL stores read an empty snapshot.
func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return slices.Clone(b)
}

func clonePtr(p *string) *string {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// Commit implements store.Store.
func (s *Store) Commit(ctx context.Context, t *store.Transition) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("memstore: commit: %w", err)
	}
	t = t.Normalized()
	enc, err := encodeEvents(t)
	if err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	x, ok := s.execs[t.ExecutionARN]
	if !ok {
		return notFound("execution", t.ExecutionARN)
	}
	if x.e.EventCount != t.PrevEventCount {
		return fmt.Errorf("memstore: commit %q: %d events stored, transition builds on %d: %w", t.ExecutionARN, x.e.EventCount, t.PrevEventCount, store.ErrConflict)
	}
	if t.Owner != "" && x.e.LeaseOwner != "" && x.e.LeaseOwner != t.Owner {
		return fmt.Errorf("memstore: commit %q: leased to %q, not %q: %w", t.ExecutionARN, x.e.LeaseOwner, t.Owner, store.ErrConflict)
	}
	if err := s.checkTokens(x, t); err != nil {
		return err
	}
	s.apply(x, t, enc)
	s.publishQueued(t)
	return nil
}

func (x *execution) copy(include store.Include) *store.Execution {
	e := x.e
	e.Output, e.Error, e.Cause = clonePtr(e.Output), clonePtr(e.Error), clonePtr(e.Cause)
	if include&store.IncludeSnapshot != 0 {
		e.Snapshot = cloneBytes(e.Snapshot)
	} else {
		e.Snapshot = nil
	}
	if include&store.IncludeDefinition == 0 {
		e.Definition = ""
	}
	return &e
}

// GetExecution implements store.Store.
func (s *Store) GetExecution(ctx context.Context, arn string, include store.Include) (*store.Execution, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	x, ok := s.execs[arn]
	if !ok {
		return nil, notFound("execution", arn)
	}
	return x.copy(include), nil
}

// ListExecutions implements store.Store.
func (s *Store) ListExecutions(ctx context.Context, p store.ListExecutionsParams) (store.Page[*store.Execution], error) {
	a, err := cursor.Executions(p)
	if err != nil {
		return store.Page[*store.Execution]{}, err
	}
	if err := s.rlock(ctx); err != nil {
		return store.Page[*store.Execution]{}, err
	}
	defer s.mu.RUnlock()
	var xs []*execution
	for _, x := range s.execs {
		var v string
		switch a.Field {
		case store.ByStateMachine:
			v = x.e.StateMachineARN
		case store.ByVersion:
			v = x.e.VersionARN
		case store.ByAlias:
			v = x.e.AliasARN
		case store.ByMapRun:
			v = x.e.MapRunARN
		}
		if v == a.Value && (a.Status == "" || x.e.Status == a.Status) && newerFirstAfter(x.e.StartDate, x.e.ARN, a.AfterMillis, a.AfterARN) {
			xs = append(xs, x)
		}
	}
	slices.SortFunc(xs, func(x, y *execution) int {
		return newestFirst(x.e.StartDate, x.e.ARN, y.e.StartDate, y.e.ARN)
	})
	var items []*store.Execution
	for _, x := range xs[:min(len(xs), a.Limit+1)] {
		e := x.copy(0)
		e.Input, e.Output, e.Error, e.Cause = "", nil, nil, nil
		items = append(items, e)
	}
	return cursor.Page(items, a.Limit, a.Next), nil
}

// DeleteExecution implements store.Store.
func (s *Store) DeleteExecution(ctx context.Context, arn string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	x, ok := s.execs[arn]
	if !ok {
		return notFound("execution", arn)
	}
	for id := range x.tasks {
		s.deleteTask(x, id)
	}
	delete(s.execs, arn)
	return nil
}

// History implements store.Store.
func (s *Store) History(ctx context.Context, p store.HistoryParams) (store.Page[history.Event], error) {
	var page store.Page[history.Event]
	limit, kind, from, err := cursor.History(p)
	if err != nil {
		return page, err
	}
	if err := s.rlock(ctx); err != nil {
		return page, err
	}
	defer s.mu.RUnlock()
	x, ok := s.execs[p.ExecutionARN]
	if !ok {
		return page, notFound("execution", p.ExecutionARN)
	}
	n := int64(len(x.events))
	var ids []int64
	if p.Reverse {
		// min: the history may have been replaced since the token.
		for id := min(from-1, n); id >= 1 && len(ids) <= limit; id-- {
			ids = append(ids, id)
		}
	} else {
		for id := from + 1; id <= n && len(ids) <= limit; id++ {
			ids = append(ids, id)
		}
	}
	if len(ids) > limit {
		ids = ids[:limit]
		page.NextToken = cursor.NextEvent(kind, p.ExecutionARN, ids[limit-1])
	}
	for _, id := range ids {
		var ev history.Event
		if err := json.Unmarshal(x.events[id-1], &ev); err != nil {
			return store.Page[history.Event]{}, fmt.Errorf("memstore: decode event %d of %q: %w", id, p.ExecutionARN, err)
		}
		page.Items = append(page.Items, ev)
	}
	return page, nil
}

// ----- leases -----

// ClaimExecutions implements store.Store.
func (s *Store) ClaimExecutions(ctx context.Context, p store.ClaimParams) ([]*store.Execution, error) {
	if p.Node == "" || p.Limit <= 0 {
		return nil, fmt.Errorf("memstore: claim executions: node %q, limit %d: %w", p.Node, p.Limit, store.ErrInvalid)
	}
	now, until := store.Millis(p.Now), store.Millis(p.Until)
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var xs []*execution
	for _, x := range s.execs {
		if x.e.Status == store.Running && (x.e.LeaseOwner == "" || !x.e.LeaseExpiry.After(now)) {
			xs = append(xs, x)
		}
	}
	slices.SortFunc(xs, func(a, b *execution) int {
		if c := a.e.StartDate.Compare(b.e.StartDate); c != 0 {
			return c
		}
		return strings.Compare(a.e.ARN, b.e.ARN)
	})
	var out []*store.Execution
	for _, x := range xs[:min(len(xs), p.Limit)] {
		x.e.LeaseOwner, x.e.LeaseExpiry = p.Node, until
		out = append(out, x.copy(store.IncludeSnapshot|store.IncludeDefinition))
	}
	return out, nil
}

// RenewLeases implements store.Store.
func (s *Store) RenewLeases(ctx context.Context, node string, until time.Time) (int, error) {
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	n := 0
	for _, x := range s.execs {
		if x.e.LeaseOwner == node && node != "" && x.e.Status == store.Running {
			x.e.LeaseExpiry = store.Millis(until)
			n++
		}
	}
	return n, nil
}

// ReleaseLease implements store.Store.
func (s *Store) ReleaseLease(ctx context.Context, executionARN, node string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	x, ok := s.execs[executionARN]
	if !ok {
		return notFound("execution", executionARN)
	}
	if x.e.LeaseOwner != node || node == "" {
		return fmt.Errorf("memstore: release %q: leased to %q, not %q: %w", executionARN, x.e.LeaseOwner, node, store.ErrConflict)
	}
	x.e.LeaseOwner, x.e.LeaseExpiry = "", time.Time{}
	s.hub.Publish(store.Notification{Kind: store.ExecutionReady, ARN: executionARN})
	return nil
}

// ReleaseLeases implements store.Store.
func (s *Store) ReleaseLeases(ctx context.Context, node string) (int, error) {
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	n := 0
	for _, x := range s.execs {
		if x.e.LeaseOwner == node && node != "" {
			x.e.LeaseOwner, x.e.LeaseExpiry = "", time.Time{}
			n++
		}
	}
	if n > 0 {
		s.hub.Publish(store.Notification{Kind: store.ExecutionReady})
	}
	return n, nil
}

// ----- timers and tasks -----

// DueTimers implements store.Store.
func (s *Store) DueTimers(ctx context.Context, p store.DueTimersParams) ([]store.Timer, error) {
	if p.Limit <= 0 {
		return nil, fmt.Errorf("memstore: due timers: limit %d: %w", p.Limit, store.ErrInvalid)
	}
	before := store.Millis(p.Before)
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	var out []store.Timer
	for _, x := range s.execs {
		if x.e.Status != store.Running || (p.Node != "" && x.e.LeaseOwner != p.Node) {
			continue
		}
		for _, tm := range x.timers {
			if !tm.Due.After(before) {
				out = append(out, tm)
			}
		}
	}
	slices.SortFunc(out, func(a, b store.Timer) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		if c := strings.Compare(a.ExecutionARN, b.ExecutionARN); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out[:min(len(out), p.Limit)], nil
}

// Timers implements store.Store.
func (s *Store) Timers(ctx context.Context, executionARN string) ([]store.Timer, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	x, ok := s.execs[executionARN]
	if !ok {
		return nil, nil
	}
	var out []store.Timer
	for _, id := range slices.Sorted(maps.Keys(x.timers)) {
		out = append(out, x.timers[id])
	}
	return out, nil
}

// Tasks implements store.Store.
func (s *Store) Tasks(ctx context.Context, executionARN string) ([]store.Task, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	x, ok := s.execs[executionARN]
	if !ok {
		return nil, nil
	}
	var out []store.Task
	for _, id := range slices.Sorted(maps.Keys(x.tasks)) {
		out = append(out, *x.tasks[id])
	}
	return out, nil
}

// ClaimActivityTask implements store.Store.
func (s *Store) ClaimActivityTask(ctx context.Context, p store.ClaimTaskParams) (*store.Task, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var oldest *store.Task
	for _, x := range s.execs {
		for _, tk := range x.tasks {
			if tk.ActivityARN != p.ActivityARN || tk.State != store.TaskQueued {
				continue
			}
			if oldest == nil || taskBefore(tk, oldest) {
				oldest = tk
			}
		}
	}
	if oldest == nil {
		return nil, nil
	}
	oldest.State = store.TaskStarted
	oldest.Worker = p.Worker
	oldest.Started = store.Millis(p.Now)
	s.hub.Publish(store.Notification{Kind: store.ExecutionReady, ARN: oldest.ExecutionARN})
	c := *oldest
	return &c, nil
}

func taskBefore(a, b *store.Task) bool {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c < 0
	}
	if c := strings.Compare(a.ExecutionARN, b.ExecutionARN); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}

// TaskByToken implements store.Store.
func (s *Store) TaskByToken(ctx context.Context, token string) (*store.Task, error) {
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	tk, ok := s.tokens[token]
	if !ok || token == "" {
		return nil, fmt.Errorf("memstore: task token: %w", store.ErrNotFound)
	}
	c := *tk
	return &c, nil
}

// HeartbeatTask implements store.Store.
func (s *Store) HeartbeatTask(ctx context.Context, token string, at time.Time) (*store.Task, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	tk, ok := s.tokens[token]
	if !ok || token == "" {
		return nil, fmt.Errorf("memstore: task token: %w", store.ErrNotFound)
	}
	tk.Heartbeat = store.Millis(at)
	c := *tk
	return &c, nil
}

// ----- requests -----

// PostRequest implements store.Store.
func (s *Store) PostRequest(ctx context.Context, r *store.Request) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("memstore: post: %w", err)
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	x, ok := s.execs[r.ExecutionARN]
	if !ok {
		return notFound("execution", r.ExecutionARN)
	}
	if x.e.Status != store.Running {
		return fmt.Errorf("memstore: post a request for %q: execution is %s: %w", r.ExecutionARN, x.e.Status, store.ErrConflict)
	}
	s.requestSeq++
	c := copyRequest(*r)
	c.ID = s.requestSeq
	c.Created = store.Millis(c.Created)
	x.requests = append(x.requests, c)
	r.ID = c.ID
	s.hub.Publish(store.Notification{Kind: store.ExecutionReady, ARN: r.ExecutionARN})
	return nil
}

func copyRequest(r store.Request) store.Request {
	r.Output, r.Error, r.Cause = clonePtr(r.Output), clonePtr(r.Error), clonePtr(r.Cause)
	return r
}

// Requests implements store.Store.
func (s *Store) Requests(ctx context.Context, p store.RequestsParams) ([]store.Request, error) {
	if p.Limit < 0 {
		return nil, fmt.Errorf("memstore: requests: limit %d: %w", p.Limit, store.ErrInvalid)
	}
	if err := s.rlock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	var out []store.Request
	for _, x := range s.execs {
		switch {
		case p.ExecutionARN != "":
			if x.e.ARN != p.ExecutionARN {
				continue
			}
		case p.Node != "":
			if x.e.LeaseOwner != p.Node {
				continue
			}
		}
		for _, r := range x.requests {
			out = append(out, copyRequest(r))
		}
	}
	slices.SortFunc(out, func(a, b store.Request) int { return cmp.Compare(a.ID, b.ID) })
	if p.Limit > 0 {
		out = out[:min(len(out), p.Limit)]
	}
	return out, nil
}

// ----- notifications -----

// Subscribe implements store.Store.
func (s *Store) Subscribe(ctx context.Context) (<-chan store.Notification, error) {
	return s.hub.Subscribe(ctx)
}

// Notify implements store.Store.
func (s *Store) Notify(ctx context.Context, n store.Notification) error {
	if err := s.rlock(ctx); err != nil {
		return err
	}
	s.mu.RUnlock()
	s.hub.Publish(n)
	return nil
}

// ----- invariants -----

// Check implements store.Checker.
func (s *Store) Check(ctx context.Context) error {
	if err := s.rlock(ctx); err != nil {
		return err
	}
	defer s.mu.RUnlock()
	tokens := 0
	for arn, x := range s.execs {
		if int64(len(x.events)) != x.e.EventCount {
			return fmt.Errorf("memstore: execution %q: %d events, EventCount %d", arn, len(x.events), x.e.EventCount)
		}
		for i, b := range x.events {
			var ev history.Event
			if err := json.Unmarshal(b, &ev); err != nil || ev.ID != int64(i+1) {
				return fmt.Errorf("memstore: execution %q: event %d has id %d (%v)", arn, i+1, ev.ID, err)
			}
		}
		if x.e.Status.Terminal() && (len(x.timers) > 0 || len(x.tasks) > 0 || len(x.requests) > 0 || x.e.LeaseOwner != "") {
			return fmt.Errorf("memstore: execution %q is %s but has %d timers, %d tasks, %d requests, lease %q", arn, x.e.Status, len(x.timers), len(x.tasks), len(x.requests), x.e.LeaseOwner)
		}
		for i, r := range x.requests {
			if r.ExecutionARN != arn || r.ID <= 0 || r.ID > s.requestSeq || i > 0 && r.ID <= x.requests[i-1].ID {
				return fmt.Errorf("memstore: execution %q: request %d out of order or misplaced", arn, r.ID)
			}
		}
		for _, tk := range x.tasks {
			if tk.Token != "" {
				tokens++
				if s.tokens[tk.Token] != tk {
					return fmt.Errorf("memstore: task %q of %q: token index out of date", tk.ID, arn)
				}
			}
		}
	}
	if tokens != len(s.tokens) {
		return fmt.Errorf("memstore: %d task tokens indexed, %d tasks have one", len(s.tokens), tokens)
	}
	return nil
}
