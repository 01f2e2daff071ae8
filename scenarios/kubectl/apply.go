package kubectl

// The apply of each kind (the apply entry of the kinds table, kinds.go):
// what apply, create -f, patch and edit do to the cluster for one API object.

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/scenarios/manifest"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// invalid is the API server's refusal of an object of kind named name.
func invalid(kind, name string, err error) error {
	return fmt.Errorf("The %s %q is invalid: %v", kind, name, err)
}

// applyDeployment applies a Deployment: creates it, or scales it, rolls out a changed template, sets a changed strategy, minReadySeconds, progressDeadlineSeconds, revisionHistoryLimit and paused, and its labels and annotations.
func (x *Executor) applyDeployment(o *appsv1.Deployment, verb applyVerb) (string, error) {
	c, ns := x.c, x.ns
	spec, err := manifest.ModelDeploymentSpec(o)
	if err != nil {
		return "", invalid("Deployment", o.Name, err)
	}
	spec.Namespace = ns
	d := c.DeploymentIn(ns, o.Name)
	if d == nil {
		d, err := c.CreateDeploymentSpec(spec)
		if err != nil {
			return "", invalid("Deployment", o.Name, err)
		}
		if o.Spec.Paused {
			c.PauseDeployment(d)
		}
		return Done(Deployments, o.Name, verb(true, true)), nil
	}
	if spec.Selector != nil && d.LabelSelector != nil && spec.Selector.String() != d.LabelSelector.String() {
		return "", SelectorImmutable(Deployments, o.Name, spec.Selector.String())
	}
	changed := false
	if spec.Replicas != nil && *spec.Replicas != d.Replicas {
		if err := c.ScaleDeployment(d, *spec.Replicas); err != nil {
			return "", invalid("Deployment", o.Name, err)
		}
		changed = true
	}
	if !c.SameTemplate(spec.Template, d.Template) {
		if err := c.UpdateDeployment(d, spec.Template); err != nil {
			return "", invalid("Deployment", o.Name, err)
		}
		changed = true
	}
	if spec.Strategy.Type != "" && manifest.APIDeployment(c, d).Spec.Strategy.String() != o.Spec.Strategy.String() {
		if err := c.SetDeploymentStrategy(d, spec.Strategy); err != nil {
			return "", invalid("Deployment", o.Name, err)
		}
		changed = true
	}
	// minReadySeconds as given; the pointer fields when given (an apply
	// that leaves them out keeps them); paused when set, or by a patch (an
	// apply without it leaves a `rollout pause` in place).
	params := d.Params()
	params.MinReadySeconds = spec.MinReadySeconds
	if spec.RevisionHistoryLimit != nil {
		params.RevisionHistoryLimit = *spec.RevisionHistoryLimit
	}
	if o.Spec.ProgressDeadlineSeconds != nil {
		params.ProgressDeadline = spec.ProgressDeadline
	}
	if patching := verb(false, true) == "patched"; patching || o.Spec.Paused {
		params.Paused = o.Spec.Paused
	}
	if params != d.Params() {
		if err := c.SetDeploymentParams(d, params); err != nil {
			return "", invalid("Deployment", o.Name, err)
		}
		changed = true
	}
	if err := x.applyMeta(d, o.ObjectMeta, &changed); err != nil {
		return "", invalid("Deployment", o.Name, err)
	}
	return Done(Deployments, o.Name, verb(false, changed)), nil
}

// applyDaemonSet applies a DaemonSet: creates it, or sets its labels and annotations and updates a changed template or update strategy.
func (x *Executor) applyDaemonSet(o *appsv1.DaemonSet, verb applyVerb) (string, error) {
	c, ns := x.c, x.ns
	spec, err := manifest.ModelDaemonSetSpec(o)
	if err != nil {
		return "", invalid("DaemonSet", o.Name, err)
	}
	spec.Namespace = ns
	ds := c.DaemonSetIn(ns, o.Name)
	if ds == nil {
		if _, err := c.CreateDaemonSet(spec); err != nil {
			return "", invalid("DaemonSet", o.Name, err)
		}
		return Done(DaemonSets, o.Name, verb(true, true)), nil
	}
	if spec.Selector != nil && ds.Selector != nil && spec.Selector.String() != ds.Selector.String() {
		return "", SelectorImmutable(DaemonSets, o.Name, spec.Selector.String())
	}
	metaChanged := false
	if err := x.applyMeta(ds, o.ObjectMeta, &metaChanged); err != nil {
		return "", invalid("DaemonSet", o.Name, err)
	}
	if c.SameTemplate(spec.Template, ds.Template) && manifest.APIDaemonSet(c, ds).Spec.UpdateStrategy.String() == o.Spec.UpdateStrategy.String() &&
		spec.MinReadySeconds == ds.MinReadySeconds && (spec.RevisionHistoryLimit == nil || *spec.RevisionHistoryLimit == ds.RevisionHistoryLimit) {
		return Done(DaemonSets, o.Name, verb(false, metaChanged)), nil
	}
	if err := c.UpdateDaemonSet(ds, spec); err != nil {
		return "", invalid("DaemonSet", o.Name, err)
	}
	return Done(DaemonSets, o.Name, verb(false, true)), nil
}

