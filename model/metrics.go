package model

import (
	"math"
	"sort"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/kubesim/kubesim/sim"
)

// Recorder collects a run's measurements as the simulation produces them. It
// never schedules events, so measuring does not change what is simulated.
type Recorder struct {
	c *Cluster
	// Window is the width of the time windows of the summary (default 10 s).
	Window sim.Time

	counted    int64
	computed   int64
	samples    []WebUISample
	services   map[string]*svcStats
	svcOrder   []string
	endpoints  map[string][]Point
	nodePods   map[string][]Point
	servers    []*server
	sent, done int64
	refused    int64
	failed     int64
}

// WebUISample is one /json poll as the web UI page receives it.
type WebUISample struct {
	T      float64 `json:"t_s"`
	Hashes int64   `json:"hashes"`
}

// Point is one sample of a step function over simulated time.
type Point struct {
	T float64 `json:"t_s"`
	V float64 `json:"v"`
}

type svcStats struct {
	requests, errors int64
	all              *hdrhistogram.Histogram
	windows          []*hdrhistogram.Histogram
	winReq, winErr   []int64
}

func newHist() *hdrhistogram.Histogram {
	// Microseconds, from 1 us to 1 hour, 3 significant digits.
	return hdrhistogram.New(1, 3_600_000_000, 3)
}

func newRecorder(c *Cluster) *Recorder {
	return &Recorder{c: c, Window: 10e9, services: map[string]*svcStats{},
		endpoints: map[string][]Point{}, nodePods: map[string][]Point{}}
}

func (r *Recorder) now() float64 { return r.c.Now().Seconds() }

func (r *Recorder) svc(name string) *svcStats {
	s := r.services[name]
	if s == nil {
		s = &svcStats{all: newHist()}
		r.services[name] = s
		r.svcOrder = append(r.svcOrder, name)
	}
	return s
}

func (r *Recorder) requestSent(q *request) { r.sent++ }

func (r *Recorder) requestDone(q *request) {
	r.done++
	name := "?"
	if q.svc != nil {
		name = q.svc.Name
	}
	s := r.svc(name)
	w := int(r.c.Now() / r.Window)
	for len(s.windows) <= w {
		s.windows = append(s.windows, nil)
		s.winReq = append(s.winReq, 0)
		s.winErr = append(s.winErr, 0)
	}
	s.requests++
	s.winReq[w]++
	switch q.outcome {
	case outcomeOK:
		us := int64((r.c.Now() - q.sent) / 1000)
		if us < 1 {
			us = 1
		}
		s.all.RecordValue(us)
		if s.windows[w] == nil {
			s.windows[w] = newHist()
		}
		s.windows[w].RecordValue(us)
		return
	case outcomeRefused:
		r.refused++
	default:
		r.failed++
	}
	s.errors++
	s.winErr[w]++
}

func (r *Recorder) hashesCounted(n int64)        { r.counted += n }
func (r *Recorder) hashComputed()                { r.computed++ }
func (r *Recorder) queueChanged(s *server)       {}
func (r *Recorder) served(s *server, q *request) {}
func (r *Recorder) serverStarted(s *server)      { r.servers = append(r.servers, s) }

func (r *Recorder) webUISample(t sim.Time, hashes int64) {
	r.samples = append(r.samples, WebUISample{T: t.Seconds(), Hashes: hashes})
}

func (r *Recorder) endpointsChanged(s *Service) {
	r.endpoints[s.Name] = appendStep(r.endpoints[s.Name], r.now(), float64(len(s.proxy.ready)))
}

func (r *Recorder) nodeChanged(n *Node) {
	live := 0
	for _, p := range n.pods {
		if !p.Gone {
			live++
		}
	}
	r.nodePods[n.Name] = appendStep(r.nodePods[n.Name], r.now(), float64(live))
}

func appendStep(s []Point, t, v float64) []Point {
	if n := len(s); n > 0 && s[n-1].V == v {
		return s
	}
	if n := len(s); n > 0 && s[n-1].T == t {
		s[n-1].V = v
		return s
	}
	return append(s, Point{T: t, V: v})
}

// Samples returns the web UI's polls.
func (r *Recorder) Samples() []WebUISample { return r.samples }

// Speeds returns the web UI's instantaneous speeds: for each pair of neighbouring
// samples, (h2-h1)/(t2-t1), at t2.
func (r *Recorder) Speeds() []Point {
	out := make([]Point, 0, len(r.samples))
	for i := 1; i < len(r.samples); i++ {
		a, b := r.samples[i-1], r.samples[i]
		if b.T > a.T {
			out = append(out, Point{T: b.T, V: float64(b.Hashes-a.Hashes) / (b.T - a.T)})
		}
	}
	return out
}

