package sim

import (
	"hash/fnv"
	"math/bits"
	"math/rand/v2"
)

// Stream returns the random stream named name. Streams are independent of each other
// and of the order in which they are requested: the same seed and name always give
// the same sequence. Give each model component its own name (for example
// "sched", "kube-proxy/rng", "pod/rng-abc12").
func (e *Engine) Stream(name string) *rand.Rand {
	return NewStream(e.seed, name)
}

// StreamPCG is the generator of Stream(name), as a value: an entity that
// draws often can hold it inline instead of behind two pointers (the
// *rand.Rand and its source). Draws from it are the same as Stream(name)'s:
// Float64(&g) is Stream(name).Float64().
func (e *Engine) StreamPCG(name string) rand.PCG {
	return *newPCG(e.seed, name)
}

// Float64 is rand.New(g).Float64(): a draw in [0, 1) from g.
func Float64(g *rand.PCG) float64 {
	return float64(g.Uint64()<<11>>11) / (1 << 53)
}

// IntN is rand.New(g).IntN(n): a draw in [0, n) from g, the same as
// math/rand/v2's (Lemire's multiply-and-reject, whose outputs are the same on
// 32- and 64-bit machines), without the interface call per draw of rand.Rand
// (its source is an interface) nor its two calls: the common case is g's
// step, one multiply and one compare. It panics if n <= 0, as IntN does.
func IntN(g *rand.PCG, n int) int {
	if n <= 0 {
		panic("sim: IntN: n <= 0")
	}
	u := uint64(n)
	if u&(u-1) == 0 { // a power of two: a mask
		return int(g.Uint64() & (u - 1))
	}
	hi, lo := bits.Mul64(g.Uint64(), u)
	if lo < u {
		return intNSlow(g, u, hi, lo)
	}
	return int(hi)
}

// intNSlow is the rest of IntN after a first draw whose low half is below
// n: it rejects the draws below 2^64 mod n.
//
//go:noinline
func intNSlow(g *rand.PCG, u, hi, lo uint64) int {
	thresh := -u % u
	for lo < thresh {
		hi, lo = bits.Mul64(g.Uint64(), u)
	}
	return int(hi)
}

// NewStreamPCG is the generator of NewStream(seed, name), for IntN and
// Float64.
func NewStreamPCG(seed uint64, name string) *rand.PCG { return newPCG(seed, name) }

// NewStream is Stream without an engine.
func NewStream(seed uint64, name string) *rand.Rand {
	return rand.New(newPCG(seed, name))
}

// newPCG is the generator of the stream named name.
func newPCG(seed uint64, name string) *rand.PCG {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.NewPCG(seed, h.Sum64())
}

// Dist binds s to the stream named name: the same draws as
// s.New(e.Stream(name)). The lognormal and uniform kinds, the defaults of the
// request path, draw from the stream's generator directly (see normal), which
// saves a third of the instructions of a lognormal draw.
func (e *Engine) Dist(name string, s DistSpec) Dist {
	return s.newPCG(newPCG(e.seed, name))
}
