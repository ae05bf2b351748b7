package lambda

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Memory limit modes ([Options.MemoryLimit]).
const (
	MemoryLimitAuto   = "auto"   // cgroup v2 where possible, else rlimit
	MemoryLimitCgroup = "cgroup" // cgroup v2 memory.max; fail if unavailable
	MemoryLimitRlimit = "rlimit" // address-space limit (RLIMIT_AS)
	MemoryLimitOff    = "off"    // no limit
)

// addressSpaceHeadroom is added to MemorySize for the RLIMIT_AS fallback:
// the interpreter's own mappings (code, shared libraries, thread stacks)
// count against an address-space limit but not against Lambda's memory.
const addressSpaceHeadroom = 48 << 20

// residentCheckInterval is how often the resident-memory watchdog samples
// a process in rlimit mode (see [memHandle.watch]). One sample is a single
// pread of /proc/<pid>/statm (a few microseconds), so 40 checks a second
// per environment cost nothing noticeable, while a process allocating as
// fast as it can overshoots the limit by at most a few tens of MB.
const residentCheckInterval = 25 * time.Millisecond

// memoryControl enforces MemorySize on environments.
type memoryControl struct {
	mode   string
	parent string // cgroup v2 directory holding one child per environment
	seq    atomic.Int64
}

// newMemoryControl picks the enforcement mode. In auto mode it uses cgroup
// v2 when the unified hierarchy with the memory controller is mounted at
// /sys/fs/cgroup and stepd may create child groups under its own; otherwise
// it falls back to an address-space limit.
func newMemoryControl(mode string, log *slog.Logger) (*memoryControl, error) {
	switch mode {
	case "", MemoryLimitAuto:
		if dir, err := setupCgroup(); err == nil {
			log.Info("function memory limits use cgroup v2", "cgroup", dir)
			return &memoryControl{mode: MemoryLimitCgroup, parent: dir}, nil
		} else {
			log.Info("function memory limits use an address-space limit (cgroup v2 unavailable)", "reason", err.Error())
		}
		return &memoryControl{mode: MemoryLimitRlimit}, nil
	case MemoryLimitCgroup:
		dir, err := setupCgroup()
		if err != nil {
			return nil, fmt.Errorf("memory limit mode cgroup: %w", err)
		}
		return &memoryControl{mode: MemoryLimitCgroup, parent: dir}, nil
	case MemoryLimitRlimit, MemoryLimitOff:
		return &memoryControl{mode: mode}, nil
	}
	return nil, fmt.Errorf("memory limit mode %q: want auto, cgroup, rlimit or off", mode)
}

// setupCgroup creates stepd's own cgroup v2 group (a sibling-free child of
// the group stepd runs in) with the memory controller enabled for its
// children.
func setupCgroup() (string, error) {
	const root = "/sys/fs/cgroup"
	ctrl, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
	if err != nil {
		return "", fmt.Errorf("no cgroup v2 hierarchy at %s", root)
	}
	if !hasWord(ctrl, "memory") {
		return "", fmt.Errorf("cgroup v2 at %s has no memory controller", root)
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	var own string
	for _, line := range strings.Split(string(self), "\n") {
		if rest, ok := strings.CutPrefix(line, "0::"); ok {
			own = rest
		}
	}
	if own == "" {
		return "", fmt.Errorf("stepd is not in a cgroup v2 group")
	}
	parent := filepath.Join(root, own)
	sub, err := os.ReadFile(filepath.Join(parent, "cgroup.subtree_control"))
	if err != nil {
		return "", err
	}
	if !hasWord(sub, "memory") {
		if err := os.WriteFile(filepath.Join(parent, "cgroup.subtree_control"), []byte("+memory"), 0); err != nil {
			return "", fmt.Errorf("enable memory controller in %s: %w", parent, err)
		}
	}
	dir := filepath.Join(parent, fmt.Sprintf("stepd-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+memory"), 0); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("enable memory controller in %s: %w", dir, err)
	}
	return dir, nil
}

