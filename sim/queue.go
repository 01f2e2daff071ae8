package sim

// The event list, chosen by measurement.
//
// Workload: BenchmarkHold (hold_bench_test.go), n pending events, each step takes
// the earliest and schedules one at now + Exp(1 s), through Engine.At and
// Handler.Handle. All variants below ran behind the same Engine API, with
// cancellation by slot and generation. Wall-clock figures are from one session
// (2026-11-23 19:42 UTC, 2-core AMD EPYC VM shared with other builds, load ~1.9,
// -benchtime 1s), so compare rows, not decimals; "Ir" is instructions per event
// at n=10000 under cachegrind (GOMAXPROCS=1, GOGC=off, difference of two run
// lengths), which does not depend on the load and guided the tuning.
//
//	variant                                  n=100      n=10000    n=1000000  Ir
//	container/heap baseline (same run)       137.3 ns   215.0 ns   1338 ns    1725
//	binary heap, 24-byte (time,seq,slot)      60.2 ns   111.3 ns    487 ns     888
//	binary heap, 16-byte (time, seq<<32|slot),
//	  branch-free child choice                53.8 ns    89.1 ns    933 ns     713
//	4-ary heap, 16-byte, branchy              69.4 ns   114.7 ns    502 ns     769
//	4-ary heap, 16-byte, branch-free          58.5 ns   114.0 ns    758 ns     781
//	radix heap, base 16                       55.4 ns    69.9 ns    244 ns     568
//	radix heap, base 16, single-entry path    47.6 ns    65.3 ns    283 ns     513
//	radix heap, base 256, single-entry path   44.7 ns    72.7 ns    271 ns     413
//	  (these three still allocated: 1-32 B/op at n>=10000)
//	radix heap, base 256, recycled arrays,
//	  inlined push/pop                        45.2 ns    54.7 ns    219 ns     399
//	  + 40-byte entries carrying handler
//	    and arg (no slot load when popping)     -        67-73 ns     -        507
//	  + touch the next event's slot before
//	    running a handler (final)             43-47 ns   52-55 ns   162-171 ns 436
//
// The last two rows were measured later, each interleaved with the row above
// them. Fatter entries double the L1 misses of a spill (8.4 per event instead of
// 5.2), which costs more than the slot load they save: rejected. Touching the
// next slot early costs instructions but lets its cache miss overlap the
// handler: about -5% at n=10000 and -25% at n=1e6 in interleaved runs. The final
// row is `go test -bench . -benchmem -run '^$' -count 3 ./sim` at 19:50 UTC
// (0 B/op, 0 allocs/op throughout), with the container/heap baseline at
// 114-119, 223-263 and 1401-1541 ns/op in the same run; a run three minutes
// earlier gave 45-49 ns at n=10000 against 235-247 ns. The machine's noise
// (other engineers' builds) is about 10%.
//
// Heaps lose on branch mispredictions (7-11 per event for the branchy ones) and on
// the log(n) dependent loads of sift-down; branch-free selection removes the
// mispredictions but serialises the loads, which is worse at n=1e6. A radix heap
// needs no comparisons at all: an entry moves down a few buckets by appends,
// one to two times per event at n=10000 with base-256 digits. The final version
// adds: recycled bucket arrays (0 B/op in steady state), a bucket's slice header
// and minimum in one cache line, push and pop inlined by hand into Engine.At and
// Engine.run, appends that call out only when a bucket is full, and the early
// touch of the next slot. pprof before that last step, at n=10000 (53 ns/op):
// At 25%, the benchmark's Exp draw 25%, spill 23%, run 20% (mostly loading the
// slot of the event taken out, written n events earlier). Beyond instructions,
// what is left is cache misses: about 5 L1 misses per event, mostly that slot
// and the scattered appends of a spill.
//
// Lazy cancellation: Cancel only marks the slot; the entry is skipped when it
// comes out. When cancelled entries outnumber live ones the queue is compacted
// (Engine.compact), so memory stays proportional to the pending events.

import (
	"math"
	"math/bits"
)

// entry is one pending event in the queue: its time and the slot holding what it
// does.
type entry struct {
	at   Time
	slot uint32
}

// queue is the event list: a radix heap (Ahuja, Mehlhorn, Orlin & Tarjan 1990)
// with base-256 digits. A radix heap is a monotone priority queue, which is all a
// discrete-event simulator needs: no event is scheduled before the last one taken
// out.
//
// last is the time of the last entry taken out. An entry at time t lives in
// bucket 0 if t == last; otherwise, with L the highest base-256 digit in which t
// and last differ and v the value of t's digit L, in bucket 1 + 256*L + v.
// Bucket order is time order: every entry of bucket i is earlier than every
// entry of bucket j > i. Push is an append. Taking out the earliest entry reads
// bucket 0; when bucket 0 is empty, the first non-empty bucket k is emptied into
// lower buckets relative to its minimum, which becomes last ("spill"). An entry
// moves at most 8 times; in the hold model at n = 10,000 about once, at
// n = 1,000,000 about twice. A bucket holding a single entry hands it out
// directly.
//
// Engine.At pushes and Engine.run takes out entries with the queue's code inlined
// by hand, as that is the hot path.
//
// FIFO among equal times comes for free: the bucket of an entry is a function
// of its time and last, so entries with equal times are always in the same
// bucket; pushes append, spill moves entries in order, and bucket 0 is consumed
// from its front.
type queue struct {
	last Time
	n    int
	head int               // bucket 0 is consumed from b[0].e[head:]
	mask [maskWords]uint64 // bit k set when bucket k is not empty
	sum  uint64            // bit w set when mask[w] != 0
	b    [nBuckets]bucket

	// spare[c] holds unused arrays of capacity 2^c (from buckets emptied by
	// spill, or outgrown) for buckets that need to grow, so that in steady
	// state the queue does not allocate.
	spare [48][][]entry
}

