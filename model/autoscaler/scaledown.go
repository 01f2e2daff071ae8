package autoscaler

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubesim/kubesim/model"
	"github.com/kubesim/kubesim/sim"
)

// Annotations and taints of cluster-autoscaler.
const (
	AnnotationSafeToEvict = "cluster-autoscaler.kubernetes.io/safe-to-evict"
	TaintToBeDeleted      = "ToBeDeletedByClusterAutoscaler"
)

// Drain timings of cluster-autoscaler's actuator.
const (
	evictionRetry      = 10 * time.Second // EvictionRetryTime
	maxPodEvictionTime = 2 * time.Minute  // MaxPodEvictionTime
	podGonePoll        = 5 * time.Second
	maxEmptyBulkDelete = 10
)

// Blocker is why a pod keeps its node from being removed, in
// cluster-autoscaler's drainability words.
type Blocker string

// Blocking reasons (drain.BlockingPodReason).
const (
	NotBlocked                Blocker = ""
	NotSafeToEvictAnnotation  Blocker = "NotSafeToEvictAnnotation"
	NotReplicated             Blocker = "NotReplicated"
	UnmovableKubeSystemPod    Blocker = "UnmovableKubeSystemPod"
	LocalStorageRequested     Blocker = "LocalStorageRequested"
	NotEnoughPdb              Blocker = "NotEnoughPdb"
	NoPlaceToMovePods         Blocker = "NoPlaceToMovePods"
	NotUnderutilized          Blocker = "NotUnderutilized"
	NodeGroupMinSizeReached   Blocker = "NodeGroupMinSizeReached"
	ScaleDownDisabledByAnnotn Blocker = "ScaleDownDisabledAnnotation"
)

// PodBlocks is the drainability rule for one pod that is not a DaemonSet's
// (those stay with the node and never block): what keeps the autoscaler
// from moving it, budgets aside.
func PodBlocks(c *model.Cluster, p *model.Pod) Blocker {
	switch p.Annotations[AnnotationSafeToEvict] {
	case "false":
		return NotSafeToEvictAnnotation
	case "true":
		return NotBlocked
	}
	if p.Owner == nil {
		return NotReplicated
	}
	if p.Namespace == "kube-system" && len(c.PDBsOf(p)) == 0 {
		return UnmovableKubeSystemPod
	}
	if p.Spec.LocalStorage {
		return LocalStorageRequested
	}
	return NotBlocked
}

// Utilization is the node's requests over its capacity, the larger of CPU
// and memory (cluster-autoscaler's utilization.Calculate, DaemonSet pods
// included).
func Utilization(n *model.Node) float64 {
	r := n.Allocated()
	u := 0.0
	if n.Capacity.MilliCPU > 0 {
		u = float64(r.MilliCPU) / float64(n.Capacity.MilliCPU)
	}
	if n.Capacity.Memory > 0 {
		u = max(u, float64(r.Memory)/float64(n.Capacity.Memory))
	}
	return u
}

// movable reports whether every pod of n that must move can: none blocks,
// budgets allow it (budget is what remains of each budget in this pass, and
// is decremented on success) and each finds a place on dest (first fit,
// skipping the nodes that are off; the caller sets n's own node off).
func (a *Autoscaler) movable(n *model.Node, dest []*simNode, budget map[*model.PodDisruptionBudget]int) (Blocker, string) {
	var move []*model.Pod
	for _, p := range n.Pods() {
		if p.Gone || p.Terminating || p.IsDaemon() {
			continue
		}
		if b := PodBlocks(a.c, p); b != NotBlocked {
			return b, p.Name
		}
		move = append(move, p)
	}
	use := map[*model.PodDisruptionBudget]int{}
	for _, p := range move {
		for _, b := range a.c.PDBsOf(p) {
			if _, ok := budget[b]; !ok {
				budget[b] = a.c.PDBStatus(b).DisruptionsAllowed
			}
			use[b]++
			if use[b] > budget[b] {
				return NotEnoughPdb, p.Name
			}
		}
	}
	// A node that cannot be emptied leaves dest as it was: its placements
	// are undone.
	placed := make([]*simNode, 0, len(move))
	for _, p := range move {
		s := place(p, dest)
		if s == nil {
			for j, q := range placed {
				q.extra = q.extra.Sub(move[j].Requests())
				q.pods--
				q.placed = q.placed[:len(q.placed)-1]
			}
			return NoPlaceToMovePods, p.Name
		}
		placed = append(placed, s)
	}
	for b, k := range use {
		budget[b] -= k
	}
	return NotBlocked, ""
}

