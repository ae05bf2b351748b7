package sfn

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// timerQueue fires the timers of the live executions at their due times
// (at once when overdue, as after a restart).
type timerQueue struct {
	fire func(arn, id string)

	mu    sync.Mutex
	heap  timerHeap
	byKey map[timerKey]*timerItem
	wake  chan struct{}
}

type timerKey struct{ arn, id string }

type timerItem struct {
	key   timerKey
	at    time.Time
	index int
}

type timerHeap []*timerItem

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].key.id < h[j].key.id
	}
	return h[i].at.Before(h[j].at)
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *timerHeap) Push(x any)   { t := x.(*timerItem); t.index = len(*h); *h = append(*h, t) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

func newTimerQueue(fire func(arn, id string)) *timerQueue {
	return &timerQueue{fire: fire, byKey: map[timerKey]*timerItem{}, wake: make(chan struct{}, 1)}
}

func (q *timerQueue) add(arn, id string, at time.Time) {
	q.mu.Lock()
	k := timerKey{arn, id}
	if t, ok := q.byKey[k]; ok {
		t.at = at
		heap.Fix(&q.heap, t.index)
	} else {
		t := &timerItem{key: k, at: at}
		q.byKey[k] = t
		heap.Push(&q.heap, t)
	}
	q.mu.Unlock()
	q.poke()
}

func (q *timerQueue) remove(arn, id string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := timerKey{arn, id}
	if t, ok := q.byKey[k]; ok {
		heap.Remove(&q.heap, t.index)
		delete(q.byKey, k)
	}
}

func (q *timerQueue) removeAll(arn string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for k, t := range q.byKey {
		if k.arn == arn {
			heap.Remove(&q.heap, t.index)
			delete(q.byKey, k)
		}
	}
}

func (q *timerQueue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// run fires due timers until ctx ends. Each fires on its own goroutine, so a
// slow execution does not delay the others.
func (q *timerQueue) run(ctx context.Context) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		q.mu.Lock()
		now := time.Now()
		var due []timerKey
		for q.heap.Len() > 0 && !q.heap[0].at.After(now) {
			it := heap.Pop(&q.heap).(*timerItem)
			delete(q.byKey, it.key)
			due = append(due, it.key)
		}
		wait := time.Hour
		if q.heap.Len() > 0 {
			wait = q.heap[0].at.Sub(now)
		}
		q.mu.Unlock()
		for _, k := range due {
			go q.fire(k.arn, k.id)
		}
		t.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-t.C:
		}
	}
}
