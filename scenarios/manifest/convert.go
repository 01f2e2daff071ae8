package manifest

import (
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/labels"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// This file converts between Kubernetes API objects (k8s.io/api, as manifests
// and patches give them) and the model's objects: Model* from the API to the
// model, API* back (for patch, edit and -o yaml).

func secs(p *int64) simTime {
	if p == nil {
		return 0
	}
	return simTime(*p) * simTime(time.Second)
}

type simTime = time.Duration

func podTemplate(t corev1.PodTemplateSpec) model.PodTemplate {
	return model.PodTemplate{Labels: t.Labels, Annotations: t.Annotations, Spec: ModelPodSpec(t.Spec)}
}

// ModelPodSpec is the model's pod spec of s: the first container's image and
// name, every container's ports, summed requests and limits (a CPU limit only
// when every container has one), the first readiness probe, tolerations and
// node affinity.
func ModelPodSpec(s corev1.PodSpec) model.PodSpec {
	ps := model.PodSpec{NodeSelector: s.NodeSelector, NodeName: s.NodeName, HostNetwork: s.HostNetwork,
		RestartAlways: s.RestartPolicy == "" || s.RestartPolicy == corev1.RestartPolicyAlways}
	if s.TerminationGracePeriodSeconds != nil {
		ps.GracePeriod = secs(s.TerminationGracePeriodSeconds)
	}
	for _, v := range s.Volumes {
		// Local storage as cluster-autoscaler's drain rules see it: hostPath,
		// or emptyDir not in memory.
		if v.HostPath != nil || (v.EmptyDir != nil && v.EmptyDir.Medium != corev1.StorageMediumMemory) {
			ps.LocalStorage = true
		}
	}
	cpuSet, memSet, cpuLim := 0, 0, 0
	for i, ct := range s.Containers {
		if i == 0 {
			ps.Image, ps.Container = ct.Image, ct.Name
			for _, e := range ct.Env {
				ps.Env = append(ps.Env, model.EnvVar{Name: e.Name, Value: e.Value, ValueFrom: e.ValueFrom != nil})
			}
			ps.Command, ps.Args = ct.Command, ct.Args
		}
		for _, cp := range ct.Ports {
			ps.Ports = append(ps.Ports, model.ContainerPort{Name: cp.Name, Port: int(cp.ContainerPort), Protocol: string(cp.Protocol), HostPort: int(cp.HostPort), HostIP: cp.HostIP})
		}
		if q, ok := ct.Resources.Requests[corev1.ResourceCPU]; ok {
			ps.Requests.MilliCPU += q.MilliValue()
			cpuSet++
		}
		if q, ok := ct.Resources.Requests[corev1.ResourceMemory]; ok {
			ps.Requests.Memory += q.Value()
			memSet++
		}
		if q, ok := ct.Resources.Limits[corev1.ResourceCPU]; ok {
			ps.Limits.MilliCPU += q.MilliValue()
			cpuLim++
		}
		if q, ok := ct.Resources.Limits[corev1.ResourceMemory]; ok {
			ps.Limits.Memory += q.Value()
		}
		if pr := ct.ReadinessProbe; pr != nil && ps.Readiness == nil {
			ps.Readiness = modelProbe(pr)
		}
		if i == 0 && (ct.LivenessProbe != nil || ct.StartupProbe != nil) {
			ps.Probes = &model.LivenessProbes{}
			if pr := ct.LivenessProbe; pr != nil {
				ps.Probes.Liveness = modelProbe(pr)
			}
			if pr := ct.StartupProbe; pr != nil {
				ps.Probes.Startup = modelProbe(pr)
			}
		}
	}
	// A request of 0 given by every container is a request: the scheduler's
	// scoring defaults are for missing ones.
	n := len(s.Containers)
	if cpuLim < n {
		ps.Limits.MilliCPU = 0 // a container without a limit: the pod has no CPU quota
	}
	ps.ExplicitZero = model.RequestFlags{CPU: n > 0 && cpuSet == n && ps.Requests.MilliCPU == 0,
		Memory: n > 0 && memSet == n && ps.Requests.Memory == 0}
	for _, t := range s.Tolerations {
		tol := model.Toleration{Key: t.Key, Operator: string(t.Operator), Value: t.Value, Effect: model.TaintEffect(t.Effect)}
		if t.TolerationSeconds != nil {
			v := *t.TolerationSeconds
			tol.Seconds = &v
		}
		ps.Tolerations = append(ps.Tolerations, tol)
	}
	if a := s.Affinity; a != nil && a.NodeAffinity != nil {
		na := &model.NodeAffinity{}
		if req := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution; req != nil {
			for _, term := range req.NodeSelectorTerms {
				na.Terms = append(na.Terms, nodeSelectorTerm(term))
			}
		}
		for _, pt := range a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			na.Preferred = append(na.Preferred, model.PreferredSchedulingTerm{Weight: pt.Weight, Term: nodeSelectorTerm(pt.Preference)})
		}
		if len(na.Terms) > 0 || len(na.Preferred) > 0 {
			ps.Affinity = na
		}
	}
	return ps
}

