// Package storetest is the behaviour suite every store.Store runs: memstore,
// SQLite and PostgreSQL call Run with a function that opens a fresh, empty
// store, and the same cases check each of them. A behaviour change lands
// here first.
//
// Every case runs in parallel on its own store. After each case the suite
// runs the store's invariant check (store.Checker) and closes the store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"stepd/internal/history"
	"stepd/internal/store"
)

// Factory opens a fresh, empty store for one test; it registers with
// t.Cleanup whatever must go when the test ends (files, schemas). The suite
// closes the store itself.
type Factory func(t *testing.T) store.Store

// Option configures Run.
type Option func(*config)

type config struct {
	peer func(t *testing.T, s store.Store) store.Store
}

// WithPeer gives the suite a way to open a second handle on the database a
// store uses, standing for a second node; multi-node cases (concurrent
// claims, notifications across nodes) then run across the two. Without it
// those cases use one handle from several goroutines.
func WithPeer(open func(t *testing.T, s store.Store) store.Store) Option {
	return func(c *config) { c.peer = open }
}

// harness is what each case gets.
type harness struct {
	t   *testing.T
	ctx context.Context
	s   store.Store
	cfg config
}

// peer returns a second handle on h's database (h.s itself without
// WithPeer); the suite closes it.
func (h *harness) peer() store.Store {
	if h.cfg.peer == nil {
		return h.s
	}
	p := h.cfg.peer(h.t, h.s)
	h.t.Cleanup(func() { _ = p.Close() })
	return p
}

type testCase struct {
	name string
	run  func(h *harness)
}

// Run runs every case against stores from newStore.
func Run(t *testing.T, newStore Factory, opts ...Option) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	groups := []struct {
		name  string
		cases []testCase
	}{
		{"StateMachines", machineCases},
		{"Versions", versionCases},
		{"Aliases", aliasCases},
		{"Activities", activityCases},
		{"Tags", tagCases},
		{"Executions", executionCases},
		{"History", historyCases},
		{"Commit", commitCases},
		{"Leases", leaseCases},
		{"Timers", timerCases},
		{"Tasks", taskCases},
		{"Requests", requestCases},
		{"Notifications", notificationCases},
		{"Lifecycle", lifecycleCases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					h := &harness{t: t, ctx: t.Context(), cfg: cfg}
					h.s = newStore(t)
					t.Cleanup(func() {
						ctx := context.Background()
						if ck, ok := h.s.(store.Checker); ok {
							if err := ck.Check(ctx); err != nil && !errors.Is(err, store.ErrClosed) {
								t.Errorf("invariant check: %v", err)
							}
						}
						if err := h.s.Close(); err != nil {
							t.Errorf("Close: %v", err)
						}
					})
					c.run(h)
				})
			}
		})
	}
}

// ----- fixtures -----

const (
	region  = "us-east-1"
	account = "123456789012"
)

// t0 is the suite's base time; its nanoseconds check millisecond
// truncation.
var t0 = time.Date(2026, 3, 4, 5, 6, 7, 891_234_567, time.UTC)

// at returns t0 plus d, truncated to the millisecond (as stores keep it).
func at(d time.Duration) time.Time { return store.Millis(t0.Add(d)) }

func smARN(name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", region, account, name)
}

func activityARN(name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:activity:%s", region, account, name)
}

func execARN(sm, name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", region, account, sm, name)
}

const definition = "{\n  \"Comment\": \"caf\u00e9 \u2603\",\n  \"StartAt\": \"P\",\n  \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": true}}\n}\n"

func newMachine(name string) *store.StateMachine {
	return &store.StateMachine{
		ARN:                  smARN(name),
		Name:                 name,
		Type:                 store.Standard,
		Definition:           definition,
		RoleARN:              "arn:aws:iam::" + account + ":role/r",
		LoggingConfiguration: `{"level":"OFF","includeExecutionData":false}`,
		TracingConfiguration: `{"enabled":false}`,
		Status:               store.Active,
		CreationDate:         t0,
		UpdateDate:           t0,
		Description:          "d",
	}
}

func (h *harness) createMachine(name string) *store.StateMachine {
	h.t.Helper()
	sm := newMachine(name)
	if err := h.s.CreateStateMachine(h.ctx, sm); err != nil {
		h.t.Fatalf("CreateStateMachine %s: %v", name, err)
	}
	return sm
}

