package logstore

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// snapshot is everything the query API shows of a store.
type snapshot struct {
	Groups  []GroupInfo
	Streams map[string][]StreamInfo
	Events  map[string][]Event // group + " " + stream
	Back    map[string][3]int64
	Filter  map[string][]FilteredEvent
}

func snap(t *testing.T, s *Store) snapshot {
	t.Helper()
	sn := snapshot{Groups: s.Groups(""), Streams: map[string][]StreamInfo{}, Events: map[string][]Event{},
		Back: map[string][3]int64{}, Filter: map[string][]FilteredEvent{}}
	for _, g := range sn.Groups {
		streams, err := s.Streams(g.Name, "")
		if err != nil {
			t.Fatal(err)
		}
		sn.Streams[g.Name] = streams
		for _, st := range streams {
			evs, next, prev, err := s.Events(g.Name, st.Name, Query{From: -1})
			if err != nil {
				t.Fatal(err)
			}
			sn.Events[g.Name+" "+st.Name] = evs
			// The tokens the logs API hands out (GetLogEvents reads backwards
			// from the end by default).
			bevs, bnext, bprev, _ := s.Events(g.Name, st.Name, Query{From: -1, Backward: true, Limit: 3})
			sn.Back[g.Name+" "+st.Name] = [3]int64{int64(len(bevs)), bnext, bprev}
			_ = next
			_ = prev
		}
		all, _, err := s.Filter(g.Name, FilterQuery{})
		if err != nil {
			t.Fatal(err)
		}
		sn.Filter[g.Name] = all
	}
	return sn
}

