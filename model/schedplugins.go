package model

import (
	"math"
	"strconv"

	"github.com/kubesim/kubesim/model/labels"
)

// The default profile's plugins that kubesim models. Each is a small value: the
// filters are pure functions of the pod and the node, the scores keep at most
// their cycle's scratch.

// nodeUnschedulablePlugin: a cordoned node only takes pods tolerating the
// unschedulable taint.
type nodeUnschedulablePlugin struct{}

func (nodeUnschedulablePlugin) name() string { return "NodeUnschedulable" }

func (nodeUnschedulablePlugin) filter(_ *cycleState, p *Pod, n *Node) string {
	if n.Unschedulable && !tolerates(p.Spec.Tolerations, Taint{Key: TaintUnschedulable, Effect: NoSchedule}) {
		return "node(s) were unschedulable"
	}
	return ""
}

// nodeNamePlugin: a pod with spec.nodeName fits only that node.
type nodeNamePlugin struct{}

func (nodeNamePlugin) name() string { return "NodeName" }

func (nodeNamePlugin) filter(_ *cycleState, p *Pod, n *Node) string {
	if p.Spec.NodeName != "" && p.Spec.NodeName != n.Name {
		return "node(s) didn't match the requested node name"
	}
	return ""
}

// nodeAffinityPlugin: nodeSelector and the required node affinity. Its
// prefilter narrows a pod whose every affinity term names nodes by
// metadata.name (a DaemonSet pod) to those nodes, and spec.nodeName to its node.
type nodeAffinityPlugin struct{}

func (nodeAffinityPlugin) name() string { return "NodeAffinity" }

func (nodeAffinityPlugin) filter(_ *cycleState, p *Pod, n *Node) string {
	if !nodeMatchesSelectorAndAffinity(&p.Spec, n) {
		return "node(s) didn't match Pod's node affinity/selector"
	}
	return ""
}

func (nodeAffinityPlugin) preFilter(st *cycleState, p *Pod) ([]string, bool) {
	if p.Spec.NodeName != "" {
		st.nodeName[0] = p.Spec.NodeName
		return st.nodeName[:], false
	}
	a := p.Spec.Affinity
	if a == nil || len(a.Terms) == 0 {
		return nil, true
	}
	var names []string
	for _, t := range a.Terms {
		var term []string
		named := false
		for _, r := range t.MatchFields {
			if r.Key != "metadata.name" || r.Operator != "In" {
				continue
			}
			// Requirements of a term are ANDed: intersect.
			if named {
				term = intersect(term, r.Values)
			} else {
				term, named = r.Values, true
			}
		}
		if !named {
			// Terms are ORed: one term without a name constraint admits every node.
			return nil, true
		}
		if len(a.Terms) == 1 {
			return term, false // the DaemonSet case: no copy
		}
		names = append(names, term...)
	}
	return names, false
}

// nodeAffinityScore is NodeAffinity's score (weight 2): the sum of the weights
// of the pod's preferred node affinity terms the node matches, normalized to
// the highest; skipped for a pod without preferred terms.
type nodeAffinityScore struct{}

func (nodeAffinityScore) name() string  { return "NodeAffinity" }
func (nodeAffinityScore) weight() int64 { return 2 }

func (nodeAffinityScore) preScore(_ *cycleState, p *Pod, _ []*Node) bool {
	return p.Spec.Affinity != nil && len(p.Spec.Affinity.Preferred) > 0
}

func (nodeAffinityScore) score(_ *cycleState, p *Pod, n *Node) int64 {
	var sum int64
	for _, t := range p.Spec.Affinity.Preferred {
		if t.Weight != 0 && termMatches(&t.Term, n) {
			sum += int64(t.Weight)
		}
	}
	return sum
}

func (nodeAffinityScore) normalize(_ *cycleState, s []int64) { defaultNormalizeScore(s, false) }

// taintTolerationPlugin: every NoSchedule and NoExecute taint must be tolerated.
type taintTolerationPlugin struct{}

func (taintTolerationPlugin) name() string { return "TaintToleration" }

