package sim

import (
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

const bigPrec = 256

// bigExp is e^x to about 240 bits: the Taylor series of e^(x/2^12), squared
// 12 times.
func bigExp(x float64) *big.Float {
	y := new(big.Float).SetPrec(bigPrec).SetFloat64(x)
	y.SetMantExp(y, -12)
	sum := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	term := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	eps := new(big.Float).SetPrec(bigPrec).SetMantExp(big.NewFloat(1), -bigPrec)
	for n := int64(1); ; n++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(bigPrec).SetInt64(n))
		sum.Add(sum, term)
		if new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	for i := 0; i < 12; i++ {
		sum.Mul(sum, sum)
	}
	return sum
}

// ulpErr is |got - want| in units of the last place of want as a float64.
func ulpErr(got float64, want *big.Float) float64 {
	w, _ := want.Float64()
	ulp := math.Nextafter(w, math.Inf(1)) - w
	d := new(big.Float).SetPrec(bigPrec).SetFloat64(got)
	d.Sub(d, want)
	f, _ := d.Float64()
	return math.Abs(f) / ulp
}

// exp is within 1 ulp of e^x (about 0.5: it rounds a result good to some 60
// bits) over the range where durations are drawn and far beyond it, and within
// 1 ulp of math.Exp.
func TestExpAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var xs []float64
	for i := 0; i < 4000; i++ {
		xs = append(xs, (r.Float64()*2-1)*30) // e^-30 .. e^30: ns to years in seconds
	}
	for i := 0; i < 1000; i++ {
		xs = append(xs, (r.Float64()*2-1)*699.9)
	}
	for i := 0; i < 500; i++ {
		xs = append(xs, (r.Float64()*2-1)*1e-6)
	}
	// the edges of the table's intervals and of the fast path
	for k := -300; k <= 300; k++ {
		x := float64(k) * math.Ln2 / 64
		xs = append(xs, x, math.Nextafter(x, 0), math.Nextafter(x, math.Inf(1)))
	}
	xs = append(xs, 0, -699.99, 699.99, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64)
	var worst, worstStd float64
	var worstX float64
	exact := 0
	for _, x := range xs {
		want := bigExp(x)
		got := exp(x)
		e := ulpErr(got, want)
		if e > worst {
			worst, worstX = e, x
		}
		worstStd = max(worstStd, ulpErr(math.Exp(x), want))
		if w, _ := want.Float64(); w == got {
			exact++
		}
		std := math.Exp(x)
		if got != std && got != math.Nextafter(std, 0) && got != math.Nextafter(std, math.Inf(1)) {
			t.Errorf("exp(%v) = %v, math.Exp %v: more than 1 ulp apart", x, got, std)
		}
	}
	if worst >= 1 {
		t.Errorf("exp(%v) is %.3f ulp from e^x, want < 1", worstX, worst)
	}
	t.Logf("%d points: exp within %.3f ulp of e^x (math.Exp %.3f), correctly rounded for %.2f%%",
		len(xs), worst, worstStd, 100*float64(exact)/float64(len(xs)))
}

// Outside the fast path exp is math.Exp, special values included.
func TestExpEdges(t *testing.T) {
	for _, x := range []float64{-700, 700, -745, -746, 709.7, 710, -1e300, 1e300, math.Inf(1), math.Inf(-1)} {
		if got, want := exp(x), math.Exp(x); got != want {
			t.Errorf("exp(%v) = %v, want %v", x, got, want)
		}
	}
	if got := exp(math.NaN()); !math.IsNaN(got) {
		t.Errorf("exp(NaN) = %v", got)
	}
	if got := exp(0); got != 1 {
		t.Errorf("exp(0) = %v", got)
	}
}

// The table is 2^(j/64) as hi + lo, hi the nearest float64.
func TestExp2Table(t *testing.T) {
	root := new(big.Float).SetPrec(bigPrec).SetInt64(2)
	for i := 0; i < 6; i++ {
		root.Sqrt(root)
	}
	v := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	for j, e := range exp2Table {
		hi, _ := v.Float64()
		rest := new(big.Float).SetPrec(bigPrec).Sub(v, new(big.Float).SetFloat64(hi))
		lo, _ := rest.Float64()
		if e[0] != hi || e[1] != lo {
			t.Errorf("exp2Table[%d] = %v, want {%v, %v}", j, e, hi, lo)
		}
		v.Mul(v, root)
	}
}

