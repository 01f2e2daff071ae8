package sim

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestNormalSameDraws: normal(p) is rand.New(p).NormFloat64(), draw for draw,
// on a run long enough that every strip of the ziggurat sends a first draw to
// the slow path (the base strip's tail included).
func TestNormalSameDraws(t *testing.T) {
	p, q := rand.NewPCG(1, 2), rand.NewPCG(1, 2)
	r := rand.New(q)
	var slow [128]int
	for n := 0; n < 3_000_000; n++ {
		peek := *p // the next Uint64, without drawing it
		u := peek.Uint64()
		if j, i := int32(u), u>>32&0x7F; absInt32(j) >= kn[i] {
			slow[i]++
		}
		if got, want := normal(p), r.NormFloat64(); got != want {
			t.Fatalf("draw %d: normal = %v, NormFloat64 = %v", n, got, want)
		}
	}
	for i, c := range slow {
		if c == 0 {
			t.Errorf("strip %d never took the slow path: draw more", i)
		}
	}
}

// TestDistSameDraws: Engine.Dist draws what DistSpec.New on the stream of the
// same name draws, for every kind.
func TestDistSameDraws(t *testing.T) {
	us := time.Microsecond
	specs := []DistSpec{
		Lognormal(250*us, 200*us), Lognormal(225*us, 110*us).Plus(100 * time.Millisecond),
		Uniform(0, 50*us).Plus(100 * time.Millisecond), Uniform(3*us, 9*us),
		Exp(time.Millisecond), Const(5 * us), {Kind: "normal", Params: []Time{100 * us, 80 * us}},
		{Kind: "empirical", Params: []Time{us, 2 * us, 7 * us}},
	}
	for _, seed := range []uint64{1, 7} {
		e := New(seed)
		for _, s := range specs {
			fast, slow := e.Dist("dist/x", s), s.New(e.Stream("dist/x"))
			if fast.Mean() != slow.Mean() {
				t.Errorf("%v: Mean %v, want %v", s, fast.Mean(), slow.Mean())
			}
			for n := 0; n < 200_000; n++ {
				if a, b := fast.Sample(), slow.Sample(); a != b {
					t.Fatalf("%v seed %d draw %d: Dist gives %v, New %v", s, seed, n, a, b)
				}
			}
		}
	}
}

// TestNormalRectMax: the ziggurat's fast path (|j| < kn[i]) gives normal
// draws below normalRectMax in magnitude, which lognormalPCG's fast case
// relies on.
func TestNormalRectMax(t *testing.T) {
	for i := range kn {
		if kn[i] == 0 {
			continue
		}
		if z := float64(kn[i]-1) * float64(wn[i]); z >= normalRectMax {
			t.Errorf("strip %d: rectangle draws up to %v, normalRectMax is %v", i, z, normalRectMax)
		}
	}
}

// TestLognormalPCGOutsideExpRange: a lognormal whose draws can leave exp's
// range (mu -699 and -740: x below -700, e^x is 0 ns) is not fast and draws
// what lognormalDist draws; taken as fast, mu -740 would not (exp by hand is
// wrong below -708).
func TestLognormalPCGOutsideExpRange(t *testing.T) {
	for _, mu := range []float64{-740, -699, -20} {
		ref := &lognormalDist{mu: mu, sigma: 1, r: rand.New(rand.NewPCG(3, 4))}
		l := newLognormalPCG(0, mu, 1, rand.NewPCG(3, 4))
		if l.fast != (mu == -20) {
			t.Fatalf("mu %v: fast = %v", mu, l.fast)
		}
		for n := 0; n < 100_000; n++ {
			if a, b := l.Sample(), ref.Sample(); a != b {
				t.Fatalf("mu %v draw %d: %v, lognormalDist %v", mu, n, a, b)
			}
		}
	}
	ref := &lognormalDist{mu: -740, sigma: 1, r: rand.New(rand.NewPCG(3, 4))}
	forced := newLognormalPCG(0, -740, 1, rand.NewPCG(3, 4))
	forced.fast = true
	forced.next = ref.Sample() // the first draw, made before fast was forced
	differ := 0
	for n := 0; n < 100_000; n++ {
		if forced.Sample() != ref.Sample() {
			differ++
		}
	}
	if differ == 0 {
		t.Error("forced fast, mu -740 draws what lognormalDist draws: the test does not test fast")
	}
}
