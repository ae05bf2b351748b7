package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"stepd/internal/history"
	"stepd/internal/store"
)

// Compare runs steps random operations, from a small universe of names so
// that they collide (duplicates, conflicts, stale transitions, token
// clashes, expired leases), against model (a memstore) and subject, and
// fails at the first operation whose results differ: values, page tokens
// and the sentinel each error wraps. Run it with several seeds; a failure
// names the seed and step to replay (bbolt's simulation test, style.md
// practice 19).
func Compare(t *testing.T, model, subject store.Store, seed uint64, steps int) {
	t.Helper()
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), model: model, ctx: t.Context()}
	outcomes := map[string]int{}
	for step := range steps {
		name, op := g.next()
		want, got := op(model), op(subject)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("seed %d, step %d, %s:\n model   %s\n subject %s", seed, step, name, describe(want), describe(got))
		}
		kind, _, _ := strings.Cut(name, " ")
		outcomes[kind+" "+want.(result).Err]++
	}
	t.Logf("seed %d: outcomes %v", seed, outcomes)
	if ck, ok := subject.(store.Checker); ok {
		if err := ck.Check(t.Context()); err != nil {
			t.Fatalf("seed %d: invariant check: %v", seed, err)
		}
	}
}

// result is what an operation returned, in a comparable form.
type result struct {
	Value any
	Err   string // the sentinel the error wraps ("" for none)
}

func describe(v any) string {
	r, ok := v.(result)
	if !ok {
		return fmt.Sprintf("%+v", v)
	}
	return fmt.Sprintf("err=%q value=%+v", r.Err, show(r.Value))
}

var sentinels = []error{store.ErrNotFound, store.ErrAlreadyExists, store.ErrConflict, store.ErrInvalidToken, store.ErrInvalid, store.ErrClosed}

func outcome(v any, err error) result {
	if err == nil {
		return result{Value: v}
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return result{Err: s.Error()}
		}
	}
	return result{Err: "unexpected: " + err.Error()}
}

// gen generates operations, reading the model to make most of them valid.
type gen struct {
	r     *rand.Rand
	model store.Store
	ctx   context.Context
	// tokens remembers page tokens handed out, to be used again.
	tokens []string
}

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) machine() string  { return g.pick("a", "b", "c") }
func (g *gen) execName() string { return g.pick("e1", "e2", "e3", "e4", "e5") }
func (g *gen) node() string     { return g.pick("", "n1", "n2") }
func (g *gen) when() time.Time  { return at(time.Duration(g.r.IntN(6)) * time.Second) }
func (g *gen) maxResults() int  { return []int{0, 1, 2, 3, -1}[g.r.IntN(5)] }

func (g *gen) token() string {
	if len(g.tokens) == 0 || g.r.IntN(3) > 0 {
		return ""
	}
	return g.tokens[g.r.IntN(len(g.tokens))]
}

// remember keeps the next token of a page result for later operations.
func (g *gen) remember(tok string) {
	if tok != "" && len(g.tokens) < 64 {
		g.tokens = append(g.tokens, tok)
	}
}

func (g *gen) status() store.ExecutionStatus {
	return []store.ExecutionStatus{store.Running, store.Running, store.Running, store.Succeeded, store.Failed, store.Aborted}[g.r.IntN(6)]
}

func (g *gen) timers(n int) []store.Timer {
	var out []store.Timer
	for _, id := range g.r.Perm(4)[:n] {
		out = append(out, store.Timer{ID: fmt.Sprint("t", id), Due: g.when()})
	}
	return out
}

func (g *gen) tasks(n int) []store.Task {
	var out []store.Task
	for _, id := range g.r.Perm(4)[:n] {
		tk := store.Task{ID: fmt.Sprint("k", id), State: store.TaskQueued, Created: g.when(), Input: "{}"}
		if g.r.IntN(3) > 0 {
			tk.Token = g.pick("tok1", "tok2", "tok3", "tok4", "tok5", "tok6")
		}
		if g.r.IntN(2) == 0 {
			tk.ActivityARN = activityARN(g.pick("x", "y"))
		}
		out = append(out, tk)
	}
	return out
}

