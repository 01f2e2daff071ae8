package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Stream returns the random stream named name. Streams are independent of each other
// and of the order in which they are requested: the same seed and name always give
// the same sequence. Give each model component its own name (for example
// "sched", "kube-proxy/rng", "pod/rng-abc12").
func (e *Engine) Stream(name string) *rand.Rand {
	return NewStream(e.seed, name)
}

// NewStream is Stream without an engine.
func NewStream(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
