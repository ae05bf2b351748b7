package store_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"stepd/internal/history"
	"stepd/internal/store"
)

const arn = "arn:aws:states:us-east-1:111111111111:execution:m:e"

// events returns n events with ids from+1 .. from+n.
func events(from int64, n int) []history.Event {
	var evs []history.Event
	for i := range n {
		evs = append(evs, history.Event{ID: from + int64(i) + 1, PreviousEventID: from + int64(i), Type: history.PassStateEntered})
	}
	return evs
}

func TestTransitionValidate(t *testing.T) {
	t.Parallel()
	lease := time.Date(2024, 5, 29, 14, 5, 13, 0, time.UTC)
	// base returns a valid transition for each case to change.
	base := func() store.Transition {
		return store.Transition{ExecutionARN: arn, Status: store.Running, PrevEventCount: 2, Events: events(2, 3)}
	}
	tests := []struct {
		name   string
		change func(*store.Transition)
		// wantErr is "" for a valid transition, else a part of the error.
		wantErr string
	}{
		{"valid", func(*store.Transition) {}, ""},
		{"no events", func(tr *store.Transition) { tr.Events = nil }, ""},
		{"first transition", func(tr *store.Transition) { tr.PrevEventCount = 0; tr.Events = events(0, 1) }, ""},
		{"pending redrive", func(tr *store.Transition) { tr.Status = store.PendingRedrive }, ""},
		{"owner with lease", func(tr *store.Transition) { tr.Owner = "n1"; tr.LeaseUntil = lease }, ""},
		{"lease without owner", func(tr *store.Transition) { tr.LeaseUntil = lease }, ""},
		{"terminal deleting timers, tasks and requests", func(tr *store.Transition) {
			tr.Status = store.Succeeded
			tr.DeleteTimers = []string{"t"}
			tr.DeleteTasks = []string{"k"}
			tr.DeleteRequests = []int64{1}
		}, ""},
		{"every terminal status", func(tr *store.Transition) { tr.Status = store.TimedOut }, ""},
		{"timers of this execution or unset", func(tr *store.Transition) {
			tr.PutTimers = []store.Timer{{ID: "a"}, {ExecutionARN: arn, ID: "b"}}
		}, ""},
		{"tasks queued and started, several without token", func(tr *store.Transition) {
			tr.PutTasks = []store.Task{
				{ID: "a", State: store.TaskQueued},
				{ID: "b", State: store.TaskQueued},
				{ExecutionARN: arn, ID: "c", State: store.TaskStarted, Token: "tok1"},
				{ID: "d", State: store.TaskQueued, Token: "tok2"},
			}
		}, ""},
		{"timer and task may share an id", func(tr *store.Transition) {
			tr.PutTimers = []store.Timer{{ID: "x"}}
			tr.PutTasks = []store.Task{{ID: "x", State: store.TaskQueued}}
		}, ""},
		{"put and delete the same id", func(tr *store.Transition) {
			tr.PutTimers = []store.Timer{{ID: "x"}}
			tr.DeleteTimers = []string{"x"}
		}, ""},

		{"no execution ARN", func(tr *store.Transition) { tr.ExecutionARN = "" }, "no execution ARN"},
		{"no status", func(tr *store.Transition) { tr.Status = "" }, `status ""`},
		{"lower-case status", func(tr *store.Transition) { tr.Status = "running" }, `status "running"`},
		{"unknown status", func(tr *store.Transition) { tr.Status = "PAUSED" }, `status "PAUSED"`},
		{"negative event count", func(tr *store.Transition) { tr.PrevEventCount = -1; tr.Events = nil }, "previous event count -1"},
		{"ids not continuing the count", func(tr *store.Transition) { tr.Events = events(3, 2) }, "event 0 has id 4, want 3"},
		{"ids starting at zero", func(tr *store.Transition) { tr.PrevEventCount = 0; tr.Events = events(-1, 2) }, "event 0 has id 0, want 1"},
		{"a gap", func(tr *store.Transition) { tr.Events[2].ID = 6 }, "event 2 has id 6, want 5"},
		{"a repeated id", func(tr *store.Transition) { tr.Events[1].ID = 3 }, "event 1 has id 3, want 4"},
		{"an event without type", func(tr *store.Transition) { tr.Events[1].Type = "" }, "event 4 has no type"},
		{"owner without lease", func(tr *store.Transition) { tr.Owner = "n1" }, `owner "n1" without a lease expiry`},
		{"terminal putting a timer", func(tr *store.Transition) {
			tr.Status = store.Failed
			tr.PutTimers = []store.Timer{{ID: "t"}}
		}, "status FAILED with timers or tasks to put"},
		{"terminal putting a task", func(tr *store.Transition) {
			tr.Status = store.Aborted
			tr.PutTasks = []store.Task{{ID: "k", State: store.TaskQueued}}
		}, "status ABORTED with timers or tasks to put"},
		{"timer of another execution", func(tr *store.Transition) {
			tr.PutTimers = []store.Timer{{ExecutionARN: arn + "2", ID: "t"}}
		}, `timer "t" of execution`},
		{"timer without id", func(tr *store.Transition) { tr.PutTimers = []store.Timer{{}} }, `timer id "" empty or repeated`},
		{"timer id repeated", func(tr *store.Transition) {
			tr.PutTimers = []store.Timer{{ID: "t"}, {ID: "u"}, {ID: "t"}}
		}, `timer id "t" empty or repeated`},
		{"task of another execution", func(tr *store.Transition) {
			tr.PutTasks = []store.Task{{ExecutionARN: "x", ID: "k", State: store.TaskQueued}}
		}, `task "k" of execution "x"`},
		{"task without id", func(tr *store.Transition) {
			tr.PutTasks = []store.Task{{State: store.TaskQueued}}
		}, `task id "" empty or repeated`},
		{"task id repeated", func(tr *store.Transition) {
			tr.PutTasks = []store.Task{{ID: "k", State: store.TaskQueued}, {ID: "k", State: store.TaskStarted}}
		}, `task id "k" empty or repeated`},
		{"task without state", func(tr *store.Transition) {
			tr.PutTasks = []store.Task{{ID: "k"}}
		}, `task "k" in state ""`},
		{"task in an unknown state", func(tr *store.Transition) {
			tr.PutTasks = []store.Task{{ID: "k", State: "done"}}
		}, `task "k" in state "done"`},
		{"task token repeated", func(tr *store.Transition) {
			tr.PutTasks = []store.Task{{ID: "a", State: store.TaskQueued, Token: "tok"}, {ID: "b", State: store.TaskQueued, Token: "tok"}}
		}, "task token repeated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := base()
			tt.change(&tr)
			err := tr.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.wantErr == "":
				return
			case err == nil:
				t.Fatalf("Validate() = nil, want an error containing %q", tt.wantErr)
			case !errors.Is(err, store.ErrInvalid):
				t.Errorf("Validate() = %v, does not wrap ErrInvalid", err)
			case !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("Validate() = %v, want it to contain %q", err, tt.wantErr)
			}
			if tr.ExecutionARN != "" && !strings.Contains(err.Error(), tr.ExecutionARN) {
				t.Errorf("Validate() = %v, want it to name the execution", err)
			}
		})
	}
}

func TestTransitionEventCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prev int64
		n    int
		want int64
	}{
		{0, 0, 0},
		{0, 1, 1},
		{5, 0, 5},
		{5, 3, 8},
		{1 << 40, 2, 1<<40 + 2},
	}
	for _, tt := range tests {
		tr := store.Transition{PrevEventCount: tt.prev, Events: events(tt.prev, tt.n)}
		if got := tr.EventCount(); got != tt.want {
			t.Errorf("EventCount() with PrevEventCount %d and %d events = %d, want %d", tt.prev, tt.n, got, tt.want)
		}
	}
}

func TestTransitionNormalized(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("UTC-7", -7*3600)
	at := func(ms int64, ns int) time.Time { return time.UnixMilli(ms).Add(time.Duration(ns)).In(zone) }
	ms := func(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

	in := &store.Transition{
		ExecutionARN:   arn,
		Owner:          "n1",
		LeaseUntil:     at(1000, 999_999),
		PrevEventCount: 1,
		Events:         events(1, 1),
		Status:         store.Running,
		Output:         history.Str("out"),
		StopDate:       at(2000, 500_000),
		RedriveCount:   2,
		RedriveDate:    at(3000, 1),
		Snapshot:       []byte("snap"),
		PutTimers: []store.Timer{
			{ID: "t1", Due: at(4000, 123)},
			{ExecutionARN: "ignored", ID: "t2"},
		},
		DeleteTimers: []string{"old", "t2"},
		PutTasks: []store.Task{{
			ID: "k1", Token: "tok", ActivityARN: "act", State: store.TaskStarted, Worker: "w", Input: "{}",
			Created: at(5000, 1), Started: at(6000, 2), Heartbeat: at(7000, 3), HeartbeatSeconds: 10, TimeoutSeconds: 60,
		}},
		DeleteTasks:    []string{"k0"},
		DeleteRequests: []int64{4, 5},
	}
	in.DeleteTimers = slices.Grow(in.DeleteTimers, 10) // appending must not write into the caller's array
	before := cloneTransition(in)

	got := *in.Normalized()
	want := store.Transition{
		ExecutionARN:   arn,
		Owner:          "n1",
		LeaseUntil:     ms(1000),
		PrevEventCount: 1,
		Events:         events(1, 1),
		Status:         store.Running,
		Output:         history.Str("out"),
		StopDate:       ms(2000),
		RedriveCount:   2,
		RedriveDate:    ms(3000),
		Snapshot:       []byte("snap"),
		PutTimers: []store.Timer{
			{ExecutionARN: arn, ID: "t1", Due: ms(4000)},
			{ExecutionARN: arn, ID: "t2"},
		},
		DeleteTimers: []string{"old", "t2", "t1"},
		PutTasks: []store.Task{{
			ExecutionARN: arn, ID: "k1", Token: "tok", ActivityARN: "act", State: store.TaskStarted, Worker: "w", Input: "{}",
			Created: ms(5000), Started: ms(6000), Heartbeat: ms(7000), HeartbeatSeconds: 10, TimeoutSeconds: 60,
		}},
		DeleteTasks:    []string{"k0", "k1"},
		DeleteRequests: []int64{4, 5},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Normalized():\n got %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(in, before) || slices.Contains(in.DeleteTimers[:cap(in.DeleteTimers)], "t1") {
		t.Errorf("Normalized changed its receiver:\n got %+v\nwant %+v", in, before)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Normalized().Validate() = %v", err)
	}

	// Zero times stay zero, and without puts nothing is added.
	empty := &store.Transition{ExecutionARN: arn, Status: store.Failed, DeleteTimers: []string{"a"}}
	n := empty.Normalized()
	if !n.StopDate.IsZero() || !n.RedriveDate.IsZero() || !n.LeaseUntil.IsZero() {
		t.Errorf("Normalized() of zero times = %v, %v, %v; want zero", n.StopDate, n.RedriveDate, n.LeaseUntil)
	}
	if !slices.Equal(n.DeleteTimers, []string{"a"}) || n.DeleteTasks != nil || n.PutTimers != nil || n.PutTasks != nil {
		t.Errorf("Normalized() without puts = %+v", n)
	}
	if n == empty {
		t.Error("Normalized() returned its receiver, want a copy")
	}
}

// cloneTransition copies the slices of t that Normalized could write to.
func cloneTransition(t *store.Transition) *store.Transition {
	c := *t
	c.PutTimers = slices.Clone(t.PutTimers)
	c.DeleteTimers = slices.Clone(t.DeleteTimers)
	c.PutTasks = slices.Clone(t.PutTasks)
	c.DeleteTasks = slices.Clone(t.DeleteTasks)
	c.DeleteRequests = slices.Clone(t.DeleteRequests)
	return &c
}

func TestNormalizeTask(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("X", 3600)
	tk := store.Task{
		ExecutionARN: "other", ID: "k", Token: "tok", ActivityARN: "act", State: store.TaskQueued, Worker: "w", Input: "in",
		Created: time.Unix(1, 999_999_999).In(zone), HeartbeatSeconds: 1, TimeoutSeconds: 2,
	}
	got := store.NormalizeTask(tk, arn)
	want := tk
	want.ExecutionARN = arn
	want.Created = time.UnixMilli(1999).UTC()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("NormalizeTask:\n got %+v\nwant %+v", got, want)
	}
	if !got.Started.IsZero() || !got.Heartbeat.IsZero() {
		t.Errorf("NormalizeTask made zero times non-zero: %v, %v", got.Started, got.Heartbeat)
	}
}

func TestTransitionQueuedActivities(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		tasks []store.Task
		want  []string
	}{
		{"no tasks", nil, nil},
		{"tasks without activity", []store.Task{{ID: "a", State: store.TaskQueued}}, nil},
		{"started tasks do not notify", []store.Task{{ID: "a", ActivityARN: "x", State: store.TaskStarted}}, nil},
		{"one", []store.Task{{ID: "a", ActivityARN: "x", State: store.TaskQueued}}, []string{"x"}},
		{"in order, without repeats", []store.Task{
			{ID: "a", ActivityARN: "y", State: store.TaskQueued},
			{ID: "b", ActivityARN: "x", State: store.TaskQueued},
			{ID: "c", ActivityARN: "y", State: store.TaskQueued},
			{ID: "d", ActivityARN: "z", State: store.TaskStarted},
			{ID: "e", State: store.TaskQueued},
			{ID: "f", ActivityARN: "x", State: store.TaskQueued},
		}, []string{"y", "x"}},
	}
	for _, tt := range tests {
		tr := store.Transition{ExecutionARN: arn, Status: store.Running, PutTasks: tt.tasks}
		if got := tr.QueuedActivities(); !slices.Equal(got, tt.want) {
			t.Errorf("%s: QueuedActivities() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestMillis(t *testing.T) {
	t.Parallel()
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"zero", time.Time{}, time.Time{}},
		{"zero in a zone", time.Time{}.In(zone), time.Time{}},
		{"whole milliseconds", time.UnixMilli(1716991513184), time.UnixMilli(1716991513184).UTC()},
		{"truncated, not rounded", time.Unix(1716991513, 184_999_999), time.UnixMilli(1716991513184).UTC()},
		{"into UTC", time.UnixMilli(1716991513184).In(zone), time.UnixMilli(1716991513184).UTC()},
		{"epoch", time.Unix(0, 0), time.Unix(0, 0).UTC()},
		{"before 1970 goes down", time.Unix(-1, 999_500_000), time.UnixMilli(-1).UTC()},
		{"year 1", time.Date(1, 1, 1, 0, 0, 0, 1_000_000, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 1_000_000, time.UTC)},
	}
	for _, tt := range tests {
		got := store.Millis(tt.in)
		if got != tt.want { // == also compares the location
			t.Errorf("%s: Millis(%v) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
	now := time.Now() // with a monotonic reading, which Millis drops
	if got := store.Millis(now); got != time.UnixMilli(now.UnixMilli()).UTC() || got.Location() != time.UTC {
		t.Errorf("Millis(now) = %v (%v)", got, got.Location())
	}
}

func TestParseRouting(t *testing.T) {
	t.Parallel()
	const v1, v2 = "arn:aws:states:us-east-1:111111111111:stateMachine:m:1", "arn:aws:states:us-east-1:111111111111:stateMachine:m:2"
	good := []struct {
		in   string
		want []store.Route
	}{
		{`[]`, []store.Route{}},
		{`[{"stateMachineVersionArn":"` + v1 + `","weight":100}]`, []store.Route{{v1, 100}}},
		{` [ {"weight":30,"stateMachineVersionArn":"` + v1 + `"} , {"stateMachineVersionArn":"` + v2 + `","weight":70} ] `,
			[]store.Route{{v1, 30}, {v2, 70}}},
		{`[{"stateMachineVersionArn":"` + v1 + `"}]`, []store.Route{{v1, 0}}},
		{`[{"stateMachineVersionArn":"` + v1 + `","weight":100,"extra":{}}]`, []store.Route{{v1, 100}}},
	}
	for _, tt := range good {
		got, err := store.ParseRouting(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseRouting(%s) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		``,
		`not json`,
		`null`,
		`{}`,
		`{"stateMachineVersionArn":"` + v1 + `","weight":100}`,
		`"` + v1 + `"`,
		`[null]`,
		`[{"weight":100}]`,
		`[{"stateMachineVersionArn":"","weight":100}]`,
		`[{"stateMachineVersionArn":"` + v1 + `","weight":50},{"weight":50}]`,
		`[{"stateMachineVersionArn":"` + v1 + `","weight":"100"}]`,
		`[{"stateMachineVersionArn":"` + v1 + `","weight":50.5}]`,
		`[{"stateMachineVersionArn":1,"weight":100}]`,
		`[{"stateMachineVersionArn":"` + v1 + `","weight":100}`,
		`[{"stateMachineVersionArn":"` + v1 + `","weight":100}] x`,
	}
	for _, in := range bad {
		got, err := store.ParseRouting(in)
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ParseRouting(%s) = %+v, %v; want an error wrapping ErrInvalid", in, got, err)
		} else if !strings.HasPrefix(err.Error(), "routing configuration: ") {
			t.Errorf("ParseRouting(%s) = %v, want it to say what did not parse", in, err)
		}
	}
}

func TestCheckMaxResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want int
		ok       bool
	}{
		{0, store.DefaultMaxResults, true},
		{1, 1, true},
		{100, 100, true},
		{store.MaxMaxResults, store.MaxMaxResults, true},
		{store.MaxMaxResults + 1, 0, false},
		{-1, 0, false},
	}
	for _, tt := range tests {
		got, err := store.CheckMaxResults(tt.in)
		if got != tt.want || (err == nil) != tt.ok || (err != nil && !errors.Is(err, store.ErrInvalid)) {
			t.Errorf("CheckMaxResults(%d) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if store.DefaultMaxResults != 100 || store.MaxMaxResults != 1000 {
		t.Errorf("DefaultMaxResults, MaxMaxResults = %d, %d; AWS uses 100 and 1000", store.DefaultMaxResults, store.MaxMaxResults)
	}
}