func (g *gen) ids(prefix string, n int) []string {
	var out []string
	for _, id := range g.r.Perm(4)[:n] {
		out = append(out, fmt.Sprint(prefix, id))
	}
	return out
}

type op func(s store.Store) any

// next returns a random operation.
func (g *gen) next() (string, op) {
	ctx := g.ctx
	switch g.r.IntN(27) {
	case 0:
		sm := newMachine(g.machine())
		sm.CreationDate = g.when()
		if g.r.IntN(2) == 0 {
			sm.Tags = []store.Tag{{Key: g.pick("k1", "k2"), Value: g.pick("v1", "v2")}}
		}
		return "CreateStateMachine " + sm.ARN, func(s store.Store) any { c := *sm; return outcome(nil, s.CreateStateMachine(ctx, &c)) }
	case 1:
		arn := smARN(g.machine())
		return "GetStateMachine " + arn, func(s store.Store) any { return outcome(s.GetStateMachine(ctx, arn)) }
	case 2:
		sm := newMachine(g.machine())
		sm.Definition, sm.RevisionID, sm.UpdateDate = g.pick("{}", `{"x":1}`), g.pick("r1", "r2"), g.when()
		return "UpdateStateMachine " + sm.ARN, func(s store.Store) any { c := *sm; return outcome(nil, s.UpdateStateMachine(ctx, &c)) }
	case 3:
		arn := smARN(g.machine())
		return "DeleteStateMachine " + arn, func(s store.Store) any { return outcome(nil, s.DeleteStateMachine(ctx, arn)) }
	case 4:
		p := store.ListParams{MaxResults: g.maxResults(), NextToken: g.token()}
		return fmt.Sprintf("ListStateMachines %+v", p), func(s store.Store) any {
			page, err := s.ListStateMachines(ctx, p)
			g.remember(page.NextToken)
			return outcome(page, err)
		}
	case 5:
		v := &store.Version{StateMachineARN: smARN(g.machine()), Description: g.pick("", "d"), CreationDate: g.when()}
		if g.r.IntN(3) == 0 {
			v.RevisionID = g.pick("r1", "r2")
		}
		return "PublishVersion " + v.StateMachineARN, func(s store.Store) any { c := *v; err := s.PublishVersion(ctx, &c); return outcome(c, err) }
	case 6:
		sm := smARN(g.machine())
		switch g.r.IntN(3) {
		case 0:
			arn := fmt.Sprintf("%s:%d", sm, 1+g.r.IntN(3))
			return "DeleteVersion " + arn, func(s store.Store) any { return outcome(nil, s.DeleteVersion(ctx, arn)) }
		case 1:
			arn := fmt.Sprintf("%s:%d", sm, 1+g.r.IntN(3))
			return "GetVersion " + arn, func(s store.Store) any { return outcome(s.GetVersion(ctx, arn)) }
		}
		p := store.ListVersionsParams{StateMachineARN: sm, MaxResults: g.maxResults(), NextToken: g.token()}
		return fmt.Sprintf("ListVersions %+v", p), func(s store.Store) any {
			page, err := s.ListVersions(ctx, p)
			g.remember(page.NextToken)
			return outcome(page, err)
		}
	case 7:
		sm := smARN(g.machine())
		name := g.pick("live", "beta")
		var routes []string
		for range 1 + g.r.IntN(2) {
			routes = append(routes, fmt.Sprintf("%s:%d", sm, 1+g.r.IntN(3)))
		}
		if len(routes) == 2 && routes[0] == routes[1] {
			routes = routes[:1]
		}
		a := &store.Alias{ARN: sm + ":" + name, StateMachineARN: sm, Name: name, Routing: routing(routes...), CreationDate: g.when(), UpdateDate: g.when()}
		return "PutAlias " + a.ARN, func(s store.Store) any { c := *a; err := s.PutAlias(ctx, &c); return outcome(c, err) }
	case 8:
		sm := smARN(g.machine())
		arn := sm + ":" + g.pick("live", "beta")
		switch g.r.IntN(3) {
		case 0:
			return "DeleteAlias " + arn, func(s store.Store) any { return outcome(nil, s.DeleteAlias(ctx, arn)) }
		case 1:
			return "GetAlias " + arn, func(s store.Store) any { return outcome(s.GetAlias(ctx, arn)) }
		}
		p := store.ListAliasesParams{StateMachineARN: sm, MaxResults: g.maxResults(), NextToken: g.token()}
		return fmt.Sprintf("ListAliases %+v", p), func(s store.Store) any {
			page, err := s.ListAliases(ctx, p)
			g.remember(page.NextToken)
			return outcome(page, err)
		}
	case 9:
		arn := activityARN(g.pick("x", "y"))
		switch g.r.IntN(4) {
		case 0:
			a := &store.Activity{ARN: arn, Name: arn[len(arn)-1:], CreationDate: g.when()}
			return "CreateActivity " + arn, func(s store.Store) any { c := *a; return outcome(nil, s.CreateActivity(ctx, &c)) }
		case 1:
			return "DeleteActivity " + arn, func(s store.Store) any { return outcome(nil, s.DeleteActivity(ctx, arn)) }
		case 2:
			return "GetActivity " + arn, func(s store.Store) any { return outcome(s.GetActivity(ctx, arn)) }
		}
		p := store.ListParams{MaxResults: g.maxResults(), NextToken: g.token()}
		return fmt.Sprintf("ListActivities %+v", p), func(s store.Store) any {
			page, err := s.ListActivities(ctx, p)
			g.remember(page.NextToken)
			return outcome(page, err)
		}
	case 10:
		arn := g.pick(smARN(g.machine()), activityARN(g.pick("x", "y")))
		switch g.r.IntN(3) {
		case 0:
			tags := []store.Tag{{Key: g.pick("k1", "k2", "k3"), Value: g.pick("v1", "v2")}, {Key: g.pick("k1", "k2", "k3"), Value: g.pick("v3", "")}}
			return "TagResource " + arn, func(s store.Store) any { return outcome(nil, s.TagResource(ctx, arn, tags)) }
		case 1:
			keys := []string{g.pick("k1", "k2", "k3")}
			return "UntagResource " + arn, func(s store.Store) any { return outcome(nil, s.UntagResource(ctx, arn, keys)) }
		}
		return "ListTags " + arn, func(s store.Store) any { return outcome(s.ListTags(ctx, arn)) }
	case 11, 12:
		x := exec{sm: g.machine(), name: g.execName(), start: g.when(), status: g.status(), lease: g.node()}
		if x.lease != "" {
			x.until = g.when()
		}
		if g.r.IntN(3) == 0 {
			x.version = smARN(x.sm) + ":1"
		}
		if !x.status.Terminal() {
			x.timers, x.tasks = g.timers(g.r.IntN(3)), g.tasks(g.r.IntN(3))
		}
		e, first := newExecution(x)
		if g.r.IntN(8) == 0 {
			first = nil
		}
		return "CreateExecution " + e.ARN, func(s store.Store) any {
			c := *e
			return outcome(c.EventCount, s.CreateExecution(ctx, &c, first))
		}
	case 13, 14, 15, 16:
		return g.commit()
	case 17:
		arn := execARN(g.machine(), g.execName())
		if g.r.IntN(4) == 0 {
			return "DeleteExecution " + arn, func(s store.Store) any { return outcome(nil, s.DeleteExecution(ctx, arn)) }
		}
		inc := store.Include(g.r.IntN(4))
		return "GetExecution " + arn, func(s store.Store) any { return outcome(s.GetExecution(ctx, arn, inc)) }
	case 18:
		sm := g.machine()
		p := store.ListExecutionsParams{MaxResults: g.maxResults(), NextToken: g.token()}
		switch g.r.IntN(3) {
		case 0:
			p.StateMachineARN = smARN(sm)
		case 1:
			p.VersionARN = smARN(sm) + ":1"
		default:
			p.StateMachineARN = smARN(sm)
			p.Status = g.status()
		}
		return fmt.Sprintf("ListExecutions %+v", p), func(s store.Store) any {
			page, err := s.ListExecutions(ctx, p)
			g.remember(page.NextToken)
			return outcome(page, err)
		}
	case 19:
		p := store.HistoryParams{ExecutionARN: execARN(g.machine(), g.execName()), Reverse: g.r.IntN(2) == 0, MaxResults: g.maxResults(), NextToken: g.token()}
		return fmt.Sprintf("History %+v", p), func(s store.Store) any {
			page, err := s.History(ctx, p)
			g.remember(page.NextToken)
			return outcome(page, err)
		}
	case 20:
		node := g.pick("n1", "n2")
		switch g.r.IntN(4) {
		case 0:
			p := store.ClaimParams{Node: node, Now: g.when(), Until: g.when().Add(10 * time.Second), Limit: 1 + g.r.IntN(3)}
			return fmt.Sprintf("ClaimExecutions %+v", p), func(s store.Store) any { return outcome(s.ClaimExecutions(ctx, p)) }
		case 1:
			until := g.when()
			return "RenewLeases " + node, func(s store.Store) any { return outcome(s.RenewLeases(ctx, node, until)) }
		case 2:
			arn := execARN(g.machine(), g.execName())
			return "ReleaseLease " + arn + " " + node, func(s store.Store) any { return outcome(nil, s.ReleaseLease(ctx, arn, node)) }
		}
		return "ReleaseLeases " + node, func(s store.Store) any { return outcome(s.ReleaseLeases(ctx, node)) }
	case 21:
		p := store.DueTimersParams{Node: g.node(), Before: g.when(), Limit: 1 + g.r.IntN(5)}
		arn := execARN(g.machine(), g.execName())
		if g.r.IntN(2) == 0 {
			return "Timers " + arn, func(s store.Store) any { return outcome(s.Timers(ctx, arn)) }
		}
		return fmt.Sprintf("DueTimers %+v", p), func(s store.Store) any { return outcome(s.DueTimers(ctx, p)) }
	case 24, 25:
		return g.postRequest()
	case 26:
		p := store.RequestsParams{Limit: []int{0, 0, 1, 2, -1}[g.r.IntN(5)]}
		if g.r.IntN(2) == 0 {
			p.ExecutionARN = execARN(g.machine(), g.execName())
		} else {
			p.Node = g.node()
		}
		return fmt.Sprintf("Requests %+v", p), func(s store.Store) any { return outcome(s.Requests(ctx, p)) }
	case 22:
		p := store.ClaimTaskParams{ActivityARN: activityARN(g.pick("x", "y")), Worker: g.pick("w1", "w2"), Now: g.when()}
		return fmt.Sprintf("ClaimActivityTask %+v", p), func(s store.Store) any { return outcome(s.ClaimActivityTask(ctx, p)) }
	default:
		tok := g.pick("tok1", "tok2", "tok3", "tok4", "tok5", "tok6", "")
		switch g.r.IntN(3) {
		case 0:
			arn := execARN(g.machine(), g.execName())
			return "Tasks " + arn, func(s store.Store) any { return outcome(s.Tasks(ctx, arn)) }
		case 1:
			when := g.when()
			return "HeartbeatTask " + tok, func(s store.Store) any { return outcome(s.HeartbeatTask(ctx, tok, when)) }
		}
		return "TaskByToken " + tok, func(s store.Store) any { return outcome(s.TaskByToken(ctx, tok)) }
	}
}

