package scenarios

import (
	"fmt"
	"sort"
	"strings"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubesim/kubesim/metrics"
	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/hpa"
	"github.com/kubesim/kubesim/scenarios/kubectl"
	"github.com/kubesim/kubesim/scenarios/manifest"
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
		c.Emit(hpaRef(h), e.Type, e.Reason, e.Message, hpaSource)
	}
	return a
}

// hpaSource is the HPA controller's event source.
const hpaSource = "horizontal-pod-autoscaler"

// hpaRef is the involved object of an HPA's events. HPAs have no UID of
// their own in kubesim: their name and creation time tell them apart (no
// random draw, so that runs with and without HPAs draw alike).
func hpaRef(h *hpa.HPA) model.ObjectRef {
	return model.ObjectRef{Kind: "HorizontalPodAutoscaler", Namespace: h.NamespaceName(), Name: h.Name,
		UID: fmt.Sprintf("hpa-%s-%d", h.Name, int64(h.Created))}
}

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
		hs := HPASummary{Name: h.Name, Target: h.TargetKind + "/" + h.TargetName, Min: h.Min, Max: h.Max, Metrics: targets(h),
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
			ref := hpaRef(h)
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
	case kubectl.Get, kubectl.Describe, kubectl.Delete:
		if len(cmd.Targets) == 0 {
			return "", nil, false
		}
		if out, err, ok := a.getAll(cmd); ok {
			return out, err, true
		}
		for _, t := range cmd.Targets {
			if t.Resource != kubectl.HPAs {
				return "", nil, false
			}
		}
		switch cmd.Verb {
		case kubectl.Get:
			out, err = a.get(cmd)
		case kubectl.Describe:
			out, err = a.describe(cmd)
		default:
			out, err = a.delete(cmd)
		}
		return out, err, true
	}
	return "", nil, false
}

