package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// recorder is a Handler that appends what it handled to a log.
type recorder struct {
	log []string
}

func (r *recorder) Handle(e *Engine, arg int64) {
	r.log = append(r.log, fmt.Sprintf("%v:%d", e.Now(), arg))
}

func TestOrderByTimeThenFIFO(t *testing.T) {
	e := New(1)
	r := &recorder{}
	e.At(3*time.Second, r, 1)
	e.At(1*time.Second, r, 2)
	e.At(2*time.Second, r, 3)
	e.At(1*time.Second, r, 4) // same time as arg 2, scheduled later: runs after it
	e.At(0, r, 5)
	e.At(1*time.Second, r, 6)
	e.Run()
	want := []string{"0s:5", "1s:2", "1s:4", "1s:6", "2s:3", "3s:1"}
	if !slices.Equal(r.log, want) {
		t.Fatalf("order = %v, want %v", r.log, want)
	}
	if e.Now() != 3*time.Second || e.Events() != 6 || e.Pending() != 0 {
		t.Fatalf("after Run: now %v events %d pending %d; want 3s 6 0", e.Now(), e.Events(), e.Pending())
	}
}

// Events scheduled by a handler for the current time run after the events already
// scheduled for that time.
func TestFIFOForEventsScheduledAtNow(t *testing.T) {
	e := New(1)
	var order []int64
	var h HandlerFunc
	h = func(e *Engine, arg int64) {
		order = append(order, arg)
		if arg < 10 {
			e.After(0, h, arg+10)
		}
	}
	for i := int64(1); i <= 3; i++ {
		e.At(time.Second, h, i)
	}
	e.Run()
	want := []int64{1, 2, 3, 11, 12, 13}
	if !slices.Equal(order, want) {
		t.Fatalf("order = %v, want %v", order, want)
	}
}

func TestAtInThePastPanics(t *testing.T) {
	e := New(1)
	e.RunUntil(time.Second)
	defer func() {
		if recover() == nil {
			t.Fatal("At before Now did not panic")
		}
	}()
	e.At(time.Second-1, HandlerFunc(func(*Engine, int64) {}), 0)
}

func TestAfterNegativeIsNow(t *testing.T) {
	e := New(1)
	e.RunUntil(time.Second)
	r := &recorder{}
	e.After(-time.Hour, r, 7)
	e.Run()
	if !slices.Equal(r.log, []string{"1s:7"}) {
		t.Fatalf("log = %v", r.log)
	}
}

func TestCancel(t *testing.T) {
	e := New(1)
	r := &recorder{}
	a := e.At(time.Second, r, 1)
	b := e.At(2*time.Second, r, 2)
	if !e.Cancel(a) {
		t.Fatal("Cancel of a pending event returned false")
	}
	if e.Cancel(a) {
		t.Fatal("second Cancel returned true")
	}
	if e.Pending() != 1 {
		t.Fatalf("pending = %d after cancelling one of two", e.Pending())
	}
	if e.Cancel(Timer{}) {
		t.Fatal("Cancel of the zero Timer returned true")
	}
	e.Run()
	if !slices.Equal(r.log, []string{"2s:2"}) {
		t.Fatalf("log = %v, want only the uncancelled event", r.log)
	}
	if e.Cancel(b) {
		t.Fatal("Cancel after the event ran returned true")
	}
	if e.Events() != 1 {
		t.Fatalf("events = %d, want 1 (cancelled events are not counted)", e.Events())
	}
}

// A Timer whose event is gone must not cancel the newer event that reuses its
// storage.
func TestStaleTimerDoesNotCancelReusedSlot(t *testing.T) {
	e := New(1)
	r := &recorder{}
	old := e.At(time.Second, r, 1)
	e.Run() // old fired; its slot is free
	fresh := e.At(2*time.Second, r, 2)
	if fresh.slot != old.slot {
		t.Fatalf("test premise: expected slot reuse, got %d and %d", old.slot, fresh.slot)
	}
	if e.Cancel(old) {
		t.Fatal("stale Timer cancelled the new event")
	}
	// Same after a cancel: the cancelled entry's slot is reused once it leaves
	// the queue.
	c := e.At(3*time.Second, r, 3)
	e.Cancel(c)
	e.Run()
	again := e.At(4*time.Second, r, 4)
	if e.Cancel(c) {
		t.Fatal("Timer of a cancelled event cancelled a later event")
	}
	e.Run()
	if !slices.Equal(r.log, []string{"1s:1", "2s:2", "4s:4"}) {
		t.Fatalf("log = %v", r.log)
	}
	_ = again
}

