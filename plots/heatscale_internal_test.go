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
