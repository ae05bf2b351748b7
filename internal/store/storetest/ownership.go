package storetest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"stepd/internal/store"
)

var leaseCases = []testCase{
	{"ExpireAndClaim", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e", lease: "a", until: at(10 * time.Second)})
		got, err := h.s.ClaimExecutions(h.ctx, store.ClaimParams{Node: "b", Now: at(5 * time.Second), Until: at(40 * time.Second), Limit: 10})
		h.ok("claim before expiry", err)
		h.equal("claimed before expiry", len(got), 0)

		got, err = h.s.ClaimExecutions(h.ctx, store.ClaimParams{Node: "b", Now: at(10 * time.Second), Until: at(40 * time.Second), Limit: 10})
		h.ok("claim at expiry", err)
		if len(got) != 1 {
			h.t.Fatalf("claimed %d executions, want 1", len(got))
		}
		want := h.getExecution(e.ARN)
		h.equal("claimed execution (with snapshot and definition)", got[0], want)
		h.equal("new lease", [2]any{want.LeaseOwner, want.LeaseExpiry}, [2]any{"b", at(40 * time.Second)})

		h.is("commit by the old owner", h.s.Commit(h.ctx, withOwner(next(e.ARN, 2, 1), "a")), store.ErrConflict)
		h.ok("commit by the new owner", h.s.Commit(h.ctx, withOwner(next(e.ARN, 2, 1), "b")))
		h.ok("commit without owner", h.s.Commit(h.ctx, next(e.ARN, 3, 1)))

		n, err := h.s.RenewLeases(h.ctx, "b", at(100*time.Second))
		h.ok("renew", err)
		h.equal("renewed", n, 1)
		h.equal("renewed expiry", h.getExecution(e.ARN).LeaseExpiry, at(100*time.Second))
		n, err = h.s.RenewLeases(h.ctx, "a", at(100*time.Second))
		h.ok("renew by the old owner", err)
		h.equal("renewed by the old owner", n, 0)
		got, err = h.s.ClaimExecutions(h.ctx, store.ClaimParams{Node: "a", Now: at(50 * time.Second), Until: at(90 * time.Second), Limit: 10})
		h.ok("claim a renewed lease", err)
		h.equal("claimed a renewed lease", len(got), 0)

		h.is("release by another", h.s.ReleaseLease(h.ctx, e.ARN, "a"), store.ErrConflict)
		h.is("release missing", h.s.ReleaseLease(h.ctx, execARN("m", "nope"), "b"), store.ErrNotFound)
		h.ok("release", h.s.ReleaseLease(h.ctx, e.ARN, "b"))
		h.is("release twice", h.s.ReleaseLease(h.ctx, e.ARN, "b"), store.ErrConflict)
		got, err = h.s.ClaimExecutions(h.ctx, store.ClaimParams{Node: "a", Now: at(0), Until: at(90 * time.Second), Limit: 10})
		h.ok("claim a released lease", err)
		h.equal("claimed a released lease", arns(got), []string{e.ARN})
	}},
	{"EndedExecutionsAreNotClaimed", func(h *harness) {
		h.createMachine("m")
		e := h.createExecution(exec{sm: "m", name: "e", lease: "a", until: at(time.Second)})
		h.createExecution(exec{sm: "m", name: "done", status: store.Succeeded})
		end := withOwner(next(e.ARN, 2, 1), "a")
		end.Status, end.StopDate = store.Aborted, at(0)
		h.ok("end", h.s.Commit(h.ctx, end))
		got := h.getExecution(e.ARN)
		h.equal("lease of an ended execution", [2]any{got.LeaseOwner, got.LeaseExpiry}, [2]any{"", time.Time{}})
		claimed, err := h.s.ClaimExecutions(h.ctx, store.ClaimParams{Node: "b", Now: at(time.Hour), Until: at(2 * time.Hour), Limit: 10})
		h.ok("claim", err)
		h.equal("claimed", len(claimed), 0)

		// A redrive by an owner takes the free lease.
		r := withOwner(next(e.ARN, 3, 1), "c")
		r.LeaseUntil = at(time.Minute)
		h.ok("redrive", h.s.Commit(h.ctx, r))
		got = h.getExecution(e.ARN)
		h.equal("lease after redrive", [2]any{got.LeaseOwner, got.LeaseExpiry}, [2]any{"c", at(time.Minute)})
	}},
	{"OldestFirstWithLimit", func(h *harness) {
		h.createMachine("m")
		var want []string
		for i := range 6 {
			name := fmt.Sprintf("e%d", 5-i)
			h.createExecution(exec{sm: "m", name: name, start: at(time.Duration(i/2) * time.Second)})
			want = append(want, execARN("m", name))
		}
		// Equal start dates claim in ARN order.
		for i := 0; i < len(want); i += 2 {
			want[i], want[i+1] = want[i+1], want[i]
		}
		var got []string
		for range 3 {
			c, err := h.s.ClaimExecutions(h.ctx, store.ClaimParams{Node: "n", Now: at(0), Until: at(time.Minute), Limit: 2})
			h.ok("claim", err)
			h.equal("batch size", len(c), 2)
			got = append(got, arns(c)...)
		}
		h.equal("claim order", got, want)
		c, err := h.s.ClaimExecutions(h.ctx, store.ClaimParams{Node: "n", Now: at(0), Until: at(time.Minute), Limit: 2})
		h.ok("claim", err)
		h.equal("nothing left", len(c), 0)
		n, err := h.s.ReleaseLeases(h.ctx, "n")
		h.ok("release all", err)
		h.equal("released", n, 6)
		n, err = h.s.ReleaseLeases(h.ctx, "n")
		h.ok("release all again", err)
		h.equal("released again", n, 0)
		_, err = h.s.ClaimExecutions(h.ctx, store.ClaimParams{Node: "", Now: at(0), Until: at(time.Minute), Limit: 2})
		h.is("claim without node", err, store.ErrInvalid)
		_, err = h.s.ClaimExecutions(h.ctx, store.ClaimParams{Node: "n", Now: at(0), Until: at(time.Minute)})
		h.is("claim without limit", err, store.ErrInvalid)
	}},
	{"ConcurrentClaimsNeverOverlap", func(h *harness) {
		h.createMachine("m")
		const n = 60
		for i := range n {
			h.createExecution(exec{sm: "m", name: fmt.Sprintf("e%02d", i)})
		}
		nodes := []store.Store{h.s, h.peer(), h.peer()}
		var mu sync.Mutex
		owner := map[string]string{}
		var wg sync.WaitGroup
		for i, s := range nodes {
			node := fmt.Sprint("node", i)
			wg.Go(func() {
				for {
					c, err := s.ClaimExecutions(h.ctx, store.ClaimParams{Node: node, Now: at(0), Until: at(time.Hour), Limit: 3})
					if err != nil {
						h.t.Errorf("%s: claim: %v", node, err)
						return
					}
					if len(c) == 0 {
						return
					}
					mu.Lock()
					for _, e := range c {
						if prev, ok := owner[e.ARN]; ok {
							h.t.Errorf("%s claimed by %s and %s", e.ARN, prev, node)
						}
						owner[e.ARN] = node
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		h.equal("executions claimed", len(owner), n)
		for arn, node := range owner {
			h.equal("lease of "+arn, h.getExecution(arn).LeaseOwner, node)
		}
	}},
}

func withOwner(t *store.Transition, node string) *store.Transition {
	t.Owner = node
	t.LeaseUntil = at(time.Hour)
	return t
}

var timerCases = []testCase{
	{"PutDeleteDue", func(h *harness) {
		h.createMachine("m")
		a := h.createExecution(exec{sm: "m", name: "a", lease: "n1", until: at(time.Hour), timers: []store.Timer{
			{ID: "w", Due: t0.Add(3 * time.Second)}, {ID: "retry", Due: t0.Add(time.Second)},
		}})
		b := h.createExecution(exec{sm: "m", name: "b", lease: "n2", until: at(time.Hour), timers: []store.Timer{
			{ID: "x", Due: t0.Add(time.Second)}, {ID: "late", Due: t0.Add(time.Hour)},
		}})
		timers, err := h.s.Timers(h.ctx, a.ARN)
		h.ok("timers", err)
		h.equal("timers in id order", timers, []store.Timer{{ExecutionARN: a.ARN, ID: "retry", Due: at(time.Second)}, {ExecutionARN: a.ARN, ID: "w", Due: at(3 * time.Second)}})

		due := func(p store.DueTimersParams) []string {
			h.t.Helper()
			ts, err := h.s.DueTimers(h.ctx, p)
			h.ok("due timers", err)
			out := make([]string, len(ts))
			for i, t := range ts {
				out[i] = t.ExecutionARN[len(t.ExecutionARN)-1:] + "/" + t.ID
			}
			return out
		}
		h.equal("due by 3s", due(store.DueTimersParams{Before: at(3 * time.Second), Limit: 10}), []string{"a/retry", "b/x", "a/w"})
		h.equal("due by 3s, limit 2", due(store.DueTimersParams{Before: at(3 * time.Second), Limit: 2}), []string{"a/retry", "b/x"})
		h.equal("due by 2.999s", due(store.DueTimersParams{Before: at(2999 * time.Millisecond), Limit: 10}), []string{"a/retry", "b/x"})
		h.equal("due for n1", due(store.DueTimersParams{Node: "n1", Before: at(time.Hour), Limit: 10}), []string{"a/retry", "a/w"})
		h.equal("due for n2", due(store.DueTimersParams{Node: "n2", Before: at(time.Hour), Limit: 10}), []string{"b/x", "b/late"})
		h.equal("due for n3", len(due(store.DueTimersParams{Node: "n3", Before: at(time.Hour), Limit: 10})), 0)

		// Replace one, delete one, add one.
		t := next(a.ARN, 2, 1)
		t.DeleteTimers = []string{"retry", "unknown"}
		t.PutTimers = []store.Timer{{ID: "w", Due: t0.Add(5 * time.Second)}, {ID: "new", Due: t0}}
		h.ok("commit", h.s.Commit(h.ctx, t))
		timers, err = h.s.Timers(h.ctx, a.ARN)
		h.ok("timers", err)
		h.equal("timers after commit", timers, []store.Timer{{ExecutionARN: a.ARN, ID: "new", Due: at(0)}, {ExecutionARN: a.ARN, ID: "w", Due: at(5 * time.Second)}})

		// An ended execution has no timers.
		end := next(b.ARN, 2, 1)
		end.Status = store.Succeeded
		h.ok("end", h.s.Commit(h.ctx, end))
		timers, err = h.s.Timers(h.ctx, b.ARN)
		h.ok("timers", err)
		h.equal("timers of an ended execution", len(timers), 0)
		h.equal("due after end", due(store.DueTimersParams{Before: at(time.Hour), Limit: 10}), []string{"a/new", "a/w"})
		_, err = h.s.DueTimers(h.ctx, store.DueTimersParams{Before: at(time.Hour)})
		h.is("due timers without limit", err, store.ErrInvalid)
		none, err := h.s.Timers(h.ctx, execARN("m", "nope"))
		h.ok("timers of a missing execution", err)
		h.equal("timers of a missing execution", len(none), 0)
	}},
}

var taskCases = []testCase{
	{"PutTokenHeartbeatDelete", func(h *harness) {
		h.createMachine("m")
		task := store.Task{ID: "t1", Token: "tok-1", State: store.TaskQueued, Input: "{\"a\": [1, 2]}", Created: t0, HeartbeatSeconds: 10, TimeoutSeconds: 100}
		e := h.createExecution(exec{sm: "m", name: "e", tasks: []store.Task{task, {ID: "t0", State: store.TaskQueued, Created: t0}}})
		want := task
		want.ExecutionARN, want.Created = e.ARN, at(0)
		got, err := h.s.TaskByToken(h.ctx, "tok-1")
		h.ok("by token", err)
		h.equal("task by token", got, &want)
		_, err = h.s.TaskByToken(h.ctx, "nope")
		h.is("unknown token", err, store.ErrNotFound)
		_, err = h.s.TaskByToken(h.ctx, "")
		h.is("empty token", err, store.ErrNotFound)

		got, err = h.s.HeartbeatTask(h.ctx, "tok-1", t0.Add(time.Second))
		h.ok("heartbeat", err)
		want.Heartbeat = at(time.Second)
		h.equal("task after heartbeat", got, &want)
		got, err = h.s.TaskByToken(h.ctx, "tok-1")
		h.ok("by token", err)
		h.equal("stored heartbeat", got, &want)
		_, err = h.s.HeartbeatTask(h.ctx, "nope", t0)
		h.is("heartbeat of an unknown token", err, store.ErrNotFound)

		// Replace t1 with a new token, hand its old token to t2, delete t0.
		t := next(e.ARN, 2, 1)
		t.DeleteTasks = []string{"t0"}
		t.PutTasks = []store.Task{{ID: "t2", Token: "tok-1", State: store.TaskQueued, Created: t0}, {ID: "t1", Token: "tok-9", State: store.TaskQueued, Created: t0}}
		h.ok("commit", h.s.Commit(h.ctx, t))
		tasks, err := h.s.Tasks(h.ctx, e.ARN)
		h.ok("tasks", err)
		h.equal("tasks after commit", tasks, []store.Task{
			{ExecutionARN: e.ARN, ID: "t1", Token: "tok-9", State: store.TaskQueued, Created: at(0)},
			{ExecutionARN: e.ARN, ID: "t2", Token: "tok-1", State: store.TaskQueued, Created: at(0)},
		})
		got, err = h.s.TaskByToken(h.ctx, "tok-1")
		h.ok("by moved token", err)
		h.equal("task of the moved token", got.ID, "t2")

		end := next(e.ARN, 3, 1)
		end.Status = store.Failed
		h.ok("end", h.s.Commit(h.ctx, end))
		_, err = h.s.TaskByToken(h.ctx, "tok-9")
		h.is("token of an ended execution", err, store.ErrNotFound)
		tasks, err = h.s.Tasks(h.ctx, e.ARN)
		h.ok("tasks", err)
		h.equal("tasks of an ended execution", len(tasks), 0)
	}},
	{"ClaimOldestActivityTask", func(h *harness) {
		h.createMachine("m")
		act, other := activityARN("a"), activityARN("b")
		h.createExecution(exec{sm: "m", name: "e1", tasks: []store.Task{
			{ID: "k2", Token: "e1k2", ActivityARN: act, State: store.TaskQueued, Created: t0.Add(2 * time.Second)},
			{ID: "k1", Token: "e1k1", ActivityARN: act, State: store.TaskQueued, Created: t0.Add(time.Second)},
			{ID: "lambda", Token: "e1l", State: store.TaskQueued, Created: t0},
			{ID: "kb", Token: "e1kb", ActivityARN: other, State: store.TaskQueued, Created: t0},
		}})
		h.createExecution(exec{sm: "m", name: "e0", tasks: []store.Task{
			{ID: "k9", Token: "e0k9", ActivityARN: act, State: store.TaskQueued, Created: t0.Add(time.Second)},
		}})
		var order []string
		for i := range 3 {
			tk, err := h.s.ClaimActivityTask(h.ctx, store.ClaimTaskParams{ActivityARN: act, Worker: fmt.Sprint("w", i), Now: t0.Add(time.Minute)})
			h.ok("claim", err)
			if tk == nil {
				h.t.Fatalf("claim %d: no task", i)
			}
			h.equal("claimed state", [3]any{tk.State, tk.Worker, tk.Started}, [3]any{store.TaskStarted, fmt.Sprint("w", i), at(time.Minute)})
			order = append(order, tk.Token)
			stored, err := h.s.TaskByToken(h.ctx, tk.Token)
			h.ok("by token", err)
			h.equal("stored claim", stored, tk)
		}
		// Equal creation dates go in execution ARN order.
		h.equal("claim order", order, []string{"e0k9", "e1k1", "e1k2"})
		tk, err := h.s.ClaimActivityTask(h.ctx, store.ClaimTaskParams{ActivityARN: act, Worker: "w", Now: t0})
		h.ok("claim when empty", err)
		if tk != nil {
			h.t.Errorf("claimed %+v from an empty queue", *tk)
		}
		tk, err = h.s.ClaimActivityTask(h.ctx, store.ClaimTaskParams{ActivityARN: other, Worker: "w", Now: t0})
		h.ok("claim other", err)
		if tk == nil || tk.Token != "e1kb" {
			h.t.Errorf("claimed %+v from the other activity", show(tk))
		}
	}},
	{"ConcurrentWorkersNeverShareATask", func(h *harness) {
		h.createMachine("m")
		act := activityARN("a")
		const execs, perExec = 10, 8
		for i := range execs {
			var tasks []store.Task
			for j := range perExec {
				tasks = append(tasks, store.Task{ID: fmt.Sprint("k", j), Token: fmt.Sprintf("tok-%d-%d", i, j), ActivityARN: act, State: store.TaskQueued, Created: t0.Add(time.Duration(j) * time.Millisecond)})
			}
			h.createExecution(exec{sm: "m", name: fmt.Sprint("e", i), tasks: tasks})
		}
		nodes := []store.Store{h.s, h.peer()}
		var mu sync.Mutex
		var tokens []string
		var wg sync.WaitGroup
		for w := range 4 {
			s := nodes[w%len(nodes)]
			wg.Go(func() {
				for {
					tk, err := s.ClaimActivityTask(h.ctx, store.ClaimTaskParams{ActivityARN: act, Worker: fmt.Sprint("w", w), Now: t0})
					if err != nil {
						h.t.Errorf("worker %d: %v", w, err)
						return
					}
					if tk == nil {
						return
					}
					mu.Lock()
					tokens = append(tokens, tk.Token)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		sort.Strings(tokens)
		h.equal("tasks claimed", len(tokens), execs*perExec)
		for i := 1; i < len(tokens); i++ {
			if tokens[i] == tokens[i-1] {
				h.t.Errorf("task %s claimed twice", tokens[i])
			}
		}
	}},
}

var notificationCases = []testCase{
	{"QueuedClaimedAndSent", func(h *harness) {
		h.createMachine("m")
		ch, err := h.s.Subscribe(h.ctx)
		h.ok("subscribe", err)
		remote := h.peer()
		rch, err := remote.Subscribe(h.ctx)
		h.ok("subscribe on a peer", err)

		act := activityARN("a")
		e := h.createExecution(exec{sm: "m", name: "e", lease: "n", until: at(time.Hour), tasks: []store.Task{{ID: "k", Token: "tok", ActivityARN: act, State: store.TaskQueued, Created: t0}}})
		queued := func(n store.Notification) bool { return n.Kind == store.ActivityTaskQueued && n.ARN == act }
		h.waitFor(ch, "activity task queued by CreateExecution", queued)
		h.waitFor(rch, "activity task queued by CreateExecution, on a peer", queued)

		t := next(e.ARN, 2, 1)
		t.PutTasks = []store.Task{{ID: "k2", Token: "tok2", ActivityARN: act, State: store.TaskQueued, Created: t0}}
		h.ok("commit", h.s.Commit(h.ctx, t))
		h.waitFor(rch, "activity task queued by Commit, on a peer", queued)

		_, err = remote.ClaimActivityTask(h.ctx, store.ClaimTaskParams{ActivityARN: act, Worker: "w", Now: t0})
		h.ok("claim", err)
		h.waitFor(ch, "execution ready after a claim", func(n store.Notification) bool {
			return n.Kind == store.ExecutionReady && n.ARN == e.ARN
		})

		h.ok("notify", remote.Notify(h.ctx, store.Notification{Kind: store.ExecutionReady, ARN: "custom"}))
		h.waitFor(ch, "notification sent by a peer", func(n store.Notification) bool { return n.ARN == "custom" })

		h.ok("release", h.s.ReleaseLease(h.ctx, e.ARN, "n"))
		h.waitFor(rch, "execution ready after a release", func(n store.Notification) bool {
			return n.Kind == store.ExecutionReady && n.ARN == e.ARN
		})
	}},
	{"ChannelClosesWithContext", func(h *harness) {
		ctx, cancel := context.WithCancel(h.ctx)
		ch, err := h.s.Subscribe(ctx)
		h.ok("subscribe", err)
		cancel()
		h.closes(ch, "the channel of a subscription whose context ended")
	}},
}

var lifecycleCases = []testCase{
	{"ClosedStoreRefuses", func(h *harness) {
		h.createMachine("m")
		ch, err := h.s.Subscribe(h.ctx)
		h.ok("subscribe", err)
		h.ok("close", h.s.Close())
		h.closes(ch, "a subscription's channel after Close")
		_, err = h.s.GetStateMachine(h.ctx, smARN("m"))
		h.is("get after close", err, store.ErrClosed)
		h.is("commit after close", h.s.Commit(h.ctx, next(execARN("m", "e"), 2, 1)), store.ErrClosed)
		_, err = h.s.Subscribe(h.ctx)
		h.is("subscribe after close", err, store.ErrClosed)
	}},
}
