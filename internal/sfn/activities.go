package sfn

import (
	"context"
	"errors"
	"time"

	"stepd/internal/engine"
	"stepd/internal/jsonv"
	"stepd/internal/store"
)

// ActivityPollTimeout is how long GetActivityTask waits for a task (AWS: 60
// seconds).
const ActivityPollTimeout = 60 * time.Second

// CreateActivityInput is CreateActivity's request.
type CreateActivityInput struct {
	Name string `json:"name"`
	Tags []Tag  `json:"tags,omitempty"`
}

// CreateActivityOutput is CreateActivity's response.
type CreateActivityOutput struct {
	ActivityArn  string     `json:"activityArn"`
	CreationDate *Timestamp `json:"creationDate"`
}

// CreateActivity creates an activity; it is idempotent by name.
func (s *Service) CreateActivity(ctx context.Context, in *CreateActivityInput) (*CreateActivityOutput, error) {
	if err := checkName(in.Name, "name"); err != nil {
		return nil, err
	}
	a := &store.Activity{ARN: s.resourceARN("activity", in.Name), Name: in.Name, CreationDate: s.now(), Tags: storeTags(in.Tags)}
	if err := checkNewTags(in.Tags, a.ARN); err != nil {
		return nil, err
	}
	if err := s.store.CreateActivity(ctx, a); err != nil {
		if !errors.Is(err, store.ErrAlreadyExists) {
			return nil, storeError("create activity", err)
		}
		old, err := s.store.GetActivity(ctx, a.ARN)
		if err != nil {
			return nil, storeError("get activity", err)
		}
		a = old
	}
	return &CreateActivityOutput{ActivityArn: a.ARN, CreationDate: ts(a.CreationDate)}, nil
}

// ActivityInput names an activity (DescribeActivity, DeleteActivity).
type ActivityInput struct {
	ActivityArn string `json:"activityArn"`
}

// DescribeActivityOutput is DescribeActivity's response.
type DescribeActivityOutput struct {
	ActivityArn  string     `json:"activityArn"`
	Name         string     `json:"name"`
	CreationDate *Timestamp `json:"creationDate"`
	// EncryptionConfiguration is always AWS's default (see awsOwnedKey).
	EncryptionConfiguration *EncryptionConfiguration `json:"encryptionConfiguration,omitempty"`
}

func (s *Service) getActivity(ctx context.Context, arn string) (*store.Activity, error) {
	if arn == "" {
		return nil, validation(nil, "activityArn", "Member must not be null")
	}
	p, ok := parseARN(arn)
	if !ok || p.kind != "activity" || len(p.parts) != 1 {
		return nil, invalidArn(arn)
	}
	a, err := s.store.GetActivity(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apiError(ErrActivityDoesNotExist, "Activity Does Not Exist: '%s'", arn)
	}
	if err != nil {
		return nil, storeError("get activity", err)
	}
	return a, nil
}

// DescribeActivity describes an activity.
func (s *Service) DescribeActivity(ctx context.Context, in *ActivityInput) (*DescribeActivityOutput, error) {
	a, err := s.getActivity(ctx, in.ActivityArn)
	if err != nil {
		return nil, err
	}
	return &DescribeActivityOutput{ActivityArn: a.ARN, Name: a.Name, CreationDate: ts(a.CreationDate), EncryptionConfiguration: awsOwnedKey()}, nil
}

// DeleteActivity deletes an activity.
func (s *Service) DeleteActivity(ctx context.Context, in *ActivityInput) (*struct{}, error) {
	if _, ok := parseARN(in.ActivityArn); !ok {
		return nil, invalidArn(in.ActivityArn)
	}
	if err := s.store.DeleteActivity(ctx, in.ActivityArn); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, storeError("delete activity", err)
	}
	return &struct{}{}, nil
}

// ActivityListItem is one entry of ListActivities.
type ActivityListItem struct {
	ActivityArn  string     `json:"activityArn"`
	Name         string     `json:"name"`
	CreationDate *Timestamp `json:"creationDate"`
}

