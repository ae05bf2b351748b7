package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"stepd/internal/asl"
	"stepd/internal/engine"
	"stepd/internal/jsonv"
	"stepd/internal/runner"
	"stepd/internal/store"
)

// MaxInputBytes is the largest execution input (256 KiB).
const MaxInputBytes = engine.MaxPayloadBytes

// target is what a StartExecution ARN resolves to.
type target struct {
	sm         *store.StateMachine
	definition string
	versionARN string
	aliasARN   string
	testCase   map[string]string // mocked responses by state name, when "#<TestCase>" was given
	caseName   string            // that test case's name
}

// resolveTarget resolves a state machine, version or alias ARN (optionally
// followed by "#<TestCase>" to run a mock config test case).
func (s *Service) resolveTarget(ctx context.Context, arn string) (*target, error) {
	base, testCase, hasCase := strings.Cut(arn, "#")
	p, ok := parseARN(base)
	if !ok || p.kind != "stateMachine" || len(p.parts) == 0 || len(p.parts) > 2 {
		return nil, invalidArn(arn)
	}
	smARN := s.resourceARN("stateMachine", p.parts[0])
	if p.region != s.opts.Region || p.account != s.opts.Account {
		smARN = "arn:aws:states:" + p.region + ":" + p.account + ":stateMachine:" + p.parts[0]
	}
	sm, err := s.store.GetStateMachine(ctx, smARN)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apiError(ErrStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", base)
	}
	if err != nil {
		return nil, storeError("get state machine", err)
	}
	if sm.Status == store.Deleting {
		return nil, apiError(ErrStateMachineDeleting, "State machine is being deleted: '%s'", smARN)
	}
	t := &target{sm: sm, definition: sm.Definition}
	if len(p.parts) == 2 {
		q := p.parts[1]
		if _, err := strconv.ParseInt(q, 10, 64); err == nil {
			v, err := s.store.GetVersion(ctx, base)
			if errors.Is(err, store.ErrNotFound) {
				return nil, apiError(ErrStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", base)
			}
			if err != nil {
				return nil, storeError("get version", err)
			}
			t.definition, t.versionARN = v.Definition, v.ARN
		} else {
			a, err := s.store.GetAlias(ctx, base)
			if errors.Is(err, store.ErrNotFound) {
				// ResourceNotFound is not among StartExecution's errors.
				return nil, apiError(ErrStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", base)
			}
			if err != nil {
				return nil, storeError("get alias", err)
			}
			routes, err := store.ParseRouting(a.Routing)
			if err != nil || len(routes) == 0 {
				return nil, apiError(ErrValidation, "The alias '%s' has no valid routing configuration", base)
			}
			pick := routes[0]
			if len(routes) > 1 {
				var total int64
				for _, r := range routes {
					total += r.Weight
				}
				n := rand.Int64N(max(total, 1))
				for _, r := range routes {
					if n < r.Weight {
						pick = r
						break
					}
					n -= r.Weight
				}
			}
			v, err := s.store.GetVersion(ctx, pick.StateMachineVersionARN)
			if err != nil {
				return nil, apiError(ErrStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", pick.StateMachineVersionARN)
			}
			t.definition, t.versionARN, t.aliasARN = v.Definition, v.ARN, a.ARN
		}
	}
	if hasCase {
		if s.opts.MockConfig == nil {
			return nil, apiError(ErrValidation, "The state machine ARN names the test case '%s', but no mock config is loaded (set SFN_MOCK_CONFIG)", testCase)
		}
		states, err := s.opts.MockConfig.TestCase(sm.Name, testCase)
		if err != nil {
			return nil, apiError(ErrValidation, "%v", err)
		}
		t.testCase, t.caseName = states, testCase
	}
	return t, nil
}

// checkInput validates an execution input: JSON text of at most 256 KiB.
func checkInput(in *string) (string, any, error) {
	text := "{}"
	if in != nil {
		text = *in
	}
	if len(text) > MaxInputBytes {
		return "", nil, validation("...", "input", "Member must have length less than or equal to 262144")
	}
	if strings.TrimSpace(text) == "" {
		return "", nil, apiError(ErrInvalidExecutionInput, "Invalid State Machine Execution Input: 'Invalid execution input.'")
	}
	v, err := jsonv.ParseString(text)
	if err != nil {
		return "", nil, apiError(ErrInvalidExecutionInput, "Invalid State Machine Execution Input: '%s'", err)
	}
	return text, v, nil
}

// startReq is a checked StartExecution or StartSyncExecution request.
type startReq struct {
	t     *target
	c     *compiled
	name  string
	text  string // the input as given
	input any
}

// startRequest checks what both start operations take: the target (of
// type only, when not ""), the name (a UUID when absent) and the input,
// and compiles the definition.
func (s *Service) startRequest(ctx context.Context, arn string, name, input *string, only store.StateMachineType) (*startReq, error) {
	if arn == "" {
		return nil, validation(nil, "stateMachineArn", "Member must not be null")
	}
	t, err := s.resolveTarget(ctx, arn)
	if err != nil {
		return nil, err
	}
	if only != "" && t.sm.Type != only {
		return nil, apiError(ErrStateMachineTypeNotSupported, "This operation is not supported by this type of state machine")
	}
	r := &startReq{t: t, name: uuid.NewString()}
	if name != nil {
		r.name = *name
		if err := checkName(r.name, "name"); err != nil {
			return nil, err
		}
	}
	if r.text, r.input, err = checkInput(input); err != nil {
		return nil, err
	}
	if r.c = s.compile(t.definition, string(t.sm.Type)); r.c.machine == nil {
		return nil, apiError(ErrInvalidDefinition, "%s", r.c.diags.InvalidDefinitionMessage())
	}
	return r, nil
}

// StartExecution starts an execution of a state machine, version or alias.
// For STANDARD machines it is idempotent while the execution with that name
// runs with the same input.
func (s *Service) StartExecution(ctx context.Context, in *StartExecutionInput) (*StartExecutionOutput, error) {
	r, err := s.startRequest(ctx, in.StateMachineArn, in.Name, in.Input, "")
	if err != nil {
		return nil, err
	}
	t, c, name, text, input := r.t, r.c, r.name, r.text, r.input
	if t.sm.Type == store.Express {
		arn, start := s.startExpress(t, c, name, text, input, traceHeader(in.TraceHeader), nil)
		return &StartExecutionOutput{ExecutionArn: arn, StartDate: ts(start)}, nil
	}
	rec, err := s.exec.startStandard(ctx, t, c, name, text, input, traceHeader(in.TraceHeader))
	if err != nil {
		return nil, err
	}
	return &StartExecutionOutput{ExecutionArn: rec.ARN, StartDate: ts(rec.StartDate)}, nil
}

func traceHeader(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// startStandard creates a STANDARD execution and takes its first steps.
func (e *executor) startStandard(ctx context.Context, t *target, c *compiled, name, text string, input any, trace string) (*store.Execution, error) {
	s := e.s
	now := s.now()
	rec := &store.Execution{
		ARN: s.resourceARN("execution", t.sm.Name+":"+name), StateMachineARN: t.sm.ARN, Name: name, Type: store.Standard,
		Status: store.Running, Input: text, StartDate: now, Definition: t.definition, VersionARN: t.versionARN,
		AliasARN: t.aliasARN, TraceHeader: trace, LeaseOwner: s.opts.Node, LeaseExpiry: now.Add(s.opts.LeaseDuration),
	}
	cfg := s.engineConfig(rec, t.sm.RoleARN)
	if t.testCase != nil {
		cfg.Label = mockLabel + t.caseName // so that a resumed execution keeps its mocks
	}
	x := engine.New(c.machine, cfg)
	l := e.newLive(rec, c.machine, cfg, x)
	if t.testCase != nil {
		l.dispatch = s.dispatcherFor(t.testCase)
	}
	l.mu.Lock()
	b := x.Start(input, text, now)
	tr := e.transition(l, 0, b)
	l.mu.Unlock()
	if err := s.store.CreateExecution(ctx, rec, tr); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			old, gerr := s.store.GetExecution(ctx, rec.ARN, 0)
			if gerr == nil && old.Status == store.Running && old.Input == text {
				return old, nil // idempotent while running with the same input
			}
			return nil, apiError(ErrExecutionAlreadyExists, "Execution Already Exists: '%s'", rec.ARN)
		}
		return nil, storeError("create execution", err)
	}
	e.adopt(l, tr, b.Commands)
	return rec, nil
}

// startExpress runs an EXPRESS execution in memory; its history is not kept
// (as on AWS, where it goes to CloudWatch Logs). done, when set, receives
// the result.
func (s *Service) startExpress(t *target, c *compiled, name, text string, input any, trace string, done chan<- *runner.Result) (string, time.Time) {
	start := s.now()
	arn := s.resourceARN("express", t.sm.Name+":"+name+":"+uuid.NewString())
	r := &runner.Runner{Dispatcher: s.dispatcherFor(t.testCase), Start: start}
	cfg := engine.Config{
		ExecutionARN: arn, Name: name, StateMachineARN: t.sm.ARN, StateMachineName: t.sm.Name,
		RoleARN: t.sm.RoleARN, Region: s.opts.Region, Type: asl.TypeExpress, MaxEvents: -1,
		VersionARN: t.versionARN, AliasARN: t.aliasARN, Seed: uint64(start.UnixNano()),
	}
	go func() {
		ctx, cancel := context.WithTimeout(s.exec.ctx, 5*time.Minute)
		defer cancel()
		res, err := r.Run(ctx, c.machine, cfg, text)
		if err != nil {
			s.log.Error("express execution", "execution", arn, "err", err)
		}
		if done != nil {
			done <- res
		}
	}()
	_ = input
	_ = trace
	return arn, start
}

// StartSyncExecution runs an EXPRESS execution and returns its result.
func (s *Service) StartSyncExecution(ctx context.Context, in *StartSyncExecutionInput) (*StartSyncExecutionOutput, error) {
	r, err := s.startRequest(ctx, in.StateMachineArn, in.Name, in.Input, store.Express)
	if err != nil {
		return nil, err
	}
	t, c, name, text, input := r.t, r.c, r.name, r.text, r.input
	done := make(chan *runner.Result, 1)
	arn, start := s.startExpress(t, c, name, text, input, traceHeader(in.TraceHeader), done)
	var res *runner.Result
	select {
	case res = <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if res == nil {
		return nil, fmt.Errorf("express execution %s did not complete", arn)
	}
	out := &StartSyncExecutionOutput{
		ExecutionArn: arn, StateMachineArn: t.sm.ARN, Name: name, StartDate: ts(start), StopDate: ts(res.Stop),
		Status: string(res.Status), Error: res.Error, Cause: res.Cause,
		InputDetails: &PayloadDetails{Included: true}, OutputDetails: &PayloadDetails{Included: true},
		BillingDetails: &BillingDetails{BilledMemoryUsedInMB: 64, BilledDurationInMilliseconds: billed(res.Stop.Sub(start))},
	}
	if in.IncludedData == nil || *in.IncludedData != "METADATA_ONLY" {
		out.Input = &text
		if res.Status == engine.Succeeded {
			out.Output = &res.Output
		}
	} else {
		out.InputDetails.Included, out.OutputDetails.Included = false, false
	}
	if in.TraceHeader != nil {
		out.TraceHeader = in.TraceHeader
	}
	return out, nil
}

// billed rounds a duration up to the next 100 ms, as Express billing does.
func billed(d time.Duration) int64 {
	ms := d.Milliseconds()
	return max(100, (ms+99)/100*100)
}

// getExecution reads an execution, mapping "not found" to AWS's error.
func (s *Service) getExecution(ctx context.Context, arn string, include store.Include) (*store.Execution, error) {
	if arn == "" {
		return nil, validation(nil, "executionArn", "Member must not be null")
	}
	p, ok := parseARN(arn)
	if !ok || (p.kind != "execution" && p.kind != "express") || len(p.parts) < 2 {
		return nil, invalidArn(arn)
	}
	if p.kind == "express" {
		// Express executions keep no record these actions could read
		// (observed: AWS answers InvalidArn).
		return nil, apiError(ErrInvalidArn, "Invalid Arn: 'Resource type not valid in this context: express'")
	}
	rec, err := s.store.GetExecution(ctx, arn, include)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apiError(ErrExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
	}
	if err != nil {
		return nil, storeError("get execution", err)
	}
	return rec, nil
}

// DescribeExecution describes an execution.
func (s *Service) DescribeExecution(ctx context.Context, in *DescribeExecutionInput) (*DescribeExecutionOutput, error) {
	rec, err := s.getExecution(ctx, in.ExecutionArn, 0)
	if err != nil {
		if e := (*Error)(nil); errors.As(err, &e) && e.Code == ErrExecutionDoesNotExist {
			if out := s.describeChild(ctx, in.ExecutionArn); out != nil {
				return out, nil // a Map Run's child (mapchildren.go)
			}
		}
		return nil, err
	}
	out := &DescribeExecutionOutput{
		ExecutionArn: rec.ARN, StateMachineArn: rec.StateMachineARN, Name: rec.Name, Status: string(rec.Status),
		StartDate: ts(rec.StartDate), StopDate: ts(rec.StopDate), Error: rec.Error, Cause: rec.Cause,
		InputDetails: &PayloadDetails{Included: true}, RedriveCount: &rec.RedriveCount, RedriveDate: ts(rec.RedriveDate),
	}
	if rec.Status != store.Running {
		out.OutputDetails = &PayloadDetails{Included: true}
	}
	if in.IncludedData == nil || *in.IncludedData != "METADATA_ONLY" {
		out.Input = &rec.Input
		out.Output = rec.Output
	} else {
		out.InputDetails.Included = false
		if out.OutputDetails != nil {
			out.OutputDetails.Included = false
		}
	}
	if rec.TraceHeader != "" {
		out.TraceHeader = &rec.TraceHeader
	}
	if rec.MapRunARN != "" {
		out.MapRunArn = &rec.MapRunARN
	}
	if rec.VersionARN != "" {
		out.StateMachineVersionArn = &rec.VersionARN
	}
	if rec.AliasARN != "" {
		out.StateMachineAliasArn = &rec.AliasARN
	}
	status, reason := redriveStatus(rec, s.now())
	out.RedriveStatus, out.RedriveStatusReason = &status, reason
	return out, nil
}

// redriveStatus says whether RedriveExecution may run an execution again.
func redriveStatus(rec *store.Execution, now time.Time) (string, *string) {
	if r := whyNotRedrivable(rec, now); r != "" {
		return "NOT_REDRIVABLE", &r
	}
	return "REDRIVABLE", nil
}

// whyNotRedrivable gives AWS's reason an execution cannot be redriven, or
// "" when it can (as far as the execution alone says).
func whyNotRedrivable(rec *store.Execution, now time.Time) string {
	switch {
	case rec.Type == store.Express:
		return "Express executions cannot be redriven"
	case rec.Status != store.Failed && rec.Status != store.TimedOut && rec.Status != store.Aborted:
		return "Execution is " + string(rec.Status) + " and cannot be redriven"
	case now.Sub(rec.StopDate) > redrivePeriod:
		return "Execution redrivable period exceeded."
	case now.Sub(rec.StartDate) > maxExecutionTime:
		return "Execution has exceeded the max execution time."
	case rec.EventCount >= maxRedriveEvents:
		return "Execution history event limit exceeded."
	}
	return ""
}

// validStatus are the values statusFilter accepts.
var validStatus = []string{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"}

// ListExecutions lists a state machine's (or version's, alias's or map
// run's) executions, newest first.
func (s *Service) ListExecutions(ctx context.Context, in *ListExecutionsInput) (*ListExecutionsOutput, error) {
	p := store.ListExecutionsParams{}
	hasMapRun := in.MapRunArn != nil && *in.MapRunArn != ""
	hasMachine := in.StateMachineArn != nil && *in.StateMachineArn != ""
	switch {
	case hasMapRun && hasMachine:
		return nil, apiError(ErrValidation, "Must provide either a StateMachine ARN or a MapRun ARN, not both")
	case hasMapRun:
		if _, err := mapRunARN(*in.MapRunArn); err != nil {
			return nil, err
		}
		p.MapRunARN = *in.MapRunArn
	case hasMachine:
		if err := s.listTarget(ctx, *in.StateMachineArn, &p); err != nil {
			return nil, err
		}
	default:
		return nil, apiError(ErrValidation, "Must provide a StateMachine ARN or MapRun ARN")
	}
	if in.StatusFilter != nil {
		ok := false
		for _, v := range validStatus {
			ok = ok || v == *in.StatusFilter
		}
		if !ok {
			return nil, validation(*in.StatusFilter, "statusFilter", "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]")
		}
		p.Status = store.ExecutionStatus(*in.StatusFilter)
	}
	var err error
	if p.MaxResults, err = maxResults(in.MaxResults); err != nil {
		return nil, err
	}
	if p.MapRunARN != "" {
		return s.mapRunChildren(ctx, in, string(p.Status), p.MaxResults)
	}
	if in.NextToken != nil {
		p.NextToken = *in.NextToken
	}
	page, err := s.store.ListExecutions(ctx, p)
	if err != nil {
		return nil, storeError("list executions", err)
	}
	out := &ListExecutionsOutput{Executions: []ExecutionListItem{}}
	for _, e := range page.Items {
		if in.RedriveFilter != nil && ((*in.RedriveFilter == "REDRIVEN") != (e.RedriveCount > 0)) {
			continue
		}
		item := ExecutionListItem{ExecutionArn: e.ARN, StateMachineArn: e.StateMachineARN, Name: e.Name, Status: string(e.Status),
			StartDate: ts(e.StartDate), StopDate: ts(e.StopDate)}
		if e.VersionARN != "" {
			item.StateMachineVersionArn = &e.VersionARN
		}
		if e.AliasARN != "" {
			item.StateMachineAliasArn = &e.AliasARN
		}
		if e.MapRunARN != "" {
			item.MapRunArn = &e.MapRunARN
		}
		// redriveCount is always there, 0 for an execution never redriven
		// (observed); redriveDate only after a redrive.
		item.RedriveCount, item.RedriveDate = &e.RedriveCount, ts(e.RedriveDate)
		out.Executions = append(out.Executions, item)
	}
	if page.NextToken != "" {
		out.NextToken = &page.NextToken
	}
	return out, nil
}

// listTarget checks the state machine, version or alias ARN whose
// executions ListExecutions lists, with DescribeStateMachine's errors
// (InvalidArn, StateMachineDoesNotExist - in another region or account
// too), and sets it in p.
func (s *Service) listTarget(ctx context.Context, arn string, p *store.ListExecutionsParams) error {
	pa, ok := parseARN(arn)
	if !ok || pa.kind != "stateMachine" || len(pa.parts) == 0 || len(pa.parts) > 2 || pa.parts[0] == "" {
		return invalidArn(arn)
	}
	notExist := apiError(ErrStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	smARN := strings.Join(strings.Split(arn, ":")[:7], ":")
	sm, err := s.store.GetStateMachine(ctx, smARN)
	if errors.Is(err, store.ErrNotFound) {
		return notExist
	}
	if err != nil {
		return storeError("get state machine", err)
	}
	if sm.Type == store.Express {
		return apiError(ErrStateMachineTypeNotSupported, "This operation is not supported by this type of state machine")
	}
	switch {
	case len(pa.parts) == 1:
		p.StateMachineARN = arn
	case isNumber(pa.parts[1]):
		if _, err := s.store.GetVersion(ctx, arn); errors.Is(err, store.ErrNotFound) {
			return notExist
		} else if err != nil {
			return storeError("get version", err)
		}
		p.VersionARN = arn
	default:
		if _, err := s.store.GetAlias(ctx, arn); errors.Is(err, store.ErrNotFound) {
			return notExist
		} else if err != nil {
			return storeError("get alias", err)
		}
		p.AliasARN = arn
	}
	return nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// maxResults checks a maxResults member: 0..1000 (0 means the default).
func maxResults(p *int) (int, error) {
	if p == nil {
		return 0, nil
	}
	if *p > store.MaxMaxResults {
		return 0, validation(*p, "maxResults", "Member must have value less than or equal to 1000")
	}
	if *p < 0 {
		return 0, validation(*p, "maxResults", "Member must have value greater than or equal to 0")
	}
	return *p, nil
}

// GetExecutionHistory pages through an execution's history events.
func (s *Service) GetExecutionHistory(ctx context.Context, in *GetExecutionHistoryInput) (*GetExecutionHistoryOutput, error) {
	rec, err := s.getExecution(ctx, in.ExecutionArn, 0)
	if err != nil {
		return nil, err
	}
	if rec.Type == store.Express {
		return nil, apiError(ErrStateMachineTypeNotSupported, "This operation is not supported by this type of state machine")
	}
	p := store.HistoryParams{ExecutionARN: rec.ARN, Reverse: in.ReverseOrder != nil && *in.ReverseOrder}
	if p.MaxResults, err = maxResults(in.MaxResults); err != nil {
		return nil, err
	}
	if in.NextToken != nil {
		p.NextToken = *in.NextToken
	}
	page, err := s.store.History(ctx, p)
	if err != nil {
		return nil, storeError("history", err)
	}
	withData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	out := &GetExecutionHistoryOutput{Events: make([]json.RawMessage, 0, len(page.Items))}
	for i := range page.Items {
		ev := page.Items[i]
		if !withData && ev.Details != nil {
			d := *ev.Details
			d.Input, d.Output, d.Parameters = nil, nil, nil
			ev.Details = &d
		}
		b, err := json.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("encode event %d: %w", ev.ID, err)
		}
		out.Events = append(out.Events, b)
	}
	if page.NextToken != "" {
		out.NextToken = &page.NextToken
	}
	return out, nil
}

// StopExecution stops a running execution (ExecutionAborted).
func (s *Service) StopExecution(ctx context.Context, in *StopExecutionInput) (*StopExecutionOutput, error) {
	rec, err := s.getExecution(ctx, in.ExecutionArn, 0)
	if err != nil {
		return nil, err
	}
	if rec.Type == store.Express {
		return nil, apiError(ErrStateMachineTypeNotSupported, "This operation is not supported by this type of state machine")
	}
	if rec.Status == store.Running {
		if l := s.exec.get(rec.ARN); l != nil {
			if err := s.exec.apply(l, func(now time.Time) *engine.Batch { return l.x.Stop(in.Error, in.Cause, now) }); err != nil && !errors.Is(err, errNotLive) {
				return nil, err
			}
			if rec, err = s.getExecution(ctx, rec.ARN, 0); err != nil {
				return nil, err
			}
		} else {
			// Another node drives it: ask that node, and wait for the stop.
			if err := s.forward(ctx, &store.Request{ExecutionARN: rec.ARN, Kind: store.RequestStop, Error: in.Error, Cause: in.Cause}); err != nil {
				return nil, err
			}
			if rec, err = s.waitStopped(ctx, rec.ARN); err != nil {
				return nil, err
			}
			if rec.StopDate.IsZero() {
				rec.StopDate = s.now() // the owner has not applied it yet
			}
		}
	}
	return &StopExecutionOutput{StopDate: ts(rec.StopDate)}, nil
}

// waitStopped waits, for at most remoteStopWait, until an execution another
// node drives has ended, and returns it.
func (s *Service) waitStopped(ctx context.Context, arn string) (*store.Execution, error) {
	deadline := time.Now().Add(remoteStopWait)
	for {
		rec, err := s.getExecution(ctx, arn, 0)
		if err != nil || rec.Status != store.Running || time.Now().After(deadline) {
			return rec, err
		}
		select {
		case <-ctx.Done():
			return rec, nil
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// remoteStopWait bounds how long StopExecution waits for another node to
// stop an execution.
const remoteStopWait = 10 * time.Second

// DescribeStateMachineForExecution returns the definition an execution runs.
func (s *Service) DescribeStateMachineForExecution(ctx context.Context, in *DescribeStateMachineForExecutionInput) (*DescribeStateMachineForExecutionOutput, error) {
	rec, err := s.getExecution(ctx, in.ExecutionArn, store.IncludeDefinition)
	if err != nil {
		return nil, err
	}
	out := &DescribeStateMachineForExecutionOutput{StateMachineArn: rec.StateMachineARN, Definition: rec.Definition, UpdateDate: ts(rec.StartDate),
		EncryptionConfiguration: awsOwnedKey(), VariableReferences: s.variableReferences(rec.Definition, string(rec.Type))}
	if p, ok := parseARN(rec.StateMachineARN); ok {
		out.Name = p.parts[0]
	}
	if rec.MapRunARN != "" {
		out.MapRunArn = &rec.MapRunARN
	}
	if rec.VersionARN != "" {
		// An execution of a version describes that version.
		if v, err := s.store.GetVersion(ctx, rec.VersionARN); err == nil {
			out.RoleArn, out.UpdateDate = v.RoleARN, ts(v.CreationDate)
			out.LoggingConfiguration = loggingConfig(v.LoggingConfiguration)
			out.TracingConfiguration = tracingConfig(v.TracingConfiguration)
			if v.RevisionID != "" {
				out.RevisionId = &v.RevisionID
			}
			return out, nil
		}
	}
	// The execution runs the revision it started with: the state machine's
	// current one describes it only while the definition is the same.
	// Its role is the one ExecutionStarted recorded.
	sm, err := s.store.GetStateMachine(ctx, rec.StateMachineARN)
	if err == nil && sm.Definition == rec.Definition {
		out.RoleArn = sm.RoleARN
		out.UpdateDate = ts(sm.CreationDate)
		if !sm.UpdateDate.IsZero() {
			out.UpdateDate = ts(sm.UpdateDate)
		}
		out.LoggingConfiguration = loggingConfig(sm.LoggingConfiguration)
		out.TracingConfiguration = tracingConfig(sm.TracingConfiguration)
		if sm.RevisionID != "" {
			out.RevisionId = &sm.RevisionID
		}
	}
	if role := s.startedRole(ctx, rec); role != "" {
		out.RoleArn = role
	} else if out.RoleArn == "" && sm != nil {
		out.RoleArn = sm.RoleARN
	}
	if out.LoggingConfiguration == nil {
		out.LoggingConfiguration, out.TracingConfiguration = loggingConfig(""), tracingConfig("")
	}
	return out, nil
}

// startedRole returns the role an execution started with, as its
// ExecutionStarted event records it ("" when its history is not kept).
func (s *Service) startedRole(ctx context.Context, rec *store.Execution) string {
	if rec.Type == store.Express {
		return ""
	}
	page, err := s.store.History(ctx, store.HistoryParams{ExecutionARN: rec.ARN, MaxResults: 1})
	if err != nil || len(page.Items) == 0 || page.Items[0].Details == nil {
		return ""
	}
	return page.Items[0].Details.RoleArn
}

// loggingConfig returns a stored logging configuration, with AWS's
// defaults for what it lacks (all of it when none was set, or when what an
// earlier version stored is not one).
func loggingConfig(text string) *LoggingConfiguration {
	var lc LoggingConfiguration
	if text == "" || json.Unmarshal([]byte(text), &lc) != nil {
		lc = LoggingConfiguration{}
	}
	if lc.Level == nil {
		lc.Level = ptr("OFF")
	}
	if lc.IncludeExecutionData == nil {
		lc.IncludeExecutionData = ptr(false)
	}
	return &lc
}

// tracingConfig returns a stored tracing configuration, or AWS's default.
func tracingConfig(text string) *TracingConfiguration {
	var tc TracingConfiguration
	if text == "" || json.Unmarshal([]byte(text), &tc) != nil || tc.Enabled == nil {
		tc.Enabled = ptr(false)
	}
	return &tc
}
