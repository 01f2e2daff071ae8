package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Dist draws non-negative durations from a seeded stream.
type Dist interface {
	Sample() Time
	Mean() Time
}

// DistSpec describes a distribution of durations independently of any stream, as a
// scenario file writes it: "100ms" or "const(100ms)", "uniform(90ms,110ms)",
// "exp(100ms)" (mean), "normal(100ms,10ms)" (mean, stddev; draws below 0 are 0),
// "lognormal(100ms,20ms)" (mean, stddev of the distribution itself), and
// "empirical(90ms,100ms,130ms)" (each listed value equally likely). A duration
// plus a distribution, "100ms + lognormal(200us,100us)", is a fixed part plus
// a random one: a sleep that never ends early and the overhead around it.
type DistSpec struct {
	Kind   string
	Params []Time
	// Shift is added to every draw (and to the mean).
	Shift Time
}

// Const is the spec of a constant duration.
func Const(d Time) DistSpec { return DistSpec{Kind: "const", Params: []Time{d}} }

// Exp is the spec of an exponential duration with the given mean.
func Exp(mean Time) DistSpec { return DistSpec{Kind: "exp", Params: []Time{mean}} }

// Lognormal is the spec of a lognormal duration with the given mean and
// standard deviation.
func Lognormal(mean, sd Time) DistSpec {
	return DistSpec{Kind: "lognormal", Params: []Time{mean, sd}}
}

// Uniform is the spec of a duration uniform in [lo, hi].
func Uniform(lo, hi Time) DistSpec { return DistSpec{Kind: "uniform", Params: []Time{lo, hi}} }

// Plus is s shifted by d: d plus a draw of s.
func (s DistSpec) Plus(d Time) DistSpec {
	s.Shift += d
	return s
}

// String formats the spec in the syntax ParseDist reads.
func (s DistSpec) String() string {
	p := make([]string, len(s.Params))
	for i, v := range s.Params {
		p[i] = v.String()
	}
	out := s.Kind + "(" + strings.Join(p, ",") + ")"
	if s.Shift != 0 {
		out = s.Shift.String() + "+" + out
	}
	return out
}

// Mean is the distribution's mean, computed from the spec: exact for every
// kind but normal (whose negative draws count as 0), where it is the mean of
// the censored distribution to the nanosecond.
func (s DistSpec) Mean() Time {
	if s.Kind == "" && len(s.Params) == 0 {
		return s.Shift
	}
	switch s.Kind {
	case "const", "exp", "lognormal":
		return s.Shift + s.Params[0]
	case "uniform":
		return s.Shift + s.Params[0] + (s.Params[1]-s.Params[0])/2
	case "empirical":
		var sum Time
		for _, v := range s.Params {
			sum += v
		}
		return s.Shift + sum/Time(len(s.Params))
	}
	return s.New(nil).Mean()
}

// Deterministic is the constant spec with s's mean; the zero spec (unset)
// stays unset.
func (s DistSpec) Deterministic() DistSpec {
	if s.Kind == "" && len(s.Params) == 0 && s.Shift == 0 {
		return s
	}
	return Const(s.Mean())
}

