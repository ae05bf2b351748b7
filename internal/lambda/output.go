package lambda

import (
	"bytes"
	"os"
	"time"
)

// syncMarker is written by the platform into an environment's output pipe
// after an invocation's response arrives. Pipes are FIFO, so when the log
// reader sees it, every line the function wrote before responding has been
// read.
const syncMarker = "\x00stepd:sync\x00\n"

// readOutput turns the process's output into log events, line by line.
func (e *env) readOutput(r *os.File) {
	defer close(e.logDone)
	defer r.Close()
	buf := make([]byte, 32<<10)
	var partial []byte
	for {
		n, err := r.Read(buf)
		data := buf[:n]
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				partial = append(partial, data...)
				if len(partial) > 256<<10 { // flush very long lines
					e.outputLine(partial)
					partial = partial[:0]
				}
				break
			}
			line := data[:i+1]
			if len(partial) > 0 {
				partial = append(partial, line...)
				line = partial
			}
			e.outputLine(line)
			partial = partial[:0]
			data = data[i+1:]
		}
		if err != nil {
			if len(partial) > 0 {
				e.outputLine(append(partial, '\n'))
			}
			return
		}
	}
}

var heapOOMText = []byte("JavaScript heap out of memory")

func (e *env) outputLine(line []byte) {
	if bytes.HasSuffix(line, []byte(syncMarker)) {
		if rest := line[:len(line)-len(syncMarker)]; len(rest) > 0 {
			e.functionLog(string(rest) + "\n")
		}
		select {
		case e.syncCh <- struct{}{}:
		default:
		}
		return
	}
	if bytes.Contains(line, heapOOMText) {
		e.heapOOM.Store(true)
	}
	e.functionLog(string(line))
}

// functionLog records a line the function wrote.
func (e *env) functionLog(line string) {
	e.stream.Append(time.Now().UnixMilli(), line)
	e.logMu.Lock()
	inv := e.logInv
	e.logMu.Unlock()
	if inv != nil {
		inv.appendLog(line)
	}
}

// platformLog records a line of the platform's own (START, END, REPORT...).
func (e *env) platformLog(line string) {
	e.stream.Append(time.Now().UnixMilli(), line)
	e.logMu.Lock()
	inv := e.logInv
	e.logMu.Unlock()
	if inv != nil {
		inv.appendLog(line)
	}
}

func (e *env) setLogInvocation(inv *invocation) {
	e.logMu.Lock()
	e.logInv = inv
	e.logMu.Unlock()
}

// syncLogs waits until every line written before now has been read, or
// the output has ended.
func (e *env) syncLogs() {
	select {
	case <-e.syncCh: // a stale signal from an earlier, abandoned sync
	default:
	}
	if _, err := e.logW.Write([]byte(syncMarker)); err != nil {
		<-e.logDone
		return
	}
	select {
	case <-e.syncCh:
	case <-e.logDone:
	}
}
