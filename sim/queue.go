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
//	    running a handler                     43-47 ns   52-55 ns   162-171 ns 436
//
//	2026-12-01, another 2-core AMD EPYC VM, quiet; Ir at each n:
//	container/heap baseline (same run)        79-84 ns  165-177 ns  823-1033 ns 1724 (n=1e4)
//	the row above, again                      32-36 ns   32-35 ns   101-121 ns  394 / 434 / 467
//	  + sorted runs, bucket minimum kept on
//	    push (final)                          33-35 ns   22-26 ns    85-107 ns  415 / 396 / 450
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
// Sorted runs (see queue): pprof of the previous version at n=10000 on the
// second machine put spill at 26% and the run loop at 33%, the loop's share
// mostly the cache misses of taking entries out of the buckets a spill
// scattered them into. Sorting a first bucket of 16 to 1024 entries once into
// a run and reading the run in order removes most spills; pprof of the final
// version: At 33%, the benchmark's Exp draw 21%, sorting the runs 21%, the run
// loop 13%, spill 3.5%. The last two rows come from five interleaved runs of
// `go test -bench Hold -benchmem`, 0 B/op and 0 allocs/op throughout. Other
// delay distributions, interleaved (not committed as benchmarks): at n=10000,
// uniform on [0, 2 s) and whole microseconds below 1 s go from 28-32 ns to
// 19-20 ns, whole milliseconds below 1 s (many equal times) from 20-21 ns to
// 18 ns once insertion sort was let run through equal times; a constant delay
// and a bimodal one (10% Exp(1 s), 90% Exp(1 us)) are unchanged within noise;
// at n=100 every distribution is 0-5% slower. The
// default scenario (BenchmarkRunDefaultLong in bench/, few events pending,
// mostly single-entry buckets) costs 3% more instructions (659 instead of 638
// per event), and the same wall-clock time within noise (31.8-33.3 ms
// against 32.0-33.4 ms a run, five interleaved runs).
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
	"cmp"
	"math"
	"math/bits"
	"slices"
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
// last is the time of the last entry taken out of the buckets (taking entries
// from the run leaves it; an empty queue resets it to the clock). An entry at
// time t lives in bucket 0 if t == last; otherwise, with L the highest
// base-256 digit in which t and last differ and v the value of t's digit L, in
// bucket 1 + 256*L + v.
// Bucket order is time order: every entry of bucket i is earlier than every
// entry of bucket j > i. Push is an append. Taking out the earliest entry reads
// bucket 0; when bucket 0 is empty, the first non-empty bucket k is emptied into
// lower buckets relative to its minimum, which becomes last ("spill"). An entry
// moves at most 8 times; in the hold model at n = 10,000 about once, at
// n = 1,000,000 about twice. A bucket holding a single entry hands it out
// directly.
//
// Sorted runs: a first bucket of runMin to runMax entries is not spilled but
// sorted (a counting sort on the top bits of the times, then insertion sort) into
// the run, which is then consumed from its front with one comparison per
// entry, against low, a lower bound of the buckets' times that At keeps. This
// turns the cascade of spills a busy bucket would go through into one
// sequential pass, and is what makes the hold model at n = 10,000 a third
// faster. last stays earlier than the run, so events scheduled while it lasts
// go to the buckets as usual; when one of them is earlier than the run's front
// it comes out first, and when that happens too often (events interleave with
// the run) the run is put back into the buckets (dropRun) and runs are not
// tried at that level for a while (runOK).
//
// Engine.At pushes and Engine.run takes out entries with the queue's code inlined
// by hand, as that is the hot path.
//
// FIFO among equal times: the bucket of an entry is a function of its time and
// last, so entries with equal times are always in the same bucket, in the order
// they were scheduled: pushes append, spill moves entries in order, and bucket
// 0 is consumed from its front. Both sorts are stable. The run holds entries
// scheduled before any entry of the buckets at the same time, so on equal
// times the run goes first, and dropRun puts its entries in front of a
// bucket's.
type queue struct {
	last Time
	n    int
	head int               // bucket 0 is consumed from b[0].e[head:]
	mask [maskWords]uint64 // bit k set when bucket k is not empty
	sum  uint64            // bit w set when mask[w] != 0
	b    [nBuckets]bucket

	// run is a sorted run of entries taken out of the buckets, consumed from
	// run[rh:]. While it is not empty, no entry in the buckets is earlier than
	// low.
	run []entry
	rh  int
	low Time
	cnt [2 * runMax]uint32 // counting sort's counts (makeRun)

	// The run's bucket level and length, and the entries taken out of the
	// buckets while it lasts; buckets at level spillFrom-1 and above are
	// spilled (none if spillFrom is 0), retry more times (see runOK).
	runL, runN, runMisses int
	spillFrom, retry      int

	// spare[c] holds unused arrays of capacity 2^c (from buckets emptied by
	// spill, or outgrown) for buckets that need to grow, so that in steady
	// state the queue does not allocate.
	spare [48][][]entry
	// slab is where the first arrays of buckets are cut from (see array).
	slab []entry
}