// modelProbe is the model's probe of pr (defaults applied).
func modelProbe(pr *corev1.Probe) *model.Probe {
	m := &model.Probe{
		InitialDelay:     time.Duration(pr.InitialDelaySeconds) * time.Second,
		Period:           time.Duration(max(pr.PeriodSeconds, 1)) * time.Second,
		SuccessThreshold: int(max(pr.SuccessThreshold, 1)),
		FailureThreshold: int(max(pr.FailureThreshold, 1)),
		Timeout:          time.Duration(max(pr.TimeoutSeconds, 1)) * time.Second,
	}
	port := func(p intstr.IntOrString) {
		if p.Type == intstr.String {
			m.PortName = p.StrVal
		} else {
			m.Port = int(p.IntVal)
		}
	}
	switch h := pr.ProbeHandler; {
	case h.HTTPGet != nil:
		m.Handler, m.Host, m.Scheme, m.Path = model.ProbeHTTPGet, h.HTTPGet.Host, string(h.HTTPGet.Scheme), h.HTTPGet.Path
		port(h.HTTPGet.Port)
	case h.TCPSocket != nil:
		m.Handler, m.Host = model.ProbeTCPSocket, h.TCPSocket.Host
		port(h.TCPSocket.Port)
	case h.GRPC != nil:
		m.Handler, m.Port = model.ProbeGRPC, int(h.GRPC.Port)
	case h.Exec != nil:
		m.Handler = model.ProbeExec
	}
	return m
}

// corev1Probe is the API's probe of the model's.
func corev1Probe(pr *model.Probe) *corev1.Probe {
	p := &corev1.Probe{InitialDelaySeconds: int32(pr.InitialDelay / time.Second),
		PeriodSeconds: int32(pr.Period / time.Second), SuccessThreshold: int32(pr.SuccessThreshold),
		FailureThreshold: int32(pr.FailureThreshold), TimeoutSeconds: int32(pr.Timeout / time.Second)}
	port := intstr.FromInt32(int32(pr.Port))
	if pr.PortName != "" {
		port = intstr.FromString(pr.PortName)
	}
	switch pr.Handler {
	case model.ProbeHTTPGet:
		p.HTTPGet = &corev1.HTTPGetAction{Path: pr.Path, Port: port, Host: pr.Host, Scheme: corev1.URIScheme(pr.Scheme)}
	case model.ProbeTCPSocket:
		p.TCPSocket = &corev1.TCPSocketAction{Port: port, Host: pr.Host}
	case model.ProbeGRPC:
		p.GRPC = &corev1.GRPCAction{Port: int32(pr.Port)}
	case model.ProbeExec:
		p.Exec = &corev1.ExecAction{}
	}
	return p
}

func nodeSelectorTerm(term corev1.NodeSelectorTerm) model.NodeSelectorTerm {
	var mt model.NodeSelectorTerm
	for _, r := range term.MatchExpressions {
		mt.MatchExpressions = append(mt.MatchExpressions, model.NodeSelectorRequirement{Key: r.Key, Operator: string(r.Operator), Values: r.Values})
	}
	for _, r := range term.MatchFields {
		mt.MatchFields = append(mt.MatchFields, model.NodeSelectorRequirement{Key: r.Key, Operator: string(r.Operator), Values: r.Values})
	}
	return mt
}

func intOrPercent(v *intstr.IntOrString) (*model.IntOrPercent, error) {
	if v == nil {
		return nil, nil
	}
	if v.Type == intstr.Int {
		return model.Int(int(v.IntVal)), nil
	}
	var p int
	if _, err := fmt.Sscanf(v.StrVal, "%d%%", &p); err != nil {
		return nil, fmt.Errorf("invalid value %q: must be an integer or a percentage", v.StrVal)
	}
	return model.Percent(p), nil
}

