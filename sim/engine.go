package sim

import (
	"fmt"
	"math"
	"time"
	"unsafe"
)

// Time is a point on the virtual clock, in nanoseconds since the start of the run.
// It is a time.Duration so that durations and instants mix without conversions.
type Time = time.Duration

// Handler receives the events it scheduled. arg is the value passed to At or After,
// so a long-lived entity can schedule many kinds of event without allocating a
// closure per event.
type Handler interface {
	Handle(e *Engine, arg int64)
}

// HandlerFunc adapts a function to Handler. Converting a func to a Handler does not
// allocate, but building a new closure per event does: keep hot-path handlers as
// long-lived values.
type HandlerFunc func(e *Engine, arg int64)

// Handle calls f(e, arg).
func (f HandlerFunc) Handle(e *Engine, arg int64) { f(e, arg) }

// Timer identifies a scheduled event so that it can be cancelled. The zero Timer
// refers to no event. A Timer stays valid after its event ran or was cancelled:
// cancelling it then does nothing, even when the engine has reused its storage for
// a newer event.
type Timer struct {
	slot uint32
	gen  uint32
}

// Engine is a sequential discrete-event simulator. It is not safe for concurrent
// use; run independent replications on independent engines.
//
// Events are ordered by time, then by the order in which they were scheduled
// (FIFO among equal times). The clock jumps from one event to the next.
type Engine struct {
	now     Time
	events  uint64
	stopped bool
	seed    uint64

	q    queue
	dead int // cancelled events still in q, removed lazily (see Cancel)

	touched int64 // written by run, see there
	slots   []slot
	free    []uint32
}

// slot holds what an event does; entries in the queue refer to it by index. A
// slot with a nil handler is a cancelled event still in the queue.
type slot struct {
	h   Handler
	arg int64
	gen uint32
}

// New returns an engine at time 0 whose random streams derive from seed.
func New(seed uint64) *Engine {
	e := &Engine{seed: seed}
	e.slots = make([]slot, 1, 64) // slot 0 is never used, so the zero Timer is invalid
	return e
}

// Now is the current virtual time.
func (e *Engine) Now() Time { return e.now }

// Seed is the run's seed.
func (e *Engine) Seed() uint64 { return e.seed }

// Events is the number of events handled so far (cancelled events are not counted).
func (e *Engine) Events() uint64 { return e.events }

// Pending is the number of scheduled events not yet handled or cancelled.
func (e *Engine) Pending() int { return e.q.len() - e.dead }

// At schedules h.Handle(e, arg) at time t. Scheduling in the past or with a nil
// handler is a programming error and panics.
func (e *Engine) At(t Time, h Handler, arg int64) Timer {
	if t < e.now || h == nil {
		panic(e.badAt(t, h)) // panic here, not in badAt: the fast path then saves no registers
	}
	n := len(e.free)
	if n == 0 {
		return e.atNewSlot(t, h, arg)
	}
	s := e.free[n-1]
	e.free = e.free[:n-1]
	sl := &e.slots[s]
	sl.h, sl.arg = h, arg

	// e.q.push, by hand: this is the hot path.
	q := &e.q
	if t < q.last {
		q.reset(t)
	}
	q.n++
	if t < q.low {
		q.low = t
	}
	k := bucketOf(t, q.last) & bucketMask
	q.mask[(k>>6)&wordMask] |= 1 << (k & 63)
	q.sum |= 1 << (k >> 6)
	b := &q.b[k]
	b.top = max(b.top, math.MaxInt64-t)
	if n := len(b.e); n < cap(b.e) {
		b.e = b.e[:n+1]
		b.e[n] = entry{at: t, slot: s}
	} else {
		q.appendSlow(b, entry{at: t, slot: s})
	}
	return Timer{slot: s, gen: sl.gen}
}

// badAt says what is wrong with the arguments of At.
func (e *Engine) badAt(t Time, h Handler) string {
	if h == nil {
		return "sim: event scheduled with a nil Handler"
	}
	return fmt.Sprintf("sim: event scheduled at %v, before now (%v)", t, e.now)
}

// atNewSlot is At when no slot is free.
//
//go:noinline
func (e *Engine) atNewSlot(t Time, h Handler, arg int64) Timer {
	if len(e.slots) > math.MaxUint32 {
		panic("sim: more than 2^32-1 pending events")
	}
	if len(e.slots) == 0 {
		e.slots = append(e.slots, slot{}) // a zero Engine: slot 0 stays unused
	}
	e.slots = append(e.slots, slot{})
	e.free = append(e.free, uint32(len(e.slots)-1))
	return e.At(t, h, arg)
}

// After schedules h.Handle(e, arg) at Now()+d. A negative d counts as 0.
func (e *Engine) After(d Time, h Handler, arg int64) Timer {
	if d < 0 {
		d = 0
	}
	return e.At(e.now+d, h, arg)
}