// event returns a history event with details suited to its type.
func event(id, prev int64, typ history.Type, ts time.Time) history.Event {
	ev := history.Event{ID: id, PreviousEventID: prev, Timestamp: ts, Type: typ}
	switch typ {
	case history.ExecutionStarted:
		ev.Details = &history.Details{Input: history.Str(`{"in": 1}`), InputDetails: history.NotTruncated, RoleArn: "arn:aws:iam::" + account + ":role/r"}
	case history.PassStateEntered, history.TaskStateEntered, history.WaitStateEntered:
		ev.Details = &history.Details{Name: fmt.Sprintf("S%d", id), Input: history.Str(`{"in":1}`), InputDetails: history.NotTruncated}
	case history.PassStateExited, history.TaskStateExited, history.WaitStateExited:
		ev.Details = &history.Details{Name: fmt.Sprintf("S%d", id), Output: history.Str(`{"out":"\u00e9"}`), OutputDetails: history.NotTruncated}
	case history.ExecutionSucceeded:
		ev.Details = &history.Details{Output: history.Str(`{"done":true}`), OutputDetails: history.NotTruncated}
	case history.ExecutionFailed:
		ev.Details = &history.Details{Error: history.Str("States.TaskFailed"), Cause: history.Str("")}
	case history.ActivityScheduled:
		ev.Details = &history.Details{Resource: activityARN("a"), Input: history.Str("{}"), InputDetails: history.NotTruncated, HeartbeatInSeconds: history.Int(30)}
	case history.TaskScheduled:
		ev.Details = &history.Details{ResourceType: "lambda", Resource: "invoke", Region: region, Parameters: history.Str(`{"FunctionName":"f"}`)}
	}
	return ev
}

// events returns n events with ids prev+1.., alternating state entered and
// exited, each a millisecond after the last.
func events(prev int64, n int) []history.Event {
	out := make([]history.Event, n)
	for i := range out {
		id := prev + int64(i) + 1
		typ := history.PassStateEntered
		if id%2 == 1 {
			typ = history.PassStateExited
		}
		out[i] = event(id, id-1, typ, at(time.Duration(id)*time.Millisecond))
	}
	return out
}

// exec describes an execution to create.
type exec struct {
	sm, name string
	start    time.Time
	status   store.ExecutionStatus
	lease    string
	until    time.Time
	version  string
	alias    string
	mapRun   string
	timers   []store.Timer
	tasks    []store.Task
}

// newExecution returns an execution and its first transition (an
// ExecutionStarted and a PassStateEntered event).
func newExecution(x exec) (*store.Execution, *store.Transition) {
	if x.start.IsZero() {
		x.start = at(0)
	}
	if x.status == "" {
		x.status = store.Running
	}
	arn := execARN(x.sm, x.name)
	e := &store.Execution{
		ARN:             arn,
		StateMachineARN: smARN(x.sm),
		Name:            x.name,
		Type:            store.Standard,
		Input:           "{\"in\": 1}\n",
		StartDate:       x.start,
		Definition:      definition,
		VersionARN:      x.version,
		AliasARN:        x.alias,
		MapRunARN:       x.mapRun,
		TraceHeader:     "Root=1-abc",
		LeaseOwner:      x.lease,
		LeaseExpiry:     x.until,
	}
	first := &store.Transition{
		ExecutionARN: arn,
		Events: []history.Event{
			event(1, 0, history.ExecutionStarted, x.start),
			event(2, 0, history.PassStateEntered, x.start),
		},
		Status:    x.status,
		Snapshot:  []byte("snapshot-1"),
		PutTimers: x.timers,
		PutTasks:  x.tasks,
	}
	if x.status.Terminal() {
		first.StopDate = x.start
		first.Output = history.Str(`{"done":true}`)
	}
	return e, first
}

func (h *harness) createExecution(x exec) *store.Execution {
	h.t.Helper()
	e, first := newExecution(x)
	if err := h.s.CreateExecution(h.ctx, e, first); err != nil {
		h.t.Fatalf("CreateExecution %s: %v", e.ARN, err)
	}
	return e
}

// next returns a transition of e after prev events that appends n events
// and keeps e running.
func next(arn string, prev int64, n int) *store.Transition {
	return &store.Transition{
		ExecutionARN:   arn,
		PrevEventCount: prev,
		Events:         events(prev, n),
		Status:         store.Running,
		Snapshot:       fmt.Appendf(nil, "snapshot-%d", prev+int64(n)),
	}
}

// ----- assertions -----

func (h *harness) equal(what string, got, want any) {
	h.t.Helper()
	if !reflect.DeepEqual(got, want) {
		h.t.Errorf("%s:\n got  %+v\n want %+v", what, show(got), show(want))
	}
}