func intPtr(p *int32) *int {
	if p == nil {
		return nil
	}
	v := int(*p)
	return &v
}

// ModelDeploymentSpec is the model's spec of a decoded Deployment; errors name
// the field (spec.selector, spec.strategy.rollingUpdate.maxSurge...).
func ModelDeploymentSpec(d *appsv1.Deployment) (model.DeploymentSpec, error) {
	sel, err := labels.FromLabelSelector(d.Spec.Selector)
	if err != nil {
		return model.DeploymentSpec{}, fmt.Errorf("spec.selector: %v", err)
	}
	s := model.DeploymentSpec{Name: d.Name, Labels: d.Labels, Annotations: d.Annotations, Replicas: intPtr(d.Spec.Replicas), Selector: sel,
		Template: podTemplate(d.Spec.Template), RevisionHistoryLimit: intPtr(d.Spec.RevisionHistoryLimit),
		MinReadySeconds: time.Duration(d.Spec.MinReadySeconds) * time.Second}
	if pd := d.Spec.ProgressDeadlineSeconds; pd != nil {
		s.ProgressDeadline = time.Duration(*pd) * time.Second
	}
	s.Strategy.Type = string(d.Spec.Strategy.Type)
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		if s.Strategy.MaxSurge, err = intOrPercent(ru.MaxSurge); err != nil {
			return s, fmt.Errorf("spec.strategy.rollingUpdate.maxSurge: %v", err)
		}
		if s.Strategy.MaxUnavailable, err = intOrPercent(ru.MaxUnavailable); err != nil {
			return s, fmt.Errorf("spec.strategy.rollingUpdate.maxUnavailable: %v", err)
		}
	}
	return s, nil
}

// ModelDaemonSetSpec is the model's spec of a decoded DaemonSet.
func ModelDaemonSetSpec(d *appsv1.DaemonSet) (model.DaemonSetSpec, error) {
	sel, err := labels.FromLabelSelector(d.Spec.Selector)
	if err != nil {
		return model.DaemonSetSpec{}, fmt.Errorf("spec.selector: %v", err)
	}
	s := model.DaemonSetSpec{Name: d.Name, Labels: d.Labels, Annotations: d.Annotations, Selector: sel, Template: podTemplate(d.Spec.Template),
		MinReadySeconds: time.Duration(d.Spec.MinReadySeconds) * time.Second, RevisionHistoryLimit: intPtr(d.Spec.RevisionHistoryLimit)}
	s.Strategy.Type = string(d.Spec.UpdateStrategy.Type)
	if ru := d.Spec.UpdateStrategy.RollingUpdate; ru != nil {
		if s.Strategy.MaxSurge, err = intOrPercent(ru.MaxSurge); err != nil {
			return s, fmt.Errorf("spec.updateStrategy.rollingUpdate.maxSurge: %v", err)
		}
		if s.Strategy.MaxUnavailable, err = intOrPercent(ru.MaxUnavailable); err != nil {
			return s, fmt.Errorf("spec.updateStrategy.rollingUpdate.maxUnavailable: %v", err)
		}
	}
	return s, nil
}

// ModelReplicaSetSpec is the model's spec of a decoded ReplicaSet.
func ModelReplicaSetSpec(r *appsv1.ReplicaSet) (model.ReplicaSetSpec, error) {
	sel, err := labels.FromLabelSelector(r.Spec.Selector)
	if err != nil {
		return model.ReplicaSetSpec{}, fmt.Errorf("spec.selector: %v", err)
	}
	return model.ReplicaSetSpec{Name: r.Name, Labels: r.Labels, Annotations: r.Annotations, Replicas: intPtr(r.Spec.Replicas), Selector: sel,
		Template: podTemplate(r.Spec.Template), MinReadySeconds: time.Duration(r.Spec.MinReadySeconds) * time.Second}, nil
}

// ModelTaints is the model's taints of a Node's spec.taints.
func ModelTaints(ts []corev1.Taint) []model.Taint {
	var out []model.Taint
	for _, t := range ts {
		out = append(out, model.Taint{Key: t.Key, Value: t.Value, Effect: model.TaintEffect(t.Effect)})
	}
	return out
}

