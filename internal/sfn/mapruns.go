package sfn

import (
	"context"
	"errors"
	"strings"
	"time"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/history"
	"stepd/internal/jsonv"
	"stepd/internal/store"
)

// Map Runs. stepd runs a distributed Map's iterations inline, inside the
// parent execution, so a Map Run exists only as the MapRunStarted /
// MapRunSucceeded / MapRunFailed / MapRunAborted events of its parent's
// history. These operations read them from there: a Map Run is found by
// scanning the histories of its state machine's executions (its ARN names
// the state machine, not the execution), and its settings come from the
// definition the execution runs. Its children (one per item, or per batch)
// and their counts come from the record the engine keeps of them in the
// parent's snapshot (engine.SnapshotMapRuns): each child's own status,
// dates, error and redrives. An execution recorded by an older version of
// stepd has no such record for some of its runs; their counts are derived
// from the MapStateStarted event (how many items) and the run's outcome,
// so that a failed run reports all its items failed and an aborted one all
// aborted.

// mapRun is a Map Run found in its parent's history.
type mapRun struct {
	arn          string
	executionARN string
	label        string // the Map state's Label, or its name
	smName       string
	status       string // RUNNING, SUCCEEDED, FAILED, ABORTED
	start, stop  time.Time
	items        int64
	// redrives and redriven: how many times, and when last, the run was
	// redriven with its parent (MapRunRedriven).
	redrives int64
	redriven time.Time
}

// stateMachineARN is the Map Run's "state machine": <parent>/<label>, in
// the Map Run's region and account.
func (r *mapRun) stateMachineARN() string {
	p, _ := parseARN(r.arn)
	return "arn:aws:states:" + p.region + ":" + p.account + ":stateMachine:" + r.smName + "/" + r.label
}

// mapRunARN checks a Map Run ARN
// (arn:aws:states:<region>:<account>:mapRun:<stateMachine>/<label>:<id>) and
// returns its parsed form.
func mapRunARN(arn string) (parsedARN, error) {
	if arn == "" {
		return parsedARN{}, validation(nil, "mapRunArn", "Member must not be null")
	}
	p, ok := parseARN(arn)
	if !ok || p.kind != "mapRun" || len(p.parts) != 2 || !strings.Contains(p.parts[0], "/") {
		return parsedARN{}, invalidArn(arn)
	}
	return p, nil
}

// mapRunsOf reads the Map Runs in an execution's history, in start order.
func (s *Service) mapRunsOf(ctx context.Context, rec *store.Execution) ([]*mapRun, error) {
	var (
		runs    []*mapRun
		byARN   = map[string]*mapRun{}
		lengths = map[int64]int64{} // MapStateStarted id -> length
	)
	p := store.HistoryParams{ExecutionARN: rec.ARN, MaxResults: store.MaxMaxResults}
	smName := rec.StateMachineARN
	if pa, ok := parseARN(rec.StateMachineARN); ok && len(pa.parts) > 0 {
		smName = pa.parts[0]
	}
	for {
		page, err := s.store.History(ctx, p)
		if err != nil {
			return nil, storeError("history", err)
		}
		for _, ev := range page.Items {
			d := ev.Details
			switch ev.Type {
			case history.MapStateStarted:
				if d != nil && d.Length != nil {
					lengths[ev.ID] = *d.Length
				}
			case history.MapRunStarted:
				if d == nil || d.MapRunArn == "" {
					continue
				}
				r := &mapRun{arn: d.MapRunArn, executionARN: rec.ARN, smName: smName, status: "RUNNING", start: ev.Timestamp, items: lengths[ev.PreviousEventID]}
				if pa, ok := parseARN(d.MapRunArn); ok && len(pa.parts) == 2 {
					_, r.label, _ = strings.Cut(pa.parts[0], "/")
				}
				runs = append(runs, r)
				byARN[r.arn] = r
			case history.MapRunRedriven:
				// A redrive of the parent runs the same Map Run again.
				if d == nil {
					continue
				}
				if r := byARN[d.MapRunArn]; r != nil {
					r.status, r.stop, r.redriven = "RUNNING", time.Time{}, ev.Timestamp
					if d.RedriveCount != nil {
						r.redrives = *d.RedriveCount
					}
				}
			case history.MapRunSucceeded, history.MapRunFailed, history.MapRunAborted:
				// These events carry no ARN: they end the latest run still
				// going (Map Runs of one execution do not overlap in a
				// thread, and parallel ones end in order of their events).
				for i := len(runs) - 1; i >= 0; i-- {
					if runs[i].status == "RUNNING" {
						runs[i].status = map[history.Type]string{history.MapRunSucceeded: "SUCCEEDED", history.MapRunFailed: "FAILED", history.MapRunAborted: "ABORTED"}[ev.Type]
						runs[i].stop = ev.Timestamp
						break
					}
				}
			}
		}
		if page.NextToken == "" {
			break
		}
		p.NextToken = page.NextToken
	}
	if rec.Status.Terminal() {
		// The execution ended without closing these runs (it was stopped,
		// timed out or failed elsewhere): they were aborted with it.
		for _, r := range runs {
			if r.status == "RUNNING" {
				r.status, r.stop = "ABORTED", rec.StopDate
			}
		}
	}
	return runs, nil
}

