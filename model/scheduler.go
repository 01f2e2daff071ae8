package model

import (
	"github.com/kubesim/kubesim/sim"
)

// schedulerState is kube-scheduler's queue: pods waiting for a scheduling cycle
// (activeQ, FIFO) and pods that did not fit anywhere (unschedulable), which go
// back to activeQ when the cluster changes in a way that could make them fit: a
// node added, made Ready, relabelled, untainted or uncordoned, or a pod gone.
type schedulerState struct {
	c             *Cluster
	activeQ       []*Pod
	head          int
	unschedulable []*Pod
	busy          bool
	fw            *framework // the default profile
	live          []*Node    // nodes not removed, in creation order
	liveStale     bool       // a node was added or removed since live was built
}

// enqueuePod puts a new pod in the scheduler's queue, or straight on its node if
// spec.nodeName is set (the scheduler never sees those).
func (c *Cluster) enqueuePod(p *Pod) {
	if p.Spec.NodeName != "" {
		n := c.Node(p.Spec.NodeName)
		if n == nil {
			// The kubelet of a node that does not exist never runs it: Pending.
			return
		}
		if !fitsResources(p, n) {
			// Kubelet admission rejects it (OutOfcpu, OutOfmemory, OutOfpods).
			p.Phase = PodFailed
			p.NodeName = n.Name // spec.nodeName; the pod never runs there
			c.podChanged(p)
			return
		}
		c.bind(p, n)
		return
	}
	p.queued = true
	c.sched.activeQ = append(c.sched.activeQ, p)
	c.sched.kick()
}

// moveAllToActive moves the unschedulable pods back to activeQ.
func (c *Cluster) moveAllToActive() {
	s := &c.sched
	if len(s.unschedulable) == 0 {
		return
	}
	s.activeQ = append(s.activeQ, s.unschedulable...)
	clear(s.unschedulable)
	s.unschedulable = s.unschedulable[:0]
	s.kick()
}

// kick starts a scheduling cycle if the scheduler is idle and a pod waits.
func (s *schedulerState) kick() {
	if s.busy || s.head == len(s.activeQ) {
		return
	}
	s.busy = true
	s.c.E.After(s.c.d.scheduling.Sample(), s, 0)
}

// Handle runs one scheduling cycle: the first pod of activeQ is bound to the
// best node, or set aside as unschedulable.
func (s *schedulerState) Handle(*sim.Engine, int64) {
	s.busy = false
	c := s.c
	for s.head < len(s.activeQ) {
		p := s.activeQ[s.head]
		s.activeQ[s.head] = nil
		s.head++
		if s.head == len(s.activeQ) {
			s.activeQ, s.head = s.activeQ[:0], 0
		}
		if p.Gone || p.Terminating || p.node != nil {
			p.queued = false
			continue
		}
		if n := c.pickNode(p); n != nil {
			p.queued = false
			c.bind(p, n)
		} else {
			s.unschedulable = append(s.unschedulable, p)
		}
		break
	}
	s.kick()
}

// PendingPods returns the pods waiting for a node, in queue order.
func (c *Cluster) PendingPods() []*Pod {
	var out []*Pod
	for _, p := range c.sched.activeQ[c.sched.head:] {
		if !p.Gone && p.node == nil {
			out = append(out, p)
		}
	}
	for _, p := range c.sched.unschedulable {
		if !p.Gone && p.node == nil {
			out = append(out, p)
		}
	}
	return out
}

// numFeasibleNodesToFind is how many feasible nodes the scheduler looks for
// before scoring (kube-scheduler's numFeasibleNodesToFind with
// percentageOfNodesToScore unset): all below 100 nodes, else an adaptive
// percentage (50 - nodes/125, at least 5%) but at least 100.
func numFeasibleNodesToFind(n int) int {
	if n < minFeasibleNodesToFind {
		return n
	}
	pct := max(50-n/125, minFeasibleNodesPercentage)
	return max(n*pct/100, minFeasibleNodesToFind)
}

const (
	minFeasibleNodesToFind     = 100
	minFeasibleNodesPercentage = 5
)

// pickNode runs the default profile for p and returns the best node, or nil if
// no node fits.
func (c *Cluster) pickNode(p *Pod) *Node {
	s := &c.sched
	if s.fw == nil {
		s.fw = newDefaultFramework(c, c.schedRand)
	}
	return s.fw.schedule(p)
}

// schedNodes, schedNode and schedServices are the scheduler's view of the
// cluster (kube-scheduler's snapshot listers).
func (c *Cluster) schedNodes() []*Node {
	s := &c.sched
	if s.liveStale {
		s.live = s.live[:0]
		for _, n := range c.nodes {
			if !n.Removed {
				s.live = append(s.live, n)
			}
		}
		s.liveStale = false
	}
	return s.live
}

// nodesChanged tells the scheduler that a node was added or removed.
func (c *Cluster) nodesChanged()               { c.sched.liveStale = true }
func (c *Cluster) schedNode(name string) *Node { return c.Node(name) }
func (c *Cluster) schedServices() []*Service   { return c.services }

var _ schedHandle = (*Cluster)(nil)

// FindNode runs one scheduling decision for p as a scheduling cycle does
// (prefilter, filters over the rotating sample, scores, random tie-break)
// without binding it, and returns the node chosen, or nil if none fits. For a
// pod already bound, its own requests stay counted on its node. It exists for
// benchmarks and what-if questions; the rotating start advances as in a cycle.
func (c *Cluster) FindNode(p *Pod) *Node { return c.pickNode(p) }