func TestCancelFromHandler(t *testing.T) {
	e := New(1)
	r := &recorder{}
	var timeout Timer
	// The reply arrives before the timeout and cancels it.
	e.At(time.Second, HandlerFunc(func(e *Engine, _ int64) {
		if !e.Cancel(timeout) {
			t.Error("cancel of the pending timeout returned false")
		}
	}), 0)
	timeout = e.At(5*time.Second, r, 99)
	// An event cancelling itself while running: already gone.
	var self Timer
	self = e.At(2*time.Second, HandlerFunc(func(e *Engine, _ int64) {
		if e.Cancel(self) {
			t.Error("an event could cancel itself while running")
		}
	}), 0)
	// Cancelling another event at the same time that is still pending works.
	var second Timer
	e.At(3*time.Second, HandlerFunc(func(e *Engine, _ int64) {
		if !e.Cancel(second) {
			t.Error("cancel of a same-time later event returned false")
		}
	}), 0)
	second = e.At(3*time.Second, r, 3)
	e.Run()
	if len(r.log) != 0 {
		t.Fatalf("cancelled events ran: %v", r.log)
	}
	if e.Now() != 3*time.Second {
		t.Fatalf("now = %v; cancelled events must not move the clock", e.Now())
	}
}

func TestRunUntil(t *testing.T) {
	e := New(1)
	r := &recorder{}
	e.At(time.Second, r, 1)
	e.At(2*time.Second, r, 2)
	e.At(3*time.Second, r, 3)
	e.RunUntil(2 * time.Second) // inclusive
	if !slices.Equal(r.log, []string{"1s:1", "2s:2"}) || e.Now() != 2*time.Second {
		t.Fatalf("RunUntil(2s): log %v now %v", r.log, e.Now())
	}
	e.RunUntil(2500 * time.Millisecond) // no event: the clock still advances
	if e.Now() != 2500*time.Millisecond || e.Pending() != 1 {
		t.Fatalf("RunUntil(2.5s): now %v pending %d", e.Now(), e.Pending())
	}
	// Scheduling between now and the next event after RunUntil.
	e.At(2600*time.Millisecond, r, 4)
	e.RunUntil(time.Hour)
	if !slices.Equal(r.log, []string{"1s:1", "2s:2", "2.6s:4", "3s:3"}) || e.Now() != time.Hour {
		t.Fatalf("RunUntil(1h): log %v now %v", r.log, e.Now())
	}
}

// RunUntil stops at its limit in the middle of a busy instant range: 200 events
// close together (which the event list sorts into one run) are handled in
// slices, each RunUntil exactly up to its limit, with new events landing
// between them.
func TestRunUntilInsideABusyRange(t *testing.T) {
	e := New(1)
	var got []Time
	h := HandlerFunc(func(e *Engine, _ int64) { got = append(got, e.Now()) })
	const base = Time(1 << 20)
	var want []Time
	for i := 199; i >= 0; i-- { // scheduled out of order
		e.At(base+Time(i)*100, h, 0)
	}
	for i := range 200 {
		want = append(want, base+Time(i)*100)
	}
	for limit := base + 50; limit < base+20000; limit += 3000 {
		e.RunUntil(limit)
		n := 0
		for n < len(got) && got[n] <= limit {
			n++
		}
		if n != len(got) || e.Now() != limit {
			t.Fatalf("RunUntil(%v): handled up to %v, now %v", limit, got[len(got)-1], e.Now())
		}
		if wantN, _ := slices.BinarySearch(want, limit+1); len(got) != wantN {
			t.Fatalf("RunUntil(%v): handled %d events, want %d", limit, len(got), wantN)
		}
		e.At(limit+1, h, 0) // between the run's entries
		want = append(want, limit+1)
		slices.Sort(want)
	}
	e.Run()
	if !slices.Equal(got, want) {
		t.Fatalf("handled at %v\nwant %v", got, want)
	}
}

