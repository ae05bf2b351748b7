package lambda

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOutOfMemoryOffHeap: a Node.js function allocating off-heap memory
// (Buffers, which V8's heap limit does not cover) past its MemorySize is
// killed and the invoke fails with Runtime.OutOfMemory well before its
// Timeout, as on AWS; a function staying under the limit is unaffected.
// Without cgroup v2 the resident-memory watchdog enforces this; with it,
// memory.max does. Both the default mode and rlimit mode are covered.
func TestOutOfMemoryOffHeap(t *testing.T) {
	needTool(t, "node")
	for _, mode := range []string{MemoryLimitAuto, MemoryLimitRlimit} {
		t.Run(mode, func(t *testing.T) {
			b := newTestService(t, Options{MemoryLimit: mode})
			b.create(t, fnSpec{name: "bufhog", runtime: "nodejs20.x", handler: "index.handler", memory: 128, timeout: 10, files: map[string]string{
				"index.js": `exports.handler = async (e) => {
  const a = [];
  if (e.small) { a.push(Buffer.alloc(32 * 1024 * 1024, 1)); return a[0].length >> 20; }
  while (true) a.push(Buffer.alloc(20 * 1024 * 1024, 1));
};
`}})
			if out := b.invoke(t, "bufhog", `{"small":true}`); out.FunctionError != "" || string(out.Payload) != "32" {
				t.Fatalf("32 MB under a 128 MB limit: %q %s\n%s", out.FunctionError, out.Payload, decodeTail(t, out))
			}
			start := time.Now()
			out := b.invoke(t, "bufhog", `{}`)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("out of memory took %v (timeout 10 s)", d)
			}
			d := decodeErr(t, out)
			if want := "RequestId: " + out.RequestID + " Error: Runtime exited with error: signal: killed"; d.ErrorType != "Runtime.OutOfMemory" || d.ErrorMessage != want {
				t.Fatalf("got %s, want Runtime.OutOfMemory %q\n%s", out.Payload, want, decodeTail(t, out))
			}
			log := decodeTail(t, out)
			for _, s := range []string{
				"RequestId: " + out.RequestID + " Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory\n",
				"Memory Size: 128 MB\t",
				"Status: error\tError Type: Runtime.OutOfMemory\n",
			} {
				if !strings.Contains(log, s) {
					t.Errorf("log lacks %q:\n%s", s, log)
				}
			}
			// The environment was discarded; the next invoke starts afresh
			// and works, warm invokes too.
			for i := 0; i < 3; i++ {
				if out := b.invoke(t, "bufhog", `{"small":true}`); out.FunctionError != "" || string(out.Payload) != "32" {
					t.Fatalf("after OOM, invoke %d: %q %s", i, out.FunctionError, out.Payload)
				}
			}
		})
	}
}

// TestResidentWatchdogStops: the watchdog of a real process returns when
// the handle is released, and on its own once the process has been reaped;
// a process under its limit is left alone and one over it is killed.
func TestResidentWatchdogStops(t *testing.T) {
	needTool(t, "sleep")
	ctl := &memoryControl{mode: MemoryLimitRlimit}
	start := func(t *testing.T, memoryMB int) (*exec.Cmd, *memHandle) {
		t.Helper()
		cmd := exec.Command("sleep", "30")
		cmd.SysProcAttr = &syscall.SysProcAttr{}
		h, err := ctl.prepare(cmd, memoryMB, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if err := h.started(cmd.Process.Pid); err != nil {
			t.Fatal(err)
		}
		if h.watchDone == nil {
			t.Fatal("no watchdog in rlimit mode")
		}
		return cmd, h
	}
	waitDone := func(t *testing.T, done <-chan struct{}, why string) {
		t.Helper()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("watchdog still running after %s", why)
		}
	}

	t.Run("release", func(t *testing.T) {
		cmd, h := start(t, 128)
		time.Sleep(4 * residentCheckInterval) // a few samples under the limit
		done := h.watchDone
		h.release() // waits for the watchdog
		waitDone(t, done, "release")
		if h.oomKilled() {
			t.Error("a process under its limit counted as killed")
		}
		h.release() // idempotent
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	t.Run("process exit", func(t *testing.T) {
		cmd, h := start(t, 128)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		waitDone(t, h.watchDone, "the process was reaped")
		h.release()
	})

	t.Run("over limit", func(t *testing.T) {
		// A limit of 0 MB: any resident page is too many.
		cmd, h := start(t, 0)
		errc := make(chan error, 1)
		go func() { errc <- cmd.Wait() }()
		select {
		case <-errc:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-errc
			t.Fatal("the watchdog did not kill a process over its limit")
		}
		if !killedBySignal(cmd.ProcessState, syscall.SIGKILL) || !h.oomKilled() {
			t.Errorf("state %v, oomKilled %v", cmd.ProcessState, h.oomKilled())
		}
		waitDone(t, h.watchDone, "it killed the process")
		h.release()
	})
}
