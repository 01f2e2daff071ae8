package model

import (
	"github.com/kubesim/kubesim/sim"
)

// schedulerState is kube-scheduler's scheduling queue (v1.37):
//   - activeQ: pods waiting for a scheduling cycle, FIFO;
//   - unschedulable: pods that fit no node, with the filters that rejected
//     them. A cluster event moves only the pods one of whose rejecting filters
//     it could change (a node added: any; a taint removed or a node made
//     Ready: TaintToleration; uncordon: NodeUnschedulable; node labels:
//     NodeAffinity; a bound pod deleted: NodeResourcesFit), instead of
//     rescanning every pending pod; a pod left there 5 minutes is moved anyway
//     (podMaxInUnschedulablePodsDuration, checked every 30 s);
//   - backoffQ: moved pods still inside their backoff (1 s after the first
//     failed attempt, doubling, at most 10 s), which join activeQ when it
//     ends. With activeQ empty the scheduler takes the backoffQ head at once
//     (SchedulerPopFromBackoffQ, on by default since v1.33).
type schedulerState struct {
	c             *Cluster
	activeQ       []*Pod
	head          int
	unschedulable []*Pod
	backoffQ      []*Pod // by backoff expiry
	busy          bool
	backoffTimer  sim.Timer
	backoffAt     sim.Time // when backoffTimer fires (0: not armed)
	flushArmed    bool
	fw            *framework // the default profile
	live          []*Node    // nodes not removed, in the node tree's order
	liveStale     bool       // a node was added, removed or moved to another zone since live was built
	tree          nodeTree
	imageNodes    map[string]int
	imageIDs      map[string]imageID // Cluster.imageID
	imageNames    []string           // by imageID
	zoneLabelled  int                // nodes not removed with a topology.kubernetes.io/zone label
}

// schedQueueInfo is what the queue keeps about a pending pod.
type schedQueueInfo struct {
	attempts  int32
	rejectors rejectMask // filters that rejected it in its last attempt
	failedAt  sim.Time
}

// rejectMask is a set of filters (and so of events that may help a pod).
type rejectMask uint8

const (
	rejUnschedulable rejectMask = 1 << iota
	rejNodeName
	rejNodeAffinity
	rejTaint
	rejFit
	rejNodePorts
	rejAll rejectMask = 1<<iota - 1
)

// Queue timings of kube-scheduler's defaults.
const (
	podInitialBackoff        = sim.Time(1e9)
	podMaxBackoff            = sim.Time(10e9)
	podMaxInUnschedulable    = sim.Time(300e9)
	unschedulableFlushPeriod = sim.Time(30e9)
)

