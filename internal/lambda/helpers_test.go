package lambda

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"stepd/internal/lambda/logstore"
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

// gate lets a test hold functions mid-invoke without sleeping: a handler
// connects to it, writes one line (its pid) and blocks until the test
// releases it.
type gate struct {
	ln    net.Listener
	conns chan gateConn
}

type gateConn struct {
	c   net.Conn
	pid string
}

func newGate(t testing.TB) *gate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{ln: ln, conns: make(chan gateConn, 64)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(g.conns)
				return
			}
			line, _ := bufio.NewReader(c).ReadString('\n')
			g.conns <- gateConn{c: c, pid: strings.TrimSpace(line)}
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return g
}

func (g *gate) port() string { return strconv.Itoa(g.ln.Addr().(*net.TCPAddr).Port) }

// next waits for the next handler to arrive at the gate.
func (g *gate) next(t testing.TB) gateConn {
	t.Helper()
	select {
	case c := <-g.conns:
		return c
	case <-time.After(30 * time.Second):
		t.Fatal("no function reached the gate")
		return gateConn{}
	}
}

func (c gateConn) release() {
	_, _ = c.c.Write([]byte("x"))
	c.c.Close()
}

// gatePython is a Python handler that waits at the gate named by GATE_PORT
// and returns its pid.
const gatePython = `import os, socket
def handler(event, context):
    s = socket.create_connection(("127.0.0.1", int(os.environ["GATE_PORT"])))
    s.sendall(b"%d\n" % os.getpid())
    s.recv(1)
    return os.getpid()
`

// sharedDir returns ../shared (the project's shared reference material) or
// skips the test.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared reference material not found at %s (../shared relative to the repository)", dir)
	}
	return dir
}

func decodeTail(t testing.TB, out *InvokeOutput) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(out.LogResult)
	if err != nil {
		t.Fatalf("LogResult is not base64: %v", err)
	}
	return string(b)
}

var timeFarFuture = time.Now().Add(100 * 365 * 24 * time.Hour)

func logstoreQuery() logstore.Query { return logstore.Query{From: -1} }
