package model

import (
	"fmt"

	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/sim"
)

// PodDisruptionBudget is a policy/v1 PodDisruptionBudget: how many of the pods
// its selector matches must stay healthy (MinAvailable) or may be unavailable
// (MaxUnavailable) while pods are evicted. Exactly one of the two is set.
type PodDisruptionBudget struct {
	ObjectMeta
	// Selector matches the budget's pods: an empty selector matches every
	// pod of the namespace, a nil one none (policy/v1).
	Selector       *labels.Selector
	MinAvailable   *IntOrPercent
	MaxUnavailable *IntOrPercent
	Deleted        bool
}

// PDBStatus is a budget's status as the disruption controller computes it
// (its updatePdbStatus): ExpectedPods, the pods that should exist;
// DesiredHealthy, the healthy pods the budget requires; CurrentHealthy, the
// matching pods that are Ready and not being deleted; DisruptionsAllowed,
// CurrentHealthy - DesiredHealthy (0 when negative or when no pod is
// expected). SyncFailed is set, with DisruptionsAllowed 0, when the
// controller cannot find the scale of a pod's controller.
type PDBStatus struct {
	ExpectedPods, DesiredHealthy, CurrentHealthy, DisruptionsAllowed int
	SyncFailed                                                       string
	// Unmanaged lists matching pods without a controller (the controller's
	// UnmanagedPods warning); they count only for an integer minAvailable.
	Unmanaged []string
}

// PDBSpec is what CreatePDB needs.
type PDBSpec struct {
	Name           string
	Namespace      string // "": default
	Labels         map[string]string
	Annotations    map[string]string
	Selector       *labels.Selector
	MinAvailable   *IntOrPercent
	MaxUnavailable *IntOrPercent
}

func (s PDBSpec) validate() error {
	if s.Name == "" {
		return fmt.Errorf("metadata.name: Required value")
	}
	switch {
	case s.MinAvailable != nil && s.MaxUnavailable != nil:
		return fmt.Errorf("spec: Invalid value: minAvailable and maxUnavailable cannot be both set")
	case s.MinAvailable != nil:
		return validateBudget("spec.minAvailable", *s.MinAvailable)
	case s.MaxUnavailable != nil:
		return validateBudget("spec.maxUnavailable", *s.MaxUnavailable)
	}
	return nil
}

// validateBudget is ValidatePodDisruptionBudgetSpec's check of one value: not
// negative, a percentage at most 100%.
func validateBudget(field string, v IntOrPercent) error {
	if v.Value < 0 {
		return fmt.Errorf("%s: Invalid value: %s: must be greater than or equal to 0", field, v)
	}
	if v.Percent && v.Value > 100 {
		return fmt.Errorf("%s: Invalid value: %s: must not be greater than 100%%", field, v)
	}
	return nil
}

// CreatePDB creates a PodDisruptionBudget in its namespace.
func (c *Cluster) CreatePDB(s PDBSpec) (*PodDisruptionBudget, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	ns := orDefault(s.Namespace)
	if err := c.canCreateIn(ns); err != nil {
		return nil, err
	}
	if c.PDBIn(ns, s.Name) != nil {
		return nil, fmt.Errorf("poddisruptionbudgets.policy %q already exists", s.Name)
	}
	b := &PodDisruptionBudget{ObjectMeta: c.newMeta(s.Name, ns, s.Labels, s.Annotations), Selector: s.Selector,
		MinAvailable: s.MinAvailable, MaxUnavailable: s.MaxUnavailable}
	c.pdbs = append(c.pdbs, b)
	return b, nil
}

// UpdatePDB replaces the budget's selector and values (kubectl apply).
func (c *Cluster) UpdatePDB(b *PodDisruptionBudget, s PDBSpec) error {
	if err := s.validate(); err != nil {
		return err
	}
	b.Selector, b.MinAvailable, b.MaxUnavailable = s.Selector, s.MinAvailable, s.MaxUnavailable
	c.bumpGeneration(&b.ObjectMeta)
	return nil
}

// DeletePDB deletes the budget.
func (c *Cluster) DeletePDB(b *PodDisruptionBudget) {
	b.Deleted = true
	kept := c.pdbs[:0]
	for _, x := range c.pdbs {
		if x != b {
			kept = append(kept, x)
		}
	}
	c.pdbs = kept
}

// PDBs returns the budgets, in creation order.
func (c *Cluster) PDBs() []*PodDisruptionBudget {
	return append([]*PodDisruptionBudget(nil), c.pdbs...)
}

// PDB returns the budget named name in namespace default, or nil.
func (c *Cluster) PDB(name string) *PodDisruptionBudget { return c.PDBIn(DefaultNamespace, name) }

// PDBIn returns the budget named name in namespace ns, or nil.
func (c *Cluster) PDBIn(ns, name string) *PodDisruptionBudget {
	ns = orDefault(ns)
	for _, b := range c.pdbs {
		if b.Name == name && b.Namespace == ns {
			return b
		}
	}
	return nil
}

// pdbPods is the pods the budget's selector matches (getPodsForPdb): every pod
// of its namespace that exists, terminating ones included.
func (c *Cluster) pdbPods(b *PodDisruptionBudget) []*Pod {
	if b.Selector.IsNothing() {
		return nil
	}
	var out []*Pod
	for _, p := range c.pods {
		if !p.Gone && p.Namespace == b.Namespace && b.Selector.MatchesMap(p.Labels) {
			out = append(out, p)
		}
	}
	return out
}