// enqueuePod puts a new pod in the scheduler's queue, or straight on its node if
// spec.nodeName is set (the scheduler never sees those).
func (c *Cluster) enqueuePod(p *Pod) {
	if p.Spec.NodeName != "" {
		n := c.Node(p.Spec.NodeName)
		if n == nil {
			// The kubelet of a node that does not exist never runs it: Pending.
			return
		}
		if !fitsResources(p, n) || hostPortsTaken(p, n) {
			// Kubelet admission rejects it (OutOfcpu, OutOfmemory, OutOfpods;
			// NodePorts: its generalFilter runs the scheduler's Fits).
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

// Cluster events that can make unschedulable pods schedulable, as the filters
// they concern.
const (
	evNodeAdd          = rejAll
	evNodeTaintRemoved = rejTaint
	evNodeUncordon     = rejUnschedulable | rejTaint
	evNodeLabels       = rejNodeAffinity
	evPodDeleted       = rejFit | rejNodePorts
)

// schedEvent moves the unschedulable pods that ev may help to activeQ, or to
// backoffQ while their backoff lasts.
func (c *Cluster) schedEvent(ev rejectMask) { c.schedNodeEvent(ev, nil) }

// schedNodeEvent is schedEvent for a change of node n: a pod moves only if one
// of the filters that rejected it, and that ev concerns, now passes on n
// (the filters' queueing hints).
func (c *Cluster) schedNodeEvent(ev rejectMask, n *Node) {
	s := &c.sched
	if len(s.unschedulable) == 0 {
		return
	}
	if s.fw == nil {
		s.fw = newDefaultFramework(c, c.schedRand)
	}
	kept := s.unschedulable[:0]
	for _, p := range s.unschedulable {
		if p.sq.rejectors&ev != 0 && (n == nil || s.fw.helps(p, p.sq.rejectors&ev, n)) {
			s.requeue(p)
		} else {
			kept = append(kept, p)
		}
	}
	clear(s.unschedulable[len(kept):])
	s.unschedulable = kept
	s.kick()
}

// backoffEnd is when p's backoff after its last failed attempt ends.
func (p *Pod) backoffEnd() sim.Time {
	d := podInitialBackoff
	for i := int32(1); i < p.sq.attempts && d < podMaxBackoff; i++ {
		d *= 2
	}
	return p.sq.failedAt + min(d, podMaxBackoff)
}

// requeue moves an unschedulable pod to activeQ, or backoffQ in its backoff.
func (s *schedulerState) requeue(p *Pod) {
	end := p.backoffEnd()
	if end <= s.c.Now() {
		s.activeQ = append(s.activeQ, p)
		return
	}
	i := len(s.backoffQ)
	for i > 0 && s.backoffQ[i-1].backoffEnd() > end {
		i--
	}
	s.backoffQ = append(s.backoffQ, nil)
	copy(s.backoffQ[i+1:], s.backoffQ[i:])
	s.backoffQ[i] = p
	if s.backoffAt == 0 || end < s.backoffAt {
		s.c.E.Cancel(s.backoffTimer)
		s.backoffAt = end
		s.backoffTimer = s.c.E.At(end, sim.HandlerFunc(s.flushBackoff), 0)
	}
}

// flushBackoff moves the pods whose backoff ended to activeQ.
func (s *schedulerState) flushBackoff(*sim.Engine, int64) {
	s.backoffAt = 0
	now := s.c.Now()
	n := 0
	for n < len(s.backoffQ) && s.backoffQ[n].backoffEnd() <= now {
		n++
	}
	s.activeQ = append(s.activeQ, s.backoffQ[:n]...)
	s.backoffQ = append(s.backoffQ[:0], s.backoffQ[n:]...)
	clear(s.backoffQ[len(s.backoffQ):cap(s.backoffQ)])
	if len(s.backoffQ) > 0 {
		s.backoffAt = s.backoffQ[0].backoffEnd()
		s.backoffTimer = s.c.E.At(s.backoffAt, sim.HandlerFunc(s.flushBackoff), 0)
	}
	s.kick()
}

// flushUnschedulable moves the pods unschedulable for 5 minutes, every 30 s
// while there are any.
func (s *schedulerState) flushUnschedulable(*sim.Engine, int64) {
	s.flushArmed = false
	now := s.c.Now()
	kept := s.unschedulable[:0]
	for _, p := range s.unschedulable {
		if now-p.sq.failedAt > podMaxInUnschedulable {
			s.requeue(p)
		} else {
			kept = append(kept, p)
		}
	}
	clear(s.unschedulable[len(kept):])
	s.unschedulable = kept
	s.armFlush()
	s.kick()
}

func (s *schedulerState) armFlush() {
	if !s.flushArmed && len(s.unschedulable) > 0 {
		s.flushArmed = true
		s.c.E.After(unschedulableFlushPeriod, sim.HandlerFunc(s.flushUnschedulable), 0)
	}
}

// kick starts a scheduling cycle if the scheduler is idle and a pod waits.
func (s *schedulerState) kick() {
	if s.busy || s.head == len(s.activeQ) && len(s.backoffQ) == 0 {
		return
	}
	s.busy = true
	s.c.E.After(s.c.d.scheduling.Sample(), s, 0)
}

// pop takes the next pod: activeQ's head, else backoffQ's.
func (s *schedulerState) pop() *Pod {
	if s.head < len(s.activeQ) {
		p := s.activeQ[s.head]
		s.activeQ[s.head] = nil
		s.head++
		if s.head == len(s.activeQ) {
			s.activeQ, s.head = s.activeQ[:0], 0
		}
		return p
	}
	if len(s.backoffQ) > 0 {
		p := s.backoffQ[0]
		copy(s.backoffQ, s.backoffQ[1:])
		s.backoffQ[len(s.backoffQ)-1] = nil
		s.backoffQ = s.backoffQ[:len(s.backoffQ)-1]
		return p
	}
	return nil
}

// Handle runs one scheduling cycle: the next pod is bound to the best node,
// or set aside as unschedulable with the filters that rejected it.
func (s *schedulerState) Handle(*sim.Engine, int64) {
	s.busy = false
	c := s.c
	for p := s.pop(); p != nil; p = s.pop() {
		if p.Gone || p.Terminating || p.node != nil {
			p.queued = false
			continue
		}
		p.sq.attempts++
		if n := c.pickNode(p); n != nil {
			p.queued = false
			c.eventScheduled(p, n)
			c.bind(p, n)
		} else {
			p.sq.rejectors = s.fw.rejected
			if p.sq.rejectors == 0 {
				p.sq.rejectors = rejAll // no node at all: any node added may do
			}
			p.sq.failedAt = c.Now()
			c.eventFailedScheduling(p)
			s.unschedulable = append(s.unschedulable, p)
			s.armFlush()
		}
		break
	}
	s.kick()
}

// PendingPods returns the pods waiting for a node, in queue order.
func (c *Cluster) PendingPods() []*Pod {
	var out []*Pod
	for _, q := range [][]*Pod{c.sched.activeQ[c.sched.head:], c.sched.backoffQ, c.sched.unschedulable} {
		for _, p := range q {
			if !p.Gone && p.node == nil {
				out = append(out, p)
			}
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
// cluster (kube-scheduler's snapshot listers). schedNodes lists the nodes as
// the scheduler's cache does (nodeTree.list): one node of each zone in turn,
// zones in the order they appeared, each zone's nodes in the order they were
// added, so that the rotating sample of a large cluster spans every zone.
func (c *Cluster) schedNodes() []*Node {
	s := &c.sched
	if s.liveStale {
		s.live = s.tree.list(s.live[:0])
		s.liveStale = false
	}
	return s.live
}

// nodeTree is kube-scheduler's node tree: the nodes of each zone (region and
// zone labels, utilnode.GetZoneKey: the key the node lifecycle controller
// uses too), in the order they were added, and the zones in the order they
// first appeared; a zone left empty is dropped, and comes back last.
type nodeTree struct {
	zones []string
	nodes map[string][]*Node
	count int
}

func (t *nodeTree) add(n *Node) {
	k := zoneKey(n)
	if t.nodes == nil {
		t.nodes = map[string][]*Node{}
	}
	na, ok := t.nodes[k]
	if !ok {
		t.zones = append(t.zones, k)
	}
	t.nodes[k] = append(na, n)
	n.treeZone = k
	t.count++
}

func (t *nodeTree) remove(n *Node) {
	k := n.treeZone
	na := t.nodes[k]
	for i, x := range na {
		if x != n {
			continue
		}
		na = append(na[:i], na[i+1:]...)
		t.count--
		if len(na) > 0 {
			t.nodes[k] = na
			return
		}
		delete(t.nodes, k)
		for j, z := range t.zones {
			if z == k {
				t.zones = append(t.zones[:j], t.zones[j+1:]...)
				break
			}
		}
		return
	}
}

// list appends the nodes to dst, one of each zone in turn (nodeTree.list).
func (t *nodeTree) list(dst []*Node) []*Node {
	for i := 0; len(dst) < t.count; i++ {
		for _, z := range t.zones {
			if na := t.nodes[z]; i < len(na) {
				dst = append(dst, na[i])
			}
		}
	}
	return dst
}

// treeAdd, treeRemove and treeRelabel keep the scheduler's node tree.
// They also count the nodes with a zone label (schedZoneLabelled).
func (c *Cluster) treeAdd(n *Node) {
	c.sched.tree.add(n)
	c.sched.liveStale = true
	c.countZoneLabel(n, hasZoneLabel(n))
}

func (c *Cluster) treeRemove(n *Node) {
	c.sched.tree.remove(n)
	c.sched.liveStale = true
	c.countZoneLabel(n, false)
}

func hasZoneLabel(n *Node) bool {
	_, ok := n.Labels[LabelZone]
	return ok
}

// countZoneLabel sets whether n counts in the scheduler's zoneLabelled.
func (c *Cluster) countZoneLabel(n *Node, labelled bool) {
	switch {
	case labelled && !n.zoneLabelled:
		c.sched.zoneLabelled++
	case !labelled && n.zoneLabelled:
		c.sched.zoneLabelled--
	}
	n.zoneLabelled = labelled
}

// schedZoneLabelled reports whether a node that is not removed has a zone label.
func (c *Cluster) schedZoneLabelled() bool { return c.sched.zoneLabelled > 0 }

// treeRelabel moves n to the end of its new zone if its zone changed
// (nodeTree.updateNode).
func (c *Cluster) treeRelabel(n *Node) {
	if !n.Removed {
		c.countZoneLabel(n, hasZoneLabel(n))
	}
	if n.Removed || zoneKey(n) == n.treeZone {
		return
	}
	c.sched.tree.remove(n)
	c.sched.tree.add(n)
	c.sched.liveStale = true
}

// imageAdded and imageRemoved count the existing nodes that have an image
// (pulled or being pulled), for ImageLocality.
func (c *Cluster) imageAdded(img string) {
	if c.sched.imageNodes == nil {
		c.sched.imageNodes = map[string]int{}
	}
	c.sched.imageNodes[img]++
}

func (c *Cluster) imageRemoved(img string) {
	if c.sched.imageNodes[img]--; c.sched.imageNodes[img] <= 0 {
		delete(c.sched.imageNodes, img)
	}
}

func (c *Cluster) schedNow() sim.Time { return c.Now() }

func (c *Cluster) schedImageNodes(img string) int { return c.sched.imageNodes[img] }

// imageID is img's number in c, given at its first use.
func (c *Cluster) imageID(img string) imageID {
	if id, ok := c.sched.imageIDs[img]; ok {
		return id
	}
	if c.sched.imageIDs == nil {
		c.sched.imageIDs = map[string]imageID{}
	}
	id := imageID(len(c.sched.imageNames))
	c.sched.imageIDs[img] = id
	c.sched.imageNames = append(c.sched.imageNames, img)
	return id
}

// schedImageID is img's number (ok false: no node ever pulled it).
func (c *Cluster) schedImageID(img string) (imageID, bool) {
	id, ok := c.sched.imageIDs[img]
	return id, ok
}

func (c *Cluster) schedImageSize(string) int64 {
	switch sz := c.Cfg.ImageSize; {
	case sz == 0:
		return DefaultImageSize
	case sz < 0:
		return 0
	default:
		return sz
	}
}

func (c *Cluster) schedNode(name string) *Node { return c.Node(name) }
func (c *Cluster) schedServices() []*Service   { return c.services }

var _ schedHandle = (*Cluster)(nil)

// FindNode runs one scheduling decision for p as a scheduling cycle does
// (prefilter, filters over the rotating sample, scores, random tie-break)
// without binding it, and returns the node chosen, or nil if none fits. For a
// pod already bound, its own requests stay counted on its node. It exists for
// benchmarks and what-if questions; the rotating start advances as in a cycle.
func (c *Cluster) FindNode(p *Pod) *Node { return c.pickNode(p) }
