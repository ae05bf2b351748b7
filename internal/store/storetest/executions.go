package storetest

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"stepd/internal/history"
	"stepd/internal/store"
)

var executionCases = []testCase{
	{"CreateGetRoundTrip", func(h *harness) {
		h.createMachine("m")
		e, first := newExecution(exec{sm: "m", name: "e", version: smARN("m") + ":1", alias: smARN("m") + ":a", lease: "n1", until: at(time.Minute)})
		e.RedriveCount, e.Status, e.Snapshot = 99, store.Failed, []byte("ignored") // set by first
		first.Cause = history.Str("")                                              // empty, not absent
		first.PutTimers = []store.Timer{{ID: "t1", Due: t0.Add(time.Second)}}
		first.PutTasks = []store.Task{{ID: "k1", Token: "tok", ActivityARN: activityARN("a"), State: store.TaskQueued, Input: `{"x":1}`, Created: t0, HeartbeatSeconds: 5, TimeoutSeconds: 60}}
		h.ok("create", h.s.CreateExecution(h.ctx, e, first))
		h.equal("event count written back", e.EventCount, int64(2))

		want := &store.Execution{
			ARN: e.ARN, StateMachineARN: smARN("m"), Name: "e", Type: store.Standard, Status: store.Running,
			Input: "{\"in\": 1}\n", Cause: history.Str(""), StartDate: at(0), Definition: definition,
			VersionARN: smARN("m") + ":1", AliasARN: smARN("m") + ":a", TraceHeader: "Root=1-abc",
			EventCount: 2, Snapshot: []byte("snapshot-1"), LeaseOwner: "n1", LeaseExpiry: at(time.Minute),
		}
		h.equal("execution", h.getExecution(e.ARN), want)

		meta, err := h.s.GetExecution(h.ctx, e.ARN, 0)
		h.ok("get without heavy fields", err)
		w := *want
		w.Snapshot, w.Definition = nil, ""
		h.equal("execution without snapshot and definition", meta, &w)
		snapOnly, err := h.s.GetExecution(h.ctx, e.ARN, store.IncludeSnapshot)
		h.ok("get with snapshot", err)
		h.equal("snapshot only", snapOnly.Snapshot, []byte("snapshot-1"))
		h.equal("no definition", snapOnly.Definition, "")

		h.equal("history", h.allHistory(e.ARN), first.Events)
		timers, err := h.s.Timers(h.ctx, e.ARN)
		h.ok("timers", err)
		h.equal("timers", timers, []store.Timer{{ExecutionARN: e.ARN, ID: "t1", Due: at(time.Second)}})
		tasks, err := h.s.Tasks(h.ctx, e.ARN)
		h.ok("tasks", err)
		h.equal("tasks", tasks, []store.Task{{ExecutionARN: e.ARN, ID: "k1", Token: "tok", ActivityARN: activityARN("a"), State: store.TaskQueued, Input: `{"x":1}`, Created: at(0), HeartbeatSeconds: 5, TimeoutSeconds: 60}})

		_, err = h.s.GetExecution(h.ctx, execARN("m", "nope"), 0)
		h.is("get missing", err, store.ErrNotFound)
	}},
	{"FinishedInFirstTransition", func(h *harness) {
		h.createMachine("m")
		e, first := newExecution(exec{sm: "m", name: "e", status: store.Succeeded, lease: "n1", until: at(time.Minute)})
		first.Events = append(first.Events, event(3, 2, history.PassStateExited, at(0)), event(4, 3, history.ExecutionSucceeded, at(0)))
		h.ok("create", h.s.CreateExecution(h.ctx, e, first))
		got := h.getExecution(e.ARN)
		h.equal("status", got.Status, store.Succeeded)
		h.equal("output", got.Output, history.Str(`{"done":true}`))
		h.equal("stop date", got.StopDate, at(0))
		h.equal("lease released", [2]any{got.LeaseOwner, got.LeaseExpiry}, [2]any{"", time.Time{}})
		h.equal("error absent", got.Error, (*string)(nil))
		h.equal("cause absent", got.Cause, (*string)(nil))
	}},
	{"NoFirstTransition", func(h *harness) {
		e := &store.Execution{ARN: execARN("m", "e"), StateMachineARN: smARN("m"), Name: "e", Type: store.Express, Status: store.PendingRedrive, Input: "{}", StartDate: t0, Snapshot: []byte{0, 1, 2}}
		h.ok("create", h.s.CreateExecution(h.ctx, e, nil))
		got := h.getExecution(e.ARN)
		h.equal("status", got.Status, store.PendingRedrive)
		h.equal("snapshot", got.Snapshot, []byte{0, 1, 2})
		h.equal("event count", got.EventCount, int64(0))
		h.equal("history", len(h.allHistory(e.ARN)), 0)
	}},
	{"CreateDuplicateWritesNothing", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e"})
		dup, first := newExecution(exec{sm: "m", name: "e", start: at(time.Hour)})
		first.PutTimers = []store.Timer{{ID: "t", Due: t0}}
		first.PutTasks = []store.Task{{ID: "k", Token: "fresh", State: store.TaskQueued, Created: t0}}
		h.is("duplicate", h.s.CreateExecution(h.ctx, dup, first), store.ErrAlreadyExists)
		got := h.getExecution(e.ARN)
		h.equal("start date kept", got.StartDate, at(0))
		h.equal("history kept", len(h.allHistory(e.ARN)), 2)
		timers, err := h.s.Timers(h.ctx, e.ARN)
		h.ok("timers", err)
		h.equal("no timers from the duplicate", len(timers), 0)
		_, err = h.s.TaskByToken(h.ctx, "fresh")
		h.is("no task from the duplicate", err, store.ErrNotFound)
	}},
	{"CreateRefused", func(h *harness) {
		e, first := newExecution(exec{sm: "m", name: "e"})
		first.ExecutionARN = execARN("m", "other")
		h.is("first of another execution", h.s.CreateExecution(h.ctx, e, first), store.ErrInvalid)
		e, first = newExecution(exec{sm: "m", name: "e"})
		first.PrevEventCount, first.Events = 2, events(2, 1)
		h.is("first after events", h.s.CreateExecution(h.ctx, e, first), store.ErrInvalid)
		e, first = newExecution(exec{sm: "m", name: "e"})
		first.Events[1].ID = 3
		h.is("first with a gap", h.s.CreateExecution(h.ctx, e, first), store.ErrInvalid)
		_, err := h.s.GetExecution(h.ctx, e.ARN, 0)
		h.is("after refused creates", err, store.ErrNotFound)
		// A token held by another execution.
		h.createExecution(exec{sm: "m", name: "holder", tasks: []store.Task{{ID: "k", Token: "tok", State: store.TaskQueued, Created: t0}}})
		e, first = newExecution(exec{sm: "m", name: "e", tasks: []store.Task{{ID: "k", Token: "tok", State: store.TaskQueued, Created: t0}}})
		h.is("token in use", h.s.CreateExecution(h.ctx, e, first), store.ErrConflict)
		_, err = h.s.GetExecution(h.ctx, e.ARN, 0)
		h.is("after token conflict", err, store.ErrNotFound)
	}},
	{"ListNewestFirst", func(h *harness) {
		h.createMachine("m")
		h.createMachine("o")
		var all []*store.Execution
		for i := range 9 {
			x := exec{sm: "m", name: fmt.Sprintf("e%d", i), start: at(time.Duration(i/3) * time.Second)}
			if i%3 == 2 {
				x.status = store.Failed
			}
			if i%4 == 0 {
				x.version = smARN("m") + ":1"
			}
			if i%4 == 1 {
				x.alias = smARN("m") + ":live"
			}
			h.createExecution(x)
			h.createExecution(exec{sm: "o", name: fmt.Sprintf("o%d", i)})
			all = append(all, h.getExecution(execARN("m", x.name)))
		}
		// The child executions of a Map run belong to another machine ARN.
		mapRun := "arn:aws:states:" + region + ":" + account + ":mapRun:m/run:1"
		for i := range 3 {
			h.createExecution(exec{sm: "m/run", name: fmt.Sprintf("c%d", i), mapRun: mapRun, start: at(time.Duration(i) * time.Millisecond)})
		}
		listed := func(filter func(*store.Execution) bool) []*store.Execution {
			var out []*store.Execution
			for _, e := range all {
				if filter(e) {
					c := *e
					c.Input, c.Output, c.Error, c.Cause, c.Definition, c.Snapshot = "", nil, nil, nil, "", nil
					out = append(out, &c)
				}
			}
			slices.SortFunc(out, func(a, b *store.Execution) int {
				if c := b.StartDate.Compare(a.StartDate); c != 0 {
					return c
				}
				if a.ARN > b.ARN {
					return -1
				}
				return 1
			})
			return out
		}
		for _, c := range []struct {
			name string
			p    store.ListExecutionsParams
			keep func(*store.Execution) bool
		}{
			{"all", store.ListExecutionsParams{StateMachineARN: smARN("m")}, func(*store.Execution) bool { return true }},
			{"running", store.ListExecutionsParams{StateMachineARN: smARN("m"), Status: store.Running}, func(e *store.Execution) bool { return e.Status == store.Running }},
			{"failed", store.ListExecutionsParams{StateMachineARN: smARN("m"), Status: store.Failed}, func(e *store.Execution) bool { return e.Status == store.Failed }},
			{"aborted", store.ListExecutionsParams{StateMachineARN: smARN("m"), Status: store.Aborted}, func(e *store.Execution) bool { return false }},
			{"version", store.ListExecutionsParams{VersionARN: smARN("m") + ":1"}, func(e *store.Execution) bool { return e.VersionARN != "" }},
			{"alias", store.ListExecutionsParams{AliasARN: smARN("m") + ":live"}, func(e *store.Execution) bool { return e.AliasARN != "" }},
			{"alias failed", store.ListExecutionsParams{AliasARN: smARN("m") + ":live", Status: store.Failed}, func(e *store.Execution) bool { return e.AliasARN != "" && e.Status == store.Failed }},
		} {
			want := listed(c.keep)
			checkPaging(h, "executions "+c.name, want, func(token string, max int) (store.Page[*store.Execution], error) {
				p := c.p
				p.MaxResults, p.NextToken = max, token
				return h.s.ListExecutions(h.ctx, p)
			})
		}
		p, err := h.s.ListExecutions(h.ctx, store.ListExecutionsParams{MapRunARN: mapRun})
		h.ok("list map run", err)
		h.equal("map run children", arns(p.Items), []string{execARN("m/run", "c2"), execARN("m/run", "c1"), execARN("m/run", "c0")})

		first, err := h.s.ListExecutions(h.ctx, store.ListExecutionsParams{StateMachineARN: smARN("m"), MaxResults: 2})
		h.ok("first page", err)
		_, err = h.s.ListExecutions(h.ctx, store.ListExecutionsParams{StateMachineARN: smARN("m"), Status: store.Running, NextToken: first.NextToken})
		h.is("token with another status filter", err, store.ErrInvalidToken)
		_, err = h.s.ListExecutions(h.ctx, store.ListExecutionsParams{StateMachineARN: smARN("o"), NextToken: first.NextToken})
		h.is("token of another machine", err, store.ErrInvalidToken)
		for _, bad := range []store.ListExecutionsParams{
			{},
			{StateMachineARN: smARN("m"), VersionARN: smARN("m") + ":1"},
			{StateMachineARN: smARN("m"), Status: "succeeded"},
		} {
			_, err := h.s.ListExecutions(h.ctx, bad)
			h.is(fmt.Sprintf("list %+v", bad), err, store.ErrInvalid)
		}
	}},
	{"Delete", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e", lease: "n", until: at(time.Hour),
			timers: []store.Timer{{ID: "t", Due: t0}},
			tasks:  []store.Task{{ID: "k", Token: "tok", State: store.TaskQueued, Created: t0}}})
		other := h.createExecution(exec{sm: "m", name: "other"})
		h.ok("delete", h.s.DeleteExecution(h.ctx, e.ARN))
		_, err := h.s.GetExecution(h.ctx, e.ARN, 0)
		h.is("get deleted", err, store.ErrNotFound)
		_, err = h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN})
		h.is("history of deleted", err, store.ErrNotFound)
		_, err = h.s.TaskByToken(h.ctx, "tok")
		h.is("task of deleted", err, store.ErrNotFound)
		due, err := h.s.DueTimers(h.ctx, store.DueTimersParams{Before: at(time.Hour), Limit: 10})
		h.ok("due timers", err)
		h.equal("timers of deleted", len(due), 0)
		h.is("delete again", h.s.DeleteExecution(h.ctx, e.ARN), store.ErrNotFound)
		h.equal("other history", len(h.allHistory(other.ARN)), 2)
		// The ARN can be used again, with its token.
		again, first := newExecution(exec{sm: "m", name: "e", tasks: []store.Task{{ID: "k", Token: "tok", State: store.TaskQueued, Created: t0}}})
		h.ok("create again", h.s.CreateExecution(h.ctx, again, first))
		h.equal("history of recreated", len(h.allHistory(e.ARN)), 2)
	}},
}

