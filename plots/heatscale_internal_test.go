package plots

import (
	"math"
	"testing"
)

// On a log scale a cell ten times the smallest is a third of the way up the
// palette; linearly it would be 1% of it, the colour of the smallest.
func TestHeatScaleLog(t *testing.T) {
	s := heatScale{lo: 40, hi: 35000, log: true}
	if f := s.at(400); f < 0.3 || f > 0.4 {
		t.Errorf("400 ms on a 40 ms..35 s log scale at %.3f of the palette, want log(10)/log(875) = 0.34", f)
	}
	if f := (heatScale{lo: 40, hi: 35000}).at(400); f > 0.011 {
		t.Errorf("linear scale: 400 at %.4f, want 0.0103", f)
	}
	for _, v := range []float64{40, 400, 35000} {
		if got := s.value(s.at(v)); math.Abs(got-v) > 1e-9*v {
			t.Errorf("value(at(%g)) = %g", v, got)
		}
	}
}

// A log axis spans its data to the nearest 1, 2 or 5 times a power of ten,
// not whole decades: online-boutique's latency CDFs (0.081 to 2,288 ms) took
// 0.01 to 10,000 ms, nearly a decade of empty axis on the left.
func TestLogRange(t *testing.T) {
	for _, c := range []struct{ lo, hi, min, max float64 }{
		{0.081, 2288, 0.05, 5000}, {1, 10, 1, 20}, {0.3, 40, 0.2, 50}, {150, 180, 100, 200},
	} {
		if min, max := logRange(c.lo, c.hi); math.Abs(min-c.min) > 1e-12*c.min || math.Abs(max-c.max) > 1e-12*c.max {
			t.Errorf("logRange(%g, %g) = %g, %g, want %g, %g", c.lo, c.hi, min, max, c.min, c.max)
		}
	}
}
