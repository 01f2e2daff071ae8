package model

import (
	"math/bits"

	"github.com/kubesim/kubesim/sim"
)

// The DaemonSet controller keeps, per DaemonSet, its pods indexed by node and
// what each node needs (a pod created, pods deleted, its part in a rolling
// update), and re-examines at a sync only the nodes that changed since the
// last one: those whose pods changed, whose labels, taints or existence
// changed, and (with minReadySeconds) those with a pod on its way to
// available. Its decisions are those of a controller that examines every node
// at every sync (refDaemonPlan in the tests checks it), at a cost per sync
// that follows the changes instead of the cluster's size.

// daemonPlanCheck, set by tests, is shown every sync's decision.
var daemonPlanCheck func(c *Cluster, ds *DaemonSet, plan *dsPlan)

// dsPlan is what one sync does.
type dsPlan struct {
	create []*Node // nodes that get a daemon pod (at most daemonBurst)
	del    []*Pod  // pods deleted (at most daemonBurst)
	// rolling: nothing else to do, so the rolling update runs: new pods on
	// rollCreate (with surge), rollDel deleted.
	rolling    bool
	rollCreate []*Node
	rollDel    []*Pod
}

// daemonPodIndex is a pod's place in its DaemonSet's index.
type daemonPodIndex struct {
	in       *DaemonSet // the DaemonSet whose index holds the pod
	key      *Node      // the node it is listed under; nil: unscheduled with no node to go to
	order    uint64     // position in the pod list of orderOf
	orderOf  *DaemonSet
	recorded *DaemonSet // already in that DaemonSet's list of changed pods
}

// Rolling update categories of a node: without surge ...
const (
	rollNone      = iota
	rollUnavail   // counts against maxUnavailable
	rollAllowed   // its old pod is not available: replaced at once
	rollCandidate // its old pod is available: replaced within the budget
)

// ... and with surge.
const (
	surgeNone      = iota
	surgeCounted   // counts against maxSurge
	surgeAllowed   // gets a new pod at once
	surgeCandidate // gets a new pod within the budget
	surgeDelete    // its new pod is available: the old one goes
)

// dsNode is what the controller last concluded about one node.
type dsNode struct {
	pods      []*Pod // the DaemonSet's pods bound or pinned here, in pod-list order
	run, cont bool   // nodeShouldRunDaemonPod
	dels      []*Pod // pods to delete
	roll      uint8
	surge     uint8
	rollPod   *Pod // rollAllowed/rollCandidate: the old pod; surgeDelete: the old pod
	timed     bool // a pod is Ready but not yet available: look again next sync
	seen      bool
}

// dsState is the DaemonSet's incremental state.
type dsState struct {
	nodes     []dsNode // by Node.seq
	doomed    []*Pod   // unscheduled pods whose node is gone, in pod-list order
	changed   []*Pod   // pods changed since the last sync
	dirty     bitset   // nodes to examine at the next sync
	all       bool     // examine every node
	nextOrder uint64

	create, dels, allowed, candidates   bitset // by node: main-loop needs, rolling categories
	sAllowed, sCandidates, sDels, timed bitset
	desired, unavailable, surging       int

	plan    dsPlan
	running []*Pod // scratch for examine
}

// bitset is a set of node numbers.
type bitset []uint64

func (b *bitset) set(i int, on bool) {
	w := i >> 6
	if w >= len(*b) {
		if !on {
			return
		}
		*b = append(*b, make([]uint64, w+1-len(*b))...)
	}
	if on {
		(*b)[w] |= 1 << (i & 63)
	} else {
		(*b)[w] &^= 1 << (i & 63)
	}
}

// next is the first member >= i, or -1.
func (b bitset) next(i int) int {
	w := i >> 6
	if w >= len(b) {
		return -1
	}
	x := b[w] >> (i & 63)
	if x != 0 {
		return i + bits.TrailingZeros64(x)
	}
	for w++; w < len(b); w++ {
		if b[w] != 0 {
			return w<<6 + bits.TrailingZeros64(b[w])
		}
	}
	return -1
}

