package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"stepd/internal/store"
)

var machineCases = []testCase{
	{"CreateGetRoundTrip", func(h *harness) {
		sm := newMachine("m")
		sm.Label = "lbl"
		sm.RevisionID = "rev-0"
		sm.Tags = []store.Tag{{Key: "z", Value: "1"}, {Key: "a", Value: ""}}
		h.ok("create", h.s.CreateStateMachine(h.ctx, sm))
		got, err := h.s.GetStateMachine(h.ctx, sm.ARN)
		h.ok("get", err)
		want := *sm
		want.CreationDate = store.Millis(t0)
		want.UpdateDate = store.Millis(t0)
		want.Tags = []store.Tag{{Key: "a", Value: ""}, {Key: "z", Value: "1"}}
		h.equal("state machine", got, &want)
		if got.CreationDate.Location() != time.UTC {
			h.t.Errorf("creation date in %v, want UTC", got.CreationDate.Location())
		}
	}},
	{"CreateDuplicate", func(h *harness) {
		h.createMachine("m")
		other := newMachine("m")
		other.Definition = "{}"
		h.is("second create", h.s.CreateStateMachine(h.ctx, other), store.ErrAlreadyExists)
		got, err := h.s.GetStateMachine(h.ctx, smARN("m"))
		h.ok("get", err)
		h.equal("definition after failed create", got.Definition, definition)
	}},
	{"GetMissing", func(h *harness) {
		_, err := h.s.GetStateMachine(h.ctx, smARN("nope"))
		h.is("get", err, store.ErrNotFound)
	}},
	{"Update", func(h *harness) {
		sm := h.createMachine("m")
		h.ok("tag", h.s.TagResource(h.ctx, sm.ARN, []store.Tag{{Key: "k", Value: "v"}}))
		up := *sm
		up.Name, up.Type, up.Label, up.CreationDate = "changed", store.Express, "changed", t0.Add(time.Hour)
		up.Definition = `{"StartAt":"Q","States":{"Q":{"Type":"Succeed"}}}`
		up.RoleARN = "arn:aws:iam::" + account + ":role/other"
		up.LoggingConfiguration = `{"level":"ALL","includeExecutionData":true}`
		up.TracingConfiguration = `{"enabled":true}`
		up.Description = "new"
		up.Status = store.Deleting
		up.RevisionID = "rev-1"
		up.UpdateDate = t0.Add(time.Minute)
		up.Tags = nil
		h.ok("update", h.s.UpdateStateMachine(h.ctx, &up))
		got, err := h.s.GetStateMachine(h.ctx, sm.ARN)
		h.ok("get", err)
		want := *sm
		want.CreationDate = store.Millis(t0)
		want.Definition, want.RoleARN = up.Definition, up.RoleARN
		want.LoggingConfiguration, want.TracingConfiguration = up.LoggingConfiguration, up.TracingConfiguration
		want.Description, want.Status, want.RevisionID = "new", store.Deleting, "rev-1"
		want.UpdateDate = store.Millis(up.UpdateDate)
		want.Tags = []store.Tag{{Key: "k", Value: "v"}}
		h.equal("updated machine", got, &want)
		// DELETING is for good: a stale update (read while ACTIVE) keeps it.
		stale := up
		stale.Status, stale.Description = store.Active, "stale"
		h.ok("stale update", h.s.UpdateStateMachine(h.ctx, &stale))
		got, err = h.s.GetStateMachine(h.ctx, sm.ARN)
		h.ok("get", err)
		want.Description = "stale"
		h.equal("machine after a stale update", got, &want)
		missing := newMachine("nope")
		h.is("update missing", h.s.UpdateStateMachine(h.ctx, missing), store.ErrNotFound)
	}},
	{"DeleteCascades", func(h *harness) {
		sm := h.createMachine("m")
		keep := h.createMachine("keep")
		h.ok("tag", h.s.TagResource(h.ctx, sm.ARN, []store.Tag{{Key: "k", Value: "v"}}))
		v := &store.Version{StateMachineARN: sm.ARN, CreationDate: t0}
		h.ok("publish", h.s.PublishVersion(h.ctx, v))
		kv := &store.Version{StateMachineARN: keep.ARN, CreationDate: t0}
		h.ok("publish keep", h.s.PublishVersion(h.ctx, kv))
		al := &store.Alias{ARN: sm.ARN + ":live", StateMachineARN: sm.ARN, Name: "live", Routing: routing(v.ARN), CreationDate: t0, UpdateDate: t0}
		h.ok("alias", h.s.PutAlias(h.ctx, al))
		e := h.createExecution(exec{sm: "m", name: "e1", version: v.ARN, alias: al.ARN})

		h.ok("delete", h.s.DeleteStateMachine(h.ctx, sm.ARN))
		_, err := h.s.GetStateMachine(h.ctx, sm.ARN)
		h.is("get deleted", err, store.ErrNotFound)
		_, err = h.s.GetVersion(h.ctx, v.ARN)
		h.is("get version of deleted", err, store.ErrNotFound)
		_, err = h.s.GetAlias(h.ctx, al.ARN)
		h.is("get alias of deleted", err, store.ErrNotFound)
		_, err = h.s.ListTags(h.ctx, sm.ARN)
		h.is("tags of deleted", err, store.ErrNotFound)
		vs, err := h.s.ListVersions(h.ctx, store.ListVersionsParams{StateMachineARN: sm.ARN})
		h.ok("list versions", err)
		h.equal("versions of deleted", len(vs.Items), 0)

		got := h.getExecution(e.ARN)
		h.equal("execution of deleted machine", got.Definition, definition)
		hist := h.allHistory(e.ARN)
		h.equal("history of deleted machine", len(hist), 2)
		_, err = h.s.GetVersion(h.ctx, kv.ARN)
		h.ok("other machine's version", err)

		h.is("delete again", h.s.DeleteStateMachine(h.ctx, sm.ARN), store.ErrNotFound)
		// A machine created again with the same name starts afresh.
		h.createMachine("m")
		v2 := &store.Version{StateMachineARN: sm.ARN, CreationDate: t0}
		h.ok("publish after recreate", h.s.PublishVersion(h.ctx, v2))
		h.equal("first version number after recreate", v2.Number, int64(1))
		tags, err := h.s.ListTags(h.ctx, sm.ARN)
		h.ok("tags after recreate", err)
		h.equal("tags after recreate", len(tags), 0)
	}},
	{"ListInARNOrder", func(h *harness) {
		var want []*store.StateMachine
		for _, name := range []string{"b", "a", "c-2", "c-10", "\u00e9t\u00e9", "Z"} {
			sm := newMachine(name)
			sm.Tags = []store.Tag{{Key: "k", Value: name}}
			sm.CreationDate = t0.Add(time.Duration(len(want)) * time.Second)
			h.ok("create", h.s.CreateStateMachine(h.ctx, sm))
			w := *sm
			w.Definition, w.Tags = "", nil
			w.CreationDate, w.UpdateDate = store.Millis(w.CreationDate), store.Millis(w.UpdateDate)
			want = append(want, &w)
		}
		sortByARN(want)
		checkPaging(h, "state machines", want, func(token string, max int) (store.Page[*store.StateMachine], error) {
			return h.s.ListStateMachines(h.ctx, store.ListParams{MaxResults: max, NextToken: token})
		})
		// A token stays valid when items are added or removed.
		p, err := h.s.ListStateMachines(h.ctx, store.ListParams{MaxResults: 2})
		h.ok("first page", err)
		h.ok("delete", h.s.DeleteStateMachine(h.ctx, want[2].ARN))
		h.createMachine("0-first")
		rest := pages(h, 2, func(token string, max int) (store.Page[*store.StateMachine], error) {
			if token == "" {
				token = p.NextToken
			}
			return h.s.ListStateMachines(h.ctx, store.ListParams{MaxResults: max, NextToken: token})
		})
		h.equal("pages after changes", arns(rest), arns(want[3:]))
		// Tokens of one list are refused by another.
		_, err = h.s.ListActivities(h.ctx, store.ListParams{NextToken: p.NextToken})
		h.is("machine token for activities", err, store.ErrInvalidToken)
	}},
}

