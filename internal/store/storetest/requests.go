package storetest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"stepd/internal/history"
	"stepd/internal/store"
)

// post posts r and returns it as the store keeps it (its ID assigned,
// Created truncated to the millisecond).
func (h *harness) post(s store.Store, r store.Request) store.Request {
	h.t.Helper()
	h.ok("PostRequest "+string(r.Kind), s.PostRequest(h.ctx, &r))
	if r.ID <= 0 {
		h.t.Fatalf("PostRequest assigned id %d", r.ID)
	}
	r.Created = store.Millis(r.Created)
	return r
}

// requests reads requests on s, failing the test on an error.
func (h *harness) requests(s store.Store, p store.RequestsParams) []store.Request {
	h.t.Helper()
	rs, err := s.Requests(h.ctx, p)
	h.ok(fmt.Sprintf("Requests %+v", p), err)
	return rs
}

// requestIDs returns the ids of rs.
func requestIDs(rs ...store.Request) []int64 {
	out := []int64{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// checkRequests checks the ids of the requests p selects.
func (h *harness) checkRequests(s store.Store, what string, p store.RequestsParams, want ...store.Request) {
	h.t.Helper()
	h.equal(what, requestIDs(h.requests(s, p)...), requestIDs(want...))
}

var requestCases = []testCase{
	{"PostAndRead", func(h *harness) {
		h.createMachine("m")
		a := h.createExecution(exec{sm: "m", name: "a", lease: "n1", until: at(time.Hour)})
		b := h.createExecution(exec{sm: "m", name: "b", lease: "n2", until: at(time.Hour)})
		c := h.createExecution(exec{sm: "m", name: "c"})
		var posted []store.Request
		for _, r := range []store.Request{
			{ExecutionARN: a.ARN, Kind: store.RequestTaskSuccess, TaskToken: "tok-a", Output: history.Str("{\"x\": \"\u00e9\"}\n"), Created: t0},
			{ExecutionARN: b.ARN, Kind: store.RequestStop, Error: history.Str("Halt"), Cause: history.Str(""), Created: t0.Add(time.Second)},
			{ExecutionARN: a.ARN, Kind: store.RequestTaskFailure, TaskToken: "tok-a2", Error: history.Str("States.Custom"), Created: t0.Add(2 * time.Second)},
			{ExecutionARN: c.ARN, Kind: store.RequestTaskHeartbeat, TaskToken: "tok-c"},
			{ExecutionARN: a.ARN, Kind: store.RequestStop, Created: t0.Add(3 * time.Second)},
		} {
			got := h.post(h.s, r)
			if n := len(posted); n > 0 && got.ID <= posted[n-1].ID {
				h.t.Errorf("request ids out of posting order: %d after %d", got.ID, posted[n-1].ID)
			}
			posted = append(posted, got)
		}
		h.equal("requests of n1, every field", h.requests(h.s, store.RequestsParams{Node: "n1"}), []store.Request{posted[0], posted[2], posted[4]})
		h.equal("requests of b, every field", h.requests(h.s, store.RequestsParams{ExecutionARN: b.ARN}), []store.Request{posted[1]})
		h.equal("requests of c, every field", h.requests(h.s, store.RequestsParams{ExecutionARN: c.ARN}), []store.Request{posted[3]})
		h.checkRequests(h.s, "requests of n1, limit 2", store.RequestsParams{Node: "n1", Limit: 2}, posted[0], posted[2])
		h.checkRequests(h.s, "requests of n2", store.RequestsParams{Node: "n2"}, posted[1])
		h.checkRequests(h.s, "requests of n3", store.RequestsParams{Node: "n3"})
		h.checkRequests(h.s, "requests of a, whoever leases it", store.RequestsParams{Node: "n2", ExecutionARN: a.ARN}, posted[0], posted[2], posted[4])
		h.checkRequests(h.s, "requests of every execution", store.RequestsParams{}, posted...)
		h.checkRequests(h.s, "requests of every execution, limit 3", store.RequestsParams{Limit: 3}, posted[:3]...)
		h.checkRequests(h.s, "requests of a missing execution", store.RequestsParams{ExecutionARN: execARN("m", "nope")})
		h.checkRequests(h.s, "requests of a, limit 1", store.RequestsParams{ExecutionARN: a.ARN, Limit: 1}, posted[0])
		h.checkRequests(h.s, "requests of a, limit 3", store.RequestsParams{ExecutionARN: a.ARN, Limit: 3}, posted[0], posted[2], posted[4])
		_, err := h.s.Requests(h.ctx, store.RequestsParams{ExecutionARN: a.ARN, Limit: -1})
		h.is("requests with limit -1", err, store.ErrInvalid)
		_, err = h.s.Requests(h.ctx, store.RequestsParams{Node: "n1", Limit: -1})
		h.is("requests of a node with limit -1", err, store.ErrInvalid)
	}},
	{"PostRefused", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e"})
		done := h.createExecution(exec{sm: "m", name: "done", status: store.Succeeded})
		pending := h.createExecution(exec{sm: "m", name: "pending", status: store.PendingRedrive})
		missing := execARN("m", "nope")
		for _, c := range []struct {
			name string
			r    store.Request
			want error
		}{
			{"missing execution", store.Request{ExecutionARN: missing, Kind: store.RequestStop}, store.ErrNotFound},
			{"ended execution", store.Request{ExecutionARN: done.ARN, Kind: store.RequestStop}, store.ErrConflict},
			{"execution pending redrive", store.Request{ExecutionARN: pending.ARN, Kind: store.RequestTaskSuccess, TaskToken: "t"}, store.ErrConflict},
			{"no kind", store.Request{ExecutionARN: e.ARN}, store.ErrInvalid},
			{"unknown kind", store.Request{ExecutionARN: e.ARN, Kind: "resume"}, store.ErrInvalid},
			{"success without token", store.Request{ExecutionARN: e.ARN, Kind: store.RequestTaskSuccess, Output: history.Str("{}")}, store.ErrInvalid},
			{"failure without token", store.Request{ExecutionARN: e.ARN, Kind: store.RequestTaskFailure}, store.ErrInvalid},
			{"heartbeat without token", store.Request{ExecutionARN: e.ARN, Kind: store.RequestTaskHeartbeat}, store.ErrInvalid},
			{"invalid, for a missing execution", store.Request{ExecutionARN: missing, Kind: "resume"}, store.ErrInvalid},
		} {
			r := c.r
			h.is(c.name, h.s.PostRequest(h.ctx, &r), c.want)
			h.equal(c.name+": id", r.ID, int64(0))
		}
		h.checkRequests(h.s, "requests after refused posts", store.RequestsParams{})
		stop := h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestStop})
		h.checkRequests(h.s, "a stop needs no token", store.RequestsParams{}, stop)
	}},
	{"CommitDeletesAtomically", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e", lease: "n", until: at(time.Hour)})
		o := h.createExecution(exec{sm: "m", name: "o"})
		h.createExecution(exec{sm: "m", name: "holder", tasks: []store.Task{{ID: "k", Token: "held", State: store.TaskQueued, Created: t0}}})
		r1 := h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestTaskSuccess, TaskToken: "t1", Output: history.Str("1"), Created: t0})
		ro := h.post(h.s, store.Request{ExecutionARN: o.ARN, Kind: store.RequestStop, Created: t0})
		r2 := h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestTaskHeartbeat, TaskToken: "t2", Created: t0})
		r3 := h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestStop, Created: t0})
		all := []int64{r1.ID, r2.ID, r3.ID}

		// Refused commits delete nothing.
		for _, c := range []struct {
			name string
			t    func() *store.Transition
		}{
			{"stale count", func() *store.Transition { return next(e.ARN, 1, 2) }},
			{"another owner", func() *store.Transition { return withOwner(next(e.ARN, 2, 1), "other") }},
			{"token held by another execution", func() *store.Transition {
				t := next(e.ARN, 2, 1)
				t.PutTasks = []store.Task{{ID: "x", Token: "held", State: store.TaskQueued, Created: t0}}
				return t
			}},
			{"terminal, stale", func() *store.Transition { t := next(e.ARN, 1, 2); t.Status = store.Aborted; return t }},
		} {
			t := c.t()
			t.DeleteRequests = all
			h.is(c.name, h.s.Commit(h.ctx, t), store.ErrConflict)
		}
		h.checkRequests(h.s, "requests after refused commits", store.RequestsParams{}, r1, ro, r2, r3)

		// Unknown ids and those of other executions are ignored.
		t := withOwner(next(e.ARN, 2, 1), "n")
		t.DeleteRequests = []int64{r3.ID, ro.ID, r1.ID, r3.ID + 1000, -1}
		h.ok("commit", h.s.Commit(h.ctx, t))
		h.equal("requests of e after the commit", h.requests(h.s, store.RequestsParams{ExecutionARN: e.ARN}), []store.Request{r2})
		h.checkRequests(h.s, "requests of o after the commit", store.RequestsParams{ExecutionARN: o.ARN}, ro)

		t = withOwner(next(e.ARN, 3, 1), "n")
		t.DeleteRequests = all
		h.ok("commit deleting some requests again", h.s.Commit(h.ctx, t))
		h.checkRequests(h.s, "requests of e", store.RequestsParams{ExecutionARN: e.ARN})

		// Ids are not reused.
		r4 := h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestStop})
		if r4.ID <= r3.ID || r4.ID <= ro.ID {
			h.t.Errorf("id %d after ids up to %d were deleted", r4.ID, max(r3.ID, ro.ID))
		}
	}},
	{"TerminalCommitDeletesAll", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e", lease: "n", until: at(time.Hour)})
		o := h.createExecution(exec{sm: "m", name: "o", lease: "n", until: at(time.Hour)})
		h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestStop, Error: history.Str("E")})
		ro := h.post(h.s, store.Request{ExecutionARN: o.ARN, Kind: store.RequestStop})
		h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestTaskSuccess, TaskToken: "tok"})
		end := withOwner(next(e.ARN, 2, 1), "n")
		end.Status, end.StopDate = store.Aborted, at(time.Second)
		h.ok("end", h.s.Commit(h.ctx, end))
		h.checkRequests(h.s, "requests of the ended execution", store.RequestsParams{ExecutionARN: e.ARN})
		h.checkRequests(h.s, "requests of the node", store.RequestsParams{Node: "n"}, ro)
		h.is("post for the ended execution", h.s.PostRequest(h.ctx, &store.Request{ExecutionARN: e.ARN, Kind: store.RequestStop}), store.ErrConflict)

		// A redrive takes requests again.
		redrive := withOwner(next(e.ARN, 3, 1), "n")
		redrive.RedriveCount, redrive.RedriveDate = 1, at(time.Minute)
		h.ok("redrive", h.s.Commit(h.ctx, redrive))
		r := h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestStop})
		h.checkRequests(h.s, "requests of the node after the redrive", store.RequestsParams{Node: "n"}, ro, r)
	}},
	{"DeleteExecution", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e"})
		o := h.createExecution(exec{sm: "m", name: "o"})
		r := h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestTaskFailure, TaskToken: "tok"})
		ro := h.post(h.s, store.Request{ExecutionARN: o.ARN, Kind: store.RequestStop})
		h.ok("delete", h.s.DeleteExecution(h.ctx, e.ARN))
		h.checkRequests(h.s, "requests of the deleted execution", store.RequestsParams{ExecutionARN: e.ARN})
		h.checkRequests(h.s, "requests left", store.RequestsParams{}, ro)
		// The ARN used again starts with an empty inbox.
		h.createExecution(exec{sm: "m", name: "e"})
		h.checkRequests(h.s, "requests of the recreated execution", store.RequestsParams{ExecutionARN: e.ARN})
		again := h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestStop})
		if again.ID <= r.ID || again.ID <= ro.ID {
			h.t.Errorf("id %d after ids up to %d", again.ID, max(r.ID, ro.ID))
		}
	}},
	{"PostNotifiesEveryNode", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e", lease: "n1", until: at(time.Hour)})
		ch, err := h.s.Subscribe(h.ctx)
		h.ok("subscribe", err)
		remote := h.peer()
		rch, err := remote.Subscribe(h.ctx)
		h.ok("subscribe on a peer", err)
		ready := func(n store.Notification) bool { return n.Kind == store.ExecutionReady && n.ARN == e.ARN }

		h.post(remote, store.Request{ExecutionARN: e.ARN, Kind: store.RequestStop})
		h.waitFor(ch, "execution ready after a post on a peer", ready)
		h.waitFor(rch, "execution ready after a post, on the posting node", ready)
		h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestTaskHeartbeat, TaskToken: "tok"})
		h.waitFor(rch, "execution ready on a peer", ready)
		h.waitFor(ch, "execution ready on the posting node", ready)
	}},
	{"FollowTheLease", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e", lease: "n1", until: at(10 * time.Second)})
		other := h.peer()
		r := h.post(other, store.Request{ExecutionARN: e.ARN, Kind: store.RequestTaskSuccess, TaskToken: "tok", Output: history.Str("{}")})
		h.checkRequests(h.s, "requests of n1", store.RequestsParams{Node: "n1"}, r)
		h.checkRequests(other, "requests of n2 before its claim", store.RequestsParams{Node: "n2"})

		// n1 stops renewing; n2 claims the execution and finds the request.
		claimed, err := other.ClaimExecutions(h.ctx, store.ClaimParams{Node: "n2", Now: at(10 * time.Second), Until: at(time.Minute), Limit: 10})
		h.ok("claim", err)
		h.equal("claimed", arns(claimed), []string{e.ARN})
		h.equal("requests of n2 after its claim", h.requests(other, store.RequestsParams{Node: "n2"}), []store.Request{r})
		h.checkRequests(h.s, "requests of n1 after losing the lease", store.RequestsParams{Node: "n1"})
		h.is("n1 cannot apply it", h.s.Commit(h.ctx, deleting(withOwner(next(e.ARN, 2, 1), "n1"), r)), store.ErrConflict)

		// Released, it waits for the next owner.
		h.ok("release", other.ReleaseLease(h.ctx, e.ARN, "n2"))
		h.checkRequests(other, "requests of n2 after the release", store.RequestsParams{Node: "n2"})
		h.checkRequests(other, "requests of every execution", store.RequestsParams{}, r)
		_, err = h.s.ClaimExecutions(h.ctx, store.ClaimParams{Node: "n1", Now: at(time.Second), Until: at(time.Hour), Limit: 10})
		h.ok("claim back", err)
		h.checkRequests(h.s, "requests of n1 after claiming back", store.RequestsParams{Node: "n1"}, r)
		h.ok("apply", h.s.Commit(h.ctx, deleting(withOwner(next(e.ARN, 2, 1), "n1"), r)))
		h.checkRequests(other, "requests after they were applied", store.RequestsParams{})
	}},
	{"ConcurrentCommitsDeleteTheirOwn", func(h *harness) {
		// Commits batched together (group commit) each delete their own
		// requests, and a refused one in the batch deletes none.
		h.createMachine("m")
		h.createExecution(exec{sm: "m", name: "holder", tasks: []store.Task{{ID: "k", Token: "held", State: store.TaskQueued, Created: t0}}})
		const execs, perExec = 30, 4
		posted := make([][]store.Request, execs)
		for i := range execs {
			e := h.createExecution(exec{sm: "m", name: fmt.Sprint("e", i)})
			for j := range perExec {
				posted[i] = append(posted[i], h.post(h.s, store.Request{ExecutionARN: e.ARN, Kind: store.RequestTaskHeartbeat, TaskToken: fmt.Sprintf("t%d-%d", i, j)}))
			}
		}
		nodes := []store.Store{h.s, h.peer()}
		var wg sync.WaitGroup
		for i := range execs {
			s := nodes[i%len(nodes)]
			wg.Go(func() {
				arn := execARN("m", fmt.Sprint("e", i))
				// The next execution's first request is named too: ignored.
				stranger := posted[(i+1)%execs][0]
				bad := deleting(next(arn, 2, 1), posted[i]...)
				bad.PutTasks = []store.Task{{ID: "x", Token: "held", State: store.TaskQueued, Created: t0}}
				if err := s.Commit(h.ctx, bad); !errors.Is(err, store.ErrConflict) {
					h.t.Errorf("%s: commit with a held token: %v", arn, err)
				}
				if err := s.Commit(h.ctx, deleting(next(arn, 2, 1), posted[i][0], posted[i][2], stranger)); err != nil {
					h.t.Errorf("%s: commit: %v", arn, err)
				}
			})
		}
		wg.Wait()
		for i := range execs {
			p := posted[i]
			h.checkRequests(h.s, fmt.Sprint("requests of e", i), store.RequestsParams{ExecutionARN: execARN("m", fmt.Sprint("e", i))}, p[1], p[3])
		}
	}},
	{"PostsRacingTheEnd", func(h *harness) {
		// Posts from two nodes race commits that apply them and then one
		// that ends the execution: every post either lands before the end
		// (and goes with it) or is refused; none is left on the ended
		// execution (the invariant check looks too).
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e", lease: "n", until: at(time.Hour)})
		nodes := []store.Store{h.s, h.peer()}
		var wg sync.WaitGroup
		var mu sync.Mutex
		posts := 0
		for w := range 4 {
			s := nodes[w%len(nodes)]
			wg.Go(func() {
				for {
					err := s.PostRequest(h.ctx, &store.Request{ExecutionARN: e.ARN, Kind: store.RequestStop})
					if errors.Is(err, store.ErrConflict) {
						return
					}
					if err != nil {
						h.t.Errorf("post: %v", err)
						return
					}
					mu.Lock()
					posts++
					mu.Unlock()
				}
			})
		}
		prev := int64(2)
		for range 10 {
			t := deleting(withOwner(next(e.ARN, prev, 1), "n"), h.requests(h.s, store.RequestsParams{Node: "n"})...)
			h.ok("apply", h.s.Commit(h.ctx, t))
			prev = t.EventCount()
		}
		end := withOwner(next(e.ARN, prev, 1), "n")
		end.Status, end.StopDate = store.Aborted, at(time.Second)
		h.ok("end", h.s.Commit(h.ctx, end))
		wg.Wait()
		h.checkRequests(h.s, "requests of the ended execution", store.RequestsParams{})
		h.t.Logf("%d requests posted before the end", posts)
	}},
}

// deleting makes t delete rs.
func deleting(t *store.Transition, rs ...store.Request) *store.Transition {
	t.DeleteRequests = requestIDs(rs...)
	return t
}
