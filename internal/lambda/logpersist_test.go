package lambda

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"stepd/internal/lambda/logstore"
)

// TestLogsSurviveRestart: a function's log lines are in the data directory,
// and a service restarted on it answers the same log queries.
func TestLogsSurviveRestart(t *testing.T) {
	needTool(t, "python3")
	dir := t.TempDir()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func() *Service {
		svc, err := New(Options{DataDir: dir, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	closeSvc := func(svc *Service) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := svc.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	b := &testBundle{svc: open(), dir: dir}
	b.create(t, fnSpec{name: "durable", runtime: "python3.12", handler: "app.handler",
		files: map[string]string{"app.py": "def handler(e, c):\n    print('hello', e['n'])\n    return e['n']\n"}})
	var ids []string
	for _, p := range []string{`{"n":1}`, `{"n":2}`} {
		ids = append(ids, b.invoke(t, "durable", p).RequestID)
	}
	const group = "/aws/lambda/durable"
	// What `aws logs describe-log-streams / get-log-events / filter-log-events`
	// read.
	query := func(svc *Service) (streams []logstore.StreamInfo, events []logstore.Event, next, prev int64, reports []logstore.FilteredEvent) {
		t.Helper()
		streams, err := svc.Logs().Streams(group, "")
		if err != nil || len(streams) != 1 {
			t.Fatalf("streams: %+v %v", streams, err)
		}
		events, next, prev, err = svc.Logs().Events(group, streams[0].Name, logstore.Query{From: -1, Backward: true})
		if err != nil {
			t.Fatal(err)
		}
		reports, _, err = svc.Logs().Filter(group, logstore.FilterQuery{Pattern: `"REPORT RequestId"`})
		if err != nil {
			t.Fatal(err)
		}
		return streams, events, next, prev, reports
	}
	streams1, events1, next1, prev1, reports1 := query(b.svc)
	closeSvc(b.svc)
	if files, _ := filepath.Glob(filepath.Join(dir, "logs", "*", "*.jsonl")); len(files) != 1 {
		t.Fatalf("log files: %v", files)
	}

	svc := open()
	defer closeSvc(svc)
	streams2, events2, next2, prev2, reports2 := query(svc)
	if !reflect.DeepEqual(streams1, streams2) || !reflect.DeepEqual(events1, events2) || next1 != next2 || prev1 != prev2 || !reflect.DeepEqual(reports1, reports2) {
		t.Fatalf("after the restart:\n%+v\n%+v\n%+v %d %d\nbefore:\n%+v\n%+v\n%+v %d %d",
			streams2, events2, reports2, next2, prev2, streams1, events1, reports1, next1, prev1)
	}
	var text strings.Builder
	for _, e := range events2 {
		text.WriteString(e.Message)
	}
	for i, id := range ids {
		for _, want := range []string{"START RequestId: " + id + " Version: $LATEST\n", "END RequestId: " + id + "\n", "REPORT RequestId: " + id + "\tDuration: "} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("the log lacks %q:\n%s", want, text.String())
			}
		}
		if len(reports2) != 2 || !strings.Contains(reports2[i].Message, id) {
			t.Errorf("filter REPORT: %+v", reports2)
		}
	}
	if !strings.Contains(text.String(), "hello 2\n") {
		t.Errorf("the log lacks the function's output:\n%s", text.String())
	}

	// The restarted service adds a new environment's stream beside the old.
	(&testBundle{svc: svc, dir: dir}).invoke(t, "durable", `{"n":3}`)
	if streams, _ := svc.Logs().Streams(group, ""); len(streams) != 2 || streams[0].Name != streams1[0].Name {
		t.Fatalf("streams after another invoke: %+v", streams)
	}
}

// TestLogsInMemory: a store passed in Options.Logs is used as is (here one
// kept in memory only), and nothing is written under DataDir/logs.
func TestLogsInMemory(t *testing.T) {
	needTool(t, "python3")
	mem := logstore.New(logstore.Options{})
	b := newTestService(t, Options{Logs: mem})
	b.create(t, fnSpec{name: "mem", runtime: "python3.12", handler: "app.handler",
		files: map[string]string{"app.py": "def handler(e, c):\n    return 1\n"}})
	b.invoke(t, "mem", `{}`)
	if b.svc.Logs() != mem {
		t.Fatal("Options.Logs not used")
	}
	if streams, err := mem.Streams("/aws/lambda/mem", ""); err != nil || len(streams) != 1 {
		t.Fatalf("streams: %+v %v", streams, err)
	}
	if _, err := os.Stat(filepath.Join(b.dir, "logs")); !os.IsNotExist(err) {
		t.Fatalf("DataDir/logs exists: %v", err)
	}
}