// bucket is one bucket's entries and earliest time, together so that touching
// a bucket costs one cache line.
type bucket struct {
	e []entry
	// top is MaxInt64 minus the earliest time in e, so that the zero value
	// means empty and the update is a branch-free max.
	top Time
}

// min is the earliest time in b, which is not empty.
func (b *bucket) min() Time { return math.MaxInt64 - b.top }

const (
	digitBits = 8
	digitVals = 1 << digitBits
	levels    = 64 / digitBits
	// Times are never negative, so the top digit is below 128 and the
	// highest bucket is 1 + 7*256 + 127 = 1920: 2048 buckets, a power of two,
	// let an index be masked instead of bounds-checked.
	nBuckets   = 2048
	bucketMask = nBuckets - 1
	maskWords  = nBuckets / 64
	wordMask   = maskWords - 1

	// spareMin is the smallest capacity of a bucket array.
	spareMin = 16
	// spillRecycle is the capacity from which a bucket emptied by spill gives
	// its array back for reuse; smaller ones keep theirs.
	spillRecycle = 128
)

// The summary bitmap has one bit per mask word, and every bucket index fits.
var (
	_ [64 - maskWords]struct{}
	_ [nBuckets - 1 - (levels-1)*digitVals - digitVals/2]struct{}
)

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
	return w*64 + bits.TrailingZeros64(q.mask[w&wordMask])
}

