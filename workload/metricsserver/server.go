// Package metricsserver is metrics-server: every 15 s (--metric-resolution)
// it scrapes every node's kubelet for the cumulative CPU time of the node
// and of each running pod (cAdvisor's counters; here traffic/cpu's), and
// serves the resource metrics API: a pod's or node's CPU usage is the rate
// between its last two samples (a window of 15 s, timestamped at the later
// one), so a pod has a value 15 to 30 s after its container started, and a
// value is up to 15 s old. It is what the HPA's Resource metrics and
// `kubectl top` read.
//
// Memory usage is not simulated: the API reports 0 bytes for every pod and
// node (Resource metrics on memory have no value: the HPA reports them
// missing).
//
// It scrapes only once started (Start): runs that use no CPU model, no HPA
// and no `kubectl top` have no scrape events.
package metricsserver

import (
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic/cpu"
)

// Resolution is metrics-server's --metric-resolution.
const Resolution = 15 * time.Second

// Sample is one usage value: millicores over Window up to Timestamp.
type Sample struct {
	MilliCPU          int64
	Timestamp, Window sim.Time
}

type counter struct {
	pod      *model.Pod
	started  sim.Time // the container start the counter belongs to
	lastAt   sim.Time
	lastUsed sim.Time
	have     bool // one sample taken
	cur      Sample
	valid    bool // cur holds a rate
}

// Server is metrics-server.
type Server struct {
	c       *model.Cluster
	cpu     *cpu.Cluster
	started bool
	scrapes int
	pods    []counter // by Pod.ID
	nodes   map[string]*counter
	// OnScrape is called after every scrape (charts).
	OnScrape func(now sim.Time)
}

// New returns the metrics-server of cluster c reading cpu's counters.
func New(c *model.Cluster, cl *cpu.Cluster) *Server {
	return &Server{c: c, cpu: cl, nodes: map[string]*counter{}}
}

// Start starts scraping now and every Resolution (once).
func (s *Server) Start() {
	if s.started {
		return
	}
	s.started = true
	s.c.E.After(0, sim.HandlerFunc(s.scrape), 0)
}

// Started reports whether it runs.
func (s *Server) Started() bool { return s.started }

// Available reports whether the API has served values (two scrapes done):
// before that `kubectl top` says "metrics not available yet".
func (s *Server) Available() bool { return s.scrapes >= 2 }

func (s *Server) scrape(e *sim.Engine, _ int64) {
	now := e.Now()
	s.scrapes++
	for _, p := range s.c.Pods() {
		if p.ID >= len(s.pods) {
			s.pods = append(s.pods, make([]counter, p.ID+1-len(s.pods))...)
		}
		k := &s.pods[p.ID]
		if k.pod != p || !p.Running || k.started != p.Started {
			*k = counter{pod: p, started: p.Started}
		}
		if !p.Running {
			continue
		}
		if n := s.c.LookupNode(p.NodeName); n == nil || !n.Up {
			continue // the kubelet does not answer
		}
		k.sample(now, s.cpu.PodUsed(p))
	}
	for _, n := range s.c.Nodes() {
		k := s.nodes[n.Name]
		if k == nil {
			k = &counter{}
			s.nodes[n.Name] = k
		}
		if !n.Up {
			k.valid, k.have = false, false
			continue
		}
		k.sample(now, s.cpu.NodeUsed(n.Name))
	}
	if s.OnScrape != nil {
		s.OnScrape(now)
	}
	e.After(Resolution, sim.HandlerFunc(s.scrape), 0)
}

func (k *counter) sample(now, used sim.Time) {
	if k.have && now > k.lastAt {
		w := now - k.lastAt
		k.cur = Sample{MilliCPU: int64((used - k.lastUsed) * 1000 / w), Timestamp: now, Window: w}
		k.valid = true
	}
	k.have, k.lastAt, k.lastUsed = true, now, used
}

// Pod is pod p's CPU usage as the resource metrics API serves it (ok false:
// no value yet, or the pod does not run).
func (s *Server) Pod(p *model.Pod) (Sample, bool) {
	if p.ID >= len(s.pods) {
		return Sample{}, false
	}
	k := &s.pods[p.ID]
	if k.pod != p || !k.valid || !p.Running || k.started != p.Started {
		return Sample{}, false
	}
	return k.cur, true
}

// Node is node name's CPU usage (the sum of its containers').
func (s *Server) Node(name string) (Sample, bool) {
	k := s.nodes[name]
	if k == nil || !k.valid {
		return Sample{}, false
	}
	return k.cur, true
}

// PodResource serves the HPA's Resource metrics (hpa.Source): cpu in
// millicores; memory has no value (not simulated).
func (s *Server) PodResource(p *model.Pod, resource string) (int64, sim.Time, sim.Time, bool) {
	if resource != "cpu" {
		return 0, 0, 0, false
	}
	v, ok := s.Pod(p)
	return v.MilliCPU, v.Timestamp, v.Window, ok
}

// PodMetric: no custom metrics adapter.
func (s *Server) PodMetric(*model.Pod, string) (int64, sim.Time, sim.Time, bool) {
	return 0, 0, 0, false
}

// ObjectMetric: no custom metrics adapter.
func (s *Server) ObjectMetric(string, string, string) (int64, bool) { return 0, false }

// ExternalMetric: no external metrics adapter.
func (s *Server) ExternalMetric(string) (int64, bool) { return 0, false }