// MarshalText implements encoding.TextMarshaler.
func (s DistSpec) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *DistSpec) UnmarshalText(b []byte) error {
	v, err := ParseDist(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

var distArity = map[string][2]int{
	"const": {1, 1}, "uniform": {2, 2}, "exp": {1, 1}, "normal": {2, 2},
	"lognormal": {2, 2}, "empirical": {1, 1 << 20},
}

const distKinds = "const, uniform, exp, normal, lognormal or empirical"

// ParseDist reads a DistSpec. A bare duration ("100ms") is a constant; a
// duration plus a distribution ("100ms + exp(1ms)") is shifted by the duration.
func ParseDist(s string) (DistSpec, error) {
	s = strings.TrimSpace(s)
	if plus := strings.IndexByte(s, '+'); plus > 0 {
		shift, err := time.ParseDuration(strings.TrimSpace(s[:plus]))
		if err != nil || shift < 0 {
			return DistSpec{}, fmt.Errorf("distribution %q: before + want a non-negative duration such as 100ms (a fixed part), then a distribution", s)
		}
		rest := strings.TrimSpace(s[plus+1:])
		if !strings.Contains(rest, "(") {
			return DistSpec{}, fmt.Errorf("distribution %q: after + want a distribution such as exp(1ms)", s)
		}
		d, err := ParseDist(rest)
		if err != nil {
			return DistSpec{}, fmt.Errorf("distribution %q: %w", s, err)
		}
		if d.Shift != 0 {
			return DistSpec{}, fmt.Errorf("distribution %q: only one fixed part is allowed", s)
		}
		d.Shift = shift
		return d, nil
	}
	open := strings.IndexByte(s, '(')
	if open < 0 {
		d, err := time.ParseDuration(s)
		if err != nil {
			return DistSpec{}, fmt.Errorf("distribution %q: want a duration such as 100ms, or kind(args) with kind one of %s", s, distKinds)
		}
		if d < 0 {
			return DistSpec{}, fmt.Errorf("distribution %q: duration must not be negative", s)
		}
		return Const(d), nil
	}
	if !strings.HasSuffix(s, ")") {
		return DistSpec{}, fmt.Errorf("distribution %q: missing closing parenthesis", s)
	}
	kind := strings.TrimSpace(s[:open])
	if _, ok := distArity[kind]; !ok {
		return DistSpec{}, fmt.Errorf("distribution %q: unknown kind %q (want %s)", s, kind, distKinds)
	}
	var params []Time
	for _, a := range strings.Split(s[open+1:len(s)-1], ",") {
		a = strings.TrimSpace(a)
		d, err := time.ParseDuration(a)
		if err != nil {
			if f, ferr := strconv.ParseFloat(a, 64); ferr == nil && f == 0 {
				d = 0
			} else {
				return DistSpec{}, fmt.Errorf("distribution %q: argument %q is not a duration (e.g. 100ms)", s, a)
			}
		}
		if d < 0 {
			return DistSpec{}, fmt.Errorf("distribution %q: argument %q must not be negative", s, a)
		}
		params = append(params, d)
	}
	spec := DistSpec{Kind: kind, Params: params}
	if err := spec.Validate(); err != nil {
		return DistSpec{}, fmt.Errorf("distribution %q: %w", s, err)
	}
	return spec, nil
}

// Validate reports what is wrong with a spec built by hand; specs from ParseDist,
// Const and Exp (with a positive mean) are valid. The zero DistSpec is the
// constant 0.
func (s DistSpec) Validate() error {
	if s.Shift < 0 {
		return fmt.Errorf("the fixed part %v must not be negative", s.Shift)
	}
	if s.Kind == "" && len(s.Params) == 0 {
		return nil
	}
	ar, ok := distArity[s.Kind]
	if !ok {
		return fmt.Errorf("unknown kind %q (want %s)", s.Kind, distKinds)
	}
	switch n := len(s.Params); {
	case ar[0] == ar[1] && n != ar[0]:
		return fmt.Errorf("%s takes %d argument%s, got %d", s.Kind, ar[0], plural(ar[0]), n)
	case n < ar[0]:
		return fmt.Errorf("%s takes at least %d argument%s, got %d", s.Kind, ar[0], plural(ar[0]), n)
	case n > ar[1]:
		return fmt.Errorf("%s takes at most %d arguments, got %d", s.Kind, ar[1], n)
	}
	for _, p := range s.Params {
		if p < 0 {
			return fmt.Errorf("argument %v must not be negative", p)
		}
	}
	if s.Kind == "uniform" && s.Params[1] < s.Params[0] {
		return fmt.Errorf("uniform(min,max) needs min <= max")
	}
	if (s.Kind == "exp" || s.Kind == "lognormal") && s.Params[0] == 0 {
		return fmt.Errorf("the mean must be positive")
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// New binds the spec to a stream. Sampling the result does not allocate. New
// panics on a spec that Validate rejects: check specs built by hand first.
//
// Each kind is its own type with its parameters computed once, the fixed
// part included, and draws straight from r: the same draws, in the same
// order, as gonum's distuv types (which the tests compare against), without
// their per-draw wrapping of the stream, and with the lognormal's e^x computed
// by exp (1 ulp at most; math.Exp's last bit may differ, which moves a
// nanosecond-rounded duration with a probability of about 1e-10 per draw).
func (s DistSpec) New(r *rand.Rand) Dist {
	if err := s.Validate(); err != nil {
		panic("sim: DistSpec.New: " + err.Error())
	}
	sec := func(d Time) float64 { return d.Seconds() }
	switch s.Kind {
	case "const", "":
		var v Time
		if len(s.Params) > 0 {
			v = s.Params[0]
		}
		return constDist(s.Shift + v)
	case "uniform":
		return &uniformDist{shift: s.Shift, min: sec(s.Params[0]), max: sec(s.Params[1]), r: r}
	case "exp":
		return &expDist{shift: s.Shift, rate: 1 / sec(s.Params[0]), r: r}
	case "normal":
		return &normalDist{shift: s.Shift, mu: sec(s.Params[0]), sigma: sec(s.Params[1]), r: r}
	case "lognormal":
		m, sd := sec(s.Params[0]), sec(s.Params[1])
		s2 := math.Log(1 + sd*sd/(m*m))
		return &lognormalDist{shift: s.Shift, mu: math.Log(m) - s2/2, sigma: math.Sqrt(s2), r: r}
	case "empirical":
		v := append([]Time(nil), s.Params...)
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		return &empirical{shift: s.Shift, v: v, r: r}
	}
	panic("sim: unknown distribution kind " + s.Kind)
}

// newPCG is s.New(rand.New(p)), with the kinds that have one drawing from p
// directly.
func (s DistSpec) newPCG(p *rand.PCG) Dist {
	d := s.New(rand.New(p))
	switch d := d.(type) {
	case *uniformDist:
		return &uniformPCG{shift: d.shift, min: d.min, width: d.max - d.min, max: d.max, p: p}
	case *lognormalDist:
		return newLognormalPCG(d.shift, d.mu, d.sigma, p)
	}
	return d
}

type constDist Time

func (c constDist) Sample() Time { return Time(c) }
func (c constDist) Mean() Time   { return Time(c) }

// seconds is a draw in seconds as a duration: negative draws are 0, the rest
// truncated to the nanosecond.
func seconds(x float64) Time {
	if x < 0 {
		x = 0
	}
	return Time(x * 1e9)
}

// uniformDist is uniform on [min, max] seconds, plus shift.
type uniformDist struct {
	shift    Time
	min, max float64
	r        *rand.Rand
}

func (u *uniformDist) Sample() Time {
	return u.shift + seconds(u.r.Float64()*(u.max-u.min)+u.min)
}
func (u *uniformDist) Mean() Time { return u.shift + Time((u.max+u.min)/2*1e9) }

// expDist is exponential with the given rate per second, plus shift.
type expDist struct {
	shift Time
	rate  float64
	r     *rand.Rand
}

func (e *expDist) Sample() Time { return e.shift + seconds(e.r.ExpFloat64()/e.rate) }
func (e *expDist) Mean() Time   { return e.shift + Time(1/e.rate*1e9) }

// normalDist is normal (seconds) with negative draws counted as 0, plus shift.
type normalDist struct {
	shift     Time
	mu, sigma float64
	r         *rand.Rand
}

func (n *normalDist) Sample() Time { return n.shift + seconds(n.r.NormFloat64()*n.sigma+n.mu) }

// Mean is E[max(X, 0)] = mu*Phi(mu/sigma) + sigma*phi(mu/sigma), plus shift.
func (n *normalDist) Mean() Time {
	if n.sigma == 0 {
		return n.shift + Time(max(n.mu, 0)*1e9)
	}
	z := n.mu / n.sigma
	std := distuv.UnitNormal
	return n.shift + Time((n.mu*std.CDF(z)+n.sigma*std.Prob(z))*1e9)
}

// lognormalDist is e^X seconds for X normal(mu, sigma), plus shift.
type lognormalDist struct {
	shift     Time
	mu, sigma float64
	r         *rand.Rand
}

func (l *lognormalDist) Sample() Time {
	return l.shift + seconds(exp(l.r.NormFloat64()*l.sigma+l.mu))
}
func (l *lognormalDist) Mean() Time {
	return l.shift + Time(math.Exp(l.mu+0.5*l.sigma*l.sigma)*1e9)
}

// lognormalPCG is lognormalDist drawing from its generator directly, one draw
// ahead: Sample returns the draw made by the call before and makes the next.
// The generator is its own (Engine.Dist), so the draws and their order are
// the same; what changes is that the caller gets its value at once, while
// the next draw, a chain of some forty dependent floating-point operations
// (the normal draw, e^x, the conversion to nanoseconds), runs alongside the
// caller's work instead of holding up the event it schedules: in the default
// scenario the draws took a fifth of the CPU time for an eighth of the
// instructions.
//
// The generator's state is held in the struct (no pointer to load), and the
// common case is one function: the ziggurat's rectangle (more than 99% of
// draws), then exp by hand. Its normal draw is below 3.45 in magnitude (the
// rectangles' widths), so when |mu| + 3.45 sigma < 700 (fast: every
// distribution a duration can give) x is inside exp's range and e^x is
// positive, and neither is checked per draw; the other draws, and every draw
// of a distribution that is not fast, take slowDraw, the same operations with
// the checks.
type lognormalPCG struct {
	shift     Time
	mu, sigma float64
	p         rand.PCG
	next      Time
	fast      bool
}

func newLognormalPCG(shift Time, mu, sigma float64, p *rand.PCG) *lognormalPCG {
	l := &lognormalPCG{shift: shift, mu: mu, sigma: sigma, p: *p,
		fast: math.Abs(mu)+normalRectMax*sigma < 700}
	l.Sample() // the first draw
	return l
}

// normalRectMax bounds the normal draws of the ziggurat's rectangles (its
// fast path): |j| < kn[i] and |j| wn[i] < kn[i] wn[i] <= 3.4426, the base
// strip's width (TestNormalRectMax).
const normalRectMax = 3.45

func (l *lognormalPCG) Sample() Time {
	d := l.next
	// normal(&l.p), its common case by hand: normal does not inline.
	u := l.p.Uint64()
	j := int32(u)
	i := u >> 32 & 0x7F
	z := float64(j) * float64(wn[i])
	if absInt32(j) >= kn[i] || !l.fast {
		l.next = l.slowDraw(j, i, z)
		return d
	}
	x := z*l.sigma + l.mu
	// exp(x), by hand (exp does not inline): the same operations, so the
	// same result (TestDistSameDraws); x is in its range (fast).
	const (
		invL  = 0x1.71547652b82fep+06
		l1    = 0x1.62e42feep-07
		l2    = 0x1.a39ef35793c76p-39
		magic = 0x1.8p52
	)
	t := float64(x*invL) + magic
	k := int64(math.Float64bits(t))
	kf := t - magic
	r := float64(x-float64(kf*l1)) - float64(kf*l2)
	p := float64(r*(1.0/720)) + 1.0/120
	p = float64(p*r) + 1.0/24
	p = float64(p*r) + 1.0/6
	p = float64(p*r) + 0.5
	p = float64(float64(p*r)*r) + r
	t2 := &exp2Table[int32(k)&63]
	y := t2[0] + (float64(t2[0]*p) + t2[1])
	// seconds(e^x): e^x is positive.
	l.next = l.shift + Time(math.Float64frombits(math.Float64bits(y)+uint64(int64(int32(k)>>6))<<52)*1e9)
	return d
}

// slowDraw is the rest of a draw whose first normal draw (j, i, z) fell
// outside its strip's rectangle, or of a distribution that is not fast.
//
//go:noinline
func (l *lognormalPCG) slowDraw(j int32, i uint64, z float64) Time {
	if absInt32(j) >= kn[i] {
		z = normalSlow(&l.p, j, i, z)
	}
	return l.shift + seconds(exp(z*l.sigma+l.mu))
}

func (l *lognormalPCG) Mean() Time {
	return l.shift + Time(math.Exp(l.mu+0.5*l.sigma*l.sigma)*1e9)
}

// uniformPCG is uniformDist drawing from its generator directly.
type uniformPCG struct {
	shift           Time
	min, width, max float64
	p               *rand.PCG
}

func (u *uniformPCG) Sample() Time {
	f := float64(u.p.Uint64()<<11>>11) / (1 << 53) // pcgFloat64, which does not inline
	return u.shift + seconds(f*u.width+u.min)
}
func (u *uniformPCG) Mean() Time { return u.shift + Time((u.max+u.min)/2*1e9) }

type empirical struct {
	shift Time
	v     []Time
	r     *rand.Rand
}

func (e *empirical) Sample() Time { return e.shift + e.v[e.r.IntN(len(e.v))] }
func (e *empirical) Mean() Time {
	var s Time
	for _, x := range e.v {
		s += x
	}
	return e.shift + s/Time(len(e.v))
}

var distSpecType = reflect.TypeOf(DistSpec{})

// UseMeans replaces every DistSpec in the struct cfg points to (in nested
// structs too) by the constant of its mean: the same settings without their
// spread.
func UseMeans(cfg any) {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic("sim: UseMeans wants a pointer to a struct")
	}
	useMeans(v.Elem())
}

func useMeans(v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch {
		case !f.CanSet():
		case f.Type() == distSpecType:
			f.Set(reflect.ValueOf(f.Interface().(DistSpec).Deterministic()))
		case f.Kind() == reflect.Struct:
			useMeans(f)
		}
	}
}