var historyCases = []testCase{
	{"PagingBothWays", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e"})
		h.createExecution(exec{sm: "m", name: "other"})
		prev := int64(2)
		for _, n := range []int{3, 1, 5, 2} {
			h.ok("commit", h.s.Commit(h.ctx, next(e.ARN, prev, n)))
			prev += int64(n)
		}
		all := h.allHistory(e.ARN)
		h.equal("event count", len(all), 13)
		for i, ev := range all {
			if ev.ID != int64(i+1) {
				h.t.Fatalf("event %d has id %d", i, ev.ID)
			}
		}
		h.equal("later events", all[2:], events(2, 11))
		checkPaging(h, "history", all, func(token string, max int) (store.Page[history.Event], error) {
			return h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, MaxResults: max, NextToken: token})
		})
		checkPaging(h, "reverse history", reversed(all), func(token string, max int) (store.Page[history.Event], error) {
			return h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, Reverse: true, MaxResults: max, NextToken: token})
		})
		fwd, err := h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, MaxResults: 2})
		h.ok("page", err)
		_, err = h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, Reverse: true, NextToken: fwd.NextToken})
		h.is("forward token in reverse", err, store.ErrInvalidToken)
		_, err = h.s.History(h.ctx, store.HistoryParams{ExecutionARN: execARN("m", "other"), NextToken: fwd.NextToken})
		h.is("token of another execution", err, store.ErrInvalidToken)
		// A forward token sees events committed after it was handed out.
		last, err := h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, MaxResults: 13})
		h.ok("page", err)
		h.equal("no token on an exact last page", last.NextToken, "")
		mid, err := h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, MaxResults: 12})
		h.ok("page", err)
		h.ok("commit", h.s.Commit(h.ctx, next(e.ARN, 13, 2)))
		rest, err := h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, NextToken: mid.NextToken})
		h.ok("rest", err)
		h.equal("rest ids", eventIDs(rest.Items), []int64{13, 14, 15})
		_, err = h.s.History(h.ctx, store.HistoryParams{ExecutionARN: execARN("m", "nope")})
		h.is("missing execution", err, store.ErrNotFound)
	}},
	{"TokenOutlivesTheHistory", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e"})
		h.ok("commit", h.s.Commit(h.ctx, next(e.ARN, 2, 10)))
		rev, err := h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, Reverse: true, MaxResults: 2})
		h.ok("page", err)
		fwd, err := h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, MaxResults: 11})
		h.ok("page", err)
		// The execution goes and comes back with a shorter history.
		h.ok("delete", h.s.DeleteExecution(h.ctx, e.ARN))
		h.createExecution(exec{sm: "m", name: "e"})
		p, err := h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, Reverse: true, NextToken: rev.NextToken})
		h.ok("reverse page after the history shrank", err)
		h.equal("reverse page after the history shrank", eventIDs(p.Items), []int64{2, 1})
		p, err = h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, NextToken: fwd.NextToken})
		h.ok("forward page after the history shrank", err)
		h.equal("forward page after the history shrank", len(p.Items), 0)
	}},
	{"DefaultPageSize", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e"})
		h.ok("commit", h.s.Commit(h.ctx, next(e.ARN, 2, 148)))
		p, err := h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN})
		h.ok("history", err)
		h.equal("default page", len(p.Items), store.DefaultMaxResults)
		p, err = h.s.History(h.ctx, store.HistoryParams{ExecutionARN: e.ARN, NextToken: p.NextToken})
		h.ok("history", err)
		h.equal("second page", eventIDs(p.Items)[0], int64(101))
		h.equal("second page size", len(p.Items), 50)
		h.equal("second page token", p.NextToken, "")
	}},
}