// create adds an HPA and starts metrics-server.
func (a *autoscaling) create(s hpa.Spec) error {
	a.ms.Start()
	for _, m := range s.Metrics {
		if m.Type != hpa.Resource {
			a.cm.Start()
		}
	}
	h, err := a.ctl.Create(s)
	if err != nil {
		return err
	}
	a.series = append(a.series, ReplicaSeries{HPA: h.Name, h: h})
	return nil
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
	s := hpa.Spec{Name: name, Namespace: ns, TargetKind: "Deployment", TargetName: t.Name, Min: minR, Max: x.Max, APIVersion: "autoscaling/v2",
		Metrics: []hpa.MetricSpec{{Type: hpa.Resource, Resource: "cpu", TargetType: hpa.Utilization, Utilization: pct}}}
	if err := a.create(s); err != nil {
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

// listNamespace is the namespace a get or describe lists: "" with -A.
func listNamespace(cmd kubectl.Command) string {
	if cmd.AllNamespaces {
		return ""
	}
	return cmdNamespace(cmd)
}

func (a *autoscaling) delete(cmd kubectl.Command) (string, error) {
	var out []string
	var errs []string
	ns := cmdNamespace(cmd)
	for _, t := range cmd.Targets {
		if t.Name == "" {
			for _, h := range a.ctl.ListIn(ns) {
				a.ctl.DeleteIn(ns, h.Name)
				out = append(out, kubectl.Deleted(kubectl.HPAs, h.Name, ns))
			}
			continue
		}
		if err := a.ctl.DeleteIn(ns, t.Name); err != nil {
			errs = append(errs, "Error from server (NotFound): "+err.Error())
			continue
		}
		out = append(out, kubectl.Deleted(kubectl.HPAs, t.Name, ns))
	}
	if len(errs) > 0 {
		return strings.Join(out, "\n"), fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return strings.Join(out, "\n"), nil
}

// targets is TARGETS of `get hpa`: "cpu: 45%/80%", "cpu: <unknown>/80%".
func targets(h *hpa.HPA) string {
	var parts []string
	for i, m := range h.Metrics {
		st := hpa.MetricStatus{}
		if i < len(h.Status.CurrentMetrics) {
			st = h.Status.CurrentMetrics[i]
		}
		cur := "<unknown>"
		switch {
		case m.Type == hpa.Resource && m.TargetType == hpa.Utilization:
			if st.Known {
				cur = fmt.Sprintf("%d%%", st.Utilization)
			}
			parts = append(parts, fmt.Sprintf("%s: %s/%d%%", m.Resource, cur, m.Utilization))
		case m.Type == hpa.Resource:
			if st.Known {
				cur = quantity(m.Resource, st.AverageValue)
			}
			parts = append(parts, fmt.Sprintf("%s: %s/%s", m.Resource, cur, quantity(m.Resource, m.AverageValue)))
		case m.TargetType == hpa.Value:
			if st.Known {
				cur = milliString(st.Value)
			}
			parts = append(parts, fmt.Sprintf("%s/%s", cur, milliString(m.Value)))
		case m.Type == hpa.PodsType:
			if st.Known {
				cur = milliString(st.AverageValue)
			}
			parts = append(parts, fmt.Sprintf("%s/%s", cur, milliString(m.AverageValue)))
		default: // Object or External, AverageValue
			if st.Known {
				cur = milliString(st.AverageValue)
			}
			parts = append(parts, fmt.Sprintf("%s/%s (avg)", cur, milliString(m.AverageValue)))
		}
	}
	if len(parts) > 2 {
		return strings.Join(parts[:2], ", ") + fmt.Sprintf(" + %d more...", len(parts)-2)
	}
	return strings.Join(parts, ", ")
}

// valueTarget is describe's current value of an Object or External metric
// and its "(target value)" or "(target average value)".
func valueTarget(m *hpa.MetricSpec, st hpa.MetricStatus) (cur, target string) {
	cur = "<unknown>"
	if m.TargetType == hpa.AverageValue {
		if st.Known {
			cur = milliString(st.AverageValue)
		}
		return cur, "(target average value)"
	}
	if st.Known {
		cur = milliString(st.Value)
	}
	return cur, "(target value)"
}

// milliTarget is an Object or External metric's target quantity.
func milliTarget(m *hpa.MetricSpec) string {
	if m.TargetType == hpa.AverageValue {
		return milliString(m.AverageValue)
	}
	return milliString(m.Value)
}

// quantity prints a resource amount in milli-units as kubectl does.
func quantity(resource string, milli int64) string {
	if resource == "memory" {
		return kubectl.MemoryString(milli / 1000)
	}
	return milliString(milli)
}

// milliString prints milli-units as a DecimalSI resource.Quantity does:
// 100m, 1500m, 2, 20k.
func milliString(m int64) string {
	if m%1000 != 0 {
		return fmt.Sprintf("%dm", m)
	}
	v, i := m/1000, 0
	for v != 0 && v%1000 == 0 && i < 6 {
		v /= 1000
		i++
	}
	return fmt.Sprint(v) + []string{"", "k", "M", "G", "T", "P", "E"}[i]
}

func (a *autoscaling) list(cmd kubectl.Command) ([]*hpa.HPA, error) {
	var out []*hpa.HPA
	var missing []string
	for _, t := range cmd.Targets {
		if t.Name == "" {
			out = append(out, a.ctl.ListIn(listNamespace(cmd))...)
			continue
		}
		if h := a.ctl.GetIn(cmdNamespace(cmd), t.Name); h != nil {
			out = append(out, h)
		} else {
			missing = append(missing, fmt.Sprintf(`Error from server (NotFound): horizontalpodautoscalers.autoscaling %q not found`, t.Name))
		}
	}
	if len(missing) > 0 {
		return out, fmt.Errorf("%s", strings.Join(missing, "\n"))
	}
	return out, nil
}

// getAll is `kubectl get all` with HPAs: the other objects as the printer
// lists them, then the HorizontalPodAutoscalers (the last kind of the "all"
// category kubesim has), named horizontalpodautoscaler.autoscaling/NAME.
// ok is false when there is nothing to add (no HPA in the namespace asked
// for, a label selector they cannot match, another output format).
func (a *autoscaling) getAll(cmd kubectl.Command) (string, error, bool) {
	if cmd.Verb != kubectl.Get || len(cmd.Targets) != 1 || cmd.Targets[0].Resource != kubectl.All ||
		(cmd.Output != "" && cmd.Output != "wide" && cmd.Output != "name") || cmd.Selector != "" || cmd.Watch {
		return "", nil, false
	}
	hs := a.ctl.ListIn(listNamespace(cmd))
	if len(hs) == 0 {
		return "", nil, false
	}
	out, err := kubectl.PrintGet(a.c, cmd)
	if strings.HasPrefix(out, "No resources found") {
		out = ""
	}
	var b strings.Builder
	if out != "" {
		b.WriteString(out)
		b.WriteString("\n")
		if cmd.Output != "name" {
			b.WriteString("\n")
		}
	}
	if cmd.Output == "name" {
		for _, h := range hs {
			b.WriteString("horizontalpodautoscaler.autoscaling/" + h.Name + "\n")
		}
		return strings.TrimRight(b.String(), "\n"), err, true
	}
	tw := kubectl.NewTabWriter(&b)
	ns := ""
	if cmd.AllNamespaces {
		ns = "NAMESPACE\t"
	}
	if !cmd.NoHeaders {
		fmt.Fprintln(tw, ns+"NAME\tREFERENCE\tTARGETS\tMINPODS\tMAXPODS\tREPLICAS\tAGE")
	}
	for _, h := range hs {
		nsCol := ""
		if cmd.AllNamespaces {
			nsCol = h.NamespaceName() + "\t"
		}
		fmt.Fprintf(tw, "%shorizontalpodautoscaler.autoscaling/%s\t%s/%s\t%s\t%d\t%d\t%d\t%s\n", nsCol, h.Name, h.TargetKind, h.TargetName, targets(h), h.Min, h.Max, h.Status.CurrentReplicas, kubectl.Age(a.c, h.Created))
	}
	tw.Flush()
	return strings.TrimRight(b.String(), "\n"), err, true
}

func (a *autoscaling) get(cmd kubectl.Command) (string, error) {
	hs, err := a.list(cmd)
	switch cmd.Output {
	case "", "wide":
	case "name":
		var names []string
		for _, h := range hs {
			names = append(names, "horizontalpodautoscaler.autoscaling/"+h.Name)
		}
		return strings.Join(names, "\n"), err
	default:
		// -o yaml|json|jsonpath|custom-columns: the autoscaling/v2 objects.
		pr, perr := manifest.NewPrinter(cmd.Output)
		if perr != nil {
			return "", &kubectl.UsageError{Verb: cmd.Verb, Msg: perr.Error()}
		}
		if len(hs) == 0 {
			return "", err
		}
		objs := make([]runtime.Object, len(hs))
		for i, h := range hs {
			objs[i] = a.hpaPrinted(h)
		}
		single := len(cmd.Targets) == 1 && cmd.Targets[0].Name != ""
		out, perr := pr.Print(objs, single)
		if perr != nil {
			return "", perr
		}
		return strings.TrimRight(out, "\n"), err
	}
	if len(hs) == 0 {
		if err != nil {
			return "", err
		}
		if cmd.AllNamespaces {
			return "No resources found", nil
		}
		return "No resources found in " + cmdNamespace(cmd) + " namespace.", nil
	}
	var b strings.Builder
	tw := kubectl.NewTabWriter(&b)
	ns := ""
	if cmd.AllNamespaces {
		ns = "NAMESPACE\t"
	}
	fmt.Fprintln(tw, ns+"NAME\tREFERENCE\tTARGETS\tMINPODS\tMAXPODS\tREPLICAS\tAGE")
	for _, h := range hs {
		if cmd.AllNamespaces {
			fmt.Fprint(tw, h.NamespaceName()+"\t")
		}
		fmt.Fprintf(tw, "%s\t%s/%s\t%s\t%d\t%d\t%d\t%s\n", h.Name, h.TargetKind, h.TargetName, targets(h), h.Min, h.Max, h.Status.CurrentReplicas, kubectl.Age(a.c, h.Created))
	}
	tw.Flush()
	return strings.TrimRight(b.String(), "\n"), err
}

func (a *autoscaling) describe(cmd kubectl.Command) (string, error) {
	hs, err := a.list(cmd)
	var docs []string
	for _, h := range hs {
		var b strings.Builder
		w := kubectl.NewDescribeWriter(&b)
		w.Printf(0, "Name:\t%s\n", h.Name)
		w.Printf(0, "Namespace:\t%s\n", h.NamespaceName())
		w.Printf(0, "Labels:\t<none>\n")
		w.Printf(0, "Annotations:\t<none>\n")
		w.Printf(0, "CreationTimestamp:\t%s\n", kubectl.WallClock(a.c, h.Created))
		w.Printf(0, "Reference:\t%s/%s\n", h.TargetKind, h.TargetName)
		w.Printf(0, "Metrics:\t( current / target )\n")
		for i, m := range h.Metrics {
			st := h.Status.CurrentMetrics[i]
			cur := "<unknown>"
			switch {
			case m.Type == hpa.Resource && m.TargetType == hpa.Utilization:
				if st.Known {
					cur = fmt.Sprintf("%d%% (%s)", st.Utilization, quantity(m.Resource, st.AverageValue))
				}
				w.Printf(1, "resource %s on pods  (as a percentage of request):\t%s / %d%%\n", m.Resource, cur, m.Utilization)
			case m.Type == hpa.Resource:
				if st.Known {
					cur = quantity(m.Resource, st.AverageValue)
				}
				w.Printf(1, "resource %s on pods:\t%s / %s\n", m.Resource, cur, quantity(m.Resource, m.AverageValue))
			case m.Type == hpa.PodsType:
				if st.Known {
					cur = milliString(st.AverageValue)
				}
				w.Printf(1, "\"%s\" on pods:\t%s / %s\n", m.Name, cur, milliString(m.AverageValue))
			case m.Type == hpa.Object:
				w.Printf(1, "\"%s\" on %s/%s ", m.Name, m.ObjectKind, m.ObjectName)
				cur, target := valueTarget(&m, st)
				w.Printf(0, "%s:\t%s / %s\n", target, cur, milliTarget(&m))
			default:
				cur, target := valueTarget(&m, st)
				w.Printf(1, "%q %s:\t%s / %s\n", m.Name, target, cur, milliTarget(&m))
			}
		}
		w.Printf(0, "Min replicas:\t%d\n", h.Min)
		w.Printf(0, "Max replicas:\t%d\n", h.Max)
		if b := h.Behavior; b != nil {
			w.Printf(0, "Behavior:\n")
			for _, d := range []struct {
				name string
				r    hpa.Rules
			}{{"Scale Up", b.ScaleUp}, {"Scale Down", b.ScaleDown}} {
				w.Printf(1, "%s:\n", d.name)
				w.Printf(2, "Stabilization Window: %d seconds\n", d.r.StabilizationWindowSeconds)
				if len(d.r.Policies) > 0 {
					w.Printf(2, "Select Policy: %s\n", d.r.SelectPolicy)
					w.Printf(2, "Policies:\n")
					for _, p := range d.r.Policies {
						w.Printf(3, "- Type: %s\tValue: %d\tPeriod: %d seconds\n", p.Type, p.Value, p.PeriodSeconds)
					}
				}
			}
		}
		w.Printf(0, "%s pods:\t%d current / %d desired\n", h.TargetKind, h.Status.CurrentReplicas, h.Status.DesiredReplicas)
		if len(h.Status.Conditions) > 0 {
			w.Printf(0, "Conditions:\n")
			w.Printf(1, "Type\tStatus\tReason\tMessage\n")
			w.Printf(1, "----\t------\t------\t-------\n")
			for _, c := range h.Status.Conditions {
				w.Printf(1, "%s\t%s\t%s\t%s\n", c.Type, c.Status, c.Reason, c.Message)
			}
		}
		kubectl.DescribeEvents(a.c, w, hpaRef(h))
		w.Flush()
		docs = append(docs, strings.TrimRight(b.String(), "\n"))
	}
	return strings.Join(docs, "\n\n\n"), err
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

// hpaSpec converts an autoscaling/v1 or v2 HorizontalPodAutoscaler, with the
// API server's defaults (min 1; cpu at 80% if no metric is given).
func hpaSpec(obj any) (hpa.Spec, error) {
	var s hpa.Spec
	switch o := obj.(type) {
	case *autoscalingv1.HorizontalPodAutoscaler:
		s = hpa.Spec{Name: o.Name, Namespace: o.Namespace, TargetKind: o.Spec.ScaleTargetRef.Kind, TargetName: o.Spec.ScaleTargetRef.Name, Max: o.Spec.MaxReplicas, Min: 1, APIVersion: "autoscaling/v1"}
		if o.Spec.MinReplicas != nil {
			s.Min = *o.Spec.MinReplicas
		}
		pct := int32(80)
		if o.Spec.TargetCPUUtilizationPercentage != nil {
			pct = *o.Spec.TargetCPUUtilizationPercentage
		}
		s.Metrics = []hpa.MetricSpec{{Type: hpa.Resource, Resource: "cpu", TargetType: hpa.Utilization, Utilization: pct}}
	case *autoscalingv2.HorizontalPodAutoscaler:
		s = hpa.Spec{Name: o.Name, Namespace: o.Namespace, TargetKind: o.Spec.ScaleTargetRef.Kind, TargetName: o.Spec.ScaleTargetRef.Name, Max: o.Spec.MaxReplicas, Min: 1, APIVersion: "autoscaling/v2"}
		if o.Spec.MinReplicas != nil {
			s.Min = *o.Spec.MinReplicas
		}
		for i, m := range o.Spec.Metrics {
			ms, err := metricSpec(m)
			if err != nil {
				return s, fmt.Errorf("spec.metrics[%d]: %v", i, err)
			}
			s.Metrics = append(s.Metrics, ms)
		}
		if len(s.Metrics) == 0 {
			s.Metrics = []hpa.MetricSpec{{Type: hpa.Resource, Resource: "cpu", TargetType: hpa.Utilization, Utilization: 80}}
		}
		if b := o.Spec.Behavior; b != nil {
			s.Behavior = &hpa.Behavior{ScaleUp: rules(b.ScaleUp, hpa.DefaultScaleUp()), ScaleDown: rules(b.ScaleDown, hpa.DefaultScaleDown())}
		}
	}
	if s.Max < 1 {
		return s, fmt.Errorf("spec.maxReplicas: Invalid value: %d: must be greater than or equal to 1", s.Max)
	}
	if s.Min > s.Max {
		return s, fmt.Errorf("spec.maxReplicas: Invalid value: %d: must be greater than or equal to `minReplicas`", s.Max)
	}
	if s.Min < 1 {
		return s, fmt.Errorf("spec.minReplicas: Invalid value: %d: must be greater than or equal to 1", s.Min)
	}
	return s, nil
}

// rules is HPAScalingRules with GenerateHPAScale*Rules' defaults.
func rules(r *autoscalingv2.HPAScalingRules, def hpa.Rules) hpa.Rules {
	if r == nil {
		return def
	}
	out := def
	if r.StabilizationWindowSeconds != nil {
		out.StabilizationWindowSeconds = *r.StabilizationWindowSeconds
	}
	if r.SelectPolicy != nil {
		out.SelectPolicy = string(*r.SelectPolicy)
	}
	if len(r.Policies) > 0 {
		out.Policies = nil
		for _, p := range r.Policies {
			out.Policies = append(out.Policies, hpa.Policy{Type: hpa.PolicyType(p.Type), Value: p.Value, PeriodSeconds: p.PeriodSeconds})
		}
	}
	return out
}

func milliOf(q interface{ MilliValue() int64 }) int64 { return q.MilliValue() }

func metricSpec(m autoscalingv2.MetricSpec) (hpa.MetricSpec, error) {
	var out hpa.MetricSpec
	var t autoscalingv2.MetricTarget
	switch m.Type {
	case autoscalingv2.ResourceMetricSourceType:
		if m.Resource == nil {
			return out, fmt.Errorf("resource: Required value: must populate information for the given metric source")
		}
		if m.Resource.Name != corev1.ResourceCPU && m.Resource.Name != corev1.ResourceMemory {
			return out, fmt.Errorf("resource.name: Unsupported value: %q: kubesim measures cpu and memory", m.Resource.Name)
		}
		out = hpa.MetricSpec{Type: hpa.Resource, Resource: string(m.Resource.Name)}
		t = m.Resource.Target
	case autoscalingv2.PodsMetricSourceType:
		if m.Pods == nil {
			return out, fmt.Errorf("pods: Required value: must populate information for the given metric source")
		}
		out = hpa.MetricSpec{Type: hpa.PodsType, Name: m.Pods.Metric.Name}
		t = m.Pods.Target
	case autoscalingv2.ObjectMetricSourceType:
		if m.Object == nil {
			return out, fmt.Errorf("object: Required value: must populate information for the given metric source")
		}
		out = hpa.MetricSpec{Type: hpa.Object, Name: m.Object.Metric.Name, ObjectKind: m.Object.DescribedObject.Kind, ObjectName: m.Object.DescribedObject.Name}
		t = m.Object.Target
	case autoscalingv2.ExternalMetricSourceType:
		if m.External == nil {
			return out, fmt.Errorf("external: Required value: must populate information for the given metric source")
		}
		out = hpa.MetricSpec{Type: hpa.External, Name: m.External.Metric.Name}
		t = m.External.Target
	default:
		return out, fmt.Errorf("type: Unsupported value: %q: kubesim reads Resource, Pods, Object and External metrics", m.Type)
	}
	out.TargetType = string(t.Type)
	switch t.Type {
	case autoscalingv2.UtilizationMetricType:
		if out.Type != hpa.Resource || t.AverageUtilization == nil {
			return out, fmt.Errorf("target.averageUtilization: Required value: must be set for a Utilization target of a resource metric")
		}
		out.Utilization = *t.AverageUtilization
	case autoscalingv2.AverageValueMetricType:
		if t.AverageValue == nil {
			return out, fmt.Errorf("target.averageValue: Required value: must be set for an AverageValue target")
		}
		out.AverageValue = milliOf(t.AverageValue)
	case autoscalingv2.ValueMetricType:
		if t.Value == nil {
			return out, fmt.Errorf("target.value: Required value: must be set for a Value target")
		}
		out.Value = milliOf(t.Value)
	default:
		return out, fmt.Errorf("target.type: Unsupported value: %q: supported values: \"AverageValue\", \"Utilization\", \"Value\"", t.Type)
	}
	return out, nil
}

// ApplyHPA creates or updates an HPA from a manifest.
func (a *autoscaling) ApplyHPA(obj runtime.Object, name string) (created, changed bool, err error) {
	s, err := hpaSpec(obj)
	if err != nil {
		return false, false, fmt.Errorf("The HorizontalPodAutoscaler %q is invalid: %v", name, err)
	}
	if h := a.ctl.GetIn(s.Namespace, s.Name); h != nil {
		changed = fmt.Sprint(h.Spec) != fmt.Sprint(s)
		return false, changed, a.ctl.Update(s)
	}
	return true, true, a.create(s)
}
