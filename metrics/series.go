package metrics

import (
	"math"
	"sort"
)

// Series is a run's measurements as time series, for charts and CSV files. All
// times are simulated seconds; lists are sorted by name.
type Series struct {
	End    float64 // the run's end
	Window float64 // width of the summary windows
	Bin    float64 // width of the fine bins
	// Detailed is false when the Recorder kept only counters: Throughput,
	// Services' windows and CDFs, and Pods are then empty.
	Detailed bool
	Services []ServiceSeries
	Pods     []PodSeries
	// Endpoints is each Service's ready endpoints; NodePods each node's live pods.
	Endpoints []NamedSteps
	NodePods  []NamedSteps
}

// ServiceSeries is one Service's latency over time and its latency CDF.
type ServiceSeries struct {
	Name    string
	Windows []WindowLatency
	CDF     []CDFPoint
}

// CDFPoint says that a Fraction of the successful requests took at most Ms.
type CDFPoint struct {
	Ms       float64
	Fraction float64
}

// PodSeries is one pod's load over time: Bins cover the life of its server,
// from the bin of its first start to the bin of its deletion or the end.
type PodSeries struct {
	Name    string
	Summary PodSummary
	Bins    []PodBin
}

// PodBin is a pod's server in one bin (Start, End]: requests served,
// utilisation (busy slot-time over slots times the bin's width), and the
// time-weighted mean and the largest number of requests waiting for a slot.
type PodBin struct {
	Start, End  float64
	Served      int64
	Utilisation float64
	MeanQueue   float64
	MaxQueue    int
}

// NamedSteps is a named step function of time.
type NamedSteps struct {
	Name   string
	Points []Point
}

// TargetSteps is a measured value against its target over time, with the
// count it drives: an HPA's metric as the controller saw it at each sync (a
// NaN value: no value then), its target, and the target's replicas.
type TargetSteps struct {
	// Name is the HPA; Metric says what the value is (e.g.
	// "httplat_latency_seconds of service/rng").
	Name, Metric string
	// Target is the metric's target, in the value's units.
	Target          float64
	Value, Replicas []Point
}

// Series returns the run's time series up to the current simulated time.
func (r *Recorder) Series() *Series {
	end := r.c.Now()
	bw := r.Bin.Seconds()
	s := &Series{End: end.Seconds(), Window: r.Window.Seconds(), Bin: bw, Detailed: r.detailed}
	nb := r.nBins()
	var bounds [][2]float64 // of the bins, computed once
	if r.detailed {
		bounds = make([][2]float64, nb)
		for i := range bounds {
			bounds[i][0], bounds[i][1] = r.binBounds(i)
		}
	}
	names := append([]string(nil), r.svcOrder...)
	sort.Strings(names)
	nw := r.nWindows()
	for _, name := range names {
		st := r.services[name]
		ss := ServiceSeries{Name: name}
		if st.all != nil {
			ss.Windows = st.windows(r.Window, nw)
			ss.CDF = cdf(&st.latStats)
		}
		s.Services = append(s.Services, ss)
	}
	if r.detailed {
		for _, ps := range r.pods {
			if ps == nil {
				continue
			}
			p := PodSeries{Name: ps.pod.Name, Summary: r.podSummary(ps, nw)}
			if ps.hasSrv {
				// The bins of the server's life only.
				first, last := slot(ps.started+1, r.Bin), slot(ps.started+r.lifetime(ps), r.Bin)
				if n := min(last, nb-1) - first + 1; n > 0 {
					p.Bins = make([]PodBin, 0, n)
				}
				for i := first; i <= last && i < nb; i++ {
					a, b := bounds[i][0], bounds[i][1]
					pb := PodBin{Start: a, End: b}
					if lb, ok := ps.bin(i); ok {
						pb.Served = int64(lb.served)
						if ps.slots > 0 {
							pb.Utilisation = round6(lb.busy.Seconds() / (float64(ps.slots) * (b - a)))
						}
						pb.MeanQueue = round6(lb.qArea.Seconds() / (b - a))
						pb.MaxQueue = int(lb.qMax)
					}
					p.Bins = append(p.Bins, pb)
				}
			}
			s.Pods = append(s.Pods, p)
		}
		sort.Slice(s.Pods, func(i, j int) bool { return s.Pods[i].Name < s.Pods[j].Name })
	}
	s.Endpoints = namedSteps(r.endpoints)
	s.NodePods = namedSteps(r.nodePods)
	return s
}

// NBins is the number of fine bins up to now.
func (r *Recorder) NBins() int { return r.nBins() }

// BinBounds is bin i, (start, end] in seconds; the last one ends at now.
func (r *Recorder) BinBounds(i int) (float64, float64) { return r.binBounds(i) }

func (r *Recorder) nBins() int {
	now := r.c.Now()
	n := int(now / r.Bin)
	if n*int(r.Bin) < int(now) {
		n++
	}
	return n
}

// binBounds is bin i, the last one ending at the run's end.
func (r *Recorder) binBounds(i int) (float64, float64) {
	a := round6(float64(i) * r.Bin.Seconds())
	b := math.Min(round6(float64(i+1)*r.Bin.Seconds()), r.c.Now().Seconds())
	return a, b
}

func namedSteps(m map[string][]Point) []NamedSteps {
	out := make([]NamedSteps, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, NamedSteps{Name: k, Points: m[k]})
	}
	return out
}

// cdf is the whole-run latency CDF of l's successful requests: one point per
// non-empty histogram bucket, at the bucket's highest value.
func cdf(l *latStats) []CDFPoint {
	h := l.whole()
	total := h.total
	if total == 0 {
		return nil
	}
	var out []CDFPoint
	var cum int64
	for i := h.lo; i <= h.hi; i++ {
		n := h.counts[i-h.base]
		if n == 0 {
			continue
		}
		from, to := h.bounds(i)
		if len(out) == 0 {
			out = append(out, CDFPoint{Ms: float64(from) / 1000, Fraction: 0})
		}
		cum += n
		out = append(out, CDFPoint{Ms: float64(to) / 1000, Fraction: round6(float64(cum) / float64(total))})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