// scaleDown updates the unneeded nodes and, unless cooling down, removes
// those unneeded long enough.
func (a *Autoscaler) scaleDown(scaledUp bool) {
	now := a.c.Now()
	live := a.liveNodes()
	index := make(map[*model.Node]*simNode, len(live))
	for _, s := range live {
		index[s.n] = s
	}
	budget := map[*model.PodDisruptionBudget]int{}
	removable := map[*model.Node]bool{}
	var order []*model.Node
	for _, g := range a.groups {
		for _, n := range g.nodes {
			if a.deleting[n] || !n.Ready || !n.Up {
				delete(a.unneeded, n)
				continue
			}
			if Utilization(n) >= a.cfg.ScaleDownUtilizationThreshold {
				delete(a.unneeded, n)
				continue
			}
			self := index[n]
			if self != nil && self.pods > 0 {
				// It takes pods of a node found removable earlier in this
				// pass: it stays.
				delete(a.unneeded, n)
				continue
			}
			if self != nil {
				self.off = true
			}
			if b, _ := a.movable(n, live, budget); b != NotBlocked {
				if self != nil {
					self.off = false
				}
				delete(a.unneeded, n)
				continue
			}
			removable[n] = true // stays off: its pods are gone from it
			order = append(order, n)
			if _, ok := a.unneeded[n]; !ok {
				a.unneeded[n] = now
			}
		}
	}
	for n := range a.unneeded {
		if !removable[n] {
			delete(a.unneeded, n)
		}
	}
	if scaledUp || (a.scaledUpEver && now < a.lastScaleUp+a.cfg.ScaleDownDelayAfterAdd) ||
		(a.lastDelete > 0 && now < a.lastDelete+a.cfg.ScaleDownDelayAfterDelete) ||
		(a.lastFail > 0 && now < a.lastFail+a.cfg.ScaleDownDelayAfterFailure) {
		return
	}
	var empty []*model.Node
	var busy *model.Node
	left := map[*group]int{}
	for _, g := range a.groups {
		left[g] = len(g.nodes) - a.deletingIn(g) - g.Min
	}
	for _, n := range order {
		if now-a.unneeded[n] < a.cfg.ScaleDownUnneededTime {
			continue
		}
		g := a.groupOf[n]
		if left[g] <= 0 {
			continue
		}
		if nonDaemonPods(n) == 0 {
			if len(empty) < maxEmptyBulkDelete {
				empty = append(empty, n)
				left[g]--
			}
		} else if busy == nil {
			busy = n
		}
	}
	switch {
	case len(empty) > 0:
		for _, n := range empty {
			a.event("Normal", "ScaleDownEmpty", model.NodeRef(n), "marked the node as toBeDeleted/unschedulable")
			a.event("Normal", "ScaleDownEmpty", statusRef, fmt.Sprintf("Scale-down: removing empty node %q", n.Name))
			a.deleteNode(n)
		}
		a.lastDelete = now
		a.status = fmt.Sprintf("ScaleDown: removed %d empty node(s)", len(empty))
	case busy != nil:
		a.drain(busy)
		a.lastDelete = now
	}
}

func (a *Autoscaler) deletingIn(g *group) int {
	k := 0
	for _, n := range g.nodes {
		if a.deleting[n] {
			k++
		}
	}
	return k
}

