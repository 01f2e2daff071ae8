package sim

import (
	"math"
	"math/bits"
	"testing"
)

func draws(seed uint64, name string, n int) []uint64 {
	r := NewStream(seed, name)
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.Uint64()
	}
	return out
}

func TestStreamDeterministicAndOrderIndependent(t *testing.T) {
	e := New(9)
	a1 := e.Stream("a")
	b1 := e.Stream("b")
	_ = a1.Uint64() // using one stream does not disturb another
	// Requested in the other order, from another engine with the same seed.
	f := New(9)
	b2 := f.Stream("b")
	a2 := f.Stream("a")
	_ = a2.Uint64()
	for i := 0; i < 100; i++ {
		if x, y := b1.Uint64(), b2.Uint64(); x != y {
			t.Fatalf("stream b differs at draw %d: %x vs %x", i, x, y)
		}
		if x, y := a1.Uint64(), a2.Uint64(); x != y {
			t.Fatalf("stream a differs at draw %d: %x vs %x", i, x, y)
		}
	}
	if e.Seed() != 9 {
		t.Fatalf("Seed() = %d", e.Seed())
	}
}

// Streams with different names or seeds are different and uncorrelated: the
// correlation of their uniform draws is within sampling error of zero, and so is
// the correlation of a stream with the next draw of another (no shifted copy).
func TestStreamsIndependent(t *testing.T) {
	const n = 200_000
	pairs := [][2]struct {
		seed uint64
		name string
	}{
		{{1, "pod/rng-1"}, {1, "pod/rng-2"}},
		{{1, "sched"}, {2, "sched"}},
		{{0, ""}, {0, "a"}},
		{{1, "a"}, {2, "a"}},
	}
	for _, p := range pairs {
		x := draws(p[0].seed, p[0].name, n+1)
		y := draws(p[1].seed, p[1].name, n+1)
		for lag := 0; lag <= 1; lag++ {
			var sx, sy, sxy, sxx, syy float64
			for i := 0; i < n; i++ {
				u := float64(x[i]>>11) / (1 << 53)
				v := float64(y[i+lag]>>11) / (1 << 53)
				sx += u
				sy += v
				sxy += u * v
				sxx += u * u
				syy += v * v
			}
			cov := sxy/n - sx/n*sy/n
			corr := cov / math.Sqrt((sxx/n-sx/n*sx/n)*(syy/n-sy/n*sy/n))
			if math.Abs(corr) > 5/math.Sqrt(n) {
				t.Errorf("%v and %v (lag %d): correlation %.4f", p[0], p[1], lag, corr)
			}
		}
		same := 0
		for i := 0; i < n; i++ {
			if x[i] == y[i] {
				same++
			}
		}
		if same > 0 {
			t.Errorf("%v and %v: %d equal draws out of %d", p[0], p[1], same, n)
		}
	}
}

// StreamPCG held inline gives the draws of Stream: workers' coins moved from
// one to the other without changing a run.
func TestStreamPCGSameDraws(t *testing.T) {
	e := New(7)
	r := e.Stream("worker/w1")
	g := e.StreamPCG("worker/w1")
	for i := 0; i < 1000; i++ {
		if a, b := r.Float64(), Float64(&g); a != b {
			t.Fatalf("draw %d: Stream gives %v, StreamPCG %v", i, a, b)
		}
	}
}

// IntN draws what rand.Rand.IntN draws from the same generator, for every
// kind of n: powers of two (a mask), small n (the multiply, almost never a
// rejection) and n near 2^63, where about a quarter of the first draws fall
// below n and go through the rejection loop (intNSlow). kube-proxy's random
// pick moved from one to the other without changing a run.
func TestIntNSameDraws(t *testing.T) {
	ns := []int{1, 2, 3, 4, 5, 7, 10, 64, 100, 1000, 1 << 20, 1<<20 + 1, 1<<62 + 1, 3 << 61, math.MaxInt64}
	slow := 0
	for _, n := range ns {
		r := NewStream(3, "intn")
		g := NewStreamPCG(3, "intn")
		for i := 0; i < 2000; i++ {
			if n > 1<<62 {
				// Count the draws that take the rejection branch.
				c := *g
				if _, lo := bits.Mul64(c.Uint64(), uint64(n)); lo < uint64(n) {
					slow++
				}
			}
			if a, b := r.IntN(n), IntN(g, n); a != b {
				t.Fatalf("n=%d, draw %d: rand.IntN gives %d, IntN %d", n, i, a, b)
			}
		}
	}
	if slow == 0 {
		t.Error("no draw went through the rejection branch: the test does not cover it")
	}
	defer func() {
		if recover() == nil {
			t.Error("IntN(g, 0) did not panic, as rand.IntN does")
		}
	}()
	IntN(NewStreamPCG(1, "x"), 0)
}
