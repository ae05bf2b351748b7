package logstore

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestStreamsAndEvents(t *testing.T) {
	s := New(Options{})
	a := s.CreateStream("/aws/lambda/f", "2024/01/01/[$LATEST]a")
	b := s.CreateStream("/aws/lambda/f", "2024/01/01/[$LATEST]b")
	if again := s.CreateStream("/aws/lambda/f", "2024/01/01/[$LATEST]a"); again != a {
		t.Fatal("CreateStream made a second stream of the same name")
	}
	for i := 0; i < 5; i++ {
		a.Append(int64(100+i), fmt.Sprintf("a%d\n", i))
	}
	b.Append(102, "b0 REPORT\n")
	streams, err := s.Streams("/aws/lambda/f", "")
	if err != nil || len(streams) != 2 || streams[0].FirstEventTimestamp != 100 || streams[0].LastEventTimestamp != 104 || streams[0].StoredBytes != 15 {
		t.Fatalf("streams: %+v %v", streams, err)
	}
	if g := s.Groups("/aws/lambda/"); len(g) != 1 || g[0].StoredBytes != 25 {
		t.Fatalf("groups: %+v", g)
	}
	cases := []struct {
		name       string
		q          Query
		want       string
		next, prev int64
	}{
		{"all forward", Query{From: -1}, "a0 a1 a2 a3 a4", 5, 0},
		{"latest two backward", Query{From: -1, Backward: true, Limit: 2}, "a3 a4", 5, 3},
		{"page back from 3", Query{From: 3, Backward: true, Limit: 2}, "a1 a2", 3, 1},
		{"forward from 2 limit 2", Query{From: 2, Limit: 2}, "a2 a3", 4, 2},
		{"time window", Query{From: -1, StartTime: 101, EndTime: 103}, "a1 a2", 5, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, next, prev, err := s.Events("/aws/lambda/f", "2024/01/01/[$LATEST]a", c.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range evs {
				got = append(got, strings.TrimSpace(e.Message))
			}
			if strings.Join(got, " ") != c.want || next != c.next || prev != c.prev {
				t.Fatalf("got %v next %d prev %d; want %s %d %d", got, next, prev, c.want, c.next, c.prev)
			}
		})
	}
	if _, _, _, err := s.Events("/nope", "x", Query{}); !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("unknown group: %v", err)
	}
	if _, _, _, err := s.Events("/aws/lambda/f", "x", Query{}); !errors.Is(err, ErrStreamNotFound) {
		t.Errorf("unknown stream: %v", err)
	}
}

func TestFilter(t *testing.T) {
	s := New(Options{})
	a := s.CreateStream("g", "a")
	b := s.CreateStream("g", "b")
	a.Append(1, "START RequestId: 1\n")
	b.Append(2, "ERROR something failed\n")
	a.Append(3, "REPORT RequestId: 1 Duration: 2 ms\n")
	b.Append(3, "REPORT RequestId: 2 Duration: 5 ms\n")
	cases := []struct {
		pattern string
		q       FilterQuery
		want    string
	}{
		{"", FilterQuery{}, "1a 2b 3a 3b"},
		{"REPORT", FilterQuery{}, "3a 3b"},
		{`"Duration: 5"`, FilterQuery{}, "3b"},
		{"?ERROR ?START", FilterQuery{}, "1a 2b"},
		{"REPORT RequestId", FilterQuery{Streams: []string{"a"}}, "3a"},
		{"", FilterQuery{StartTime: 2, EndTime: 3}, "2b"},
		{"", FilterQuery{StreamPrefix: "b"}, "2b 3b"},
	}
	for _, c := range cases {
		c.q.Pattern = c.pattern
		evs, _, err := s.Filter("g", c.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			got = append(got, fmt.Sprint(e.Timestamp)+e.Stream)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("pattern %q %+v: got %v want %s", c.pattern, c.q, got, c.want)
		}
	}
	// Paging continues after the last event returned.
	first, more, _ := s.Filter("g", FilterQuery{Limit: 3})
	rest, more2, _ := s.Filter("g", FilterQuery{After: &first[2]})
	if len(first) != 3 || !more || len(rest) != 1 || more2 || rest[0].Stream != "b" || rest[0].Timestamp != 3 {
		t.Errorf("paging: %v %v %v %v", first, more, rest, more2)
	}
}

// TestBounds: the store drops the oldest events and streams past its caps,
// and sequence numbers keep counting.
func TestBounds(t *testing.T) {
	s := New(Options{MaxEventsPerStream: 8, MaxStreamsPerGroup: 2})
	st := s.CreateStream("g", "s1")
	for i := 0; i < 20; i++ {
		st.Append(int64(i), fmt.Sprintf("%d\n", i))
	}
	evs, _, _, _ := s.Events("g", "s1", Query{From: -1})
	if len(evs) > 8 || evs[len(evs)-1].Seq != 19 || evs[len(evs)-1].Message != "19\n" {
		t.Fatalf("events: %+v", evs)
	}
	s.CreateStream("g", "s2")
	s.CreateStream("g", "s3")
	streams, _ := s.Streams("g", "")
	if len(streams) != 2 || streams[0].Name != "s2" {
		t.Fatalf("streams: %+v", streams)
	}
	s.DeleteGroup("g")
	if len(s.Groups("")) != 0 {
		t.Fatal("group not deleted")
	}
}

func BenchmarkAppend(b *testing.B) {
	s := New(Options{})
	st := s.CreateStream("g", "s")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		st.Append(int64(i), "REPORT RequestId: 00000000-0000-0000-0000-000000000000\n")
	}
}