// ModelCapacity is a Node manifest's allocatable (else capacity) CPU, memory
// and pods, each defaulting to def's.
func ModelCapacity(n *corev1.Node, def model.Resources) model.Resources {
	r := def
	list := n.Status.Allocatable
	if len(list) == 0 {
		list = n.Status.Capacity
	}
	if q, ok := list[corev1.ResourceCPU]; ok {
		r.MilliCPU = q.MilliValue()
	}
	if q, ok := list[corev1.ResourceMemory]; ok {
		r.Memory = q.Value()
	}
	if q, ok := list[corev1.ResourcePods]; ok {
		r.Pods = q.Value()
	}
	return r
}

// --- model -> API objects, for patch and edit ---

// LabelSelectorOf is the API form of a model selector (matchLabels for
// equalities, matchExpressions for the rest); nil for nil.
func LabelSelectorOf(s *labels.Selector) *metav1.LabelSelector {
	if s == nil {
		return nil
	}
	ls := &metav1.LabelSelector{}
	for _, r := range s.Requirements() {
		switch r.Operator {
		case labels.Equals, labels.DoubleEquals:
			if ls.MatchLabels == nil {
				ls.MatchLabels = map[string]string{}
			}
			ls.MatchLabels[r.Key] = r.Values[0]
		case labels.In:
			ls.MatchExpressions = append(ls.MatchExpressions, metav1.LabelSelectorRequirement{Key: r.Key, Operator: metav1.LabelSelectorOpIn, Values: r.Values})
		case labels.NotIn:
			ls.MatchExpressions = append(ls.MatchExpressions, metav1.LabelSelectorRequirement{Key: r.Key, Operator: metav1.LabelSelectorOpNotIn, Values: r.Values})
		case labels.Exists:
			ls.MatchExpressions = append(ls.MatchExpressions, metav1.LabelSelectorRequirement{Key: r.Key, Operator: metav1.LabelSelectorOpExists})
		case labels.DoesNotExist:
			ls.MatchExpressions = append(ls.MatchExpressions, metav1.LabelSelectorRequirement{Key: r.Key, Operator: metav1.LabelSelectorOpDoesNotExist})
		}
	}
	return ls
}

// APIPodSpec is the API pod spec of s with one container named name.
func APIPodSpec(s model.PodSpec, name string) corev1.PodSpec {
	ct := corev1.Container{Name: name, Image: s.Image, Command: s.Command, Args: s.Args}
	for _, e := range s.Env {
		ev := corev1.EnvVar{Name: e.Name, Value: e.Value}
		if e.ValueFrom {
			// Unresolved: kept as a reference kubesim does not follow.
			ev.ValueFrom = &corev1.EnvVarSource{}
		}
		ct.Env = append(ct.Env, ev)
	}
	cpu, mem := s.Requests.MilliCPU > 0 || s.ExplicitZero.CPU, s.Requests.Memory > 0 || s.ExplicitZero.Memory
	if cpu || mem {
		ct.Resources.Requests = corev1.ResourceList{}
		if cpu {
			ct.Resources.Requests[corev1.ResourceCPU] = *resource.NewMilliQuantity(s.Requests.MilliCPU, resource.DecimalSI)
		}
		if mem {
			ct.Resources.Requests[corev1.ResourceMemory] = *resource.NewQuantity(s.Requests.Memory, resource.BinarySI)
		}
	}
	if s.Limits.MilliCPU > 0 || s.Limits.Memory > 0 {
		ct.Resources.Limits = corev1.ResourceList{}
		if s.Limits.MilliCPU > 0 {
			ct.Resources.Limits[corev1.ResourceCPU] = *resource.NewMilliQuantity(s.Limits.MilliCPU, resource.DecimalSI)
		}
		if s.Limits.Memory > 0 {
			ct.Resources.Limits[corev1.ResourceMemory] = *resource.NewQuantity(s.Limits.Memory, resource.BinarySI)
		}
	}
	if pr := s.Readiness; pr != nil {
		ct.ReadinessProbe = corev1Probe(pr)
	}
	if pr := s.Liveness(); pr != nil {
		ct.LivenessProbe = corev1Probe(pr)
	}
	if pr := s.Startup(); pr != nil {
		ct.StartupProbe = corev1Probe(pr)
	}
	for _, cp := range s.Ports {
		ct.Ports = append(ct.Ports, corev1.ContainerPort{Name: cp.Name, ContainerPort: int32(cp.Port), Protocol: corev1.Protocol(cp.Protocol), HostPort: int32(cp.HostPort), HostIP: cp.HostIP})
	}
	ps := corev1.PodSpec{Containers: []corev1.Container{ct}, NodeSelector: s.NodeSelector, NodeName: s.NodeName, HostNetwork: s.HostNetwork}
	if s.GracePeriod > 0 {
		g := int64(s.GracePeriod / time.Second)
		ps.TerminationGracePeriodSeconds = &g
	}
	for _, t := range s.Tolerations {
		tol := corev1.Toleration{Key: t.Key, Operator: corev1.TolerationOperator(t.Operator), Value: t.Value, Effect: corev1.TaintEffect(t.Effect)}
		if t.Seconds != nil {
			v := *t.Seconds
			tol.TolerationSeconds = &v
		}
		ps.Tolerations = append(ps.Tolerations, tol)
	}
	return ps
}

