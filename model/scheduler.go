package model

import (
	"math"
	"strconv"

	"github.com/kubesim/kubesim/model/labels"

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
	nextStart     int // rotating start of the node sample (above 100 nodes)

	// scratch, reused between cycles
	feasible []*Node
	scores   []nodeScores
	spread   spreadSelector
	zoneCnt  map[string]int  // matching pods per zone
	zoneDom  map[string]bool // zones of the feasible nodes
}

type nodeScores struct {
	fit, balanced, taint, spread int64
	intolerable                  int64
}

// Score plugin weights of the default profile.
const (
	weightTaintToleration = 3
	weightTopologySpread  = 2
	weightFit             = 1
	weightBalanced        = 1
	maxNodeScore          = 100
	// System-default topology spread, ScheduleAnyway: kubernetes.io/hostname
	// maxSkew 3 and topology.kubernetes.io/zone maxSkew 5.
	defaultHostnameMaxSkew = 3
	defaultZoneMaxSkew     = 5
	minFeasibleNodesToFind = 100
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
// before scoring: all below 100 nodes, else an adaptive percentage
// (50 - nodes/125, at least 5%) but at least 100.
func numFeasibleNodesToFind(n int) int {
	if n < minFeasibleNodesToFind {
		return n
	}
	pct := max(50-n/125, 5)
	return max(n*pct/100, minFeasibleNodesToFind)
}

// pickNode runs the default profile's filters and scores for p and returns the
// best node (ties broken uniformly at random from the scheduler's stream), or
// nil if no node fits.
func (c *Cluster) pickNode(p *Pod) *Node {
	s := &c.sched
	nodes := c.nodes
	want := numFeasibleNodesToFind(len(nodes))
	s.feasible = s.feasible[:0]
	processed := 0
	for i := range nodes {
		if len(s.feasible) >= want {
			break
		}
		n := nodes[(s.nextStart+i)%len(nodes)]
		processed++
		if c.fits(p, n) {
			s.feasible = append(s.feasible, n)
		}
	}
	if len(nodes) > 0 {
		s.nextStart = (s.nextStart + processed) % len(nodes)
	}
	if len(s.feasible) == 0 {
		return nil
	}
	if len(s.feasible) == 1 {
		return s.feasible[0]
	}
	c.scoreNodes(p)
	var best int64 = -1
	ties := 0
	var pick *Node
	for i, n := range s.feasible {
		sc := &s.scores[i]
		total := weightTaintToleration*sc.taint + weightTopologySpread*sc.spread + weightFit*sc.fit + weightBalanced*sc.balanced
		switch {
		case total > best:
			best, pick, ties = total, n, 1
		case total == best:
			// Reservoir sampling: each tied node is kept with probability 1/ties.
			ties++
			if c.schedRand.IntN(ties) == 0 {
				pick = n
			}
		}
	}
	return pick
}

// fits runs the filters: NodeUnschedulable, NodeName, NodeAffinity (nodeSelector
// and required affinity), TaintToleration (NoSchedule, NoExecute) and
// NodeResourcesFit (pods, and CPU/memory the pod requests).
func (c *Cluster) fits(p *Pod, n *Node) bool {
	if n.Removed {
		return false
	}
	if n.Unschedulable && !tolerates(p.Spec.Tolerations, Taint{Key: TaintUnschedulable, Effect: NoSchedule}) {
		return false
	}
	if p.Spec.NodeName != "" && p.Spec.NodeName != n.Name {
		return false
	}
	if !nodeMatchesSelectorAndAffinity(&p.Spec, n) {
		return false
	}
	for _, t := range n.Taints {
		if (t.Effect == NoSchedule || t.Effect == NoExecute) && !tolerates(p.Spec.Tolerations, t) {
			return false
		}
	}
	return fitsResources(p, n)
}

// fitsResources is NodeResourcesFit's filter (and the kubelet's admission):
// one more pod, and the CPU and memory the pod requests, fit what is left.
func fitsResources(p *Pod, n *Node) bool {
	r := p.effectiveRequests()
	free := n.Capacity.Sub(n.req)
	if r.Pods > free.Pods {
		return false
	}
	if r.MilliCPU > 0 && r.MilliCPU > free.MilliCPU {
		return false
	}
	if r.Memory > 0 && r.Memory > free.Memory {
		return false
	}
	return true
}

// nodeMatchesSelectorAndAffinity checks nodeSelector and the required node
// affinity: terms ORed, requirements ANDed, an empty term matches nothing;
// MatchFields compare metadata.name.
func nodeMatchesSelectorAndAffinity(s *PodSpec, n *Node) bool {
	for k, v := range s.NodeSelector {
		if got, ok := n.Labels[k]; !ok || got != v {
			return false
		}
	}
	if s.Affinity == nil || len(s.Affinity.Terms) == 0 {
		return true
	}
	for _, t := range s.Affinity.Terms {
		if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
			continue
		}
		ok := true
		for _, r := range t.MatchExpressions {
			v, has := n.Labels[r.Key]
			if !r.matches(v, has) {
				ok = false
				break
			}
		}
		for _, r := range t.MatchFields {
			if !ok {
				break
			}
			ok = r.Key == "metadata.name" && r.matches(n.Name, true)
		}
		if ok {
			return true
		}
	}
	return false
}

