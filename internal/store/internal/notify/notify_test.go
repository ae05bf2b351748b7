package notify

import (
	"context"
	"errors"
	"testing"

	"stepd/internal/store"
)

func TestHub(t *testing.T) {
	var h Hub
	ctx, cancel := context.WithCancel(t.Context())
	a, err := h.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Subscribe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := store.Notification{Kind: store.ActivityTaskQueued, ARN: "arn:a"}
	h.Publish(n)
	for _, ch := range []<-chan store.Notification{a, b} {
		if got := <-ch; got != n {
			t.Errorf("got %+v, want %+v", got, n)
		}
	}
	// A subscriber that does not read loses what overflows its buffer,
	// without blocking the publisher.
	for range Buffer + 10 {
		h.Publish(n)
	}
	if len(b) != Buffer {
		t.Errorf("buffered %d, want %d", len(b), Buffer)
	}
	cancel()
	for range a { // closed once ctx ends
	}
	h.Close()
	count := 0
	for range b { // drained, then closed by Close
		count++
	}
	if count != Buffer {
		t.Errorf("drained %d, want %d", count, Buffer)
	}
	if _, err := h.Subscribe(t.Context()); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Subscribe after Close: %v", err)
	}
	h.Publish(n) // no subscribers, no panic
}
