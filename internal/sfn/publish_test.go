package sfn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"stepd/internal/sfn"
	"stepd/internal/store"
	"stepd/internal/store/memstore"
)

// publishHookStore runs a hook before each PublishVersion (to simulate an
// update slipping in, or the store failing).
type publishHookStore struct {
	store.Store
	hook func(ctx context.Context, v *store.Version) error
}

func (s *publishHookStore) PublishVersion(ctx context.Context, v *store.Version) error {
	if s.hook != nil {
		if err := s.hook(ctx, v); err != nil {
			return err
		}
	}
	return s.Store.PublishVersion(ctx, v)
}

// TestUpdateAndPublishFailures: UpdateStateMachine with publish that fails
// leaves the machine as it was: the version quota is checked before the
// update, and a publish that fails after it undoes the update (unless a
// concurrent update replaced it, which then stays).
func TestUpdateAndPublishFailures(t *testing.T) {
	t.Parallel()
	const (
		oldDef = `{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`
		newDef = `{"StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": true}}}`
		other  = `{"StartAt": "O", "States": {"O": {"Type": "Pass", "End": true}}}`
	)
	ctx := context.Background()
	cases := []struct {
		name     string
		versions int // published before the update
		hook     func(svc *sfn.Service, arn string) func(context.Context, *store.Version) error
		code     string
		wantDef  string
	}{
		{"version quota reached", 1000, nil, sfn.ErrServiceQuotaExceeded, oldDef},
		{"an update slips in before the publish", 1, func(svc *sfn.Service, arn string) func(context.Context, *store.Version) error {
			return func(ctx context.Context, v *store.Version) error {
				_, err := svc.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: arn, Definition: ptr(other)})
				return err
			}
		}, sfn.ErrConflict, other},
		{"the store fails to publish", 1, func(*sfn.Service, string) func(context.Context, *store.Version) error {
			return func(context.Context, *store.Version) error { return errors.New("disk full") }
		}, "", oldDef},
		{"publish succeeds", 1, nil, "ok", newDef},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := &publishHookStore{Store: memstore.New()}
			svc, err := sfn.New(sfn.Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			created, err := svc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: "m", Definition: ptr(oldDef), RoleArn: ptr(sdkRole)})
			if err != nil {
				t.Fatal(err)
			}
			arn := created.StateMachineArn
			for i := range tc.versions {
				def := oldDef
				if i < tc.versions-1 {
					def = fmt.Sprintf(`{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": %d, "End": true}}}`, i)
				}
				if _, err := svc.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: arn, Definition: ptr(def), Publish: ptr(true)}); err != nil {
					t.Fatalf("version %d: %v", i+1, err)
				}
			}
			before, err := svc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: arn})
			if err != nil {
				t.Fatal(err)
			}
			if tc.hook != nil {
				st.hook = tc.hook(svc, arn)
			}
			_, err = svc.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: arn, Definition: ptr(newDef), Publish: ptr(true),
				VersionDescription: ptr("new")})
			st.hook = nil
			var se *sfn.Error
			switch {
			case tc.code == "ok" && err != nil:
				t.Fatalf("update: %v", err)
			case tc.code == "ok":
			case tc.code == "" && err == nil:
				t.Fatal("update succeeded, want an error")
			case tc.code != "" && (!errors.As(err, &se) || se.Code != tc.code):
				t.Fatalf("update: %v, want %s", err, tc.code)
			}
			after, err := svc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: arn})
			if err != nil {
				t.Fatal(err)
			}
			if after.Definition != tc.wantDef {
				t.Errorf("definition after the update:\n  %s\nwant\n  %s", after.Definition, tc.wantDef)
			}
			if tc.wantDef == oldDef && (after.RevisionId == nil) != (before.RevisionId == nil) ||
				tc.wantDef == oldDef && after.RevisionId != nil && *after.RevisionId != *before.RevisionId {
				t.Errorf("revision %v after a failed update, was %v", after.RevisionId, before.RevisionId)
			}
			versions, err := svc.ListStateMachineVersions(ctx, &sfn.ListStateMachineVersionsInput{StateMachineArn: arn, MaxResults: ptr(1000)})
			if err != nil {
				t.Fatal(err)
			}
			want := tc.versions
			if tc.code == "ok" {
				want++
			}
			if len(versions.StateMachineVersions) != want {
				t.Errorf("%d versions, want %d", len(versions.StateMachineVersions), want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
