package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
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
// "exp(100ms)" (mean), "normal(100ms,10ms)" (mean, stddev, truncated at 0),
// "lognormal(100ms,20ms)" (mean, stddev of the distribution itself), and
// "empirical(90ms,100ms,130ms)" (each listed value equally likely).
type DistSpec struct {
	Kind   string
	Params []Time
}

// Const is the spec of a constant duration.
func Const(d Time) DistSpec { return DistSpec{Kind: "const", Params: []Time{d}} }

// Exp is the spec of an exponential duration with the given mean.
func Exp(mean Time) DistSpec { return DistSpec{Kind: "exp", Params: []Time{mean}} }

// String formats the spec in the syntax ParseDist reads.
func (s DistSpec) String() string {
	p := make([]string, len(s.Params))
	for i, v := range s.Params {
		p[i] = v.String()
	}
	return s.Kind + "(" + strings.Join(p, ",") + ")"
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

// ParseDist reads a DistSpec. A bare duration ("100ms") is a constant.
func ParseDist(s string) (DistSpec, error) {
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '(')
	if open < 0 {
		d, err := time.ParseDuration(s)
		if err != nil {
			return DistSpec{}, fmt.Errorf("distribution %q: want a duration such as 100ms, or kind(args) with kind one of const, uniform, exp, normal, lognormal, empirical", s)
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
	ar, ok := distArity[kind]
	if !ok {
		return DistSpec{}, fmt.Errorf("distribution %q: unknown kind %q (want const, uniform, exp, normal, lognormal or empirical)", s, kind)
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
	if len(params) < ar[0] || len(params) > ar[1] {
		return DistSpec{}, fmt.Errorf("distribution %q: %s takes %d argument(s), got %d", s, kind, ar[0], len(params))
	}
	if kind == "uniform" && params[1] < params[0] {
		return DistSpec{}, fmt.Errorf("distribution %q: uniform(min,max) needs min <= max", s)
	}
	if (kind == "exp" || kind == "lognormal") && params[0] == 0 {
		return DistSpec{}, fmt.Errorf("distribution %q: the mean must be positive", s)
	}
	return DistSpec{Kind: kind, Params: params}, nil
}

// New binds the spec to a stream.
func (s DistSpec) New(r *rand.Rand) Dist {
	sec := func(d Time) float64 { return d.Seconds() }
	switch s.Kind {
	case "const", "":
		var v Time
		if len(s.Params) > 0 {
			v = s.Params[0]
		}
		return constDist(v)
	case "uniform":
		return floatDist{distuv.Uniform{Min: sec(s.Params[0]), Max: sec(s.Params[1]), Src: r}}
	case "exp":
		return floatDist{distuv.Exponential{Rate: 1 / sec(s.Params[0]), Src: r}}
	case "normal":
		return floatDist{distuv.Normal{Mu: sec(s.Params[0]), Sigma: sec(s.Params[1]), Src: r}}
	case "lognormal":
		m, sd := sec(s.Params[0]), sec(s.Params[1])
		s2 := math.Log(1 + sd*sd/(m*m))
		return floatDist{distuv.LogNormal{Mu: math.Log(m) - s2/2, Sigma: math.Sqrt(s2), Src: r}}
	case "empirical":
		v := append([]Time(nil), s.Params...)
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		return &empirical{v: v, r: r}
	}
	panic("sim: unknown distribution kind " + s.Kind)
}

type constDist Time

func (c constDist) Sample() Time { return Time(c) }
func (c constDist) Mean() Time   { return Time(c) }

type rander interface {
	Rand() float64
	Mean() float64
}

type floatDist struct{ d rander }

func (f floatDist) Sample() Time {
	x := f.d.Rand()
	if x < 0 {
		x = 0
	}
	return Time(x * 1e9)
}
func (f floatDist) Mean() Time { return Time(f.d.Mean() * 1e9) }

type empirical struct {
	v []Time
	r *rand.Rand
}

func (e *empirical) Sample() Time { return e.v[e.r.IntN(len(e.v))] }
func (e *empirical) Mean() Time {
	var s Time
	for _, x := range e.v {
		s += x
	}
	return s / Time(len(e.v))
}