// recordPod notes that p, owned by ds now or until now, changed.
func (ds *DaemonSet) recordPod(p *Pod) {
	x := p.daemonIndex()
	if x.recorded == ds {
		return
	}
	if p.ds == ds && x.orderOf != ds {
		// Joining the pod list: its position is the end.
		ds.st.nextOrder++
		x.order, x.orderOf = ds.st.nextOrder, ds
	}
	x.recorded = ds
	ds.st.changed = append(ds.st.changed, p)
}

// touch marks node n to be examined at the next sync.
func (ds *DaemonSet) touch(n *Node) { ds.st.dirty.set(n.seq, true) }

// touchAll marks every node (template, strategy or DaemonSet created).
func (ds *DaemonSet) touchAll() { ds.st.all = true }

// daemonPodChanged is the DaemonSet controller's pod event handler.
func (c *Cluster) daemonPodChanged(p *Pod) {
	p.ds.recordPod(p)
	c.enqueueDaemonSet(p.ds)
}

// daemonNodeChanged is the DaemonSet controller's node event handler: every
// DaemonSet looks at n again, at a sync queued now if enqueue.
func (c *Cluster) daemonNodeChanged(n *Node, enqueue bool) {
	for _, ds := range c.daemonsets {
		ds.touch(n)
		if enqueue {
			c.enqueueDaemonSet(ds)
		}
	}
}

func (st *dsState) node(n *Node) *dsNode {
	if n.seq >= len(st.nodes) {
		st.nodes = append(st.nodes, make([]dsNode, n.seq+1-len(st.nodes))...)
	}
	return &st.nodes[n.seq]
}

// unindex takes p out of the index that holds it.
func unindex(p *Pod) {
	x := p.daemon
	if x == nil || x.in == nil {
		return
	}
	ds := x.in
	st := &ds.st
	if x.key != nil {
		dn := st.node(x.key)
		dn.pods = removePodFrom(dn.pods, p)
		ds.touch(x.key)
	} else {
		st.doomed = removePodFrom(st.doomed, p)
	}
	x.in, x.key = nil, nil
}

// index lists p, owned by ds, under the node it is bound or pinned to, or
// with the doomed pods if that node is gone.
func (ds *DaemonSet) index(c *Cluster, p *Pod) {
	x := p.daemonIndex()
	st := &ds.st
	key := p.node
	if key == nil {
		if key = c.daemonPodTarget(p); key != nil && key.Removed {
			key = nil
		}
	}
	if x.in == ds && x.key == key {
		if key != nil {
			ds.touch(key)
		}
		return
	}
	unindex(p)
	x.in, x.key = ds, key
	if key == nil {
		st.doomed = insertByOrder(st.doomed, p)
		return
	}
	dn := st.node(key)
	dn.pods = insertByOrder(dn.pods, p)
	ds.touch(key)
}

// insertByOrder inserts p into ps by pod list order (p and the pods of ps
// are indexed: they have their daemonIndex).
func insertByOrder(ps []*Pod, p *Pod) []*Pod {
	i := len(ps)
	ps = append(ps, nil)
	for i > 0 && ps[i-1].daemon.order > p.daemon.order {
		ps[i] = ps[i-1]
		i--
	}
	ps[i] = p
	return ps
}