// Run ends on an empty list after skipping a cancelled event later than the
// last event handled: the clock stays at that event, and events may then be
// scheduled anywhere from there on, before the cancelled one's time too.
func TestScheduleBeforeACancelledEventAfterRun(t *testing.T) {
	e := New(1)
	r := &recorder{}
	e.At(time.Second, r, 1)
	e.Cancel(e.At(3*time.Second, r, 2))
	e.Run()
	if e.Now() != time.Second {
		t.Fatalf("now %v after Run, want 1s", e.Now())
	}
	e.At(4*time.Second, r, 3)
	e.At(2*time.Second, r, 4)
	e.At(time.Second, r, 5)
	e.Run()
	if !slices.Equal(r.log, []string{"1s:1", "1s:5", "2s:4", "4s:3"}) {
		t.Fatalf("log %v", r.log)
	}
}

// Cancelled events at the front of the list are skipped without moving the clock,
// and scheduling before them afterwards still works.
func TestCancelledEventsDoNotMoveClock(t *testing.T) {
	e := New(1)
	r := &recorder{}
	c := e.At(10*time.Second, r, 1)
	e.At(20*time.Second, r, 2)
	e.Cancel(c)
	e.RunUntil(15 * time.Second)
	if e.Now() != 15*time.Second || len(r.log) != 0 {
		t.Fatalf("now %v log %v", e.Now(), r.log)
	}
	e.At(16*time.Second, r, 3)
	e.Run()
	if !slices.Equal(r.log, []string{"16s:3", "20s:2"}) {
		t.Fatalf("log %v", r.log)
	}
	// Only cancelled events left: Run drains them, the clock stays.
	c = e.At(30*time.Second, r, 4)
	e.Cancel(c)
	e.Run()
	if e.Now() != 20*time.Second || e.Pending() != 0 {
		t.Fatalf("now %v pending %d", e.Now(), e.Pending())
	}
	e.At(21*time.Second, r, 5)
	e.Run()
	if !slices.Equal(r.log, []string{"16s:3", "20s:2", "21s:5"}) {
		t.Fatalf("log %v", r.log)
	}
}

func TestStop(t *testing.T) {
	e := New(1)
	r := &recorder{}
	e.At(1*time.Second, r, 1)
	e.At(2*time.Second, HandlerFunc(func(e *Engine, _ int64) { e.Stop() }), 0)
	e.At(2*time.Second, r, 2)
	e.At(3*time.Second, r, 3)
	e.RunUntil(time.Hour)
	if !slices.Equal(r.log, []string{"1s:1"}) || e.Now() != 2*time.Second {
		t.Fatalf("after Stop: log %v now %v (RunUntil must not advance the clock when stopped)", r.log, e.Now())
	}
	e.Run() // Stop does not stick
	if !slices.Equal(r.log, []string{"1s:1", "2s:2", "3s:3"}) {
		t.Fatalf("after second Run: log %v", r.log)
	}
}

// Many timers set and cancelled must not grow memory without bound: the
// engine's slots and event list stay proportional to the live events.
func TestCancelledTimersDoNotAccumulate(t *testing.T) {
	e := New(1)
	nop := HandlerFunc(func(*Engine, int64) {})
	const live = 100
	for i := 0; i < live; i++ {
		e.At(time.Duration(i+1)*time.Hour, nop, 0)
	}
	for i := 0; i < 1_000_000; i++ {
		tm := e.After(time.Duration(i%1000+1)*time.Minute, nop, 0)
		if !e.Cancel(tm) {
			t.Fatal("cancel failed")
		}
	}
	if e.Pending() != live {
		t.Fatalf("pending = %d, want %d", e.Pending(), live)
	}
	if n := len(e.slots); n > 4*live+2*compactMin {
		t.Fatalf("%d slots for %d live events: cancelled timers accumulate", n, live)
	}
	if n := e.q.len(); n > 2*live+2*compactMin {
		t.Fatalf("event list holds %d entries for %d live events", n, live)
	}
	e.Run()
	if e.Events() != live {
		t.Fatalf("events = %d, want %d", e.Events(), live)
	}
}