// commit returns a Commit of a random execution, mostly building on its
// current event count (read from the model).
func (g *gen) commit() (string, op) {
	ctx := g.ctx
	arn := execARN(g.machine(), g.execName())
	var prev int64
	if e, err := g.model.GetExecution(ctx, arn, 0); err == nil {
		prev = e.EventCount
	}
	if g.r.IntN(6) == 0 {
		prev = max(0, prev-1) // stale
	}
	n := g.r.IntN(4)
	t := &store.Transition{
		ExecutionARN:   arn,
		PrevEventCount: prev,
		Events:         events(prev, n),
		Status:         g.status(),
		Snapshot:       fmt.Appendf(nil, "s%d", g.r.IntN(100)),
	}
	if g.r.IntN(3) == 0 {
		t.Output = history.Str(g.pick("", "{}"))
	}
	if g.r.IntN(3) == 0 {
		t.Error, t.Cause = history.Str("E"), history.Str(g.pick("", "c"))
	}
	if t.Status.Terminal() {
		t.StopDate = g.when()
	} else {
		t.PutTimers, t.DeleteTimers = g.timers(g.r.IntN(3)), g.ids("t", g.r.IntN(3))
		t.PutTasks, t.DeleteTasks = g.tasks(g.r.IntN(3)), g.ids("k", g.r.IntN(3))
	}
	// Apply some of the execution's requests, and name others' or unknown
	// ids now and then.
	if rs, err := g.model.Requests(ctx, store.RequestsParams{ExecutionARN: arn, Limit: 100}); err == nil {
		for _, r := range rs {
			if g.r.IntN(3) > 0 {
				t.DeleteRequests = append(t.DeleteRequests, r.ID)
			}
		}
	}
	if g.r.IntN(4) == 0 {
		t.DeleteRequests = append(t.DeleteRequests, int64(1+g.r.IntN(30)))
	}
	if t.Owner = g.node(); t.Owner != "" {
		t.LeaseUntil = g.when().Add(20 * time.Second)
	}
	if g.r.IntN(5) == 0 {
		t.RedriveCount, t.RedriveDate = 1, g.when()
	}
	return fmt.Sprintf("Commit %s after %d (+%d, %s, owner %q, delete requests %v)", arn, prev, n, t.Status, t.Owner, t.DeleteRequests), func(s store.Store) any {
		return outcome(nil, s.Commit(ctx, t))
	}
}