// findMapRun locates a Map Run by scanning the histories of its state
// machine's executions, newest first.
func (s *Service) findMapRun(ctx context.Context, arn string) (*mapRun, *store.Execution, error) {
	p, err := mapRunARN(arn)
	if err != nil {
		return nil, nil, err
	}
	smName, _, _ := strings.Cut(p.parts[0], "/")
	smARN := "arn:aws:states:" + p.region + ":" + p.account + ":stateMachine:" + smName
	lp := store.ListExecutionsParams{StateMachineARN: smARN, MaxResults: store.MaxMaxResults}
	for {
		page, err := s.store.ListExecutions(ctx, lp)
		if err != nil {
			return nil, nil, storeError("list executions", err)
		}
		for _, e := range page.Items {
			rec, err := s.store.GetExecution(ctx, e.ARN, store.IncludeDefinition)
			if err != nil {
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				return nil, nil, storeError("get execution", err)
			}
			runs, err := s.mapRunsOf(ctx, rec)
			if err != nil {
				return nil, nil, err
			}
			for _, r := range runs {
				if r.arn == arn {
					return r, rec, nil
				}
			}
		}
		if page.NextToken == "" {
			return nil, nil, resourceNotFound(arn)
		}
		lp.NextToken = page.NextToken
	}
}

// mapSettings are a Map state's concurrency and failure tolerance, as its
// definition fixes them (0 when computed at run time or absent).
type mapSettings struct {
	maxConcurrency int64
	count          int64
	pct            float64
}

// settingsOf finds the distributed Map state a run belongs to and reads its
// static settings.
func (s *Service) settingsOf(rec *store.Execution, label string) mapSettings {
	var out mapSettings
	c := s.compile(rec.Definition, string(rec.Type))
	if c.machine == nil {
		return out
	}
	c.machine.Walk(func(st *asl.State) {
		if st.Type != asl.TypeMap || st.ProcessorMode != asl.ModeDistributed || (st.Label != label && (st.Label != "" || st.Name != label)) {
			return
		}
		if st.MaxConcurrency.IsStatic() {
			out.maxConcurrency, _ = jsonv.AsInt(st.MaxConcurrency.Literal)
		}
		if st.ToleratedFailureCount.IsStatic() {
			out.count, _ = jsonv.AsInt(st.ToleratedFailureCount.Literal)
		}
		if st.ToleratedFailurePercentage.IsStatic() {
			out.pct, _ = jsonv.AsFloat(st.ToleratedFailurePercentage.Literal)
		}
	})
	return out
}

// MapRunInput names a Map Run (DescribeMapRun).
type MapRunInput struct {
	MapRunArn string `json:"mapRunArn"`
}

// MapRunCounts are a Map Run's item or child-execution counts.
type MapRunCounts struct {
	Pending               int64 `json:"pending"`
	Running               int64 `json:"running"`
	Succeeded             int64 `json:"succeeded"`
	Failed                int64 `json:"failed"`
	TimedOut              int64 `json:"timedOut"`
	Aborted               int64 `json:"aborted"`
	Total                 int64 `json:"total"`
	ResultsWritten        int64 `json:"resultsWritten"`
	FailuresNotRedrivable int64 `json:"failuresNotRedrivable"`
	PendingRedrive        int64 `json:"pendingRedrive"`
}

// DescribeMapRunOutput is DescribeMapRun's response.
type DescribeMapRunOutput struct {
	MapRunArn                  string       `json:"mapRunArn"`
	ExecutionArn               string       `json:"executionArn"`
	Status                     string       `json:"status"`
	StartDate                  *Timestamp   `json:"startDate"`
	StopDate                   *Timestamp   `json:"stopDate,omitempty"`
	MaxConcurrency             int64        `json:"maxConcurrency"`
	ToleratedFailurePercentage float64      `json:"toleratedFailurePercentage"`
	ToleratedFailureCount      int64        `json:"toleratedFailureCount"`
	ItemCounts                 MapRunCounts `json:"itemCounts"`
	ExecutionCounts            MapRunCounts `json:"executionCounts"`
	RedriveCount               int64        `json:"redriveCount"`
	RedriveDate                *Timestamp   `json:"redriveDate,omitempty"`
}

