package study

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Student t quantiles from published tables (e.g. NIST/SEMATECH e-Handbook,
// table 1.3.6.7.2, upper critical values for alpha = 0.025).
func TestTQuantileMatchesTables(t *testing.T) {
	for _, c := range []struct {
		df   float64
		want float64
	}{{1, 12.706}, {2, 4.303}, {4, 2.776}, {9, 2.262}, {19, 2.093}, {29, 2.045}, {100, 1.984}} {
		if got := TQuantile(0.975, c.df); !near(got, c.want, 0.0005) {
			t.Errorf("t(0.975, %v) = %v, want %v", c.df, got, c.want)
		}
	}
}

func TestSummariseHandComputed(t *testing.T) {
	// x = 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sd = sqrt(32/7).
	x := []float64{2, 4, 4, 4, 5, 5, 7, 9}
	s := Summarise(x)
	sd := math.Sqrt(32.0 / 7)
	hw := 2.364624251592785 * sd / math.Sqrt(8) // t(0.975, 7)
	if s.N != 8 || !near(s.Mean, 5, 1e-12) || !near(s.StdDev, sd, 1e-12) || !near(s.HalfWidth, hw, 1e-9) {
		t.Fatalf("Summarise = %+v, want n 8 mean 5 sd %v hw %v", s, sd, hw)
	}
	if !near(s.Low, 5-hw, 1e-9) || !near(s.High, 5+hw, 1e-9) || !near(s.RelHalfWidth(), hw/5, 1e-9) {
		t.Fatalf("interval %+v, want [%v, %v]", s, 5-hw, 5+hw)
	}
	// Two values 1 and 3: mean 2, sd sqrt(2), hw = 12.706 * sqrt(2)/sqrt(2).
	s = Summarise([]float64{1, 3})
	if !near(s.HalfWidth, 12.706204736174707, 1e-6) {
		t.Fatalf("n=2 half-width %v, want t(0.975,1) = 12.7062", s.HalfWidth)
	}
}

func TestSummariseEdgeCases(t *testing.T) {
	if s := Summarise(nil); s.N != 0 || !math.IsNaN(s.Mean) || !math.IsNaN(s.HalfWidth) {
		t.Errorf("empty: %+v", s)
	}
	if s := Summarise([]float64{3}); s.Mean != 3 || !math.IsNaN(s.StdDev) || !math.IsNaN(s.RelHalfWidth()) {
		t.Errorf("one value: %+v", s)
	}
	s := Summarise([]float64{7, 7, 7})
	if s.HalfWidth != 0 || s.Low != 7 || s.High != 7 || s.RelHalfWidth() != 0 {
		t.Errorf("constant: %+v rel %v", s, s.RelHalfWidth())
	}
	if r := Summarise([]float64{-1, 1}).RelHalfWidth(); !math.IsInf(r, 1) {
		t.Errorf("zero mean: rel half-width %v, want +Inf", r)
	}
	if r := Summarise([]float64{-2, -4}).RelHalfWidth(); !(r > 0) {
		t.Errorf("negative mean: rel half-width %v, want positive", r)
	}
}

func batches(zs ...float64) []float64 {
	var x []float64
	for _, z := range zs {
		for i := 0; i < 5; i++ {
			x = append(x, z)
		}
	}
	return x
}

func TestMSER5HandComputed(t *testing.T) {
	// Batch means 4, 2, 1, 1, 2, 1 (k = 6, d in 0..3):
	// MSER(0) = 6.8333/36 = 0.1898, MSER(1) = 1.2/25 = 0.048,
	// MSER(2) = 0.75/16 = 0.046875, MSER(3) = 0.6667/9 = 0.0741 -> d = 2.
	x := batches(4, 2, 1, 1, 2, 1)
	if got := MSER5(x); got != 10 {
		t.Errorf("MSER5 = %d, want 10 (d = 2)", got)
	}
	d, st := mser(x, 5)
	if d != 2 || !near(st, 0.046875, 1e-12) {
		t.Errorf("mser = %d, %v; want 2, 0.046875", d, st)
	}
	// A step: first batch 10, then zeros: truncate the first batch.
	if got := MSER5(batches(10, 0, 0, 0, 0, 0)); got != 5 {
		t.Errorf("step: MSER5 = %d, want 5", got)
	}
	// Constant: every d ties at 0, the smallest wins.
	if got := MSER5(batches(3, 3, 3, 3, 3, 3)); got != 0 {
		t.Errorf("constant: MSER5 = %d, want 0", got)
	}
	// Too short to batch twice: no truncation. The remainder is not batched.
	if got := MSER5([]float64{9, 9, 9, 9, 9, 0, 0, 0, 0}); got != 0 {
		t.Errorf("short series: MSER5 = %d, want 0", got)
	}
	x = append(batches(10, 0, 0, 0), 50, 50, 50)
	if got := MSER5(x); got != 5 {
		t.Errorf("with a remainder: MSER5 = %d, want 5", got)
	}
}

// naiveMSER is the textbook O(k^2) form, as a reference.
func naiveMSER(x []float64, b int) (int, float64) {
	k := len(x) / b
	z := make([]float64, k)
	for j := range z {
		z[j] = mean(x[j*b : (j+1)*b])
	}
	best, bestStat := 0, math.Inf(1)
	for d := 0; d <= k/2; d++ {
		m := mean(z[d:])
		var ss float64
		for _, v := range z[d:] {
			ss += (v - m) * (v - m)
		}
		n := float64(k - d)
		if st := ss / (n * n); st < bestStat {
			best, bestStat = d, st
		}
	}
	return best, bestStat
}

func TestMSER5MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 10 + r.IntN(400)
		x := make([]float64, n)
		level := 5 * r.Float64()
		for i := range x {
			x[i] = r.NormFloat64() + level*math.Exp(-float64(i)/20)
		}
		d, st := mser(x, 5)
		wd, wst := naiveMSER(x, 5)
		if d != wd || !near(st, wst, 1e-9*math.Max(1, wst)) {
			t.Fatalf("trial %d (n %d): mser = %d, %v; reference %d, %v", trial, n, d, st, wd, wst)
		}
	}
}

