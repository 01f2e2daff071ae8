package model

import (
	"math/rand/v2"
	"slices"

	"github.com/kubesim/kubesim/sim"
)

// The scheduler is organised as kube-scheduler's framework: a profile is a list
// of plugins, each a small value behind one interface per extension point
// (PreFilter, Filter, PreScore/Score/NormalizeScore). A plugin sees the pod
// being scheduled, the node it judges and the cycle's shared state, and reads
// the rest of the cluster only through schedHandle, so each can be tested on
// hand-made nodes and pods without a Cluster.

// schedHandle is what plugins may read of the cluster (the framework's Handle
// and its snapshot listers).
type schedHandle interface {
	// schedNodes is every node that exists, in creation order.
	schedNodes() []*Node
	// schedNode is the existing node named name, or nil.
	schedNode(name string) *Node
	// schedServices is every Service, deleted ones included.
	schedServices() []*Service
	// schedImageNodes is how many existing nodes have the image.
	schedImageNodes(image string) int
	// schedImageID is the image's number in the nodes' images (ok false: no
	// node ever had it).
	schedImageID(image string) (imageID, bool)
	// schedZoneLabelled reports whether some node that is not removed has a
	// topology.kubernetes.io/zone label.
	schedZoneLabelled() bool
	// schedImageSize is the image's size in bytes as the nodes report it.
	schedImageSize(image string) int64
	// schedNow is the simulated time.
	schedNow() sim.Time
}

// cycleState is what one scheduling cycle computes once about its pod and
// shares between plugins (kube-scheduler's CycleState).
type cycleState struct {
	// rq is what the pod requests (the fit filter; BalancedAllocation), nz the
	// same with the scheduler's defaults for a missing CPU or memory request
	// (LeastAllocated).
	rq, nz Resources
	// nodeName is scratch for a prefilter result of one name.
	nodeName [1]string
	// hostPorts: the pod asks for a host port (NodePorts' prefilter; without
	// one the filter is skipped).
	hostPorts bool
	// plain: the pod names no node and has no node selector, no required
	// node affinity and no host port, so that of the default filters only
	// NodeResourcesFit can reject an untainted, schedulable node (quickFit).
	plain bool
}

// filterPlugin is a Filter extension point: "" if the pod may run on n, else
// the reason, in kube-scheduler's words ("Insufficient cpu").
type filterPlugin interface {
	name() string
	filter(st *cycleState, p *Pod, n *Node) string
}

// preFilterPlugin narrows the nodes a pod is tried on (PreFilterResult): all
// is true when every node stays a candidate; otherwise names lists the only
// nodes that can pass (kube-scheduler's NodeAffinity for a pod pinned to named
// nodes, as DaemonSet pods are).
type preFilterPlugin interface {
	name() string
	preFilter(st *cycleState, p *Pod) (names []string, all bool)
}

// scorePlugin is the PreScore, Score and NormalizeScore extension points of
// one plugin. preScore returns false to skip the plugin for this pod (it then
// adds nothing to any node); score returns the node's raw score; normalize
// brings the raw scores of the feasible nodes to 0..maxNodeScore in place.
type scorePlugin interface {
	name() string
	weight() int64
	preScore(st *cycleState, p *Pod, nodes []*Node) bool
	score(st *cycleState, p *Pod, n *Node) int64
	normalize(st *cycleState, scores []int64)
}

const maxNodeScore = 100

// framework runs a profile: prefilter, filters over a rotating sample of the
// nodes, scores, and a uniformly random pick among the best.
type framework struct {
	h          schedHandle
	rnd        *rand.Rand
	preFilters []preFilterPlugin
	filters    []filterPlugin
	scorers    []scorePlugin
	nextStart  int // rotating start of the node sample (nextStartNodeIndex)
	filterBits []rejectMask
	// std: filters is the default profile's (quickFit stands for them).
	std bool
	// rejected is the filters that rejected a node in the last schedule.
	rejected rejectMask

	// scratch, reused between cycles
	st       cycleState
	pre      []*Node
	feasible []*Node
	raw      [][]int64 // per score plugin, per feasible node
	total    []int64
}

// newDefaultFramework is the default profile's plugins that kubesim models,
// with their weights. rnd breaks ties.
func newDefaultFramework(h schedHandle, rnd *rand.Rand) *framework {
	f := &framework{h: h, rnd: rnd, std: true}
	aff := nodeAffinityPlugin{}
	f.preFilters = []preFilterPlugin{aff}
	f.filters = []filterPlugin{nodeUnschedulablePlugin{}, nodeNamePlugin{}, aff, taintTolerationPlugin{}, nodePortsPlugin{}, nodeResourcesFitPlugin{}}
	f.scorers = []scorePlugin{
		&taintTolerationScore{},
		nodeAffinityScore{},
		newTopologySpreadScore(h),
		leastAllocatedScore{},
		balancedAllocationScore{},
		&imageLocalityScore{h: h},
	}
	f.raw = make([][]int64, len(f.scorers))
	for _, pl := range f.filters {
		f.filterBits = append(f.filterBits, filterBit(pl.name()))
	}
	return f
}

// newCycle fills the cycle state for p.
func (f *framework) newCycle(p *Pod) *cycleState {
	f.st = newCycleState(p)
	return &f.st
}