func apiTemplate(t model.PodTemplate) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: t.Labels, Annotations: t.Annotations},
		Spec: APIPodSpec(t.Spec, ContainerName(t.Spec))}
}

func apiIntOrPercent(v *model.IntOrPercent) *intstr.IntOrString {
	if v == nil {
		return nil
	}
	var x intstr.IntOrString
	if v.Percent {
		x = intstr.FromString(fmt.Sprintf("%d%%", v.Value))
	} else {
		x = intstr.FromInt32(int32(v.Value))
	}
	return &x
}

// APIMeta is the object's metadata as the API server returns it (without
// managed fields): times are wall-clock times of the scenario's start plus
// the simulated time.
func APIMeta(c *model.Cluster, m *model.ObjectMeta) metav1.ObjectMeta {
	out := metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: types.UID(m.UID),
		ResourceVersion: strconv.FormatInt(m.ResourceVersion, 10), Generation: m.Generation,
		CreationTimestamp: metav1.NewTime(c.WallClock(m.CreationTimestamp)),
		Labels:            m.Labels, Annotations: m.Annotations}
	if o := m.Owner; o != nil {
		ctrl := true
		out.OwnerReferences = []metav1.OwnerReference{{APIVersion: ServedAPIVersion(o.Kind), Kind: o.Kind, Name: o.Name,
			Controller: &ctrl, BlockOwnerDeletion: &ctrl}}
	}
	if m.DeletionTimestamp != nil {
		t := metav1.NewTime(c.WallClock(*m.DeletionTimestamp))
		out.DeletionTimestamp = &t
	}
	return out
}

// APIDeployment is d as an apps/v1 Deployment (spec and metadata, no status),
// for patch and edit.
func APIDeployment(c *model.Cluster, d *model.Deployment) *appsv1.Deployment {
	r := int32(d.Replicas)
	h := int32(d.RevisionHistoryLimit)
	out := &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: APIMeta(c, &d.ObjectMeta),
		Spec: appsv1.DeploymentSpec{Replicas: &r, Selector: LabelSelectorOf(d.LabelSelector), Template: apiTemplate(d.Template),
			RevisionHistoryLimit: &h, MinReadySeconds: int32(d.MinReadySeconds / time.Second),
			ProgressDeadlineSeconds: ptr(int32(d.ProgressDeadline / time.Second)), Paused: d.Paused}}
	out.Spec.Strategy.Type = appsv1.DeploymentStrategyType(d.Strategy.Type)
	if d.Strategy.Type != "Recreate" {
		out.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxSurge: apiIntOrPercent(d.Strategy.MaxSurge), MaxUnavailable: apiIntOrPercent(d.Strategy.MaxUnavailable)}
	}
	return out
}

// APIDaemonSet is d as an apps/v1 DaemonSet (spec and metadata).
func APIDaemonSet(c *model.Cluster, d *model.DaemonSet) *appsv1.DaemonSet {
	out := &appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: APIMeta(c, &d.ObjectMeta),
		Spec: appsv1.DaemonSetSpec{Selector: LabelSelectorOf(d.Selector), Template: apiTemplate(d.Template),
			MinReadySeconds: int32(d.MinReadySeconds / time.Second), RevisionHistoryLimit: ptr(int32(d.RevisionHistoryLimit))}}
	out.Spec.UpdateStrategy.Type = appsv1.DaemonSetUpdateStrategyType(d.Strategy.Type)
	if d.Strategy.Type != "OnDelete" {
		out.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: apiIntOrPercent(d.Strategy.MaxSurge), MaxUnavailable: apiIntOrPercent(d.Strategy.MaxUnavailable)}
	}
	return out
}

