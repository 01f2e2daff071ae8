package kubectl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/model/labels"
	"github.com/kubesim/kubesim/scenarios/manifest"
	"github.com/kubesim/kubesim/sim"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// applyPDB creates or updates a policy/v1 PodDisruptionBudget; verb names
// the outcome (created, changed) as kubectl's apply or patch prints it.
func (x *Executor) applyPDB(o *policyv1.PodDisruptionBudget, verb applyVerb) (string, error) {
	invalid := func(err error) error {
		return fmt.Errorf("The PodDisruptionBudget %q is invalid: %v", o.Name, err)
	}
	sel, err := labels.FromLabelSelector(o.Spec.Selector)
	if err != nil {
		return "", invalid(fmt.Errorf("spec.selector: %v", err))
	}
	spec := model.PDBSpec{Name: o.Name, Namespace: x.ns, Selector: sel, Labels: o.Labels, Annotations: o.Annotations}
	if spec.MinAvailable, err = budgetValue(o.Spec.MinAvailable, "spec.minAvailable"); err != nil {
		return "", invalid(err)
	}
	if spec.MaxUnavailable, err = budgetValue(o.Spec.MaxUnavailable, "spec.maxUnavailable"); err != nil {
		return "", invalid(err)
	}
	b := x.c.PDBIn(x.ns, o.Name)
	if b == nil {
		if _, err := x.c.CreatePDB(spec); err != nil {
			return "", invalid(err)
		}
		return Done(PodDisruptionBudgets, o.Name, verb(true, true)), nil
	}
	changed := false
	if err := x.applyMeta(b, o.ObjectMeta, &changed); err != nil {
		return "", invalid(err)
	}
	same := sel.String() == b.Selector.String() && sameIOP(spec.MinAvailable, b.MinAvailable) && sameIOP(spec.MaxUnavailable, b.MaxUnavailable)
	if same {
		return Done(PodDisruptionBudgets, o.Name, verb(false, changed)), nil
	}
	if err := x.c.UpdatePDB(b, spec); err != nil {
		return "", invalid(err)
	}
	return Done(PodDisruptionBudgets, o.Name, verb(false, true)), nil
}

// pdbObject is b as the API server returns a policy/v1 PodDisruptionBudget:
// spec, and the disruption controller's status. The DisruptionAllowed
// condition's lastTransitionTime is the budget's creation time (kubesim does
// not record when the condition last changed).
func (x *Executor) pdbObject(_ *printer, b *model.PodDisruptionBudget) *policyv1.PodDisruptionBudget {
	out := &policyv1.PodDisruptionBudget{TypeMeta: metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: manifest.APIMeta(x.c, &b.ObjectMeta),
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: apiBudget(b.MinAvailable), MaxUnavailable: apiBudget(b.MaxUnavailable),
			Selector: manifest.LabelSelectorOf(b.Selector)}}
	st := x.c.PDBStatus(b)
	out.Status = policyv1.PodDisruptionBudgetStatus{ObservedGeneration: b.Generation, DisruptionsAllowed: int32(st.DisruptionsAllowed),
		CurrentHealthy: int32(st.CurrentHealthy), DesiredHealthy: int32(st.DesiredHealthy), ExpectedPods: int32(st.ExpectedPods)}
	cond := metav1.Condition{Type: policyv1.DisruptionAllowedCondition, ObservedGeneration: b.Generation,
		LastTransitionTime: out.CreationTimestamp}
	switch {
	case st.SyncFailed != "":
		cond.Status, cond.Reason, cond.Message = metav1.ConditionFalse, policyv1.SyncFailedReason, st.SyncFailed
	case st.DisruptionsAllowed > 0:
		cond.Status, cond.Reason = metav1.ConditionTrue, policyv1.SufficientPodsReason
	default:
		cond.Status, cond.Reason = metav1.ConditionFalse, policyv1.InsufficientPodsReason
	}
	out.Status.Conditions = []metav1.Condition{cond}
	return out
}

func apiBudget(v *model.IntOrPercent) *intstr.IntOrString {
	if v == nil {
		return nil
	}
	var x intstr.IntOrString
	if v.Percent {
		x = intstr.FromString(strconv.Itoa(v.Value) + "%")
	} else {
		x = intstr.FromInt32(int32(v.Value))
	}
	return &x
}