// The engine against a reference model: random schedules (with many equal
// times), cancels, and partial runs, compared event by event with a list kept
// sorted by (time, sequence).
func TestAgainstReferenceModel(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		e := New(seed)
		type ref struct {
			at  Time
			seq int64
			tm  Timer
		}
		var want []ref // pending, in any order
		var got []int64
		h := HandlerFunc(func(e *Engine, arg int64) { got = append(got, arg) })
		var expect []int64
		var seq int64
		// spread chooses the scale of times: ties, small and huge gaps.
		spread := []Time{1, 1000, time.Second, 1 << 50}
		for step := 0; step < 3000; step++ {
			// Seeds above 10 schedule and cancel in bursts, so that
			// cancelled entries pile up and the event list gets compacted.
			burst, schedule := 1, 6
			if seed > 10 {
				burst, schedule = 1+r.IntN(100), 4
			}
			switch op := r.IntN(10); {
			case op < schedule:
				for range burst {
					d := Time(r.Int64N(int64(spread[r.IntN(len(spread))]) * 4))
					if r.IntN(4) == 0 {
						d = 0
					}
					seq++
					tm := e.At(e.Now()+d, h, seq)
					want = append(want, ref{e.Now() + d, seq, tm})
				}
			case op < 8 && len(want) > 0:
				for range min(burst, len(want)) {
					i := r.IntN(len(want))
					if !e.Cancel(want[i].tm) {
						t.Fatalf("seed %d: cancel of pending event %d failed", seed, want[i].seq)
					}
					want = slices.Delete(want, i, i+1)
				}
			default:
				slices.SortFunc(want, func(a, b ref) int {
					if a.at != b.at {
						return int(max(-1, min(1, a.at-b.at)))
					}
					return int(a.seq - b.seq)
				})
				limit := e.Now() + Time(r.Int64N(int64(spread[r.IntN(len(spread))])*4))
				n := 0
				for n < len(want) && want[n].at <= limit {
					expect = append(expect, want[n].seq)
					n++
				}
				want = want[n:]
				e.RunUntil(limit)
				if e.Now() != limit {
					t.Fatalf("seed %d: now %v after RunUntil(%v)", seed, e.Now(), limit)
				}
			}
			if e.Pending() != len(want) {
				t.Fatalf("seed %d step %d: pending %d, want %d", seed, step, e.Pending(), len(want))
			}
		}
		slices.SortFunc(want, func(a, b ref) int {
			if a.at != b.at {
				return int(max(-1, min(1, a.at-b.at)))
			}
			return int(a.seq - b.seq)
		})
		for _, w := range want {
			expect = append(expect, w.seq)
		}
		e.Run()
		if !slices.Equal(got, expect) {
			for i := range min(len(got), len(expect)) {
				if got[i] != expect[i] {
					t.Fatalf("seed %d: event %d is %d, want %d", seed, i, got[i], expect[i])
				}
			}
			t.Fatalf("seed %d: handled %d events, want %d", seed, len(got), len(expect))
		}
	}
}

// traceModel is a small model of clients with timeouts: each request either gets
// its reply (cancelling its timeout) or times out. It hashes every event.
type traceModel struct {
	rng      *rand.Rand
	service  Dist
	h        uint64
	timeouts []Timer
}

func (m *traceModel) Handle(e *Engine, arg int64) {
	// fold (time, arg) into an FNV-1a style hash
	for _, v := range [2]uint64{uint64(e.Now()), uint64(arg)} {
		m.h ^= v
		m.h *= 1099511628211
	}
	client := int(arg % 100)
	switch arg / 100 {
	case 0: // send a request: reply after a service time, timeout after 150ms
		e.After(m.service.Sample().Round(time.Millisecond), m, 100+int64(client))
		m.timeouts[client] = e.After(150*time.Millisecond, m, 200+int64(client))
	case 1: // reply
		if e.Cancel(m.timeouts[client]) {
			e.After(Time(m.rng.IntN(50))*time.Millisecond, m, int64(client))
		}
	case 2: // timeout: retry
		e.After(0, m, int64(client))
	}
}