// ListActivitiesOutput is ListActivities' response.
type ListActivitiesOutput struct {
	Activities []ActivityListItem `json:"activities"`
	NextToken  *string            `json:"nextToken,omitempty"`
}

// ListActivities lists activities.
func (s *Service) ListActivities(ctx context.Context, in *ListStateMachinesInput) (*ListActivitiesOutput, error) {
	items, next, err := listPage(ctx, in, s.store.ListActivities, "list activities", func(a *store.Activity) ActivityListItem {
		return ActivityListItem{ActivityArn: a.ARN, Name: a.Name, CreationDate: ts(a.CreationDate)}
	})
	if err != nil {
		return nil, err
	}
	return &ListActivitiesOutput{Activities: items, NextToken: next}, nil
}

// GetActivityTaskInput is GetActivityTask's request.
type GetActivityTaskInput struct {
	ActivityArn string  `json:"activityArn"`
	WorkerName  *string `json:"workerName,omitempty"`
}

// GetActivityTaskOutput is GetActivityTask's response; both members are
// absent when no task arrived within the poll.
type GetActivityTaskOutput struct {
	TaskToken *string `json:"taskToken,omitempty"`
	Input     *string `json:"input,omitempty"`
}

// GetActivityTask waits up to 60 seconds for a task of the activity and
// hands it to the worker.
func (s *Service) GetActivityTask(ctx context.Context, in *GetActivityTaskInput) (*GetActivityTaskOutput, error) {
	a, err := s.getActivity(ctx, in.ActivityArn)
	if err != nil {
		return nil, err
	}
	worker := ""
	if in.WorkerName != nil {
		worker = *in.WorkerName
		if err := checkNameLength(worker, "workerName"); err != nil {
			return nil, err
		}
	}
	deadline := time.NewTimer(ActivityPollTimeout)
	defer deadline.Stop()
	for {
		wake := s.exec.pollChan(a.ARN)
		t, err := s.store.ClaimActivityTask(ctx, store.ClaimTaskParams{ActivityARN: a.ARN, Worker: worker, Now: s.now()})
		if err != nil {
			return nil, storeError("claim activity task", err)
		}
		if t != nil {
			if l := s.exec.get(t.ExecutionARN); l != nil {
				id := t.ID
				_ = s.exec.apply(l, func(now time.Time) *engine.Batch { return l.x.TaskStarted(id, worker, now) })
			}
			return &GetActivityTaskOutput{TaskToken: &t.Token, Input: &t.Input}, nil
		}
		select {
		case <-wake:
		case <-deadline.C:
			return &GetActivityTaskOutput{}, nil
		case <-ctx.Done():
			return &GetActivityTaskOutput{}, nil
		}
	}
}

// SendTaskSuccessInput is SendTaskSuccess' request.
type SendTaskSuccessInput struct {
	TaskToken string  `json:"taskToken"`
	Output    *string `json:"output"`
}

// SendTaskFailureInput is SendTaskFailure's request.
type SendTaskFailureInput struct {
	TaskToken string  `json:"taskToken"`
	Error     *string `json:"error,omitempty"`
	Cause     *string `json:"cause,omitempty"`
}

// SendTaskHeartbeatInput is SendTaskHeartbeat's request.
type SendTaskHeartbeatInput struct {
	TaskToken string `json:"taskToken"`
}

// taskFor finds the task a token names and, when this node drives its
// execution, the live execution (nil when another node does).
func (s *Service) taskFor(ctx context.Context, token string) (*live, *store.Task, error) {
	if token == "" {
		return nil, nil, validation(nil, "taskToken", "Member must not be null")
	}
	execARN, _, ok := engine.ParseTaskToken(token)
	if !ok {
		return nil, nil, apiError(ErrInvalidToken, "Invalid token")
	}
	t, err := s.store.TaskByToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		// A token of ours whose task is over (answered, timed out, its
		// execution ended) is TaskTimedOut on AWS; one whose execution never
		// existed is TaskDoesNotExist.
		if _, err := s.store.GetExecution(ctx, execARN, 0); err == nil {
			return nil, nil, taskOver()
		}
		return nil, nil, apiError(ErrTaskDoesNotExist, "Task Does Not Exist")
	}
	if err != nil {
		return nil, nil, storeError("task by token", err)
	}
	return s.exec.get(t.ExecutionARN), t, nil
}