func (taintTolerationPlugin) filter(_ *cycleState, p *Pod, n *Node) string {
	for _, t := range n.Taints {
		if (t.Effect == NoSchedule || t.Effect == NoExecute) && !tolerates(p.Spec.Tolerations, t) {
			return "node(s) had untolerated taint"
		}
	}
	return ""
}

// nodePortsPlugin is kube-scheduler's NodePorts: each host port the pod asks
// for must be free on the node. A port is taken by a bound pod's port of the
// same number and protocol on the same host IP, or on any IP when either side
// binds every address ("" or 0.0.0.0), as the scheduler's HostPortInfo checks.
// A hostNetwork pod's ports are host ports (the API server defaults a pod's
// hostPort to its containerPort). Its prefilter skips pods without a host
// port (cycleState.hostPorts).
type nodePortsPlugin struct{}

// ErrNodePorts is NodePorts' reason, in kube-scheduler's words.
const ErrNodePorts = "node(s) didn't have free ports for the requested pod ports"

func (nodePortsPlugin) name() string { return "NodePorts" }

func (nodePortsPlugin) filter(st *cycleState, p *Pod, n *Node) string {
	if !st.hostPorts {
		return ""
	}
	for _, q := range n.pods {
		if q != p && hostPortsConflict(p, q) {
			return ErrNodePorts
		}
	}
	return ""
}

// hostPort is the host port of p's port cp (0: none).
func hostPort(p *Pod, cp *ContainerPort) int {
	if cp.HostPort == 0 && p.Spec.HostNetwork {
		return cp.Port
	}
	return cp.HostPort
}

// hostPortsTaken reports whether a host port p asks for is taken on n.
func hostPortsTaken(p *Pod, n *Node) bool {
	st := cycleState{hostPorts: wantsHostPorts(p)}
	return (nodePortsPlugin{}).filter(&st, p, n) != ""
}

// wantsHostPorts reports whether one of p's ports has a host port.
func wantsHostPorts(p *Pod) bool {
	for i := range p.Spec.Ports {
		if hostPort(p, &p.Spec.Ports[i]) > 0 {
			return true
		}
	}
	return false
}

// hostPortsConflict reports whether a host port p wants is taken by one of
// q's.
func hostPortsConflict(p, q *Pod) bool {
	for i := range p.Spec.Ports {
		w := &p.Spec.Ports[i]
		wp := hostPort(p, w)
		if wp <= 0 {
			continue
		}
		for j := range q.Spec.Ports {
			u := &q.Spec.Ports[j]
			if hostPort(q, u) == wp && protocolOrTCP(u.Protocol) == protocolOrTCP(w.Protocol) &&
				(u.HostIP == w.HostIP || bindsAll(u.HostIP) || bindsAll(w.HostIP)) {
				return true
			}
		}
	}
	return false
}

func protocolOrTCP(p string) string {
	if p == "" {
		return "TCP"
	}
	return p
}

// bindsAll: the host IP of a port on every address (the API's "" and the
// scheduler's DefaultBindAllHostIP).
func bindsAll(ip string) bool { return ip == "" || ip == "0.0.0.0" }

// nodeResourcesFitPlugin: one more pod, and the CPU and memory the pod
// requests, fit what is left of the node.
type nodeResourcesFitPlugin struct{}

func (nodeResourcesFitPlugin) name() string { return "NodeResourcesFit" }

func (nodeResourcesFitPlugin) filter(st *cycleState, _ *Pod, n *Node) string {
	return resourcesFitReason(st.rq, n)
}

func resourcesFitReason(r Resources, n *Node) string {
	free := n.Capacity.Sub(n.req)
	if r.Pods > free.Pods {
		return "Too many pods"
	}
	if r.MilliCPU > 0 && r.MilliCPU > free.MilliCPU {
		return "Insufficient cpu"
	}
	if r.Memory > 0 && r.Memory > free.Memory {
		return "Insufficient memory"
	}
	return ""
}

