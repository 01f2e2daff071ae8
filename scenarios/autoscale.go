package scenarios

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hpa"
	"github.com/kubesim/kubesim/scenarios/kubectl"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/traffic"
	"github.com/kubesim/kubesim/workload"
	"github.com/kubesim/kubesim/workload/custommetrics"
	"github.com/kubesim/kubesim/workload/metricsserver"
)

// autoscaling is the HPA controller and metrics-server of a run, and the
// steps that use them: kubectl autoscale, get/describe hpa, top, ab.
type autoscaling struct {
	c   *model.Cluster
	ctl *hpa.Controller
	ms  *metricsserver.Server
	cm  *custommetrics.Adapter
	net *traffic.Net
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
	a := &autoscaling{c: c, ms: metricsserver.New(c, rt.CPU), cm: cm, net: rt.Net}
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

// Step runs the steps autoscaling owns; ok is false for the others.
func (a *autoscaling) Step(x *kubectl.Executor, cmd kubectl.Command) (out string, err error, ok bool) {
	switch cmd.Verb {
	case kubectl.Autoscale:
		out, err = a.autoscale(cmd)
		return out, err, true
	case kubectl.Top:
		out, err = a.top(cmd)
		return out, err, true
	case kubectl.AB:
		out, err = a.ab(x, cmd)
		return out, err, true
	}
	return "", nil, false
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

func (a *autoscaling) autoscale(cmd kubectl.Command) (string, error) {
	x := cmd.Extra
	t := cmd.Targets[0]
	if t.Resource != kubectl.Deployments {
		return "", fmt.Errorf("error: kubesim's HPA scales Deployments; %s %q is not one", t.Resource, t.Name)
	}
	ns := cmdNamespace(cmd)
	if a.c.DeploymentIn(ns, t.Name) == nil {
		return "", fmt.Errorf(`Error from server (NotFound): deployments.apps %q not found`, t.Name)
	}
	name := x.Name
	if name == "" {
		name = t.Name
	}
	minR := x.Min
	if minR < 0 {
		minR = 1
	}
	pct := x.CPUPercent
	if pct < 0 {
		pct = 80
	}
	s := hpa.Spec{TargetKind: "Deployment", TargetName: t.Name, Min: minR, Max: x.Max, APIVersion: "autoscaling/v2",
		Metrics: []hpa.MetricSpec{{Type: hpa.Resource, Resource: "cpu", TargetType: hpa.Utilization, Utilization: pct}}}
	if _, err := a.create(ns, name, nil, nil, s); err != nil {
		return "", fmt.Errorf("Error from server (AlreadyExists): %v", err)
	}
	return "horizontalpodautoscaler.autoscaling/" + name + " autoscaled", nil
}

// cmdNamespace is the namespace a step acts in: -n, else default.
func cmdNamespace(cmd kubectl.Command) string {
	if cmd.Namespace == "" {
		return model.DefaultNamespace
	}
	return cmd.Namespace
}

// top is `kubectl top pods|nodes [NAME]`.
func (a *autoscaling) top(cmd kubectl.Command) (string, error) {
	x := cmd.Extra
	if !a.ms.Started() {
		a.ms.Start()
	}
	if !a.ms.Available() {
		return "", fmt.Errorf("error: metrics not available yet")
	}
	var b strings.Builder
	tw := kubectl.NewTabWriter(&b)
	if x.Kind == "nodes" {
		fmt.Fprintln(tw, "NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)")
		n := 0
		for _, node := range a.c.Nodes() {
			if x.Name != "" && node.Name != x.Name {
				continue
			}
			s, ok := a.ms.Node(node.Name)
			if !ok {
				if x.Name != "" {
					return "", fmt.Errorf("error: metrics not available yet")
				}
				continue
			}
			pct := int64(0)
			if node.Capacity.MilliCPU > 0 {
				pct = s.MilliCPU * 100 / node.Capacity.MilliCPU
			}
			memPct := int64(0)
			if node.Capacity.Memory > 0 {
				memPct = s.MemoryBytes * 100 / node.Capacity.Memory
			}
			fmt.Fprintf(tw, "%s\t%dm\t%d%%\t%dMi\t%d%%\n", node.Name, s.MilliCPU, pct, s.MemoryBytes/(1<<20), memPct)
			n++
		}
		if n == 0 && x.Name != "" {
			return "", fmt.Errorf(`Error from server (NotFound): nodes %q not found`, x.Name)
		}
	} else {
		fmt.Fprintln(tw, "NAME\tCPU(cores)\tMEMORY(bytes)")
		pods := a.c.Pods()
		sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
		n := 0
		for _, p := range pods {
			if x.Name != "" && p.Name != x.Name {
				continue
			}
			s, ok := a.ms.Pod(p)
			if !ok {
				if x.Name != "" {
					return "", fmt.Errorf("error: metrics not available yet")
				}
				continue
			}
			fmt.Fprintf(tw, "%s\t%dm\t%dMi\n", p.Name, s.MilliCPU, s.MemoryBytes/(1<<20))
			n++
		}
		if n == 0 {
			if x.Name != "" {
				return "", fmt.Errorf(`Error from server (NotFound): pods %q not found`, x.Name)
			}
			return "No resources found in default namespace.", nil
		}
	}
	tw.Flush()
	return strings.TrimRight(b.String(), "\n"), nil
}

// abRun is one `ab` benchmark: Concurrency requests in flight until
// Requests are done or Duration has passed.
type abRun struct {
	a        *autoscaling
	svc      *model.Service
	from     *model.Node
	x        *kubectl.Extra
	start    sim.Time
	sent     int
	done     int
	failed   int
	total    float64 // seconds of latency of the successful requests
	stopped  bool
	line     string
	later    func(command, output string)
	deadline sim.Time
}

func (a *autoscaling) ab(x *kubectl.Executor, cmd kubectl.Command) (string, error) {
	e := cmd.Extra
	if a.net == nil {
		return "", fmt.Errorf("ab: this cluster has no request path")
	}
	svc := a.c.Service(strings.TrimSuffix(e.Service, ".default.svc.cluster.local"))
	if svc == nil {
		return "", fmt.Errorf("apr_sockaddr_info_get() for %s: Name or service not known (no such Service)", e.Service)
	}
	r := &abRun{a: a, svc: svc, x: e, start: a.c.Now(), line: cmd.Line, later: x.Later()}
	if nodes := a.c.Nodes(); len(nodes) > 0 {
		r.from = nodes[0]
	}
	if e.Duration > 0 {
		r.deadline = r.start + e.Duration
	}
	for i := 0; i < e.Concurrency; i++ {
		r.send()
	}
	return fmt.Sprintf("Benchmarking %s (be patient)", e.Service), nil
}

func (r *abRun) send() {
	if r.stopped || r.sent >= r.x.Requests || (r.deadline > 0 && r.a.c.Now() >= r.deadline) {
		return
	}
	r.sent++
	r.a.net.Send(r, 0, r.from, r.svc, traffic.RouteRoot, false, 0)
}

// RequestDone counts the answer and sends the next request.
func (r *abRun) RequestDone(req *traffic.Request, o metrics.Outcome) {
	if r.stopped {
		return
	}
	r.done++
	if o == metrics.OK {
		r.total += (r.a.c.Now() - req.Sent()).Seconds()
	} else {
		r.failed++
	}
	now := r.a.c.Now()
	if r.done >= r.x.Requests || (r.deadline > 0 && now >= r.deadline) {
		r.stopped = true
		r.report(now)
		return
	}
	r.send()
}

func (r *abRun) report(now sim.Time) {
	secs := (now - r.start).Seconds()
	ok := r.done - r.failed
	var b strings.Builder
	fmt.Fprintf(&b, "Concurrency Level:      %d\n", r.x.Concurrency)
	fmt.Fprintf(&b, "Time taken for tests:   %.3f seconds\n", secs)
	fmt.Fprintf(&b, "Complete requests:      %d\n", r.done)
	fmt.Fprintf(&b, "Failed requests:        %d\n", r.failed)
	if secs > 0 {
		fmt.Fprintf(&b, "Requests per second:    %.2f [#/sec] (mean)\n", float64(r.done)/secs)
	}
	if ok > 0 {
		fmt.Fprintf(&b, "Time per request:       %.3f [ms] (mean)", 1000*r.total/float64(ok))
	}
	if r.later != nil {
		r.later(r.line, strings.TrimRight(b.String(), "\n"))
	}
}