// APIReplicaSet is r as an apps/v1 ReplicaSet (spec and metadata).
func APIReplicaSet(c *model.Cluster, r *model.ReplicaSet) *appsv1.ReplicaSet {
	n := int32(r.Replicas)
	return &appsv1.ReplicaSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "ReplicaSet"},
		ObjectMeta: APIMeta(c, &r.ObjectMeta),
		Spec: appsv1.ReplicaSetSpec{Replicas: &n, Selector: LabelSelectorOf(r.Selector), Template: apiTemplate(r.Template),
			MinReadySeconds: int32(r.MinReadySeconds / time.Second)}}
}

// APIService is s as a v1 Service (spec and metadata).
func APIService(c *model.Cluster, s *model.Service) *corev1.Service {
	out := &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: APIMeta(c, &s.ObjectMeta),
		Spec:       corev1.ServiceSpec{Selector: s.Selector, Type: corev1.ServiceType(s.Type), SessionAffinity: corev1.ServiceAffinity(s.SessionAffinity)}}
	if s.SessionAffinity == "ClientIP" && s.SessionAffinityTimeout > 0 {
		out.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr(int32(s.SessionAffinityTimeout / time.Second))}}
	}
	for _, sp := range s.Ports {
		out.Spec.Ports = append(out.Spec.Ports, corev1.ServicePort{Name: sp.Name, Protocol: corev1.Protocol(sp.Protocol),
			Port: int32(sp.Port), TargetPort: intstr.Parse(sp.Target()), NodePort: int32(sp.NodePort)})
	}
	return out
}

// ModelServicePorts converts a Service's ports.
func ModelServicePorts(ps []corev1.ServicePort) []model.ServicePort {
	var out []model.ServicePort
	for _, p := range ps {
		mp := model.ServicePort{Name: p.Name, Protocol: string(p.Protocol), Port: int(p.Port), NodePort: int(p.NodePort)}
		if t := p.TargetPort.String(); t != "0" && t != "" {
			mp.TargetPort = t
		}
		out = append(out, mp)
	}
	return out
}

// APIPod is p as a v1 Pod (spec and metadata).
func APIPod(c *model.Cluster, p *model.Pod) *corev1.Pod {
	return &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: APIMeta(c, &p.ObjectMeta),
		Spec:       APIPodSpec(p.Spec, ContainerName(p.Spec))}
}

// APINode is n as a v1 Node (spec and metadata).
func APINode(c *model.Cluster, n *model.Node) *corev1.Node {
	out := &corev1.Node{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"},
		ObjectMeta: APIMeta(c, &n.ObjectMeta), Spec: corev1.NodeSpec{Unschedulable: n.Unschedulable}}
	for _, t := range n.Taints {
		out.Spec.Taints = append(out.Spec.Taints, corev1.Taint{Key: t.Key, Value: t.Value, Effect: corev1.TaintEffect(t.Effect)})
	}
	return out
}

// APINamespace is n as a v1 Namespace (metadata; Namespaces have no generation).
func APINamespace(c *model.Cluster, n *model.Namespace) *corev1.Namespace {
	out := &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: APIMeta(c, &n.ObjectMeta)}
	out.Generation = 0
	return out
}

// SameMap reports whether a and b hold the same entries (nil and empty alike).
func SameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// SameTemplate reports whether two pod templates are equal, empty and nil
// lists alike (an apply that changes nothing leaves the object unchanged).
func SameTemplate(a, b model.PodTemplate) bool {
	return SameMap(a.Labels, b.Labels) && SameMap(a.Annotations, b.Annotations) && reflect.DeepEqual(normSpec(a.Spec), normSpec(b.Spec))
}

func normSpec(s model.PodSpec) model.PodSpec {
	if len(s.NodeSelector) == 0 {
		s.NodeSelector = nil
	}
	if len(s.Tolerations) == 0 {
		s.Tolerations = nil
	}
	if len(s.Ports) == 0 {
		s.Ports = nil
	}
	return s
}

// ContainerName is the container's name: the one given, else the name
// `kubectl create deployment` would give it (ImageContainerName).
func ContainerName(s model.PodSpec) string { return s.ContainerName() }

// ImageContainerName is the name `kubectl create deployment` gives the container of
// an image: its base name without tag or digest.
func ImageContainerName(image string) string { return model.ContainerName(image) }