func sortByARN[T any](items []T) {
	slices.SortFunc(items, func(a, b T) int { return strings.Compare(arns([]T{a})[0], arns([]T{b})[0]) })
}

func routing(versions ...string) string {
	switch len(versions) {
	case 1:
		return fmt.Sprintf(`[{"stateMachineVersionArn":%q,"weight":100}]`, versions[0])
	case 2:
		return fmt.Sprintf(`[{"stateMachineVersionArn":%q,"weight":70},{"stateMachineVersionArn":%q,"weight":30}]`, versions[0], versions[1])
	}
	return "[]"
}

var versionCases = []testCase{
	{"PublishNumbersAndCopies", func(h *harness) {
		sm := h.createMachine("m")
		other := h.createMachine("o")
		v1 := &store.Version{StateMachineARN: sm.ARN, Description: "first", CreationDate: t0}
		h.ok("publish 1", h.s.PublishVersion(h.ctx, v1))
		want1 := &store.Version{
			ARN: sm.ARN + ":1", StateMachineARN: sm.ARN, Number: 1, Definition: definition, RoleARN: sm.RoleARN,
			LoggingConfiguration: sm.LoggingConfiguration, TracingConfiguration: sm.TracingConfiguration,
			Description: "first", CreationDate: store.Millis(t0),
		}
		h.equal("published version", v1, want1)
		got, err := h.s.GetVersion(h.ctx, v1.ARN)
		h.ok("get", err)
		h.equal("stored version", got, want1)

		up := *sm
		up.Definition, up.RevisionID, up.UpdateDate = `{"changed":true}`, "rev-1", t0.Add(time.Hour)
		h.ok("update", h.s.UpdateStateMachine(h.ctx, &up))
		v2 := &store.Version{StateMachineARN: sm.ARN, CreationDate: t0.Add(time.Hour)}
		h.ok("publish 2", h.s.PublishVersion(h.ctx, v2))
		h.equal("second number", v2.Number, int64(2))
		h.equal("second definition", v2.Definition, `{"changed":true}`)
		h.equal("second revision", v2.RevisionID, "rev-1")
		got1, err := h.s.GetVersion(h.ctx, v1.ARN)
		h.ok("get 1", err)
		h.equal("first version unchanged by update", got1, want1)

		ov := &store.Version{StateMachineARN: other.ARN, CreationDate: t0}
		h.ok("publish other", h.s.PublishVersion(h.ctx, ov))
		h.equal("numbers are per machine", ov.Number, int64(1))

		// Numbers are not reused after a delete.
		h.ok("delete 2", h.s.DeleteVersion(h.ctx, v2.ARN))
		v3 := &store.Version{StateMachineARN: sm.ARN, CreationDate: t0}
		h.ok("publish 3", h.s.PublishVersion(h.ctx, v3))
		h.equal("number after delete", v3.Number, int64(3))
	}},
	{"PublishRevisionGuard", func(h *harness) {
		sm := h.createMachine("m")
		up := *sm
		up.RevisionID = "rev-2"
		h.ok("update", h.s.UpdateStateMachine(h.ctx, &up))
		stale := &store.Version{StateMachineARN: sm.ARN, RevisionID: "rev-1", CreationDate: t0}
		h.is("stale revision", h.s.PublishVersion(h.ctx, stale), store.ErrConflict)
		cur := &store.Version{StateMachineARN: sm.ARN, RevisionID: "rev-2", CreationDate: t0}
		h.ok("current revision", h.s.PublishVersion(h.ctx, cur))
		h.equal("number after a refused publish", cur.Number, int64(1))
		h.is("missing machine", h.s.PublishVersion(h.ctx, &store.Version{StateMachineARN: smARN("nope")}), store.ErrNotFound)
	}},
	{"PublishConcurrently", func(h *harness) {
		sm := h.createMachine("m")
		const n = 20
		var wg sync.WaitGroup
		nums := make([]int64, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				v := &store.Version{StateMachineARN: sm.ARN, CreationDate: t0}
				errs[i] = h.s.PublishVersion(h.ctx, v)
				nums[i] = v.Number
			})
		}
		wg.Wait()
		seen := map[int64]bool{}
		for i := range n {
			h.ok("publish", errs[i])
			if seen[nums[i]] || nums[i] < 1 || nums[i] > n {
				h.t.Errorf("version number %d repeated or out of 1..%d", nums[i], n)
			}
			seen[nums[i]] = true
		}
	}},
	{"ListNewestFirst", func(h *harness) {
		sm := h.createMachine("m")
		h.createMachine("o")
		var want []*store.Version
		for i := range 7 {
			v := &store.Version{StateMachineARN: sm.ARN, Description: fmt.Sprint(i), CreationDate: t0}
			h.ok("publish", h.s.PublishVersion(h.ctx, v))
			want = append(want, v)
			o := &store.Version{StateMachineARN: smARN("o"), CreationDate: t0}
			h.ok("publish other", h.s.PublishVersion(h.ctx, o))
		}
		h.ok("delete 4", h.s.DeleteVersion(h.ctx, want[3].ARN))
		want = append(want[:3], want[4:]...)
		want = reversed(want)
		checkPaging(h, "versions", want, func(token string, max int) (store.Page[*store.Version], error) {
			return h.s.ListVersions(h.ctx, store.ListVersionsParams{StateMachineARN: sm.ARN, MaxResults: max, NextToken: token})
		})
		p, err := h.s.ListVersions(h.ctx, store.ListVersionsParams{StateMachineARN: sm.ARN, MaxResults: 1})
		h.ok("page", err)
		_, err = h.s.ListVersions(h.ctx, store.ListVersionsParams{StateMachineARN: smARN("o"), NextToken: p.NextToken})
		h.is("token of another machine", err, store.ErrInvalidToken)
		empty, err := h.s.ListVersions(h.ctx, store.ListVersionsParams{StateMachineARN: smARN("nope")})
		h.ok("list of a missing machine", err)
		h.equal("versions of a missing machine", len(empty.Items), 0)
	}},
	{"DeleteVersion", func(h *harness) {
		sm := h.createMachine("m")
		v1 := &store.Version{StateMachineARN: sm.ARN, CreationDate: t0}
		h.ok("publish", h.s.PublishVersion(h.ctx, v1))
		v2 := &store.Version{StateMachineARN: sm.ARN, CreationDate: t0}
		h.ok("publish", h.s.PublishVersion(h.ctx, v2))
		al := &store.Alias{ARN: sm.ARN + ":a", StateMachineARN: sm.ARN, Name: "a", Routing: routing(v1.ARN, v2.ARN), CreationDate: t0, UpdateDate: t0}
		h.ok("alias", h.s.PutAlias(h.ctx, al))
		h.is("delete routed version", h.s.DeleteVersion(h.ctx, v2.ARN), store.ErrConflict)
		_, err := h.s.GetVersion(h.ctx, v2.ARN)
		h.ok("version after refused delete", err)
		al.Routing = routing(v1.ARN)
		h.ok("re-route", h.s.PutAlias(h.ctx, al))
		h.ok("delete unrouted version", h.s.DeleteVersion(h.ctx, v2.ARN))
		_, err = h.s.GetVersion(h.ctx, v2.ARN)
		h.is("get deleted", err, store.ErrNotFound)
		h.is("delete again", h.s.DeleteVersion(h.ctx, v2.ARN), store.ErrNotFound)
		h.ok("delete alias", h.s.DeleteAlias(h.ctx, al.ARN))
		h.ok("delete version freed by alias delete", h.s.DeleteVersion(h.ctx, v1.ARN))
	}},
}

