package sim

import (
	"encoding"
	"math"
	"strings"
	"testing"
	"time"
)

const ms = time.Millisecond

func TestParseDistAccepts(t *testing.T) {
	cases := []struct {
		in   string
		want DistSpec
	}{
		{"100ms", Const(100 * ms)},
		{" 1.5s ", Const(1500 * ms)},
		{"0", Const(0)},
		{"const(100ms)", Const(100 * ms)},
		{"uniform(90ms, 110ms)", DistSpec{"uniform", []Time{90 * ms, 110 * ms}, 0}},
		{"uniform(5ms,5ms)", DistSpec{"uniform", []Time{5 * ms, 5 * ms}, 0}},
		{"exp(100ms)", Exp(100 * ms)},
		{"normal(100ms,10ms)", DistSpec{"normal", []Time{100 * ms, 10 * ms}, 0}},
		{"normal(100ms,0)", DistSpec{"normal", []Time{100 * ms, 0}, 0}},
		{"lognormal( 100ms , 20ms )", DistSpec{"lognormal", []Time{100 * ms, 20 * ms}, 0}},
		{"empirical(130ms,90ms,100ms)", DistSpec{"empirical", []Time{130 * ms, 90 * ms, 100 * ms}, 0}},
		{"empirical(1s)", DistSpec{"empirical", []Time{time.Second}, 0}},
		{"100ms + lognormal(200us,100us)", DistSpec{"lognormal", []Time{200 * time.Microsecond, 100 * time.Microsecond}, 100 * ms}},
		{"100ms+uniform(0,50us)", DistSpec{"uniform", []Time{0, 50 * time.Microsecond}, 100 * ms}},
		{"+100ms", Const(100 * ms)},
	}
	for _, c := range cases {
		got, err := ParseDist(c.in)
		if err != nil {
			t.Errorf("ParseDist(%q): %v", c.in, err)
			continue
		}
		if got.String() != c.want.String() {
			t.Errorf("ParseDist(%q) = %v, want %v", c.in, got, c.want)
		}
		// String is in the syntax ParseDist reads.
		again, err := ParseDist(got.String())
		if err != nil || again.String() != got.String() {
			t.Errorf("round trip of %v: %v, %v", got, again, err)
		}
	}
}

func TestParseDistRejects(t *testing.T) {
	cases := []struct {
		in   string
		want string // part of the error message
	}{
		{"", "want a duration such as 100ms"},
		{"fast", "want a duration such as 100ms"},
		{"100", "want a duration such as 100ms"},
		{"-5ms", "must not be negative"},
		{"exp(100ms", "missing closing parenthesis"},
		{"gamma(1s,2s)", `unknown kind "gamma"`},
		{"Exp(1s)", `unknown kind "Exp"`},
		{"exp(1)", `argument "1" is not a duration`},
		{"100ms + 5ms", "after + want a distribution"},
		{"fast + exp(1ms)", "before + want a non-negative duration"},
		{"-1ms + exp(1ms)", "before + want a non-negative duration"},
		{"1ms + 2ms + exp(1ms)", "only one fixed part"},
		{"exp()", `argument "" is not a duration`},
		{"exp(1s,2s)", "exp takes 1 argument, got 2"},
		{"uniform(1s)", "uniform takes 2 arguments, got 1"},
		{"empirical()", `argument "" is not a duration`},
		{"uniform(2s,1s)", "min <= max"},
		{"exp(0s)", "mean must be positive"},
		{"lognormal(0s,1s)", "mean must be positive"},
		{"normal(1s,-1s)", `argument "-1s" must not be negative`},
	}
	for _, c := range cases {
		_, err := ParseDist(c.in)
		if err == nil {
			t.Errorf("ParseDist(%q) accepted bad input", c.in)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.in) {
			t.Errorf("ParseDist(%q) error %q; want it to quote the input and say %q", c.in, err, c.want)
		}
	}
}