// postRequest returns a PostRequest for a random execution, mostly well
// formed; the result holds the request with the id the store assigned.
func (g *gen) postRequest() (string, op) {
	ctx := g.ctx
	r := &store.Request{
		ExecutionARN: execARN(g.machine(), g.execName()),
		Kind:         store.RequestKind(g.pick("task-success", "task-failure", "task-heartbeat", "stop", "stop", "resume")),
		Created:      g.when(),
	}
	if g.r.IntN(5) > 0 {
		r.TaskToken = g.pick("tok1", "tok2", "tok9")
	}
	if g.r.IntN(2) == 0 {
		r.Output = history.Str(g.pick("", "{}"))
	}
	if g.r.IntN(2) == 0 {
		r.Error, r.Cause = history.Str("E"), history.Str(g.pick("", "c"))
	}
	return fmt.Sprintf("PostRequest %s %s %q", r.ExecutionARN, r.Kind, r.TaskToken), func(s store.Store) any {
		c := *r
		err := s.PostRequest(ctx, &c)
		return outcome(c, err)
	}
}

// RunModel compares subjects from open with a memstore model over seeds
// random sequences of steps operations each, as parallel subtests.
func RunModel(t *testing.T, model func() store.Store, open Factory, seeds, steps int) {
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			m, s := model(), open(t)
			defer m.Close()
			defer s.Close()
			Compare(t, m, s, uint64(seed), steps)
		})
	}
}