func nonDaemonPods(n *model.Node) int {
	k := 0
	for _, p := range n.Pods() {
		if !p.Gone && !p.Terminating && !p.IsDaemon() {
			k++
		}
	}
	return k
}

// deleteNode deletes the node and its machine.
func (a *Autoscaler) deleteNode(n *model.Node) {
	g := a.groupOf[n]
	_ = a.c.RemoveNode(n.Name)
	a.forget(g, n)
	kept := g.nodes[:0]
	for _, x := range g.nodes {
		if x != n {
			kept = append(kept, x)
		}
	}
	g.nodes = kept
	a.recordNodes(g)
}

// drain taints n, evicts its non-DaemonSet pods (retrying refused
// evictions every 10 s for up to 2 min), waits for them to be gone and
// deletes the node; a drain that cannot evict gives up and untaints.
func (a *Autoscaler) drain(n *model.Node) {
	a.deleting[n] = true
	start := a.c.Now()
	_ = a.c.TaintNode(n.Name, model.Taint{Key: TaintToBeDeleted, Value: fmt.Sprint(int64(start / time.Second)), Effect: model.NoSchedule})
	var names []string
	for _, p := range n.Pods() {
		if !p.Gone && !p.Terminating && !p.IsDaemon() {
			names = append(names, p.Name)
		}
	}
	a.event("Normal", "ScaleDown", model.NodeRef(n), "marked the node as toBeDeleted/unschedulable")
	a.event("Normal", "ScaleDown", statusRef,
		fmt.Sprintf("Scale-down: removing node %s, utilization: %.2f, pods to reschedule: %s", n.Name, Utilization(n), strings.Join(names, ",")))
	a.status = "ScaleDown: draining node " + n.Name
	grace := func(p *model.Pod) sim.Time { return min(p.Spec.GracePeriod, a.cfg.MaxGracefulTermination) }
	var evict func(*sim.Engine, int64)
	evict = func(*sim.Engine, int64) {
		if n.Removed {
			return
		}
		refused := ""
		for _, p := range n.Pods() {
			if p.Gone || p.Terminating || p.IsDaemon() {
				continue
			}
			if err := a.c.Evict(p, grace(p)); err != nil {
				refused = p.Name + ": " + err.Error()
				continue
			}
			a.event("Normal", "ScaleDown", model.PodRef(p), "deleting pod for node scale down")
		}
		if refused == "" {
			a.waitGone(n, start)
			return
		}
		if a.c.Now()-start >= maxPodEvictionTime {
			a.fail(n, "failed to evict pods from the node: "+refused)
			return
		}
		a.c.E.After(evictionRetry, sim.HandlerFunc(evict), 0)
	}
	evict(a.c.E, 0)
}

func (a *Autoscaler) waitGone(n *model.Node, start sim.Time) {
	if n.Removed {
		return
	}
	left := 0
	for _, p := range n.Pods() {
		if !p.Gone && !p.IsDaemon() {
			left++
		}
	}
	if left == 0 || a.c.Now()-start >= a.cfg.MaxGracefulTermination+maxPodEvictionTime {
		a.event("Normal", "ScaleDown", model.NodeRef(n), "node removed by cluster autoscaler")
		a.deleteNode(n)
		a.status = "ScaleDown: removed node " + n.Name
		return
	}
	a.c.E.After(podGonePoll, sim.HandlerFunc(func(*sim.Engine, int64) { a.waitGone(n, start) }), 0)
}

func (a *Autoscaler) fail(n *model.Node, why string) {
	_ = a.c.UntaintNode(n.Name, TaintToBeDeleted, model.NoSchedule)
	delete(a.deleting, n)
	delete(a.unneeded, n)
	a.lastFail = a.c.Now()
	a.event("Warning", "ScaleDownFailed", model.NodeRef(n), "failed to drain the node, aborting ScaleDown: "+why)
	a.status = "ScaleDown: failed to drain node " + n.Name
}