// clear marks bucket k empty.
func (q *queue) clear(k int) {
	w := &q.mask[(k>>6)&wordMask]
	*w &^= 1 << (k & 63)
	if *w == 0 {
		q.sum &^= 1 << (k >> 6)
	}
	q.b[k&bucketMask].top = 0
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

// popRun takes the front of the run, which must not be empty.
func (q *queue) popRun() {
	q.rh++
	q.n--
	if q.rh == len(q.run) {
		q.run = q.run[:0]
		q.rh = 0
	}
}

// runFirst reports whether the run's front, which is later than low, is still
// the earliest entry, and makes low the buckets' minimum. When it is not, the
// entry that comes out of the buckets instead (if it is at or before limit)
// counts against the run: a run that sees more than one such entry for every
// four of its own interleaves with newer events, and is given up.
func (q *queue) runFirst(limit Time) bool {
	q.low = q.bucketMin()
	if q.run[q.rh].at <= q.low { // on equal times the run goes first: it was scheduled earlier
		return true
	}
	if q.low <= limit {
		if q.runMisses++; q.runMisses > q.runN/4+4 {
			q.dropRun()
			q.spillFrom, q.retry = q.runL+1, retryRuns
		}
	}
	return false
}

// bucketMin is the earliest time in the buckets, or the largest Time when they
// are empty.
func (q *queue) bucketMin() Time {
	k := q.first()
	if k < 0 {
		return math.MaxInt64
	}
	if k == 0 {
		return q.last
	}
	return q.b[k&bucketMask].min()
}

// spill empties bucket k, the first non-empty one, into lower buckets around
// its minimum, which becomes last.
func (q *queue) spill(k int, last Time) {
	bk := &q.b[k&bucketMask]
	src := bk.e
	q.last = last
	bk.e = src[:0]
	q.clear(k)
	sum := q.sum
	for i := range src {
		x := src[i]
		j := bucketOf(x.at, last) & bucketMask
		q.mask[(j>>6)&wordMask] |= 1 << (j & 63)
		sum |= 1 << (j >> 6)
		b := &q.b[j]
		b.top = max(b.top, math.MaxInt64-x.at)
		if n := len(b.e); n < cap(b.e) {
			b.e = b.e[:n+1]
			b.e[n] = x
		} else {
			q.appendSlow(b, x)
		}
	}
	q.sum = sum
	if cap(src) >= spillRecycle {
		bk.e = nil
		q.recycle(src)
	}
}

const (
	// runMax is the largest bucket that becomes the run (sorted) rather than
	// being spilled into lower buckets.
	runMax = 1024
	// runMin is the smallest bucket that becomes the run: spilling a few
	// entries costs less than sorting them.
	runMin = 16
	// insertMoves is how many moves per entry insertion sort may make
	// after the counting sort before a merge sort takes over.
	insertMoves = 4
)

// runOK reports whether bucket k, the first non-empty one with bucket 0 empty,
// should become the run; never while a run is pending. A run pays when few entries come out of the buckets while it
// lasts, which is the case when it spans a short time compared to how far ahead
// events are scheduled. When a run sees more than one such entry for every
// four of its own, it is given up (runFirst), and buckets at its level and above
// are spilled instead until retryRuns of them have been; then one is tried as
// a run again.
func (q *queue) runOK(k int) bool {
	if q.rh < len(q.run) {
		return false // a run is pending: its front comes later
	}
	if q.spillFrom == 0 || (k-1)/digitVals+1 < q.spillFrom {
		return true
	}
	if q.retry > 0 {
		q.retry--
		return false
	}
	q.spillFrom = 0
	return true
}

// retryRuns: see runOK.
const retryRuns = 64

// makeRun empties bucket k, the first non-empty one with bucket 0 and the run
// empty, into the run, sorted by time; equal times keep their order. last does
// not change: the buckets' entries are all later than the run's.
func (q *queue) makeRun(k int) {
	bk := &q.b[k&bucketMask]
	src := bk.e
	n := len(src)
	if q.run == nil {
		q.run = make([]entry, 0, runMax)
	}
	run := q.run[:n]
	q.countingSort(run, src)
	q.run, q.rh = run, 0
	q.low = run[n-1].at
	q.runL, q.runN, q.runMisses = (k-1)/digitVals, n, 0
	bk.e = src[:0]
	q.clear(k)
	if cap(src) >= spillRecycle {
		bk.e = nil
		q.recycle(src)
	}
}

// dropRun puts the run's entries back into the buckets, when last is earlier
// than the run. Entries going to one bucket are consecutive in the run, and go
// in front of the bucket's entries, which were all scheduled later: FIFO among
// equal times holds.
func (q *queue) dropRun() {
	r := q.run[q.rh:]
	q.run, q.rh = q.run[:0], 0
	for len(r) > 0 {
		j := bucketOf(r[0].at, q.last) & bucketMask
		g := 1
		for g < len(r) && bucketOf(r[g].at, q.last)&bucketMask == j {
			g++
		}
		b := &q.b[j] // not bucket 0: last is earlier than the run
		live := b.e
		if need := g + len(live); need <= cap(live) {
			b.e = live[:need]
			copy(b.e[g:], live)
		} else {
			b.e = append(q.array(need)[:g], live...)
			q.recycle(live)
		}
		copy(b.e, r[:g])
		b.top = max(b.top, math.MaxInt64-r[0].at) // the group's earliest
		q.mask[(j>>6)&wordMask] |= 1 << (j & 63)
		q.sum |= 1 << (j >> 6)
		r = r[g:]
	}
}

// countingSort sets dst to src sorted by time, stably: a counting sort on
// the top bits of the time's offset from the minimum, about one entry per
// group, then one insertion sort over the whole, which only moves entries
// within their group. Equal times cost it nothing; when groups hold many
// different times (times clustered far from the extremes) and it would take
// more than insertMoves moves per entry, slices.SortStableFunc finishes.
func (q *queue) countingSort(dst, src []entry) {
	lo, hi := src[0].at, src[0].at
	for _, x := range src[1:] {
		lo, hi = min(lo, x.at), max(hi, x.at)
	}
	if lo == hi { // all at one time: already in order
		copy(dst, src)
		return
	}
	shift := max(bits.Len64(uint64(hi-lo))-bits.Len(uint(len(src))), 0)
	cnt := q.cnt[:int(uint64(hi-lo)>>shift)+1]
	clear(cnt)
	for _, x := range src {
		cnt[uint64(x.at-lo)>>shift]++
	}
	var sum uint32
	for i, c := range cnt {
		cnt[i] = sum
		sum += c
	}
	for _, x := range src {
		g := uint64(x.at-lo) >> shift
		dst[cnt[g]] = x
		cnt[g]++
	}
	if !insertionSort(dst, insertMoves*len(dst)) {
		slices.SortStableFunc(dst, func(a, b entry) int { return cmp.Compare(a.at, b.at) })
	}
}

// insertionSort sorts e by time, stably, and reports true, unless that takes
// more than budget moves: then it stops and reports false, with equal times
// still in their order.
func insertionSort(e []entry, budget int) bool {
	for i := 1; i < len(e); i++ {
		x := e[i]
		j := i
		for ; j > 0 && e[j-1].at > x.at; j-- {
			e[j] = e[j-1]
		}
		e[j] = x
		if budget -= i - j; budget < 0 {
			return false
		}
	}
	return true
}

// appendSlow appends x to b, which is full.
func (q *queue) appendSlow(b *bucket, x entry) {
	b.e = append(q.grow(b.e), x)
}

// grow returns b with room for at least twice its entries. Bucket arrays have
// power-of-two capacities.
func (q *queue) grow(b []entry) []entry {
	nb := append(q.array(max(2*cap(b), spareMin)), b...)
	q.recycle(b)
	return nb
}

// array returns an empty slice with room for need entries, from the spare
// arrays if one is large enough.
func (q *queue) array(need int) []entry {
	for c := bits.Len(uint(need - 1)); c < len(q.spare); c++ {
		if n := len(q.spare[c]); n > 0 {
			a := q.spare[c][n-1]
			q.spare[c][n-1] = nil
			q.spare[c] = q.spare[c][:n-1]
			return a
		}
	}
	if need <= spareMin {
		// The first array of a bucket: from a slab, so that a new engine's
		// buckets (about a thousand in the default scenario) cost a few
		// allocations, not one each.
		if len(q.slab) < spareMin {
			q.slab = make([]entry, slabArrays*spareMin)
		}
		a := q.slab[:0:spareMin]
		q.slab = q.slab[spareMin:]
		return a
	}
	return make([]entry, 0, 1<<bits.Len(uint(max(need, spareMin)-1)))
}

// slabArrays is the number of first bucket arrays allocated at once.
const slabArrays = 64

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
	run := q.run[:0]
	for _, x := range q.run[q.rh:] {
		if keep(x) {
			run = append(run, x)
		}
	}
	q.run, q.rh = run, 0
	q.n = len(run)
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