func sameIOP(a, b *model.IntOrPercent) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// budgetValue reads an intstr as the API server's validation does: an
// integer, or a string "N%".
func budgetValue(v *intstr.IntOrString, field string) (*model.IntOrPercent, error) {
	if v == nil {
		return nil, nil
	}
	if v.Type == intstr.Int {
		return model.Int(int(v.IntVal)), nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v.StrVal, "%"))
	if !strings.HasSuffix(v.StrVal, "%") || err != nil {
		return nil, fmt.Errorf("%s: Invalid value: %q: a valid percent string must be a numeric string followed by an ending '%%' (e.g. '1%%',  or '93%%', regex used for validation is '[0-9]+%%')", field, v.StrVal)
	}
	return model.Percent(n), nil
}

// pdbRow is kubectl get pdb's row.
func (p *printer) pdbRow(b *model.PodDisruptionBudget) (row, wide []string) {
	min, maxU := "N/A", "N/A"
	if b.MinAvailable != nil {
		min = b.MinAvailable.String()
	}
	if b.MaxUnavailable != nil {
		maxU = b.MaxUnavailable.String()
	}
	st := p.c.PDBStatus(b)
	return []string{b.Name, min, maxU, strconv.Itoa(st.DisruptionsAllowed), p.age(b.CreationTimestamp)}, nil
}

// describePDB is kubectl describe pdb.
func (p *printer) describePDB(w *DescribeWriter, b *model.PodDisruptionBudget) {
	w.write(0, "Name:\t%s\n", b.Name)
	w.write(0, "Namespace:\t%s\n", b.Namespace)
	switch {
	case b.MinAvailable != nil:
		w.write(0, "Min available:\t%s\n", b.MinAvailable)
	case b.MaxUnavailable != nil:
		w.write(0, "Max unavailable:\t%s\n", b.MaxUnavailable)
	}
	switch {
	case b.Selector.IsNothing():
		w.write(0, "Selector:\t<unset>\n")
	case b.Selector.Empty():
		w.write(0, "Selector:\t<none>\n")
	default:
		w.write(0, "Selector:\t%s\n", b.Selector.String())
	}
	st := p.c.PDBStatus(b)
	w.write(0, "Status:\n")
	w.write(2, "Allowed disruptions:\t%d\n", st.DisruptionsAllowed)
	w.write(2, "Current:\t%d\n", st.CurrentHealthy)
	w.write(2, "Desired:\t%d\n", st.DesiredHealthy)
	w.write(2, "Total:\t%d\n", st.ExpectedPods)
	w.write(0, "Events:\t<none>\n")
}

// drainRetry is kubectl drain's wait after a refused eviction.
const drainRetry = 5 * time.Second

// drain is kubectl drain NODE: cordon, refuse DaemonSet pods (unless
// --ignore-daemonsets), unmanaged pods (unless --force) and pods with local
// storage (unless --delete-emptydir-data), then evict every other pod
// through the eviction API. An eviction a PodDisruptionBudget refuses (429)
// is retried every 5 s, as kubectl does, until it goes through: the retries
// and the end of the drain appear as later output of the step (a repeated
// refusal is printed once, with the number of retries when it ends).
func (x *Executor) drain(cmd Command, line string, n *model.Node) ([]string, error) {
	c := x.c
	var out []string
	grace := sim.Time(-1)
	if cmd.GracePeriod >= 0 {
		grace = time.Duration(cmd.GracePeriod) * time.Second
	}
	if !n.Unschedulable {
		out = append(out, Done(Nodes, n.Name, "cordoned"))
	}
	if err := c.Cordon(n.Name); err != nil {
		return out, err
	}
	var daemon, unmanaged, local, evict []*model.Pod
	for _, p := range n.Pods() {
		if p.Gone || p.Terminating {
			continue
		}
		switch {
		case p.IsDaemon():
			daemon = append(daemon, p)
		case p.Owner == nil:
			unmanaged = append(unmanaged, p)
			if cmd.Force {
				evict = append(evict, p)
			}
		case p.Spec.LocalStorage:
			local = append(local, p)
			if cmd.DeleteEmptyDir {
				evict = append(evict, p)
			}
		default:
			evict = append(evict, p)
		}
	}
	names := func(ps []*model.Pod) string {
		s := make([]string, len(ps))
		for i, p := range ps {
			s[i] = p.Namespace + "/" + p.Name
		}
		sort.Strings(s)
		return strings.Join(s, ", ")
	}
	var errs, warns []string
	if len(daemon) > 0 {
		if cmd.IgnoreDaemonSets {
			warns = append(warns, "ignoring DaemonSet-managed Pods: "+names(daemon))
		} else {
			errs = append(errs, "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): "+names(daemon))
		}
	}
	if len(unmanaged) > 0 {
		if cmd.Force {
			warns = append(warns, "deleting Pods that declare no controller: "+names(unmanaged))
		} else {
			errs = append(errs, "cannot delete Pods that declare no controller (use --force to override): "+names(unmanaged))
		}
	}
	if len(local) > 0 {
		if cmd.DeleteEmptyDir {
			warns = append(warns, "deleting Pods with local storage: "+names(local))
		} else {
			errs = append(errs, "cannot delete Pods with local storage (use --delete-emptydir-data to override): "+names(local))
		}
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("error: unable to drain node %q due to error: [%s]", n.Name, strings.Join(errs, ", "))
	}
	if len(warns) > 0 {
		out = append(out, "Warning: "+strings.Join(warns, "; "))
	}
	var evicted, blocked []*model.Pod
	for _, p := range evict {
		out = append(out, Evicting(p.Namespace, p.Name))
		if err := c.Evict(p, grace); err != nil {
			if e, ok := err.(*model.EvictionError); ok && e.Code == 429 {
				out = append(out, evictRetryLine(p))
				blocked = append(blocked, p)
				continue
			}
			return out, fmt.Errorf("error when evicting pods/%q -n %q: %v", p.Name, p.Namespace, err)
		}
		evicted = append(evicted, p)
	}
	for _, p := range evicted {
		out = append(out, Done(Pods, p.Name, "evicted"))
	}
	if len(blocked) == 0 {
		out = append(out, Done(Nodes, n.Name, "drained"))
		return out, nil
	}
	x.retryEvictions(line, n, blocked, grace)
	return out, nil
}

