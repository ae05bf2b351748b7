package store_test

import (
	"errors"
	"strings"
	"testing"

	"stepd/internal/store"
)

func TestExecutionStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s               store.ExecutionStatus
		valid, terminal bool
	}{
		{store.Running, true, false},
		{store.PendingRedrive, true, false},
		{store.Succeeded, true, true},
		{store.Failed, true, true},
		{store.TimedOut, true, true},
		{store.Aborted, true, true},
		{"", false, false},
		{"succeeded", false, false},
		{"TIMEDOUT", false, false},
		{"CANCELLED", false, false},
	}
	for _, tt := range tests {
		if got := tt.s.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.s, got, tt.valid)
		}
		if got := tt.s.Terminal(); got != tt.terminal {
			t.Errorf("%q.Terminal() = %v, want %v", tt.s, got, tt.terminal)
		}
	}
	// The values are the API's ExecutionStatus names.
	for s, want := range map[store.ExecutionStatus]string{
		store.Running: "RUNNING", store.Succeeded: "SUCCEEDED", store.Failed: "FAILED",
		store.TimedOut: "TIMED_OUT", store.Aborted: "ABORTED", store.PendingRedrive: "PENDING_REDRIVE",
	} {
		if string(s) != want {
			t.Errorf("status %q, want %q", s, want)
		}
	}
}

func TestRequestKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		k           store.RequestKind
		valid, task bool
	}{
		{store.RequestTaskSuccess, true, true},
		{store.RequestTaskFailure, true, true},
		{store.RequestTaskHeartbeat, true, true},
		{store.RequestStop, true, false},
		{"", false, false},
		{"task", false, false},
		{"STOP", false, false},
	}
	for _, tt := range tests {
		if got := tt.k.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.k, got, tt.valid)
		}
		if got := tt.k.Task(); got != tt.task {
			t.Errorf("%q.Task() = %v, want %v", tt.k, got, tt.task)
		}
	}
}

func TestRequestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		r       store.Request
		wantErr string
	}{
		{"task success", store.Request{ExecutionARN: arn, Kind: store.RequestTaskSuccess, TaskToken: "tok", Output: new(string)}, ""},
		{"task failure without error or cause", store.Request{ExecutionARN: arn, Kind: store.RequestTaskFailure, TaskToken: "tok"}, ""},
		{"heartbeat", store.Request{ExecutionARN: arn, Kind: store.RequestTaskHeartbeat, TaskToken: "tok"}, ""},
		{"stop", store.Request{ExecutionARN: arn, Kind: store.RequestStop}, ""},
		{"stop with a token", store.Request{ExecutionARN: arn, Kind: store.RequestStop, TaskToken: "tok"}, ""},

		{"no kind", store.Request{ExecutionARN: arn}, `kind ""`},
		{"unknown kind", store.Request{ExecutionARN: arn, Kind: "pause"}, `kind "pause"`},
		{"success without token", store.Request{ExecutionARN: arn, Kind: store.RequestTaskSuccess}, "task-success without a task token"},
		{"failure without token", store.Request{ExecutionARN: arn, Kind: store.RequestTaskFailure}, "task-failure without a task token"},
		{"heartbeat without token", store.Request{ExecutionARN: arn, Kind: store.RequestTaskHeartbeat}, "task-heartbeat without a task token"},
	}
	for _, tt := range tests {
		err := tt.r.Validate()
		switch {
		case tt.wantErr == "":
			if err != nil {
				t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
			}
		case !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), arn):
			t.Errorf("%s: Validate() = %v, want an error wrapping ErrInvalid naming the execution and containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestListExecutionsFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		p         store.ListExecutionsParams
		wantField store.ExecutionFilter
		wantARN   string
		wantErr   string
	}{
		{"state machine", store.ListExecutionsParams{StateMachineARN: "sm"}, store.ByStateMachine, "sm", ""},
		{"version", store.ListExecutionsParams{VersionARN: "sm:1"}, store.ByVersion, "sm:1", ""},
		{"alias", store.ListExecutionsParams{AliasARN: "sm:a"}, store.ByAlias, "sm:a", ""},
		{"map run", store.ListExecutionsParams{MapRunARN: "mr"}, store.ByMapRun, "mr", ""},
		{"with a status", store.ListExecutionsParams{StateMachineARN: "sm", Status: store.PendingRedrive}, store.ByStateMachine, "sm", ""},
		{"paging fields ignored", store.ListExecutionsParams{MapRunARN: "mr", MaxResults: -5, NextToken: "x"}, store.ByMapRun, "mr", ""},

		{"none", store.ListExecutionsParams{}, "", "", "got 0"},
		{"two", store.ListExecutionsParams{StateMachineARN: "sm", VersionARN: "sm:1"}, "", "", "got 2"},
		{"all four", store.ListExecutionsParams{StateMachineARN: "a", VersionARN: "b", AliasARN: "c", MapRunARN: "d"}, "", "", "got 4"},
		{"bad status", store.ListExecutionsParams{StateMachineARN: "sm", Status: "running"}, "", "", `status "running"`},
	}
	for _, tt := range tests {
		field, value, err := tt.p.Filter()
		if tt.wantErr == "" {
			if err != nil || field != tt.wantField || value != tt.wantARN {
				t.Errorf("%s: Filter() = %q, %q, %v; want %q, %q", tt.name, field, value, err, tt.wantField, tt.wantARN)
			}
			continue
		}
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) || field != "" || value != "" {
			t.Errorf("%s: Filter() = %q, %q, %v; want an error wrapping ErrInvalid containing %q", tt.name, field, value, err, tt.wantErr)
		}
	}
}

// TestSentinelErrors checks that the sentinels are distinct, so that
// errors.Is tells them apart.
func TestSentinelErrors(t *testing.T) {
	t.Parallel()
	all := []error{store.ErrNotFound, store.ErrAlreadyExists, store.ErrConflict, store.ErrInvalidToken, store.ErrInvalid, store.ErrClosed}
	for i, a := range all {
		for j, b := range all {
			if (i == j) != errors.Is(a, b) {
				t.Errorf("errors.Is(%v, %v) = %v", a, b, errors.Is(a, b))
			}
		}
	}
}