// refresh brings the index and the per-node conclusions up to date.
func (ds *DaemonSet) refresh(c *Cluster) {
	st := &ds.st
	for _, p := range st.changed {
		x := p.daemonIndex()
		if x.recorded == ds {
			x.recorded = nil
		}
		if p.ds == ds && !p.Gone {
			ds.index(c, p)
		} else if x.in == ds {
			unindex(p)
		}
		if p.ds != ds && x.orderOf == ds {
			x.orderOf = nil
		}
	}
	clear(st.changed)
	st.changed = st.changed[:0]
	// Unscheduled pods follow their node's name: a node gone, or one of the
	// same name back.
	for _, p := range append([]*Pod(nil), st.doomed...) {
		ds.index(c, p)
	}
	for i := st.dirty.next(0); i >= 0; i = st.dirty.next(i + 1) {
		if n := c.nodes[i]; n.Removed {
			for _, p := range append([]*Pod(nil), st.node(n).pods...) {
				if p.node == nil {
					ds.index(c, p)
				}
			}
		}
	}
	now := c.Now()
	if st.all {
		st.all = false
		clear(st.dirty)
		for _, n := range c.nodes {
			ds.examine(n, now)
		}
		return
	}
	for i := st.timed.next(0); i >= 0; i = st.timed.next(i + 1) {
		st.dirty.set(i, true)
	}
	for i := st.dirty.next(0); i >= 0; i = st.dirty.next(i + 1) {
		st.dirty.set(i, false)
		ds.examine(c.nodes[i], now)
	}
}

// examine re-derives what node n needs.
func (ds *DaemonSet) examine(n *Node, now sim.Time) {
	st := &ds.st
	dn := st.node(n)
	// Take the node's last conclusions out of the totals.
	if dn.run {
		st.desired--
	}
	if dn.roll == rollUnavail {
		st.unavailable--
	}
	if dn.surge == surgeCounted {
		st.surging--
	}
	dn.run, dn.cont = ds.nodeShouldRunDaemonPod(n)
	if dn.run {
		st.desired++
	}
	pods := dn.pods

	// What the main loop of the sync needs.
	dn.dels = dn.dels[:0]
	create := false
	if !n.Removed {
		switch {
		case dn.run && len(pods) == 0:
			create = true
		case dn.cont:
			running := st.running[:0]
			for _, p := range pods {
				if p.Terminating {
					continue
				}
				if p.Phase == PodFailed {
					dn.dels = append(dn.dels, p)
					continue
				}
				running = append(running, p)
			}
			dn.dels = append(dn.dels, ds.surplusDaemonPods(running, now)...)
			clear(running)
			st.running = running
		default:
			for _, p := range pods {
				if !p.Terminating {
					dn.dels = append(dn.dels, p)
				}
			}
		}
	}
	st.create.set(n.seq, create)
	st.dels.set(n.seq, len(dn.dels) > 0)

	// Its part in a rolling update.
	var newPod, oldPod *Pod
	multiple, timed := false, false
	for _, p := range pods {
		if p.Terminating {
			continue
		}
		if ds.MinReadySeconds > 0 && p.Ready && now-p.ReadyAt < ds.MinReadySeconds {
			timed = true
		}
		if p.Labels[LabelControllerRevHash] == ds.hash {
			multiple = multiple || newPod != nil
			newPod = p
		} else {
			multiple = multiple || oldPod != nil
			oldPod = p
		}
	}
	dn.timed = timed
	st.timed.set(n.seq, timed)
	dn.roll, dn.surge, dn.rollPod = rollNone, surgeNone, nil
	if len(pods) > 0 {
		switch {
		case newPod == nil && oldPod == nil, newPod != nil && oldPod != nil:
			dn.roll = rollUnavail
		case newPod != nil:
			if !isAvailable(newPod, ds.MinReadySeconds, now) {
				dn.roll = rollUnavail
			}
		case !isAvailable(oldPod, ds.MinReadySeconds, now):
			dn.roll, dn.rollPod = rollAllowed, oldPod
		default:
			dn.roll, dn.rollPod = rollCandidate, oldPod
		}
	}
	switch {
	case multiple:
		dn.surge = surgeCounted
	case oldPod == nil:
	case newPod == nil:
		if dn.run {
			if !isAvailable(oldPod, ds.MinReadySeconds, now) {
				dn.surge = surgeAllowed
			} else {
				dn.surge = surgeCandidate
			}
		}
	case isAvailable(newPod, ds.MinReadySeconds, now):
		dn.surge, dn.rollPod = surgeDelete, oldPod
	default:
		dn.surge = surgeCounted
	}
	if dn.roll == rollUnavail {
		st.unavailable++
	}
	if dn.surge == surgeCounted {
		st.surging++
	}
	st.allowed.set(n.seq, dn.roll == rollAllowed)
	st.candidates.set(n.seq, dn.roll == rollCandidate)
	st.sAllowed.set(n.seq, dn.surge == surgeAllowed)
	st.sCandidates.set(n.seq, dn.surge == surgeCandidate)
	st.sDels.set(n.seq, dn.surge == surgeDelete)
	dn.seen = true
}

