package logstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"stepd/internal/jsonv"
)

// On disk, a store opened on DIR keeps
//
//	DIR/<escaped group>/group.json          {"name","created"}
//	DIR/<escaped group>/<escaped stream>.jsonl
//
// A stream file starts with a header line {"stream","created","n","base"}
// (n orders the group's streams by creation; base is the Seq of the first
// event that follows) and then holds one line per event,
// {"timestamp","ingestionTime","message"}, appended in order. Loading
// replays the events through the same bounds as Append, so sequence numbers
// and the events kept come out as they were. When a file holds more than
// twice MaxEventsPerStream events it is rewritten with the events kept (a
// new header carrying their base), so files stay bounded too.
//
// Appends are buffered per stream and written by a background flusher
// every FlushInterval (and at Flush and Close); files are not synced, so a
// crash may lose the last lines or leave a torn last line, which loading
// skips (and truncates away).

// DefaultFlushInterval is the default [Options.FlushInterval].
const DefaultFlushInterval = 200 * time.Millisecond

const (
	groupMetaFile = "group.json"
	streamExt     = ".jsonl"
	// flushAt is how many buffered bytes make Append write at once.
	flushAt = 64 << 10
	// idleClose is how long a stream's file stays open without writes.
	idleClose = time.Minute
)

type groupMeta struct {
	Name    string `json:"name"`
	Created int64  `json:"created"`
}

type streamHeader struct {
	Stream  string `json:"stream"`
	Created int64  `json:"created"`
	N       int64  `json:"n"`
	Base    int64  `json:"base"`
}

type eventLine struct {
	Timestamp     int64  `json:"timestamp"`
	IngestionTime int64  `json:"ingestionTime"`
	Message       string `json:"message"`
}

// Open returns a store kept in dir (created as needed), loaded with what
// dir holds: streams and events past the bounds of opts are dropped, and
// the files of dropped streams removed. With dir "" it is [New]. Call
// Close to write what is buffered.
func Open(dir string, opts Options) (*Store, error) {
	s := New(opts)
	if dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("log store: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("log store: %w", err)
	}
	s.dir = dir
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		g, err := s.loadGroup(filepath.Join(dir, ent.Name()))
		if err != nil {
			s.logError("skipping stored log group", filepath.Join(dir, ent.Name()), err)
			continue
		}
		if g != nil {
			s.groups[g.name] = g
		}
	}
	s.stop = make(chan struct{})
	s.done = make(chan struct{})
	go s.flushLoop()
	return s, nil
}

// escapeName turns a group or stream name into a file name: letters,
// digits, '-' and '_' stay, other bytes become %XX, and names that would be
// too long are cut and completed with a hash (the files record the real
// names).
func escapeName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	out := b.String()
	if out == "" {
		return "%"
	}
	if len(out) > 180 {
		sum := sha256.Sum256([]byte(name))
		out = out[:140] + "~" + hex.EncodeToString(sum[:16])
	}
	return out
}

func (s *Store) setErr(err error) {
	s.errMu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.errMu.Unlock()
}

func (s *Store) logError(msg, path string, err error) {
	s.setErr(err)
	if s.opts.Logger != nil {
		s.opts.Logger.Warn(msg, "path", path, "err", err)
	}
}

// createGroupDir gives a new group its directory; on failure the group is
// kept in memory only. Called with s.mu held.
func (s *Store) createGroupDir(g *group) {
	dir := filepath.Join(s.dir, escapeName(g.name))
	meta, _ := json.Marshal(groupMeta{Name: g.name, Created: g.created})
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, groupMetaFile), append(meta, '\n'), 0o644)
	}
	if err != nil {
		s.logError("log group not persisted", dir, err)
		return
	}
	g.dir = dir
}

// startFile gives a new stream its file (written at the next flush).
func (st *Stream) startFile() {
	st.path = filepath.Join(st.g.dir, escapeName(st.name)+streamExt)
	st.pending = st.appendHeader(st.pending[:0])
	st.fileLines = 0
}

func (st *Stream) appendHeader(b []byte) []byte {
	h, _ := json.Marshal(streamHeader{Stream: st.name, Created: st.created, N: st.n, Base: st.base})
	return append(append(b, h...), '\n')
}