func evictRetryLine(p *model.Pod) string {
	return fmt.Sprintf("error when evicting pods/%q -n %q (will retry after 5s): %s", p.Name, p.Namespace, model.MsgEvictionViolatesPDB)
}

// retryEvictions retries the refused evictions every 5 s until each pod is
// evicted (or gone), then reports the node drained.
func (x *Executor) retryEvictions(line string, n *model.Node, pods []*model.Pod, grace sim.Time) {
	c := x.c
	tries := make([]int, len(pods))
	var retry func(*sim.Engine, int64)
	retry = func(*sim.Engine, int64) {
		var lines []string
		left := 0
		for i, p := range pods {
			if p == nil {
				continue
			}
			if p.Gone || p.Terminating {
				pods[i] = nil
				continue
			}
			tries[i]++
			if err := c.Evict(p, grace); err != nil {
				left++
				continue
			}
			lines = append(lines, Evicting(p.Namespace, p.Name),
				fmt.Sprintf("%s (after %d refused evictions, %s)", Done(Pods, p.Name, "evicted"), tries[i], ShortDuration(time.Duration(tries[i])*drainRetry)))
			pods[i] = nil
		}
		if left == 0 {
			lines = append(lines, Done(Nodes, n.Name, "drained"))
		}
		if len(lines) > 0 && x.later != nil {
			x.later(line, strings.Join(lines, "\n"))
		}
		if left > 0 && !n.Removed {
			c.E.After(drainRetry, sim.HandlerFunc(retry), 0)
		}
	}
	c.E.After(drainRetry, sim.HandlerFunc(retry), 0)
}

// createPDB is kubectl create poddisruptionbudget (pdb) NAME --selector=...
// --min-available=N|--max-unavailable=N (N or N%; the flags are checked by
// Parse), with --dry-run=client [-o yaml|json|name].
func (x *Executor) createPDB(cmd Command) (string, error) {
	name := cmd.Targets[0].Name
	sel, err := metav1.ParseToLabelSelector(cmd.Selector)
	if err != nil {
		return "", fmt.Errorf("error: %v", err)
	}
	b := &policyv1.PodDisruptionBudget{TypeMeta: metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: dryRunNamespace(cmd)}, Spec: policyv1.PodDisruptionBudgetSpec{Selector: sel}}
	if cmd.MinAvailable != "" {
		v := intstr.Parse(cmd.MinAvailable)
		b.Spec.MinAvailable = &v
	} else {
		v := intstr.Parse(cmd.MaxUnavailable)
		b.Spec.MaxUnavailable = &v
	}
	if cmd.DryRun != "" {
		return dryRun(cmd, b, PodDisruptionBudgets, name, "created") // objects.go
	}
	if x.c.PDBIn(x.ns, name) != nil {
		return "", fmt.Errorf("error: failed to create poddisruptionbudgets: poddisruptionbudgets.policy %q already exists", name)
	}
	out, err := x.applyObject(b, "create pdb", false)
	if err != nil {
		return "", fmt.Errorf("error: failed to create poddisruptionbudgets: %v", err)
	}
	return out, nil
}
