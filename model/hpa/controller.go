package hpa

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Metric source types.
const (
	Resource = "Resource"
	PodsType = "Pods"
	Object   = "Object"
	External = "External"
)

// Target types.
const (
	Utilization  = "Utilization"
	AverageValue = "AverageValue"
	Value        = "Value"
)

// MetricSpec is one of spec.metrics.
type MetricSpec struct {
	// Type is Resource, Pods, Object or External.
	Type string
	// Resource is cpu or memory (Resource metrics); Name the metric's name
	// (Pods, Object, External); ObjectKind and ObjectName the described
	// object (Object).
	Resource, Name         string
	ObjectKind, ObjectName string
	// Target: Utilization (percent of the request, Resource only),
	// AverageValue (per pod) or Value (Object, External), in milli-units.
	TargetType   string
	Utilization  int32
	AverageValue int64
	Value        int64
}

// Spec is a HorizontalPodAutoscaler's spec (autoscaling/v2, defaults
// applied: min 1, a cpu Utilization target of 80% if no metric is given).
type Spec struct {
	// TargetKind and TargetName are scaleTargetRef (Deployment).
	TargetKind, TargetName string
	Min, Max               int32
	Metrics                []MetricSpec
	Behavior               *Behavior
	// APIVersion is the version it was created with (autoscaling/v1 or v2).
	APIVersion string
}

// Condition is one of status.conditions.
type Condition struct {
	Type, Status, Reason, Message string
	LastTransition                sim.Time
}

// MetricStatus is one of status.currentMetrics: Known is false while no
// value was computed ("<unknown>").
type MetricStatus struct {
	Known        bool
	Utilization  int32 // percent (Utilization targets)
	AverageValue int64 // milli-units
	Value        int64 // milli-units
}

// Status is an HPA's status.
type Status struct {
	CurrentReplicas, DesiredReplicas int32
	LastScaleTime                    sim.Time
	Scaled                           bool
	CurrentMetrics                   []MetricStatus
	Conditions                       []Condition
}

// HPA is one HorizontalPodAutoscaler: its metadata (name, namespace, the
// namespace of its target too; uid, labels, annotations...), spec and
// status.
type HPA struct {
	model.ObjectMeta
	Spec
	Status  Status
	Deleted bool
	// DeletedAt is when it was deleted (if Deleted).
	DeletedAt sim.Time
	hist      history
	timer     sim.Timer
}

// CurrentMetric is status.currentMetrics' value of spec.metrics[i] (not
// Known while the controller has none, or before its first sync).
func (h *HPA) CurrentMetric(i int) MetricStatus {
	if i < len(h.Status.CurrentMetrics) {
		return h.Status.CurrentMetrics[i]
	}
	return MetricStatus{}
}

// Ref is the HPA as the involved object of its events.
func (h *HPA) Ref() model.ObjectRef {
	return model.ObjectRef{Kind: "HorizontalPodAutoscaler", Namespace: h.NamespaceName(), Name: h.Name, UID: h.UID}
}

// Condition returns the condition of type t (nil: not set).
func (h *HPA) Condition(t string) *Condition {
	for i := range h.Status.Conditions {
		if h.Status.Conditions[i].Type == t {
			return &h.Status.Conditions[i]
		}
	}
	return nil
}

func (h *HPA) setCondition(now sim.Time, t, status, reason, msg string) {
	if c := h.Condition(t); c != nil {
		if c.Status != status {
			c.LastTransition = now
		}
		c.Status, c.Reason, c.Message = status, reason, msg
		return
	}
	h.Status.Conditions = append(h.Status.Conditions, Condition{t, status, reason, msg, now})
	order := map[string]int{"AbleToScale": 0, "ScalingActive": 1, "ScalingLimited": 2}
	sort.SliceStable(h.Status.Conditions, func(i, j int) bool {
		return order[h.Status.Conditions[i].Type] < order[h.Status.Conditions[j].Type]
	})
}

// Source is where the controller reads metrics: the resource metrics API
// (metrics-server), the custom and external metrics APIs. Values are in
// milli-units (millicores; memory in milli-bytes).
type Source interface {
	// PodResource is pod p's usage of resource (cpu, memory), measured over
	// window up to ts; ok is false if the API has no value for the pod.
	PodResource(p *model.Pod, resource string) (value int64, ts, window sim.Time, ok bool)
	// PodMetric is a custom metric of pod p (Pods metrics).
	PodMetric(p *model.Pod, name string) (value int64, ts, window sim.Time, ok bool)
	// ObjectMetric is a custom metric describing an object of namespace ns.
	ObjectMetric(ns, kind, name, metric string) (value int64, ok bool)
	// ExternalMetric is an external metric's value (the sum of its series).
	ExternalMetric(name string) (value int64, ok bool)
}