// persistLocked buffers e for the stream's file.
func (st *Stream) persistLocked(e Event) {
	st.pending = appendEventLine(st.pending, &e)
	st.fileLines++
	switch {
	case st.fileLines > 2*st.max:
		st.compactLocked()
	case len(st.pending) >= flushAt:
		st.flushLocked()
	}
}

func appendEventLine(b []byte, e *Event) []byte {
	b = append(b, `{"timestamp":`...)
	b = strconv.AppendInt(b, e.Timestamp, 10)
	b = append(b, `,"ingestionTime":`...)
	b = strconv.AppendInt(b, e.IngestionTime, 10)
	b = append(b, `,"message":`...)
	b = jsonv.AppendString(b, e.Message)
	return append(b, '}', '\n')
}

// parseEventLine parses a line as appendEventLine writes it, quicker than
// encoding/json; ok is false for anything else.
func parseEventLine(l []byte) (e eventLine, ok bool) {
	rest, ok := bytes.CutPrefix(l, []byte(`{"timestamp":`))
	if !ok {
		return e, false
	}
	if e.Timestamp, rest, ok = cutInt(rest, `,"ingestionTime":`); !ok {
		return e, false
	}
	if e.IngestionTime, rest, ok = cutInt(rest, `,"message":`); !ok {
		return e, false
	}
	q, ok := bytes.CutSuffix(rest, []byte("}"))
	if !ok || len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return e, false
	}
	body := q[1 : len(q)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		if bytes.IndexByte(body, '"') >= 0 || !utf8.Valid(body) {
			return e, false
		}
		e.Message = string(body)
		return e, true
	}
	// The escapes jsonv.AppendString writes (\", \\, \n, \r, \t, \b, \f,
	// \u00XX, \ufffd) are Go's too.
	msg, err := strconv.Unquote(string(q))
	if err != nil || !utf8.ValidString(msg) {
		return e, false
	}
	e.Message = msg
	return e, true
}

func cutInt(b []byte, sep string) (int64, []byte, bool) {
	i := bytes.Index(b, []byte(sep))
	if i <= 0 {
		return 0, nil, false
	}
	n, err := strconv.ParseInt(string(b[:i]), 10, 64)
	return n, b[i+len(sep):], err == nil
}

// flushLocked writes the stream's buffered lines.
func (st *Stream) flushLocked() {
	if len(st.pending) == 0 || st.path == "" {
		return
	}
	if st.f == nil {
		f, err := os.OpenFile(st.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			st.failLocked(err)
			return
		}
		st.f = f
	}
	if _, err := st.f.Write(st.pending); err != nil {
		// A partial write may have left a torn line; writing more after it
		// would bury it mid-file, so the stream stops being persisted.
		st.failLocked(err)
		return
	}
	if cap(st.pending) > 4*flushAt {
		st.pending = nil
	} else {
		st.pending = st.pending[:0]
	}
	st.lastWrite = time.Now()
}

func (st *Stream) failLocked(err error) {
	st.g.s.logError("log stream no longer persisted", st.path, err)
	st.closeFileLocked()
}

// closeFileLocked stops persisting the stream (its file stays).
func (st *Stream) closeFileLocked() {
	if st.f != nil {
		_ = st.f.Close()
		st.f = nil
	}
	st.path = ""
	st.pending = nil
}

// removeFileLocked stops persisting the stream and removes its file.
func (st *Stream) removeFileLocked() {
	path := st.path
	st.closeFileLocked()
	if path != "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			st.g.s.logError("could not remove log stream", path, err)
		}
	}
}

// compactLocked rewrites the stream's file with only the events kept.
func (st *Stream) compactLocked() {
	b := st.appendHeader(make([]byte, 0, int(st.bytes)+len(st.events)*64+256))
	for i := range st.events {
		b = appendEventLine(b, &st.events[i])
	}
	if st.f != nil {
		_ = st.f.Close()
		st.f = nil
	}
	if err := replaceFile(st.path, b); err != nil {
		st.failLocked(err)
		return
	}
	st.pending = st.pending[:0]
	st.fileLines = len(st.events)
	st.lastWrite = time.Now()
}

// replaceFile writes data to path through a synced temporary file, so a
// crash leaves either the old file or the new one.
func replaceFile(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// flushLoop writes buffered events every FlushInterval and closes files
// idle for a while, until Close.
func (s *Store) flushLoop() {
	defer close(s.done)
	t := time.NewTicker(s.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.flushAll(now.Add(-idleClose), false)
		}
	}
}

