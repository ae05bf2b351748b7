package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stepd/internal/server/servertest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startServer runs a server on a free port in a temporary data directory
// and stops it when the test ends.
func startServer(t *testing.T, dataDir string) *Server {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	srv, err := New(Config{Addr: "127.0.0.1:0", DataDir: dataDir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	servertest.Run(t, srv)
	return srv
}

func TestHealthAndShutdown(t *testing.T) {
	srv, err := New(Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	resp, err := http.Get(srv.URL() + "/health")
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || h["status"] != "ok" || h["region"] != "us-east-1" || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("health: %d %v", resp.StatusCode, h)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if _, err := http.Get(srv.URL() + "/health"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

// TestStopDuringRecovery: a server stopped before or while it recovers
// executions (SIGTERM right after start) shuts down cleanly: Run returns no
// error, nothing listens, and the data directory opens again at once.
func TestStopDuringRecovery(t *testing.T) {
	dir := t.TempDir()
	srv, err := New(Config{Addr: "127.0.0.1:0", DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Run(ctx); err != nil {
		t.Fatalf("run stopped during recovery: %v", err)
	}
	if _, err := http.Get(srv.URL() + "/health"); err == nil {
		t.Fatal("listening after a stop during recovery")
	}
	again := startServer(t, dir)
	resp, err := http.Get(again.URL() + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestConfig(t *testing.T) {
	env := map[string]string{EnvAddr: "0.0.0.0:9000", EnvData: "/tmp/x", EnvRegion: "eu-west-1", EnvAccount: "000000000000"}
	cfg := FromEnv(func(k string) string { return env[k] })
	if cfg.Addr != "0.0.0.0:9000" || cfg.DataDir != "/tmp/x" || cfg.Region != "eu-west-1" || cfg.Account != "000000000000" {
		t.Fatalf("from env: %+v", cfg)
	}
	def := FromEnv(func(string) string { return "" })
	if def.Addr != DefaultAddr || def.DataDir != DefaultDataDir || def.Region != "us-east-1" || def.Account != "123456789012" {
		t.Fatalf("defaults: %+v", def)
	}
	bad := []struct {
		cfg  Config
		want string
	}{
		{Config{Addr: "nope"}, "addr"},
		{Config{Region: "moon"}, "region"},
		{Config{Account: "12"}, "account"},
	}
	for _, c := range bad {
		err := c.cfg.WithDefaults().Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v", c.cfg, err)
		}
	}
	if _, err := New(Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Region: "moon", Logger: quiet()}); err == nil {
		t.Error("New accepted an invalid region")
	}
}

// TestFunctionsSurviveRestart: a function created through the API is
// still there, and runs, after the server restarts on the same data.
func TestFunctionsSurviveRestart(t *testing.T) {
	needTool(t, "python3")
	dir := t.TempDir()
	ctx := context.Background()
	srv, err := New(Config{Addr: "127.0.0.1:0", DataDir: dir, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx) }()
	client := lambdaClient(t, srv.URL())
	createMockAPI(t, client, "persisted")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "functions", "persisted", "function.json")); err != nil {
		t.Fatalf("function not stored: %v", err)
	}
	srv2 := startServer(t, dir)
	out := invoke(t, lambdaClient(t, srv2.URL()), "persisted", `{"statuscode":"200"}`)
	if string(out.Payload) != `"200 OK"` {
		t.Fatalf("after restart: %s", out.Payload)
	}
}