func TestPersistRoundTrip(t *testing.T) {
	cases := []struct {
		name  string
		opts  Options
		write func(s *Store)
	}{
		{"empty", Options{}, func(s *Store) {}},
		{"one stream", Options{}, func(s *Store) {
			st := s.CreateStream("/aws/lambda/f", "2024/01/01/[$LATEST]abc")
			st.Append(100, "START RequestId: 1 Version: $LATEST\n")
			st.Append(101, "hello\n")
			st.Append(102, "END RequestId: 1\n")
			st.Append(102, "REPORT RequestId: 1\tDuration: 1.00 ms\n")
		}},
		{"awkward text and names", Options{}, func(s *Store) {
			st := s.CreateStream("/aws/lambda/a.b", "../../[$LATEST]\x00/x")
			for _, m := range []string{"", "quote \" back \\ slash\n", "tab\tcr\r\x01\x1f\x7f", "ünïcødé ✓ 🎉\n", "bad \xff\xfe utf8\n", strings.Repeat("long ", 20000)} {
				st.Append(5, m)
			}
			s.CreateStream("", "").Append(1, "empty names\n")
			s.CreateStream("g", strings.Repeat("very-long-stream-name/", 30)).Append(2, "x\n")
		}},
		{"bounds while running", Options{MaxEventsPerStream: 8, MaxStreamsPerGroup: 3}, func(s *Store) {
			for i := 0; i < 5; i++ {
				st := s.CreateStream("g", fmt.Sprintf("s%d", i))
				for j := 0; j < 10*i; j++ {
					st.Append(int64(1000*i+j), fmt.Sprintf("%d/%d\n", i, j))
				}
			}
			for g := 0; g < 3; g++ {
				st := s.CreateStream(fmt.Sprintf("/aws/lambda/f%d", g), "s")
				for j := 0; j < 37; j++ {
					st.Append(int64(j), fmt.Sprintf("%d\n", j))
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			c.write(s)
			before := snap(t, s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if after := snap(t, s); !reflect.DeepEqual(before, after) {
				t.Fatalf("Close changed the store:\n%+v\n%+v", before, after)
			}
			s2, err := Open(dir, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			if after := snap(t, s2); !reflect.DeepEqual(before, after) {
				t.Fatalf("reloaded store differs:\nbefore %+v\nafter  %+v", before, after)
			}
			// Writing goes on where it stopped.
			for _, g := range before.Groups {
				for _, st := range before.Streams[g.Name] {
					evs := before.Events[g.Name+" "+st.Name]
					s2.CreateStream(g.Name, st.Name).Append(9999, "more\n")
					got, _, _, _ := s2.Events(g.Name, st.Name, Query{From: -1, Backward: true, Limit: 1})
					want := int64(0)
					if len(evs) > 0 {
						want = evs[len(evs)-1].Seq + 1
					}
					if len(got) != 1 || got[0].Seq != want {
						t.Fatalf("%s %s: appended %+v, want Seq %d", g.Name, st.Name, got, want)
					}
				}
			}
		})
	}
}

// TestFlushWithoutClose: what the flusher has written survives a crash
// (a second Open without Close).
func TestFlushWithoutClose(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := s.CreateStream("g", "s")
	st.Append(1, "a\n")
	st.Append(2, "b\n")
	before := snap(t, s)
	deadline := time.Now().Add(5 * time.Second)
	for {
		s2, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		after := snap(t, s2)
		s2.Close()
		if reflect.DeepEqual(before, after) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not flushed:\n%+v\n%+v", before, after)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReloadBounds: reopening with tighter bounds drops the oldest streams
// (and their files) and events, keeping sequence numbers.
func TestReloadBounds(t *testing.T) {
	cases := []struct {
		name        string
		opts        Options
		wantStreams []string
		wantEvents  int // in the newest stream
		wantFiles   int
	}{
		{"same bounds", Options{}, []string{"s0", "s1", "s2", "s3", "s4"}, 40, 5},
		{"fewer streams", Options{MaxStreamsPerGroup: 2}, []string{"s3", "s4"}, 40, 2},
		{"fewer events", Options{MaxEventsPerStream: 10}, []string{"s0", "s1", "s2", "s3", "s4"}, 10, 5},
		{"both", Options{MaxEventsPerStream: 4, MaxStreamsPerGroup: 1}, []string{"s4"}, 4, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, _ := Open(dir, Options{})
			for i := 0; i < 5; i++ {
				st := s.CreateStream("g", fmt.Sprintf("s%d", i))
				for j := 0; j < 40; j++ {
					st.Append(int64(j), fmt.Sprintf("%d\n", j))
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s2, err := Open(dir, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			streams, _ := s2.Streams("g", "")
			var names []string
			for _, st := range streams {
				names = append(names, st.Name)
			}
			if !reflect.DeepEqual(names, c.wantStreams) {
				t.Fatalf("streams %v, want %v", names, c.wantStreams)
			}
			evs, _, _, _ := s2.Events("g", "s4", Query{From: -1})
			if len(evs) > c.wantEvents || len(evs) == 0 || evs[len(evs)-1].Seq != 39 || evs[len(evs)-1].Message != "39\n" {
				t.Fatalf("events: %d (want at most %d) %+v", len(evs), c.wantEvents, evs)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "g", "*"+streamExt))
			if len(files) != c.wantFiles {
				t.Fatalf("files %v, want %d", files, c.wantFiles)
			}
			// A third open sees the same (files were compacted to the bounds).
			before := snap(t, s2)
			s2.Close()
			s3, _ := Open(dir, c.opts)
			defer s3.Close()
			if after := snap(t, s3); !reflect.DeepEqual(before, after) {
				t.Fatalf("third open differs:\n%+v\n%+v", before, after)
			}
		})
	}
}

// TestFilesStayBounded: a stream's file is rewritten once it holds more
// than twice MaxEventsPerStream events.
func TestFilesStayBounded(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, Options{MaxEventsPerStream: 10})
	st := s.CreateStream("g", "s")
	for i := 0; i < 1000; i++ {
		st.Append(int64(i), "line\n")
	}
	s.Close()
	b, err := os.ReadFile(filepath.Join(dir, "g", "s"+streamExt))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > 21+1 {
		t.Fatalf("file holds %d lines", n)
	}
}

func TestTornLastLine(t *testing.T) {
	cases := []struct {
		name       string
		tail       string
		wantStream bool
	}{
		{"partial event", `{"timestamp":3,"ingestionTime":4,"mess`, true},
		{"partial escape", `{"timestamp":3,"ingestionTime":4,"message":"a\u00`, true},
		{"zeroed blocks", "\x00\x00\x00\x00\x00\x00", true},
		{"whole file torn", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, _ := Open(dir, Options{})
			st := s.CreateStream("g", "s")
			st.Append(1, "one\n")
			st.Append(2, "two\n")
			s.CreateStream("g", "other").Append(1, "x\n")
			before := snap(t, s)
			s.Close()
			path := filepath.Join(dir, "g", "s"+streamExt)
			if c.wantStream {
				f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
				f.WriteString(c.tail)
				f.Close()
			} else {
				b, _ := os.ReadFile(path)
				os.WriteFile(path, b[:10], 0o644) // inside the header
			}
			s2, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			after := snap(t, s2)
			if c.wantStream {
				if !reflect.DeepEqual(before, after) {
					t.Fatalf("differs:\n%+v\n%+v", before, after)
				}
			} else if _, err := s2.Streams("g", "s"); err != nil || len(after.Streams["g"]) != 1 {
				t.Fatalf("streams after losing a header: %+v", after.Streams)
			}
			// The stream goes on cleanly after the torn line.
			s2.CreateStream("g", "s").Append(3, "three\n")
			want := snap(t, s2)
			s2.Close()
			s3, _ := Open(dir, Options{})
			defer s3.Close()
			if got := snap(t, s3); !reflect.DeepEqual(want, got) {
				t.Fatalf("after appending past a torn line:\n%+v\n%+v", want, got)
			}
		})
	}
}

func TestDeleteRemovesFiles(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, Options{MaxStreamsPerGroup: 2})
	defer s.Close()
	old := s.CreateStream("/aws/lambda/f", "a")
	old.Append(1, "a\n")
	s.CreateStream("/aws/lambda/f", "b").Append(1, "b\n")
	s.CreateStream("/aws/lambda/f", "c").Append(1, "c\n") // drops a
	s.CreateStream("/aws/lambda/g", "x").Append(1, "x\n")
	old.Append(2, "written after the drop\n")
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	gdir := filepath.Join(dir, escapeName("/aws/lambda/f"))
	files, _ := filepath.Glob(filepath.Join(gdir, "*"+streamExt))
	if len(files) != 2 || filepath.Base(files[0]) != "b"+streamExt {
		t.Fatalf("after dropping a stream: %v", files)
	}
	s.DeleteGroup("/aws/lambda/f")
	if _, err := os.Stat(gdir); !os.IsNotExist(err) {
		t.Fatalf("group directory still there: %v", err)
	}
	// A group of the same name starts afresh, and persists.
	s.CreateStream("/aws/lambda/f", "d").Append(5, "d\n")
	before := snap(t, s)
	s.Close()
	s2, _ := Open(dir, Options{MaxStreamsPerGroup: 2})
	defer s2.Close()
	if after := snap(t, s2); !reflect.DeepEqual(before, after) || len(after.Streams["/aws/lambda/f"]) != 1 {
		t.Fatalf("differs:\n%+v\n%+v", before, after)
	}
}

func BenchmarkAppendDisk(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	st := s.CreateStream("g", "s")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		st.Append(int64(i), "REPORT RequestId: 00000000-0000-0000-0000-000000000000\n")
	}
}

// BenchmarkOpen loads a store of 20 streams of 1000 events.
func BenchmarkOpen(b *testing.B) {
	dir := b.TempDir()
	s, _ := Open(dir, Options{})
	for i := 0; i < 20; i++ {
		st := s.CreateStream("/aws/lambda/f", fmt.Sprintf("s%d", i))
		for j := 0; j < 1000; j++ {
			st.Append(int64(j), "REPORT RequestId: 00000000-0000-0000-0000-000000000000\tDuration: 1.00 ms\n")
		}
	}
	s.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Open(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// FuzzEventLine: the quick parser reads what appendEventLine writes as
// encoding/json does.
func FuzzEventLine(f *testing.F) {
	for _, m := range []string{"", "plain\n", "q\"b\\s\t\r\x01\x7f", "ü 🎉", "\\u00e9", "a\"}"} {
		f.Add(int64(1), int64(2), m)
	}
	f.Fuzz(func(t *testing.T, ts, it int64, msg string) {
		msg = strings.ToValidUTF8(msg, "\uFFFD") // as Append stores it
		l := appendEventLine(nil, &Event{Timestamp: ts, IngestionTime: it, Message: msg})
		l = l[:len(l)-1]
		var want eventLine
		if err := json.Unmarshal(l, &want); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		got, ok := parseEventLine(l)
		if !ok || got != want || want.Message != msg || want.Timestamp != ts || want.IngestionTime != it {
			t.Fatalf("%s: parsed %+v %v, json %+v", l, got, ok, want)
		}
	})
}
