package sim

import (
	"fmt"
	"time"
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
// refers to no event.
type Timer struct {
	slot uint32
	gen  uint32
}

// Engine is a sequential discrete-event simulator. It is not safe for concurrent
// use; run independent replications on independent engines.
type Engine struct {
	now     Time
	seq     uint64
	events  uint64
	stopped bool
	seed    uint64

	q     queue
	slots []slot
	free  []uint32
}

type slot struct {
	h    Handler
	arg  int64
	gen  uint32
	live bool
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
func (e *Engine) Pending() int { return len(e.slots) - 1 - len(e.free) }

// At schedules h.Handle(e, arg) at time t. Scheduling in the past is a programming
// error and panics.
func (e *Engine) At(t Time, h Handler, arg int64) Timer {
	if t < e.now {
		panic(fmt.Sprintf("sim: event scheduled at %v, before now (%v)", t, e.now))
	}
	var s uint32
	if n := len(e.free); n > 0 {
		s = e.free[n-1]
		e.free = e.free[:n-1]
	} else {
		e.slots = append(e.slots, slot{})
		s = uint32(len(e.slots) - 1)
	}
	sl := &e.slots[s]
	sl.h, sl.arg, sl.live = h, arg, true
	e.seq++
	e.q.push(entry{at: t, seq: e.seq, slot: s})
	return Timer{slot: s, gen: sl.gen}
}

// After schedules h.Handle(e, arg) at Now()+d.
func (e *Engine) After(d Time, h Handler, arg int64) Timer {
	if d < 0 {
		d = 0
	}
	return e.At(e.now+d, h, arg)
}

// Cancel removes a scheduled event. It reports whether the event was still pending.
func (e *Engine) Cancel(t Timer) bool {
	if t.slot == 0 || int(t.slot) >= len(e.slots) {
		return false
	}
	sl := &e.slots[t.slot]
	if !sl.live || sl.gen != t.gen {
		return false
	}
	sl.live = false
	sl.h = nil
	return true
}

// Stop makes Run or RunUntil return after the event being handled.
func (e *Engine) Stop() { e.stopped = true }

// Run handles events until none is left or Stop is called.
func (e *Engine) Run() { e.run(-1) }

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
	for !e.stopped && e.q.len() > 0 {
		top := e.q.peek()
		if limit >= 0 && top.at > limit {
			return
		}
		e.q.pop()
		sl := &e.slots[top.slot]
		h, arg, live := sl.h, sl.arg, sl.live
		sl.h, sl.live = nil, false
		sl.gen++
		e.free = append(e.free, top.slot)
		if !live {
			continue
		}
		e.now = top.at
		e.events++
		h.Handle(e, arg)
	}
}