// newCycleState is the cycle state of p.
func newCycleState(p *Pod) cycleState {
	st := cycleState{rq: p.effectiveRequests(), nz: p.nonzeroRequests(), hostPorts: wantsHostPorts(p)}
	st.plain = !st.hostPorts && p.Spec.NodeName == "" && len(p.Spec.NodeSelector) == 0 &&
		(p.Spec.Affinity == nil || len(p.Spec.Affinity.Terms) == 0)
	return st
}

// quickFit reports whether a plain pod (cycleState.plain) passes every default
// filter on n without running them: n exists, is schedulable, has no taint,
// and has room for the pod. False means "run the filters" (filterNode gives
// the reason), not that the pod does not fit. It reads only n's first two
// cache lines and makes no interface call: most of the nodes a 50,000-pod
// Deployment is tried on take this path (issue 15, scheduling at 5,000 nodes).
func quickFit(st *cycleState, n *Node) bool {
	return !n.Removed && !n.Unschedulable && len(n.Taints) == 0 && resourcesFitReason(st.rq, n) == ""
}

// filterBit is the queue's name for a filter plugin.
func filterBit(name string) rejectMask {
	switch name {
	case "NodeUnschedulable":
		return rejUnschedulable
	case "NodeName":
		return rejNodeName
	case "NodeAffinity":
		return rejNodeAffinity
	case "TaintToleration":
		return rejTaint
	case "NodeResourcesFit":
		return rejFit
	case "NodePorts":
		return rejNodePorts
	}
	return rejAll
}

// helps reports whether one of the filters in mask passes p on n.
func (f *framework) helps(p *Pod, mask rejectMask, n *Node) bool {
	if n.Removed {
		return false
	}
	st := f.newCycle(p)
	for i, pl := range f.filters {
		if f.filterBits[i]&mask != 0 && pl.filter(st, p, n) == "" {
			return true
		}
	}
	return false
}

// filterNode runs every filter on n: "" if the pod fits. The filter that
// rejects it is added to f.rejected.
func (f *framework) filterNode(st *cycleState, p *Pod, n *Node) string {
	if n.Removed {
		return "node(s) were removed"
	}
	for i, pl := range f.filters {
		if r := pl.filter(st, p, n); r != "" {
			f.rejected |= f.filterBits[i]
			return r
		}
	}
	return ""
}

// candidates is the node list the filters walk: every node, or the prefilter's
// named ones in creation order.
func (f *framework) candidates(st *cycleState, p *Pod) []*Node {
	var names []string
	restricted := false
	for _, pl := range f.preFilters {
		n, all := pl.preFilter(st, p)
		if all {
			continue
		}
		if restricted {
			names = intersect(names, n)
		} else {
			names, restricted = n, true
		}
	}
	if !restricted {
		return f.h.schedNodes()
	}
	f.pre = f.pre[:0]
	for _, name := range names {
		if n := f.h.schedNode(name); n != nil && !slices.Contains(f.pre, n) {
			f.pre = append(f.pre, n)
		}
	}
	slices.SortFunc(f.pre, func(a, b *Node) int { return a.seq - b.seq })
	return f.pre
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// schedule runs one scheduling cycle's decision for p: the best node, ties
// broken uniformly at random, or nil if no node fits.
func (f *framework) schedule(p *Pod) *Node {
	st := f.newCycle(p)
	f.rejected = 0
	nodes := f.candidates(st, p)
	if len(nodes) == 0 && len(f.pre) == 0 && len(f.h.schedNodes()) > 0 {
		f.rejected = rejNodeAffinity // the prefilter's names match no node
	}
	want := numFeasibleNodesToFind(len(nodes))
	f.feasible = f.feasible[:0]
	processed := 0
	quick := f.std && st.plain
	for i := range nodes {
		if len(f.feasible) >= want {
			break
		}
		n := nodes[(f.nextStart+i)%len(nodes)]
		processed++
		if quick && quickFit(st, n) || f.filterNode(st, p, n) == "" {
			f.feasible = append(f.feasible, n)
		}
	}
	if len(nodes) > 0 {
		f.nextStart = (f.nextStart + processed) % len(nodes)
	}
	switch len(f.feasible) {
	case 0:
		return nil
	case 1:
		return f.feasible[0]
	}
	total := f.scoreNodes(st, p, f.feasible)
	var best int64 = -1
	ties := 0
	var pick *Node
	for i, n := range f.feasible {
		switch {
		case total[i] > best:
			best, pick, ties = total[i], n, 1
		case total[i] == best:
			// Reservoir sampling: each tied node is kept with probability 1/ties.
			ties++
			if f.rnd.IntN(ties) == 0 {
				pick = n
			}
		}
	}
	return pick
}

// scoreNodes runs every score plugin over nodes and returns the weighted sums
// of the normalized scores, one per node.
func (f *framework) scoreNodes(st *cycleState, p *Pod, nodes []*Node) []int64 {
	f.total = resize(f.total, len(nodes))
	clear(f.total)
	for k, pl := range f.scorers {
		if !pl.preScore(st, p, nodes) {
			continue
		}
		raw := resize(f.raw[k], len(nodes))
		f.raw[k] = raw
		for i, n := range nodes {
			raw[i] = pl.score(st, p, n)
		}
		pl.normalize(st, raw)
		w := pl.weight()
		for i := range raw {
			f.total[i] += w * raw[i]
		}
	}
	return f.total
}

func resize(s []int64, n int) []int64 {
	if cap(s) < n {
		return make([]int64, n)
	}
	return s[:n]
}
