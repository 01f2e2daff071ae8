package study

import (
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the confidence level of every interval the package reports.
const Confidence = 0.95

// Summary describes a sample of replication values: its size, mean, sample
// standard deviation (n-1 denominator) and the Student-t confidence interval of
// the mean, Mean ± HalfWidth = [Low, High].
type Summary struct {
	N         int
	Mean      float64
	StdDev    float64
	HalfWidth float64
	Low       float64
	High      float64
}

// Summarise computes the Summary of x at the 95% level. With fewer than two values
// the standard deviation and the interval are NaN.
func Summarise(x []float64) Summary { return SummariseLevel(x, Confidence) }

// SummariseLevel is Summarise at another confidence level (0 < level < 1).
func SummariseLevel(x []float64, level float64) Summary {
	s := Summary{N: len(x), Mean: math.NaN(), StdDev: math.NaN(), HalfWidth: math.NaN(), Low: math.NaN(), High: math.NaN()}
	if len(x) == 0 {
		return s
	}
	if len(x) == 1 {
		s.Mean = x[0]
		return s
	}
	s.Mean, s.StdDev = stat.MeanStdDev(x, nil)
	if s.StdDev == 0 {
		s.HalfWidth = 0
	} else {
		s.HalfWidth = TQuantile(1-(1-level)/2, float64(len(x)-1)) * s.StdDev / math.Sqrt(float64(len(x)))
	}
	s.Low, s.High = s.Mean-s.HalfWidth, s.Mean+s.HalfWidth
	return s
}

// Identical reports whether the sample has at least two values, all equal: its
// spread is 0, so the Student-t interval has width 0, a certainty the
// replications do not establish (nothing random reached the metric, as with
// deterministic timings, or its values fell in one histogram bucket). Outputs
// say "identical" instead of printing that interval.
func (s Summary) Identical() bool { return s.N >= 2 && s.StdDev == 0 }

// RelHalfWidth is HalfWidth/|Mean|: 0 when the half-width is 0, +Inf when the
// mean is 0 and the half-width is not, NaN when either is NaN.
func (s Summary) RelHalfWidth() float64 {
	switch {
	case math.IsNaN(s.HalfWidth) || math.IsNaN(s.Mean):
		return math.NaN()
	case s.HalfWidth == 0:
		return 0
	case s.Mean == 0:
		return math.Inf(1)
	}
	return s.HalfWidth / math.Abs(s.Mean)
}

// TQuantile is the p quantile of Student's t distribution with df degrees of
// freedom (gonum distuv.StudentsT).
func TQuantile(p, df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// MSER5 returns the MSER-5 truncation point of x, in samples: x is cut into
// k = len(x)/5 batches of 5 (a trailing remainder of fewer than 5 samples is not
// batched), Z_1..Z_k are the batch means, and for each d in 0..k/2 (the first
// half of the batches)
//
//	MSER(d) = 1/(k-d)^2 * sum_{j>d} (Z_j - mean(Z_{d+1..k}))^2
//
// The d with the smallest MSER(d) (the first one on ties) gives the truncation
// point 5d. Series shorter than 10 samples (fewer than two batches) are not
// truncated. The statistic follows White, Cobb and Spratt (2000), "A comparison
// of five steady-state truncation heuristics for simulation".
func MSER5(x []float64) int {
	d, _ := mser(x, 5)
	return 5 * d
}

// mser returns the minimising d and the minimum statistic, for batch size b. It
// walks the batches from the end with Welford's update, so it is O(len(x)) and
// does not allocate.
func mser(x []float64, b int) (int, float64) {
	k := len(x) / b
	if k < 2 {
		return 0, math.NaN()
	}
	batch := func(j int) float64 {
		var s float64
		for _, v := range x[j*b : (j+1)*b] {
			s += v
		}
		return s / float64(b)
	}
	// Suffix statistics over batches j..k-1, for j from k-1 down to 0.
	var mean, m2 float64
	best, bestStat := 0, math.Inf(1)
	dmax := k / 2
	for j := k - 1; j >= 0; j-- {
		z := batch(j)
		n := float64(k - j)
		delta := z - mean
		mean += delta / n
		m2 += delta * (z - mean)
		if j <= dmax {
			st := m2 / (n * n)
			if st <= bestStat { // <= so that ties go to the smaller d, seen later
				best, bestStat = j, st
			}
		}
	}
	return best, bestStat
}

// FixedWarmupSamples is the number of leading samples a fixed warm-up w removes
// from a series sampled every period: sample i covers [i*period, (i+1)*period),
// and every sample starting before w goes, that is ceil(w/period).
func FixedWarmupSamples(w, period time.Duration) int {
	if w <= 0 {
		return 0
	}
	return int((w + period - 1) / period)
}

// Truncate applies the warm-up setting w to a series and returns how many leading
// samples to remove. It fails if the series is malformed or if the warm-up would
// leave nothing.
func Truncate(w Warmup, s Series) (int, error) {
	if s.Period <= 0 {
		return 0, fmt.Errorf("series period %v must be positive", s.Period)
	}
	if len(s.Values) == 0 {
		return 0, fmt.Errorf("series has no samples")
	}
	switch w.Kind {
	case WarmupFixed:
		n := FixedWarmupSamples(w.Period, s.Period)
		if n >= len(s.Values) {
			return 0, fmt.Errorf("warm-up %v removes all %d samples (period %v, so %v of data); shorten the warm-up or run longer", w.Period, len(s.Values), s.Period, time.Duration(len(s.Values))*s.Period)
		}
		return n, nil
	case WarmupMSER5:
		// Windows without an observation (NaN) are left out of the statistic;
		// the truncation point is the index of the first observation kept.
		obs := make([]float64, 0, len(s.Values))
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				obs = append(obs, v)
			}
		}
		if len(obs) == len(s.Values) {
			return MSER5(s.Values), nil
		}
		d := MSER5(obs)
		for i, v := range s.Values {
			if !math.IsNaN(v) {
				if d == 0 {
					return i, nil
				}
				d--
			}
		}
		return 0, nil
	}
	return 0, nil
}

// mean is the mean of the values of x that are not NaN (NaN if there are none).
func mean(x []float64) float64 {
	var s float64
	n := 0
	for _, v := range x {
		if !math.IsNaN(v) {
			s += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}