var aliasCases = []testCase{
	{"PutGetUpdate", func(h *harness) {
		sm := h.createMachine("m")
		v1 := &store.Version{StateMachineARN: sm.ARN, CreationDate: t0}
		h.ok("publish", h.s.PublishVersion(h.ctx, v1))
		v2 := &store.Version{StateMachineARN: sm.ARN, CreationDate: t0}
		h.ok("publish", h.s.PublishVersion(h.ctx, v2))
		a := &store.Alias{ARN: sm.ARN + ":prod", StateMachineARN: sm.ARN, Name: "prod", Description: "p", Routing: routing(v1.ARN), CreationDate: t0, UpdateDate: t0}
		h.ok("put", h.s.PutAlias(h.ctx, a))
		want := *a
		want.CreationDate, want.UpdateDate = store.Millis(t0), store.Millis(t0)
		got, err := h.s.GetAlias(h.ctx, a.ARN)
		h.ok("get", err)
		h.equal("alias", got, &want)

		up := &store.Alias{ARN: a.ARN, StateMachineARN: sm.ARN, Name: "prod", Description: "q", Routing: routing(v1.ARN, v2.ARN), CreationDate: t0.Add(time.Hour), UpdateDate: t0.Add(time.Minute)}
		h.ok("update", h.s.PutAlias(h.ctx, up))
		h.equal("creation date written back", up.CreationDate, store.Millis(t0))
		want.Description, want.Routing, want.UpdateDate = "q", up.Routing, store.Millis(t0.Add(time.Minute))
		got, err = h.s.GetAlias(h.ctx, a.ARN)
		h.ok("get", err)
		h.equal("updated alias", got, &want)
	}},
	{"PutRefused", func(h *harness) {
		sm := h.createMachine("m")
		other := h.createMachine("o")
		ov := &store.Version{StateMachineARN: other.ARN, CreationDate: t0}
		h.ok("publish", h.s.PublishVersion(h.ctx, ov))
		for _, c := range []struct {
			name string
			a    store.Alias
			want error
		}{
			{"missing machine", store.Alias{ARN: smARN("x") + ":a", StateMachineARN: smARN("x"), Name: "a", Routing: "[]"}, store.ErrNotFound},
			{"missing version", store.Alias{ARN: sm.ARN + ":a", StateMachineARN: sm.ARN, Name: "a", Routing: routing(sm.ARN + ":9")}, store.ErrNotFound},
			{"another machine's version", store.Alias{ARN: sm.ARN + ":a", StateMachineARN: sm.ARN, Name: "a", Routing: routing(ov.ARN)}, store.ErrNotFound},
			{"routing not JSON", store.Alias{ARN: sm.ARN + ":a", StateMachineARN: sm.ARN, Name: "a", Routing: "{"}, store.ErrInvalid},
			{"route without version", store.Alias{ARN: sm.ARN + ":a", StateMachineARN: sm.ARN, Name: "a", Routing: `[{"weight":100}]`}, store.ErrInvalid},
		} {
			h.is(c.name, h.s.PutAlias(h.ctx, &c.a), c.want)
		}
		_, err := h.s.GetAlias(h.ctx, sm.ARN+":a")
		h.is("alias after refused puts", err, store.ErrNotFound)
	}},
	{"ListNewestFirstAndDelete", func(h *harness) {
		sm := h.createMachine("m")
		h.createMachine("o")
		v := &store.Version{StateMachineARN: sm.ARN, CreationDate: t0}
		h.ok("publish", h.s.PublishVersion(h.ctx, v))
		var want []*store.Alias
		for i, name := range []string{"b", "a", "d", "c", "e"} {
			created := t0.Add(time.Duration(i/2) * time.Second) // pairs share a creation date
			a := &store.Alias{ARN: sm.ARN + ":" + name, StateMachineARN: sm.ARN, Name: name, Routing: routing(v.ARN), CreationDate: created, UpdateDate: created}
			h.ok("put", h.s.PutAlias(h.ctx, a))
			w := *a
			w.CreationDate, w.UpdateDate = store.Millis(created), store.Millis(created)
			want = append(want, &w)
		}
		// Newest first; equal dates in descending ARN order.
		want = []*store.Alias{want[4], want[2], want[3], want[0], want[1]}
		checkPaging(h, "aliases", want, func(token string, max int) (store.Page[*store.Alias], error) {
			return h.s.ListAliases(h.ctx, store.ListAliasesParams{StateMachineARN: sm.ARN, MaxResults: max, NextToken: token})
		})
		h.ok("delete", h.s.DeleteAlias(h.ctx, want[0].ARN))
		h.is("delete again", h.s.DeleteAlias(h.ctx, want[0].ARN), store.ErrNotFound)
		_, err := h.s.GetAlias(h.ctx, want[0].ARN)
		h.is("get deleted", err, store.ErrNotFound)
		p, err := h.s.ListAliases(h.ctx, store.ListAliasesParams{StateMachineARN: sm.ARN})
		h.ok("list", err)
		h.equal("aliases after delete", arns(p.Items), arns(want[1:]))
	}},
}