// PDBsOf returns the budgets whose selector matches p.
func (c *Cluster) PDBsOf(p *Pod) []*PodDisruptionBudget {
	var out []*PodDisruptionBudget
	for _, b := range c.pdbs {
		if p.Namespace == b.Namespace && !b.Selector.IsNothing() && b.Selector.MatchesMap(p.Labels) {
			out = append(out, b)
		}
	}
	return out
}

// PDBStatus computes the budget's status now. The disruption controller
// recomputes it on every pod and controller change; kubesim computes it when
// asked, which is the controller with no delay.
func (c *Cluster) PDBStatus(b *PodDisruptionBudget) PDBStatus {
	pods := c.pdbPods(b)
	var st PDBStatus
	switch {
	case b.MaxUnavailable != nil:
		exp, err := c.expectedScale(pods, &st)
		if err != "" {
			return PDBStatus{SyncFailed: err, CurrentHealthy: countHealthy(pods)}
		}
		st.ExpectedPods = exp
		st.DesiredHealthy = max(exp-b.MaxUnavailable.scaled(exp, true), 0)
	case b.MinAvailable != nil && !b.MinAvailable.Percent:
		st.DesiredHealthy = b.MinAvailable.Value
		st.ExpectedPods = len(pods)
	case b.MinAvailable != nil:
		exp, err := c.expectedScale(pods, &st)
		if err != "" {
			return PDBStatus{SyncFailed: err, CurrentHealthy: countHealthy(pods)}
		}
		st.ExpectedPods = exp
		st.DesiredHealthy = b.MinAvailable.scaled(exp, true)
	}
	st.CurrentHealthy = countHealthy(pods)
	st.DisruptionsAllowed = st.CurrentHealthy - st.DesiredHealthy
	if st.ExpectedPods <= 0 || st.DisruptionsAllowed < 0 {
		st.DisruptionsAllowed = 0
	}
	return st
}

// countHealthy is countHealthyPods: Ready pods not being deleted.
func countHealthy(pods []*Pod) int {
	n := 0
	for _, p := range pods {
		if !p.Terminating && p.Ready {
			n++
		}
	}
	return n
}

// expectedScale is getExpectedScale: the sum of the scales of the pods'
// controllers, each counted once (a Deployment's replicas for its
// ReplicaSets' pods, a bare ReplicaSet's replicas). Pods without a controller
// are listed as unmanaged; a controller without a scale subresource (a
// DaemonSet) makes the sync fail.
func (c *Cluster) expectedScale(pods []*Pod, st *PDBStatus) (int, string) {
	seen := map[any]bool{}
	total := 0
	for _, p := range pods {
		switch {
		case p.rs != nil && p.rs.deploy != nil:
			if !seen[p.rs.deploy] {
				seen[p.rs.deploy] = true
				total += p.rs.deploy.Replicas
			}
		case p.rs != nil:
			if !seen[p.rs] {
				seen[p.rs] = true
				total += p.rs.Replicas
			}
		case p.ds != nil:
			return 0, fmt.Sprintf("found no controllers for pod %q: DaemonSet %q has no scale subresource", p.Name, p.ds.Name)
		default:
			st.Unmanaged = append(st.Unmanaged, p.Name)
		}
	}
	return total, ""
}

// EvictionError is the eviction API's refusal: Code 429 (TooManyRequests)
// when a budget allows no disruption, 500 when several budgets match.
type EvictionError struct {
	Code int
	Msg  string
	// Cause is the status detail (the budget and its counts).
	Cause string
}

func (e *EvictionError) Error() string { return e.Msg }

// MsgEvictionViolatesPDB is the eviction API's message for a 429.
const MsgEvictionViolatesPDB = "Cannot evict pod as it would violate the pod's disruption budget."

// Evict is the pods/eviction subresource (policy/v1 Eviction): the pod is
// deleted with grace (negative: its own) unless a budget forbids it. A pod
// that is Pending, finished or already terminating is deleted without
// looking at budgets (canIgnorePDB). More than one matching budget is an
// error (500). An unready pod may go while the budget is healthy
// (unhealthyPodEvictionPolicy IfHealthyBudget, the default); otherwise a
// budget with no disruption allowed refuses with 429.
func (c *Cluster) Evict(p *Pod, grace sim.Time) error {
	if p.Gone {
		return fmt.Errorf("pods %q not found", p.Name)
	}
	if p.Terminating || p.Phase == PodPending || p.Phase == PodSucceeded || p.Phase == PodFailed {
		c.DeletePodGrace(p, grace)
		return nil
	}
	bs := c.PDBsOf(p)
	switch len(bs) {
	case 0:
	case 1:
		b := bs[0]
		st := c.PDBStatus(b)
		unhealthyOK := !p.Ready && st.SyncFailed == "" && st.CurrentHealthy >= st.DesiredHealthy && st.DesiredHealthy > 0
		if !unhealthyOK && st.DisruptionsAllowed <= 0 {
			return &EvictionError{Code: 429, Msg: MsgEvictionViolatesPDB,
				Cause: fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently", b.Name, st.DesiredHealthy, st.CurrentHealthy)}
		}
	default:
		return &EvictionError{Code: 500, Msg: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."}
	}
	c.DeletePodGrace(p, grace)
	return nil
}
