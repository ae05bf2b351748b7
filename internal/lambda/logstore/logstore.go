package logstore

import (
	"errors"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Defaults for [Options].
const (
	DefaultMaxEventsPerStream = 10000
	DefaultMaxStreamsPerGroup = 200
)

// ErrGroupNotFound and ErrStreamNotFound are returned for unknown names.
var (
	ErrGroupNotFound  = errors.New("the specified log group does not exist")
	ErrStreamNotFound = errors.New("the specified log stream does not exist")
)

// Options bound a [Store].
type Options struct {
	// MaxEventsPerStream is how many events a stream keeps; default 10000.
	MaxEventsPerStream int
	// MaxStreamsPerGroup is how many streams a group keeps; default 200.
	MaxStreamsPerGroup int
	// FlushInterval is how often a store opened on a directory writes
	// buffered events to their files; default 200ms.
	FlushInterval time.Duration
	// Logger receives write errors of a store opened on a directory;
	// default none.
	Logger *slog.Logger
}

// Event is one log event.
type Event struct {
	// Timestamp is when the event happened, in Unix milliseconds.
	Timestamp int64
	// IngestionTime is when the store received it, in Unix milliseconds.
	IngestionTime int64
	// Message is the text, usually one line ending in "\n".
	Message string
	// Seq is the event's position in its stream, counting from 0 and
	// including events the store has since dropped.
	Seq int64
}

// GroupInfo describes a log group.
type GroupInfo struct {
	Name         string
	CreationTime int64
	StoredBytes  int64
}

// StreamInfo describes a log stream.
type StreamInfo struct {
	Name                string
	CreationTime        int64
	FirstEventTimestamp int64
	LastEventTimestamp  int64
	LastIngestionTime   int64
	StoredBytes         int64
}

// Store is a CloudWatch-Logs-like store, safe for concurrent use. [New]
// keeps it in memory; [Open] also keeps it in a directory.
type Store struct {
	opts   Options
	dir    string // "" in memory only
	mu     sync.RWMutex
	groups map[string]*group

	// Persistence (see disk.go).
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	errMu     sync.Mutex
	err       error // the first write error
}

type group struct {
	s       *Store
	name    string
	created int64
	dir     string // "" in memory only
	mu      sync.Mutex
	streams map[string]*Stream
	order   []*Stream // by creation
	nextN   int64     // creation number of the next stream
}

// Stream is a log stream handle; writers append to it directly.
type Stream struct {
	g       *group
	name    string
	created int64
	n       int64 // creation number within its group
	base    int64 // Seq of events[0]
	events  []Event
	bytes   int64
	max     int

	// Persistence, guarded by g.mu (see disk.go). path is "" when the
	// stream is not persisted (in memory, dropped, deleted, or after a
	// write error).
	path      string
	f         *os.File
	pending   []byte // encoded lines not yet written
	fileLines int    // events in the file (written or pending)
	lastWrite time.Time
}

// New returns an empty store kept in memory only.
func New(opts Options) *Store {
	if opts.MaxEventsPerStream <= 0 {
		opts.MaxEventsPerStream = DefaultMaxEventsPerStream
	}
	if opts.MaxStreamsPerGroup <= 0 {
		opts.MaxStreamsPerGroup = DefaultMaxStreamsPerGroup
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = DefaultFlushInterval
	}
	return &Store{opts: opts, groups: map[string]*group{}}
}

func nowMillis() int64 { return time.Now().UnixMilli() }

// CreateStream returns the stream name in group, creating both as needed.
// In a store opened on a directory, a stream dropped past
// MaxStreamsPerGroup loses its file too.
func (s *Store) CreateStream(groupName, streamName string) *Stream {
	s.mu.Lock()
	g := s.groups[groupName]
	if g == nil {
		g = &group{s: s, name: groupName, created: nowMillis(), streams: map[string]*Stream{}}
		if s.dir != "" {
			s.createGroupDir(g)
		}
		s.groups[groupName] = g
	}
	s.mu.Unlock()
	g.mu.Lock()
	defer g.mu.Unlock()
	if st := g.streams[streamName]; st != nil {
		return st
	}
	st := &Stream{g: g, name: streamName, created: nowMillis(), n: g.nextN, max: s.opts.MaxEventsPerStream}
	g.nextN++
	if g.dir != "" {
		st.startFile()
	}
	g.streams[streamName] = st
	g.order = append(g.order, st)
	if len(g.order) > s.opts.MaxStreamsPerGroup {
		old := g.order[0]
		g.order = g.order[1:]
		delete(g.streams, old.name)
		old.removeFileLocked()
	}
	return st
}

// DeleteGroup removes a group and its streams (and their files);
// unknown groups are ignored.
func (s *Store) DeleteGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[name]
	if g == nil {
		return
	}
	delete(s.groups, name)
	g.mu.Lock()
	for _, st := range g.order {
		st.closeFileLocked()
	}
	dir := g.dir
	g.dir = ""
	g.mu.Unlock()
	if dir != "" {
		// Under s.mu, so a group of the same name created next cannot have
		// its new directory removed.
		if err := os.RemoveAll(dir); err != nil {
			s.setErr(err)
		}
	}
}