// flushAll writes every stream's buffered events and closes the files of
// streams last written before idleBefore (all of them, with final set:
// they are not persisted afterwards).
func (s *Store) flushAll(idleBefore time.Time, final bool) {
	s.mu.RLock()
	gs := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		gs = append(gs, g)
	}
	s.mu.RUnlock()
	for _, g := range gs {
		g.mu.Lock()
		for _, st := range g.order {
			st.flushLocked()
			switch {
			case final:
				st.closeFileLocked()
			case st.f != nil && st.lastWrite.Before(idleBefore):
				_ = st.f.Close()
				st.f = nil
			}
		}
		g.mu.Unlock()
	}
}

// Flush writes every buffered event to its file.
func (s *Store) Flush() error {
	if s.dir != "" {
		s.flushAll(time.Time{}, false)
	}
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// Close writes what is buffered and closes the files; the store stays
// readable, and later events are kept in memory only. It returns the first
// write error the store met, if any.
func (s *Store) Close() error {
	if s.dir == "" {
		return nil
	}
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
		s.flushAll(time.Time{}, true)
	})
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// loadGroup loads a group directory; nil (and no error) when it holds
// nothing to keep.
func (s *Store) loadGroup(dir string) (*group, error) {
	var meta groupMeta
	b, err := os.ReadFile(filepath.Join(dir, groupMetaFile))
	if err == nil {
		err = json.Unmarshal(b, &meta)
	}
	if err != nil {
		return nil, fmt.Errorf("group metadata: %w", err)
	}
	g := &group{s: s, name: meta.Name, created: meta.Created, dir: dir, streams: map[string]*Stream{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, ent := range entries {
		name := ent.Name()
		path := filepath.Join(dir, name)
		switch {
		case strings.HasSuffix(name, ".tmp"): // an interrupted compaction
			_ = os.Remove(path)
			continue
		case !strings.HasSuffix(name, streamExt) || ent.IsDir():
			continue
		}
		st, err := g.loadStream(path)
		if err != nil {
			s.logError("skipping stored log stream", path, err)
			continue
		}
		if st == nil {
			continue
		}
		if old := g.streams[st.name]; old != nil { // cannot happen unless files were copied around
			s.logError("skipping duplicate log stream", path, errors.New("stream "+st.name+" is stored twice"))
			continue
		}
		g.streams[st.name] = st
		g.order = append(g.order, st)
	}
	sort.Slice(g.order, func(i, j int) bool {
		a, b := g.order[i], g.order[j]
		if a.n != b.n {
			return a.n < b.n
		}
		return a.name < b.name
	})
	if len(g.order) > 0 {
		g.nextN = g.order[len(g.order)-1].n + 1
	}
	for len(g.order) > s.opts.MaxStreamsPerGroup {
		old := g.order[0]
		g.order = g.order[1:]
		delete(g.streams, old.name)
		old.removeFileLocked()
	}
	return g, nil
}

// loadStream loads a stream file, replaying its events through the
// stream's bounds. A torn last line is cut off the file; a file without a
// whole header is removed (nil, nil).
func (g *group) loadStream(path string) (*Stream, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	whole := bytes.LastIndexByte(data, '\n') + 1
	if whole < len(data) {
		if err := os.Truncate(path, int64(whole)); err != nil {
			return nil, err
		}
		data = data[:whole]
	}
	nl := bytes.IndexByte(data, '\n')
	var h streamHeader
	if nl < 0 || json.Unmarshal(data[:nl], &h) != nil {
		if err := os.Remove(path); err != nil {
			return nil, err
		}
		return nil, nil
	}
	st := &Stream{g: g, name: h.Stream, created: h.Created, n: h.N, base: h.Base, max: g.s.opts.MaxEventsPerStream, path: path}
	var line eventLine
	for rest := data[nl+1:]; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		l := rest[:i]
		rest = rest[i+1:]
		var ok bool
		if line, ok = parseEventLine(l); !ok {
			line = eventLine{}
			if json.Unmarshal(l, &line) != nil {
				continue // damaged (not written by a store); skipped
			}
		}
		st.appendLocked(Event{Timestamp: line.Timestamp, IngestionTime: line.IngestionTime, Message: line.Message})
		st.fileLines++
	}
	if st.fileLines > 2*st.max {
		st.compactLocked() // on failure the stream is kept in memory only
	}
	return st, nil
}
