package metrics

import (
	"bytes"
	"encoding/json"
	"math"

	"github.com/kubesim/kubesim/sim"
)

// Counter is a count a workload registers under its own name (DockerCoins:
// the hashes counted in redis, the hashes its workers computed). It keeps the
// total, the count per summary window and, with detailed collection, per fine
// bin.
type Counter struct {
	r     *Recorder
	name  string
	total int64
	wins  []int64 // by summary window
	bins  []int64 // by bin (detailed only)
}

// Counter returns the counter named name, registering it the first time.
func (r *Recorder) Counter(name string) *Counter {
	for _, c := range r.counters {
		if c.name == name {
			return c
		}
	}
	c := &Counter{r: r, name: name}
	r.counters = append(r.counters, c)
	return c
}

// Name is the counter's name.
func (c *Counter) Name() string { return c.name }

// Add counts n now.
func (c *Counter) Add(n int64) {
	r := c.r
	c.total += n
	now := r.c.Now()
	i := r.winSlot.of(now, r.Window)
	if i >= len(c.wins) {
		c.wins = grow(c.wins, i)
	}
	c.wins[i] += n
	if r.detailed {
		j := r.binSlot.of(now, r.Bin)
		if j >= len(c.bins) {
			c.bins = grow(c.bins, j)
		}
		c.bins[j] += n
	}
}

//go:noinline
func grow(s []int64, i int) []int64 {
	for len(s) <= i {
		s = append(s, 0)
	}
	return s
}

// Total is the count over the whole run.
func (c *Counter) Total() int64 { return c.total }

// InWindow is the count in summary window i.
func (c *Counter) InWindow(i int) int64 {
	if i < len(c.wins) {
		return c.wins[i]
	}
	return 0
}

// InBin is the count in fine bin i (detailed collection only).
func (c *Counter) InBin(i int) int64 {
	if i < len(c.bins) {
		return c.bins[i]
	}
	return 0
}

// Between is the count in [a, b) seconds from the fine bins, a bin split
// proportionally when a or b falls inside it (detailed collection only).
func (c *Counter) Between(a, b float64) float64 {
	bw := c.r.Bin.Seconds()
	var sum float64
	// Only the bins that can overlap [a, b), in order.
	first := max(0, int(a/bw)-1)
	last := min(len(c.bins), int(b/bw)+2)
	for i := first; i < last; i++ {
		n := c.bins[i]
		lo, hi := float64(i)*bw, float64(i+1)*bw
		ov := math.Min(hi, b) - math.Max(lo, a)
		if ov > 0 {
			sum += float64(n) * ov / bw
		}
	}
	return sum
}

// Windows are the summary's windows up to now: [start, end] in seconds, the
// last one ending at now.
func (r *Recorder) Windows() [][2]float64 {
	w, end := r.Window.Seconds(), r.now()
	var out [][2]float64
	for a := 0.0; a < end-1e-9; a += w {
		out = append(out, [2]float64{a, math.Min(a+w, end)})
	}
	return out
}

// Now is the simulated time.
func (r *Recorder) Now() sim.Time { return r.c.Now() }

// OnSummary adds f to what builds the summary: f adds the workload's own
// figures (Summary.Extra).
func (r *Recorder) OnSummary(f func(*Summary)) { r.onSummary = append(r.onSummary, f) }

// Field is one named figure of a workload in the summary.
type Field struct {
	Key   string
	Value any
}

// Round3 and Round6 round to 3 and 6 decimals, as the summary's figures are.
func Round3(v float64) float64 { return round3(v) }
func Round6(v float64) float64 { return round6(v) }

// MarshalJSON writes the summary's fields in order, the workloads' own
// (Extra) after detailed.
func (s Summary) MarshalJSON() ([]byte, error) {
	head := struct {
		Scenario    string  `json:"scenario"`
		Seed        uint64  `json:"seed"`
		SimSeconds  float64 `json:"sim_seconds"`
		WallSeconds float64 `json:"wall_seconds"`
		Events      uint64  `json:"events"`
		Detailed    bool    `json:"detailed"`
	}{s.Scenario, s.Seed, s.SimSeconds, s.WallSeconds, s.Events, s.Detailed}
	tail := struct {
		Services       map[string]ServiceSummary `json:"services"`
		Routes         map[string]ServiceSummary `json:"routes,omitempty"`
		Clients        map[string]ServiceSummary `json:"clients,omitempty"`
		Nodes          map[string]NodeSummary    `json:"nodes"`
		Pods           map[string]PodSummary     `json:"pods,omitempty"`
		ReadyEndpoints map[string][]Point        `json:"ready_endpoints,omitempty"`
		Requests       Accounting                `json:"requests"`
	}{s.Services, s.Routes, s.Clients, s.Nodes, s.Pods, s.ReadyEndpoints, s.Requests}
	var b bytes.Buffer
	h, err := json.Marshal(head)
	if err != nil {
		return nil, err
	}
	b.Write(h[:len(h)-1])
	for _, f := range s.Extra {
		k, _ := json.Marshal(f.Key)
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b.WriteByte(',')
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	t, err := json.Marshal(tail)
	if err != nil {
		return nil, err
	}
	b.WriteByte(',')
	b.Write(t[1:])
	return b.Bytes(), nil
}

// AppendJSON returns the summary's JSON object with more fields after its own
// (the CLI adds the timeline).
func (s Summary) AppendJSON(more ...Field) ([]byte, error) {
	b, err := s.MarshalJSON()
	if err != nil {
		return nil, err
	}
	b = b[:len(b)-1]
	for _, f := range more {
		k, _ := json.Marshal(f.Key)
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b = append(append(append(append(b, ','), k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// Flow is a stream of requests a workload measures under its own name: a
// route as its callers see it (every try), or a client's runs of its script
// (from start to end). It keeps what a Service keeps: requests, errors by
// kind, latency for the whole run and per window.
type Flow struct {
	r      *Recorder
	name   string
	client bool
	latStats
}

// Route returns the flow of the route named name (SERVICE/route),
// registering it the first time; the summary lists it once it has requests.
func (r *Recorder) Route(name string) *Flow { return r.flow(name, false) }

// Client returns the flow of the client named name, registering it the first
// time; the summary lists it from then on.
func (r *Recorder) Client(name string) *Flow { return r.flow(name, true) }

func (r *Recorder) flow(name string, client bool) *Flow {
	for _, f := range r.flows {
		if f.name == name && f.client == client {
			return f
		}
	}
	f := &Flow{r: r, name: name, client: client, latStats: latStats{digits: svcHistDigits}}
	r.flows = append(r.flows, f)
	return f
}

// Name is the flow's name.
func (f *Flow) Name() string { return f.name }

// Done records a request (or a run) that started at sent and ended now with
// outcome.
func (f *Flow) Done(sent sim.Time, outcome Outcome) {
	r := f.r
	f.requests++
	if outcome != OK {
		f.errors++
		f.kinds[outcome]++
	}
	if !r.detailed {
		return
	}
	now := r.c.Now()
	if w := r.winSlot.of(now, r.Window); w > r.openWin {
		r.turnWindow(w)
	}
	if f.all == nil {
		f.open(r.openWin)
	}
	f.curReq++
	if outcome != OK {
		f.curErr++
		return
	}
	us := int64((now - sent) / 1000)
	us = max(1, min(us, histMaxUs))
	f.cur.inc(histIndex(us, winHalfMag))
	f.all.inc(histIndex(us, svcHalfMag))
}