// applyReplicaSet applies a ReplicaSet: creates it, or scales it, sets its minReadySeconds, labels, annotations and template (for the pods it makes from then on; a Deployment's ReplicaSet is then replaced by its Deployment).
func (x *Executor) applyReplicaSet(o *appsv1.ReplicaSet, verb applyVerb) (string, error) {
	c, ns := x.c, x.ns
	spec, err := manifest.ModelReplicaSetSpec(o)
	if err != nil {
		return "", invalid("ReplicaSet", o.Name, err)
	}
	spec.Namespace = ns
	rs := c.ReplicaSetIn(ns, o.Name)
	if rs == nil {
		if _, err := c.CreateReplicaSet(spec); err != nil {
			return "", invalid("ReplicaSet", o.Name, err)
		}
		return Done(ReplicaSets, o.Name, verb(true, true)), nil
	}
	changed := false
	if spec.Replicas != nil && *spec.Replicas != rs.Replicas {
		if err := c.ScaleReplicaSet(rs, *spec.Replicas); err != nil {
			return "", invalid("ReplicaSet", o.Name, err)
		}
		changed = true
	}
	if spec.MinReadySeconds != rs.MinReadySeconds {
		c.SetReplicaSetMinReady(rs, spec.MinReadySeconds)
		changed = true
	}
	// The ReplicaSet takes the new template, for the pods it makes from now
	// on; a Deployment's ReplicaSet then no longer matches its Deployment,
	// whose controller rolls out to a new ReplicaSet of its own template
	// and scales this one down (model.SetReplicaSetTemplate).
	if !c.SameTemplate(spec.Template, rs.Template) {
		if err := c.SetReplicaSetTemplate(rs, spec.Template); err != nil {
			return "", invalid("ReplicaSet", o.Name, err)
		}
		changed = true
	}
	if err := x.applyMeta(rs, o.ObjectMeta, &changed); err != nil {
		return "", invalid("ReplicaSet", o.Name, err)
	}
	return Done(ReplicaSets, o.Name, verb(false, changed)), nil
}

// applyService applies a Service: its ports, type, session affinity, selector, labels and annotations.
func (x *Executor) applyService(o *corev1.Service, verb applyVerb) (string, error) {
	c, ns := x.c, x.ns
	if err := unsimulatedServiceFields(o); err != nil {
		return "", err
	}
	ports := manifest.ModelServicePorts(o.Spec.Ports)
	typ := string(o.Spec.Type)
	if typ == "" {
		typ = "ClusterIP"
	}
	aff := string(o.Spec.SessionAffinity)
	if aff == "" {
		aff = "None"
	}
	s := c.ServiceIn(ns, o.Name)
	created := s == nil
	if created {
		// Check the ports before the Service exists, so that a refused
		// one leaves nothing behind.
		if err := c.CheckServicePorts(o.Name, typ, ports); err != nil {
			return "", invalid("Service", o.Name, err)
		}
	}
	var timeout time.Duration
	if sc := o.Spec.SessionAffinityConfig; sc != nil && sc.ClientIP != nil && sc.ClientIP.TimeoutSeconds != nil {
		timeout = time.Duration(*sc.ClientIP.TimeoutSeconds) * time.Second
	}
	wantTimeout := timeout
	if wantTimeout == 0 {
		wantTimeout = model.DefaultSessionAffinityTimeout
	}
	changed := created
	if created {
		var err error
		if s, err = c.CreateServiceIn(ns, o.Name, o.Spec.Selector, 0); err != nil {
			return "", invalid("Service", o.Name, err)
		}
	} else {
		if !samePorts(s.Ports, ports) || s.Type != typ || s.SessionAffinity != aff || (aff == "ClientIP" && s.SessionAffinityTimeout != wantTimeout) || !manifest.SameMap(s.Labels, o.Labels) || !manifest.SameMap(s.Annotations, o.Annotations) {
			changed = true
		}
	}
	if err := c.SetServicePorts(s, typ, ports); err != nil {
		return "", invalid("Service", o.Name, err)
	}
	if err := c.SetSessionAffinity(s, aff, timeout); err != nil {
		return "", invalid("Service", o.Name, err)
	}
	if !created && (!manifest.SameMap(s.Selector, o.Spec.Selector) || (s.Selector == nil) != (o.Spec.Selector == nil)) {
		c.SetServiceSelector(s, o.Spec.Selector)
		changed = true
	}
	s.Labels, s.Annotations = o.Labels, o.Annotations
	return Done(Services, o.Name, verb(created, changed)), nil
}

