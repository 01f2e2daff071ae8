package sim

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

const (
	digitBits = 8
	digitVals = 1 << digitBits
	levels    = (64 + digitBits - 1) / digitBits
	nBuckets  = 1 + levels*digitVals
	maskWords = (nBuckets + 63) / 64
)

// The summary bitmap has one bit per mask word.
var _ [64 - maskWords]struct{}

// queue is a radix heap with base-16 digits: a monotone priority queue, which is
// all a discrete-event simulator needs, since no event is ever scheduled before the
// last one taken out.
type queue struct {
	last Time
	n    int
	head int // bucket 0 is consumed from b[0][head:]
	mask [maskWords]uint64
	sum  uint64 // bit w set when mask[w] != 0
	// top[k] is MaxInt64 minus the earliest time in bucket k, so that the zero
	// value means empty (and max is branch-free).
	top [nBuckets]Time
	b   [nBuckets][]entry
}

func (q *queue) len() int { return q.n }

// bucketOf is 0 when at == last, otherwise 1 + digitVals*L + v, where L is the
// highest base-16 digit in which at and last differ and v is at's digit there.
func bucketOf(at, last Time) int {
	d := bits.Len64(uint64(at ^ last))
	if d == 0 {
		return 0
	}
	l := (d - 1) / digitBits
	v := int(uint64(at)>>(l*digitBits)) & (digitVals - 1)
	return 1 + l*digitVals + v
}

func (q *queue) add(k int, x entry) {
	q.mask[k>>6] |= 1 << (k & 63)
	q.sum |= 1 << (k >> 6)
	q.top[k] = max(q.top[k], math.MaxInt64-x.at)
	q.b[k] = append(q.b[k], x)
}

func (q *queue) push(x entry) {
	if x.at < q.last {
		if q.n != 0 {
			panic("sim: internal error: event list is not monotone")
		}
		q.last = x.at
	}
	q.add(bucketOf(x.at, q.last), x)
	q.n++
}

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
	q.top[k] = 0
}

// next removes and returns the earliest entry if there is one at or before limit.
func (q *queue) next(limit Time) (entry, bool) {
	if q.mask[0]&1 == 0 {
		k := q.first()
		if k < 0 || math.MaxInt64-q.top[k] > limit {
			return entry{}, false
		}
		if b := q.b[k]; len(b) == 1 {
			// The common case in a sparse region: take the only entry
			// directly instead of moving it to bucket 0 first.
			x := b[0]
			q.b[k] = b[:0]
			q.clear(k)
			q.last = x.at
			q.n--
			return x, true
		}
		q.spill(k)
	} else if q.last > limit {
		return entry{}, false
	}
	return q.pop0(), true
}

// pop0 takes the next entry of bucket 0, which must not be empty.
func (q *queue) pop0() entry {
	b0 := q.b[0]
	x := b0[q.head]
	q.head++
	if q.head == len(b0) {
		q.b[0] = b0[:0]
		q.head = 0
		q.clear(0)
	}
	q.n--
	return x
}

// spill empties bucket k, the first non-empty one, into lower ones around its
// minimum, which becomes last.
func (q *queue) spill(k int) {
	last := math.MaxInt64 - q.top[k]
	q.last = last
	src := q.b[k]
	q.b[k] = src[:0]
	q.clear(k)
	for _, x := range src {
		q.add(bucketOf(x.at, last), x)
	}
}

// filter keeps the entries for which keep returns true, in order.
func (q *queue) filter(keep func(entry) bool) {
	q.n = 0
	for k := range q.b {
		src := q.b[k]
		if k == 0 {
			src = src[q.head:]
			q.head = 0
		}
		dst := q.b[k][:0]
		q.top[k] = 0
		for _, x := range src {
			if keep(x) {
				q.top[k] = max(q.top[k], math.MaxInt64-x.at)
				dst = append(dst, x)
			}
		}
		q.b[k] = dst
		q.n += len(dst)
		if len(dst) == 0 {
			q.clear(k)
		}
	}
}