func TestDistSpecText(t *testing.T) {
	var s DistSpec
	var _ encoding.TextUnmarshaler = &s
	if err := s.UnmarshalText([]byte("uniform(1s,2s)")); err != nil {
		t.Fatal(err)
	}
	b, err := s.MarshalText()
	if err != nil || string(b) != "uniform(1s,2s)" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	if err := s.UnmarshalText([]byte("uniform(2s)")); err == nil {
		t.Fatal("UnmarshalText accepted a bad spec")
	}
}

func TestValidate(t *testing.T) {
	bad := []DistSpec{
		{Kind: "gamma", Params: []Time{time.Second}},
		{Kind: "uniform", Params: []Time{time.Second}},
		{Kind: "exp"},
		{Kind: "exp", Params: []Time{-time.Second}},
		{Kind: "empirical"},
	}
	for _, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("Validate(%#v) = nil", s)
		}
	}
	for _, s := range []DistSpec{{}, Const(0), Exp(time.Second)} {
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%v) = %v", s, err)
		}
	}
}

// sampleStats draws n samples and returns their mean and standard deviation in
// seconds, and the smallest and largest.
func sampleStats(d Dist, n int) (mean, sd float64, lo, hi Time) {
	var m2 float64 // Welford's running sum of squared deviations
	lo, hi = math.MaxInt64, math.MinInt64
	for i := 1; i <= n; i++ {
		x := d.Sample()
		lo, hi = min(lo, x), max(hi, x)
		delta := x.Seconds() - mean
		mean += delta / float64(i)
		m2 += delta * (x.Seconds() - mean)
	}
	return mean, math.Sqrt(m2 / float64(n)), lo, hi
}