var activityCases = []testCase{
	{"CreateGetListDelete", func(h *harness) {
		var want []*store.Activity
		for i, name := range []string{"w", "b", "a1", "a10", "a2"} {
			a := &store.Activity{ARN: activityARN(name), Name: name, CreationDate: t0.Add(time.Duration(i) * time.Second)}
			if i == 0 {
				a.Tags = []store.Tag{{Key: "team", Value: "x"}}
			}
			h.ok("create", h.s.CreateActivity(h.ctx, a))
			w := *a
			w.CreationDate, w.Tags = store.Millis(a.CreationDate), nil
			want = append(want, &w)
		}
		got, err := h.s.GetActivity(h.ctx, activityARN("w"))
		h.ok("get", err)
		w0 := *want[0]
		w0.Tags = []store.Tag{{Key: "team", Value: "x"}}
		h.equal("activity", got, &w0)
		h.is("duplicate", h.s.CreateActivity(h.ctx, &store.Activity{ARN: activityARN("w"), Name: "w"}), store.ErrAlreadyExists)
		_, err = h.s.GetActivity(h.ctx, activityARN("nope"))
		h.is("get missing", err, store.ErrNotFound)
		sortByARN(want)
		checkPaging(h, "activities", want, func(token string, max int) (store.Page[*store.Activity], error) {
			return h.s.ListActivities(h.ctx, store.ListParams{MaxResults: max, NextToken: token})
		})
		h.ok("delete", h.s.DeleteActivity(h.ctx, activityARN("w")))
		h.is("delete again", h.s.DeleteActivity(h.ctx, activityARN("w")), store.ErrNotFound)
		_, err = h.s.ListTags(h.ctx, activityARN("w"))
		h.is("tags of deleted activity", err, store.ErrNotFound)
		h.ok("create again", h.s.CreateActivity(h.ctx, &store.Activity{ARN: activityARN("w"), Name: "w", CreationDate: t0}))
		tags, err := h.s.ListTags(h.ctx, activityARN("w"))
		h.ok("tags of recreated activity", err)
		h.equal("tags of recreated activity", len(tags), 0)
	}},
}