// applyPod applies a Pod: creates it, or sets its labels and annotations (a pod's image is not changed in place).
func (x *Executor) applyPod(o *corev1.Pod, verb applyVerb) (string, error) {
	c, ns := x.c, x.ns
	p := c.PodIn(ns, o.Name)
	if p == nil {
		p, err := c.CreatePodIn(ns, o.Name, o.Labels, manifest.ModelPodSpec(o.Spec), nil)
		if err != nil {
			return "", invalid("Pod", o.Name, err)
		}
		if len(o.Annotations) > 0 {
			c.SetPodAnnotations(p, o.Annotations)
		}
		return Done(Pods, o.Name, verb(true, true)), nil
	}
	changed := false
	if !manifest.SameMap(p.Labels, o.Labels) {
		c.SetPodLabels(p, o.Labels)
		changed = true
	}
	if !manifest.SameMap(p.Annotations, o.Annotations) {
		c.SetPodAnnotations(p, o.Annotations)
		changed = true
	}
	if spec := manifest.ModelPodSpec(o.Spec); spec.Image != p.Spec.Image {
		return "", fmt.Errorf("The Pod %q is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds` (kubesim: changing a running pod's image is not simulated)", o.Name)
	}
	return Done(Pods, o.Name, verb(false, changed)), nil
}

// applyNode applies a Node: adds it, or sets its labels, annotations, cordon and taints.
func (x *Executor) applyNode(o *corev1.Node, verb applyVerb) (string, error) {
	c := x.c
	n := c.Node(o.Name)
	if n == nil {
		if _, err := c.AddNode(o.Name, o.Labels, manifest.ModelTaints(o.Spec.Taints), manifest.ModelCapacity(o, x.defaultCapacity)); err != nil {
			return "", invalid("Node", o.Name, err)
		}
		if o.Spec.Unschedulable {
			c.Cordon(o.Name)
		}
		return Done(Nodes, o.Name, verb(true, true)), nil
	}
	changed := false
	want := map[string]string{}
	for k, v := range o.Labels {
		want[k] = v
	}
	want[model.LabelHostname] = n.Labels[model.LabelHostname]
	if !manifest.SameMap(want, n.Labels) {
		if err := c.SetNodeLabels(o.Name, want); err != nil {
			return "", invalid("Node", o.Name, err)
		}
		changed = true
	}
	if o.Spec.Unschedulable != n.Unschedulable {
		if o.Spec.Unschedulable {
			c.Cordon(o.Name)
		} else {
			c.Uncordon(o.Name)
		}
		changed = true
	}
	// The unschedulable taint follows spec.unschedulable (the node
	// lifecycle controller's taintNodeUnschedulable), whatever the object's
	// taints say.
	var taints []model.Taint
	for _, t := range manifest.ModelTaints(o.Spec.Taints) {
		if t.Key != model.TaintUnschedulable {
			taints = append(taints, t)
		}
	}
	for _, t := range n.Taints {
		if t.Key == model.TaintUnschedulable {
			taints = append(taints, t)
		}
	}
	if err := x.syncTaints(n, taints, &changed); err != nil {
		return "", err
	}
	if o.Annotations != nil && !manifest.SameMap(o.Annotations, n.Annotations) {
		c.SetAnnotations(n, o.Annotations)
		changed = true
	}
	return Done(Nodes, o.Name, verb(false, changed)), nil
}

// applyNamespace applies a Namespace: creates it, or sets its labels and annotations.
func (x *Executor) applyNamespace(o *corev1.Namespace, verb applyVerb) (string, error) {
	c := x.c
	n := c.Namespace(o.Name)
	if n == nil {
		if _, err := c.CreateNamespace(o.Name, o.Labels); err != nil {
			return "", err
		}
		return Done(Namespaces, o.Name, verb(true, true)), nil
	}
	changed := false
	if o.Labels != nil {
		want := map[string]string{}
		for k, v := range o.Labels {
			want[k] = v
		}
		want[model.LabelMetadataName] = o.Name
		if !manifest.SameMap(want, n.Labels) {
			c.SetNamespaceLabels(n, want)
			changed = true
		}
	}
	if o.Annotations != nil && !manifest.SameMap(o.Annotations, n.Annotations) {
		c.SetAnnotations(n, o.Annotations)
		changed = true
	}
	return Done(Namespaces, o.Name, verb(false, changed)), nil
}
