package sfn

import (
	"context"
	"strconv"
	"strings"

	"stepd/internal/engine"
)

// The child workflow executions of a Map Run. On AWS each iteration of a
// distributed Map is an execution of its own, listed by ListExecutions with
// the mapRunArn and described by DescribeExecution, with the ARN
// arn:aws:states:<region>:<account>:execution:<stateMachine>/<label>:<name>
// and the Map Run's "state machine" <stateMachine>/<label>. stepd runs the
// iterations inline in the parent (see mapruns.go), and keeps no execution,
// history, input or output per iteration, only the record of each child the
// engine keeps in the parent's snapshot: its status, start and stop dates,
// error and cause, and redrives. So these answers are derived from the Map
// Run in the parent's history and that record: one child per item (or
// batch) that was started, named <mapRunId>-<index> (so that its ARN leads
// back to its Map Run), with its own status and dates; a child waiting for
// the redrive of its run is PENDING_REDRIVE. Items never started have no
// child. Without a record (a parent recorded by an older version of stepd)
// every item is a child with the Map Run's start and stop dates and its
// status (a failed run shows every child FAILED, an aborted one every child
// ABORTED). DescribeExecution of a child says its input and output are not
// included; GetExecutionHistory and DescribeStateMachineForExecution do
// not know it.

// childExecution is one iteration of a Map Run.
type childExecution struct {
	run   *mapRun
	index int64
}

// id is the Map Run's id, the last part of its ARN.
func (r *mapRun) id() string { return r.arn[strings.LastIndexByte(r.arn, ':')+1:] }

func (c childExecution) name() string { return c.run.id() + "-" + strconv.FormatInt(c.index, 10) }

func (c childExecution) arn() string {
	p, _ := parseARN(c.run.arn)
	return "arn:aws:states:" + p.region + ":" + p.account + ":execution:" + c.run.smName + "/" + c.run.label + ":" + c.name()
}

// mapRunChildren answers ListExecutions for a Map Run: its children in item
// order, those with status when it is not "" (and the redrive filter's),
// paged.
func (s *Service) mapRunChildren(ctx context.Context, in *ListExecutionsInput, status string, limit int) (*ListExecutionsOutput, error) {
	r, _, err := s.findMapRun(ctx, *in.MapRunArn)
	if err != nil {
		return nil, err
	}
	view, n := r.childViews(s.childrenOf(ctx, r))
	var indexes []int
	for i := range n {
		c, started := view(i)
		if started && (status == "" || c.status == status) &&
			(in.RedriveFilter == nil || (*in.RedriveFilter == "REDRIVEN") == (c.redrives > 0)) {
			indexes = append(indexes, i)
		}
	}
	filter := status
	if in.RedriveFilter != nil {
		filter += "/" + *in.RedriveFilter
	}
	from, to, next, err := pageRange(len(indexes), "mapRunExecutions", r.arn+"\x01"+filter, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	out := &ListExecutionsOutput{Executions: make([]ExecutionListItem, 0, to-from), NextToken: next}
	for _, i := range indexes[from:to] {
		ch := childExecution{run: r, index: int64(i)}
		c, _ := view(i)
		item := ExecutionListItem{ExecutionArn: ch.arn(), StateMachineArn: r.stateMachineARN(), Name: ch.name(), Status: c.status,
			StartDate: ts(c.start), StopDate: ts(c.stop), MapRunArn: &r.arn, ItemCount: &c.items}
		item.RedriveCount, item.RedriveDate = &c.redrives, ts(c.redriven)
		out.Executions = append(out.Executions, item)
	}
	return out, nil
}

// childViews returns what the API shows of each child of r, and how many
// there may be: as the record mr says, or, without one (a parent recorded
// by an older version of stepd), every item a child with the run's status
// and dates.
func (r *mapRun) childViews(mr *engine.MapRun) (view func(i int) (childView, bool), n int) {
	if mr != nil {
		return func(i int) (childView, bool) { return r.child(mr, i) }, len(mr.Children)
	}
	v := childView{status: r.status, start: r.start, stop: r.stop, redrives: r.redrives, redriven: r.redriven, items: 1}
	return func(int) (childView, bool) { return v, true }, int(r.items)
}

// describeChild describes the child execution arn of a Map Run, or returns
// nil when arn names none.
func (s *Service) describeChild(ctx context.Context, arn string) *DescribeExecutionOutput {
	p, ok := parseARN(arn)
	if !ok || p.kind != "execution" || len(p.parts) != 2 || !strings.Contains(p.parts[0], "/") {
		return nil
	}
	i := strings.LastIndexByte(p.parts[1], '-')
	if i < 0 {
		return nil
	}
	index, err := strconv.ParseInt(p.parts[1][i+1:], 10, 64)
	if err != nil || index < 0 {
		return nil
	}
	runARN := "arn:aws:states:" + p.region + ":" + p.account + ":mapRun:" + p.parts[0] + ":" + p.parts[1][:i]
	r, _, err := s.findMapRun(ctx, runARN)
	if err != nil || index >= r.items {
		return nil
	}
	c := childExecution{run: r, index: index}
	if c.arn() != arn {
		return nil
	}
	view, _ := r.childViews(s.childrenOf(ctx, r))
	v, started := view(int(index))
	if !started {
		return nil
	}
	out := &DescribeExecutionOutput{ExecutionArn: arn, StateMachineArn: r.stateMachineARN(), Name: c.name(), Status: v.status,
		StartDate: ts(v.start), StopDate: ts(v.stop), MapRunArn: &r.arn, InputDetails: &PayloadDetails{}, RedriveCount: &v.redrives,
		RedriveDate: ts(v.redriven)}
	if v.status != "RUNNING" {
		out.OutputDetails = &PayloadDetails{}
	}
	if v.status == "FAILED" {
		out.Error, out.Cause = v.err, v.cause
	}
	reason := "Execution was started by a Map Run; redrive its parent execution"
	out.RedriveStatus, out.RedriveStatusReason = ptr("NOT_REDRIVABLE"), &reason
	return out
}
