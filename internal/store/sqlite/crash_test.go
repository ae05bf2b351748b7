package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"stepd/internal/history"
	"stepd/internal/store"
	"stepd/internal/store/sqlite"
)

// crashEnv names the database a child process of TestCrashKeepsCommits
// writes to until it is killed.
const crashEnv = "STEPD_STORE_CRASH_CHILD"

const crashExecs = 20

func crashARN(i int) string {
	return fmt.Sprintf("arn:aws:states:us-east-1:123456789012:execution:crash:e%d", i)
}

// TestCrashKeepsCommits runs a child process that commits transitions
// from several goroutines and acknowledges each on stdout once Commit has
// returned, kills it with SIGKILL (no Close, so no checkpoint: the
// transitions are only in the WAL), reopens the database and checks that
// every acknowledged transition is there and the store is consistent
// (style.md practice 19; bbolt's powerfailure test).
func TestCrashKeepsCommits(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "stepd.db")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashKeepsCommits$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]int64{}
	sc := bufio.NewScanner(out)
	const want = 3000
	n := 0
	for n < want && sc.Scan() {
		arn, count, ok := strings.Cut(sc.Text(), " ")
		if !ok || !strings.HasPrefix(arn, "arn:") {
			continue // test framework output
		}
		c, err := strconv.ParseInt(count, 10, 64)
		if err != nil {
			t.Fatalf("child wrote %q", sc.Text())
		}
		acked[arn] = max(acked[arn], c)
		n++
	}
	if n < want {
		t.Fatalf("child acknowledged %d transitions, then stopped: %v", n, sc.Err())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("no WAL left behind by the killed child (%v): the test would not test recovery", err)
	}

	s, err := sqlite.Open(t.Context(), path, sqlite.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(t.Context()); err != nil {
		t.Fatalf("after the crash: %v", err)
	}
	for arn, count := range acked {
		e, err := s.GetExecution(t.Context(), arn, store.IncludeSnapshot)
		if err != nil {
			t.Fatalf("%s: %v", arn, err)
		}
		if e.EventCount < count {
			t.Errorf("%s: %d events after the crash, %d acknowledged", arn, e.EventCount, count)
		}
		if want := fmt.Sprint("snapshot-", e.EventCount); string(e.Snapshot) != want {
			t.Errorf("%s: snapshot %q with %d events", arn, e.Snapshot, e.EventCount)
		}
		p, err := s.History(t.Context(), store.HistoryParams{ExecutionARN: arn, Reverse: true, MaxResults: 1})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != e.EventCount {
			t.Errorf("%s: last event %v (%v), want id %d", arn, p.Items, err, e.EventCount)
		}
	}
	// The reopened store goes on.
	for arn, count := range acked {
		e, err := s.GetExecution(t.Context(), arn, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(t.Context(), crashTransition(arn, e.EventCount)); err != nil {
			t.Fatalf("commit after the crash to %s (acked %d): %v", arn, count, err)
		}
	}
}

func crashTransition(arn string, prev int64) *store.Transition {
	ts := time.Unix(1_700_000_000, 0)
	evs := []history.Event{
		{ID: prev + 1, PreviousEventID: prev, Timestamp: ts, Type: history.PassStateExited, Details: &history.Details{Name: "P", Output: history.Str("{}"), OutputDetails: history.NotTruncated}},
		{ID: prev + 2, PreviousEventID: prev + 1, Timestamp: ts, Type: history.PassStateEntered, Details: &history.Details{Name: "P", Input: history.Str("{}"), InputDetails: history.NotTruncated}},
	}
	return &store.Transition{ExecutionARN: arn, PrevEventCount: prev, Events: evs, Status: store.Running,
		Snapshot: fmt.Appendf(nil, "snapshot-%d", prev+2)}
}

// crashChild commits until killed, printing "<arn> <eventCount>" after
// each Commit returns.
func crashChild(t *testing.T, path string) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, sqlite.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range crashExecs {
		arn := crashARN(i)
		e := &store.Execution{ARN: arn, StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:crash",
			Name: fmt.Sprint("e", i), Type: store.Standard, Status: store.Running, Input: "{}", StartDate: time.Now()}
		if err := s.CreateExecution(ctx, e, nil); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for prev := int64(0); ; prev += 2 {
				if err := s.Commit(ctx, crashTransition(arn, prev)); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "%s %d\n", arn, prev+2)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