// DescribeMapRun describes a Map Run of a distributed Map state.
func (s *Service) DescribeMapRun(ctx context.Context, in *MapRunInput) (*DescribeMapRunOutput, error) {
	r, rec, err := s.findMapRun(ctx, in.MapRunArn)
	if err != nil {
		return nil, err
	}
	set := s.settingsOf(rec, r.label)
	items, executions := r.counts(s.childrenOf(ctx, r))
	return &DescribeMapRunOutput{
		MapRunArn: r.arn, ExecutionArn: r.executionARN, Status: r.status, StartDate: ts(r.start), StopDate: ts(r.stop),
		MaxConcurrency: set.maxConcurrency, ToleratedFailureCount: set.count, ToleratedFailurePercentage: set.pct,
		ItemCounts: items, ExecutionCounts: executions, RedriveCount: r.redrives, RedriveDate: ts(r.redriven),
	}, nil
}

// childrenOf reads the record of r's children from its parent's snapshot,
// or returns nil when there is none (the parent was recorded by an older
// version) or it does not fit the history.
func (s *Service) childrenOf(ctx context.Context, r *mapRun) *engine.MapRun {
	rec, err := s.store.GetExecution(ctx, r.executionARN, store.IncludeSnapshot)
	if err != nil || len(rec.Snapshot) == 0 {
		return nil
	}
	runs, err := engine.SnapshotMapRuns(rec.Snapshot)
	if err != nil {
		s.log.Warn("read the map runs of a snapshot", "execution", r.executionARN, "err", err)
		return nil
	}
	mr := runs[r.arn]
	if mr == nil || int64(len(mr.Children)) != r.items {
		return nil
	}
	return mr
}

// counts are r's item and child-execution counts. Without the record of
// its children (mr nil) every item has the run's status. With it: a child
// that never started is a pending item while the run goes on, and an
// aborted one once it ended (no child execution was started for it); a
// child still running when its run ended was aborted with it; one waiting
// for the redrive of its run counts as pendingRedrive.
func (r *mapRun) counts(mr *engine.MapRun) (items, executions MapRunCounts) {
	if mr == nil {
		counts := MapRunCounts{Total: r.items}
		switch r.status {
		case "RUNNING":
			counts.Running = r.items
		case "SUCCEEDED":
			counts.Succeeded = r.items
		case "FAILED":
			counts.Failed = r.items
		case "ABORTED":
			counts.Aborted = r.items
		}
		return counts, counts
	}
	add := func(c *MapRunCounts, status string, n int64) {
		c.Total += n
		switch status {
		case "PENDING":
			c.Pending += n
		case "RUNNING":
			c.Running += n
		case "SUCCEEDED":
			c.Succeeded += n
		case "FAILED":
			c.Failed += n
		case "TIMED_OUT":
			c.TimedOut += n
		case "ABORTED":
			c.Aborted += n
		case "PENDING_REDRIVE":
			c.PendingRedrive += n
		}
	}
	for i := range mr.Children {
		n := int64(1)
		if mr.BatchSizes != nil {
			n = int64(mr.BatchSizes[i])
		}
		c, started := r.child(mr, i)
		switch {
		case started:
			add(&items, c.status, n)
			add(&executions, c.status, 1)
		case r.status == "RUNNING":
			add(&items, "PENDING", n)
		default:
			add(&items, "ABORTED", n)
		}
	}
	return items, executions
}

// childView is what the API shows of one child execution of a Map Run.
type childView struct {
	status      string // an execution status, or PENDING_REDRIVE
	start, stop time.Time
	err, cause  *string
	redrives    int64
	redriven    time.Time
	items       int64 // the items it processes: 1, or its batch's size
}

// child returns what the API shows of child i of r, as its record mr
// says, and whether it was ever started (a child execution exists).
func (r *mapRun) child(mr *engine.MapRun, i int) (childView, bool) {
	ch := mr.Children[i]
	if ch.Status == engine.ChildPending {
		return childView{}, false
	}
	c := childView{status: ch.Status.String(), start: ch.StartTime, stop: ch.StopTime, err: ch.Error, cause: ch.Cause,
		redrives: ch.RedriveCount, redriven: ch.RedriveTime, items: 1}
	if mr.BatchSizes != nil {
		c.items = int64(mr.BatchSizes[i])
	}
	switch {
	case ch.PendingRedrive && r.status == "RUNNING":
		c.status = "PENDING_REDRIVE"
	case ch.Status == engine.ChildRunning && r.status != "RUNNING":
		// The parent ended (or its history ends the run) without ending
		// the child: it was aborted with the run.
		c.status, c.stop = "ABORTED", time.Time{}
	}
	// A record rebuilt from an older snapshot has no times: the run's.
	if c.start.IsZero() {
		c.start = r.start
	}
	if c.status == "RUNNING" {
		c.stop = time.Time{}
	} else if c.stop.IsZero() {
		c.stop = r.stop
	}
	return c, true
}