// bucket is one bucket's entries and earliest time, together so that touching
// a bucket costs one cache line.
type bucket struct {
	e []entry
	// top is MaxInt64 minus the earliest time in e, so that the zero value
	// means empty and the update is a branch-free max.
	top Time
}

const (
	digitBits = 8
	digitVals = 1 << digitBits
	levels    = 64 / digitBits
	nBuckets  = 1 + levels*digitVals
	maskWords = (nBuckets + 63) / 64

	// spareMin is the smallest capacity of a bucket array.
	spareMin = 16
	// spillRecycle is the capacity from which a bucket emptied by spill gives
	// its array back for reuse; smaller ones keep theirs.
	spillRecycle = 128
)

// The summary bitmap has one bit per mask word.
var _ [64 - maskWords]struct{}

func (q *queue) len() int { return q.n }

// bucketOf is the bucket of an entry at time at, given last <= at. (A
// branch-free version costs more instructions than the branch mispredictions it
// saves in the hold benchmark.)
func bucketOf(at, last Time) int {
	d := bits.Len64(uint64(at ^ last))
	if d == 0 {
		return 0
	}
	l := uint(d-1) / digitBits
	v := int(uint64(at)>>(l*digitBits)) & (digitVals - 1)
	return 1 + int(l)*digitVals + v
}

// reset moves last back to t, which is allowed only when the queue is empty.
func (q *queue) reset(t Time) {
	if q.n != 0 {
		panic("sim: internal error: event list is not monotone")
	}
	q.last = t
}

// first is the index of the first non-empty bucket, or -1.
func (q *queue) first() int {
	if q.sum == 0 {
		return -1
	}
	w := bits.TrailingZeros64(q.sum)
	return w*64 + bits.TrailingZeros64(q.mask[w])
}

// clear marks bucket k empty.
func (q *queue) clear(k int) {
	q.mask[k>>6] &^= 1 << (k & 63)
	if q.mask[k>>6] == 0 {
		q.sum &^= 1 << (k >> 6)
	}
	q.b[k].top = 0
}

// pop0 takes the next entry of bucket 0, which must not be empty.
func (q *queue) pop0() entry {
	b := &q.b[0]
	x := b.e[q.head]
	q.head++
	if q.head == len(b.e) {
		b.e = b.e[:0]
		q.head = 0
		q.clear(0)
	}
	q.n--
	return x
}

// spill empties bucket k, the first non-empty one, into lower buckets around
// its minimum, which becomes last.
func (q *queue) spill(k int) {
	last := math.MaxInt64 - q.b[k].top
	q.last = last
	src := q.b[k].e
	q.b[k].e = src[:0]
	q.clear(k)
	for _, x := range src {
		j := bucketOf(x.at, last)
		q.mask[j>>6] |= 1 << (j & 63)
		q.sum |= 1 << (j >> 6)
		b := &q.b[j]
		b.top = max(b.top, math.MaxInt64-x.at)
		if n := len(b.e); n < cap(b.e) {
			b.e = b.e[:n+1]
			b.e[n] = x
		} else {
			q.appendSlow(b, x)
		}
	}
	if cap(src) >= spillRecycle {
		q.b[k].e = nil
		q.recycle(src)
	}
}

// appendSlow appends x to b, which is full.
func (q *queue) appendSlow(b *bucket, x entry) {
	b.e = append(q.grow(b.e), x)
}

// grow returns b with room for at least twice its entries, from the spare
// arrays if one is large enough. Bucket arrays have power-of-two capacities.
func (q *queue) grow(b []entry) []entry {
	need := max(2*cap(b), spareMin)
	for c := bits.Len(uint(need - 1)); c < len(q.spare); c++ {
		if n := len(q.spare[c]); n > 0 {
			nb := append(q.spare[c][n-1], b...)
			q.spare[c][n-1] = nil
			q.spare[c] = q.spare[c][:n-1]
			q.recycle(b)
			return nb
		}
	}
	nb := append(make([]entry, 0, 1<<bits.Len(uint(need-1))), b...)
	q.recycle(b)
	return nb
}

// recycle keeps b's array for reuse.
func (q *queue) recycle(b []entry) {
	if cap(b) < spareMin {
		return
	}
	c := bits.Len(uint(cap(b))) - 1
	q.spare[c] = append(q.spare[c], b[:0])
}

// filter keeps the entries for which keep returns true, in order.
func (q *queue) filter(keep func(entry) bool) {
	q.n = 0
	for k := range q.b {
		if q.mask[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		src := q.b[k].e
		if k == 0 {
			src = src[q.head:]
			q.head = 0
		}
		dst := q.b[k].e[:0]
		q.b[k].top = 0
		for _, x := range src {
			if keep(x) {
				q.b[k].top = max(q.b[k].top, math.MaxInt64-x.at)
				dst = append(dst, x)
			}
		}
		q.b[k].e = dst
		q.n += len(dst)
		if len(dst) == 0 {
			q.clear(k)
		}
	}
}