// Window is one time window of the summary.
type Window struct {
	Start        float64 `json:"start_s"`
	End          float64 `json:"end_s"`
	HashesPerSec float64 `json:"hashes_per_s"`
}

// Latency is a latency distribution's percentiles, in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

// ServiceSummary is what clients saw of one Service.
type ServiceSummary struct {
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	LatencyMs Latency `json:"latency_ms"`
}

// NodeSummary is a node at the end of the run.
type NodeSummary struct {
	Pods []string `json:"pods"`
}

// Accounting checks that every request is accounted for.
type Accounting struct {
	Sent      int64 `json:"sent"`
	Completed int64 `json:"completed"`
	Refused   int64 `json:"refused"`
	Failed    int64 `json:"failed"`
	InFlight  int64 `json:"in_flight"`
}

// Summary is the machine-readable result of a run. Field names are stable; see
// README.md for their meaning.
type Summary struct {
	Scenario       string                    `json:"scenario"`
	Seed           uint64                    `json:"seed"`
	SimSeconds     float64                   `json:"sim_seconds"`
	WallSeconds    float64                   `json:"wall_seconds"`
	Events         uint64                    `json:"events"`
	Hashes         int64                     `json:"hashes"`
	HashesComputed int64                     `json:"hashes_computed"`
	Windows        []Window                  `json:"windows"`
	Services       map[string]ServiceSummary `json:"services"`
	Nodes          map[string]NodeSummary    `json:"nodes"`
	Requests       Accounting                `json:"requests"`
}

func latency(h *hdrhistogram.Histogram) Latency {
	if h == nil || h.TotalCount() == 0 {
		return Latency{}
	}
	ms := func(us int64) float64 { return math.Round(float64(us)) / 1000 }
	return Latency{P50: ms(h.ValueAtQuantile(50)), P90: ms(h.ValueAtQuantile(90)),
		P99: ms(h.ValueAtQuantile(99)), P999: ms(h.ValueAtQuantile(99.9)), Max: ms(h.Max())}
}

// WindowSpeeds is the web UI's speed averaged over windows of width w seconds up
// to end: the hashes counted between the first and last poll inside the window,
// over the time between them (the time-weighted mean of the speeds the page
// shows).
func (r *Recorder) WindowSpeeds(w, end float64) []Window {
	var out []Window
	for a := 0.0; a < end-1e-9; a += w {
		b := math.Min(a+w, end)
		i := sort.Search(len(r.samples), func(i int) bool { return r.samples[i].T >= a })
		j := sort.Search(len(r.samples), func(i int) bool { return r.samples[i].T > b }) - 1
		v := 0.0
		if i < len(r.samples) && j > i {
			v = float64(r.samples[j].Hashes-r.samples[i].Hashes) / (r.samples[j].T - r.samples[i].T)
		}
		out = append(out, Window{Start: a, End: b, HashesPerSec: math.Round(v*1000) / 1000})
	}
	return out
}

// ServiceLatencyWindow returns a service's latency and counts in window w.
func (r *Recorder) ServiceLatencyWindow(name string, w int) (Latency, int64, int64) {
	s := r.services[name]
	if s == nil || w >= len(s.windows) {
		return Latency{}, 0, 0
	}
	return latency(s.windows[w]), s.winReq[w], s.winErr[w]
}

// Summary builds the run's summary at the current simulated time.
func (r *Recorder) Summary() Summary {
	c := r.c
	s := Summary{
		Seed:           c.E.Seed(),
		SimSeconds:     c.Now().Seconds(),
		Events:         c.E.Events(),
		Hashes:         r.counted,
		HashesComputed: r.computed,
		Windows:        r.WindowSpeeds(r.Window.Seconds(), c.Now().Seconds()),
		Services:       map[string]ServiceSummary{},
		Nodes:          map[string]NodeSummary{},
		Requests: Accounting{Sent: r.sent, Completed: r.done - r.refused - r.failed,
			Refused: r.refused, Failed: r.failed, InFlight: r.sent - r.done},
	}
	for _, name := range r.svcOrder {
		st := r.services[name]
		s.Services[name] = ServiceSummary{Requests: st.requests, Errors: st.errors, LatencyMs: latency(st.all)}
	}
	for node, pods := range c.PodsPerNode() {
		s.Nodes[node] = NodeSummary{Pods: pods}
	}
	return s
}

// EndpointSeries returns each Service's ready endpoints over time.
func (r *Recorder) EndpointSeries() map[string][]Point { return r.endpoints }

// NodePodSeries returns each node's pod count over time.
func (r *Recorder) NodePodSeries() map[string][]Point { return r.nodePods }