// fitsResources is NodeResourcesFit's filter as the kubelet's admission uses it.
func fitsResources(p *Pod, n *Node) bool { return resourcesFitReason(p.effectiveRequests(), n) == "" }

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
	for i := range s.Affinity.Terms {
		if termMatches(&s.Affinity.Terms[i], n) {
			return true
		}
	}
	return false
}

// termMatches reports whether a node selector term matches n: requirements
// ANDed, an empty term matches nothing, MatchFields compare metadata.name.
func termMatches(t *NodeSelectorTerm, n *Node) bool {
	if len(t.MatchExpressions) == 0 && len(t.MatchFields) == 0 {
		return false
	}
	for _, r := range t.MatchExpressions {
		v, has := n.Labels[r.Key]
		if !r.matches(v, has) {
			return false
		}
	}
	for _, r := range t.MatchFields {
		if r.Key != "metadata.name" || !r.matches(n.Name, true) {
			return false
		}
	}
	return true
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

// taintTolerationScore (weight 3): fewer untolerated PreferNoSchedule taints
// score higher.
type taintTolerationScore struct{}

func (*taintTolerationScore) name() string                             { return "TaintToleration" }
func (*taintTolerationScore) weight() int64                            { return 3 }
func (*taintTolerationScore) preScore(*cycleState, *Pod, []*Node) bool { return true }

func (*taintTolerationScore) score(_ *cycleState, p *Pod, n *Node) int64 {
	var cnt int64
	for _, t := range n.Taints {
		if t.Effect == PreferNoSchedule && !tolerates(p.Spec.Tolerations, t) {
			cnt++
		}
	}
	return cnt
}

func (*taintTolerationScore) normalize(_ *cycleState, s []int64) { defaultNormalizeScore(s, true) }

// defaultNormalizeScore scales scores to 0..maxNodeScore by the highest, and
// with reverse turns them around (kube-scheduler's DefaultNormalizeScore).
func defaultNormalizeScore(s []int64, reverse bool) {
	var hi int64
	for _, v := range s {
		hi = max(hi, v)
	}
	for i, v := range s {
		switch {
		case hi == 0 && reverse:
			s[i] = maxNodeScore
		case hi == 0:
			s[i] = 0
		case reverse:
			s[i] = maxNodeScore - maxNodeScore*v/hi
		default:
			s[i] = maxNodeScore * v / hi
		}
	}
}

// leastAllocatedScore is NodeResourcesFit's score (weight 1), LeastAllocated
// with cpu:memory 1:1, on requests with the scheduler's defaults.
type leastAllocatedScore struct{}

func (leastAllocatedScore) name() string                             { return "NodeResourcesFit" }
func (leastAllocatedScore) weight() int64                            { return 1 }
func (leastAllocatedScore) preScore(*cycleState, *Pod, []*Node) bool { return true }
func (leastAllocatedScore) normalize(*cycleState, []int64)           {}

func (leastAllocatedScore) score(st *cycleState, _ *Pod, n *Node) int64 {
	return (leastAllocated(n.nonzero.MilliCPU+st.nz.MilliCPU, n.Capacity.MilliCPU) +
		leastAllocated(n.nonzero.Memory+st.nz.Memory, n.Capacity.Memory)) / 2
}

func leastAllocated(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * maxNodeScore / capacity
}

// balancedAllocationScore is NodeResourcesBalancedAllocation (weight 1) on
// actual requests; skipped for a best-effort pod. As in v1.37 it scores the
// change in the node's balance the pod causes, not the balance after it:
// 50 + (50 + with - without) / 2, where with and without are
// (1 - std of the cpu and memory fractions) x 100 with and without the pod, so
// a placement that improves the balance scores towards 100, one that worsens
// it towards 50, and no change 75.
type balancedAllocationScore struct{}

func (balancedAllocationScore) name() string                   { return "NodeResourcesBalancedAllocation" }
func (balancedAllocationScore) weight() int64                  { return 1 }
func (balancedAllocationScore) normalize(*cycleState, []int64) {}

func (balancedAllocationScore) preScore(st *cycleState, _ *Pod, _ []*Node) bool {
	return st.rq.MilliCPU != 0 || st.rq.Memory != 0
}

func (balancedAllocationScore) score(st *cycleState, _ *Pod, n *Node) int64 {
	return balancedChange(n.req, st.rq, n.Capacity)
}

// balancedChange is v1.37's balancedResourceScorer for cpu and memory: node
// requests used, pod requests added, on capacity.
func balancedChange(used, pod, capacity Resources) int64 {
	with := balanced(used.MilliCPU+pod.MilliCPU, capacity.MilliCPU, used.Memory+pod.Memory, capacity.Memory)
	without := balanced(used.MilliCPU, capacity.MilliCPU, used.Memory, capacity.Memory)
	return maxNodeScore/2 + (maxNodeScore/2+with-without)/2
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

// System-default topology spread, ScheduleAnyway: kubernetes.io/hostname
// maxSkew 3 and topology.kubernetes.io/zone maxSkew 5.
const (
	defaultHostnameMaxSkew = 3
	defaultZoneMaxSkew     = 5
)

// topologySpreadScore is PodTopologySpread's score (weight 2) with the system
// default constraints, for pods that a ReplicaSet owns or a Service selects.
type topologySpreadScore struct {
	h          schedHandle
	sel        spreadSelector
	weight1    float64         // hostname constraint: log(feasible nodes + 2)
	zoneWeight float64         // zone constraint: log(zones + 2), 0 if none
	zoneCnt    map[string]int  // matching pods per zone
	zoneDom    map[string]bool // zones of the feasible nodes
}

func newTopologySpreadScore(h schedHandle) *topologySpreadScore { return &topologySpreadScore{h: h} }

func (*topologySpreadScore) name() string  { return "PodTopologySpread" }
func (*topologySpreadScore) weight() int64 { return 2 }

func (t *topologySpreadScore) preScore(_ *cycleState, p *Pod, nodes []*Node) bool {
	if !t.selectors(p) {
		return false
	}
	t.weight1 = math.Log(float64(len(nodes) + 2))
	t.zoneWeight = t.zoneCounts(p, nodes)
	return true
}

func (t *topologySpreadScore) score(_ *cycleState, _ *Pod, n *Node) int64 {
	f := float64(t.sel.countOn(n))*t.weight1 + float64(defaultHostnameMaxSkew-1)
	if t.zoneWeight > 0 {
		if z, ok := n.Labels[LabelZone]; ok {
			f += float64(t.zoneCnt[z])*t.zoneWeight + float64(defaultZoneMaxSkew-1)
		}
	}
	return int64(math.Round(f))
}

// normalize: emptier domains win, as PodTopologySpread's NormalizeScore.
func (*topologySpreadScore) normalize(_ *cycleState, s []int64) {
	lo, hi := int64(math.MaxInt64), int64(0)
	for _, v := range s {
		lo, hi = min(lo, v), max(hi, v)
	}
	for i, v := range s {
		if hi == 0 {
			s[i] = maxNodeScore
		} else {
			s[i] = maxNodeScore * (hi + lo - v) / hi
		}
	}
}

// zoneCounts fills t.zoneCnt with the matching pods per zone, counted on every
// node that fits the pod's node selector and affinity, for the zones of the
// feasible nodes (a node without the label is in zone ""), and returns the
// zone constraint's weight, log(zones + 2); 0 when no feasible node has a
// zone label (the constraint then changes nothing).
func (t *topologySpreadScore) zoneCounts(p *Pod, feasible []*Node) float64 {
	if !t.h.schedZoneLabelled() {
		return 0 // no node has a zone label: neither has a feasible one
	}
	labelled := false
	for _, n := range feasible {
		if _, ok := n.Labels[LabelZone]; ok {
			labelled = true
			break
		}
	}
	if !labelled {
		return 0
	}
	if t.zoneCnt == nil {
		t.zoneCnt, t.zoneDom = map[string]int{}, map[string]bool{}
	}
	clear(t.zoneCnt)
	clear(t.zoneDom)
	for _, n := range feasible {
		t.zoneDom[n.Labels[LabelZone]] = true
	}
	for _, n := range t.h.schedNodes() {
		z := n.Labels[LabelZone]
		if n.Removed || !t.zoneDom[z] || !nodeMatchesSelectorAndAffinity(&p.Spec, n) {
			continue
		}
		t.zoneCnt[z] += t.sel.countOn(n)
	}
	return math.Log(float64(len(t.zoneDom) + 2))
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
	ns       string             // the pod's namespace: pods of others never count
}

func (s *spreadSelector) matchesServices(q *Pod) bool {
	if q.Namespace != s.ns {
		return false
	}
	for _, sel := range s.services {
		if !sel.MatchesMap(q.Labels) {
			return false
		}
	}
	return true
}

// countOn is the number of n's live pods the selector matches.
func (s *spreadSelector) countOn(n *Node) int {
	if s.rs != nil {
		return s.rs.countOn(n)
	}
	cnt := 0
	for _, q := range n.pods {
		if !q.Terminating && !q.Gone && s.matchesServices(q) {
			cnt++
		}
	}
	return cnt
}

// selectors sets t.sel for p; false when the system default does not apply (no
// ReplicaSet and no Service selects the pod).
func (t *topologySpreadScore) selectors(p *Pod) bool {
	sel := &t.sel
	sel.rs = p.rs
	sel.ns = p.Namespace
	sel.services = sel.services[:0]
	if sel.rs != nil {
		return true // the ReplicaSet's count is all the score reads
	}
	for _, svc := range t.h.schedServices() {
		if !svc.Deleted && svc.Namespace == p.Namespace && len(svc.Selector) > 0 && mapSelectorMatches(svc.Selector, p.Labels) {
			sel.services = append(sel.services, labels.SelectorFromMap(svc.Selector))
		}
	}
	return sel.rs != nil || len(sel.services) > 0
}

// imageLocalityScore is ImageLocality (weight 1): a node that has the pod's
// image scores its size scaled by the fraction of nodes that have it (so an
// image on few nodes does not draw every pod there), between 23 MB (0) and
// 1000 MB per container (100). kubesim's pods have one container; a node has
// an image once its pull has ended (kube-scheduler reads node.status.images),
// and the fraction counts pulls under way.
type imageLocalityScore struct {
	h      schedHandle
	score0 int64   // the pod's sum when its node has the image
	img    imageID // the pod's image
	known  bool    // some node had the pod's image (img is its number)
}

const (
	imageMinThreshold          = 23 << 20
	imageMaxContainerThreshold = 1000 << 20
)

func (*imageLocalityScore) name() string                   { return "ImageLocality" }
func (*imageLocalityScore) weight() int64                  { return 1 }
func (*imageLocalityScore) normalize(*cycleState, []int64) {}

func (s *imageLocalityScore) preScore(_ *cycleState, p *Pod, _ []*Node) bool {
	total := len(s.h.schedNodes())
	if total == 0 {
		return false
	}
	s.img, s.known = s.h.schedImageID(p.Spec.Image)
	spread := float64(s.h.schedImageNodes(p.Spec.Image)) / float64(total)
	s.score0 = imageLocalityPriority(int64(float64(s.h.schedImageSize(p.Spec.Image))*spread), 1)
	return true
}

func (s *imageLocalityScore) score(_ *cycleState, p *Pod, n *Node) int64 {
	if !s.known {
		return 0
	}
	if at, ok := n.imageAt(s.img); !ok || at > s.h.schedNow() {
		return 0
	}
	return s.score0
}

// imageLocalityPriority is calculatePriority: the sum of the containers'
// scaled image sizes clamped to [23 MB, 1000 MB x containers], mapped to 0-100.
func imageLocalityPriority(sum int64, containers int64) int64 {
	hi := imageMaxContainerThreshold * containers
	sum = min(max(sum, imageMinThreshold), hi)
	return maxNodeScore * (sum - imageMinThreshold) / (hi - imageMinThreshold)
}