// ListMapRunsInput is ListMapRuns' request.
type ListMapRunsInput struct {
	ExecutionArn string  `json:"executionArn"`
	MaxResults   *int    `json:"maxResults,omitempty"`
	NextToken    *string `json:"nextToken,omitempty"`
}

// MapRunListItem is one entry of ListMapRuns.
type MapRunListItem struct {
	ExecutionArn    string     `json:"executionArn"`
	MapRunArn       string     `json:"mapRunArn"`
	StateMachineArn string     `json:"stateMachineArn"`
	StartDate       *Timestamp `json:"startDate"`
	StopDate        *Timestamp `json:"stopDate,omitempty"`
}

// ListMapRunsOutput is ListMapRuns' response.
type ListMapRunsOutput struct {
	MapRuns   []MapRunListItem `json:"mapRuns"`
	NextToken *string          `json:"nextToken,omitempty"`
}

// ListMapRuns lists the Map Runs an execution started, oldest first.
func (s *Service) ListMapRuns(ctx context.Context, in *ListMapRunsInput) (*ListMapRunsOutput, error) {
	rec, err := s.getExecution(ctx, in.ExecutionArn, 0)
	if err != nil {
		return nil, err
	}
	limit, err := maxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	runs, err := s.mapRunsOf(ctx, rec)
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf(runs, "maprun", rec.ARN, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	out := &ListMapRunsOutput{MapRuns: make([]MapRunListItem, 0, len(page)), NextToken: next}
	for _, r := range page {
		out.MapRuns = append(out.MapRuns, MapRunListItem{ExecutionArn: r.executionARN, MapRunArn: r.arn,
			StateMachineArn: r.stateMachineARN(), StartDate: ts(r.start), StopDate: ts(r.stop)})
	}
	return out, nil
}

// UpdateMapRunInput is UpdateMapRun's request.
type UpdateMapRunInput struct {
	MapRunArn                  string   `json:"mapRunArn"`
	MaxConcurrency             *int64   `json:"maxConcurrency,omitempty"`
	ToleratedFailurePercentage *float64 `json:"toleratedFailurePercentage,omitempty"`
	ToleratedFailureCount      *int64   `json:"toleratedFailureCount,omitempty"`
}

// UpdateMapRun changes a running Map Run's concurrency or failure
// tolerance. stepd runs a Map Run's iterations inline with the settings the
// Map state had when it started, so an update of a running run is accepted
// and validated but does not change it; a completed run cannot be updated.
func (s *Service) UpdateMapRun(ctx context.Context, in *UpdateMapRunInput) (*struct{}, error) {
	if _, err := mapRunARN(in.MapRunArn); err != nil {
		return nil, err
	}
	if in.MaxConcurrency == nil && in.ToleratedFailurePercentage == nil && in.ToleratedFailureCount == nil {
		return nil, withReason(apiError(ErrValidation, "At least one of the following must be specified: maxConcurrency, toleratedFailurePercentage, toleratedFailureCount"), reasonMissingParameter)
	}
	if in.MaxConcurrency != nil && *in.MaxConcurrency < 0 {
		return nil, validation(*in.MaxConcurrency, "maxConcurrency", "Member must have value greater than or equal to 0")
	}
	if in.ToleratedFailureCount != nil && *in.ToleratedFailureCount < 0 {
		return nil, validation(*in.ToleratedFailureCount, "toleratedFailureCount", "Member must have value greater than or equal to 0")
	}
	if p := in.ToleratedFailurePercentage; p != nil && (*p < 0 || *p > 100) {
		c := "Member must have value less than or equal to 100"
		if *p < 0 {
			c = "Member must have value greater than or equal to 0"
		}
		return nil, validation(*p, "toleratedFailurePercentage", c)
	}
	r, _, err := s.findMapRun(ctx, in.MapRunArn)
	if err != nil {
		return nil, err
	}
	if r.status != "RUNNING" {
		return nil, withReason(apiError(ErrValidation, "Cannot update a Map Run that is %s: '%s'", r.status, r.arn), reasonCompletedMapRun)
	}
	return &struct{}{}, nil
}
