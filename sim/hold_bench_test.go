package sim

import (
	"container/heap"
	"math/rand/v2"
	"strconv"
	"testing"
)

// The hold model (Jones 1986, Rönngren & Ayani 1997): n events are pending; each
// step handles the earliest and schedules one more at now + Exp(1 s). The
// queue size stays n, so the benchmark measures the event list at a fixed size.
// Both benchmarks below draw the increments the same way (ExpFloat64 on a PCG
// stream with the same seed), so their ratio compares event lists, not draws.

var holdSizes = []int{100, 10_000, 1_000_000}

const holdSeed = 20240601

// holdDelay is the draw shared by both benchmarks: Exp(1) in units of 1 s.
func holdDelay(r *rand.Rand) Time { return Time(r.ExpFloat64() * 1e9) }

type holdEngine struct {
	r    *rand.Rand
	left int
}

func (h *holdEngine) Handle(e *Engine, _ int64) {
	h.left--
	if h.left <= 0 {
		e.Stop()
	}
	e.At(e.Now()+holdDelay(h.r), h, 0)
}

// holdWarmup is the number of events, per pending event, run before measuring:
// 5 rounds is 5 s of simulated time, past the first time the event list empties
// a bucket 2^32 ns wide, so that the measured part sees the steady state. The
// warmed-up list is kept across the calls the testing package makes with growing
// b.N.
const holdWarmup = 5

func BenchmarkHold(b *testing.B) {
	for _, n := range holdSizes {
		var e *Engine
		var h *holdEngine
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			if e == nil {
				e = New(holdSeed)
				h = &holdEngine{r: NewStream(holdSeed, "hold")}
				for i := 0; i < n; i++ {
					e.At(holdDelay(h.r), h, 0)
				}
				h.left = holdWarmup * n
				e.Run()
			}
			h.left = b.N
			b.ReportAllocs()
			b.ResetTimer()
			e.Run()
			b.StopTimer()
			if e.Pending() != n {
				b.Fatalf("pending = %d, want %d", e.Pending(), n)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// heapEvent and heapList are the baseline: the textbook container/heap priority
// queue (as in the package's PriorityQueue example, with the index kept so that an
// event could be removed), ordered by (time, insertion sequence). Events are
// recycled through a free list so the baseline does not allocate either.
type heapEvent struct {
	at    Time
	seq   uint64
	h     heapHandler
	arg   int64
	index int
}

type heapHandler interface {
	handle(q *heapList, arg int64)
}

type heapList struct {
	now  Time
	seq  uint64
	ev   []*heapEvent
	free []*heapEvent
	stop bool
}

func (q *heapList) Len() int { return len(q.ev) }
func (q *heapList) Less(i, j int) bool {
	a, b := q.ev[i], q.ev[j]
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}
func (q *heapList) Swap(i, j int) {
	q.ev[i], q.ev[j] = q.ev[j], q.ev[i]
	q.ev[i].index = i
	q.ev[j].index = j
}
func (q *heapList) Push(x any) {
	ev := x.(*heapEvent)
	ev.index = len(q.ev)
	q.ev = append(q.ev, ev)
}
func (q *heapList) Pop() any {
	n := len(q.ev) - 1
	ev := q.ev[n]
	q.ev[n] = nil
	q.ev = q.ev[:n]
	ev.index = -1
	return ev
}

func (q *heapList) at(t Time, h heapHandler, arg int64) {
	var ev *heapEvent
	if n := len(q.free); n > 0 {
		ev = q.free[n-1]
		q.free = q.free[:n-1]
	} else {
		ev = new(heapEvent)
	}
	q.seq++
	ev.at, ev.seq, ev.h, ev.arg = t, q.seq, h, arg
	heap.Push(q, ev)
}

func (q *heapList) run() {
	q.stop = false
	for !q.stop && len(q.ev) > 0 {
		ev := heap.Pop(q).(*heapEvent)
		q.now = ev.at
		h, arg := ev.h, ev.arg
		ev.h = nil
		q.free = append(q.free, ev)
		h.handle(q, arg)
	}
}

type holdHeap struct {
	r    *rand.Rand
	left int
}

func (h *holdHeap) handle(q *heapList, _ int64) {
	h.left--
	if h.left <= 0 {
		q.stop = true
	}
	q.at(q.now+holdDelay(h.r), h, 0)
}

func BenchmarkHoldContainerHeap(b *testing.B) {
	for _, n := range holdSizes {
		var q *heapList
		var h *holdHeap
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			if q == nil {
				q = &heapList{}
				h = &holdHeap{r: NewStream(holdSeed, "hold")}
				for i := 0; i < n; i++ {
					q.at(holdDelay(h.r), h, 0)
				}
				h.left = holdWarmup * n
				q.run()
			}
			h.left = b.N
			b.ReportAllocs()
			b.ResetTimer()
			q.run()
			b.StopTimer()
			if len(q.ev) != n {
				b.Fatalf("pending = %d, want %d", len(q.ev), n)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
