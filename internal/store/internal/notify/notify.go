// Package notify fans store notifications out to in-process subscribers.
package notify

import (
	"context"
	"sync"

	"stepd/internal/store"
)

// Buffer is the channel capacity of each subscriber; notifications beyond
// it are dropped (they are hints, subscribers also poll).
const Buffer = 256

// Hub delivers published notifications to every current subscriber. The
// zero Hub is ready to use.
type Hub struct {
	mu     sync.Mutex
	subs   map[chan store.Notification]struct{}
	closed bool
}

// Subscribe returns a channel that receives notifications until ctx ends or
// the hub closes; then it is closed.
func (h *Hub) Subscribe(ctx context.Context) (<-chan store.Notification, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, store.ErrClosed
	}
	if h.subs == nil {
		h.subs = map[chan store.Notification]struct{}{}
	}
	ch := make(chan store.Notification, Buffer)
	h.subs[ch] = struct{}{}
	context.AfterFunc(ctx, func() { h.remove(ch) })
	return ch, nil
}

func (h *Hub) remove(ch chan store.Notification) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[ch]; ok {
		delete(h.subs, ch)
		close(ch)
	}
}

// Publish sends n to every subscriber that has room for it.
func (h *Hub) Publish(n store.Notification) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- n:
		default:
		}
	}
}

// Close closes every subscriber's channel; later Subscribes fail with
// store.ErrClosed.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}