func TestSampleMoments(t *testing.T) {
	const n = 400_000
	cases := []struct {
		spec     string
		mean, sd float64 // of the distribution, seconds
		lo, hi   Time    // support
	}{
		{"const(100ms)", 0.1, 0, 100 * ms, 100 * ms},
		{"uniform(90ms,110ms)", 0.1, 0.02 / math.Sqrt(12), 90 * ms, 110 * ms},
		{"exp(100ms)", 0.1, 0.1, 0, math.MaxInt64},
		{"normal(100ms,10ms)", 0.1, 0.01, 0, math.MaxInt64},
		{"lognormal(100ms,20ms)", 0.1, 0.02, 1, math.MaxInt64},
		{"100ms + exp(1ms)", 0.101, 0.001, 100 * ms, math.MaxInt64},
		{"100ms + uniform(0,50us)", 0.100025, 50e-6 / math.Sqrt(12), 100 * ms, 100*ms + 50*time.Microsecond},
		{"empirical(90ms,100ms,140ms)", 0.11, math.Sqrt((0.02*0.02 + 0.01*0.01 + 0.03*0.03) / 3), 90 * ms, 140 * ms},
	}
	for i, c := range cases {
		spec, err := ParseDist(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		d := spec.New(NewStream(uint64(i), "moments"))
		if got := d.Mean().Seconds(); math.Abs(got-c.mean) > 1e-9 {
			t.Errorf("%s: Mean() = %v, want %vs", c.spec, d.Mean(), c.mean)
		}
		if got := spec.Mean(); got != d.Mean() || spec.Deterministic().String() != Const(got).String() {
			t.Errorf("%s: spec's Mean() %v, Deterministic() %v; the bound distribution's mean is %v", c.spec, got, spec.Deterministic(), d.Mean())
		}
		mean, sd, lo, hi := sampleStats(d, n)
		// 5 standard errors, plus float rounding for the constant case
		tol := 5*c.sd/math.Sqrt(n) + 1e-9
		if math.Abs(mean-c.mean) > tol {
			t.Errorf("%s: sample mean %.6fs, want %.6fs ± %.6f", c.spec, mean, c.mean, tol)
		}
		if math.Abs(sd-c.sd) > 0.02*c.sd+1e-9 {
			t.Errorf("%s: sample sd %.6fs, want %.6fs within 2%%", c.spec, sd, c.sd)
		}
		if lo < c.lo || hi > c.hi {
			t.Errorf("%s: samples in [%v, %v], outside the support [%v, %v]", c.spec, lo, hi, c.lo, c.hi)
		}
	}
}

// The empirical distribution gives each listed value the same chance.
func TestEmpiricalFrequencies(t *testing.T) {
	d := DistSpec{Kind: "empirical", Params: []Time{3 * ms, 1 * ms, 2 * ms, 1 * ms}}.New(NewStream(1, "emp"))
	count := map[Time]int{}
	const n = 100_000
	for i := 0; i < n; i++ {
		count[d.Sample()]++
	}
	want := map[Time]float64{1 * ms: 0.5, 2 * ms: 0.25, 3 * ms: 0.25}
	if len(count) != len(want) {
		t.Fatalf("values drawn: %v", count)
	}
	for v, p := range want {
		if got := float64(count[v]) / n; math.Abs(got-p) > 0.01 {
			t.Errorf("P(%v) = %.3f, want %.2f", v, got, p)
		}
	}
}

// Normal draws below zero count as zero, and Mean says so.
func TestNormalCensoredAtZero(t *testing.T) {
	d := DistSpec{Kind: "normal", Params: []Time{0, time.Second}}.New(NewStream(1, "n"))
	want := 1 / math.Sqrt(2*math.Pi) // E[max(Z,0)] for a standard normal Z
	if got := d.Mean().Seconds(); math.Abs(got-want) > 1e-6 {
		t.Errorf("Mean() = %.6fs, want %.6fs", got, want)
	}
	mean, _, lo, _ := sampleStats(d, 200_000)
	if lo != 0 || math.Abs(mean-want) > 0.01 {
		t.Errorf("samples: min %v mean %.4fs; want min 0 and mean %.4fs", lo, mean, want)
	}
}

func TestSampleDoesNotAllocate(t *testing.T) {
	for _, s := range []string{"100ms", "uniform(1s,2s)", "exp(1s)", "normal(1s,100ms)", "lognormal(1s,100ms)", "empirical(1s,2s)"} {
		spec, _ := ParseDist(s)
		d := spec.New(NewStream(1, "alloc"))
		if a := testing.AllocsPerRun(1000, func() { d.Sample() }); a != 0 {
			t.Errorf("%s: Sample allocates %v times", s, a)
		}
	}
}

func TestSameStreamSameSamples(t *testing.T) {
	a := Exp(time.Second).New(NewStream(5, "x"))
	b := Exp(time.Second).New(NewStream(5, "x"))
	c := Exp(time.Second).New(NewStream(6, "x"))
	same, diff := true, false
	for i := 0; i < 100; i++ {
		x, y, z := a.Sample(), b.Sample(), c.Sample()
		same = same && x == y
		diff = diff || x != z
	}
	if !same || !diff {
		t.Fatalf("same seed identical: %v; other seed different: %v", same, diff)
	}
}

// UseMeans turns every distribution of a settings struct, nested ones too,
// into the constant of its mean, and leaves other fields (and unset
// distributions) alone.
func TestUseMeans(t *testing.T) {
	type inner struct{ D DistSpec }
	cfg := struct {
		A     DistSpec
		N     int
		In    inner
		Empty DistSpec
		p     DistSpec
	}{A: DistSpec{Kind: "uniform", Params: []Time{0, 50 * time.Microsecond}, Shift: 100 * ms}, N: 3,
		In: inner{D: DistSpec{Kind: "lognormal", Params: []Time{ms, ms / 2}}}, p: Exp(ms)}
	UseMeans(&cfg)
	if cfg.A.String() != "const(100.025ms)" || cfg.In.D.String() != "const(1ms)" || cfg.N != 3 || cfg.Empty.Kind != "" || cfg.p.Kind != "exp" {
		t.Errorf("after UseMeans: %v, %v, %d, %v, %v", cfg.A, cfg.In.D, cfg.N, cfg.Empty, cfg.p)
	}
}