// taskOver is AWS's answer to a callback for a task that has ended.
func taskOver() error {
	return apiError(ErrTaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'")
}

// SendTaskSuccess completes an activity or callback task with its output.
func (s *Service) SendTaskSuccess(ctx context.Context, in *SendTaskSuccessInput) (*struct{}, error) {
	if in.Output == nil {
		return nil, validation(nil, "output", "Member must not be null")
	}
	if len(*in.Output) > MaxInputBytes {
		return nil, validation("...", "output", "Member must have length less than or equal to 262144")
	}
	out, err := jsonv.ParseString(*in.Output)
	if err != nil {
		return nil, apiError(ErrInvalidOutput, "Invalid Output: '%s'", err)
	}
	l, t, err := s.taskFor(ctx, in.TaskToken)
	if err != nil {
		return nil, err
	}
	if l == nil {
		r := &store.Request{ExecutionARN: t.ExecutionARN, Kind: store.RequestTaskSuccess, TaskToken: in.TaskToken, Output: in.Output}
		if err := s.forward(ctx, r); err != nil {
			return nil, err
		}
		return &struct{}{}, nil
	}
	id := t.ID
	if err := s.exec.apply(l, func(now time.Time) *engine.Batch { return l.x.TaskSucceeded(id, out, now) }); err != nil {
		if errors.Is(err, errNotLive) {
			return nil, taskOver()
		}
		return nil, err
	}
	return &struct{}{}, nil
}

// SendTaskFailure fails an activity or callback task.
func (s *Service) SendTaskFailure(ctx context.Context, in *SendTaskFailureInput) (*struct{}, error) {
	l, t, err := s.taskFor(ctx, in.TaskToken)
	if err != nil {
		return nil, err
	}
	if l == nil {
		r := &store.Request{ExecutionARN: t.ExecutionARN, Kind: store.RequestTaskFailure, TaskToken: in.TaskToken, Error: in.Error, Cause: in.Cause}
		if err := s.forward(ctx, r); err != nil {
			return nil, err
		}
		return &struct{}{}, nil
	}
	id := t.ID
	errName, cause := "", ""
	if in.Error != nil {
		errName = *in.Error
	}
	if in.Cause != nil {
		cause = *in.Cause
	}
	if err := s.exec.apply(l, func(now time.Time) *engine.Batch { return l.x.TaskFailed(id, errName, cause, now) }); err != nil {
		if errors.Is(err, errNotLive) {
			return nil, taskOver()
		}
		return nil, err
	}
	return &struct{}{}, nil
}

// SendTaskHeartbeat resets a task's heartbeat clock.
func (s *Service) SendTaskHeartbeat(ctx context.Context, in *SendTaskHeartbeatInput) (*struct{}, error) {
	l, t, err := s.taskFor(ctx, in.TaskToken)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.HeartbeatTask(ctx, in.TaskToken, s.now()); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, storeError("heartbeat", err)
	}
	if l == nil {
		r := &store.Request{ExecutionARN: t.ExecutionARN, Kind: store.RequestTaskHeartbeat, TaskToken: in.TaskToken}
		if err := s.forward(ctx, r); err != nil {
			return nil, err
		}
		return &struct{}{}, nil
	}
	id := t.ID
	if err := s.exec.apply(l, func(now time.Time) *engine.Batch { return l.x.TaskHeartbeat(id, now) }); err != nil && !errors.Is(err, errNotLive) {
		return nil, err
	}
	return &struct{}{}, nil
}