// matches evaluates a node selector requirement against a label value.
func (r NodeSelectorRequirement) matches(v string, has bool) bool {
	in := func() bool {
		for _, x := range r.Values {
			if x == v {
				return true
			}
		}
		return false
	}
	switch r.Operator {
	case "In":
		return has && in()
	case "NotIn":
		return !has || !in()
	case "Exists":
		return has
	case "DoesNotExist":
		return !has
	case "Gt", "Lt":
		if !has || len(r.Values) != 1 {
			return false
		}
		a, err1 := strconv.ParseInt(v, 10, 64)
		b, err2 := strconv.ParseInt(r.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if r.Operator == "Gt" {
			return a > b
		}
		return a < b
	}
	return false
}

func tolerates(ts []Toleration, taint Taint) bool {
	for _, t := range ts {
		if t.Tolerates(taint) {
			return true
		}
	}
	return false
}

// scoreNodes fills s.scores for s.feasible with the normalized scores of the
// default score plugins that can differ between our nodes.
func (c *Cluster) scoreNodes(p *Pod) {
	s := &c.sched
	if cap(s.scores) < len(s.feasible) {
		s.scores = make([]nodeScores, len(s.feasible))
	}
	s.scores = s.scores[:len(s.feasible)]
	nz := p.nonzeroRequests()
	rq := p.effectiveRequests()
	spreadSel := c.spreadSelectors(p)
	weight := math.Log(float64(len(s.feasible) + 2))
	var maxIntolerable int64
	minSpread, maxSpread := int64(math.MaxInt64), int64(0)
	zoneWeight := 0.0
	if spreadSel != nil {
		zoneWeight = c.zoneCounts(p, spreadSel)
	}
	for i, n := range s.feasible {
		sc := &s.scores[i]
		*sc = nodeScores{}
		// NodeResourcesFit, LeastAllocated, cpu:memory 1:1, non-zero requests.
		sc.fit = (leastAllocated(n.nonzero.MilliCPU+nz.MilliCPU, n.Capacity.MilliCPU) +
			leastAllocated(n.nonzero.Memory+nz.Memory, n.Capacity.Memory)) / 2
		// NodeResourcesBalancedAllocation on actual requests; skipped (0 for
		// every node) for a best-effort pod.
		if rq.MilliCPU != 0 || rq.Memory != 0 {
			sc.balanced = balanced(n.req.MilliCPU+rq.MilliCPU, n.Capacity.MilliCPU, n.req.Memory+rq.Memory, n.Capacity.Memory)
		}
		// TaintToleration: untolerated PreferNoSchedule taints.
		for _, t := range n.Taints {
			if t.Effect == PreferNoSchedule && !tolerates(p.Spec.Tolerations, t) {
				sc.intolerable++
			}
		}
		maxIntolerable = max(maxIntolerable, sc.intolerable)
		// PodTopologySpread, system default hostname constraint.
		if spreadSel != nil {
			cnt := 0
			if spreadSel.rs != nil {
				cnt = spreadSel.rs.countOn(n)
			} else {
				for _, q := range n.pods {
					if !q.Terminating && !q.Gone && spreadSel.matchesServices(q) {
						cnt++
					}
				}
			}
			f := float64(cnt)*weight + float64(defaultHostnameMaxSkew-1)
			if z, ok := n.Labels[LabelZone]; ok && zoneWeight > 0 {
				f += float64(s.zoneCnt[z])*zoneWeight + float64(defaultZoneMaxSkew-1)
			}
			v := int64(math.Round(f))
			sc.spread = v
			minSpread, maxSpread = min(minSpread, v), max(maxSpread, v)
		}
	}
	for i := range s.scores {
		sc := &s.scores[i]
		if maxIntolerable == 0 {
			sc.taint = maxNodeScore
		} else {
			sc.taint = maxNodeScore - maxNodeScore*sc.intolerable/maxIntolerable
		}
		switch {
		case spreadSel == nil || maxSpread == 0:
			sc.spread = maxNodeScore
		default:
			sc.spread = maxNodeScore * (maxSpread + minSpread - sc.spread) / maxSpread
		}
	}
}

// zoneCounts fills s.zoneCnt with the matching pods per zone, counted on every
// node that fits the pod's node selector and affinity, for the zones of the
// feasible nodes (a node without the label is in zone ""), and returns the
// zone constraint's weight, log(zones + 2); 0 when no feasible node has a
// zone label (the constraint then changes nothing).
func (c *Cluster) zoneCounts(p *Pod, sel *spreadSelector) float64 {
	s := &c.sched
	labelled := false
	for _, n := range s.feasible {
		if _, ok := n.Labels[LabelZone]; ok {
			labelled = true
			break
		}
	}
	if !labelled {
		return 0
	}
	if s.zoneCnt == nil {
		s.zoneCnt, s.zoneDom = map[string]int{}, map[string]bool{}
	}
	clear(s.zoneCnt)
	clear(s.zoneDom)
	for _, n := range s.feasible {
		s.zoneDom[n.Labels[LabelZone]] = true
	}
	for _, n := range c.nodes {
		z := n.Labels[LabelZone]
		if n.Removed || !s.zoneDom[z] || !nodeMatchesSelectorAndAffinity(&p.Spec, n) {
			continue
		}
		cnt := 0
		if sel.rs != nil {
			cnt = sel.rs.countOn(n)
		} else {
			for _, q := range n.pods {
				if !q.Terminating && !q.Gone && sel.matchesServices(q) {
					cnt++
				}
			}
		}
		s.zoneCnt[z] += cnt
	}
	return math.Log(float64(len(s.zoneDom) + 2))
}

func leastAllocated(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * maxNodeScore / capacity
}

// balanced is (1 - std of the cpu and memory fractions) x 100; a resource the
// node has none of is left out (then std is 0).
func balanced(cpu, cpuCap, mem, memCap int64) int64 {
	if cpuCap == 0 || memCap == 0 {
		return maxNodeScore
	}
	fc := math.Min(float64(cpu)/float64(cpuCap), 1)
	fm := math.Min(float64(mem)/float64(memCap), 1)
	return int64((1 - math.Abs(fc-fm)/2) * maxNodeScore)
}

// countOn is the number of the ReplicaSet's bound, non-terminating pods on n.
// For a pod with an owner, kube-scheduler's hostname spread counts the pods with
// the same owner reference on the node (nodeInfo.PodsWithOwnerRef); the count
// is kept up to date as pods change, so a decision costs O(nodes).
func (rs *ReplicaSet) countOn(n *Node) int {
	if n.seq < len(rs.onNode) {
		return int(rs.onNode[n.seq])
	}
	return 0
}

// spreadSelector is the system-default topology spread's selector of a pod:
// the selectors of its ReplicaSet and of the Services selecting it, ANDed.
type spreadSelector struct {
	rs       *ReplicaSet
	services []*labels.Selector // compiled per decision: no map iteration per pod
}

func (s *spreadSelector) matchesServices(q *Pod) bool {
	for _, sel := range s.services {
		if !sel.MatchesMap(q.Labels) {
			return false
		}
	}
	return true
}

// spreadSelectors returns nil when the system default does not apply (no
// ReplicaSet and no Service selects the pod).
func (c *Cluster) spreadSelectors(p *Pod) *spreadSelector {
	sel := &c.sched.spread
	sel.rs = p.rs
	sel.services = sel.services[:0]
	for _, svc := range c.services {
		if !svc.Deleted && len(svc.Selector) > 0 && mapSelectorMatches(svc.Selector, p.Labels) {
			sel.services = append(sel.services, labels.SelectorFromMap(svc.Selector))
		}
	}
	if sel.rs == nil && len(sel.services) == 0 {
		return nil
	}
	return sel
}
