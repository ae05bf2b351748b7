package cursor

import (
	"errors"
	"strings"
	"testing"

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