// refDist is a gonum distribution.
type refDist interface {
	Rand() float64
	CDF(float64) float64
}

// The samplers draw what gonum's distuv types draw from the same stream (the
// lognormal's e^x may differ from math.Exp's in the last bit, which does not
// move a draw rounded to the nanosecond here), and their shapes pass a
// Kolmogorov-Smirnov test against gonum's CDF.
func TestSamplersMatchGonum(t *testing.T) {
	us := time.Microsecond
	cases := []struct {
		spec DistSpec
		ref  func(src rand.Source) refDist
	}{
		{Uniform(90*ms, 110*ms), func(src rand.Source) refDist {
			return distuv.Uniform{Min: 0.09, Max: 0.11, Src: src}
		}},
		{Exp(100 * ms), func(src rand.Source) refDist {
			return distuv.Exponential{Rate: 10, Src: src}
		}},
		{DistSpec{Kind: "normal", Params: []Time{100 * ms, 10 * ms}}, func(src rand.Source) refDist {
			return distuv.Normal{Mu: 0.1, Sigma: 0.01, Src: src}
		}},
		{Lognormal(250*us, 200*us), func(src rand.Source) refDist {
			m, sd := 250e-6, 200e-6
			s2 := math.Log(1 + sd*sd/(m*m))
			return distuv.LogNormal{Mu: math.Log(m) - s2/2, Sigma: math.Sqrt(s2), Src: src}
		}},
	}
	const n = 200_000
	for i, c := range cases {
		d := c.spec.New(NewStream(uint64(i), "gonum"))
		ref := c.ref(NewStream(uint64(i), "gonum"))
		draws := make([]float64, n)
		differ := 0
		for k := range draws {
			got := d.Sample()
			want := Time(max(ref.Rand(), 0) * 1e9)
			if got != want {
				differ++
			}
			draws[k] = float64(got) / 1e9
		}
		if differ > 0 {
			t.Errorf("%v: %d of %d draws differ from gonum's", c.spec, differ, n)
		}
		sort.Float64s(draws)
		var ks float64
		for k, x := range draws {
			f := ref.CDF(x)
			ks = max(ks, math.Abs(f-float64(k)/n), math.Abs(f-float64(k+1)/n))
		}
		// critical value at alpha = 0.001 is 1.95/sqrt(n); durations are
		// truncated to the nanosecond, which moves the CDF by far less
		if crit := 1.95 / math.Sqrt(n); ks > crit {
			t.Errorf("%v: Kolmogorov-Smirnov distance %.5f over the critical %.5f", c.spec, ks, crit)
		}
	}
}

var sinkTime Time
var sinkFloat float64

// BenchmarkSample is one draw of each kind through the Dist interface, as the
// request path draws them (0 allocs), bound by DistSpec.New to a stream and by
// Engine.Dist (the lognormal and uniform kinds drawing from the stream's
// generator directly).
func BenchmarkSample(b *testing.B) {
	for _, s := range []string{"100ms", "uniform(90ms,110ms)", "exp(100ms)", "normal(100ms,10ms)", "lognormal(250us,200us)", "1ms + lognormal(250us,200us)", "empirical(1ms,2ms,5ms)"} {
		for _, bind := range []string{"New", "Engine.Dist"} {
			b.Run(s+"/"+bind, func(b *testing.B) {
				spec, err := ParseDist(s)
				if err != nil {
					b.Fatal(err)
				}
				d := spec.New(NewStream(1, "bench"))
				if bind == "Engine.Dist" {
					d = New(1).Dist("bench", spec)
				}
				b.ReportAllocs()
				var sum Time
				for b.Loop() {
					sum += d.Sample()
				}
				sinkTime = sum
			})
		}
	}
}

// BenchmarkExp is exp against math.Exp on arguments of lognormal durations.
func BenchmarkExp(b *testing.B) {
	xs := make([]float64, 1024)
	r := rand.New(rand.NewPCG(1, 1))
	for i := range xs {
		xs[i] = r.NormFloat64()*0.7 - 8.5
	}
	for _, f := range []struct {
		name string
		fn   func(float64) float64
	}{{"fn=exp", exp}, {"fn=math.Exp", math.Exp}} {
		b.Run(f.name, func(b *testing.B) {
			var s float64
			i := 0
			for b.Loop() {
				s += f.fn(xs[i&1023])
				i++
			}
			sinkFloat = s
		})
	}
}