// Event is an event the controller records on an HPA.
type Event struct {
	Type, Reason, Message string
}

// Controller is the horizontal pod autoscaler controller: every HPA is
// reconciled when created and then every SyncPeriod.
type Controller struct {
	C    *model.Cluster
	Src  Source
	Calc Calculator
	// Events receives the events it records (nil: dropped).
	Events func(h *HPA, e Event)
	// OnSync is called after each reconcile (nil: nothing).
	OnSync func(h *HPA)
	hpas   []*HPA
	// uidRand draws the HPAs' UIDs (a stream of its own: the cluster's
	// objects' UIDs are the same with and without HPAs).
	uidRand *rand.Rand
}

// addonKey is the controller's key among the cluster's addons.
const addonKey = "horizontal-pod-autoscaler"

// New returns the controller of cluster c reading metrics from src, and
// registers it as the cluster's (ControllerOf).
func New(c *model.Cluster, src Source) *Controller {
	ct := &Controller{C: c, Src: src, Calc: DefaultCalculator(), uidRand: c.E.Stream("hpa-uid")}
	c.SetAddon(addonKey, ct)
	return ct
}

// ControllerOf is the HPA controller of cluster c (nil: the run has none),
// where kubectl finds HorizontalPodAutoscalers.
func ControllerOf(c *model.Cluster) *Controller {
	ct, _ := c.Addon(addonKey).(*Controller)
	return ct
}

// List is the HPAs of every namespace, by namespace and name.
func (ct *Controller) List() []*HPA { return ct.ListIn("") }

