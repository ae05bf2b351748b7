package lambda

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// runtimeKind is how a Lambda runtime name is run locally.
type runtimeKind int

const (
	runtimePython   runtimeKind = iota // python3.* on the local python3
	runtimeNode                        // nodejs* on the local node
	runtimeProvided                    // provided*: an executable bootstrap in the code
)

//go:embed bootstrap/bootstrap.py
var pythonBootstrap []byte

//go:embed bootstrap/bootstrap.js
var nodeBootstrap []byte

// runtimeKindOf maps a Runtime value to how stepd runs it. Any python3.*
// (old ones such as python3.6 included) runs on the local python3, any
// nodejs* on the local node.
func runtimeKindOf(rt string) (runtimeKind, error) {
	switch {
	case strings.HasPrefix(rt, "python3"):
		return runtimePython, nil
	case strings.HasPrefix(rt, "nodejs"):
		return runtimeNode, nil
	case isProvided(rt):
		return runtimeProvided, nil
	}
	return 0, errInvalid("Value %s at 'runtime' failed to satisfy constraint: stepd runs python3.*, nodejs*, provided, provided.al2 and provided.al2023 functions", rt)
}

func isProvided(rt string) bool { return rt == "provided" || strings.HasPrefix(rt, "provided.") }

// interpreters finds the local python3 and node once, resolving shims
// (pyenv, asdf) to the real interpreter so cold starts don't pay for them.
type interpreters struct {
	pythonName, nodeName string

	pyOnce, nodeOnce sync.Once
	python, node     string
	pyErr, nodeErr   error
}

func (in *interpreters) pythonPath() (string, error) {
	in.pyOnce.Do(func() {
		in.python, in.pyErr = resolveInterpreter(in.pythonName, "-c", "import sys; print(sys.executable)")
	})
	return in.python, in.pyErr
}

func (in *interpreters) nodePath() (string, error) {
	in.nodeOnce.Do(func() {
		in.node, in.nodeErr = resolveInterpreter(in.nodeName, "-e", "console.log(process.execPath)")
	})
	return in.node, in.nodeErr
}

func resolveInterpreter(name string, args ...string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).Output()
	if err != nil {
		return "", fmt.Errorf("run %s: %w", path, err)
	}
	real := strings.TrimSpace(string(out))
	if real == "" || !filepath.IsAbs(real) {
		return path, nil
	}
	return real, nil
}

// installBootstraps writes the embedded bootstraps into a directory named
// after their content, so several stepd versions can share a data
// directory, and returns that directory.
func installBootstraps(dataDir string) (string, error) {
	h := sha256.New()
	h.Write(pythonBootstrap)
	h.Write(nodeBootstrap)
	dir := filepath.Join(dataDir, "runtime", hex.EncodeToString(h.Sum(nil))[:12])
	for name, data := range map[string][]byte{"bootstrap.py": pythonBootstrap, "bootstrap.js": nodeBootstrap} {
		path := filepath.Join(dir, name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := writeFileAtomic(path, data); err != nil {
			return "", fmt.Errorf("install runtime bootstrap: %w", err)
		}
	}
	return dir, nil
}