func hasWord(data []byte, word string) bool {
	for _, f := range bytes.Fields(data) {
		if string(f) == word {
			return true
		}
	}
	return false
}

// memHandle is the limit of one environment's process.
type memHandle struct {
	ctl     *memoryControl
	limit   int64
	rlimit  bool // apply RLIMIT_AS after start
	cgroup  string
	cgroupF *os.File

	statm  *os.File // /proc/<pid>/statm, kept open: one pread per report
	peakKB int64    // highest resident size seen

	// The resident-memory watchdog (rlimit mode only, see watch).
	watchRSS    bool          // start it once the process runs
	watchStop   chan struct{} // closed by release to stop it
	watchDone   chan struct{} // closed when it has returned
	watchKilled atomic.Bool   // it killed the process for exceeding the limit
}

// prepare arranges the limit for cmd before it starts. rlimitOK is false
// for runtimes whose address space cannot be capped sensibly (V8 reserves
// gigabytes of address space up front); those rely on their own heap
// limit in rlimit mode.
func (c *memoryControl) prepare(cmd *exec.Cmd, memoryMB int, rlimitOK bool) (*memHandle, error) {
	h := &memHandle{ctl: c, limit: int64(memoryMB) << 20}
	switch c.mode {
	case MemoryLimitCgroup:
		dir := filepath.Join(c.parent, fmt.Sprintf("env-%d", c.seq.Add(1)))
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create cgroup: %w", err)
		}
		h.cgroup = dir
		if err := os.WriteFile(filepath.Join(dir, "memory.max"), []byte(strconv.FormatInt(h.limit, 10)), 0); err != nil {
			h.release()
			return nil, fmt.Errorf("set memory.max: %w", err)
		}
		_ = os.WriteFile(filepath.Join(dir, "memory.swap.max"), []byte("0"), 0)
		f, err := os.Open(dir)
		if err != nil {
			h.release()
			return nil, fmt.Errorf("open cgroup: %w", err)
		}
		h.cgroupF = f
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = int(f.Fd())
	case MemoryLimitRlimit:
		h.rlimit = rlimitOK
		h.watchRSS = true
	}
	return h, nil
}

// started applies limits that can only be set once the process exists.
func (h *memHandle) started(pid int) error {
	if h.cgroupF != nil {
		h.cgroupF.Close()
		h.cgroupF = nil
	}
	h.statm, _ = os.Open("/proc/" + strconv.Itoa(pid) + "/statm")
	if h.watchRSS && h.statm != nil {
		// A pidfd names this very process: the kill cannot reach another
		// one that reused the pid after it was reaped. The process cannot
		// have been reaped yet (its waiter starts after started returns).
		pidfd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			pidfd = -1 // kernel < 5.3: fall back to kill(2)
		}
		h.watchStop, h.watchDone = make(chan struct{}), make(chan struct{})
		go h.watch(pid, pidfd, h.statm, h.watchStop, h.watchDone)
	}
	if !h.rlimit {
		return nil
	}
	lim := uint64(h.limit + addressSpaceHeadroom)
	if err := unix.Prlimit(pid, unix.RLIMIT_AS, &unix.Rlimit{Cur: lim, Max: lim}, nil); err != nil {
		return fmt.Errorf("set address-space limit: %w", err)
	}
	return nil
}

// peakMB returns the peak memory of the environment in MB: the cgroup's
// memory.peak, else the highest resident size seen. The first call reads
// the process's peak so far (VmHWM, which covers initialisation); later
// ones sample the resident size from /proc/<pid>/statm, far cheaper to
// read on every invoke than /proc/<pid>/status.
func (h *memHandle) peakMB(pid int) int64 {
	if h.cgroup != "" {
		if b, err := os.ReadFile(filepath.Join(h.cgroup, "memory.peak")); err == nil {
			if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
				return (n + 1<<20 - 1) >> 20
			}
		}
	}
	if h.peakKB == 0 {
		h.peakKB = vmHWM(pid)
	} else if kb := h.residentKB(); kb > h.peakKB {
		h.peakKB = kb
	}
	return (h.peakKB + 1023) / 1024
}