// planMain is the sync's main pass: daemon pods for the nodes that need one,
// deletion of the pods that must go, at most daemonBurst of each, in node
// order. Nothing to do: plan.rolling says whether the rolling update runs.
func (ds *DaemonSet) planMain(c *Cluster, plan *dsPlan) {
	st := &ds.st
	plan.create, plan.del = plan.create[:0], plan.del[:0]
	plan.rollCreate, plan.rollDel, plan.rolling = plan.rollCreate[:0], plan.rollDel[:0], false
	for i := st.create.next(0); i >= 0 && len(plan.create) < daemonBurst; i = st.create.next(i + 1) {
		if n := c.nodes[i]; !ds.creating[n] {
			plan.create = append(plan.create, n)
		}
	}
	for _, p := range st.doomed {
		if !p.Terminating {
			plan.del = append(plan.del, p)
		}
	}
	for i := st.dels.next(0); i >= 0 && len(plan.del) < daemonBurst; i = st.dels.next(i + 1) {
		plan.del = append(plan.del, st.nodes[i].dels...)
	}
	plan.del = plan.del[:min(len(plan.del), daemonBurst)]
	plan.rolling = len(plan.create) == 0 && len(plan.del) == 0 && len(ds.creating) == 0 && ds.Strategy.Type == RollingUpdate
}

// planRolling is the rolling update. Without surge: old-revision pods are
// replaced with at most maxUnavailable nodes without an available daemon pod
// at a time; an old pod that is not available is replaced at once, others
// within the budget; the new pod is created by the next sync once the old one
// is gone. With maxSurge > 0: a new pod is started next to an old one on at
// most maxSurge nodes at a time (at once where the old pod is not available);
// the old pod is deleted once the new one is available.
func (ds *DaemonSet) planRolling(c *Cluster, plan *dsPlan) {
	st := &ds.st
	maxSurge := ds.Strategy.MaxSurge.scaled(st.desired, true)
	maxUnavailable := ds.Strategy.MaxUnavailable.scaled(st.desired, true)
	if maxSurge > 0 {
		for i := st.sAllowed.next(0); i >= 0; i = st.sAllowed.next(i + 1) {
			plan.rollCreate = append(plan.rollCreate, c.nodes[i])
		}
		for i, k := st.sCandidates.next(0), maxSurge-st.surging; i >= 0 && k > 0; i, k = st.sCandidates.next(i+1), k-1 {
			plan.rollCreate = append(plan.rollCreate, c.nodes[i])
		}
		for i := st.sDels.next(0); i >= 0; i = st.sDels.next(i + 1) {
			plan.rollDel = append(plan.rollDel, st.nodes[i].rollPod)
		}
		return
	}
	if maxUnavailable == 0 {
		maxUnavailable = 1
	}
	for i := st.allowed.next(0); i >= 0; i = st.allowed.next(i + 1) {
		plan.rollDel = append(plan.rollDel, st.nodes[i].rollPod)
	}
	for i, k := st.candidates.next(0), maxUnavailable-st.unavailable; i >= 0 && k > 0; i, k = st.candidates.next(i+1), k-1 {
		plan.rollDel = append(plan.rollDel, st.nodes[i].rollPod)
	}
}
