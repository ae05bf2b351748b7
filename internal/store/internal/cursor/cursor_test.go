package cursor

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"stepd/internal/store"
)

func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		kind, filter string
		key          []string
	}{
		{"machines", "", []string{"arn:aws:states:us-east-1:123456789012:stateMachine:a"}},
		{"executions", ExecutionsFilter(store.ByStateMachine, "arn:x", store.Failed), []string{"-62135596800000", "arn:\u00e9"}},
		{"history-reverse", "arn:e", []string{"25000"}},
		{"aliases", "arn:m", []string{"1", ""}},
	} {
		tok := Encode(c.kind, c.filter, c.key...)
		if len(tok) == 0 || len(tok) > MaxLen || strings.ContainsAny(tok, "+/=") {
			t.Errorf("Encode(%q) = %q: want 1..%d URL-safe characters", c.key, tok, MaxLen)
		}
		got, err := Decode(tok, c.kind, c.filter, len(c.key))
		if err != nil {
			t.Fatalf("Decode(Encode(%q)): %v", c.key, err)
		}
		if strings.Join(got, "|") != strings.Join(c.key, "|") {
			t.Errorf("Decode(Encode(%q)) = %q", c.key, got)
		}
	}
}

func TestRefused(t *testing.T) {
	good := Encode("history", "arn:e", "5")
	for _, c := range []struct {
		name, token, kind, filter string
		n                         int
	}{
		{"empty", "", "history", "arn:e", 1},
		{"not base64", "%%%", "history", "arn:e", 1},
		{"another kind", good, "history-reverse", "arn:e", 1},
		{"another filter", good, "history", "arn:f", 1},
		{"another key length", good, "history", "arn:e", 2},
		{"too long", strings.Repeat("A", MaxLen+1), "history", "arn:e", 1},
		{"garbage", "QUJD", "history", "arn:e", 1},
	} {
		if _, err := Decode(c.token, c.kind, c.filter, c.n); !errors.Is(err, store.ErrInvalidToken) {
			t.Errorf("%s: err = %v, want ErrInvalidToken", c.name, err)
		}
	}
	if _, err := Int("x"); !errors.Is(err, store.ErrInvalidToken) {
		t.Errorf("Int(x): err = %v, want ErrInvalidToken", err)
	}
	if n, err := Int(Itoa(-42)); n != -42 || err != nil {
		t.Errorf("Int(Itoa(-42)) = %d, %v", n, err)
	}
}

// TestLists checks each list's helpers: where a list starts without a
// token, that the token of the next page decodes to the last item's key,
// and that a list refuses another's tokens.
func TestLists(t *testing.T) {
	machine := "arn:aws:states:us-east-1:123456789012:stateMachine:m"
	created := time.UnixMilli(1700000000123).UTC()

	limit, after, err := Ascending(Machines, store.ListParams{})
	if limit != store.DefaultMaxResults || after != "" || err != nil {
		t.Errorf("Ascending() = %d, %q, %v", limit, after, err)
	}
	next := NextARN(Machines, machine)
	if _, after, err := Ascending(Machines, store.ListParams{MaxResults: 5, NextToken: next}); after != machine || err != nil {
		t.Errorf("Ascending(NextARN) = %q, %v", after, err)
	}
	if _, _, err := Ascending(Activities, store.ListParams{NextToken: next}); !errors.Is(err, store.ErrInvalidToken) {
		t.Errorf("Ascending(Activities, a machines token): err = %v", err)
	}
	if _, _, err := Ascending(Machines, store.ListParams{MaxResults: -1}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Ascending(MaxResults -1): err = %v", err)
	}

	if _, before, err := Versions(store.ListVersionsParams{StateMachineARN: machine}); before != math.MaxInt64 || err != nil {
		t.Errorf("Versions() = %d, %v", before, err)
	}
	next = NextVersion(&store.Version{StateMachineARN: machine, Number: 7})
	if _, before, err := Versions(store.ListVersionsParams{StateMachineARN: machine, NextToken: next}); before != 7 || err != nil {
		t.Errorf("Versions(NextVersion) = %d, %v", before, err)
	}
	if _, _, err := Versions(store.ListVersionsParams{StateMachineARN: machine + "2", NextToken: next}); !errors.Is(err, store.ErrInvalidToken) {
		t.Errorf("Versions(another machine's token): err = %v", err)
	}

	if _, ms, arn, err := Aliases(store.ListAliasesParams{StateMachineARN: machine}); ms != math.MaxInt64 || arn != "" || err != nil {
		t.Errorf("Aliases() = %d, %q, %v", ms, arn, err)
	}
	next = NextAlias(&store.Alias{ARN: machine + ":a", StateMachineARN: machine, CreationDate: created})
	if _, ms, arn, err := Aliases(store.ListAliasesParams{StateMachineARN: machine, NextToken: next}); ms != created.UnixMilli() || arn != machine+":a" || err != nil {
		t.Errorf("Aliases(NextAlias) = %d, %q, %v", ms, arn, err)
	}

	p := store.ListExecutionsParams{StateMachineARN: machine, Status: store.Failed, MaxResults: 3}
	a, err := Executions(p)
	if err != nil || a.Field != store.ByStateMachine || a.Value != machine || a.Status != store.Failed || a.Limit != 3 ||
		a.AfterMillis != math.MaxInt64 || a.AfterARN != "" {
		t.Errorf("Executions() = %+v, %v", a, err)
	}
	p.NextToken = a.Next(&store.Execution{ARN: machine + ":e", StartDate: created})
	if a, err := Executions(p); a.AfterMillis != created.UnixMilli() || a.AfterARN != machine+":e" || err != nil {
		t.Errorf("Executions(Next) = %+v, %v", a, err)
	}
	p.Status = ""
	if _, err := Executions(p); !errors.Is(err, store.ErrInvalidToken) {
		t.Errorf("Executions(token of another status): err = %v", err)
	}
	if _, err := Executions(store.ListExecutionsParams{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Executions(no filter): err = %v", err)
	}

	for _, reverse := range []bool{false, true} {
		h := store.HistoryParams{ExecutionARN: machine + ":e", Reverse: reverse}
		_, kind, from, err := History(h)
		if want := map[bool]int64{false: 0, true: math.MaxInt64}[reverse]; from != want || err != nil {
			t.Errorf("History(reverse %v) = %d, %v; want from %d", reverse, from, err, want)
		}
		h.NextToken = NextEvent(kind, h.ExecutionARN, 42)
		if _, _, from, err := History(h); from != 42 || err != nil {
			t.Errorf("History(reverse %v, NextEvent) = %d, %v", reverse, from, err)
		}
		h.Reverse = !reverse
		if _, _, _, err := History(h); !errors.Is(err, store.ErrInvalidToken) {
			t.Errorf("History(reverse %v, a token of the other direction): err = %v", !reverse, err)
		}
	}
}

func TestPage(t *testing.T) {
	next := func(n int) string { return Itoa(int64(n)) }
	for _, c := range []struct {
		items     []int
		limit     int
		want      []int
		wantToken string
	}{
		{nil, 2, nil, ""},
		{[]int{1, 2}, 2, []int{1, 2}, ""},
		{[]int{1, 2, 3}, 2, []int{1, 2}, "2"},
	} {
		got := Page(c.items, c.limit, next)
		if !slices.Equal(got.Items, c.want) || got.NextToken != c.wantToken {
			t.Errorf("Page(%v, %d) = %v, %q; want %v, %q", c.items, c.limit, got.Items, got.NextToken, c.want, c.wantToken)
		}
	}
}
