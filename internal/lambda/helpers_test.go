package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const testRole = "arn:aws:iam::123456789012:role/x"

// needTool skips the test when an executable it runs is missing.
func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed; run scripts/test-deps.sh", name)
	}
}

// zipOf builds a zip archive from file name → content. Names ending in
// "bootstrap" are made executable.
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		mode := os.FileMode(0o644)
		if filepath.Base(name) == "bootstrap" {
			mode = 0o755
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type testBundle struct {
	svc *Service
	dir string
}

// newTestService starts a service in a temporary data directory and closes
// it (killing every environment) when the test ends.
func newTestService(t testing.TB, opts Options) *testBundle {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	svc, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := svc.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return &testBundle{svc: svc, dir: opts.DataDir}
}

type fnSpec struct {
	name, runtime, handler string
	files                  map[string]string
	timeout, memory        int
	env                    map[string]string
}

func (b *testBundle) create(t testing.TB, f fnSpec) *FunctionConfiguration {
	t.Helper()
	in := &CreateFunctionInput{
		FunctionName: f.name,
		Runtime:      f.runtime,
		Role:         testRole,
		Handler:      f.handler,
		Code:         FunctionCode{ZipFile: zipOf(t, f.files)},
	}
	if f.timeout != 0 {
		in.Timeout = &f.timeout
	}
	if f.memory != 0 {
		in.MemorySize = &f.memory
	}
	if f.env != nil {
		in.Environment = &Environment{Variables: f.env}
	}
	cfg, err := b.svc.CreateFunction(context.Background(), in)
	if err != nil {
		t.Fatalf("create %s: %v", f.name, err)
	}
	return cfg
}

func (b *testBundle) invoke(t testing.TB, name, payload string) *InvokeOutput {
	t.Helper()
	out, err := b.svc.Invoke(context.Background(), &InvokeInput{FunctionName: name, Payload: []byte(payload), LogType: LogTypeTail})
	if err != nil {
		t.Fatalf("invoke %s: %v", name, err)
	}
	return out
}