// ListIn is the HPAs of namespace ns ("": every namespace), by namespace and
// name.
func (ct *Controller) ListIn(ns string) []*HPA {
	if ct == nil {
		return nil
	}
	out := make([]*HPA, 0, len(ct.hpas))
	for _, h := range ct.hpas {
		if !h.Deleted && (ns == "" || h.NamespaceName() == ns) {
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].NamespaceName(), out[j].NamespaceName(); a != b {
			return a < b
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// NamespaceName is the HPA's namespace, default when unset.
func (h *HPA) NamespaceName() string {
	if h.Namespace == "" {
		return model.DefaultNamespace
	}
	return h.Namespace
}

// Get is the HPA named name in the default namespace (nil: none).
func (ct *Controller) Get(name string) *HPA { return ct.GetIn(model.DefaultNamespace, name) }

// GetIn is the HPA named name in namespace ns ("": default; nil: none).
func (ct *Controller) GetIn(ns, name string) *HPA {
	if ct == nil {
		return nil
	}
	if ns == "" {
		ns = model.DefaultNamespace
	}
	for _, h := range ct.hpas {
		if !h.Deleted && h.Name == name && h.NamespaceName() == ns {
			return h
		}
	}
	return nil
}

// Create adds the HPA named name in namespace ns ("": default), with its
// labels and annotations; it is reconciled at once, then every SyncPeriod.
func (ct *Controller) Create(ns, name string, labels, annotations map[string]string, s Spec) (*HPA, error) {
	if ns == "" {
		ns = model.DefaultNamespace
	}
	if ct.GetIn(ns, name) != nil {
		return nil, fmt.Errorf(`horizontalpodautoscalers.autoscaling %q already exists`, name)
	}
	h := &HPA{ObjectMeta: ct.C.NewObjectMeta(name, ns, labels, annotations, ct.uidRand), Spec: s}
	h.Status.CurrentMetrics = make([]MetricStatus, len(s.Metrics))
	ct.hpas = append(ct.hpas, h)
	h.timer = ct.C.E.After(0, sim.HandlerFunc(func(*sim.Engine, int64) { ct.sync(h) }), 0)
	return h, nil
}

// Update replaces an HPA's spec (kubectl apply, patch); its history stays,
// its current metrics are unknown until the next sync. changed reports
// whether the spec differs (its generation then goes up).
func (ct *Controller) Update(h *HPA, s Spec) (changed bool) {
	changed = !reflect.DeepEqual(h.Spec, s)
	h.Spec = s
	h.Status.CurrentMetrics = make([]MetricStatus, len(s.Metrics))
	if changed {
		ct.C.Touch(&h.ObjectMeta)
	}
	return changed
}

// Delete removes the HPA named name of the default namespace.
func (ct *Controller) Delete(name string) error { return ct.DeleteIn(model.DefaultNamespace, name) }

// DeleteNamespace removes the HPAs of namespace ns, as the namespace
// controller deletes them with their namespace (model.NamespacedAddon).
func (ct *Controller) DeleteNamespace(ns string) {
	for _, h := range ct.ListIn(ns) {
		ct.DeleteIn(ns, h.Name)
	}
}

// DeleteIn removes the HPA named name of namespace ns ("": default).
func (ct *Controller) DeleteIn(ns, name string) error {
	h := ct.GetIn(ns, name)
	if h == nil {
		return fmt.Errorf(`horizontalpodautoscalers.autoscaling %q not found`, name)
	}
	h.Deleted, h.DeletedAt = true, ct.C.Now()
	ct.C.E.Cancel(h.timer)
	return nil
}

func (ct *Controller) sync(h *HPA) {
	if h.Deleted {
		return
	}
	ct.Reconcile(h)
	if ct.OnSync != nil {
		ct.OnSync(h)
	}
	h.timer = ct.C.E.After(SyncPeriod, sim.HandlerFunc(func(*sim.Engine, int64) { ct.sync(h) }), 0)
}

func (ct *Controller) event(h *HPA, typ, reason, msg string) {
	if ct.Events != nil {
		ct.Events(h, Event{typ, reason, msg})
	}
}

// targetPods are the pods the target's selector matches (the scale
// subresource's status.selector).
func (ct *Controller) targetPods(d *model.Deployment) []*model.Pod {
	var out []*model.Pod
	for _, p := range ct.C.Pods() {
		if p.Namespace != d.Namespace && d.Namespace != "" && p.Namespace != "" {
			continue
		}
		if d.LabelSelector != nil {
			if !d.LabelSelector.MatchesMap(p.Labels) {
				continue
			}
		} else if !matchesMap(d.Selector, p.Labels) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func matchesMap(sel, l map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if l[k] != v {
			return false
		}
	}
	return true
}

// ContainerName is the name kubesim gives pod p's (first) container in
// messages: the name the manifest gave, or the image's name as `kubectl
// create deployment` names it.
func ContainerName(p *model.Pod) string { return p.Spec.ContainerName() }

// sample is what the calculator needs of pod p for metric m.
func (ct *Controller) sample(p *model.Pod, m *MetricSpec) PodSample {
	s := PodSample{Name: p.Name, Phase: p.Phase, Deleting: p.Terminating, Ready: p.Ready}
	if p.NodeName != "" && p.Phase != model.PodPending {
		s.HasReady, s.HasStart = true, true
		s.Start = p.Scheduled
		s.ReadyTransition = p.Started
		if p.ReadyAt > 0 {
			s.ReadyTransition = p.ReadyAt
		}
	}
	switch m.Resource {
	case "cpu":
		s.Request = p.Spec.Requests.MilliCPU
	case "memory":
		s.Request = p.Spec.Requests.Memory * 1000
	}
	if s.Request == 0 {
		s.MissingRequest = ContainerName(p)
	}
	if m.Type == Resource {
		s.Metric, s.Timestamp, s.Window, s.HasMetric = ct.Src.PodResource(p, m.Resource)
	} else {
		s.Metric, s.Timestamp, s.Window, s.HasMetric = ct.Src.PodMetric(p, m.Name)
	}
	return s
}

// MetricName is how the controller names a metric in its conditions and
// events ("cpu resource utilization (percentage of request)").
func (m *MetricSpec) MetricName() string {
	switch m.Type {
	case Resource:
		if m.TargetType == Utilization {
			return m.Resource + " resource utilization (percentage of request)"
		}
		return m.Resource + " resource"
	case PodsType:
		return "pods metric " + m.Name
	case Object:
		return fmt.Sprintf("%s metric %s", m.ObjectKind, m.Name)
	}
	return "external metric " + m.Name
}

// replicasFor computes one metric's proposal (computeStatusForXMetric).
func (ct *Controller) replicasFor(h *HPA, i int, d *model.Deployment, current, statusReplicas int32) (int32, error) {
	m := &h.Metrics[i]
	now := ct.C.Now()
	st := &h.Status.CurrentMetrics[i]
	switch m.Type {
	case Resource, PodsType:
		pods := ct.targetPods(d)
		samples := make([]PodSample, len(pods))
		any := false
		for k, p := range pods {
			samples[k] = ct.sample(p, m)
			any = any || samples[k].HasMetric
		}
		if m.Type == Resource && !any {
			// GetResourceReplicas' words, wrapped as utilization or, for an
			// AverageValue target (GetRawResourceReplicas), usage.
			what := "utilization"
			if m.TargetType != Utilization {
				what = "usage"
			}
			return 0, fmt.Errorf("failed to get %s %s: unable to get metrics for resource %s: no metrics returned from resource metrics API", m.Resource, what, m.Resource)
		}
		if m.Type == PodsType && !any {
			return 0, fmt.Errorf("unable to get metric %s: unable to fetch metrics from custom metrics API: the server could not find the metric %s for pods", m.Name, m.Name)
		}
		if m.TargetType == Utilization {
			r, u, raw, err := ct.Calc.ResourceUtilization(now, current, m.Utilization, m.Resource, samples)
			if err != nil {
				return 0, fmt.Errorf("failed to get %s utilization: %v", m.Resource, err)
			}
			*st = MetricStatus{Known: true, Utilization: u, AverageValue: raw}
			return r, nil
		}
		res := m.Resource
		if m.Type == PodsType {
			res = ""
		}
		r, u, err := ct.Calc.AverageValue(now, current, m.AverageValue, res, samples)
		if err != nil {
			if m.Type == Resource {
				return 0, fmt.Errorf("failed to get %s usage: %v", m.Resource, err)
			}
			return 0, fmt.Errorf("unable to get metric %s: %v", m.Name, err)
		}
		*st = MetricStatus{Known: true, AverageValue: u}
		return r, nil
	case Object, External:
		var v int64
		var ok bool
		if m.Type == Object {
			v, ok = ct.Src.ObjectMetric(namespaceOf(d), m.ObjectKind, m.ObjectName, m.Name)
		} else {
			v, ok = ct.Src.ExternalMetric(m.Name)
		}
		if !ok {
			// The replica calculator's words (its format puts the error
			// after the object's name, as upstream does).
			if m.Type == Object {
				return 0, fmt.Errorf("unable to get metric %s: %s on %s %s/unable to fetch metrics from custom metrics API: the server could not find the metric %s for %s %s", m.Name, m.ObjectKind, namespaceOf(d), m.ObjectName, m.Name, resourceOf(m.ObjectKind), m.ObjectName)
			}
			return 0, fmt.Errorf("unable to get external metric %s/%s/{}: no metrics returned from external metrics API", namespaceOf(d), m.Name)
		}
		if m.TargetType == AverageValue {
			r, u := ct.Calc.ObjectAverage(statusReplicas, v, m.AverageValue)
			*st = MetricStatus{Known: true, AverageValue: u}
			return r, nil
		}
		ready := 0
		for _, p := range ct.targetPods(d) {
			if p.Phase == model.PodRunning && p.Ready {
				ready++
			}
		}
		*st = MetricStatus{Known: true, Value: v}
		return ct.Calc.ObjectValue(current, v, m.Value, ready), nil
	}
	return 0, fmt.Errorf("unknown metric source type %q", m.Type)
}

func namespaceOf(d *model.Deployment) string {
	if d.Namespace == "" {
		return model.DefaultNamespace
	}
	return d.Namespace
}

// resourceOf is the API resource of a kind (Service -> services), as the
// custom metrics API names it.
func resourceOf(kind string) string {
	k := strings.ToLower(kind)
	if strings.HasSuffix(k, "s") {
		return k + "es"
	}
	return k + "s"
}

// failedReason is the condition/event reason of a metric that failed.
func failedReason(m *MetricSpec) string {
	switch m.Type {
	case Resource:
		return "FailedGetResourceMetric"
	case PodsType:
		return "FailedGetPodsMetric"
	case Object:
		return "FailedGetObjectMetric"
	}
	return "FailedGetExternalMetric"
}

// Reconcile is one sync of h (reconcileAutoscaler).
func (ct *Controller) Reconcile(h *HPA) {
	now := ct.C.Now()
	d := ct.C.DeploymentIn(h.NamespaceName(), h.TargetName)
	if h.TargetKind != "Deployment" || d == nil || d.Deleted {
		msg := fmt.Sprintf("deployments.apps %q not found", h.TargetName)
		if h.TargetKind != "Deployment" {
			msg = fmt.Sprintf("kubesim scales Deployments only, not %s %q", h.TargetKind, h.TargetName)
		}
		ct.event(h, "Warning", "FailedGetScale", msg)
		h.setCondition(now, "AbleToScale", "False", "FailedGetScale", "the HPA controller was unable to get the target's current scale: "+msg)
		return
	}
	h.setCondition(now, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale")
	current := int32(d.Replicas)
	statusReplicas := int32(ct.C.DeploymentStatus(d).Replicas)
	h.Status.CurrentReplicas = statusReplicas
	minR := h.Min
	var desired int32
	rescale := false
	reason := ""
	switch {
	case current == 0 && minR != 0:
		desired = 0
		h.setCondition(now, "ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
	case current > h.Max:
		reason = "Current number of replicas above Spec.MaxReplicas"
		desired = h.Max
		rescale = true
	case current < minR:
		reason = "Current number of replicas below Spec.MinReplicas"
		desired = minR
		rescale = true
	default:
		proposal, name := int32(0), ""
		invalid, first := 0, error(nil)
		var firstM *MetricSpec
		for i := range h.Metrics {
			r, err := ct.replicasFor(h, i, d, current, statusReplicas)
			if err != nil {
				if invalid == 0 {
					first, firstM = err, &h.Metrics[i]
				}
				invalid++
				h.Status.CurrentMetrics[i] = MetricStatus{}
				ct.event(h, "Warning", failedReason(&h.Metrics[i]), err.Error())
				continue
			}
			if name == "" || r > proposal {
				proposal, name = r, h.Metrics[i].MetricName()
			}
		}
		if invalid >= len(h.Metrics) || (invalid > 0 && proposal < current) {
			h.setCondition(now, "ScalingActive", "False", failedReason(firstM), "the HPA was unable to compute the replica count: "+first.Error())
			ct.event(h, "Warning", "FailedComputeMetricsReplicas", fmt.Sprintf("invalid metrics (%d invalid out of %d), first error is: failed to get %s metric value: %v", invalid, len(h.Metrics), metricNoun(firstM), first))
			return
		}
		h.setCondition(now, "ScalingActive", "True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count from "+name)
		desired = proposal
		if desired > current {
			reason = name + " above target"
		} else if desired < current {
			reason = "All metrics below target"
		}
		var able, limit [2]string
		var limited bool
		if h.Behavior == nil {
			desired, able, limited, limit = h.hist.normalize(now, current, desired, minR, h.Max)
		} else {
			desired, able, limited, limit = h.hist.normalizeWithBehavior(now, h.Behavior, current, desired, minR, h.Max)
		}
		h.setCondition(now, "AbleToScale", "True", able[0], able[1])
		status := "False"
		if limited {
			status = "True"
		}
		h.setCondition(now, "ScalingLimited", status, limit[0], limit[1])
		rescale = desired != current
	}
	if rescale {
		if err := ct.C.ScaleDeployment(d, int(desired)); err != nil {
			h.setCondition(now, "AbleToScale", "False", "FailedUpdateScale", "the HPA controller was unable to update the target scale: "+err.Error())
			ct.event(h, "Warning", "FailedRescale", fmt.Sprintf("New size: %d; reason: %s; error: %v", desired, reason, err))
			return
		}
		h.setCondition(now, "AbleToScale", "True", "SucceededRescale", fmt.Sprintf("the HPA controller was able to update the target scale to %d", desired))
		ct.event(h, "Normal", "SuccessfulRescale", fmt.Sprintf("New size: %d; reason: %s", desired, reason))
		h.hist.storeScaleEvent(now, h.Behavior, current, desired)
		h.Status.LastScaleTime, h.Status.Scaled = now, true
	} else {
		desired = current
	}
	h.Status.DesiredReplicas = desired
}

// metricNoun is the metric's kind in FailedComputeMetricsReplicas ("cpu
// resource", "pods", "object", "external").
func metricNoun(m *MetricSpec) string {
	switch m.Type {
	case Resource:
		return m.Resource + " resource"
	case PodsType:
		return "pods"
	case Object:
		return "object"
	}
	return "external"
}
