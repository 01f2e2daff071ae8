package scenarios

import (
	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hpa"
	"github.com/kubesim/kubesim/scenarios/kubectl"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/workload"
	"github.com/kubesim/kubesim/workload/custommetrics"
	"github.com/kubesim/kubesim/workload/metricsserver"
)

// autoscaling is the HPA controller, metrics-server and custom metrics
// adapter of a run (the run-time that kubectl's autoscale, apply of an HPA
// and top use: kubectl.Autoscaling), and the HPAs' series for the charts and
// the summary.
type autoscaling struct {
	c   *model.Cluster
	ctl *hpa.Controller
	ms  *metricsserver.Server
	cm  *custommetrics.Adapter
	// series of replicas and CPU over time (charts), per HPA target.
	series []ReplicaSeries
	cpu    cpuSeries
}

// ReplicaSeries is an HPA's target over time: its current replicas and the
// utilization of its first metric the controller saw, at each sync.
type ReplicaSeries struct {
	HPA         string
	Replicas    boundedSeries
	Utilization boundedSeries
	// Metric is the value of the first metric at each sync when its target
	// is not a Utilization (NaN while unknown), in the metric's units.
	Metric boundedSeries
	// steps is the target's spec.replicas after each sync that changed it
	// (a step function from the first sync on).
	steps []metrics.Point
	h     *hpa.HPA
}

// metricsAPIs is what the HPA controller reads: the resource metrics API
// (metrics-server) and the custom and external metrics APIs (Prometheus and
// prometheus-adapter).
type metricsAPIs struct {
	ms *metricsserver.Server
	cm *custommetrics.Adapter
}

func (m metricsAPIs) PodResource(p *model.Pod, resource string) (int64, sim.Time, sim.Time, bool) {
	return m.ms.PodResource(p, resource)
}

func (m metricsAPIs) PodMetric(p *model.Pod, name string) (int64, sim.Time, sim.Time, bool) {
	return m.cm.PodMetric(p, name)
}

func (m metricsAPIs) ObjectMetric(ns, kind, name, metric string) (int64, bool) {
	return m.cm.ObjectMetric(ns, kind, name, metric)
}

func (m metricsAPIs) ExternalMetric(name string) (int64, bool) { return m.cm.ExternalMetric(name) }

func newAutoscaling(c *model.Cluster, rt *workload.Runtime, cm *custommetrics.Adapter) *autoscaling {
	a := &autoscaling{c: c, ms: metricsserver.New(c, rt.CPU), cm: cm}
	a.ms.Memory = rt.Net.WorkingSet
	a.ctl = hpa.New(c, metricsAPIs{a.ms, cm})
	a.ms.OnScrape = a.recordScrape
	a.ctl.OnSync = func(h *hpa.HPA) {
		for i := range a.series {
			if a.series[i].HPA != h.Name {
				continue
			}
			now := c.Now()
			a.series[i].Replicas.add(now, float64(h.Status.CurrentReplicas))
			if d := c.Deployment(h.TargetName); d != nil {
				if st := a.series[i].steps; len(st) == 0 || st[len(st)-1].V != float64(d.Replicas) {
					a.series[i].steps = append(st, metrics.Point{T: metrics.Round3(now.Seconds()), V: float64(d.Replicas)})
				}
			}
			if len(h.Status.CurrentMetrics) > 0 && h.Status.CurrentMetrics[0].Known && h.Metrics[0].TargetType == hpa.Utilization {
				a.series[i].Utilization.add(now, float64(h.Status.CurrentMetrics[0].Utilization))
			}
			if len(h.Status.CurrentMetrics) > 0 && len(h.Metrics) > 0 && h.Metrics[0].TargetType != hpa.Utilization {
				v, _ := metricValue(&h.Metrics[0], h.Status.CurrentMetrics[0])
				a.series[i].Metric.add(now, v)
			}
		}
	}
	a.ctl.Events = func(h *hpa.HPA, e hpa.Event) {
		c.Emit(h.Ref(), e.Type, e.Reason, e.Message, hpaSource)
	}
	return a
}

// hpaSource is the HPA controller's event source.
const hpaSource = "horizontal-pod-autoscaler"