var tagCases = []testCase{
	{"TagUntagList", func(h *harness) {
		sm := h.createMachine("m")
		act := &store.Activity{ARN: activityARN("a"), Name: "a", CreationDate: t0}
		h.ok("activity", h.s.CreateActivity(h.ctx, act))
		for _, arn := range []string{sm.ARN, act.ARN} {
			h.ok("tag", h.s.TagResource(h.ctx, arn, []store.Tag{{Key: "b", Value: "1"}, {Key: "a", Value: "2"}}))
			h.ok("retag", h.s.TagResource(h.ctx, arn, []store.Tag{{Key: "b", Value: "3"}, {Key: "c", Value: ""}}))
			tags, err := h.s.ListTags(h.ctx, arn)
			h.ok("list", err)
			h.equal("tags", tags, []store.Tag{{Key: "a", Value: "2"}, {Key: "b", Value: "3"}, {Key: "c", Value: ""}})
			h.ok("untag", h.s.UntagResource(h.ctx, arn, []string{"a", "missing"}))
			tags, err = h.s.ListTags(h.ctx, arn)
			h.ok("list", err)
			h.equal("tags after untag", tags, []store.Tag{{Key: "b", Value: "3"}, {Key: "c", Value: ""}})
			h.ok("untag all", h.s.UntagResource(h.ctx, arn, []string{"b", "c"}))
			tags, err = h.s.ListTags(h.ctx, arn)
			h.ok("list", err)
			h.equal("tags after untag all", len(tags), 0)
		}
		got, err := h.s.GetStateMachine(h.ctx, sm.ARN)
		h.ok("get", err)
		h.equal("machine tags", len(got.Tags), 0)
	}},
	{"MissingResource", func(h *harness) {
		h.createMachine("m")
		missing := smARN("nope")
		h.is("tag", h.s.TagResource(h.ctx, missing, []store.Tag{{Key: "a", Value: "b"}}), store.ErrNotFound)
		h.is("untag", h.s.UntagResource(h.ctx, missing, []string{"a"}), store.ErrNotFound)
		_, err := h.s.ListTags(h.ctx, missing)
		h.is("list", err, store.ErrNotFound)
		e := h.createExecution(exec{sm: "m", name: "e"})
		h.is("tag an execution", h.s.TagResource(h.ctx, e.ARN, []store.Tag{{Key: "a", Value: "b"}}), store.ErrNotFound)
	}},
}
