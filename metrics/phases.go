package metrics

import (
	"math"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/sim"
)

// Phases split a run at the instants something changed its capacity or load
// (a scale step, an apply, a node's reboot): each Service's figures in each
// phase are those of the requests that ended in it, exact (from the
// Services' cumulative counts and latency histograms at each boundary, not
// from the time windows).

// phaseMark is the Services' cumulative figures at a phase boundary.
type phaseMark struct {
	at    sim.Time
	steps []string // what opened the phase
	svcs  map[string]phaseSnap
}

type phaseSnap struct {
	requests, errors int64
	h                *hist // the successful requests' latencies; nil for none
}

// MarkPhase opens a new phase now, opened by step (several steps at one
// instant open one phase). Marks at instant 0 are the first phase's steps.
func (r *Recorder) MarkPhase(step string) {
	now := r.c.Now()
	if n := len(r.marks); n > 0 && r.marks[n-1].at == now {
		r.marks[n-1].steps = append(r.marks[n-1].steps, step)
		return
	}
	m := phaseMark{at: now, steps: []string{step}}
	if now > 0 {
		m.svcs = make(map[string]phaseSnap, len(r.svcOrder))
		for _, name := range r.svcOrder {
			st := r.services[name]
			sn := phaseSnap{requests: st.requests, errors: st.errors}
			if h := st.whole(); h != nil && h.total > 0 {
				if h == st.all {
					h = h.clone()
				}
				sn.h = h
			}
			m.svcs[name] = sn
		}
	}
	r.marks = append(r.marks, m)
}

// Phase is a span of the run and what each Service with requests in it did.
type Phase struct {
	Start, End float64 // seconds
	// Steps are the steps that opened the phase (none for a first phase
	// without steps at 0 s); Merged are the instants (seconds) of the later
	// boundaries merged into it (Phases' bound).
	Steps    []string
	Merged   []float64
	Services map[string]ServiceSummary // Requests, Errors, LatencyMs (nil with detailed collection off)
}

// Phases are the run's phases up to now, at most max of them (at least 2):
// beyond it, the shortest phase is merged with its shorter neighbour until
// max remain. Nil when no step changed anything after 0 s.
func (r *Recorder) Phases(max int) []Phase {
	now := r.c.Now()
	// Boundaries strictly inside the run.
	var bounds []phaseMark
	var first []string
	for _, m := range r.marks {
		switch {
		case m.at == 0:
			first = m.steps
		case m.at < now:
			bounds = append(bounds, m)
		}
	}
	if len(bounds) == 0 {
		return nil
	}
	max = int(math.Max(float64(max), 2))
	merged := make([][]float64, len(bounds)+1)
	starts := func(i int) sim.Time {
		if i == 0 {
			return 0
		}
		return bounds[i-1].at
	}
	ends := func(i int) sim.Time {
		if i == len(bounds) {
			return now
		}
		return bounds[i].at
	}
	for len(bounds)+1 > max {
		// The shortest phase (the earliest of equals) goes into its shorter
		// neighbour: drop the boundary between them.
		short := 0
		for i := 1; i <= len(bounds); i++ {
			if ends(i)-starts(i) < ends(short)-starts(short) {
				short = i
			}
		}
		drop := short - 1 // the boundary before it
		if short == 0 || (short < len(bounds) && ends(short+1)-starts(short+1) < ends(short-1)-starts(short-1)) {
			drop = short // the boundary after it
		}
		merged[drop] = append(append(merged[drop], round6(bounds[drop].at.Seconds())), merged[drop+1]...)
		merged = append(merged[:drop+1], merged[drop+2:]...)
		bounds = append(bounds[:drop], bounds[drop+1:]...)
	}
	out := make([]Phase, len(bounds)+1)
	var prev map[string]phaseSnap
	for i := range out {
		p := Phase{Start: round6(starts(i).Seconds()), End: round6(ends(i).Seconds()), Merged: merged[i], Services: map[string]ServiceSummary{}}
		var cur map[string]phaseSnap
		if i == 0 {
			p.Steps = first
		} else {
			p.Steps = bounds[i-1].steps
		}
		if i < len(bounds) {
			cur = bounds[i].svcs
		} else {
			cur = make(map[string]phaseSnap, len(r.svcOrder))
			for _, name := range r.svcOrder {
				st := r.services[name]
				cur[name] = phaseSnap{requests: st.requests, errors: st.errors, h: st.whole()}
			}
		}
		for name, c := range cur {
			b := prev[name]
			if c.requests == b.requests {
				continue
			}
			ss := ServiceSummary{Requests: c.requests - b.requests, Errors: c.errors - b.errors}
			if r.detailed {
				var lat Latency
				if c.h != nil {
					lat = latency(c.h.minus(b.h))
				}
				ss.LatencyMs = &lat
			}
			p.Services[name] = ss
		}
		prev = cur
		out[i] = p
	}
	return out
}

// minus is h less o's counts (o an earlier state of the same histogram).
func (h *hist) minus(o *hist) *hist {
	if o == nil || o.total == 0 {
		return h
	}
	d := h.clone()
	for i := o.lo; i <= o.hi; i++ {
		d.counts[i-d.base] -= o.counts[i-o.base]
	}
	d.total -= o.total
	d.lo, d.hi = math.MaxInt, -1
	for j, n := range d.counts {
		if n != 0 {
			d.lo, d.hi = min(d.lo, j+d.base), j+d.base
		}
	}
	return d
}

// TopServices are the names of the Services of ps with the most requests in
// all phases, at most n, and how many others had requests.
func TopServices(ps []Phase, n int) ([]string, int) {
	total := map[string]int64{}
	for _, p := range ps {
		for name, s := range p.Services {
			total[name] += s.Requests
		}
	}
	names := make([]string, 0, len(total))
	for name := range total {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		if total[names[i]] != total[names[j]] {
			return total[names[i]] > total[names[j]]
		}
		return strings.Compare(names[i], names[j]) < 0
	})
	if len(names) <= n {
		return names, 0
	}
	return names[:n], len(names) - n
}