func eventIDs(evs []history.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

var commitCases = []testCase{
	{"ReplacesFieldsAndAppends", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e"})
		t := next(e.ARN, 2, 3)
		t.Status = store.Failed
		t.Error, t.Cause = history.Str("States.Timeout"), history.Str("")
		t.StopDate = t0.Add(time.Minute)
		t.RedriveCount, t.RedriveDate = 2, t0.Add(time.Second)
		t.Events[2] = event(5, 4, history.ExecutionFailed, t0.Add(time.Minute))
		h.ok("commit", h.s.Commit(h.ctx, t))
		got := h.getExecution(e.ARN)
		h.equal("status", got.Status, store.Failed)
		h.equal("error", got.Error, history.Str("States.Timeout"))
		h.equal("cause", got.Cause, history.Str(""))
		h.equal("output", got.Output, (*string)(nil))
		h.equal("stop date", got.StopDate, at(time.Minute))
		h.equal("redrive", [2]any{got.RedriveCount, got.RedriveDate}, [2]any{int64(2), at(time.Second)})
		h.equal("snapshot", got.Snapshot, []byte("snapshot-5"))
		h.equal("event count", got.EventCount, int64(5))
		want := slices.Clone(t.Events)
		want[2].Timestamp = at(time.Minute)
		h.equal("appended events", h.allHistory(e.ARN)[2:], want)

		// A redrive: back to RUNNING, the stop date and output cleared.
		r := next(e.ARN, 5, 1)
		r.Events[0] = event(6, 5, history.ExecutionRedriven, at(2*time.Minute))
		r.Events[0].Details = &history.Details{RedriveCount: history.Int(3)}
		r.RedriveCount, r.RedriveDate = 3, at(2*time.Minute)
		h.ok("redrive", h.s.Commit(h.ctx, r))
		got = h.getExecution(e.ARN)
		h.equal("redriven", [4]any{got.Status, got.StopDate, got.Error, got.RedriveCount}, [4]any{store.Running, time.Time{}, (*string)(nil), int64(3)})
	}},
	{"NoEvents", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e"})
		t := next(e.ARN, 2, 0)
		t.Snapshot = []byte("quiet")
		t.PutTimers = []store.Timer{{ID: "t", Due: t0}}
		h.ok("commit", h.s.Commit(h.ctx, t))
		got := h.getExecution(e.ARN)
		h.equal("snapshot", got.Snapshot, []byte("quiet"))
		h.equal("event count", got.EventCount, int64(2))
	}},
	{"Refused", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e", timers: []store.Timer{{ID: "t0", Due: t0}}})
		h.createExecution(exec{sm: "m", name: "holder", tasks: []store.Task{{ID: "k", Token: "held", State: store.TaskQueued, Created: t0}}})
		before := h.getExecution(e.ARN)
		for _, c := range []struct {
			name string
			t    func() *store.Transition
			want error
		}{
			{"missing execution", func() *store.Transition { return next(execARN("m", "nope"), 2, 1) }, store.ErrNotFound},
			{"stale count", func() *store.Transition { return next(e.ARN, 1, 2) }, store.ErrConflict},
			{"count ahead", func() *store.Transition { return next(e.ARN, 3, 1) }, store.ErrConflict},
			{"gap in ids", func() *store.Transition { t := next(e.ARN, 2, 2); t.Events[1].ID = 5; return t }, store.ErrInvalid},
			{"ids not continuing", func() *store.Transition { t := next(e.ARN, 2, 1); t.Events[0].ID = 4; return t }, store.ErrInvalid},
			{"bad status", func() *store.Transition { t := next(e.ARN, 2, 1); t.Status = "DONE"; return t }, store.ErrInvalid},
			{"timer of a terminal", func() *store.Transition {
				t := next(e.ARN, 2, 1)
				t.Status, t.PutTimers = store.Succeeded, []store.Timer{{ID: "x", Due: t0}}
				return t
			}, store.ErrInvalid},
			{"timer of another execution", func() *store.Transition {
				t := next(e.ARN, 2, 1)
				t.PutTimers = []store.Timer{{ExecutionARN: execARN("m", "holder"), ID: "x", Due: t0}}
				return t
			}, store.ErrInvalid},
			{"owner without expiry", func() *store.Transition { t := next(e.ARN, 2, 1); t.Owner = "n"; return t }, store.ErrInvalid},
			{"token held by another execution", func() *store.Transition {
				t := next(e.ARN, 2, 2)
				t.PutTimers = []store.Timer{{ID: "t1", Due: t0}}
				t.DeleteTimers = []string{"t0"}
				t.PutTasks = []store.Task{{ID: "a", Token: "free", State: store.TaskQueued, Created: t0}, {ID: "b", Token: "held", State: store.TaskQueued, Created: t0}}
				return t
			}, store.ErrConflict},
		} {
			h.is(c.name, h.s.Commit(h.ctx, c.t()), c.want)
		}
		// Nothing of the refused transitions is left behind.
		h.equal("execution after refused commits", h.getExecution(e.ARN), before)
		h.equal("history after refused commits", len(h.allHistory(e.ARN)), 2)
		timers, err := h.s.Timers(h.ctx, e.ARN)
		h.ok("timers", err)
		h.equal("timers after refused commits", timers, []store.Timer{{ExecutionARN: e.ARN, ID: "t0", Due: at(0)}})
		_, err = h.s.TaskByToken(h.ctx, "free")
		h.is("task of a refused commit", err, store.ErrNotFound)
		h.ok("a good commit still applies", h.s.Commit(h.ctx, next(e.ARN, 2, 1)))
	}},
	{"ConcurrentEachOwnOutcome", func(h *harness) {
		h.createMachine("m")
		h.createExecution(exec{sm: "m", name: "holder", tasks: []store.Task{{ID: "k", Token: "held", State: store.TaskQueued, Created: t0}}})
		const execs, steps = 40, 15
		for i := range execs {
			h.createExecution(exec{sm: "m", name: fmt.Sprintf("e%d", i)})
		}
		var wg sync.WaitGroup
		errs := make(chan error, execs*steps*3)
		for i := range execs {
			arn := execARN("m", fmt.Sprintf("e%d", i))
			wg.Go(func() {
				prev := int64(2)
				for j := range steps {
					// A stale duplicate, refused.
					if err := h.s.Commit(h.ctx, next(arn, prev-1, 2)); err == nil {
						errs <- fmt.Errorf("%s: stale commit accepted", arn)
					}
					// A token conflict, refused (poisoning the batch it lands in).
					bad := next(arn, prev, 2)
					bad.PutTasks = []store.Task{{ID: "x", Token: "held", State: store.TaskQueued, Created: t0}}
					if err := h.s.Commit(h.ctx, bad); err == nil {
						errs <- fmt.Errorf("%s: conflicting token accepted", arn)
					}
					t := next(arn, prev, 1+j%3)
					t.PutTimers = []store.Timer{{ID: fmt.Sprint("t", j), Due: t0}}
					if j > 0 {
						t.DeleteTimers = []string{fmt.Sprint("t", j-1)}
					}
					if err := h.s.Commit(h.ctx, t); err != nil {
						errs <- fmt.Errorf("%s step %d: %w", arn, j, err)
						return
					}
					prev = t.EventCount()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			h.t.Error(err)
		}
		for i := range execs {
			arn := execARN("m", fmt.Sprintf("e%d", i))
			hist := h.allHistory(arn)
			want := int64(2)
			for j := range steps {
				want += int64(1 + j%3)
			}
			h.equal("history length of "+arn, int64(len(hist)), want)
			for k, ev := range hist {
				if ev.ID != int64(k+1) {
					h.t.Fatalf("%s: event %d has id %d", arn, k, ev.ID)
				}
			}
			timers, err := h.s.Timers(h.ctx, arn)
			h.ok("timers", err)
			h.equal("timers of "+arn, timers, []store.Timer{{ExecutionARN: arn, ID: fmt.Sprint("t", steps-1), Due: at(0)}})
		}
	}},
}
