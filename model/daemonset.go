package model

import (
	"fmt"
	"sort"
	"time"

	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// DaemonSetStrategy is spec.updateStrategy. Nil MaxUnavailable means 1, nil
// MaxSurge 0 (the API defaults; the documentation's "25%" is wrong).
type DaemonSetStrategy struct {
	Type           string // RollingUpdate (default) or OnDelete
	MaxUnavailable *IntOrPercent
	MaxSurge       *IntOrPercent
}

// DaemonSet is an apps/v1 DaemonSet: one pod on every eligible node.
type DaemonSet struct {
	ObjectMeta
	Selector        *labels.Selector
	Template        PodTemplate
	Strategy        DaemonSetStrategy
	MinReadySeconds sim.Time
	// RevisionHistoryLimit is how many old ControllerRevisions are kept
	// (default 10).
	RevisionHistoryLimit int
	Deleted              bool

	hash        string // controller-revision-hash of the current template
	history     []DaemonSetRevision
	podSpec     PodSpec
	pods        []*Pod
	adoptQ      []*Pod
	relabelled  []*Pod
	creating    map[*Node]bool // creations in flight (expectations)
	syncPending bool
	st          dsState // per-node state (daemonset_state.go)
}

// DaemonSetSpec is what CreateDaemonSet and UpdateDaemonSet need.
type DaemonSetSpec struct {
	Name      string
	Namespace string // "": default
	// Labels and Annotations are the DaemonSet's metadata.
	Labels, Annotations map[string]string
	// Selector nil means the template labels.
	Selector        *labels.Selector
	Template        PodTemplate
	Strategy        DaemonSetStrategy
	MinReadySeconds sim.Time
	// RevisionHistoryLimit nil means 10 at creation, unchanged at update.
	RevisionHistoryLimit *int
}

// Pods returns the pods the DaemonSet owns (terminating ones included).
func (ds *DaemonSet) Pods() []*Pod { return append([]*Pod(nil), ds.pods...) }

// Hash is the controller-revision-hash of the current template.
func (ds *DaemonSet) Hash() string { return ds.hash }

// DaemonSets returns the DaemonSets that exist, in creation order.
func (c *Cluster) DaemonSets() []*DaemonSet {
	out := []*DaemonSet{}
	for _, ds := range c.daemonsets {
		if !ds.Deleted {
			out = append(out, ds)
		}
	}
	return out
}

// DaemonSet returns the DaemonSet named name in the default namespace, or nil.
func (c *Cluster) DaemonSet(name string) *DaemonSet { return c.DaemonSetIn(DefaultNamespace, name) }

// DaemonSetIn returns the DaemonSet named name in namespace ns, or nil.
func (c *Cluster) DaemonSetIn(ns, name string) *DaemonSet {
	ds := c.dsByName[nsName{ns, name}]
	if ds == nil || ds.Deleted {
		return nil
	}
	return ds
}

func (s DaemonSetStrategy) withDefaults() DaemonSetStrategy {
	if s.Type == "" {
		s.Type = RollingUpdate
	}
	if s.Type == RollingUpdate {
		if s.MaxUnavailable == nil {
			s.MaxUnavailable = Int(1)
		}
		if s.MaxSurge == nil {
			s.MaxSurge = Int(0)
		}
	}
	return s
}

func (s DaemonSetStrategy) validate(name string) error {
	switch s.Type {
	case RollingUpdate:
		if s.MaxUnavailable.Value < 0 || s.MaxSurge.Value < 0 {
			return fmt.Errorf("daemonset %q: spec.updateStrategy.rollingUpdate: maxUnavailable and maxSurge must be >= 0", name)
		}
		for _, f := range []struct {
			name string
			v    *IntOrPercent
		}{{"maxUnavailable", s.MaxUnavailable}, {"maxSurge", s.MaxSurge}} {
			if f.v.Percent && f.v.Value > 100 {
				return fmt.Errorf("daemonset %q: spec.updateStrategy.rollingUpdate.%s: Invalid value: %q: must not be greater than 100%%", name, f.name, f.v.String())
			}
		}
		if s.MaxUnavailable.Value == 0 && s.MaxSurge.Value == 0 {
			return fmt.Errorf("daemonset %q: spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0", name)
		}
		if s.MaxSurge.Value > 0 && s.MaxUnavailable.Value > 0 {
			return fmt.Errorf("daemonset %q: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: %s: may not be set when maxUnavailable is non-zero (set maxUnavailable: 0)", name, s.MaxSurge)
		}
	case OnDelete:
		if s.MaxUnavailable != nil || s.MaxSurge != nil {
			return fmt.Errorf("daemonset %q: spec.updateStrategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'OnDelete'", name)
		}
	default:
		return fmt.Errorf("daemonset %q: spec.updateStrategy.type: Unsupported value: %q: supported values: \"OnDelete\", \"RollingUpdate\"", name, s.Type)
	}
	return nil
}

// CreateDaemonSet creates a DaemonSet (kubectl apply of kind DaemonSet).
func (c *Cluster) CreateDaemonSet(s DaemonSetSpec) (*DaemonSet, error) {
	sel := s.Selector
	if sel == nil && len(s.Template.Labels) > 0 {
		sel = labels.SelectorFromMap(s.Template.Labels)
	}
	if err := validateTemplate("DaemonSet", s.Name, sel, s.Template); err != nil {
		return nil, err
	}
	strat := s.Strategy.withDefaults()
	if err := strat.validate(s.Name); err != nil {
		return nil, err
	}
	ns := orDefault(s.Namespace)
	if err := c.canCreateIn(ns); err != nil {
		return nil, err
	}
	if c.DaemonSetIn(ns, s.Name) != nil {
		return nil, fmt.Errorf(`daemonsets.apps %q already exists`, s.Name)
	}
	hist := daemonSetHistoryLimit
	if s.RevisionHistoryLimit != nil {
		hist = *s.RevisionHistoryLimit
	}
	if hist < 0 {
		return nil, fmt.Errorf("daemonset %q: spec.revisionHistoryLimit: must be greater than or equal to 0", s.Name)
	}
	ds := &DaemonSet{ObjectMeta: c.newMeta(s.Name, ns, s.Labels, s.Annotations), Selector: sel, Strategy: strat,
		MinReadySeconds: s.MinReadySeconds, RevisionHistoryLimit: hist, creating: map[*Node]bool{}}
	ds.setTemplate(s.Template)
	ds.touchAll()
	c.daemonsets = append(c.daemonsets, ds)
	c.dsByName[nsName{ds.Namespace, ds.Name}] = ds
	for _, p := range c.pods {
		if p.Owner == nil && !p.Gone && !p.Terminating && p.Namespace == ds.Namespace && sel.MatchesMap(p.Labels) {
			ds.adoptQ = append(ds.adoptQ, p)
		}
	}
	c.enqueueDaemonSet(ds)
	return ds, nil
}

// setTemplate stores the template, its revision hash, and the spec of its pods:
// the template's with the tolerations the controller puts on every daemon pod
// (AddOrUpdateDaemonPodTolerations): a template toleration with the same key,
// operator, value and effect is replaced, so not-ready and unreachable are
// tolerated without a time limit whatever the template says.
func (ds *DaemonSet) setTemplate(t PodTemplate) {
	ds.Template = t.clone()
	ds.hash = computeHash(ds.Template)
	ds.recordRevision()
	spec := ds.Template.Spec.clone()
	add := func(key string, effect TaintEffect) {
		spec.Tolerations = addOrUpdateToleration(spec.Tolerations, Toleration{Key: key, Operator: "Exists", Effect: effect})
	}
	add(TaintNotReady, NoExecute)
	add(TaintUnreachable, NoExecute)
	add(TaintDiskPressure, NoSchedule)
	add(TaintMemoryPressure, NoSchedule)
	add(TaintPIDPressure, NoSchedule)
	add(TaintUnschedulable, NoSchedule)
	if spec.HostNetwork {
		add(TaintNetworkUnavail, NoSchedule)
	}
	ds.podSpec = spec
}

// addOrUpdateToleration is AddOrUpdateTolerationInPodSpec: every toleration
// matching t's key, operator, value and effect becomes t; t is appended if
// none matches.
func addOrUpdateToleration(tols []Toleration, t Toleration) []Toleration {
	var out []Toleration
	updated := false
	for _, x := range tols {
		if x.Key == t.Key && x.Operator == t.Operator && x.Value == t.Value && x.Effect == t.Effect {
			if (x.Seconds == nil) == (t.Seconds == nil) && (x.Seconds == nil || *x.Seconds == *t.Seconds) {
				return tols // already there
			}
			out = append(out, t)
			updated = true
			continue
		}
		out = append(out, x)
	}
	if !updated {
		out = append(out, t)
	}
	return out
}

// UpdateDaemonSet replaces the template and strategy (kubectl apply). The
// selector is immutable. A changed template is rolled out with the strategy.
func (c *Cluster) UpdateDaemonSet(ds *DaemonSet, s DaemonSetSpec) error {
	if ds.Deleted {
		return fmt.Errorf(`daemonsets.apps %q not found`, ds.Name)
	}
	if s.Selector != nil && s.Selector.String() != ds.Selector.String() {
		return fmt.Errorf("daemonset %q: spec.selector: Invalid value: field is immutable", ds.Name)
	}
	if err := validateTemplate("DaemonSet", ds.Name, ds.Selector, s.Template); err != nil {
		return err
	}
	strat := s.Strategy.withDefaults()
	if err := strat.validate(ds.Name); err != nil {
		return err
	}
	hist := ds.RevisionHistoryLimit
	if s.RevisionHistoryLimit != nil {
		hist = *s.RevisionHistoryLimit
	}
	if hist < 0 {
		return fmt.Errorf("daemonset %q: spec.revisionHistoryLimit: must be greater than or equal to 0", ds.Name)
	}
	spec := func() string {
		return strategyKey(ds.Strategy.Type, ds.Strategy.MaxSurge, ds.Strategy.MaxUnavailable) + ds.MinReadySeconds.String() + fmt.Sprint(ds.RevisionHistoryLimit)
	}
	oldHash, oldSpec := ds.hash, spec()
	ds.Strategy = strat
	ds.MinReadySeconds = s.MinReadySeconds
	if hist != ds.RevisionHistoryLimit {
		ds.RevisionHistoryLimit = hist
		ds.trimHistory()
	}
	if !c.SameTemplate(s.Template, ds.Template) {
		ds.setTemplate(s.Template)
	}
	if ds.hash != oldHash || spec() != oldSpec {
		c.bumpGeneration(&ds.ObjectMeta)
	}
	ds.touchAll()
	c.enqueueDaemonSet(ds)
	return nil
}

// RolloutRestartDaemonSet is kubectl rollout restart daemonset: the template
// gets a kubectl.kubernetes.io/restartedAt annotation and is rolled out.
func (c *Cluster) RolloutRestartDaemonSet(ds *DaemonSet) error {
	t := ds.Template.clone()
	if t.Annotations == nil {
		t.Annotations = map[string]string{}
	}
	t.Annotations[AnnotationRestartedAt] = c.WallClock(c.Now()).Format(time.RFC3339)
	s := DaemonSetSpec{Name: ds.Name, Selector: ds.Selector, Template: t, MinReadySeconds: ds.MinReadySeconds}
	s.Strategy = ds.Strategy
	if s.Strategy.Type == OnDelete {
		s.Strategy = DaemonSetStrategy{Type: OnDelete}
	}
	return c.UpdateDaemonSet(ds, s)
}

// DeleteDaemonSet deletes ds; with cascade its pods are deleted, without they
// are orphaned.
func (c *Cluster) DeleteDaemonSet(ds *DaemonSet, cascade bool) {
	if ds.Deleted {
		return
	}
	ds.Deleted = true
	for _, p := range append([]*Pod(nil), ds.pods...) {
		if cascade {
			c.DeletePod(p)
		} else {
			c.releasePod(p)
		}
	}
}

func (c *Cluster) enqueueDaemonSet(ds *DaemonSet) {
	if ds.syncPending || ds.Deleted {
		return
	}
	ds.syncPending = true
	c.E.After(c.d.controllerSync.Sample(), sim.HandlerFunc(func(*sim.Engine, int64) {
		ds.syncPending = false
		c.syncDaemonSet(ds)
	}), 0)
}

// nodeShouldRunDaemonPod is the controller's eligibility test. shouldRun: the
// node matches nodeSelector and required affinity, and every NoSchedule and
// NoExecute taint is tolerated. shouldContinueRunning: the same, but only
// NoExecute taints need tolerating.
func (ds *DaemonSet) nodeShouldRunDaemonPod(n *Node) (shouldRun, shouldContinueRunning bool) {
	if n.Removed {
		return false, false
	}
	s := &ds.podSpec
	if s.NodeName != "" && s.NodeName != n.Name {
		return false, false
	}
	if !nodeMatchesSelectorAndAffinity(s, n) {
		return false, false
	}
	shouldRun, shouldContinueRunning = true, true
	for _, t := range n.Taints {
		if t.Effect == PreferNoSchedule || tolerates(s.Tolerations, t) {
			continue
		}
		shouldRun = false
		if t.Effect == NoExecute {
			shouldContinueRunning = false
		}
	}
	return shouldRun, shouldContinueRunning
}

// ShouldRun reports whether the DaemonSet wants a pod on node n, by the
// controller's own rule (kubectl's DESIRED column counts these nodes).
func (ds *DaemonSet) ShouldRun(n *Node) bool {
	run, _ := ds.nodeShouldRunDaemonPod(n)
	return run
}

func (c *Cluster) syncDaemonSet(ds *DaemonSet) {
	if ds.Deleted {
		return
	}
	for _, p := range ds.relabelled {
		if p.ds == ds && !p.Gone && !p.Terminating && !ds.Selector.MatchesMap(p.Labels) {
			c.releasePod(p)
		}
	}
	clear(ds.relabelled)
	ds.relabelled = ds.relabelled[:0]
	for _, p := range ds.adoptQ {
		if p.Owner == nil && !p.Gone && !p.Terminating && ds.Selector.MatchesMap(p.Labels) {
			p.Owner = &OwnerRef{Kind: "DaemonSet", Name: ds.Name}
			p.ds = ds
			p.daemonIndex().orderOf = nil // at the end of the pod list, whatever it was before
			ds.pods = append(ds.pods, p)
			c.podChanged(p)
		}
	}
	ds.adoptQ = ds.adoptQ[:0]

	ds.refresh(c)
	plan := &ds.st.plan
	ds.planMain(c, plan)
	if plan.rolling {
		ds.planRolling(c, plan)
	}
	if daemonPlanCheck != nil {
		daemonPlanCheck(c, ds, plan)
	}
	c.createDaemonPods(ds, plan.create)
	for _, p := range plan.del {
		c.eventPodDeleted(DaemonSetRef(ds), SourceDaemonSet, p)
		c.DeletePod(p)
	}
	if plan.rolling {
		c.createDaemonPods(ds, plan.rollCreate)
		for _, p := range plan.rollDel {
			c.eventPodDeleted(DaemonSetRef(ds), SourceDaemonSet, p)
			c.DeletePod(p)
		}
	}
}

// createDaemonPods creates daemon pods for nodes in slow-start batches.
func (c *Cluster) createDaemonPods(ds *DaemonSet, nodes []*Node) {
	if len(nodes) == 0 {
		return
	}
	nodes = append([]*Node(nil), nodes...)
	for _, n := range nodes {
		ds.creating[n] = true
	}
	c.slowStart(&c.dsClient, len(nodes), func(k int) {
		for _, n := range nodes[:k] {
			delete(ds.creating, n)
			if !ds.Deleted && !n.Removed {
				c.createDaemonPod(ds, n)
			}
		}
		nodes = nodes[k:]
	}, func() { c.enqueueDaemonSet(ds) })
}

// surplusDaemonPods picks the pods to delete when a node runs more than one
// daemon pod. Without surge the oldest is kept. With surge two are allowed
// while the oldest new-revision pod is not yet available and the oldest
// old-revision pod is Ready; otherwise only the new one stays.
func (ds *DaemonSet) surplusDaemonPods(running []*Pod, now sim.Time) []*Pod {
	if len(running) <= 1 {
		return nil
	}
	sort.SliceStable(running, func(i, j int) bool { return running[i].CreationTimestamp < running[j].CreationTimestamp })
	if ds.Strategy.MaxSurge == nil || ds.Strategy.MaxSurge.Value == 0 {
		return append([]*Pod(nil), running[1:]...)
	}
	var del []*Pod
	var oldestNew, oldestOld *Pod
	for _, p := range running {
		if p.Labels[LabelControllerRevHash] == ds.hash {
			if oldestNew == nil {
				oldestNew = p
				continue
			}
		} else if oldestOld == nil {
			oldestOld = p
			continue
		}
		del = append(del, p)
	}
	if oldestNew != nil && oldestOld != nil && (!oldestOld.Ready || isAvailable(oldestNew, ds.MinReadySeconds, now)) {
		del = append(del, oldestOld)
	}
	return del
}

// daemonPodTarget is the node a daemon pod is pinned to by its node affinity.
func (c *Cluster) daemonPodTarget(p *Pod) *Node {
	if p.Spec.Affinity == nil {
		return nil
	}
	for _, t := range p.Spec.Affinity.Terms {
		for _, f := range t.MatchFields {
			if f.Key == "metadata.name" && len(f.Values) == 1 {
				return c.nodeByName[f.Values[0]]
			}
		}
	}
	return nil
}

// createDaemonPod creates the daemon pod for n, pinned to it by a required node
// affinity on metadata.name (the scheduler binds it).
func (c *Cluster) createDaemonPod(ds *DaemonSet, n *Node) {
	spec := ds.podSpec.clone()
	pin := NodeSelectorRequirement{Key: "metadata.name", Operator: "In", Values: []string{n.Name}}
	if spec.Affinity == nil || len(spec.Affinity.Terms) == 0 {
		spec.Affinity = &NodeAffinity{Terms: []NodeSelectorTerm{{MatchFields: []NodeSelectorRequirement{pin}}}}
	} else {
		for i := range spec.Affinity.Terms {
			spec.Affinity.Terms[i].MatchFields = []NodeSelectorRequirement{pin}
		}
	}
	lbls := copyLabels(ds.Template.Labels)
	if lbls == nil {
		lbls = map[string]string{}
	}
	lbls[LabelControllerRevHash] = ds.hash
	p := c.newPod(ds.Namespace, ds.Name+"-", c.newPodShared(ds.Namespace, lbls, ds.Template.Annotations, spec, &OwnerRef{Kind: "DaemonSet", Name: ds.Name}), nil, ds)
	c.eventPodCreated(DaemonSetRef(ds), SourceDaemonSet, p)
}