// HPASummary is one HPA in the JSON summary.
type HPASummary struct {
	Name     string `json:"name"`
	Target   string `json:"target"`
	Min      int32  `json:"min"`
	Max      int32  `json:"max"`
	Metrics  string `json:"metrics"`
	Replicas int32  `json:"replicas"`
	Desired  int32  `json:"desired"`
	// ReplicasMean is the time-weighted mean of ReplicasOverTime from the
	// first sync to the end (or the HPA's deletion); ReplicasPeak its largest.
	ReplicasMean     float64         `json:"replicas_mean"`
	ReplicasPeak     float64         `json:"replicas_peak"`
	Rescales         int             `json:"rescales"`
	ReplicasOverTime []metrics.Point `json:"replicas_over_time"`
}

// hpaSummaries is the "hpas" field of the JSON summary: every HPA the run
// created, in creation order.
func (a *autoscaling) hpaSummaries() []HPASummary {
	var out []HPASummary
	for _, s := range a.series {
		h := s.h
		end := a.c.Now().Seconds()
		hs := HPASummary{Name: h.Name, Target: h.TargetKind + "/" + h.TargetName, Min: h.Min, Max: h.Max, Metrics: kubectl.HPATargets(h),
			Replicas: h.Status.CurrentReplicas, Desired: h.Status.DesiredReplicas, ReplicasOverTime: s.steps}
		if hs.ReplicasOverTime == nil {
			hs.ReplicasOverTime = []metrics.Point{}
		}
		if h.Deleted {
			end = h.DeletedAt.Seconds()
		}
		area := 0.0
		for i, p := range s.steps {
			next := end
			if i+1 < len(s.steps) {
				next = s.steps[i+1].T
			}
			area += p.V * (next - p.T)
			hs.ReplicasPeak = max(hs.ReplicasPeak, p.V)
		}
		if n := len(s.steps); n > 0 && end > s.steps[0].T {
			hs.ReplicasMean = metrics.Round3(area / (end - s.steps[0].T))
		}
		if l := eventLogOf(a.c); l != nil {
			ref := h.Ref()
			for _, e := range l.Events(a.c.Now()) {
				if e.Object == ref && e.Reason == "SuccessfulRescale" {
					hs.Rescales += e.Count
				}
			}
		}
		out = append(out, hs)
	}
	return out
}

func eventLogOf(c *model.Cluster) *model.EventLog {
	l, _ := c.EventSink().(*model.EventLog)
	return l
}

// HPAs is the run's HPAs (for the summary and charts).
func (r *Result) HPAs() []*hpa.HPA {
	if r.auto == nil {
		return nil
	}
	return r.auto.ctl.List()
}

// start starts metrics-server, and the custom metrics adapter if s reads
// a metric other than a resource's.
func (a *autoscaling) start(s hpa.Spec) {
	a.ms.Start()
	for _, m := range s.Metrics {
		if m.Type != hpa.Resource {
			a.cm.Start()
		}
	}
}

// create adds an HPA and starts the metrics APIs it reads.
func (a *autoscaling) create(ns, name string, labels, annotations map[string]string, s hpa.Spec) (*hpa.HPA, error) {
	a.start(s)
	h, err := a.ctl.Create(ns, name, labels, annotations, s)
	if err != nil {
		return nil, err
	}
	a.series = append(a.series, ReplicaSeries{HPA: h.Name, h: h})
	return h, nil
}

// ApplyHPA creates or updates an HPA (kubectl apply, create -f, patch,
// edit); the caller sets the metadata of one it updates.
func (a *autoscaling) ApplyHPA(ns, name string, labels, annotations map[string]string, s hpa.Spec) (h *hpa.HPA, created, changed bool, err error) {
	if h := a.ctl.GetIn(ns, name); h != nil {
		a.start(s)
		return h, false, a.ctl.Update(h, s), nil
	}
	h, err = a.create(ns, name, labels, annotations, s)
	return h, err == nil, err == nil, err
}

// MetricsServer is the run's metrics-server (kubectl top reads it).
func (a *autoscaling) MetricsServer() *metricsserver.Server { return a.ms }
