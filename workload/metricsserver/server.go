// Package metricsserver is metrics-server: every 15 s (--metric-resolution)
// it scrapes every node's kubelet for the cumulative CPU time of the node
// and of each running pod (cAdvisor's counters; here traffic/cpu's), and
// serves the resource metrics API: a pod's or node's CPU usage is the rate
// between its last two samples (a window of 15 s, timestamped at the later
// one), so a pod has a value 15 to 30 s after its container started, and a
// value is up to 15 s old. It is what the HPA's Resource metrics and
// `kubectl top` read.
//
// Memory: a pod's working set is what its workload declares (decl's
// memory: base plus per request held; traffic.Net.WorkingSet), read at the
// scrape (a gauge, not a rate: cAdvisor's container_memory_working_set_bytes
// at that instant) and served with the CPU value of the same scrape; a
// node's is the sum of its pods'. A pod whose workload declares no memory
// has none: top prints 0Mi for it, and an HPA memory metric has no value
// for it (the controller reports the metric missing).
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

// Sample is one usage value: millicores over Window up to Timestamp, and
// the memory working set at Timestamp (if HasMemory).
type Sample struct {
	MilliCPU          int64
	Timestamp, Window sim.Time
	MemoryBytes       int64
	HasMemory         bool
}

type counter struct {
	pod      *model.Pod
	started  sim.Time // the container start the counter belongs to
	lastAt   sim.Time
	lastUsed sim.Time
	have     bool // one sample taken
	cur      Sample
	valid    bool // cur holds a rate
	// mem is the working set read at the last scrape (hasMem: declared).
	mem    int64
	hasMem bool
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
	// Memory is a pod's working set now (nil: no memory model).
	Memory func(p *model.Pod) (bytes int64, ok bool)
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
	var nodeMem map[string]int64
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
		k.mem, k.hasMem = 0, false
		if s.Memory != nil {
			if k.mem, k.hasMem = s.Memory(p); k.hasMem {
				if nodeMem == nil {
					nodeMem = map[string]int64{}
				}
				nodeMem[p.NodeName] += k.mem
			}
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
		k.mem, k.hasMem = nodeMem[n.Name], nodeMem != nil
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
		k.cur = Sample{MilliCPU: int64((used - k.lastUsed) * 1000 / w), Timestamp: now, Window: w, MemoryBytes: k.mem, HasMemory: k.hasMem}
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
// millicores, memory in milli-bytes (no value without a memory model).
func (s *Server) PodResource(p *model.Pod, resource string) (int64, sim.Time, sim.Time, bool) {
	v, ok := s.Pod(p)
	switch resource {
	case "cpu":
		return v.MilliCPU, v.Timestamp, v.Window, ok
	case "memory":
		return v.MemoryBytes * 1000, v.Timestamp, v.Window, ok && v.HasMemory
	}
	return 0, 0, 0, false
}

// PodMetric: no custom metrics adapter.
func (s *Server) PodMetric(*model.Pod, string) (int64, sim.Time, sim.Time, bool) {
	return 0, 0, 0, false
}

// ObjectMetric: no custom metrics adapter.
func (s *Server) ObjectMetric(string, string, string) (int64, bool) { return 0, false }

// ExternalMetric: no external metrics adapter.
func (s *Server) ExternalMetric(string) (int64, bool) { return 0, false }