func traceHash(seed uint64) (uint64, uint64) {
	e := New(seed)
	m := &traceModel{
		rng:      e.Stream("think"),
		service:  Exp(100 * time.Millisecond).New(e.Stream("service")),
		h:        14695981039346656037,
		timeouts: make([]Timer, 20),
	}
	for c := 0; c < 20; c++ {
		e.At(0, m, int64(c))
	}
	e.RunUntil(time.Minute)
	return m.h, e.Events()
}

func TestDeterminism(t *testing.T) {
	h1, n1 := traceHash(42)
	h2, n2 := traceHash(42)
	if h1 != h2 || n1 != n2 {
		t.Fatalf("same seed gave different traces: %x (%d events) vs %x (%d events)", h1, n1, h2, n2)
	}
	if n1 < 5000 {
		t.Fatalf("trace too short to mean anything: %d events", n1)
	}
	h3, _ := traceHash(43)
	if h3 == h1 {
		t.Fatalf("seeds 42 and 43 gave the same trace %x", h1)
	}
}

// bucketOf against its definition: 0 for at == last, otherwise 1 + 256*L + v
// for L the highest base-256 digit where at and last differ and v at's digit L.
func TestBucketOf(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100_000; i++ {
		last := Time(r.Int64N(1 << uint(r.IntN(63))))
		at := last + Time(r.Int64N(1<<uint(r.IntN(63))))
		if at < last { // overflow
			continue
		}
		if r.IntN(10) == 0 {
			at = last
		}
		want := 0
		for l := levels - 1; l >= 0; l-- {
			da := int(uint64(at)>>(l*digitBits)) & (digitVals - 1)
			dl := int(uint64(last)>>(l*digitBits)) & (digitVals - 1)
			if da != dl {
				want = 1 + l*digitVals + da
				break
			}
		}
		if got := bucketOf(at, last); got != want {
			t.Fatalf("bucketOf(%d, %d) = %d, want %d", at, last, got, want)
		}
	}
}

// The zero Engine works like New(0), and its zero Timer still refers to nothing.
func TestZeroEngine(t *testing.T) {
	var e Engine
	r := &recorder{}
	tm := e.After(time.Second, r, 1)
	if tm == (Timer{}) {
		t.Fatal("an event got the zero Timer")
	}
	if e.Cancel(Timer{}) {
		t.Fatal("zero Timer cancelled something")
	}
	e.Run()
	if !slices.Equal(r.log, []string{"1s:1"}) {
		t.Fatalf("log %v", r.log)
	}
}

// refEvent is an event of refModel's reference list.
type refEvent struct {
	at  Time
	seq int64
}

// refHeap is the reference event list: a binary heap by (time, scheduling order).
type refHeap []refEvent

func (h refHeap) less(i, j int) bool {
	return h[i].at < h[j].at || h[i].at == h[j].at && h[i].seq < h[j].seq
}

func (h *refHeap) push(x refEvent) {
	*h = append(*h, x)
	for i := len(*h) - 1; i > 0 && h.less(i, (i-1)/2); i = (i - 1) / 2 {
		(*h)[i], (*h)[(i-1)/2] = (*h)[(i-1)/2], (*h)[i]
	}
}