// show dereferences pointers (and slices of them) for messages.
func show(v any) any {
	rv := reflect.ValueOf(v)
	switch {
	case !rv.IsValid():
		return v
	case rv.Kind() == reflect.Pointer && !rv.IsNil():
		return fmt.Sprintf("&%+v", rv.Elem().Interface())
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Pointer:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = show(rv.Index(i).Interface())
		}
		return out
	}
	return v
}

func (h *harness) is(what string, err, want error) {
	h.t.Helper()
	if !errors.Is(err, want) {
		h.t.Errorf("%s: err = %v, want %v", what, err, want)
	}
}

func (h *harness) ok(what string, err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
}

// getExecution reads an execution with everything.
func (h *harness) getExecution(arn string) *store.Execution {
	h.t.Helper()
	e, err := h.s.GetExecution(h.ctx, arn, store.IncludeSnapshot|store.IncludeDefinition)
	h.ok("GetExecution", err)
	return e
}

// allHistory reads an execution's whole history in one page.
func (h *harness) allHistory(arn string) []history.Event {
	h.t.Helper()
	p, err := h.s.History(h.ctx, store.HistoryParams{ExecutionARN: arn, MaxResults: store.MaxMaxResults})
	h.ok("History", err)
	if p.NextToken != "" {
		h.t.Fatalf("History of %s: more than %d events", arn, store.MaxMaxResults)
	}
	return p.Items
}

// pages calls list with page size n until the last page, checking the
// tokens, and returns every item.
func pages[T any](h *harness, n int, list func(token string, max int) (store.Page[T], error)) []T {
	h.t.Helper()
	var all []T
	token := ""
	for i := 0; ; i++ {
		p, err := list(token, n)
		h.ok(fmt.Sprintf("page %d", i), err)
		if len(p.Items) > n {
			h.t.Fatalf("page %d has %d items, max %d", i, len(p.Items), n)
		}
		all = append(all, p.Items...)
		if p.NextToken == "" {
			return all
		}
		if len(p.Items) != n {
			h.t.Fatalf("page %d has %d items and a next token", i, len(p.Items))
		}
		if len(p.NextToken) > 1024 {
			h.t.Fatalf("token of %d characters", len(p.NextToken))
		}
		if i > 10000 {
			h.t.Fatal("paging does not end")
		}
		token = p.NextToken
	}
}

// checkPaging checks that paging with several page sizes returns want, and
// that bad arguments are refused.
func checkPaging[T any](h *harness, what string, want []T, list func(token string, max int) (store.Page[T], error)) {
	h.t.Helper()
	for _, n := range []int{1, 2, 3, max(len(want), 1), len(want) + 1, 0} {
		if n == 0 && len(want) > store.DefaultMaxResults {
			continue
		}
		size := n
		if n == 0 {
			size = store.DefaultMaxResults
		}
		got := pages(h, size, func(token string, m int) (store.Page[T], error) {
			if n == 0 {
				m = 0
			}
			return list(token, m)
		})
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		h.equal(fmt.Sprintf("%s with pages of %d", what, n), got, want)
	}
	_, err := list("", -1)
	h.is(what+" with maxResults -1", err, store.ErrInvalid)
	_, err = list("", store.MaxMaxResults+1)
	h.is(what+" with maxResults 1001", err, store.ErrInvalid)
	_, err = list("not a token", 1)
	h.is(what+" with a bad token", err, store.ErrInvalidToken)
}

// arns returns the ARN field of each item.
func arns[T any](items []T) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = reflect.Indirect(reflect.ValueOf(it)).FieldByName("ARN").String()
	}
	return out
}

// reversed returns a reversed copy.
func reversed[T any](s []T) []T {
	c := slices.Clone(s)
	slices.Reverse(c)
	return c
}

// waitFor reads ch until a notification satisfies match; it fails the test
// when the channel closes or the test's deadline (or 30 s) passes first.
func (h *harness) waitFor(ch <-chan store.Notification, what string, match func(store.Notification) bool) {
	h.t.Helper()
	guard := time.NewTimer(30 * time.Second)
	defer guard.Stop()
	for {
		select {
		case n, ok := <-ch:
			if !ok {
				h.t.Fatalf("waiting for %s: channel closed", what)
			}
			if match(n) {
				return
			}
		case <-guard.C:
			h.t.Fatalf("no %s notification within 30s", what)
		}
	}
}

// closes fails the test unless ch is closed within 30 s (the
// notifications it still holds are read and dropped).
func (h *harness) closes(ch <-chan store.Notification, what string) {
	h.t.Helper()
	guard := time.NewTimer(30 * time.Second)
	defer guard.Stop()
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-guard.C:
			h.t.Fatalf("%s is not closed within 30s", what)
		}
	}
}