// Cancel removes a scheduled event. It reports whether the event was still pending;
// cancelling an event that already ran or was cancelled, or the zero Timer, does
// nothing and returns false.
//
// The entry is removed from the event list lazily: it is skipped when it reaches
// the front, and when cancelled entries outnumber live ones the list is compacted,
// so that memory stays proportional to the pending events however many timers are
// set and cancelled.
func (e *Engine) Cancel(t Timer) bool {
	if t.slot == 0 || int(t.slot) >= len(e.slots) {
		return false
	}
	sl := &e.slots[t.slot]
	if sl.h == nil || sl.gen != t.gen {
		return false
	}
	sl.h = nil
	sl.gen++ // the Timer is spent even before the entry leaves the queue
	e.dead++
	if e.dead > compactMin && 2*e.dead > e.q.len() {
		e.compact()
	}
	return true
}

// compactMin is the number of cancelled entries below which the queue is never
// compacted: compacting a small queue costs more than skipping a few entries.
const compactMin = 64

// compact drops cancelled entries from the queue and frees their slots.
func (e *Engine) compact() {
	e.q.filter(func(x entry) bool {
		if e.slots[x.slot].h == nil {
			e.free = append(e.free, x.slot)
			return false
		}
		return true
	})
	e.dead = 0
}

// Stop makes Run or RunUntil return after the event being handled.
func (e *Engine) Stop() { e.stopped = true }

// Run handles events until none is left or Stop is called.
func (e *Engine) Run() { e.run(math.MaxInt64) }

// RunUntil handles every event at or before t, then advances the clock to t (unless
// stopped earlier).
func (e *Engine) RunUntil(t Time) {
	e.run(t)
	if !e.stopped && e.now < t {
		e.now = t
	}
}

func (e *Engine) run(limit Time) {
	e.stopped = false
	q := &e.q
	for !e.stopped {
		// Take out the earliest entry, by hand: this is the hot path. The run
		// goes first while its front is not later than low (see queue).
		var top entry
		if q.rh < len(q.run) && (q.run[q.rh].at <= q.low || q.runFirst(limit)) {
			top = q.run[q.rh]
			if top.at > limit {
				return
			}
			q.popRun()
		} else if q.mask[0]&1 != 0 {
			if q.last > limit {
				return
			}
			top = q.pop0()
		} else {
			k := q.first()
			if k < 0 {
				// Empty. Cancelled entries taken out last may have moved
				// last past now; events may be scheduled from now on.
				q.last = e.now
				return
			}
			b := &q.b[k&bucketMask] // not bucket 0, which is empty
			m := b.min()
			if m > limit {
				return
			}
			if n := len(b.e); n == 1 {
				top = b.e[0]
				b.e = b.e[:0]
				q.clear(k)
				q.last = m
				q.n--
			} else if n >= runMin && n <= runMax && q.runOK(k) {
				q.makeRun(k)
				top = q.run[0]
				q.popRun()
			} else {
				q.spill(k, m)
				top = q.pop0()
			}
		}

		s := top.slot
		sl := &e.slots[s]
		h, arg := sl.h, sl.arg
		e.free = append(e.free, s)
		if h == nil {
			e.dead--
			continue
		}
		sl.h = nil
		sl.gen++
		e.now = top.at
		e.events++
		// Load the slot of the entry most likely to come out next, so
		// that its cache miss overlaps the handler about to run instead
		// of stalling the next round (at n=1e6 this saves a quarter of
		// the time). It changes nothing but e.touched. With fewer than
		// touchMin events pending the slots stay in the first-level
		// cache and the touch would only cost instructions (3% of the
		// default scenario's).
		if q.n >= touchMin {
			var nb []entry
			if q.rh < len(q.run) {
				nb = q.run[q.rh:]
			} else if q.mask[0]&1 != 0 {
				nb = q.b[0].e[q.head:]
			} else if k := q.first(); k >= 0 {
				nb = q.b[k&bucketMask].e
			}
			// Two ahead: the slot of the entry after the next, and the
			// handler of the next (its slot was loaded a round ago, as
			// the one after the next then): the handler's first touch
			// (a pooled request's, a server's) overlaps this round too.
			switch len(nb) {
			case 0:
			case 1:
				e.touched = e.slots[nb[0].slot].arg
			default:
				sl := &e.slots[nb[0].slot]
				e.touched = sl.arg + e.slots[nb[1].slot].arg + touch(sl.h)
			}
		}
		h.Handle(e, arg)
	}
}

// touch loads the first byte of h's value (a handler is a pointer, or held
// through one: an interface's data word), so that it is in the cache when h
// runs; 0 for a nil h (a cancelled event).
func touch(h Handler) int64 {
	p := (*[2]unsafe.Pointer)(unsafe.Pointer(&h))[1]
	if p == nil {
		return 0
	}
	return int64(*(*byte)(p))
}

// touchMin is the number of pending events from which run touches the next
// event's slot ahead of time: 1,024 slots are 32 KB, a first-level data cache.
const touchMin = 1024