// Name returns the stream's name.
func (st *Stream) Name() string { return st.name }

// Append adds an event stamped ts (Unix milliseconds). In a store opened
// on a directory the event is buffered and written within FlushInterval;
// messages that are not valid UTF-8 are stored with U+FFFD in place of the
// invalid bytes.
func (st *Stream) Append(ts int64, msg string) {
	g := st.g
	g.mu.Lock()
	if st.path == "" {
		st.appendLocked(Event{Timestamp: ts, IngestionTime: nowMillis(), Message: msg})
	} else {
		if !utf8.ValidString(msg) {
			msg = strings.ToValidUTF8(msg, "\uFFFD")
		}
		st.persistLocked(st.appendLocked(Event{Timestamp: ts, IngestionTime: nowMillis(), Message: msg}))
	}
	g.mu.Unlock()
}

// appendLocked adds e (its Seq set here), dropping the oldest quarter of
// the events when the stream is full, and returns it.
func (st *Stream) appendLocked(e Event) Event {
	if len(st.events) >= st.max {
		drop := st.max / 4
		if drop < 1 {
			drop = 1
		}
		for _, e := range st.events[:drop] {
			st.bytes -= int64(len(e.Message))
		}
		n := copy(st.events, st.events[drop:])
		clear(st.events[n:])
		st.events = st.events[:n]
		st.base += int64(drop)
	}
	e.Seq = st.base + int64(len(st.events))
	st.events = append(st.events, e)
	st.bytes += int64(len(e.Message))
	return e
}

func (s *Store) group(name string) (*group, error) {
	s.mu.RLock()
	g := s.groups[name]
	s.mu.RUnlock()
	if g == nil {
		return nil, ErrGroupNotFound
	}
	return g, nil
}

// Groups lists the groups whose names start with prefix, sorted by name.
func (s *Store) Groups(prefix string) []GroupInfo {
	s.mu.RLock()
	gs := make([]*group, 0, len(s.groups))
	for name, g := range s.groups {
		if strings.HasPrefix(name, prefix) {
			gs = append(gs, g)
		}
	}
	s.mu.RUnlock()
	out := make([]GroupInfo, 0, len(gs))
	for _, g := range gs {
		g.mu.Lock()
		var b int64
		for _, st := range g.order {
			b += st.bytes
		}
		out = append(out, GroupInfo{Name: g.name, CreationTime: g.created, StoredBytes: b})
		g.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Streams lists a group's streams whose names start with prefix, in
// creation order.
func (s *Store) Streams(groupName, prefix string) ([]StreamInfo, error) {
	g, err := s.group(groupName)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]StreamInfo, 0, len(g.order))
	for _, st := range g.order {
		if strings.HasPrefix(st.name, prefix) {
			out = append(out, st.infoLocked())
		}
	}
	return out, nil
}

func (st *Stream) infoLocked() StreamInfo {
	info := StreamInfo{Name: st.name, CreationTime: st.created, StoredBytes: st.bytes}
	if n := len(st.events); n > 0 {
		info.FirstEventTimestamp = st.events[0].Timestamp
		info.LastEventTimestamp = st.events[n-1].Timestamp
		info.LastIngestionTime = st.events[n-1].IngestionTime
	}
	return info
}