func TestFixedWarmup(t *testing.T) {
	for _, c := range []struct {
		w, p time.Duration
		want int
	}{{0, time.Second, 0}, {30 * time.Second, 10 * time.Second, 3}, {31 * time.Second, 10 * time.Second, 4}, {time.Millisecond, time.Second, 1}} {
		if got := FixedWarmupSamples(c.w, c.p); got != c.want {
			t.Errorf("FixedWarmupSamples(%v, %v) = %d, want %d", c.w, c.p, got, c.want)
		}
	}
	s := Series{Period: 10 * time.Second, Values: make([]float64, 3)}
	if _, err := Truncate(Warmup{Kind: WarmupFixed, Period: 30 * time.Second}, s); err == nil {
		t.Error("a warm-up covering the whole series must be an error")
	}
	if n, err := Truncate(Warmup{Kind: WarmupFixed, Period: 20 * time.Second}, s); err != nil || n != 2 {
		t.Errorf("Truncate 20s of 3x10s = %d, %v; want 2", n, err)
	}
	if _, err := Truncate(Warmup{}, Series{Period: 0, Values: []float64{1}}); err == nil {
		t.Error("a zero period must be an error")
	}
	if _, err := Truncate(Warmup{}, Series{Period: time.Second}); err == nil {
		t.Error("an empty series must be an error")
	}
}

func BenchmarkMSER5(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 5000)
	for i := range x {
		x[i] = r.NormFloat64() + 3*math.Exp(-float64(i)/200)
	}
	b.Run("welford", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mser(x, 5)
		}
	})
	b.Run("naive-reference", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			naiveMSER(x, 5)
		}
	})
}