func (h *refHeap) pop() refEvent {
	s := *h
	x := s[0]
	s[0] = s[len(s)-1]
	s = s[:len(s)-1]
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(s) {
			break
		}
		if c+1 < len(s) && s.less(c+1, c) {
			c++
		}
		if !s.less(c, i) {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return x
}

// refModel is a model whose handlers schedule and cancel events, checked event
// by event against a reference list. Its phases change how many events are
// pending and how far ahead they are scheduled, so that the event list takes
// every path: sorted runs of every size (insertion and counting sort, times
// clustered on one instant), runs given up when new events land inside them,
// spills of buckets too large to be a run, and compaction.
type refModel struct {
	t         *testing.T
	r         *rand.Rand
	ref       refHeap
	cancelled map[int64]bool
	timers    map[int64]Timer
	ids       []int64 // pending, in no order, for picking one to cancel
	seq       int64
	target    int  // pending events the phase keeps
	lead      Time // mean lead time of the phase
	cluster   Time // an instant many events are scheduled at
	handled   int
}

func (m *refModel) schedule(e *Engine) {
	var d Time
	switch p := m.r.IntN(20); {
	case p < 2:
		d = 0
	case p < 4:
		d = Time(m.r.IntN(100))
	case p < 6 && m.cluster >= e.Now():
		d = m.cluster - e.Now()
	case p < 7:
		d = 1 << 40
	default:
		d = Time(m.r.ExpFloat64() * float64(m.lead))
	}
	m.seq++
	m.timers[m.seq] = e.At(e.Now()+d, m, m.seq)
	m.ref.push(refEvent{e.Now() + d, m.seq})
	m.ids = append(m.ids, m.seq)
}

func (m *refModel) cancel(e *Engine) {
	for len(m.ids) > 0 {
		i := m.r.IntN(len(m.ids))
		id := m.ids[i]
		m.ids[i] = m.ids[len(m.ids)-1]
		m.ids = m.ids[:len(m.ids)-1]
		if m.cancelled[id] || m.timers[id] == (Timer{}) {
			continue // already handled: ids are removed lazily
		}
		if !e.Cancel(m.timers[id]) {
			m.t.Fatalf("cancelling pending event %d failed", id)
		}
		m.cancelled[id] = true
		return
	}
}

// peek is the time of the earliest pending event of the reference list, or
// the largest Time if none is.
func (m *refModel) peek() Time {
	for len(m.ref) > 0 && m.cancelled[m.ref[0].seq] {
		delete(m.cancelled, m.ref.pop().seq)
	}
	if len(m.ref) == 0 {
		return math.MaxInt64
	}
	return m.ref[0].at
}

func (m *refModel) Handle(e *Engine, arg int64) {
	for {
		want := m.ref.pop()
		if m.cancelled[want.seq] {
			delete(m.cancelled, want.seq)
			continue
		}
		if want.seq != arg || want.at != e.Now() {
			m.t.Fatalf("event %d: handled %d at %v, want %d at %v", m.handled, arg, e.Now(), want.seq, want.at)
		}
		break
	}
	m.timers[arg] = Timer{}
	m.handled++
	n := 1
	if pending := len(m.ref) - len(m.cancelled); pending < m.target {
		n = 2
	} else if pending > m.target {
		n = 0
	}
	for range n {
		m.schedule(e)
	}
	if m.r.IntN(8) == 0 {
		m.cancel(e)
	}
}

func TestAgainstReferenceInHandlers(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		e := New(seed)
		m := &refModel{t: t, r: rand.New(rand.NewPCG(seed, 7)), cancelled: map[int64]bool{},
			timers: map[int64]Timer{}}
		targets := []int{1, 10, 300, 3000}
		leads := []Time{10, time.Microsecond, time.Millisecond, time.Second, time.Hour}
		for phase := 0; phase < 40; phase++ {
			m.target = targets[m.r.IntN(len(targets))]
			m.lead = leads[m.r.IntN(len(leads))]
			m.cluster = e.Now() + Time(m.r.Int64N(int64(m.lead)*8+1))
			for range 1 + m.r.IntN(m.target) { // new events from outside, at now
				m.schedule(e)
			}
			for end := m.handled + 5000; m.handled < end && len(m.ref) > len(m.cancelled); {
				// RunUntil a little beyond now, as a scenario steps time,
				// or up to the next event, so that a phase cannot crawl
				// towards an event scheduled far ahead.
				limit := e.Now() + Time(m.r.ExpFloat64()*float64(m.lead)*float64(m.r.IntN(50)))
				if m.r.IntN(4) == 0 {
					limit = max(limit, m.peek())
				}
				e.RunUntil(limit)
				if e.Pending() != len(m.ref)-len(m.cancelled) {
					t.Fatalf("seed %d: pending %d, want %d", seed, e.Pending(), len(m.ref)-len(m.cancelled))
				}
				if next := m.peek(); next <= limit {
					t.Fatalf("seed %d: RunUntil(%v) left an event at %v", seed, limit, next)
				}
			}
		}
		if m.handled < 100_000 {
			t.Fatalf("seed %d: only %d events handled", seed, m.handled)
		}
	}
}