// Query selects events of one stream.
type Query struct {
	// StartTime and EndTime bound timestamps (ms): StartTime <= ts < EndTime;
	// zero means unbounded.
	StartTime, EndTime int64
	// From is the first sequence number to consider (inclusive) when
	// reading forwards, or the end (exclusive) when reading backwards; -1
	// means the start or the end of the stream.
	From int64
	// Backward reads towards older events.
	Backward bool
	// Limit caps the events returned; 0 means 10000.
	Limit int
}

// Events returns matching events of a stream in ascending order, plus the
// sequence numbers to continue from forwards (one past the last returned)
// and backwards (the first returned).
func (s *Store) Events(groupName, streamName string, q Query) (events []Event, next, prev int64, err error) {
	g, err := s.group(groupName)
	if err != nil {
		return nil, 0, 0, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	st := g.streams[streamName]
	if st == nil {
		return nil, 0, 0, ErrStreamNotFound
	}
	limit := q.Limit
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	end := st.base + int64(len(st.events))
	match := func(e *Event) bool {
		return (q.StartTime == 0 || e.Timestamp >= q.StartTime) && (q.EndTime == 0 || e.Timestamp < q.EndTime)
	}
	if !q.Backward {
		from := q.From
		if from < st.base {
			from = st.base
		}
		i := from
		for ; i < end && len(events) < limit; i++ {
			if e := &st.events[i-st.base]; match(e) {
				events = append(events, *e)
			}
		}
		return events, i, from, nil
	}
	to := q.From
	if to < 0 || to > end {
		to = end
	}
	i := to - 1
	for ; i >= st.base && len(events) < limit; i-- {
		if e := &st.events[i-st.base]; match(e) {
			events = append(events, *e)
		}
	}
	for l, r := 0, len(events)-1; l < r; l, r = l+1, r-1 {
		events[l], events[r] = events[r], events[l]
	}
	return events, to, i + 1, nil
}

// FilteredEvent is an event found by [Store.Filter], with its stream.
type FilteredEvent struct {
	Event
	Stream string
}

// FilterQuery selects events across a group's streams.
type FilterQuery struct {
	// Streams restricts the search to these streams; empty means all.
	Streams []string
	// StreamPrefix restricts the search to streams with this prefix.
	StreamPrefix string
	// StartTime and EndTime bound timestamps (ms); zero means unbounded.
	StartTime, EndTime int64
	// Pattern is a CloudWatch Logs filter pattern: terms, a %regex%, a
	// JSON pattern or a space-delimited one (see pattern.go). [Store.Filter]
	// returns an error wrapping [ErrInvalidPattern] for one it cannot parse.
	Pattern string
	// After skips events up to and including this (timestamp, stream, seq)
	// position, for paging; nil starts at the beginning.
	After *FilteredEvent
	// Limit caps the result; 0 means 10000.
	Limit int
}

// Filter returns matching events of a group ordered by timestamp, and
// whether more remain.
func (s *Store) Filter(groupName string, q FilterQuery) ([]FilteredEvent, bool, error) {
	g, err := s.group(groupName)
	if err != nil {
		return nil, false, err
	}
	m, err := compilePattern(q.Pattern)
	if err != nil {
		return nil, false, err
	}
	want := map[string]bool{}
	for _, n := range q.Streams {
		want[n] = true
	}
	var all []FilteredEvent
	g.mu.Lock()
	for _, st := range g.order {
		if (len(want) > 0 && !want[st.name]) || !strings.HasPrefix(st.name, q.StreamPrefix) {
			continue
		}
		for i := range st.events {
			e := &st.events[i]
			if (q.StartTime != 0 && e.Timestamp < q.StartTime) || (q.EndTime != 0 && e.Timestamp >= q.EndTime) {
				continue
			}
			if m(e.Message) {
				all = append(all, FilteredEvent{Event: *e, Stream: st.name})
			}
		}
	}
	g.mu.Unlock()
	sort.SliceStable(all, func(i, j int) bool { return less(&all[i], &all[j]) })
	if q.After != nil {
		k := sort.Search(len(all), func(i int) bool { return less(q.After, &all[i]) })
		all = all[k:]
	}
	limit := q.Limit
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	if len(all) > limit {
		return all[:limit], true, nil
	}
	return all, false, nil
}

func less(a, b *FilteredEvent) bool {
	if a.Timestamp != b.Timestamp {
		return a.Timestamp < b.Timestamp
	}
	if a.Stream != b.Stream {
		return a.Stream < b.Stream
	}
	return a.Seq < b.Seq
}
