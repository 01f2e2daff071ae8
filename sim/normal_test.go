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