// watch is the resident-memory watchdog of rlimit mode, where nothing else
// bounds a process's memory the way Lambda does: RLIMIT_AS is not applied
// to Node.js at all (V8 reserves gigabytes of address space up front) and
// V8's heap flag does not cover Buffers and other off-heap memory; for the
// other runtimes RLIMIT_AS allows MemorySize plus headroom. Every
// residentCheckInterval it reads the process's resident set size and, once
// that exceeds MemorySize, kills the process with SIGKILL as the cgroup
// OOM killer would; oomKilled then reports it, so the invoke fails with
// Runtime.OutOfMemory exactly as under a cgroup.
//
// Only the main process is measured (its VmRSS, via statm), not its
// children: summing over the process tree would mean walking /proc on
// every sample. Runtimes do their work in the main process; a handler's
// own subprocesses escape this limit.
//
// It runs per environment, never on the invoke path, and returns when
// release closes stop or the process is gone (statm no longer readable
// once the process has been reaped).
func (h *memHandle) watch(pid, pidfd int, statm *os.File, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	if pidfd >= 0 {
		defer unix.Close(pidfd)
	}
	limitKB := h.limit >> 10
	tick := time.NewTicker(residentCheckInterval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		kb, err := statmResidentKB(statm)
		if err != nil {
			return
		}
		if kb <= limitKB {
			continue
		}
		h.watchKilled.Store(true)
		if pidfd >= 0 {
			_ = unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0)
		} else {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		return
	}
}

// residentKB reads the resident set size from /proc/<pid>/statm.
func (h *memHandle) residentKB() int64 {
	if h.statm == nil {
		return 0
	}
	kb, _ := statmResidentKB(h.statm)
	return kb
}

// statmResidentKB reads the resident set size in KB from an open
// /proc/<pid>/statm ("size resident shared ..." in pages). It fails once
// the process has been reaped.
func statmResidentKB(statm *os.File) (int64, error) {
	var buf [128]byte
	n, err := statm.ReadAt(buf[:], 0)
	if n == 0 && err != nil {
		return 0, err
	}
	f := bytes.Fields(buf[:n])
	if len(f) < 2 {
		return 0, fmt.Errorf("statm: %q", buf[:n])
	}
	pages, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return 0, err
	}
	return pages * int64(os.Getpagesize()) / 1024, nil
}

// vmHWM returns a process's peak resident size in KB.
func vmHWM(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// oomKilled reports whether the cgroup's OOM killer, or in rlimit mode the
// resident-memory watchdog, ended a process.
func (h *memHandle) oomKilled() bool {
	if h.watchKilled.Load() {
		return true
	}
	if h.cgroup == "" {
		return false
	}
	b, err := os.ReadFile(filepath.Join(h.cgroup, "memory.events"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "oom_kill "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(rest))
			return n > 0
		}
	}
	return false
}

// release stops the watchdog and removes the environment's cgroup once its
// processes are gone.
func (h *memHandle) release() {
	if h.watchStop != nil {
		close(h.watchStop)
		<-h.watchDone // it reads statm: wait before closing that
		h.watchStop = nil
	}
	if h.statm != nil {
		h.statm.Close()
		h.statm = nil
	}
	if h.cgroupF != nil {
		h.cgroupF.Close()
		h.cgroupF = nil
	}
	if h.cgroup != "" {
		os.Remove(h.cgroup)
		h.cgroup = ""
	}
}

// close removes stepd's own cgroup once every environment is gone.
func (c *memoryControl) close() {
	if c.parent != "" {
		os.Remove(c.parent)
	}
}

// killedBySignal reports whether ps ended because of sig.
func killedBySignal(ps *os.ProcessState, sig syscall.Signal) bool {
	if ps == nil {
		return false
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}
